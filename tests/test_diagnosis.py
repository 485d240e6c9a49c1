"""Proving that no plan meets all demand, and naming the capacities that bind."""

from __future__ import annotations

import dataclasses

import pytest

from models import BomLine, Item
from models.batch import diagnose_demand
from planner.comparison import RunOptions, compare
from tests.test_heijunka import plant


def short_plant(capacity: float = 100.0):  # type: ignore[no-untyped-def]
    items = [
        Item("FG", work_center="WC", run_time=1, container_qty=1),
        Item("P", on_hand=10_000),
    ]
    demand = {"FG": [0, 0, 0, 500, 0, 0]}
    return plant(items, demand, n_days=6, capacity=capacity, bom=[BomLine("FG", "P", 1)])


def test_a_plant_that_cannot_meet_its_demand_is_proved_so() -> None:
    problem = short_plant()
    diagnosis = diagnose_demand(problem)
    assert diagnosis is not None
    # At most 100 a day on days 1-4: 100 units late on day 4, made on day 5: 100 unit-days.
    assert diagnosis.unavoidable_backlog == pytest.approx(100.0)
    assert diagnosis.late == {0: pytest.approx(100.0)}
    (run,) = diagnosis.binding
    assert (run.work_center, run.first_day, run.last_day, run.items) == (0, 0, 3, (0,))
    first, second = diagnosis.messages(problem)
    assert "no plan can meet all demand on time" in first.text
    assert "100 unit-days" in first.text
    assert "the capacity of WC (with overtime) binds from" in second.text
    assert second.work_center == 0


def test_a_plant_that_can_meet_its_demand_gets_no_message() -> None:
    problem = short_plant(capacity=480.0)
    diagnosis = diagnose_demand(problem)
    assert diagnosis is not None
    assert diagnosis.unavoidable_backlog == 0
    assert diagnosis.messages(problem) == []


def test_compare_adds_the_proof_to_late_plans() -> None:
    comparison = compare(short_plant(), "mrp,heijunka", run=RunOptions(time_limit=3))
    proof = "no plan can meet all demand on time"
    assert comparison["heijunka"].evaluation.kpis["late_units"] > 0
    assert any(proof in m.text for m in comparison["heijunka"].plan.messages)
    assert comparison["mrp"].evaluation.kpis["late_units"] == 0
    assert not any(proof in m.text for m in comparison["mrp"].plan.messages)


def test_a_plant_above_the_diagnosis_limit_is_not_diagnosed_and_says_so() -> None:
    problem = short_plant()
    size = problem.n_items * problem.n_days
    at, above = (dataclasses.replace(problem.settings, diagnosis_limit=n) for n in (size, size - 1))
    small, large = problem.replace(settings=at), problem.replace(settings=above)
    run = RunOptions(time_limit=3)
    texts = {
        limit: [m.text for m in compare(p, "heijunka", run=run)["heijunka"].plan.messages]
        for limit, p in (("at", small), ("above", large))
    }
    assert any("no plan can meet all demand on time" in t for t in texts["at"])
    assert not any("no plan can meet all demand on time" in t for t in texts["above"])
    said = f"{size:,} item-days, more than Settings diagnosis_limit"
    assert any(said in t for t in texts["above"])
