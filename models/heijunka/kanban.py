r"""Kanban loops and the day-by-day pull simulation of a heijunka plan.

Every item with usage that is not levelled (components, purchased items,
made items that other items use) is kept in a supermarket and replenished by
a kanban loop. With daily usage :math:`u`, lead time :math:`L`, review
interval :math:`N` (the work center's EPEI cycle, 1 for purchased items),
safety factor :math:`f` (days) and container size :math:`c`, the loop holds

.. math::

    K = \left\lceil \frac{u\,(L + N + f)}{c} \right\rceil

cards, the classic sizing with the one-day review of ``N = 1`` generalised
to a cycle of N days. A loop that must order whole minimum lots gets the
cards for one minimum lot on top of its lead-time usage. With Settings
``kanban_lot = economic`` a loop is a signal kanban: it holds :math:`Q - 1`
more cards, :math:`Q` its economic lot in containers
(:func:`economic_containers`), and orders once :math:`Q` containers have
been used, so that a costly setup or purchase order is paid once per lot,
not once per container; ``container`` (the default, pure pull) keeps
:math:`Q = 1`.

The simulation plays the horizon day by day. Items are visited parents
first, so every item sees today's consumption of its parents before it is
reviewed:

- a levelled item starts its level quantity plus whatever it could not start
  before, as far as its components are on hand and its work center has
  capacity (regular plus overtime); what does not fit is carried to the next
  day;
- on its review day, a kanban item whose inventory position (on hand plus
  open orders, less backlog) is at or below its trigger level (one lot
  below the loop's maximum) orders enough containers to refill the
  loop, rounded to its lot rules; a made item's order fits its work
  center's remaining regular capacity, and may use overtime only when the
  supermarket would otherwise run dry within the lead time; its components
  must be on hand.

Components are consumed on the day their parent starts and must be on hand
(the spec's flow balance), so the plan never has a component shortage, and
no work center is loaded beyond its capacity plus overtime.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from models.plan import KanbanLoop, MessageLevel, PlanMessage
from models.problem import Problem

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int_]
BoolArray = npt.NDArray[np.bool_]

_EPS = 1e-9


def kanban_cards(
    usage: float,
    lead_time: int,
    interval: int,
    safety_factor: float,
    container_qty: float,
    min_lot: float = 0.0,
) -> int:
    """Cards of one loop (see the module docstring); 0 for an item without usage."""
    if usage <= 0:
        return 0
    cards = math.ceil(usage * (lead_time + interval + safety_factor) / container_qty - 1e-9)
    if min_lot > 0:
        cards = max(
            cards,
            math.ceil(min_lot / container_qty - 1e-9)
            + math.ceil(usage * (lead_time + 1) / container_qty - 1e-9),
        )
    return max(1, cards)


def economic_containers(
    usage: float, setup_cost: float, holding_cost: float, container_qty: float, most_days: int
) -> int:
    r"""Containers per replenishment of a loop: the economic lot, in whole containers.

    The economic order quantity :math:`\sqrt{2 S u / h}` (setup or order
    cost :math:`S`, daily usage :math:`u`, holding cost :math:`h` per unit
    and day) rounded to the nearest whole number of containers, at least one
    and at most ``most_days`` of usage (the level period). A loop whose lot
    is more than one container works as a signal kanban: it orders once the
    lot has been used, so that a costly setup is not paid for every
    container.
    """
    if usage <= 0:
        return 0
    if holding_cost <= 0:
        units = usage * most_days
    else:
        units = math.sqrt(2.0 * max(setup_cost, 0.0) * usage / holding_cost)
    most = max(1, math.ceil(usage * most_days / container_qty - 1e-9))
    return int(min(most, max(1, round(units / container_qty))))


@dataclass(frozen=True, eq=False)
class PullSimulation:
    """What the pull simulation started, and why some level quantities waited.

    Parameters
    ----------
    starts
        ``[item, day]`` units started.
    load
        ``[work_center, day]`` minutes used, one setup per item started.
    peak_inventory
        Largest on-hand quantity of each item over the horizon.
    loops
        The kanban loops, parents first.
    messages
        Level quantities delayed by missing components or capacity.
    """

    starts: FloatArray
    load: FloatArray
    peak_inventory: FloatArray
    loops: tuple[KanbanLoop, ...]
    messages: tuple[PlanMessage, ...]


class _Supermarkets:
    """Stock of every item during the simulation, in the spec's flow terms."""

    def __init__(self, problem: Problem) -> None:
        self.net = problem.on_hand.astype(float).copy()
        self.physical = np.zeros(problem.n_items)
        self.open = problem.receipts.sum(axis=1).astype(float)
        self.peak = np.maximum(self.net, 0.0)

    def open_day(self, receipts: FloatArray, arrivals: FloatArray, demand: FloatArray) -> None:
        """Receive today's receipts and arrivals and ship today's external demand."""
        self.physical = np.maximum(self.net, 0.0) + receipts + arrivals
        self.open -= receipts + arrivals
        self.net += receipts + arrivals - demand

    def close_day(self) -> None:
        """Record the day's closing inventory."""
        self.peak = np.maximum(self.peak, self.net)

    def position(self, item: int) -> float:
        """On hand plus open orders, less backlog."""
        return float(self.net[item] + self.open[item])


def simulate_pull(
    problem: Problem,
    level_starts: FloatArray,
    levelled: BoolArray,
    usage: FloatArray,
    interval: IntArray,
    review_days: BoolArray,
    forced_setups: FloatArray | None = None,
) -> PullSimulation:
    """Play the level schedule and the kanban loops day by day (module docstring).

    Parameters
    ----------
    problem
        The plant.
    level_starts
        ``[item, day]`` level quantities of the levelled items.
    levelled
        Which items are levelled.
    usage
        Average daily usage of each item (sizes the loops).
    interval, review_days
        Each item's review interval and ``[item, day]`` review days.
    forced_setups
        Setups per container that sequence rules force on an item
        (:func:`models.levelling.ruled_setups`), charged as capacity.
    """
    n_days = problem.n_days
    lead = problem.lead_time
    container = problem.container_qty
    kanban = ~levelled & (usage > 0)
    if forced_setups is None:
        forced_setups = np.zeros(problem.n_items)
    factor = problem.settings.kanban_safety_factor
    cards = np.array(
        [
            kanban_cards(
                usage[i],
                int(lead[i]),
                int(interval[i]),
                factor,
                container[i],
                problem.min_lot[i],
            )
            if kanban[i]
            else 0
            for i in range(problem.n_items)
        ],
        dtype=np.int_,
    )
    economic = problem.settings.kanban_lot == "economic"
    lot = np.array(
        [
            economic_containers(
                usage[i],
                problem.setup_cost[i],
                problem.holding_cost[i],
                container[i],
                problem.settings.level_period,
            )
            if kanban[i] and economic
            else 1
            for i in range(problem.n_items)
        ],
        dtype=np.int_,
    )
    cards += lot - 1
    order_up_to = cards * container + problem.safety_stock * kanban
    trigger = order_up_to - lot * container
    urgent = usage * (lead + 1)

    starts = np.zeros((problem.n_items, n_days))
    load = np.zeros((len(problem.work_centers), n_days))
    carried = np.zeros(problem.n_items)
    stock = _Supermarkets(problem)
    by_parent = problem.bom_matrix.tocsc()
    children = [
        list(
            zip(
                by_parent.indices[by_parent.indptr[i] : by_parent.indptr[i + 1]].tolist(),
                by_parent.data[by_parent.indptr[i] : by_parent.indptr[i + 1]].tolist(),
                strict=True,
            )
        )
        for i in range(problem.n_items)
    ]
    delays: dict[int, tuple[int, str]] = {}
    reach = n_days - 1 - lead

    def material_limit(item: int) -> float:
        limit = np.inf
        for child, qty in children[item]:
            if qty > 0:
                limit = min(limit, stock.physical[child] / qty)
        return limit

    per_unit = problem.run_time + problem.setup_time * forced_setups / container

    def capacity_limit(item: int, day: int, overtime: bool) -> float:
        if not problem.is_make[item]:
            return np.inf
        w = problem.item_work_center[item]
        room = problem.capacity[w, day] + (problem.overtime_capacity[w, day] if overtime else 0.0)
        room -= load[w, day] + problem.setup_time[item]
        if room < -_EPS:
            return 0.0
        run = per_unit[item]
        return np.inf if run <= 0 else max(0.0, room) / run

    def start(item: int, day: int, qty: float) -> None:
        starts[item, day] = qty
        for child, per in children[item]:
            stock.physical[child] -= per * qty
            stock.net[child] -= per * qty
        if problem.is_make[item]:
            w = problem.item_work_center[item]
            load[w, day] += problem.setup_time[item] + per_unit[item] * qty
        if lead[item] == 0:
            stock.physical[item] += qty
            stock.net[item] += qty
        else:
            stock.open[item] += qty

    for day in range(n_days):
        arrivals = np.zeros(problem.n_items)
        source = day - lead
        due = (source >= 0) & (lead > 0)
        arrivals[due] = starts[due, source[due]]
        stock.open_day(problem.receipts[:, day], arrivals, problem.demand[:, day])
        for item in problem.topological_order:
            if day > reach[item]:
                continue
            if levelled[item]:
                wanted = level_starts[item, day] + carried[item]
                if wanted <= _EPS:
                    continue
                material = material_limit(item)
                fits = min(material, capacity_limit(item, day, overtime=True))
                qty = min(wanted, _whole(fits, container[item]))
                if qty > _EPS:
                    start(item, day, qty)
                carried[item] = wanted - max(qty, 0.0)
                if carried[item] > _EPS and item not in delays:
                    delays[item] = (day, "components" if material < wanted else "capacity")
            elif kanban[item] and review_days[item, day]:
                position = stock.position(item)
                if position > trigger[item] + _EPS:
                    continue
                qty = _lot(order_up_to[item] - position, container[item], problem, item)
                may_overtime = position < urgent[item]
                fits = min(material_limit(item), capacity_limit(item, day, may_overtime))
                qty = min(qty, _whole(fits, _granule(problem, item)))
                if qty > _EPS and qty + _EPS >= problem.min_lot[item]:
                    start(item, day, qty)
        stock.close_day()

    loops = tuple(
        KanbanLoop(
            item=int(i),
            container_qty=float(container[i]),
            cards=int(cards[i]),
            max_inventory=float(cards[i] * container[i]),
            daily_usage=float(usage[i]),
            lead_time=int(lead[i]),
            interval=int(interval[i]),
            trigger_level=float(trigger[i]),
            peak_inventory=float(stock.peak[i]),
        )
        for i in problem.topological_order
        if kanban[i]
    )
    return PullSimulation(
        starts, load, stock.peak, loops, _delay_messages(problem, delays, carried, starts)
    )


def _granule(problem: Problem, item: int) -> float:
    """The smallest step of an order: the lot multiple, else one container."""
    multiple = problem.lot_multiple[item]
    return float(multiple) if multiple > 0 else float(problem.container_qty[item])


def _whole(limit: float, step: float) -> float:
    """The largest multiple of ``step`` not above ``limit``."""
    if not np.isfinite(limit):
        return np.inf
    return math.floor(limit / step + 1e-9) * step


def _lot(needed: float, container: float, problem: Problem, item: int) -> float:
    """An order refilling ``needed`` units: whole containers, then the item's lot rules."""
    qty = max(container, math.ceil(needed / container - 1e-9) * container)
    qty = max(qty, float(problem.min_lot[item]))
    multiple = problem.lot_multiple[item]
    if multiple > 0:
        qty = math.ceil(qty / multiple - 1e-9) * multiple
    return float(qty)


def _delay_messages(
    problem: Problem,
    delays: dict[int, tuple[int, str]],
    carried: FloatArray,
    starts: FloatArray,
) -> tuple[PlanMessage, ...]:
    messages = []
    for item, (day, cause) in sorted(delays.items(), key=lambda kv: kv[1][0]):
        why = (
            "its components were not on hand"
            if cause == "components"
            else f"work center {problem.work_centers[problem.item_work_center[item]].code} was full"
        )
        left = carried[item]
        tail = f"; {left:,.0f} units never started" if left > _EPS else ""
        messages.append(
            PlanMessage(
                MessageLevel.WARNING,
                f"the level quantity of {problem.items[item].code} waited from "
                f"{problem.date_of(day).isoformat()}: {why}{tail}",
                item=item,
                day=day,
            )
        )
    return tuple(messages)
