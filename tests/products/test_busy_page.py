"""A request whose write waited for another writer longer than WRITE_WAIT_SECONDS (SQLite's
"database is locked", PostgreSQL's lock_timeout or a deadlock) answers 503 with Retry-After and words
in Vietnamese and English, JSON to JSON requests; never a 500."""

import sqlite3

import psycopg
import pytest
from django.db import OperationalError
from django.urls import path

from ocop_dashboard.urls import urlpatterns as site

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def postgresql_error(sqlstate: str) -> Exception:
    """The error psycopg raises for PostgreSQL's `sqlstate`."""
    return psycopg.errors.lookup(sqlstate)("canceling statement due to lock timeout")


def sqlite_locked():
    cause = sqlite3.OperationalError("database is locked")
    cause.sqlite_errorcode = 5  # SQLITE_BUSY
    return cause


CAUSES = {"locked": sqlite_locked, "lock_timeout": lambda: postgresql_error("55P03"),
          "deadlock": lambda: postgresql_error("40P01"), "other": lambda: postgresql_error("42P01")}


def raising(request, cause, suffix=""):
    raise OperationalError("waited too long") from CAUSES[cause]()


urlpatterns = [path("wait/<str:cause>/", raising), path("wait/<str:cause>/data.json", raising), *site]


@pytest.mark.parametrize("cause", ["locked", "lock_timeout", "deadlock"])
def test_a_wait_that_ran_out_is_a_503_saying_nothing_was_saved(client, cause):
    response = client.get(f"/wait/{cause}/")
    text = response.content.decode()
    assert (response.status_code, response["Retry-After"]) == (503, "10")
    assert "Nothing was written" in text and "Chưa có gì được ghi" in text


def test_a_json_request_gets_the_words_as_json(client):
    response = client.get("/wait/locked/data.json")
    assert response.status_code == 503 and "Nothing was written" in response.json()["errors"]["__all__"][0]["en"]


def test_the_json_answer_has_the_error_and_status_of_every_json_error(client):
    body = client.get("/wait/locked/data.json").json()
    assert (body["status"], set(body["error"])) == (503, {"vi", "en"})


def test_another_database_error_stays_an_error(client):
    with pytest.raises(OperationalError):
        client.get("/wait/other/")
