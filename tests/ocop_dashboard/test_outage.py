"""While the database cannot be reached, pages answer 503 with Retry-After and no caching, in
Vietnamese and English (JSON to JSON requests), logged once; error pages still render. The outage is
real: the requests go through a connection to a closed port on the loopback (PostgreSQL) or to a file
in a folder that does not exist (SQLite), and the driver's own error comes back."""

import logging
import socket
import sqlite3

import pytest
from django.db import InterfaceError, OperationalError, ProgrammingError, connections
from django.db.utils import load_backend
from django.test import RequestFactory

from core.errors import database_unreachable, server_error

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then let go)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def take_down(tmp_path):
    """take_down(): the default database unreachable until the test ends. Requests then get a new
    connection to where there is none; the test's own connection (and its transaction) is set aside,
    then put back."""
    kept = connections["default"]

    def down():
        gone = {"HOST": "127.0.0.1", "PORT": str(closed_port())} if kept.vendor == "postgresql" else {
            "NAME": str(tmp_path / "gone" / "db.sqlite3")}
        settings_dict = {**kept.settings_dict, **gone}
        connections["default"] = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "default")
    yield down
    if connections["default"] is not kept:
        connections["default"].close()
        connections["default"] = kept


@pytest.fixture
def database_down(take_down):
    take_down()


def test_the_database_is_really_unreachable(database_down):
    with pytest.raises(OperationalError) as raised:
        connections["default"].ensure_connection()
    assert database_unreachable(raised.value)


def test_a_page_answers_503_with_retry_after_and_no_caching(client, database_down):
    response = client.get("/tinh/bac-kan/")
    assert (response.status_code, response["Retry-After"]) == (503, "30")
    assert "no-store" in response["Cache-Control"]


def test_the_503_page_says_so_in_vietnamese_and_english(client, database_down):
    text = client.get("/tinh/bac-kan/").content.decode()
    assert "Sổ theo dõi OCOP tạm thời không truy cập được" in text and "The OCOP register is temporarily" in text


def test_a_json_endpoint_answers_a_json_503(client, database_down):
    response = client.get("/tinh/bac-kan/progress.json")
    body = response.json()
    assert (response.status_code, response["Content-Type"], body["status"]) == (503, "application/json", 503)
    assert body["error"]["en"] == "The OCOP register is temporarily unavailable. Please try again in a minute."


def test_the_outage_is_logged_once_naming_the_address(client, database_down, caplog):
    with caplog.at_level(logging.WARNING):
        client.get("/tinh/bac-kan/progress.json")
    assert [(r.levelname, r.name) for r in caplog.records] == [("ERROR", "core.middleware")]
    assert "/tinh/bac-kan/progress.json" in caplog.records[0].getMessage()


@pytest.fixture
def signed_in(client, staff_a):
    client.force_login(staff_a)  # before the outage: the session is stored
    return client


def test_a_signed_in_users_page_answers_503_too(signed_in, take_down):
    take_down()  # the session is read first, from the database that is gone
    assert signed_in.get("/").status_code == 503


def test_a_missing_page_is_a_404_even_for_a_signed_in_user(signed_in, take_down):
    take_down()  # the error page reads neither the user nor the session: were it to, this would be a 503
    response = signed_in.get("/khong-co-trang-nay/")
    assert response.status_code == 404 and "Không tìm thấy trang" in response.content.decode()


def test_a_server_error_page_renders_while_the_database_is_down(signed_in, take_down, monkeypatch):
    def broken(as_of):
        raise RuntimeError("a bug")
    monkeypatch.setattr("ocop_dashboard.views.overview_rows", broken)
    signed_in.raise_request_exception = False
    take_down()
    response = signed_in.get("/")
    assert response.status_code == 500 and "Lỗi máy chủ" in response.content.decode()


def test_a_lost_database_outside_a_view_is_a_503(database_down):
    # What a middleware meets (a session saved after the view): Django calls handler500 in its `except`.
    try:
        connections["default"].ensure_connection()
    except OperationalError:
        response = server_error(RequestFactory().get("/"))
    assert (response.status_code, response["Retry-After"]) == (503, "30")


class DriverError(Exception):
    def __init__(self, **attributes):
        super().__init__("driver")
        self.__dict__.update(attributes)


def sqlite_error(code):
    error = sqlite3.OperationalError("sqlite")
    error.sqlite_errorcode = code
    return error


CAUSES = {
    "connection refused": (OperationalError, lambda: DriverError(pgcode=None), True),
    "psycopg 3 connection failure": (OperationalError, lambda: DriverError(sqlstate="08006"), True),
    "server shutting down": (OperationalError, lambda: DriverError(pgcode="57P01"), True),
    "connection already closed": (InterfaceError, lambda: DriverError(pgcode=None), True),
    "sqlite file cannot be opened": (OperationalError, lambda: sqlite_error(14), True),
    "sqlite database is locked": (OperationalError, lambda: sqlite_error(5), False),
    "lock_timeout": (OperationalError, lambda: DriverError(pgcode="55P03"), False),
    "statement_timeout": (OperationalError, lambda: DriverError(pgcode="57014"), False),
    "missing table": (ProgrammingError, lambda: DriverError(pgcode="42P01"), False),
}


@pytest.mark.parametrize("cause", CAUSES)
def test_only_a_database_out_of_reach_counts_as_unreachable(cause):
    kind, make, unreachable = CAUSES[cause]
    try:
        raise kind("wrapped") from make()
    except kind as error:
        assert database_unreachable(error) == unreachable
