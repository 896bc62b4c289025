"""The upload gate (imports/reading.py: check_file, read_sheet): every hostile kind of file, generated
here with bench/abuse.py's builders, through the web upload and through import_ocop alike: refused
(or read) with a message in both languages, never a 500 or a traceback, nothing written.

Where the real bound would need a big file (rows, unzipped size, upload size, errors), the test
lowers the bound (monkeypatch on imports.reading) and sends a small file past it.
"""

import io
import unicodedata
import zipfile

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from bench import abuse
from imports import reading as sheets
from imports import rows
from imports.models import ImportRecord
from imports.services import importer
from products.models import Producer, Product, Rating

pytestmark = pytest.mark.django_db
UPLOAD = "/admin/imports/importrecord/upload/"

# name -> (file name, content builder, bounds lowered for the test, a words of the message in English)
HOSTILE = {
    "far cell": ("a.xlsx", abuse.far_cell_xlsx, {}, "reaches row 1048576"),
    "far cell, prefixed tags": ("a.xlsx", lambda: abuse.workbook(
        abuse.header_row()
        + f'<x:row xmlns:x="{abuse.MAIN}" r="1048576"><x:c r="XFD1048576"><x:v>1</x:v></x:c></x:row>'),
        {}, "reaches row 1048576"),
    "far cell, sheet elsewhere": ("a.xlsx", lambda: abuse.workbook(
        abuse.header_row() + f'<row r="1048576">{abuse.cell("XFD1048576", "x")}</row>', sheet_path="data/s.xml"),
        {}, "reaches row 1048576"),
    "cells without references": ("a.xlsx", lambda: abuse.workbook(
        abuse.header_row() + '<row r="3">' + "<c><v>1</v></c>" * 150 + "</row>"), {}, "reaches column CW"),
    "cells without references, fake ones beside them": ("a.xlsx", lambda: abuse.workbook(
        abuse.header_row() + '<row r="3"><c r="A3" t="inlineStr"><is><t><![CDATA[' + '<c r="A1">' * 150
        + "]]></t></is></c>" + "<c><v>1</v></c>" * 150 + "</row>"), {}, "reaches column CW"),
    "too many cells": ("a.xlsx", lambda: abuse.workbook(
        abuse.header_row() + "".join(f'<row r="{n}"><c r="A{n}" s="1"/></row>' for n in range(2, 62))),
        {"MAX_CELLS": 50}, "more than 50 cells"),
    "entities": ("a.xlsx", lambda: abuse.workbook(abuse.header_row() + '<row r="2"><c><v>&e;</v></c></row>',
                                                  prolog='<!DOCTYPE w [<!ENTITY e "1">]>'),
                 {}, "not an Excel workbook"),
    "deep nesting": ("a.xlsx", lambda: abuse.workbook(
        abuse.header_row() + "<extLst>" + "<a>" * 200 + "</a>" * 200 + "</extLst>"),
        {}, "not an Excel workbook"),
    "unreadable reference": ("a.xlsx", lambda: abuse.workbook(
        abuse.header_row() + '<row r="2"><c r="A-2"><v>1</v></c></row>'),
        {}, "not an Excel workbook"),
    "far column": ("a.xlsx", lambda: abuse.workbook(abuse.header_row() + f'<row r="2">{abuse.cell("XFD2", "x")}</row>'),
                   {}, "reaches column XFD"),
    "declared rows": ("a.xlsx", lambda: abuse.workbook(abuse.header_row(), "A1:N1000000"), {}, "reaches row 1000000"),
    "rows over the cap (xlsx)": ("a.xlsx", lambda: abuse.declared_rows_xlsx(50), {"MAX_ROWS": 10}, "at most 10 rows"),
    "rows over the cap (csv)": ("a.csv", lambda: abuse.garbage_csv(size=3000), {"MAX_ROWS": 10}, "at most 10 rows"),
    "columns over the cap (csv)": ("a.csv", lambda: (",".join(abuse.HEADERS) + ",x" * 200).encode(), {},
                                   "at most 100 columns"),
    "zip bomb": ("a.xlsx", lambda: abuse.zip_bomb_xlsx(3 << 20), {"MAX_UNZIPPED_BYTES": 1 << 20},
                 "decompresses to more than"),
    "too big": ("a.csv", lambda: b"a," * 600, {"MAX_UPLOAD_BYTES": 1000}, "larger than"),
    "200,000-character cell": ("a.csv", abuse.long_cell_csv, {}, "more than 5,000 characters"),
    "6,000-character cell": ("a.csv", lambda: abuse.long_cell_csv(6000), {}, "holds 6,000 characters"),
    "long cell (xlsx)": ("a.xlsx", lambda: abuse.workbook(
        abuse.header_row() + f'<row r="2">{abuse.cell("D2", "x" * 6000)}</row>'),
        {}, "holds 6,000 characters"),
    "random bytes": ("a.csv", lambda: bytes(range(256)) * 40, {}, "cannot be read"),
    "bad UTF-16": ("a.csv", lambda: b"\xff\xfe" + b"a\x00" * 5 + b"\x00\xd8", {}, "not text in UTF-16"),
    "old Excel": ("a.xls", abuse.xls_file, {}, "Only .xlsx and .csv"),
    "macros": ("a.xlsm", lambda: abuse.workbook(abuse.header_row()), {}, "Only .xlsx and .csv"),
    "OpenDocument": ("a.ods", lambda: b"PK\x03\x04", {}, "Only .xlsx and .csv"),
    "not a zip": ("a.xlsx", lambda: b"not a zip at all", {}, "not an Excel workbook"),
    "zip without a workbook": ("a.xlsx", lambda: _zip({"x.txt": b"x"}), {}, "not an Excel workbook"),
    "cell with two references": ("a.xlsx", abuse.duplicate_reference_xlsx, {}, "not an Excel workbook"),
    "relationships too big": ("a.xlsx", lambda: abuse.padded_relationships_xlsx(padding=3000),
                              {"MAX_METADATA_BYTES": 2000}, "larger than 1 KB"),
    "a shared string repeated past the text bound": ("a.xlsx", lambda: abuse.shared_strings_xlsx(["a", "x" * 400], 5,
                                                                                                 index=1),
                                                     {"MAX_SHEET_CHARS": 1000}, "1,000 characters of text"),
    "corrupt part": ("a.xlsx", lambda: abuse.workbook(abuse.header_row())[:-200] + b"\0" * 200, {},
                     "not an Excel workbook"),
}


def _zip(parts: dict) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def written() -> tuple[int, ...]:
    return ImportRecord.objects.count(), Producer.objects.count(), Product.objects.count(), Rating.objects.count()


def upload(client, name: str, content: bytes, **fields):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, content), "kind": "products", **fields})


def command(tmp_path, name: str, content: bytes, *args) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    out = io.StringIO()
    call_command("import_ocop", str(path), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture(params=HOSTILE)
def hostile(request, monkeypatch):
    name, build, bounds, words = HOSTILE[request.param]
    for bound, value in bounds.items():
        monkeypatch.setattr(sheets, bound, value)
    return name, build(), words


def test_a_hostile_file_uploaded_is_refused_with_a_message_and_nothing_written(admin_client, bac_kan, hostile):
    name, content, words = hostile
    response = upload(admin_client, name, content)
    assert response.status_code == 200 and words in response.content.decode()
    assert written() == (0, 0, 0, 0)


def test_a_hostile_file_given_to_the_command_is_refused_with_a_message(tmp_path, bac_kan, hostile):
    name, content, words = hostile
    with pytest.raises(CommandError, match=words):
        command(tmp_path, name, content)
    assert written() == (0, 0, 0, 0)


def test_a_refusal_is_worded_in_vietnamese_then_english(tmp_path):
    with pytest.raises(CommandError, match="Chỉ nhập được tệp .xlsx và .csv.* / Only .xlsx and .csv"):
        command(tmp_path, "a.xls", abuse.xls_file())


# --- csv as offices save it ---------------------------------------------------------------------

@pytest.mark.parametrize("name", abuse.valid_csv_files())
def test_a_csv_as_offices_save_it_imports_as_the_utf8_one(bac_kan, name):
    content = abuse.valid_csv_files()[name]
    result = importer("products")(content=content, filename="a.csv")
    assert (result.created, result.failed_rows) == (2, 0)
    assert set(Product.objects.values_list("name", flat=True)) == {"Miến dong Tài Hoan", "Mật ong bạc hà"}


@pytest.mark.parametrize("name", abuse.valid_csv_files())
def test_a_csv_as_offices_save_it_is_previewed_on_the_web(admin_client, bac_kan, name):
    upload(admin_client, "a.csv", abuse.valid_csv_files()[name])
    assert ImportRecord.objects.values_list("created", "failed_rows").get() == (2, 0)


def test_names_read_from_windows_1258_are_stored_composed(bac_kan):
    importer("products")(content=abuse.valid_csv_files()["cp1258.csv"], filename="a.csv")
    name = Product.objects.get(name__startswith="Miến").name
    assert name == unicodedata.normalize("NFC", name) == "Miến dong Tài Hoan"


def test_a_csv_read_as_windows_1258_says_so(bac_kan):
    result = importer("products")(content=abuse.valid_csv_files()["cp1258.csv"], filename="a.csv", dry_run=True)
    assert [(w.row, w.column) for w in result.warnings if "Windows-1258" in w.messages["en"]] == [(1, "file")]


def test_the_command_warns_of_windows_1258(tmp_path, bac_kan, capsys):
    path = tmp_path / "a.csv"
    path.write_bytes(abuse.valid_csv_files()["cp1258.csv"])
    call_command("import_ocop", str(path), "--dry-run")
    assert "Windows-1258" in capsys.readouterr().err


def test_text_decomposed_in_an_xlsx_is_read_composed(bac_kan):
    decomposed = unicodedata.normalize("NFD", "Bắc Kạn")
    content = abuse.workbook(abuse.header_row() + f'<row r="2">{abuse.cell("A2", decomposed)}</row>')
    assert sheets.read_sheet(content, "a.xlsx")[0][0] == "Bắc Kạn"


# --- Bounded errors -------------------------------------------------------------------------------

BAD_ROWS = abuse.csv_text([["Bắc Kạn", "", "", f"HTX {n}", "", "Miến", "1", "9", "", "", "29/12/2021", "", "", ""]
                           for n in range(20)]).encode()


def test_errors_past_the_cap_are_counted_not_listed(bac_kan, monkeypatch):
    monkeypatch.setattr(rows, "MAX_ERRORS", 5)
    result = importer("products")(content=BAD_ROWS, filename="a.csv")
    assert (len(result.errors), result.failed_rows, result.unlisted_failed_rows) == (5, 20, 15)


def test_the_command_counts_every_failed_row_and_says_how_many_are_not_listed(tmp_path, bac_kan, monkeypatch, capsys):
    monkeypatch.setattr(rows, "MAX_ERRORS", 5)
    path = tmp_path / "a.csv"
    path.write_bytes(BAD_ROWS)
    with pytest.raises(SystemExit):
        call_command("import_ocop", str(path))
    out = capsys.readouterr().out
    assert "errors: 20" in out and "15 more rows" in out


def test_an_upload_stores_at_most_the_capped_errors_and_says_how_many_more_rows_failed(admin_client, bac_kan,
                                                                                       monkeypatch):
    monkeypatch.setattr(rows, "MAX_ERRORS", 5)
    response = admin_client.post(UPLOAD, {"file": SimpleUploadedFile("a.csv", BAD_ROWS), "kind": "products"},
                                 follow=True)
    assert ImportRecord.objects.values_list("failed_rows", flat=True).get() == 20
    assert len(ImportRecord.objects.get().errors) == 5 and 'id="unlisted-errors"' in response.content.decode()


def test_the_list_of_imports_reads_neither_files_nor_errors(admin_client, admin_user):
    ImportRecord.objects.create(user=admin_user, filename="a.csv", content=b"x", sha256="0", errors=[{"row": 2}],
                                failed_rows=1)
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get("/admin/imports/importrecord/")
    selected = " ".join(q["sql"] for q in queries if "products_importrecord" in q["sql"])
    assert response.status_code == 200 and '"content"' not in selected and '"errors"' not in selected


# --- Generated sheets ---------------------------------------------------------------------------

def test_a_formula_in_a_header_comes_back_inert_in_the_rejected_rows(admin_client, bac_kan):
    upload(admin_client, "a.csv", abuse.header_formula_csv())
    record = ImportRecord.objects.get()
    response = admin_client.get(f"/admin/imports/importrecord/{record.pk}/rejected.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))
    headers = [cell.value for cell in sheet.active[1]]
    assert any(h.startswith("'=HYPERLINK") for h in headers) and not any(h.startswith("=") for h in headers)


# --- Any bytes ---------------------------------------------------------------------------------

SMALL_WORKBOOK = abuse.workbook(
    abuse.header_row() + f'<row r="2">{abuse.cell("A2", "Bắc Kạn")}<c r="H2"><v>4</v></c></row>')


@settings(max_examples=150, deadline=None)
@given(content=st.binary(max_size=3000), name=st.sampled_from(["a.csv", "a.xlsx"]))
def test_any_bytes_are_read_or_refused_with_a_message(content, name):
    try:
        sheets.read_sheet(content, name)
    except ValidationError as error:
        assert error.messages[0]


@settings(max_examples=150, deadline=None)
@given(at=st.integers(0, len(SMALL_WORKBOOK) - 1), byte=st.integers(0, 255), length=st.integers(1, 8))
def test_a_damaged_workbook_is_read_or_refused_with_a_message(at, byte, length):
    content = SMALL_WORKBOOK[:at] + bytes([byte]) * length + SMALL_WORKBOOK[at + length:]
    try:
        sheets.read_sheet(content, "a.xlsx")
    except ValidationError as error:
        assert error.messages[0]


# --- Holes the gate's scan must not leave (check_file alone: the reader is never reached) -------------

SST = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{abuse.MAIN}">%s</sst>'


def shared(*texts: str) -> dict[str, bytes]:
    """A shared-strings part holding `texts`, for abuse.workbook(extra=…)."""
    return {"xl/sharedStrings.xml": (SST % "".join(f"<si><t>{text}</t></si>" for text in texts)).encode()}


def refused(content: bytes) -> str:
    with pytest.raises(ValidationError) as error:
        sheets.check_file(content, "a.xlsx")
    return error.value.messages[0]


def test_a_cell_with_two_references_is_refused_before_the_reader():
    assert "not an Excel workbook" in refused(abuse.duplicate_reference_xlsx())


def test_relationships_too_big_to_parse_are_refused_not_skipped(monkeypatch):
    monkeypatch.setattr(sheets, "MAX_METADATA_BYTES", 2000)
    assert "larger than" in refused(abuse.padded_relationships_xlsx(padding=3000))


def test_a_workbook_listing_too_many_sheets_is_refused(monkeypatch):
    monkeypatch.setattr(sheets, "MAX_SHEETS", 5)
    content = abuse.workbook(abuse.header_row())
    content = _replace_part(content, "xl/workbook.xml", lambda xml: xml.replace(
        b"</sheets>", b'<sheet name="S" sheetId="1" r:id="rId1"/>' * 6 + b"</sheets>"))
    assert "more than 5 sheets" in refused(content)


def test_a_workbook_defining_too_many_names_is_refused(monkeypatch):
    monkeypatch.setattr(sheets, "MAX_DEFINED_NAMES", 5)
    content = _replace_part(abuse.workbook(abuse.header_row()), "xl/workbook.xml", lambda xml: xml.replace(
        b"</workbook>",
        b"<definedNames>" + b'<definedName name="n">S!$A$1</definedName>' * 6 + b"</definedNames></workbook>"))
    assert "more than 5 names" in refused(content)


def _replace_part(content: bytes, name: str, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w") as changed:
        for item in source.infolist():
            data = source.read(item)
            changed.writestr(item, change(data) if item.filename == name else data)
    return out.getvalue()


def test_a_shared_string_longer_than_a_cell_may_hold_is_refused():
    content = abuse.shared_strings_xlsx(["x" * 6000], 1)
    assert "holds 6,000 characters" in refused(content)


def test_too_many_shared_strings_are_refused(monkeypatch):
    monkeypatch.setattr(sheets, "MAX_CELLS", 50)
    content = abuse.shared_strings_xlsx(["a"] * 60, 0)
    assert "more than 50" in refused(content)


def test_a_sheet_whose_cells_repeat_a_shared_string_past_the_text_bound_is_refused(monkeypatch):
    monkeypatch.setattr(sheets, "MAX_SHEET_CHARS", 1000)
    content = abuse.shared_strings_xlsx(["a", "x" * 400], 5, index=1)
    assert "1,000 characters" in refused(content)


def test_a_sheet_repeating_a_short_shared_string_is_let_through(monkeypatch):
    monkeypatch.setattr(sheets, "MAX_SHEET_CHARS", 1000)
    content = abuse.shared_strings_xlsx(["a", "x" * 400], 5, index=0)
    sheets.check_file(content, "a.xlsx")


def test_a_long_inline_string_is_refused_at_the_scan():
    content = abuse.workbook(abuse.header_row() + f'<row r="2">{abuse.cell("D2", "x" * 6000)}</row>')
    assert "holds 6,000 characters" in refused(content)


def test_a_shared_string_index_written_oddly_is_refused():
    content = abuse.workbook(abuse.header_row() + '<row r="2"><c r="A2" t="s"><v>0</v>9</c></row>', extra=shared("a"))
    assert "not an Excel workbook" in refused(content)


def test_a_sheets_own_relationships_are_not_bounded_like_the_workbooks(monkeypatch):
    # A link on every row of a register makes them big; the reader does not read them to find sheets.
    monkeypatch.setattr(sheets, "MAX_METADATA_BYTES", 2000)
    links = "".join(f'<Relationship Id="rId{n}" Type="hyperlink" Target="https://example.org/{n}" '
                    'TargetMode="External"/>'
                    for n in range(100))
    extra = {"xl/worksheets/_rels/sheet1.xml.rels": f'<Relationships xmlns="x">{links}</Relationships>'}
    sheets.check_file(abuse.workbook(abuse.header_row(), extra=extra), "a.xlsx")
