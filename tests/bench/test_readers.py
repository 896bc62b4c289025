"""The benches' measuring part runs in a process of its own (bench/readers.py's run_database, which
bench/load.py uses too)."""

import pytest

from bench.readers import run_database

# A measuring part that measures nothing: it says what it was given.
ECHO = """import json, os, sys
spec = json.loads(sys.argv[sys.argv.index("--run") + 1])
print("prepared")
print(json.dumps({**spec, "cache": os.environ["CACHE_LOCATION"], "debug": os.environ["DEBUG"]}))
"""

def test_the_measuring_part_gets_its_spec_database_logs_and_the_benchs_settings(tmp_path):
    script = tmp_path / "echo.py"
    script.write_text(ECHO)
    measured = run_database(str(script), "sqlite:///bench.sqlite3", {"seconds": 3}, tmp_path / "logs",
                            CACHE_LOCATION="/tmp/cache")
    assert measured == {"seconds": 3, "database": "sqlite:///bench.sqlite3", "logs": str(tmp_path / "logs"),
                        "cache": "/tmp/cache", "debug": "false"}
    assert (tmp_path / "logs").is_dir()


def test_a_measuring_part_that_fails_ends_the_bench_with_its_words(tmp_path):
    script = tmp_path / "fails.py"
    script.write_text("raise SystemExit('the sheet previews with 3 rows with errors')")
    with pytest.raises(SystemExit, match="3 rows with errors"):
        run_database(str(script), "sqlite:///bench.sqlite3", {}, tmp_path / "logs")
