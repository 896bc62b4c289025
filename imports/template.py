"""Blank sheets to fill in: the header row, one example row, dropdowns for the columns that take
a fixed list of values, date columns shown as dd/mm/yyyy. Each sheet kind makes its own `Template`."""

import io
from dataclasses import dataclass, field

import openpyxl
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

# The lists live on a hidden sheet: an inline list cannot hold a comma ("Hộ sản xuất, kinh doanh")
# nor pass 255 characters.
LISTS_TITLE = "Danh mục"
TEMPLATE_ROWS = 1000
DATE_FORMAT = "DD/MM/YYYY"


@dataclass(frozen=True)
class Template:
    """A blank sheet: its headers, an example row, {header: allowed values}, its date columns."""

    title: str
    headers: list[str]
    example: list
    choices: dict[str, list] = field(default_factory=dict)
    date_headers: tuple[str, ...] = ()


def template_workbook(kind: Template) -> bytes:
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


def _add_dropdowns(workbook, sheet, kind: Template) -> None:
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
