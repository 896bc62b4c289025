"""manage.py and gunicorn in processes of their own, each on a copy of the test database (reference
data loaded, nothing else), so that what they commit stays out of the other tests: what the tests of
concurrent writers, of the import worker and of the deployment kit run."""

import contextlib
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from django.db import connection, connections

ROOT = Path(__file__).resolve().parents[1]
# Every variable the settings read (.env.example lists them all, a few commented out): none of them
# reaches a process from the caller's environment, only TEST_SETTINGS and what a test gives. A
# DEBUG=true exported in the shell that ran the suite once gave a worker its autoreloader.
SETTINGS_VARIABLES = frozenset(re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.M))
TEST_SETTINGS = {"DEBUG": "false", "OCOP_ENV_FILE": "", "SECRET_KEY": "tests-only-not-secret"}


class Databases:
    """Copies of a database (and empty ones), as DATABASE_URLs: PostgreSQL copies one with no one connected to it
    (CREATE DATABASE … TEMPLATE), SQLite's backup copies a file or the in-memory test database."""

    def __init__(self, folder: Path):
        self.folder, self.made = folder, []

    def copy(self, source: str | None = None) -> str:
        """A copy of `source` (a URL this made), or of the test database."""
        settings = connection.settings_dict
        if connection.vendor == "sqlite":
            path = self.folder / f"copy-{len(self.made)}.sqlite3"
            self.made.append(path)
            connection.ensure_connection()
            source_db = sqlite3.connect(source.removeprefix("sqlite:///")) if source else connection.connection
            with sqlite3.connect(path) as target:
                source_db.backup(target)
                target.execute("PRAGMA journal_mode=WAL")
            return f"sqlite:///{path}"
        name = f"{settings['NAME']}_copy_{uuid.uuid4().hex[:8]}"
        template = source.rsplit("/", 1)[1] if source else settings["NAME"]
        connections.close_all()  # from the test database too
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        self.made.append(name)
        return self.url(name)

    def empty(self) -> str:
        """A database holding nothing, on the server of the test database (PostgreSQL), or a file not
        yet written (SQLite)."""
        if connection.vendor == "sqlite":
            path = self.folder / f"empty-{len(self.made)}.sqlite3"
            self.made.append(path)
            return f"sqlite:///{path}"
        settings = connection.settings_dict
        name = f"{settings['NAME']}_empty_{uuid.uuid4().hex[:8]}"
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        self.made.append(name)
        return self.url(name)

    def url(self, name: str) -> str:
        """The URL of the database `name` on the test database's PostgreSQL server."""
        settings = connection.settings_dict
        password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
        return f"postgres://{settings['USER']}{password}@{settings['HOST']}:{settings['PORT']}/{name}"

    def written(self, database: str) -> bool:
        """Whether a writer holds `database`'s locks now: its write lock (SQLite), advisory locks (PostgreSQL)."""
        if connection.vendor == "sqlite":
            path = database.removeprefix("sqlite:///")
            with contextlib.closing(sqlite3.connect(path, timeout=0, isolation_level=None)) as db:
                try:
                    db.execute("BEGIN IMMEDIATE")
                except sqlite3.OperationalError:
                    return True
                db.execute("ROLLBACK")
                return False
        with connection._nodb_cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_locks JOIN pg_database d ON d.oid = database "
                           "WHERE locktype = 'advisory' AND granted AND datname = %s", [database.rsplit("/", 1)[1]])
            return cursor.fetchone() is not None

    def drop(self) -> None:
        if connection.vendor == "postgresql":
            for name in self.made:
                with connection._nodb_cursor() as cursor:
                    cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def environment(database: str, **env: str) -> dict[str, str]:
    """The environment of a process on `database` (a URL): the tests' settings and `env`."""
    inherited = {name: value for name, value in os.environ.items() if name not in SETTINGS_VARIABLES}
    return {**inherited, **TEST_SETTINGS, "DATABASE_URL": database, **env}


def manage(database: str, *args: str, **env: str) -> subprocess.Popen:
    """`manage.py *args` on `database` (a URL), with the tests' settings and `env`."""
    return subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT, env=environment(database, **env),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def gunicorn(database: str, port: int, logs: Path, **env: str) -> subprocess.Popen:
    """gunicorn as production runs it (`gunicorn -c gunicorn.conf.py ocop_dashboard.wsgi`), one worker
    on 127.0.0.1:`port`, on `database`; its standard output (the access log) and error in `logs`."""
    with (logs / "stdout.log").open("w") as stdout, (logs / "stderr.log").open("w") as stderr:
        return subprocess.Popen(  # the child keeps its own copies of the files
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "ocop_dashboard.wsgi"], cwd=ROOT,
            env=environment(database, GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="1", **env),
            stdout=stdout, stderr=stderr)


def free_port() -> int:
    """A TCP port of the loopback that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answering(url: str, process: subprocess.Popen, log: Path, seconds: float = 30) -> None:
    """Wait until `url` answers anything over HTTP; fail with `log` if `process` stops or time runs out."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.2)


def appears(pattern: str, log: Path, seconds: float = 10) -> re.Match | None:
    """The first match of `pattern` in `log`, waiting for it to be written."""
    deadline = time.monotonic() + seconds
    while not (found := re.search(pattern, log.read_text())) and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


def finished(process: subprocess.Popen) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=120)
    return process.returncode, out, err
