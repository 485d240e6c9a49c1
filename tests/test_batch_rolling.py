"""Relax-and-fix: a whole plan of the lot-sizing model, decided window by window."""

from __future__ import annotations

import time

import numpy as np
import pytest

from models.batch import BatchModel, BatchOptions
from models.batch.pricing import price
from models.batch.rolling import relax_and_fix, window_days
from models.requirements.repair import repair_capacity
from models.solvers.backends import HighsBackend
from models.solvers.milp import SolverOptions
from planner.instances.multilevel import MULTILEVEL_SET, multilevel_plant

FEASIBLE = 1e-6


@pytest.mark.parametrize(
    ("items", "days", "width"), [(40, 24, 4), (200, 60, 2), (5, 10, 10), (1, 3, 3)]
)
def test_windows_hold_about_the_budget_of_setups(items: int, days: int, width: int) -> None:
    assert window_days(items, days) == width


def test_relax_and_fix_returns_a_solution_of_the_whole_model() -> None:
    problem = multilevel_plant(MULTILEVEL_SET[1])
    model = BatchModel(problem, BatchOptions())
    limits = SolverOptions(time_limit=60.0, mip_gap=0.0, threads=1, node_limit=50)
    result = relax_and_fix(model, HighsBackend(), limits, time.perf_counter() + 120.0)
    assert result is not None and result.x is not None and result.objective is not None
    milp, x = model.milp, result.x
    assert np.all(x >= milp.lower - FEASIBLE) and np.all(x <= milp.upper + FEASIBLE)
    assert np.allclose(x[milp.integer], np.round(x[milp.integer]), atol=FEASIBLE)
    activity = milp.matrix @ x
    scale = 1.0 + np.abs(activity)
    assert np.all(activity >= milp.row_lower - FEASIBLE * scale)
    assert np.all(activity <= milp.row_upper + FEASIBLE * scale)
    assert result.objective == pytest.approx(float(milp.objective @ x) + milp.offset, rel=1e-6)


def test_relax_and_fix_gives_up_when_the_time_is_gone() -> None:
    problem = multilevel_plant(MULTILEVEL_SET[0])
    model = BatchModel(problem, BatchOptions())
    limits = SolverOptions(time_limit=1.0)
    assert relax_and_fix(model, HighsBackend(), limits, time.perf_counter() - 1.0) is None


def test_on_a_tight_multilevel_plant_relax_and_fix_starts_far_below_the_repaired_mrp_plan() -> None:
    problem = multilevel_plant(MULTILEVEL_SET[5])
    model = BatchModel(problem, BatchOptions(formulation="bigm"))
    solver = HighsBackend()
    limits = SolverOptions(time_limit=60.0, mip_gap=0.0, threads=1, node_limit=20)
    result = relax_and_fix(model, solver, limits, time.perf_counter() + 120.0)
    assert result is not None and result.x is not None
    rolled = price(model, model.starts_from(result.x), solver, limits)
    repaired = price(model, repair_capacity(problem).starts, solver, limits)
    assert rolled is not None and repaired is not None
    assert rolled < 0.5 * repaired
