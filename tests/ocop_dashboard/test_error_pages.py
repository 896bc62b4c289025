"""Our own 400, 403, 404 and 500 pages, Vietnamese first and then English whatever the interface's
language; JSON addresses answer {"error": {"vi", "en"}, "status"} instead. (503: test_outage.py.)"""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_missing_page_is_ours_in_vietnamese_then_english(client):
    response = client.get("/khong-co-trang-nay/", HTTP_ACCEPT_LANGUAGE="en")
    text = response.content.decode()
    assert response.status_code == 404
    assert text.index("Không tìm thấy trang") < text.index("Page not found")


def test_an_error_page_has_the_sites_look(client):
    assert 'class="brand"' in client.get("/khong-co-trang-nay/").content.decode()


def test_a_missing_province_in_json_is_a_json_404(client):
    response = client.get("/tinh/khong-co/progress.json")
    assert (response.status_code, response["Content-Type"]) == (404, "application/json")
    assert response.json() == {"error": {"vi": "Không có nội dung nào ở địa chỉ này. Hãy kiểm tra lại địa chỉ, "
                                               "hoặc bắt đầu lại từ trang chủ.",
                                         "en": "There is nothing at this address. Check the address, or start again "
                                               "from the home page."},
                               "status": 404}


def test_an_admin_page_refused_is_our_403(login, staff_a):
    response = login(staff_a).get("/admin/auth/user/")
    assert response.status_code == 403 and "Không có quyền truy cập" in response.content.decode()


def test_a_request_for_an_unknown_host_is_our_400(client):
    response = client.get("/", HTTP_HOST="ocop.example.org")
    assert response.status_code == 400 and "Yêu cầu không hợp lệ" in response.content.decode()


def test_an_unknown_host_asking_for_json_gets_a_json_400(client):
    response = client.get("/api/provinces.json", HTTP_HOST="ocop.example.org")
    assert (response.status_code, response.json()["status"]) == (400, 400)


@pytest.fixture
def broken(monkeypatch):
    def fail(*args):
        raise RuntimeError("a bug")
    monkeypatch.setattr("ocop_dashboard.views.overview_rows", fail)
    monkeypatch.setattr("ocop_dashboard.views.unit_progress", fail)
    return Client(raise_request_exception=False)


def test_a_bug_is_our_500_page(broken):
    response = broken.get("/")
    assert response.status_code == 500 and "Something went wrong on our side" in response.content.decode()


def test_a_bug_behind_a_json_address_is_a_json_500(broken):
    response = broken.get("/tinh/bac-kan/progress.json")
    assert (response.status_code, response.json()["status"]) == (500, 500)


def test_a_refused_date_in_json_says_why_in_both_languages(client):
    body = client.get("/tinh/bac-kan/progress.json", {"as_of": "31/02/2024"}).json()
    assert (body["status"], set(body["error"]), set(body["errors"])) == (400, {"vi", "en"}, {"as_of"})


def test_a_form_sent_without_its_token_is_refused_in_our_words():
    from django.test import Client
    response = Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "a", "password": "b"})
    content = response.content.decode()
    assert response.status_code == 403 and "Biểu mẫu này đã hết hạn" in content and "has expired" in content
