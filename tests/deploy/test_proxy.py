"""deploy/nginx.conf in front of gunicorn, as docs/deployment.md sets them up: nginx (Debian's,
installed by `make test-proxy` when missing) with the sample rendered on loopback ports and a
self-signed certificate, gunicorn with gunicorn.conf.py and BEHIND_PROXY=true, DEBUG off.

Over HTTPS the dashboard answers 200 (the application sees https: no redirect loop); plain HTTP is
sent to HTTPS except /healthz; and the application takes each client's own address from
X-Forwarded-For, so one client's bad passwords lock a username for that client alone. Clients come
from different loopback addresses (127.0.0.2, 127.0.0.3) to be told apart."""

import http.client
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import urllib.parse
from pathlib import Path

import pytest

from tests.processes import ROOT, answering, free_port, gunicorn

pytestmark = [pytest.mark.proxy, pytest.mark.django_db(transaction=True, available_apps=[])]

SITE = "ocop.example.gov.vn"  # the sample's server name, kept: the certificate is made for it
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def nginx_version() -> tuple[int, ...]:
    """The installed nginx's version, from what `nginx -v` prints ("nginx version: nginx/1.22.1")."""
    said = subprocess.run([NGINX, "-v"], capture_output=True, text=True).stderr
    return tuple(int(part) for part in re.search(r"nginx/([\d.]+)", said).group(1).split("."))


def render(sample: str, *, app: int, http: int, https: int, folder: Path, version: tuple[int, ...]) -> str:
    """The sample with loopback ports, the test's certificate and webroot; each replaced line must exist.
    The sample is for nginx 1.25.1 and later (`http2 on;`, Debian 13); an older one (Debian 12's 1.22,
    on the project's machines) gets HTTP/2 as a parameter of `listen`, as the sample's comment says."""
    before_http2_directive = version < (1, 25, 1)
    replacements = {
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{app};",
        "listen 80;": f"listen 127.0.0.1:{http};",
        "listen [::]:80;": "",
        "listen 443 ssl;": f"listen 127.0.0.1:{https} ssl{' http2' if before_http2_directive else ''};",
        "listen [::]:443 ssl;": "",
        "http2 on;": "" if before_http2_directive else "http2 on;",
        f"/etc/letsencrypt/live/{SITE}/fullchain.pem": str(folder / "cert.pem"),
        f"/etc/letsencrypt/live/{SITE}/privkey.pem": str(folder / "key.pem"),
        "root /var/www/html;": f"root {folder / 'www'};",
        "root /srv/ocop/deploy;": f"root {ROOT / 'deploy'};",
    }
    for old, new in replacements.items():
        assert old in sample, f"deploy/nginx.conf no longer has {old!r}: update this test's rendering"
        sample = sample.replace(old, new)
    return sample


def main_config(folder: Path) -> str:
    """nginx's own configuration around the site, as Debian's nginx.conf has it (gzip on, which
    the site must turn off), every file under `folder`."""
    user = "user root;\n" if os.geteuid() == 0 else ""  # its workers write in the folder, private to root
    temp = "".join(f"{kind}_temp_path {folder / kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi",
                                                                        "scgi"))
    return (f"{user}worker_processes 1;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'};\n"
            f"events {{ worker_connections 64; }}\n"
            f"http {{\naccess_log {folder / 'access.log'};\n{temp}gzip on;\ninclude {folder / 'ocop.conf'};\n}}\n")


@pytest.fixture(scope="module")
def proxy(databases, tmp_path_factory):
    """{"http": port, "https": port, "certificate": path} of nginx in front of gunicorn."""
    folder = tmp_path_factory.mktemp("proxy")
    (folder / "www").mkdir()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={SITE}",
                    "-addext", f"subjectAltName=DNS:{SITE}", "-keyout", folder / "key.pem",
                    "-out", folder / "cert.pem"], check=True, capture_output=True)
    ports = {"app": free_port(), "http": free_port(), "https": free_port()}
    sample = (ROOT / "deploy" / "nginx.conf").read_text()
    (folder / "ocop.conf").write_text(render(sample, **ports, folder=folder, version=nginx_version()))
    (folder / "nginx.conf").write_text(main_config(folder))
    nginx = [NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e", str(folder / "error.log")]
    checked = subprocess.run([*nginx, "-t"], capture_output=True, text=True)
    # No warning either: nginx 1.25.1 and later warn about a deprecated form (`listen ... http2`).
    assert checked.returncode == 0 and "[warn]" not in checked.stderr, checked.stderr
    app = gunicorn(databases.copy(), ports["app"], folder, BEHIND_PROXY="true", ALLOWED_HOSTS=SITE,
                   CSRF_TRUSTED_ORIGINS=f"https://{SITE}", OCOP_PUBLIC_DASHBOARD="true",
                   STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage")
    server = subprocess.Popen([*nginx, "-g", "daemon off;"], stderr=subprocess.PIPE, text=True)
    try:
        answering(f"http://127.0.0.1:{ports['app']}/", app, folder / "stderr.log")
        answering(f"http://127.0.0.1:{ports['http']}/healthz", server, folder / "error.log")
        yield {**ports, "certificate": folder / "cert.pem"}
    finally:
        server.send_signal(signal.SIGQUIT)
        app.terminate()
        server.wait(timeout=30)
        app.wait(timeout=30)


class Pinned(http.client.HTTPSConnection):
    """HTTPS to the site's name, reached on the loopback: the certificate is checked for the name."""

    def connect(self):
        raw = socket.create_connection(("127.0.0.1", self.port), self.timeout, self.source_address)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)


class Client:
    """One client of the site, from its own loopback address, over HTTPS (the test's certificate
    pinned) or plain HTTP, keeping its cookies."""

    def __init__(self, proxy: dict, address: str = "127.0.0.1"):
        self.proxy, self.address, self.cookies = proxy, address, {}
        self.tls = ssl.create_default_context(cafile=str(proxy["certificate"]))

    def request(self, method: str, path: str, form: dict | None = None, secure: bool = True, **headers: str):
        """(status, headers, body) of one request to the site; `headers` with - for _."""
        if secure:
            connection = Pinned(SITE, self.proxy["https"], context=self.tls, source_address=(self.address, 0),
                                timeout=30)
        else:
            connection = http.client.HTTPConnection("127.0.0.1", self.proxy["http"], source_address=(self.address, 0),
                                                    timeout=30)
        sent = {"Host": SITE, **{name.replace("_", "-"): value for name, value in headers.items()}}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            sent |= {"Content-Type": "application/x-www-form-urlencoded", "Origin": f"https://{SITE}"}
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";")[0].partition("=")
            self.cookies[name] = value
        answer = (response.status, response.headers, response.read())
        connection.close()
        return answer

    def log_in(self, username: str, password: str) -> int:
        """The status of one attempt on the admin's login form."""
        _status, _headers, page = self.request("GET", "/admin/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.decode()).group(1)
        form = {"username": username, "password": password, "csrfmiddlewaretoken": token, "next": "/admin/"}
        return self.request("POST", "/admin/login/", form)[0]


def test_the_rendered_sample_passes_nginx_t_and_serves_the_dashboard_over_https(proxy):
    status, _headers, page = Client(proxy).request("GET", "/")
    assert status == 200 and b'<html lang="vi">' in page


def test_the_application_sees_https_behind_the_proxy(proxy):
    # Django sends HSTS only on a request it takes for secure, and would redirect one it took for plain.
    _status, headers, _page = Client(proxy).request("GET", "/")
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_https_offers_http2(proxy):
    tls = ssl.create_default_context(cafile=str(proxy["certificate"]))
    tls.set_alpn_protocols(["h2", "http/1.1"])
    with socket.create_connection(("127.0.0.1", proxy["https"]), timeout=30) as raw:
        with tls.wrap_socket(raw, server_hostname=SITE) as connection:
            assert connection.selected_alpn_protocol() == "h2"


def test_plain_http_is_sent_to_https_for_good(proxy):
    status, headers, _page = Client(proxy).request("GET", "/tinh/bac-kan/?as_of=2020-09-05", secure=False)
    assert (status, headers["Location"]) == (301, f"https://{SITE}/tinh/bac-kan/?as_of=2020-09-05")


def test_the_health_check_answers_over_plain_http(proxy):
    status, _headers, body = Client(proxy).request("GET", "/healthz", secure=False)
    assert (status, body) == (200, b"ok")


def test_five_bad_passwords_lock_a_username_for_that_client_alone(proxy):
    typist, colleague = Client(proxy, "127.0.0.2"), Client(proxy, "127.0.0.3")
    for _attempt in range(5):
        typist.log_in("chi.lan", "wrong-password")
    # Locked (429) for the one who typed; the form again (200) for anyone else behind the proxy.
    assert (typist.log_in("chi.lan", "wrong-password"), colleague.log_in("chi.lan", "wrong-password")) == (429, 200)


def test_the_proxy_passes_on_the_applications_answer_uncompressed_or_compressed_as_it_came(proxy):
    # Debian's nginx.conf turns gzip on: the site turns it off, and the application decides.
    through = Client(proxy).request("GET", "/", Accept_Encoding="gzip")
    direct = http.client.HTTPConnection("127.0.0.1", proxy["app"], timeout=30)
    direct.request("GET", "/", headers={"Host": SITE, "X-Forwarded-Proto": "https", "Accept-Encoding": "gzip"})
    answered = direct.getresponse()
    assert through[1].get("Content-Encoding") == answered.headers.get("Content-Encoding")


def test_while_the_application_is_down_the_proxy_answers_503_in_our_words(tmp_path):
    folder = tmp_path
    (folder / "www").mkdir()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={SITE}",
                    "-addext", f"subjectAltName=DNS:{SITE}", "-keyout", folder / "key.pem",
                    "-out", folder / "cert.pem"], check=True, capture_output=True)
    ports = {"app": free_port(), "http": free_port(), "https": free_port()}  # nothing answers on "app"
    sample = (ROOT / "deploy" / "nginx.conf").read_text()
    (folder / "ocop.conf").write_text(render(sample, **ports, folder=folder, version=nginx_version()))
    (folder / "nginx.conf").write_text(main_config(folder))
    server = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e",
                               str(folder / "error.log"), "-g", "daemon off;"], stderr=subprocess.PIPE, text=True)
    try:
        answering(f"http://127.0.0.1:{ports['http']}/.well-known/acme-challenge/none", server, folder / "error.log")
        status, headers, page = Client({**ports, "certificate": folder / "cert.pem"}).request("GET", "/tinh/bac-kan/")
    finally:
        server.send_signal(signal.SIGQUIT)
        server.wait(timeout=30)
    assert (status, headers["Retry-After"]) == (503, "30") and "thử lại" in page.decode()
    assert "nginx/" not in headers.get("Server", "")
