import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db

ENV_PASSWORD = "a-long-secret-from-env"


def ensure_login() -> str:
    out = io.StringIO()
    call_command("ensure_login", stdout=out)
    return out.getvalue()


def shown_password(output: str) -> str:
    """The last line inside the frame of ====."""
    return [line for line in output.splitlines() if line.strip() and not line.startswith("=")][-1].strip()


@pytest.fixture
def no_env_password(monkeypatch):
    monkeypatch.delenv("OCOP_PASSWORD", raising=False)


@pytest.fixture
def env_password(monkeypatch):
    monkeypatch.setenv("OCOP_PASSWORD", ENV_PASSWORD)


def test_it_creates_admin_with_the_generated_password_it_shows(no_env_password):
    password = shown_password(ensure_login())
    assert get_user_model().objects.filter(is_superuser=True).count() == 1
    assert get_user_model().objects.get(username="admin").check_password(password)


def test_generated_passwords_differ_between_installations(no_env_password):
    first = shown_password(ensure_login())
    get_user_model().objects.all().delete()
    assert shown_password(ensure_login()) != first


def test_it_tells_where_to_log_in_in_vietnamese_then_english(no_env_password):
    out = ensure_login()
    assert out.index("Đăng nhập tại http://127.0.0.1:8000/admin/") < out.index("Log in at http://127.0.0.1:8000/admin/")


def test_it_takes_the_password_from_the_environment_without_printing_it(env_password):
    out = ensure_login()
    assert ENV_PASSWORD not in out
    assert get_user_model().objects.get(username="admin").check_password(ENV_PASSWORD)


def test_a_second_run_creates_nobody_and_says_who_can_log_in(env_password):
    ensure_login()
    out = ensure_login()
    assert get_user_model().objects.count() == 1
    assert "admin" in out and "changepassword" in out


def test_an_existing_superuser_is_enough(no_env_password):
    get_user_model().objects.create_superuser("chi.lan", password="another-long-secret")
    out = ensure_login()
    assert not get_user_model().objects.filter(username="admin").exists()
    assert "chi.lan" in out


def test_a_plain_user_named_admin_stops_it_with_a_clear_error(no_env_password):
    get_user_model().objects.create_user("admin", password="a-plain-users-secret")
    with pytest.raises(CommandError, match="createsuperuser"):
        ensure_login()


def test_the_admin_it_creates_has_the_administrator_role(env_password):
    ensure_login()
    assert get_user_model().objects.get(username="admin").membership.role == "admin"


def test_it_names_the_address_it_is_told_the_admin_is_served_at(no_env_password):
    out = io.StringIO()
    call_command("ensure_login", url="http://10.0.0.5:8080/admin/", stdout=out)
    assert "http://10.0.0.5:8080/admin/" in out.getvalue()


def test_its_message_is_framed_so_it_stands_out_after_the_install_messages(no_env_password):
    lines = ensure_login().strip().splitlines()
    assert lines[0].startswith("====") and lines[-1].startswith("====")


def test_the_commands_it_suggests_are_the_ones_that_work_in_a_clone(env_password):
    ensure_login()
    assert "(reset a password: .venv/bin/python manage.py changepassword USERNAME)" in ensure_login()
