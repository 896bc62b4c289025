import datetime

import pytest
from django.utils.translation import gettext as _

from ocop_dashboard.dashboard import ProvinceDashboard
from provinces.models import AdminUnit
from tests.conftest import unit

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 12, 31)


def former(name: str) -> AdminUnit:
    """A Bắc Kạn commune of before the reform."""
    return AdminUnit.objects.named(name).get(valid_to__isnull=False)


def communes_of(slug: str):
    return ProvinceDashboard(unit(slug), DAY).communes


def test_a_product_recorded_in_a_former_commune_counts_in_the_commune_it_became(make):
    con_minh = former("Xã Côn Minh")
    make.rate(make.product(district=con_minh.parent, commune=con_minh), "2021-06-01", 3)
    assert communes_of("thai-nguyen").table.rows[0] == [con_minh.successor.name, 1, 0, 0, 1]


def test_every_commune_of_today_is_listed_those_without_a_product_too(make):
    con_minh = former("Xã Côn Minh")
    make.rate(make.product(district=con_minh.parent, commune=con_minh), "2021-06-01", 3)
    communes = communes_of("thai-nguyen")
    today = AdminUnit.objects.filter(parent=unit("thai-nguyen"), level=AdminUnit.Level.COMMUNE).count()
    assert (communes.covered, communes.communes, len(communes.table.rows)) == (1, today, today)


def test_a_product_recorded_without_a_commune_is_counted_on_a_line_of_its_own(make):
    make.rate(make.product(), "2021-06-01", 4)
    assert communes_of("thai-nguyen").table.rows[0] == [_("Commune not recorded"), 0, 1, 0, 1]


def test_a_legacy_province_has_no_commune_breakdown(bac_kan):
    assert communes_of("bac-kan") is None

