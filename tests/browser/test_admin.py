import json
import urllib.request
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest

from tests.browser.conftest import ADMIN_PASSWORD
from tests.imports.test_real_layouts import annex

pytestmark = pytest.mark.browser


def log_in(page, server):
    page.goto(server + "/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", ADMIN_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(server + "/admin/")


def searched_for(term):
    """Whether a response answers the admin autocomplete's search for term (not the unfiltered list
    select2 asks for when it opens)."""
    def matches(response):
        url = urlsplit(response.url)
        return url.path.endswith("/admin/autocomplete/") and parse_qs(url.query).get("term") == [term]
    return matches


def issuers_offered(page, term):
    page.click("#id_issuer + .select2")
    with page.expect_response(searched_for(term)):
        page.fill(".select2-search__field", term)
    # select2 replaces its "searching…" row once it has handled the response.
    page.wait_for_selector(".select2-results__option.loading-results", state="detached")
    return page.locator(".select2-results__option").all_inner_texts()


def test_a_new_decision_offers_only_issuers_that_existed_on_its_date(server, desktop):
    log_in(desktop.page, server)
    desktop.page.goto(server + "/admin/products/ratingdecision/add/")
    desktop.page.fill("#id_date", "01/06/2021")
    offered = issuers_offered(desktop.page, "thai nguyen")
    assert "Tỉnh Thái Nguyên (đến 30/06/2025)" in offered
    assert "Tỉnh Thái Nguyên" not in offered  # formed on 1/7/2025
    assert desktop.errors == []


SHEET = ("Tỉnh,Chủ thể,Loại hình chủ thể,Tên sản phẩm,Nhóm sản phẩm,Số sao,Điểm,Số quyết định,Ngày quyết định\n"
         "Cao Bằng,HTX Thử Trình Duyệt,Hợp tác xã,Trà thử trình duyệt,Đồ uống,4 sao,75,99/QĐ-UBND,01/06/2026\n"
         "Cao Bằng,HTX Thử Trình Duyệt,Hợp tác xã,Miến thử trình duyệt,1,7,,99/QĐ-UBND,01/06/2026\n")


def test_an_admin_previews_imports_and_traces_a_sheet(server, desktop):
    page = desktop.page
    log_in(page, server)
    page.goto(server + "/admin/imports/importrecord/upload/")
    page.set_input_files("#id_file", files=[{"name": "ds.csv", "mimeType": "text/csv", "buffer": SHEET.encode()}])
    page.check("#id_skip_invalid")
    page.click("input[type=submit]")
    page.wait_for_selector("#import-errors", timeout=30_000)  # once the worker has checked it
    desktop.screenshot("admin-import-preview", full_page=True)
    assert page.locator("#import-errors tbody tr").all_inner_texts() == ["3\tSố sao\t“7” không phải số sao từ 1 đến 5."]
    page.click("#confirm-import-top")
    # The worker has it: the page follows it by itself, then shows how it ended.
    page.wait_for_selector("#import-progress")
    desktop.screenshot("admin-import-progress", full_page=True)
    page.wait_for_selector("#import-progress", state="detached", timeout=30_000)
    assert "Đã nhập" in page.locator(".field-status .readonly").inner_text()
    assert page.locator(".field-created .readonly").inner_text() == "1"
    page.goto(server + "/admin/products/rating/?q=tra+thu+trinh+duyet")
    page.click("#result_list tbody a")
    page.click("a.historylink")
    desktop.screenshot("admin-rating-history", full_page=True)
    assert "ds.csv" in page.locator("#change-history").inner_text()
    assert desktop.errors == []


def progress_json(server, slug: str, day: str) -> dict:
    provinces = json.load(urllib.request.urlopen(server + "/api/provinces.json"))["provinces"]
    url = next(p["url"] for p in provinces if p["slug"] == slug)
    return json.load(urllib.request.urlopen(urljoin(server, url) + f"progress.json?as_of={day}"))


def test_an_annex_as_published_is_read_with_the_columns_chosen_and_counts_on_the_dashboard(server, desktop):
    """The issue's whole way: the annex as the province published it, one column named in the
    office's own words and chosen in the preview, the rows to be written, the progress, the dashboard."""
    before = progress_json(server, "bac-kan", "2024-12-31")["totals"]["products"]
    page = desktop.page
    log_in(page, server)
    page.goto(server + "/admin/imports/importrecord/upload/")
    products = [[1, "Miến thử phụ lục", "HTX Thử Phụ Lục", "Thực phẩm", 75, "4 sao", "mới"],
                [2, "Trà thử phụ lục", "HTX Thử Phụ Lục", "Đồ uống", 66, "★★★", ""]]
    content = annex(header=["STT", "Tên SP", "Tên chủ thể", "Nhóm", "Số điểm", "Hạng sao", "Ghi chú"],
                    products=products, total="Tổng cộng: 2 sản phẩm")
    page.set_input_files("#id_file", files=[{"name": "phu-luc.xlsx", "buffer": content,
                                              "mimeType": "application/vnd.ms-excel"}])
    page.click("input[type=submit]")
    page.wait_for_selector("#unknown-columns", timeout=30_000)  # once the worker has checked it
    page.select_option("#id_column_0", "product")
    page.select_option("#id_column_1", "")
    page.fill("#id_save_as", "Phụ lục của tỉnh")
    page.select_option("#id_province", label="Tỉnh Bắc Kạn (đến 30/06/2025)")
    page.click("#check-again")
    page.wait_for_selector("#import-rows .outcome-created", timeout=30_000)  # once checked again
    desktop.screenshot("admin-import-annex-preview", full_page=True)
    rows = page.locator("#import-rows tbody tr:not(.row-problem)").all_inner_texts()
    assert [row.split("\t")[:2] for row in rows] == [["9", "mới"], ["10", "mới"]]
    assert "1234/QĐ-UBND\t15/08/2024\tTỉnh" in rows[0]  # the decision of the title, for every row
    page.click("#confirm-import-top")
    page.wait_for_selector("#import-progress")
    page.wait_for_selector("#import-progress", state="detached", timeout=30_000)
    assert page.locator(".field-created .readonly").inner_text() == "2"
    assert progress_json(server, "bac-kan", "2024-12-31")["totals"]["products"] == before + 2
    assert desktop.errors == []
