import contextlib
import hashlib
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import province_ids
from core.bilingual import in_both_text
from core.locks import waiting_for_writers
from imports.kinds import DEFAULT, KINDS, may_import
from imports.models import ColumnMapping, ImportRecord
from imports.reading import MAX_UPLOAD_BYTES
from imports.services import confirm_import, importer
from imports.tasks import Cancelled, Progress
from imports.titles import GIVEN, LEVEL_CHOICES
from provinces.text import fold_unit_name


class Command(BaseCommand):
    help = "Import a sheet (.xlsx or .csv): the same checks as the web import. Exits 1 on errors."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--kind", choices=list(KINDS), default=DEFAULT,
                            help="What the sheet lists (default: products and their ratings).")
        parser.add_argument("--dry-run", action="store_true", help="Check and count, write nothing.")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="Write the valid rows even if others have errors."
        )
        parser.add_argument(
            "--user", metavar="NAME",
            help="Import as this user: their provinces and permissions apply (default: the whole country).",
        )
        parser.add_argument("--sheet", metavar="NAME|N",
                            help="The sheet of a workbook, by name or number (default: the first holding a table).")
        parser.add_argument("--mapping", metavar="NAME",
                            help="A province's column mapping, saved from a preview: its names for the columns.")
        given = parser.add_argument_group(
            "for every row", "What the sheet does not say (or says otherwise): wins over its title and columns.")
        given.add_argument("--decision-number", metavar="TEXT", help="e.g. 1234/QĐ-UBND")
        given.add_argument("--decision-date", metavar="DD/MM/YYYY")
        given.add_argument("--level", choices=[word for word, _label in LEVEL_CHOICES])
        given.add_argument("--issuer", metavar="TEXT", help="e.g. “UBND tỉnh Bắc Kạn”: gives the level and province")
        given.add_argument("--province", metavar="NAME")

    def handle(self, *args, file, kind=DEFAULT, dry_run=False, skip_invalid=False, user=None, sheet=None,
               mapping=None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(in_both_text(lambda: _("No such file: %(path)s") % {"path": file}))
        importing = None if user is None else self.user_named(user, kind)
        scope = None if importing is None else province_ids(importing)
        columns = None if mapping is None else self.mapping_named(mapping, kind, scope, options.get("province"))
        try:
            with path.open("rb") as opened:  # one byte more than the gate lets through: enough to refuse it
                content = opened.read(MAX_UPLOAD_BYTES + 1)
            given = {column: options.get(column) for column in GIVEN if options.get(column)}
            bar = ProgressBar(self.stderr) if self.stderr.isatty() else None
            if dry_run:
                result = importer(kind)(content=content, filename=path.name, dry_run=True, skip_invalid=skip_invalid,
                                        scope=scope, sheet=sheet, given=given, mapping=columns, progress=bar)
            else:
                result = self.imported(importing, kind, path.name, content, skip_invalid, sheet, given, columns,
                                       scope, bar)
            if bar:
                bar.end()
        except ValidationError as error:  # refused by the upload gate (imports.reading.check_file)
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            f"created: {result.created}, updated: {result.updated}, unchanged: {result.unchanged}, "
            f"errors: {result.failed_rows}"
        )
        for error in result.errors:
            self.stdout.write(error.bilingual())
        if result.unlisted_failed_rows:
            self.stdout.write(in_both_text(lambda: _("… and %(rows)s more rows with errors, not listed.") % {
                "rows": result.unlisted_failed_rows}))
        for warning in result.warnings:
            self.stderr.write(in_both_text(lambda: _("warning")) + ": " + warning.bilingual())
        if result.unknown_columns:
            self.stderr.write(in_both_text(lambda: _("Columns not recognised, ignored: %(columns)s") % {
                "columns": ", ".join(result.unknown_columns)}))
        if result.errors and not skip_invalid:
            raise SystemExit(1)

    def user_named(self, username: str, kind: str):
        """The active user `username`, who may import `kind` (their provinces apply, as on the upload page)."""
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(in_both_text(lambda: _("No active user named %(name)s.") % {"name": username}))
        if not may_import(user, kind):
            raise CommandError(f"{username}: {in_both_text(lambda: _('You may not import this kind of sheet.'))}")
        return user

    def imported(self, user, kind, filename, content, skip_invalid, sheet, given, mapping, scope, bar):
        """Import as an upload confirmed by `user` (None: nobody named) is imported: through an
        ImportRecord, which what it writes points at in the audit trail, shown among the uploads to
        those of its provinces, where it can be followed and cancelled until it writes (the record
        hears where it is, as from a worker, and a silent one is marked failed after
        IMPORT_STALE_SECONDS). An import refused for its errors leaves no record: they were printed."""
        with waiting_for_writers():  # on SQLite, another import's write holds the database
            record = ImportRecord.objects.create(
                user=user, kind=kind, filename=filename, content=content, sha256=hashlib.sha256(content).hexdigest(),
                skip_invalid=skip_invalid, sheet=sheet or "", given=given, mapping=mapping or {},
                status=ImportRecord.Status.RUNNING, heartbeat_at=timezone.now(),
            )
        told = Progress(record.pk)

        def progress(phase, done, total):
            told(phase, done, total)
            if bar:
                bar(phase, done, total)
        try:
            result = confirm_import(record=record, scope=scope, user=user, progress=progress)
        except Cancelled:
            raise CommandError(in_both_text(lambda: _("Cancelled on the import's page before it wrote: nothing was "
                                                      "written."))) from None
        except BaseException:
            self.forget(record)
            raise
        if not result.written:
            self.forget(record)
        else:
            with waiting_for_writers():
                record.provinces.set(result.provinces)
        return result

    def forget(self, record: ImportRecord) -> None:
        """Delete the record of an import that wrote nothing. When another writer holds the database
        longer than a writer waits, it stays, RUNNING: nothing points at it."""
        with contextlib.suppress(ValidationError), waiting_for_writers():
            record.delete()


    def mapping_named(self, name: str, kind: str, scope, province: str | None) -> dict:
        """The columns of the mapping of that name for `kind`, in `scope` (and `province`, when given)."""
        found = ColumnMapping.objects.filter(name=name, kind=kind).select_related("province")
        if scope is not None:
            found = found.filter(province__in=scope)
        if province:
            found = found.filter(province__search_name=fold_unit_name(province))
        found = list(found)
        if not found:
            raise CommandError(in_both_text(lambda: _("No column mapping named “%(name)s” for this kind of sheet.") % {
                "name": name}))
        if len(found) > 1:
            raise CommandError(in_both_text(lambda: _(
                "Several provinces have a column mapping named “%(name)s” (%(provinces)s): say which with --province."
            ) % {"name": name, "provinces": ", ".join(mapping.province.name for mapping in found)}))
        return found[0].columns


class ProgressBar:
    """Where the import is, on one line of a terminal: the phase and its rows done."""

    WIDTH = 30

    def __init__(self, stream):
        self.stream = stream

    def __call__(self, phase: str, done: int, total: int) -> None:
        filled = self.WIDTH * done // total if total else 0
        counts = f" {done:,}/{total:,}" if total else ""
        self.stream.write(f"\r{ImportRecord.Phase(phase).label}: [{'#' * filled}{'.' * (self.WIDTH - filled)}]"
                          f"{counts}\x1b[K", ending="")
        self.stream.flush()

    def end(self) -> None:
        self.stream.write("\r\x1b[K", ending="")
