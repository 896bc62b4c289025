"""gunicorn with the project's settings (gunicorn.conf.py), as the systemd unit and the container run
it: DEBUG off, on a copy of the test database; the health check answers and each request is logged
on standard output. And the container's health check (deploy/healthcheck.py) against it."""

import subprocess
import sys
import urllib.request

import pytest

from tests.processes import ROOT, answering, appears, environment, free_port, gunicorn

pytestmark = pytest.mark.django_db(transaction=True, available_apps=[])
HOSTS = "ocop.example.gov.vn,127.0.0.1"


@pytest.fixture(scope="module")
def server(databases, tmp_path_factory):
    """(base URL, folder of its logs, database) of gunicorn serving with gunicorn.conf.py."""
    database, port, logs = databases.copy(), free_port(), tmp_path_factory.mktemp("gunicorn")
    process = gunicorn(database, port, logs, ALLOWED_HOSTS=HOSTS)
    url = f"http://127.0.0.1:{port}"
    try:
        answering(url + "/healthz", process, logs / "stderr.log")
        yield url, logs, database
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_gunicorn_with_its_settings_answers_the_health_check_over_plain_http(server):
    url, _log, _database = server
    with urllib.request.urlopen(url + "/healthz", timeout=10) as response:
        assert (response.status, response.read()) == (200, b"ok")


def test_gunicorn_logs_each_request_on_standard_output(server):
    url, logs, _database = server
    urllib.request.urlopen(url + "/healthz?logged=1", timeout=10).close()
    assert appears(r'"GET /healthz\?logged=1 HTTP/1\.1" 200 2 \d+ms', logs / "stdout.log")


def healthcheck(url: str, database: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "deploy/healthcheck.py", url], cwd=ROOT, capture_output=True, text=True,
                          env=environment(database, **env), timeout=30)


def test_the_containers_health_check_passes_against_it(server):
    url, _log, database = server
    assert healthcheck(url + "/healthz", database, ALLOWED_HOSTS=HOSTS).returncode == 0


def test_the_containers_health_check_fails_with_the_reason_when_nothing_answers(server):
    _url, _log, database = server
    done = healthcheck(f"http://127.0.0.1:{free_port()}/healthz", database)
    assert done.returncode == 1 and "Connection refused" in done.stderr
