import pytest

from tests.browser.conftest import ADMIN_PASSWORD

pytestmark = pytest.mark.browser


def log_in(page, server):
    page.goto(server + "/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", ADMIN_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(server + "/admin/")


def issuers_offered(page, term):
    page.click("#id_issuer + .select2")
    page.fill(".select2-search__field", term)
    page.wait_for_selector(".select2-results__option:not(.loading-results)")
    page.wait_for_timeout(300)
    return page.locator(".select2-results__option").all_inner_texts()


def test_a_new_decision_offers_only_issuers_that_existed_on_its_date(server, desktop):
    log_in(desktop.page, server)
    desktop.page.goto(server + "/admin/products/ratingdecision/add/")
    desktop.page.fill("#id_date", "01/06/2021")
    offered = issuers_offered(desktop.page, "thai nguyen")
    assert "Tỉnh Thái Nguyên (đến 30/06/2025)" in offered
    assert "Tỉnh Thái Nguyên" not in offered  # formed on 1/7/2025
    assert desktop.errors == []
