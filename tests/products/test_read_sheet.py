"""Reading an .xlsx upload (python-calamine): cells as the parsers expect them, row numbers as the
spreadsheet shows them, and a file that is no workbook refused with a message."""

import datetime
import io
import zipfile

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from imports.reading import read_sheet
from imports.services import import_producers, import_products
from products.models import Producer, Rating

pytestmark = pytest.mark.django_db
HEADER = ["Tỉnh", "Chủ thể", "Tên sản phẩm", "Số sao", "Điểm", "Ngày quyết định"]


def workbook(*rows, header=HEADER) -> bytes:
    book = openpyxl.Workbook()
    for row in [header, *rows]:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_whole_numbers_read_as_integers_blanks_as_none_and_dates_as_dates():
    content = workbook(["Bắc Kạn", "HTX Tài Hoan", "Miến dong", 4, 72.5, datetime.datetime(2021, 12, 29)],
                       ["Bắc Kạn", "HTX Tài Hoan", "Bánh trời", "3 sao", None, "29/12/2021"])
    first, second = read_sheet(content, "ds.xlsx")
    assert (first[3], first[4], first[5], second[4]) == (4, 72.5, datetime.date(2021, 12, 29), None)


def test_a_tax_code_typed_as_a_number_is_stored_without_a_decimal_point(bac_kan):
    content = workbook(["Bắc Kạn", "Hợp tác xã Tài Hoan", "Hợp tác xã", 4700123456],
                       header=["Tỉnh", "Chủ thể", "Loại hình chủ thể", "Mã số thuế"])
    import_producers(content=content, filename="chu-the.xlsx")
    assert Producer.objects.get().tax_code == "4700123456"


def test_a_blank_row_keeps_the_row_numbers_the_spreadsheet_shows(bac_kan):
    content = workbook(["Bắc Kạn", "HTX Tài Hoan", "Miến dong", 4, 75, "29/12/2021"], [None] * 6,
                       ["Bắc Kạn", "HTX Tài Hoan", "Bánh trời", 7, None, "29/12/2021"])
    result = import_products(content=content, filename="ds.xlsx")
    assert [(e.row, e.column) for e in result.errors] == [(4, "stars")]


def test_an_imported_workbook_writes_its_dates_and_scores_as_typed(bac_kan):
    import_products(content=workbook(["Bắc Kạn", "HTX Tài Hoan", "Miến dong", 4, 72.5,
                                      datetime.datetime(2021, 12, 29)]),
                    filename="ds.xlsx")
    rating = Rating.objects.select_related("decision").get()
    assert ((str(rating.score), rating.decision.date, rating.expires)
            == ("72.50", datetime.date(2021, 12, 29), datetime.date(2024, 12, 29)))


def test_a_zip_that_is_not_a_workbook_is_refused_with_a_message():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "không phải bảng tính")
    with pytest.raises(ValidationError, match="Excel"):
        read_sheet(buffer.getvalue(), "ds.xlsx")


def test_the_command_names_a_file_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "ds.xlsx"
    path.write_bytes(b"PK\x05\x06" + b"\0" * 18)  # an empty zip archive
    with pytest.raises(CommandError, match=r"Excel \(\.xlsx\)"):
        call_command("import_ocop", str(path))
