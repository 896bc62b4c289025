"""SQLite's own tools rebuild the database: `sqlite3 db.sqlite3 .dump | sqlite3 new.sqlite3` runs
the dump through a connection without the functions Django registers on its own connections
(django_date_extract and the rest), as Python's iterdump() into a plain sqlite3 connection does
here. Whichever database the suite runs on, the SQLite database is built by the migrations, in a
file of its own. (PostgreSQL's pg_dump and pg_restore: tests/ocop_dashboard/test_backup.py.)"""

import contextlib
import re
import sqlite3
from pathlib import Path

import pytest

from tests.processes import finished, manage

DECISIONS = """
from products.models import RatingDecision
for date, year_only in (("2021-12-31", True), ("2021-06-01", False)):
    RatingDecision.objects.create(date=date, year_only=year_only, level="national", issuing_body="Bộ NN&PTNT")
"""
A_YEAR_ONLY_DECISION_OF_JUNE = (
    "INSERT INTO products_ratingdecision (number, number_key, date, year_only, level, issuing_body, source_url, "
    "note, is_demo, created_at) VALUES ('', '', '2021-06-01', 1, 'national', 'Bộ NN&PTNT', '', '', 0, '2026-01-01')"
)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """A SQLite database built by the migrations, holding a decision known by its year and another."""
    path = tmp_path_factory.mktemp("sqlite") / "db.sqlite3"
    for command in (["migrate"], ["shell", "-c", DECISIONS]):
        code, out, err = finished(manage(f"sqlite:///{path}", *command))
        assert code == 0, out + err
    return path


def restored(path: Path) -> sqlite3.Connection:
    """What `sqlite3 path .dump | sqlite3 new.sqlite3` makes of the database, in memory."""
    with contextlib.closing(sqlite3.connect(path)) as source:
        dump = "\n".join(source.iterdump())
    copy = sqlite3.connect(":memory:")
    copy.executescript(dump)
    return copy


def test_a_dump_restores_every_decision_without_djangos_functions(migrated):
    with contextlib.closing(restored(migrated)) as copy:
        assert copy.execute("SELECT count(*) FROM products_ratingdecision").fetchone() == (2,)


def test_a_restored_database_still_refuses_a_year_only_decision_not_dated_31_12(migrated):
    with contextlib.closing(restored(migrated)) as copy, pytest.raises(
            sqlite3.IntegrityError, match="decision_year_only_is_year_end"):
        copy.execute(A_YEAR_ONLY_DECISION_OF_JUNE)


def test_no_table_index_or_constraint_calls_a_function_sqlite_lacks(migrated):
    """Every function the schema calls is one of SQLite's own; a type's length (varchar(60)) is no call."""
    with contextlib.closing(sqlite3.connect(":memory:")) as plain:
        known = {name.lower() for (name,) in plain.execute("SELECT name FROM pragma_function_list")}
    with contextlib.closing(sqlite3.connect(migrated)) as db:
        schema = [sql for (sql,) in db.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite%'")]
    # Quoted names and text literals are neither; what is left calls a function as name(…).
    bare = [re.sub(r'"[^"]*"|\'[^\']*\'', "", sql) for sql in schema]
    called = {name.lower() for sql in bare for name in re.findall(r"\b([A-Za-z_]\w*)\((?!\d)", sql)}
    assert called - known == set()
