"""The table in a sheet as offices publish it: a title block above (the authority, the title, the
decision the list is attached to), the header row (perhaps over two rows, perhaps followed by a row
of column numbers), the rows, then a total line and the signatures.

`read_table` gives the table alone, as a Sheet whose headers are the header row found and whose
rows are the table's; `first_row` is the spreadsheet's number of its first row, `title` the lines
above the header (row number, text), and the notes say what was found (the header row, the total line).
"""

import re

from django.utils.translation import gettext_lazy as _

from core.bilingual import in_both
from provinces.text import fold

from .reading import HEADER_ROWS, Sheet, read_sheet
from .rows import blank, map_headers

# A row numbering the columns under the header: (1) (2) (3) … or 1 2 3 …, or A B C.
COLUMN_NUMBER_RE = re.compile(r"^\(?(\d{1,2}|[a-z])\)?$")
# "Tổng cộng: 25 sản phẩm", "Tổng số 25", "Cộng: 25", "Tổng cộng" alone; not "Công ty …".
TOTAL_RE = re.compile(r"^(tong cong|tong so|tong|cong)\s*(:|\d|$)")
# Where the signatures start: "Nơi nhận:", "TM. Ủy ban nhân dân", "KT. Chủ tịch", "Người lập biểu".
SIGNATURE_RE = re.compile(r"^(noi nhan|tm[.\s]|t/m|kt[.\s]|chu tich|pho chu tich|nguoi lap|xac nhan|\(da ky\))")
# A total or signature line has few distinct values; a row of the table has more.
MAX_TRAILER_VALUES = 3


def read_table(content: bytes, filename: str, columns: dict, sheet: str | None = None) -> Sheet:
    """The table of a kind with `columns` in an uploaded file (reading.read_sheet, then find_table)."""
    return find_table(read_sheet(content, filename, sheet, columns), columns)


def find_table(sheet: Sheet, columns: dict) -> Sheet:
    """Make `sheet` its table: the header row is the row among the top HEADER_ROWS that names most
    of `columns` (the first such; row 1 when none does); rows above it are the title, and a total
    or signature line ends the table."""
    top = [sheet.headers or [], *sheet[: HEADER_ROWS - 1]]
    scores = [len(map_headers(row, columns)[0]) for row in top]
    header = max(range(len(top)), key=lambda index: (scores[index], -index))
    headers, start = list(top[header]), header  # `start`: the table's first row, as an index of sheet's rows
    if header + 1 < len(top) and (merged := _header_below(headers, top[header + 1], columns)):
        headers, start = merged, start + 1
    if start < len(sheet) and _numbers_columns(sheet[start]):
        start += 1
    sheet.title = [(number, line) for number, line in enumerate(map(_line, top[:header]), 1) if line]
    sheet.header_row, sheet.first_row = header + 1, start + 2
    sheet.notes = list(getattr(sheet, "notes", []))
    if header:
        sheet.notes.append(in_both(lambda: str(_("The header row is row %(row)s; the rows above it are the title.") % {
            "row": header + 1})))
    if start:
        del sheet[:start]
    sheet.headers = headers
    _end_at_trailer(sheet)
    return sheet


def _header_below(headers: list, below, columns: dict) -> list | None:
    """The header as it reads over two rows ("Kết quả" above "Số điểm" and "Hạng sao"): the row
    below names columns where the header row is blank or names none; None when it adds nothing."""
    known, under = map_headers(headers, columns)[0], map_headers(below, columns)[0]
    added = {index: column for index, column in under.items()
             if index not in known and column not in known.values()}
    if not added:
        return None
    return [below[index] if index in added else cell for index, cell in enumerate(headers)]


def _numbers_columns(row) -> bool:
    cells = [fold(str(cell)) for cell in row if not blank(cell)]
    return len(cells) >= 2 and all(COLUMN_NUMBER_RE.match(cell) for cell in cells)


def _values(row) -> list[str]:
    """The row's distinct texts in order (a merged cell repeats its value across the range)."""
    seen = []
    for cell in row:
        if not blank(cell) and (text := " ".join(str(cell).split())) not in seen:
            seen.append(text)
    return seen


def _line(row) -> str:
    return " ".join(_values(row))


def _end_at_trailer(sheet: Sheet) -> None:
    """Drop the total line and what follows it, or the signatures when there is no total line,
    saying so; a total that counts other than the rows above it is a warning."""
    for index, row in enumerate(sheet):
        if len(set(row)) > MAX_TRAILER_VALUES + 1:  # the quick test first: most rows are the table's
            continue
        values = _values(row)
        if not values or len(values) > MAX_TRAILER_VALUES:
            continue
        first = fold(values[0])
        total = TOTAL_RE.match(first)
        if not total and not SIGNATURE_RE.match(first):
            continue
        number, line = index + sheet.first_row, " ".join(values)
        rows = sum(1 for above in sheet[:index] if _values(above))
        del sheet[index:]
        sheet.notes.append(in_both(lambda: str(_("Row %(row)s, “%(line)s”, ends the table; it and the rows "
                                                 "under it are not read.") % {"row": number, "line": line[:80]})))
        counted = re.search(r"\d+", line) if total else None
        if counted and int(counted.group()) != rows:
            sheet.notes.append(in_both(lambda: str(_("The total line counts %(counted)s, but the table has "
                                                     "%(rows)s rows.") % {"counted": counted.group(), "rows": rows})))
        return
