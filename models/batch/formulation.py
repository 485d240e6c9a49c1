r"""Optimised batch production: the capacitated multi-level lot-sizing MILP.

For items :math:`i`, working days :math:`t`, work centers :math:`w`:

.. math::

    \min \sum_{i,t} \big(f_i y_{it} + h_i I_{it} + b_i B_{it} + \omega h_i S_{it}\big)
         + \sum_{w,t} o_w O_{wt} + E \sum_i b_i B_{iT}

subject to

- flow balance, components consumed the day their parent starts
  (:math:`a_{ip}` the BOM, :math:`L_i` the lead time):
  :math:`I_{it} - B_{it} = I_{i,t-1} - B_{i,t-1} + R_{it} + x_{i,t-L_i} - d_{it}
  - \sum_p a_{ip} x_{pt}`, with :math:`I_{i,-1} = ` on-hand;
- backlog only of external demand: :math:`B_{it} \le \sum_{s \le t} d_{is}`
  (so :math:`B = 0` for pure components), and dependent demand is served
  from stock: :math:`\sum_p a_{ip} x_{pt} \le I_{i,t-1} - B_{i,t-1} + R_{it} +
  x_{i,t-L_i}` (for items that also have external demand: their backlog is
  served before their parents, a little stricter than the evaluator);
- capacity with setup times and paid overtime:
  :math:`\sum_{i \in w} (r_i x_{it} + s_i y_{it}) \le C_{wt} + O_{wt}`,
  :math:`0 \le O_{wt} \le \bar O_{wt}`;
- setup forcing with the tightest safe bound,
  :math:`x_{it} \le M_{it} y_{it}`, :math:`M_{it}` the smaller of what the
  work center can make that day and what the item's whole exploded
  requirement can use; minimum lots :math:`x_{it} \ge m_i y_{it}`; lot
  multiples :math:`x_{it} = q_i n_{it}`, :math:`n_{it}` integer (:math:`q_i = 1` for
  the other items counted in whole units);
- safety stock as a soft target: :math:`I_{it} + S_{it} \ge SS_i`, the
  shortfall :math:`S` priced at :math:`\omega h_i` (Settings
  ``safety_stock_weight`` :math:`\omega`: the contract's ``safety_cost``),
  and backlog still open on the last day :math:`T` charged
  :math:`E` more days (Settings ``end_backlog_days``: ``end_backlog_cost``);
- no start whose output would arrive after the horizon;
- optionally, plan stability: given the previous plan's starts
  :math:`\hat x_{it}`, the changes inside the frozen window (the first
  :math:`F` days) are priced, :math:`q_i x_{it} - \hat x_{it} = u^+_{it} -
  u^-_{it}` and :math:`\pi \sum_{i, t < F} (u^+_{it} + u^-_{it})` added to
  the objective, so a large :math:`\pi` keeps the frozen window as it was
  and :math:`\pi = 0` is the plain model.

Without the change penalty, the objective is exactly the contract's total
cost of the plan (version 2: setup, holding, backlog, overtime, safety and
end-backlog cost), which the evaluator recomputes independently. (Should an
item's backlog cost be below :math:`(\omega - 1) h_i`, holding stock next to
backlog would pay for itself and the model could price a plan below its
true cost; the evaluator's figure is the plan's.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from models.batch.echelon import EchelonPaths, Stream, echelon_requirement
from models.batch.options import BatchOptions
from models.floor import TOLERANCE
from models.problem import Problem
from models.sequencing import rule_carriers, ruled_setup_minutes, ruled_setups
from models.solvers.milp import Milp

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_CLEAN = 1e-6

FORMULATIONS = ("bigm", "allocation", "echelon", "ls")
"""The model's formulations (see :class:`~models.batch.options.BatchOptions`)."""


@dataclass(frozen=True)
class _Columns:
    """Where each variable family starts in the column vector."""

    n_items: int
    n_days: int
    n_centers: int
    x: int = 0
    y: int = field(init=False)
    inventory: int = field(init=False)
    backlog: int = field(init=False)
    shortfall: int = field(init=False)
    overtime: int = field(init=False)
    total: int = field(init=False)

    def __post_init__(self) -> None:
        block = self.n_items * self.n_days
        object.__setattr__(self, "y", block)
        object.__setattr__(self, "inventory", 2 * block)
        object.__setattr__(self, "backlog", 3 * block)
        object.__setattr__(self, "shortfall", 4 * block)
        object.__setattr__(self, "overtime", 5 * block)
        object.__setattr__(self, "total", 5 * block + self.n_centers * self.n_days)

    def item_day(self, start: int) -> IntArray:
        """Column indices of one item-day family as an ``[item, day]`` array."""
        return start + np.arange(self.n_items * self.n_days).reshape(self.n_items, self.n_days)


class _Rows:
    """Constraint rows collected as sparse triplets, appended family by family."""

    def __init__(self) -> None:
        self.rows: list[IntArray] = []
        self.cols: list[IntArray] = []
        self.vals: list[FloatArray] = []
        self.lower: list[FloatArray] = []
        self.upper: list[FloatArray] = []
        self.count = 0

    def new(self, n: int, lower: npt.ArrayLike, upper: npt.ArrayLike) -> IntArray:
        """Reserve ``n`` rows with their bounds; return their indices."""
        index = self.count + np.arange(n)
        self.count += n
        self.lower.append(np.broadcast_to(lower, (n,)).astype(float))
        self.upper.append(np.broadcast_to(upper, (n,)).astype(float))
        return index

    def add(self, rows: npt.ArrayLike, cols: npt.ArrayLike, vals: npt.ArrayLike) -> None:
        """Add coefficients (broadcast together)."""
        r, c, v = np.broadcast_arrays(np.asarray(rows), np.asarray(cols), np.asarray(vals, float))
        self.rows.append(r.ravel().astype(np.int64))
        self.cols.append(c.ravel().astype(np.int64))
        self.vals.append(v.ravel())

    def matrix(self, n_columns: int) -> sp.csr_array:
        """The assembled matrix (duplicate entries summed)."""
        if not self.rows:
            return sp.csr_array((self.count, n_columns))
        coo = sp.coo_array(
            (np.concatenate(self.vals), (np.concatenate(self.rows), np.concatenate(self.cols))),
            shape=(self.count, n_columns),
        )
        return coo.tocsr()


class _Extra:
    """Continuous columns added after the item-day families: upper bounds and costs."""

    def __init__(self, first: int) -> None:
        self.count = first
        self.upper: list[FloatArray] = []
        self.cost: list[FloatArray] = []

    def new(self, upper: npt.ArrayLike, cost: npt.ArrayLike) -> IntArray:
        """Add ``len(upper)`` columns with lower bound 0; return their indices."""
        bounds = np.asarray(upper, dtype=float)
        index = self.count + np.arange(bounds.size)
        self.count += bounds.size
        self.upper.append(bounds)
        self.cost.append(np.broadcast_to(np.asarray(cost, dtype=float), bounds.shape).copy())
        return index


class BatchModel:
    """The lot-sizing MILP of one problem, built as a solver-neutral :class:`Milp`.

    Build with ``BatchModel(problem, options)``; ``milp`` is the model,
    ``plan_from(x)`` turns a solution into daily starts, ``solution_from(starts)``
    turns starts into a full solution vector (for warm starts). With
    ``whole_units``, the starts of whole-unit items are integer variables
    (:mod:`models.batch.whole`); without, only lot multiples are.
    """

    def __init__(
        self, problem: Problem, options: BatchOptions | None = None, *, whole_units: bool = False
    ) -> None:
        self.problem = problem
        self.options = options or BatchOptions()
        n, t, w = problem.n_items, problem.n_days, len(problem.work_centers)
        self.columns = _Columns(n, t, w)
        self.scale = np.where(problem.lot_multiple > 0, problem.lot_multiple, 1.0)
        self.counted_in_steps = (problem.lot_multiple > 0) | (problem.whole_units & whole_units)
        self.forced = ruled_setups(problem) / problem.container_qty
        self.forced_minutes = ruled_setup_minutes(problem) / problem.container_qty
        self.big_m = self._setup_bounds()
        self.rows = _Rows()
        self.lower = np.zeros(self.columns.total)
        self.upper = np.full(self.columns.total, np.inf)
        self.integer = np.zeros(self.columns.total, dtype=bool)
        self._bounds()
        self._flow_balance()
        self._dependent_from_stock()
        self._capacity()
        self._setup_forcing()
        self._minimum_lots()
        self._safety_stock()
        self.extra = _Extra(self.columns.total)
        self.rule_slack: list[IntArray] = []
        self._sequence_rules()
        self.allocated: list[int] = []
        self.unallocated: list[tuple[IntArray, IntArray]] = []
        formulation = self.options.formulation
        if formulation not in FORMULATIONS:
            raise ValueError(f"unknown formulation {formulation!r}")
        if formulation == "allocation":
            self._allocation()
        if formulation == "echelon":
            self._echelon_allocation()
        if formulation == "ls":
            self._ls_inequalities()
        if self.options.keeps_previous_plan:
            self._plan_stability()
        self.milp = self._assemble(self._objective())

    # Bounds -----------------------------------------------------------------

    def _setup_bounds(self) -> FloatArray:
        """Largest useful start per item and day: capacity and exploded requirement."""
        p = self.problem
        useful = np.maximum(_exploded_requirement(p) - p.on_hand - p.receipts.sum(axis=1), 0.0)
        bound = np.repeat(useful[:, None], p.n_days, axis=1)
        centers = p.item_work_center
        made = centers >= 0
        if made.any():
            free = (p.capacity + p.overtime_capacity)[centers[made]]
            room = free - p.setup_time[made, None]
            run = p.run_time[made, None]
            with np.errstate(divide="ignore", invalid="ignore"):
                by_capacity = np.where(run > 0, room / run, np.where(room >= 0, np.inf, 0.0))
            bound[made] = np.minimum(bound[made], np.maximum(by_capacity, 0.0))
        arrives_late = np.arange(p.n_days)[None, :] + p.lead_time[:, None] > p.n_days - 1
        bound[arrives_late] = 0.0
        return bound

    def _bounds(self) -> None:
        p, c = self.problem, self.columns
        x = c.item_day(c.x)
        counted = self.counted_in_steps
        self.upper[x] = np.where(
            counted[:, None],
            np.floor(self.big_m / self.scale[:, None] + TOLERANCE),
            self.big_m,
        )
        self.integer[x[counted]] = True
        y = c.item_day(c.y)
        self.upper[y] = np.where(self.big_m > 0, 1.0, 0.0)
        self.integer[y] = True
        self.upper[c.item_day(c.backlog)] = np.cumsum(p.demand, axis=1)
        self.upper[c.item_day(c.shortfall)] = np.repeat(p.safety_stock[:, None], p.n_days, axis=1)
        overtime = c.overtime + np.arange(len(p.work_centers) * p.n_days)
        self.upper[overtime] = p.overtime_capacity.ravel()

    # Constraint families --------------------------------------------------------

    def _flow_balance(self) -> None:
        """Inventory minus backlog carries over, plus arrivals, minus demand and use."""
        p, c, rows = self.problem, self.columns, self.rows
        n, days = p.n_items, p.n_days
        rhs = p.receipts - p.demand
        rhs[:, 0] += p.on_hand
        index = rows.new(n * days, rhs.ravel(), rhs.ravel()).reshape(n, days)
        rows.add(index, c.item_day(c.inventory), 1.0)
        rows.add(index, c.item_day(c.backlog), -1.0)
        rows.add(index[:, 1:], c.item_day(c.inventory)[:, :-1], -1.0)
        rows.add(index[:, 1:], c.item_day(c.backlog)[:, :-1], 1.0)
        self._arrivals(index, -1.0)
        self._consumption(index, 1.0)

    def _dependent_from_stock(self) -> None:
        """Components consumed by parents come from stock, even for items that backlog demand.

        The stock counted is the net position ``I - B`` of the day before,
        which is the physical stock whenever at most one of them is positive
        and never more, so the model cannot buy component stock with backlog.
        """
        p, c, rows = self.problem, self.columns, self.rows
        both = np.flatnonzero(
            (p.demand.sum(axis=1) > 0) & (np.diff(p.bom_matrix.tocsr().indptr) > 0)
        )
        if not both.size:
            return
        rhs = p.receipts[both].copy()
        rhs[:, 0] += p.on_hand[both]
        index = rows.new(both.size * p.n_days, -np.inf, rhs.ravel()).reshape(both.size, p.n_days)
        rows.add(index[:, 1:], c.item_day(c.inventory)[both, :-1], -1.0)
        rows.add(index[:, 1:], c.item_day(c.backlog)[both, :-1], 1.0)
        full = np.full((p.n_items, p.n_days), -1)
        full[both] = index
        self._arrivals(full, -1.0)
        self._consumption(full, 1.0)

    def _arrivals(self, index: npt.NDArray[np.int_], sign: float) -> None:
        """Add ``sign * x[i, t - L_i]`` to row ``index[i, t]`` (rows -1 are skipped)."""
        p, c = self.problem, self.columns
        items, days = np.nonzero(index >= 0)
        started = days - p.lead_time[items]
        keep = started >= 0
        items, days, started = items[keep], days[keep], started[keep]
        columns = c.x + items * p.n_days + started
        self.rows.add(index[items, days], columns, sign * self.scale[items])

    def _consumption(self, index: npt.NDArray[np.int_], sign: float) -> None:
        """Add ``sign * a[i, p] * x[p, t]`` to row ``index[i, t]`` for every BOM line."""
        p, c = self.problem, self.columns
        bom = p.bom_matrix.tocoo()
        for child, parent, per_unit in zip(bom.row, bom.col, bom.data, strict=True):
            if index[child, 0] < 0:
                continue
            columns = c.x + parent * p.n_days + np.arange(p.n_days)
            self.rows.add(index[child], columns, sign * per_unit * self.scale[parent])

    def _capacity(self) -> None:
        """Run and setup minutes within regular capacity plus overtime, every day."""
        p, c, rows = self.problem, self.columns, self.rows
        centers, days = len(p.work_centers), p.n_days
        if not centers:
            return
        index = rows.new(centers * days, -np.inf, p.capacity.ravel()).reshape(centers, days)
        self.capacity_rows = index
        made = np.flatnonzero(p.item_work_center >= 0)
        row_of = index[p.item_work_center[made]]
        run = p.run_time[made] + self.forced_minutes[made]
        rows.add(row_of, c.item_day(c.x)[made], (run * self.scale[made])[:, None])
        rows.add(row_of, c.item_day(c.y)[made], p.setup_time[made, None])
        rows.add(index, c.overtime + np.arange(centers * days).reshape(centers, days), -1.0)

    def _setup_forcing(self) -> None:
        """No start without a setup: ``x <= M y``."""
        p, c, rows = self.problem, self.columns, self.rows
        open_ = np.argwhere(self.big_m > 0)
        if not open_.size:
            return
        items, days = open_[:, 0], open_[:, 1]
        index = rows.new(items.size, -np.inf, 0.0)
        rows.add(index, c.x + items * p.n_days + days, self.scale[items])
        rows.add(index, c.y + items * p.n_days + days, -self.big_m[items, days])

    def _minimum_lots(self) -> None:
        """A start is at least the minimum lot: ``x >= m y``."""
        p, c, rows = self.problem, self.columns, self.rows
        lots = np.argwhere((p.min_lot[:, None] > 0) & (self.big_m > 0))
        if not lots.size:
            return
        items, days = lots[:, 0], lots[:, 1]
        index = rows.new(items.size, 0.0, np.inf)
        rows.add(index, c.x + items * p.n_days + days, self.scale[items])
        rows.add(index, c.y + items * p.n_days + days, -p.min_lot[items])

    def _sequence_rules(self) -> None:
        r"""Each ruled work-center day holds no more carriers than a rule-abiding sequence can.

        In :math:`N` positions, at most :math:`p` of any :math:`q` carrying an
        attribute, there are at most :math:`(p/q) N + p (1 - p/q)` carriers:
        with :math:`C` carrier and :math:`F` other positions,
        :math:`(1 - p/q) C - (p/q) F \le p (1 - p/q)`. Positions are
        containers: a carrier's start counts :math:`x/c + y` of them (its last
        container may be partial), another item's :math:`x/c`, so the row is
        never looser than the sequence. A slack beyond it is priced far above
        any cost it could save (a plan that needs it breaks the rule), so
        that an unruly warm start is still a start.
        """
        p, c, rows, extra = self.problem, self.columns, self.rows, self.extra
        centers = p.item_work_center
        container = p.container_qty
        price = (
            10.0
            * (
                float(p.setup_cost.max(initial=0.0))
                + float(p.backlog_cost.max(initial=0.0)) * float(container.max(initial=1.0))
            )
            + 1.0
        )
        for w in range(len(p.work_centers)):
            members = np.flatnonzero((centers == w) & p.is_make)
            for rule in p.sequence_rules:
                marked = rule_carriers(p, rule, members, w)
                if not marked.any() or rule.max_in_window >= rule.window:
                    continue
                share = rule.max_in_window / rule.window
                carriers, others = members[marked], members[~marked]
                index = rows.new(p.n_days, -np.inf, rule.max_in_window * (1 - share))
                step = (1 - share) * self.scale[carriers] / container[carriers]
                rows.add(index[None, :], c.item_day(c.x)[carriers], step[:, None])
                rows.add(index[None, :], c.item_day(c.y)[carriers], 1 - share)
                if others.size:
                    step = share * self.scale[others] / container[others]
                    rows.add(index[None, :], c.item_day(c.x)[others], -step[:, None])
                slack = extra.new(np.full(p.n_days, np.inf), price)
                rows.add(index, slack, -1.0)
                self.rule_slack.append(slack)

    def _safety_stock(self) -> None:
        """Inventory plus shortfall reaches safety stock."""
        p, c, rows = self.problem, self.columns, self.rows
        kept = np.flatnonzero(p.safety_stock > 0)
        if not kept.size:
            return
        index = rows.new(kept.size * p.n_days, np.repeat(p.safety_stock[kept], p.n_days), np.inf)
        index = index.reshape(kept.size, p.n_days)
        rows.add(index, c.item_day(c.inventory)[kept], 1.0)
        rows.add(index, c.item_day(c.shortfall)[kept], 1.0)

    def _allocation(self) -> None:
        r"""Facility-location reformulation of the items that no other item uses.

        Every unit such an item receives (on-hand, a receipt, or a start
        :math:`t` arriving on day :math:`a_t = t + L_i`) is allocated to the
        demand :math:`d_{is}` it serves, :math:`z_{ks}`, at its true cost:
        :math:`h_i (s - a_k)` when it arrives early, :math:`b_i (a_k - s)`
        when late; units allocated to no demand are held to the end of the
        horizon, demand served by no unit is late to the end. Then

        .. math::

            q_t x_{it} = \sum_s z_{ts} + u_t, \quad z_{ts} \le d_{is} y_{it},
            \quad \sum_k z_{ks} + w_s = d_{is},

        and the item's holding and backlog costs are carried by the
        allocation (the cheapest allocation is first-in-first-out, which is
        exactly the flow balance's cost; demand never served pays the
        end-backlog charge too). Items with safety stock keep the plain
        model: their shortfall is priced on the inventory the flow balance
        holds, which the allocation leaves without cost. The linear relaxation can no
        longer spread one setup over a large lot, which is what makes the
        textbook model weak (Krarup & Bilde 1977; Pochet & Wolsey 2006).
        """
        p, rows, extra = self.problem, self.rows, self.extra
        days = p.n_days
        budget = self.options.allocation_limit
        top = np.diff(p.bom_matrix.tocsr().indptr) == 0
        for i in np.argsort(-p.setup_cost, kind="stable").tolist():
            starts = np.flatnonzero(self.big_m[i] > 0)
            due = np.flatnonzero(p.demand[i] > 0)
            receipts = np.flatnonzero(p.receipts[i] > 0)
            size = (starts.size + receipts.size + 1) * due.size
            if not top[i] or not due.size or not starts.size or size > budget:
                continue
            if p.safety_stock[i] > 0:
                continue
            budget -= size
            self.allocated.append(i)
            h, b = float(p.holding_cost[i]), float(p.backlog_cost[i])
            demand = p.demand[i, due]

            served = rows.new(due.size, demand, demand)
            arrival = starts + int(p.lead_time[i])
            z = self._allocated_starts(
                i, starts, demand, _allocation_cost(due, arrival, h, b), h * (days - arrival)
            )
            rows.add(served[None, :], z, 1.0)
            fixed = [(0, float(p.on_hand[i]))] if p.on_hand[i] > 0 else []
            fixed += [(int(r), float(p.receipts[i, r])) for r in receipts]
            for day, quantity in fixed:
                zf = extra.new(
                    np.full(due.size, quantity), _allocation_cost(due, np.array([day]), h, b)[0]
                )
                uf = extra.new(np.array([quantity]), np.array([h * (days - day)]))
                supply = rows.new(1, quantity, quantity)
                rows.add(supply, zf, 1.0)
                rows.add(supply, uf, 1.0)
                rows.add(served, zf, 1.0)
            late = extra.new(demand.copy(), b * (days + p.settings.end_backlog_days - due))
            rows.add(served, late, 1.0)

    def _allocated_starts(
        self,
        item: int,
        starts: IntArray,
        demand: FloatArray,
        cost: npt.ArrayLike,
        unallocated_cost: npt.ArrayLike,
    ) -> IntArray:
        r"""Allocation columns ``z[start, due]`` of ``item``'s starts to ``demand``, at ``cost``.

        Each start is split into what it serves and what it leaves
        unallocated (at ``unallocated_cost``), :math:`q x_t = \sum_s z_{ts} + u_t`,
        and serves a demand only when set up, :math:`z_{ts} \le d_s y_t`.
        """
        c, rows, extra, days = self.columns, self.rows, self.extra, self.problem.n_days
        shape = (starts.size, demand.size)
        upper, costs = np.broadcast_to(demand[None, :], shape), np.broadcast_to(cost, shape)
        z = extra.new(upper.ravel(), costs.ravel())
        z = z.reshape(shape)
        u = extra.new(np.full(starts.size, np.inf), unallocated_cost)
        self.unallocated.append((u, c.x + item * days + starts))
        split = rows.new(starts.size, 0.0, 0.0)
        rows.add(split, c.x + item * days + starts, self.scale[item])
        rows.add(split[:, None], z, -1.0)
        rows.add(split, u, -1.0)
        forcing = rows.new(z.size, -np.inf, 0.0).reshape(shape)
        rows.add(forcing, z, 1.0)
        rows.add(forcing, (c.y + item * days + starts)[:, None], -demand[None, :])
        return z

    def _echelon_allocation(self) -> None:
        r"""Facility-location linking of every other item's starts to its echelon requirement.

        The requirement :math:`Q_{it}` of :mod:`models.batch.echelon` (what
        item :math:`i` must have received by day :math:`t`, or some item above
        it is late) is a fixed stream: demand :math:`g_s` where it rises,
        supply :math:`f_j` where it falls. Served first in, first out, the
        stream's demand due by :math:`t` and not yet served is
        :math:`\max(0, Q_{it} - A_{it})`, at most the backlog term
        :math:`V_t = \sum_\pi m_\pi B_{a(\pi), t + L_\pi}`. Every start is
        allocated to the stream's demands, :math:`z_{ks} \le g_s y_{ik}`,
        with :math:`S_t` the demand served by day :math:`t`:

        .. math::

            q_k x_{ik} = \sum_s z_{ks} + u_k, \quad
            \sum_k z_{ks} + \sum_j z^f_{js} \le g_s, \quad
            S_t + V_t \ge \sum_{s \le t} g_s.

        Valid for every plan (its first-in-first-out allocation is one
        solution) and without cost: the plan's costs stay where they are. A
        component's setups can no longer be spread thinly over large lots
        in the linear relaxation, which is what the textbook model allows.
        """
        p, c, rows, extra = self.problem, self.columns, self.rows, self.extra
        days = p.n_days
        paths = EchelonPaths.of(p)
        required = echelon_requirement(p, paths)
        budget = self.options.allocation_limit
        backlogged = p.demand.sum(axis=1) > 0
        for i in np.argsort(-p.setup_cost, kind="stable").tolist():
            stream = Stream.of(required[i])
            starts = np.flatnonzero(self.big_m[i] > 0)
            due = np.flatnonzero(stream.demand > _CLEAN)
            supplies = np.flatnonzero(stream.supply > _CLEAN)
            size = (starts.size + supplies.size) * due.size
            if not due.size or not starts.size or size > budget:
                continue
            if p.setup_cost[i] <= 0 and p.setup_time[i] <= 0:
                continue
            budget -= size
            demand = stream.demand[due]
            arrival = starts + int(p.lead_time[i])
            z = self._allocated_starts(i, starts, demand, 0.0, 0.0)
            served = rows.new(due.size, -np.inf, demand)
            rows.add(served[None, :], z, 1.0)
            cumulative = np.cumsum(stream.demand)
            served_by = extra.new(cumulative, 0.0)
            counting = rows.new(days, 0.0, 0.0)
            rows.add(counting, served_by, 1.0)
            rows.add(counting[1:], served_by[:-1], -1.0)
            rows.add(counting[np.maximum(arrival[:, None], due[None, :])], z, -1.0)
            if supplies.size:
                amounts = stream.supply[supplies]
                zf = extra.new(np.repeat(demand[None, :], supplies.size, axis=0).ravel(), 0.0)
                zf = zf.reshape(supplies.size, due.size)
                supply = rows.new(supplies.size, -np.inf, amounts)
                rows.add(supply[:, None], zf, 1.0)
                rows.add(served[None, :], zf, 1.0)
                rows.add(counting[np.maximum(supplies[:, None], due[None, :])], zf, -1.0)
            owed = np.flatnonzero(cumulative > _CLEAN)
            link = rows.new(owed.size, cumulative[owed], np.inf)
            rows.add(link, served_by[owed], 1.0)
            late = backlogged[paths.ancestor[i]]
            if late.any():
                ancestors = paths.ancestor[i][late]
                read = paths.days_of(i, days)[late][:, owed]
                units = np.repeat(paths.multiplier[i][late][:, None], owed.size, axis=1)
                rows.add(
                    np.broadcast_to(link[None, :], read.shape),
                    c.backlog + ancestors[:, None] * days + read,
                    units,
                )

    def _ls_inequalities(self) -> None:
        r"""Single-start (l, S) inequalities of the items no other item uses.

        A start on day :math:`t`, arriving on :math:`a = t + L_i`, serves
        demand due from :math:`a` to :math:`l`, is still in stock at the end
        of :math:`l`, or clears backlog owed before :math:`a`:

        .. math:: x_{it} \le D_{i,a..l}\, y_{it} + I_{il} + B_{i,a-1}

        for every :math:`l \ge a` (Barany, Van Roy & Wolsey 1984, with
        backlog). Valid for every plan of the model.
        """
        p, c, rows = self.problem, self.columns, self.rows
        days = p.n_days
        top = np.diff(p.bom_matrix.tocsr().indptr) == 0
        window = self.options.ls_window
        for i in np.flatnonzero(top & (p.demand.sum(axis=1) > 0)).tolist():
            lead = int(p.lead_time[i])
            cumulative = np.concatenate([[0.0], np.cumsum(p.demand[i])])
            for t in np.flatnonzero(self.big_m[i] > 0).tolist():
                arrival = t + lead
                last = np.arange(arrival, min(days, arrival + window))
                demand = cumulative[last + 1] - cumulative[arrival]
                useful = demand < self.big_m[i, t]
                last, demand = last[useful], demand[useful]
                if not last.size:
                    continue
                index = rows.new(last.size, -np.inf, 0.0)
                rows.add(index, c.x + i * days + t, self.scale[i])
                rows.add(index, c.y + i * days + t, -demand)
                rows.add(index, c.inventory + i * days + last, -1.0)
                if arrival >= 1:
                    rows.add(index, c.backlog + i * days + arrival - 1, -1.0)

    def _plan_stability(self) -> None:
        """Price the frozen window's changes: ``q x - previous = u+ - u-`` at the change penalty."""
        p, c, rows, extra = self.problem, self.columns, self.rows, self.extra
        previous = np.asarray(self.options.previous_starts, dtype=float)
        if previous.shape != (p.n_items, p.n_days):
            raise ValueError(
                f"previous_starts has shape {previous.shape}, expected "
                f"{(p.n_items, p.n_days)} (items x working days of the problem)"
            )
        frozen = min(self.options.frozen_days, p.n_days)
        before = np.maximum(previous[:, :frozen], 0.0).ravel()
        penalty = self.options.change_penalty
        more = extra.new(self.big_m[:, :frozen].ravel(), penalty)
        less = extra.new(before, penalty)
        index = rows.new(before.size, before, before)
        starts = c.item_day(c.x)[:, :frozen].ravel()
        rows.add(index, starts, np.repeat(self.scale, frozen))
        rows.add(index, more, -1.0)
        rows.add(index, less, 1.0)

    def _objective(self) -> FloatArray:
        p, c = self.problem, self.columns
        cost = np.zeros(c.total)
        days = p.n_days
        cost[c.item_day(c.y)] = np.repeat(p.setup_cost[:, None], days, axis=1)
        forced = p.setup_cost * self.forced * self.scale
        cost[c.item_day(c.x)] = np.repeat(forced[:, None], days, axis=1)
        cost[c.item_day(c.inventory)] = np.repeat(p.holding_cost[:, None], days, axis=1)
        late = np.repeat(p.backlog_cost[:, None], days, axis=1)
        late[:, -1] *= 1 + p.settings.end_backlog_days
        cost[c.item_day(c.backlog)] = late
        penalty = p.settings.safety_stock_weight * p.holding_cost
        cost[c.item_day(c.shortfall)] = np.repeat(penalty[:, None], days, axis=1)
        for i in self.allocated:
            cost[c.inventory + i * days : c.inventory + (i + 1) * days] = 0.0
            cost[c.backlog + i * days : c.backlog + (i + 1) * days] = 0.0
        overtime_cost = np.array([w.overtime_cost for w in p.work_centers])
        cost[c.overtime : c.total] = np.repeat(overtime_cost, days)
        return cost

    def _assemble(self, cost: FloatArray) -> Milp:
        total = self.extra.count
        added = total - self.columns.total
        return Milp(
            objective=np.concatenate([cost, *self.extra.cost]) if added else cost,
            matrix=self.rows.matrix(total),
            row_lower=np.concatenate(self.rows.lower) if self.rows.lower else np.zeros(0),
            row_upper=np.concatenate(self.rows.upper) if self.rows.upper else np.zeros(0),
            lower=np.concatenate([self.lower, np.zeros(added)]),
            upper=np.concatenate([self.upper, *self.extra.upper]) if added else self.upper,
            integer=np.concatenate([self.integer, np.zeros(added, dtype=bool)]),
        )

    def column_caps(self) -> FloatArray:
        """Upper bounds that every plan of the model meets, also where ``milp.upper`` is infinite.

        Stock less backlog is on-hand plus all receipts and arrivals less
        demand and use, so stock is at most on-hand, plus every receipt and
        the largest start of every day (its column bound) that has arrived,
        plus the backlog's bound (the demand due so far). Units of a start
        that the allocation leaves unallocated are at most the start. Used by
        :func:`models.solvers.bounds.lagrangian_bound`.
        """
        p, c = self.problem, self.columns
        caps = self.milp.upper.copy()
        most = self.upper[c.item_day(c.x)] * self.scale[:, None]
        arrivals = np.zeros_like(most)
        for i in range(p.n_items):
            lead = int(p.lead_time[i])
            if lead < p.n_days:
                arrivals[i, lead:] = most[i, : p.n_days - lead]
        caps[c.item_day(c.inventory)] = p.on_hand[:, None] + np.cumsum(
            p.receipts + arrivals + p.demand, axis=1
        )
        for unallocated, starts in self.unallocated:
            caps[unallocated] = self.upper[starts] * self.scale[(starts - c.x) // p.n_days]
        return caps

    # Between solutions and plans -------------------------------------------------

    def setup_columns(self, items: IntArray) -> IntArray:
        """The setup columns of the given items, every day."""
        c, days = self.columns, self.problem.n_days
        return (c.y + items[:, None] * days + np.arange(days)[None, :]).ravel()

    def starts_from(self, solution: FloatArray) -> FloatArray:
        """Daily starts ``[item, day]`` of a solution vector, cleaned of solver noise."""
        c = self.columns
        steps = solution[c.item_day(c.x)]
        steps = np.where(self.counted_in_steps[:, None], np.round(steps), steps)
        x = steps * self.scale[:, None]
        y = solution[c.item_day(c.y)]
        x = np.where((x > _CLEAN) & (y > 0.5), x, 0.0)
        return np.asarray(x, dtype=float)

    def solution_from(self, starts: FloatArray) -> FloatArray:
        """A solution vector for given starts: the flow balance and overtime they imply.

        Columns of the allocation reformulation are ``nan`` (unknown): a
        solver completes them from the rest.
        """
        p, c = self.problem, self.columns
        solution = np.full(self.milp.n_columns, np.nan)
        solution[: c.total] = 0.0
        solution[c.item_day(c.x)] = starts / self.scale[:, None]
        solution[c.item_day(c.y)] = (starts > _CLEAN).astype(float)
        position = p.net_positions(starts)
        solution[c.item_day(c.inventory)] = np.maximum(position, 0.0)
        solution[c.item_day(c.backlog)] = np.maximum(-position, 0.0)
        solution[c.item_day(c.shortfall)] = np.maximum(
            p.safety_stock[:, None] - np.maximum(position, 0.0), 0.0
        )
        centers = len(p.work_centers)
        if centers:
            load = np.zeros((centers, p.n_days))
            made = p.item_work_center >= 0
            np.add.at(
                load,
                p.item_work_center[made],
                p.run_time[made, None] * starts[made]
                + p.setup_time[made, None] * (starts[made] > _CLEAN),
            )
            solution[c.overtime : c.total] = np.maximum(load - p.capacity, 0.0).ravel()
        return solution


def _allocation_cost(due: IntArray, arrival: IntArray, holding: float, late: float) -> FloatArray:
    """Cost of serving demand due on ``due`` days with units arriving on ``arrival`` days."""
    gap = due[None, :] - arrival[:, None]
    return np.where(gap >= 0, holding * gap, -late * gap).astype(float)


def _exploded_requirement(problem: Problem) -> FloatArray:
    """Most units of each item any sensible plan makes, exploded through the BOM.

    External demand and safety stock, plus one lot's rounding (minimum lot or
    lot multiple) on every day: a parent's rounded lots need their
    components too, so the slack is exploded with the demand.
    """
    rounding = np.maximum(problem.min_lot, problem.lot_multiple) * problem.n_days
    return problem.explode(problem.demand.sum(axis=1) + problem.safety_stock + rounding)
