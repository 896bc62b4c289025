import pytest

pytestmark = pytest.mark.browser

BAC_KAN = "/tinh/bac-kan/"


def test_overview_draws_every_chart_without_errors(server, desktop):
    desktop.open(server + "/?as_of=2023-07-31")
    assert desktop.chart_count() >= 1
    assert desktop.drawn_charts() == desktop.chart_count()
    assert desktop.errors == []
    desktop.screenshot("overview", full_page=True)


def test_bac_kan_dashboard_draws_every_chart_without_errors(server, desktop):
    desktop.open(server + BAC_KAN + "?as_of=2020-09-05")
    assert desktop.chart_count() == 4
    assert desktop.drawn_charts() == 4
    assert desktop.errors == []
    desktop.screenshot("bac-kan-2020-09-05", full_page=True)


def test_numbers_follow_the_as_of_date(server, desktop):
    desktop.open(server + BAC_KAN + "?as_of=2020-09-05")
    first = desktop.page.inner_text("#total-products")
    desktop.page.fill("#id_as_of", "31/12/2020")
    desktop.page.click("form.filters button[type=submit]")
    desktop.page.wait_for_url("**as_of=31%2F12%2F2020**")
    assert (first, desktop.page.inner_text("#total-products")) == ("107", "131")


def test_bac_kan_reached_267_5_percent_by_05_09_2020(server, desktop):
    desktop.open(server + BAC_KAN + "?as_of=2020-09-05")
    assert desktop.page.inner_text("#plan-percent") == "267,5%"


def test_the_2025_plan_shows_whether_bac_kan_is_on_track(server, desktop):
    desktop.open(server + BAC_KAN + "?as_of=2023-07-31")
    assert "200" in desktop.page.inner_text("#projection")


def test_phone_width_has_no_horizontal_scrolling(server, phone):
    phone.open(server + BAC_KAN + "?as_of=2023-07-31")
    overflow = phone.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    phone.screenshot("bac-kan-phone", full_page=True)
    assert overflow <= 0


@pytest.mark.parametrize("url, table, name_cell", [(BAC_KAN, "targets", 0), ("/", "overview", 1)])
def test_on_a_phone_a_row_shows_its_figures_under_its_name_in_full_view(server, phone, url, table, name_cell):
    phone.open(server + url + "?as_of=2023-07-31")
    row = phone.page.locator(f"table.{table} tbody tr").first
    name, status = row.locator("td").nth(name_cell).bounding_box(), row.locator("td").last.bounding_box()
    assert status["y"] >= name["y"] + name["height"]
    assert status["x"] + status["width"] <= phone.page.viewport_size["width"]


A4_WIDTH = (210 - 2 * 12) / 25.4 * 96  # CSS px between site.css's print margins


def test_printing_draws_every_chart_within_a4_opens_every_table_and_then_restores_the_screen(server, desktop):
    desktop.open(server + BAC_KAN + "?as_of=2020-09-05")
    widths = "[...document.querySelectorAll('[data-chart] svg.main-svg')].map(s => +s.getAttribute('width'))"
    on_screen = desktop.page.evaluate(widths)
    # Registered after charts.js's listener, so it sees the charts as they are printed.
    desktop.page.evaluate(f"addEventListener('beforeprint', () => window.printed = {widths})")
    desktop.page.pdf(format="A4")
    printed, closed = desktop.page.evaluate(
        "[window.printed, document.querySelectorAll('details.numbers:not([open])').length]")
    assert len(printed) == len(on_screen) and max(printed) <= A4_WIDTH
    assert closed == 0
    assert desktop.page.evaluate(widths) == on_screen


def test_strict_content_security_policy_is_sent(server, desktop):
    response = desktop.open(server + BAC_KAN)
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-eval" not in policy
    assert desktop.errors == []


def test_plotly_is_served_from_our_static_files(server, desktop):
    desktop.open(server + BAC_KAN)
    sources = desktop.page.eval_on_selector_all("script[src]", "els => els.map(e => e.src)")
    assert any(s.startswith(server + "/static/vendor/plotly-basic.min") for s in sources)


def test_a_merged_province_shows_its_former_provinces_plan_with_numbers_that_open_lists(server, desktop, phone):
    desktop.open(server + "/tinh/thai-nguyen/?as_of=2025-12-31")
    section = desktop.page.locator("#legacy-plans")
    assert "Bắc Kạn" in section.inner_text() and section.locator("a[href*='/tinh/bac-kan/san-pham/']").count() >= 1
    desktop.screenshot("thai-nguyen-former-plans", "#legacy-plans")
    phone.open(server + "/tinh/thai-nguyen/?as_of=2025-12-31")
    phone.screenshot("thai-nguyen-former-plans-phone", "#legacy-plans")
    assert desktop.errors == phone.errors == []
