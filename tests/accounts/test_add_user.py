"""manage.py add_user USERNAME --role ROLE [--unit SLUG ...]: idempotent, password from the environment or stdin."""

import io

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.test import RequestFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-secret-from-env"


@pytest.fixture(autouse=True)
def env_password(monkeypatch):
    monkeypatch.setenv("OCOP_PASSWORD", PASSWORD)


def add_user(*args, stdin="") -> str:
    out = io.StringIO()
    call_command("add_user", *args, stdout=out, stdin=io.StringIO(stdin))
    return out.getvalue()


def membership(username="chi.lan"):
    return get_user_model().objects.get(username=username).membership


def test_it_creates_staff_of_a_province_who_can_log_in(bac_kan):
    add_user("chi.lan", "--role", "staff", "--unit", "bac-kan")
    assert list(membership().units.all()) == [bac_kan]
    assert authenticate(RequestFactory().post("/admin/login/"), username="chi.lan", password=PASSWORD).is_staff


def test_it_takes_several_units(bac_kan, cao_bang):
    add_user("chi.lan", "--role", "leadership", "--unit", "bac-kan", "--unit", "cao-bang")
    assert set(membership().units.all()) == {bac_kan, cao_bang}


def test_running_it_again_updates_role_and_units_without_a_second_user(cao_bang):
    add_user("chi.lan", "--role", "staff", "--unit", "bac-kan")
    add_user("chi.lan", "--role", "leadership", "--unit", "cao-bang")
    assert get_user_model().objects.count() == 1
    assert (membership().role, list(membership().units.all())) == ("leadership", [cao_bang])


def test_the_password_can_come_from_standard_input(monkeypatch):
    monkeypatch.delenv("OCOP_PASSWORD")
    add_user("chi.lan", "--role", "leadership", stdin="typed-on-stdin-secret\n")
    request = RequestFactory().post("/admin/login/")
    assert authenticate(request, username="chi.lan", password="typed-on-stdin-secret") is not None


def test_an_update_without_a_password_keeps_the_old_one(monkeypatch):
    add_user("chi.lan", "--role", "leadership")
    monkeypatch.delenv("OCOP_PASSWORD")
    add_user("chi.lan", "--role", "admin")
    assert authenticate(RequestFactory().post("/admin/login/"), username="chi.lan", password=PASSWORD).is_superuser


def test_a_new_user_without_a_password_is_refused(monkeypatch):
    monkeypatch.delenv("OCOP_PASSWORD")
    with pytest.raises(CommandError, match="OCOP_PASSWORD"):
        add_user("chi.lan", "--role", "leadership")


def test_a_weak_password_is_refused_with_the_reason(monkeypatch):
    monkeypatch.setenv("OCOP_PASSWORD", "123")
    with pytest.raises(CommandError, match="10"):  # the minimum length, in any language
        add_user("chi.lan", "--role", "leadership")


def test_an_unknown_slug_is_named_in_the_error():
    with pytest.raises(CommandError, match="bac-can"):
        add_user("chi.lan", "--role", "staff", "--unit", "bac-can")
    assert not get_user_model().objects.exists()


def test_a_district_is_not_a_unit_for_a_user():
    with pytest.raises(CommandError, match="không phải cấp tỉnh|not a province"):
        add_user("chi.lan", "--role", "staff", "--unit", "na-ri-066")


def test_staff_need_a_province():
    with pytest.raises(CommandError, match="--unit"):
        add_user("chi.lan", "--role", "staff")


def test_it_says_what_it_did_once_in_vietnamese_then_in_english():
    lines = add_user("chi.lan", "--role", "staff", "--unit", "bac-kan").splitlines()
    assert len(lines) == 4
    assert "chi.lan" in lines[0] and "Tỉnh Bắc Kạn" in lines[1]
