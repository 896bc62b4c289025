import pytest

from products.demo import seed_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    seed_demo()


def test_progress_json_refuses_a_malformed_date(client):
    response = client.get("/tinh/bac-kan/progress.json", {"as_of": "2020-13-45"})
    assert response.status_code == 400
    assert "as_of" in response.json()["errors"]


def test_progress_json_accepts_vietnamese_dates(client):
    response = client.get("/tinh/bac-kan/progress.json", {"as_of": "05/09/2020"})
    assert response.json()["as_of"] == "2020-09-05"


def test_progress_json_is_404_for_a_district(client):
    assert client.get("/tinh/na-ri-066/progress.json").status_code == 404


def test_every_target_says_plan_indicator_unit_deadline_target_actual_percent_status(demo, client):
    target = client.get("/tinh/bac-ninh-cu/progress.json", {"as_of": "2022-05-10"}).json()["targets"][0]
    assert {"plan", "indicator", "unit", "deadline", "target", "actual", "percent", "status"} <= set(target)


def test_per_district_targets_are_listed_for_each_district(demo, client):
    targets = client.get("/tinh/bac-ninh-cu/progress.json", {"as_of": "2022-05-10"}).json()["targets"]
    per_district = [t for t in targets if t["target"] == 25]
    assert len(per_district) == 8
    assert sum(t["actual"] for t in per_district) == 75


def test_the_province_page_shows_the_same_numbers(demo, client):
    page = client.get("/tinh/bac-kan/", {"as_of": "2020-09-05"}).content.decode()
    assert 'id="total-products">107<' in page
    assert "267,5%" in page


def test_the_province_page_is_in_vietnamese_by_default(demo, client):
    assert "Sản phẩm đạt 3 sao trở lên" in client.get("/tinh/bac-kan/").content.decode()


# The register's version, the province, its targets, its lineage, then one query per family of counts
# its targets read (Thái Nguyên's: none; its totals).
@pytest.mark.parametrize(("slug", "as_of", "queries"), [
    ("bac-kan", "2018-12-31", 8), ("bac-kan", "2023-07-31", 9), ("thai-nguyen", "2025-12-31", 6),
])
def test_progress_json_takes_a_fixed_number_of_queries(demo, client, slug, as_of, queries, django_assert_num_queries):
    with django_assert_num_queries(queries):
        client.get(f"/tinh/{slug}/progress.json", {"as_of": as_of})


def test_the_province_page_speaks_english_when_asked(demo, client):
    page = client.get("/tinh/bac-kan/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Products rated 3★ or more" in page


def test_progress_json_refuses_a_day_out_of_range_in_both_languages_in_the_same_shape(client):
    response = client.get("/tinh/bac-kan/progress.json", {"as_of": "0001-01-01"})
    message = response.json()["errors"]["as_of"][0]["message"]
    assert "Hãy chọn một ngày" in message and "Choose a date from" in message


@pytest.mark.parametrize("as_of", ["2018-12-31", "2020-09-05", "2023-07-31"])
def test_progress_json_totals_are_the_province_pages_numbers(demo, client, as_of):
    totals = client.get("/tinh/bac-kan/progress.json", {"as_of": as_of}).json()["totals"]
    page = client.get("/tinh/bac-kan/", {"as_of": as_of}).context["page"]
    assert totals["products"] == page.products
    assert totals["by_stars"] == {str(s): page.stars.get(s, 0) for s in (3, 4, 5)}
    assert totals["producers"] == page.producers["producers"]
