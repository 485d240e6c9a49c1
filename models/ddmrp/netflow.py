"""Planning by net flow: each day, a buffer at or below top of yellow orders up to top of green.

The day-by-day loop (formulas in ``docs/ddmrp.md``), on working day ``t``:

1. What arrives today arrives: scheduled receipts and the starts whose lead
   time ends today.
2. Items whose demand is within their decoupled lead time and that are not
   buffered are made to order: demand due on ``t + DLT`` is ordered today
   (on the first day, every demand due within the decoupled lead time).
3. Buffers, parents before components, compute their net flow position
   ``NFP = on hand + on order - qualified demand`` (on order: what is
   ordered and not yet arrived, scheduled receipts included), where qualified demand
   is today's demand, past-due demand, the components the parents' open
   orders still need, and the spikes ahead: days within the spike horizon
   whose demand exceeds ``spike_threshold`` times the red zone. When
   ``NFP <= TOY`` the buffer orders ``TOG - NFP``, raised to the item's
   minimum lot and lot multiple, at most what a day of the work center
   makes (each day started costs a setup, so a larger order saves none).
4. An order of an item is exploded through its components that are not
   buffered (decoupled explosion): each is ordered, net of its free stock,
   to start so that it is ready when its parent starts; the parent starts
   once its longest unbuffered component path is done. A buffered
   component is not exploded: the parent's order is an allocation on it.
5. The shop floor starts today's orders, deepest BOM level first, as far as
   components on hand and the work center's regular and overtime minutes
   allow (:class:`models.floor.ReleaseRule`); what does not fit waits, and
   stays on order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from models.ddmrp.buffers import BufferZones
from models.ddmrp.options import DdmrpOptions
from models.floor import TOLERANCE, ReleaseRule, arrivals, components, deepest_first
from models.plan import MessageLevel, PlanMessage
from models.problem import Problem
from models.requirements.explosion import order_lot
from models.sequencing import rule_abiding_starts, ruled_setup_minutes
from models.wording import counted

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class NetFlowRun:
    """The net flow loop's plan and its buffers' daily state (``[item, day]``).

    ``starts`` are what the loop's shop floor started (components, minutes
    and rules allowing); ``scheduled`` the orders by the day they were to
    start.

    ``on_hand`` is stock less backlog at the start of the day (after
    arrivals); ``on_order`` what is ordered and not yet arrived (waiting,
    scheduled and in transit); ``qualified`` the qualified demand;
    ``net_flow`` the net flow position; ``ordered`` the buffer's orders.
    ``orders`` logs every order and exploded component order, as
    :class:`OrderLog`.
    """

    starts: FloatArray
    scheduled: FloatArray
    on_hand: FloatArray
    on_order: FloatArray
    qualified: FloatArray
    net_flow: FloatArray
    ordered: FloatArray
    messages: tuple[PlanMessage, ...]
    orders: OrderLog


@dataclass(frozen=True)
class OrderLog:
    """The orders a net flow run placed: on which day, of which item, to start when, how many.

    Orders that were already released when the run began are logged on
    day -1. A daily replan takes over the orders its previous plan had
    released by then (:meth:`released`).
    """

    day: IntArray
    item: IntArray
    start: IntArray
    qty: FloatArray

    def released(self, elapsed: int, n_items: int, n_days: int) -> FloatArray:
        """``[item, day]`` starts still to come ``elapsed`` days on, of orders placed before then.

        Day 0 of the result is ``elapsed`` days after the run's first day.
        """
        matrix = np.zeros((n_items, n_days))
        chosen = (self.day < elapsed) & (self.start >= elapsed) & (self.start - elapsed < n_days)
        np.add.at(matrix, (self.item[chosen], self.start[chosen] - elapsed), self.qty[chosen])
        return matrix


def run_net_flow(
    problem: Problem,
    buffered: BoolArray,
    zones: BufferZones,
    options: DdmrpOptions,
    days: int | None = None,
    released: FloatArray | None = None,
) -> NetFlowRun:
    """Plan ``problem`` by net flow, day by day, the ``buffered`` items sized by ``zones``.

    ``days`` plans only the first days (a daily replan needs no more than
    the longest decoupled lead time): the later days start nothing, and what
    is ordered for them is in ``scheduled``.
    ``released`` are orders placed before that have not started
    (``[item, day]``): they are on order from the first day and start as
    scheduled, the components they need are committed (an unbuffered
    item's free stock is its stock and supply less its parents' released
    orders' needs), and the demand they were made to order for is not
    ordered again.
    """
    loop = _Loop(problem, buffered, zones, options)
    if released is not None:
        loop.take_over(released)
    return loop.run(days)


class _Loop:
    """The state of one net flow run (see the module docstring for its steps)."""

    def __init__(
        self, problem: Problem, buffered: BoolArray, zones: BufferZones, options: DdmrpOptions
    ) -> None:
        self.problem, self.buffered, self.zones, self.options = problem, buffered, zones, options
        n_items, n_days = problem.n_items, problem.n_days
        self.lead = np.asarray(problem.lead_time, dtype=np.int64)
        self.dlt = zones.decoupled_lead_time
        self.offset = self.dlt - self.lead
        self.horizon = n_days + int(self.dlt.max(initial=0)) + 1
        self.scheduled = np.zeros((n_items, self.horizon))
        self.starts = np.zeros((n_items, n_days))
        self.waiting = np.zeros(n_items)
        self.pending = np.zeros(n_items)
        self.in_transit = np.zeros(n_items)
        self.catch_up = True
        self.today = 0
        self.log: list[tuple[int, int, int, float]] = []
        self.position = np.asarray(problem.on_hand, dtype=float).copy()
        receipts = np.asarray(problem.receipts, dtype=float)
        self.free = self.position + receipts.sum(axis=1)
        later = np.cumsum(receipts[:, ::-1], axis=1)[:, ::-1]
        self.receipts_after = np.concatenate([later[:, 1:], np.zeros((n_items, 1))], axis=1)
        self.bom = problem.bom_matrix.tocsr()
        self.parts = components(problem)
        forced = ruled_setup_minutes(problem)
        self.rule = ReleaseRule(problem, forced)
        self.day_lot = _day_lots(problem, self.rule.run_time)
        self.top_down = [
            (level, self.bom[level])
            for level in (level[buffered[level]] for level in reversed(deepest_first(problem)))
            if level.size
        ]
        self.to_order = np.flatnonzero(~buffered & (problem.demand.sum(axis=1) > 0))
        self.trace = {name: np.zeros((n_items, n_days)) for name in _TRACES}
        self.delayed = np.zeros(n_items)
        self.first_delay = np.full(n_items, -1)
        self.spike_days = np.where(
            options.spike_horizon > 0, options.spike_horizon, np.maximum(self.dlt, 1)
        )

    def take_over(self, released: FloatArray) -> None:
        """Put orders placed before on order (see :func:`run_net_flow`), logged on day -1."""
        self.scheduled[:, : self.problem.n_days] += released
        self.pending += released.sum(axis=1)
        self.free += self.pending - np.asarray(self.bom @ self.pending, dtype=float)
        self.catch_up = False
        items, starts = np.nonzero(released > TOLERANCE)
        self.log += [
            (-1, i, s, float(released[i, s]))
            for i, s in zip(items.tolist(), starts.tolist(), strict=True)
        ]

    def run(self, days: int | None) -> NetFlowRun:
        problem = self.problem
        planned = problem.n_days if days is None else min(days, problem.n_days)
        for day in range(planned):
            self.today = day
            own = arrivals(self.starts, day, self.lead)
            self.in_transit -= own
            arriving = np.asarray(problem.receipts[:, day], dtype=float) + own
            self._make_to_order(day)
            for level, uses in self.top_down:
                self._replenish(level, uses, day, arriving)
            self._work(day, arriving)
        log = np.array(self.log, dtype=float).reshape(-1, 4)
        orders = OrderLog(
            day=log[:, 0].astype(np.int64),
            item=log[:, 1].astype(np.int64),
            start=log[:, 2].astype(np.int64),
            qty=log[:, 3],
        )
        return NetFlowRun(
            starts=self.starts,
            scheduled=self.scheduled[:, : problem.n_days].copy(),
            messages=tuple(self._messages()),
            orders=orders,
            **self.trace,
        )

    def _make_to_order(self, day: int) -> None:
        """Step 2: order the demand of unbuffered items as it comes within their lead time.

        On the first day of a plan, every demand due within reach; on the
        first day of a replan, what that demand needs beyond the stock and
        the orders already released (:meth:`_catch_up`); on every other day,
        the demand that comes within reach.
        """
        demand, n_days = self.problem.demand, self.problem.n_days
        if day == 0 and not self.catch_up:
            self._catch_up()
            return
        if day == 0:
            due = [
                (int(i), d)
                for i in self.to_order.tolist()
                for d in range(min(int(self.dlt[i]), n_days - 1) + 1)
            ]
        else:
            reach = day + self.dlt[self.to_order]
            inside = reach < n_days
            due = list(zip(self.to_order[inside].tolist(), reach[inside].tolist(), strict=True))
        for i, d in due:
            if demand[i, d] > TOLERANCE:
                start = max(d - int(self.lead[i]), day + int(self.offset[i]))
                self._order(i, float(demand[i, d]), start, net_of_free=True)

    def _catch_up(self) -> None:
        """A replan's first day: order what the demand within reach needs beyond supply."""
        problem = self.problem
        receipts = np.asarray(problem.receipts, dtype=float)
        for i in self.to_order.tolist():
            reach = min(int(self.dlt[i]), problem.n_days - 1) + 1
            supply = self.position[i] + receipts[i, :reach].sum() + self.pending[i]
            short = float(problem.demand[i, :reach].sum()) - supply
            if short > TOLERANCE:
                self._order(
                    i, order_lot(self.problem, i, short), int(self.offset[i]), net_of_free=False
                )

    def _replenish(self, level: IntArray, uses: Any, day: int, arriving: FloatArray) -> None:
        """Step 3 for one BOM level's buffers: net flow positions, and orders at or below TOY."""
        zones, problem = self.zones, self.problem
        stock = self.position[level] + arriving[level]
        on_hand, past_due = np.maximum(stock, 0.0), np.maximum(-stock, 0.0)
        on_order = self.pending[level] + self.in_transit[level] + self.receipts_after[level, day]
        allocated = np.asarray(uses @ self.pending, dtype=float)
        qualified = problem.demand[level, day] + past_due + allocated + self._spikes(level, day)
        net_flow = on_hand + on_order - qualified
        top_of_green = zones.top_of_green[level, day]
        low = (net_flow <= zones.top_of_yellow[level, day] + TOLERANCE) & (top_of_green > 0)
        ordered = np.zeros(level.size)
        for k in np.flatnonzero(low).tolist():
            i = int(level[k])
            wanted = min(float(top_of_green[k] - net_flow[k]), float(self.day_lot[i]))
            ordered[k] = order_lot(problem, i, wanted)
            if ordered[k] > TOLERANCE:
                self._order(i, float(ordered[k]), day + int(self.offset[i]), net_of_free=False)
        trace = self.trace
        trace["on_hand"][level, day] = on_hand
        trace["on_order"][level, day] = on_order
        trace["qualified"][level, day] = qualified
        trace["net_flow"][level, day] = net_flow
        trace["ordered"][level, day] = ordered

    def _spikes(self, level: IntArray, day: int) -> FloatArray:
        """Demand on the days ahead within the spike horizon that exceeds the spike threshold."""
        demand = self.problem.demand
        threshold = np.maximum(self.options.spike_threshold * self.zones.red[level, day], TOLERANCE)
        horizon = self.spike_days[level]
        total = np.zeros(level.size)
        for ahead in range(1, int(horizon.max(initial=0)) + 1):
            if day + ahead >= self.problem.n_days:
                break
            values = demand[level, day + ahead]
            total += np.where((ahead <= horizon) & (values > threshold), values, 0.0)
        return total

    def _order(self, i: int, quantity: float, start: int, *, net_of_free: bool) -> None:
        """Order ``quantity`` of ``i`` to start on ``start``; explode it to the next buffers."""
        if net_of_free:
            taken = min(max(self.free[i], 0.0), quantity)
            self.free[i] -= taken
            quantity -= taken
            if quantity <= TOLERANCE:
                return
            quantity = order_lot(self.problem, i, quantity)
        self.scheduled[i, start] += quantity
        self.pending[i] += quantity
        self.log.append((self.today, i, start, quantity))
        children, per_units = self.parts[i]
        for c, per_unit in zip(children.tolist(), per_units.tolist(), strict=True):
            if not self.buffered[c]:
                self._order(c, per_unit * quantity, start - int(self.lead[c]), net_of_free=True)

    def _work(self, day: int, arriving: FloatArray) -> None:
        """Step 5: start today's orders as far as stock and minutes allow; the rest waits.

        A day under sequence rules takes what a rule-abiding sequence can
        build (:func:`models.sequencing.rule_abiding_starts`, again after
        stock and minutes cut the day), each container with the setups the
        rules force. Regular minutes first, and an order of a buffer out of
        the red is started whole or not at all (a split order costs a second
        setup); overtime only for what is urgent: buffers in the red and the
        components of orders, which their parents wait for.
        """
        problem = self.problem
        ordered = self.scheduled[:, day] + self.waiting
        stock = np.maximum(self.position, 0.0) + arriving
        wanted = rule_abiding_starts(problem, ordered)
        for _attempt in range(problem.n_items + 1):
            left = stock.copy()
            started = self._start(day, wanted, left)
            abiding = rule_abiding_starts(problem, started)
            if np.allclose(abiding, started, rtol=0.0, atol=TOLERANCE):
                break
            wanted = np.minimum(wanted, abiding)
        self.starts[:, day] = started
        self.pending -= started
        self.pending[self.pending < TOLERANCE] = 0.0
        self.in_transit += np.where(self.lead > 0, started, 0.0)
        self.waiting = ordered - started
        self.waiting[self.waiting <= TOLERANCE * np.maximum(1.0, ordered)] = 0.0
        late = self.waiting > 0
        self.delayed[late] += self.waiting[late]
        self.first_delay[late & (self.first_delay < 0)] = day
        consumed = np.asarray(self.bom @ started, dtype=float)
        immediate = np.where(self.lead == 0, started, 0.0)
        self.position += arriving + immediate - problem.demand[:, day] - consumed

    def _start(self, day: int, wanted: FloatArray, stock: FloatArray) -> FloatArray:
        """What of ``wanted`` starts today (step 5's priorities); ``stock`` is used up in place."""
        problem, rule = self.problem, self.rule
        regular = np.asarray(problem.capacity[:, day], dtype=float).copy()
        urgent = ~self.buffered | (self.trace["on_hand"][:, day] <= self.zones.red[:, day])
        split = np.zeros(problem.n_items, dtype=bool)
        if (wanted[~urgent] > TOLERANCE).any():
            trial, _ = rule.start_what_fits(wanted, stock.copy(), regular.copy())
            split = ~urgent & (trial > TOLERANCE) & (trial < wanted - TOLERANCE)
        started, _ = rule.start_what_fits(np.where(split, 0.0, wanted), stock, regular)
        rest = np.where(urgent, wanted - started, 0.0)
        if rest.max(initial=0.0) > TOLERANCE:
            room = regular + np.asarray(problem.overtime_capacity[:, day], dtype=float)
            more, _ = rule.start_what_fits(rest, stock, room)
            started += more
        return started

    def _messages(self) -> list[PlanMessage]:
        problem = self.problem
        messages = []
        for i in np.flatnonzero(self.first_delay >= 0).tolist():
            day = int(self.first_delay[i])
            messages.append(
                PlanMessage(
                    MessageLevel.WARNING,
                    f"orders of {problem.items[i].code} wait for components or capacity from "
                    f"{problem.days[day]} on ({counted(self.delayed[i], 'unit-day')} of delay)",
                    item=i,
                    day=day,
                )
            )
        if self.waiting.sum() > TOLERANCE:
            never = int(np.count_nonzero(self.waiting > TOLERANCE))
            messages.append(
                PlanMessage(
                    MessageLevel.WARNING,
                    f"orders of {counted(never, 'item')} still wait at the end of the horizon",
                )
            )
        return messages


_TRACES = ("on_hand", "on_order", "qualified", "net_flow", "ordered")


def _day_lots(problem: Problem, run_time: FloatArray) -> FloatArray:
    """The most of each item one typical day of its work center's regular minutes makes.

    The contract counts a setup for every day an item is started, so an
    order larger than a day saves no setup: a buffer orders at most this
    much at once, and orders again the next day if its net flow is still at
    or below its top of yellow. Purchased items and items without run time
    have no such limit.
    """
    lots = np.full(problem.n_items, np.inf)
    typical = np.array(
        [float(np.median(row[row > 0])) if (row > 0).any() else 0.0 for row in problem.capacity]
    )
    centers = problem.item_work_center
    made = np.flatnonzero(problem.is_make & (run_time > 0) & (centers >= 0))
    made = made[typical[centers[made]] > 0]
    minutes = typical[centers[made]] - problem.setup_time[made]
    lots[made] = np.maximum(minutes / run_time[made], 1.0)
    return lots
