"""Administrators set a user's role and provinces on the user's page; the groups follow."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db


def add_user_form(role, *units) -> dict:
    return {
        "username": "chi.lan", "usable_password": "true",
        "password1": "a-long-secret-1", "password2": "a-long-secret-1",
        "membership-TOTAL_FORMS": 1, "membership-INITIAL_FORMS": 0,
        "membership-0-role": role, "membership-0-units": [unit.pk for unit in units],
    }


def test_a_user_added_with_a_role_joins_its_group_and_may_log_in(login, administrator, bac_kan):
    login(administrator).post(reverse("admin:auth_user_add"), add_user_form("staff", bac_kan))
    user = get_user_model().objects.get(username="chi.lan")
    assert list(user.groups.values_list("name", flat=True)) == ["staff"]
    assert user.is_staff and list(user.membership.units.all()) == [bac_kan]


def test_the_user_list_shows_each_users_role(login, administrator, staff_a):
    response = login(administrator).get(reverse("admin:auth_user_changelist"), HTTP_ACCEPT_LANGUAGE="en")
    assert "<td class=\"field-role\">Office staff</td>" in response.content.decode()
