"""`import_products` in two checkouts, back to back: is a change slower? (About 12 minutes.)

    .venv/bin/python bench/compare_imports.py BEFORE_DIR AFTER_DIR [--imports 3] [--rounds 2]

Each round runs the before tree, then the after tree; each tree generates the 20,000-row sheet of
`bench/imports.py` and imports it (then again, all unchanged) into `--imports` fresh databases per
backend, SQLite and a private PostgreSQL cluster. Prints the best and the median of each, and the
ratio after ÷ before per round. Both trees must have `bench/imports.py` with `run_worker`; this
script's interpreter runs them (the trees' dependencies must match it).
"""

import argparse
import itertools
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

MEASURES = {"first": "new data", "again": "same file again"}


def in_tree(imports: int) -> dict:
    """Run inside a tree (the current directory): every import's seconds, per backend and measure."""
    sys.path.insert(0, str(Path.cwd()))
    from bench.imports import run_worker
    from bench.pages import Postgres

    seconds = {backend: {measure: [] for measure in MEASURES} for backend in ("sqlite", "postgresql")}

    def record(backend: str, database: str, sheet: str) -> None:
        run = run_worker(database, work="import", sheet=sheet)
        for measure in MEASURES:
            seconds[backend][measure].append(run[measure]["s"])

    with tempfile.TemporaryDirectory() as tmp:
        sheets = {name: f"{tmp}/{name}.xlsx" for name in ("full", "half", "bad")}
        template = f"{tmp}/template.sqlite3"
        run_worker(f"sqlite:///{template}", work="prepare", rows=20000, sheets=sheets)
        copies = itertools.count()
        for _run in range(imports):
            path = f"{tmp}/copy-{next(copies)}.sqlite3"
            shutil.copy(template, path)
            record("sqlite", f"sqlite:///{path}", sheets["full"])
        with Postgres() as postgres:
            run_worker(postgres.database("bench_template"), work="prepare")
            for _run in range(imports):
                database = postgres.database(f"copy_{next(copies)}", template="bench_template")
                record("postgresql", database, sheets["full"])
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--imports", type=int, default=3, help="fresh databases per backend per run")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--in-tree", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.in_tree:
        print(json.dumps(in_tree(args.imports)))
        return
    rounds = []
    for _round in range(args.rounds):
        rounds.append({
            side: json.loads(subprocess.run(
                [sys.executable, str(Path(__file__).resolve()), "--in-tree", "--imports", str(args.imports),
                 str(tree), str(tree)],
                cwd=tree, check=True, capture_output=True, text=True).stdout.splitlines()[-1])
            for side, tree in (("before", args.before.resolve()), ("after", args.after.resolve()))
        })
    print("| measure | backend | round | before s (best, median) | after s (best, median) | after ÷ before (best) |")
    print("|---|---|---|---|---|---|")
    for backend in ("sqlite", "postgresql"):
        for measure, label in MEASURES.items():
            for number, run in enumerate(rounds, 1):
                before, after = run["before"][backend][measure], run["after"][backend][measure]
                print(f"| `import_products`, {label} | {backend} | {number} "
                      f"| {min(before):.2f}, {statistics.median(before):.2f} "
                      f"| {min(after):.2f}, {statistics.median(after):.2f} | {min(after) / min(before):.2f} |")


if __name__ == "__main__":
    main()
