"""Staff of one province enter a producer, a product and its rating under a decision, then upgrade
it from its page: pickers that tell units apart, in Vietnamese, with no console error."""

import datetime

import pytest

from tests.browser.conftest import ADMIN_PASSWORD, STAFF_USERNAME
from tests.browser.test_admin import searched_for

pytestmark = pytest.mark.browser

# The English of the strings this part added: none may show to a user of the Vietnamese interface.
OUR_ENGLISH = ["Upgrade / re-recognise", "rating history", "Rating history", "certificate expired",
               "Certificate expired", "Left empty", "lies in"]


def log_in_as_staff(page, server):
    page.goto(server + "/admin/login/")
    page.fill("#id_username", STAFF_USERNAME)
    page.fill("#id_password", ADMIN_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(server + "/admin/")


def offered(page, field, term) -> list[str]:
    page.click(f"#id_{field} + .select2")
    with page.expect_response(searched_for(term)):
        page.fill(".select2-search__field", term)
    page.wait_for_selector(".select2-results__option.loading-results", state="detached")
    return page.locator(".select2-results__option").all_inner_texts()


def choose(page, field, term, label):
    assert any(label in text for text in offered(page, field, term))
    page.locator(".select2-results__option", has_text=label).first.click()


def english_shown(page) -> list[str]:
    text = page.locator("body").inner_text()
    return [words for words in OUR_ENGLISH if words in text]


def test_staff_enter_a_product_and_its_rating_then_upgrade_it(server, desktop):
    page, today = desktop.page, datetime.date.today()
    log_in_as_staff(page, server)

    page.goto(server + "/admin/products/producer/add/")
    page.fill("#id_name", "HTX Thử Nâng Hạng")
    page.select_option("#id_type", "cooperative")
    # The province is preset (the user's only one), and narrows the commune picker to today's units in it.
    assert offered(page, "commune", "xuan duong") == ["Xã Xuân Dương — tỉnh Thái Nguyên"]
    page.locator(".select2-results__option").first.click()
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")

    page.goto(server + "/admin/products/product/add/")
    page.fill("#id_name", "Trà thử nâng hạng")
    choose(page, "producer", "thu nang hang", "HTX Thử Nâng Hạng")
    choose(page, "commune", "xuan duong", "Xã Xuân Dương — tỉnh Thái Nguyên")
    page.select_option("#id_group", index=2)
    assert english_shown(page) == []
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")

    for number, days_ago, ratings in (("91/QĐ-UBND", 60, [3]), ("92/QĐ-UBND", 3, [])):
        page.goto(server + "/admin/products/ratingdecision/add/")
        page.fill("#id_number", number)
        page.fill("#id_date", f"{today - datetime.timedelta(days=days_ago):%d/%m/%Y}")
        page.select_option("#id_level", "province")
        choose(page, "issuer", "thai nguyen", "Tỉnh Thái Nguyên")
        page.fill("#id_issuing_body", "UBND tỉnh Thái Nguyên")
        for i, stars in enumerate(ratings):
            choose(page, f"ratings-{i}-product", "tra thu nang", "Trà thử nâng hạng — HTX Thử Nâng Hạng")
            page.fill(f"#id_ratings-{i}-stars", str(stars))
            page.fill(f"#id_ratings-{i}-score", "60")
        page.click("input[name=_save]")
        page.wait_for_selector(".messagelist .success")

    page.goto(server + "/admin/products/product/?q=tra+thu+nang+hang")
    page.click("#result_list tbody th a")
    assert page.locator(".field-stars_today .readonly").inner_text() == "3★"
    page.click("#upgrade-product")
    assert "Trà thử nâng hạng — HTX Thử Nâng Hạng" in page.locator("#id_product + .select2").inner_text()
    choose(page, "decision", "92", "92/QĐ-UBND")
    page.fill("#id_stars", "4")
    page.fill("#id_score", "75")
    assert english_shown(page) == []
    page.click("input[name=_save]")
    page.wait_for_selector(".field-stars_today")  # back on the product's page
    desktop.screenshot("admin-product-upgraded", full_page=True)
    assert page.locator(".field-stars_today .readonly").inner_text() == "4★"
    history = page.locator(".inline-group").inner_text()
    assert "Còn hiệu lực" in history and "Đã được thay thế" in history
    assert english_shown(page) == []
    assert desktop.errors == []
