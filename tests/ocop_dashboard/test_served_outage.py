"""A database outage as production meets it: gunicorn with DEBUG off in front of a PostgreSQL server of
its own, which is stopped and started again. While it is down, pages answer our 503 with Retry-After
and JSON a JSON 503, each logged once in one line; once it is back, pages answer 200 again with no
restart of gunicorn. And gunicorn answers HEAD without a body."""

import socket
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from tests.postgres import Cluster
from tests.processes import ROOT, answering, environment, free_port, gunicorn


def fetch(url: str, method: str = "GET") -> tuple[int, dict, bytes]:
    """(status, headers, body), whatever the status."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=20) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(the cluster, the base URL, gunicorn's log): the dashboard, public, on an empty migrated database."""
    logs = tmp_path_factory.mktemp("served")
    with Cluster() as cluster:
        database, port = cluster.database("ocop"), free_port()
        settings = {"ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "false", "OCOP_PUBLIC_DASHBOARD": "true",
                    "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT,
                       env=environment(database, **settings), check=True)
        server = gunicorn(database, port, logs, **settings)
        base = f"http://127.0.0.1:{port}"
        try:
            answering(base + "/api/provinces.json", server, logs / "stderr.log")
            yield cluster, base, logs / "stderr.log"
        finally:
            server.terminate()
            server.wait(timeout=10)


def test_an_outage_answers_503_until_the_database_is_back(served):
    cluster, base, log = served
    cluster.stop()
    try:
        page, data = fetch(base + "/"), fetch(base + "/tinh/bac-kan/progress.json")
    finally:
        cluster.start()
    assert [(status, headers["Retry-After"], headers["Content-Type"]) for status, headers, _body in (page, data)] == [
        (503, "30", "text/html; charset=utf-8"), (503, "30", "application/json")]
    assert log.read_text().count("Database unreachable") == 2 and "Traceback" not in log.read_text()
    assert fetch(base + "/")[0] == 200


def test_head_gets_the_headers_and_no_body(served):
    _cluster, base, _log = served
    host, port = base.removeprefix("http://").split(":")
    # A socket, not urllib: an HTTP client reads no body after HEAD, whatever the server sends.
    with socket.create_connection((host, int(port)), timeout=20) as connection:
        connection.sendall(b"HEAD / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        answer = b"".join(iter(lambda: connection.recv(65536), b""))
    head, _blank, body = answer.partition(b"\r\n\r\n")
    assert (head.split(b"\r\n")[0], b"Content-Type: text/html; charset=utf-8" in head, body) == (
        b"HTTP/1.0 200 OK", True, b"")
