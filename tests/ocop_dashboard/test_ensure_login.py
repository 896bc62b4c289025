import io

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def ensure_login() -> str:
    out = io.StringIO()
    call_command("ensure_login", stdout=out)
    return out.getvalue()


def test_it_creates_admin_with_a_generated_password_it_shows_once(monkeypatch):
    monkeypatch.delenv("OCOP_PASSWORD", raising=False)
    password = ensure_login().splitlines()[-1].strip()
    assert authenticate(username="admin", password=password) is not None


def test_generated_passwords_differ_between_installations(monkeypatch):
    monkeypatch.delenv("OCOP_PASSWORD", raising=False)
    first = ensure_login()
    get_user_model().objects.all().delete()
    assert ensure_login() != first


def test_it_takes_the_password_from_the_environment_without_printing_it(monkeypatch):
    monkeypatch.setenv("OCOP_PASSWORD", "a-long-secret-from-env")
    out = ensure_login()
    assert "a-long-secret-from-env" not in out
    assert authenticate(username="admin", password="a-long-secret-from-env") is not None


def test_a_second_run_creates_nobody(monkeypatch):
    monkeypatch.setenv("OCOP_PASSWORD", "a-long-secret-from-env")
    ensure_login()
    ensure_login()
    assert get_user_model().objects.count() == 1
