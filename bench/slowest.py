"""The slowest answers a web request gives, at full national scale, on SQLite and PostgreSQL: what
gunicorn's timeout (gunicorn.conf.py) and the proxy's (deploy/nginx.conf) must let finish.
`python bench/slowest.py` (about 3 minutes; `--quick`: SQLite at scale 0.1).

The national register of bench/generate.py (as bench/pages.py prepares it), read by an administrator
with no province (the whole country): the overview, the largest province's page and downloads, and
the admin's "download everything" of ratings, products and producers, each the better of two
requests in a process of its own, DEBUG off. Writes bench/out/slowest.md.
"""

import argparse
import contextlib
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pages import OUT, Postgres, _setup, run_worker  # noqa: E402

PAGES = Path(__file__).resolve().parent / "pages.py"
TRIES = 2


def answers(slug: str) -> dict[str, tuple[str, str, dict]]:
    """{name: (method, url, data)} of every answer timed."""
    exports = {}
    for model in ("rating", "product", "producer"):
        for fmt in ("xlsx", "csv"):
            data = {"action": f"export_{fmt}", "select_across": "1", "index": "0", "_selected_action": ["1"]}
            exports[f"admin: every {model} as .{fmt}"] = ("post", f"/admin/products/{model}/", data)
    return {
        "overview /": ("get", "/", {}),
        "overview table .xlsx": ("get", "/bang/tinh.xlsx", {}),
        "largest province's page": ("get", f"/tinh/{slug}/", {}),
        "its product list .xlsx (ever recognised)": ("get", f"/tinh/{slug}/san-pham.xlsx?status=ever", {}),
        **exports,
    }


def worker() -> None:
    """Time every answer on the prepared database; print one JSON line."""
    _setup()
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.test import Client

    from products.models import Product

    user = get_user_model().objects.create_superuser("bench-slowest", password="bench-only-not-secret")
    client = Client()
    client.force_login(user)
    largest = Product.objects.values("province__slug").annotate(n=Count("pk")).order_by("-n").first()
    results = []
    for name, (method, url, data) in answers(largest["province__slug"]).items():
        times = []
        for _try in range(TRIES):
            started = time.perf_counter()
            response = getattr(client, method)(url, data, secure=True)
            size = len(b"".join(response.streaming_content) if response.streaming else response.content)
            times.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"{method} {url}: HTTP {response.status_code}")
        results.append({"answer": name, "kb": size / 1024, "s": min(times)})
    print(json.dumps({"answers": results}))


def table(runs: dict[str, dict]) -> str:
    lines = ["| answer | " + " | ".join(f"{backend} s" for backend in runs) + " | size KB |",
             "|---|" + "---|" * len(runs) + "---|"]
    first = next(iter(runs.values()))["answers"]
    for i, row in enumerate(first):
        times = " | ".join(f"{run['answers'][i]['s']:.2f}" for run in runs.values())
        lines.append(f"| {row['answer']} | {times} | {row['kb']:,.0f} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="SQLite only, scale 0.1")
    args = parser.parse_args()
    if args.worker:
        return worker()
    scale = 0.1 if args.quick else 1.0
    with tempfile.TemporaryDirectory() as tmp, (contextlib.nullcontext() if args.quick else Postgres()) as postgres:
        databases = {"sqlite": f"sqlite:///{tmp}/slowest.sqlite3"}
        if postgres:
            databases["postgresql"] = postgres.database("slowest")
        runs = {}
        for backend, url in databases.items():
            run_worker(url, "--prepare", str(scale), script=str(PAGES))
            runs[backend] = run_worker(url, "--worker", script=__file__)
    report = table(runs)
    OUT.mkdir(exist_ok=True)
    (OUT / "slowest.md").write_text(report + "\n")
    print(report)


if __name__ == "__main__":
    main()
