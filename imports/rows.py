"""A sheet's rows as the import checks them: headers mapped to columns, cells parsed, and every
problem a `RowError` naming the spreadsheet row, the column and the reason, in Vietnamese and English.

Headers in Vietnamese or English, any case, accents or spacing; dates as dd/mm/yyyy (never read
US-style), ISO or real Excel dates; stars as "4", "4 sao", "4★", "Hạng 4 sao", "★★★★".
"""

import datetime
import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal

import tablib
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.bilingual import LANGUAGES, in_both, in_both_text  # noqa: F401 (in_both_text: the import's words)
from provinces.text import fold, unit_name_keys

# The columns every kind of sheet places its rows with: column -> the header spellings it answers to,
# compared after fold() and "_" -> " ".
PLACE_COLUMNS = {
    "province": ("tinh", "province", "tinh/thanh pho", "tinh thanh pho"),
    "district": ("huyen", "district", "quan/huyen", "huyen/thi xa/thanh pho"),
    "commune": ("xa", "commune", "xa/phuong", "phuong/xa", "xa/phuong/thi tran"),
}
PLACE_LABELS = {"province": _("Province"), "district": _("District"), "commune": _("Commune"), "file": _("File")}
# A column numbering the rows (STT, "số thứ tự"): read by nobody.
NUMBER_HEADERS = {"stt", "tt", "so tt", "so thu tu", "thu tu", "no", "no.", "#"}
# The last column of a rejected-rows download (imports/rejected.py): ours, so the fixed file
# re-imports without an "unknown column" warning about it.
ERROR_COLUMN = "Lỗi / Error"
EXCEL_EPOCH = datetime.date(1899, 12, 30)
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# "4", "4 sao", "4★", "Hạng 4 sao", "OCOP 4 sao", "Đạt 4 sao", "4-sao", "4 stars"; or the stars
# drawn: "★★★★", "⭐⭐⭐⭐".
STARS_RE = re.compile(r"^(?:(?:ocop|dat|hang|xep hang)\s*)*([1-5])(?:[.,]0+)?\s*-?\s*(?:sao|★+|⭐+|\*|stars?)?$")
DRAWN_STARS_RE = re.compile(r"^(★{1,5}|☆{1,5}|⭐{1,5}|\*{1,5})$")
# Unit names, levels, groups and producer types repeat down a sheet: fold each once.
cached_fold = functools.lru_cache(maxsize=16384)(fold)
cached_unit_name_keys = functools.lru_cache(maxsize=16384)(unit_name_keys)
# Errors (and warnings) listed and stored for a sheet; the rows past them are counted, not worded.
MAX_ERRORS = 1_000
# How often reading a table tells where it is (a table's `progress(rows done)`).
PROGRESS_ROWS = 1_000

@dataclass
class RowError:
    row: int
    column: str
    messages: dict[str, str]

    def text(self, language: str) -> str:
        with translation.override(language):
            return str(_("Row %(row)s, column %(column)s: %(message)s") % {
                "row": self.row, "column": column_label(self.column), "message": self.messages[language]})

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
    outcome: str = ""  # what writing it did (or would do): created, updated, unchanged

    def error(self, column: str, make) -> None:
        """Record an error; `make` builds the message (called once per language)."""
        message = in_both(lambda: str(make())) if self.word_errors else UNWORDED
        self.errors.append(RowError(self.number, column, message))

    def warn(self, column: str, make) -> None:
        message = in_both(lambda: str(make())) if self.word_warnings else UNWORDED
        self.warnings.append(RowError(self.number, column, message))


# The message of an error past MAX_ERRORS (never shown).
UNWORDED = dict.fromkeys(LANGUAGES, "")


def _header_key(header) -> str:
    return fold(str(header or "")).replace("_", " ")


def is_error_column(header) -> bool:
    return _header_key(header) == _header_key(ERROR_COLUMN)


def map_headers(headers, columns: dict[str, tuple[str, ...]], preferred=frozenset()) -> tuple[dict, list[str]]:
    """{column index: column name} for the headers recognised, and the headers that were not
    (apart from our own error column, a row-number column and those `columns` has under IGNORED,
    which are skipped without a word). Two headers naming one column: the first in `preferred`
    (a column mapping's), else the first in the row, is read."""
    aliases = {alias: column for column, names in columns.items() for alias in names}
    keys = [_header_key(header) for header in headers]
    mapping, unknown = {}, []
    for index in sorted(range(len(keys)), key=lambda index: keys[index] not in preferred):
        key, header = keys[index], headers[index]
        column = aliases.get(key)
        if column == IGNORED:
            continue
        if column and column not in mapping.values():
            mapping[index] = column
        elif key and not is_error_column(header) and key not in NUMBER_HEADERS:
            unknown.append(CONTROL_RE.sub("\ufffd", str(header)))
    return mapping, unknown


# In a kind's columns as a column mapping extends them: the headers to skip without a word.
IGNORED = ""


def with_mapping(columns: dict[str, tuple[str, ...]], mapping: dict[str, str] | None) -> dict[str, tuple[str, ...]]:
    """A kind's `columns` with the headers a column mapping names ({header: column, or "" to ignore it});
    a header the mapping names is read as it says, whatever else it could mean (see map_headers'
    `preferred`: mapped_keys)."""
    if not mapping:
        return columns
    named = {_header_key(header) for header in mapping}
    extended = {column: tuple(name for name in names if name not in named) for column, names in columns.items()}
    for header, column in mapping.items():
        if column == IGNORED or column in columns:
            extended[column] = (*extended.get(column, ()), _header_key(header))
    return extended


def mapped_keys(mapping: dict[str, str] | None) -> frozenset[str]:
    """The headers a column mapping names, as map_headers compares them."""
    return frozenset(_header_key(header) for header in mapping or {})


def column_label(column: str) -> str:
    """A column's name as the messages word it ("Tỉnh", "Province"): the sheet kinds declare them."""
    from .kinds import COLUMN_LABELS  # the kinds build on the rows, not the other way round

    return str(COLUMN_LABELS.get(column, column))


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
    text = cached_fold(str(value)).replace(" ", "")
    if drawn := DRAWN_STARS_RE.match(text):
        return len(drawn.group(1))
    match = STARS_RE.match(cached_fold(str(value)))
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


def blank(value) -> bool:
    return value is None or str(value).strip() == ""


def read_rows(
    dataset: tablib.Dataset, columns: dict, required: tuple[tuple[str, ...], ...], parse, from_title=None
) -> tuple[list[SheetRow], list[str]]:
    """Every data row of a table of any kind (table.find_table), checked by `parse(row, cells)`; and
    the headers not recognised.

    `required` lists groups of columns of which the header row needs at least one; when one is
    missing, the only row returned is the header row with an error per missing group. A column the
    sheet lacks may hold one value for every row: given with the upload (`dataset.given`, which
    also overrides the sheet's column), or read from the title by `from_title(title lines)`.
    """
    named = getattr(dataset, "mapping", None)  # a column mapping's names for the headers
    mapping, unknown = map_headers(dataset.headers or [], with_mapping(columns, named), mapped_keys(named))
    header_row, first_row = getattr(dataset, "header_row", 1), getattr(dataset, "first_row", 2)
    notes = list(getattr(dataset, "notes", ()))
    fixed = _for_every_row(dataset, set(mapping.values()), from_title, notes)
    mapping = {index: column for index, column in mapping.items() if column not in fixed}
    found = set(mapping.values()) | set(fixed)
    missing = [group[0] for group in required if not found & set(group)]
    if missing:
        row = SheetRow(header_row)
        for column in missing:
            row.error(column, lambda: _("This column is missing from the header row."))
        row.warnings = [RowError(header_row, "file", note) for note in notes]
        return [row], unknown
    rows, errors, warnings = [], 0, 0
    report = getattr(dataset, "progress", None)
    for index, raw in enumerate(dataset, start=first_row):
        if report and not (index - first_row) % PROGRESS_ROWS:
            report(index - first_row)
        cells = {column: unquote(raw[i]) for i, column in mapping.items() if i < len(raw)}
        if all(blank(v) for v in cells.values()):
            continue
        cells.update(fixed)
        # Invisible and meaningless in a name, and PostgreSQL refuses NUL even inside JSON: shown
        # as � in the messages that quote the cell, and an error on it.
        hidden = [column for column, value in cells.items() if isinstance(value, str) and CONTROL_RE.search(value)]
        cells.update({column: CONTROL_RE.sub("\ufffd", cells[column]) for column in hidden})
        row = parse(SheetRow(index, word_errors=errors < MAX_ERRORS, word_warnings=warnings < MAX_ERRORS), cells)
        for column in hidden:
            row.error(column, lambda: _("The cell holds an invisible control character."))
        errors, warnings = errors + len(row.errors), warnings + len(row.warnings)
        rows.append(row)
    if rows:  # what reading the file found (its encoding, the table's bounds), said on the header row
        rows[0].warnings[:0] = [RowError(header_row, "file", note) for note in notes]
    return rows, unknown


def _for_every_row(dataset, in_sheet: set[str], from_title, notes: list) -> dict[str, str]:
    """The values every row takes: given with the upload, else read from the title where the sheet
    has no such column; each said in `notes`."""
    given = {column: value for column, value in (getattr(dataset, "given", None) or {}).items() if not blank(value)}
    titled = from_title(getattr(dataset, "title", [])) if from_title else {}
    fixed = {}
    for column, value in given.items():
        fixed[column] = value
        notes.append(in_both(lambda: str(_("%(column)s “%(value)s”, for every row: as given with the upload.") % {
            "column": column_label(column), "value": value})))
    for column, (value, number) in titled.items():
        if column not in fixed and column not in in_sheet:
            fixed[column] = value
            notes.append(in_both(lambda: str(_("%(column)s “%(value)s”, for every row: read from the title "
                                               "(row %(row)s).") % {"column": column_label(column), "value": value,
                                                                   "row": number})))
    return fixed


def unquote(value):
    # Our exports keep formula-like text inert with a leading apostrophe; read it back as typed.
    if isinstance(value, str) and value.startswith("'") and value[1:2] in ("=", "+", "-", "@"):
        return value[1:]
    return value


def filled(row: SheetRow, cells: dict, required) -> dict[str, str]:
    """The row's cells that are not blank, as stripped text; each `required` column left blank is an error."""
    text = {k: str(v).strip() for k, v in cells.items() if not blank(v)}
    for column in required:
        if column not in text:
            row.error(column, lambda: _("This cell is required."))
    return text
