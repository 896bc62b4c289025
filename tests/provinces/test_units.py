import datetime

import pytest

from provinces.models import AdminUnit
from provinces.services import load_admin_units, short_name
from provinces.text import fold, fold_unit_name, unit_name_keys

pytestmark = pytest.mark.django_db


def test_it_loads_legacy_and_current_provinces():
    provinces = AdminUnit.objects.provinces()
    assert provinces.filter(valid_to__isnull=False).count() == 63
    assert provinces.current().count() == 34


def test_it_loads_legacy_districts_and_all_communes():
    assert AdminUnit.objects.filter(level="district").count() == 696
    assert AdminUnit.objects.filter(level="commune").current().count() == 3321


def test_bac_kan_merged_into_thai_nguyen():
    assert AdminUnit.objects.get(slug="bac-kan").successor.slug == "thai-nguyen"


def test_new_bac_ninh_takes_code_24_and_both_old_provinces():
    bac_ninh = AdminUnit.objects.get(slug="bac-ninh")
    assert bac_ninh.code == 24
    assert set(bac_ninh.predecessors.values_list("slug", flat=True)) == {"bac-ninh-cu", "bac-giang"}


def test_a_code_alone_does_not_name_a_unit():
    assert AdminUnit.objects.provinces().filter(code=24).count() == 2


def test_split_province_goes_to_the_successor_that_took_most_communes():
    assert AdminUnit.objects.get(slug="tien-giang").successor.slug == "dong-thap"


def test_units_valid_on_a_date_are_legacy_before_the_reform_and_current_after():
    on = AdminUnit.objects.provinces().named("Thái Nguyên")
    assert on.valid_on(datetime.date(2021, 1, 1)).get().slug == "thai-nguyen-cu"
    assert on.valid_on(datetime.date(2026, 1, 1)).get().slug == "thai-nguyen"


def test_legacy_communes_point_at_the_commune_they_became():
    legacy = AdminUnit.objects.filter(level="commune", valid_to__isnull=False)
    assert legacy.filter(successor__isnull=False).count() > 9000


def test_current_province_lineage_holds_its_predecessors():
    thai_nguyen = AdminUnit.objects.get(slug="thai-nguyen")
    slugs = set(AdminUnit.objects.filter(pk__in=thai_nguyen.lineage_ids).values_list("slug", flat=True))
    assert slugs == {"thai-nguyen", "thai-nguyen-cu", "bac-kan"}


def test_a_lineage_is_one_query_and_the_units_in_it_know_their_own(django_assert_num_queries):
    thai_nguyen = AdminUnit.objects.get(slug="thai-nguyen")
    with django_assert_num_queries(1):
        lineages = {unit.slug: unit.lineage_ids for unit in thai_nguyen.merged_units}
    assert lineages == {slug: [AdminUnit.objects.get(slug=slug).pk] for slug in ("bac-kan", "thai-nguyen-cu")}


def test_a_lineage_walk_takes_one_query_per_generation_that_had_units_merged_into_it(django_assert_num_queries):
    bac_kan = AdminUnit.objects.get(slug="bac-kan")
    earlier = AdminUnit.objects.create(level="province", code=990, name="Tỉnh Thử", short_name="Thử", slug="thu",
                                       successor=bac_kan, valid_to=datetime.date(2008, 7, 31))
    thai_nguyen = AdminUnit.objects.get(slug="thai-nguyen")
    with django_assert_num_queries(2):  # Bắc Kạn and old Thái Nguyên; then the one merged into Bắc Kạn
        lineages = {unit.slug: unit.lineage_ids for unit in thai_nguyen.merged_units}
    assert lineages["bac-kan"] == [bac_kan.pk, earlier.pk] and earlier.pk in thai_nguyen.lineage_ids


def test_loading_again_changes_nothing():
    assert load_admin_units() == {"created": 0, "updated": 0, "unchanged": AdminUnit.objects.count()}


def test_loading_again_repairs_a_changed_unit():
    AdminUnit.objects.filter(slug="bac-kan").update(name="Bắc Cạn")
    counts = load_admin_units()
    assert counts["updated"] == 1
    assert AdminUnit.objects.get(slug="bac-kan").name == "Tỉnh Bắc Kạn"


@pytest.mark.parametrize("typed", ["Miến dong", "MIEN  DONG", "mie\u0302\u0301n dong"])
def test_fold_ignores_case_accents_spacing_and_normal_form(typed):
    assert fold(typed) == "mien dong"


def test_fold_ignores_old_and_new_tone_placement():
    assert fold("Thuỷ") == fold("Thủy")


@pytest.mark.parametrize("typed", ["Tỉnh Bắc Kạn", "bac kan", "TP. Bắc Kạn", "Thành phố Bắc Kạn"])
def test_unit_names_fold_without_their_kind(typed):
    assert fold_unit_name(typed) == "bac kan"


@pytest.mark.parametrize("typed, keys", [
    ("Quản Bạ", ("quan ba", "ba")), ("Huyện Quản Bạ", ("huyen quan ba", "quan ba")), ("Na Rì", ("na ri",))])
def test_a_typed_unit_name_is_looked_up_as_typed_then_without_its_first_word_as_a_kind(typed, keys):
    assert unit_name_keys(typed) == keys


def test_named_finds_a_unit_whose_name_begins_like_a_unit_kind(db):
    assert AdminUnit.objects.named("Quản Bạ").get(level=AdminUnit.Level.DISTRICT).name == "Huyện Quản Bạ"


def test_short_name_drops_the_kind_whatever_its_case():
    assert short_name("Thành Phố Bắc Kạn") == "Bắc Kạn"


def test_a_legacy_province_holds_its_own_communes_before_the_reform():
    con_minh = AdminUnit.objects.named("Xã Côn Minh").get(valid_to__isnull=False)
    assert AdminUnit.objects.get(slug="bac-kan").communes_on(datetime.date(2021, 1, 1)).filter(pk=con_minh.pk).exists()


def test_a_merged_province_holds_the_communes_merged_into_it():
    con_minh = AdminUnit.objects.named("Xã Côn Minh").get(valid_to__isnull=False)
    communes = AdminUnit.objects.get(slug="thai-nguyen").communes_on(datetime.date(2025, 7, 1))
    assert communes.filter(pk__in=[con_minh.pk, con_minh.successor_id]).count() == 2


def test_a_current_province_on_a_date_before_it_existed_holds_its_predecessors_communes():
    communes = AdminUnit.objects.get(slug="thai-nguyen").communes_on(datetime.date(2021, 1, 1))
    assert not communes.filter(valid_to__isnull=True).exists()
    assert communes.filter(parent__parent__slug="bac-kan").exists()


def test_the_current_bac_ninh_is_named_a_centrally_run_city_as_the_package_names_it():
    # Resolution 39/2026/QH16 (from 20/09/2026; vietnam-provinces 2026.9.0): the same unit, code and communes.
    bac_ninh = AdminUnit.objects.get(slug="bac-ninh")
    assert (bac_ninh.code, bac_ninh.name, bac_ninh.division_type) == (24, "Thành phố Bắc Ninh", "thành phố trung ương")


def test_nine_current_provinces_are_centrally_run_cities():
    cities = AdminUnit.objects.provinces().current().filter(division_type="thành phố trung ương")
    assert set(cities.values_list("short_name", flat=True)) == {
        "Hà Nội", "Hải Phòng", "Huế", "Đà Nẵng", "Hồ Chí Minh", "Cần Thơ",  # since 01/07/2025
        "Đồng Nai", "Quảng Ninh", "Bắc Ninh"}  # Resolutions 30, 36 and 39/2026/QH16


@pytest.mark.parametrize("typed", ["Tỉnh Bắc Ninh", "tỉnh Quảng Ninh", "Tỉnh Đồng Nai"])
def test_a_city_is_found_by_its_name_as_a_province(typed):
    # Sheets written between 01/07/2025 and 2026 say "Tỉnh …": names are matched without their kind.
    assert AdminUnit.objects.named(typed).provinces().current().count() == 1
