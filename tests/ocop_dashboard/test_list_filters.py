"""The list's filters as a visitor uses them: groups chosen by name, and a unit filter that can be taken off."""

import html
import re

import pytest

from tests.ocop_dashboard.test_count_links import COUNT

pytestmark = pytest.mark.django_db
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def page(client, query, **headers) -> str:
    return client.get("/tinh/bac-kan/san-pham/", {"as_of": "2024-06-30", **query}, **headers).content.decode()


def test_the_group_is_chosen_by_name_with_its_code_as_value(register, client):
    select = re.search(r'<select name="group".*?</select>', page(client, {}), re.S).group(0)
    assert '<option value="1">Thực phẩm</option>' in select and '<option value="2">Đồ uống</option>' in select


def test_the_groups_are_named_in_english_in_english(register, client):
    select = re.search(r'<select name="group".*?</select>', page(client, {}, **ENGLISH), re.S).group(0)
    assert '<option value="1">Food</option>' in select


def test_a_link_with_a_group_code_shows_that_group_chosen(register, client):
    content = page(client, {"group": "2"})
    assert '<option value="2" selected>' in content and COUNT.search(content).group(1) == "1"


def test_the_unit_filter_is_named_with_a_link_that_removes_it_and_keeps_the_others(register, client):
    content = page(client, {"unit": "ba-be-061", "stars": "3"})
    href = html.unescape(re.search(r'<a href="([^"]+)" id="remove-unit">', content).group(1))
    assert "unit=" not in href and "stars=3" in href and "as_of=2024-06-30" in href
    without_unit = COUNT.search(page(client, {"stars": "3"})).group(1)
    assert COUNT.search(client.get(href).content.decode()).group(1) == without_unit



def test_the_list_names_groups_in_english_in_english(register, client):
    content = page(client, {"group": "1"}, **ENGLISH)
    rows = re.search(r"<tbody>.*</tbody>", content, re.S).group(0)
    assert "Food" in rows and "Thực phẩm" not in rows


def test_the_download_names_groups_in_english_in_english(register, client):
    csv = client.get("/tinh/bac-kan/san-pham.csv", {"as_of": "2024-06-30"}, **ENGLISH).content.decode("utf-8-sig")
    assert "1. Food" in csv and "Thực phẩm" not in csv


def test_products_json_keeps_the_groups_code_in_english(register, client):
    results = client.get("/tinh/bac-kan/products.json", {"as_of": "2024-06-30", "group": "1"}, **ENGLISH).json()
    assert {r["group"] for r in results["results"]} == {1}


def test_the_link_that_removes_the_unit_filter_says_so_in_vietnamese(register, client):
    assert 'id="remove-unit">Bỏ lọc theo địa bàn</a>' in page(client, {"unit": "ba-be-061"})


def test_taking_off_a_period_takes_off_its_event_and_both_its_days(register, client):
    content = page(client, {"event": "up4", "since": "2021-01-01", "until": "2024-06-30", "stars": "4"})
    href = html.unescape(re.search(r'<a href="([^"]+)" id="remove-event">', content).group(1))
    assert not re.search(r"event=|since=|until=", href) and "stars=4" in href


def test_the_form_sends_again_the_filters_it_shows_as_a_note(register, client):
    content = page(client, {"stars_from": "4", "feature": "online", "since": "2021-01-01"})
    form = re.search(r'<form method="get" class="filters">.*?</form>', content, re.S).group(0)
    hidden = set(re.findall(r'<input type="hidden" name="(\w+)"', form))
    assert hidden == {"stars_from", "feature", "since"}


def test_a_period_ending_before_it_starts_is_refused_in_words(register, client):
    response = client.get("/tinh/bac-kan/san-pham/", {"since": "2024-01-01", "until": "2023-01-01"})
    assert response.status_code == 400 and "trước ngày bắt đầu" in response.content.decode()


@pytest.mark.parametrize("period", [{"until": "2025-06-30"}, {"since": "2024-07-01"}, {"since": "0001-01-01"},
                                    {"until": "9999-12-31"}])
def test_a_period_past_the_day_shown_or_out_of_bounds_is_refused(register, client, period):
    response = client.get("/tinh/bac-kan/san-pham/", {"as_of": "2024-06-30", "event": "up4", **period})
    assert response.status_code == 400


@pytest.mark.parametrize(("query", "words"), [({"unit": "ab!c"}, "Hãy nhập một mã hợp lệ"),
                                              ({"feature": "x"}, "Hãy chọn một giá trị có trong danh sách")])
def test_a_malformed_filter_is_refused_in_vietnamese(register, client, query, words):
    response = client.get("/tinh/bac-kan/san-pham/", {"as_of": "2024-06-30", **query})
    assert response.status_code == 400 and words in response.content.decode()


def test_a_refused_list_offers_the_list_without_its_filters(register, client):
    content = client.get("/tinh/bac-kan/san-pham/", {"stars_from": "9", "event": "up7"}).content.decode()
    assert '<a href="?" id="clear-filters">Xem danh sách không lọc</a>' in content
