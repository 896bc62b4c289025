"""A real worker (`manage.py db_worker`, the database task backend) runs confirmed imports, on the
database the suite runs on (SQLite in a file, or PostgreSQL in CI's second leg); one killed while it
writes leaves nothing written and a record that, after the worker's silence, says it failed and
can be started again. While it writes, its page reads the rows written (on PostgreSQL)."""

import contextlib
import signal
import sqlite3
import time

import pytest
from django.db import connection

from tests.processes import finished, manage

pytestmark = pytest.mark.django_db(transaction=True, available_apps=[])

# The database backend, and no reloader (with DEBUG on, a second process that a kill would miss).
WORKER_ENV = {"TASKS_BACKEND": "django_tasks_db.DatabaseBackend"}
SHEET = "Tỉnh,Chủ thể,Tên sản phẩm,Số sao,Ngày quyết định\n" + "".join(
    f"Bắc Kạn,HTX số {i},Sản phẩm {i},3,29/12/2021\n" for i in range(30))

# Uploads the sheet as an administrator, checks it here (the worker finds its check done) and
# confirms it: the import's task is queued, not run.
CONFIRM = f"""
from django.contrib.auth import get_user_model
from imports.services import check_import
from imports.tasks import preview_import, start_import
user = get_user_model().objects.create_superuser("boss", password="not-a-secret-at-all-123")
record = preview_import(user=user, filename="ds.csv", content={SHEET.encode()!r}, skip_invalid=False)
check_import(record)
start_import(record, user)
print(record.pk)
"""
STATE = """
from imports.models import ImportRecord
from products.models import Rating
record = ImportRecord.objects.get()
print(record.status, record.phase or "-", Rating.objects.count(), record.failure.get("en", "-"))
"""
SEEN = """
from django.conf import settings
print(settings.DEBUG, settings.IMPORT_STALE_SECONDS)
"""
AGAIN = """
from django.contrib.auth import get_user_model
from imports.models import ImportRecord
from imports.tasks import mark_stale, start_import
print(mark_stale(), start_import(ImportRecord.objects.get(), get_user_model().objects.get()))
"""


def run(database: str, script: str, **env: str) -> str:
    code, out, err = finished(manage(database, "shell", "-c", script, **WORKER_ENV, **env))
    assert code == 0, err
    return out.strip().splitlines()[-1]


def drain(database: str, **env: str) -> None:
    """One worker that runs what is queued, then stops."""
    worker = manage(database, "db_worker", "--batch", "--no-startup-delay", "--no-reload", **WORKER_ENV, **env)
    code, out, err = finished(worker)
    assert code == 0 and "Traceback" not in err, out + err


def test_a_worker_runs_a_confirmed_import(databases):
    database = databases.copy()
    run(database, CONFIRM)
    assert run(database, STATE).split()[:3] == ["queued", "-", "0"]
    drain(database)
    assert run(database, STATE).split()[:3] == ["imported", "-", "30"]


def seen(database: str) -> tuple:
    """The import's status, phase, rows written and rows, as a reader beside the worker reads them."""
    if database.startswith("sqlite:///"):
        reader = sqlite3.connect(database.removeprefix("sqlite:///"))
    else:
        import psycopg

        reader = psycopg.connect(database, autocommit=True)
    with contextlib.closing(reader):
        cursor = reader.cursor()
        cursor.execute("SELECT status, phase, done, total FROM products_importrecord")
        return cursor.fetchone()


@contextlib.contextmanager
def products_locked(database: str):
    """The product table locked against writers (PostgreSQL): a write of new products waits there,
    after it has written their producers."""
    import psycopg

    with contextlib.closing(psycopg.connect(database)) as holder:
        holder.cursor().execute("LOCK TABLE products_product IN SHARE MODE")  # until the transaction ends
        yield


def test_a_worker_says_how_many_rows_it_has_written_while_it_writes_on_postgresql(databases):
    """On SQLite, where nothing else may write while it writes, its write shows as one step."""
    database = databases.copy()
    run(database, CONFIRM)
    postgresql = connection.vendor == "postgresql"
    written = set()  # the rows written that the record said while it said "writing"
    with products_locked(database) if postgresql else contextlib.nullcontext():
        # Also a pause before it writes (after which it stops at the lock, on PostgreSQL).
        worker = manage(database, "db_worker", "--batch", "--no-startup-delay", "--no-reload",
                        OCOP_TEST_WRITE_PAUSE="2", **WORKER_ENV)
        deadline = time.monotonic() + 60
        while (now := seen(database))[0] in ("queued", "running") and not written - {0}:
            assert time.monotonic() < deadline, "the import never ended"
            if now[1] == "writing":
                written.add(now[2])
            time.sleep(0.1)
    code, out, err = finished(worker)
    assert run(database, STATE).split()[:3] == ["imported", "-", "30"], out + err
    assert (min(written), max(written) > 0) == (0, postgresql)


def test_a_worker_killed_while_writing_leaves_nothing_and_the_import_starts_again(databases):
    database = databases.copy()
    run(database, CONFIRM)
    # The worker pauses while it holds the write locks (OCOP_TEST_WRITE_PAUSE), and is killed there.
    worker = manage(database, "db_worker", "--no-startup-delay", "--no-reload", OCOP_TEST_WRITE_PAUSE="30",
                     **WORKER_ENV)
    deadline = time.monotonic() + 90
    # Writing, and holding the locks (a progress update also takes SQLite's write lock, for an instant).
    while run(database, STATE).split()[:2] != ["running", "writing"] or not databases.written(database):
        assert time.monotonic() < deadline and worker.poll() is None, "the worker never started writing"
        time.sleep(0.2)
    worker.send_signal(signal.SIGKILL)
    finished(worker)
    assert run(database, STATE).split()[:3] == ["running", "writing", "0"]
    # Its silence past the bound: failed, in words; started again, imported once.
    assert run(database, AGAIN, IMPORT_STALE_SECONDS="0") == "1 True"
    drain(database)
    assert run(database, STATE).split()[:3] == ["imported", "-", "30"]


def test_a_worker_takes_the_tests_settings_not_those_of_the_shell_that_ran_them(monkeypatch):
    monkeypatch.setenv("DEBUG", "true")
    monkeypatch.setenv("IMPORT_STALE_SECONDS", "5")
    assert run("sqlite://", SEEN) == "False 600"
