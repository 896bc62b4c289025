"""A unit name that matches several units on the row's date is decided by the names below it in the
row (district, commune, the address); one that stays ambiguous is an error listing the units."""

import pytest

from imports.services import import_products
from products.models import Product
from provinces.models import AdminUnit

pytestmark = pytest.mark.django_db

HEADER = "Tỉnh,Huyện,Xã,Chủ thể,Tên sản phẩm,Số sao,Ngày quyết định"
Level = AdminUnit.Level


def make(level, code, name, slug, parent=None):
    return AdminUnit.objects.create(level=level, code=code, name=name, short_name=name.split(" ", 1)[1],
                                    slug=slug, parent=parent)


@pytest.fixture
def twin_provinces(db):
    """Two provinces called "Sông Mây", both in force: each with a commune of its own and one "Xã Chung"."""
    first, second = (make(Level.PROVINCE, code, "Tỉnh Sông Mây", slug) for code, slug in
                     ((991, "song-may-a"), (992, "song-may-b")))
    for code, name, parent in ((99101, "Xã Đồi Chè", first), (99102, "Xã Chung", first),
                               (99201, "Xã Bến Đò", second), (99202, "Xã Chung", second)):
        make(Level.COMMUNE, code, name, f"{code}", parent)
    return first, second


def run(*rows, header=HEADER):
    content = ("\n".join([header, *rows]) + "\n").encode()
    return import_products(content=content, filename="ds.csv", dry_run=True)


def test_the_commune_decides_between_two_provinces_of_one_name(twin_provinces):
    result = run("Sông Mây,,Đồi Chè,HTX Chè,Chè búp,3,15/08/2024")
    assert result.failed_rows == 0, [str(e) for e in result.errors]
    assert [(w.column, "song-may-a" in str(w), "Đồi Chè" in str(w)) for w in result.warnings
            if "Sông Mây" in str(w)] == [("province", True, True)]


def test_the_province_decided_by_the_commune_is_the_one_written(twin_provinces):
    result = import_products(content=f"{HEADER}\nSông Mây,,Bến Đò,HTX Đò,Cá khô,3,15/08/2024\n".encode(),
                             filename="ds.csv")
    assert result.created == 1, [str(e) for e in result.errors]
    assert Product.objects.get(name="Cá khô").commune.slug == "99201"


def test_a_commune_in_both_provinces_leaves_the_name_ambiguous(twin_provinces):
    result = run("Sông Mây,,Chung,HTX Chè,Chè búp,3,15/08/2024")
    assert [(e.column, "song-may-a" in str(e) and "song-may-b" in str(e)) for e in result.errors] == [
        ("province", True)]


def test_a_commune_in_neither_province_leaves_the_name_ambiguous(twin_provinces):
    result = run("Sông Mây,,Côn Minh,HTX Chè,Chè búp,3,15/08/2024")
    assert [(e.column, "song-may-a" in str(e) and "song-may-b" in str(e)) for e in result.errors] == [
        ("province", True)]


def test_without_a_name_below_it_the_name_stays_ambiguous(twin_provinces):
    result = run("Sông Mây,,,HTX Chè,Chè búp,3,15/08/2024")
    assert [e.column for e in result.errors] == ["province"]


def test_the_commune_in_the_address_decides_too(twin_provinces):
    result = run("Sông Mây,\"Thôn 2, xã Bến Đò\",HTX Đò,Cá khô,3,15/08/2024",
                 header="Tỉnh,Địa chỉ,Chủ thể,Tên sản phẩm,Số sao,Ngày quyết định")
    assert result.failed_rows == 0, [str(e) for e in result.errors]
    assert any("song-may-b" in str(w) for w in result.warnings)


def test_the_commune_decides_between_two_districts_of_one_name(bac_kan):
    town = make(Level.DISTRICT, 9901, "Thị xã Sông Mây", "tx-song-may", bac_kan)
    make(Level.DISTRICT, 9902, "Huyện Sông Mây", "h-song-may", bac_kan)
    make(Level.COMMUNE, 99301, "Phường Đồi Chè", "99301", town)
    result = run("Bắc Kạn,Sông Mây,Đồi Chè,HTX Chè,Chè búp,3,15/08/2024")
    assert result.failed_rows == 0, [str(e) for e in result.errors]
    assert [w.column for w in result.warnings if "tx-song-may" in str(w)] == ["district"]


def test_two_communes_of_one_name_in_a_district_stay_an_error(bac_kan):
    district = make(Level.DISTRICT, 9901, "Huyện Sông Mây", "h-song-may", bac_kan)
    for code in (99301, 99302):
        make(Level.COMMUNE, code, "Xã Đồi Chè", f"{code}", district)
    result = run("Bắc Kạn,Sông Mây,Đồi Chè,HTX Chè,Chè búp,3,15/08/2024")
    assert [(e.column, "99301" in str(e) and "99302" in str(e)) for e in result.errors] == [("commune", True)]


def test_the_warning_says_in_english_which_unit_was_chosen_and_why(twin_provinces):
    warning = next(w for w in run("Sông Mây,,Đồi Chè,HTX Chè,Chè búp,3,15/08/2024").warnings if w.column == "province")
    assert warning.text("en") == ("Row 2, column Province: “Sông Mây” matches several units; Tỉnh Sông Mây "
                                  "[song-may-a] is used, the only one that contains “Đồi Chè”.")
    assert "đơn vị duy nhất có “Đồi Chè”" in warning.text("vi")


def test_a_real_district_and_town_of_one_name_are_told_apart_by_the_commune(db):
    # Hà Tĩnh had both Huyện Kỳ Anh and Thị xã Kỳ Anh until 2025; Phường Kỳ Liên is in the town.
    result = import_products(content=f"{HEADER}\nHà Tĩnh,Kỳ Anh,Kỳ Liên,HTX Kỳ Anh,Cá khô,3,15/08/2024\n".encode(),
                             filename="ds.csv")
    assert result.created == 1, [str(e) for e in result.errors]
    assert Product.objects.get().district.slug == "ky-anh-449"
