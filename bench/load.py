"""Many readers at once: `python bench/load.py` (about 10 minutes; `--quick`: SQLite, a 1/10 register,
3 s a level, under 2 minutes).

On PostgreSQL (a private throwaway cluster, bench/pages.py's `Postgres`; `--quick`: SQLite) in a fresh
database holding the national-scale register (bench/generate.py, scale 1.0), the app is served as
docs/deployment.md serves it: gunicorn with gunicorn.conf.py (two workers per core), DEBUG off, the
public dashboard on, the server cache in files of its own. Then, for each of the overview, the
province page and progress.json of the current province with the most products, and `/healthz`
(one `SELECT 1`, the floor), THREADS threads read it for `--seconds` at each concurrency (1, 10, 50):
- "repeat": plain GETs, the server cache warm (each page was read once before): what a hundred
  leaders opening the same page see;
- "304": GETs with the page's ETag (If-None-Match): a browser coming back to a page.
Each request is on a new connection (gunicorn's sync workers close it). A failed request is any
answer but the one expected (200, or 304), or any exception. Loopback only, bounded in time.
The cold page (the first view after a write) is bench/pages.py's; readers during a background
import, bench/readers.py's. Results go to bench/out/load.md.
"""

import argparse
import json
import os
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.imports import _load  # noqa: E402
from bench.pages import Postgres, _free_port  # noqa: E402
from bench.readers import environment, errors_logged, percentile, process, ready, run_database  # noqa: E402

OUT = ROOT / "bench" / "out"
LEVELS = (1, 10, 50)
REQUEST_TIMEOUT_S = 60


def request(url: str, etag: str | None) -> tuple[object, float]:
    """One read: its status (or the exception's name) and seconds."""
    headers = {"If-None-Match": etag} if etag else {}
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=REQUEST_TIMEOUT_S) as answer:
            answer.read()
            status = answer.status
    except urllib.error.HTTPError as error:  # 304 arrives as one
        status = error.code
    except Exception as error:  # a timeout, a reset or refused connection
        status = type(error).__name__
    return status, time.perf_counter() - started


def hammer(url: str, etag: str | None, threads: int, seconds: float) -> dict:
    """`threads` readers of `url` for `seconds`: requests, failures, throughput and latencies."""
    expected = 304 if etag else 200
    deadline = time.monotonic() + seconds
    done: list[tuple[object, float]] = []

    def reader():
        while time.monotonic() < deadline:
            done.append(request(url, etag))
    started = time.monotonic()
    running = [threading.Thread(target=reader) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    elapsed = time.monotonic() - started
    ok = sorted(s for status, s in done if status == expected)
    failed = {}
    for status, _s in done:
        if status != expected:
            failed[str(status)] = failed.get(str(status), 0) + 1
    return {"requests": len(done), "failed": failed, "per_s": len(ok) / elapsed,
            **{f"p{p}_ms": percentile(ok, p) * 1000 for p in (50, 95, 99)}}


def run(spec: dict) -> dict:
    """Prepare the database, serve it, read each page at each level; what was measured."""
    os.environ.update(environment(spec["database"]))
    os.environ["DJANGO_SETTINGS_MODULE"] = "ocop_dashboard.settings"
    import django

    django.setup()
    from django.db import connection

    from bench.generate import prepared
    from bench.pages import page_urls

    generated = prepared(spec["scale"])
    urls = page_urls()
    paths = {"overview": urls["overview /"], "province page": urls["province (current)"],
             "progress.json": urls["progress.json (current)"], "/healthz": "/healthz"}
    connection.close()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    logs = Path(spec["logs"])
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py", "ocop_dashboard.wsgi",
               "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null"]
    results = {}
    with process(command, logs / "gunicorn.log") as gunicorn:
        ready(base + "/healthz", gunicorn)
        reads = []
        for name, path in paths.items():
            with urllib.request.urlopen(base + path, timeout=REQUEST_TIMEOUT_S) as first:  # the cache warmed
                etag = first.headers.get("ETag")
            modes = {"repeat": None} if name == "/healthz" else {"repeat": None, "304": etag}
            reads += [(name, path, mode, tag) for mode, tag in modes.items()]
        # Level by level, every page and the floor (/healthz) one after the other: the machine's speed
        # drifts over minutes, and a ratio is taken between reads of one level.
        for level in LEVELS:
            for name, path, mode, tag in reads:
                results[f"{name}|{mode}|{level}"] = hammer(base + path, tag, level, spec["seconds"])
    return {"generated": generated, "paths": paths, "results": results,
            "server_errors": errors_logged(logs / "gunicorn.log"), "workers": 2 * len(os.sched_getaffinity(0))}


def report(run_: dict, backend: str, info: dict) -> str:
    results = run_["results"]
    lines = [f"{backend}, register at scale {info['scale']:g} ({run_['generated']}), gunicorn.conf.py "
             f"({run_['workers']} workers), {info['seconds']:g} s per level; load average before / after: "
             f"{info['load_before']} / {info['load_after']}, on {len(os.sched_getaffinity(0))} cores.", "",
             "| page | request | readers | requests | failed | per s | p50 ms | p95 ms | p99 ms |",
             "|---|---|---|---|---|---|---|---|---|"]
    for key, r in results.items():
        name, mode, level = key.split("|")
        failed = sum(r["failed"].values())
        lines.append(f"| {name} | {mode} | {level} | {r['requests']:,} | {failed} | {r['per_s']:.0f} | "
                     f"{r['p50_ms']:.0f} | {r['p95_ms']:.0f} | {r['p99_ms']:.0f} |")
    floor = {level: results[f"/healthz|repeat|{level}"] for level in LEVELS}
    lines += ["", "| goal | page | measured | met |", "|---|---|---|---|"]
    failures = sum(sum(r["failed"].values()) for r in results.values())
    lines.append(f"| 0 failed requests at every level | all | {failures} | {'yes' if not failures else 'NO'} |")
    for name in (n for n in run_["paths"] if n != "/healthz"):
        for mode in ("repeat", "304"):
            r = results[f"{name}|{mode}|1"]
            ratio = r["p50_ms"] / floor[1]["p50_ms"] if floor[1]["p50_ms"] else 0
            lines.append(f"| a repeat view ({mode}) costs ≤ 2 × /healthz (p50, 1 reader) | {name} | {ratio:.2f} | "
                         f"{'yes' if ratio <= 2 else 'NO'} |")
        r = results[f"{name}|repeat|50"]
        share = r["per_s"] / floor[50]["per_s"] if floor[50]["per_s"] else 0
        lines.append(f"| warm-cache throughput at 50 readers ≥ ½ /healthz's | {name} | {share:.2f} | "
                     f"{'yes' if share >= 0.5 else 'NO'} |")
        p95 = results[f"{name}|repeat|50"]["p95_ms"]
        met = "yes" if p95 < 1000 else "NO"
        lines.append(f"| p95 under 1 s at 50 readers (warm) | {name} | {p95:.0f} ms | {met} |")
    if run_["server_errors"]:
        logged = run_["server_errors"].items()
        lines += ["", "Exceptions in gunicorn's log:", *(f"- {n} × {line}" for line, n in logged)]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="SQLite, scale 0.1, 3 s per level")
    parser.add_argument("--seconds", type=float, help="reading per page and level (default 30; 3 with --quick)")
    args = parser.parse_args()
    if args.run:
        return print(json.dumps(run(json.loads(args.run))))
    spec = {"scale": 0.1 if args.quick else 1.0, "seconds": args.seconds or (3 if args.quick else 30)}
    info = {**spec, "load_before": _load()}
    with tempfile.TemporaryDirectory() as tmp:
        def measure(database: str) -> dict:
            # The server cache in files of its own; gunicorn's log stays in bench/out/load/ to be read after.
            return run_database(__file__, database, spec, OUT / "load", CACHE_LOCATION=f"{tmp}/cache")
        if args.quick:
            backend, measured = "sqlite", measure(f"sqlite:///{tmp}/load.sqlite3")
        else:
            with Postgres() as postgres:
                backend, measured = "postgresql", measure(postgres.database("bench_load"))
    info["load_after"] = _load()
    text = report(measured, backend, info)
    OUT.mkdir(exist_ok=True)
    (OUT / "load.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
