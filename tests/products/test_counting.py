import datetime

import pytest

from products.models import Producer, Product
from targets.progress import producer_series
from tests.conftest import unit, upgraded_between

D = datetime.date.fromisoformat


def test_a_product_counts_once_at_its_latest_stars(make, bac_kan):
    product = make.product()
    make.rate(product, "2019-06-01", 3)
    make.rate(product, "2020-06-01", 4)
    stars = Product.objects.in_unit(bac_kan).recognised_on(D("2020-12-31")).count_by("stars_on")
    assert stars == {4: 1}


def test_upgrade_moves_product_from_three_to_four_stars_only_from_its_date(make, bac_kan):
    product = make.product()
    make.rate(product, "2019-06-01", 3)
    make.rate(product, "2020-06-01", 4)
    stars = Product.objects.in_unit(bac_kan).recognised_on(D("2020-05-31")).count_by("stars_on")
    assert stars == {3: 1}


def test_two_star_products_are_not_recognised(make, bac_kan):
    make.rate(make.product(), "2019-06-01", 2)
    assert Product.objects.in_unit(bac_kan).recognised_on(D("2020-01-01")).count() == 0


def test_revoked_rating_stops_counting_from_its_revocation(make, bac_kan):
    make.rate(make.product(), "2019-06-01", 3, revoked_on=D("2020-03-01"))
    products = Product.objects.in_unit(bac_kan)
    assert products.recognised_on(D("2020-02-29")).count() == 1
    assert products.recognised_on(D("2020-03-01")).count() == 0


def test_expired_certificate_counts_as_ever_recognised_but_not_in_force(make, bac_kan):
    make.rate(make.product(), "2018-12-31", 3)  # expires 31/12/2021
    products = Product.objects.in_unit(bac_kan)
    assert products.recognised_on(D("2022-06-01")).count() == 1
    assert products.recognised_on(D("2022-06-01"), in_force=True).count() == 0


def test_certificate_expires_36_months_after_the_decision_by_default(make):
    rating = make.rate(make.product(), "2020-02-29", 3)
    assert rating.expires == D("2023-02-28")


def test_products_of_a_merged_province_count_in_its_successor(make, bac_kan):
    make.rate(make.product(), "2021-12-29", 3)
    thai_nguyen = unit("thai-nguyen")
    assert Product.objects.in_unit(thai_nguyen).recognised_on(D("2025-07-01")).count() == 1


def test_successor_does_not_count_into_the_legacy_province(make):
    make.province = unit("thai-nguyen")
    make.rate(make.product(), "2025-08-01", 3)
    assert Product.objects.in_unit(unit("bac-kan")).recognised_on(D("2025-12-31")).count() == 0


def test_district_counts_only_its_own_products(make, na_ri):
    make.rate(make.product("Miến dong", district=na_ri), "2019-06-01", 3)
    make.rate(make.product("Bánh trời"), "2019-06-01", 3)
    assert Product.objects.in_unit(na_ri).recognised_on(D("2019-12-31")).count() == 1


def test_new_in_a_year_counts_first_recognition_only(make, bac_kan):
    renewed = make.product("Miến dong")
    make.rate(renewed, "2018-12-31", 3)
    make.rate(renewed, "2021-12-29", 3)
    make.rate(make.product("Bánh trời"), "2021-12-29", 3)
    new = Product.objects.in_unit(bac_kan).first_recognised_between(D("2021-01-01"), D("2021-12-31"))
    assert list(new.values_list("name", flat=True)) == ["Bánh trời"]


def test_upgrade_in_a_year_needs_a_higher_rating_than_the_previous_one(make, bac_kan):
    upgraded, renewed = make.product("Miến dong"), make.product("Bánh trời")
    for product, second in ((upgraded, 4), (renewed, 3)):
        make.rate(product, "2018-12-31", 3)
        make.rate(product, "2021-12-29", second)
    upgrades = upgraded_between(Product.objects.in_unit(bac_kan), D("2021-01-01"), D("2021-12-31"))
    assert list(upgrades.values_list("name", flat=True)) == ["Miến dong"]


@pytest.mark.parametrize("count", [1, 5])
def test_counting_by_stars_takes_one_query_whatever_the_number_of_products(
    make, bac_kan, count, django_assert_num_queries
):
    for i in range(count):
        make.rate(make.product(f"Sản phẩm {i}"), "2019-06-01", 3 + i % 2)
    products = Product.objects.in_unit(bac_kan)  # lineage lookup happens here, before counting
    with django_assert_num_queries(1):
        products.recognised_on(D("2020-01-01")).count_by("stars_on")


@pytest.mark.parametrize("count", [1, 5])
def test_counting_by_district_takes_one_query(make, bac_kan, na_ri, count, django_assert_num_queries):
    for i in range(count):
        make.rate(make.product(f"Sản phẩm {i}", district=na_ri), "2019-06-01", 3)
    products = Product.objects.in_unit(bac_kan)
    with django_assert_num_queries(1):
        by_district = products.recognised_on(D("2020-01-01")).count_by("district")
    assert by_district == {na_ri.pk: count}


QUERYSET_READS = {
    "new in a period": lambda p: p.first_recognised_between(D("2021-01-01"), D("2021-12-31")).count(),
    "upgraded in a period": lambda p: upgraded_between(p, D("2021-01-01"), D("2021-12-31")).count(),
    "by group": lambda p: p.recognised_on(D("2022-01-01")).count_by("group"),
    "by commune": lambda p: p.recognised_on(D("2022-01-01")).count_by("commune"),
    "in force": lambda p: p.recognised_on(D("2022-01-01"), in_force=True).count(),
    "stars on many days": lambda p: p.stars_series({str(y): D(f"{y}-12-31") for y in range(2018, 2026)}),
    "stars by district on a day": lambda p: p.count_by_stars_and(("district",), {"day": D("2022-01-01")}),
    "producers on many days": lambda p: p.producers_series({str(y): D(f"{y}-12-31") for y in range(2018, 2026)}),
    "recognised, no stars": lambda p: p.counted_on(D("2022-01-01")).count(),
}


@pytest.mark.parametrize("count", [1, 6])
@pytest.mark.parametrize("read", QUERYSET_READS)
def test_each_count_takes_one_query_whatever_the_number_of_products(make, bac_kan, count, read,
                                                                    django_assert_num_queries):
    for i in range(count):
        product = make.product(f"Sản phẩm {i}")
        make.rate(product, "2019-06-01", 3)
        make.rate(product, "2021-06-01", 3 + i % 2)
    products = Product.objects.in_unit(bac_kan)
    with django_assert_num_queries(1):
        QUERYSET_READS[read](products)


def test_counting_by_group_uses_the_current_groups(make, bac_kan, food):
    make.rate(make.product(), "2019-06-01", 3)
    assert Product.objects.in_unit(bac_kan).recognised_on(D("2020-01-01")).count_by("group") == {food.pk: 1}


def test_a_revoked_upgrade_ends_recognition_rather_than_restoring_the_old_rating(make, bac_kan):
    product = make.product()
    make.rate(product, "2019-06-01", 3)
    make.rate(product, "2021-06-01", 4, revoked_on=D("2022-01-01"))
    assert Product.objects.in_unit(bac_kan).recognised_on(D("2022-06-01")).count() == 0


def test_the_series_and_the_single_day_count_agree(make, bac_kan):
    for i, (first, second, revoked) in enumerate([(3, 4, None), (3, None, "2020-03-01"), (4, 5, None), (2, 3, None)]):
        product = make.product(f"P{i}")
        make.rate(product, "2019-06-01", first, revoked_on=D(revoked) if revoked else None)
        if second == 5:
            make.rate(product, make.decision("2021-06-01", level="national"), 5)
        elif second:
            make.rate(product, "2021-06-01", second)
    days = {d: D(d) for d in ("2019-12-31", "2020-06-30", "2021-12-31")}
    products = Product.objects.in_unit(bac_kan)
    series = products.stars_series(days)
    assert all(
        {s: n for s, n in series[key].items() if n} == products.recognised_on(day).count_by("stars_on")
        for key, day in days.items()
    )


def test_both_ways_of_counting_stars_agree_on_upgrades_ties_and_revocations(make, bac_kan, na_ri):
    upgraded, revoked, same_day = (make.product("A", district=na_ri), make.product("B"),
                                   make.product("C", district=na_ri))
    make.rate(upgraded, "2019-06-01", 3)
    make.rate(upgraded, "2021-06-01", 4)
    make.rate(revoked, "2019-06-01", 4, revoked_on=D("2020-03-01"))
    make.rate(same_day, make.decision("2020-06-01", number="1/QĐ"), 3)
    make.rate(same_day, make.decision("2020-06-01", number="2/QĐ"), 4)  # entered later, so it stands
    days = {d: D(d) for d in ("2019-12-31", "2020-03-01", "2020-06-01", "2021-12-31")}
    products = Product.objects.in_unit(bac_kan)
    assert products.stars_by(("district",), days) == products.count_by_stars_and(("district",), days)


def test_counting_with_and_without_stars_finds_the_same_products(make, bac_kan):
    upgraded, revoked, lapsed, tied = (make.product(name) for name in "ABCD")
    make.rate(upgraded, "2019-06-01", 3)
    make.rate(upgraded, "2021-06-01", 4)
    make.rate(revoked, "2019-06-01", 4, revoked_on=D("2020-03-01"))
    make.rate(lapsed, "2019-06-01", 3)
    make.rate(lapsed, "2021-06-01", 2)
    make.rate(tied, make.decision("2020-06-01", number="1/QĐ"), 2)
    make.rate(tied, make.decision("2020-06-01", number="2/QĐ"), 3)
    products = Product.objects.in_unit(bac_kan)
    days = [D(d) for d in ("2019-12-31", "2020-03-01", "2020-06-01", "2021-12-31")]
    found = [set(products.counted_on(day).values_list("name", flat=True)) for day in days]
    assert found == [set(products.recognised_on(day).values_list("name", flat=True)) for day in days]
    assert found == [{"A", "B", "C"}, {"A", "C"}, {"A", "C", "D"}, {"A", "D"}]


def test_stars_and_flows_counted_in_one_pass_are_those_counted_apart(make, bac_kan, na_ri, django_assert_num_queries):
    upgraded, revoked = make.product("A", district=na_ri), make.product("B")
    make.rate(upgraded, "2019-06-01", 3)
    make.rate(upgraded, "2021-06-01", 4)
    make.rate(revoked, "2020-02-01", 5, revoked_on=D("2021-03-01"))
    days = {d: D(d) for d in ("2019-12-31", "2020-12-31", "2021-12-31")}
    windows = {str(year): (D(f"{year}-01-01"), D(f"{year}-12-31")) for year in (2019, 2020, 2021)}
    products = Product.objects.in_unit(bac_kan)
    with django_assert_num_queries(1):
        both = products.stars_and_flows_by(("district",), days, windows)
    assert both == (products.stars_by(("district",), days), products.flows_by(("district",), windows))


def test_a_later_rating_below_three_stars_ends_the_series_count(make, bac_kan):
    product = make.product()
    make.rate(product, "2019-06-01", 3)
    make.rate(product, "2021-06-01", 2)
    series = Product.objects.in_unit(bac_kan).stars_series({"before": D("2020-12-31"), "after": D("2021-12-31")})
    assert series == {"before": {3: 1}, "after": {}}



def test_a_producer_counts_while_one_of_its_products_is_recognised(make, bac_kan):
    producer = make.producer()
    kept, lapsed = make.product("A", producer=producer), make.product("B", producer=make.producer("HTX B"))
    make.rate(kept, "2019-06-01", 3)
    make.rate(make.product("A2", producer=producer), "2019-06-01", 4)
    make.rate(lapsed, "2019-06-01", 4)
    make.rate(lapsed, "2021-06-01", 2)
    make.rate(make.product("C", producer=make.producer("HTX C")), "2019-06-01", 3, revoked_on=D("2020-01-01"))
    counts = [totals["producers"] for totals in producer_series(bac_kan, [D("2019-12-31"), D("2021-12-31")]).values()]
    assert counts == [3, 1]


def test_producers_on_many_days_are_those_owning_a_product_recognised_each_day(make, bac_kan):
    one, two, three = (make.producer("HTX A"), make.producer("HTX B"),
                       make.producer("Hộ C", type=Producer.Type.HOUSEHOLD))
    upgraded, lapsed = make.product("A1", producer=one), make.product("B1", producer=two)
    make.rate(upgraded, "2019-06-01", 3)
    make.rate(upgraded, "2021-06-01", 4)  # one producer, however many of its ratings stand
    make.rate(make.product("A2", producer=one), "2020-06-01", 3)
    make.rate(lapsed, "2019-06-01", 3)
    make.rate(lapsed, "2021-06-01", 2)
    make.rate(make.product("C1", producer=three), "2020-06-01", 4, revoked_on=D("2021-01-01"))
    days = {d: D(d) for d in ("2019-12-31", "2020-12-31", "2021-12-31")}
    assert Product.objects.in_unit(bac_kan).producers_series(days) == {
        "2019-12-31": {"cooperative": 2}, "2020-12-31": {"cooperative": 2, "household": 1},
        "2021-12-31": {"cooperative": 1},
    }


def test_producers_of_one_day_are_those_it_has_among_several_days(make, bac_kan, na_ri):
    upgraded, lapsed = make.product("A", district=na_ri), make.product("B")
    make.rate(upgraded, "2019-06-01", 3)
    make.rate(upgraded, "2021-06-01", 4)
    make.rate(lapsed, "2019-06-01", 3)
    make.rate(lapsed, "2021-06-01", 2)
    make.rate(make.product("C", district=na_ri), "2020-06-01", 4, revoked_on=D("2021-01-01"))
    products, days = Product.objects.in_unit(bac_kan), {d: D(d) for d in ("2019-12-31", "2020-12-31", "2021-12-31")}

    def found(counts):
        return {(group, key): n for group, by_day in counts.items() for key, n in by_day.items() if n}
    alone = {}
    for key, day in days.items():
        alone |= found(products.producers_by(("district",), {key: day}))
    assert found(products.producers_by(("district",), days)) == alone == {
        ((na_ri.pk,), "2019-12-31"): 1, ((None,), "2019-12-31"): 1,
        ((na_ri.pk,), "2020-12-31"): 2, ((None,), "2020-12-31"): 1,
        ((na_ri.pk,), "2021-12-31"): 1,
    }


def test_producers_of_a_province_and_of_each_merged_into_it_are_counted_in_one_query(make, django_assert_num_queries):
    shared = make.producer("HTX A")  # with products in two of the provinces merged into Thái Nguyên
    make.rate(make.product("A1", producer=shared), "2019-06-01", 3)
    make.rate(make.product("A2", producer=shared, province=unit("thai-nguyen-cu")), "2019-06-01", 3)
    make.rate(make.product("B1", producer=make.producer("HTX B")), "2019-06-01", 4)
    thai_nguyen = unit("thai-nguyen")
    merged = {u.slug: u for u in thai_nguyen.merged_units}
    days = {"all": D("2026-01-01"), **dict.fromkeys(merged, D("2026-01-01"))}
    with django_assert_num_queries(1):
        found = Product.objects.in_unit(thai_nguyen).producers_series(days, merged)
    assert found == {"all": {"cooperative": 2}, "bac-kan": {"cooperative": 2}, "thai-nguyen-cu": {"cooperative": 1}}


@pytest.mark.parametrize("count", [1, 6])
def test_producers_by_type_take_one_query_whatever_the_number_of_products(make, bac_kan, count,
                                                                          django_assert_num_queries):
    for i in range(count):
        make.rate(make.product(f"Sản phẩm {i}"), "2019-06-01", 3)
    _ = bac_kan.lineage_ids  # the units merged into it: looked up once per unit, here outside the counted queries
    with django_assert_num_queries(1):
        [totals] = producer_series(bac_kan, [D("2020-01-01")]).values()
    assert (totals["producers"], totals["producers_cooperative"]) == (count, count)
