"""Files as offices publish them, built here: a decision annex under its title block, a header over
two rows, merged cells, an STT column, a row of column numbers, a total line and signatures, several
sheets, the decision named only in the title. Each imports to the register it describes."""

import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imports.models import ImportRecord
from imports.rejected import rejected_rows
from imports.services import confirm_import, import_products
from imports.tasks import preview_import
from imports.titles import decision_in_title
from imports.units import address_units
from products.models import Rating, RatingDecision
from provinces.models import AdminUnit

pytestmark = pytest.mark.django_db

TITLE = "(Kèm theo Quyết định số 1234/QĐ-UBND ngày 15/8/2024 của UBND tỉnh Bắc Kạn)"
HEADER = ["STT", "Tên sản phẩm", "Tên chủ thể", "Nhóm", "Số điểm", "Hạng sao"]
PRODUCTS = [
    [1, "Miến dong Tài Hoan", "HTX Tài Hoan", "Thực phẩm", 75, "4 sao"],
    [2, "Gạo nếp vải", "HTX Nông nghiệp Quang Thuận", "Thực phẩm", 62, "3 sao"],
    [3, "Trà hoa vàng", "Công ty TNHH Trà Bắc Kạn", "Đồ uống", 66, "★★★"],
]


def workbook(*sheets) -> bytes:
    """An .xlsx of (name, rows, merged ranges) sheets; a row is a list of cells, None for a blank."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows, merged in sheets:
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for cells in merged:
            sheet.merge_cells(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def annex(title=TITLE, header=HEADER, products=PRODUCTS, total="Tổng cộng: 3 sản phẩm", numbers=True):
    """A decision annex as a province publishes it (its table's header at row 7)."""
    rows = [
        ["ỦY BAN NHÂN DÂN TỈNH BẮC KẠN", None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
        [None, None, None, "Độc lập - Tự do - Hạnh phúc"],
        [],
        ["DANH SÁCH SẢN PHẨM ĐẠT CHỨNG NHẬN SẢN PHẨM OCOP NĂM 2024"],
        [title],
        [],
        header,
    ]
    if numbers:
        rows.append([f"({n})" for n in range(1, len(header) + 1)])
    rows += [list(product) for product in products]
    if total:
        rows.append([total])
    rows += [[], [None, None, None, "KT. CHỦ TỊCH"], [None, None, None, "PHÓ CHỦ TỊCH"], [],
             [None, None, None, "Nguyễn Văn A"]]
    return workbook(("Phụ lục", rows, ["A1:C1", "A4:F4", "A5:F5", f"A{len(rows) - 5}:C{len(rows) - 5}"]))


def run(content, **options):
    return import_products(content=content, filename="phu-luc.xlsx", **options)


def test_an_annex_imports_as_published(db):
    result = run(annex())
    assert (result.created, result.failed_rows) == (3, 0), [str(e) for e in result.errors]
    decisions = {(r.decision.number, r.decision.date, r.decision.level, r.product.province.name)
                 for r in Rating.objects.select_related("decision", "product__province")}
    assert decisions == {("1234/QĐ-UBND", datetime.date(2024, 8, 15), RatingDecision.Level.PROVINCE, "Tỉnh Bắc Kạn")}
    stars = dict(Rating.objects.values_list("product__name", "stars"))
    assert stars == {"Miến dong Tài Hoan": 4, "Gạo nếp vải": 3, "Trà hoa vàng": 3}


def test_the_preview_says_where_the_decision_came_from(db):
    notes = [str(warning) for warning in run(annex(), dry_run=True).warnings]
    assert any("1234/QĐ-UBND" in note and "dòng 5" in note for note in notes), notes
    assert any("dòng 7" in note for note in notes), notes  # the header row found


def test_the_stt_column_and_the_numbers_row_are_not_reported(db):
    result = run(annex(), dry_run=True)
    assert result.unknown_columns == [] and result.failed_rows == 0


def test_a_total_that_does_not_match_the_rows_is_a_warning(db):
    result = run(annex(total="Tổng cộng: 4 sản phẩm"), dry_run=True)
    assert any("4" in str(w) and "3" in str(w) for w in result.warnings if "Tổng" not in str(w))
    assert result.failed_rows == 0


def test_signatures_without_a_total_line_end_the_table(db):
    result = run(annex(total=None, numbers=False), dry_run=True)
    assert (result.created, result.failed_rows) == (3, 0), [str(e) for e in result.errors]


def test_a_header_over_two_rows(db):
    header = ["STT", "Tên sản phẩm", "Tên chủ thể", "Nhóm", "Kết quả đánh giá", None]
    below = [None, None, None, None, "Số điểm", "Hạng sao"]
    content = workbook(("DS", [[TITLE], header, below, *PRODUCTS], ["E2:F2", "A2:A3", "B2:B3", "C2:C3", "D2:D3"]))
    result = run(content)
    assert (result.created, result.failed_rows) == (3, 0), [str(e) for e in result.errors]
    assert Rating.objects.get(product__name="Miến dong Tài Hoan").score == 75


def test_a_producer_merged_over_its_products_names_each(db):
    rows = [[TITLE], HEADER, [1, "Miến dong", "HTX Tài Hoan", "Thực phẩm", 75, "4 sao"],
            [2, "Bún dong", None, "Thực phẩm", 70, "4 sao"]]
    result = run(workbook(("DS", rows, ["C3:C4"])))
    assert result.failed_rows == 0, [str(e) for e in result.errors]
    assert set(Rating.objects.values_list("product__producer__name", flat=True)) == {"HTX Tài Hoan"}


def test_the_first_sheet_with_a_table_is_read_or_the_one_named(db):
    guide = ("Hướng dẫn", [["Điền danh sách vào trang sau."]], [])
    honey = [1, "Mật ong", "HTX Ong", "Thực phẩm", 60, 3, "Bắc Kạn", 2023]
    other = ("Năm 2023", [[*HEADER, "Tỉnh", "Năm công nhận"], honey], [])
    content = workbook(guide, ("Phụ lục", [[TITLE], HEADER, *PRODUCTS], []), other)
    assert run(content, dry_run=True).created == 3
    assert run(content, dry_run=True, sheet="nam 2023").created == 1
    assert run(content, dry_run=True, sheet="3").created == 1


def test_a_sheet_that_is_not_there_is_refused_with_the_names(db):
    with pytest.raises(ValidationError) as refused:
        run(annex(), sheet="Sheet9")
    assert "Phụ lục" in str(refused.value) and "Sheet9" in str(refused.value)


def test_what_is_given_wins_over_the_title(db):
    result = run(annex(), given={"decision_number": "99/QĐ-UBND", "decision_date": "01/09/2024"})
    assert result.failed_rows == 0
    assert set(RatingDecision.objects.values_list("number", "date")) == {("99/QĐ-UBND", datetime.date(2024, 9, 1))}


def test_an_issuer_gives_the_level_and_the_district(db):
    title = "(Kèm theo Quyết định số 55/QĐ-UBND ngày 20 tháng 11 năm 2022 của UBND huyện Na Rì, tỉnh Bắc Kạn)"
    products = [[1, "Miến dong", "HTX Tài Hoan", "Thực phẩm", 60, "3 sao"]]
    result = run(annex(title=title, products=products, total=None))
    assert result.failed_rows == 0, [str(e) for e in result.errors]
    decision = RatingDecision.objects.get()
    assert (decision.level, decision.date, decision.number) == (
        RatingDecision.Level.DISTRICT, datetime.date(2022, 11, 20), "55/QĐ-UBND")
    assert Rating.objects.get().product.district.name == "Huyện Na Rì"


def test_a_list_without_a_decision_anywhere_still_says_what_is_missing(db):
    result = run(annex(title="DANH SÁCH SẢN PHẨM"), dry_run=True)
    assert {error.column for error in result.errors} == {"province", "decision_date"}


def test_the_command_takes_the_sheet_and_the_decision(tmp_path, capsys):
    path = tmp_path / "phu-luc.xlsx"
    path.write_bytes(annex(title="DANH SÁCH"))
    call_command("import_ocop", str(path), "--decision-number", "7/QĐ-UBND", "--decision-date", "02/03/2024",
                 "--issuer", "UBND tỉnh Bắc Kạn", "--sheet", "Phụ lục")
    assert capsys.readouterr().out.startswith("created: 3,")
    assert RatingDecision.objects.get().number == "7/QĐ-UBND"


def test_a_confirmed_upload_reads_the_same_sheet_with_the_same_decision(admin_user):
    content = workbook(("Trống", [["—"]], []), ("Phụ lục", [["DANH SÁCH"], HEADER, *PRODUCTS], []))
    record = preview_import(user=admin_user, filename="ds.xlsx", content=content, skip_invalid=False,
                            sheet="Phụ lục", given={"issuer": "UBND tỉnh Bắc Kạn", "decision_date": "02/03/2024"})
    assert record.failed_rows == 0 and record.created == 3
    result = confirm_import(record=ImportRecord.objects.get(pk=record.pk))
    assert result.written and Rating.objects.count() == 3


def test_the_rejected_rows_of_an_annex_are_its_own(admin_user):
    products = [*PRODUCTS[:2], [3, "Trà hoa vàng", "Công ty Trà", "Đồ uống", 66, "9 sao"]]
    record = preview_import(user=admin_user, filename="ds.xlsx", content=annex(products=products),
                            skip_invalid=False)
    sheet = rejected_rows(record)
    assert sheet.headers[:6] == HEADER and [row[1] for row in sheet] == ["Trà hoa vàng"]


ADDRESSED = ["STT", "Tên sản phẩm", "Tên chủ thể", "Địa chỉ", "Phân nhóm", "Số điểm", "Hạng sao"]


def addressed(address: str, title: str = TITLE) -> bytes:
    rows = [[title], ADDRESSED, [1, "Miến dong", "HTX Tài Hoan", address, "Thực phẩm", 75, "4 sao"]]
    return workbook(("DS", rows, []))


@pytest.mark.parametrize("address", ["Thôn Nà Làng, xã Côn Minh, huyện Na Rì, tỉnh Bắc Kạn",
                                     "X. Côn Minh, H. Na Rì, T. Bắc Kạn", "Nà Làng, Côn Minh, Na Rì, Bắc Kạn"])
def test_an_address_places_the_product(db, address):
    result = run(addressed(address, title="(Kèm theo Quyết định số 1234/QĐ-UBND ngày 15/8/2024)"))
    assert result.failed_rows == 0, [str(e) for e in result.errors]
    product = Rating.objects.get().product
    assert (product.province.name, product.district.name, product.commune.name) == (
        "Tỉnh Bắc Kạn", "Huyện Na Rì", "Xã Côn Minh")


def test_an_address_after_the_reform_names_no_district(db):
    commune = AdminUnit.objects.filter(level=AdminUnit.Level.COMMUNE, valid_to__isnull=True,
                                       parent__slug="thai-nguyen").order_by("pk").first()
    title = "(Kèm theo Quyết định số 88/QĐ-UBND ngày 15/8/2025)"
    result = run(addressed(f"Tổ 1, {commune.name}, tỉnh Thái Nguyên", title=title))
    assert result.failed_rows == 0, [str(e) for e in result.errors]
    assert Rating.objects.get().product.commune == commune


def test_a_part_of_the_address_that_names_no_unit_is_said_of_the_address(db):
    result = run(addressed("xã Không Có, huyện Na Rì, tỉnh Bắc Kạn"), dry_run=True)
    assert [(e.column, "Không Có" in str(e)) for e in result.errors] == [("address", True)]
    assert "Địa chỉ" in str(result.errors[0])


def test_a_2025_list_by_year_in_todays_units_imports_without_an_error(db):
    commune = AdminUnit.objects.filter(level=AdminUnit.Level.COMMUNE, valid_to__isnull=True,
                                       parent__slug="thai-nguyen").order_by("pk").first()
    rows = [["Tỉnh", "Xã", "Chủ thể", "Tên sản phẩm", "Số sao", "Năm công nhận"],
            ["Thái Nguyên", commune.name, "HTX Chè", "Chè búp", 3, 2025]]
    result = run(workbook(("DS", rows, [])))
    assert (result.failed_rows, result.warned_rows) == (0, 1), [str(e) for e in result.errors]  # the group
    product = Rating.objects.get().product
    assert (product.province.valid_to, product.commune) == (None, commune)


def test_a_2025_list_by_year_in_the_old_province_keeps_it(db):
    rows = [["Tỉnh", "Huyện", "Chủ thể", "Tên sản phẩm", "Số sao", "Năm công nhận"],
            ["Bắc Kạn", "Na Rì", "HTX Tài Hoan", "Miến dong", 3, 2025]]
    result = run(workbook(("DS", rows, [])))
    assert result.failed_rows == 0, [str(e) for e in result.errors]
    assert Rating.objects.get().product.province.slug == "bac-kan"


WORDS = st.sampled_from(["Quyết định số", "ngày", "tháng", "năm", "của", "UBND", "tỉnh", "huyện", "thành phố",
                         "xã", "H.", "TP.", "Tổng cộng:", "STT", "Tên sản phẩm", "Hạng sao", "(", ")", ",", "/",
                         "12", "2024", "1234/QĐ-UBND", "Bắc Kạn", "★", "KT. CHỦ TỊCH", ""])
LINES = st.lists(WORDS, max_size=12).map(" ".join)
LOOSE = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@LOOSE
@given(lines=st.lists(LINES, max_size=4), address=LINES, districts=st.booleans())
def test_titles_and_addresses_of_any_words_never_raise(db, lines, address, districts):
    found = decision_in_title(list(enumerate(lines, 1)))
    assert set(found) <= {"decision_number", "decision_date", "province", "district", "level"}
    assert set(address_units(address, districts)) <= {"province", "district", "commune"}


@LOOSE
@given(grid=st.lists(st.lists(st.one_of(st.none(), LINES, st.integers(-5, 50)), max_size=7), min_size=1,
                     max_size=12))
def test_a_sheet_of_any_cells_gives_rows_or_errors_never_a_crash(db, grid):
    width = max(len(row) for row in grid)
    rows = [",".join(f'"{cell}"' if cell is not None else "" for cell in row + [None] * (width - len(row)))
            for row in grid]
    content = "\n".join(rows).encode("utf-8")
    try:
        result = run_csv(content)
    except ValidationError:  # refused as a whole (the upload gate): in words
        return
    assert result.failed_rows >= 0 and not result.written


def run_csv(content: bytes):
    return import_products(content=content, filename="ds.csv", dry_run=True)


def test_an_annex_missing_a_column_offers_no_rows_to_download(admin_user, admin_client):
    header = HEADER[:-1]  # no stars
    record = preview_import(user=admin_user, filename="ds.xlsx", skip_invalid=False,
                            content=annex(header=header, products=[p[:-1] for p in PRODUCTS]))
    assert (record.header_row, [e["row"] for e in record.errors]) == (7, [7])
    page = admin_client.get(f"/admin/imports/importrecord/{record.pk}/change/").content.decode()
    assert 'id="import-errors"' in page and 'id="rejected-rows"' not in page


@pytest.mark.parametrize(("address", "districts", "units"), [
    ("Thôn Nà Xã, xã Cao Thượng, huyện Ba Bể, tỉnh Bắc Kạn, Việt Nam", True,
     {"province": "tỉnh Bắc Kạn", "district": "huyện Ba Bể", "commune": "xã Cao Thượng"}),
    ("Số 10, phường Đức Xuân, thành phố Bắc Kạn", True,
     {"district": "thành phố Bắc Kạn", "commune": "phường Đức Xuân"}),
    ("Số 1, phường Hoàn Kiếm, TP. Hà Nội", True, {"province": "thành phố Hà Nội", "commune": "phường Hoàn Kiếm"}),
    ("xã Bằng Thành, huyện Pác Nặm, tỉnh Bắc Kạn", False, {"province": "tỉnh Bắc Kạn", "commune": "xã Bằng Thành"}),
])
def test_an_address_names_its_units_past_the_country_cities_and_former_districts(db, address, districts, units):
    assert address_units(address, districts) == units


def test_a_decision_number_spaced_around_its_slash_is_read_whole(db):
    found = decision_in_title([(5, "(Kèm theo Quyết định số 1234 /QĐ-UBND ngày 15/08/2024 của UBND tỉnh Bắc Kạn)")])
    assert (found["decision_number"][0], found["decision_date"][0]) == ("1234/QĐ-UBND", "15/08/2024")


def test_a_city_below_its_province_issues_at_district_level_in_the_authoritys_province(db):
    found = decision_in_title([(1, "ỦY BAN NHÂN DÂN TỈNH BẮC KẠN"),
                               (5, "(Kèm theo Quyết định số 12/QĐ-UBND ngày 1/2/2024 của UBND TP. Bắc Kạn)")])
    assert {column: value for column, (value, _row) in found.items()} == {
        "decision_number": "12/QĐ-UBND", "decision_date": "01/02/2024", "district": "Bắc Kạn", "level": "huyện",
        "province": "Bắc Kạn"}


def test_a_heading_merged_over_two_columns_names_them_with_the_row_below(db):
    """ "Chủ thể" merged above "Tên" and "Địa chỉ"; "Kết quả đánh giá" above "Số điểm" and "Hạng sao"."""
    rows = [[TITLE], [],
            ["STT", "Tên sản phẩm", "Chủ thể", None, "Kết quả đánh giá", None, "Phân nhóm"],
            [None, None, "Tên", "Địa chỉ", "Số điểm", "Hạng sao", None],
            [1, "Miến dong Tài Hoan", "HTX Tài Hoan", "xã Côn Minh, huyện Na Rì", 75, "4 sao", "Thực phẩm"]]
    content = workbook(("Phụ lục", rows, ["A3:A4", "B3:B4", "C3:D3", "E3:F3", "G3:G4"]))
    result = run(content)
    assert (result.created, result.failed_rows) == (1, 0), [str(e) for e in result.errors]
    rating = Rating.objects.select_related("product__producer", "product__commune").get()
    assert (rating.product.producer.name, rating.product.commune.name, rating.stars) == (
        "HTX Tài Hoan", "Xã Côn Minh", 4)
