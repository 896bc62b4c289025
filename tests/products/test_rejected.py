import pytest

from imports.models import ImportRecord
from imports.rejected import rejected_rows
from imports.rows import PLACE_COLUMNS, map_headers
from imports.services import import_products

pytestmark = pytest.mark.django_db

SHEET = "Tỉnh,Chủ thể,Tên sản phẩm,Số sao,Điểm,Ngày quyết định,Lỗi / Error\n"
BAD = "Bắc Kạn,HTX X,Sản phẩm Y,7,101,29/12/2021,old error\n"


def record_of(text: str) -> ImportRecord:
    content = text.encode()
    result = import_products(content=content, filename="ds.csv", dry_run=True)
    return ImportRecord(filename="ds.csv", content=content,
                        errors=[{"row": e.row, "column": e.column, **e.messages} for e in result.errors])


def test_the_error_column_is_ignored_without_a_warning():
    assert map_headers(["Tỉnh", "lỗi / error", "Ghi chú"], PLACE_COLUMNS) == ({0: "province"}, ["Ghi chú"])


def test_a_rejected_file_rejected_again_keeps_one_error_column():
    data = rejected_rows(record_of(SHEET + BAD))
    assert data.headers.count("Lỗi / Error") == 1 and "old error" not in data[0]


def test_every_error_of_a_row_is_in_its_cell_in_both_languages():
    cell = rejected_rows(record_of(SHEET + BAD))[0][-1]
    assert cell.startswith("Số sao: “7”") and "; Điểm: “101”" in cell and " / Stars: “7”" in cell


def test_a_header_error_gives_back_no_rows():
    assert len(rejected_rows(record_of("Tỉnh,Chủ thể\nBắc Kạn,HTX X\n"))) == 0
