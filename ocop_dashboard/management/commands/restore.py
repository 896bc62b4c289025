import sqlite3
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection
from django.utils.translation import gettext as _

from core.bilingual import in_both_text
from products.models import Product

from ...backups import BackupError, MissingProgram, check_backup, drop_tables, kind_of, restore_backup, table_names
from .backup import DATABASES, missing


class Command(BaseCommand):
    help = ("Restore a backup made by `manage.py backup` (or pg_dump -Fc, or a SQLite file) into the database "
            "the settings name, which must hold no table unless --force. Stop the web server and the import "
            "worker first; run `manage.py migrate` after, when the backup is older than the code.")
    # The checks read the database, which may hold nothing yet (or not exist: said in our words below).
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--force", action="store_true",
                            help="restore into a database that holds tables: they are dropped (PostgreSQL) or "
                                 "the file overwritten (SQLite) first")

    def handle(self, *args, file, force=False, **options):
        path = Path(file)
        if path.is_dir():
            raise CommandError(in_both_text(lambda: _("%(path)s is a folder: name one backup file in it.") % {
                "path": file}))
        if not path.is_file():
            raise CommandError(in_both_text(lambda: _("No such file: %(path)s") % {"path": file}))
        here, kind = connection.vendor, kind_of(path)
        if kind != here:
            raise CommandError(in_both_text(lambda: _(
                "%(path)s is not a backup of a %(database)s database, the one the settings name: nothing was "
                "restored.") % {"path": file, "database": DATABASES[here]}))
        name = connection.settings_dict["NAME"]
        try:
            tables = table_names()
        except DatabaseError as error:
            raise CommandError(self.unreachable(name, str(error))) from None
        if tables and not force:
            raise CommandError(in_both_text(lambda: _(
                "The database %(name)s is not empty (tables: %(tables)s): nothing was restored. Restore into an "
                "empty database, or add --force to replace what it holds.") % {"name": name, "tables": len(tables)}))
        try:
            check_backup(path)  # before the database is touched: a damaged file leaves it as it was
        except MissingProgram as error:
            raise CommandError(missing(error.args[0])) from None
        except BackupError as refused:
            reason = str(refused)
            raise CommandError(in_both_text(lambda: _(
                "%(path)s is not a whole backup (%(error)s): nothing was restored, the database is as it was.") % {
                "path": file, "error": reason})) from None
        dropped = bool(tables) and here == "postgresql"
        if dropped:
            try:
                drop_tables(tables)
            except DatabaseError as error:
                raise CommandError(self.failed(str(error), dropped=False)) from None
        try:
            restore_backup(path)
        except MissingProgram as error:
            raise CommandError(missing(error.args[0])) from None
        except (BackupError, DatabaseError, OSError, sqlite3.Error) as error:
            raise CommandError(self.failed(str(error), dropped)) from None
        if tables:
            self.stdout.write(in_both_text(lambda: _("Replaced what the database held (tables: %(tables)s).") % {
                "tables": len(tables)}))
        self.stdout.write(in_both_text(lambda: _(
            "Restored %(path)s into the %(database)s database %(name)s: tables: %(tables)s, products: %(products)s. "
            "Run manage.py migrate if the backup is older than the code.") % {
            "path": file, "database": DATABASES[here], "name": name, "tables": len(table_names()),
            "products": self.products()}))

    @staticmethod
    def unreachable(name: str, reason: str) -> str:
        return in_both_text(lambda: _("Cannot reach the database %(name)s: %(error)s") % {
            "name": name, "error": reason})

    @staticmethod
    def failed(reason: str, dropped: bool) -> str:
        if dropped:
            return in_both_text(lambda: _(
                "The restore failed: the database's tables were dropped and nothing was restored, so it is empty now: "
                "%(error)s") % {"error": reason})
        return in_both_text(lambda: _("The restore failed; nothing was restored: %(error)s") % {"error": reason})

    @staticmethod
    def products() -> int | str:
        """How many products the restored register holds ("?" when its tables are not this code's)."""
        try:
            return Product.objects.count()
        except DatabaseError:
            return "?"
