"""Dashboards need a login unless OCOP_PUBLIC_DASHBOARD is on; signed-in users see their provinces;
the public pages carry no personal data of producers."""

import pytest
from django.urls import reverse

from accounts.models import Membership
from tests.conftest import Register, member

pytestmark = pytest.mark.django_db

PERSONAL = {"phone": "0912 345 678", "address": "Thôn Nà Làng, xã Xuân Dương", "tax_code": "4700123456"}


@pytest.fixture
def register(make, cao_bang, food):
    """A recognised product in Bắc Kạn (its producer with phone, address and tax code) and one in Cao Bằng."""
    producer = make.producer("HTX Tài Hoan", **PERSONAL)
    make.rate(make.product("Miến dong", producer=producer), "2021-12-29", 4)
    theirs = Register(cao_bang, food)
    theirs.rate(theirs.product("Trà hoa vàng"), "2025-12-29", 4)


# Thái Nguyên since 1/7/2025 counts what was recorded in Bắc Kạn.
EVERY = {"bac-kan", "thai-nguyen", "cao-bang"}


def overview_units(client) -> list[str]:
    return [row.unit.slug for row in client.get("/", {"as_of": "2026-01-31"}).context["rows"]]


def test_the_overview_sends_a_visitor_to_log_in(client):
    response = client.get("/")
    assert response.url == f"{reverse('admin:login')}?next=/"


def test_progress_json_tells_a_visitor_to_sign_in_in_json(client):
    response = client.get("/tinh/bac-kan/progress.json")
    assert (response.status_code, response.json()["error"]["en"]) == (
        403, "Sign in to read this data: the dashboard is not public.")


def test_the_provinces_api_stays_public(client):
    assert client.get("/api/provinces.json").status_code == 200


def test_a_public_dashboard_opens_the_overview_to_everyone(client, public_dashboard, register):
    assert set(overview_units(client)) == EVERY


def test_a_public_dashboard_opens_province_pages_to_everyone(client, public_dashboard):
    assert client.get("/tinh/cao-bang/").status_code == 200


def test_staff_see_only_their_province_in_the_overview(login, staff_a, register):
    assert overview_units(login(staff_a)) == ["bac-kan"]


def test_the_overview_download_has_only_their_provinces(login, staff_b, register):
    lines = login(staff_b).get("/bang/tinh.csv", {"as_of": "2026-01-31"}).content.decode("utf-8-sig").splitlines()
    assert [line.split(",")[1] for line in lines[1:]] == ["Cao Bằng"]


def test_another_provinces_page_is_not_found_for_staff(login, staff_a):
    assert login(staff_a).get("/tinh/cao-bang/").status_code == 404


def test_staff_of_a_merged_province_read_its_legacy_predecessors_pages(login):
    user = member("can-bo-thai-nguyen", Membership.Role.STAFF, "thai-nguyen")
    assert login(user).get("/tinh/bac-kan/").status_code == 200


def test_leadership_of_a_province_see_only_it(login, register):
    user = member("lanh-dao-cao-bang", Membership.Role.LEADERSHIP, "cao-bang")
    assert overview_units(login(user)) == ["cao-bang"]


def test_national_leadership_see_every_province(login, leader, register):
    assert set(overview_units(login(leader))) == EVERY


def public_pages() -> list[str]:
    tables = ["progress", "targets", "by-district", "by-group", "by-producer-type"]
    return ["/", "/bang/tinh.csv", "/tinh/bac-kan/", "/tinh/bac-kan/progress.json",
            *(f"/tinh/bac-kan/bang/{table}.csv" for table in tables)]


def test_the_public_province_page_names_producers_of_expiring_certificates(client, public_dashboard, register):
    assert "HTX Tài Hoan" in client.get("/tinh/bac-kan/", {"as_of": "2024-12-01"}).content.decode()


@pytest.fixture
def household(make):
    producer = make.producer("Hộ Hoàng Thị Điển", type="household")
    make.rate(make.product("Bánh trời", producer=producer), "2021-12-29", 3)


def test_the_public_province_page_gives_only_the_kind_of_a_household_producer(client, public_dashboard, household):
    text = client.get("/tinh/bac-kan/", {"as_of": "2024-12-01"}).content.decode()
    assert ("Bánh trời" in text, "Hoàng Thị Điển" in text) == (True, False)


def test_signed_in_users_see_the_household_producers_name(login, staff_a, public_dashboard, household):
    assert "Hộ Hoàng Thị Điển" in login(staff_a).get("/tinh/bac-kan/", {"as_of": "2024-12-01"}).content.decode()


@pytest.mark.parametrize("url", public_pages())
def test_public_pages_show_no_phone_address_or_tax_code_of_producers(client, public_dashboard, register, url):
    response = client.get(url, {"as_of": "2024-12-01"})
    text = response.content.decode("utf-8-sig")
    assert response.status_code == 200
    assert [value for value in PERSONAL.values() if value in text] == []
