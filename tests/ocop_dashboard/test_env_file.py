"""A clone's .env, written by `make run`, read by the settings under the process environment."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from ocop_dashboard.settings import read_env_file

ROOT = Path(__file__).resolve().parents[2]


def settings_seen(env_file: Path, **env: str) -> str:
    """DEBUG and SECRET_KEY as a fresh process sees them, with only PATH and `env` in its environment."""
    result = subprocess.run(
        [sys.executable, "-c", "import ocop_dashboard.settings as s; print(s.DEBUG, s.SECRET_KEY)"],
        cwd=ROOT, env={"PATH": os.environ.get("PATH", ""), "OCOP_ENV_FILE": str(env_file), **env},
        capture_output=True, text=True, timeout=60,
    )
    return result.stdout.strip() or result.stderr


def test_a_clone_with_the_env_file_make_run_writes_needs_nothing_exported(tmp_path):
    (tmp_path / ".env").write_text("DEBUG=true\nSECRET_KEY=written-by-make-run\n")
    assert settings_seen(tmp_path / ".env") == "True written-by-make-run"


def test_the_process_environment_wins_over_the_env_file(tmp_path):
    (tmp_path / ".env").write_text("DEBUG=true\nSECRET_KEY=written-by-make-run\n")
    assert settings_seen(tmp_path / ".env", DEBUG="false", SECRET_KEY="set-by-the-server") == "False set-by-the-server"


def test_without_an_env_file_production_still_needs_a_secret_key(tmp_path):
    assert "SECRET_KEY must be set when DEBUG is off" in settings_seen(tmp_path / ".env")


def test_comments_blank_lines_export_and_quotes_are_read_as_a_shell_writes_them(tmp_path):
    (tmp_path / ".env").write_text("# local\n\nexport DEBUG=true\nSECRET_KEY='a b#c'\nLOG_LEVEL=\"INFO\"\n")
    assert read_env_file(tmp_path / ".env") == {"DEBUG": "true", "SECRET_KEY": "a b#c", "LOG_LEVEL": "INFO"}


def test_a_line_that_is_no_assignment_fails_naming_the_file_and_line(tmp_path):
    (tmp_path / ".env").write_text("DEBUG=true\nSECRET_KEY\n")
    with pytest.raises(ImproperlyConfigured, match=r"\.env, line 2"):
        read_env_file(tmp_path / ".env")
