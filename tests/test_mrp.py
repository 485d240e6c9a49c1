"""Classic MRP: lot rules, multi-level explosion, lead times, expedites, executability."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models import BomLine, Calendar, Item, Problem, WorkCenter
from models.mrp import MrpOptions, plan_mrp
from models.plan import MessageLevel, SolveStatus
from models.requirements import wagner_whitin
from planner.evaluation import ViolationKind, evaluate
from planner.instances import realistic_plant, small_plant

MONDAY = date(2026, 3, 2)
BENCHMARKS = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "wagner-whitin-1958"


def working_days(n: int) -> list[date]:
    days, day = [], MONDAY
    while len(days) < n:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def one_item(demand: list[float], **fields: object) -> Problem:
    days = working_days(len(demand))
    item = Item("A", **fields)  # type: ignore[arg-type]
    return Problem.from_records(
        [item],
        [("A", d, q) for d, q in zip(days, demand, strict=True) if q],
        calendar=Calendar(days[0], days[-1]),
    )


def starts_of(problem: Problem, code: str = "A") -> list[float]:
    return plan_mrp(problem).starts[problem.item_index[code]].tolist()


# Lot rules on hand-computed cases -------------------------------------------------

DEMAND = [10.0, 0, 25, 5, 0, 40, 10, 0]


def test_lot_for_lot() -> None:
    assert starts_of(one_item(DEMAND)) == DEMAND


def test_lot_for_lot_with_on_hand_receipts_and_safety_stock() -> None:
    problem = one_item(DEMAND, on_hand=12, safety_stock=5)
    problem = problem.replace(receipts=np.array([[0, 0, 0, 30, 0, 0, 0, 0]], dtype=float))
    # pab: 12-10=2 <5 -> order 3 on day 0; day 2: 5-25=-20 -> 25; day 3: 5+30-5=30;
    # day 5: 30-40=-10 -> 15; day 6: 5-10 -> 10
    assert starts_of(problem) == [3, 0, 25, 0, 0, 15, 10, 0]


def test_fixed_order_quantity() -> None:
    problem = one_item(DEMAND, lot_rule="FOQ", lot_size=30)
    # day 0: 30 (20 left); day 2: 20-25 -> 30 (25); day 3: 20; day 5: 20-40 -> 30 (10);
    # day 6: 10-10 = 0, no order
    assert starts_of(problem) == [30, 0, 30, 0, 0, 30, 0, 0]


def test_fixed_order_quantity_orders_several_lots_for_a_large_need() -> None:
    problem = one_item([70.0, 0, 0], lot_rule="FOQ", lot_size=30)
    assert starts_of(problem) == [90, 0, 0]


def test_periodic_order_quantity() -> None:
    problem = one_item(DEMAND, lot_rule="POQ", lot_size=3)
    # day 0 covers days 0-2: 35; day 3 covers 3-5: 45; day 6 covers 6-7: 10
    assert starts_of(problem) == [35, 0, 0, 45, 0, 0, 10, 0]


def test_economic_order_quantity() -> None:
    demand = [20.0] * 8
    problem = one_item(demand, lot_rule="EOQ", setup_cost=40, holding_cost=1)
    # EOQ = sqrt(2 * 20 * 40 / 1) = 40: every other day
    assert starts_of(problem) == [40, 0, 40, 0, 40, 0, 40, 0]


def test_min_lot_and_lot_multiple_apply_after_the_rule() -> None:
    problem = one_item(DEMAND, min_lot=12, lot_multiple=5)
    # LFL 10 -> min 12 -> multiple 15 (5 left); day 2: 5-25 -> 20 (0);
    # day 3: 5 -> min 12 -> 15 (10); day 5: 10-40 -> 30 (0); day 6: 10 -> 15 (5)
    assert starts_of(problem) == [15, 0, 20, 15, 0, 30, 15, 0]


def test_silver_meal() -> None:
    problem = one_item([10.0, 10, 10, 40, 0, 0], lot_rule="SM", setup_cost=25, holding_cost=1)
    # from day 0: k=1: 25; k=2: 35/2=17.5; k=3: 55/3=18.3 -> stop at 2 (20)
    # from day 2: k=1: 25; k=2: 65/2 -> stop at 1 (10); day 3: 40
    assert starts_of(problem) == [20, 0, 10, 40, 0, 0]


@pytest.mark.parametrize(
    ("name", "reference"),
    [("example_3_9", 1380), ("problem_3_27", 424), ("problem_3_29", 423)],
)
def test_wagner_whitin_rule_meets_textbook_optimum(name: str, reference: float) -> None:
    """Snyder & Shen, Fundamentals of Supply Chain Theory (data via stockpyl, MIT)."""
    path = BENCHMARKS / "textbook_instances.json"
    if not path.exists():
        pytest.skip(f"benchmark data not found at {path}")
    data = json.loads(path.read_text())[name]
    problem = one_item(
        [float(q) for q in data["demand"]],
        lot_rule="WW",
        setup_cost=data["fixed_cost"],
        holding_cost=data["holding_cost"],
    )
    plan = plan_mrp(problem)
    assert evaluate(problem, plan).kpis["total_cost"] == pytest.approx(reference)


def test_wagner_whitin_rule_matches_the_exact_programme() -> None:
    rng = np.random.default_rng(3)
    demand = rng.integers(0, 60, size=20).astype(float).tolist()
    problem = one_item(demand, lot_rule="WW", setup_cost=90, holding_cost=1.5)
    exact = wagner_whitin(np.array(demand), 90.0, 1.5)
    assert starts_of(problem) == pytest.approx(exact.orders.tolist())
    assert evaluate(problem, plan_mrp(problem)).kpis["total_cost"] == pytest.approx(exact.cost)


# Multi-level explosion --------------------------------------------------------------


def three_levels(**changes: object) -> Problem:
    days = working_days(10)
    items = {
        "FG": Item("FG", work_center="ASSY", run_time=1, lead_time=1),
        "SA": Item("SA", work_center="FAB", run_time=1, lead_time=2),
        "P": Item("P", lead_time=3),
    }
    for code, fields in changes.items():
        items[code] = dataclasses.replace(items[code], **fields)  # type: ignore[arg-type]
    return Problem.from_records(
        list(items.values()),
        [("FG", days[6], 10), ("FG", days[9], 4)],
        bom=[BomLine("FG", "SA", 2), BomLine("SA", "P", 3)],
        work_centers=[WorkCenter("ASSY", 480), WorkCenter("FAB", 480)],
        calendar=Calendar(days[0], days[-1]),
    )


def test_three_level_explosion_with_lead_times() -> None:
    problem = three_levels()
    starts = plan_mrp(problem).starts
    expected = np.zeros((3, 10))
    expected[0, 5], expected[0, 8] = 10, 4
    expected[1, 3], expected[1, 6] = 20, 8
    expected[2, 0], expected[2, 3] = 60, 24
    np.testing.assert_allclose(starts, expected)


def test_on_hand_of_a_sub_assembly_is_netted() -> None:
    problem = three_levels(SA={"on_hand": 25})
    starts = plan_mrp(problem).starts
    assert starts[1].tolist() == [0, 0, 0, 0, 0, 0, 3, 0, 0, 0]
    assert starts[2].tolist() == [0, 0, 0, 9, 0, 0, 0, 0, 0, 0]


def test_release_in_the_past_is_expedited_and_flagged() -> None:
    days = working_days(5)
    problem = Problem.from_records(
        [Item("A", lead_time=3)], [("A", days[1], 7)], calendar=Calendar(days[0], days[-1])
    )
    plan = plan_mrp(problem)
    assert plan.starts[0].tolist() == [7, 0, 0, 0, 0]
    [message] = plan.messages
    assert message.level is MessageLevel.WARNING
    assert "release in the past" in message.text
    evaluation = evaluate(problem, plan)
    assert evaluation.kpis["backlog_unit_days"] == 14
    assert evaluation.kpis["fill_rate"] == 0


def test_orders_wait_for_expedited_components() -> None:
    problem = three_levels(P={"lead_time": 8})
    raw = plan_mrp(problem, MrpOptions(material_check=False))
    assert any(
        v.kind is ViolationKind.COMPONENT_SHORTAGE for v in evaluate(problem, raw).violations
    )
    plan = plan_mrp(problem)
    evaluation = evaluate(problem, plan)
    assert evaluation.violations == ()
    assert plan.starts[1, :8].sum() == 0
    assert plan.starts[1, 8] == 28
    assert any("wait for component P" in m.text for m in plan.messages)


def test_plan_is_heuristic_and_timed() -> None:
    plan = plan_mrp(small_plant())
    assert plan.status is SolveStatus.HEURISTIC
    assert plan.seconds > 0


@pytest.mark.parametrize("make", [small_plant, realistic_plant], ids=["small", "realistic"])
def test_example_plans_have_no_component_shortage(make: object) -> None:
    problem = make()  # type: ignore[operator]
    evaluation = evaluate(problem, plan_mrp(problem))
    kinds = {v.kind for v in evaluation.violations}
    assert kinds <= {ViolationKind.OVERLOAD, ViolationKind.SEQUENCE_RULE}


# Property: on random small plants every plan is executable ----------------------


@st.composite
def small_plants(draw: st.DrawFn) -> Problem:
    n_days = draw(st.integers(3, 12))
    n_items = draw(st.integers(1, 6))
    days = working_days(n_days)
    rules = st.sampled_from(["LFL", "FOQ", "EOQ", "POQ", "WW", "SM"])
    items = []
    for i in range(n_items):
        rule = draw(rules)
        multiple = draw(st.sampled_from([0, 0, 3, 2.5]))
        items.append(
            Item(
                f"I{i}",
                lead_time=draw(st.integers(0, 3)),
                on_hand=draw(st.sampled_from([0, 0, 5, 20])),
                safety_stock=draw(st.sampled_from([0, 0, 3])),
                setup_cost=draw(st.sampled_from([0, 10, 50])),
                holding_cost=draw(st.sampled_from([0, 0.5, 1])),
                lot_rule=rule,
                lot_size=draw(st.integers(1, 20)) if rule in ("FOQ", "POQ") else None,
                min_lot=draw(st.sampled_from([0, 0, 4])),
                lot_multiple=multiple,
                whole_units=float(multiple).is_integer() and draw(st.booleans()),
            )
        )
    lines = []
    for child in range(1, n_items):
        for parent in range(child):
            if draw(st.booleans()) and draw(st.booleans()):
                lines.append(BomLine(f"I{parent}", f"I{child}", draw(st.sampled_from([1, 2, 0.5]))))
    demand = [
        (f"I{i}", day, draw(st.integers(0, 30)))
        for i in range(n_items)
        for day in days
        if draw(st.integers(0, 3)) == 0
    ]
    return Problem.from_records(items, demand, bom=lines, calendar=Calendar(days[0], days[-1]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_plants())
def test_mrp_plans_of_random_plants_are_executable(problem: Problem) -> None:
    plan = plan_mrp(problem)
    evaluation = evaluate(problem, plan)
    assert evaluation.violations == ()
    assert np.all(plan.starts >= 0)
