import errno
import os
import pwd
import sqlite3
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from core.bilingual import in_both_text

from ...backups import DEFAULT_DIR, DEFAULT_KEEP, BackupError, MissingProgram, prune, table_names, write_backup

DATABASES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}


def missing(program: str) -> str:
    """That PostgreSQL's `program` is not installed, and what to install."""
    return in_both_text(lambda: _(
        "%(program)s was not found: install PostgreSQL's client programs (the package postgresql-client), of the "
        "server's version or newer.") % {"program": program})


def non_negative(value: str) -> int:
    if not value.isdigit():
        raise ValueError(value)
    return int(value)


class Command(BaseCommand):
    help = ("Back the database up into a new file of DIR, named with the time (UTC) and the database: "
            "pg_dump's custom format on PostgreSQL, a copy of the SQLite file on SQLite; taken while the "
            "application runs. Then delete all but the newest --keep backups there. Run nightly by a scheduler.")
    # Nothing to check but the database, which a failing backup names in its own words.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--to", metavar="DIR", default=str(DEFAULT_DIR),
                            help=f"the folder of the backups (default: {DEFAULT_DIR})")
        parser.add_argument("--keep", metavar="N", type=non_negative, default=DEFAULT_KEEP,
                            help=f"keep the newest N backups in DIR, this one included (default {DEFAULT_KEEP}; "
                                 "0 keeps every one)")

    def handle(self, *args, to, keep, **options):
        folder, database = Path(to), DATABASES[connection.vendor]
        try:
            # A DATABASE_URL naming a database that is not the application's (SQLite makes a missing file):
            # its backup would restore nothing, and --keep would delete the good ones.
            if not table_names():
                raise CommandError(in_both_text(lambda: _(
                    "The database %(name)s holds no table: nothing was backed up, and no older backup deleted. "
                    "Is DATABASE_URL the application's?") % {"name": connection.settings_dict["NAME"]}))
            path = write_backup(folder, timezone.now())
        except MissingProgram as error:
            raise CommandError(missing(error.args[0])) from None
        except FileExistsError as error:
            raise CommandError(self.exists(error.args[0])) from None
        except OSError as error:
            raise CommandError(self.unwritable(folder, error)) from None
        except (BackupError, DatabaseError, sqlite3.Error) as error:
            raise CommandError(self.failed(str(error))) from None
        self.stdout.write(in_both_text(lambda: _("The %(database)s database was backed up to %(path)s (%(size)s).") % {
            "database": database, "path": path, "size": filesizeformat(path.stat().st_size)}))
        for old in prune(folder, keep, connection.vendor):
            self.stdout.write(in_both_text(lambda: _("Deleted an old backup, beyond the newest %(keep)s: %(name)s") % {
                "keep": keep, "name": old.name}))

    @staticmethod
    def exists(path) -> str:
        return in_both_text(lambda: _(
            "%(path)s already exists: a backup was made this very second. Nothing was written.") % {"path": path})

    @classmethod
    def unwritable(cls, folder: Path, error: OSError) -> str:
        """Why the backup could not be written in `folder`, named in our words where we know them."""
        if error.errno == errno.ENOTDIR:
            return in_both_text(lambda: _(
                "%(folder)s is not a folder (it, or a folder above it, is a file): --to names the folder the backups "
                "go in. Nothing was written.") % {"folder": folder})
        if error.errno in (errno.EACCES, errno.EPERM):
            try:
                user = pwd.getpwuid(os.geteuid()).pw_name
            except KeyError:  # a container's user with no name
                user = str(os.geteuid())
            return in_both_text(lambda: _(
                "The user %(user)s may not write in %(folder)s: give that user the folder, or choose another with "
                "--to. Nothing was written.") % {"user": user, "folder": folder})
        if error.errno == errno.EROFS:
            return in_both_text(lambda: _(
                "%(folder)s is on a read-only file system: choose another folder with --to. Nothing was written.") % {
                "folder": folder})
        return cls.failed(str(error))

    @staticmethod
    def failed(reason: str) -> str:
        return in_both_text(lambda: _("The backup failed; nothing was kept: %(error)s") % {"error": reason})
