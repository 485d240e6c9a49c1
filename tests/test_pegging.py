"""Pegging: every planned order tells which external demands it serves."""

from __future__ import annotations

import dataclasses
from collections import defaultdict

import numpy as np
import pytest

from models import Problem
from models.mrp import plan_mrp
from models.plan import MessageLevel, Plan
from planner.comparison import compare
from planner.evaluation import PegKind
from planner.evaluation.pegging import Peg
from planner.evaluation.pegging import peg as peg_or_none
from planner.instances import realistic_plant, small_plant
from tests.test_mrp import one_item, three_levels


def peg(problem: Problem, plan: Plan) -> tuple[Peg, ...]:
    """Every peg of ``plan``, with no limit."""
    pegs = peg_or_none(problem, plan)
    assert pegs is not None
    return pegs


def test_orders_peg_through_every_level_to_the_demand() -> None:
    problem = three_levels()
    pegs = peg(problem, plan_mrp(problem))
    found = {(p.item, p.start_day, p.demand_item, p.demand_day): p.qty for p in pegs}
    fg, sa, part = (problem.item_index[c] for c in ("FG", "SA", "P"))
    assert found == {
        (fg, 5, fg, 6): 10,
        (fg, 8, fg, 9): 4,
        (sa, 3, fg, 6): 20,
        (sa, 6, fg, 9): 8,
        (part, 0, fg, 6): 60,
        (part, 3, fg, 9): 24,
    }
    assert all(p.kind is PegKind.DEMAND for p in pegs)


def test_lot_size_surplus_and_safety_stock() -> None:
    problem = one_item([10.0, 0, 0, 0], lot_rule="FOQ", lot_size=30, safety_stock=5)
    pegs = peg(problem, plan_mrp(problem))
    by_kind = {p.kind: p.qty for p in pegs}
    assert by_kind == {PegKind.DEMAND: 10, PegKind.SAFETY_STOCK: 5, PegKind.SURPLUS: 15}
    assert {p.order_qty for p in pegs} == {30}


def test_on_hand_is_used_before_planned_orders() -> None:
    problem = one_item([10.0, 10, 10], on_hand=15)
    pegs = peg(problem, plan_mrp(problem))
    assert [(p.start_day, p.demand_day, p.qty) for p in pegs] == [(1, 1, 5), (2, 2, 10)]


def test_a_shared_component_order_is_split_by_what_its_parents_serve() -> None:
    problem = three_levels(FG={"lead_time": 0}, SA={"lead_time": 0}, P={"lead_time": 0})
    problem = problem.replace_items(["P"], lot_rule="POQ", lot_size=10)
    pegs = peg(problem, plan_mrp(problem))
    part = problem.item_index["P"]
    served = {(p.demand_day): p.qty for p in pegs if p.item == part}
    assert served == {6: 60, 9: 24}


@pytest.mark.parametrize("make", [small_plant, realistic_plant], ids=["small", "realistic"])
def test_pegs_add_up_to_every_order(make: object) -> None:
    problem = make()  # type: ignore[operator]
    plan = plan_mrp(problem)
    totals: dict[tuple[int, int], float] = defaultdict(float)
    for p in peg(problem, plan):
        totals[(p.item, p.start_day)] += p.qty
    orders = {(int(i), int(t)): plan.starts[i, t] for i, t in np.argwhere(plan.starts > 1e-9)}
    assert totals.keys() == orders.keys()
    for key, quantity in orders.items():
        assert totals[key] == pytest.approx(quantity, rel=1e-9, abs=1e-6)


def test_pegging_stops_past_its_limit() -> None:
    problem = realistic_plant()
    plan = plan_mrp(problem)
    count = len(peg(problem, plan))
    assert peg_or_none(problem, plan, limit=count) is not None
    assert peg_or_none(problem, plan, limit=count - 1) is None


@pytest.mark.parametrize(("limit", "level"), [(50, MessageLevel.WARNING), (0, MessageLevel.INFO)])
def test_a_plan_past_the_limit_is_compared_unpegged_with_a_message(
    limit: int, level: MessageLevel
) -> None:
    problem = small_plant()
    problem = problem.replace(settings=dataclasses.replace(problem.settings, pegging_limit=limit))
    result = compare(problem, ["mrp"])["mrp"]
    assert result.pegging == ()
    notes = [m for m in result.plan.messages if m.text.startswith("not pegged")]
    assert [m.level for m in notes] == [level]
    assert compare(small_plant(), ["mrp"])["mrp"].pegging
