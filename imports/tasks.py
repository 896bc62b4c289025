"""Confirmed imports run in the background, as tasks of Django's task framework (settings.TASKS),
so no web request waits for a large sheet to be written.

An import's record says where it is: QUEUED when confirmed, RUNNING with its phase and rows done
while a worker reads, checks and writes it (each word also its worker's heartbeat; on SQLite the
write says none: see Progress), then IMPORTED, back to PREVIEWED when its rows had errors, FAILED
with the reason, or CANCELLED. It may be cancelled until it starts writing. A worker that dies
leaves the record RUNNING and its transaction rolled back; once its heartbeat is older than
settings.IMPORT_STALE_SECONDS the record is marked FAILED (`mark_stale`) and may be started again.
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scope import province_ids
from core.bilingual import in_both

from .models import ImportRecord
from .services import confirm_import

Status, Phase = ImportRecord.Status, ImportRecord.Phase
# What may be cancelled: an import not yet writing; and what may be started: one not yet written.
CANCELLABLE = {Status.QUEUED, Status.RUNNING}
STARTABLE = {Status.PREVIEWED, Status.FAILED, Status.CANCELLED}


class Cancelled(Exception):
    """The import was cancelled before it wrote."""


def start_import(record: ImportRecord, user) -> bool:
    """Queue a previewed (or failed, or cancelled) import for a worker, confirmed by `user`; False
    when it is none of these (another click queued it first)."""
    with transaction.atomic():  # the task is queued in the same database: both or neither
        queued = ImportRecord.objects.filter(pk=record.pk, status__in=STARTABLE).update(
            status=Status.QUEUED, phase="", done=0, total=0, failure={}, heartbeat_at=timezone.now())
        if queued:
            run_import_task.enqueue(record.pk, user.pk)
    return bool(queued)


def cancel_import(record: ImportRecord) -> bool:
    """Cancel an import that has not started writing; False when it has (or has ended)."""
    return bool(ImportRecord.objects.filter(pk=record.pk, status__in=CANCELLABLE).exclude(phase=Phase.WRITING)
                .update(status=Status.CANCELLED, phase=""))


def mark_stale(records=None) -> int:
    """Mark failed the running imports whose worker has said nothing for IMPORT_STALE_SECONDS."""
    before = timezone.now() - datetime.timedelta(seconds=settings.IMPORT_STALE_SECONDS)
    records = ImportRecord.objects.all() if records is None else records
    return records.filter(status=Status.RUNNING, heartbeat_at__lt=before).update(
        status=Status.FAILED, phase="", failure=in_both(lambda: str(_(
            "Its worker stopped without finishing (nothing was written). Start it again.")))
    )


class Progress:
    """Tells an import's record where it is; stops the import when it was cancelled (or, while it
    writes, marked failed).

    While the import writes, its own connection is inside the write's transaction, where what it
    says would be seen by no one: it speaks through a second connection then (settings.DATABASES
    [PROGRESS_DATABASE], PostgreSQL only), each word committed at once. Only when its own
    connection was in no transaction as the import began (a worker's): everything it had said
    is committed, and the write's transaction holds nothing on the record's row that an update
    waits for (the rows it writes refer to the record, a lock updates do not conflict with) until
    `finish` saves the record, after the last word. Inside a caller's transaction (a test's) the
    second connection would not see the record, or would wait for it forever. Without the second
    connection (SQLite, where it would wait for the write lock the import holds) the write says
    nothing: it shows as one step.
    """

    def __init__(self, pk: int):
        self.pk = pk
        aside = settings.PROGRESS_DATABASE in settings.DATABASES and not connection.in_atomic_block
        self.aside = settings.PROGRESS_DATABASE if aside else None
        self.writing = self.spoken_aside = False

    def __call__(self, phase: str, done: int, total: int) -> None:
        using = DEFAULT_DB_ALIAS
        if phase == Phase.WRITING and self.writing:  # the words after the first come from the write's transaction
            if not self.aside:
                return  # where no one would hear them
            using, self.spoken_aside = self.aside, True
        self.writing = phase == Phase.WRITING
        told = ImportRecord.objects.using(using).filter(pk=self.pk, status=Status.RUNNING).update(
            phase=phase, done=done, total=total, heartbeat_at=timezone.now())
        if not told:
            raise Cancelled

    def close(self) -> None:
        """Close the second connection, if it was opened: the worker waits for its next task with its own only."""
        if self.spoken_aside:
            connections[self.aside].close()


@task()
def run_import_task(record_id: int, user_id: int) -> str:
    """Import a confirmed sheet, as `user_id` (their provinces and rights): what became of it."""
    if not ImportRecord.objects.filter(pk=record_id, status=Status.QUEUED).update(
            status=Status.RUNNING, heartbeat_at=timezone.now()):
        return "not queued"  # cancelled (or taken) before a worker came to it
    record = ImportRecord.objects.get(pk=record_id)
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        _fail(record_id, in_both(lambda: str(_("The user who confirmed it can no longer import."))))
        return "failed"
    progress = Progress(record_id)
    try:
        result = confirm_import(record=record, scope=province_ids(user), user=user, progress=progress)
    except Cancelled:
        return "cancelled"
    except ValidationError as error:  # another writer held the same records too long: its words are bilingual
        _fail(record_id, dict.fromkeys(("vi", "en"), " ".join(error.messages)))
        return "failed"
    except Exception:
        _fail(record_id, in_both(lambda: str(_("The import stopped on an unexpected error; nothing was written."))))
        raise
    finally:
        progress.close()
    return "imported" if result.written else "not written"


def _fail(pk: int, messages: dict) -> None:
    ImportRecord.objects.filter(pk=pk).update(status=Status.FAILED, phase="", failure=messages)
