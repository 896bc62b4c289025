"""Import benchmark: a generated 20,000-row product sheet (.xlsx) imported on SQLite and PostgreSQL.
`python bench/imports.py` (about 10 minutes; or `--quick`: SQLite only, 2,000 rows, under a minute).

On each backend, every measurement runs in its own worker process on a fresh copy of a database
holding the administrative units and reference fixtures:
- tablib reading the file alone, openpyxl alone (read-only mode, what tablib uses), and
  `read_sheet` alone (python-calamine, what the import reads the file with);
- `import_products` on the file (rows per second, queries), then on the same file again;
  the best of two workers for these, as other work on the machine slows single runs;
- its peak memory (tracemalloc, so in separate runs) at the full size and on the first half;
- a default django-import-export `ModelResource` (`default_resource()`) on the whole file, and on
  its first 2,000 rows (its rate falls as the producers it looks up by name grow);
- a second file with ~1% bad rows, whose errors the import must report exactly as the parse phase
  finds them, before and after writing the valid rows;
- the import through the task path, as the upload page runs it: the file previewed as an
  administrator, confirmed with `imports.tasks.start_import`, run by a real `manage.py db_worker`
  (django-tasks-db) started beside it, timed from start_import until the record says IMPORTED;
  and the same task's function called in the process itself (no queue), so that the queue's own
  overhead shows apart: the wait until a worker takes the task (DBTaskResult's enqueued_at →
  started_at), and the rest (the worker's run and the polling) beyond the task's own work.
PostgreSQL is a private throwaway cluster (bench/pages.py's `Postgres`). Results go to
bench/out/imports.md.
"""

import argparse
import bisect
import datetime
import io
import itertools
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pages import Postgres  # noqa: E402

OUT = ROOT / "bench" / "out"
HEADERS = [
    "Tỉnh", "Huyện", "Xã", "Chủ thể", "Loại hình chủ thể", "Tên sản phẩm", "Nhóm sản phẩm", "Số sao", "Điểm",
    "Số quyết định", "Ngày quyết định", "Năm công nhận", "Cấp công nhận", "Ngày hết hạn",
]
PRODUCER_KINDS = [("Hợp tác xã", "Hợp tác xã", 55), ("Công ty TNHH", "Doanh nghiệp", 15),
                  ("Tổ hợp tác", "Tổ hợp tác", 5), ("Hộ kinh doanh", "Hộ kinh doanh", 25)]
PRODUCER_WORDS = ["Nông nghiệp", "Dịch vụ tổng hợp", "Nông sản sạch", "Chè", "Thảo dược", "Mây tre đan",
                  "Dược liệu", "Thực phẩm", "Đặc sản", "Sinh thái", "Miến dong", "Gạo"]
PRODUCT_WORDS = ["Miến dong", "Mật ong", "Chè shan tuyết", "Gạo nếp", "Rượu men lá", "Măng khô", "Mứt gừng",
                 "Bánh gai", "Nấm hương", "Cam sành", "Tinh dầu quế", "Lạp sườn", "Giỏ mây", "Trà hoa vàng",
                 "Bưởi da xanh", "Nước mắm", "Cà phê bột", "Hồng không hạt", "Thịt trâu gác bếp", "Dầu lạc"]
GROUPS = {1: "Thực phẩm", 2: "Đồ uống", 3: "Thảo dược", 4: "Thủ công mỹ nghệ"}
GROUP_OF_WORD = {"Rượu men lá": 2, "Chè shan tuyết": 2, "Trà hoa vàng": 2, "Cà phê bột": 2, "Tinh dầu quế": 3,
                 "Giỏ mây": 4}
LEVEL_WORDS = {"province": "tỉnh", "district": "huyện", "national": "quốc gia"}
DISTRICT_PROVINCES = 6  # provinces whose districts rate 3★ themselves in 2023–2024


# --- The sheet -------------------------------------------------------------------------------

def sheet_rows(rows: int, *, seed: int = 1, bad_share: float = 0.0) -> tuple[list[list], list[tuple[int, str]]]:
    """The rows of a legacy-era product sheet (decisions 2019 – 6/2025), in random order.

    Units are the 63 legacy provinces with their districts and communes, written as registers
    write them (full or short names); only names that resolve to one unit are used. 0.6 producers
    per row, so most producers have one product and some several; ~13% of products rated twice by
    different decisions; a few hundred decisions (each province once a year, some known by their
    year alone, district decisions in a few provinces, national 5★ ones). With `bad_share`, that
    share of rows gets one mistake each (stars, an unknown commune, or the date); the second value
    lists them as (sheet row, column). Needs the units in the database.
    """
    from provinces.models import AdminUnit

    rng = random.Random(seed)
    units = list(AdminUnit.objects.filter(valid_to__isnull=False).order_by("pk")
                 .only("pk", "level", "name", "short_name", "search_name", "parent_id"))
    by_id = {u.pk: u for u in units}
    siblings = defaultdict(int)
    for u in units:
        siblings[(u.level, u.parent_id, u.search_name)] += 1
    places = defaultdict(list)  # province id -> [(district, commune)] whose names resolve
    for u in units:
        district = by_id.get(u.parent_id)
        if u.level == "commune" and siblings[(u.level, u.parent_id, u.search_name)] == 1 \
                and siblings[("district", district.parent_id, district.search_name)] == 1:
            places[district.parent_id].append((district, u))
    provinces = [u for u in units if u.level == "province"]
    cumulative = list(itertools.accumulate(rng.uniform(0.5, 1.5) for _p in provinces))
    rating_districts = {p.pk for p in rng.sample(provinces, DISTRICT_PROVINCES)}

    decisions = {}  # province id -> [(number, date or None, year or None, level)]
    for p in provinces:
        decisions[p.pk] = [
            (f"{rng.randint(100, 3999)}/QĐ-UBND", datetime.date(year, rng.choice((6, 11, 12)), rng.randint(10, 28)),
             None, "province")
            for year in range(2019, 2025)
        ]
        decisions[p.pk] += [
            (f"{rng.randint(100, 3999)}/QĐ-UBND", datetime.date(2025, 5, rng.randint(10, 28)), None, "province"),
            ("", None, 2019, "province"),  # an old register knows the year alone
        ]
    national = [(f"{rng.randint(100, 999)}/QĐ-BNN-VPĐP", datetime.date(y, 11, 30), None, "national")
                for y in range(2020, 2025)]

    owners = []
    for i in range(round(rows * 0.6)):
        province = provinces[bisect.bisect(cumulative, rng.random() * cumulative[-1])]
        district, commune = rng.choice(places[province.pk])
        prefix, kind, _weight = rng.choices(PRODUCER_KINDS, weights=[k[2] for k in PRODUCER_KINDS])[0]
        name = f"{prefix} {rng.choice(PRODUCER_WORDS)} {commune.short_name} {i + 1:05d}"
        owners.append({"province": province, "district": district, "commune": commune, "name": name, "kind": kind,
                       "n": 0})

    out = []
    while len(out) < rows:
        owner = owners[len(out)] if len(out) < len(owners) else rng.choice(owners)  # every producer at least once
        word = PRODUCT_WORDS[owner["n"] % len(PRODUCT_WORDS)]
        owner["n"] += 1
        product = f"{word} {owner['commune'].short_name}" + (f" loại {owner['n']}" if owner["n"] > 1 else "")
        first, again = (_decision(rng, decisions[owner["province"].pk], national, owner, rating_districts)
                        for _i in range(2))
        twice = again[:2] != first[:2] and rng.random() < 0.15 and len(out) + 1 < rows
        for decision in [first] + ([again] if twice else []):
            out.append(_row(rng, owner, product, word, *decision))
    rng.shuffle(out)
    bad = []
    kinds = itertools.cycle(("stars", "commune", "decision_date"))
    for index in sorted(rng.sample(range(len(out)), round(rows * bad_share))):
        row, kind = out[index], next(kinds)
        if kind == "stars":
            row[7] = "7"
        elif kind == "commune":
            row[2] = "Xã Không Có Thật"
        elif row[10]:
            row[10] = "31/13/2021"
        else:
            kind, row[11] = "year", "20x9"
        bad.append((index + 2, kind))
    return out, bad


def _decision(rng, own, national, owner, rating_districts):
    roll = rng.random()
    if roll < 0.01:
        return (*rng.choice(national), 5)
    if roll < 0.25 and owner["province"].pk in rating_districts:
        # Issuing bodies ("UBND huyện Châu Thành") repeat across provinces: the number keeps them apart.
        return f"{owner['district'].pk}/QĐ-UBND", datetime.date(rng.choice((2023, 2024)), 12, 15), None, "district", 3
    return (*rng.choice(own), rng.choices((2, 3, 4), weights=(3, 72, 25))[0])


def _row(rng, owner, product, word, number, day, year, level, stars):
    from products.models import SCORE_BANDS

    low, high = SCORE_BANDS[stars]  # [low, high): 5★ from 90 to 100
    expires = ""
    if day and rng.random() < 0.1:
        expires = datetime.date(day.year + 3, day.month, day.day).strftime("%d/%m/%Y")
    when = "" if day is None else day if rng.random() < 0.5 else day.strftime("%d/%m/%Y")  # real dates and text
    return [
        owner["province"].short_name, _typed(rng, owner["district"]), _typed(rng, owner["commune"]),
        owner["name"], owner["kind"], product, GROUPS[GROUP_OF_WORD.get(word, 1)], stars,
        rng.randint(low, high - 1) if rng.random() < 0.8 else "", number, when, year or "", LEVEL_WORDS[level], expires,
    ]


def _typed(rng, unit) -> str:
    """The full name or, half the time, the short one, as people type them."""
    return unit.short_name if rng.random() < 0.5 else unit.name


def xlsx(rows: list[list]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("OCOP")
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- The baseline ----------------------------------------------------------------------------

def default_resource():
    """The baseline, `DefaultProductResource`: what a developer writes first with django-import-export.

    A `resources.ModelResource` for Product with import-export's default settings: no bulk, the
    import in a transaction with a savepoint per row, each row's instance looked up, diffed and
    saved on its own. Its fields are the sheet's product columns, named as the sheet names them:
    the product name, and `ForeignKeyWidget`s looking up the producer by name, the province by
    short name and the product group by name. Only what this sheet forces is added: products are
    matched by (producer, name), as the sheet has no id column, and the province and group
    look-ups are narrowed to legacy provinces and current groups, whose names repeat otherwise
    ("Bắc Ninh" before and after 2025; "Thực phẩm" in the 2018 and 2022 groupings). Producers must
    exist: the benchmark creates them first, untimed. It writes products only, no district, commune,
    decision or rating: less work per row than `import_products` does.
    """
    from import_export import fields, resources, widgets

    from products.models import Producer, Product, ProductGroup
    from provinces.models import AdminUnit

    class LegacyProvinceWidget(widgets.ForeignKeyWidget):
        def get_queryset(self, value, row, *args, **kwargs):
            return AdminUnit.objects.provinces().filter(valid_to__isnull=False)

    class CurrentGroupWidget(widgets.ForeignKeyWidget):
        def get_queryset(self, value, row, *args, **kwargs):
            return ProductGroup.objects.filter(scheme=ProductGroup.Scheme.CURRENT)

    class DefaultProductResource(resources.ModelResource):
        name = fields.Field(attribute="name", column_name="Tên sản phẩm")
        producer = fields.Field(attribute="producer", column_name="Chủ thể",
                                widget=widgets.ForeignKeyWidget(Producer, "name"))
        province = fields.Field(attribute="province", column_name="Tỉnh",
                                widget=LegacyProvinceWidget(AdminUnit, "short_name"))
        group = fields.Field(attribute="group", column_name="Nhóm sản phẩm",
                             widget=CurrentGroupWidget(ProductGroup, "name"))

        class Meta:
            model = Product
            fields = ("name", "producer", "province", "group")
            import_id_fields = ("producer", "name")

    return DefaultProductResource


def create_producers(dataset) -> None:
    """The producers a sheet names, which the default resource only looks up."""
    from products.models import Producer
    from provinces.models import AdminUnit

    provinces = {p.short_name: p for p in AdminUnit.objects.provinces().filter(valid_to__isnull=False)}
    producers = {}
    for row in dataset.dict:
        producers.setdefault(row["Chủ thể"],
                             Producer(name=row["Chủ thể"], type="cooperative", province=provinces[row["Tỉnh"]]))
    for producer in producers.values():
        producer.fill_derived_fields()
    Producer.objects.bulk_create(producers.values())


# --- Workers ---------------------------------------------------------------------------------

def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocop_dashboard.settings")
    import django

    django.setup()


class QueryCount:
    """Counts queries without keeping their SQL (a debug cursor would hold every statement)."""

    def __init__(self):
        self.n = 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)


def work_prepare(spec: dict) -> dict:
    """Migrate, load units and reference fixtures; with `sheets`, generate the benchmark files."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_admin_units", verbosity=0)
    call_command("loaddata", "product_groups", "indicators", verbosity=0)
    if "sheets" not in spec:
        return {}
    started = time.perf_counter()
    rows, _bad = sheet_rows(spec["rows"])
    Path(spec["sheets"]["full"]).write_bytes(xlsx(rows))
    Path(spec["sheets"]["half"]).write_bytes(xlsx(rows[: spec["rows"] // 2]))
    bad_rows, bad = sheet_rows(spec["rows"], seed=2, bad_share=0.01)
    Path(spec["sheets"]["bad"]).write_bytes(xlsx(bad_rows))
    Path(spec["sheets"]["bad"] + ".json").write_text(json.dumps(bad))
    return {"generation_s": time.perf_counter() - started}


def work_import(spec: dict) -> dict:
    """Read the file alone, then import it, then import it again."""
    import openpyxl
    import tablib
    from django.db import connection

    from imports.reading import read_sheet
    from imports.services import import_products
    from products.models import Producer, Product, Rating, RatingDecision

    content = Path(spec["sheet"]).read_bytes()
    reads, ours = [], []
    for _run in range(2):
        started = time.perf_counter()
        dataset = tablib.Dataset().load(content, format="xlsx")
        reads.append(time.perf_counter() - started)
        started = time.perf_counter()
        read_sheet(content, "sheet.xlsx")
        ours.append(time.perf_counter() - started)
    started = time.perf_counter()
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    sum(1 for _row in book.active.iter_rows(values_only=True))
    openpyxl_s = time.perf_counter() - started
    rows = len(dataset)
    del dataset, book
    runs = {}
    for name in ("first", "again"):
        queries = QueryCount()
        with connection.execute_wrapper(queries):
            started = time.perf_counter()
            result = import_products(content=content, filename="sheet.xlsx")
            seconds = time.perf_counter() - started
        runs[name] = {"s": seconds, "queries": queries.n, "created": result.created, "updated": result.updated,
                      "unchanged": result.unchanged, "errors": len(result.errors), "warnings": len(result.warnings)}
    written = {model.__name__: model.objects.count() for model in (Producer, Product, RatingDecision, Rating)}
    return {"rows": rows, "read_s": min(reads), "openpyxl_s": openpyxl_s, "read_sheet_s": min(ours), "written": written,
            **runs}


def work_memory(spec: dict) -> dict:
    """Peak traced memory of reading the file alone (read_sheet), and of importing it (separate runs, both traced)."""
    from imports.reading import read_sheet
    from imports.services import import_products

    content = Path(spec["sheet"]).read_bytes()
    tracemalloc.start()
    rows = len(read_sheet(content, "sheet.xlsx"))
    read_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    tracemalloc.start()
    result = import_products(content=content, filename="sheet.xlsx")
    import_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"rows": rows, "read_peak_mb": read_peak / 2**20, "import_peak_mb": import_peak / 2**20,
            "created": result.created}


def work_default(spec: dict) -> dict:
    """The default resource on the first `rows` rows, read by tablib as import-export does, their
    producers created first (untimed)."""
    import tablib

    dataset = tablib.Dataset().load(Path(spec["sheet"]).read_bytes(), format="xlsx")
    subset = dataset.subset(rows=range(min(spec["rows"] or len(dataset), len(dataset))))
    create_producers(subset)
    resource = default_resource()()
    started = time.perf_counter()
    result = resource.import_data(subset)
    seconds = time.perf_counter() - started
    totals = dict(result.totals)
    return {"rows": len(subset), "s": seconds, "new": totals.get("new", 0), "update": totals.get("update", 0),
            "errors": len(result.row_errors()) + len(result.base_errors), "invalid": len(result.invalid_rows)}


def work_errors(spec: dict) -> dict:
    """The file with ~1% bad rows: the import's errors against the parse phase's, strict and with skip_invalid."""
    from imports.kinds import KINDS
    from imports.kinds.products import duplicates as _duplicates
    from imports.kinds.products import parse as parse_rows
    from imports.services import import_products
    from imports.table import read_table
    from products.models import Rating

    content = Path(spec["sheet"]).read_bytes()
    planted = {tuple(item) for item in json.loads(Path(spec["sheet"] + ".json").read_text())}
    # The table as the import finds it (read_sheet, then find_table: the title above the header row).
    rows, _unknown = parse_rows(read_table(content, "sheet.xlsx", KINDS["products"].columns), datetime.date.today())
    _duplicates(rows)
    parsed = [(e.row, e.column, e.messages) for row in rows for e in row.errors]
    strict = import_products(content=content, filename="sheet.xlsx")
    written_strict = Rating.objects.count()
    skip = import_products(content=content, filename="sheet.xlsx", skip_invalid=True)
    same = ([(e.row, e.column, e.messages) for e in strict.errors] == parsed
            == [(e.row, e.column, e.messages) for e in skip.errors])
    return {"rows": len(rows), "planted": len(planted), "errors": len(skip.errors), "same_as_parse_phase": same,
            "planted_all_reported": planted <= {(e.row, e.column) for e in skip.errors},
            "only_planted": {e.row for e in skip.errors} == {row for row, _column in planted},
            "nothing_written_when_strict": written_strict == 0 and strict.created == 0,
            "created_with_skip_invalid": skip.created, "valid_rows": len(rows) - len({e.row for e in skip.errors})}


def _previewed(content: bytes):
    """An administrator, and the file uploaded and checked by them, with its seconds. The check (the
    worker's run_preview_task) runs here, so the queue holds only the import timed after it."""
    from django.contrib.auth import get_user_model

    from imports.services import check_import
    from imports.tasks import preview_import

    user = get_user_model().objects.create_superuser("bench", password="bench-only-not-a-secret-123")
    started = time.perf_counter()
    record = preview_import(user=user, filename="sheet.xlsx", content=content, skip_invalid=False)
    check_import(record)  # the queued check then finds it checked, and does nothing
    return user, record, time.perf_counter() - started


def work_task(spec: dict) -> dict:
    """The import through the task path: previewed, confirmed with start_import, run by a real
    db_worker (started before the preview, so that it is waiting, as in production), timed from
    start_import until the record says IMPORTED (polled every POLL_S); the task result's timestamps."""
    from django_tasks_db.models import DBTaskResult

    from imports.models import ImportRecord
    from imports.tasks import start_import

    content = Path(spec["sheet"]).read_bytes()
    worker = subprocess.Popen([sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--no-reload"],
                              cwd=ROOT, env={**os.environ, "TASKS_BACKEND": TASKS_BACKEND},
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        user, record, preview_s = _previewed(content)
        if worker.poll() is not None:
            raise SystemExit(f"db_worker stopped: {worker.stderr.read()}")
        started = time.perf_counter()
        if not start_import(record, user):
            raise SystemExit("start_import queued nothing")
        queued_s = time.perf_counter() - started
        deadline = started + TASK_TIMEOUT_S
        running_s = None
        while True:
            record.refresh_from_db(fields=["status", "phase"])
            if record.status == ImportRecord.Status.RUNNING and running_s is None:
                running_s = time.perf_counter() - started
            if record.status not in (ImportRecord.Status.QUEUED, ImportRecord.Status.RUNNING):
                break
            if time.perf_counter() > deadline or worker.poll() is not None:
                raise SystemExit(f"the import did not end ({record.status}); worker: {worker.poll()}")
            time.sleep(POLL_S)
        seconds = time.perf_counter() - started
    finally:
        worker.terminate()
        _out, err = worker.communicate(timeout=60)
    if record.status != ImportRecord.Status.IMPORTED:
        raise SystemExit(f"the import ended {record.status}: {record.failure}\n{err}")
    record.refresh_from_db()
    result = DBTaskResult.objects.get(task_path__endswith=".run_import_task")
    return {"s": seconds, "preview_s": preview_s, "start_import_s": queued_s,
            "running_seen_s": running_s, "created": record.created, "errors": record.failed_rows,
            "wait_s": (result.started_at - result.enqueued_at).total_seconds(),
            "task_s": (result.finished_at - result.started_at).total_seconds(), "task_status": result.status,
            "task_return": result.return_value,
            "traceback": "Traceback" in err}


def work_inline(spec: dict) -> dict:
    """The same task's function called here, no queue and no worker: previewed, marked QUEUED as
    start_import does, then run_import_task.call (confirm_import with its progress)."""
    from imports.models import ImportRecord
    from imports.tasks import run_import_task

    user, record, preview_s = _previewed(Path(spec["sheet"]).read_bytes())
    ImportRecord.objects.filter(pk=record.pk).update(status=ImportRecord.Status.QUEUED)
    started = time.perf_counter()
    outcome = run_import_task.call(record.pk, user.pk)
    seconds = time.perf_counter() - started
    record.refresh_from_db()
    return {"s": seconds, "preview_s": preview_s, "outcome": outcome, "status": record.status,
            "created": record.created}


WORKERS = {"prepare": work_prepare, "import": work_import, "memory": work_memory, "default": work_default,
           "errors": work_errors, "task": work_task, "inline": work_inline}
TASKS_BACKEND = "django_tasks_db.DatabaseBackend"
TASK_TIMEOUT_S = 600  # a 20,000-row import takes 10–20 s
POLL_S = 0.05


def worker(spec: dict) -> None:
    _setup()
    print(json.dumps(WORKERS[spec["work"]](spec)))


def run_worker(database_url: str, **spec) -> dict:
    # DEBUG off, as in production: with it on, Django would keep the SQL of every query.
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "false", "SECRET_KEY": "bench-only-not-secret"}
    done = subprocess.run([sys.executable, __file__, "--worker", json.dumps(spec)], env=env, cwd=ROOT,
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"worker {spec} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- Report ----------------------------------------------------------------------------------

def table(runs: dict, info: dict) -> str:
    rows, default_rows = info["rows"], info["default_rows"]
    written = next(iter(runs.values()))["import"]["written"]
    lines = [
        f"Sheet: {rows:,} rows making {written['Producer']:,} producers, {written['Product']:,} products, "
        f"{written['RatingDecision']:,} decisions and {written['Rating']:,} ratings "
        f"({info['generation_s']:.0f} s to generate). "
        f"Load average (1, 5, 15 min) before / after: {info['load_before']} / {info['load_after']}, on 2 cores.",
        "",
        "| measure | backend | rows | seconds | rows/s | queries | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for backend, run in runs.items():
        imp = run["import"]
        lines += [
            f"| tablib reads the xlsx alone | {backend} | {imp['rows']:,} | {imp['read_s']:.2f} | "
            f"{imp['rows'] / imp['read_s']:,.0f} | – | best of 4 |",
            f"| openpyxl reads it alone (read-only) | {backend} | {imp['rows']:,} | {imp['openpyxl_s']:.2f} | "
            f"{imp['rows'] / imp['openpyxl_s']:,.0f} | – | what tablib uses; best of 2 |",
            f"| `read_sheet` reads it alone (python-calamine) | {backend} | {imp['rows']:,} | "
            f"{imp['read_sheet_s']:.2f} | {imp['rows'] / imp['read_sheet_s']:,.0f} | – | "
            "what the import uses; best of 4 |",
            f"| `import_products`, new data | {backend} | {imp['rows']:,} | {imp['first']['s']:.2f} | "
            f"{imp['rows'] / imp['first']['s']:,.0f} | {imp['first']['queries']} | "
            f"best of 2; created {imp['first']['created']:,}, errors {imp['first']['errors']} |",
            f"| `import_products`, same file again | {backend} | {imp['rows']:,} | {imp['again']['s']:.2f} | "
            f"{imp['rows'] / imp['again']['s']:,.0f} | "
            f"{imp['again']['queries']} | unchanged {imp['again']['unchanged']:,}, created {imp['again']['created']}, "
            f"updated {imp['again']['updated']} |",
            *(f"| default import-export resource | {backend} | {d['rows']:,} | {d['s']:.2f} | "
              f"{d['rows'] / d['s']:,.0f} | – | "
              f"{what}; new {d['new']:,}, updated {d['update']:,}, errors {d['errors'] + d['invalid']} |"
              for d, what in ((run["default_head"], f"first {default_rows:,} rows only"),
                              (run["default"], "the whole file"))),
        ]
        task, inline = run["task"], run["inline"]
        lines += [
            f"| import through the task path: `start_import` → IMPORTED, run by a real `db_worker` | {backend} | "
            f"{imp['rows']:,} | {task['s']:.2f} | {imp['rows'] / task['s']:,.0f} | – | best of 2; "
            f"previewed first ({task['preview_s']:.1f} s, untimed); created {task['created']:,}, "
            f"rows with errors {task['errors']} |",
            f"| the same task's function called inline (no queue, no worker) | {backend} | {imp['rows']:,} | "
            f"{inline['s']:.2f} | {imp['rows'] / inline['s']:,.0f} | – | best of 2; created {inline['created']:,} |",
        ]
    lines += ["", "| queue overhead (task path, best run) | backend | seconds | note |", "|---|---|---|---|"]
    for backend, run in runs.items():
        task, inline = run["task"], run["inline"]
        lines += [
            f"| task path − inline (all the queue adds) | {backend} | {task['s'] - inline['s']:.2f} | "
            f"{task['s']:.2f} − {inline['s']:.2f} |",
            f"| waiting for a worker to take the task (enqueued_at → started_at) | {backend} | {task['wait_s']:.2f} | "
            f"the worker polls every second (db_worker's default `--interval`); `start_import` itself "
            f"{task['start_import_s'] * 1000:.0f} ms; RUNNING seen after {task['running_seen_s']:.2f} s |",
            f"| the worker's run (started_at → finished_at) − inline | {backend} | "
            f"{task['task_s'] - inline['s']:.2f} | {task['task_s']:.2f} − {inline['s']:.2f} (another process, "
            f"another run: noise either way) |",
        ]
    lines += ["", "| memory (tracemalloc peak) | backend | rows | MB | MB per 1,000 rows |", "|---|---|---|---|---|"]
    for backend, run in runs.items():
        for key in ("half", "full"):
            m = run["memory_" + key]
            lines.append(f"| `read_sheet` reads the xlsx | {backend} | {m['rows']:,} | {m['read_peak_mb']:.0f} | "
                         f"{m['read_peak_mb'] * 1000 / m['rows']:.2f} |")
            lines.append(f"| `import_products` (read included) | {backend} | {m['rows']:,} | "
                         f"{m['import_peak_mb']:.0f} | {m['import_peak_mb'] * 1000 / m['rows']:.2f} |")
    lines += ["", "| goal | backend | measured | met |", "|---|---|---|---|"]
    for backend, run in runs.items():
        imp, default, errors = run["import"], run["default"], run["errors"]
        half, full = run["memory_half"], run["memory_full"]
        ours, baseline = imp["rows"] / imp["first"]["s"], default["rows"] / default["s"]
        head = run["default_head"]["rows"] / run["default_head"]["s"]
        read_ratio = imp["first"]["s"] / imp["read_s"]
        task_s = run["task"]["s"]
        per_half, per_full = (m["import_peak_mb"] / m["rows"] for m in (half, full))
        same = errors["same_as_parse_phase"] and errors["planted_all_reported"] and errors["only_planted"] \
            and errors["nothing_written_when_strict"] and errors["created_with_skip_invalid"] == errors["valid_rows"]
        unchanged = (imp["again"]["unchanged"] == imp["first"]["created"]
                     and not (imp["again"]["created"] or imp["again"]["updated"]))
        lines += [
            f"| ≥ 20 × the default resource's rows/s on the same file | {backend} | "
            f"{ours:,.0f} ÷ {baseline:,.0f} = {ours / baseline:.1f} × "
            f"(against its rate on the first {default_rows:,} rows: {ours / head:.1f} ×) | "
            f"{_yes(ours / baseline >= 20)} |",
            f"| import ≤ 3 × the time tablib takes to read the file | {backend} | "
            f"{imp['first']['s']:.1f} s ÷ {imp['read_s']:.1f} s = "
            f"{read_ratio:.2f} × | {_yes(read_ratio <= 3)} |",
            f"| memory grows no faster than the rows (peak per row at {rows:,} ≤ 1.1 × at {rows // 2:,}) | {backend} | "
            f"{per_full * 1000:.2f} vs {per_half * 1000:.2f} MB per 1,000 rows | {_yes(per_full <= 1.1 * per_half)} |",
            f"| same per-row errors as the parse phase, nothing lost (~1% bad rows) | {backend} | "
            f"{errors['errors']} errors for "
            f"{errors['planted']} planted mistakes in {errors['rows']:,} rows; "
            f"{errors['created_with_skip_invalid']:,} valid rows written "
            f"with skip_invalid, none without | {_yes(same)} |",
            f"| through the task path: ≥ 20 × the default resource's rows/s | {backend} | "
            f"{imp['rows'] / task_s:,.0f} ÷ {baseline:,.0f} = {imp['rows'] / task_s / baseline:.1f} × | "
            f"{_yes(imp['rows'] / task_s / baseline >= 20)} |",
            f"| through the task path: ≤ 3 × the time tablib takes to read the file | {backend} | "
            f"{task_s:.1f} s ÷ {imp['read_s']:.1f} s = {task_s / imp['read_s']:.2f} × | "
            f"{_yes(task_s / imp['read_s'] <= 3)} |",
            f"| re-importing the file reports every row unchanged | {backend} | "
            f"{imp['again']['unchanged']:,} of {imp['first']['created']:,} | "
            f"{_yes(unchanged)} |",
        ]
    return "\n".join(lines)


def _yes(ok: bool) -> str:
    return "yes" if ok else "NO"


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="SQLite only, 2,000 rows")
    parser.add_argument("--default-rows", type=int,
                        help="rows for the default resource's short run (2,000; 500 with --quick); "
                             "it also runs on the whole file")
    args = parser.parse_args()
    if args.worker:
        return worker(json.loads(args.worker))
    rows = 2000 if args.quick else 20000
    default_rows = args.default_rows or (500 if args.quick else 2000)
    info = {"rows": rows, "default_rows": default_rows, "load_before": _load()}
    runs = {}
    with tempfile.TemporaryDirectory() as tmp:
        sheets = {name: f"{tmp}/{name}.xlsx" for name in ("full", "half", "bad")}
        template = f"{tmp}/template.sqlite3"
        info.update(run_worker(f"sqlite:///{template}", work="prepare", rows=rows, sheets=sheets))
        copies = itertools.count()

        def fresh_sqlite() -> str:
            path = f"{tmp}/bench-{next(copies)}.sqlite3"
            shutil.copy(template, path)
            return f"sqlite:///{path}"

        runs["sqlite"] = measure(fresh_sqlite, sheets, default_rows)
        if not args.quick:
            with Postgres() as postgres:
                run_worker(postgres.database("bench_template"), work="prepare")
                runs["postgresql"] = measure(
                    lambda: postgres.database(f"bench_{next(copies)}", template="bench_template"), sheets, default_rows)
    info["load_after"] = _load()
    report = table(runs, info)
    OUT.mkdir(exist_ok=True)
    (OUT / "imports.md").write_text(report + "\n")
    print(report)


def measure(fresh, sheets: dict, default_rows: int) -> dict:
    """Every measurement on one backend, each in a worker on a fresh database from `fresh()`."""
    # Other work on the machine slows single runs: the best of two, for the import as for the reads.
    imports = [run_worker(fresh(), work="import", sheet=sheets["full"]) for _run in range(2)]
    best = min(imports, key=lambda run: run["first"]["s"])
    return {
        "import": {**best, **{key: min(run[key] for run in imports)
                              for key in ("read_s", "openpyxl_s", "read_sheet_s")}},
        "memory_half": run_worker(fresh(), work="memory", sheet=sheets["half"]),
        "memory_full": run_worker(fresh(), work="memory", sheet=sheets["full"]),
        "default_head": run_worker(fresh(), work="default", sheet=sheets["full"], rows=default_rows),
        # The whole file, as the import takes it: the default resource slows as the producers it looks up grow.
        "default": run_worker(fresh(), work="default", sheet=sheets["full"], rows=None),
        "errors": run_worker(fresh(), work="errors", sheet=sheets["bad"]),
        # Through the task path and, to tell the queue's overhead apart, the task's function inline:
        # the best of two each.
        **{key: min((run_worker(fresh(), work=key, sheet=sheets["full"]) for _run in range(2)),
                    key=lambda run: run["s"]) for key in ("task", "inline")},
    }


if __name__ == "__main__":
    main()
