"""Readers during a background import: `python bench/readers.py` (about 5 minutes; `--quick`:
SQLite only, 2,000 rows, a smaller register, 5 s of reading, under a minute).

On SQLite and on PostgreSQL (a private throwaway cluster, bench/pages.py's `Postgres`), each in a
fresh database holding the administrative units, the reference fixtures and the national-scale
register (bench/generate.py, scale 1.0): the app served by gunicorn as production serves it
(`--workers 3`, DEBUG off, the public dashboard on), and a real `manage.py db_worker` (django-tasks-db)
beside it. Bench/imports.py's generated 20,000-row sheet is previewed as an administrator (untimed).
Then READERS threads request, in turn, the public overview, the province page of the legacy province
with most products and its progress.json (bench/pages.py's pages), over loopback, each request on
a new connection (gunicorn's sync workers close it): first for `--seconds` with no import, then
while the sheet is imported through the task path (`imports.tasks.start_import`, the worker runs
it) until its record says IMPORTED. A failed read is any answer but 200, or any exception (a
timeout, a refused connection); each one's status and first words are kept. Goal: no failed read
on either database; the reader p50/p95 without and during the import are reported.
Loopback only, bounded: the reading stops after `--seconds`, and when the import ends (at most
IMPORT_TIMEOUT_S). Results go to bench/out/readers.md.
"""

import argparse
import contextlib
import json
import os
import re
import signal
import statistics
import subprocess
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

OUT = ROOT / "bench" / "out"
READERS = 4
GUNICORN_WORKERS = 3  # as docs/deployment.md runs it
REQUEST_TIMEOUT_S = 60  # past gunicorn's own 30 s, so that its timeout shows as its own answer
IMPORT_TIMEOUT_S = 600
POLL_S = 0.1


def environment(database_url: str) -> dict:
    """The server's, the worker's and this bench's: production settings, on loopback, over HTTP."""
    return {**os.environ, "DATABASE_URL": database_url, "DEBUG": "false", "SECRET_KEY": "bench-only-not-secret",
            "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
            "ALLOWED_HOSTS": "127.0.0.1", "OCOP_PUBLIC_DASHBOARD": "true", "SECURE_SSL_REDIRECT": "false",
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend"}


# --- In the process of one database (`--run URL`) --------------------------------------------------

def run(spec: dict) -> dict:
    """Prepare the database, serve it, read without and during the import; what was measured."""
    os.environ.update(environment(spec["database"]))
    os.environ["DJANGO_SETTINGS_MODULE"] = "ocop_dashboard.settings"
    import django

    django.setup()
    from django.db import connection

    from bench.generate import prepared
    from bench.imports import _previewed, sheet_rows, xlsx
    from bench.pages import page_urls

    generated = prepared(spec["scale"])
    rows, _bad = sheet_rows(spec["rows"])
    user, record, preview_s = _previewed(xlsx(rows))
    if record.failed_rows:
        raise SystemExit(f"the sheet previews with {record.failed_rows} rows with errors: {record.errors[:3]}")
    urls = page_urls()
    urls = {name: url for name, url in urls.items() if "current" not in name}  # the overview, a province, its json
    connection.close()  # the server and the worker have the database to themselves but for the polling below

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    logs = Path(spec["logs"])
    gunicorn_command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "ocop_dashboard.wsgi", "--workers",
                        str(GUNICORN_WORKERS), "--bind", f"127.0.0.1:{port}"]
    worker_command = [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--no-reload"]
    with process(gunicorn_command, logs / "gunicorn.log") as gunicorn, \
            process(worker_command, logs / "db_worker.log") as db_worker:
        ready(base + urls["overview /"], gunicorn)
        quiet = read(base, list(urls.values()), stop_after=spec["seconds"])
        during, imported = read_during_import(base, list(urls.values()), record, user, db_worker)
    return {"server_errors": errors_logged(logs / "gunicorn.log"),
            "worker_errors": errors_logged(logs / "db_worker.log"),
            "generated": generated, "preview_s": preview_s, "rows": len(rows), "urls": urls, "quiet": quiet,
            "during": during, "import": imported}


@contextlib.contextmanager
def process(command: list[str], log: Path):
    """A server process for the duration, its output (Django's log: every 500's traceback) in `log`."""
    with log.open("w") as out:
        started = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        try:
            yield started
        finally:
            started.send_signal(signal.SIGTERM)
            try:
                started.wait(timeout=60)
            except subprocess.TimeoutExpired:
                started.kill()
                started.wait()


def errors_logged(log: Path) -> dict[str, int]:
    """The exceptions a log names (a traceback's last line), counted."""
    found = {}
    for line in log.read_text(errors="replace").splitlines():
        if re.match(r"^[\w.]+(Error|Exception|Exit|Interrupt)\b", line) or line.startswith("Traceback") \
                or "[CRITICAL]" in line or "[ERROR]" in line:  # gunicorn's own: a worker timed out or died
            found[line[:200]] = found.get(line[:200], 0) + 1
    return found


def ready(url: str, gunicorn: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if gunicorn.poll() is not None:
            raise SystemExit("gunicorn stopped")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(url, timeout=10) as response:
                if response.status == 200:
                    return
        time.sleep(0.2)
    raise SystemExit(f"{url} never answered 200")


def get(base: str, path: str) -> dict:
    """One read: its status (or the exception), seconds, and the first words of a failure."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(base + path, timeout=REQUEST_TIMEOUT_S) as response:
            response.read()
            status, body = response.status, ""
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()[:300].decode(errors="replace")
    except Exception as error:  # a timeout, a reset or refused connection: a failed read too
        status, body = type(error).__name__, str(error)[:300]
    return {"path": path, "status": status, "s": time.perf_counter() - started, "body": body}


def read(base: str, paths: list[str], *, stop_after: float | None = None, until: threading.Event | None = None):
    """READERS threads reading the pages in turn until `stop_after` seconds or `until` is set."""
    deadline = time.monotonic() + (stop_after if stop_after is not None else IMPORT_TIMEOUT_S)
    done = []

    def reader(offset: int) -> None:
        n = offset
        while time.monotonic() < deadline and not (until and until.is_set()):
            done.append(get(base, paths[n % len(paths)]))  # list.append is atomic
            n += 1
    threads = [threading.Thread(target=reader, args=(i,)) for i in range(READERS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return summary(done, time.monotonic() - started)


def read_during_import(base: str, paths: list[str], record, user, db_worker: subprocess.Popen):
    """Readers while the import runs: from start_import until its record has ended."""
    from imports.models import ImportRecord
    from imports.tasks import start_import

    ended = threading.Event()
    result = {}
    readers = threading.Thread(target=lambda: result.update(read(base, paths, until=ended)))
    readers.start()
    time.sleep(0.2)  # the readers under way
    started = time.perf_counter()
    try:
        if not start_import(record, user):
            raise SystemExit("start_import queued nothing")
        phases = {}
        while True:
            record.refresh_from_db(fields=["status", "phase"])
            phases.setdefault(record.phase or record.status, round(time.perf_counter() - started, 2))
            if record.status not in (ImportRecord.Status.QUEUED, ImportRecord.Status.RUNNING):
                break
            if time.perf_counter() - started > IMPORT_TIMEOUT_S or db_worker.poll() is not None:
                raise SystemExit(f"the import did not end ({record.status}); worker: {db_worker.poll()}")
            time.sleep(POLL_S)
        seconds = time.perf_counter() - started
    finally:
        ended.set()
        readers.join()
    record.refresh_from_db()
    return result, {"s": seconds, "status": record.status, "created": record.created, "phases_seen_at": phases,
                    "failure": record.failure}


def summary(done: list[dict], seconds: float) -> dict:
    ok = sorted(d["s"] for d in done if d["status"] == 200)
    failed = [d for d in done if d["status"] != 200]
    kinds = {}
    for d in failed:
        key = f"{d['status']} {d['path'].split('?')[0]}: {' '.join(d['body'].split())[:200]}"
        kinds[key] = kinds.get(key, 0) + 1
    return {"requests": len(done), "failed": len(failed), "seconds": seconds, "failures": kinds,
            "p50_ms": percentile(ok, 50) * 1000, "p95_ms": percentile(ok, 95) * 1000,
            "max_ms": (ok[-1] if ok else 0) * 1000,
            "by_page_p95_ms": {path: percentile(sorted(d["s"] for d in done if d["status"] == 200
                                                       and d["path"] == path), 95) * 1000
                               for path in {d["path"] for d in done}}}


def percentile(ordered: list[float], p: int) -> float:
    if not ordered:
        return 0.0
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[p - 1]


# --- The report ------------------------------------------------------------------------------

def table(runs: dict, info: dict) -> str:
    lines = [
        f"Register: bench/generate.py at scale {info['scale']:g}; sheet: bench/imports.py's generated "
        f"{info['rows']:,} rows. {READERS} reader threads, gunicorn --workers {GUNICORN_WORKERS}, one db_worker. "
        f"Load average (1, 5, 15 min) before / after: {info['load_before']} / {info['load_after']}, on 2 cores.",
        "",
        "| backend | readers | requests | failed reads | p50 ms | p95 ms | max ms | seconds | import |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for backend, run in runs.items():
        imp = run["import"]
        seen = ", ".join(f"{phase} {at:.1f} s" for phase, at in imp["phases_seen_at"].items())
        for key, label in (("quiet", "without an import"), ("during", "during the import")):
            r = run[key]
            note = "–" if key == "quiet" else (f"{imp['status']} in {imp['s']:.1f} s, created {imp['created']:,}; "
                                               f"first seen at: {seen}")
            lines.append(f"| {backend} | {label} | {r['requests']:,} | {r['failed']} | {r['p50_ms']:.0f} | "
                         f"{r['p95_ms']:.0f} | {r['max_ms']:.0f} | {r['seconds']:.1f} | {note} |")
    lines += ["", "| backend | page | p95 ms without | p95 ms during |", "|---|---|---|---|"]
    for backend, run in runs.items():
        for url in sorted(run["quiet"]["by_page_p95_ms"]):
            lines.append(f"| {backend} | `{url}` | {run['quiet']['by_page_p95_ms'][url]:.0f} | "
                         f"{run['during']['by_page_p95_ms'].get(url, 0):.0f} |")
    lines += ["", "| goal | backend | measured | met |", "|---|---|---|---|"]
    for backend, run in runs.items():
        failed = run["quiet"]["failed"] + run["during"]["failed"]
        lines.append(f"| 0 failed reads, without and during a {info['rows']:,}-row background import | {backend} | "
                     f"{run['quiet']['failed']} of {run['quiet']['requests']:,} without, "
                     f"{run['during']['failed']} of {run['during']['requests']:,} during | "
                     f"{'yes' if failed == 0 else 'NO'} |")
    failures = [f"- {backend}, {key}: {count} × {kind}" for backend, run in runs.items() for key in ("quiet", "during")
                for kind, count in run[key]["failures"].items()]
    if failures:
        lines += ["", "Failed reads:", *failures]
    logged = [f"- {backend}, {who}: {count} × {line}" for backend, run in runs.items()
              for who in ("server_errors", "worker_errors") for line, count in run[who].items()]
    if logged:
        lines += ["", "Exceptions in the server's (gunicorn) and the worker's logs (bench/out/readers-<backend>/):",
                  *logged]
    return "\n".join(lines)



def run_database(script: str, database_url: str, spec: dict, logs: Path, **env: str) -> dict:
    """What `script --run` (a bench's measuring part: bench/readers.py's, bench/load.py's) measured on
    `database_url`, run in a process of its own with environment() and `env`, its servers' logs in
    `logs`: the JSON of its last line. Its warnings are passed on; a failure ends the bench with the
    end of its error output."""
    logs.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([sys.executable, script, "--run",
                           json.dumps({**spec, "database": database_url, "logs": str(logs)})],
                          env={**environment(database_url), **env}, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"the run on {database_url} failed:\n{done.stderr[-6000:]}")
    if done.stderr.strip():
        print(done.stderr[-6000:], file=sys.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="SQLite only, 2,000 rows, scale 0.1, 5 s of reading")
    parser.add_argument("--seconds", type=float, help="reading without an import (default 30; 5 with --quick)")
    args = parser.parse_args()
    if args.run:
        return print(json.dumps(run(json.loads(args.run))))
    spec = {"rows": 2000 if args.quick else 20000, "scale": 0.1 if args.quick else 1.0,
            "seconds": args.seconds or (5 if args.quick else 30)}
    info = {**spec, "load_before": _load()}
    runs = {}
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        # The server's and the worker's logs stay in bench/out/readers-<backend>/ to be read after.
        runs["sqlite"] = run_database(__file__, f"sqlite:///{tmp}/readers.sqlite3", spec, OUT / "readers-sqlite")
        if not args.quick:
            with Postgres() as postgres:
                runs["postgresql"] = run_database(__file__, postgres.database("bench_readers"), spec,
                                                  OUT / "readers-postgresql")
    info["load_after"] = _load()
    report = table(runs, info)
    OUT.mkdir(exist_ok=True)
    (OUT / "readers.md").write_text(report + "\n")
    print(report)


if __name__ == "__main__":
    main()
