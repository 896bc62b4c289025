"""The rows an import rejected, given back as a sheet to fix and import again."""

from collections import defaultdict

import tablib
from django.utils import translation

from .kinds import KINDS
from .models import ImportRecord
from .rows import ERROR_COLUMN, LANGUAGES, column_label, is_error_column
from .table import read_table


def rejected_rows(record: ImportRecord) -> tablib.Dataset:
    """The rows of `record`'s sheet that had errors, as uploaded, each with its errors in a last column."""
    sheet = read_table(bytes(record.content), record.filename, KINDS[record.kind].columns, record.sheet or None)
    errors = defaultdict(list)
    for error in record.errors:
        if error["row"] >= sheet.first_row:  # the header's (a missing column) have no row to give back
            errors[error["row"]].append(error)
    # A rejected file uploaded again brings its old error column: replace it, not add another.
    keep = [i for i, header in enumerate(sheet.headers or []) if not is_error_column(header)]
    data = tablib.Dataset(headers=[str(sheet.headers[i] or "") for i in keep] + [ERROR_COLUMN], title="OCOP")
    for number in sorted(errors):
        cells = sheet[number - sheet.first_row]  # read_rows numbers the rows as the spreadsheet does
        data.append([cells[i] for i in keep] + [error_cell(errors[number])])
    return data


def error_cell(errors: list[dict]) -> str:
    """A row's errors as stored on an ImportRecord, column by column, in Vietnamese then English."""
    texts = []
    for language in LANGUAGES:
        with translation.override(language):
            texts.append("; ".join(f"{column_label(e['column'])}: {e.get(language, e['vi'])}" for e in errors))
    vi, en = texts
    return vi if vi == en else f"{vi} / {en}"
