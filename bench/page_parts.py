"""Where a page's time goes, query by query: `python bench/page_parts.py [--backend postgresql] [--scale 1]`.

On a fresh database prepared as bench/pages.py prepares it, each page is requested 10 times after
two warm-ups with an execute wrapper timing every query; for each query it reports the median
Python time since the previous one ended (building and compiling it, and whatever the page did in
between: the template, for the last ones) and its execution time, and after the last query the
rest (rendering, the response). SQLite computes rows while they are fetched, so there part of a
query's time shows as the Python after it. A diagnostic, not a goal: the goals are bench/pages.py's.
"""

import argparse
import contextlib
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.pages import Postgres, _setup, page_urls, run_worker  # noqa: E402

REQUESTS, WARM_UPS = 10, 2


def worker() -> None:
    _setup()
    from django.db import connection
    from django.test import Client

    client, report = Client(), {}
    for name, url in page_urls().items():
        marks, requests = [], []

        def timed(execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                marks.append((started, time.perf_counter(), sql))
        for run in range(WARM_UPS + REQUESTS):
            marks.clear()
            with connection.execute_wrapper(timed):
                started = time.perf_counter()
                client.get(url, secure=True)
                ended = time.perf_counter()
            if run >= WARM_UPS:
                before, steps = started, []
                for query_started, query_ended, sql in marks:
                    steps.append((query_started - before, query_ended - query_started, sql))
                    before = query_ended
                requests.append((steps, ended - before, ended - started))
        queries = [{
            "python_ms": statistics.median(r[0][i][0] for r in requests) * 1000,
            "sql_ms": statistics.median(r[0][i][1] for r in requests) * 1000,
            "sql": requests[0][0][i][2][:90],
        } for i in range(len(requests[0][0]))]
        report[name] = {"url": url, "queries": queries, "after_ms": statistics.median(r[1] for r in requests) * 1000,
                        "total_ms": statistics.median(r[2] for r in requests) * 1000}
    print(json.dumps(report))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    if args.worker:
        return worker()
    postgres = Postgres() if args.backend == "postgresql" else contextlib.nullcontext()
    with tempfile.TemporaryDirectory() as tmp, postgres as pg:
        url = pg.database("bench_parts") if pg else f"sqlite:///{tmp}/parts.sqlite3"
        run_worker(url, "--prepare", str(args.scale))
        report = run_worker(url, "--worker", script=__file__)
    for name, page in report.items():
        print(f"\n{name}  {page['url']}  total {page['total_ms']:.1f} ms")
        print("  Python ms  SQL ms  query")
        for query in page["queries"]:
            print(f"  {query['python_ms']:9.2f}  {query['sql_ms']:6.2f}  {query['sql']}")
        python = sum(q["python_ms"] for q in page["queries"]) + page["after_ms"]
        print(f"  {page['after_ms']:9.2f}          after the last query")
        print(f"  {python:9.2f}  {sum(q['sql_ms'] for q in page['queries']):6.2f}  in all")


if __name__ == "__main__":
    main()
