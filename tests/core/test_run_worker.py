"""`manage.py run_worker`, the import worker production runs: django-tasks-db's worker, which says
it is alive as soon as it starts and again every eighth of WORKER_STALE_SECONDS, for /readyz."""

import signal
import time

import pytest

from tests.processes import finished, manage

pytestmark = pytest.mark.django_db(transaction=True, available_apps=[])

WORKER_ENV = {"TASKS_BACKEND": "django_tasks_db.DatabaseBackend"}
SEEN = "from core.models import WorkerHeartbeat as W; h = W.last(); print(h.seen_at.isoformat() if h else '-')"


def seen(database: str) -> str:
    code, out, err = finished(manage(database, "shell", "-c", SEEN, **WORKER_ENV))
    assert code == 0, err
    return out.strip().splitlines()[-1]


def test_a_worker_says_it_is_alive_when_it_starts(databases):
    database = databases.copy()
    worker = manage(database, "run_worker", "--batch", "--no-startup-delay", "--no-reload", **WORKER_ENV)
    code, out, err = finished(worker)
    assert code == 0 and "Traceback" not in err, out + err
    assert seen(database) != "-"


def test_a_waiting_worker_says_it_is_alive_again_and_again(databases):
    database = databases.copy()
    # A bound of 8 s: it says so every second.
    worker = manage(database, "run_worker", "--no-startup-delay", "--no-reload", WORKER_STALE_SECONDS="8", **WORKER_ENV)
    try:
        times, deadline = set(), time.monotonic() + 60
        while len(times - {"-"}) < 3:
            assert time.monotonic() < deadline and worker.poll() is None, f"heard only {times}"
            times.add(seen(database))
    finally:
        worker.send_signal(signal.SIGTERM)
        code, out, err = finished(worker)
    assert code == 0 and "Traceback" not in err, out + err
