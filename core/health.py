"""What the health endpoints check (core/views.py): the database answers, every migration is
applied, and an import worker is alive."""

import datetime
import logging

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.tasks import task_backends
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)


def database_answers(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether the database answers one `SELECT 1`; a failure is logged with its reason."""
    try:
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logger.warning("Health check: the database does not answer: %s", error)
        return False
    return True


def unapplied_migrations(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """The migrations the code has and the database has not applied ("app.name"), in order."""
    executor = MigrationExecutor(connections[using])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def needs_worker() -> bool:
    """Whether tasks wait in the database for a worker (not when a backend runs them at once)."""
    return isinstance(task_backends["default"], DatabaseBackend)


def worker_silence() -> datetime.timedelta | None:
    """How long since an import worker last said it was alive; None when none ever has."""
    heartbeat = WorkerHeartbeat.last()
    return None if heartbeat is None else timezone.now() - heartbeat.seen_at

