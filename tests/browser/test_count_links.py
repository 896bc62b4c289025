"""A leader clicks a number, or a bar of a chart, on a province page and lands on the list of
exactly that many products."""

import json

import pytest

pytestmark = pytest.mark.browser

BAC_KAN = "/tinh/bac-kan/?as_of=2020-09-05"


def listed(desktop) -> int:
    desktop.page.wait_for_url("**/san-pham/**")
    return int(desktop.page.get_attribute("#list-count", "data-count"))


def test_clicking_the_headline_number_lists_that_many_products(server, desktop):
    desktop.open(server + BAC_KAN)
    shown = int(desktop.page.inner_text("#total-products").replace(".", ""))
    desktop.page.click("#total-products")
    assert (listed(desktop), desktop.errors) == (shown, [])


def test_clicking_a_chart_bar_lists_that_many_products(server, desktop):
    desktop.open(server + BAC_KAN)
    figure = json.loads(desktop.page.inner_text("#chart-place"))
    values = figure["data"][0]["x"]  # the 3★ bars, one per district
    longest = values.index(max(values))
    bar = desktop.page.locator("[data-chart=chart-place] .barlayer .trace").first.locator(".point path").nth(longest)
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    middle = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    desktop.page.mouse.move(*middle)  # plotly finds the bar under the pointer as it moves, then takes the click
    desktop.page.wait_for_selector("[data-chart=chart-place] .hovertext")
    desktop.page.mouse.click(*middle)
    assert (listed(desktop), desktop.errors) == (values[longest], [])
    desktop.screenshot("product-list", full_page=True)
