"""The dashboards answer for days from 1/1/2000 to 31/12 ten years from now; any other `as_of` is
refused with a message before anything is counted, so no request's work grows with its date."""

import datetime

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db
PAGES = ["/", "/tinh/bac-kan/"]
DOWNLOADS = ["/bang/tinh.csv", "/tinh/bac-kan/bang/by-group.csv", "/tinh/bac-kan/bang/by-district.xlsx"]


def last_day() -> datetime.date:
    return datetime.date(timezone.localdate().year + 10, 12, 31)


OUT_OF_RANGE = ["0001-01-01", "31/12/1999", "9999-12-31"]


@pytest.mark.parametrize("as_of", OUT_OF_RANGE)
def test_progress_json_refuses_a_day_out_of_range_with_the_reason(client, as_of):
    response = client.get("/tinh/bac-kan/progress.json", {"as_of": as_of}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "from 01/01/2000 to" in response.json()["errors"]["as_of"][0]["message"]


def test_progress_json_refuses_the_day_after_the_last_without_counting(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):  # the register's version (its ETag) and the province; nothing counted
        response = client.get("/tinh/bac-kan/progress.json", {"as_of": f"{last_day() + datetime.timedelta(days=1)}"})
    assert response.status_code == 400


@pytest.mark.parametrize("as_of", ["2000-01-01", "31/12/2000"])
def test_progress_json_answers_the_first_day(client, as_of):
    assert client.get("/tinh/bac-kan/progress.json", {"as_of": as_of}).status_code == 200


def test_progress_json_answers_the_last_day(client):
    answer = client.get("/tinh/bac-kan/progress.json", {"as_of": f"{last_day():%d/%m/%Y}"}).json()
    assert answer["as_of"] == f"{last_day()}"


@pytest.mark.parametrize("url", PAGES)
def test_a_page_asked_for_a_far_day_shows_the_message_in_vietnamese(client, url):
    response = client.get(url, {"as_of": "9999-12-31"})
    assert response.status_code == 400
    assert f"Hãy chọn một ngày từ 01/01/2000 đến {last_day():%d/%m/%Y}." in response.content.decode()


@pytest.mark.parametrize("url", PAGES)
def test_a_page_asked_for_year_one_shows_the_message_in_english(client, url):
    response = client.get(url, {"as_of": "0001-01-01"}, HTTP_ACCEPT_LANGUAGE="en")
    assert f"Choose a date from 01/01/2000 to {last_day():%d/%m/%Y}." in response.content.decode()


@pytest.mark.parametrize("url", PAGES)
def test_a_page_asked_for_a_day_out_of_range_shows_today(client, url):
    assert client.get(url, {"as_of": "9999-12-31"}).context["as_of"] == timezone.localdate()


@pytest.mark.parametrize("url", DOWNLOADS)
@pytest.mark.parametrize("as_of", [*OUT_OF_RANGE, "2020-13-45"])
def test_a_download_refuses_a_day_out_of_range_or_malformed(client, url, as_of):
    response = client.get(url, {"as_of": as_of}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Content-Disposition" not in response


@pytest.mark.parametrize("url", DOWNLOADS)
def test_a_download_says_why_it_was_refused(client, url):
    assert "Hãy chọn một ngày" in client.get(url, {"as_of": "9999-12-31"}).content.decode()


@pytest.mark.parametrize("plan", ["abc", "-1", "9" * 30, "\x00", "1e9", ""])
def test_a_junk_plan_shows_the_page_with_the_plan_of_the_day(client, bac_kan, plan):
    assert client.get("/tinh/bac-kan/", {"as_of": "2020-09-05", "plan": plan}).status_code == 200


@pytest.mark.parametrize("url", PAGES)
def test_the_download_links_of_a_refused_page_name_the_day_it_shows(client, url):
    assert f"as_of={timezone.localdate():%Y-%m-%d}" in client.get(url, {"as_of": "9999-12-31"}).context["query"]
