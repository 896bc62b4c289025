"""A private PostgreSQL cluster for a test that needs a server of its own, to stop and start again
(the suite's own database may be SQLite): under /tmp, on a free loopback port, owned by the postgres
user when run as root (initdb refuses root), as .ci/run starts the suite's. Debian's package is
installed when no server binaries are found, as the Makefile installs Chromium."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.processes import free_port

PACKAGE_ROOT = Path("/usr/lib/postgresql")


def server_binaries() -> Path:
    """The newest installed PostgreSQL's bin folder, installing Debian's package if there is none."""
    if not list(PACKAGE_ROOT.glob("*/bin/pg_ctl")):
        subprocess.run(["apt-get", "update", "-qq"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "-qq", "postgresql"], check=True, stdout=subprocess.DEVNULL,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    found = [path.parent for path in PACKAGE_ROOT.glob("*/bin/pg_ctl")]
    return max(found, key=lambda bin: [int(n) for n in bin.parent.name.split(".") if n.isdigit()])


class Cluster:
    """with Cluster() as cluster: cluster.database("ocop") is a URL; cluster.stop(), cluster.start()."""

    def __enter__(self):
        self.bin, self.port = server_binaries(), free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="ocop-test-pg."))
        if os.geteuid() == 0:
            self.dir.chmod(0o755)
            shutil.chown(self.dir, "postgres")
        self._run("initdb", "-D", f"{self.dir}/data", "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8")
        self.start()
        return self

    def _run(self, program: str, *args: str, check: bool = True) -> None:
        command = [str(self.bin / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        # From the cluster's folder: the postgres user may not enter the current one.
        subprocess.run(command, check=check, cwd=self.dir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start(self) -> None:
        self._run("pg_ctl", "-D", f"{self.dir}/data", "-l", f"{self.dir}/log", "-w", "start", "-o",
                  f"-h 127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off -c synchronous_commit=off "
                  "-c full_page_writes=off")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server as an operator's restart does (fast: sessions are ended), and wait for it."""
        self._run("pg_ctl", "-D", f"{self.dir}/data", "-m", mode, "-w", "stop", check=mode != "immediate")

    def database(self, name: str) -> str:
        """A new, empty database; its URL."""
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def __exit__(self, *exc):
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)
