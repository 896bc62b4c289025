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
    with django_assert_num_queries(2):  # the register's version (its ETag), the units
        client.get("/api/provinces.json")


def test_a_repeat_read_is_answered_304(client):
    tag = client.get("/api/provinces.json")["ETag"]
    assert client.get("/api/provinces.json", HTTP_IF_NONE_MATCH=tag).status_code == 304


def test_another_host_is_another_etag(client, settings):
    settings.ALLOWED_HOSTS = ["testserver", "ocop.example.vn"]
    # The list's urls name the host it was asked on: one host's answer is not another's.
    elsewhere = client.get("/api/provinces.json", HTTP_HOST="ocop.example.vn")
    assert client.get("/api/provinces.json")["ETag"] != elsewhere["ETag"]
