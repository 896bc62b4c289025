"""Section lines inside a table ("I. Huyện Ba Bể" merged across the row, "II" | "HUYỆN CHỢ ĐỒN",
"A. Sản phẩm 4 sao") are headings: skipped and said in the preview, never reported as bad products."""

import pytest

from imports.services import import_products
from products.models import Rating

from .test_real_layouts import HEADER, PRODUCTS, TITLE, annex, run, workbook

pytestmark = pytest.mark.django_db


def sectioned(first=("I. Huyện Ba Bể",), second=("II. HUYỆN CHỢ ĐỒN",), products=PRODUCTS):
    """An annex (header at row 2) whose products sit under two section lines, merged across the row
    when given as one text, else with the numeral in the STT column and the words merged on."""
    rows, merged = [[TITLE], HEADER], []
    for section, group in ((first, products[:2]), (second, products[2:])):
        rows.append([*section, *[None] * (len(HEADER) - len(section))])
        merged.append(f"A{len(rows)}:F{len(rows)}" if len(section) == 1 else f"B{len(rows)}:F{len(rows)}")
        rows += [list(product) for product in group]
    return workbook(("DS", rows, merged))


def test_sections_merged_across_the_row_are_not_products(db):
    result = run(sectioned())
    assert (result.created, result.failed_rows) == (3, 0), [str(e) for e in result.errors]


def test_a_numeral_in_the_stt_column_with_its_words_beside_is_a_section(db):
    result = run(sectioned(first=("I", "Huyện Ba Bể"), second=("B.", "Sản phẩm 4 sao")))
    assert (result.created, result.failed_rows) == (3, 0), [str(e) for e in result.errors]


def test_the_preview_says_which_section_lines_were_skipped(db):
    notes = [w.text("en") for w in run(sectioned(), dry_run=True).warnings]
    assert any("2 section lines" in note and "3 “I. Huyện Ba Bể”" in note and "6 “II. HUYỆN CHỢ ĐỒN”" in note
               for note in notes), notes


def test_rows_under_a_section_keep_their_spreadsheet_numbers(db):
    products = [*PRODUCTS[:2], [3, "Trà hoa vàng", "Công ty TNHH Trà Bắc Kạn", "Đồ uống", 66, "9 sao"]]
    result = run(sectioned(products=products), dry_run=True)
    assert [(e.row, e.column) for e in result.errors] == [(7, "stars")]


def test_a_product_row_missing_its_stars_is_not_taken_for_a_section(db):
    products = [*PRODUCTS[:2], [3, "Trà hoa vàng", "Công ty TNHH Trà Bắc Kạn", None, None, None]]
    result = run(sectioned(products=products), dry_run=True)
    assert [(e.row, e.column) for e in result.errors] == [(7, "stars")]


def test_a_section_line_in_a_csv_is_skipped(db):
    content = ("Tỉnh,Chủ thể,Tên sản phẩm,Số sao,Ngày quyết định\n"
               "A. Sản phẩm 4 sao,,,,\n"
               "Bắc Kạn,HTX Tài Hoan,Miến dong Tài Hoan,4,15/08/2024\n").encode()
    result = import_products(content=content, filename="ds.csv")
    assert (result.created, result.failed_rows) == (1, 0), [str(e) for e in result.errors]
    assert Rating.objects.get().stars == 4


def test_section_lines_are_not_counted_against_the_total_line(db):
    with_total = [*[[TITLE], HEADER], ["I. Huyện Ba Bể"], *PRODUCTS, ["Tổng cộng: 3 sản phẩm"]]
    notes = [w.text("en") for w in run(workbook(("DS", with_total, ["A3:F3"])), dry_run=True).warnings]
    assert not any("counts" in note for note in notes), notes


def test_a_section_line_naming_a_district_places_the_rows_under_it(db):
    run(sectioned())
    districts = dict(Rating.objects.values_list("product__name", "product__district__name"))
    assert districts == {"Miến dong Tài Hoan": "Huyện Ba Bể", "Gạo nếp vải": "Huyện Ba Bể",
                         "Trà hoa vàng": "Huyện Chợ Đồn"}


def test_the_preview_says_the_rows_take_the_district_of_their_section(db):
    notes = [w.text("en") for w in run(sectioned(), dry_run=True).warnings]
    assert any("placed in that district" in note and "Huyện Ba Bể" in note for note in notes), notes


def test_after_the_reform_a_section_naming_a_former_district_places_nothing(db):
    title = "(Kèm theo Quyết định số 5/QĐ-UBND ngày 15/8/2025 của UBND tỉnh Thái Nguyên)"
    rows = [[title], HEADER, ["I. Huyện Ba Bể"], *PRODUCTS]
    result = run(workbook(("DS", rows, ["A3:F3"])))
    assert result.created == 3, [str(e) for e in result.errors]
    assert set(Rating.objects.values_list("product__district", flat=True)) == {None}


def test_a_subtotal_under_each_district_is_no_end_of_the_table(db):
    """ "Cộng: 1 sản phẩm" under each district's rows: skipped, and the rows of the next districts read."""
    body = [["I. Huyện Ba Bể"], [1, "Miến A", "HTX A", "Thực phẩm", 75, "4 sao"], ["Cộng: 1 sản phẩm"],
            ["II. Huyện Chợ Đồn"], [2, "Chè B", "HTX B", "Đồ uống", 62, "3 sao"], ["Cộng: 1 sản phẩm"],
            ["III. Huyện Na Rì"], [3, "Gạo C", "HTX C", "Thực phẩm", 66, "3 sao"]]
    result = import_products(content=annex(products=body), filename="phu-luc.xlsx")
    assert (result.created, result.failed_rows) == (3, 0), [str(e) for e in result.errors]
    assert not any("Dòng tổng ghi" in str(w) for w in result.warnings)  # the total (3) counts the rows read
