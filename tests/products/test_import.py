import datetime
import io
import itertools

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from imports.models import ImportRecord
from imports.rows import parse_date, parse_stars
from imports.services import import_products
from products.models import Producer, Product, Rating, RatingDecision
from provinces.models import AdminUnit

pytestmark = pytest.mark.django_db

HEADER = ("Tỉnh,Huyện,Xã,Chủ thể,Loại hình chủ thể,Tên sản phẩm,Nhóm sản phẩm,Số sao,Điểm,"
          "Số quyết định,Ngày quyết định,Năm công nhận")
ROWS = [
    "Bắc Kạn,Na Rì,Côn Minh,Hợp tác xã Tài Hoan,Hợp tác xã,Miến dong Tài Hoan,1,4,75,2616/QĐ-UBND,29/12/2021,",
    "Bắc Kạn,Chợ Đồn,Bằng Lũng,Cơ sở Hoàng Thị Điển,Hộ kinh doanh,Bánh trời,Thực phẩm,3 sao,,2616/QĐ-UBND,29/12/2021,",
]


def sheet(*rows, header=HEADER) -> bytes:
    return ("\ufeff" + "\n".join([header, *rows]) + "\n").encode("utf-8")


def run(*rows, **options):
    return import_products(content=sheet(*rows), filename="ds.csv", **options)


def test_it_imports_a_decision_annex(db):
    result = run(*ROWS)
    assert (result.created, len(result.errors)) == (2, 0)
    assert Rating.objects.get(product__name="Miến dong Tài Hoan").decision.date == datetime.date(2021, 12, 29)


def test_names_resolve_to_the_units_of_the_decision_date(db):
    run(*ROWS)
    product = Product.objects.get(name="Miến dong Tài Hoan")
    assert ((product.province.slug, product.district.short_name, product.commune.short_name)
            == ("bac-kan", "Na Rì", "Côn Minh"))


def test_importing_the_same_file_twice_changes_nothing(db):
    run(*ROWS)
    again = run(*ROWS)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_a_later_rating_adds_to_the_history_not_a_second_product(db):
    run(*ROWS)
    run("Bắc Kạn,Na Rì,Côn Minh,Hợp tác xã Tài Hoan,Hợp tác xã,Miến dong Tài Hoan,1,5,91.14,"
        "2890/QĐ-BNN-VPĐP,30/06/2022,")
    assert Product.objects.filter(name="Miến dong Tài Hoan").count() == 1
    assert Rating.objects.filter(product__name="Miến dong Tài Hoan").count() == 2


def test_with_an_error_nothing_is_written(db):
    result = run(ROWS[0], "Bắc Kạn,,,HTX X,,Sản phẩm Y,1,7,,,29/12/2021,")
    assert [(e.row, e.column) for e in result.errors] == [(3, "stars")]
    assert Product.objects.count() == 0


def test_skip_invalid_writes_the_valid_rows(db):
    result = run(ROWS[0], "Bắc Kạn,,,HTX X,,Sản phẩm Y,1,7,,,29/12/2021,", skip_invalid=True)
    assert (result.created, Product.objects.count()) == (1, 1)


def test_dry_run_counts_but_writes_nothing(db):
    result = run(*ROWS, dry_run=True)
    assert (result.created, Product.objects.count()) == (2, 0)


def test_a_score_that_contradicts_the_stars_is_an_error(db):
    result = run("Bắc Kạn,,,HTX X,,Sản phẩm Y,1,3,85,,29/12/2021,")
    assert [e.column for e in result.errors] == ["score"]


def test_a_row_without_date_or_year_is_an_error(db):
    result = run("Bắc Kạn,,,HTX X,,Sản phẩm Y,1,3,,,,")
    assert [e.column for e in result.errors] == ["decision_date"]


def test_a_year_alone_counts_from_31_12(db):
    run("Bắc Kạn,,,HTX X,,Sản phẩm Y,1,3,,,,2019")
    assert Rating.objects.get().decision.date == datetime.date(2019, 12, 31)


def test_an_unknown_province_suggests_the_closest_names(db):
    result = run("Bac Can,,,HTX X,,Sản phẩm Y,1,3,,,29/12/2021,")
    assert "Did you mean: Tỉnh Bắc Kạn," in result.errors[0].text("en")  # as the unit is named


def test_a_current_unit_name_in_an_old_sheet_is_taken_with_a_warning(db):
    result = run("Tỉnh Lâm Đồng,,,HTX X,,Sản phẩm Y,1,3,,,2021-12-29,")
    assert result.errors == [] and Product.objects.get().province.slug == "lam-dong-cu"


def test_two_rows_for_the_same_product_and_decision_are_reported(db):
    result = run(ROWS[0], ROWS[0])
    assert [(e.row, e.column) for e in result.errors] == [(3, "product")]


def test_headers_are_matched_whatever_their_case_accents_and_order(db):
    header = "SO SAO,ten san pham,CHU THE,tinh,ngay quyet dinh,Ghi chú"
    result = import_products(content=sheet("4★,Miến dong,HTX Tài Hoan,Bắc Kạn,29/12/2021", header=header),
                             filename="x.csv")
    assert (result.created, result.unknown_columns) == (1, ["Ghi chú"])


def test_xlsx_with_real_excel_dates_imports(db):
    book = openpyxl.Workbook()
    book.active.append(["Tỉnh", "Chủ thể", "Tên sản phẩm", "Số sao", "Ngày quyết định"])
    book.active.append(["Bắc Kạn", "HTX Tài Hoan", "Miến dong", 4, datetime.datetime(2021, 12, 29)])
    buffer = io.BytesIO()
    book.save(buffer)
    assert import_products(content=buffer.getvalue(), filename="ds.xlsx").created == 1


@pytest.mark.parametrize("typed, day", [("05/09/2020", (2020, 9, 5)), ("2020-09-05", (2020, 9, 5)),
                                        (44079, (2020, 9, 5))])
def test_dates_are_read_day_first_iso_or_excel_serial(typed, day):
    assert parse_date(typed) == datetime.date(*day)


@pytest.mark.parametrize("typed", ["4", "4 sao", "4★", "4.0", 4, "Hạng 4 sao", "OCOP 4 sao", "Đạt 4 sao", "4-sao",
                                   "⭐⭐⭐⭐", "★★★★"])
def test_stars_are_read_as_people_write_them(typed):
    assert parse_stars(typed) == 4


def test_the_command_prints_counts_and_errors_in_both_languages_and_exits_1(db, tmp_path, capsys):
    path = tmp_path / "ds.csv"
    path.write_bytes(sheet("Bắc Kạn,,,HTX X,,Sản phẩm Y,1,7,,,29/12/2021,"))
    with pytest.raises(SystemExit) as exit:
        call_command("import_ocop", str(path))
    out = capsys.readouterr().out
    assert exit.value.code == 1
    assert out.startswith("created: 0, updated: 0, unchanged: 0, errors: 1")
    assert "Dòng 2, cột Số sao" in out and "Row 2, column Stars" in out


def test_a_row_without_a_group_is_filed_as_food_with_a_warning(db):
    result = import_products(content=sheet("Bắc Kạn,HTX X,Sản phẩm Y,3,29/12/2021",
                                           header="Tỉnh,Chủ thể,Tên sản phẩm,Số sao,Ngày quyết định"),
                             filename="x.csv")
    assert [w.column for w in result.warnings] == ["group"]
    assert Product.objects.get().group.code == 1


def many_rows(n: int, start: int = 0) -> list[str]:
    """`n` rows of different producers spread over Bắc Kạn's communes, all in one decision."""
    communes = AdminUnit.objects.filter(level="commune", parent__parent__slug="bac-kan").select_related("parent")
    places = list(communes.order_by("code"))
    return [f"Bắc Kạn,{c.parent.name},{c.name},HTX Số {start + i},Hợp tác xã,Sản phẩm {start + i},1,3,55,"
            "2616/QĐ-UBND,29/12/2021,"
            for i, c in zip(range(n), itertools.cycle(places))]


def test_an_import_of_200_rows_takes_no_more_queries_than_one_of_2(db, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as two_rows:
        run(*many_rows(2))
    with django_assert_max_num_queries(len(two_rows.captured_queries)):
        result = run(*many_rows(200, start=2))
    assert result.created == 200


def test_reimporting_200_rows_reports_every_row_unchanged(db):
    run(*many_rows(200))
    again = run(*many_rows(200))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 200)


BAD_STARS_AND_COMMUNE = "Bắc Kạn,Na Rì,Xã Côn Mi,HTX X,,Sản phẩm X,1,7,,,29/12/2021,"
BAD_DATE = "Bắc Kạn,,,HTX Z,,Sản phẩm Z,1,3,,,31/13/2021,"


@pytest.mark.parametrize("size, bad_rows", [(2, (2, 3)), (200, (50, 201))])
def test_bad_rows_get_the_same_errors_in_a_2_and_a_200_row_file(db, size, bad_rows):
    rows = many_rows(size - 2)
    rows.insert(bad_rows[0] - 2, BAD_STARS_AND_COMMUNE)
    rows.insert(bad_rows[1] - 2, BAD_DATE)
    result = run(*rows, skip_invalid=True)
    assert [(e.row, e.column, e.messages["en"]) for e in result.errors] == [
        (bad_rows[0], "stars", "“7” is not a number of stars from 1 to 5."),
        (bad_rows[0], "commune", "No unit named “Xã Côn Mi”. Did you mean: Xã Côn Minh, Xã Cường Lợi?"),
        (bad_rows[1], "decision_date", "“31/13/2021” is not a date: write dd/mm/yyyy."),
    ]
    assert result.created == size - 2


def test_rows_of_one_producer_share_it_and_a_product_in_two_decisions_has_two_ratings(db):
    run(ROWS[0], ROWS[0].replace("Miến dong Tài Hoan", "Mật ong Tài Hoan"),
        ROWS[0].replace("Hợp tác xã Tài Hoan", "HỢP TÁC XÃ TÀI HOAN")
        .replace("2616/QĐ-UBND,29/12/2021", "107/QĐ-UBND,20/01/2023"))
    counts = (Producer.objects.count(), Product.objects.count(), Rating.objects.count(), RatingDecision.objects.count())
    assert counts == (1, 2, 3, 2)


def test_ratings_written_in_bulk_get_what_save_fills_in(db):
    run(ROWS[0])
    rating = Rating.objects.select_related("product__producer").get()
    assert (rating.expires, rating.product.search_name, rating.product.producer.search_name) == (
        datetime.date(2024, 12, 29), "mien dong tai hoan", "hop tac xa tai hoan")


def test_a_rating_made_by_an_earlier_row_takes_a_later_rows_change(db):
    # Spelled with and without accents: one product to the register, two to the duplicate check.
    result = run(ROWS[0], ROWS[0].replace("Miến dong", "Mien dong").replace(",4,75,", ",4,80,"))
    assert (result.created, result.updated, Rating.objects.get().score) == (1, 1, 80)


def test_a_changed_rating_is_updated_and_points_at_the_new_import(db):
    run(ROWS[0])
    record = ImportRecord.objects.create(filename="ds.csv", sha256="0" * 64, content=b"")
    result = run(ROWS[0].replace(",4,75,", ",4,80,"), record=record)
    assert (result.updated, Rating.objects.get().score, Rating.objects.get().import_record) == (1, 80, record)


@pytest.mark.parametrize("year", ["inf", "9" * 400, "-1e999"])
def test_a_year_too_big_for_a_number_is_an_error_on_its_cell(db, year):
    result = import_products(content=sheet("Bắc Kạn,,,HTX A,,Miến,1,3,,,," + year, header=HEADER), filename="x.csv")
    assert [(e.row, e.column) for e in result.errors] == [(2, "year")]


@pytest.mark.parametrize("column, at", [("producer", 3), ("product", 5), ("decision_number", 9)])
def test_a_name_longer_than_the_register_holds_is_an_error_on_its_cell(db, column, at):
    cells = "Bắc Kạn,,,HTX A,,Miến,1,3,,2616/QĐ-UBND,29/12/2021,".split(",")
    cells[at] = "x" * 300
    result = run(",".join(cells), skip_invalid=True)
    assert [(e.row, e.column) for e in result.errors] == [(2, column)]
    assert Product.objects.count() == 0


@pytest.mark.parametrize("province, district", [("Hà Giang", "Quản Bạ"), ("Thanh Hóa", "Quan Sơn"),
                                                ("Thanh Hóa", "Huyện Quan Hóa")])
def test_a_district_whose_name_begins_like_a_unit_kind_is_found(db, province, district):
    result = run(f"{province},{district},,HTX A,,Miến,1,3,,,29/12/2021,")
    assert (result.errors, Product.objects.get().district.short_name) == ([], district.removeprefix("Huyện "))


def _rows_the_planner_counts(table: str) -> int | None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        else:
            cursor.execute("SELECT CAST(stat AS INTEGER) FROM sqlite_stat1 WHERE tbl = %s AND idx IS NOT NULL", [table])
        row = cursor.fetchone()
    return row and int(row[0])


def test_a_large_import_refreshes_the_planners_statistics(db, monkeypatch):
    monkeypatch.setattr("imports.services.REFRESH_STATISTICS_ROWS", 2)
    run(*ROWS)
    assert _rows_the_planner_counts("products_product") == 2


def test_a_small_import_leaves_the_statistics_to_the_database(db):
    with CaptureQueriesContext(connection) as queries:
        run(*ROWS)
    assert not [q for q in queries.captured_queries if q["sql"].startswith("ANALYZE")]
