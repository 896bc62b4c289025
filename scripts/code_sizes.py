"""Module and function sizes of the application code (tests, benches and migrations aside).

    python scripts/code_sizes.py [--top N]

Prints the largest modules and functions and the median function length, in lines.
"""

import argparse
import ast
import statistics
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP = ("tests/", "bench/", "scripts/", "build/")


def application_modules() -> list[Path]:
    tracked = subprocess.run(["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True)
    return [
        ROOT / name
        for name in tracked.stdout.split()
        if not name.startswith(SKIP) and "/migrations/" not in name
    ]


def functions(tree: ast.AST, module: str) -> list[tuple[int, str]]:
    return [
        (node.end_lineno - node.lineno + 1, f"{module}:{node.lineno} {node.name}")
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=10)
    top = parser.parse_args().top
    modules, funcs = [], []
    for path in application_modules():
        text = path.read_text()
        name = str(path.relative_to(ROOT))
        modules.append((len(text.splitlines()), name))
        funcs += functions(ast.parse(text), name)
    sizes = sorted(size for size, _ in funcs)
    print(f"modules: {len(modules)}, lines: {sum(n for n, _ in modules)}, "
          f"median module: {statistics.median(n for n, _ in modules):g} lines")
    print(f"functions: {len(funcs)}, median: {statistics.median(sizes):g} lines, "
          f"90th percentile: {sizes[int(len(sizes) * 0.9)]} lines, longest: {sizes[-1]} lines")
    print("\nlargest modules:")
    for size, name in sorted(modules, reverse=True)[:top]:
        print(f"  {size:5} {name}")
    print("\nlongest functions:")
    for size, name in sorted(funcs, reverse=True)[:top]:
        print(f"  {size:5} {name}")


if __name__ == "__main__":
    main()
