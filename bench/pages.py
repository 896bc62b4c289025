"""Page benchmark: SQL queries, server time and SQL time per page, at 1/10 and full national scale,
on SQLite and PostgreSQL. `python bench/pages.py` (or `--quick`: SQLite at scale 0.05).

Pages are counted cold, as the first request after a write finds them: no server cache
(bench/load.py times repeat views). Each (backend, scale) gets a fresh database, prepared once by a
worker process; PostgreSQL is a private throwaway cluster started here and stopped on exit, as in
.ci/run. Then the pages are timed in rounds, each round a new worker per database in turn, and each
figure is the median over the rounds: a machine that speeds up or slows down during the run (a
shared VM does) then weighs on both sides of a ratio alike. Pages are timed as production serves
them, with DEBUG off and nothing recording the queries; one more request, with the queries captured,
gives their number and the SQL that is then run again for its time ("SQL ms", which the goal's ratio
uses). Then the queries are timed within RUNS more requests too ("SQL ms in the request"): run
between the page's Python, a query takes longer than replayed back to back.
"""

import argparse
import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
RUNS = 5
ROUNDS = 3


def pages(client_units) -> dict[str, str]:
    legacy, current = client_units
    return {
        "overview /": "/?as_of=2023-07-31",
        "province (legacy)": f"/tinh/{legacy}/?as_of=2023-07-31",
        "progress.json (legacy)": f"/tinh/{legacy}/progress.json?as_of=2023-07-31",
        "province (current)": f"/tinh/{current}/?as_of=2026-06-30",
        "progress.json (current)": f"/tinh/{current}/progress.json?as_of=2026-06-30",
    }


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocop_dashboard.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    # Pages as the public dashboard serves them; a logged-in user adds the session and role look-ups.
    os.environ["OCOP_PUBLIC_DASHBOARD"] = "true"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def prepare(scale: float) -> None:
    """Fill a fresh database at `scale`; print one JSON line saying what it took."""
    _setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.generate import generate

    call_command("migrate", verbosity=0)
    call_command("load_admin_units", verbosity=0)
    call_command("loaddata", "product_groups", "indicators", verbosity=0)
    started = time.perf_counter()
    generated = generate(scale)
    generation = time.perf_counter() - started
    # Planner statistics, as autovacuum would have gathered them on a live database; without them
    # PostgreSQL guesses 5 products per province and picks plans 10x slower.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(json.dumps({"scale": scale, "generated": generated, "generation_s": generation}))


def page_urls() -> dict[str, str]:
    """The benchmarked pages on the prepared database: those of the legacy and the current province with the
    most products."""
    from django.db.models import Count

    from products.models import Product
    from provinces.models import AdminUnit

    provinces = AdminUnit.objects.provinces()

    def largest(**filters):
        row = Product.objects.filter(province__in=provinces.filter(**filters)).values("province__slug").annotate(
            n=Count("pk")).order_by("-n").first()
        return row["province__slug"]
    return pages((largest(valid_to__isnull=False), largest(valid_to__isnull=True)))


def worker() -> None:
    """Time every page on the prepared database; print one JSON line."""
    _setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    results = []
    for name, url in page_urls().items():
        client.get(url, secure=True)  # warm-up
        times = []
        for _run in range(RUNS):
            t0 = time.perf_counter()
            response = client.get(url, secure=True)
            times.append(time.perf_counter() - t0)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        # Recording the queries costs time of its own (each one's SQL is rendered): not while timing.
        with CaptureQueriesContext(connection) as queries:
            client.get(url, secure=True)
        sql = [replay(connection, queries.captured_queries) for _run in range(RUNS)]
        results.append({
            "page": name, "url": url, "status": response.status_code, "queries": len(queries.captured_queries),
            "server_ms": statistics.median(times) * 1000, "sql_ms": statistics.median(sql) * 1000,
            "request_sql_ms": statistics.median(sql_in_requests(client, url, connection)) * 1000,
        })
    print(json.dumps({"pages": results}))


def sql_in_requests(client, url: str, connection) -> list[float]:
    """Seconds the page's queries take within each of RUNS requests, as Django's cursor runs them.

    On PostgreSQL that is each query's whole time (the driver receives every row in execute());
    on SQLite, up to its first row (a GROUP BY or ORDER BY has computed them all by then).
    """
    spent = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent[-1] += time.perf_counter() - started
    with connection.execute_wrapper(timed):
        for _run in range(RUNS):
            spent.append(0.0)
            client.get(url, secure=True)
    return spent


def replay(connection, captured) -> float:
    """Seconds the database takes for these queries, rows fetched included.

    Django times only cursor.execute(); SQLite computes rows while they are fetched, so the page's
    SQL is run again here, each query to its last row.
    """
    total = 0.0
    with connection.cursor() as cursor:
        for query in captured:
            started = time.perf_counter()
            cursor.execute(query["sql"])
            cursor.fetchall()
            total += time.perf_counter() - started
    return total


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Postgres:
    """A private PostgreSQL cluster under /tmp, owned by the postgres user (initdb refuses root)."""

    def __enter__(self):
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
        if not bins:
            raise SystemExit("PostgreSQL binaries not found: apt-get install postgresql")
        self.bin, self.dir, self.port = bins[-1], Path(tempfile.mkdtemp(prefix="ocop-bench-pg.")), _free_port()
        self.dir.chmod(0o755)
        shutil.chown(self.dir, "postgres")
        self._pg("initdb", "-D", f"{self.dir}/data", "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8")
        self._pg("pg_ctl", "-D", f"{self.dir}/data", "-l", f"{self.dir}/log", "-w", "start", "-o",
                 f"-h 127.0.0.1 -p {self.port} -k {self.dir} "
                 "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        return self

    def _pg(self, program, *args):
        command = [str(self.bin / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)

    def database(self, name: str, template: str | None = None) -> str:
        """A new database (a copy of `template` when given, which nobody may be connected to); its URL."""
        copy = ["-T", template] if template else []
        self._pg("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", *copy, name)
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def __exit__(self, *exc):
        subprocess.run(["runuser", "-u", "postgres", "--", str(self.bin / "pg_ctl"), "-D", f"{self.dir}/data",
                        "-m", "immediate", "stop"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)


def run_worker(database_url: str, *args: str, script: str = __file__) -> dict:
    # As production runs: DEBUG off (the static files' manifest needs collectstatic: plain storage).
    # Every request counted as the first after a write: no server cache (bench/load.py times repeat views).
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "false", "SECRET_KEY": "bench-only-not-secret",
           "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
           "CACHE_BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    done = subprocess.run([sys.executable, script, *args], env=env, cwd=ROOT,
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def timed_rounds(databases: dict[tuple[str, float], str], rounds: int) -> dict[tuple[str, float], list[dict]]:
    """Each database's pages timed `rounds` times, the databases taking turns within each round."""
    timings = {key: [] for key in databases}
    for _round in range(rounds):
        for key, url in databases.items():
            timings[key].append(run_worker(url, "--worker")["pages"])
    return timings


def medians(rounds: list[list[dict]]) -> list[dict]:
    """One page list: each page's server and SQL time, the median over the rounds."""
    return [{
        **page_rounds[0],
        "queries": max(page["queries"] for page in page_rounds),
        "server_ms": statistics.median(page["server_ms"] for page in page_rounds),
        "sql_ms": statistics.median(page["sql_ms"] for page in page_rounds),
        "request_sql_ms": statistics.median(page["request_sql_ms"] for page in page_rounds),
    } for page_rounds in zip(*rounds, strict=True)]


def table(runs: dict, rounds: int) -> str:
    lines = [f"Each time: the median of {RUNS} requests (or SQL replays), then the median over {rounds} round(s).", "",
             "| page | backend | scale | queries | server ms | SQL ms | SQL ms in the request |",
             "|---|---|---|---|---|---|---|"]
    for (backend, scale), run in runs.items():
        for page in run["pages"]:
            lines.append(f"| {page['page']} | {backend} | {scale:g} | {page['queries']} | "
                         f"{page['server_ms']:.0f} | {page['sql_ms']:.0f} | {page['request_sql_ms']:.0f} |")
    lines += ["", "| goal | backend | page | measured | met |", "|---|---|---|---|---|"]
    backends = sorted({b for b, _s in runs})
    scales = sorted({s for _b, s in runs})
    for backend in backends:
        small, full = runs.get((backend, scales[0])), runs.get((backend, scales[-1]))
        for index, page in enumerate(full["pages"]):
            worst = max(r["pages"][index]["queries"] for (b, _s), r in runs.items() if b == backend)
            lines.append(f"| ≤ 15 queries at any scale | {backend} | {page['page']} | {worst} | "
                         f"{'yes' if worst <= 15 else 'NO'} |")
            if small is not full:
                ratio = page["server_ms"] / small["pages"][index]["server_ms"]
                lines.append(f"| full ÷ 1/10-scale server time ≤ 2 | {backend} | {page['page']} | {ratio:.2f} | "
                             f"{'yes' if ratio <= 2 else 'NO'} |")
            own = page["server_ms"] / page["sql_ms"] if page["sql_ms"] else float("inf")
            lines.append(f"| server ÷ own SQL time ≤ 2 at full scale | {backend} | {page['page']} | {own:.2f} | "
                         f"{'yes' if own <= 2 else 'NO'} |")
    generation = [f"{b} scale {s:g}: {r['generation_s']:.1f} s for {r['generated']}" for (b, s), r in runs.items()]
    return "\n".join(lines + ["", "Generation: " + "; ".join(generation)])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prepare", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="SQLite only, scale 0.05, one round")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help=f"timing rounds (default {ROUNDS})")
    args = parser.parse_args()
    if args.prepare is not None:
        return prepare(args.prepare)
    if args.worker:
        return worker()
    scales = [0.05] if args.quick else [0.1, 1.0]
    databases, prepared = {}, {}
    with tempfile.TemporaryDirectory() as tmp, (contextlib.nullcontext() if args.quick else Postgres()) as postgres:
        for scale in scales:
            databases[("sqlite", scale)] = f"sqlite:///{tmp}/bench-{scale}.sqlite3"
        if postgres:
            for scale in scales:
                databases[("postgresql", scale)] = postgres.database(f"bench_{str(scale).replace('.', '_')}")
        for (backend, scale), url in databases.items():
            prepared[(backend, scale)] = run_worker(url, "--prepare", str(scale))
        rounds = 1 if args.quick else args.rounds
        timings = timed_rounds(databases, rounds)
    runs = {key: {**prepared[key], "pages": medians(timed)} for key, timed in timings.items()}
    report = table(runs, rounds)
    OUT.mkdir(exist_ok=True)
    (OUT / "pages.md").write_text(report + "\n")
    print(report)


if __name__ == "__main__":
    main()
