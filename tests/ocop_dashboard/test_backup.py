"""A backup restored into an empty database gives every province the same numbers: `manage.py
backup`, then `manage.py restore`, each in a process of its own, on the database the suite runs on
(SQLite in a file, or PostgreSQL in CI's second leg, through pg_dump and pg_restore).

pg_dump sees only what is committed: the register (the demo's, and an imported sheet of decisions
known by their year) is written by processes too, into a copy of the test database, and the test
database itself is left as it was."""

import contextlib
import datetime
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from ocop_dashboard import backups
from tests.processes import ROOT, environment, finished, manage

# Committed, not rolled back (PostgreSQL copies the test database only while no one is connected to
# it), and no app's tables flushed afterwards: the reference data stays for the other tests.
pytestmark = pytest.mark.django_db(transaction=True, available_apps=[])

YEAR_ONLY_SHEET = "Tỉnh,Chủ thể,Loại hình chủ thể,Tên sản phẩm,Nhóm sản phẩm,Số sao,Năm công nhận\n" + "".join(
    f"Cao Bằng,HTX Trùng Khánh {i},Hợp tác xã,Hạt dẻ số {i},1,{3 + i % 2},2022\n" for i in range(4))
# What a reader sees of every province, legacy and current, on two days: its progress.json, and how
# many products its products.json lists; and of every upload, whether its file is the one it was.
SNAPSHOT = """
import hashlib, json
from django.test import Client
from imports.models import ImportRecord
client, seen = Client(HTTP_HOST="localhost"), {}
for province in client.get("/api/provinces.json").json()["provinces"]:
    path = province["url"].removeprefix("http://localhost")
    for as_of in ("2023-07-31", "2025-12-31"):
        seen[f"{province['slug']} {as_of}"] = {
            "progress": client.get(f"{path}progress.json", {"as_of": as_of}).json(),
            "products": client.get(f"{path}products.json", {"as_of": as_of}).json()["count"],
        }
uploads = [(r.filename, hashlib.sha256(bytes(r.content)).hexdigest() == r.sha256) for r in ImportRecord.objects.all()]
print(json.dumps({"provinces": seen, "uploads": uploads}))
"""
READER = {"OCOP_PUBLIC_DASHBOARD": "true", "SECURE_SSL_REDIRECT": "false"}
PRODUCTS = "from products.models import Product; print(Product.objects.count())"
DECISIONS = "from products.models import RatingDecision; print(RatingDecision.objects.count())"
A_DECISION = ("INSERT INTO products_ratingdecision (number, number_key, date, year_only, level, issuing_body, "
              "source_url, note, is_demo, created_at) VALUES ('9/QĐ', '9/qđ', '2021-12-31', TRUE, 'national', "
              "'Bộ NN&PTNT', '', '', FALSE, '2026-01-01 00:00:00')")


def ran(process: subprocess.Popen) -> str:
    """What a manage.py process printed, once it has ended well."""
    code, out, err = finished(process)
    assert (code, "Traceback" in err) == (0, False), out + err
    return out


def snapshot(database: str) -> dict:
    return json.loads(ran(manage(database, "shell", "-c", SNAPSHOT, **READER)).strip().splitlines()[-1])


@pytest.fixture(scope="module")
def registered(databases, tmp_path_factory) -> str:
    """A copy of the test database holding the demo register and an upload of decisions known by their year."""
    database = databases.copy()
    sheet = tmp_path_factory.mktemp("sheets") / "hat-de.csv"
    sheet.write_text(YEAR_ONLY_SHEET, encoding="utf-8")
    ran(manage(database, "seed_demo", "--allow-production"))
    ran(manage(database, "import_ocop", str(sheet)))
    return database


@pytest.fixture(scope="module")
def backup(registered, tmp_path_factory) -> Path:
    """The backup of `registered`, made by `manage.py backup`."""
    folder = tmp_path_factory.mktemp("backups")
    ran(manage(registered, "backup", "--to", str(folder)))
    [path] = folder.iterdir()
    return path


def test_a_backup_restored_into_an_empty_database_gives_every_province_the_same_numbers(
        databases, registered, backup):
    restored = databases.empty()
    ran(manage(restored, "restore", str(backup)))
    before = snapshot(registered)
    assert (before["provinces"]["bac-kan 2023-07-31"]["products"], before["uploads"]) == (182, [["hat-de.csv", True]])
    assert snapshot(restored) == before


@contextlib.contextmanager
def writing(database: str):
    """A writer in the middle of its transaction (on SQLite, holding the write lock): a decision
    written, not committed; rolled back at the end."""
    if database.startswith("sqlite:///"):
        writer = sqlite3.connect(database.removeprefix("sqlite:///"), isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")
    else:
        import psycopg

        writer = psycopg.connect(database)  # its first statement begins a transaction
    with contextlib.closing(writer):
        writer.cursor().execute(A_DECISION)
        yield


def test_a_backup_taken_while_another_writes_holds_what_was_committed_and_waits_for_no_one(databases, tmp_path):
    database, restored = databases.copy(), databases.empty()
    with writing(database):
        ran(manage(database, "backup", "--to", str(tmp_path)))
    [backup] = tmp_path.iterdir()
    ran(manage(restored, "restore", str(backup)))
    assert ran(manage(restored, "shell", "-c", DECISIONS)).split()[-1] == "0"


def test_a_backup_is_named_with_its_time_in_utc_and_its_database(backup):
    assert re.fullmatch(rf"ocop-20\d\d[01]\d[0-3]\dT\d{{6}}Z-{connection.vendor}\.(dump|sqlite3)", backup.name)


def test_restore_refuses_a_database_that_is_not_empty_in_both_languages(registered, backup):
    code, out, err = finished(manage(registered, "restore", str(backup)))
    assert (code, "không trống" in err, "is not empty" in err) == (1, True, True)


def test_restore_with_force_replaces_what_the_database_held(databases, registered, backup):
    held = databases.copy()  # the reference data, and no register
    ran(manage(held, "restore", "--force", str(backup)))
    assert ran(manage(held, "shell", "-c", PRODUCTS)) == ran(manage(registered, "shell", "-c", PRODUCTS))


def test_restore_refuses_a_file_that_is_not_a_backup_of_this_database(databases, tmp_path):
    other = tmp_path / "khac.dump"
    other.write_bytes(b"SQLite format 3\x00" if connection.vendor == "postgresql" else b"PGDMP")
    code, out, err = finished(manage(databases.empty(), "restore", str(other)))
    assert (code, "nothing was restored" in err) == (1, True)


def test_prune_keeps_the_newest_backups_and_every_other_file(tmp_path):
    names = [f"ocop-2026120{day}T020000Z-postgresql.dump" for day in range(1, 5)]
    others = ["ghi-chu.txt", f".{names[-1]}.partial"]  # an interrupted backup's file is no backup
    for name in [*names, *others]:
        (tmp_path / name).touch()
    backups.prune(tmp_path, keep=2, vendor="postgresql")
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted([*names[2:], *others])


def test_prune_leaves_another_databases_backups_alone(tmp_path):
    other = tmp_path / "ocop-20261201T020000Z-postgresql.dump"
    for name in (other.name, "ocop-20261202T020000Z-sqlite.sqlite3", "ocop-20261203T020000Z-sqlite.sqlite3"):
        (tmp_path / name).touch()
    backups.prune(tmp_path, keep=1, vendor="sqlite")
    assert other.exists() and len(list(tmp_path.iterdir())) == 2


def test_keep_0_keeps_every_backup(tmp_path):
    (tmp_path / "ocop-20261201T020000Z-sqlite.sqlite3").touch()
    assert backups.prune(tmp_path, keep=0, vendor="sqlite") == []


def test_postgresql_programs_not_on_path_are_taken_from_the_newest_version(tmp_path, monkeypatch):
    for version in ("9.6", "15", "16"):
        program = tmp_path / version / "bin" / "pg_dump"
        program.parent.mkdir(parents=True)
        program.touch(mode=0o755)
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    monkeypatch.setattr(backups, "POSTGRESQL_LIBRARY", tmp_path)
    assert backups.postgresql_program("pg_dump") == str(tmp_path / "16" / "bin" / "pg_dump")


def test_the_password_reaches_pg_dump_in_its_environment_never_on_its_command_line(monkeypatch):
    seen = {}
    monkeypatch.setattr(subprocess, "run", lambda command, env, **kwargs: seen.update(command=command, env=env) or
                        subprocess.CompletedProcess(command, 0, "", ""))
    database = {"NAME": "ocop", "USER": "ocop", "PASSWORD": "mat-khau-bi-mat", "HOST": "db", "PORT": "5432"}
    backups.run(["pg_dump", "--format=custom"], database)
    assert ("mat-khau-bi-mat" in " ".join(seen["command"]), seen["env"]["PGPASSWORD"]) == (False, "mat-khau-bi-mat")


def test_a_postgresql_program_found_nowhere_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(backups, "POSTGRESQL_LIBRARY", tmp_path)
    with pytest.raises(backups.MissingProgram, match="pg_restore"):
        backups.postgresql_program("pg_restore")


def test_restore_refuses_a_damaged_backup_before_touching_the_database(databases, registered, backup, tmp_path):
    damaged = tmp_path / backup.name
    content = bytearray(backup.read_bytes())
    damaged.write_bytes(bytes(content[: len(content) // 2]))  # cut short, as a copy that did not finish
    held = databases.copy(registered)
    code, _out, err = finished(manage(held, "restore", "--force", str(damaged)))
    assert (code, "nothing was restored" in err) == (1, True)
    assert ran(manage(held, "shell", "-c", PRODUCTS)) == ran(manage(registered, "shell", "-c", PRODUCTS))


def refused(database: str, *args: str, prefix: tuple[str, ...] = ()) -> str:
    """What `manage.py backup *args` said when it refused: it exits 1, with no traceback."""
    done = subprocess.run([*prefix, sys.executable, "manage.py", "backup", *args], cwd=ROOT, env=environment(database),
                          capture_output=True, text=True, timeout=120)
    assert (done.returncode, "Traceback" in done.stderr) == (1, False), done.stdout + done.stderr
    return done.stderr


@pytest.mark.parametrize("to", ["ocop.sqlite3", "ocop.sqlite3/backups"])
def test_backup_to_a_file_says_it_is_not_a_folder(registered, tmp_path, to):
    (tmp_path / "ocop.sqlite3").write_bytes(b"")
    said = refused(registered, "--to", str(tmp_path / to))
    assert f"{tmp_path / to} không phải là thư mục" in said and f"{tmp_path / to} is not a folder" in said


def test_backup_to_a_folder_it_may_not_write_in_says_so(registered, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir(mode=0o500)
    # root writes anywhere: it runs without that privilege (CAP_DAC_OVERRIDE), as the service's user would.
    said = refused(registered, "--to", str(folder), prefix=("setpriv", "--bounding-set=-dac_override")
                   if os.geteuid() == 0 else ())
    assert "không có quyền ghi vào" in said and f"may not write in {folder}" in said


def test_backup_to_a_missing_folder_makes_it_for_its_owner_alone(registered, tmp_path):
    folder = tmp_path / "missing" / "backups"
    ran(manage(registered, "backup", "--to", str(folder)))
    assert (len(backups.backups_in(folder)), folder.stat().st_mode & 0o777) == (1, 0o700)


def test_a_backup_of_the_same_second_is_refused_as_existing(registered, tmp_path):
    now = timezone.now()
    for second in range(120):  # every name the process could take, however long it takes to start
        (tmp_path / backups.backup_name(connection.vendor, now + datetime.timedelta(seconds=second))).touch()
    said = refused(registered, "--to", str(tmp_path))
    assert "đã có" in said and "already exists: a backup was made this very second" in said


def test_a_database_holding_no_table_is_not_backed_up_nor_old_backups_deleted(databases, tmp_path):
    old = tmp_path / "ocop-20261201T020000Z-sqlite.sqlite3"
    old.touch()
    said = refused(databases.empty(), "--to", str(tmp_path), "--keep", "1")
    assert "holds no table" in said and [path.name for path in tmp_path.iterdir()] == [old.name]


def test_restoring_a_folder_says_to_name_a_file_in_it(tmp_path):
    code, _out, err = finished(manage(f"sqlite:///{tmp_path}/db.sqlite3", "restore", str(tmp_path)))
    assert (code, "is a folder" in err, "là một thư mục" in err) == (1, True, True)
