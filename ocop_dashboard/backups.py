"""Backups of the whole database, made and restored by its own tools: pg_dump's custom format and
pg_restore on PostgreSQL, SQLite's online backup (sqlite3.Connection.backup) on SQLite. Either is a
consistent copy taken while the application runs; the standard tools read and restore it without
this code (`pg_restore`, `sqlite3`)."""

import contextlib
import datetime
import errno
import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connection

from core import register

# ocop-20261205T021500Z-postgresql.dump, ocop-20261205T021500Z-sqlite.sqlite3: the time (UTC) the
# backup began, then the database it holds; names sort by time.
SUFFIXES = {"postgresql": ".dump", "sqlite": ".sqlite3"}
NAME = re.compile(r"ocop-\d{8}T\d{6}Z-(postgresql|sqlite)\.(dump|sqlite3)")
DEFAULT_DIR = settings.BASE_DIR / "backups"
DEFAULT_KEEP = 14
# A file's first bytes say which database it holds, whatever it was renamed to.
HEADERS = {"postgresql": b"PGDMP", "sqlite": b"SQLite format 3\x00"}
# Debian's and Ubuntu's PostgreSQL packages put each version's programs here.
POSTGRESQL_LIBRARY = Path("/usr/lib/postgresql")
# libpq's variables for the settings of settings.DATABASES: a password is never on a command line,
# where any user of the host can read it (ps).
LIBPQ_VARIABLES = {"HOST": "PGHOST", "PORT": "PGPORT", "USER": "PGUSER", "PASSWORD": "PGPASSWORD", "NAME": "PGDATABASE"}


class BackupError(Exception):
    """A backup or restore that could not be made: the tool's own words, to show with ours."""


class MissingProgram(Exception):
    """PostgreSQL's program (its name) is not installed."""


def backup_name(vendor: str, now: datetime.datetime) -> str:
    """The file name of a backup of a `vendor` database begun at `now`."""
    return f"ocop-{now.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}-{vendor}{SUFFIXES[vendor]}"


def backups_in(folder: Path) -> list[Path]:
    """The backups in `folder` (files named as backup_name() names them), oldest first."""
    if not folder.is_dir():
        return []
    return sorted((path for path in folder.iterdir() if NAME.fullmatch(path.name) and path.is_file()),
                  key=lambda path: path.name)


def prune(folder: Path, keep: int, vendor: str) -> list[Path]:
    """Delete all but the newest `keep` backups of a `vendor` database in `folder` (none when keep is
    0); the files deleted. Another database's backups there (a trial's SQLite beside PostgreSQL's) are
    not this one's to count."""
    ours = [path for path in backups_in(folder) if NAME.fullmatch(path.name).group(1) == vendor]
    old = ours[:-keep] if keep else []
    for path in old:
        path.unlink()
    return old


def kind_of(path: Path) -> str | None:
    """Which database a backup file holds ("postgresql", "sqlite"), from its first bytes; None when neither."""
    with path.open("rb") as opened:
        start = opened.read(16)
    return next((vendor for vendor, header in HEADERS.items() if start.startswith(header)), None)


def postgresql_program(name: str) -> str:
    """Where PostgreSQL's program `name` is: on PATH, else in the newest version's folder of POSTGRESQL_LIBRARY."""
    if found := shutil.which(name):
        return found

    def version(path: Path) -> list[int]:
        return [int(part) for part in re.findall(r"\d+", path.parts[-3])]

    installed = sorted(POSTGRESQL_LIBRARY.glob(f"*/bin/{name}"), key=version)
    if not installed:
        raise MissingProgram(name)
    return str(installed[-1])


def libpq_environment(database: dict) -> dict[str, str]:
    """The environment for a PostgreSQL program to reach `database` (a settings.DATABASES entry): ours,
    with each setting given as libpq's variable. A setting left empty keeps what the environment says,
    as Django's own connection does."""
    environment = dict(os.environ)
    environment.update({variable: str(database[key]) for key, variable in LIBPQ_VARIABLES.items() if database.get(key)})
    return environment


def run(command: list[str], database: dict) -> None:
    """Run a PostgreSQL program on `database`; BackupError with what it said when it fails (or why it
    could not start: an OSError here is not about the backup's folder)."""
    try:
        done = subprocess.run(command, env=libpq_environment(database), capture_output=True, text=True)
    except OSError as error:
        raise BackupError(str(error)) from None
    if done.returncode:
        raise BackupError(done.stderr.strip() or f"{Path(command[0]).name} exited with {done.returncode}")


def write_backup(folder: Path, now: datetime.datetime) -> Path:
    """Back the database up into a new file in `folder`, readable by its owner only (it holds personal
    data and password hashes); the file. It is written under a hidden name and renamed once complete,
    so an interrupted backup never looks like one (nor counts for prune). The folder is made when
    missing; NotADirectoryError when it (or a folder above it) is a file, FileExistsError when the
    backup's file exists."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except FileExistsError:  # a file of that name: not the backup's FileExistsError below
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(folder)) from None
    target = folder / backup_name(connection.vendor, now)
    if target.exists():
        raise FileExistsError(target)
    partial = folder / f".{target.name}.partial"
    os.close(os.open(partial, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600))
    try:
        if connection.vendor == "postgresql":
            # Custom format: compressed, and pg_restore chooses what to restore and in which order.
            run([postgresql_program("pg_dump"), "--format=custom", "--no-password", f"--file={partial}"],
                connection.settings_dict)
        else:
            copy_sqlite(partial)
        partial.rename(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def copy_sqlite(path: Path) -> None:
    """Copy the SQLite database into the (empty) file `path`: one read transaction, so the copy is the
    database at one moment while others go on writing (in WAL mode, nobody waits for it). The copy
    keeps its journal in itself (no -wal file beside it): a file that stands alone."""
    connection.ensure_connection()
    with contextlib.closing(sqlite3.connect(path)) as copy:
        connection.connection.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")


def table_names() -> list[str]:
    """The tables of the database the application uses (an error when it cannot be reached)."""
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


def drop_tables(tables: list[str]) -> None:
    """Drop `tables` of the PostgreSQL database, with what depends on them (their sequences), and
    the functions their triggers call (a backup creates them again)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {', '.join(map(connection.ops.quote_name, tables))} CASCADE")
        for function in register.POSTGRESQL_FUNCTIONS:
            cursor.execute(f"DROP FUNCTION IF EXISTS {function} CASCADE")


def check_backup(path: Path) -> None:
    """BackupError when `path` is not a whole, readable backup of the database in use (a truncated or
    damaged file), found before anything of the database is touched: SQLite's quick_check of the
    file opened read-only, pg_restore's reading of the whole archive."""
    if connection.vendor == "postgresql":
        # The whole archive read through as the restore would (its script thrown away): its table of
        # contents alone, at the start, survives a file cut short.
        run([postgresql_program("pg_restore"), "--file=/dev/null", str(path)], connection.settings_dict)
        return
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as backup:
            found = backup.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.Error as error:
        raise BackupError(str(error)) from None
    if found != "ok":
        raise BackupError(found)


def restore_backup(path: Path) -> None:
    """Restore the backup `path` into the database the application uses, which holds no table (or
    whose tables will be replaced: SQLite's file is overwritten whole). PostgreSQL restores it in
    one transaction: all of it or nothing, owned by the user restoring it, without the grants of the
    database it came from (whose roles a new server does not have)."""
    if connection.vendor == "postgresql":
        connection.close()  # a connection of ours would hold nothing, but need not stay open
        run([postgresql_program("pg_restore"), "--dbname=", "--no-owner", "--no-privileges", "--exit-on-error",
             "--single-transaction", "--no-password", str(path)], connection.settings_dict)
    else:
        connection.ensure_connection()
        with contextlib.closing(sqlite3.connect(path)) as backup:
            backup.backup(connection.connection)
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")  # the copy's own was DELETE (copy_sqlite)
    register.bump()  # the backup's version and time are older than pages already served
