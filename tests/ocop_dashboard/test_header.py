import re

import pytest
from django.contrib.auth import get_user_model

from accounts.models import Membership
from tests.conftest import member

pytestmark = pytest.mark.django_db


def header(client, url="/tinh/bac-kan/") -> str:
    html = client.get(url).content.decode()
    return re.search(r'<header class="site">.*?</header>', html, re.S).group(0)


def test_the_header_names_who_is_signed_in(login, staff_a):
    assert "Đang đăng nhập: can-bo-bac-kan" in header(login(staff_a))


def test_staff_get_a_link_to_data_entry(login, staff_a):
    assert 'href="/admin/"' in header(login(staff_a))


def test_leadership_who_may_write_nothing_get_no_data_entry_link(login):
    assert 'href="/admin/"' not in header(login(member("lanh-dao-bac-kan", Membership.Role.LEADERSHIP, "bac-kan")))


def test_an_administrator_gets_a_link_to_data_entry(login):
    assert 'href="/admin/"' in header(login(member("quan-tri", Membership.Role.ADMIN)))


def test_a_user_not_allowed_in_the_admin_gets_no_data_entry_link(login):
    user = get_user_model().objects.create(username="khach", is_staff=False)
    assert 'href="/admin/"' not in header(login(user))


def test_signing_out_is_a_post_form_back_to_the_page(login, staff_a):
    html = header(login(staff_a))
    assert re.search(r'<form action="/admin/logout/" method="post">.*name="next"[^>]*value="/tinh/bac-kan/"', html)


def test_the_sign_out_form_signs_out_and_returns_to_the_page(login, staff_a):
    client = login(staff_a)
    response = client.post("/admin/logout/", {"next": "/tinh/bac-kan/"})
    assert response.status_code == 302 and response["Location"] == "/tinh/bac-kan/"
    assert "_auth_user_id" not in client.session


def test_an_anonymous_visitor_of_a_public_dashboard_sees_a_sign_in_link(client):
    html = header(client, "/tinh/bac-kan/?as_of=2023-07-31")
    assert 'href="/admin/login/?next=/tinh/bac-kan/%3Fas_of%3D2023-07-31"' in html and "Đăng xuất" not in html
