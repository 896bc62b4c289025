"""The systemd units of deploy/: systemd's own checker finds nothing to say of them (what they run is
held to the container's commands in test_container.py)."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNITS = sorted((ROOT / "deploy").glob("ocop-*.service")) + sorted((ROOT / "deploy").glob("ocop-*.timer"))
SERVER = "/srv/ocop"  # where the units expect the clone (docs/deployment.md)
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")


@pytest.mark.skipif(SYSTEMD_ANALYZE is None,
                    reason="systemd-analyze is not installed: the units can only be checked on a host with systemd")
def test_systemd_analyze_verify_finds_nothing_to_say_of_the_units(tmp_path):
    # verify checks that each command exists: the clone's own stands in for the server's.
    for unit in UNITS:
        (tmp_path / unit.name).write_text(unit.read_text().replace(SERVER, str(ROOT)))
    done = subprocess.run([SYSTEMD_ANALYZE, "verify", *(str(tmp_path / unit.name) for unit in UNITS)],
                          capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_every_service_has_its_timer_or_is_a_server():
    services = {unit.stem for unit in UNITS if unit.suffix == ".service"}
    timers = {unit.stem for unit in UNITS if unit.suffix == ".timer"}
    assert services - timers == {"ocop-web", "ocop-worker"} and timers <= services

