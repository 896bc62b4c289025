"""Every generated sheet survives any stored text: characters a workbook may not hold (control
characters) come out as U+FFFD, in headers as in cells; and the register never stores them."""

import io

import openpyxl
import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.downloads import export
from imports.models import ImportRecord
from products.models import Producer

pytestmark = pytest.mark.django_db
CONTROLS = "".join(chr(c) for c in range(32) if chr(c) not in "\t\n\r")


def workbook(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content)).active


def test_control_characters_in_a_cell_come_out_replaced():
    sheet = workbook(export(tablib.Dataset([f"a{CONTROLS}b"], headers=["h"]), "xlsx"))
    assert sheet["A2"].value == "a" + "\ufffd" * len(CONTROLS) + "b"


def test_control_characters_in_a_header_come_out_replaced():
    sheet = workbook(export(tablib.Dataset(["x"], headers=["=h\x01"]), "xlsx"))
    assert sheet["A1"].value == "'=h\ufffd"


def test_the_rejected_rows_of_a_sheet_with_control_characters_download(admin_client, bac_kan):
    content = ("Tỉnh,Chủ thể\x01,Tên sản phẩm,Số sao,Ngày quyết định\n"
               "Bắc Kạn,HTX\x0b X,Sản phẩm Y,7,29/12/2021\n").encode()
    admin_client.post(reverse("admin:imports_importrecord_upload"), {"file": SimpleUploadedFile("ds.csv", content)})
    record = ImportRecord.objects.get()
    response = admin_client.get(reverse("admin:imports_importrecord_rejected", args=[record.pk]))
    assert response.status_code == 200 and "\ufffd" in str(workbook(response.content)["B1"].value)


def test_a_producer_saved_with_control_characters_keeps_none(make):
    producer = make.producer(phone="\x0b0912\x01345678", address="Số 7\x0bngõ 3", tax_code="47\x0000")
    producer.refresh_from_db()
    assert (producer.phone, producer.address, producer.tax_code) == ("0912345678", "Số 7ngõ 3", "4700")


def test_a_producer_form_with_control_characters_saves_and_exports(login, staff_a, bac_kan):
    client = login(staff_a)
    data = {"name": "HTX\x01 A", "type": Producer.Type.COOPERATIVE, "province": bac_kan.pk, "address": "Số 7\x0bngõ 3",
            "phone": "09\x0112", "products-TOTAL_FORMS": 0, "products-INITIAL_FORMS": 0}
    client.post(reverse("admin:products_producer_add"), data)
    producer = Producer.objects.get()
    response = client.post(reverse("admin:products_producer_changelist"),
                           {"action": "export_xlsx", "_selected_action": [producer.pk]})
    assert (producer.name, producer.address, producer.phone) == ("HTX A", "Số 7ngõ 3", "0912")
    assert response.status_code == 200
