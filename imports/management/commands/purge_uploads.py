from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.bilingual import in_both_text
from core.locks import waiting_for_writers
from imports.retention import expired_uploads, purge_uploads


class Command(BaseCommand):
    help = ("Delete the uploaded file, and the rows read from it, of every import uploaded UPLOAD_RETENTION_DAYS "
            "(default 90) days ago or more that no worker has yet to read; its record, counts and errors stay. "
            "Run daily by a scheduler.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="say how many files would be deleted; delete none")

    def handle(self, *args, dry_run=False, **options):
        now = timezone.now()
        try:
            with waiting_for_writers():  # on SQLite, an import's write holds the database
                count = expired_uploads(now).count() if dry_run else purge_uploads(now=now)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        days = settings.UPLOAD_RETENTION_DAYS
        if dry_run:
            self.stdout.write(in_both_text(lambda: _(
                "Files of imports uploaded %(days)s days ago or more, to delete: %(count)s (none deleted: "
                "--dry-run).") % {"days": days, "count": count}))
        else:
            self.stdout.write(in_both_text(lambda: _(
                "Files of imports uploaded %(days)s days ago or more, deleted: %(count)s.") % {
                "days": days, "count": count}))
