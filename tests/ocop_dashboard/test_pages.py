import datetime
import re

import pytest

from ocop_dashboard.overview import overview
from products.demo import seed_demo
from products.models import Product
from targets.progress import register_totals
from tests.conftest import unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    seed_demo()


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response


def test_overview_names_what_a_legacy_province_became(demo, client):
    assert "now part of" in page(client, "/", as_of="2023-07-31", HTTP_ACCEPT_LANGUAGE="en").content.decode() or \
        "nay thuộc" in page(client, "/", as_of="2023-07-31").content.decode()


def test_overview_ranks_bac_kan_among_the_provinces_of_its_day(demo, client):
    rows = page(client, "/", as_of="2023-07-31").context["rows"]
    assert [r.unit.slug for r in rows if r.rank][:2] == ["bac-kan", "bac-ninh-cu"]


def test_overview_ranks_current_provinces_after_the_reform(demo, client):
    rows = page(client, "/", as_of="2025-12-31").context["rows"]
    assert rows[0].unit.slug == "thai-nguyen" and rows[0].products == 184


def test_overview_shows_the_headline_target_of_each_plan(demo, client):
    rows = page(client, "/", as_of="2020-09-05").context["rows"]
    bac_kan = next(r for r in rows if r.unit.slug == "bac-kan")
    assert bac_kan.headline.percent == 267.5


def test_overview_counts_producers_where_their_products_are_as_a_province_page_does(make, bac_kan):
    cao_bang = unit("cao-bang-cu")
    producer = make.producer()  # of Bắc Kạn
    make.rate(make.product("Miến dong", producer=producer), "2019-06-01", 3)
    make.rate(make.product("Trà", producer=producer, province=cao_bang), "2019-06-01", 4)
    make.rate(make.product("Mật ong"), "2019-06-01", 3)
    day = datetime.date(2020, 1, 1)
    rows = overview(day)
    assert {row.unit.slug: row.producers for row in rows} == {
        row.unit.slug: register_totals(row.unit, day)["producers"] for row in rows
    } == {"bac-kan": 2, "cao-bang-cu": 1, "thai-nguyen": 2, "cao-bang": 1}  # and the provinces they became


def test_overview_table_writes_each_provinces_figures_in_vietnamese(demo, client):
    html = page(client, "/", as_of="2020-09-05").content.decode()
    row = re.search(r'<a href="/tinh/bac-kan/\?as_of=2020-09-05">Bắc Kạn</a>.*?</tr>', html, re.S).group(0)
    # (The counts are links to their lists: read through them.)
    cells = re.findall(r"<td>(?:<a [^>]*>)?([^<]*)(?:</a>)?</td>", row)
    assert cells == ["107", "99", "8", "0", "71", "40 (2020)", "267,5%", "Đã đạt"]


def test_province_page_selects_the_plan_running_on_the_date(demo, client):
    assert "851/QĐ-UBND" in str(page(client, "/tinh/bac-kan/", as_of="2020-09-05").context["page"].plan)


def test_province_page_follows_the_plan_chosen_in_the_url(demo, client):
    response = page(client, "/tinh/bac-kan/", as_of="2020-09-05")
    later = next(p for p in response.context["page"].plans if "386" in p.decision_number)
    assert page(client, "/tinh/bac-kan/", as_of="2020-09-05", plan=later.pk).context["page"].plan == later


def test_province_page_projects_the_recent_pace_to_the_deadline(demo, client):
    projection = page(client, "/tinh/bac-kan/", as_of="2023-07-31").context["page"].projection
    assert (projection.target, projection.day.isoformat()) == (200, "2025-12-31")


def test_per_district_targets_appear_beside_each_district(demo, client):
    place = page(client, "/tinh/bac-ninh-cu/", as_of="2022-05-10").context["place"]
    assert {row[5] for row in place.rows} == {25}
    assert sum(row[4] for row in place.rows) == 75


def test_province_page_sends_a_strict_content_security_policy(client):
    policy = client.get("/tinh/bac-kan/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]


def test_province_page_has_no_inline_script(demo, client):
    html = page(client, "/tinh/bac-kan/").content.decode()
    assert "<script>" not in html and 'type="application/json"' in html


def test_table_download_gives_the_chart_numbers(demo, client):
    response = client.get("/tinh/bac-kan/bang/by-district.csv", {"as_of": "2020-12-31"})
    lines = response.content.decode("utf-8-sig").splitlines()
    assert sum(int(line.split(",")[4]) for line in lines[1:]) == 131


def test_a_current_province_downloads_its_products_by_commune(demo, client):
    response = client.get("/tinh/thai-nguyen/bang/by-commune.csv", {"as_of": "2025-12-31"})
    lines = response.content.decode("utf-8-sig").splitlines()
    assert sum(int(line.rsplit(",", 1)[1]) for line in lines[1:]) == 184


def test_unknown_table_is_404(client):
    assert client.get("/tinh/bac-kan/bang/nothing.csv").status_code == 404


# Every page reads the register's version for its ETag (core.caching); Thái Nguyên shows Bắc
# Kạn's plan too, counted in its own queries (test_legacy_plans.py).
@pytest.mark.parametrize(("url", "queries"), [
    ("/", 5), ("/tinh/bac-kan/", 15), ("/tinh/bac-ninh-cu/", 15), ("/tinh/thai-nguyen/", 15),
])
def test_pages_take_a_fixed_number_of_queries_however_big_the_register(
    demo, client, make, url, queries, django_assert_num_queries
):
    for i in range(20):
        make.rate(make.product(f"Thêm {i}"), "2023-03-01", 3)
    with django_assert_num_queries(queries):
        page(client, url, as_of="2023-07-31")
    assert Product.objects.count() > 380  # demo register plus the 20 added here


def test_overview_download_lists_the_ranked_provinces(demo, client):
    response = client.get("/bang/tinh.csv", {"as_of": "2020-09-05"})
    first = response.content.decode("utf-8-sig").splitlines()[1].split(",")
    assert (first[0], first[1], first[6]) == ("1", "Bắc Kạn", "107")


@pytest.mark.parametrize("url", ["/", "/tinh/bac-kan/"])
def test_every_figure_a_page_sends_is_one_plotly_accepts(demo, client, url):
    import plotly.graph_objects as go

    figures = page(client, url, as_of="2020-09-05").context["figures"]
    assert [len(go.Figure(figure).data) for figure in figures.values()] == [len(f["data"]) for f in figures.values()]


@pytest.mark.parametrize(("url", "as_of"), [("/tinh/bac-ninh-cu/", "2022-05-10"), ("/tinh/thai-nguyen/", "2025-12-31")])
def test_a_stars_chart_draws_the_numbers_of_the_table_under_it(demo, client, url, as_of):
    response = page(client, url, as_of=as_of)
    context = response.context
    for table, chart in ((context["place"], "chart-place"), (context["tables"]["by_group"], "chart-group")):
        drawn = [trace["x"] for trace in context["figures"][chart]["data"] if trace["type"] == "bar"]
        assert drawn == [[row[column] for row in table.rows] for column in (1, 2, 3)]


def test_each_district_bar_is_marked_at_that_districts_target(demo, client):
    context = page(client, "/tinh/bac-ninh-cu/", as_of="2022-05-10").context
    [mark] = [trace for trace in context["figures"]["chart-place"]["data"] if trace["type"] == "scatter"]
    targets = {row[0]: row[5] for row in context["place"].rows if row[5] is not None}
    assert dict(zip(mark["y"], mark["x"], strict=True)) == targets and len(targets) == 8


def test_the_overview_page_and_its_download_show_the_same_figures(demo, client):
    lines = page(client, "/", as_of="2023-07-31").context["lines"]
    download = client.get("/bang/tinh.csv", {"as_of": "2023-07-31"}).content.decode("utf-8-sig")
    sheet = [row.split(",") for row in download.splitlines()[1:]]
    assert [line["figures"] for line in lines] == [[row[6], row[3], row[4], row[5], row[7]] for row in sheet]
