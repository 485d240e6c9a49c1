"""Work limits: solves that stop on a count give the same plan on every run."""

from __future__ import annotations

import time

import numpy as np
import pytest

from models.batch import BatchOptions, plan_batch
from models.batch.decomposition import fix_and_optimize, item_groups
from models.plan import SolveStatus
from models.requirements import repair_capacity
from models.solvers.backends import CbcBackend, HighsBackend
from models.solvers.milp import SolverOptions
from models.work import WorkLimits
from planner.evaluation import evaluate
from planner.instances import small_plant
from planner.simulation.engine import SimulationOptions
from planner.simulation.reality import SimulationError
from tests.test_solvers import market_split, multi_knapsack


def test_a_node_limit_is_not_a_time_limit() -> None:
    model = multi_knapsack(items=60, dims=8)
    result = HighsBackend().solve(
        model, SolverOptions(time_limit=60.0, mip_gap=0.0, threads=1, node_limit=0)
    )
    assert result.status in (SolveStatus.TIME_LIMIT, SolveStatus.OPTIMAL)
    assert not result.timed_out


@pytest.mark.parametrize("backend", [HighsBackend(), CbcBackend()], ids=["highs", "cbc"])
def test_the_clock_stopping_a_solve_says_so(backend: HighsBackend | CbcBackend) -> None:
    result = backend.solve(market_split(rows=6, columns=60), SolverOptions(time_limit=0.3))
    assert result.status is SolveStatus.TIME_LIMIT
    assert result.timed_out


def test_same_node_limit_same_solution() -> None:
    model = multi_knapsack(items=60, dims=8)
    limits = SolverOptions(time_limit=60.0, mip_gap=0.0, threads=1, node_limit=50)
    first, second = (HighsBackend().solve(model, limits) for _ in range(2))
    assert first.x is not None and second.x is not None
    np.testing.assert_array_equal(first.x, second.x)
    assert not first.timed_out


def test_fix_and_optimize_solves_at_most_its_budget() -> None:
    from models.batch import BatchModel

    problem = small_plant()
    model = BatchModel(problem, BatchOptions(formulation="bigm"))
    start = model.solution_from(repair_capacity(problem).starts)
    limits = SolverOptions(time_limit=60.0, threads=1, node_limit=10)
    found = fix_and_optimize(
        model.milp,
        model.setup_columns,
        item_groups(problem),
        start,
        HighsBackend(),
        limits,
        time.perf_counter() + 120.0,
        n_days=problem.n_days,
        max_solves=3,
        first_budget=20,
    )
    assert found.solves == 3
    assert found.timed_out == 0
    assert found.objective <= float(model.milp.objective @ start) + model.milp.offset + 1e-6


def test_batch_with_work_limits_repeats_and_passes_the_checker() -> None:
    problem = small_plant()
    options = BatchOptions(threads=1, time_limit=120.0, work=WorkLimits(nodes=1, solves=4))
    first, second = (plan_batch(problem, options) for _ in range(2))
    np.testing.assert_array_equal(first.starts, second.starts)
    assert first.status is SolveStatus.FEASIBLE
    assert evaluate(problem, first).violations == ()
    repaired = evaluate(problem, repair_capacity(problem)).kpis["total_cost"]
    assert evaluate(problem, first).kpis["total_cost"] <= repaired + 1e-6


def test_batch_with_work_limits_stopped_by_the_clock_says_so() -> None:
    problem = small_plant()
    work = WorkLimits(nodes=10**6, solves=10**6, free_setups=10**6)
    plan = plan_batch(problem, BatchOptions(threads=1, time_limit=0.6, mip_gap=0.0, work=work))
    assert plan.status is SolveStatus.TIME_LIMIT
    assert any("another run may give another plan" in m.text for m in plan.messages)
    assert evaluate(problem, plan).violations == ()


def test_work_limits_are_checked() -> None:
    with pytest.raises(ValueError, match="nodes"):
        WorkLimits(nodes=-1)
    with pytest.raises(ValueError, match="cp_work"):
        WorkLimits(cp_work=0)
    with pytest.raises(SimulationError, match="replan_solves"):
        SimulationOptions(replan_solves=-2)
    options = SimulationOptions(plan_nodes=2, plan_solves=3, replan_nodes=1, replan_solves=4)
    assert options.plan_work == WorkLimits(nodes=2, solves=3)
    assert options.replan_work == WorkLimits(nodes=1, solves=4)
