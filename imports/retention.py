"""Uploaded sheets are kept settings.UPLOAD_RETENTION_DAYS: they hold producers' phone numbers and
tax codes. Then an import keeps its record (who, when, which file and its SHA-256, its counts, errors
and warnings, and the audit trail's links to it) without the file and the rows read from it."""

import datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from core.bilingual import in_both_text

from .models import ImportRecord
from .tasks import ACTIVE, mark_stale


def expired_uploads(now: datetime.datetime):
    """The imports uploaded UPLOAD_RETENTION_DAYS or more before `now` whose file is still kept, but
    those a worker has yet to read (checking, queued, running)."""
    before = now - datetime.timedelta(days=settings.UPLOAD_RETENTION_DAYS)
    return ImportRecord.objects.filter(created_at__lte=before, purged_at__isnull=True).exclude(status__in=ACTIVE)


def purge_uploads(*, now: datetime.datetime) -> int:
    """Delete the file, and the rows read from it, of every expired upload (expired_uploads), marking
    when; how many. An import whose worker died is marked failed first (it would stay running
    forever, with its file, if no one opened its page). One statement: an import started meanwhile
    (imports.tasks, which starts none whose file is deleted) is left as it is."""
    mark_stale(ImportRecord.objects.filter(purged_at__isnull=True))
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # the deleted bytes overwritten, not left in free pages
            cursor.execute("PRAGMA secure_delete = ON")
    return expired_uploads(now).update(content=b"", preview={}, purged_at=now)


def purged_refusal(record: ImportRecord) -> str:
    """Why what needs `record`'s file cannot be done, in Vietnamese and English."""
    return in_both_text(lambda: _(
        "The file of this import was deleted on %(date)s under the retention rule (uploaded files are kept "
        "%(days)s days): upload the sheet again.") % {
        "date": f"{timezone.localtime(record.purged_at):%d/%m/%Y}", "days": settings.UPLOAD_RETENTION_DAYS})
