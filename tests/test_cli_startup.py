"""The ``planner`` command starts light: each command loads only the library it needs.

Each case runs the command line in a fresh interpreter and lists the modules
it imported: ``--version`` and ``--help`` load no numerical, database, web or
solver stack, ``validate`` only what reading a workbook needs. What is
measured is which modules were imported, not seconds (machines are noisy).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "example_small.xlsx"

NUMERICAL = ["pandas", "numpy", "scipy", "openpyxl", "xlsxwriter", "matplotlib", "pyarrow"]
STORE = ["sqlalchemy", "alembic"]
WEB = ["fastapi", "starlette", "uvicorn"]
SOLVERS = ["highspy", "ortools", "pulp"]
PARALLEL = ["dask", "distributed"]

# Runs the command line as the ``planner`` script does, then prints its exit
# code and every imported module as the last line of standard output.
SCRIPT = """
import json, sys
sys.argv = ["planner", *json.loads(sys.argv[1])]
from planner.cli import main
try:
    main()
except SystemExit as stop:
    code = stop.code
print()
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def run_cli(*arguments: str) -> tuple[int, str, set[str]]:
    """The exit code, the printed text and the top-level packages imported by ``planner``."""
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(arguments)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    printed, _, last = done.stdout.rstrip("\n").rpartition("\n")
    result = json.loads(last)
    return result["code"], printed, {name.partition(".")[0] for name in result["modules"]}


@pytest.mark.parametrize(
    "arguments",
    [
        ["--version"],
        ["--help"],
        ["compare", "--help"],
        ["simulate", "--help"],
        ["run", "--help"],
        ["serve", "--help"],
    ],
    ids=" ".join,
)
def test_version_and_help_load_no_heavy_library(arguments: list[str]) -> None:
    code, printed, imported = run_cli(*arguments)
    assert code == 0, printed
    assert "planner" in printed
    assert imported.isdisjoint(NUMERICAL + STORE + WEB + SOLVERS + PARALLEL), sorted(
        imported.intersection(NUMERICAL + STORE + WEB + SOLVERS + PARALLEL)
    )
    assert "models" not in imported


def test_validate_loads_only_the_workbook_reader() -> None:
    code, printed, imported = run_cli("validate", str(EXAMPLE))
    assert code == 0, printed
    assert f"{EXAMPLE.name} is valid" in printed
    forbidden = ["xlsxwriter", "matplotlib", *STORE, *WEB, *SOLVERS, *PARALLEL]
    assert imported.isdisjoint(forbidden), sorted(imported.intersection(forbidden))
