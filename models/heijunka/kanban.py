r"""Kanban loops and the day-by-day pull simulation of a heijunka plan.

Every item with usage that is not levelled (components, purchased items,
made items that other items use) is kept in a supermarket and replenished by
a kanban loop on its slots of the product wheel (its review days). With
daily usage :math:`u` and its standard deviation :math:`\sigma`, lead time
:math:`L`, cycle :math:`N` (days between reviews: the item's cycle on the
wheel, or a purchased item's delivery interval), service-level quantile
:math:`z`, extra safety days :math:`f`, the workbook's safety stock
:math:`s` and container size :math:`c`, the loop holds

.. math::

    K = \left\lceil \frac{u\,(L + N) + \max(s,\ z\,\sigma\sqrt{L + N} + u f)}{c} \right\rceil

cards: the cycle stock :math:`uN`, the lead-time stock :math:`uL` and the
safety stock from demand variability over lead time plus review interval,
at least the workbook's (both buffer the same variability: the loop holds
the larger, not their sum).
A loop that must order whole minimum lots gets the cards for one minimum lot
on top of its lead-time usage. At a review, a loop orders when it has used
at least its lot: one container (``kanban_lot = container``) or its economic
lot :math:`Q` in containers (``economic``, :func:`economic_containers`,
which then adds :math:`Q - 1` cards). A loop whose order is more than one
container works as a signal kanban: one order, one setup, per review.

The simulation plays the horizon day by day. Items are visited parents
first, so every item sees today's consumption of its parents before it is
reviewed:

- a levelled item starts its level quantity plus whatever it could not start
  before, as far as its components are on hand and its work center has
  capacity (regular plus overtime); what does not fit is carried to the next
  day;
- on its review day (its slot on the wheel), a kanban item whose inventory
  position (on hand plus open orders, less backlog) is at or below its
  trigger level (one lot below the loop's maximum) orders enough
  containers to refill the loop, rounded to its lot rules; a made item's
  order fits its work center's remaining regular capacity, and may use
  overtime only when the supermarket would otherwise run dry within the
  lead time; its components must be on hand. An order cut short by
  missing components or capacity goes on the next day (its cards wait on
  the board), and a supermarket about to run dry within its lead time
  orders at once, slot or not (an emergency replenishment). An order the
  day can only start in part, though a day of its own would hold it (or a
  whole day's work of it), waits while the supermarket has a day of cover
  to spare: started in part, it would need another setup for the rest.

The cards are sized from average usage; at each review the loop is refilled
to what the forecast says will be used until its next slot's order arrives
(its lead time plus the days to its next slot), plus its safety stock (a
dynamic kanban, re-sized from the forecast): a loop whose parents still
live off their own stock holds less, and near the horizon's end the loops
run down instead of ending full.

Components are consumed on the day their parent starts and must be on hand
(the spec's flow balance), so the plan never has a component shortage, and
no work center is loaded beyond its capacity plus overtime.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from models.floor import (
    TOLERANCE,
    arrivals,
    capacity_limit,
    components,
    material_limit,
    whole_steps,
)
from models.heijunka.design import PullDesign
from models.heijunka.options import KanbanLot
from models.plan import KanbanLoop, MessageLevel, PlanMessage
from models.problem import Problem, SequenceRule
from models.sequencing import most_carriers, rule_carriers
from models.wording import counted

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int_]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class LoopStock:
    """The terms that size one loop, in units: what it covers between and during replenishments."""

    cycle: float
    lead_time: float
    safety: float

    @classmethod
    def of(
        cls,
        usage: float,
        deviation: float,
        lead_time: int,
        interval: int,
        z: float,
        safety_factor: float = 0.0,
        least_safety: float = 0.0,
    ) -> LoopStock:
        """Cycle stock ``u N``, lead-time stock ``u L`` and safety ``z sigma sqrt(L + N) + u f``.

        The safety stock is at least ``least_safety`` (the workbook's safety
        stock of the item): both buffer the same variability, so the loop
        holds the larger, not their sum.
        """
        safety = z * deviation * math.sqrt(lead_time + interval) + usage * safety_factor
        return cls(usage * interval, usage * lead_time, max(0.0, least_safety, safety))

    @property
    def total(self) -> float:
        """Units the loop holds at most."""
        return self.cycle + self.lead_time + self.safety


def kanban_cards(stock: LoopStock, usage: float, container_qty: float, min_lot: float = 0.0) -> int:
    """Cards of one loop (see the module docstring); 0 for an item without usage."""
    if usage <= 0:
        return 0
    cards = math.ceil(stock.total / container_qty - TOLERANCE)
    if min_lot > 0:
        cards = max(
            cards,
            math.ceil(min_lot / container_qty - TOLERANCE)
            + math.ceil((stock.lead_time + usage) / container_qty - TOLERANCE),
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
    most = max(1, math.ceil(usage * most_days / container_qty - TOLERANCE))
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


@dataclass(frozen=True, eq=False)
class _Loops:
    """The kanban loops' sizes: which items have one, cards, lot, refill and trigger levels."""

    kanban: BoolArray
    stock: tuple[LoopStock | None, ...]
    cards: IntArray
    lot: IntArray
    order_up_to: FloatArray
    trigger: FloatArray

    @classmethod
    def of(cls, problem: Problem, design: PullDesign) -> _Loops:
        usage, container, lead = design.usage, problem.container_qty, problem.lead_time
        kanban = ~design.levelled & (usage > 0)
        stock = tuple(
            LoopStock.of(
                float(usage[i]),
                float(design.profile.deviation[i]),
                int(lead[i]),
                int(design.cycle[i]),
                design.safety_z,
                design.safety_factor,
                float(problem.safety_stock[i]),
            )
            if kanban[i]
            else None
            for i in range(problem.n_items)
        )
        cards = np.array(
            [
                kanban_cards(sized, usage[i], container[i], problem.min_lot[i]) if sized else 0
                for i, sized in enumerate(stock)
            ],
            dtype=np.int_,
        )
        economic = design.kanban_lot is KanbanLot.ECONOMIC
        lot = np.array(
            [
                economic_containers(
                    usage[i],
                    problem.setup_cost[i],
                    problem.holding_cost[i],
                    container[i],
                    design.level_period,
                )
                if kanban[i] and economic
                else 1
                for i in range(problem.n_items)
            ],
            dtype=np.int_,
        )
        cards += lot - 1
        order_up_to = cards * container
        return cls(kanban, stock, cards, lot, order_up_to, order_up_to - lot * container)


def simulate_pull(problem: Problem, level_starts: FloatArray, design: PullDesign) -> PullSimulation:
    """Play the level schedule and the kanban loops day by day (module docstring).

    Parameters
    ----------
    problem
        The plant.
    level_starts
        ``[item, day]`` level quantities of the levelled items.
    design
        The pull system: which items are levelled, the usage that sizes the
        loops, review days, the setups sequence rules force (charged as
        capacity) and the loops' policy.
    """
    loops = _Loops.of(problem, design)
    floor = _PullFloor(problem, design)
    mixing = _Mixing(problem, level_starts)
    usage = np.where(design.usage > 0, design.usage, 1.0)
    levelled, container = design.levelled, problem.container_qty
    urgent = design.usage * (problem.lead_time + 1)
    carried = np.zeros(problem.n_items)
    behind = np.zeros(problem.n_items, dtype=bool)
    safety = np.array([stock.safety if stock else 0.0 for stock in loops.stock])
    delays: dict[int, tuple[int, str]] = {}
    reach = problem.n_days - 1 - problem.lead_time
    for day in range(problem.n_days):
        floor.open_day(day)
        cover = np.where(levelled, -np.inf, (floor.stock.net + floor.stock.open) / usage)
        for item in mixing.visiting_order(cover):
            if day > reach[item]:
                continue
            if levelled[item]:
                wanted = level_starts[item, day] + carried[item]
                if wanted <= TOLERANCE:
                    continue
                material = floor.material_limit(item)
                fits = min(material, floor.capacity_limit(item, day, overtime=True))
                fits = min(fits, mixing.room(item, day) * container[item])
                qty = min(wanted, whole_steps(fits, container[item]))
                if qty > TOLERANCE:
                    floor.start(item, day, qty)
                    mixing.place(item, day, qty / container[item])
                carried[item] = wanted - max(qty, 0.0)
                if carried[item] > TOLERANCE and item not in delays:
                    delays[item] = (day, "components" if material < wanted else "capacity")
            elif loops.kanban[item]:
                position = floor.stock.position(item)
                due = design.review_days[item, day] or behind[item] or position < urgent[item]
                if not due or position > loops.trigger[item] + TOLERANCE:
                    behind[item] = False
                    continue
                window = int(problem.lead_time[item]) + design.to_next_slot(item, day)
                refill = design.coming(item, day, window) + safety[item]
                if refill - position <= TOLERANCE:
                    behind[item] = False
                    continue
                wanted = _lot(refill - position, container[item], problem, item)
                may_overtime = position < urgent[item]
                fits = min(
                    floor.material_limit(item), floor.capacity_limit(item, day, may_overtime)
                )
                fits = min(fits, mixing.room(item, day) * container[item])
                qty = min(wanted, whole_steps(fits, _granule(problem, item)))
                can_wait = position >= urgent[item] + design.usage[item]
                if can_wait and qty < floor.day_share(item, day, wanted) - TOLERANCE:
                    qty = 0.0
                if qty > TOLERANCE and qty + TOLERANCE >= problem.min_lot[item]:
                    floor.start(item, day, qty)
                    mixing.place(item, day, qty / container[item])
                else:
                    qty = 0.0
                behind[item] = qty < wanted - TOLERANCE
        floor.stock.close_day()
    return PullSimulation(
        floor.starts,
        floor.load,
        floor.stock.peak,
        _kanban_loops(problem, design, loops, floor.stock.peak),
        _delay_messages(problem, delays, carried, floor.starts),
    )


class _Mixing:
    """How many containers of a ruled item a day's mix can take without breaking a rule.

    With :math:`F` containers of a work center's day that do not carry a
    rule's attribute, a sequence holds at most
    :func:`~models.sequencing.days.most_carriers` of them. A levelled
    carrier may always start its own level quantity (the level schedule
    keeps each rule); what it catches up on beyond that, and every kanban
    carrier, is held to what the day's other containers started so far can
    separate. Carriers are visited after the
    other items of their BOM level (:meth:`visiting_order`), so the others
    are all counted by then.
    """

    def __init__(self, problem: Problem, level_starts: FloatArray) -> None:
        self.problem = problem
        self.level = level_starts / problem.container_qty[:, None]
        self.carriers: dict[tuple[int, int], float] = {}
        self.others: dict[tuple[int, int], float] = {}
        self.rules: list[list[tuple[int, BoolArray, SequenceRule]]] = []
        centers = problem.item_work_center
        for w in range(len(problem.work_centers)):
            members = np.flatnonzero(centers == w)
            applying = []
            for r, rule in enumerate(problem.sequence_rules):
                marked = np.zeros(problem.n_items, dtype=bool)
                marked[members] = rule_carriers(problem, rule, members, w)
                if marked.any() and rule.max_in_window < rule.window:
                    applying.append((r, marked, rule))
            self.rules.append(applying)
        self.carries = np.zeros(problem.n_items, dtype=bool)
        for applying in self.rules:
            for _, marked, _ in applying:
                self.carries |= marked

    def room(self, item: int, day: int) -> float:
        """Containers of ``item`` the day may still take (infinite when no rule limits it)."""
        w = int(self.problem.item_work_center[item])
        most = math.inf
        for r, marked, rule in self.rules[w] if w >= 0 else ():
            if not marked[item]:
                continue
            others = math.floor(self.others.get((day, r), 0.0) + TOLERANCE)
            allowed = most_carriers(others, rule)
            most = min(
                most, max(float(self.level[item, day]), allowed - self.carriers.get((day, r), 0.0))
            )
        return max(0.0, most)

    def visiting_order(self, cover: FloatArray) -> list[int]:
        """Items parents first; on one BOM level, those that carry a ruled attribute last,
        and otherwise the supermarkets with the fewest days of cover first.

        A carrier then sees every other container its day holds before it
        takes its share of the sequence, and where loops compete for a work
        center, the one closest to running dry is served first (the kanban
        board's priority rule).
        """
        problem = self.problem
        ranked = np.lexsort((cover, self.carries, problem.low_level_code))
        return [int(i) for i in ranked]

    def place(self, item: int, day: int, containers: float) -> None:
        """Count ``containers`` of ``item`` started on ``day`` against its work center's rules."""
        w = int(self.problem.item_work_center[item])
        for r, marked, _ in self.rules[w] if w >= 0 else ():
            tally = self.carriers if marked[item] else self.others
            tally[(day, r)] = tally.get((day, r), 0.0) + containers


class _PullFloor:
    """The pull simulation's shop floor: supermarkets, starts and work-center load."""

    def __init__(self, problem: Problem, design: PullDesign) -> None:
        self.problem = problem
        self.starts = np.zeros((problem.n_items, problem.n_days))
        self.load = np.zeros((len(problem.work_centers), problem.n_days))
        self.stock = _Supermarkets(problem)
        self.parts = components(problem)
        self.per_unit = problem.run_time + design.forced_minutes / problem.container_qty

    def open_day(self, day: int) -> None:
        """Receive today's receipts and arrivals, and ship today's demand."""
        problem = self.problem
        arriving = arrivals(self.starts, day, problem.lead_time)
        self.stock.open_day(problem.receipts[:, day], arriving, problem.demand[:, day])

    def material_limit(self, item: int) -> float:
        """Most units of ``item`` its components on hand allow."""
        children, per_unit = self.parts[item]
        return material_limit(self.stock.physical[children], per_unit)

    def capacity_limit(self, item: int, day: int, overtime: bool) -> float:
        """Most units of ``item`` its work center's minutes left allow (with overtime or not)."""
        problem = self.problem
        if not problem.is_make[item]:
            return math.inf
        w = problem.item_work_center[item]
        room = problem.capacity[w, day] + (problem.overtime_capacity[w, day] if overtime else 0.0)
        setup = float(problem.setup_time[item])
        return capacity_limit(float(room - self.load[w, day]), setup, float(self.per_unit[item]))

    def day_share(self, item: int, day: int, wanted: float) -> float:
        """The least part of an order worth a setup today: all of it, or a whole day's work.

        An order the day's minutes left cannot hold, though an empty day
        could, waits: started in part, it would need another setup for the
        rest.
        """
        problem = self.problem
        if not problem.is_make[item]:
            return 0.0
        w = problem.item_work_center[item]
        whole_day = capacity_limit(
            float(problem.capacity[w, day]),
            float(problem.setup_time[item]),
            float(self.per_unit[item]),
        )
        return min(wanted, whole_steps(whole_day, _granule(problem, item)))

    def start(self, item: int, day: int, qty: float) -> None:
        """Start ``qty`` of ``item``: consume its components, load its work center."""
        problem, stock = self.problem, self.stock
        self.starts[item, day] = qty
        children, per_unit = self.parts[item]
        stock.physical[children] -= per_unit * qty
        stock.net[children] -= per_unit * qty
        if problem.is_make[item]:
            w = problem.item_work_center[item]
            self.load[w, day] += problem.setup_time[item] + self.per_unit[item] * qty
        if problem.lead_time[item] == 0:
            stock.physical[item] += qty
            stock.net[item] += qty
        else:
            stock.open[item] += qty


def _kanban_loops(
    problem: Problem, design: PullDesign, loops: _Loops, peak: FloatArray
) -> tuple[KanbanLoop, ...]:
    """The loops as the plan reports them, parents first."""
    container = problem.container_qty
    return tuple(
        KanbanLoop(
            item=int(i),
            container_qty=float(container[i]),
            cards=int(loops.cards[i]),
            max_inventory=float(loops.cards[i] * container[i]),
            daily_usage=float(design.usage[i]),
            lead_time=int(problem.lead_time[i]),
            interval=int(design.cycle[i]),
            trigger_level=float(loops.trigger[i]),
            peak_inventory=float(peak[i]),
            cycle_stock=_term(loops.stock[i], "cycle"),
            lead_time_stock=_term(loops.stock[i], "lead_time"),
            safety_stock=_term(loops.stock[i], "safety"),
            lot_containers=int(loops.lot[i]),
        )
        for i in problem.topological_order
        if loops.kanban[i]
    )


def _term(stock: LoopStock | None, name: str) -> float:
    return float(getattr(stock, name)) if stock is not None else 0.0


def _granule(problem: Problem, item: int) -> float:
    """The smallest step of an order: the lot multiple, else one container."""
    multiple = problem.lot_multiple[item]
    return float(multiple) if multiple > 0 else float(problem.container_qty[item])


def _lot(needed: float, container: float, problem: Problem, item: int) -> float:
    """An order refilling ``needed`` units: whole containers, then the item's lot rules."""
    qty = max(container, math.ceil(needed / container - TOLERANCE) * container)
    qty = max(qty, float(problem.min_lot[item]))
    multiple = problem.lot_multiple[item]
    if multiple > 0:
        qty = math.ceil(qty / multiple - TOLERANCE) * multiple
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
        tail = f"; {counted(round(left), 'unit')} never started" if left > TOLERANCE else ""
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
