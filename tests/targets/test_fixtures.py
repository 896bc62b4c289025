import pytest
from django.core.management import call_command

from targets.models import Plan, ReportedFigure, Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeds():
    call_command("loaddata", "plans", "reported_figures", verbosity=0)


def test_the_seeds_plans_carry_their_decisions(seeds):
    numbers = set(Plan.objects.filter(unit__slug="bac-kan").values_list("decision_number", flat=True))
    assert {"851/QĐ-UBND", "386/QĐ-UBND", "107/QĐ-UBND"} <= numbers


def test_bac_ninh_has_a_target_of_25_in_each_of_its_8_districts(seeds):
    per_district = Target.objects.filter(plan__decision_number="246/KH-UBND", unit__level="district")
    assert sorted(per_district.values_list("value", flat=True)) == [25] * 8


def test_loading_the_seeds_twice_adds_nothing(seeds):
    before = (Plan.objects.count(), Target.objects.count(), ReportedFigure.objects.count())
    call_command("loaddata", "plans", "reported_figures", verbosity=0)
    assert (Plan.objects.count(), Target.objects.count(), ReportedFigure.objects.count()) == before


def test_published_figures_keep_their_source(seeds):
    figure = ReportedFigure.objects.get(unit__slug="bac-kan", indicator__code="products", as_of="2023-07-31")
    assert (figure.value, figure.source_url.startswith("https://baobackan.com.vn/")) == (182, True)
