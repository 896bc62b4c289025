"""Blank sheets to fill in: the header row, one example row, dropdowns for the columns that take
a fixed list of values, date columns shown as dd/mm/yyyy.

A `SheetKind` says what one kind of sheet looks like: products, producers, plans with targets,
published figures (ImportRecord.Kind).
"""

import datetime
import io
from dataclasses import dataclass, field

import openpyxl
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from targets.models import Indicator
from targets.sheets import FIGURE_HEADERS, TARGET_HEADERS

from .models import ImportRecord, ProductGroup
from .resources import HEADERS, LEVEL_WORDS, PRODUCER_TYPE_WORDS
from .sheets import PRODUCER_HEADERS

# The lists live on a hidden sheet: an inline list cannot hold a comma ("Hộ sản xuất, kinh doanh")
# nor pass 255 characters.
LISTS_TITLE = "Danh mục"
TEMPLATE_ROWS = 1000
DATE_FORMAT = "DD/MM/YYYY"


@dataclass(frozen=True)
class SheetKind:
    """One kind of sheet: its headers, an example row, {header: allowed values}, its date columns."""

    title: str
    headers: list[str]
    example: list
    choices: dict[str, list] = field(default_factory=dict)
    date_headers: tuple[str, ...] = ()


def template_workbook(kind: SheetKind) -> bytes:
    """An .xlsx with the headers, the example row, a dropdown per listed column and dates as dd/mm/yyyy."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = kind.title
    sheet.append(kind.headers)
    sheet.append(kind.example)
    sheet.freeze_panes = "A2"
    for index, (header, example) in enumerate(zip(kind.headers, kind.example, strict=True), start=1):
        sheet.cell(1, index).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(header) + 4, len(str(example or "")) + 2)
    for header in kind.date_headers:
        column = get_column_letter(kind.headers.index(header) + 1)
        sheet.column_dimensions[column].number_format = DATE_FORMAT
        sheet[f"{column}2"].number_format = DATE_FORMAT
    if kind.choices:
        _add_dropdowns(workbook, sheet, kind)
    content = io.BytesIO()
    workbook.save(content)
    return content.getvalue()


def _add_dropdowns(workbook, sheet, kind: SheetKind) -> None:
    lists = workbook.create_sheet(LISTS_TITLE)
    lists.sheet_state = "hidden"
    for n, (header, values) in enumerate(kind.choices.items(), start=1):
        list_column = get_column_letter(n)
        lists.cell(1, n, header)
        for row, value in enumerate(values, start=2):
            lists.cell(row, n, value)
        source = f"{quote_sheetname(LISTS_TITLE)}!${list_column}$2:${list_column}${len(values) + 1}"
        dropdown = DataValidation(type="list", formula1=source, allow_blank=True, showErrorMessage=True,
                                  errorStyle="warning")
        column = get_column_letter(kind.headers.index(header) + 1)
        dropdown.add(f"{column}2:{column}{TEMPLATE_ROWS}")
        sheet.add_data_validation(dropdown)


def product_sheet_kind() -> SheetKind:
    """The product sheet that `import_products` reads, with a Bắc Kạn example row."""
    groups = [str(group) for group in ProductGroup.objects.filter(scheme=ProductGroup.Scheme.CURRENT).order_by("code")]
    example = ["Bắc Kạn", "Na Rì", "Côn Minh", "Hợp tác xã Tài Hoan", "Hợp tác xã", "Miến dong Tài Hoan", groups[0], 4, 75,
               "2616/QĐ-UBND", datetime.date(2021, 12, 29), None, "tỉnh", None]
    return SheetKind(
        title="OCOP",
        headers=HEADERS,
        example=example,
        choices={
            "Số sao": [1, 2, 3, 4, 5],
            "Nhóm sản phẩm": groups,
            "Loại hình chủ thể": list(PRODUCER_TYPE_WORDS.values()),
            "Cấp công nhận": list(LEVEL_WORDS.values()),
        },
        date_headers=("Ngày quyết định", "Ngày hết hạn"),
    )


def producer_sheet_kind() -> SheetKind:
    """The producer sheet that `import_producers` reads."""
    example = ["Bắc Kạn", "Na Rì", "Côn Minh", "Hợp tác xã Tài Hoan", "Hợp tác xã", "4700000000", "0209 3888 000", "Thôn Nà Đon"]
    return SheetKind(title="Chủ thể", headers=PRODUCER_HEADERS, example=example,
                     choices={"Loại hình chủ thể": list(PRODUCER_TYPE_WORDS.values())})


def _indicator_names() -> list[str]:
    return list(Indicator.objects.order_by("order", "code").values_list("name", flat=True))


def target_sheet_kind() -> SheetKind:
    """The plan-and-target sheet that `import_targets` reads: one target per row."""
    example = ["Bắc Kạn", "Kế hoạch thực hiện Chương trình OCOP năm 2024", "Kế hoạch", "12/KH-UBND",
               datetime.date(2024, 1, 5), datetime.date(2024, 1, 1), datetime.date(2024, 12, 31),
               "Sản phẩm OCOP đạt 3 sao trở lên", None, None, 25, None]
    return SheetKind(
        title="Chỉ tiêu", headers=TARGET_HEADERS, example=example,
        choices={"Loại kế hoạch": ["Đề án", "Kế hoạch", "Năm"], "Chỉ tiêu": _indicator_names()},
        date_headers=("Ngày văn bản", "Từ ngày", "Đến ngày", "Hạn"),
    )


def figure_sheet_kind() -> SheetKind:
    """The published-figure sheet that `import_figures` reads."""
    example = ["Bắc Kạn", None, "Sản phẩm OCOP đạt 3 sao trở lên", datetime.date(2020, 9, 5), 107,
               "Báo Bắc Kạn", "https://baobackan.org.vn/", None]
    return SheetKind(title="Số liệu", headers=FIGURE_HEADERS, example=example,
                     choices={"Chỉ tiêu": _indicator_names()}, date_headers=("Ngày số liệu",))


SHEET_KINDS = {
    ImportRecord.Kind.PRODUCTS: (product_sheet_kind, "mau-san-pham-ocop"),
    ImportRecord.Kind.PRODUCERS: (producer_sheet_kind, "mau-chu-the-ocop"),
    ImportRecord.Kind.TARGETS: (target_sheet_kind, "mau-ke-hoach-chi-tieu"),
    ImportRecord.Kind.FIGURES: (figure_sheet_kind, "mau-so-lieu-cong-bo"),
}
