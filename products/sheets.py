"""Reading product sheets (decision annexes, yearly lists, old registers) into checked rows.

Headers in Vietnamese or English, any case, accents or spacing; dates as dd/mm/yyyy (never read
US-style), ISO, real Excel dates or a year alone; stars as "4", "4 sao", "4★". Every problem is a
`RowError` naming the spreadsheet row, the column and the reason.
"""

import array
import codecs
import csv
import datetime
import difflib
import functools
import io
import posixpath
import pyexpat
import re
import zipfile
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import tablib
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from openpyxl.utils.cell import column_index_from_string
from python_calamine import CalamineError, CalamineWorkbook

from provinces.models import AdminUnit
from provinces.text import clean_text, fold, fold_unit_name, unit_name_keys

from .models import Producer, Product, ProductGroup, Rating, RatingDecision, year_end

# Column -> the header spellings it answers to, compared after fold() and "_" -> " ".
COLUMNS = {
    "province": ("tinh", "province", "tinh/thanh pho", "tinh thanh pho"),
    "district": ("huyen", "district", "quan/huyen", "huyen/thi xa/thanh pho"),
    "commune": ("xa", "commune", "xa/phuong", "phuong/xa", "xa/phuong/thi tran"),
    "producer": ("chu the", "producer", "ten chu the"),
    "producer_type": ("loai hinh chu the", "producer type", "loai hinh"),
    "product": ("ten san pham", "product", "san pham"),
    "group": ("nhom san pham", "group", "nhom"),
    "stars": ("so sao", "stars", "hang sao", "xep hang"),
    "score": ("diem", "score", "so diem"),
    "decision_number": ("so quyet dinh", "decision number", "quyet dinh"),
    "decision_date": ("ngay quyet dinh", "decision date"),
    "year": ("nam cong nhan", "year", "nam"),
    "level": ("cap cong nhan", "level", "cap"),
    "expires": ("ngay het han", "expires", "het han"),
}
REQUIRED = ("province", "producer", "product", "stars")
COLUMN_LABELS = {
    "province": _("Province"), "district": _("District"), "commune": _("Commune"), "producer": _("Producer"),
    "producer_type": _("Producer type"), "product": _("Product"), "group": _("Product group"), "stars": _("Stars"),
    "score": _("Score"), "decision_number": _("Decision number"), "decision_date": _("Decision date"),
    "year": _("Year"), "level": _("Level"), "expires": _("Expires"),
}
PRODUCER_TYPES = {
    **{kind.value: kind for kind in Producer.Type}, **{fold(word): kind for kind, word in Producer.TYPE_WORDS.items()},
    "cong ty": Producer.Type.ENTERPRISE, "htx": Producer.Type.COOPERATIVE, "tht": Producer.Type.COOPERATIVE_GROUP,
    "cooperative group": Producer.Type.COOPERATIVE_GROUP, "ho kinh doanh": Producer.Type.HOUSEHOLD,
    "ho san xuat": Producer.Type.HOUSEHOLD, "co so": Producer.Type.HOUSEHOLD,
}
LEVELS = {
    "tinh": RatingDecision.Level.PROVINCE, "cap tinh": RatingDecision.Level.PROVINCE, "province": RatingDecision.Level.PROVINCE,
    "huyen": RatingDecision.Level.DISTRICT, "cap huyen": RatingDecision.Level.DISTRICT, "district": RatingDecision.Level.DISTRICT,
    "quoc gia": RatingDecision.Level.NATIONAL, "trung uong": RatingDecision.Level.NATIONAL, "national": RatingDecision.Level.NATIONAL,
}
# The last column of a rejected-rows download (products/resources.py): ours, so the fixed file
# re-imports without an "unknown column" warning about it.
ERROR_COLUMN = "Lỗi / Error"
EXCEL_EPOCH = datetime.date(1899, 12, 30)
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
STARS_RE = re.compile(r"^([1-5])(?:[.,]0+)?\s*(?:sao|★+|\*|stars?)?$")
# Unit names, levels, groups and producer types repeat down a sheet: fold each once.
_fold = functools.lru_cache(maxsize=16384)(fold)
_unit_name_keys = functools.lru_cache(maxsize=16384)(unit_name_keys)


LANGUAGES = ("vi", "en")


def in_both(make) -> dict:
    """{language: make()} with `make` called once in Vietnamese and once in English."""
    results = {}
    for language in LANGUAGES:
        with translation.override(language):
            results[language] = make()
    return results


@dataclass
class RowError:
    row: int
    column: str
    messages: dict[str, str]

    def text(self, language: str) -> str:
        with translation.override(language):
            return str(_("Row %(row)s, column %(column)s: %(message)s") % {
                "row": self.row, "column": COLUMN_LABELS.get(self.column, self.column), "message": self.messages[language]})

    def __str__(self) -> str:
        language = translation.get_language() or "vi"
        return self.text(language if language in self.messages else "vi")

    def bilingual(self) -> str:
        vi, en = self.text("vi"), self.text("en")
        return vi if vi == en else f"{vi} / {en}"


@dataclass
class SheetRow:
    """One row, parsed: plain values and resolved units, or errors."""

    number: int
    values: dict = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    # Past MAX_ERRORS errors (or warnings) in the rows above, a row's are counted but not worded:
    # they will not be listed, and wording them was most of the time spent on a sheet of garbage.
    word_errors: bool = True
    word_warnings: bool = True

    def error(self, column: str, make) -> None:
        """Record an error; `make` builds the message (called once per language)."""
        self.errors.append(RowError(self.number, column, in_both(lambda: str(make())) if self.word_errors else UNWORDED))

    def warn(self, column: str, make) -> None:
        self.warnings.append(RowError(self.number, column, in_both(lambda: str(make())) if self.word_warnings else UNWORDED))


# The message of an error past MAX_ERRORS (never shown).
UNWORDED = dict.fromkeys(LANGUAGES, "")


def _header_key(header) -> str:
    return fold(str(header or "")).replace("_", " ")


def is_error_column(header) -> bool:
    return _header_key(header) == _header_key(ERROR_COLUMN)


def map_headers(headers, columns: dict[str, tuple[str, ...]] = COLUMNS) -> tuple[dict[int, str], list[str]]:
    """{column index: column name} for the headers recognised, and the headers that were not
    (apart from our own error column, which is skipped without a word)."""
    aliases = {alias: column for column, names in columns.items() for alias in names}
    mapping, unknown = {}, []
    for index, header in enumerate(headers):
        column = aliases.get(_header_key(header))
        if column and column not in mapping.values():
            mapping[index] = column
        elif str(header or "").strip() and not is_error_column(header):
            unknown.append(CONTROL_RE.sub("\ufffd", str(header)))
    return mapping, unknown


# The upload gate. Every sheet is read through read_sheet, whoever sends it (the web upload,
# import_ocop, a rejected-rows download), so these bounds hold on every path, and each is checked
# before the work it bounds: the file's size and type, then the workbook's unzipped size and the
# extent of its sheets (scanned as a stream), then the rows and the cells read.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
# A whole province's register is a few thousand rows.
MAX_ROWS = 60_000
# Rows above the data a sheet may also have: a title block and the header row.
TITLE_ROWS = 20
MAX_COLUMNS = 100
# The reader lays a sheet out as a grid from A1 to its last cell, and that grid is what costs memory
# (and parsing its cells, time): 20 columns at the row cap (a register has 14).
MAX_CELLS = 1_200_000
# No cell of a register is near this (an address is a line); Excel itself stops at 32,767.
MAX_CELL_CHARS = 5_000
# Errors (and warnings) listed and stored for a sheet; the rows past them are counted, not worded.
MAX_ERRORS = 1_000
SHEET_TYPES = (".xlsx", ".csv")


class Sheet(tablib.Dataset):
    """A sheet as read, with what reading it found worth saying (`notes`: messages by language)."""

    notes: list[dict[str, str]]


def in_both_text(make) -> str:
    """`make()` in Vietnamese, then " / " and in English (once when they are the same)."""
    texts = in_both(lambda: str(make()))
    return texts["vi"] if texts["vi"] == texts["en"] else f"{texts['vi']} / {texts['en']}"


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
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, pyexpat.ExpatError, EOFError, OSError, NotImplementedError,
            RuntimeError, ValueError):
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
                raise refusal(lambda: _("The workbook lists more than %(count)s sheets.") % {"count": f"{MAX_SHEETS:,}"})
            if len(_parse_metadata(workbook, name, "definedName")) > MAX_DEFINED_NAMES:
                raise refusal(lambda: _("The workbook defines more than %(count)s names.") % {"count": f"{MAX_DEFINED_NAMES:,}"})
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
                raise refusal(lambda: _("The workbook holds more than %(count)s different texts.") % {"count": f"{MAX_CELLS:,}"})

    def text(self, text: str) -> None:
        self.length += len(text)

    def _end(self) -> None:
        if self.lengths:
            if self.length > MAX_CELL_CHARS:
                length = self.length
                raise refusal(lambda: _("A text of the workbook holds %(length)s characters; a cell may hold at most %(limit)s.") % {
                    "length": f"{length:,}", "limit": f"{MAX_CELL_CHARS:,}"})
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
    return refusal(lambda: _("The workbook decompresses to more than %(mb)s MB.") % {"mb": MAX_UNZIPPED_BYTES // 1024 // 1024})


def _too_many_cells() -> ValidationError:
    return refusal(lambda: _("The sheet holds more than %(cells)s cells.") % {"cells": f"{MAX_CELLS:,}"})


def _check_extent(row: int, column: int) -> None:
    """Refuse a sheet reaching `row` or `column`, or a grid of them more than MAX_CELLS."""
    if row > MAX_ROWS + TITLE_ROWS:
        raise refusal(lambda: _("The sheet reaches row %(row)s; a sheet may have at most %(rows)s rows of data. "
                                "Split it, or delete the empty rows below the table.") % {"row": row, "rows": MAX_ROWS})
    if column > MAX_COLUMNS:
        raise refusal(lambda: _("The sheet reaches column %(column)s; a sheet may have at most %(columns)s columns. "
                                "Delete the empty columns right of the table.") % {"column": _column_letters(column),
                                                                                   "columns": MAX_COLUMNS})
    if row * column > MAX_CELLS:
        raise refusal(lambda: _("The sheet spans %(rows)s rows by %(columns)s columns; a sheet may hold at most %(cells)s "
                                "cells. Delete the empty rows and columns around the table, or split it.") % {
            "rows": row, "columns": column, "cells": f"{MAX_CELLS:,}"})


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def read_sheet(content: bytes, filename: str) -> Sheet:
    """The first sheet of an .xlsx, or a .csv as offices save it, through the upload gate (check_file,
    then the row, column and cell bounds): text in NFC, without invisible characters."""
    check_file(content, filename)
    if filename.lower().endswith(".xlsx"):
        rows, notes = _read_xlsx(content), []
    else:
        rows, notes = _read_csv(content)
    if len(rows) > MAX_ROWS + TITLE_ROWS:
        _check_extent(len(rows), 0)
    width = 0
    for number, row in enumerate(rows, start=1):
        while row and _blank(row[-1]):
            row.pop()
        if len(row) > MAX_COLUMNS:
            _check_extent(0, len(row))
        width = max(width, len(row))
        for index, value in enumerate(row):
            if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                raise _too_long(number, index + 1, len(value))
    _check_extent(len(rows), width)
    sheet = Sheet()
    sheet.notes = notes
    rows.reverse()  # taken from the end, each row's list is freed once the sheet holds its copy
    while rows:
        row = rows.pop()
        row.extend([None] * (width - len(row)))  # as long as the longest, whatever the file left out at its end
        if sheet.headers is None:
            sheet.headers = row
        else:
            sheet.append(row)
    return sheet


def _too_long(row: int, column: int | None = None, length: int | None = None) -> ValidationError:
    if column is None:  # a csv field past csv.field_size_limit(): the reader stops inside it
        return refusal(lambda: _("Row %(row)s holds a cell of more than %(limit)s characters.") % {
            "row": row, "limit": f"{MAX_CELL_CHARS:,}"})
    return refusal(lambda: _("Row %(row)s, column %(column)s holds %(length)s characters; a cell may hold at most %(limit)s.") % {
        "row": row, "column": column, "length": f"{length:,}", "limit": f"{MAX_CELL_CHARS:,}"})


def _read_xlsx(content: bytes) -> list[list]:
    # calamine reads a workbook ten times faster than openpyxl (what tablib's loader uses), which
    # was most of a 20,000-row import. Its cells are made what openpyxl gives: a blank is None and
    # a whole number an int (calamine has floats only: a tax code would read "101234567.0").
    # Rows are kept from the sheet's first, so row numbers stay those the spreadsheet shows.
    try:
        rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    except (CalamineError, IndexError, ValueError):
        raise refusal(lambda: _("This is not an Excel workbook (.xlsx).")) from None
    for row in rows:  # in place: a second grid would double the memory a sheet takes
        row[:] = map(_cell, row)
    return rows


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
            if len(rows) > MAX_ROWS + TITLE_ROWS:
                _check_extent(len(rows), 0)
            if len(row) > MAX_COLUMNS and any(not _blank(cell) for cell in row[MAX_COLUMNS:]):
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
    return refusal(lambda: _("The file is not text in %(encodings)s: byte %(byte)s at position %(position)s cannot be read. "
                             "Save it from Excel as .xlsx or “CSV UTF-8”.") % {
        "encodings": encodings, "byte": f"0x{error.object[error.start]:02X}", "position": f"{error.start:,}"})


def parse_date(value) -> datetime.date:
    """dd/mm/yyyy (day first, always), ISO, an Excel date or serial number; ValueError otherwise."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 1 < value < 100000:
        return EXCEL_EPOCH + datetime.timedelta(days=int(value))
    text = str(value).strip()
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def parse_stars(value) -> int:
    match = STARS_RE.match(str(value).strip().lower())
    if not match:
        raise ValueError(value)
    return int(match.group(1))


def parse_score(value) -> Decimal:
    text = str(value).strip().replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    score = Decimal(text)
    if not 0 <= score <= 100:
        raise ValueError(value)
    return score


def _blank(value) -> bool:
    return value is None or str(value).strip() == ""


class UnitResolver:
    """Unit names as typed, resolved to the unit valid on the row's date.

    The units below the provinces a sheet names are read in one query per level, the first time a
    district or commune is looked up, so resolving costs the same few queries for any number of rows.
    """

    def __init__(self, province_names=None):
        self.provinces = list(AdminUnit.objects.provinces())
        self.province_index = _index(self.provinces)
        # Only these provinces can be picked (whatever the date), so only their units are loaded.
        self.named = [p for p in self.provinces if province_names is None or p.search_name in province_names]
        self.below_index = {}  # level -> {parent id: {search name: [units]}}

    @staticmethod
    def _valid(units, start, end):
        return [u for u in units if (u.valid_from is None or u.valid_from <= end) and (u.valid_to is None or u.valid_to >= start)]

    def _pick(self, row, column, name, candidates, start, end, scope_names):
        if not candidates:
            # Looked for only when the error will be worded (SheetRow.word_errors).
            close = difflib.get_close_matches(fold_unit_name(name), sorted(scope_names), n=3, cutoff=0.6) if row.word_errors else []
            row.error(column, lambda: _("No unit named “%(name)s”.%(hint)s") % {
                "name": name, "hint": _(" Did you mean: %(names)s?") % {"names": ", ".join(close)} if close else ""})
            return None
        on_day = self._valid(candidates, start, end)
        if not on_day:
            current = [u for u in candidates if u.valid_to is None]
            if len(current) == 1:
                row.warn(column, lambda: _("No “%(name)s” existed on that date; the current unit %(unit)s is used.") % {
                    "name": name, "unit": current[0]})
                return current[0]
            on_day = candidates
        if len(on_day) > 1:
            row.error(column, lambda: _("“%(name)s” matches several units: %(units)s.") % {
                "name": name, "units": "; ".join(f"{u} [{u.slug}]" for u in on_day)})
            return None
        return on_day[0]

    @staticmethod
    def _named(index: dict, name: str) -> list:
        return next((index[key] for key in _unit_name_keys(name) if key in index), [])

    def province(self, row, name, start, end):
        return self._pick(row, "province", name, self._named(self.province_index, name), start, end, self.province_index)

    def below(self, row, column, name, parent, start, end):
        level = AdminUnit.Level.DISTRICT if column == "district" else AdminUnit.Level.COMMUNE
        if level not in self.below_index:
            self.below_index[level] = self._load(level)
        units = self.below_index[level].get(parent.pk, {})
        return self._pick(row, column, name, self._named(units, name), start, end, units)

    def _load(self, level) -> dict:
        """{parent id: {search name: [units]}} for every district or commune of the named provinces.

        A unit is in a parent's scope when the parent is its parent or grandparent, or its parent's
        successor, or (for a legacy province) when its parent is the parent's successor: a legacy
        province's communes may since belong to the new province.
        """
        parents = AdminUnit.objects.filter(pk__in=[p.pk for p in self.named])
        if level == AdminUnit.Level.COMMUNE:
            parents |= AdminUnit.objects.filter(pk__in=_in_scope(AdminUnit.Level.DISTRICT, parents).values("pk"))
        predecessors = defaultdict(list)  # successor id -> the parents it succeeded
        for pk, successor_id in parents.filter(successor__isnull=False).values_list("pk", "successor"):
            predecessors[successor_id].append(pk)
        units = _in_scope(level, parents).annotate(grandparent_id=F("parent__parent"), parent_successor_id=F("parent__successor"))
        # The model's order, then ids: "matches several units" lists them the same way on every database.
        units = units.order_by(*AdminUnit._meta.ordering, "pk")
        index = defaultdict(lambda: defaultdict(list))
        for unit in units:
            scopes = {unit.parent_id, unit.grandparent_id, unit.parent_successor_id, *predecessors[unit.parent_id]}
            for parent_id in scopes - {None}:
                index[parent_id][unit.search_name].append(unit)
        return index


def _in_scope(level, parents):
    """Units of `level` below `parents` (a queryset of units): see UnitResolver._load."""
    scope = (Q(parent__in=parents) | Q(parent__parent__in=parents) | Q(parent__successor__in=parents)
             | Q(parent__in=parents.filter(successor__isnull=False).values("successor")))
    return AdminUnit.objects.filter(scope, level=level)


def _index(units) -> dict:
    index = defaultdict(list)
    for unit in units:
        index[unit.search_name].append(unit)
    return index


def _groups() -> dict[str, ProductGroup]:
    groups = {}
    for group in ProductGroup.objects.select_related("maps_to"):
        current = group.current
        groups[fold(group.name)] = current
        if group.scheme == ProductGroup.Scheme.CURRENT:
            groups[str(group.code)] = current
            groups[fold(group.name_en)] = current
    return groups


def _producer_type(value, producer_name):
    if not _blank(value):
        return PRODUCER_TYPES.get(_fold(str(value)))
    name = fold(producer_name)
    for prefix, kind in (("cong ty", "enterprise"), ("doanh nghiep", "enterprise"), ("hop tac xa", "cooperative"),
                         ("htx", "cooperative"), ("to hop tac", "coop_group")):
        if name.startswith(prefix):
            return kind
    return Producer.Type.HOUSEHOLD


def read_rows(dataset: tablib.Dataset, columns: dict, required: tuple[tuple[str, ...], ...], parse) -> tuple[list[SheetRow], list[str]]:
    """Every data row of a sheet of any kind, checked by `parse(row, cells)`; and the headers not recognised.

    `required` lists groups of columns of which the header row needs at least one; when one is
    missing, the only row returned is the header row (1) with an error per missing group.
    """
    mapping, unknown = map_headers(dataset.headers or [], columns)
    found = set(mapping.values())
    missing = [group[0] for group in required if not found & set(group)]
    if missing:
        row = SheetRow(1)
        for column in missing:
            row.error(column, lambda: _("This column is missing from the header row."))
        row.warnings = [RowError(1, "file", note) for note in getattr(dataset, "notes", ())]
        return [row], unknown
    rows, errors, warnings = [], 0, 0
    for index, raw in enumerate(dataset, start=2):
        cells = {column: _unquote(raw[i]) for i, column in mapping.items() if i < len(raw)}
        if all(_blank(v) for v in cells.values()):
            continue
        # Invisible and meaningless in a name, and PostgreSQL refuses NUL even inside JSON: shown
        # as � in the messages that quote the cell, and an error on it.
        hidden = [column for column, value in cells.items() if isinstance(value, str) and CONTROL_RE.search(value)]
        cells.update({column: CONTROL_RE.sub("\ufffd", cells[column]) for column in hidden})
        row = parse(SheetRow(index, word_errors=errors < MAX_ERRORS, word_warnings=warnings < MAX_ERRORS), cells)
        for column in hidden:
            row.error(column, lambda: _("The cell holds an invisible control character."))
        errors, warnings = errors + len(row.errors), warnings + len(row.warnings)
        rows.append(row)
    if rows:  # what reading the file found (its encoding), said on the header row
        rows[0].warnings[:0] = [RowError(1, "file", note) for note in getattr(dataset, "notes", ())]
    return rows, unknown


def provinces_named(dataset: tablib.Dataset, columns: dict = COLUMNS) -> set[str] | None:
    """The folded province names anywhere in the sheet: they bound the districts and communes worth loading."""
    at = {name: index for index, name in map_headers(dataset.headers or [], columns)[0].items()}.get("province")
    if at is None:
        return None
    return {key for raw in dataset if at < len(raw) and not _blank(raw[at]) for key in _unit_name_keys(str(_unquote(raw[at])).strip())}


def parse_rows(dataset: tablib.Dataset) -> tuple[list[SheetRow], list[str]]:
    """Every data row of a product sheet, checked; and the headers that were not recognised."""
    resolver, groups, rules = UnitResolver(provinces_named(dataset)), _groups(), RatingRules()
    required = (*((column,) for column in REQUIRED), ("decision_date", "year"))
    return read_rows(dataset, COLUMNS, required, lambda row, cells: _parse_row(row, cells, resolver, groups, rules))


def _unquote(value):
    # Our exports keep formula-like text inert with a leading apostrophe; read it back as typed.
    if isinstance(value, str) and value.startswith("'") and value[1:2] in ("=", "+", "-", "@"):
        return value[1:]
    return value


# Text cells written as they are, with the model's limits: the batched writes skip full_clean(), and
# PostgreSQL refuses a longer value (SQLite would store it).
TEXT_LIMITS = {
    "producer": Producer._meta.get_field("name").max_length,
    "product": Product._meta.get_field("name").max_length,
    "decision_number": RatingDecision._meta.get_field("number").max_length,
}


def filled(row: SheetRow, cells: dict, required) -> dict[str, str]:
    """The row's cells that are not blank, as stripped text; each `required` column left blank is an error."""
    text = {k: str(v).strip() for k, v in cells.items() if not _blank(v)}
    for column in required:
        if column not in text:
            row.error(column, lambda: _("This cell is required."))
    return text


def _parse_row(row: SheetRow, cells: dict, resolver: UnitResolver, groups, rules: "RatingRules") -> SheetRow:
    text = filled(row, cells, REQUIRED)
    v = row.values
    # When: a decision date, or a year alone (counting from 31/12 of that year).
    if "decision_date" in text:
        try:
            v["date"] = parse_date(cells["decision_date"])
            v["year_only"] = False
        except ValueError:
            row.error("decision_date", lambda: _("“%(value)s” is not a date: write dd/mm/yyyy.") % {"value": text["decision_date"]})
    elif "year" in text:
        try:
            year = int(float(text["year"].replace(",", ".")))
            if not 1990 <= year <= 2100:
                raise ValueError(year)
            v["date"], v["year_only"] = year_end(year), True
        except (ValueError, OverflowError):  # OverflowError: "inf", or more digits than a float holds
            row.error("year", lambda: _("“%(value)s” is not a year.") % {"value": text["year"]})
    else:
        row.error("decision_date", lambda: _("A decision date or a year is required."))
    for column, parse, message in (
        ("stars", parse_stars, _("“%(value)s” is not a number of stars from 1 to 5.")),
        ("score", parse_score, _("“%(value)s” is not a score from 0 to 100.")),
        ("expires", parse_date, _("“%(value)s” is not a date: write dd/mm/yyyy.")),
    ):
        if column in text:
            try:
                v[column] = parse(cells[column])
            except (ValueError, InvalidOperation):
                row.error(column, lambda: message % {"value": text[column]})
    v["level"] = LEVELS.get(_fold(text.get("level", ""))) or (
        RatingDecision.Level.NATIONAL if v.get("stars") == 5 else RatingDecision.Level.PROVINCE)
    if "level" in text and _fold(text["level"]) not in LEVELS:
        row.error("level", lambda: _("“%(value)s” is not a level: tỉnh, huyện or quốc gia.") % {"value": text["level"]})
    if "group" not in text:
        row.warn("group", lambda: _("No product group given: group 1 (food) is used."))
    v["group"] = groups.get(_fold(text.get("group", "1")).split(".")[0]) or groups.get(_fold(text.get("group", "")))
    if v["group"] is None:
        row.error("group", lambda: _("“%(value)s” is not a product group (1–6 or its name).") % {"value": text["group"]})
    v["producer_type"] = _producer_type(text.get("producer_type"), text.get("producer", ""))
    if v["producer_type"] is None:
        row.error("producer_type", lambda: _("“%(value)s” is not a producer type.") % {"value": text["producer_type"]})
    for column, limit in TEXT_LIMITS.items():
        v[column] = " ".join(text.get(column, "").split())
        if len(v[column]) > limit:
            row.error(column, lambda: _("The cell holds %(length)s characters; at most %(limit)s fit.") % {
                "length": len(v[column]), "limit": limit})
    if "date" in v and "province" in text:
        start, end = (datetime.date(v["date"].year, 1, 1), v["date"]) if v["year_only"] else (v["date"], v["date"])
        _locate(row, text, resolver, start, end)
    if "date" in v and "stars" in v:
        _check_rating(row, v, rules)
    return row


def _locate(row, text, resolver, start, end):
    v = row.values
    v["province"] = province = resolver.province(row, text["province"], start, end)
    v["district"] = v["commune"] = None
    if province is None:
        return
    if "district" in text:
        v["district"] = resolver.below(row, "district", text["district"], province, start, end)
    if "commune" in text:
        v["commune"] = resolver.below(row, "commune", text["commune"], v["district"] or province, start, end)
    if v["level"] == RatingDecision.Level.DISTRICT and not v["district"]:
        row.error("district", lambda: _("A district-level decision needs the district."))


class RatingRules:
    """The model's own rules (stars for the level, score band, expiry after the decision): Rating.clean().

    One scratch rating and decision, refilled for each row: two new model instances a row cost
    more than the rest of the row's checks.
    """

    def __init__(self):
        self.rating = Rating(decision=RatingDecision())

    def errors(self, v) -> dict[str, str]:
        rating = self.rating
        rating.decision.level, rating.decision.date = v["level"], v["date"]
        rating.stars, rating.score, rating.expires = v["stars"], v.get("score"), v.get("expires")
        try:
            rating.clean()
        except ValidationError as error:
            return {name: " ".join(messages) for name, messages in error.message_dict.items()}
        return {}


def _check_rating(row, v, rules: RatingRules):
    # The rules do not depend on the language: check once, and word the errors in both only when there are some.
    if not rules.errors(v):
        return
    if not row.word_errors:
        row.errors.append(RowError(row.number, "stars", UNWORDED))
        return
    texts = in_both(lambda: rules.errors(v))
    for name in texts["vi"]:
        column = name if name in ("stars", "score", "expires") else "stars"
        row.errors.append(RowError(row.number, column, {language: texts[language][name] for language in LANGUAGES}))


# The producer sheet: one row per producer, matched by province and name.
PRODUCER_COLUMNS = {
    **{key: COLUMNS[key] for key in ("province", "district", "commune", "producer", "producer_type")},
    "tax_code": ("ma so thue", "tax code", "mst"),
    "phone": ("dien thoai", "so dien thoai", "phone", "sdt"),
    "address": ("dia chi", "address"),
    "ocop_products": ("so san pham ocop", "ocop products"),  # in our exports; counted, never imported
}
COLUMN_LABELS |= {"file": _("File"), "tax_code": _("Tax code"), "phone": _("Phone"), "address": _("Address")}
PRODUCER_REQUIRED = ("province", "producer")
PRODUCER_HEADERS = ["Tỉnh", "Huyện", "Xã", "Chủ thể", "Loại hình chủ thể", "Mã số thuế", "Điện thoại", "Địa chỉ"]


def parse_producer_rows(dataset: tablib.Dataset, as_of: datetime.date) -> tuple[list[SheetRow], list[str]]:
    """Every row of a producer sheet, checked; unit names resolve to the units valid on `as_of`."""
    resolver = UnitResolver(provinces_named(dataset, PRODUCER_COLUMNS))

    def parse(row: SheetRow, cells: dict) -> SheetRow:
        text = filled(row, cells, PRODUCER_REQUIRED)
        v = row.values
        v["producer"] = " ".join(text.get("producer", "").split())
        v["producer_type"] = _producer_type(text.get("producer_type"), v["producer"])
        if v["producer_type"] is None:
            row.error("producer_type", lambda: _("“%(value)s” is not a producer type.") % {"value": text["producer_type"]})
        v.update({column: text[column] for column in ("tax_code", "phone", "address") if column in text})
        if "province" in text:
            v["level"] = None
            _locate(row, text, resolver, as_of, as_of)
        return row

    return read_rows(dataset, PRODUCER_COLUMNS, tuple((c,) for c in PRODUCER_REQUIRED), parse)
