from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from products.models import ImportRecord
from products.services import importer


class Command(BaseCommand):
    help = "Import a sheet (.xlsx or .csv): the same checks as the web import. Exits 1 on errors."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--kind", choices=ImportRecord.Kind.values, default=ImportRecord.Kind.PRODUCTS,
                            help="What the sheet lists (default: products and their ratings).")
        parser.add_argument("--dry-run", action="store_true", help="Check and count, write nothing.")
        parser.add_argument("--skip-invalid", action="store_true", help="Write the valid rows even if others have errors.")

    def handle(self, *args, file, kind=ImportRecord.Kind.PRODUCTS, dry_run=False, skip_invalid=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": file})
        try:
            result = importer(kind)(content=path.read_bytes(), filename=path.name, dry_run=dry_run, skip_invalid=skip_invalid)
        except ValidationError as error:  # a file that is not a workbook
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            f"created: {result.created}, updated: {result.updated}, unchanged: {result.unchanged}, errors: {len(result.errors)}"
        )
        for error in result.errors:
            self.stdout.write(error.bilingual())
        for warning in result.warnings:
            self.stderr.write(_("warning") + ": " + warning.bilingual())
        if result.unknown_columns:
            self.stderr.write(_("Columns not recognised, ignored: %(columns)s") % {"columns": ", ".join(result.unknown_columns)})
        if result.errors and not skip_invalid:
            raise SystemExit(1)
