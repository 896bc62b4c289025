"""Two real imports at once (two `manage.py import_ocop` processes) write the register that the same
files write one after the other; on the database the suite runs on (SQLite in a file, in WAL mode,
or PostgreSQL when DATABASE_URL says so: CI runs this file in both legs).

Each test works on copies of the test database (reference data loaded, nothing else), so what the
processes commit stays out of the other tests. The imports that race pause while they hold their
locks (OCOP_TEST_WRITE_PAUSE, after reading what exists and before writing): without the locks,
both read the same register and write over each other; with them, the second waits.
"""

import json
import subprocess
import time
from pathlib import Path

import pytest

from tests.processes import Databases, finished, manage

# Committed, not rolled back (the copies are made from the test database, which PostgreSQL copies only
# while no one is connected), and no app's tables flushed afterwards: the test writes nothing to the
# test database, whose reference data the other tests need.
pytestmark = pytest.mark.django_db(transaction=True, available_apps=[])

PAUSE = 2  # seconds: far more than the two processes' difference in start-up

HEADER = "Tỉnh,Chủ thể,Loại hình chủ thể,Tên sản phẩm,Nhóm sản phẩm,Số sao,Số quyết định,Ngày quyết định,Năm công nhận"
KNOWN, NEW = range(40), range(40, 50)  # products in the register before the race, and products the racers add

# The register as a reader sees it: every product's standing stars on several days, every rating
# with what store_sequence keeps on it, every decision. Ids differ from run to run; names do not.
SNAPSHOT = """
import json
from products.models import Product, Rating, RatingDecision
days = ["2020-12-31", "2022-12-31", "2023-12-31", "2024-12-31", "2025-06-30"]
standing = [(day, p.producer.name, p.name, p.stars_on) for day in days
            for p in Product.objects.with_stars_on(day).select_related("producer")]
ratings = Rating.objects.values_list("product__name", "decision__number", "decided_on", "stars", "superseded_on",
                                     "is_upgrade", "is_first_recognition")
decisions = RatingDecision.objects.values_list("number", "date", "year_only", "level", "issuer__slug")
print(json.dumps({name: sorted(json.dumps(row, default=str, ensure_ascii=False) for row in rows) for name, rows in
                  (("standing", standing), ("ratings", ratings), ("decisions", decisions))}))
"""


def write_sheet(path: Path, stars, number: str = "", date: str = "", year: str = "", products=KNOWN) -> Path:
    rows = [f"Bắc Kạn,HTX số {i // 2},Hợp tác xã,Sản phẩm số {i},1,{stars(i)},{number},{date},{year}" for i in products]
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return write_sheet(tmp_path_factory.mktemp("sheets") / "base.csv", lambda i: 3, "1/QĐ-UBND", "01/06/2020")


@pytest.fixture(scope="module")
def registered(databases, base) -> str:
    """A database holding the register `base` writes: KNOWN products, each rated once."""
    database = databases.copy()
    imported(manage(database, "import_ocop", str(base)))
    return database


def imported(*processes: subprocess.Popen) -> None:
    for process in processes:
        code, out, err = finished(process)
        assert (code, "Traceback" in err) == (0, False), out + err


def printed_snapshot(process: subprocess.Popen) -> dict:
    code, out, err = finished(process)
    assert code == 0, err
    return json.loads(out.strip().splitlines()[-1])


def importing(sheet: Path) -> str:
    return f"call_command('import_ocop', {str(sheet)!r}, stdout=io.StringIO())\n"


def race(sheets: list[Path], databases: Databases, registered: str, edit: str = "") -> tuple[dict, dict]:
    """The snapshots of the register after `sheets` are imported at once (and `edit`, a script,
    run meanwhile), and after the same one after the other."""
    at_once, in_turn = databases.copy(registered), databases.copy(registered)
    steps = "".join(map(importing, sheets)) + edit
    reference = manage(in_turn, "shell", "-c",
                       f"import io\nfrom django.core.management import call_command\n{steps}{SNAPSHOT}")
    # The edit stays open past the import's pause: across the import's reading and its writing.
    editing = [manage(at_once, "shell", "-c", edit, EDIT_PAUSE=str(2 * PAUSE))] if edit else []
    imported(*[manage(at_once, "import_ocop", str(sheet), OCOP_TEST_WRITE_PAUSE=str(PAUSE)) for sheet in sheets],
             *editing)
    return printed_snapshot(manage(at_once, "shell", "-c", SNAPSHOT)), printed_snapshot(reference)


# A rating entered as the admin enters one: saved through the model in one transaction, which here
# stays open a while after (EDIT_PAUSE), its rating not yet visible to the import running meanwhile.
EDIT = """
import datetime, os, time
from django.db import transaction
from products.models import Product, Rating, RatingDecision
from provinces.models import AdminUnit
with transaction.atomic():
    decision = RatingDecision.objects.create(number="300/QĐ-UBND", date=datetime.date(2024, 6, 1), level="province",
                                             issuer=AdminUnit.objects.get(slug="bac-kan"),
                                             issuing_body="UBND tỉnh Bắc Kạn")
    for name in ("Sản phẩm số 0", "Sản phẩm số 1"):
        Rating.objects.create(product=Product.objects.get(name=name), decision=decision, stars=4)
    time.sleep(float(os.environ.get("EDIT_PAUSE") or 0))
"""


def test_two_imports_rerating_the_same_products_at_once_write_what_one_after_the_other_writes(
        tmp_path, databases, registered):
    upgrades = write_sheet(tmp_path / "a.csv", lambda i: 4 if i % 2 else 3, "100/QĐ-UBND", "01/06/2022",
                           products=[*KNOWN, *NEW])
    later = write_sheet(tmp_path / "b.csv", lambda i: 3 if i % 3 else 4, "200/QĐ-UBND", "01/06/2023",
                        products=[*KNOWN, *NEW])
    at_once, in_turn = race([upgrades, later], databases, registered)
    assert at_once == in_turn


def test_the_same_year_only_sheet_twice_at_once_makes_one_decision(tmp_path, databases, registered):
    year_only = write_sheet(tmp_path / "y.csv", lambda i: 4, year="2024", products=[*KNOWN, *NEW])
    at_once, in_turn = race([year_only, year_only], databases, registered)
    assert at_once == in_turn
    assert sum("2024-12-31" in decision for decision in at_once["decisions"]) == 1


def test_an_import_and_an_edit_of_the_same_products_at_once_write_what_one_after_the_other_writes(
        tmp_path, databases, registered):
    upgrades = write_sheet(tmp_path / "a.csv", lambda i: 4 if i % 2 else 3, "100/QĐ-UBND", "01/06/2022")
    at_once, in_turn = race([upgrades], databases, registered, edit=EDIT)
    assert at_once == in_turn


def test_an_import_that_waits_too_long_says_another_is_running(base, databases, registered):
    database = databases.copy(registered)
    holding = manage(database, "import_ocop", str(base), OCOP_TEST_WRITE_PAUSE="6")
    for _wait in range(600):
        if databases.written(database) or holding.poll() is not None:
            break
        time.sleep(0.05)
    code, _out, words = finished(manage(database, "import_ocop", str(base), WRITE_WAIT_SECONDS="1"))
    assert (code, finished(holding)[0]) == (1, 0)
    assert "Another import or edit of the same records is running" in words and "Traceback" not in words
