"""Imports are checked and written in the background, as tasks of Django's task framework
(settings.TASKS), so no web request waits for a large sheet to be read, checked or written.

An upload is read at once (the upload gate), then is CHECKING until a worker has previewed it (rows
read and checked, what it would change counted) and it is PREVIEWED, or FAILED. A confirmed
import's record says where it is: QUEUED when confirmed, RUNNING with its phase and rows done
while a worker reads, checks and writes it (each word also its worker's heartbeat; on SQLite the
write says none: see Progress), then IMPORTED, back to PREVIEWED when its rows had errors, FAILED
with the reason, or CANCELLED. It may be cancelled until it starts writing. A worker that dies
leaves the record RUNNING (or CHECKING) and its transaction rolled back; once its heartbeat is older
than settings.IMPORT_STALE_SECONDS the record is marked FAILED (`mark_stale`) and may be started again.
"""

import datetime
import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scope import province_ids
from core.bilingual import in_both

from .kinds import DEFAULT, KINDS
from .models import ImportRecord
from .reading import read_sheet
from .services import check_import, confirm_import

Status, Phase = ImportRecord.Status, ImportRecord.Phase
# What may be cancelled: an import not yet writing; and what may be started: one not yet written.
CANCELLABLE = {Status.QUEUED, Status.RUNNING}
# What a worker has yet to end: its page follows it.
ACTIVE = {Status.CHECKING, Status.QUEUED, Status.RUNNING}
STARTABLE = {Status.PREVIEWED, Status.FAILED, Status.CANCELLED}


class Cancelled(Exception):
    """The import was cancelled before it wrote."""


def preview_import(*, user, filename: str, content: bytes, skip_invalid: bool, kind: str = DEFAULT,
                   sheet: str | None = None, given: dict | None = None, mapping: dict | None = None) -> ImportRecord:
    """Keep an uploaded sheet and have a worker check it (services.check_import) as `user` would
    import it: the record, CHECKING (or already PREVIEWED, when tasks run at once).

    A file the upload gate refuses, or whose sheet cannot be read as a grid, is refused here, at once
    (ValidationError), and nothing is kept: reading is bounded by the gate (a few seconds at the row cap)."""
    read_sheet(content, filename, sheet, KINDS[kind].columns)
    record = ImportRecord(user=user, kind=kind, filename=filename, content=content, skip_invalid=skip_invalid,
                          sha256=hashlib.sha256(content).hexdigest(), sheet=sheet or "", given=given or {},
                          mapping=mapping or {}, status=Status.CHECKING, heartbeat_at=timezone.now())
    with transaction.atomic():  # the record and its task: both or neither
        record.save()
        run_preview_task.enqueue(record.pk, user.pk)
    record.refresh_from_db()
    return record


def check_again(record: ImportRecord, user) -> bool:
    """Have a worker check a previewed (or failed, or cancelled) import again, as `user`: after its
    column mapping changed. False when it is none of these, or its file was deleted (imports.retention)."""
    with transaction.atomic():
        queued = ImportRecord.objects.filter(pk=record.pk, status__in=STARTABLE, purged_at__isnull=True).update(
            status=Status.CHECKING, phase="", done=0, total=0, failure={}, mapping=record.mapping,
            heartbeat_at=timezone.now())
        if queued:
            run_preview_task.enqueue(record.pk, user.pk)
    return bool(queued)


def start_import(record: ImportRecord, user) -> bool:
    """Queue a previewed (or failed, or cancelled) import for a worker, confirmed by `user`; False
    when it is none of these (another click queued it first), or its file was deleted (imports.retention)."""
    with transaction.atomic():  # the task is queued in the same database: both or neither
        queued = ImportRecord.objects.filter(pk=record.pk, status__in=STARTABLE, purged_at__isnull=True).update(
            status=Status.QUEUED, phase="", done=0, total=0, failure={}, heartbeat_at=timezone.now())
        if queued:
            run_import_task.enqueue(record.pk, user.pk)
    return bool(queued)


def cancel_import(record: ImportRecord) -> bool:
    """Cancel an import that has not started writing; False when it has (or has ended)."""
    return bool(ImportRecord.objects.filter(pk=record.pk, status__in=CANCELLABLE).exclude(phase=Phase.WRITING)
                .update(status=Status.CANCELLED, phase=""))


def mark_stale(records=None) -> int:
    """Mark failed the imports a worker took (to write or to check) and has said nothing of for
    IMPORT_STALE_SECONDS."""
    before = timezone.now() - datetime.timedelta(seconds=settings.IMPORT_STALE_SECONDS)
    records = ImportRecord.objects.all() if records is None else records
    taken = Q(status=Status.RUNNING) | Q(status=Status.CHECKING) & ~Q(phase="")
    stale = records.filter(taken, heartbeat_at__lt=before)
    # Read first: on SQLite an UPDATE waits for the write lock, which a live import holds while it writes.
    if not stale.exists():
        return 0
    return stale.update(
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
        told = ImportRecord.objects.using(using).filter(pk=self.pk, status__in=(Status.RUNNING, Status.CHECKING))
        if not told.update(phase=phase, done=done, total=total, heartbeat_at=timezone.now()):
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


@task()
def run_preview_task(record_id: int, user_id: int) -> str:
    """Check an uploaded sheet as `user_id` would import it, and keep what it would change."""
    if not ImportRecord.objects.filter(pk=record_id, status=Status.CHECKING, phase="").update(
            phase=Phase.READING, heartbeat_at=timezone.now()):
        return "not queued"  # taken by another worker, or no longer waiting to be checked
    record = ImportRecord.objects.get(pk=record_id)
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        _fail(record_id, in_both(lambda: str(_("The user who uploaded it can no longer import."))))
        return "failed"
    try:
        check_import(record, scope=province_ids(user), progress=Progress(record_id))
    except Cancelled:  # the record is gone
        return "cancelled"
    except ValidationError as error:  # the sheet (or a sheet named) is not there: said in both languages
        _fail(record_id, dict.fromkeys(("vi", "en"), " ".join(error.messages)))
        return "failed"
    except Exception:
        _fail(record_id, in_both(lambda: str(_("The check stopped on an unexpected error."))))
        raise
    return "previewed"


def _fail(pk: int, messages: dict) -> None:
    ImportRecord.objects.filter(pk=pk).update(status=Status.FAILED, phase="", failure=messages)
