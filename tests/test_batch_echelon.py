"""The echelon formulation: valid for every plan, and it prices the components' setups."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings

from models.batch import BatchModel, BatchOptions, plan_batch
from models.batch.echelon import EchelonPaths, Stream, echelon_requirement
from models.calendar import Calendar
from models.problem import BomLine, Item, Problem, WorkCenter
from models.solvers.backends import HighsBackend
from models.solvers.milp import SolverOptions, SolveStatus
from models.strategy import RunOptions
from planner.evaluation import evaluate
from tests.test_batch import capacitated, independent_optimum
from tests.test_mrp import small_plants, working_days


def two_levels() -> Problem:
    """A daily-demand assembly with a component whose setups the textbook model hides."""
    days = working_days(20)
    items = [
        Item("FG", setup_cost=1, holding_cost=1, backlog_cost=50, lead_time=1),
        Item("C", setup_cost=100, holding_cost=5, lead_time=2, work_center="W", run_time=1),
    ]
    return Problem.from_records(
        items,
        [("FG", d, 10) for d in days[3:]],
        bom=[BomLine("FG", "C", 1)],
        work_centers=[WorkCenter("W", 10_000, 0, 1.0)],
        calendar=Calendar(days[0], days[-1]),
    )


def relaxation(problem: Problem, formulation: str) -> float:
    model = BatchModel(problem, BatchOptions(formulation=formulation))
    milp = model.milp
    lp = dataclasses.replace(milp, integer=np.zeros_like(milp.integer))
    result = HighsBackend().solve(lp, SolverOptions(time_limit=30, threads=1))
    assert result.objective is not None
    return result.objective


def test_requirement_is_the_parents_demand_offset_by_their_lead_time() -> None:
    problem = two_levels()
    required = echelon_requirement(problem, EchelonPaths.of(problem))
    demand = problem.demand[0]
    np.testing.assert_allclose(required[0], np.cumsum(demand))
    np.testing.assert_allclose(required[1, :-1], np.cumsum(demand)[1:])
    assert required[1, -1] == required[1, -2]


def test_requirement_counts_stock_above_the_item_and_on_every_path() -> None:
    days = working_days(6)
    items = [
        Item("FG", on_hand=4, lead_time=1),
        Item("SA", on_hand=3, lead_time=2),
        Item("P", on_hand=5),
    ]
    problem = Problem.from_records(
        items,
        [("FG", days[5], 10)],
        bom=[BomLine("FG", "SA", 1), BomLine("SA", "P", 2), BomLine("FG", "P", 1)],
        calendar=Calendar(days[0], days[-1]),
    )
    paths = EchelonPaths.of(problem)
    keys = zip(paths.ancestor[2].tolist(), paths.offset[2].tolist(), strict=True)
    merged = dict(zip(keys, paths.multiplier[2].tolist(), strict=True))
    assert merged == {(2, 0): 1.0, (1, 2): 2.0, (0, 3): 2.0, (0, 1): 1.0}
    required = echelon_requirement(problem, paths)
    # By day 4, P must have received: FG's 6 missing units started on day 4 use 6 P, and 3 of
    # their 6 SA (3 on hand) started on day 2 use 2 P each, less P's own 5.
    assert required[2, 4] == pytest.approx(6 + 2 * 3 - 5)
    # By day 2, the FG on hand still counts on the direct path (read on day 3): a bound,
    # weaker than the MRP answer (1), never above it.
    assert required[2, 2] == pytest.approx(-(5 + 2 * 3 + 2 * (4 - 10) + 4))
    stream = Stream.of(required[2])
    np.testing.assert_allclose(np.cumsum(stream.demand - stream.supply), required[2])


def test_echelon_relaxation_prices_the_component_setups() -> None:
    problem = two_levels()
    optimum = independent_optimum(problem)
    assert relaxation(problem, "allocation") < 0.2 * optimum
    assert relaxation(problem, "echelon") == pytest.approx(optimum, rel=1e-6)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(problem=small_plants())
def test_echelon_model_keeps_every_plan_and_its_cost(problem: Problem) -> None:
    problem = capacitated(problem)
    exact = {}
    for formulation in ("bigm", "echelon"):
        model = BatchModel(problem, BatchOptions(formulation=formulation))
        result = HighsBackend().solve(
            model.milp, SolverOptions(time_limit=30, mip_gap=0.0, threads=1)
        )
        assume(result.status is SolveStatus.OPTIMAL and result.objective is not None)
        exact[formulation] = result.objective
    assert exact["echelon"] == pytest.approx(exact["bigm"], rel=1e-6, abs=1e-6)
    assert relaxation(problem, "echelon") <= exact["bigm"] + 1e-6 * max(1.0, exact["bigm"])


@pytest.mark.parametrize("echelon_limit", [0, 25_000])
def test_batch_plan_reports_its_best_bound_and_where_it_comes_from(echelon_limit: int) -> None:
    problem = two_levels()
    options = BatchOptions.resolve(problem.settings, RunOptions(time_limit=30))
    plan = plan_batch(problem, dataclasses.replace(options, echelon_limit=echelon_limit))
    cost = evaluate(problem, plan).kpis["total_cost"]
    assert plan.bound is not None
    assert plan.bound <= cost + 1e-6 * cost
    texts = [message.text for message in plan.messages]
    if echelon_limit:
        assert plan.bound == pytest.approx(independent_optimum(problem), rel=1e-6)
        assert any("(the echelon relaxation): gap" in text for text in texts)
    else:
        assert plan.bound < 0.2 * cost
        assert not any("echelon" in text for text in texts)
