"""The import pipeline: a sheet of any kind read, checked, previewed, then written in one transaction."""

import datetime
import functools
import itertools
from collections import Counter
from dataclasses import dataclass, field

from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scope import refusal
from core.bilingual import in_both
from core.locks import waiting_for_writers

from . import rows as sheet_rows
from .kinds import KINDS
from .models import ImportRecord
from .rows import RowError, SheetRow
from .table import read_table
from .titles import given_columns


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    written: bool = False
    provinces: set[int] = field(default_factory=set)  # ids of the provinces the sheet's rows name
    # Rows with an error (or a warning): `errors` and `warnings` list at most rows.MAX_ERRORS of them.
    failed_rows: int = 0
    warned_rows: int = 0
    header_row: int = 1  # where the sheet's table has its header: an error there is not a row to give back
    preview: dict = field(default_factory=dict)  # what the rows write: preview_rows()

    @property
    def unlisted_failed_rows(self) -> int:
        """Rows with an error none of which is listed."""
        return self.failed_rows - len({error.row for error in self.errors})


def _outside(rows: list[SheetRow], scope) -> None:
    """A row in a province outside `scope` (ids of the importing user's provinces) is an error."""
    for row in rows:
        province = row.values.get("province")
        if province is not None and refusal(scope, province) is not None:
            row.error("province", lambda: _("%(province)s is not one of your provinces.") % {"province": province})


def import_sheet(kind: str, *, content: bytes, filename: str, dry_run: bool = False, skip_invalid: bool = False,
                 record=None, scope=None, as_of: datetime.date | None = None, sheet: str | None = None,
                 given: dict | None = None, mapping: dict | None = None, progress=None, finish=None,
                 describe: bool = False) -> ImportResult:
    """Import a sheet of `kind` (a name in imports.kinds.KINDS). With errors and no skip_invalid,
    nothing is written; dry_run writes nothing.

    What it creates or changes points at `record`, the ImportRecord of the upload, when given.
    `scope`: ids of the provinces the sheet may write to (None: any). `as_of`: the day unit names
    resolve on where the sheet gives none (default today). `sheet`: a workbook's sheet by name or
    number (default: the first that holds a table). `given`: {column: value} for every row, over the
    sheet's own (an "issuer" stands for the level and units it names: titles.issuer_values).
    `mapping`: {header: column, or "" to ignore it} for headers the kind does not know (a ColumnMapping's).
    `describe`: the result's `preview` says what each row writes (preview_rows).
    `progress(phase, done, total)` is told where the import is (an ImportRecord.Phase): WRITING first
    once before the write's transaction, then from inside it as rows are written; it may raise to
    stop the import. `finish(result)` runs last in the write's transaction, or after the check when
    nothing is to be written.
    The sheet goes through the upload gate (reading.check_file) as it is read: ValidationError.
    """
    progress = progress or _unheard
    sheet_kind = KINDS[kind]
    progress(ImportRecord.Phase.READING, 0, 0)
    table = read_table(content, filename, sheet_rows.with_mapping(sheet_kind.columns, mapping), sheet)
    table.given, table.mapping = given_columns(given or {}, sheet_kind.columns), mapping
    table.progress = lambda done: progress(ImportRecord.Phase.CHECKING, done, len(table))
    rows, unknown = sheet_kind.parse(table, as_of or timezone.localdate())
    sheet_kind.check(rows, scope)
    result = run_import(rows, unknown, lambda valid, written: sheet_kind.write(valid, record, written),
                        dry_run=dry_run, skip_invalid=skip_invalid, scope=scope, progress=progress, finish=finish,
                        describe=functools.partial(preview_rows, sheet_kind, table.header_row) if describe else None)
    result.header_row = table.header_row
    if sheet_kind.models and result.written and result.created + result.updated >= REFRESH_STATISTICS_ROWS:
        refresh_statistics(*sheet_kind.models)
    return result


def _unheard(phase: str, done: int, total: int) -> None:
    """Where an import is, told to nobody."""


def importer(kind: str):
    """The import service for a kind of sheet: import_sheet with the kind given."""
    return functools.partial(import_sheet, kind)


import_products = importer("products")
import_producers = importer("producers")
import_targets = importer("targets")
import_figures = importer("figures")


# An import this large refreshes the planner's statistics of the register's tables at once.
REFRESH_STATISTICS_ROWS = 1000


def refresh_statistics(*models) -> None:
    """Have the database read these tables' statistics again (ANALYZE).

    The planner shapes every count by them. A register loaded into tables it last saw empty would,
    until autovacuum came round, be counted with plans made for a few rows: nested loops over every
    product for every producer, minutes at national scale. (Seen on the test suite's statistics.)
    """
    connection = connections[router.db_for_write(models[0])]
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def run_import(
    rows: list[SheetRow], unknown: list[str], write, *, dry_run: bool, skip_invalid: bool, scope=None,
    progress=_unheard, finish=None, describe=None,
) -> ImportResult:
    """Check, then write the rows of any kind of sheet with `write(valid rows, written) -> Counter` in
    one transaction, where `written(done)` is told how many of them are written.

    With errors and no skip_invalid, nothing is written; dry_run rolls the writes back after counting.
    `scope`: ids of the provinces the sheet may write to (None: any). `progress` and `finish` as
    for import_sheet; `describe(rows)` gives the result's `preview`.
    """
    describe = describe or (lambda rows: {})
    if scope is not None:
        _outside(rows, scope)
    provinces = {row.values["province"].pk for row in rows if row.values.get("province") is not None}
    result = ImportResult(unknown_columns=unknown, provinces=provinces)
    if any(row.errors for row in rows) and not skip_invalid:
        _collect(result, rows)
        result.preview = describe(rows)
        if finish:
            finish(result)
        return result
    valid = [row for row in rows if not row.errors]
    progress(ImportRecord.Phase.WRITING, 0, len(valid))  # the last word before the transaction
    with waiting_for_writers(), transaction.atomic():
        counts = write(valid, lambda done: progress(ImportRecord.Phase.WRITING, done, len(valid)))
        _collect(result, rows)  # writing runs the models' own checks, which may add errors
        if result.errors and not skip_invalid:
            counts = Counter()  # as when the errors are found before writing: nothing would change
            for row in rows:
                row.outcome = ""
        result.preview = describe(rows)
        result.written = not dry_run and (skip_invalid or not result.errors)
        result.created, result.updated, result.unchanged = counts["created"], counts["updated"], counts["unchanged"]
        if not result.written:
            transaction.set_rollback(True)
        elif finish:  # last: it saves the record, which a word said meanwhile on another connection would wait for
            finish(result)
    if finish and not result.written:
        finish(result)
    return result


def _collect(result: ImportResult, rows: list[SheetRow]) -> ImportResult:
    # The first rows.MAX_ERRORS, which are worded: a row's are worded until the rows above it have that many.
    result.errors = list(itertools.islice((error for row in rows for error in row.errors), sheet_rows.MAX_ERRORS))
    result.warnings = list(
        itertools.islice((warning for row in rows for warning in row.warnings), sheet_rows.MAX_ERRORS)
    )
    result.failed_rows = sum(1 for row in rows if row.errors)
    result.warned_rows = sum(1 for row in rows if row.warnings)
    return result


# What a preview keeps of each row's cells: enough to recognise it, never a whole paragraph.
PREVIEW_CELL_CHARS = 120


def preview_rows(kind, header_row: int, rows: list[SheetRow]) -> dict:
    """What each row writes (the header row's own errors, a missing column, are no row's), for the
    preview to page through: {"columns": the columns shown,
    "rows": [[row number, outcome ("created", "updated", "unchanged", "error", or "" when nothing is
    written), [each column's value as text]], …]}."""
    shown = kind.shown()
    return {
        "columns": [column for _key, column in shown],
        "rows": [[row.number, "error" if row.errors else row.outcome,
                  [_as_text(row.values.get(key))[:PREVIEW_CELL_CHARS] for key, _column in shown]]
                 for row in rows if row.number != header_row],
    }


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if hasattr(value, "label"):  # a choice (a level, a producer type): its words
        return str(value.label)
    return str(getattr(value, "name", value))


def _record_result(record: ImportRecord, result: ImportResult) -> None:
    record.created, record.updated, record.unchanged = result.created, result.updated, result.unchanged
    record.failed_rows, record.warned_rows = result.failed_rows, result.warned_rows
    record.errors = [{"row": e.row, "column": e.column, **e.messages} for e in result.errors]
    record.warnings = [{"row": e.row, "column": e.column, **e.messages} for e in result.warnings]
    record.unknown_columns = result.unknown_columns
    record.preview = result.preview


def errors_summary(result: ImportResult, listed: int = 20) -> str:
    """The first `listed` errors of `result` and how many more rows failed, in the active language.
    (Only those who may import confirm: they may read the personal data an error may quote.)"""
    shown = result.errors[:listed]
    texts = [str(e) for e in shown]
    if unlisted := result.failed_rows - len({e.row for e in shown}):
        texts.append(str(_("… and %(rows)s more rows with errors, not listed.") % {"rows": unlisted}))
    return "; ".join(texts)


def check_import(record: ImportRecord, *, scope=None, progress=None) -> ImportRecord:
    """Preview an uploaded sheet: check it and count what it would change (nothing is written), and
    save that on `record`, PREVIEWED. `scope` and `progress` as for import_sheet.

    The sheet goes through the upload gate (reading.check_file) as it is read: ValidationError."""
    progress = progress or _unheard

    def checking(phase, done, total):  # the dry run's write, rolled back, is part of the check
        if phase == ImportRecord.Phase.WRITING:
            if done:
                return  # from inside the dry run's transaction, rolled back: nobody would hear it
            phase, done = ImportRecord.Phase.CHECKING, total
        progress(phase, done, total)

    result = importer(record.kind)(content=bytes(record.content), filename=record.filename, dry_run=True,
                                   skip_invalid=record.skip_invalid, scope=scope, sheet=record.sheet or None,
                                   given=record.given, mapping=record.mapping, progress=checking, describe=True)
    _record_result(record, result)
    record.header_row = result.header_row  # the same on confirming: the same file, sheet and kind
    record.status, record.phase, record.failure = ImportRecord.Status.PREVIEWED, "", {}
    with waiting_for_writers(), transaction.atomic():
        record.save()
        record.provinces.set(result.provinces)  # who else may read the record: see ImportRecordAdmin.scope_q
    return record


def confirm_import(*, record: ImportRecord, scope=None, user=None, progress=None) -> ImportResult:
    """Import a previewed sheet for real; what it writes points back at the record, which is saved
    with it in one transaction. `scope` as for import_products; `progress` as for import_sheet.

    Confirmed by a `user` other than the uploader and writing nothing (their scope or permissions
    refuse rows the uploader's did not), the record keeps its uploader's preview; the result says
    why to whoever confirmed.
    A ValidationError (locks.busy) when another writer held the same records too long: nothing written.
    """

    def finish(result: ImportResult) -> None:
        if result.written or user is None or user.pk == record.user_id:
            _record_result(record, result)
            record.failure = {}
        else:  # the uploader's preview stays; what failed for whoever confirmed is said apart
            record.failure = in_both(lambda: errors_summary(result))
        record.status = ImportRecord.Status.IMPORTED if result.written else ImportRecord.Status.PREVIEWED
        record.phase = ""
        record.save()

    return importer(record.kind)(content=bytes(record.content), filename=record.filename,
                                 skip_invalid=record.skip_invalid, record=record, scope=scope,
                                 sheet=record.sheet or None, given=record.given, mapping=record.mapping,
                                 progress=progress, finish=finish, describe=True)
