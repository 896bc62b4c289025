import dataclasses
import io

import openpyxl
import pytest

from imports.kinds import KINDS
from imports.services import import_products, importer
from imports.template import LISTS_TITLE, template_workbook

pytestmark = pytest.mark.django_db


def dropdowns(content: bytes) -> dict[str, list]:
    """{header: the values its dropdown offers}, read back from the workbook."""
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet, lists = workbook.worksheets[0], workbook[LISTS_TITLE]
    found = {}
    for validation in sheet.data_validations.dataValidation:
        source = validation.formula1.split("!")[1].replace("$", "")
        column = str(validation.sqref).split(":")[0].rstrip("0123456789")
        found[sheet[f"{column}1"].value] = [cell.value for row in lists[source] for cell in row]
    return found


def with_cell(header: str, value) -> bytes:
    """The template with its example row's `header` cell set to `value`."""
    kind = KINDS["products"].template()
    example = list(kind.example)
    example[kind.headers.index(header)] = value
    return template_workbook(dataclasses.replace(kind, example=example))


def test_the_template_reimports_its_example_row_with_no_error():
    result = import_products(content=template_workbook(KINDS["products"].template()), filename="mau.xlsx", dry_run=True)
    assert (result.created, result.errors) == (1, [])


def test_the_template_offers_dropdowns_for_stars_group_producer_type_and_level():
    found = dropdowns(template_workbook(KINDS["products"].template()))
    assert found["Số sao"] == [1, 2, 3, 4, 5]
    assert found["Nhóm sản phẩm"][0] == "1. Thực phẩm" and len(found["Nhóm sản phẩm"]) == 6
    assert ((found["Loại hình chủ thể"][-1], found["Cấp công nhận"])
            == ("Hộ sản xuất, kinh doanh", ["tỉnh", "huyện", "quốc gia"]))


@pytest.mark.parametrize("header,column", [
    ("Nhóm sản phẩm", "group"), ("Loại hình chủ thể", "producer_type"), ("Cấp công nhận", "level")])
def test_every_dropdown_value_reads_back(header, column):
    errors = []
    for value in KINDS["products"].template().choices[header]:
        result = import_products(content=with_cell(header, value), filename="mau.xlsx", dry_run=True)
        errors += [e for e in result.errors if e.column == column]
    assert errors == []


def test_date_columns_show_as_day_month_year():
    sheet = openpyxl.load_workbook(io.BytesIO(template_workbook(KINDS["products"].template()))).worksheets[0]
    assert (sheet["K2"].number_format, sheet.column_dimensions["N"].number_format) == ("DD/MM/YYYY", "DD/MM/YYYY")


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_of_template_imports_its_example_row_with_no_error(kind):
    make_kind = KINDS[kind].template
    result = importer(kind)(content=template_workbook(make_kind()), filename="mau.xlsx", dry_run=True)
    assert (result.created, result.errors, result.unknown_columns) == (1, [], [])


@pytest.mark.parametrize("kind", ["producers", "targets", "figures"])  # products: tested above, stars with scores
def test_every_dropdown_value_of_the_other_templates_reads_back(kind):
    make_kind = KINDS[kind].template
    sheet_kind = make_kind()
    for header, values in sheet_kind.choices.items():
        for value in values:
            example = list(sheet_kind.example)
            example[sheet_kind.headers.index(header)] = value
            content = template_workbook(dataclasses.replace(sheet_kind, example=example))
            errors = importer(kind)(content=content, filename="mau.xlsx", dry_run=True).errors
            assert errors == [], (header, value)
