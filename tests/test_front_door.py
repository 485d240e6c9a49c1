"""The front door: ``from planner import load_workbook, compare`` and the main types."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import planner
from planner import Comparison, RunOptions, compare, load_workbook

DATA = Path(__file__).resolve().parent.parent / "data"


def test_a_workbook_is_compared_through_the_front_door() -> None:
    problem = load_workbook(DATA / "example_small.xlsx")
    comparison = compare(problem, "mrp", run=RunOptions(time_limit=5))
    assert isinstance(comparison, Comparison)
    summary = comparison.kpis()
    assert isinstance(summary, pd.DataFrame)
    assert list(summary.columns) == ["kpi", "mrp"]
    assert "total_cost" in set(summary["kpi"])


@pytest.mark.parametrize("name", planner.__all__)
def test_every_name_of_the_front_door_is_there(name: str) -> None:
    assert getattr(planner, name) is not None
    assert name in dir(planner)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'plan_everything'"):
        _ = planner.plan_everything


def test_importing_the_package_loads_no_planning_code() -> None:
    code = "import sys, planner; print(sorted(m for m in sys.modules if m.startswith('models')))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "[]"


def test_no_front_door_name_is_shadowed_by_a_module_of_the_package() -> None:
    package = Path(planner.__file__).parent
    for name in planner.__all__:
        assert not (package / f"{name}.py").exists(), name
        assert not (package / name / "__init__.py").exists(), name
