import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from ocop_dashboard.settings import database_from_url, env_bool, env_int

ROOT = Path(__file__).resolve().parents[2]


def connection(db: dict) -> dict:
    return {key: db[key] for key in ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT")}


def test_a_postgres_url_gives_every_connection_part_with_escapes_decoded():
    db = database_from_url("postgres://ocop:p%40ss%2Fw%3Ard@db.example.vn:5433/ocop_prod")
    assert connection(db) == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "ocop_prod",
        "USER": "ocop",
        "PASSWORD": "p@ss/w:rd",
        "HOST": "db.example.vn",
        "PORT": "5433",
    }


def test_postgresql_is_accepted_as_a_scheme_too():
    assert database_from_url("postgresql://ocop@localhost/ocop")["ENGINE"] == "django.db.backends.postgresql"


def test_a_postgres_url_without_user_or_port_leaves_them_to_libpq():
    db = database_from_url("postgres://localhost/ocop")
    assert (db["USER"], db["PASSWORD"], db["PORT"]) == ("", "", "")


def test_a_sqlite_url_names_the_database_file(tmp_path):
    path = tmp_path / "ocop.sqlite3"
    path.touch()
    db = database_from_url(f"sqlite:///{path}")
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert os.path.samefile(db["NAME"], path)


def test_a_sqlite_url_without_a_path_is_in_memory():
    assert database_from_url("sqlite://")["NAME"] == ":memory:"


@pytest.mark.parametrize("url", ["mysql://ocop@localhost/ocop", "db.sqlite3", "postgis://localhost/ocop"])
def test_an_unknown_scheme_is_refused(url):
    with pytest.raises(ImproperlyConfigured, match="must start with postgres"):
        database_from_url(url)


@pytest.mark.parametrize("url", ["postgres://ocop@localhost:5432", "postgres://ocop@localhost:5432/"])
def test_a_postgres_url_without_a_database_name_is_refused(url):
    with pytest.raises(ImproperlyConfigured, match="names no database"):
        database_from_url(url)


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("ON", True), ("0", False), ("no", False), ("", True)])
def test_env_bool_reads_the_usual_spellings_and_defaults_when_empty(monkeypatch, value, expected):
    monkeypatch.setenv("OCOP_TEST_FLAG", value)
    assert env_bool("OCOP_TEST_FLAG", True) is expected


def test_env_bool_refuses_anything_else_naming_the_variable(monkeypatch):
    monkeypatch.setenv("OCOP_TEST_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="OCOP_TEST_FLAG"):
        env_bool("OCOP_TEST_FLAG", False)


def test_production_settings_without_a_secret_key_fail_loudly():
    # A clean environment: DEBUG unset means off, and pytest's own SECRET_KEY must not leak in.
    result = subprocess.run(
        [sys.executable, "-c", "import ocop_dashboard.settings"],
        cwd=ROOT, env={"PATH": os.environ.get("PATH", ""), "OCOP_ENV_FILE": ""}, capture_output=True, text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_three_slashes_name_a_relative_sqlite_file_and_four_an_absolute_one():
    assert (database_from_url("sqlite:///db.sqlite3")["NAME"], database_from_url("sqlite:////srv/ocop.db")["NAME"]) == (
        "db.sqlite3", "/srv/ocop.db")


def test_postgres_connections_run_without_the_jit():
    assert "jit=off" in database_from_url("postgres://ocop@localhost/ocop")["OPTIONS"]["options"]


def test_postgres_connections_plan_for_ssd_storage():
    assert "random_page_cost=1.1" in database_from_url("postgres://ocop@localhost/ocop")["OPTIONS"]["options"]


def test_production_settings_pass_the_deployment_checks(tmp_path):
    env = {"PATH": os.environ.get("PATH", ""), "OCOP_ENV_FILE": "",
           "SECRET_KEY": "x" * 60 + "-not-a-real-key-but-long-and-varied-0123456789",
           "ALLOWED_HOSTS": "ocop.example.gov.vn", "DATABASE_URL": f"sqlite:///{tmp_path}/ocop.sqlite3"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr


def setting(expression: str, **env: str | None) -> str:
    """What `expression` (of the settings module `s`) prints in a process whose environment has only
    `env` (a None value: unset) beside DEBUG on."""
    env = {"PATH": os.environ.get("PATH", ""), "OCOP_ENV_FILE": "", "DEBUG": "true"} | {
        name: value for name, value in env.items() if value is not None}
    result = subprocess.run([sys.executable, "-c", f"import ocop_dashboard.settings as s; print({expression})"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    return result.stdout.strip()


@pytest.mark.parametrize(("value", "expected"), [(None, "False"), ("true", "True")])
def test_the_public_dashboard_is_off_unless_the_environment_turns_it_on(value, expected):
    assert setting("s.OCOP_PUBLIC_DASHBOARD", OCOP_PUBLIC_DASHBOARD=value) == expected


def test_a_sqlite_database_is_opened_in_wal_mode_so_readers_never_wait_on_a_writer(tmp_path, django_db_blocker):
    from django.db.utils import ConnectionHandler

    handler = ConnectionHandler({"default": database_from_url(f"sqlite:///{tmp_path}/ocop.sqlite3")})
    with django_db_blocker.unblock(), handler["default"].cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    handler.close_all()


def test_sqlite_writers_queue_for_the_write_lock_from_the_start_of_their_transaction():
    from django.conf import settings

    options = database_from_url("sqlite:///db.sqlite3")["OPTIONS"]
    assert (options["transaction_mode"], options["timeout"]) == ("IMMEDIATE", settings.WRITE_WAIT_SECONDS)


@pytest.mark.parametrize(("backend", "options"), [
    ("django.core.cache.backends.redis.RedisCache", "{}"),
    ("django.core.cache.backends.memcached.PyMemcacheCache", "{}"),
    ("django.core.cache.backends.filebased.FileBasedCache", "{'MAX_ENTRIES': 5000}"),
    (None, "{'MAX_ENTRIES': 5000}"),
])
def test_only_caches_django_culls_itself_are_given_a_number_of_entries(backend, options):
    # Redis's and Memcached's clients refuse the option: every page would answer 500.
    assert setting("s.CACHES['default']['OPTIONS']", CACHE_BACKEND=backend) == options


@pytest.mark.parametrize("value", ["abc", "0", "-3", "1.5"])
def test_env_int_refuses_what_is_not_a_whole_number_in_range_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("UPLOAD_RETENTION_DAYS", value)
    with pytest.raises(ImproperlyConfigured, match="UPLOAD_RETENTION_DAYS"):
        env_int("UPLOAD_RETENTION_DAYS", 90, minimum=1)


def test_env_int_defaults_when_unset_or_empty(monkeypatch):
    monkeypatch.setenv("UPLOAD_RETENTION_DAYS", "")
    assert env_int("UPLOAD_RETENTION_DAYS", 90, minimum=1) == 90
