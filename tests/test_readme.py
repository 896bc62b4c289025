"""Every command README.md shows works as printed, run as a new user would: in a fresh copy of the
clone, with nothing exported but PATH and HOME, after `make run` has prepared it (its `make db` half;
serving is left out). The deployment block runs in another fresh copy, as a server would: no .env,
its `export` line's variables set, SQLite standing in for PostgreSQL.

Placeholders are filled in (PLACEHOLDERS, FILES); a line of a shell block that is neither run here
nor listed in NOT_RUN with its reason fails the test, so a new command in the README needs a decision.
"""

import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
PASSWORD = "readme-check-pass-phrase-" + secrets.token_hex(4)

NOT_RUN = {
    "make run": "serves until stopped; its first half, `make db`, runs here (test_make_run_prepares_the_clone)",
    "make test": "the suite this test belongs to",
    ".venv/bin/gunicorn -c gunicorn.conf.py ocop_dashboard.wsgi":
        "serves until stopped; tests/deploy/test_gunicorn.py and test_proxy.py serve with it this way",
    ".venv/bin/python manage.py run_worker": "runs until stopped; tests/core/test_run_worker.py runs it",
}
# Inline commands (`...` in the text) that take minutes or a PostgreSQL cluster: run by hand, their
# figures are in docs/performance.md.
SLOW = ("bench/pages.py", "bench/imports.py", "bench/abuse.py", "bench/page_parts.py", "bench/readers.py",
        "bench/load.py")
PLACEHOLDERS = {"'…'": f"'{PASSWORD}'", " NAME": " chi.lan"}
FILES = {
    "password.txt": lambda path: path.write_text(PASSWORD + "\n"),
    "danh-sach.xlsx": lambda path: product_sheet(path),
}


def product_sheet(path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Tỉnh", "Huyện", "Chủ thể", "Tên sản phẩm", "Nhóm sản phẩm", "Số sao",
                  "Ngày quyết định", "Số quyết định", "Cấp công nhận"])
    for name, stars in (("Miến dong README", 3), ("Mật ong README", 4)):
        sheet.append(["Bắc Kạn", "Ba Bể", "HTX README", name, "Thực phẩm", stars,
                      "15/06/2020", "9/QĐ-README", "Tỉnh"])
    book.save(path)


def shell_blocks() -> list[tuple[str, list[str]]]:
    """(section heading, command lines) of each ```sh block, comments and blank lines dropped."""
    blocks = []
    for match in re.finditer(r"^```sh\n(.*?)^```", README, re.M | re.S):
        section = ([""] + re.findall(r"^## (.+)$", README[: match.start()], re.M))[-1]
        lines = [re.sub(r"\s+#.*$", "", line).strip() for line in match.group(1).splitlines()]
        blocks.append((section, [line for line in lines if line]))
    return blocks


def inline_commands() -> list[str]:
    """Commands shown in the text, `.venv/bin/python …` in backquotes (not that pattern itself)."""
    return [line for line in re.findall(r"(?<!`)`(\.venv/bin/python [^`]+)`", README) if not line.endswith("…")]


def lines_of(section: str) -> list[str]:
    return [line for name, lines in shell_blocks() if name == section for line in lines]


def fresh_copy(where: Path) -> Path:
    """The clone's files (tracked and new, not ignored ones) with its virtual environment."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.split("\0")
    for name in listed:
        source = ROOT / name
        if name and name != ".venv" and source.is_file() and not source.is_symlink():
            (where / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, where / name)
    (where / ".venv").symlink_to(ROOT / ".venv" if (ROOT / ".venv").exists() else Path(sys.prefix))
    return where


def run(line: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    for placeholder, value in PLACEHOLDERS.items():
        line = line.replace(placeholder, value)
    for name, write in FILES.items():
        if name in line and not (cwd / name).exists():
            write(cwd / name)
    return subprocess.run(["bash", "-c", line], cwd=cwd, input=PASSWORD + "\n", capture_output=True, text=True,
                          encoding="utf-8", timeout=120, env={"PATH": os.environ["PATH"], "HOME": str(cwd), **env})


def assert_runs(line: str, cwd: Path, **env: str) -> None:
    done = run(line, cwd, **env)
    assert done.returncode == 0, f"{line}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> tuple[Path, str]:
    """A fresh copy after `make run`'s preparation (make db: .env, migrate, units, demo, login), and
    what it printed."""
    where = fresh_copy(tmp_path_factory.mktemp("clone"))
    # -o install: the virtual environment is this one, already installed; nothing is fetched.
    done = run("make -o install db", where)
    assert done.returncode == 0, done.stderr[-2000:]
    return where, done.stdout


@pytest.fixture
def clone(prepared) -> Path:
    return prepared[0]


def test_every_line_of_a_shell_block_is_run_here_or_excluded_with_a_reason():
    runnable = ("manage.py", ".venv/bin/python ", "export ")
    unknown = [line for _section, lines in shell_blocks() for line in lines
               if line not in NOT_RUN and not any(part in line for part in runnable)]
    assert unknown == []


def test_make_run_prepares_the_clone_and_ends_with_the_login_framed(prepared):
    lines = prepared[1].strip().splitlines()
    opening = max(number for number, line in enumerate(lines[:-1]) if line.startswith("===="))
    framed = "\n".join(lines[opening:])
    assert lines[-1].startswith("====") and len(lines) - opening <= 8
    assert "Log in at http://127.0.0.1:8000/admin/ as admin" in framed


def test_make_run_leaves_a_private_env_file_git_ignores(clone):
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT).returncode == 0
    assert ignored and (clone / ".env").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("section", ["Users and roles", "Importing spreadsheets"])
def test_every_command_of_a_section_runs_as_printed_in_the_clone(clone, section):
    lines = lines_of(section)
    assert lines, f"no shell block under {section!r}"
    for line in lines:
        assert_runs(line, clone)


def test_the_commands_shown_in_the_text_run_as_printed_in_the_clone(clone):
    shown = [line for line in inline_commands() if not any(slow in line for slow in SLOW)]
    assert shown
    for line in shown:
        assert_runs(line, clone)


def test_the_deployment_commands_run_as_printed_on_a_server_without_env_file(tmp_path):
    server = fresh_copy(tmp_path)
    env = {}
    for line in lines_of("Deployment"):
        if line.startswith("export "):
            for assignment in shlex.split(line)[1:]:
                name, _, value = assignment.partition("=")
                env[name] = value
            # The placeholders: a real key, and SQLite where the server has PostgreSQL.
            env |= {"SECRET_KEY": secrets.token_urlsafe(50), "DATABASE_URL": f"sqlite:///{tmp_path}/server.sqlite3"}
        elif line not in NOT_RUN:
            assert_runs(line, server, **env)
    assert not (server / ".env").exists() and "SECRET_KEY" in env
