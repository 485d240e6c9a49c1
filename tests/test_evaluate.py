"""The evaluator's accounting, checked against hand-computed tiny plants."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models import (
    BomLine,
    Calendar,
    CapacityException,
    Item,
    ItemKind,
    PlanningError,
    Problem,
    Settings,
    WorkCenter,
)
from models.plan import MessageLevel, Plan, Position, SolveStatus
from planner.evaluation import ViolationKind, evaluate

MONDAY = date(2026, 3, 2)
SUMMARY_KEYS = [
    "feasible",
    "violations",
    "total_cost",
    "setup_cost",
    "holding_cost",
    "backlog_cost",
    "overtime_cost",
    "safety_cost",
    "end_backlog_cost",
    "setups",
    "rule_violations",
    "avg_inventory_units",
    "avg_inventory_value",
    "end_inventory_value",
    "avg_wip_value",
    "peak_inventory_value",
    "backlog_unit_days",
    "fill_rate",
    "overload_minutes",
    "max_utilization",
    "solve_seconds",
    "status",
    "bound",
    "gap",
]

NEW_KPIS = (
    "days_of_supply",
    "avg_inventory_value_finished",
    "avg_inventory_value_subassembly",
    "avg_inventory_value_purchased",
    "setups_per_day",
    "load_cv",
    "production_mix_cv",
    "build_day_share",
    "flow_time_days",
    "bullwhip_ratio",
)
"""The KPIs beyond the contract and the first extras, in the evaluator's order."""


def working_days(n: int) -> tuple[date, ...]:
    return tuple(MONDAY + timedelta(weeks=t // 5, days=t % 5) for t in range(n))


def plan_of(
    starts: npt.ArrayLike,
    sequences: Mapping[tuple[int, int], tuple[Position, ...]] | None = None,
    **extra: object,
) -> Plan:
    return Plan(
        "test",
        np.asarray(starts, dtype=float),
        SolveStatus.HEURISTIC,
        sequences=sequences or {},
        **extra,  # type: ignore[arg-type]
    )


def single_item() -> Problem:
    item = Item(
        "A",
        kind=ItemKind.BUY,
        setup_cost=10,
        unit_cost=4,
        holding_cost=0.5,
        backlog_cost=3,
        lead_time=2,
        on_hand=5,
        safety_stock=1,
    )
    return Problem(
        items=(item,),
        days=working_days(6),
        demand=np.array([[3.0, 4, 10, 5, 2, 1]]),
        receipts=np.array([[0.0, 2, 0, 0, 8, 0]]),
    )


def test_single_item_flow_costs_and_fifo_fill_rate() -> None:
    problem = single_item()
    result = evaluate(problem, plan_of([[0, 12, 0, 0, 0, 7]]))

    assert result.inventory.tolist() == [[2, 0, 0, 0, 3, 2]]
    assert result.backlog.tolist() == [[0, 0, 10, 3, 0, 0]]
    assert result.on_time.tolist() == [[3, 4, 0, 2, 2, 1]]
    assert result.setups.tolist() == [[0, 1, 0, 0, 0, 1]]
    kpis = result.kpis
    assert kpis["setup_cost"] == 20
    assert kpis["holding_cost"] == 3.5
    assert kpis["backlog_cost"] == 39
    assert kpis["overtime_cost"] == 0
    # Below its safety stock of 1 on days 1-3 (3 unit-days) at twice the holding cost of 0.5.
    assert kpis["safety_cost"] == 3.0
    assert kpis["end_backlog_cost"] == 0
    assert kpis["total_cost"] == 65.5
    assert kpis["setups"] == 2
    assert kpis["orders"] == 2
    assert kpis["fill_rate"] == 12 / 25
    assert kpis["late_units"] == 13
    assert kpis["backlog_unit_days"] == 13
    assert kpis["avg_inventory_units"] == pytest.approx(7 / 6)
    assert kpis["avg_inventory_value"] == pytest.approx(28 / 6)
    assert kpis["peak_inventory_value"] == 12
    assert kpis["max_utilization"] == 0
    assert result.feasible


def test_old_backlog_is_served_before_the_days_own_demand() -> None:
    problem = single_item()
    result = evaluate(problem, plan_of([[0, 12, 0, 0, 0, 0]]))

    # Day 3: 10 units are owed and 12 arrive, so only 2 of the day's 5 ship on time.
    assert result.on_time[0, 3] == 2
    assert result.backlog[0, 3] == 3


def test_starts_arriving_after_the_horizon_never_arrive() -> None:
    problem = single_item()
    late = evaluate(problem, plan_of([[0, 12, 0, 0, 0, 7]]))
    without = evaluate(problem, plan_of([[0, 12, 0, 0, 0, 0]]))

    assert np.array_equal(late.inventory, without.inventory)
    assert late.kpis["setup_cost"] == without.kpis["setup_cost"] + 10


def test_late_demand_and_safety_stock_messages() -> None:
    problem = single_item()
    messages = evaluate(problem, plan_of([[0, 12, 0, 0, 0, 7]])).messages

    texts = [(m.level, m.item, m.day, m.text) for m in messages]
    assert texts == [
        (
            MessageLevel.WARNING,
            0,
            2,
            "A: 13 units of demand late from 2026-03-04 to 2026-03-05, 13 unit-days of "
            "backlog; cause: the plan: no lead-time, component or capacity limit held on the "
            "latest release day 2026-03-02, yet stock, receipts and releases up to then bring "
            "7 units against 17 required by 2026-03-04; their backlog costs 39 (backlog_cost "
            "3 for 13 unit-days), more than the 10 of one more setup of A",
        ),
        (
            MessageLevel.WARNING,
            0,
            1,
            "A is below its safety stock of 1 on 3 days from 2026-03-03, lowest 0",
        ),
    ]


def test_kpis_start_with_the_summary_keys_in_order() -> None:
    plan = plan_of([[0, 12, 0, 0, 0, 0]], seconds=1.5, bound=40.0, gap=0.25)
    kpis = evaluate(single_item(), plan).kpis

    assert list(kpis)[: len(SUMMARY_KEYS)] == SUMMARY_KEYS
    assert list(kpis)[len(SUMMARY_KEYS) :] == [
        "overtime_minutes",
        "late_units",
        "shortage_units",
        "orders",
        "safety_stock_shortfall_unit_days",
        *NEW_KPIS,
    ]
    assert kpis["solve_seconds"] == 1.5
    assert kpis["status"] == "heuristic"
    assert (kpis["bound"], kpis["gap"]) == (40.0, 0.25)
    assert evaluate(single_item(), plan_of(np.zeros((1, 6)))).kpis["bound"] is None


def two_level(component_lead_time: int) -> Problem:
    items = (
        Item("P", work_center="WC", lead_time=1),
        Item("C", kind=ItemKind.BUY, lead_time=component_lead_time, on_hand=10),
    )
    demand = np.zeros((2, 4))
    demand[0, 3] = 8
    return Problem(
        items=items,
        days=working_days(4),
        demand=demand,
        work_centers=(WorkCenter("WC", 480),),
        bom=(BomLine("P", "C", 2),),
    )


def test_a_start_without_enough_component_stock_is_one_shortage() -> None:
    problem = two_level(component_lead_time=1)
    result = evaluate(problem, plan_of([[0, 8, 0, 0], [0, 0, 0, 0]]))

    assert result.dependent_demand[1].tolist() == [0, 16, 0, 0]
    assert [(v.kind, v.item, v.day, v.size) for v in result.violations] == [
        (ViolationKind.COMPONENT_SHORTAGE, "C", date(2026, 3, 3), 6.0)
    ]
    assert result.violations[0].message == (
        "component shortage of C on 2026-03-03: parent starts need 16, only 10 available"
    )
    assert result.kpis["shortage_units"] == 6
    assert result.kpis["violations"] == 1
    errors = [m for m in result.messages if m.level is MessageLevel.ERROR]
    assert [(m.item, m.day) for m in errors] == [(1, 1)]
    assert not result.feasible


def test_a_component_arriving_on_time_is_no_shortage() -> None:
    problem = two_level(component_lead_time=1)
    result = evaluate(problem, plan_of([[0, 8, 0, 0], [6, 0, 0, 0]]))

    assert result.violations == ()
    assert result.inventory[1].tolist() == [10, 0, 0, 0]
    assert result.kpis["fill_rate"] == 1.0
    assert result.feasible


def test_a_backlogged_component_still_feeds_parents_from_its_arrivals() -> None:
    problem = two_level(component_lead_time=1)
    result = evaluate(problem, plan_of([[0, 8, 1, 0], [0, 2, 0, 0]]))

    assert result.backlog[1].tolist() == [0, 6, 6, 6]
    assert [(v.day, v.size) for v in result.violations] == [(date(2026, 3, 3), 6.0)]


def test_todays_receipts_and_arrivals_cover_consumption() -> None:
    problem = two_level(component_lead_time=0).replace(
        receipts=np.array([[0.0, 0, 0, 0], [0, 4, 0, 0]])
    )
    result = evaluate(problem, plan_of([[0, 8, 0, 0], [0, 2, 0, 0]]))

    assert result.violations == ()
    assert result.inventory[1, 1] == 0


def loaded_plant() -> Problem:
    items = (
        Item("A", work_center="WC", run_time=10, setup_time=30, setup_cost=5),
        Item("B", work_center="WC", run_time=5, setup_time=60, setup_cost=7),
        Item("X", kind=ItemKind.BUY, setup_cost=100),
    )
    calendar = Calendar(
        MONDAY,
        date(2026, 3, 6),
        exceptions=(
            CapacityException(date(2026, 3, 4), "WC", 0),
            CapacityException(date(2026, 3, 5), "WC", 240),
        ),
    )
    return Problem.from_records(
        items,
        [],
        calendar=calendar,
        work_centers=(WorkCenter("WC", 480, overtime_capacity=60, overtime_cost=2),),
    )


def test_overtime_and_overload_with_setup_times_and_capacity_exceptions() -> None:
    problem = loaded_plant()
    assert problem.capacity.tolist() == [[480, 480, 0, 240, 480]]
    assert problem.overtime_capacity.tolist() == [[60, 60, 0, 60, 60]]
    starts = [[40, 40, 0, 26, 0], [0, 20, 2, 0, 0], [0, 0, 0, 0, 0]]
    result = evaluate(problem, plan_of(starts))

    assert result.load.tolist() == [[430, 590, 70, 290, 0]]
    assert result.overtime.tolist() == [[0, 110, 70, 50, 0]]
    assert result.overload.tolist() == [[0, 50, 70, 0, 0]]
    assert result.kpis["overtime_minutes"] == 230
    assert result.kpis["overtime_cost"] == 460
    assert result.kpis["overload_minutes"] == 120
    assert result.kpis["max_utilization"] == 590 / 480
    overloads = [(v.kind, v.work_center, v.day, v.size) for v in result.violations]
    assert overloads == [
        (ViolationKind.OVERLOAD, "WC", date(2026, 3, 3), 50.0),
        (ViolationKind.OVERLOAD, "WC", date(2026, 3, 4), 70.0),
    ]
    warnings = [(m.work_center, m.day, m.text) for m in result.messages]
    assert warnings == [
        (
            0,
            1,
            "capacity overload on WC on 2026-03-03: load 590 min against 480 + 60 min, "
            "50 min too many; made there: A 40 units (430 min incl. 30 min setup), "
            "B 20 units (160 min incl. 60 min setup)",
        ),
        (
            0,
            2,
            "capacity overload on WC on 2026-03-04: load 70 min against 0 + 0 min, "
            "70 min too many; made there: B 2 units (70 min incl. 60 min setup)",
        ),
    ]


def test_setups_count_runs_of_a_sequence() -> None:
    problem = loaded_plant()
    starts = np.zeros((3, 5))
    starts[0, 0], starts[1, 0], starts[0, 1], starts[2, 0] = 12, 3, 4, 9
    sequence: tuple[Position, ...] = ((0, 5), (0, 5), (1, 3), (0, 2))
    plain = evaluate(problem, plan_of(starts))
    sequenced = evaluate(problem, plan_of(starts, {(0, 0): sequence}))
    empty_position = evaluate(problem, plan_of(starts, {(0, 1): ((0, 2), (1, 0), (0, 2))}))

    assert plain.setups[:, 0].tolist() == [1, 1, 1]
    assert sequenced.setups[:, 0].tolist() == [2, 1, 1]
    assert sequenced.setups[:, 1].tolist() == [1, 0, 0]
    assert empty_position.setups[:, 1].tolist() == [1, 0, 0]
    assert plain.load[0, 0] == 120 + 15 + 30 + 60
    assert sequenced.load[0, 0] == 120 + 15 + 2 * 30 + 60
    assert plain.kpis["setup_cost"] == 5 + 7 + 100 + 5
    assert sequenced.kpis["setup_cost"] == 2 * 5 + 7 + 100 + 5
    assert sequenced.kpis["setups"] == 5
    assert sequenced.violations == ()


def test_a_sequence_that_disagrees_with_the_starts_is_a_mismatch() -> None:
    problem = loaded_plant()
    starts = np.zeros((3, 5))
    starts[0, 0], starts[1, 0], starts[0, 3] = 12, 3, 1
    sequences: dict[tuple[int, int], tuple[Position, ...]] = {
        (0, 0): ((0, 10), (1, 3)),
        (0, 1): ((2, 4),),
        (0, 3): (),
    }
    result = evaluate(problem, plan_of(starts, sequences))

    found = [(v.kind, v.item, v.work_center, v.day, v.size) for v in result.violations]
    assert found == [
        (ViolationKind.SEQUENCE_MISMATCH, "A", "WC", date(2026, 3, 2), 2.0),
        (ViolationKind.SEQUENCE_MISMATCH, "X", "WC", date(2026, 3, 3), 4.0),
        (ViolationKind.SEQUENCE_MISMATCH, "A", "WC", date(2026, 3, 5), 1.0),
    ]
    assert result.violations[0].message == (
        "the sequence of WC on 2026-03-02 builds 10 of A, the plan starts 12"
    )
    assert result.violations[1].message == (
        "the sequence of WC on 2026-03-03 holds X, which is a purchased item"
    )
    assert result.setups[0, 3] == 1


def test_a_sequence_outside_the_problem_is_an_error() -> None:
    problem = loaded_plant()
    with pytest.raises(PlanningError, match="work center 3 on day 0"):
        evaluate(problem, plan_of(np.zeros((3, 5)), {(3, 0): ((0, 1.0),)}))
    with pytest.raises(PlanningError, match="item 7"):
        evaluate(problem, plan_of(np.zeros((3, 5)), {(0, 0): ((7, 1.0),)}))


def test_starts_of_the_wrong_shape_are_an_error() -> None:
    with pytest.raises(PlanningError, match=r"shape \(1, 5\), expected \(1, 6\)"):
        evaluate(single_item(), plan_of(np.zeros((1, 5))))


def test_negative_and_non_finite_starts() -> None:
    problem = single_item()
    result = evaluate(problem, plan_of([[-5, np.nan, 0, 0, np.inf, -1e-12]]))

    found = [(v.kind, v.day, v.size) for v in result.violations]
    assert found == [
        (ViolationKind.NON_FINITE_START, date(2026, 3, 3), 0.0),
        (ViolationKind.NON_FINITE_START, date(2026, 3, 6), 0.0),
        (ViolationKind.NEGATIVE_START, date(2026, 3, 2), 5.0),
    ]
    assert result.violations[0].message == "start of A on 2026-03-03 is nan, counted as 0"
    assert result.kpis["setups"] == 0
    assert result.backlog[0].tolist() == [0, 0, 15, 20, 14, 15]
    assert not result.feasible


def test_fill_rate_is_one_without_demand() -> None:
    problem = Problem(
        items=(Item("A", kind=ItemKind.BUY, on_hand=3, unit_cost=2),),
        days=working_days(3),
        demand=np.zeros((1, 3)),
    )
    result = evaluate(problem, plan_of(np.zeros((1, 3))))

    assert result.kpis["fill_rate"] == 1.0
    assert result.kpis["late_units"] == 0
    assert result.kpis["avg_inventory_value"] == 6
    assert result.messages == ()


@pytest.mark.parametrize(("rate", "expected"), [(0.25, 2.5), (0.5, 5.0)])
def test_holding_cost_defaults_to_unit_cost_times_carrying_rate(
    rate: float, expected: float
) -> None:
    problem = Problem.from_records(
        [Item("A", kind=ItemKind.BUY, unit_cost=50, on_hand=10)],
        [],
        calendar=Calendar(MONDAY, date(2026, 3, 6)),
        settings=Settings(carrying_rate=rate),
    )
    result = evaluate(problem, plan_of(np.zeros((1, 5))))

    assert result.kpis["holding_cost"] == pytest.approx(expected)
    assert result.kpis["total_cost"] == pytest.approx(expected)


def test_daily_series_add_up_to_the_kpis() -> None:
    problem = single_item()
    result = evaluate(problem, plan_of([[0, 12, 0, 0, 0, 7]]))
    daily = result.daily_series(problem)

    assert daily["inventory_value"].tolist() == [8, 0, 0, 0, 12, 8]
    assert daily["backlog_units"].sum() == result.kpis["backlog_unit_days"]
    assert daily["on_time"].sum() / daily["demand"].sum() == result.kpis["fill_rate"]
    assert all(len(series) == problem.n_days for series in daily.values())


@st.composite
def single_level(draw: st.DrawFn) -> tuple[Problem, npt.NDArray[np.float64]]:
    n_parents = draw(st.integers(1, 3))
    n_parts = draw(st.integers(1, 3))
    n_days = draw(st.integers(1, 8))
    qty = st.integers(0, 20).map(float)
    items = [
        Item(
            f"F{k}",
            work_center="WC",
            run_time=draw(st.integers(0, 5)),
            setup_time=draw(st.integers(0, 60)),
            setup_cost=draw(st.integers(0, 50)),
            unit_cost=draw(st.integers(0, 30)),
            lead_time=draw(st.integers(0, 3)),
            on_hand=draw(qty),
        )
        for k in range(n_parents)
    ] + [
        Item(
            f"P{k}",
            kind=ItemKind.BUY,
            setup_cost=draw(st.integers(0, 50)),
            unit_cost=draw(st.integers(0, 30)),
            lead_time=draw(st.integers(0, 10)),
            on_hand=draw(qty),
        )
        for k in range(n_parts)
    ]
    bom = [
        BomLine(f"F{p}", f"P{c}", draw(st.sampled_from([0.5, 1.0, 2.0, 3.0])))
        for p in range(n_parents)
        for c in range(n_parts)
        if draw(st.booleans())
    ]
    shape = (n_parents + n_parts, n_days)
    cells = st.lists(qty, min_size=shape[0] * n_days, max_size=shape[0] * n_days)
    demand, receipts = (np.reshape(draw(cells), shape) for _ in range(2))
    starts = np.reshape(draw(cells), shape)
    problem = Problem(
        items=tuple(items),
        days=working_days(n_days),
        demand=demand,
        work_centers=(WorkCenter("WC", 120, 30, 1.5),),
        bom=tuple(bom),
        receipts=receipts,
    )
    return problem, starts


def expected_net(problem: Problem, starts: npt.NDArray[np.float64]) -> list[list[float]]:
    result = []
    for i in range(problem.n_items):
        row, level = [], float(problem.on_hand[i])
        for t in range(problem.n_days):
            source = t - int(problem.lead_time[i])
            arrival = float(starts[i, source]) if source >= 0 else 0.0
            dependent = sum(
                line.qty_per * float(starts[problem.item_index[line.parent], t])
                for line in problem.bom
                if line.child == problem.items[i].code
            )
            level += problem.receipts[i, t] + arrival - problem.demand[i, t] - dependent
            row.append(level)
        result.append(row)
    return result


@settings(max_examples=60, deadline=None)
@given(single_level())
def test_flow_balance_and_cost_invariants(case: tuple[Problem, npt.NDArray[np.float64]]) -> None:
    problem, starts = case
    result = evaluate(problem, plan_of(starts))
    kpis = result.kpis

    net = result.inventory - result.backlog
    np.testing.assert_allclose(net, expected_net(problem, starts), atol=1e-9)
    assert np.all(np.minimum(result.inventory, result.backlog) == 0)
    parts: Sequence[str] = (
        "setup_cost",
        "holding_cost",
        "backlog_cost",
        "overtime_cost",
        "safety_cost",
        "end_backlog_cost",
    )
    assert all(kpis[name] >= 0 for name in parts)
    assert kpis["total_cost"] == pytest.approx(sum(kpis[name] for name in parts))
    assert 0 <= kpis["fill_rate"] <= 1
    assert np.all(result.on_time <= problem.demand)
    assert np.all(result.overload <= result.overtime)


def test_round_off_above_capacity_is_no_overtime() -> None:
    from tests.test_report import tiny_problem

    problem = tiny_problem()
    starts = np.zeros((problem.n_items, problem.n_days))
    starts[0, 0] = 225 + 5e-13  # 2 min a unit + a 30-min setup: 480 min and round-off
    plan = Plan("mrp", starts, SolveStatus.HEURISTIC)
    evaluation = evaluate(problem, plan)
    assert evaluation.load[0, 0] > 480
    assert evaluation.overtime[0, 0] == 0.0
    assert evaluation.kpis["overtime_cost"] == 0.0
