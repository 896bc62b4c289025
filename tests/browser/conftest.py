"""A real server as production runs it (gunicorn with gunicorn.conf.py, whitenoise, DEBUG off,
collected static files) and its import worker (`manage.py run_worker`), started as the other
served tests start theirs (tests/processes.py), on a fresh SQLite database with the demo data, and
Debian's headless Chromium driven by Playwright."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import ROOT, answering, environment, finished, free_port, gunicorn, manage

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
SCREENSHOTS = ROOT / "tests" / "screenshots"
ADMIN_PASSWORD = "browser-tests-admin-password"
STAFF_USERNAME = "can-bo-thai-nguyen"  # office staff of Thái Nguyên, with ADMIN_PASSWORD
WRITE_PAUSE = 3  # seconds the import worker holds each write
# The settings of the server, its worker and the commands that prepare their database (with the
# tests' own: tests.processes.environment).
SERVED = {
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_COOKIES": "false",
    "SECURE_HSTS_SECONDS": "0",
    "SECURE_SSL_REDIRECT": "false",
    "STATICFILES_BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    "OCOP_PASSWORD": ADMIN_PASSWORD,
    # The pages are checked as a visitor sees them; login is tested without a browser.
    "OCOP_PUBLIC_DASHBOARD": "true",
    # Imports go to the worker, which holds each write a moment (as a large one would) so the
    # page's progress can be seen.
    "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
    "OCOP_TEST_WRITE_PAUSE": str(WRITE_PAUSE),
}


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """Base URL of the dashboard served as in production, with the demo register in a database of its
    own (SQLite); the server's and the worker's logs in the fixture's folder."""
    folder = tmp_path_factory.mktemp("server")
    database = f"sqlite:///{folder / 'db.sqlite3'}"
    for command in (["migrate", "-v0"], ["load_admin_units"], ["seed_demo", "--allow-production"],
                    ["collectstatic", "--noinput", "-v0"], ["ensure_login"],
                    ["add_user", STAFF_USERNAME, "--role", "staff", "--unit", "thai-nguyen"]):
        code, out, err = finished(manage(database, *command, **SERVED))
        assert code == 0, out + err
    port = free_port()
    app = gunicorn(database, port, folder, **SERVED)
    with (folder / "worker.log").open("w") as log:  # the child keeps its own copy of the file
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"],
            cwd=ROOT, env=environment(database, **SERVED), stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        answering(f"{url}/api/provinces.json", app, folder / "stderr.log")
        yield url
    finally:
        for started in (app, worker):
            started.terminate()
            started.wait(timeout=10)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Page:
    """A Playwright page that records console errors, page errors and CSP violations."""

    def __init__(self, page):
        self.page = page
        self.errors = []
        page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => console.error('CSP: ' + e.violatedDirective));"
        )

    def open(self, url: str):
        response = self.page.goto(url, wait_until="networkidle")
        self.page.wait_for_function("document.querySelectorAll('[data-chart]').length === "
                                    "document.querySelectorAll('[data-chart] .plot-container svg.main-svg').length "
                                    "? true : "
                                    "document.querySelectorAll('[data-chart] .plot-container').length >= "
                                    "document.querySelectorAll('[data-chart]').length")
        return response

    def drawn_charts(self) -> int:
        return self.page.eval_on_selector_all(
            "[data-chart]", "els => els.filter(e => e.querySelector('.plot-container svg.main-svg')).length")

    def chart_count(self) -> int:
        return self.page.locator("[data-chart]").count()

    def screenshot(self, name: str, selector: str | None = None, **options) -> Path:
        """Save the page (or the element `selector` finds) as tests/screenshots/<name>.png."""
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        (self.page.locator(selector) if selector else self.page).screenshot(path=str(path), **options)
        return path


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    yield Page(context.new_page())
    context.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                  locale="vi-VN")
    yield Page(context.new_page())
    context.close()


# axe-core, fetched and checked against its pinned integrity by `make test-browser` (see the Makefile).
AXE = ROOT / "build" / "axe" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def accessibility_violations(page) -> list[str]:
    """axe-core's WCAG 2.1 A and AA violations on the page as it stands, one line per element: the
    rule, its impact, the element's selector and what to fix."""
    if not AXE.exists():
        raise RuntimeError(f"{AXE.relative_to(ROOT)} is missing: `make test-browser` fetches it")
    # Evaluated through the DevTools protocol, which the pages' Content-Security-Policy does not
    # govern: a <script> tag added to the page would be refused by script-src 'self', and bypassing
    # CSP for the whole context would hide the violations the other tests look for.
    page.evaluate(AXE.read_text())
    results = page.evaluate("options => axe.run(document, options)",
                            {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]})
    return [f"{rule['id']} ({rule['impact']}) {' '.join(node['target'])}: {rule['help']}"
            f" — {node['failureSummary']} [{rule['helpUrl']}]"
            for rule in results["violations"] for node in rule["nodes"]]
