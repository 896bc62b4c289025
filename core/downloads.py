"""Sheets and files sent to the browser as downloads."""

import tablib
from django.http import Http404, HttpResponse
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def inert(cell):
    """A cell as a sheet may safely hold it: text that a spreadsheet would run as a formula made text
    with a leading apostrophe, and characters a workbook may not hold (control characters, whatever
    text was stored or uploaded) replaced by U+FFFD."""
    if not isinstance(cell, str):
        return cell
    cell = ILLEGAL_CHARACTERS_RE.sub("\ufffd", cell)
    return ("'" + cell) if cell.startswith(("=", "+", "-", "@")) else cell


def export(data: tablib.Dataset, fmt: str) -> bytes:
    """xlsx, or csv with a BOM so Excel reads Vietnamese; every cell made inert(), the headers' as
    the data's (a header comes back from the uploaded file in the rejected rows)."""
    if data.headers:
        data.headers = [inert(header) for header in data.headers]
    for index, row in enumerate(list(data)):
        data[index] = [inert(cell) for cell in row]
    if fmt == "xlsx":
        return data.export("xlsx")
    return ("\ufeff" + data.export("csv")).encode("utf-8")


def attachment(data: tablib.Dataset, fmt: str, filename: str) -> HttpResponse:
    """A download of `data` as `filename.fmt` (xlsx or csv; anything else is 404)."""
    if fmt not in CONTENT_TYPES:
        raise Http404
    return download(export(data, fmt), fmt, filename)


def download(content: bytes, fmt: str, filename: str) -> HttpResponse:
    """A download of a file already built, as `filename.fmt`."""
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
