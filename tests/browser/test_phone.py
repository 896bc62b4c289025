"""The province page on a 390-pixel-wide phone: the chart toolbar leaves the legend alone, axis labels
do not run into each other, and the date box reads dd/mm/yyyy however the date came."""

import pytest

pytestmark = pytest.mark.browser

THAI_NGUYEN = "/tinh/thai-nguyen/?as_of=2025-12-31"
BAC_KAN = "/tinh/bac-kan/?as_of=2023-07-31"
BAC_NINH_CU = "/tinh/bac-ninh-cu/?as_of=2022-05-10"
EARLY_IN_A_YEAR = "/tinh/bac-kan/?as_of=2022-02-15"  # six weeks after the year end before it


def boxes(page, selector: str) -> list[dict]:
    """Bounding boxes of the visible elements matching `selector` (inside each chart, in page pixels)."""
    return page.eval_on_selector_all(selector, """els => els
        .filter(e => getComputedStyle(e).display !== 'none' && getComputedStyle(e).visibility !== 'hidden')
        .map(e => { const b = e.getBoundingClientRect(); return {x: b.x, y: b.y, w: b.width, h: b.height,
                    text: e.textContent, chart: e.closest('[data-chart]').dataset.chart}; })
        .filter(b => b.w > 0 && b.h > 0)""")


def overlap(a: dict, b: dict) -> bool:
    across = a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"]
    return across and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]


@pytest.mark.parametrize("url", [BAC_KAN, BAC_NINH_CU, THAI_NGUYEN])
def test_on_a_phone_no_chart_toolbar_covers_a_legend(server, phone, url):
    phone.open(server + url)
    for chart in phone.page.locator("[data-chart]").all():
        chart.hover()  # plotly shows its toolbar on hover (a tap on a phone)
    bars, legends = boxes(phone.page, "[data-chart] .modebar"), boxes(phone.page, "[data-chart] .legend")
    assert legends
    assert [(b["chart"], legend["chart"]) for b in bars for legend in legends
            if b["chart"] == legend["chart"] and overlap(b, legend)] == []


@pytest.mark.parametrize("url", [BAC_KAN, BAC_NINH_CU, THAI_NGUYEN, EARLY_IN_A_YEAR])
def test_on_a_phone_no_two_axis_labels_overlap(server, phone, url):
    phone.open(server + url)
    ticks = boxes(phone.page, "[data-chart] .xtick text, [data-chart] .ytick text")
    assert len(ticks) > 10
    assert [(a["chart"], a["text"], b["text"]) for i, a in enumerate(ticks) for b in ticks[i + 1:]
            if a["chart"] == b["chart"] and overlap(a, b)] == []


@pytest.mark.parametrize("url", [BAC_KAN, THAI_NGUYEN])
def test_on_a_phone_the_legend_stays_clear_of_the_axis_labels(server, phone, url):
    phone.open(server + url)
    ticks = boxes(phone.page, "[data-chart] .xtick text, [data-chart] .ytick text, [data-chart] .g-xtitle text")
    legends = boxes(phone.page, "[data-chart] .legend .traces")
    assert [(t["chart"], t["text"], legend["text"]) for t in ticks for legend in legends
            if t["chart"] == legend["chart"] and overlap(t, legend)] == []


def test_on_a_wide_screen_no_two_dates_overlap_either(server, desktop):
    desktop.open(server + EARLY_IN_A_YEAR)
    ticks = boxes(desktop.page, "[data-chart=chart-progress] .xtick text")
    assert [(a["text"], b["text"]) for i, a in enumerate(ticks) for b in ticks[i + 1:] if overlap(a, b)] == []
    assert ticks[-1]["text"] in {"15/02/2022", "31/12/2025"}


def test_a_date_from_a_link_shows_as_day_month_year(server, phone):
    phone.open(server + BAC_KAN)
    assert phone.page.input_value("#id_as_of") == "31/07/2023"


def test_a_typed_date_shows_as_typed_after_the_page_reloads(server, phone):
    phone.open(server + BAC_KAN)
    phone.page.fill("#id_as_of", "31/12/2020")
    phone.page.click("form.filters button[type=submit]")
    phone.page.wait_for_url("**as_of=31%2F12%2F2020**")
    assert phone.page.input_value("#id_as_of") == "31/12/2020"
    phone.screenshot("bac-kan-phone-2020", full_page=True)


def test_signed_in_on_a_phone_the_header_fits_the_screen(server, phone):
    from tests.browser.test_admin import log_in

    log_in(phone.page, server)
    phone.open(server + BAC_KAN)
    header = phone.page.locator("header.site").bounding_box()
    overflow = phone.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert (overflow <= 0, header["x"] + header["width"] <= 390) == (True, True)
    assert phone.page.locator("header.site button", has_text="Đăng xuất").is_visible()


@pytest.mark.parametrize("url", ["/tinh/bac-kan/san-pham/?as_of=2023-07-31", "/tinh/bac-kan/chu-the/?as_of=2023-07-31"])
def test_on_a_phone_a_list_reads_without_scrolling_sideways(server, phone, url):
    phone.open(server + url)
    overflow = phone.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    table = phone.page.locator("table.list-table").bounding_box()
    assert (overflow <= 0, table["x"] + table["width"] <= 390) == (True, True)


def test_on_a_phone_each_value_of_the_product_list_is_named(server, phone):
    phone.open(server + "/tinh/bac-kan/san-pham/?as_of=2023-07-31")
    producer = phone.page.locator("table.list-table tbody tr:first-child td:nth-child(2)")
    label = phone.page.evaluate("e => getComputedStyle(e, '::before').content", producer.element_handle())
    assert label == '"Chủ thể: "'
    phone.screenshot("bac-kan-products-phone")
