import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from imports.models import ImportRecord
from products.models import Product

pytestmark = pytest.mark.django_db

HEADER = "Tỉnh,Chủ thể,Tên sản phẩm,Số sao,Ngày quyết định\n"
GOOD = "Bắc Kạn,HTX Tài Hoan,Miến dong,4,29/12/2021\n"
BAD = "Bắc Kạn,HTX X,Sản phẩm Y,7,29/12/2021\n"


def import_file(client, content: bytes, name="ds.csv", **fields) -> ImportRecord:
    """Upload, then confirm when the preview allows it; the record as it ends."""
    client.post("/admin/imports/importrecord/upload/", {"file": SimpleUploadedFile(name, content), **fields})
    record = ImportRecord.objects.latest("pk")
    client.post(f"/admin/imports/importrecord/{record.pk}/confirm/")
    return ImportRecord.objects.get(pk=record.pk)


def rejected(client, record) -> openpyxl.worksheet.worksheet.Worksheet:
    response = client.get(f"/admin/imports/importrecord/{record.pk}/rejected.xlsx")
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def test_rejected_rows_come_back_with_their_errors(admin_client):
    record = import_file(admin_client, (HEADER + BAD + GOOD).encode(), skip_invalid="on")
    rows = list(rejected(admin_client, record).values)
    assert [row[:4] for row in rows] == [("Tỉnh", "Chủ thể", "Tên sản phẩm", "Số sao"),
                                         ("Bắc Kạn", "HTX X", "Sản phẩm Y", "7")]
    assert rows[0][-1] == "Lỗi / Error" and "“7” không phải" in rows[1][-1] and "“7” is not" in rows[1][-1]


def test_a_fixed_rejected_file_imports_with_no_error(admin_client):
    record = import_file(admin_client, (HEADER + BAD + GOOD).encode(), skip_invalid="on")
    sheet = rejected(admin_client, record)
    sheet["D2"] = 4
    content = io.BytesIO()
    sheet.parent.save(content)
    again = import_file(admin_client, content.getvalue(), name="fixed.xlsx")
    assert (again.created, again.errors, again.unknown_columns) == (1, [], [])
    assert Product.objects.filter(name="Sản phẩm Y").exists()


def test_a_preview_with_errors_offers_the_rejected_rows(admin_client):
    admin_client.post("/admin/imports/importrecord/upload/",
                      {"file": SimpleUploadedFile("ds.csv", (HEADER + BAD).encode())})
    page = admin_client.get(f"/admin/imports/importrecord/{ImportRecord.objects.get().pk}/change/").content.decode()
    assert 'id="rejected-rows"' in page


def test_a_sheet_with_no_errors_offers_no_rejected_rows(admin_client):
    record = import_file(admin_client, (HEADER + GOOD).encode())
    page = admin_client.get(f"/admin/imports/importrecord/{record.pk}/change/").content.decode()
    assert 'id="rejected-rows"' not in page


def test_the_rejected_rows_need_the_view_permission(admin_client, client, django_user_model):
    record = import_file(admin_client, (HEADER + BAD).encode())
    client.force_login(django_user_model.objects.create_user("staff", is_staff=True))
    # 404 when out of scope
    assert client.get(f"/admin/imports/importrecord/{record.pk}/rejected.xlsx").status_code in (403, 404)
