"""Reading an uploaded file into a grid of cells, through the upload gate.

Every sheet is read through read_sheet, whoever sends it (the web upload, import_ocop, a
rejected-rows download), so these bounds hold on every path, and each is checked before the work it
bounds: the file's size and type, then the workbook's unzipped size and the extent of its sheets
(scanned as a stream), then the rows and the cells read.
"""

import array
import codecs
import csv
import io
import posixpath
import pyexpat
import re
import zipfile
import zlib

import tablib
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from openpyxl.utils.cell import column_index_from_string
from python_calamine import CalamineError, CalamineWorkbook

from core.bilingual import in_both, in_both_text
from provinces.text import clean_text, fold

from .rows import blank, map_headers

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
# A whole province's register is a few thousand rows.
MAX_ROWS = 60_000
# The top rows in which a sheet's header row is looked for, under a title block: rows a sheet may
# have beyond MAX_ROWS.
HEADER_ROWS = 30
MAX_COLUMNS = 100
# The reader lays a sheet out as a grid from A1 to its last cell, and that grid is what costs memory
# (and parsing its cells, time): 20 columns at the row cap (a register has 14).
MAX_CELLS = 1_200_000
# No cell of a register is near this (an address is a line); Excel itself stops at 32,767.
MAX_CELL_CHARS = 5_000
# Errors (and warnings) listed and stored for a sheet; the rows past them are counted, not worded.
SHEET_TYPES = (".xlsx", ".csv")


class Sheet(tablib.Dataset):
    """A sheet as read, with what reading it found worth saying (`notes`: messages by language)."""

    notes: list[dict[str, str]]


def refusal(make) -> ValidationError:
    """A file refused: `make()` words why, in Vietnamese then English."""
    return ValidationError(in_both_text(make))


def check_file(content: bytes, filename: str) -> None:
    """Refuse a file too big, of a type other than .xlsx or .csv, or a workbook too big unzipped or
    whose sheets reach past the rows and columns a sheet may have (ValidationError)."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise refusal(lambda: _("The file is larger than %(mb)s MB.") % {"mb": MAX_UPLOAD_BYTES // 1024 // 1024})
    if not filename.lower().endswith(SHEET_TYPES):
        raise refusal(lambda: _("Only .xlsx and .csv files can be imported (save an .xls or .xlsm file as .xlsx)."))
    if filename.lower().endswith(".xlsx"):
        _check_workbook(content)


_REFERENCE_RE = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
_ROW_NUMBER_RE = re.compile(r"[0-9]{1,7}")




def _check_workbook(content: bytes) -> None:
    """Read every part of the workbook as a stream, counting the bytes it really unzips to (a size
    in the zip's directory can lie); parse the parts that say where the sheets are (bounded:
    _parse_metadata), the shared strings (_SharedStrings) and each sheet (_SheetScan) before the
    reader does.

    The reader (calamine) lays a sheet out as a grid from A1 to its last cell with a value: one in
    XFD1048576 would be 17 billion cells, and the process aborts. It also copies a shared string
    into every cell that names it: a few KB of cells naming one long string take gigabytes.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as workbook:
            names = set(workbook.namelist())
            if "xl/workbook.xml" not in names:
                raise zipfile.BadZipFile
            if sum(item.file_size for item in workbook.infolist()) > MAX_UNZIPPED_BYTES:
                raise _too_big_unzipped()
            sheets = _sheet_parts(workbook, names)
            strings = [name for name in names if name.lower().endswith("sharedstrings.xml")]
            if len(strings) > 1:
                raise zipfile.BadZipFile
            unzipped = 0
            # The shared strings first: a sheet's cells are counted by the strings they name.
            shared = _SharedStrings()
            for item in sorted(workbook.infolist(), key=lambda item: item.filename not in strings):
                scan = shared if item.filename in strings else _SheetScan(shared) if item.filename in sheets else None
                with workbook.open(item) as part:
                    while chunk := part.read(1 << 20):
                        unzipped += len(chunk)
                        if unzipped > MAX_UNZIPPED_BYTES:
                            raise _too_big_unzipped()
                        if scan:
                            scan.parser.Parse(chunk, False)
                if scan:
                    scan.parser.Parse(b"", True)
                    scan.finish()
    except (
        zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, pyexpat.ExpatError, EOFError, OSError,
        NotImplementedError, RuntimeError, ValueError,
    ):
        raise refusal(lambda: _("This is not an Excel workbook (.xlsx).")) from None


# The parts that say where the sheets are: a real workbook.xml or relationships part is a few KB.
MAX_METADATA_BYTES = 1 << 20
MAX_SHEETS = 1_000
MAX_DEFINED_NAMES = 10_000


def _sheet_parts(workbook: zipfile.ZipFile, names: set[str]) -> set[str]:
    """The parts the reader may take for a sheet: those under xl/worksheets/, and every part the
    workbook's relationships name, however the name is written (a sheet may be anywhere). The parts
    the reader parses to find the sheets are parsed first, and refused when too big to be real ones."""
    parts = {name for name in names if name.startswith("xl/worksheets/")}
    for name in names:
        lower = name.lower()
        if lower == "_rels/.rels":  # where the workbook is
            _parse_metadata(workbook, name, "Relationship", "Target")
        elif lower.endswith("workbook.xml.rels"):  # not a sheet's own (a link a row can make it big)
            targets = _parse_metadata(workbook, name, "Relationship", "Target")
            base = posixpath.dirname(posixpath.dirname(name))
            for target in targets:
                for path in (target.lstrip("/"), f"xl/{target}", posixpath.join(base, target)):
                    parts |= {path, posixpath.normpath(path)}
        elif lower.endswith("workbook.xml"):
            if len(_parse_metadata(workbook, name, "sheet")) > MAX_SHEETS:
                raise refusal(
                    lambda: _("The workbook lists more than %(count)s sheets.") % {"count": f"{MAX_SHEETS:,}"}
                )
            if len(_parse_metadata(workbook, name, "definedName")) > MAX_DEFINED_NAMES:
                raise refusal(
                    lambda: _("The workbook defines more than %(count)s names.") % {"count": f"{MAX_DEFINED_NAMES:,}"}
                )
    return parts & names


def _parse_metadata(workbook: zipfile.ZipFile, name: str, tag: str, attribute: str = "") -> list[str]:
    """The `attribute` of every element named `tag` (with any prefix) in the part `name`, read only
    up to MAX_METADATA_BYTES: past that the workbook is refused."""
    with workbook.open(name) as part:
        xml = part.read(MAX_METADATA_BYTES + 1)
    if len(xml) > MAX_METADATA_BYTES:
        raise refusal(lambda: _("The part %(part)s of the workbook is larger than %(kb)s KB.") % {
            "part": name[:100], "kb": MAX_METADATA_BYTES // 1024})
    found = []
    parser = pyexpat.ParserCreate()
    parser.StartElementHandler = lambda element, attributes: (
        found.append(attributes.get(attribute, "")) if element.rpartition(":")[2] == tag else None)
    parser.StartDoctypeDeclHandler = _no_doctype
    parser.Parse(xml, True)
    return found


def _no_doctype(*args) -> None:
    # A document type may declare entities, which expat would expand into cells the reader never sees.
    raise ValueError("document type declaration")


# The text a sheet's cells may hold in all, counted before the reader copies it (in its own memory,
# then as Python strings): a register at the row cap holds 7–10 million characters; this bound, in
# Vietnamese (3 bytes a letter in the reader, 2 in Python), is ~100 MB more at the peak.
MAX_SHEET_CHARS = 20_000_000


class _SharedStrings:
    """The shared strings (xl/sharedStrings.xml) parsed as a stream: how many there are (at most
    MAX_CELLS) and each one's length in characters (at most MAX_CELL_CHARS), counting every text
    inside it (a phonetic reading too, which can only make it longer)."""

    def __init__(self):
        self.lengths = array.array("L")
        self.length = 0
        self.parser = pyexpat.ParserCreate()
        self.parser.StartElementHandler = self.start
        self.parser.CharacterDataHandler = self.text
        self.parser.StartDoctypeDeclHandler = _no_doctype

    def start(self, tag: str, attributes) -> None:
        if tag.rpartition(":")[2] == "si":
            self._end()
            self.lengths.append(0)
            if len(self.lengths) > MAX_CELLS:
                raise refusal(
                    lambda: _("The workbook holds more than %(count)s different texts.") % {"count": f"{MAX_CELLS:,}"}
                )

    def text(self, text: str) -> None:
        self.length += len(text)

    def _end(self) -> None:
        if self.lengths:
            if self.length > MAX_CELL_CHARS:
                length = self.length
                raise refusal(lambda: _(
                    "A text of the workbook holds %(length)s characters; a cell may hold at most %(limit)s."
                ) % {"length": f"{length:,}", "limit": f"{MAX_CELL_CHARS:,}"})
            self.lengths[-1] = self.length
        self.length = 0

    def finish(self) -> None:
        """Close the last string, and turn the lengths into what a cell naming index i may cost:
        the longest string whose index is a prefix of i's digits ("12" may be read as 1)."""
        self._end()
        lengths = self.lengths
        for index in range(10, len(lengths)):
            lengths[index] = max(lengths[index], lengths[index // 10])

    def cost(self, text: str) -> int:
        """The characters a cell of type "s" whose value reads `text` may hold; ValueError for a value
        that is not an index of a string (Excel writes the index's digits, nothing else)."""
        digits = text.strip()
        if not digits:
            return self.lengths[0] if self.lengths else 0
        if not (digits.isascii() and digits.isdigit()) or len(digits) > 9 or int(digits) >= len(self.lengths):
            raise ValueError(text)
        cost = self.lengths[int(digits)]
        # What a reader makes of a leading space or zero: the index it fails to read is taken as 0.
        return max(cost, self.lengths[0]) if text[0] != digits[0] or digits[0] == "0" else cost


class _SheetScan:
    """A sheet's XML parsed as a stream with expat, which splits it into elements as the reader does
    (and refuses what is not well-formed, a cell with two references among it): the rows and cells
    as the reader places them (a row or a cell without its reference, "r", follows the one before
    it), and how far the cells with a value reach (_check_extent); and the text the cells will hold,
    a cell's own (at most MAX_CELL_CHARS) or the shared string it names, at most MAX_SHEET_CHARS in
    all. At most MAX_CELLS cells, and MAX_ELEMENTS_A_CELL elements a cell, are parsed."""

    def __init__(self, shared: _SharedStrings):
        self.row = self.column = self.cell_row = self.cells = self.elements = self.last_row = self.last_column = 0
        self.depth = 0
        self.shared, self.chars, self.length, self.value = shared, 0, 0, []
        self.capture = self.in_text = self.shared_cell = False
        self.parser = pyexpat.ParserCreate()
        self.parser.ordered_attributes = True
        self.parser.buffer_text = True
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.text
        self.parser.StartDoctypeDeclHandler = _no_doctype

    # Called for every element of the sheet (~2 million for 60,000 rows): kept to a dictionary look-up
    # and a few comparisons for most.
    def start(self, tag: str, attributes: list[str]) -> None:
        self.elements += 1
        self.depth += 1
        if self.depth > MAX_DEPTH:  # expat keeps every open element: two million nested took 300 MB
            raise ValueError("nesting")
        kind = _SHEET_TAGS.get(tag)
        if kind is None and ":" in tag:  # "x:c", as the .NET Open XML SDK writes it, is a cell too
            kind = _SHEET_TAGS.get(tag.rpartition(":")[2])
        if kind == "c":
            self._end_cell()
            self.cells += 1
            if self.cells > MAX_CELLS:
                raise _too_many_cells()
            ref = attributes[1] if attributes and attributes[0] == "r" else _attribute(attributes, "r")
            self.shared_cell = _attribute(attributes, "t") == "s"
            if ref is None:
                self.column, self.cell_row = self.column + 1, self.row
            else:
                match = _REFERENCE_RE.fullmatch(ref)
                if not match:
                    raise ValueError(ref)
                self.column, self.cell_row = column_index_from_string(match[1]), int(match[2])
        elif kind == "value" or kind == "text":  # the cell has a value (or a formula): the reader places it
            self.capture, self.in_text = tag != "f" and not tag.endswith(":f"), kind == "text"
            if self.cell_row > self.last_row or self.column > self.last_column:
                self.last_row, self.last_column = max(self.cell_row, self.last_row), max(self.column, self.last_column)
                _check_extent(self.last_row, self.last_column)
        elif kind == "row":
            self._end_cell()
            ref = _attribute(attributes, "r")
            if ref is not None and not _ROW_NUMBER_RE.fullmatch(ref):
                raise ValueError(ref)
            self.row, self.column = int(ref) if ref is not None else self.row + 1, 0
        elif kind == "dimension":
            match = _REFERENCE_RE.fullmatch((_attribute(attributes, "ref") or "A1").rpartition(":")[2])
            if match:
                _check_extent(int(match[2]), column_index_from_string(match[1]))
        else:
            if not self.in_text:  # the runs of a cell's text (<r><t>…) are its text; anything else is not
                self.capture = False
            if self.elements > MAX_ELEMENTS_A_CELL * MAX_CELLS + 100_000:  # and a sheet's other parts
                raise _too_many_cells()

    def end(self, tag: str) -> None:
        self.depth -= 1

    def text(self, text: str) -> None:
        if self.capture:
            if self.shared_cell:  # an index: kept to be read (and refused if it is more)
                self.value.append(text)
                if len(self.value) > 100:
                    raise ValueError("shared string index")
            self.length += len(text)

    def _end_cell(self) -> None:
        """Count the text of the cell just read (from its <v> or <is> to the next cell or row: what
        follows them in the cell is counted too, which can only make it more)."""
        self.capture = self.in_text = False
        if not self.length:
            return
        length, self.length = self.length, 0
        if self.shared_cell:
            length = self.shared.cost("".join(self.value))
            self.value = []
        elif length > MAX_CELL_CHARS:
            raise _too_long(self.cell_row, self.column, length)
        self.chars += length
        if self.chars > MAX_SHEET_CHARS:
            raise refusal(lambda: _("The sheet's cells hold more than %(chars)s characters of text in all.") % {
                "chars": f"{MAX_SHEET_CHARS:,}"})

    def finish(self) -> None:
        self._end_cell()


# A cell is <c> with <v> (or <f> and <v>), or with <is><t> for text written in the sheet.
MAX_ELEMENTS_A_CELL = 3
# A sheet nests a cell's text seven deep (worksheet, sheetData, row, c, is, r, t); extensions a few more.
MAX_DEPTH = 100
_SHEET_TAGS = {"c": "c", "v": "value", "is": "text", "f": "value", "row": "row", "dimension": "dimension"}


def _attribute(attributes: list[str], name: str) -> str | None:
    """The value of `name` among expat's ordered attributes [name, value, name, value, …]."""
    for index in range(0, len(attributes), 2):
        if attributes[index] == name:
            return attributes[index + 1]
    return None


def _too_big_unzipped() -> ValidationError:
    return refusal(
        lambda: _("The workbook decompresses to more than %(mb)s MB.") % {"mb": MAX_UNZIPPED_BYTES // 1024 // 1024}
    )


def _too_many_cells() -> ValidationError:
    return refusal(lambda: _("The sheet holds more than %(cells)s cells.") % {"cells": f"{MAX_CELLS:,}"})


def _check_extent(row: int, column: int) -> None:
    """Refuse a sheet reaching `row` or `column`, or a grid of them more than MAX_CELLS."""
    if row > MAX_ROWS + HEADER_ROWS:
        raise refusal(lambda: _("The sheet reaches row %(row)s; a sheet may have at most %(rows)s rows of data. "
                                "Split it, or delete the empty rows below the table.") % {"row": row, "rows": MAX_ROWS})
    if column > MAX_COLUMNS:
        raise refusal(lambda: _("The sheet reaches column %(column)s; a sheet may have at most %(columns)s columns. "
                                "Delete the empty columns right of the table.") % {"column": _column_letters(column),
                                                                                   "columns": MAX_COLUMNS})
    if row * column > MAX_CELLS:
        raise refusal(lambda: _(
            "The sheet spans %(rows)s rows by %(columns)s columns; a sheet may hold at most %(cells)s "
            "cells. Delete the empty rows and columns around the table, or split it."
        ) % {"rows": row, "columns": column, "cells": f"{MAX_CELLS:,}"})


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def read_sheet(content: bytes, filename: str, sheet: str | None = None, columns: dict | None = None) -> Sheet:
    """A sheet of an .xlsx, or a .csv as offices save it, through the upload gate (check_file, then
    the row, column and cell bounds): text in NFC, without invisible characters, merged cells filled
    with their value. The sheet is the one named (`sheet`: its name, or its number from 1), else the
    first whose top rows hold a header of `columns` (a kind's columns), else the first."""
    check_file(content, filename)
    if filename.lower().endswith(".xlsx"):
        rows, notes = _read_xlsx(content, sheet, columns)
    else:
        if sheet not in (None, "", "1"):
            raise refusal(lambda: _("A .csv file has one sheet only: leave the sheet blank."))
        rows, notes = _read_csv(content)
    if len(rows) > MAX_ROWS + HEADER_ROWS:
        _check_extent(len(rows), 0)
    width = 0
    for number, row in enumerate(rows, start=1):
        while row and blank(row[-1]):
            row.pop()
        if len(row) > MAX_COLUMNS:
            _check_extent(0, len(row))
        width = max(width, len(row))
        for index, value in enumerate(row):
            if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                raise _too_long(number, index + 1, len(value))
    _check_extent(len(rows), width)
    result = Sheet()
    result.notes = notes
    rows.reverse()  # taken from the end, each row's list is freed once the sheet holds its copy
    while rows:
        row = rows.pop()
        row.extend([None] * (width - len(row)))  # as long as the longest, whatever the file left out at its end
        if result.headers is None:
            result.headers = row
        else:
            result.append(row)
    return result


def _too_long(row: int, column: int | None = None, length: int | None = None) -> ValidationError:
    if column is None:  # a csv field past csv.field_size_limit(): the reader stops inside it
        return refusal(lambda: _("Row %(row)s holds a cell of more than %(limit)s characters.") % {
            "row": row, "limit": f"{MAX_CELL_CHARS:,}"})
    return refusal(lambda: _(
        "Row %(row)s, column %(column)s holds %(length)s characters; a cell may hold at most %(limit)s."
    ) % {"row": row, "column": column, "length": f"{length:,}", "limit": f"{MAX_CELL_CHARS:,}"})


def _read_xlsx(content: bytes, sheet: str | None, columns: dict | None) -> tuple[list[list], list[dict[str, str]]]:
    # calamine reads a workbook ten times faster than openpyxl (what tablib's loader uses), which
    # was most of a 20,000-row import. Its cells are made what openpyxl gives: a blank is None and
    # a whole number an int (calamine has floats only: a tax code would read "101234567.0").
    # Rows are kept from the sheet's first, so row numbers stay those the spreadsheet shows.
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        names = workbook.sheet_names
        index = _sheet_named(names, sheet) if sheet not in (None, "") else _first_with_table(workbook, columns)
        data = workbook.get_sheet_by_index(index)
        rows = data.to_python(skip_empty_area=False)
        merged = data.merged_cell_ranges or []
    except (CalamineError, IndexError, ValueError):
        raise refusal(lambda: _("This is not an Excel workbook (.xlsx).")) from None
    for row in rows:  # in place: a second grid would double the memory a sheet takes
        row[:] = map(_cell, row)
    _fill_merged(rows, merged)
    notes = []
    if len(names) > 1:
        notes.append(in_both(lambda: str(_("Read the sheet “%(name)s” (sheet %(number)s of %(count)s).") % {
            "name": names[index], "number": index + 1, "count": len(names)})))
    return rows, notes


# Sheets looked through for the first that holds a table; past them, the first sheet is read.
MAX_SHEETS_SEARCHED = 10


def _sheet_named(names: list[str], sheet: str) -> int:
    """The index of the sheet called `sheet` (accents and case aside), or numbered so from 1."""
    wanted = fold(str(sheet))
    for index, name in enumerate(names):
        if fold(name) == wanted:
            return index
    if wanted.isdigit() and 1 <= int(wanted) <= len(names):
        return int(wanted) - 1
    raise refusal(lambda: _("The workbook has no sheet “%(sheet)s”; its sheets: %(names)s.") % {
        "sheet": sheet, "names": ", ".join(f"{number}. {name}" for number, name in enumerate(names, 1))})


def _first_with_table(workbook, columns: dict | None) -> int:
    if not columns:
        return 0
    for index in range(min(len(workbook.sheet_names), MAX_SHEETS_SEARCHED)):
        top = workbook.get_sheet_by_index(index).to_python(skip_empty_area=False, nrows=HEADER_ROWS)
        if any(len(map_headers(row, columns)[0]) >= 2 for row in top):
            return index
    return 0


def _fill_merged(rows: list[list], merged) -> None:
    """Every cell of a merged range holds the range's value (the reader gives it to the first cell
    only): a producer merged over its three products names each of them."""
    budget = MAX_CELLS  # ranges may overlap in a hand-made file: the cells filled are bounded too
    for (top, left), (bottom, right) in merged:
        if top >= len(rows) or left >= len(rows[top]) or rows[top][left] is None:
            continue
        value = rows[top][left]
        for row in rows[top:bottom + 1]:
            span = range(left, min(right + 1, len(row)))
            budget -= len(span)
            if budget < 0:
                raise _too_many_cells()
            for column in span:
                row[column] = value


def _cell(value):
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return clean_text(value)
    return value


# Separators a csv may use: Excel writes ";" where the decimal mark is a comma, and tab for "Unicode text".
SEPARATORS = (",", ";", "\t")


def _read_csv(content: bytes) -> tuple[list[list], list[dict[str, str]]]:
    """The rows of a csv, and the notes on reading it (the encoding it was taken to be)."""
    text, notes = _decode(content)
    text = clean_text(text)
    header = next((line for line in io.StringIO(text) if line.strip()), "")
    delimiter = max(SEPARATORS, key=header.count)
    rows = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append(row)
            if len(rows) > MAX_ROWS + HEADER_ROWS:
                _check_extent(len(rows), 0)
            if len(row) > MAX_COLUMNS and any(not blank(cell) for cell in row[MAX_COLUMNS:]):
                _check_extent(0, len(row))
    except csv.Error:
        # The only error a csv read from text can raise here: a field past csv.field_size_limit().
        raise _too_long(len(rows) + 1) from None
    return [[cell if cell != "" else None for cell in row] for row in rows], notes


def _decode(content: bytes) -> tuple[str, list[dict[str, str]]]:
    """The text of a csv: UTF-8 (with or without BOM), UTF-16 (with its BOM), or else Windows-1258,
    what Vietnamese Excel on Windows writes, with a note saying so."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        return content.decode(encoding), []
    except UnicodeDecodeError as error:
        if encoding == "utf-16":
            raise _unreadable("UTF-16", error) from None
    try:
        text = content.decode("cp1258")
    except UnicodeDecodeError as error:
        raise _unreadable("UTF-8, UTF-16, Windows-1258", error) from None
    return text, [in_both(lambda: str(_("The file is not in UTF-8: it was read as Windows-1258 (Vietnamese Windows). "
                                        "Check the accents; save it as “CSV UTF-8” to be sure.")))]


def _unreadable(encodings: str, error: UnicodeDecodeError) -> ValidationError:
    return refusal(lambda: _(
        "The file is not text in %(encodings)s: byte %(byte)s at position %(position)s cannot be read. "
        "Save it from Excel as .xlsx or “CSV UTF-8”."
    ) % {"encodings": encodings, "byte": f"0x{error.object[error.start]:02X}", "position": f"{error.start:,}"})
