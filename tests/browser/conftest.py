"""A real server (gunicorn + whitenoise, DEBUG off, collected static files) and its import worker on
a fresh SQLite database with the demo data, and Debian's headless Chromium driven by Playwright."""

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.processes import free_port

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
SCREENSHOTS = ROOT / "tests" / "screenshots"
ADMIN_PASSWORD = "browser-tests-admin-password"
STAFF_USERNAME = "can-bo-thai-nguyen"  # office staff of Thái Nguyên, with ADMIN_PASSWORD
WRITE_PAUSE = 3  # seconds the import worker holds each write


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """Base URL of the dashboard served as in production, with the demo register."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('db') / 'db.sqlite3'}",
        "SECRET_KEY": "browser-tests-only",
        "DEBUG": "false",
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
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "-v0"], ["load_admin_units"], ["seed_demo", "--allow-production"],
                    ["collectstatic", "--noinput", "-v0"], ["ensure_login"],
                    ["add_user", STAFF_USERNAME, "--role", "staff", "--unit", "thai-nguyen"]):
        subprocess.run(manage + command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "ocop_dashboard.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    worker = subprocess.Popen(manage + ["db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _attempt in range(100):
            try:
                urllib.request.urlopen(url + "/api/provinces.json", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("the dashboard server did not start")
        yield url
    finally:
        for started in (process, worker):
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
