"""Capacity-repaired MRP: feasible plans, known answers on one work center, edge cases."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models import BomLine, Calendar, Item, LotRule, PlanningError, Problem, WorkCenter
from models.mrp import plan_mrp
from models.plan import MessageLevel, Plan, SolveStatus
from models.requirements import repair_capacity
from models.requirements.repair import STRATEGY
from planner.evaluation import Evaluation, ViolationKind, evaluate
from planner.instances import realistic_plant, small_plant

MONDAY = date(2026, 3, 2)


def working_days(n: int) -> list[date]:
    days: list[date] = []
    day = MONDAY
    while len(days) < n:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def one_center(
    demand: Mapping[str, Sequence[float]],
    items: list[Item],
    *,
    capacity: float = 480,
    overtime: float = 0,
    bom: tuple[BomLine, ...] = (),
) -> Problem:
    """Items on one work center ``WC1`` (480 min a day unless told), demand per item and day."""
    n_days = len(next(iter(demand.values())))
    days = working_days(n_days)
    rows = [
        (code, day, qty)
        for code, quantities in demand.items()
        for day, qty in zip(days, quantities, strict=True)
        if qty
    ]
    return Problem.from_records(
        items,
        rows,
        calendar=Calendar(days[0], days[-1]),
        work_centers=[WorkCenter("WC1", capacity=capacity, overtime_capacity=overtime)],
        bom=bom,
    )


def repaired(problem: Problem) -> tuple[Plan, Evaluation]:
    plan = repair_capacity(problem)
    return plan, evaluate(problem, plan)


def starts(problem: Problem, plan: Plan, code: str = "A") -> list[float]:
    return [float(x) for x in plan.starts[problem.item_index[code]]]


def texts(plan: Plan, level: MessageLevel) -> list[str]:
    return [m.text for m in plan.messages if m.level is level]


# The example plants -------------------------------------------------------------


def test_small_plant_repaired_has_no_violation_where_mrp_overloads() -> None:
    problem = small_plant()
    assert evaluate(problem, plan_mrp(problem)).kpis["overload_minutes"] > 0
    plan, evaluation = repaired(problem)
    assert evaluation.violations == ()
    assert plan.strategy == STRATEGY == "mrp_repaired"
    assert plan.status is SolveStatus.HEURISTIC
    assert plan.seconds > 0


def test_realistic_plant_repaired_keeps_capacity_at_a_finite_cost() -> None:
    problem = realistic_plant()
    plan, evaluation = repaired(problem)
    kinds = {v.kind for v in evaluation.violations}
    assert kinds <= {ViolationKind.SEQUENCE_RULE}, "only its days' mix may break the rules"
    assert evaluation.kpis["overload_minutes"] == 0
    assert math.isfinite(evaluation.kpis["total_cost"])
    assert 0 < evaluation.kpis["fill_rate"] <= 1
    assert any(m.level is MessageLevel.INFO and m.work_center is not None for m in plan.messages)


@pytest.mark.parametrize("make", [small_plant, realistic_plant])
def test_equals_mrp_when_capacity_is_ample(make: Callable[[], Problem]) -> None:
    problem = make()
    roomy = problem.replace(capacity=problem.capacity * 100)
    np.testing.assert_allclose(
        repair_capacity(roomy).starts, plan_mrp(roomy).starts, rtol=0, atol=1e-9
    )
    assert not texts(repair_capacity(roomy), MessageLevel.INFO)


def test_repairs_a_given_plan() -> None:
    problem = small_plant()
    first = repair_capacity(problem)
    again = repair_capacity(problem, first)
    assert evaluate(problem, again).violations == ()
    with pytest.raises(PlanningError, match="shape"):
        repair_capacity(problem, Plan("mrp", np.zeros((2, 2)), SolveStatus.HEURISTIC))


# Known answers on one work center --------------------------------------------------


def test_peak_above_capacity_is_pulled_to_the_day_before() -> None:
    # 10 min a unit, 480 min a day: day 5 needs 600 min, 48 units fit; the
    # other 12 go to day 4, which has 180 min to spare.
    problem = one_center(
        {"A": [30, 30, 30, 30, 30, 60]}, [Item("A", work_center="WC1", run_time=10)]
    )
    plan, evaluation = repaired(problem)
    assert starts(problem, plan) == [30, 30, 30, 30, 42, 48]
    assert evaluation.violations == ()
    assert evaluation.kpis["backlog_unit_days"] == 0
    assert evaluation.kpis["fill_rate"] == 1
    (info,) = texts(plan, MessageLevel.INFO)
    assert info.startswith("WC1: 12 units of 1 item start earlier")


def test_pulling_earlier_onto_a_day_with_a_start_adds_no_setup() -> None:
    # 30 min setup: day 5 makes 45 (30 + 450 min); day 4 already sets up for
    # its own 30 units (330 min) and takes 15 more in its last 150 min.
    item = Item("A", work_center="WC1", run_time=10, setup_time=30)
    problem = one_center({"A": [30, 30, 30, 30, 30, 60]}, [item])
    plan, evaluation = repaired(problem)
    assert starts(problem, plan) == [30, 30, 30, 30, 45, 45]
    assert evaluation.violations == ()
    assert evaluation.kpis["setups"] == 6


def test_peak_on_the_first_day_goes_later_and_is_reported() -> None:
    problem = one_center({"A": [60, 30, 30]}, [Item("A", work_center="WC1", run_time=10)])
    plan, evaluation = repaired(problem)
    assert starts(problem, plan) == [48, 42, 30]
    assert evaluation.violations == ()
    assert evaluation.backlog[0].tolist() == [12, 0, 0]
    (warning,) = texts(plan, MessageLevel.WARNING)
    assert "A start later than needed: 12 units from 2026-03-02" in warning
    assert "no room on WC1" in warning


def test_closed_day_takes_no_start() -> None:
    problem = one_center({"A": [30, 30, 30, 30]}, [Item("A", work_center="WC1", run_time=10)])
    capacity = problem.capacity.copy()
    capacity[0, 2] = 0.0
    problem = problem.replace(capacity=capacity)
    plan, evaluation = repaired(problem)
    # Day 2's 30 units go back to day 1 (18 fit) and day 0 (12).
    assert starts(problem, plan) == [42, 48, 0, 30]
    assert evaluation.violations == ()
    assert evaluation.kpis["fill_rate"] == 1


def test_setup_longer_than_capacity_is_an_error_and_demand_stays_open() -> None:
    item = Item("A", work_center="WC1", run_time=1, setup_time=600)
    problem = one_center({"A": [10, 10]}, [item], overtime=60)
    plan, evaluation = repaired(problem)
    assert starts(problem, plan) == [0, 0]
    assert evaluation.violations == ()
    assert evaluation.backlog[0, -1] == 20
    (error,) = texts(plan, MessageLevel.ERROR)
    assert "A can never start on WC1" in error
    assert "540 min" in error
    assert not texts(plan, MessageLevel.WARNING)


def test_items_without_run_time_need_only_their_setup() -> None:
    # Two setups of 300 min do not fit into one 480-min day: B goes a day earlier.
    items = [
        Item("A", work_center="WC1", setup_time=300),
        Item("B", work_center="WC1", setup_time=300),
    ]
    problem = one_center({"A": [0, 5], "B": [0, 5]}, items)
    plan, evaluation = repaired(problem)
    assert starts(problem, plan, "A") == [0, 5]
    assert starts(problem, plan, "B") == [5, 0]
    assert evaluation.violations == ()


def test_component_without_lead_time_is_made_the_same_day() -> None:
    items = [
        Item("FG", work_center="WC1", run_time=10),
        Item("SA", work_center="WC1", run_time=10),
        Item("P", lead_time=2, on_hand=100),
    ]
    bom = (BomLine("FG", "SA", 1), BomLine("SA", "P", 1))
    demand = {"FG": [0, 20, 0], "SA": [0, 0, 0], "P": [0, 0, 0]}
    roomy = one_center(demand, items, bom=bom)
    plan, evaluation = repaired(roomy)
    assert starts(roomy, plan, "FG") == starts(roomy, plan, "SA") == [0, 20, 0]
    assert evaluation.violations == ()
    # With 300 min a day, FG takes 200 min of day 1; SA makes 10 there, 10 the day before.
    tight = one_center(demand, items, bom=bom, capacity=300)
    plan, evaluation = repaired(tight)
    assert starts(tight, plan, "FG") == [0, 20, 0]
    assert starts(tight, plan, "SA") == [10, 10, 0]
    assert starts(tight, plan, "P") == [0, 0, 0]
    assert evaluation.violations == ()


def test_late_component_holds_its_parent_back_within_capacity() -> None:
    # The component's lead time is 2 days and nothing is in stock: FG can only
    # start on day 2, where 480 min make 48 units; the rest waits for day 3.
    items = [Item("FG", work_center="WC1", run_time=10), Item("P", lead_time=2)]
    demand = {"FG": [30, 30, 0, 0], "P": [0, 0, 0, 0]}
    problem = one_center(demand, items, bom=(BomLine("FG", "P", 1),))
    plan, evaluation = repaired(problem)
    assert starts(problem, plan, "FG") == [0, 0, 48, 12]
    assert evaluation.violations == ()
    warning = next(t for t in texts(plan, MessageLevel.WARNING) if t.startswith("orders of FG"))
    assert "waiting for component P" in warning


# Random plants with tight capacity -------------------------------------------------


@st.composite
def plants(draw: st.DrawFn) -> Problem:
    n_days = draw(st.integers(2, 10))
    n_items = draw(st.integers(1, 6))
    n_centers = draw(st.integers(1, 2))
    items = []
    for k in range(n_items):
        rule = draw(st.sampled_from(list(LotRule)))
        make = draw(st.booleans())
        items.append(
            Item(
                f"I{k}",
                work_center=f"W{draw(st.integers(0, n_centers - 1))}" if make else None,
                run_time=draw(st.sampled_from([0.0, 1.0, 4.0, 15.0])),
                setup_time=draw(st.sampled_from([0.0, 20.0, 90.0, 300.0, 700.0])) if make else 0,
                setup_cost=draw(st.sampled_from([0.0, 50.0])),
                unit_cost=draw(st.sampled_from([1.0, 20.0])),
                lead_time=draw(st.integers(0, min(2, n_days - 1))),
                on_hand=draw(st.sampled_from([0.0, 5.0, 30.0])),
                safety_stock=draw(st.sampled_from([0.0, 0.0, 4.0])),
                lot_rule=rule,
                lot_size={LotRule.FOQ: 25.0, LotRule.POQ: 2.0}.get(rule),
                min_lot=draw(st.sampled_from([0.0, 10.0])),
                lot_multiple=draw(st.sampled_from([0.0, 0.0, 5.0])),
            )
        )
    bom = [
        BomLine(f"I{p}", f"I{c}", draw(st.sampled_from([0.5, 1.0, 2.0])))
        for p in range(n_items)
        for c in range(p + 1, n_items)
        if draw(st.booleans())
    ]
    cells = st.sampled_from([0.0, 0.0, 3.0, 10.0, 40.0])
    demand = np.array(draw(st.lists(cells, min_size=n_items * n_days, max_size=n_items * n_days)))
    minutes = st.sampled_from([0.0, 60.0, 240.0, 480.0])
    capacity = draw(st.lists(minutes, min_size=n_centers * n_days, max_size=n_centers * n_days))
    overtime = draw(
        st.lists(st.sampled_from([0.0, 30.0, 120.0]), min_size=n_centers, max_size=n_centers)
    )
    return Problem(
        items=tuple(items),
        days=tuple(working_days(n_days)),
        demand=demand.reshape(n_items, n_days),
        work_centers=tuple(WorkCenter(f"W{w}", capacity=480.0) for w in range(n_centers)),
        bom=tuple(bom),
        capacity=np.array(capacity).reshape(n_centers, n_days),
        overtime_capacity=np.repeat(np.array(overtime)[:, None], n_days, axis=1),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plants())
def test_random_tight_plants_have_no_violation(problem: Problem) -> None:
    plan = repair_capacity(problem)
    evaluation = evaluate(problem, plan)
    assert evaluation.violations == ()
    assert np.all(plan.starts >= 0)
    made = problem.item_work_center >= 0
    closed = (problem.capacity + problem.overtime_capacity)[problem.item_work_center[made]] == 0
    assert not np.any(plan.starts[made][closed] > 0)


def test_a_lot_split_for_capacity_keeps_the_lot_multiple() -> None:
    # 150 due on day 4 in lots of 30, 100 minutes a day at 1 minute a unit:
    # the lot is split into multiples of 30 over the days before.
    item = Item("A", work_center="WC1", run_time=1, lot_multiple=30, holding_cost=1, lead_time=1)
    problem = one_center({"A": [0, 0, 0, 0, 150]}, [item], capacity=100)

    plan = repair_capacity(problem)

    started = plan.starts[0]
    assert started.sum() == 150
    assert np.all(started % 30 == 0), started.tolist()
    assert evaluate(problem, plan).violations == ()


def test_a_whole_unit_item_no_day_can_make_one_of_is_late_not_split() -> None:
    # found by hypothesis: 30 minutes a day, a setup of 20 and 15 minutes a
    # unit leave room for two thirds of a unit a day; the repair used to
    # spread fractions of units over the days before
    item = Item("A", work_center="WC1", run_time=15, setup_time=20, whole_units=True)
    problem = one_center({"A": [0, 0, 0, 0, 3]}, [item], capacity=0, overtime=30)

    plan = repair_capacity(problem)

    assert not plan.starts.any(), plan.starts.tolist()
    evaluation = evaluate(problem, plan)
    assert evaluation.violations == ()
    assert evaluation.kpis["late_units"] == 3
