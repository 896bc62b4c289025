"""Property-based tests: random and hostile input to the imports and pages never causes a server
error, never leaves part of a sheet written, and is never reflected as live HTML."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imports.kinds import KINDS
from imports.kinds.figures import FIGURE_HEADERS
from imports.kinds.targets import TARGET_HEADERS
from imports.models import ImportRecord
from imports.services import importer
from products.exports import HEADERS, PRODUCER_HEADERS
from products.models import Producer, Product, Rating, RatingDecision
from targets.models import Plan, ReportedFigure, Target

pytestmark = pytest.mark.django_db
SCRIPT = "<script>alert(1)</script>"
HOSTILE = st.sampled_from([
    SCRIPT, "=HYPERLINK(\"http://x\")", "+1", "-1", "@SUM(A1)", "\x00", "\x1b[31m", "\u202e", "'; DROP TABLE x;--",
    "9" * 400, "x" * 5000, "NaN", "inf", "1e999", "31/02/2021", "0", "-5", "Bắc Kạn", "Na Rì", "4 sao", "29/12/2021",
])
CELL = st.one_of(st.text(max_size=60), HOSTILE, st.integers(-10**12, 10**12).map(str), st.just(""))
HEADERS_BY_KIND = {"products": HEADERS, "producers": PRODUCER_HEADERS, "targets": TARGET_HEADERS,
                   "figures": FIGURE_HEADERS}
MODELS = (Producer, Product, RatingDecision, Rating, Plan, Target, ReportedFigure)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def csv_bytes(headers, rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def sheets(kind):
    headers = HEADERS_BY_KIND[kind]
    # Some columns dropped or shuffled now and then: a sheet as people really send them.
    columns = st.lists(st.sampled_from(headers), min_size=1, max_size=len(headers), unique=True)
    return columns.flatmap(lambda cols: st.tuples(
        st.just(cols), st.lists(st.lists(CELL, min_size=len(cols), max_size=len(cols)), min_size=1, max_size=4)))


def counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in MODELS)


@pytest.mark.parametrize("kind", list(KINDS))
def test_an_import_of_a_hostile_sheet_writes_all_or_nothing_and_never_fails(kind, bac_kan):
    @SETTINGS
    @given(sheet=sheets(kind))
    def check(sheet):
        columns, rows = sheet
        with transaction.atomic():
            before = counts()
            result = importer(kind)(content=csv_bytes(columns, rows), filename="x.csv")
            after = counts()
            transaction.set_rollback(True)
        assert (after == before) if result.errors else result.written
        assert all(error.row >= 1 and error.column for error in result.errors)

    check()


def test_hostile_cells_in_an_upload_preview_are_shown_escaped(admin_client, bac_kan):
    @SETTINGS
    @given(cell=HOSTILE, column=st.sampled_from(["Tỉnh", "Số sao", "Ngày quyết định", "Tên sản phẩm"]))
    def check(cell, column):
        row = {"Tỉnh": "Bắc Kạn", "Chủ thể": "HTX A", "Tên sản phẩm": "Miến", "Số sao": "4",
               "Ngày quyết định": "29/12/2021"}
        row[column] = f"{cell}{SCRIPT}"
        file = SimpleUploadedFile("x.csv", csv_bytes(list(row), [list(row.values())]))
        with transaction.atomic():
            response = admin_client.post("/admin/imports/importrecord/upload/", {"file": file}, follow=True)
            transaction.set_rollback(True)
        assert response.status_code == 200 and SCRIPT not in response.content.decode()

    check()


@SETTINGS
@given(value=st.one_of(st.text(max_size=200), HOSTILE))
def test_any_as_of_date_on_the_dashboards_is_answered_without_error_or_reflection(client, value):
    for url in ("/", "/tinh/bac-kan/", "/tinh/bac-kan/progress.json"):
        response = client.get(url, {"as_of": f"{value}{SCRIPT}"})
        # 302 and 403: a visitor sent to log in, or told to in JSON.
        assert response.status_code in (200, 302, 400, 403) and SCRIPT not in response.content.decode()


def test_a_control_character_in_a_cell_is_an_error_on_its_row_and_column(bac_kan):
    content = csv_bytes(["Tỉnh", "Chủ thể", "Tên sản phẩm", "Số sao", "Năm công nhận"],
                        [["Bắc Kạn", "HTX\x00A", "Miến", "4", "2021"]])
    result = importer("products")(content=content, filename="x.csv")
    assert [(e.row, e.column) for e in result.errors] == [(2, "producer")]


@SETTINGS
@given(term=st.one_of(st.text(max_size=100), HOSTILE))
def test_any_admin_search_is_answered_without_error_or_reflection(admin_client, term):
    response = admin_client.get("/admin/products/product/", {"q": f"{term}{SCRIPT}"})
    assert response.status_code == 200 and SCRIPT not in response.content.decode()


def test_a_header_with_a_control_character_is_kept_visible_in_the_import_record(admin_client, bac_kan):
    file = SimpleUploadedFile("x.csv", csv_bytes(["Tỉnh", "Chủ thể", "Tên sản phẩm", "Số sao", "Năm", "Ghi\x00chú"],
                                                 [["Bắc Kạn", "HTX A", "Miến", "4", "2021", ""]]))
    admin_client.post("/admin/imports/importrecord/upload/", {"file": file})
    assert ImportRecord.objects.get().unknown_columns == ["Ghi\ufffdchú"]
