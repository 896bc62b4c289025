"""The product and producer lists: products.json's contract, the download, a household's name,
scope, refused parameters and the list's queries."""

import json

import pytest

from products.models import Producer
from tests.conftest import member
from tests.ocop_dashboard.test_count_links import COUNT

pytestmark = pytest.mark.django_db

FIELDS = {"name", "producer", "stars", "group", "commune", "decision", "recognised_on"}


def shown(client, path: str) -> str:
    """What Bắc Kạn's list of households' products (at `path`) shows, as text."""
    response = client.get(f"/tinh/bac-kan/{path}", {"as_of": "2024-06-30", "type": "household"})
    if path.endswith(".json"):
        return json.dumps(response.json(), ensure_ascii=False)
    return response.content.decode("utf-8-sig")


@pytest.fixture
def private(settings):
    settings.OCOP_PUBLIC_DASHBOARD = False


@pytest.mark.parametrize(("slug", "as_of"), [("bac-kan", "2024-06-30"), ("thai-nguyen", "2025-12-31")])
def test_products_json_counts_what_progress_json_totals(register, client, public_dashboard, slug, as_of):
    products = client.get(f"/tinh/{slug}/products.json", {"as_of": as_of}).json()
    progress = client.get(f"/tinh/{slug}/progress.json", {"as_of": as_of}).json()
    assert products["count"] == progress["totals"]["products"] == len(products["results"])


def test_products_json_gives_each_product_the_fields_of_the_contract(register, client, public_dashboard):
    results = client.get("/tinh/bac-kan/products.json", {"as_of": "2024-06-30", "stars": "4"}).json()["results"]
    assert [set(r) for r in results] == [FIELDS, FIELDS]
    assert {(r["name"], r["stars"], r["group"], r["recognised_on"]) for r in results} == {
        ("Mật ong", 4, 2, "2022-05-01"), ("Gạo nếp", 4, 1, "2023-02-01")}


def test_products_json_filters_by_status_as_the_list_does(register, client, public_dashboard):
    found = client.get("/tinh/bac-kan/products.json", {"as_of": "2024-06-30", "status": "revoked"}).json()
    assert [r["name"] for r in found["results"]] == ["Trà shan"]


def test_a_household_shows_only_its_kind_to_visitors_of_a_public_dashboard(register, client, public_dashboard):
    pages = [shown(client, path) for path in ("san-pham/", "san-pham.csv", "products.json", "chu-the/")]
    assert [("Chủ thể Bánh gai" in page) for page in pages] == [False] * 4


def test_a_household_is_named_to_who_signs_in(register, client, private):
    client.force_login(member("lanh-dao", "leadership"))
    pages = [shown(client, path) for path in ("san-pham/", "san-pham.csv", "products.json", "chu-the/")]
    assert [("Chủ thể Bánh gai" in page) for page in pages] == [True] * 4


def test_the_download_lists_what_the_page_counts(register, client, public_dashboard):
    query = {"as_of": "2024-06-30", "group": "1"}
    counted = int(COUNT.search(client.get("/tinh/bac-kan/san-pham/", query).content.decode()).group(1))
    lines = client.get("/tinh/bac-kan/san-pham.csv", query).content.decode("utf-8-sig").splitlines()
    assert len(lines) - 1 == counted == 4


def test_the_list_pages_in_fifties(register, client, public_dashboard, make):
    for i in range(55):
        make.rate(make.product(f"Thêm {i:02}"), "2023-03-01", 3)
    page = client.get("/tinh/bac-kan/san-pham/", {"as_of": "2024-06-30", "page": "2"}).content.decode()
    assert COUNT.search(page).group(1) == "60" and page.count("<tr>") == 1 + 10


@pytest.mark.parametrize("path", ["san-pham/", "san-pham.csv", "products.json", "chu-the/"])
def test_another_provinces_list_is_not_found_for_its_staff(register, client, private, staff_a, path):
    client.force_login(staff_a)
    assert client.get(f"/tinh/cao-bang/{path}").status_code == 404


# With the register version read for the ETag (core.caching).
@pytest.mark.parametrize(("path", "queries"), [("san-pham/", 7), ("chu-the/", 6)])
def test_a_list_takes_the_same_queries_however_many_products(register, client, public_dashboard, make, path,
                                                              queries, django_assert_num_queries):
    for i in range(30):
        make.rate(make.product(f"Thêm {i}", producer=make.producer(f"HTX {i}")), "2023-03-01", 3)
    # The province, the units merged into it, the unit asked for, the count and the page of rows; and the
    # product groups of the product list's group filter.
    with django_assert_num_queries(queries):
        response = client.get(f"/tinh/bac-kan/{path}", {"as_of": "2024-06-30", "unit": "ba-be-061", "stars": "3"})
    assert response.status_code == 200


BAD = [
    {"as_of": "31/02/2024"}, {"as_of": "1999-12-31"}, {"stars": "2"}, {"stars": "x"}, {"group": "-1"},
    {"group": "9" * 30}, {"type": "person"}, {"year": "1999"}, {"year": "99999999999999999999"},
    {"status": "lost"}, {"unit": "cao-bang"}, {"unit": "bao-lac-043"}, {"unit": "no-such-unit"}, {"unit": "a b"},
    {"unrecorded": "province"}, {"q": "x" * 101}, {"q": "a\x00b"},
]


@pytest.mark.parametrize("path", ["san-pham/", "san-pham.csv", "products.json", "chu-the/"])
@pytest.mark.parametrize("params", BAD, ids=lambda p: "-".join(f"{k}={v[:12]!r}" for k, v in p.items()))
def test_a_refused_parameter_is_a_400_with_its_reason(register, client, public_dashboard, path, params):
    response = client.get(f"/tinh/bac-kan/{path}", params)
    assert response.status_code == 400
    assert response.content.strip()


def test_products_json_refuses_in_vietnamese_and_english(register, client, public_dashboard):
    errors = client.get("/tinh/bac-kan/products.json", {"stars": "7"}).json()["errors"]
    assert set(errors["stars"][0]) >= {"vi", "en"} and errors["stars"][0]["vi"] != errors["stars"][0]["en"]


def test_a_unit_of_a_province_merged_into_this_one_is_accepted(register, client, public_dashboard):
    page = client.get("/tinh/thai-nguyen/san-pham/", {"as_of": "2025-12-31", "unit": "bac-kan"}).content.decode()
    assert COUNT.search(page).group(1) == "5"


def test_every_producer_type_of_the_producer_list_is_one_of_the_model(register, client, public_dashboard):
    for kind in Producer.Type.values:
        assert client.get("/tinh/bac-kan/chu-the/", {"type": kind}).status_code == 200
