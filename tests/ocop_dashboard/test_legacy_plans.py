import datetime

import pytest

from ocop_dashboard.dashboard import ProvinceDashboard
from products.demo import seed_demo
from targets.models import Indicator, Plan, Target
from tests.conftest import unit

pytestmark = pytest.mark.django_db
END_OF_2025 = "2025-12-31"


@pytest.fixture
def demo():
    seed_demo()


def section(client, slug, as_of=END_OF_2025):
    response = client.get(f"/tinh/{slug}/", {"as_of": as_of})
    assert response.status_code == 200
    return response.context["page"].legacy_plans


def test_a_merged_province_shows_the_plan_its_former_province_runs_on_the_date(demo, client):
    [legacy] = section(client, "thai-nguyen")
    assert (legacy.unit.slug, legacy.plan.name) == ("bac-kan", "Đề án OCOP tỉnh Bắc Kạn giai đoạn 2021–2025")


def test_the_former_provinces_actuals_are_those_of_its_own_progress_json(demo, client):
    [legacy] = section(client, "thai-nguyen")
    own = client.get("/tinh/bac-kan/progress.json", {"as_of": END_OF_2025}).json()["targets"]
    plan = str(legacy.plan)
    expected = [(t["indicator"], t["actual"], t["status"]) for t in own if t["plan"] == plan]
    shown = [
        (p.target.indicator.code, None if p.actual is None else float(p.actual), p.status) for p in legacy.progress
    ]
    assert shown == expected and len(shown) == 6


def test_a_former_provinces_district_targets_read_what_its_own_progress_json_does(demo, client):
    [legacy] = section(client, "bac-ninh")
    own = client.get("/tinh/bac-ninh-cu/progress.json", {"as_of": END_OF_2025}).json()["targets"]
    shown = [(p.target.unit.slug, None if p.actual is None else float(p.actual)) for p in legacy.progress]
    assert shown == [(t["unit"], t["actual"]) for t in own if t["plan"] == str(legacy.plan)]


def test_the_section_names_the_lineage_and_links_to_the_former_province(demo, client):
    html = client.get("/tinh/thai-nguyen/", {"as_of": END_OF_2025}).content.decode()
    assert "Bắc Kạn (đến 30/06/2025), nay thuộc Thái Nguyên" in html
    assert 'href="/tinh/bac-kan/?as_of=2025-12-31"' in html


def test_the_section_is_gone_once_the_province_has_a_plan_of_its_own_for_the_date(demo, client):
    Plan.objects.create(unit=unit("thai-nguyen"), name="Kế hoạch OCOP 2025–2030", kind=Plan.Kind.PLAN,
                        starts_on=datetime.date(2025, 7, 1), ends_on=datetime.date(2030, 12, 31))
    assert section(client, "thai-nguyen") == []
    assert 'id="legacy-plans"' not in client.get("/tinh/thai-nguyen/", {"as_of": END_OF_2025}).content.decode()


def test_an_own_plan_that_has_not_begun_leaves_the_former_plans_shown(demo, client):
    Plan.objects.create(unit=unit("thai-nguyen"), name="Kế hoạch OCOP 2026–2030", kind=Plan.Kind.PLAN,
                        starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2030, 12, 31))
    assert [legacy.unit.slug for legacy in section(client, "thai-nguyen")] == ["bac-kan"]


def test_a_legacy_provinces_page_has_no_such_section(demo, client):
    assert section(client, "bac-kan") == []


def test_district_targets_of_a_former_province_show_with_their_districts(demo, client):
    [legacy] = section(client, "bac-ninh")
    assert sum(1 for p in legacy.progress if p.target.unit.level == "district") == 8


def test_the_former_provinces_plans_are_counted_in_the_pages_own_queries_however_many(demo, django_assert_num_queries):
    bac_giang = unit("bac-giang")  # a second former province of Bắc Ninh with a plan, beside old Bắc Ninh's
    plan = Plan.objects.create(unit=bac_giang, name="Kế hoạch OCOP Bắc Giang 2021–2025", kind=Plan.Kind.PLAN,
                               starts_on=datetime.date(2021, 1, 1), ends_on=datetime.date(2025, 12, 31))
    for code in ("products", "new_products", "producers"):
        Target.objects.create(plan=plan, indicator=Indicator.objects.get(code=code), unit=bac_giang,
                              deadline=plan.ends_on, value=100)
    bac_ninh = unit("bac-ninh")
    # The lineage walk, the plans, the targets, stars and flows, producers, published figures.
    with django_assert_num_queries(6):
        page = ProvinceDashboard(bac_ninh, datetime.date(2025, 12, 31))
    assert [(legacy.unit.slug, len(legacy.progress)) for legacy in page.legacy_plans] == [
        ("bac-giang", 3), ("bac-ninh-cu", 12)]


def test_a_producer_in_two_former_provinces_counts_in_each_and_once_in_their_successor(make):
    producer = make.producer()
    for name, slug, stars in (("Vải thiều", "bac-giang", 3), ("Gốm Phù Lãng", "bac-ninh-cu", 4)):
        make.rate(make.product(name, producer=producer, province=unit(slug)), "2024-06-01", stars)
        plan = Plan.objects.create(unit=unit(slug), name="Kế hoạch OCOP 2021–2025", kind=Plan.Kind.PLAN,
                                   starts_on=datetime.date(2021, 1, 1), ends_on=datetime.date(2025, 12, 31))
        Target.objects.create(plan=plan, indicator=Indicator.objects.get(code="producers"), unit=plan.unit,
                              deadline=plan.ends_on, value=10)
    page = ProvinceDashboard(unit("bac-ninh"), datetime.date(2025, 12, 31))
    assert [p.actual for legacy in page.legacy_plans for p in legacy.progress] == [1, 1]
    assert page.producers["producers"] == 1
