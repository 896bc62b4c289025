"""Pages and JSON answer a repeat view 304 without counting (ETag, Last-Modified), and never from
before a write: every way the register changes (a form, an import's bulk insert, an update of many
rows, a revocation, a delete, a plan, a published figure, a unit) gives every view a new ETag,
tested with the writes committed by a process of their own on the suite's database."""

import datetime
import gzip
import json

import pytest
from django.db import connection
from django.db.models import F
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import caching
from core.models import RegisterVersion
from tests.processes import finished, manage

pytestmark = pytest.mark.django_db
PAGE = "/tinh/bac-kan/"


def etag(client, url=PAGE, **headers) -> str:
    return client.get(url, {"as_of": "2023-07-31"}, **headers)["ETag"]


def test_a_repeat_view_is_answered_304_without_counting(register, client, django_assert_max_num_queries):
    first = etag(client)
    with django_assert_max_num_queries(1):  # the register's version
        response = client.get(PAGE, {"as_of": "2023-07-31"}, HTTP_IF_NONE_MATCH=first)
    assert response.status_code == 304 and response.content == b""


def test_a_view_unchanged_since_is_answered_304(register, client):
    RegisterVersion.objects.update(changed_at=timezone.now() - datetime.timedelta(minutes=5))
    last_modified = client.get(PAGE, {"as_of": "2023-07-31"})["Last-Modified"]
    assert client.get(PAGE, {"as_of": "2023-07-31"}, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304


def test_no_last_modified_is_given_in_the_second_of_a_change(register, client):
    # Another change in the same second would keep it: an If-Modified-Since would not see that one.
    # (A change dated a little ahead: the page is served in the same second however slow the machine.)
    RegisterVersion.objects.update(changed_at=timezone.now() + datetime.timedelta(seconds=30))
    assert "Last-Modified" not in client.get(PAGE, {"as_of": "2023-07-31"})


@pytest.mark.parametrize("url", ["/", PAGE, f"{PAGE}progress.json", f"{PAGE}san-pham/", f"{PAGE}products.json",
                                 f"{PAGE}chu-the/", "/bang/tinh.csv", f"{PAGE}san-pham.csv", f"{PAGE}bang/targets.csv"])
def test_every_view_says_its_etag_and_that_caches_must_ask_again(register, client, url):
    response = client.get(url, {"as_of": "2023-07-31"})
    assert response["ETag"] and "no-cache" in response["Cache-Control"]


def test_another_language_another_day_or_another_address_is_another_etag(register, client, monkeypatch):
    tags = {etag(client), etag(client, HTTP_ACCEPT_LANGUAGE="en"), etag(client, f"{PAGE}chu-the/")}
    monkeypatch.setattr(caching.timezone, "localdate", lambda: datetime.date(2099, 1, 1))
    assert len(tags | {etag(client)}) == 4


def test_a_signed_in_visitors_page_is_private_and_their_own(register, client, staff_a):
    anonymous = etag(client)
    client.force_login(staff_a)
    response = client.get(PAGE, {"as_of": "2023-07-31"})
    assert response["ETag"] != anonymous and "private" in response["Cache-Control"]


def test_pages_are_compressed(register, client):
    response = client.get("/", {"as_of": "2023-07-31"}, HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip" and "Accept-Encoding" in response["Vary"]


WRITES = r'''
import datetime, json
from django.core.cache import cache
from django.test import Client
from imports.services import import_products
from products.models import Product, ProductGroup, Rating
from provinces.models import AdminUnit
from targets.models import Indicator, Plan, ReportedFigure, Target
from tests.conftest import Register

bac_kan = AdminUnit.objects.get(slug="bac-kan")
make = Register(bac_kan, ProductGroup.objects.get(scheme="2022", code=1))
rating = make.rate(make.product("Miến dong"), "2021-12-29", 3)
client = Client()
URLS = ["/", "/tinh/bac-kan/", "/tinh/bac-kan/progress.json", "/tinh/bac-kan/san-pham/",
        "/tinh/bac-kan/products.json", "/tinh/bac-kan/chu-the/", "/bang/tinh.csv", "/tinh/bac-kan/san-pham.csv",
        "/tinh/bac-kan/bang/targets.csv", "/tinh/thai-nguyen/"]
indicator = Indicator.objects.get(code="products")
day = datetime.date(2021, 1, 1)
SHEET = "Tỉnh,Chủ thể,Tên sản phẩm,Số sao,Ngày quyết định\nBắc Kạn,HTX A,Chè,3,29/12/2021\n"

def upgrade():
    rating.stars = 4
    rating.save()

def revoke():
    rating.revoked_on = datetime.date(2022, 1, 1)
    rating.save()

def plan():
    made = Plan.objects.create(unit=bac_kan, name="Đề án", kind="programme", starts_on=day,
                               ends_on=datetime.date(2025, 12, 31))
    Target.objects.create(plan=made, indicator=indicator, unit=bac_kan, deadline=made.ends_on, value=200)

WRITES = {
    "a form's save": upgrade,
    "an import": lambda: import_products(content=SHEET.encode(), filename="ds.csv"),
    "an update of many rows": lambda: Product.objects.filter(province=bac_kan).update(traceable=True),
    "a revocation": revoke,
    "a plan and its target": plan,
    "a target changed": lambda: Target.objects.update(value=250),
    "a published figure": lambda: ReportedFigure.objects.create(unit=bac_kan, indicator=indicator, as_of=day,
                                                                value=1, source_name="Báo"),
    "a delete": lambda: Rating.objects.filter(pk=rating.pk).delete(),
    "a unit renamed": lambda: AdminUnit.objects.filter(slug="bac-kan").update(short_name="Bắc Kạn"),
}

def pages():
    return {url: client.get(url, {"as_of": "2023-07-31"}) for url in URLS}

# Stale: the same ETag after the write, or a page served from the server's cache that is not the one
# counted afresh.
stale = {}
for name, write in WRITES.items():
    before = pages()
    write()
    after = pages()
    cache.clear()
    fresh = pages()
    stale[name] = [url for url in URLS
                   if before[url]["ETag"] == after[url]["ETag"] or after[url].content != fresh[url].content]
print(json.dumps(stale))
'''


# Committed by the process, on a copy of the database taken outside any transaction of the test's.
@pytest.mark.django_db(transaction=True, available_apps=[])
def test_every_write_gives_every_view_a_new_etag_and_page(databases):
    code, out, words = finished(manage(databases.copy(), "shell", "-c", WRITES, ALLOWED_HOSTS="testserver",
                                       CACHE_BACKEND="django.core.cache.backends.locmem.LocMemCache",
                                       SECURE_SSL_REDIRECT="false", OCOP_PUBLIC_DASHBOARD="true",
                                       STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage"))
    assert code == 0, words
    stale = json.loads(out.strip().splitlines()[-1])
    assert len(stale) == 9 and stale == {name: [] for name in stale}


@pytest.fixture
def server_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.mark.parametrize("url", ["/", PAGE])
def test_the_next_visitor_is_served_the_figures_counted_for_the_first(register, client, server_cache, url,
                                                                     django_assert_max_num_queries):
    first = client.get(url, {"as_of": "2023-07-31"}).content.decode()
    with django_assert_max_num_queries(1):  # the register's version: the page is kept whole
        again = Client().get(url, {"as_of": "2023-07-31"}).content.decode()
    assert again == first


def test_a_new_register_version_is_counted_again(register, client, server_cache, django_assert_max_num_queries):
    client.get(PAGE, {"as_of": "2023-07-31"})
    RegisterVersion.objects.update(version=F("version") + 1)  # what every write's trigger does
    with CaptureQueriesContext(connection) as counted:
        client.get(PAGE, {"as_of": "2023-07-31"})
    assert len(counted) > 5


def test_a_signed_in_visitor_is_not_served_the_public_figures(register, client, server_cache, staff_a):
    client.get(PAGE, {"as_of": "2023-07-31"})
    client.force_login(staff_a)
    with CaptureQueriesContext(connection) as counted:
        client.get(PAGE, {"as_of": "2023-07-31"})
    assert len(counted) > 5  # counted again: a household producer is named to them


def main(content: str) -> str:
    return content[content.index("<main>"):content.index("</main>")]


def test_the_next_reader_of_progress_json_is_served_what_was_counted(register, client, server_cache,
                                                                     django_assert_max_num_queries):
    first = client.get(f"{PAGE}progress.json", {"as_of": "2023-07-31"}).json()
    with django_assert_max_num_queries(1):  # the register's version
        assert Client().get(f"{PAGE}progress.json", {"as_of": "2023-07-31"}).json() == first


def test_a_refused_or_missing_page_has_no_etag_to_come_back_with(register, client):
    assert "ETag" not in client.get("/tinh/khong-co/", {"as_of": "2023-07-31"})
    assert "ETag" not in client.get(PAGE, {"as_of": "31/31/2023"})


def test_a_cache_the_server_cannot_write_only_makes_pages_counted(register, client, settings, tmp_path):
    unwritable = tmp_path / "file"
    unwritable.write_text("")  # a file where the cache's folder should be
    settings.CACHES = {"default": {"BACKEND": "core.cache.ForgivingFileBasedCache",
                                   "LOCATION": str(unwritable / "cache")}}
    assert client.get(PAGE, {"as_of": "2023-07-31"}).status_code == 200
    assert client.get(f"{PAGE}progress.json", {"as_of": "2023-07-31"}).status_code == 200


@pytest.mark.parametrize("url", ["/", PAGE])
def test_a_reader_in_another_language_is_not_served_the_first_ones_figures(register, client, server_cache, url):
    english = Client().get(url, {"as_of": "2023-07-31"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    vietnamese = Client().get(url, {"as_of": "2023-07-31"}, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Sản phẩm" in main(vietnamese) and "Sản phẩm" not in main(english)


def test_a_kept_page_is_sent_compressed_to_who_accepts_gzip_and_plain_to_others(register, client, server_cache):
    plain = client.get(PAGE, {"as_of": "2023-07-31"})
    compressed = Client().get(PAGE, {"as_of": "2023-07-31"}, HTTP_ACCEPT_ENCODING="gzip")
    assert gzip.decompress(compressed.content) == plain.content and compressed["ETag"] == f"W/{plain['ETag']}"
    assert "Accept-Encoding" in compressed["Vary"] and "Accept-Encoding" in Client().get(PAGE, {"as_of": "2023-07-31"})[
        "Vary"]


def test_a_kept_download_keeps_its_file_name(register, client, server_cache):
    first = client.get("/bang/tinh.csv", {"as_of": "2023-07-31"})
    again = Client().get("/bang/tinh.csv", {"as_of": "2023-07-31"})
    assert (again["Content-Disposition"], again.content) == (first["Content-Disposition"], first.content)


def test_a_page_for_visitors_not_signed_in_carries_no_form_token(register, client):
    assert "csrfmiddlewaretoken" not in client.get(PAGE, {"as_of": "2023-07-31"}).content.decode()


def test_the_language_switch_works_without_a_form_token():
    response = Client(enforce_csrf_checks=True).post("/i18n/setlang/", {"language": "en", "next": PAGE})
    assert response.status_code == 302 and response.cookies["django_language"].value == "en"


@pytest.mark.parametrize("sets", ["a cookie", "a form token"])
def test_an_answer_that_holds_something_of_its_visitor_is_never_kept(rf, server_cache, sets):
    from django.contrib.auth.models import AnonymousUser
    from django.middleware.csrf import get_token

    answered = []

    def view(request):
        answered.append(request)
        response = HttpResponse("<p>" + ("x" * 300))
        if sets == "a cookie":
            response.set_cookie("visitor", "1")
        else:
            get_token(request)
        return response

    kept = caching.shared_page(view)
    for _ in range(2):
        request = rf.get("/tinh/bac-kan/")
        request.user = AnonymousUser()
        kept(request)
    assert len(answered) == 2


def test_a_role_changed_without_a_write_to_the_register_is_a_new_etag(register, client, staff_a):
    client.force_login(staff_a)
    before = etag(client)
    staff_a.is_staff = False  # the link to data entry goes
    staff_a.save()
    assert etag(client) != before


def test_a_request_across_midnight_counts_for_the_day_its_etag_names(register, client, monkeypatch):
    days = iter([datetime.date(2024, 12, 31)])
    monkeypatch.setattr(caching.timezone, "localdate", lambda: next(days, datetime.date(2025, 1, 1)))
    content = client.get(PAGE).content.decode()
    assert "as_of=2024-12-31" in content and "as_of=2025-01-01" not in content


def test_a_kept_workbook_is_not_compressed_again(register, client, server_cache):
    client.get(f"{PAGE}san-pham.xlsx", {"as_of": "2023-07-31"})
    again = Client().get(f"{PAGE}san-pham.xlsx", {"as_of": "2023-07-31"}, HTTP_ACCEPT_ENCODING="gzip")
    assert again.status_code == 200 and "Content-Encoding" not in again


def test_a_damaged_file_in_the_cache_is_a_miss(register, client, settings, tmp_path):
    settings.CACHES = {"default": {"BACKEND": "core.cache.ForgivingFileBasedCache", "LOCATION": str(tmp_path)}}
    client.get(PAGE, {"as_of": "2023-07-31"})
    for kept in tmp_path.glob("*.djcache"):
        kept.write_bytes(kept.read_bytes()[:40])  # torn by a power cut
    assert Client().get(PAGE, {"as_of": "2023-07-31"}).status_code == 200


def test_a_new_sign_in_is_a_new_etag_the_sign_out_form_has_a_new_token(register, client, staff_a):
    client.force_login(staff_a)
    client.get("/admin/")  # the form token's secret, as a signed-in page gives it
    before = etag(client)
    client.logout()
    client.force_login(staff_a)  # Django gives a new secret at sign-in
    client.get("/admin/")
    assert etag(client) != before


def test_the_second_of_a_change_is_the_databases_whatever_the_app_servers_clock(register, client, monkeypatch):
    # A change dated by the database in the second it reads as now (a little ahead: however slow the machine).
    RegisterVersion.objects.update(changed_at=timezone.now() + datetime.timedelta(seconds=30))
    ahead = timezone.now() + datetime.timedelta(hours=1)
    monkeypatch.setattr(caching.timezone, "now", lambda: ahead)  # an app server whose clock runs an hour ahead
    assert "Last-Modified" not in client.get(PAGE, {"as_of": "2023-07-31"})
