"""Junk in an admin list's query string is refused as Django refuses a wrong filter (a redirect to
the plain list, `?e=1`), and junk offered to a new record's form is left out; never a server error."""

import datetime

import pytest

pytestmark = pytest.mark.django_db
HUGE = "9" * 20

REFUSED = [
    "/admin/products/product/?stars=abc",
    f"/admin/products/product/?stars={HUGE}",
    "/admin/products/product/?first_recognised=99999",
    "/admin/products/product/?first_recognised=abc",
    "/admin/products/product/?province=abc",
    f"/admin/products/product/?province={HUGE}",
    "/admin/products/product/?province=%00",
    f"/admin/products/producer/?province={HUGE}",
    "/admin/products/ratingdecision/?issuer_province=abc",
    f"/admin/products/rating/?issuer_province={HUGE}",
    "/admin/provinces/adminunit/?period=zzz",
    # date hierarchies
    "/admin/products/ratingdecision/?date__year=99999",
    "/admin/products/ratingdecision/?date__year=2021&date__month=13",
    "/admin/products/rating/?decision__date__year=9999",
    "/admin/imports/importrecord/?created_at__year=9999&created_at__month=12",
    "/admin/products/historicalproduct/?history_date__year=9999",
    "/admin/axes/accessattempt/?attempt_time__year=9999",
    # lookups no filter offers, on fields a filter reads
    "/admin/products/ratingdecision/?date__gte=junk",
    "/admin/products/ratingdecision/?level__regex=(",
    "/admin/products/ratingdecision/?date__month=2",
]


@pytest.fixture
def admin(client, administrator, make):
    # A certificate in force whatever the day the tests run: the stars filter counts only those.
    make.rate(make.product(), "2021-12-29", 4, expires=datetime.date(2099, 12, 31))
    client.force_login(administrator)
    return client


@pytest.mark.parametrize("url", REFUSED)
def test_a_list_with_a_junk_filter_value_redirects_to_the_plain_list(admin, url):
    response = admin.get(url)
    assert (response.status_code, response.get("Location")) == (302, f"{url.split('?')[0]}?e=1")


# Values SQLite's driver cannot take (year 1 in UTC, an integer wider than 64 bits) and PostgreSQL
# answers (with no rows).
DRIVER_DEPENDENT = [
    "/admin/imports/importrecord/?created_at__year=1",
    "/admin/axes/accessattempt/?attempt_time__year=1",
    f"/admin/products/rating/?stars__in={HUGE}",
]


@pytest.mark.parametrize("url", DRIVER_DEPENDENT)
def test_a_list_with_a_value_the_database_may_not_take_is_refused_or_empty(admin, url):
    response = admin.get(url)
    assert response.status_code == 302 or response.context["cl"].result_count == 0


@pytest.mark.parametrize(("url", "shown"), [
    ("/admin/products/product/?stars=4", 1),
    ("/admin/products/product/?stars=3", 0),
    ("/admin/products/product/?first_recognised=2021", 1),
    ("/admin/products/ratingdecision/?date__year=2021&date__month=12&date__day=29", 1),
    ("/admin/products/ratingdecision/?date__year=2020", 0),
])
def test_a_list_filter_offered_still_filters(admin, url, shown):
    assert admin.get(url).context["cl"].result_count == shown


def test_a_province_filter_offered_still_filters(admin, bac_kan):
    assert admin.get("/admin/products/product/", {"province": bac_kan.pk}).context["cl"].result_count == 1


@pytest.mark.parametrize("value", ["abc", HUGE, "\x00"])
def test_a_new_records_form_leaves_out_a_related_value_it_could_not_hold(admin, value):
    response = admin.get("/admin/products/product/add/", {"producer": value, "name": "Miến"})
    assert response.status_code == 200
    assert "producer" not in response.context["adminform"].form.initial


def test_a_new_records_form_keeps_the_values_it_can_hold(admin):
    producer = admin.get("/admin/products/product/").context["cl"].result_list[0].producer
    page = admin.get("/admin/products/product/add/", {"producer": producer.pk, "name": "Miến"})
    initial = page.context["adminform"].form.initial
    assert (initial["producer"], initial["name"]) == (str(producer.pk), "Miến")


@pytest.mark.parametrize(("url", "name"), [
    ("/admin/auth/user/add/?groups=1,abc", "groups"),
    ("/admin/products/producer/add/?products=abc", "products"),  # a reverse relation: not a field of the form
])
def test_a_new_records_form_answers_related_lists_and_reverse_relations(admin, url, name):
    assert admin.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/admin/products/product/", "/admin/auth/user/", "/admin/axes/accesslog/"])
def test_a_search_of_a_thousand_words_is_answered(admin, url):
    assert admin.get(url, {"q": "Miến " * 1000}).status_code == 200


def test_a_search_reads_its_first_ten_words(admin):
    response = admin.get("/admin/products/product/", {"q": "Miến " * 10 + "zzz"})
    assert response.context["cl"].result_count == 1  # "zzz", in no name, is the eleventh word
