"""Pegging: which external demands each planned order serves.

For every item, supply (on-hand, scheduled receipts, then planned orders by
arrival day) is matched first-in-first-out to its requirements (by day; on
each day the components consumed by parent orders before the external
demand due). An order matched to a parent order serves whatever that parent
order serves, in proportion, so that pegging reaches through every BOM
level down to the external demand at the top. Units no requirement consumes
restore safety stock, or are surplus (lot sizing, minimum lots).

Pegging applies to any plan, whatever strategy made it.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from models import Problem
from models.floor import TOLERANCE
from models.plan import Plan

FloatArray = npt.NDArray[np.float64]


class PegKind(StrEnum):
    """What a planned order's quantity is for."""

    DEMAND = "demand"
    SAFETY_STOCK = "safety_stock"
    SURPLUS = "surplus"


@dataclass(frozen=True)
class Peg:
    """Part of a planned order (``item`` started on ``start_day``) and what it serves.

    ``kind`` is ``demand`` for units that end up serving the external demand
    of ``demand_item`` due on ``demand_day`` (directly, or through the parent
    orders that consume them); ``safety_stock`` for units that restore safety
    stock; ``surplus`` for units no requirement in the horizon consumes
    (lot-size rounding, minimum lots).
    """

    item: int
    start_day: int
    order_qty: float
    qty: float
    kind: PegKind
    demand_item: int | None = None
    demand_day: int | None = None


_Target = tuple[PegKind, int | None, int | None]
"""What a unit serves: (kind, demand item, demand day)."""


@dataclass
class _Supply:
    order: tuple[int, int] | None
    quantity: float


@dataclass
class _Requirement:
    quantity: float
    external: tuple[int, int] | None = None
    parent_order: tuple[int, int] | None = None


def peg(problem: Problem, plan: Plan, limit: int | None = None) -> tuple[Peg, ...] | None:
    """Peg every planned order of ``plan`` to what it serves.

    Parameters
    ----------
    limit
        Most pegs to return. Orders low in the BOM of a large plant serve
        thousands of demands each, so pegging grows much faster than the
        plan; past ``limit`` the work stops at once.

    Returns
    -------
    tuple of Peg or None
        Per planned order (item, start day), the quantities serving each
        external demand (item, due day), safety stock, or nothing (surplus),
        summing to the order's quantity. ``None`` when there would be more
        than ``limit``.
    """
    starts = plan.starts
    index = problem.item_index
    usage = {(index[line.child], index[line.parent]): line.qty_per for line in problem.bom}
    served: dict[tuple[int, int], dict[_Target, float]] = {}
    count = 0
    for item in problem.topological_order.tolist():
        requirements = _requirements(problem, starts, usage, item)
        matched = _match(problem, starts, item, requirements, served)
        served.update(matched)
        count += sum(1 for targets in matched.values() for q in targets.values() if q > TOLERANCE)
        if limit is not None and count > limit:
            return None
    pegs = []
    for (item, day), targets in served.items():
        order = float(starts[item, day])
        for (kind, demand_item, demand_day), quantity in targets.items():
            if quantity > TOLERANCE:
                pegs.append(Peg(item, day, order, quantity, kind, demand_item, demand_day))
    return tuple(sorted(pegs, key=lambda p: (p.item, p.start_day, p.demand_day or -1)))


def _requirements(
    problem: Problem, starts: FloatArray, usage: dict[tuple[int, int], float], item: int
) -> list[tuple[int, _Requirement]]:
    """Requirements of an item by day: parent orders' consumption first, then demand."""
    requirements: list[tuple[int, int, _Requirement]] = []
    for parent in problem.parents[item]:
        per_unit = usage[(item, parent)]
        for day in np.flatnonzero(starts[parent] > TOLERANCE).tolist():
            quantity = per_unit * float(starts[parent, day])
            requirements.append((day, 0, _Requirement(quantity, parent_order=(parent, day))))
    for day in np.flatnonzero(problem.demand[item] > 0).tolist():
        quantity = float(problem.demand[item, day])
        requirements.append((day, 1, _Requirement(quantity, external=(item, day))))
    requirements.sort(key=lambda r: (r[0], r[1]))
    return [(day, requirement) for day, _, requirement in requirements]


def _match(
    problem: Problem,
    starts: FloatArray,
    item: int,
    requirements: list[tuple[int, _Requirement]],
    served: dict[tuple[int, int], dict[_Target, float]],
) -> dict[tuple[int, int], dict[_Target, float]]:
    """Match an item's supplies to its requirements first in, first out."""
    lead = int(problem.lead_time[item])
    supplies: list[tuple[int, tuple[int, int] | None, float]] = []
    if problem.on_hand[item] > 0:
        supplies.append((-1, None, float(problem.on_hand[item])))
    for day in np.flatnonzero(problem.receipts[item] > 0).tolist():
        supplies.append((day, None, float(problem.receipts[item, day])))
    for day in np.flatnonzero(starts[item] > TOLERANCE).tolist():
        supplies.append((day + lead, (item, day), float(starts[item, day])))
    supplies.sort(key=lambda s: (s[0], s[1] is not None))
    queue = deque(_Supply(order, quantity) for _, order, quantity in supplies)
    result: dict[tuple[int, int], dict[_Target, float]] = defaultdict(lambda: defaultdict(float))
    for _, requirement in requirements:
        remaining = requirement.quantity
        while remaining > TOLERANCE and queue:
            supply = queue[0]
            taken = min(remaining, supply.quantity)
            if supply.order is not None:
                _credit(result[supply.order], requirement, taken, served)
            supply.quantity -= taken
            remaining -= taken
            if supply.quantity <= TOLERANCE:
                queue.popleft()
    safety = float(problem.safety_stock[item])
    for leftover in queue:
        order, quantity = leftover.order, leftover.quantity
        if order is None:
            safety = max(0.0, safety - quantity)
            continue
        kept = min(quantity, safety)
        safety -= kept
        if kept > TOLERANCE:
            result[order][(PegKind.SAFETY_STOCK, None, None)] += kept
        if quantity - kept > TOLERANCE:
            result[order][(PegKind.SURPLUS, None, None)] += quantity - kept
    return {order: dict(targets) for order, targets in result.items()}


def _credit(
    targets: dict[_Target, float],
    requirement: _Requirement,
    quantity: float,
    served: dict[tuple[int, int], dict[_Target, float]],
) -> None:
    """Record that ``quantity`` of an order goes to ``requirement``."""
    if requirement.external is not None:
        demand_item, demand_day = requirement.external
        targets[(PegKind.DEMAND, demand_item, demand_day)] += quantity
        return
    assert requirement.parent_order is not None
    parent_targets = served.get(requirement.parent_order, {})
    total = sum(parent_targets.values())
    if total <= TOLERANCE:
        targets[(PegKind.SURPLUS, None, None)] += quantity
        return
    for target, share in parent_targets.items():
        targets[target] += quantity * share / total
