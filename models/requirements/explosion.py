"""Material requirements: gross-to-net explosion with lot rules, level by level down the BOM.

Items are netted in low-level-code order, so that all dependent demand of an
item (from the planned order releases of its parents) is known before the
item is planned. For each item, projected available balance is

    pab[t] = on_hand + sum_{s<=t} (receipts[s] + planned_receipts[s] - gross[s])

and whenever it would fall below safety stock, a planned order is placed to
arrive that day, sized by the item's lot rule (LFL, FOQ, EOQ, POQ, WW, SM),
then raised to ``min_lot`` and rounded up to ``lot_multiple``. The order is
released ``lead_time`` working days earlier; a release that would fall before
the first day is released on the first day and flagged (expedite). Capacity
and materials are ignored, as MRP ignores them.

This is the engine of the ``mrp`` strategy (:mod:`models.mrp`) and of the
capacity repair (:mod:`models.requirements.repair`) that warm-starts ``batch``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from models.floor import TOLERANCE, whole_up
from models.plan import MessageLevel, PlanMessage
from models.problem import LotRule, Problem
from models.requirements.lotsizing import (
    economic_order_quantity,
    round_lot,
    silver_meal_covers,
    wagner_whitin_cover,
)
from models.wording import counted

FloatArray = npt.NDArray[np.float64]


@dataclass
class Explosion:
    """The raw MRP explosion: planned order releases and the expedite messages."""

    starts: FloatArray
    messages: list[PlanMessage]


def explode(problem: Problem, safety_stock: bool = True) -> Explosion:
    """Gross-to-net explosion, level by level down the BOM, capacity and materials ignored.

    ``safety_stock``: whether to plan projected inventory at or above each
    item's safety stock.
    """
    n_items, n_days = problem.n_items, problem.n_days
    gross = np.array(problem.demand, dtype=float)
    starts = np.zeros((n_items, n_days))
    messages: list[PlanMessage] = []
    codes = problem.low_level_code
    bom = problem.bom_matrix.tocsc()
    for level in range(int(codes.max(initial=0)) + 1):
        level_items = np.flatnonzero(codes == level)
        for i in level_items.tolist():
            receipts = net_item(problem, i, gross[i], safety_stock)
            lead = int(problem.lead_time[i])
            if lead:
                if lead < n_days:
                    starts[i, : n_days - lead] = receipts[lead:]
                early = receipts[:lead]
                if early.sum() > TOLERANCE:
                    starts[i, 0] += early.sum()
                    messages.append(expedite_message(problem, i, early))
            else:
                starts[i] = receipts
        if level_items.size:
            gross += bom[:, level_items] @ starts[level_items]
    return Explosion(starts, messages)


def net_item(problem: Problem, i: int, gross: FloatArray, safety_stock: bool = True) -> FloatArray:
    """Planned receipts of one item: net its gross requirements with its lot rule."""
    item = problem.items[i]
    safety = float(problem.safety_stock[i]) if safety_stock else 0.0
    projected_array = problem.on_hand[i] + np.cumsum(problem.receipts[i] - gross)
    if not np.any(projected_array < safety - TOLERANCE):
        return np.zeros_like(gross)
    if item.lot_rule is LotRule.LFL and not item.min_lot and not item.lot_multiple:
        deficit = np.maximum.accumulate(np.maximum(safety - projected_array, 0.0))
        if problem.whole_units[i]:
            deficit = np.ceil(deficit - TOLERANCE * np.maximum(1.0, deficit))
        return np.diff(deficit, prepend=0.0)
    setup, holding = float(problem.setup_cost[i]), float(problem.holding_cost[i])
    covering = _cover_function(
        item.lot_rule, projected_array, safety, setup, holding, item.lot_size
    )
    eoq = 0.0
    if item.lot_rule is LotRule.EOQ:
        eoq = economic_order_quantity(float(gross.mean()), setup, holding)
    projected = projected_array.tolist()
    receipts = [0.0] * len(projected)
    added = 0.0
    for day, level in enumerate(projected):
        shortfall = safety - (level + added)
        if shortfall <= TOLERANCE:
            continue
        if item.lot_rule is LotRule.FOQ:
            assert item.lot_size is not None
            quantity = math.ceil(shortfall / item.lot_size - TOLERANCE) * item.lot_size
        elif item.lot_rule is LotRule.EOQ:
            if math.isinf(eoq):
                quantity = safety - min(projected[day:]) - added
            else:
                quantity = max(shortfall, eoq)
        else:
            quantity = safety - min(projected[day : day + covering(day)]) - added
        quantity = order_lot(problem, i, max(quantity, shortfall))
        receipts[day] = quantity
        added += quantity
    return np.array(receipts)


def order_lot(problem: Problem, i: int, quantity: float) -> float:
    """An order of ``quantity`` of item ``i`` as its lot rules allow it: raised to the
    minimum lot, rounded up to the lot multiple and, for a whole-unit item, to whole units."""
    item = problem.items[i]
    return whole_up(problem, i, round_lot(quantity, item.min_lot, item.lot_multiple))


def _cover_function(
    rule: LotRule,
    projected: FloatArray,
    safety: float,
    setup: float,
    holding: float,
    lot_size: float | None,
) -> Callable[[int], int]:
    """How many days an order placed on a given day covers, by lot rule.

    POQ covers ``lot_size`` days; Wagner-Whitin and Silver-Meal decide from
    the item's lot-for-lot net requirements; the other rules size by
    quantity, so their orders cover the day itself.
    """
    if rule is LotRule.POQ:
        days = max(1, int(lot_size or 1))
        return lambda day: days
    if rule not in (LotRule.WW, LotRule.SM):
        return lambda day: 1
    deficit = np.maximum.accumulate(np.maximum(safety - projected, 0.0))
    requirements = np.diff(deficit, prepend=0.0)
    if rule is LotRule.WW:
        lengths = wagner_whitin_cover(requirements, setup, holding)
    else:
        lengths = silver_meal_covers(requirements, setup, holding)
    return lambda day: max(1, int(lengths[day]))


def expedite_message(problem: Problem, i: int, early: FloatArray) -> PlanMessage:
    """The "release in the past" message for receipts ``early`` needed before the lead time."""
    item = problem.items[i]
    first_need = int(np.flatnonzero(early > TOLERANCE)[0])
    arrival = problem.date_of(item.lead_time)
    return PlanMessage(
        MessageLevel.WARNING,
        f"release in the past: {counted(early.sum(), 'unit')} of {item.code} needed from "
        f"{problem.days[first_need]} would have to start before the first day "
        f"(lead time {counted(item.lead_time, 'day')}); released on {problem.days[0]}, "
        f"available {arrival}: expedite",
        item=i,
        day=0,
    )
