"""The register's version: bumped by the database in the transaction of every write to a register
table, read once per request to tell whether what a page shows can have changed.

On SQLite a trigger per table and operation updates the one row at once (writers there take turns
anyway). On PostgreSQL a deferred constraint trigger updates it at commit, once per transaction, so
that a long import does not hold the row, and with it every other writer, until it ends.
An upsert keeps it working on an empty table (a test database flushed between tests).
"""

import datetime
from typing import NamedTuple

from django.db import connection, migrations
from django.utils import timezone

from .models import RegisterVersion

SQLITE_BUMP = (
    "INSERT INTO core_registerversion (id, version, changed_at) VALUES (1, 1, strftime('%Y-%m-%d %H:%M:%f', 'now')) "
    "ON CONFLICT (id) DO UPDATE SET version = version + 1, changed_at = excluded.changed_at;"
)
# The functions the triggers call (PostgreSQL): a restore over a database drops them with its tables.
POSTGRESQL_FUNCTIONS = ("register_changed()",)
POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION register_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('ocop.register_changed', true) IS DISTINCT FROM txid_current()::text THEN
        INSERT INTO core_registerversion (id, version, changed_at) VALUES (1, 1, clock_timestamp())
        ON CONFLICT (id) DO UPDATE SET version = core_registerversion.version + 1, changed_at = clock_timestamp();
        PERFORM set_config('ocop.register_changed', txid_current()::text, true);
    END IF;
    RETURN NULL;
END $$;
"""


def _create(table: str, schema_editor) -> None:
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        execute(POSTGRESQL_FUNCTION)
        execute(f"DROP TRIGGER IF EXISTS register_changed ON {table}")
        execute(f"CREATE CONSTRAINT TRIGGER register_changed AFTER INSERT OR UPDATE OR DELETE ON {table} "
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION register_changed()")
    else:
        for operation in ("INSERT", "UPDATE", "DELETE"):
            name = f"register_changed_{table}_{operation.lower()}"
            execute(f"DROP TRIGGER IF EXISTS {name}")
            execute(f"CREATE TRIGGER {name} AFTER {operation} ON {table} BEGIN {SQLITE_BUMP} END")


def _drop(table: str, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS register_changed ON {table}")
    else:
        for operation in ("insert", "update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS register_changed_{table}_{operation}")


def watch(*tables: str) -> migrations.RunPython:
    """A migration operation: a write to any of `tables` changes the register's version."""

    def forwards(apps, schema_editor):
        for table in tables:
            _create(table, schema_editor)

    def backwards(apps, schema_editor):
        for table in tables:
            _drop(table, schema_editor)
    return migrations.RunPython(forwards, backwards, elidable=False)


class Version(NamedTuple):
    number: int  # 0 before any change
    changed_at: datetime.datetime  # the epoch before any change
    now: datetime.datetime  # the database's clock, which dated the change: app servers' clocks may differ


EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
_NOW = {"postgresql": "clock_timestamp()", "sqlite": "strftime('%Y-%m-%d %H:%M:%f', 'now')"}


def bump() -> None:
    """Change the register's version now, as a write would (after a restore: the version and time the
    backup holds are older than pages already served, and would be taken for them)."""
    RegisterVersion.objects.update_or_create(
        pk=1, defaults={"version": version().number + 1, "changed_at": timezone.now()})


def version() -> Version:
    """The register's version, when it last changed and the database's time now, in one query."""
    # Plain SQL: every dashboard request, a 304 included, asks this first, and the ORM's building of
    # the query costs more than the query (bench/load.py).
    table = RegisterVersion._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT (SELECT version FROM {table} WHERE id = 1), "
                       f"(SELECT changed_at FROM {table} WHERE id = 1), {_NOW[connection.vendor]}")
        number, changed, now = cursor.fetchone()
    return Version(number or 0, _utc(changed) if changed else EPOCH, _utc(now))


def _utc(value: datetime.datetime | str) -> datetime.datetime:
    """A time as the database hands it back: aware (PostgreSQL), or UTC as text (SQLite)."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)
