import datetime

import pytest

from products.models import Product
from targets.models import Indicator, Plan, ReportedFigure, Target
from targets.progress import DAY, Actuals, Status, new_producers, register_totals, targets_progress, unit_progress

D = datetime.date.fromisoformat


@pytest.fixture
def plan(bac_kan):
    return Plan.objects.create(
        unit=bac_kan, name="Đề án thử", kind=Plan.Kind.PROGRAMME, decision_number="1/QĐ-UBND",
        decision_date=D("2021-03-19"), starts_on=D("2021-01-01"), ends_on=D("2025-12-31"),
    )


def target(plan, code, value, unit=None, deadline="2025-12-31"):
    return Target.objects.create(
        plan=plan, indicator=Indicator.objects.get(code=code), unit=unit or plan.unit,
        deadline=D(deadline), value=value,
    )


def only(plan, day):
    [progress] = targets_progress(plan.targets.all(), D(day))
    return progress


def test_percent_is_actual_over_target(make, plan):
    target(plan, "products", 4)
    for name in "ABC":
        make.rate(make.product(name), "2021-06-01", 3)
    assert only(plan, "2021-12-31").percent == 75.0


def test_a_target_reached_is_met(make, plan):
    target(plan, "products", 1)
    make.rate(make.product(), "2021-06-01", 3)
    assert only(plan, "2021-12-31").status == Status.MET


def test_behind_when_under_the_straight_line_from_the_plan_start(make, plan):
    target(plan, "products", 10)
    make.rate(make.product(), "2021-06-01", 3)
    # Half-way through the plan the straight line is at 5 products.
    assert only(plan, "2023-07-02").status == Status.BEHIND


def test_on_track_when_over_the_straight_line(make, plan):
    target(plan, "products", 10)
    for name in "ABCDEF":
        make.rate(make.product(name), "2021-06-01", 3)
    assert only(plan, "2023-07-02").status == Status.ON_TRACK


def test_the_straight_line_starts_from_what_existed_when_the_plan_began(make, plan):
    target(plan, "products", 20)
    for i in range(10):
        make.rate(make.product(f"P{i}"), "2020-06-01", 3)
    # 10 before the plan, 10 more to go: half-way the line is at 15, not 10.
    assert only(plan, "2023-07-02").expected == pytest.approx(15, abs=0.1)


def test_missed_when_the_deadline_passed_unmet(make, plan):
    target(plan, "products", 10)
    assert only(plan, "2026-01-01").status == Status.MISSED


def test_not_started_before_the_plan_begins(plan):
    target(plan, "products", 10)
    assert only(plan, "2020-12-31").status == Status.NOT_STARTED


def test_reported_indicator_takes_the_latest_figure_by_then(plan, bac_kan):
    target(plan, "tourism_models", 2)
    indicator = Indicator.objects.get(code="tourism_models")
    for day, value in (("2022-06-30", 1), ("2024-06-30", 2)):
        ReportedFigure.objects.create(unit=bac_kan, indicator=indicator, as_of=D(day), value=value, source_name="x")
    assert only(plan, "2023-01-01").actual == 1


def test_reported_indicator_without_figures_has_no_data(plan):
    target(plan, "tourism_models", 2)
    assert only(plan, "2023-01-01").status == Status.NO_DATA


def test_per_district_target_counts_only_that_district(make, plan, na_ri):
    target(plan, "products", 25, unit=na_ri)
    make.rate(make.product("Miến dong", district=na_ri), "2021-06-01", 3)
    make.rate(make.product("Bánh trời"), "2021-06-01", 3)
    assert only(plan, "2021-12-31").actual == 1


def test_new_products_count_only_within_the_plan_period(make, plan):
    target(plan, "new_products", 70)
    make.rate(make.product("Cũ"), "2020-06-01", 3)
    make.rate(make.product("Mới"), "2021-06-01", 3)
    assert only(plan, "2021-12-31").actual == 1


def test_producers_count_when_they_own_a_recognised_product(make, bac_kan):
    producer = make.producer()
    make.rate(make.product("A", producer=producer), "2021-06-01", 3)
    make.rate(make.product("B", producer=producer), "2021-06-01", 4)
    make.rate(make.product("C"), "2021-06-01", 2)
    assert register_totals(bac_kan, D("2021-12-31"))["producers_cooperative"] == 1


def test_new_producers_in_a_period_exclude_those_recognised_before(make, bac_kan):
    old = make.producer("HTX cũ")
    make.rate(make.product("A", producer=old), "2020-06-01", 3)
    make.rate(make.product("B", producer=old), "2021-06-01", 3)
    make.rate(make.product("C"), "2021-06-01", 3)
    assert new_producers(bac_kan, D("2021-01-01"), D("2021-12-31")) == 1


def test_a_producers_target_counts_from_the_producers_there_when_the_plan_began(make, plan):
    target(plan, "producers", 3)
    make.rate(make.product("A", producer=make.producer("HTX A")), "2020-06-01", 3)
    make.rate(make.product("B", producer=make.producer("HTX B")), "2022-06-01", 3)
    progress = only(plan, "2023-07-02")
    assert (progress.actual, progress.baseline) == (2, 1)


def test_a_producers_target_reads_its_actual_and_baseline_in_one_query(make, plan, django_assert_num_queries):
    target(plan, "producers", 3)
    make.rate(make.product(), "2020-06-01", 3)
    with django_assert_num_queries(3):  # the targets, the unit's lineage, producers on both days
        only(plan, "2023-07-02")


@pytest.mark.parametrize("products", [1, 6])
def test_register_totals_take_a_fixed_number_of_queries(make, bac_kan, products, django_assert_num_queries):
    for i in range(products):
        make.rate(make.product(f"P{i}"), "2021-06-01", 3 + i % 3 // 2)
    with django_assert_num_queries(3):  # the unit's lineage, products, producers
        register_totals(bac_kan, D("2021-12-31"))


def test_totals_tell_ever_recognised_from_certificates_in_force(make, bac_kan):
    make.rate(make.product("Cũ"), "2018-12-31", 3)  # certificate lapsed on 31/12/2021
    make.rate(make.product("Mới"), "2021-12-29", 3)
    totals = register_totals(bac_kan, D("2022-06-01"))
    assert (totals["products"], totals["products_in_force"]) == (2, 1)


def test_every_total_is_what_its_own_count_finds(make, bac_kan):
    national = make.decision("2020-06-01", level="national")
    for name, decision, stars, fields in (
        ("Chè", "2018-12-31", 3, {"traceable": True}),  # certificate lapsed by 2022
        ("Miến", "2021-06-01", 4, {"ecommerce_channels": "Shopee"}),
        ("Mật ong", national, 5, {"traceable": True, "ecommerce_channels": "Voso"}),
        ("Gạo", "2021-06-01", 3, {}),
        ("Rượu", "2021-06-01", 2, {"traceable": True}),
    ):
        make.rate(make.product(name, **fields), decision, stars)
    day = D("2022-06-01")
    recognised = Product.objects.in_unit(bac_kan).recognised_on(day)
    expected = {
        "products": recognised.count(),
        **{f"products_{s}star": recognised.filter(stars_on=s).count() for s in (3, 4, 5)},
        "products_4plus": recognised.filter(stars_on__gte=4).count(),
        "traceable_products": recognised.filter(traceable=True).count(),
        "ecommerce_products": recognised.exclude(ecommerce_channels="").count(),
        "products_in_force": Product.objects.in_unit(bac_kan).recognised_on(day, in_force=True).count(),
    }
    totals = register_totals(bac_kan, day)
    assert {key: totals[key] for key in expected} == expected == {
        "products": 4, "products_3star": 2, "products_4star": 1, "products_5star": 1, "products_4plus": 2,
        "traceable_products": 2, "ecommerce_products": 2, "products_in_force": 3}


def test_a_target_on_a_total_shares_the_count_of_the_totals(make, plan, django_assert_num_queries):
    target(plan, "traceable_products", 5, deadline="2021-12-31")
    make.rate(make.product(traceable=True), "2021-06-01", 3)
    actuals = Actuals(plan.unit)
    totals, _eve = (actuals.totals(plan.unit, day) for day in (D("2021-12-31"), plan.starts_on - DAY))
    with django_assert_num_queries(1):  # the targets; the totals (on the deadline and the plan's eve) are counted
        [progress] = targets_progress(plan.targets.all(), D("2022-06-01"), actuals)
    assert progress.actual == totals["traceable_products"] == 1


def test_the_totals_have_the_stars_of_the_series_the_page_reads(make, bac_kan):
    make.rate(make.product("A"), "2019-06-01", 3)
    make.rate(make.product("B"), "2020-06-01", 4)
    actuals = Actuals(bac_kan)
    series = Product.objects.in_unit(bac_kan).stars_series({"day": D("2020-12-31")})["day"]
    totals = actuals.totals(bac_kan, D("2020-12-31"))
    assert actuals.stars(bac_kan, D("2020-12-31")) == series == {3: 1, 4: 1}
    assert (totals["products"], totals["products_4star"]) == (2, 1)


def test_targets_tied_on_every_shown_key_come_in_the_same_order_on_every_database(bac_kan):
    plan = Plan.objects.create(unit=bac_kan, name="Đề án", kind="programme", starts_on=datetime.date(2021, 1, 1),
                               ends_on=datetime.date(2025, 12, 31))
    codes = ["products_5star", "products", "products_4plus"]
    Indicator.objects.filter(code__in=codes).update(order=1)
    for code in codes:
        Target.objects.create(plan=plan, indicator=Indicator.objects.get(code=code), unit=bac_kan,
                              deadline=plan.ends_on, value=1)
    listed = [p.target.indicator.code for p in unit_progress(bac_kan, datetime.date(2023, 1, 1))]
    assert listed == sorted(codes)
