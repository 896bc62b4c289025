"""The mailer the settings make of the EMAIL_* variables (Django 6.1's MAILERS)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def mailer(**env: str) -> dict:
    """MAILERS["default"] as a fresh process with only PATH, no .env and `env` sees it."""
    result = subprocess.run(
        [sys.executable, "-c", "import json, ocop_dashboard.settings as s; print(json.dumps(s.MAILERS['default']))"],
        cwd=ROOT, env={"PATH": os.environ.get("PATH", ""), "OCOP_ENV_FILE": "", "SECRET_KEY": "x", **env},
        capture_output=True, text=True, timeout=60, check=True,
    )
    return json.loads(result.stdout)


def test_development_prints_emails_to_the_console():
    assert mailer(DEBUG="true")["BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_production_sends_through_smtp_with_the_email_variables():
    sent = mailer(EMAIL_HOST="mail.example.vn", EMAIL_PORT="587", EMAIL_USE_TLS="true")
    assert sent["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    options = sent["OPTIONS"]
    assert (options["host"], options["port"], options["use_tls"]) == ("mail.example.vn", 587, True)


def test_email_backend_names_the_backend():
    assert mailer(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend") == {
        "BACKEND": "django.core.mail.backends.locmem.EmailBackend", "OPTIONS": {}}
