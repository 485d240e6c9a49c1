"""Capacity-repaired MRP: MRP's lots, moved until every work center copes.

This is what a planner does after an MRP run has overloaded the shop: keep
MRP's orders and lot sizes as far as possible, but move production so that
every work center stays within its regular plus overtime minutes on every
day, and every start has its components in stock. The plan serves as the
warm start of the optimised batch model and as the baseline it must beat.

1. **Explosion into capacity.** Items are planned level by level down the
   BOM (low-level codes, end items first), as MRP does. An item's gross
   requirements are its external demand plus the consumption of its
   parents' *repaired* starts. The orders of the plan being repaired (by
   default MRP's planned orders) keep their quantities and are re-timed to
   arrive when the projected balance would first fall below safety stock;
   a requirement they do not cover is netted with the item's lot rule,
   exactly as MRP nets it. Releases are offset by the lead time (a release
   that would fall before the first day is made on the first day).
2. **Fitting a make item.** A start on day t uses ``run_time x qty``
   minutes plus ``setup_time`` if it is the item's first start that day.
   Each work center keeps the minutes still free per day, consumed as items
   are placed, so items of higher levels take capacity first. Regular time
   is used before overtime. The part of a lot that does not fit on its day
   and is not needed yet (a lot covers later days too) waits for the next
   days. The part that is needed goes to the latest earlier days with
   regular time to spare, while holding it costs less than the overtime it
   saves; then into the day's overtime; then to the latest earlier days
   with any room. Only what cannot go earlier is late: it waits for the
   earliest later day with room. Orders split in whole steps (the lot
   multiple, else whole units), each piece a setup on its day. Closed days
   (no minutes at all) take no starts, and nothing starts before day 0.
3. **Forward pass.** Day by day, deepest BOM level first (so that a
   component with no lead time made today can be used today), every start
   is made as far as its components are in stock and its work center has
   the minutes. A start keeps the minutes it was placed with; a start that
   is late catches up with minutes still free, including the minutes of
   starts that cannot get their components that day. What cannot start
   waits for the next day.

The result never overloads a work center and never starts an order without
its components; demand that cannot be met in time is backlog, which the
evaluator measures and prices.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from models.errors import PlanningError
from models.floor import TOLERANCE, arrivals, deepest_first, steps_up, whole_steps
from models.plan import MessageLevel, Plan, PlanMessage, SolveStatus
from models.problem import Problem
from models.requirements.explosion import expedite_message, explode, net_item
from models.sequencing import ruled_setup_minutes, sequence_ruled_days
from models.wording import counted, quantity

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

STRATEGY = "mrp_repaired"
"""The strategy name of a capacity-repaired MRP plan."""

_MIN_START = 1e-6
"""Starts smaller than this are not made: they would cost a setup for nothing."""


def repair_capacity(problem: Problem, plan: Plan | None = None) -> Plan:
    """Move the orders of an MRP plan until every work center stays within capacity.

    The idea in words: keep MRP's orders and lot sizes, but place them into
    each work center's regular plus overtime minutes, end items first. The
    part of an order that does not fit on its day waits if it is not needed
    yet, is built earlier where there is room if it is, and only what
    cannot go earlier is made late. A final forward pass starts every order
    only when its components are in stock and its work center has the
    minutes. See the module docstring for the steps.

    Parameters
    ----------
    problem
        The plant and its demand.
    plan
        The plan whose orders are repaired: for each item, its starts (in
        time order) are the lot sizes to keep. By default the planned orders
        of :func:`models.mrp.plan_mrp` before its material check (the plain
        MRP explosion), so that with ample capacity the result equals the
        MRP plan. Passing a repaired plan repairs it again from its pieces,
        which sometimes finds a cheaper plan and sometimes not.

    Returns
    -------
    Plan
        Strategy ``mrp_repaired``, status ``heuristic``, with messages: one
        WARNING per item whose orders start later than needed (units, first
        day, why), one INFO per work center where production was pulled
        earlier, one ERROR per item that can never start because its setup
        takes longer than any day's capacity (its demand stays open), and
        MRP's WARNINGs for releases that would fall before the first day.

    Raises
    ------
    PlanningError
        If ``plan`` does not have the problem's shape.

    Notes
    -----
    The plan never overloads a work center (load <= capacity + overtime on
    every day) and never starts an order before its components are in
    stock. Capacity goes to end items first, so a component squeezed out of
    a busy work center can delay its parents; the heuristic proves nothing
    about cost.
    """
    started = time.perf_counter()
    shape = (problem.n_items, problem.n_days)
    if plan is None:
        orders = explode(problem).starts
    elif plan.starts.shape != shape:
        raise PlanningError(
            f"plan {plan.strategy!r} has starts of shape {plan.starts.shape}, expected {shape}"
        )
    else:
        orders = np.where(np.isfinite(plan.starts), np.maximum(plan.starts, 0.0), 0.0)
    shop = _Shop.of(problem)
    fitted = _fit_level_by_level(problem, orders, shop)
    released = _start_when_possible(problem, fitted, shop)
    messages = [
        *fitted.messages,
        *_never_messages(problem, fitted, shop),
        *_late_messages(problem, fitted, released, shop),
        *_early_messages(problem, fitted.lots, released.starts),
    ]
    ruled = sequence_ruled_days(problem, released.starts)
    return Plan(
        strategy=STRATEGY,
        starts=released.starts,
        status=SolveStatus.HEURISTIC,
        sequences=ruled.sequences,
        seconds=time.perf_counter() - started,
        messages=(*messages, *ruled.messages),
    )


# The shop's capacity ------------------------------------------------------------


@dataclass
class _Shop:
    """Minutes per work center and day, and how finely each item's orders may split.

    ``room`` starts as regular plus overtime capacity and is consumed as
    starts are placed. ``unit`` is the item's step (its lot multiple, else 1)
    for whole-unit items and for items whose setup plus one step fit into
    some day (orders then split in whole steps), else 0 (any fraction). A
    whole-unit item that no day can make one step of is not started.
    ``run`` is the minutes per unit made, the setups that sequence rules
    force per container included (:func:`models.sequencing.ruled_setup_minutes`).
    """

    total: FloatArray
    room: FloatArray
    open: BoolArray
    eps: FloatArray
    unit: FloatArray
    run: FloatArray

    @classmethod
    def of(cls, problem: Problem) -> _Shop:
        total = np.asarray(problem.capacity + problem.overtime_capacity, dtype=float)
        peak = total.max(axis=1, initial=0.0)
        center = problem.item_work_center
        made = center >= 0
        item_peak = np.zeros(problem.n_items)
        item_peak[made] = peak[center[made]]
        run = problem.run_time + ruled_setup_minutes(problem) / problem.container_qty
        step = np.where(problem.lot_multiple > 0, problem.lot_multiple, 1.0)
        whole = problem.whole_units | (problem.setup_time + run * step <= item_peak)
        return cls(
            total=total,
            room=total.copy(),
            open=total > 0,
            eps=TOLERANCE * np.maximum(1.0, peak),
            unit=np.where(whole, step, 0.0),
            run=run,
        )

    def can_ever_start(self, problem: Problem, i: int) -> bool:
        """Whether some open day of item ``i``'s work center has room for a setup and a bit."""
        w = int(problem.item_work_center[i])
        run, setup = float(self.run[i]), float(problem.setup_time[i])
        spare = self.total[w] - setup
        enough = spare >= -self.eps[w] if run == 0 else spare > run * _MIN_START
        return bool(np.any(self.open[w] & enough))


def _fitting_quantity(
    minutes: float, qty: float, run: float, setup: float, unit: float, eps: float
) -> float:
    """How much of ``qty`` a start can make in ``minutes`` (setup included if given).

    The whole quantity if it fits; otherwise as many whole steps of ``unit``
    as fit (any fraction when ``unit`` is 0); 0 if not even the setup fits.
    """
    spare = minutes - setup
    if spare < -eps:
        return 0.0
    if run * qty <= spare + eps:
        return qty
    part = spare / run
    if unit:
        part = whole_steps(part, unit)
    return part if part >= _MIN_START else 0.0


# Step 1 and 2: explosion into capacity --------------------------------------------


@dataclass
class _Fitted:
    """The outcome of the capacitated explosion, per item and day.

    ``lots`` holds the releases of each item's re-timed orders, ``needs``
    the releases it needs at least (lot-for-lot, so ``cumsum(lots) >=
    cumsum(needs)``), and ``starts`` the releases placed within capacity.
    """

    lots: FloatArray
    needs: FloatArray
    starts: FloatArray
    messages: list[PlanMessage] = field(default_factory=list)


def _fit_level_by_level(problem: Problem, orders: FloatArray, shop: _Shop) -> _Fitted:
    """Re-time each item's orders to its needs and place them into capacity, end items first."""
    n_items, n_days = problem.n_items, problem.n_days
    gross = np.array(problem.demand, dtype=float)
    fitted = _Fitted(
        np.zeros((n_items, n_days)), np.zeros((n_items, n_days)), np.zeros((n_items, n_days))
    )
    codes = problem.low_level_code
    bom = problem.bom_matrix.tocsc()
    center = problem.item_work_center
    for level in range(int(codes.max(initial=0)) + 1):
        level_items = np.flatnonzero(codes == level)
        for i in level_items.tolist():
            quantities = orders[i][orders[i] > TOLERANCE]
            receipts = _retime(problem, i, gross[i], quantities)
            release = _release(problem, i, receipts, gross[i])
            expedite = _expedite(problem, i, gross[i])
            if expedite is not None:
                fitted.messages.append(expedite)
            need = _release(problem, i, _lot_for_lot(problem, i, gross[i]), gross[i])
            fitted.lots[i], fitted.needs[i] = release, need
            w = int(center[i])
            if w < 0:
                fitted.starts[i] = release
            else:
                fitted.starts[i] = _fit(release, need, _Line.of(problem, shop, i))
        if level_items.size:
            gross += bom[:, level_items] @ fitted.starts[level_items]
    return fitted


def _retime(problem: Problem, i: int, gross: FloatArray, quantities: FloatArray) -> FloatArray:
    """Receipts of item ``i``: its orders, in turn, arrive when they are first needed.

    Order k arrives on the first day the projected balance, with orders
    1..k-1 received, would fall below safety stock; orders never needed are
    dropped, and a requirement the orders do not cover is netted with the
    item's lot rule (:func:`models.requirements.explosion.net_item`).
    """
    n_days = gross.shape[0]
    deficit = _deficit(problem, i, gross)
    scale = max(1.0, float(np.abs(deficit).max(initial=0.0)))
    tolerance = TOLERANCE * scale
    covered = np.cumsum(quantities) - quantities
    arrival = np.searchsorted(deficit, covered + tolerance, side="right")
    counted = np.bincount(arrival, weights=quantities, minlength=n_days + 1)
    receipts = np.asarray(counted[:n_days], dtype=float)
    if deficit[-1] > receipts.sum() + tolerance:
        receipts = receipts + net_item(problem, i, gross - receipts)
    return receipts


def _deficit(problem: Problem, i: int, gross: FloatArray) -> FloatArray:
    """Cumulative units item ``i`` needs by each day to stay at safety stock, before orders."""
    safety = float(problem.safety_stock[i])
    projected = problem.on_hand[i] + np.cumsum(problem.receipts[i] - gross)
    return np.asarray(np.maximum.accumulate(safety - projected), dtype=float)


def _lot_for_lot(problem: Problem, i: int, gross: FloatArray) -> FloatArray:
    """Receipts of item ``i`` that keep it at safety stock with no lot sizing (whole units)."""
    deficit = np.maximum(_deficit(problem, i, gross), 0.0)
    if problem.whole_units[i]:
        deficit = np.ceil(deficit - TOLERANCE * np.maximum(1.0, deficit))
    return np.diff(deficit, prepend=0.0)


def _release(problem: Problem, i: int, receipts: FloatArray, gross: FloatArray) -> FloatArray:
    """Offset receipts by the lead time; what would start before day 0 starts on day 0."""
    lead = int(problem.lead_time[i])
    if not lead:
        return receipts
    release = np.zeros_like(receipts)
    if lead < receipts.shape[0]:
        release[: receipts.shape[0] - lead] = receipts[lead:]
    release[0] += receipts[:lead].sum()
    return release


def _expedite(problem: Problem, i: int, gross: FloatArray) -> PlanMessage | None:
    """MRP's message for units needed before the lead time allows, if there are any."""
    lead = min(int(problem.lead_time[i]), gross.shape[0])
    if not lead:
        return None
    needed = np.maximum(_deficit(problem, i, gross)[:lead], 0.0)
    if needed[-1] <= TOLERANCE * max(1.0, float(needed[-1])):
        return None
    return expedite_message(problem, i, np.diff(needed, prepend=0.0))


@dataclass(frozen=True)
class _Line:
    """One make item on its work center: the shop's rows it draws on, and its times and costs.

    ``room`` is the work center's row of free minutes (regular plus
    overtime), consumed in place; ``overtime`` its overtime minutes per day,
    so that ``room - overtime`` is the regular time still free.
    """

    room: FloatArray
    overtime: FloatArray
    open: BoolArray
    run: float
    setup: float
    unit: float
    eps: float
    holding: float
    setup_cost: float
    overtime_cost: float

    @classmethod
    def of(cls, problem: Problem, shop: _Shop, i: int) -> _Line:
        w = int(problem.item_work_center[i])
        return cls(
            room=shop.room[w],
            overtime=np.asarray(problem.overtime_capacity[w]),
            open=shop.open[w],
            run=float(shop.run[i]),
            setup=float(problem.setup_time[i]),
            unit=float(shop.unit[i]),
            eps=float(shop.eps[w]),
            holding=float(problem.holding_cost[i]),
            setup_cost=float(problem.setup_cost[i]),
            overtime_cost=float(problem.work_centers[w].overtime_cost),
        )

    def worth_building_ahead(self, qty: float, days: int, new_setup: bool) -> bool:
        """Whether making ``qty`` units ``days`` early in regular time beats overtime."""
        ahead = self.holding * qty * days + (self.setup_cost if new_setup else 0.0)
        return ahead <= self.run * qty * self.overtime_cost


def _fit(release: FloatArray, need: FloatArray, line: _Line) -> FloatArray:
    """Place one item's releases into its work center's free minutes.

    ``release`` holds the lots to start per day, ``need`` the starts each
    day needs at least (lot-for-lot), so that a lot may cover later days.
    Days are taken in order. What does not fit into a day's regular time
    and is not needed yet waits for the next days. What is needed goes,
    first, to the latest earlier days with regular time to spare, as long as
    holding it there costs less than the overtime it saves; then into the
    day's overtime; then to the latest earlier days with any room left. Only
    what cannot go earlier is late, waiting for the next day with room.
    Returns the placed starts; what is still waiting at the end of the
    horizon is not made.
    """
    busy = release > TOLERANCE
    if not busy.any():
        return np.zeros_like(release)
    room, run, setup, eps = line.room, line.run, line.setup, line.eps
    minutes = run * release + np.where(busy, setup, 0.0)
    if np.all(line.open[busy]) and np.all(minutes[busy] <= room[busy] - line.overtime[busy] + eps):
        room -= minutes
        return release.copy()
    placed = np.zeros_like(release)
    needed = np.cumsum(need)
    total = 0.0

    def place(day: int, qty: float, regular: bool) -> float:
        nonlocal total
        if not line.open[day]:
            return 0.0
        new = placed[day] <= 0.0
        free = float(room[day] - line.overtime[day]) if regular else float(room[day])
        made = _fitting_quantity(free, qty, run, setup if new else 0.0, line.unit, eps)
        if made > 0.0:
            placed[day] += made
            total += made
            room[day] -= run * made + (setup if new else 0.0)
        return made

    def pull_earlier(day: int, qty: float, regular: bool) -> float:
        spare = room[:day] - np.where(placed[:day] > 0.0, 0.0, setup)
        if regular:
            spare = spare - line.overtime[:day]
        smallest = run * min(qty, line.unit) if line.unit else run * _MIN_START
        for earlier in np.flatnonzero(line.open[:day] & (spare >= smallest - eps))[::-1]:
            if regular:
                free = float(room[earlier] - line.overtime[earlier])
                new = placed[earlier] <= 0.0
                fits = _fitting_quantity(free, qty, run, setup if new else 0.0, line.unit, eps)
                if not line.worth_building_ahead(fits, day - int(earlier), new):
                    continue
            qty -= place(int(earlier), qty, regular)
            if qty <= TOLERANCE:
                break
        return qty

    waiting = 0.0
    for day in range(int(np.argmax(busy)), release.shape[0]):
        qty = waiting + float(release[day])
        if qty <= TOLERANCE:
            continue
        qty -= place(day, qty, regular=True)
        urgent = min(qty, steps_up(float(needed[day]) - total, line.unit))
        if urgent > TOLERANCE:
            left = urgent
            if day > 0:
                left = pull_earlier(day, left, regular=True)
            if left > TOLERANCE:
                left -= place(day, left, regular=False)
            if left > TOLERANCE and day > 0:
                left = pull_earlier(day, left, regular=False)
            qty -= urgent - left
        if qty > TOLERANCE and placed[day] > 0.0 and line.setup_cost > 0.0:
            # A lot split for the next day costs a setup: overtime today may be cheaper.
            free = float(room[day])
            fits = _fitting_quantity(free, qty, run, 0.0, line.unit, eps)
            if run * fits * line.overtime_cost < line.setup_cost:
                qty -= place(day, qty, regular=False)
        waiting = qty if qty > TOLERANCE else 0.0
    return placed


# Step 3: the forward pass -------------------------------------------------------


@dataclass
class _Released:
    """The final starts, and for each item the component that last held a start back (or -1)."""

    starts: FloatArray
    short_component: IntArray


def _start_when_possible(problem: Problem, fitted: _Fitted, shop: _Shop) -> _Released:
    """Start the placed orders day by day as far as components and minutes allow.

    An item may start, by day t, what it needs by then or what was placed by
    then, whichever is more, less what it has started already: so a start
    placed late for lack of room catches up as soon as minutes free up.
    Within a day, items are started from the deepest BOM level up, so that a
    component with no lead time made today can be used by its parent today.
    A start uses the minutes it was placed with; anything more takes only
    minutes still free. Minutes placed for a start that will surely lack
    components that day (even if every component made today came in full)
    are freed at the start of the day, for the components to use.
    """
    planned = fitted.starts
    n_items, n_days = planned.shape
    bom = problem.bom_matrix.tocsc()
    lead = problem.lead_time
    has_children = np.diff(bom.indptr) > 0
    parents_all = np.flatnonzero(has_children)
    column_start = bom.indptr[:-1][has_children]
    center = problem.item_work_center
    make = center >= 0
    run, setup = shop.run, problem.setup_time
    reserved = np.where(
        make[:, None], run[:, None] * planned + np.where(planned > 0, setup[:, None], 0.0), 0.0
    )
    free = np.maximum(shop.room, 0.0)
    due = np.maximum(np.cumsum(fitted.needs, axis=1), np.cumsum(planned, axis=1))
    levels = deepest_first(problem)
    final = np.zeros_like(planned)
    done = np.zeros(n_items)
    pending = np.zeros(n_items)
    position = problem.on_hand.astype(float).copy()
    short_component = np.full(n_items, -1, dtype=np.int64)
    for day in range(n_days):
        arriving = arrivals(final, day, lead)
        stock = np.maximum(position, 0.0) + problem.receipts[:, day] + arriving
        consumed = np.zeros(n_items)
        wanted = due[:, day] - done
        # Without catching up, start exactly what was placed plus what waits (no round-off).
        base = planned[:, day] + pending
        wanted = np.where(
            np.abs(wanted - base) <= TOLERANCE * np.maximum(1.0, due[:, day]), base, wanted
        )
        wanted[wanted < TOLERANCE] = 0.0
        if parents_all.size:
            _free_unusable_minutes(
                problem,
                shop,
                bom,
                parents_all,
                column_start,
                stock,
                wanted,
                reserved[:, day],
                free[:, day],
            )
        for items in levels:
            active = items[wanted[items] > TOLERANCE]
            if not active.size:
                continue
            parents = active[has_children[active]]
            need = bom[:, parents] @ wanted[parents] if parents.size else np.zeros(n_items)
            extra = _extra_minutes(problem, shop, active, day, wanted, reserved[:, day], free)
            if extra is not None and np.all(need <= stock + TOLERANCE):
                # The whole level fits into its minutes and has its components.
                final[active, day] = wanted[active]
                free[:, day] -= extra
                stock -= need
                consumed += need
            else:
                for i in active.tolist():
                    qty = float(wanted[i])
                    w = int(center[i])
                    if w >= 0:
                        minutes = float(reserved[i, day] + free[w, day])
                        qty = (
                            _fitting_quantity(
                                minutes,
                                qty,
                                float(run[i]),
                                float(setup[i]),
                                float(shop.unit[i]),
                                float(shop.eps[w]),
                            )
                            if shop.open[w, day]
                            else 0.0
                        )
                    if has_children[i] and qty > 0.0:
                        column = slice(bom.indptr[i], bom.indptr[i + 1])
                        children, per_unit = bom.indices[column], bom.data[column]
                        ratios = stock[children] / per_unit
                        possible = max(min(qty, float(ratios.min())), 0.0)
                        if possible < qty - TOLERANCE and problem.whole_units[i]:
                            possible = float(math.floor(possible + TOLERANCE))
                        if possible < qty - TOLERANCE:
                            short_component[i] = int(children[np.argmin(ratios)])
                        qty = possible if possible >= _MIN_START else 0.0
                        stock[children] -= per_unit * qty
                        consumed[children] += per_unit * qty
                    final[i, day] = qty
                    if w >= 0:
                        used = run[i] * qty + (setup[i] if qty > 0.0 else 0.0)
                        free[w, day] += reserved[i, day] - used
            zero_lead = items[lead[items] == 0]
            stock[zero_lead] += final[zero_lead, day]
        done += final[:, day]
        pending = np.maximum(wanted - final[:, day], 0.0)
        pending[pending < TOLERANCE] = 0.0
        immediate = np.where(lead == 0, final[:, day], 0.0)
        position += (
            problem.receipts[:, day] + arriving + immediate - problem.demand[:, day] - consumed
        )
    return _Released(final, short_component)


def _extra_minutes(
    problem: Problem,
    shop: _Shop,
    items: IntArray,
    day: int,
    wanted: FloatArray,
    reserved: FloatArray,
    free: FloatArray,
) -> FloatArray | None:
    """Minutes per work center that starting all ``wanted`` of ``items`` takes beyond
    their reservations, or ``None`` if that does not fit into the free minutes."""
    center = problem.item_work_center[items]
    made = center >= 0
    if not made.any():
        return np.zeros(free.shape[0])
    items, center = items[made], center[made]
    if not np.all(shop.open[center, day]):
        return None
    qty = wanted[items]
    used = shop.run[items] * qty + np.where(qty > 0.0, problem.setup_time[items], 0.0)
    counted = np.bincount(center, weights=used - reserved[items], minlength=free.shape[0])
    extra = np.asarray(counted, dtype=float)
    if np.all(extra <= free[:, day] + shop.eps):
        return extra
    return None


def _free_unusable_minutes(
    problem: Problem,
    shop: _Shop,
    bom: sp.csc_array,
    parents: IntArray,
    column_start: IntArray,
    stock: FloatArray,
    wanted: FloatArray,
    reserved: FloatArray,
    free: FloatArray,
) -> None:
    """Free today's minutes of starts that cannot get their components today.

    The bound is optimistic: each parent may use all of a component's stock
    plus, for a component without lead time, all of today's start of it. A
    start above that bound will surely be cut, so the minutes placed for the
    excess go back to its work center's free minutes (``reserved`` and
    ``free``, today's columns, are updated in place).
    """
    supply = stock + np.where(problem.lead_time == 0, wanted, 0.0)
    ratios = supply[bom.indices] / bom.data
    bound = np.minimum.reduceat(ratios, column_start)
    center = problem.item_work_center[parents]
    held = reserved[parents]
    cut = (held > 0.0) & (center >= 0)
    if not cut.any():
        return
    run, setup = shop.run[parents], problem.setup_time[parents]
    can = np.minimum(wanted[parents], np.maximum(bound, 0.0))
    usable = np.where(can >= _MIN_START, run * can + setup, 0.0)
    spare = np.where(cut, np.maximum(held - usable, 0.0), 0.0)
    if not np.any(spare > 0.0):
        return
    reserved[parents] = held - spare
    np.add.at(free, center[spare > 0.0], spare[spare > 0.0])


# Messages -------------------------------------------------------------------------


def _never_messages(problem: Problem, fitted: _Fitted, shop: _Shop) -> list[PlanMessage]:
    messages = []
    for i in np.flatnonzero(fitted.needs.sum(axis=1) > TOLERANCE).tolist():
        w = int(problem.item_work_center[i])
        if w < 0 or shop.can_ever_start(problem, i):
            continue
        item, center = problem.items[i], problem.work_centers[w]
        messages.append(
            PlanMessage(
                MessageLevel.ERROR,
                f"{item.code} can never start on {center.code}: its setup of "
                f"{quantity(item.setup_time)} min takes more than any day's capacity "
                f"(at most {quantity(float(shop.total[w].max(initial=0.0)))} min with overtime); "
                f"{counted(float(fitted.needs[i].sum()), 'unit')} needed stay open",
                item=i,
                work_center=w,
            )
        )
    return messages


def _late_messages(
    problem: Problem, fitted: _Fitted, released: _Released, shop: _Shop
) -> list[PlanMessage]:
    """One WARNING per item whose starts fall behind what it needs (FIFO by cumulative units)."""
    behind = np.maximum(np.cumsum(fitted.needs, axis=1) - np.cumsum(released.starts, axis=1), 0.0)
    tolerance = TOLERANCE * np.maximum(1.0, fitted.needs.sum(axis=1))
    fell_behind = np.maximum(np.diff(behind, axis=1, prepend=0.0), 0.0).sum(axis=1)
    messages = []
    for i in np.flatnonzero(fell_behind > tolerance).tolist():
        w = int(problem.item_work_center[i])
        if w >= 0 and not shop.can_ever_start(problem, i):
            continue  # reported as an error
        first = int(np.argmax(behind[i] > tolerance[i]))
        code = problem.items[i].code
        reasons = []
        if w >= 0 and np.any(
            np.cumsum(fitted.needs[i]) - np.cumsum(fitted.starts[i]) > tolerance[i]
        ):
            reasons.append(f"no room on {problem.work_centers[w].code}")
        if released.short_component[i] >= 0:
            component = problem.items[int(released.short_component[i])].code
            reasons.append(f"waiting for component {component}")
        text = (
            f"orders of {code} start later than needed: {counted(float(fell_behind[i]), 'unit')} "
            f"from {problem.days[first]} ({', '.join(reasons) or 'capacity'})"
        )
        if behind[i, -1] > tolerance[i]:
            text += f"; {counted(float(behind[i, -1]), 'unit')} cannot start within the horizon"
        messages.append(PlanMessage(MessageLevel.WARNING, text, item=i, day=first))
    return messages


def _early_messages(problem: Problem, lots: FloatArray, starts: FloatArray) -> list[PlanMessage]:
    """One INFO per work center whose items start earlier than their lots were planned.

    Units are matched first in, first out: a unit is early while the
    cumulative starts run ahead of the cumulative lots.
    """
    ahead = np.maximum(np.cumsum(starts, axis=1) - np.cumsum(lots, axis=1), 0.0)
    pulled = np.maximum(np.diff(ahead, axis=1, prepend=0.0), 0.0).sum(axis=1)
    tolerance = TOLERANCE * np.maximum(1.0, lots.sum(axis=1))
    early = pulled > tolerance
    messages = []
    center = problem.item_work_center
    for w, work_center in enumerate(problem.work_centers):
        items = np.flatnonzero(early & (center == w))
        if not items.size:
            continue
        first = int(np.flatnonzero((ahead[items] > tolerance[items, None]).any(axis=0))[0])
        messages.append(
            PlanMessage(
                MessageLevel.INFO,
                f"{work_center.code}: {counted(float(pulled[items].sum()), 'unit')} of "
                f"{counted(items.size, 'item')} start earlier than planned, "
                f"from {problem.days[first]} "
                f"({counted(float(ahead[items].sum()), 'unit-day')} ahead), to fit into regular "
                "and overtime capacity or to save overtime",
                day=first,
                work_center=w,
            )
        )
    return messages
