import pytest

pytestmark = pytest.mark.django_db


def _provinces(client):
    return {p["slug"]: p for p in client.get("/api/provinces.json").json()["provinces"]}


def test_it_lists_every_province_level_unit(client):
    assert len(_provinces(client)) == 63 + 34


def test_a_legacy_province_names_its_validity_and_successor(client):
    bac_kan = _provinces(client)["bac-kan"]
    assert (bac_kan["code"], bac_kan["valid_to"], bac_kan["successor"]) == (6, "2025-06-30", "thai-nguyen")


def test_each_province_links_to_its_dashboard(client):
    assert _provinces(client)["bac-ninh-cu"]["url"] == "http://testserver/tinh/bac-ninh-cu/"


def test_it_takes_a_fixed_number_of_queries(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        client.get("/api/provinces.json")
