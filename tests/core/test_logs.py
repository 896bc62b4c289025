"""Requests the application refuses for what they are (a Host not served, too many fields) leave one
line in the journal each, not a traceback."""

import urllib.error
import urllib.request

import pytest

from tests.processes import answering, free_port, gunicorn

pytestmark = pytest.mark.django_db(transaction=True, available_apps=[])


def test_a_refused_host_is_one_line_in_the_log(databases, tmp_path):
    port = free_port()
    # No collectstatic in a fresh clone: the error page's {% static %} needs the plain storage.
    server = gunicorn(databases.copy(), port, tmp_path,
                      STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage")
    try:
        answering(f"http://127.0.0.1:{port}/healthz", server, tmp_path / "stderr.log")
        request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Host": "scanner.example"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
    finally:
        server.terminate()
        server.wait(timeout=30)
    log = (tmp_path / "stderr.log").read_text()
    assert refused.value.code == 400 and "scanner.example" in log and "Traceback" not in log
