"""Classic MRP, as an ERP runs it: gross-to-net explosion with lot rules.

Items are netted in low-level-code order, so that all dependent demand of an
item (from the planned order releases of its parents) is known before the
item is planned. For each item, projected available balance is

    pab[t] = on_hand + sum_{s<=t} (receipts[s] + planned_receipts[s] - gross[s])

and whenever it would fall below safety stock, a planned order is placed to
arrive that day, sized by the item's lot rule (LFL, FOQ, EOQ, POQ, WW, SM),
then raised to ``min_lot`` and rounded up to ``lot_multiple``. The order is
released ``lead_time`` working days earlier; a release that would fall before
the first day is released on the first day and flagged (expedite). Capacity
is ignored, as MRP does: the evaluator says where that breaks.

One step goes beyond a textbook MRP run, because every plan in this project
must be executable: a final pass walks the horizon day by day and starts an
order only as far as its components are physically in stock. Orders that
cannot start (their components were expedited and arrive late) slip to the
first day they can, and a message says so; the lateness then shows as
backlog of the demand they serve, where the evaluator measures it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from models.floor import TOLERANCE, ReleaseRule, arrivals
from models.mrp.lotsizing import (
    economic_order_quantity,
    round_lot,
    silver_meal_covers,
    wagner_whitin_cover,
)
from models.plan import MessageLevel, Plan, PlanMessage, SolveStatus
from models.problem import LotRule, Problem

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class MrpOptions:
    """Switches of the MRP run.

    Parameters
    ----------
    safety_stock
        Plan to keep projected inventory at or above each item's safety stock.
    material_check
        Start orders only as far as their components are in stock (keeps the
        plan executable); without it, the plan is the raw MRP explosion.
    """

    safety_stock: bool = True
    material_check: bool = True


def plan_mrp(problem: Problem, options: MrpOptions | None = None) -> Plan:
    """Plan a problem with classic MRP.

    Parameters
    ----------
    problem
        The plant and its demand.
    options
        Switches; the defaults plan as an ERP does, then make the plan
        executable.

    Returns
    -------
    Plan
        Daily planned order releases, status ``heuristic``, with the run's
        exception messages (expedited releases, orders delayed for lack of
        components).
    """
    options = options or MrpOptions()
    started = time.perf_counter()
    explosion = explode(problem, options)
    starts, messages = explosion.starts, list(explosion.messages)
    if options.material_check:
        starts, delays = _start_as_materials_allow(problem, starts)
        messages += delays
    return Plan(
        strategy="mrp",
        starts=starts,
        status=SolveStatus.HEURISTIC,
        seconds=time.perf_counter() - started,
        messages=tuple(messages),
    )


@dataclass
class Explosion:
    """The raw MRP explosion: planned order releases and the expedite messages."""

    starts: FloatArray
    messages: list[PlanMessage]


def explode(problem: Problem, options: MrpOptions) -> Explosion:
    """Gross-to-net explosion, level by level down the BOM, capacity and materials ignored."""
    n_items, n_days = problem.n_items, problem.n_days
    gross = np.array(problem.demand, dtype=float)
    starts = np.zeros((n_items, n_days))
    messages: list[PlanMessage] = []
    codes = problem.low_level_code
    bom = problem.bom_matrix.tocsc()
    for level in range(int(codes.max(initial=0)) + 1):
        level_items = np.flatnonzero(codes == level)
        for i in level_items.tolist():
            receipts = net_item(problem, i, gross[i], options)
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


def net_item(problem: Problem, i: int, gross: FloatArray, options: MrpOptions) -> FloatArray:
    """Planned receipts of one item: net its gross requirements with its lot rule."""
    item = problem.items[i]
    safety = float(problem.safety_stock[i]) if options.safety_stock else 0.0
    projected_array = problem.on_hand[i] + np.cumsum(problem.receipts[i] - gross)
    if not np.any(projected_array < safety - TOLERANCE):
        return np.zeros_like(gross)
    if item.lot_rule is LotRule.LFL and not item.min_lot and not item.lot_multiple:
        deficit = np.maximum.accumulate(np.maximum(safety - projected_array, 0.0))
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
            quantity = math.ceil(shortfall / item.lot_size - 1e-9) * item.lot_size
        elif item.lot_rule is LotRule.EOQ:
            if math.isinf(eoq):
                quantity = safety - min(projected[day:]) - added
            else:
                quantity = max(shortfall, eoq)
        else:
            quantity = safety - min(projected[day : day + covering(day)]) - added
        quantity = round_lot(max(quantity, shortfall), item.min_lot, item.lot_multiple)
        receipts[day] = quantity
        added += quantity
    return np.array(receipts)


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
        f"release in the past: {early.sum():g} units of {item.code} needed from "
        f"{problem.days[first_need]} would have to start before the first day "
        f"(lead time {item.lead_time} days); released on {problem.days[0]}, "
        f"available {arrival}: expedite",
        item=i,
        day=0,
    )


def _start_as_materials_allow(
    problem: Problem, planned: FloatArray
) -> tuple[FloatArray, list[PlanMessage]]:
    """Start planned orders day by day, only as far as components are in stock.

    Each day starts what is planned plus what waits, as the shop floor
    would (:meth:`models.floor.ReleaseRule.start_what_fits`, capacity not checked): a
    start that lacks components waits, whole or in part, for the next day.
    """
    n_items, n_days = planned.shape
    bom = problem.bom_matrix.tocsc()
    lead = problem.lead_time
    final = np.zeros_like(planned)
    pending = np.zeros(n_items)
    position = problem.on_hand.astype(float).copy()
    delayed_units = np.zeros(n_items)
    first_delay = np.full(n_items, -1)
    short_component = np.full(n_items, -1)
    rule = ReleaseRule(problem)
    for day in range(n_days):
        arriving = arrivals(final, day, lead)
        stock = np.maximum(position, 0.0) + problem.receipts[:, day] + arriving
        wanted = planned[:, day] + pending
        final[:, day], short = rule.start_what_fits(wanted, stock)
        short_component = np.where(short >= 0, short, short_component)
        pending = wanted - final[:, day]
        pending[pending < TOLERANCE] = 0.0
        late = pending > 0
        delayed_units[late] += pending[late]
        first_delay[late & (first_delay < 0)] = day
        consumed = np.asarray(bom @ final[:, day], dtype=float)
        immediate = np.where(lead == 0, final[:, day], 0.0)
        position += (
            problem.receipts[:, day] + arriving + immediate - problem.demand[:, day] - consumed
        )
    return final, _delay_messages(problem, pending, first_delay, short_component, delayed_units)


def _delay_messages(
    problem: Problem,
    never_started: FloatArray,
    first_delay: npt.NDArray[np.int_],
    short_component: npt.NDArray[np.int_],
    delayed_units: FloatArray,
) -> list[PlanMessage]:
    messages = []
    for i in np.flatnonzero(first_delay >= 0).tolist():
        code = problem.items[i].code
        component = problem.items[int(short_component[i])].code
        day = int(first_delay[i])
        text = (
            f"orders of {code} wait for component {component}: starts slip from "
            f"{problem.days[day]} on ({delayed_units[i]:g} unit-days of delay)"
        )
        if never_started[i] > TOLERANCE:
            text += f"; {never_started[i]:g} units cannot start within the horizon"
        messages.append(PlanMessage(MessageLevel.WARNING, text, item=i, day=day))
    return messages
