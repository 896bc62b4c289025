"""In the English interface, reference data shows its English names; dates stay d/m/Y."""

import re

import pytest

from products.demo import seed_demo

pytestmark = pytest.mark.django_db
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
MONTHS = r"\b(January|February|March|April|May|June|July|August|September|October|November|December|" \
         r"Jan\.|Feb\.|Aug\.|Sept\.|Oct\.|Nov\.|Dec\.)"


@pytest.fixture
def demo():
    seed_demo()


def context(client, url="/tinh/bac-kan/", **headers):
    return client.get(url, {"as_of": "2023-07-31"}, **headers).context


def test_product_groups_show_their_english_names_in_english(demo, client):
    assert "Food" in [row[0] for row in context(client, **ENGLISH)["tables"]["by_group"].rows]


def test_product_groups_stay_vietnamese_in_vietnamese(demo, client):
    assert "Thực phẩm" in [row[0] for row in context(client)["tables"]["by_group"].rows]


def test_indicators_show_their_english_names_in_the_targets_table(demo, client):
    assert "Products rated 3★ or more" in [row[0] for row in context(client, **ENGLISH)["tables"]["targets"].rows]


def test_the_targets_download_in_english_names_the_indicators_in_english(demo, client):
    csv = client.get("/tinh/bac-kan/bang/targets.csv", {"as_of": "2023-07-31"}, **ENGLISH).content.decode("utf-8-sig")
    assert "Products rated 3★ or more" in csv and "Sản phẩm OCOP đạt 3 sao trở lên" not in csv


def test_producer_types_are_translated(demo, client):
    rows = context(client, **ENGLISH)["tables"]["by_producer_type"].rows
    assert [row[0] for row in rows] == ["Enterprise", "Cooperative", "Cooperative group", "Registered household"]


def test_the_former_provinces_plan_names_its_indicators_in_english(demo, client):
    response = client.get("/tinh/thai-nguyen/", {"as_of": "2025-12-31"}, **ENGLISH)
    [legacy] = response.context["page"].legacy_plans
    assert legacy.target_lines()[0]["cells"][0][0] == "Products rated 3★ or more"


def test_progress_json_gives_each_indicators_name_in_both_languages(demo, client):
    [first, *_rest] = client.get("/tinh/bac-kan/progress.json", {"as_of": "2023-07-31"}, **ENGLISH).json()["targets"]
    assert (first["indicator_name"], first["indicator_name_en"]) == (
        "Sản phẩm OCOP đạt 3 sao trở lên", "Products rated 3★ or more")


@pytest.mark.parametrize("url", ["/", "/tinh/bac-kan/", "/tinh/thai-nguyen/"])
def test_dates_are_day_month_year_on_the_english_pages(demo, client, url):
    html = client.get(url, {"as_of": "2023-07-31"}, **ENGLISH).content.decode()
    assert re.findall(MONTHS, html) == []
    assert "31/07/2023" in html


def test_the_english_page_names_a_province_without_its_vietnamese_prefix(demo, client):
    html = client.get("/tinh/thai-nguyen/", {"as_of": "2025-12-31"}, **ENGLISH).content.decode()
    assert "Until Thái Nguyên adopts a plan" in html and "tỉnh Thái Nguyên" not in html


def test_a_former_provinces_english_page_says_what_it_is_now_part_of(demo, client):
    html = client.get("/tinh/bac-kan/", {"as_of": "2023-07-31"}, **ENGLISH).content.decode()
    assert "now part of Thái Nguyên." in html and "tỉnh Thái Nguyên" not in html


def test_the_english_overview_says_what_a_former_province_is_now_part_of(demo, client):
    html = client.get("/", {"as_of": "2023-07-31"}, **ENGLISH).content.decode()
    assert "now part of Thái Nguyên" in html and "part of tỉnh" not in html


def test_the_vietnamese_page_keeps_the_prefix(demo, client):
    assert "tỉnh Thái Nguyên" in client.get("/tinh/bac-kan/", {"as_of": "2023-07-31"}).content.decode()
