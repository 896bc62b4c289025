"""The layers of docs/architecture.md, read from the code's imports (every import statement, those
inside functions too): provinces ← products ← targets ← imports ← ocop_dashboard, with accounts and
core beside them. An app's top floor (admin, views, urls, forms, management commands) may import
any app's lower floors and core's admin parts, never another app's top floor; below it, no app
imports a higher one and no two apps import each other."""

import ast
import itertools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FLOORS = ["provinces", "products", "targets", "imports", "ocop_dashboard"]
BESIDE = ["accounts", "core"]
APPS = FLOORS + BESIDE
TOP = {"admin", "views", "urls", "forms", "management"}


def modules() -> dict[str, Path]:
    """{dotted name: path} of every application module, migrations and tests aside."""
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" not in parts:
                found[".".join(parts).removesuffix(".__init__")] = path
    return found


def imported(name: str, path: Path) -> set[str]:
    """The application modules `name` imports (absolute names), wherever in it the import stands."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            names |= {base} | {f"{base}.{alias.name}" for alias in node.names}
    return {n for n in names if n.split(".")[0] in APPS}


def is_top(name: str) -> bool:
    return len(name.split(".")) > 1 and name.split(".")[1] in TOP


EDGES = [(name, target) for name, path in modules().items() for target in imported(name, path)
         if target.split(".")[0] != name.split(".")[0]]


def test_the_graph_is_read():
    assert ("imports.services", "accounts.scope") in EDGES


def test_below_the_top_floor_no_app_imports_a_higher_one():
    upward = [(a, b) for a, b in EDGES if not is_top(a) and a.split(".")[0] in FLOORS and b.split(".")[0] in FLOORS
              and FLOORS.index(b.split(".")[0]) > FLOORS.index(a.split(".")[0])]
    assert upward == []


def test_below_the_top_floor_no_two_apps_import_each_other():
    apps = {(a.split(".")[0], b.split(".")[0]) for a, b in EDGES if not is_top(a)}
    reach = {app: {b for a, b in apps if a == app} for app in APPS}
    for _ in APPS:  # the transitive closure
        for app in APPS:
            reach[app] |= set(itertools.chain.from_iterable(reach[b] for b in reach[app]))
    assert [app for app in APPS if app in reach[app]] == []


@pytest.mark.parametrize("app", APPS)
def test_no_top_floor_module_imports_another_apps_top_floor(app):
    # core's admin parts are there for every app's admin.
    crossing = [(a, b) for a, b in EDGES if a.startswith(f"{app}.") and is_top(a) and is_top(b)
                and not b.startswith("core.")]
    assert crossing == []
