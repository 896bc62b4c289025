"""axe-core finds no WCAG 2.1 A or AA violation on the pages leadership reads and staff enter data on."""

import pytest

from tests.browser.conftest import accessibility_violations
from tests.browser.test_admin import log_in

pytestmark = pytest.mark.browser

DASHBOARD_PAGES = [
    "/?as_of=2023-07-31",
    "/tinh/bac-kan/?as_of=2020-09-05",  # a legacy province, with its plans
    "/tinh/thai-nguyen/?as_of=2025-12-31",  # a current province, Bắc Kạn merged into it
    "/tinh/bac-kan/san-pham/?as_of=2023-07-31",  # the products behind the numbers
    "/tinh/bac-kan/san-pham/?as_of=2023-07-31&stars=4&status=in_force",
    "/tinh/bac-kan/chu-the/?as_of=2023-07-31",  # the producers behind the numbers
]

ADMIN_PAGES = [
    "/admin/",
    "/admin/products/product/add/",
    "/admin/products/producer/add/",
    "/admin/products/ratingdecision/add/",
    "/admin/products/rating/add/",
    "/admin/products/product/?group__id__exact=1&stars=3",
    "/admin/targets/plan/add/",  # with its targets' rows
    "/admin/imports/importrecord/upload/",
]


@pytest.mark.parametrize("url", DASHBOARD_PAGES)
def test_a_dashboard_page_has_no_accessibility_violation(server, desktop, url):
    desktop.open(server + url)
    violations = accessibility_violations(desktop.page)
    assert violations == [], "\n".join(violations)


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_a_data_entry_page_has_no_accessibility_violation(server, desktop, url):
    log_in(desktop.page, server)
    desktop.page.goto(server + url)
    violations = accessibility_violations(desktop.page)
    assert violations == [], "\n".join(violations)


def test_a_decision_with_its_ratings_has_no_accessibility_violation(server, desktop):
    log_in(desktop.page, server)
    desktop.page.goto(server + "/admin/products/ratingdecision/")
    desktop.page.click("#result_list tbody a")
    desktop.page.wait_for_url("**/change/")
    violations = accessibility_violations(desktop.page)
    assert violations == [], "\n".join(violations)


def test_a_rating_row_added_on_the_page_has_no_accessibility_violation(server, desktop):
    log_in(desktop.page, server)
    desktop.page.goto(server + "/admin/products/ratingdecision/add/")
    desktop.page.click("#ratings-group .add-row a")
    desktop.page.wait_for_selector("#ratings-3 .select2-selection")
    violations = accessibility_violations(desktop.page)
    assert violations == [], "\n".join(violations)
