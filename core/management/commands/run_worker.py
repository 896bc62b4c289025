"""The import worker as production runs it: django-tasks-db's `db_worker` (same options), which also
says it is alive every eighth of settings.WORKER_STALE_SECONDS, for /readyz."""

import logging
import os
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from core.models import WorkerHeartbeat

logger = logging.getLogger(__name__)


def beat(every: float) -> None:
    """Say the worker is alive every `every` seconds, for as long as the process lives. A thread of
    its own, with its own connection: the worker's may be inside an import's long transaction, where
    nothing it writes is seen. A database that does not answer is told in the log and tried again."""
    while True:
        time.sleep(every)
        try:
            WorkerHeartbeat.record()
        except DatabaseError as error:
            logger.warning("The import worker could not record that it is alive: %s", error)
        finally:
            connection.close()  # a worker's connections stay those docs/deployment.md counts, but for an instant


class Command(db_worker.Command):
    help = "Run the import worker (db_worker), recording that it is alive for /readyz."

    def handle(self, *args, **options):
        # With the reloader (DEBUG), the process that watches the files only restarts the one that works.
        watching = options["reload"] and not options["batch"] and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        if not watching:
            WorkerHeartbeat.record()  # at once: ready as soon as it starts, and stopped if the database is not there
            every = max(1.0, settings.WORKER_STALE_SECONDS / 8)
            threading.Thread(target=beat, args=(every,), name="heartbeat", daemon=True).start()
        super().handle(*args, **options)
