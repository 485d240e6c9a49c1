"""The plant model built in code: validation, derived structure, what-if copies."""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import pytest

from models import (
    BomLine,
    Calendar,
    CapacityException,
    Item,
    Problem,
    ProblemError,
    SequenceRule,
    Settings,
    WorkCenter,
    parse_workdays,
)
from models.errors import PlanningWarning

MONDAY = date(2026, 3, 2)
FRIDAY_NEXT = date(2026, 3, 13)


def bike_plant(**changes: object) -> Problem:
    arguments: dict[str, object] = {
        "items": [
            Item("BIKE", work_center="ASSY", run_time=12, unit_cost=300, lead_time=1),
            Item("FRAME", work_center="WELD", run_time=20, unit_cost=90, lead_time=2),
            Item("TUBE", unit_cost=5, lead_time=4),
            Item("WHEEL", unit_cost=25, lead_time=3, holding_cost=0.5),
        ],
        "bom": [
            BomLine("BIKE", "FRAME", 1),
            BomLine("BIKE", "WHEEL", 2),
            BomLine("FRAME", "TUBE", 3),
            BomLine("BIKE", "TUBE", 1),
        ],
        "work_centers": [WorkCenter("ASSY", 480, 60, 2.0), WorkCenter("WELD", 480)],
        "demand": [("BIKE", MONDAY, 20), ("BIKE", date(2026, 3, 7), 5), ("WHEEL", MONDAY, 4)],
        "calendar": Calendar(MONDAY, FRIDAY_NEXT, "Mon-Fri"),
    }
    arguments.update(changes)
    return Problem.from_records(**arguments)  # type: ignore[arg-type]


def test_arrays_are_indexed_by_item_and_working_day() -> None:
    problem = bike_plant()
    assert problem.demand.shape == (4, 10)
    assert problem.demand[0, 0] == 20
    assert problem.demand[0, 4] == 5
    assert problem.demand[3, 0] == 4
    assert problem.capacity.shape == (2, 10)
    assert problem.receipts.sum() == 0


def test_bom_matrix_explodes_dependent_demand() -> None:
    problem = bike_plant()
    starts = np.zeros((4, 10))
    starts[0, 2] = 10
    dependent = problem.bom_matrix @ starts
    assert dependent[1, 2] == 10
    assert dependent[2, 2] == 10
    assert dependent[3, 2] == 20


def test_low_level_codes_use_the_longest_path() -> None:
    problem = bike_plant()
    assert problem.low_level_code.tolist() == [0, 1, 2, 1]
    order = problem.topological_order.tolist()
    assert order.index(0) < order.index(1) < order.index(2)
    assert problem.bom_depth == 3
    assert problem.children[0] == (1, 3, 2)
    assert problem.parents[2] == (1, 0)


def test_default_costs() -> None:
    problem = bike_plant()
    assert problem.holding_cost[0] == pytest.approx(300 * 0.25 / 250)
    assert problem.holding_cost[3] == 0.5
    assert problem.default_backlog_cost == pytest.approx(5.0)
    custom = problem.replace(settings=Settings(backlog_cost=7))
    assert custom.backlog_cost.tolist() == [7, 7, 7, 7]


def test_kind_follows_work_center() -> None:
    problem = bike_plant()
    assert problem.is_make.tolist() == [True, True, False, False]
    assert problem.item_work_center.tolist() == [0, 1, -1, -1]


def test_problem_is_immutable() -> None:
    problem = bike_plant()
    with pytest.raises(dataclasses.FrozenInstanceError):
        problem.name = "other"  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        problem.demand[0, 0] = 1
    with pytest.raises(ValueError, match="read-only"):
        problem.lead_time[0] = 9


def test_replace_makes_a_validated_copy() -> None:
    problem = bike_plant()
    busier = problem.replace(demand=problem.demand * 2)
    assert busier.demand.sum() == 2 * problem.demand.sum()
    assert problem.demand.sum() == 29
    with pytest.raises(ProblemError, match="shape"):
        problem.replace(demand=np.zeros((2, 2)))
    with pytest.raises(ProblemError, match="negative"):
        problem.replace(demand=-problem.demand)


def test_replace_items_accepts_functions() -> None:
    problem = bike_plant()
    faster = problem.replace_items(["BIKE", "FRAME"], run_time=lambda item: item.run_time / 2)
    assert faster.run_time.tolist() == [6, 10, 0, 0]
    assert problem.run_time.tolist() == [12, 20, 0, 0]
    with pytest.raises(ProblemError, match="unknown item"):
        problem.replace_items(["NOPE"], run_time=1)


def test_equality_compares_arrays() -> None:
    assert bike_plant() == bike_plant()
    assert bike_plant() != bike_plant().replace(name="x")


def test_item_reports_every_broken_field() -> None:
    with pytest.raises(ProblemError) as raised:
        Item("X", lead_time=1.5, run_time=-1, kind="sometimes")  # type: ignore[arg-type]
    text = "\n".join(raised.value.problems)
    assert "lead_time is 1.5" in text
    assert "run_time is -1" in text
    assert "kind is 'sometimes'" in text


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"kind": "make"}, "needs a work_center"),
        ({"kind": "buy", "work_center": "A"}, "has no work_center"),
        ({"lot_rule": "FOQ"}, "needs a lot_size"),
        ({"lot_rule": "POQ", "lot_size": 2.5}, "number of days"),
        ({"container_qty": 0}, "container_qty is 0"),
    ],
)
def test_item_rules(arguments: dict[str, object], message: str) -> None:
    with pytest.raises(ProblemError, match=message):
        Item("X", **arguments)  # type: ignore[arg-type]


def test_cycles_and_unknown_references_are_all_reported() -> None:
    with pytest.raises(ProblemError) as raised:
        bike_plant(
            bom=[BomLine("BIKE", "FRAME", 1), BomLine("FRAME", "BIKE", 1), BomLine("X", "TUBE", 1)],
            work_centers=[WorkCenter("ASSY", 480)],
        )
    text = "\n".join(raised.value.problems)
    assert "BIKE -> FRAME -> BIKE" in text
    assert "unknown parent" in text
    assert "unknown work center 'WELD'" in text


def test_demand_for_unknown_item() -> None:
    with pytest.raises(ProblemError, match="unknown item 'GHOST'"):
        bike_plant(demand=[("GHOST", MONDAY, 1)])


def test_records_outside_the_horizon_warn() -> None:
    with pytest.warns(PlanningWarning, match="1 demand record"):
        problem = bike_plant(demand=[("BIKE", MONDAY, 1), ("BIKE", date(2027, 1, 1), 1)])
    assert problem.demand.sum() == 1


def test_horizon_defaults_to_demand_dates() -> None:
    problem = bike_plant(calendar=None)
    assert problem.days[0] == MONDAY
    assert problem.days[-1] == date(2026, 3, 6)


def test_calendar_exceptions() -> None:
    calendar = Calendar(
        MONDAY,
        FRIDAY_NEXT,
        "Mon-Fri",
        (
            CapacityException(date(2026, 3, 3), None, 0),
            CapacityException(date(2026, 3, 7), None, 200),
            CapacityException(date(2026, 3, 9), "WELD", 100),
            CapacityException(date(2026, 3, 10), "ASSY", 0),
        ),
    )
    problem = bike_plant(calendar=calendar)
    index = problem.day_index
    assert date(2026, 3, 3) not in index
    assert problem.capacity[:, index[date(2026, 3, 7)]].tolist() == [200, 200]
    assert problem.capacity[:, index[date(2026, 3, 9)]].tolist() == [480, 100]
    assert problem.overtime_capacity[0, index[date(2026, 3, 10)]] == 0
    assert problem.overtime_capacity[0, index[date(2026, 3, 11)]] == 60


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("Mon-Fri", {0, 1, 2, 3, 4}),
        ("mon-sat", {0, 1, 2, 3, 4, 5}),
        ("Mon,Tue,Thu", {0, 1, 3}),
        ("Sun-Thu", {6, 0, 1, 2, 3}),
        ("Monday, Wednesday", {0, 2}),
    ],
)
def test_parse_workdays(text: str, days: set[int]) -> None:
    assert parse_workdays(text) == frozenset(days)


@pytest.mark.parametrize("text", ["", "Mon-Funday", "weekdays"])
def test_parse_workdays_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_workdays(text)


def test_sequence_rule_bounds() -> None:
    with pytest.raises(ProblemError, match="window is 0"):
        SequenceRule("heavy", 1, 0)
