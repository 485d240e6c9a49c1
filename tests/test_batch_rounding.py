"""Rounding a plan's starts to whole units by rules: whole, no component short, within overtime."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings

from models.batch import BatchModel, BatchOptions, plan_batch
from models.batch.pricing import price
from models.batch.rounding import first_extra_days, rounded_up, whole_use_steps
from models.calendar import Calendar
from models.problem import BomLine, Item, Problem, WorkCenter
from models.solvers.backends import HighsBackend
from models.solvers.milp import SolverOptions
from models.work import WorkLimits
from tests.test_mrp import small_plants, working_days

NOISE = 1e-6


def halves() -> Problem:
    """An end item whose component goes in halves, made only from its on-hand stock at first."""
    days = working_days(8)
    items = [
        Item("FG", setup_cost=10, holding_cost=1, backlog_cost=20, lead_time=1),
        Item("C", setup_cost=10, holding_cost=0.5, lead_time=3, on_hand=5),
    ]
    return Problem.from_records(
        items,
        [("FG", days[2], 7), ("FG", days[6], 9)],
        bom=[BomLine("FG", "C", 0.5)],
        calendar=Calendar(days[0], days[-1]),
    )


def test_use_steps_make_every_component_use_whole() -> None:
    problem = halves()
    assert whole_use_steps(problem).tolist() == [2.0, 1.0]


def test_first_extra_days_add_lead_times_down_the_bom() -> None:
    assert first_extra_days(halves()).tolist() == [3, 0]


def halves_starts(first: float, second: float) -> np.ndarray:
    """Starts of :func:`halves`: the end item's two lots, the component's one."""
    starts = np.zeros((2, 8))
    starts[0, 1], starts[0, 5] = first, second
    starts[1, 2] = 3.0
    return starts


def test_halves_round_down_before_the_component_could_supply_more() -> None:
    problem = halves()
    rounded = rounded_up(problem, halves_starts(7.5, 8.5))
    assert rounded is not None
    assert np.all(rounded == np.round(rounded))
    assert rounded[0, 1] == 6.0
    assert rounded[0].sum() >= 16.0
    assert problem.net_positions(rounded)[1].min() >= 0.0


def test_whole_starts_stay_as_they_are() -> None:
    starts = halves_starts(7.0, 9.0)
    rounded = rounded_up(halves(), starts)
    assert rounded is not None
    assert np.array_equal(rounded, starts)


def fractional_plan(problem: Problem) -> np.ndarray:
    """The batch plan's starts with fractions allowed, deterministic."""
    options = BatchOptions(
        whole_units=False, work=WorkLimits(nodes=1, solves=2), formulation="bigm", threads=1
    )
    return plan_batch(problem, options).starts


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=small_plants())
def test_rounded_plans_are_whole_and_short_of_no_component(problem: Problem) -> None:
    starts = fractional_plan(problem)
    before = problem.net_positions(starts)
    assume(np.all(before >= -np.cumsum(problem.demand, axis=1) - NOISE))
    rounded = rounded_up(problem, starts)
    assume(rounded is not None)
    assert rounded is not None
    stepped = problem.whole_units | (problem.lot_multiple > 0)
    step = np.where(problem.lot_multiple > 0, problem.lot_multiple, 1.0)[:, None]
    ratio = rounded / step
    assert np.all(~stepped[:, None] | (np.abs(ratio - np.round(ratio)) <= NOISE))
    assert np.all(rounded >= -NOISE)
    after = problem.net_positions(rounded)
    assert np.all(after >= -np.cumsum(problem.demand, axis=1) - NOISE)
    no_demand = problem.demand.sum(axis=1) == 0
    assert np.all(after[no_demand] >= np.minimum(before[no_demand], 0.0) - NOISE)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_rounded_plan_is_one_the_model_can_price(seed: int) -> None:
    problem = multilevel_whole_plant(seed)
    starts = fractional_plan(problem)
    rounded = rounded_up(problem, starts)
    assert rounded is not None
    model = BatchModel(problem, BatchOptions(formulation="bigm"), whole_units=True)
    limits = SolverOptions(time_limit=60.0, threads=1)
    assert price(model, rounded, HighsBackend(), limits) is not None


def multilevel_whole_plant(seed: int) -> Problem:
    """Three levels, halves and doubles per parent, tight capacity, whole units."""
    rng = np.random.default_rng(seed)
    days = working_days(15)
    codes = ["A", "B", "C1", "C2", "D"]
    items = [
        Item(
            code,
            setup_cost=float(rng.integers(20, 200)),
            holding_cost=0.5,
            backlog_cost=10.0,
            lead_time=int(rng.integers(0, 3)),
            on_hand=float(rng.integers(0, 20)),
            work_center="W",
            run_time=1.0,
            setup_time=5.0,
        )
        for code in codes
    ]
    bom = [
        BomLine("A", "C1", 0.5),
        BomLine("A", "C2", 1.0),
        BomLine("B", "C2", 2.0),
        BomLine("C1", "D", 0.5),
        BomLine("C2", "D", 1.0),
    ]
    demand = [
        (code, day, float(rng.integers(5, 25)))
        for code in ("A", "B")
        for day in days[3:]
        if rng.random() < 0.6
    ]
    return Problem.from_records(
        items,
        demand,
        bom=bom,
        work_centers=[WorkCenter("W", 160.0, 60.0, 2.0)],
        calendar=Calendar(days[0], days[-1]),
    )


def test_a_crowded_component_caps_its_parent() -> None:
    days = working_days(8)
    items = [
        Item("FG", setup_cost=10, holding_cost=1, backlog_cost=20, lead_time=0),
        Item("C", setup_cost=10, holding_cost=0.5, lead_time=1, work_center="W", run_time=1),
    ]
    problem = Problem.from_records(
        items,
        [("FG", day, 4.5) for day in days[1:]],
        bom=[BomLine("FG", "C", 2)],
        work_centers=[WorkCenter("W", 9.5, 0.0, 0.0)],
        calendar=Calendar(days[0], days[-1]),
    )
    starts = np.zeros((2, 8))
    starts[0, 1:] = 4.5
    starts[1, :7] = 9.0
    rounded = rounded_up(problem, starts)
    assert rounded is not None
    assert np.all(rounded == np.round(rounded))
    assert rounded[1].max() <= 9.5
    assert problem.net_positions(rounded)[1].min() >= 0.0
    assert rounded[0].sum() >= 30.0
