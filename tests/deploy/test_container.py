"""The container image and compose file cannot be built on the test machines (no container engine):
they are held to the commands the systemd units run, which the other tests run as written."""

import json
import re
import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
COMPOSE = (ROOT / "compose.yaml").read_text()
VENV = "/srv/ocop/.venv/bin/"


def unit_commands(unit: str) -> list[list[str]]:
    """Each ExecStart of a unit, its virtual environment's path dropped (the image puts it on PATH)."""
    return [shlex.split(line.removeprefix("ExecStart=").replace(VENV, ""))
            for line in (ROOT / "deploy" / unit).read_text().splitlines() if line.startswith("ExecStart=")]


def compose_command(service: str) -> list[str]:
    block = re.search(rf"^  {service}:\n(.*?)(?=^  \S|^\S|\Z)", COMPOSE, re.M | re.S).group(1)
    return json.loads(re.search(r"^    command: (\[.*\])$", block, re.M).group(1))


def test_the_image_serves_as_the_web_unit_does():
    cmd = json.loads(re.search(r"^CMD (\[.*\])$", DOCKERFILE, re.M).group(1))
    assert unit_commands("ocop-web.service") == [cmd] == [compose_command("web")]


def test_the_compose_worker_runs_as_the_worker_unit_does():
    assert unit_commands("ocop-worker.service") == [compose_command("worker")]


def test_the_compose_backup_runs_the_nightly_units_commands_in_its_order():
    command = compose_command("backup")
    nightly = [" ".join(step).replace("/var/backups/ocop", "/backups") for step in unit_commands("ocop-backup.service")]
    assert command[:2] == ["sh", "-c"] and command[2].split(" && ") == nightly


def test_the_image_installs_the_production_lock_with_its_hashes():
    assert ".venv/bin/pip install --require-hashes -r requirements/production.txt" in DOCKERFILE


def test_the_web_container_is_checked_by_the_tested_health_check_on_the_loopback():
    assert '["CMD", "python", "deploy/healthcheck.py", "http://127.0.0.1:8000/healthz"]' in COMPOSE
    assert '"127.0.0.1:8000:8000"' in COMPOSE
