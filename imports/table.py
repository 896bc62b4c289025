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
# A section line inside the table ("I. Huyện Ba Bể", "II. HUYỆN CHỢ ĐỒN", "A. Sản phẩm 4 sao",
# "Nhóm thực phẩm"): a roman numeral or a letter and a stop before any words, or (after an optional
# "1.") words naming a unit, a group or a star class.
SECTION_MARK_RE = re.compile(r"^([ivxlc]{1,5}|[a-z])\s*[.):-]\s*\S")
SECTION_WORDS_RE = re.compile(r"^(\d{1,2}\s*[.)-]\s*)?(huyen|quan|thi xa|thanh pho|xa|phuong|thi tran|nhom|"
                              r"phan nhom|bo san pham|san pham|hang [1-5]|[1-5] sao)\b")
# A section line may also be split: its numeral in the STT column, its words in the next.
BARE_MARK_RE = re.compile(r"^([ivxlc]{1,5}|[a-z])\.?$")
# Section lines named in the preview's note.
MAX_SECTIONS_NAMED = 5
# A section line's numeral ("I.", "II", "A)", "1."), and the words of one naming a district.
SECTION_NUMERAL_RE = re.compile(r"^\s*(?:[ivxlc]{1,5}|[a-z]|\d{1,2})(?:\s*[.):-]\s*|\s+)", re.IGNORECASE)
DISTRICT_WORDS_RE = re.compile(r"^(huyen|quan|thi xa|thanh pho)\s+\S")


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
    # Over two rows: the row found is the lower one (its words name more) or the upper one.
    if header and (merged := _header_below(list(top[header - 1]), top[header], columns)) and len(
            map_headers(merged, columns)[0]) > scores[header]:
        header, headers = header - 1, merged
    elif header + 1 < len(top) and (merged := _header_below(headers, top[header + 1], columns)):
        headers, start = merged, start + 1
    if start < len(sheet) and _numbers_columns(sheet[start]):
        start += 1
    sheet.title = [(number, line) for number, line in enumerate(map(_line, top[:header]), 1) if line]
    sheet.header_row, sheet.first_row = header + 1, start + 2
    sheet.notes = list(getattr(sheet, "notes", []))
    if not scores[header]:
        sheet.notes.append(in_both(lambda: str(_("No row among the first %(rows)s names a known column: the first "
                                                 "row is taken as the header. Move the header row up, or say what "
                                                 "the columns hold.") % {"rows": HEADER_ROWS})))
    elif header:
        sheet.notes.append(in_both(lambda: str(_("The header row is row %(row)s; the rows above it are the title.") % {
            "row": header + 1})))
    if start:
        del sheet[:start]
    sheet.headers = headers
    _end_at_trailer(sheet)
    _skip_sections(sheet)
    return sheet


def _header_below(headers: list, below, columns: dict) -> list | None:
    """The header as it reads over two rows ("Kết quả" above "Số điểm" and "Hạng sao"; "Chủ thể"
    merged above "Tên" and "Địa chỉ", read "Tên chủ thể", "Địa chỉ"): each cell of the row below
    read alone or with the heading above it; None when that names no more columns than the header
    row alone."""
    merged = list(headers) + [None] * (len(below) - len(headers))
    for index, cell in enumerate(below):
        if blank(cell):
            continue
        upper = "" if blank(merged[index]) else str(merged[index])
        reading = next((words for words in (str(cell), f"{cell} {upper}", f"{upper} {cell}")
                        if map_headers([words], columns)[0]), None)
        if reading is not None:
            merged[index] = reading
    if len(map_headers(merged, columns)[0]) <= len(map_headers(headers, columns)[0]):
        return None
    return merged


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
    saying so; a total that counts other than the rows above it is a warning. A subtotal ("Cộng: 5
    sản phẩm" under a district's rows, with more rows of the table below it) is blanked, not an end."""
    subtotals = []
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
        if total and not first.startswith("tong") and _rows_below(sheet, index):
            sheet[index] = [None] * len(row)
            subtotals.append(number)
            continue
        rows = sum(1 for above in sheet[:index] if _values(above) and _section(above) is None)
        del sheet[index:]
        sheet.notes.append(in_both(lambda: str(_("Row %(row)s, “%(line)s”, ends the table; it and the rows "
                                                 "under it are not read.") % {"row": number, "line": line[:80]})))
        counted = re.search(r"\d+", line) if total else None
        if counted and int(counted.group()) != rows:
            sheet.notes.append(in_both(lambda: str(_("The total line counts %(counted)s, but the table has "
                                                     "%(rows)s rows.") % {"counted": counted.group(), "rows": rows})))
        break
    if subtotals:
        sheet.notes.append(in_both(lambda: str(_("Rows %(rows)s are subtotals inside the table, not products, and "
                                                 "are not read.") % {"rows": ", ".join(map(str, subtotals[:10]))})))


def _rows_below(sheet: Sheet, index: int) -> bool:
    """Whether rows of the table follow row `index` (a subtotal's) before the next total line or the
    signatures (so each row is looked at for one total line at most)."""
    for row in sheet[index + 1:]:
        values = _values(row)
        if len(values) > MAX_TRAILER_VALUES:
            return True
        if values and (TOTAL_RE.match(fold(values[0])) or SIGNATURE_RE.match(fold(values[0]))):
            return False
    return False


def _section(row) -> str | None:
    """The text of a section line ("I. Huyện Ba Bể", or "I" | "Huyện Ba Bể" from the first columns),
    None for any other row. A product row names more (its stars, its producer) or no such words."""
    if len(set(row)) > MAX_TRAILER_VALUES:  # the quick test first: most rows are products
        return None
    values = _values(row)
    if len(values) == 1:
        folded = fold(values[0])
        return values[0] if SECTION_MARK_RE.match(folded) or SECTION_WORDS_RE.match(folded) else None
    if len(values) != 2 or not BARE_MARK_RE.match(fold(values[0])):
        return None
    marked_at = next(index for index, cell in enumerate(row) if not blank(cell))
    return " ".join(values) if marked_at <= 1 else None  # the words after the numeral perhaps merged on


def _skip_sections(sheet: Sheet) -> None:
    """Blank the section lines inside the table (read_rows skips blank rows, and the others keep
    their spreadsheet row numbers), saying which; `sheet.sections` lists them (row, text)."""
    sheet.sections = sections = []
    for index, row in enumerate(sheet):
        if (line := _section(row)) is not None:
            sheet[index] = [None] * len(row)
            sections.append((index + sheet.first_row, line))
    if sections:
        named = ", ".join(f"{number} “{line[:60]}”" for number, line in sections[:MAX_SECTIONS_NAMED])
        more = "…" if len(sections) > MAX_SECTIONS_NAMED else ""
        sheet.notes.append(in_both(lambda: str(_("%(count)s section lines inside the table are headings, not "
                                                 "products, and are not read (rows %(rows)s%(more)s).") % {
            "count": len(sections), "rows": named, "more": more})))


def section_district(line: str) -> str | None:
    """The district a section line names ("I. Huyện Ba Bể": "Huyện Ba Bể"), None when it names none."""
    words = SECTION_NUMERAL_RE.sub("", line, count=1)
    return words if DISTRICT_WORDS_RE.match(fold(words)) else None
