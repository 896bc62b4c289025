"""Fails when a lock no longer satisfies pyproject.toml: a dependency added, or its range changed,
without `make lock`. Run by `make install`, so CI fails on a stale lock (and asks no registry)."""

import re
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
# Each lock and the extras it holds, as `make lock` writes them.
LOCKS = {"production.txt": [], "test.txt": ["test", "bench"], "browser.txt": ["test", "bench", "browser"]}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


def unmet(project: dict, lock: str, extras: list[str]) -> list[str]:
    text = (ROOT / "requirements" / lock).read_text()
    pins = {canonicalize_name(name): version for name, version in PIN.findall(text)}
    wanted = project["dependencies"] + [line for extra in extras for line in project["optional-dependencies"][extra]]
    problems = []
    for requirement in map(Requirement, wanted):
        pinned = pins.get(canonicalize_name(requirement.name))
        if pinned is None or not requirement.specifier.contains(pinned, prereleases=True):
            problems.append(f"requirements/{lock}: {requirement} is locked at {pinned or 'nothing'}")
    return problems


def main() -> int:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    problems = [problem for lock, extras in LOCKS.items() for problem in unmet(project, lock, extras)]
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print("pyproject.toml changed since the locks were written: run `make lock`.", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
