"""Every count on the dashboard opens the list of what it counts: each link to the product or
producer list found on a page (or in a chart's bars), followed, lists exactly the number it shows."""

import datetime
import html
import re
from collections import defaultdict

import pytest

from products.models import Product
from targets.models import Indicator, Plan, Target
from tests.conftest import unit

pytestmark = pytest.mark.django_db

LINK = re.compile(r'<a [^>]*href="(/tinh/[^"]+/(?:san-pham|chu-the)/\?[^"]*)"[^>]*>([^<]*)</a>')
COUNT = re.compile(r'id="list-count" data-count="(\d+)"')


def number(text: str) -> int:
    return int(text.strip().replace(".", "").replace(",", ""))


def page_links(content: str) -> dict[str, set[int]]:
    """{list address: the numbers shown with a link to it} of every count on a page (a link in
    words, "every expired certificate", shows no number)."""
    found = defaultdict(set)
    for href, text in LINK.findall(content):
        if re.fullmatch(r"\s*[\d.,]+\s*", text):
            found[html.unescape(href)].add(number(text))
    return found


def chart_links(figures: dict) -> dict[str, set[int]]:
    """The same for every chart bar that opens a list: its value and the address in its customdata."""
    found = defaultdict(set)
    for figure in figures.values():
        for trace in figure["data"]:
            if trace.get("type") != "bar" or "customdata" not in trace:
                continue
            values = trace["x"] if trace.get("orientation") == "h" else trace["y"]
            for value, data in zip(values, trace["customdata"], strict=True):
                found[data[-1] if isinstance(data, list) else data].add(value)
    return found


def listed(client, href: str) -> int:
    response = client.get(href)
    assert response.status_code == 200, href
    return int(COUNT.search(response.content.decode()).group(1))


def mismatches(client, links: dict[str, set[int]]) -> dict:
    return {href: (shown, listed(client, href)) for href, shown in links.items() if shown != {listed(client, href)}}


PAGES = [
    ("/tinh/bac-kan/", "2023-12-31"), ("/tinh/bac-kan/", "2024-06-30"), ("/tinh/thai-nguyen/", "2025-12-31"),
    ("/tinh/cao-bang/", "2025-12-31"), ("/", "2024-06-30"), ("/", "2025-12-31"),
]


@pytest.mark.parametrize(("url", "as_of"), PAGES)
def test_every_count_on_a_page_opens_a_list_of_that_many(register, client, public_dashboard, url, as_of):
    response = client.get(url, {"as_of": as_of})
    links = page_links(response.content.decode())
    assert len(links) >= 5  # the page's counts were found
    assert mismatches(client, links) == {}


@pytest.mark.parametrize(("url", "as_of"), PAGES)
def test_every_chart_bar_opens_a_list_of_that_many(register, client, public_dashboard, url, as_of):
    links = chart_links(client.get(url, {"as_of": as_of}).context["figures"])
    assert links
    assert mismatches(client, links) == {}


def test_the_lists_tell_in_force_expired_revoked_and_ever_recognised_apart(register, client, public_dashboard):
    counts = {status: listed(client, f"/tinh/bac-kan/san-pham/?as_of=2024-06-30&status={status}")
              for status in ("recognised", "in_force", "expired", "revoked", "ever")}
    # Miến dong lapsed, Trà shan revoked, Nấm hương rated down to 2★: ever 7, standing 3★+ 5.
    assert counts == {"recognised": 5, "in_force": 4, "expired": 1, "revoked": 1, "ever": 7}


def test_the_headline_shows_ever_recognised_beside_in_force(register, client, public_dashboard):
    content = client.get("/tinh/bac-kan/", {"as_of": "2024-06-30"}).content.decode()
    shown = {name: re.search(rf'id="{name}">([^<]*)<', content).group(1) for name in
             ("total-products", "products-in-force", "products-ever")}
    assert shown == {"total-products": "5", "products-in-force": "4", "products-ever": "7"}


def test_certificates_lapsed_in_the_last_year_are_listed_beside_those_expiring(register, client, public_dashboard):
    content = client.get("/tinh/bac-kan/", {"as_of": "2024-06-30"}).content.decode()
    lapsed = re.search(r'<ul class="list" id="lapsed">(.*?)</ul>', content, re.S).group(1)
    assert "Miến dong" in lapsed and "01/03/2024" in lapsed


def test_no_certificate_lapsed_a_year_before_is_listed_as_lapsed(register, client, public_dashboard):
    content = client.get("/tinh/bac-kan/", {"as_of": "2025-03-02"}).content.decode()
    lapsed = re.search(r'<ul class="list" id="lapsed">(.*?)</ul>', content, re.S).group(1)
    assert "Miến dong" not in lapsed


def test_a_search_finds_a_product_without_its_accents(register, client, public_dashboard):
    content = client.get("/tinh/bac-kan/san-pham/", {"as_of": "2024-06-30", "q": "MIEN dong"}).content.decode()
    assert COUNT.search(content).group(1) == "1" and "Miến dong" in content


def test_a_district_list_holds_only_that_districts_products(register, client, public_dashboard):
    content = client.get("/tinh/bac-kan/san-pham/", {"as_of": "2024-06-30", "unit": "ba-be-061"}).content.decode()
    assert COUNT.search(content).group(1) == "2" and "Gạo nếp" not in content


def test_a_commune_of_today_lists_the_products_of_the_communes_merged_into_it(register, client, public_dashboard):
    content = client.get("/tinh/thai-nguyen/san-pham/", {"as_of": "2025-12-31", "unit": "ba-be-01906"}).content.decode()
    assert "Chè Tân Cương" in content and "Mật ong" in content  # recorded in Cao Thượng, now part of Ba Bể


def test_the_producer_list_counts_each_producer_once(register, client, public_dashboard):
    # Bánh gai's producer; Trà shan's certificate was revoked
    assert listed(client, "/tinh/bac-kan/chu-the/?as_of=2024-06-30&type=household") == 1


@pytest.fixture
def every_target(register, bac_kan):
    """A Bắc Kạn plan with a target for every indicator counted from the register, and one for a
    district and a commune."""
    Product.objects.filter(name="Mật ong").update(traceable=True)
    Product.objects.filter(name="Gạo nếp").update(ecommerce_channels="Shopee")
    plan = Plan.objects.create(unit=bac_kan, name="Đề án thử", kind=Plan.Kind.PROGRAMME,
                               starts_on=datetime.date(2021, 1, 1), ends_on=datetime.date(2025, 12, 31))
    counted = Indicator.objects.filter(source=Indicator.Source.COUNTED)
    for indicator in counted:
        Target.objects.create(plan=plan, indicator=indicator, unit=bac_kan, deadline=plan.ends_on, value=10)
    for place in ("ba-be-061", "banh-trach-01891-cu"):  # a district, a commune
        Target.objects.create(plan=plan, indicator=counted.get(code="products"), unit=unit(place),
                              deadline=plan.ends_on, value=5)
    return counted.count() + 2


def targets_links(content: str) -> dict[str, set[int]]:
    return page_links("".join(re.findall(r'<table class="targets">.*?</table>', content, re.S)))


@pytest.mark.parametrize("as_of", ["2022-12-31", "2023-06-30", "2026-06-30"])
def test_every_targets_actual_opens_a_list_of_that_many(every_target, client, as_of):
    links = targets_links(client.get("/tinh/bac-kan/", {"as_of": as_of}).content.decode())
    assert len(links) == every_target
    assert mismatches(client, links) == {}


def test_a_former_provinces_targets_open_its_own_lists(every_target, client):
    links = targets_links(client.get("/tinh/thai-nguyen/", {"as_of": "2025-12-31"}).content.decode())
    assert len(links) == every_target and all(href.startswith("/tinh/bac-kan/") for href in links)
    assert mismatches(client, links) == {}


def test_a_flows_list_names_its_period(every_target, client):
    content = client.get("/tinh/bac-kan/san-pham/", {"as_of": "2023-06-30", "event": "up4", "since": "2021-01-01",
                                                     "until": "2023-06-30", "status": "ever"}).content.decode()
    period = re.search(r'id="list-period">([^<]*)<', content).group(1)
    assert "Gạo nếp" in content and "01/01/2021" in period and "30/06/2023" in period


def test_the_years_upgrades_open_the_products_upgraded_that_year(register, client):
    content = client.get("/tinh/bac-kan/", {"as_of": "2023-12-31"}).content.decode()
    href, shown = re.search(r'<a href="([^"]+)" id="upgrades-4-this-year">(\d+)</a>', content).groups()
    listing = client.get(html.unescape(href)).content.decode()
    assert shown == COUNT.search(listing).group(1) == "1" and "Gạo nếp" in listing
