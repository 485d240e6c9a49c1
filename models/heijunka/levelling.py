r"""Level loading: the daily quantities of a heijunka plan.

Heijunka builds what customers buy at an even rate. The design
(:mod:`models.heijunka.design`) says which items follow the level schedule
and on which days each may be made (its slots on the product wheel); this
module decides how many containers of each to build on each of those days.

The level-loading model
-----------------------
For levelled item :math:`i` on its production days :math:`t` of level
period :math:`p(t)` (``level_period`` working days), with :math:`x_{it}`
containers of :math:`c_i` units and the period's level quantity
:math:`R_{ip}`,

.. math::

    R_{ip} - c_i \le c_i x_{it} \le R_{ip},

so the quantity stays within one container (one pitch) of a level that is
constant over the period; strangers (made to order) have no band and may be
made on any day. The model minimises the holding, backlog and
overtime cost of the spec's accounting, subject to the flow balance of each
levelled item (lead time, on-hand, receipts, backlog of external demand) and
each work center's capacity, less the capacity reserved for its kanban
replenishment and for the setup of every item it makes that day. Where a
p/q sequence rule applies (at most :math:`p` of any :math:`q` consecutive
positions carry an attribute), a day's containers :math:`H` with the
attribute and :math:`D` in all satisfy :math:`qH \le pD`, which guarantees
that a sequence without a violated window exists: at most
:math:`p\lfloor D/q \rfloor + \min(p, D \bmod q) \ge pD/q` positions can
carry the attribute. Such an item cannot run more than :math:`p` containers
back to back, so each of its containers is charged :math:`2/p` setups, its
own run's and the separating run's, in minutes
(:func:`models.sequencing.days.ruled_setup_minutes`).
"""

from __future__ import annotations

import dataclasses
import functools
import math
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from models.floor import TOLERANCE
from models.heijunka.design import PullDesign
from models.plan import SolveStatus
from models.problem import Problem
from models.sequencing.days import rule_abiding_starts, rule_carriers, ruled_setup_minutes
from models.solvers.backends import backend_from_name
from models.solvers.milp import Milp, MilpResult, SolverOptions
from models.wording import counted
from models.work import WorkLimits

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int_]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class LevelSchedule:
    """The level-loading model's answer.

    ``starts`` is ``[item, day]`` units of levelled items (0 elsewhere);
    ``results`` the solver's report per work center with levelled items, as
    ``(work center, result)`` pairs.
    """

    starts: FloatArray
    results: tuple[tuple[int, MilpResult], ...] = ()
    heuristic_timed_out: bool = False

    @property
    def timed_out(self) -> bool:
        """Whether the clock stopped a solve or the heuristic's improvement: only then may
        another run give other starts.

        That is, with work limits (:func:`level_schedule`); without them,
        every solve that does not finish is stopped by the clock.
        """
        return self.heuristic_timed_out or any(result.timed_out for _, result in self.results)

    def summary(self) -> str:
        """One line on the solves: statuses, total cost and bound, time."""
        if not self.results:
            return "level loading: no levelled item"
        solves = [r for _, r in self.results]
        words = [_stopped_by(r) for r in solves]
        statuses = ", ".join(f"{words.count(word)} {word}" for word in dict.fromkeys(words))
        seconds = sum(r.seconds for r in solves)
        centers = counted(len(solves), "work center")
        text = f"level loading ({solves[0].solver}) on {centers}: {statuses}"
        text += f" in {seconds:.1f} s"
        if all(r.objective is not None for r in solves):
            text += f", cost {sum(r.objective or 0.0 for r in solves):,.2f}"
        if all(r.bound is not None for r in solves):
            text += f", bound {sum(r.bound or 0.0 for r in solves):,.2f}"
        return text


def _stopped_by(result: MilpResult) -> str:
    """A solve's status for the summary; one its work limit stopped, not the clock, says so."""
    if result.status is SolveStatus.TIME_LIMIT and not result.timed_out:
        return "stopped at the node limit"
    return str(result.status)


def level_schedule(
    problem: Problem,
    design: PullDesign,
    *,
    options: SolverOptions,
    solver: str = "highs",
    work: WorkLimits | None = None,
) -> LevelSchedule:
    """Solve the level-loading model (see the module docstring).

    The model falls apart by work center (items share nothing else), so each
    work center's items are solved on their own, with a share of the time
    limit in proportion to their number: 30 % of it builds and improves a
    plan period by period (:meth:`LevelModel.improved_start`), the rest goes to
    the solver, warm-started with that plan, which is kept should the solver
    return none.

    With ``work``, the same problem gives the same starts: the plan is
    improved for ``work.sweeps`` passes, and the solver stops after
    ``work.nodes`` branch-and-bound nodes; the work center's share of the
    time limit only caps them, and a plan it stops says so
    (:attr:`LevelSchedule.timed_out`). A design whose ``schedule`` is
    ``cover`` gets the quick plan :meth:`LevelModel.cover` instead, without
    the solver (the design search prices designs so).
    """
    levelled = np.flatnonzero(design.levelled)
    reserved = design.reserved_capacity(problem)
    starts = np.zeros((problem.n_items, problem.n_days))
    if levelled.size == 0 or problem.n_days == 0:
        return LevelSchedule(starts)
    centers = problem.item_work_center[levelled]
    deadline = time.perf_counter() + options.time_limit
    left = levelled.size
    results = []
    stopped_by_clock = False
    backend = backend_from_name(solver)
    for w in np.unique(centers).tolist():
        items = levelled[centers == w]
        share = (deadline - time.perf_counter()) * items.size / left
        left -= items.size
        model = LevelModel(problem, items, design, reserved)
        started = time.perf_counter()
        if design.schedule == "cover":
            starts[items] = model.cover() * model.container[:, None]
            continue
        if work is None:
            start, _ = model.improved_start(seconds=0.3 * share)
        else:
            start, cut = model.improved_start(seconds=share, sweeps=work.sweeps)
            stopped_by_clock |= cut
        solve_time = max(0.2, share - (time.perf_counter() - started))
        limits = dataclasses.replace(options, time_limit=solve_time)
        if work is not None:
            limits = dataclasses.replace(limits, node_limit=work.nodes)
        result = backend.solve(model.milp, limits, warm_start=start)
        results.append((w, result))
        best = start if result.x is None else result.x
        containers = np.round(best[: model.n_x])
        starts[items] = containers.reshape(items.size, problem.n_days) * model.container[:, None]
    return LevelSchedule(starts, tuple(results), stopped_by_clock)


STRANGER_SHARE = 0.5
"""Share of a day's free capacity the heuristic lets strangers take before building them earlier."""


class LevelModel:
    """The level-loading MILP of one work center's levelled items, in matrix form.

    Columns, each ``[item, day]`` or ``[item, period]`` in row-major order:
    containers started ``x`` (integer), inventory, backlog, the period's
    level in containers (integer), then overtime per ``[work center, day]``.
    Rows: flow balance per item and day, the level band on production days,
    capacity per day, and one row per sequence rule and day.
    """

    def __init__(
        self, problem: Problem, items: IntArray, design: PullDesign, reserved: FloatArray
    ) -> None:
        level_period = design.level_period
        n, days = items.size, problem.n_days
        periods = -(-days // level_period)
        centers = problem.item_work_center[items]
        self.container = problem.container_qty[items]
        lead = problem.lead_time[items]
        n_wc = len(problem.work_centers)
        self.n_x = n * days
        inv, back = self.n_x, 2 * self.n_x
        level, overtime = 3 * self.n_x, 3 * self.n_x + n * periods
        total = overtime + n_wc * days
        rows: list[IntArray] = []
        cols: list[IntArray] = []
        vals: list[FloatArray] = []
        lower: list[FloatArray] = []
        upper: list[FloatArray] = []
        count = 0

        def add(r: npt.ArrayLike, c: npt.ArrayLike, v: npt.ArrayLike) -> None:
            r_, c_ = np.asarray(r, dtype=np.int_), np.asarray(c, dtype=np.int_)
            rows.append(r_.ravel())
            cols.append(c_.ravel())
            vals.append(np.broadcast_to(np.asarray(v, dtype=float), r_.shape).ravel())

        grid = np.arange(self.n_x).reshape(n, days)
        flow = count + grid
        count += self.n_x
        add(flow, inv + grid, 1.0)
        add(flow, back + grid, -1.0)
        add(flow[:, 1:], inv + grid[:, :-1], -1.0)
        add(flow[:, 1:], back + grid[:, :-1], 1.0)
        for k in range(n):
            if lead[k] < days:
                add(flow[k, lead[k] :], grid[k, : days - lead[k]], -self.container[k])
        rhs = problem.receipts[items] - problem.demand[items]
        rhs[:, 0] += problem.on_hand[items]
        lower.append(rhs.ravel())
        upper.append(rhs.ravel())

        producing = design.review_days[items].copy()
        self.to_order = design.made_to_order[items]
        producing &= np.arange(days)[None, :] + lead[:, None] <= days - 1
        producing &= (problem.capacity + problem.overtime_capacity)[centers] > 0
        period = np.arange(days) // level_period
        self.problem, self.items, self.producing, self.period = problem, items, producing, period
        self.columns = (inv, back, level, overtime, total)
        k_idx, t_idx = np.nonzero(producing & ~design.made_to_order[items][:, None])
        band = count + np.arange(k_idx.size)
        count += k_idx.size
        add(band, grid[k_idx, t_idx], 1.0)
        add(band, level + k_idx * periods + period[t_idx], -1.0)
        lower.append(np.full(k_idx.size, -1.0))
        upper.append(np.zeros(k_idx.size))

        free = problem.capacity - reserved
        forced = ruled_setup_minutes(problem)
        floor = -problem.overtime_capacity
        first_limit = count
        capacity_rows: list[int] = []
        capacity_columns: list[int] = []
        for w in np.unique(centers).tolist():
            members = np.flatnonzero(centers == w)
            cap = count + np.arange(days)
            count += days
            for member in members:
                i = items[member]
                minutes = problem.run_time[i] * self.container[member]
                add(cap, grid[member], minutes + forced[i])
            add(cap, overtime + w * days + np.arange(days), -1.0)
            capacity_rows += cap.tolist()
            capacity_columns += (overtime + w * days + np.arange(days)).tolist()
            lower.append(np.full(days, -np.inf))
            upper.append(np.maximum(free[w], floor[w]))
            for rule in problem.sequence_rules:
                carriers = rule_carriers(problem, rule, items[members], w)
                if not carriers.any():
                    continue
                mix = count + np.arange(days)
                count += days
                for member, carries in zip(members, carriers, strict=True):
                    weight = rule.window * carries - rule.max_in_window
                    if weight:
                        add(mix, grid[member], float(weight))
                lower.append(np.full(days, -np.inf))
                upper.append(np.zeros(days))

        self.limit_rows = np.arange(first_limit, count)
        self.rule_rows = ~np.isin(self.limit_rows, capacity_rows)
        self.overtime_rows = (
            np.array(capacity_rows, dtype=np.int_),
            np.array(capacity_columns, dtype=np.int_),
        )
        x_upper = np.where(producing, self._most_containers(problem, items, centers), 0.0)
        cost = np.zeros(total)
        cost[inv:back] = np.repeat(problem.holding_cost[items], days)
        cost[back:level] = np.repeat(problem.backlog_cost[items], days)
        cost[overtime:] = np.repeat([w.overtime_cost for w in problem.work_centers], days)
        self.milp = Milp(
            objective=cost,
            matrix=sp.csr_array(
                (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                shape=(count, total),
            ),
            row_lower=np.concatenate(lower),
            row_upper=np.concatenate(upper),
            lower=np.zeros(total),
            upper=np.concatenate(
                [
                    x_upper.ravel(),
                    np.full(2 * self.n_x + n * periods, np.inf),
                    problem.overtime_capacity.ravel(),
                ]
            ),
            integer=np.concatenate(
                [
                    np.ones(self.n_x, dtype=bool),
                    np.zeros(2 * self.n_x, dtype=bool),
                    np.ones(n * periods, dtype=bool),
                    np.zeros(n_wc * days, dtype=bool),
                ]
            ),
        )

    @functools.cached_property
    def limit_matrix(self) -> sp.csr_array:
        """The rows of the capacity and sequence-rule limits (:attr:`limit_rows`)."""
        return sp.csr_array(self.milp.matrix[self.limit_rows])

    @functools.cached_property
    def overtime_matrix(self) -> sp.csr_array:
        """The capacity rows whose excess is each day's overtime (:attr:`overtime_rows`)."""
        return sp.csr_array(self.milp.matrix[self.overtime_rows[0]])

    def _most_containers(self, problem: Problem, items: IntArray, centers: IntArray) -> FloatArray:
        """Containers that fit in a day's capacity with overtime, at most the whole net need."""
        days = problem.n_days
        need = problem.demand[items].sum(axis=1) + problem.safety_stock[items]
        most = np.ceil(need / self.container)[:, None] * np.ones((1, days))
        run = problem.run_time[items] * self.container
        run += ruled_setup_minutes(problem)[items]
        room = problem.capacity[centers] + problem.overtime_capacity[centers]
        fits = np.floor(room / np.where(run > 0, run, 1.0)[:, None])
        bounded: FloatArray = np.where(run[:, None] > 0, np.minimum(most, fits), most)
        return bounded

    def improved_start(
        self, seconds: float = 5.0, *, sweeps: int | None = None
    ) -> tuple[FloatArray, bool]:
        """A plan of the model built period by period and improved: a warm start.

        Each item's level for a period is the containers per production day
        that cover its projected shortfall at the end of the period (shifted
        by its lead time); while a work-center day or a sequence-rule day of
        the period is over its limit, the item that uses the most of it per
        unit of backlog cost loses one container per day of the period. Then,
        for at most ``seconds``, one container more or less per day for one
        item and period is tried in turn, and kept when the plan stays
        within its limits and costs less.

        Strangers are made to order: each day starts the containers that
        cover the demand due a lead time later, and they keep that.

        With ``sweeps``, the improvement makes at most that many passes over
        every item, period and step: the same model always gives the same
        plan, unless ``seconds`` run out first (time as a cap). Returns the
        plan and whether the clock stopped its improvement.
        """
        problem, items = self.problem, self.items
        n, days = items.size, problem.n_days
        periods = int(self.period[-1]) + 1
        containers = self._to_order()
        lead = problem.lead_time[items]
        by_row = self.limit_matrix[:, : self.n_x].tocsc()
        value = np.maximum(problem.backlog_cost[items], 1e-9)
        most = self._most_per_period()
        levels = np.zeros((n, periods))
        for p in range(periods):
            in_period = self.period == p
            net = self._net(containers)
            last = np.minimum(days - 1, np.flatnonzero(in_period)[-1] + lead)
            short = np.maximum(0.0, -net[np.arange(n), last])
            count = (self.producing & in_period[None, :]).sum(axis=1)
            wanted = np.where(count > 0, np.ceil(short / self.container / np.maximum(count, 1)), 0)
            wanted = np.where(self.to_order, 0.0, np.minimum(wanted, most[:, p]))
            while True:
                trial = self._with_level(containers, p, wanted)
                over = np.flatnonzero(self._excess(trial) > 1e-6)
                if over.size == 0 or not wanted.any():
                    break
                use = np.asarray(by_row[over].sum(axis=0)).ravel().reshape(n, days)
                pressure = np.where(wanted > 0, use[:, in_period].sum(axis=1) / value, -np.inf)
                chosen = int(np.argmax(pressure))
                if pressure[chosen] <= 0:
                    break
                wanted[chosen] -= 1
            containers = trial
            levels[:, p] = wanted
        deadline = time.perf_counter() + seconds
        return self._descend(containers, levels, most, deadline=deadline, sweeps=sweeps)

    def cover(self) -> FloatArray:
        """A quick plan of the model, to price a design: each slot covers until the next one.

        On each of its production days, a levelled item starts the
        containers that keep its projected stock at or above its safety
        stock until its next production day's output arrives (a lead time
        after it); strangers are made to order (:meth:`_to_order`). A day
        whose containers no rule-abiding sequence holds gives up carriers
        until one does (:func:`models.sequencing.days.rule_abiding_starts`).
        Where a day would need overtime that costs more than holding the
        work a few days longer, containers are built ahead on earlier
        production days with regular capacity to spare
        (:meth:`_built_ahead`); what is still over is left to the pull
        simulation that plays the plan. Returns the ``[item, day]``
        containers (which may break the model's linear rule rows, stricter
        than the exact count).
        """
        problem, days = self.problem, self.problem.n_days
        containers = self._to_order()
        net = self._net(containers)
        safety = problem.safety_stock[self.items]
        for k in np.flatnonzero(~self.to_order).tolist():
            lead = int(problem.lead_time[self.items[k]])
            slots = np.flatnonzero(self.producing[k]).tolist()
            for j, day in enumerate(slots):
                following = slots[j + 1] if j + 1 < len(slots) else days
                until = min(days - 1, following - 1 + lead)
                short = safety[k] - net[k, until]
                if short <= TOLERANCE:
                    continue
                count = math.ceil(short / self.container[k] - TOLERANCE)
                containers[k, day] += count
                net[k, day + lead :] += count * self.container[k]
        containers = self._built_ahead(containers)
        if self.rule_rows.any():
            containers = self._rule_abiding(containers)
        return containers

    def _built_ahead(self, containers: FloatArray) -> FloatArray:
        """``containers`` with work moved off days that need overtime, where that pays.

        From the last day back, while a day's load is over its regular
        capacity (less what the design reserves), one container moves to its
        item's latest earlier production day that still has regular
        capacity for it: the container whose extra days in stock cost least
        per overtime minute saved, and only while that holding costs less
        than the overtime. A move never breaks a sequence rule's row on
        either day. Days are handled last first, so work can move back
        over several slots.
        """
        problem, milp = self.problem, self.milp
        n, days = self.items.size, problem.n_days
        rows, columns = self.overtime_rows
        if rows.size == 0 or days < 2:
            return containers
        capacity = milp.matrix[rows][:, : self.n_x].tocsc()
        minutes = np.asarray(capacity.sum(axis=0)).ravel().reshape(n, days)
        column_rows = np.full(self.n_x, -1, dtype=np.int_)
        column_rows[np.repeat(np.arange(self.n_x), np.diff(capacity.indptr))] = capacity.indices
        row_of = column_rows.reshape(n, days)
        rate = milp.objective[columns]
        rules = milp.matrix[self.limit_rows[self.rule_rows]][:, : self.n_x].tocsc()
        rule_upper = milp.row_upper[self.limit_rows[self.rule_rows]]
        flat = containers.ravel().copy()
        over = capacity @ flat - milp.row_upper[rows]
        mixed = rules @ flat - rule_upper
        holding = problem.holding_cost[self.items] * self.container
        can_move = ~self.to_order & (minutes > 0).any(axis=1)

        def rule_rows(column: int) -> tuple[IntArray, FloatArray]:
            start, end = rules.indptr[column], rules.indptr[column + 1]
            return rules.indices[start:end], rules.data[start:end]

        def rule_room(column: int, step: float) -> bool:
            touched, weights = rule_rows(column)
            return bool((mixed[touched] + step * weights <= 1e-9).all())

        for day in range(days - 1, 0, -1):
            movable = can_move.copy()
            while True:
                best: tuple[float, int, int] | None = None
                for k in np.flatnonzero(movable & (flat.reshape(n, days)[:, day] > 0)).tolist():
                    r = row_of[k, day]
                    if r < 0 or over[r] <= 1e-9:
                        continue
                    earlier = np.flatnonzero(self.producing[k, :day])[::-1]
                    for s in earlier.tolist():
                        if over[row_of[k, s]] + minutes[k, s] <= 1e-9:
                            break
                    else:
                        continue
                    saved = rate[r] * min(over[r], minutes[k, day])
                    extra = holding[k] * (day - s)
                    if extra < saved and (best is None or extra / saved < best[0]):
                        best = (extra / saved, k, s)
                if best is None:
                    break
                _, k, s = best
                here, there = k * days + day, k * days + s
                if not (rule_room(here, -1.0) and rule_room(there, 1.0)):
                    movable[k] = False
                    continue
                flat[here] -= 1
                flat[there] += 1
                over[row_of[k, day]] -= minutes[k, day]
                over[row_of[k, s]] += minutes[k, s]
                for column, step in ((there, 1.0), (here, -1.0)):
                    touched, weights = rule_rows(column)
                    mixed[touched] += step * weights
        return flat.reshape(n, days)

    def _rule_abiding(self, containers: FloatArray) -> FloatArray:
        """Each day's containers cut to what a sequence that breaks no rule can hold."""
        problem = self.problem
        day_starts = np.zeros(problem.n_items)
        for day in range(problem.n_days):
            day_starts[self.items] = containers[:, day] * self.container
            kept = rule_abiding_starts(problem, day_starts)[self.items]
            containers[:, day] = np.floor(kept / self.container + TOLERANCE)
        return containers

    def _most_per_period(self) -> FloatArray:
        """The most containers an item may make per production day of each period."""
        n, days = self.items.size, self.problem.n_days
        upper = self.milp.upper[: self.n_x].reshape(n, days)
        periods = int(self.period[-1]) + 1
        most = np.zeros((n, periods))
        for p in range(periods):
            days_in = self.producing & (self.period == p)[None, :]
            cap = np.where(days_in, upper, np.inf).min(axis=1)
            most[:, p] = np.where(np.isfinite(cap), cap, 0.0)
        return most

    def _with_level(self, containers: FloatArray, period: int, level: FloatArray) -> FloatArray:
        trial = containers.copy()
        in_period = np.flatnonzero(self.period == period)
        banded = np.flatnonzero(~self.to_order)
        trial[np.ix_(banded, in_period)] = (
            level[banded, None] * self.producing[np.ix_(banded, in_period)]
        )
        return trial

    def _to_order(self) -> FloatArray:
        """Containers of the strangers made to order (lot for lot, a lead time ahead); 0 else."""
        problem, days = self.problem, self.problem.n_days
        containers = np.zeros((self.items.size, days))
        net = self._net(containers)
        strangers = np.flatnonzero(self.to_order)
        for k in strangers.tolist():
            needed = np.maximum.accumulate(np.maximum(-net[k], 0.0))
            count = np.ceil(needed / self.container[k] - TOLERANCE)
            arriving = np.diff(count, prepend=0.0)
            lead = int(problem.lead_time[self.items[k]])
            for day in np.flatnonzero(arriving > 0).tolist():
                start = max(0, day - lead)
                if self.producing[k, start]:
                    containers[k, start] += arriving[day]
        rows, _ = self.overtime_rows
        if strangers.size == 0 or rows.size == 0:
            return containers
        minutes = self.milp.matrix[rows[:days]][:, : self.n_x].toarray().reshape(days, -1, days)
        per_container = minutes[np.arange(days), :, np.arange(days)].T[strangers]
        room = STRANGER_SHARE * np.maximum(self.milp.row_upper[rows[:days]], 0.0)
        for day in range(days - 1, 0, -1):
            while per_container[:, day] @ containers[strangers, day] > room[day] + 1e-9:
                movable = strangers[
                    (containers[strangers, day] > 0) & self.producing[strangers, day - 1]
                ]
                if movable.size == 0:
                    break
                k = int(movable[np.argmax(containers[movable, day])])
                containers[k, day] -= 1
                containers[k, day - 1] += 1
        return self._within_limits(containers, np.ones(self.limit_rows.size, dtype=bool))

    def _within_limits(self, containers: FloatArray, rows: npt.NDArray[np.bool_]) -> FloatArray:
        """``containers`` less what breaks one of the limit ``rows`` (a mask of the capacity and
        rule rows): the largest user of the row most over gives up one container at a time."""
        limits = self.limit_matrix[:, : self.n_x].tocsr()
        flat = containers.ravel().copy()
        excess = np.where(rows, self._excess(containers), 0.0)
        while (excess > 1e-6).any():
            row = int(np.argmax(excess))
            start, end = limits.indptr[row], limits.indptr[row + 1]
            columns, weights = limits.indices[start:end], limits.data[start:end]
            useful = (weights > 0) & (flat[columns] > 0)
            if not useful.any():
                break
            chosen = columns[useful][np.argmax(weights[useful])]
            flat[chosen] -= 1
            excess = np.where(rows, self._excess(flat.reshape(containers.shape)), 0.0)
        return flat.reshape(containers.shape)

    def _excess(self, containers: FloatArray) -> FloatArray:
        """How far each capacity or rule row is over its limit (overtime included)."""
        milp, overtime = self.milp, self.columns[3]
        solution = np.zeros(milp.n_columns)
        solution[: self.n_x] = containers.ravel()
        solution[overtime:] = milp.upper[overtime:]
        excess: FloatArray = (self.limit_matrix @ solution) - milp.row_upper[self.limit_rows]
        return excess

    def _descend(
        self,
        containers: FloatArray,
        levels: FloatArray,
        most: FloatArray,
        *,
        deadline: float = math.inf,
        sweeps: int | None = None,
    ) -> tuple[FloatArray, bool]:
        """Try one container more or less per day, item by item and period by period.

        Passes go on while one improves, for at most ``sweeps`` passes and
        until ``deadline`` (checked after each item). Returns the best
        solution and whether the deadline stopped a pass that could have
        gone on.
        """
        best = self._complete(containers, levels)
        cost = float(self.milp.objective @ best)
        most_passes = math.inf if sweeps is None else sweeps
        passes = 0
        improved = True
        while improved and passes < most_passes and time.perf_counter() < deadline:
            improved = False
            passes += 1
            for k in np.flatnonzero(~self.to_order).tolist():
                for p in range(levels.shape[1]):
                    for step in (1.0, -1.0):
                        level = levels[k, p] + step
                        if level < 0 or level > most[k, p]:
                            continue
                        trial_levels = levels.copy()
                        trial_levels[k, p] = level
                        trial = self._with_level(containers, p, trial_levels[:, p])
                        if (self._excess(trial) > 1e-6).any():
                            continue
                        solution = self._complete(trial, trial_levels)
                        value = float(self.milp.objective @ solution)
                        if value < cost - TOLERANCE:
                            containers, levels, best, cost = trial, trial_levels, solution, value
                            improved = True
                if time.perf_counter() > deadline:
                    break
        cut = improved and passes < most_passes and time.perf_counter() >= deadline
        return best, cut

    def _net(self, containers: FloatArray) -> FloatArray:
        """Net position (on hand less backlog) per item and day for a plan."""
        problem, items = self.problem, self.items
        units = containers * self.container[:, None]
        arrivals = np.zeros_like(units)
        for k, lead in enumerate(problem.lead_time[items]):
            if lead < problem.n_days:
                arrivals[k, lead:] = units[k, : problem.n_days - lead]
        change = problem.receipts[items] - problem.demand[items] + arrivals
        net: FloatArray = problem.on_hand[items][:, None] + np.cumsum(change, axis=1)
        return net

    def _complete(self, containers: FloatArray, levels: FloatArray) -> FloatArray:
        """The model's whole solution vector for a plan of containers and levels."""
        milp = self.milp
        inv, back, level, overtime, total = self.columns
        solution = np.zeros(total)
        solution[: self.n_x] = containers.ravel()
        net = self._net(containers)
        solution[inv:back] = np.maximum(net, 0.0).ravel()
        solution[back:level] = np.maximum(-net, 0.0).ravel()
        solution[level:overtime] = np.maximum(levels, 0.0).ravel()
        rows, columns = self.overtime_rows
        activity = self.overtime_matrix @ solution
        solution[columns] = np.clip(activity - milp.row_upper[rows], 0.0, milp.upper[columns])
        return solution
