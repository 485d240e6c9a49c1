r"""Single-item, uncapacitated lot-sizing rules on numpy arrays.

These are the lot rules of classic MRP (``Items.lot_rule`` in the workbook:
``LFL``, ``FOQ``, ``EOQ``, ``POQ``, ``WW``, ``SM``), written as pure functions
so that the MRP netting engine can call them item by item and tests can check
them on their own.

Model and notation
------------------
Periods are working days :math:`t = 0, \dots, T-1`. The requirement of period
:math:`t` is :math:`r_t \ge 0`; an order (a lot) of :math:`q_t` units placed
in period :math:`t` is received in period :math:`t` (no lead time here).
Inventory is counted at the **end** of each period,

.. math::

    I_t = I_{t-1} + q_t - r_t, \qquad I_{-1} = 0, \qquad I_t \ge 0,

and a plan costs

.. math::

    C(q) = \sum_t s_t \, [q_t > 0] + \sum_t h_t I_t,

with setup (ordering) cost :math:`s_t` and holding cost :math:`h_t` per unit
held at the end of period :math:`t`. With the cumulative holding cost
:math:`H_k = \sum_{u<k} h_u`, a unit ordered in period :math:`i` for period
:math:`k \ge i` costs :math:`H_k - H_i` to hold (:math:`h\,(k-i)` when
:math:`h` is constant), so one lot placed in :math:`i` that covers periods
:math:`i, \dots, j` costs

.. math::

    c(i, j) = s_i + \sum_{k=i}^{j} r_k \, (H_k - H_i).

Wagner and Whitin (1958) showed that some optimal plan orders only when the
entering inventory is zero, each lot covering a whole number of consecutive
periods; the dynamic programmes below search those plans exactly.

References
----------
Wagner, H.M. and Whitin, T.M. (1958). Dynamic version of the economic lot
size model. *Management Science* 5(1):89-96.

Silver, E.A. and Meal, H.C. (1973). A heuristic for selecting lot size
quantities for the case of a deterministic time-varying demand rate and
discrete opportunities for replenishment. *Production and Inventory
Management* 14(2):64-74.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from models.floor import TOLERANCE
from models.problem import LotRule

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

__all__ = [
    "LotSizingResult",
    "economic_order_quantity",
    "lot_sizes",
    "round_lot",
    "silver_meal",
    "silver_meal_cover",
    "wagner_whitin",
    "wagner_whitin_cover",
]

_REL_TOL: Final = TOLERANCE
"""Relative tolerance for "is a whole number of lots" and "is short"."""


@dataclass(frozen=True, eq=False)
class LotSizingResult:
    """A single-item lot-sizing plan and its cost.

    Parameters
    ----------
    orders
        Quantity ordered (and received) in each period, shape ``(T,)``.
        Stored as a read-only copy.
    cost
        Setup cost plus holding cost of the plan (plus the unit cost of the
        quantities ordered, when a per-period ``unit_cost`` was given).
    order_periods
        The periods (zero-based) with a positive order, ascending.
    """

    orders: FloatArray
    cost: float
    order_periods: tuple[int, ...]

    def __post_init__(self) -> None:
        orders = np.array(self.orders, dtype=np.float64, copy=True)
        orders.flags.writeable = False
        object.__setattr__(self, "orders", orders)
        object.__setattr__(self, "cost", float(self.cost))
        object.__setattr__(self, "order_periods", tuple(int(t) for t in self.order_periods))

    def __repr__(self) -> str:
        periods = ", ".join(str(t) for t in self.order_periods)
        return (
            f"LotSizingResult(cost={self.cost:,.6g}, {len(self.order_periods)} orders "
            f"in periods [{periods}], {self.orders.sum():,.6g} units)"
        )


# --------------------------------------------------------------------------
# input checks


def _requirements(requirements: npt.ArrayLike) -> FloatArray:
    r = np.asarray(requirements, dtype=np.float64)
    if r.ndim != 1:
        raise ValueError(f"requirements must be one-dimensional, got shape {r.shape}")
    if not np.all(np.isfinite(r)):
        raise ValueError("requirements must be finite")
    if np.any(r < 0):
        raise ValueError("requirements must be >= 0")
    return r


def _per_period(value: npt.ArrayLike, periods: int, name: str) -> FloatArray:
    """Broadcast a scalar or per-period cost to shape ``(periods,)`` and check it."""
    a = np.asarray(value, dtype=np.float64)
    if a.ndim == 0:
        a = np.full(periods, float(a))
    elif a.shape != (periods,):
        raise ValueError(f"{name} must be a number or have shape ({periods},), got {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite")
    if np.any(a < 0):
        raise ValueError(f"{name} must be >= 0")
    return a


def _unit_costs(value: npt.ArrayLike | None, periods: int) -> FloatArray:
    if value is None:
        return np.zeros(periods)
    a = np.asarray(value, dtype=np.float64)
    if a.ndim == 0:
        a = np.full(periods, float(a))
    elif a.shape != (periods,):
        raise ValueError(f"unit_cost must be a number or have shape ({periods},), got {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError("unit_cost must be finite")
    return a


def _scalar(value: float, name: str, *, positive: bool = False) -> float:
    x = float(value)
    if not math.isfinite(x) or x < 0 or (positive and x == 0):
        raise ValueError(f"{name} must be a finite number {'> 0' if positive else '>= 0'}")
    return x


def _cumulative(h: FloatArray) -> FloatArray:
    """``H[k] = h[0] + ... + h[k-1]``, with ``H[0] = 0``; shape ``(T + 1,)``."""
    return np.concatenate(([0.0], np.cumsum(h)))


def _plan_cost(
    orders: FloatArray,
    r: FloatArray,
    s: FloatArray,
    h: FloatArray,
    c: FloatArray,
) -> float:
    """Setup + holding (+ unit) cost of an order plan, computed from the plan itself."""
    inventory = np.cumsum(orders - r)
    placed = orders > 0
    return float(s[placed].sum() + h @ inventory + c @ orders)


def _result_from_periods(
    order_periods: list[int],
    r: FloatArray,
    s: FloatArray,
    h: FloatArray,
    c: FloatArray,
) -> LotSizingResult:
    """Each order covers the requirements up to the next order (or the horizon's end)."""
    orders = np.zeros(r.size)
    if order_periods:
        starts = np.asarray(order_periods, dtype=np.intp)
        orders[starts] = np.add.reduceat(r, starts)
    return LotSizingResult(orders, _plan_cost(orders, r, s, h, c), tuple(order_periods))


# --------------------------------------------------------------------------
# Wagner-Whitin


def wagner_whitin(
    requirements: npt.ArrayLike,
    setup_cost: npt.ArrayLike,
    holding_cost: npt.ArrayLike,
    *,
    unit_cost: npt.ArrayLike | None = None,
) -> LotSizingResult:
    r"""Optimal uncapacitated lot sizes by the Wagner-Whitin dynamic programme.

    Let :math:`P = (p_0 < p_1 < \dots < p_{m-1})` be the periods with a
    positive requirement. Orders are placed only in those periods, each
    covering its own period and every period up to the next order (zero
    requirements in between cost nothing to hold). With :math:`G_0 = 0`,
    the forward recursion

    .. math::

        G_{b+1} = \min_{0 \le a \le b} \Big( G_a + s_{p_a}
                  + \sum_{c=a}^{b} r_{p_c} \, (H_{p_c} - H_{p_a} + u_{p_a}) \Big)

    gives the optimal cost :math:`G_m`, where :math:`u_t` is the optional
    unit cost (zero by default). The inner minimum is one vectorised update
    per period, :math:`O(T^2)` in all. Among equally cheap choices the
    earliest order period (the larger lot) is kept.

    Parameters
    ----------
    requirements
        Requirement per period, shape ``(T,)``, all ``>= 0``.
    setup_cost
        Cost of one order, a number or one value per period (``>= 0``).
    holding_cost
        Cost per unit held at the end of a period, a number or one value per
        period (``>= 0``); ``holding_cost[t]`` applies to the inventory at
        the end of period ``t``.
    unit_cost
        Optional cost per unit ordered, a number or one value per period.
        When given, the returned cost includes :math:`\sum_t u_t q_t`; a
        time-varying unit cost can move orders earlier or later.

    Returns
    -------
    LotSizingResult
        The optimal orders, their cost and the order periods. All-zero
        requirements give no orders and zero cost.

    Notes
    -----
    Restricting orders to periods with a positive requirement loses nothing
    when the setup cost is the same in every period (an order in a period
    without requirement can always move to the next period with one, at no
    extra setup and no more holding). With per-period setup costs an earlier,
    cheaper setup in a period without requirement is not considered.
    """
    r = _requirements(requirements)
    periods = r.size
    s = _per_period(setup_cost, periods, "setup_cost")
    h = _per_period(holding_cost, periods, "holding_cost")
    c = _unit_costs(unit_cost, periods)
    positive = np.flatnonzero(r > 0)
    m = positive.size
    if m == 0:
        return LotSizingResult(np.zeros(periods), 0.0, ())

    big_h = _cumulative(h)
    h_at = big_h[positive]  # H_{p_a}
    s_at = s[positive]
    c_at = c[positive]
    best = np.zeros(m + 1)  # G
    choice = np.zeros(m, dtype=np.intp)  # argmin a for each b
    # candidate[a] = G_a + cost of one lot placed in p_a covering p_a..p_b
    candidate = np.empty(m)
    for b in range(m):
        candidate[b] = best[b] + s_at[b]
        candidate[: b + 1] += r[positive[b]] * (h_at[b] - h_at[: b + 1] + c_at[: b + 1])
        a = int(np.argmin(candidate[: b + 1]))
        choice[b] = a
        best[b + 1] = candidate[a]

    order_periods: list[int] = []
    b = m - 1
    while b >= 0:
        a = int(choice[b])
        order_periods.append(int(positive[a]))
        b = a - 1
    order_periods.reverse()
    return _result_from_periods(order_periods, r, s, h, c)


def wagner_whitin_cover(
    requirements: npt.ArrayLike,
    setup_cost: npt.ArrayLike,
    holding_cost: npt.ArrayLike,
    *,
    unit_cost: npt.ArrayLike | None = None,
) -> IntArray:
    r"""Number of periods an order placed in each period covers in an optimal plan.

    The backward form of the Wagner-Whitin recursion: :math:`f_t` is the least
    cost of periods :math:`t, \dots, T-1` starting with zero inventory,
    :math:`f_T = 0`,

    .. math::

        g_t(k) &= s_t + \sum_{j=t}^{t+k-1} r_j \, (H_j - H_t + u_t) + f_{t+k},
        \qquad k = 1, \dots, T - t, \\
        f_t &= \min_k g_t(k) \text{ if } r_t > 0, \qquad f_t = f_{t+1}
        \text{ if } r_t = 0,

    and ``cover[t]`` is the minimising :math:`k` (an order must be placed in
    :math:`t`). Among equally cheap choices the largest :math:`k` is kept,
    so an order also covers the periods without requirement that follow its
    last requirement, up to the next order. :math:`O(T^2)`, vectorised over
    :math:`k`.

    Used from the first period with a positive requirement, placing an order
    covering ``cover[t]`` periods and moving on to the next period with a
    positive requirement reproduces the cost of :func:`wagner_whitin`.

    Parameters
    ----------
    requirements
        Requirement per period, shape ``(T,)``, all ``>= 0``.
    setup_cost, holding_cost, unit_cost
        As in :func:`wagner_whitin`.

    Returns
    -------
    numpy.ndarray
        ``cover``, integers with ``1 <= cover[t] <= T - t``, shape ``(T,)``.
    """
    r = _requirements(requirements)
    periods = r.size
    s = _per_period(setup_cost, periods, "setup_cost")
    h = _per_period(holding_cost, periods, "holding_cost")
    c = _unit_costs(unit_cost, periods)
    big_h = _cumulative(h)
    best = np.zeros(periods + 1)  # f
    cover = np.ones(periods, dtype=np.int64)
    for t in range(periods - 1, -1, -1):
        held = np.cumsum(r[t:] * (big_h[t:periods] - big_h[t] + c[t]))
        candidate = s[t] + held + best[t + 1 :]
        k = candidate.size - int(np.argmin(candidate[::-1]))  # last minimiser, 1-based
        cover[t] = k
        best[t] = candidate[k - 1] if r[t] > 0 else best[t + 1]
    return cover


# --------------------------------------------------------------------------
# Silver-Meal


def silver_meal_cover(
    requirements: npt.ArrayLike,
    start: int,
    setup_cost: npt.ArrayLike,
    holding_cost: npt.ArrayLike,
) -> int:
    r"""Number of periods the Silver-Meal heuristic covers with an order placed in ``start``.

    The average cost per period of an order placed in :math:`t` covering
    :math:`k` periods is

    .. math::

        A(k) = \frac{s_t + \sum_{j=t}^{t+k-1} r_j \, (H_j - H_t)}{k},

    and the rule returns the first :math:`k` with :math:`A(k+1) > A(k)` (the
    first increase), or :math:`T - t` if the average never increases.
    Periods without requirement count in :math:`k`, as in the textbook rule.

    Parameters
    ----------
    requirements
        Requirement per period, shape ``(T,)``, all ``>= 0``.
    start
        The order period, ``0 <= start < T``.
    setup_cost, holding_cost
        A number or one value per period (``>= 0``); the setup cost of
        ``start`` and the holding costs from ``start`` on are used.

    Returns
    -------
    int
        The number of periods covered, ``1 <= k <= T - start``.
    """
    r = _requirements(requirements)
    periods = r.size
    start = int(start)
    if not 0 <= start < periods:
        raise ValueError(f"start must be in [0, {periods}), got {start}")
    s = _per_period(setup_cost, periods, "setup_cost")
    h = _per_period(holding_cost, periods, "holding_cost")
    big_h = _cumulative(h)
    total = s[start] + np.cumsum(r[start:] * (big_h[start:periods] - big_h[start]))
    average = total / np.arange(1, total.size + 1)
    tolerance = 1e-12 * max(1.0, float(np.max(np.abs(average))))
    increases = np.flatnonzero(average[1:] > average[:-1] + tolerance)
    return int(increases[0]) + 1 if increases.size else periods - start


def silver_meal_covers(
    requirements: npt.ArrayLike,
    setup_cost: npt.ArrayLike,
    holding_cost: npt.ArrayLike,
) -> IntArray:
    """:func:`silver_meal_cover` for every start period at once.

    The average costs of all (start, length) pairs are computed as one
    ``T x T`` table, so the whole horizon costs a few array operations
    instead of one call per order.

    Returns
    -------
    numpy.ndarray
        ``cover[t] == silver_meal_cover(requirements, t, ...)``, shape ``(T,)``.
    """
    r = _requirements(requirements)
    periods = r.size
    if periods <= 1:
        return np.ones(periods, dtype=np.int64)
    s = _per_period(setup_cost, periods, "setup_cost")
    h = _per_period(holding_cost, periods, "holding_cost")
    big_h = _cumulative(h)
    ahead = np.triu(np.ones((periods, periods), dtype=bool))
    held = np.where(ahead, (big_h[None, :periods] - big_h[:periods, None]) * r[None, :], 0.0)
    length = np.arange(periods)[None, :] - np.arange(periods)[:, None] + 1
    average = np.where(ahead, (s[:, None] + np.cumsum(held, axis=1)) / np.maximum(length, 1), 0.0)
    scale = np.max(np.abs(average), axis=1, keepdims=True)
    tolerance = 1e-12 * np.maximum(1.0, scale)
    rises = (average[:, 1:] > average[:, :-1] + tolerance) & ahead[:, :-1]
    first = np.argmax(rises, axis=1)
    starts = np.arange(periods)
    cover = np.where(rises.any(axis=1), first - starts + 1, periods - starts)
    return cover.astype(np.int64)


def silver_meal(
    requirements: npt.ArrayLike,
    setup_cost: npt.ArrayLike,
    holding_cost: npt.ArrayLike,
) -> LotSizingResult:
    """Lot sizes of the Silver-Meal heuristic over the whole horizon.

    Starting from the first period with a positive requirement, place an
    order covering :func:`silver_meal_cover` periods, then continue from the
    next period with a positive requirement after them.

    Parameters
    ----------
    requirements
        Requirement per period, shape ``(T,)``, all ``>= 0``.
    setup_cost, holding_cost
        A number or one value per period (``>= 0``).

    Returns
    -------
    LotSizingResult
        The heuristic's orders and their setup + holding cost (never below
        the cost of :func:`wagner_whitin`).
    """
    r = _requirements(requirements)
    periods = r.size
    s = _per_period(setup_cost, periods, "setup_cost")
    h = _per_period(holding_cost, periods, "holding_cost")
    positive = np.flatnonzero(r > 0)
    order_periods: list[int] = []
    t = int(positive[0]) if positive.size else periods
    while t < periods:
        order_periods.append(t)
        nxt = positive[positive >= t + silver_meal_cover(r, t, s, h)]
        t = int(nxt[0]) if nxt.size else periods
    return _result_from_periods(order_periods, r, s, h, np.zeros(periods))


# --------------------------------------------------------------------------
# EOQ and lot rounding


def economic_order_quantity(
    demand_per_period: float, setup_cost: float, holding_cost: float
) -> float:
    r"""The economic order quantity :math:`Q^* = \sqrt{2 D S / h}`.

    Parameters
    ----------
    demand_per_period
        Mean demand :math:`D` per period, ``>= 0``.
    setup_cost
        Cost :math:`S` of one order, ``>= 0``.
    holding_cost
        Cost :math:`h` of holding one unit for one period, ``>= 0``.

    Returns
    -------
    float
        :math:`Q^*`; ``0.0`` when :math:`S = 0` or :math:`D = 0`, and
        ``math.inf`` when :math:`h = 0` (and :math:`S, D > 0`).
    """
    d = _scalar(demand_per_period, "demand_per_period")
    s = _scalar(setup_cost, "setup_cost")
    h = _scalar(holding_cost, "holding_cost")
    if d == 0 or s == 0:
        return 0.0
    if h == 0:
        return math.inf
    return math.sqrt(2.0 * d * s / h)


def _ceil_lots(qty: float, lot: float) -> float:
    """Smallest whole number of lots covering ``qty > 0``, tolerant to float noise.

    ``qty / lot`` within a relative ``1e-9`` of a whole number ``n >= 1``
    counts as ``n`` (so ``0.1 + 0.2`` is three lots of ``0.1``, not four); any
    positive quantity needs at least one lot.
    """
    ratio = qty / lot
    nearest = round(ratio)
    if nearest >= 1 and abs(ratio - nearest) <= _REL_TOL * ratio:
        return float(nearest)
    return float(math.ceil(ratio))


def round_lot(qty: float, min_lot: float, lot_multiple: float) -> float:
    r"""Apply a minimum lot and a lot multiple to an order quantity.

    .. math::

        q' = \begin{cases} 0 & q = 0, \\
             m \, \lceil \max(q, q_{\min}) / m \rceil & m > 0, \\
             \max(q, q_{\min}) & m = 0, \end{cases}

    where the ceiling treats a ratio within a relative ``1e-9`` of a whole
    number as that number, so float noise never adds an extra multiple
    (``round_lot(0.1 + 0.2, 0, 0.1)`` is three multiples of ``0.1``). The
    result is never below :math:`\max(q, q_{\min})`.

    Parameters
    ----------
    qty
        The quantity needed, ``>= 0``.
    min_lot
        Minimum lot, ``>= 0``.
    lot_multiple
        Lots are a multiple of this when ``> 0``; ``0`` means no rounding.

    Returns
    -------
    float
        The lot to order.
    """
    q = _scalar(qty, "qty")
    low = _scalar(min_lot, "min_lot")
    step = _scalar(lot_multiple, "lot_multiple")
    if q == 0:
        return 0.0
    q = max(q, low)
    if step == 0:
        return q
    return max(q, _ceil_lots(q, step) * step)


# --------------------------------------------------------------------------
# reference single-level netting


def _net_requirements(r: FloatArray, on_hand: float, safety_stock: float) -> FloatArray:
    """What lot-for-lot orders each period to keep projected inventory >= safety stock."""
    return np.asarray(lot_sizes("LFL", r, safety_stock=safety_stock, on_hand=on_hand))


def lot_sizes(
    rule: str,
    requirements: npt.ArrayLike,
    *,
    setup_cost: float = 0.0,
    holding_cost: float = 0.0,
    lot_size: float | None = None,
    min_lot: float = 0.0,
    lot_multiple: float = 0.0,
    safety_stock: float = 0.0,
    on_hand: float = 0.0,
) -> FloatArray:
    r"""Single-level netting of one item's requirements with a lot rule.

    Walk forward from projected inventory :math:`I = \text{on\_hand}`. In
    period :math:`t`, if :math:`I - r_t < \text{safety\_stock}`, order a lot
    covering the shortfall :math:`\delta_t = \text{safety\_stock} - (I - r_t)`:

    ``LFL``
        :math:`\delta_t`.
    ``FOQ``
        :math:`\lceil \delta_t / L \rceil L`, with :math:`L` = ``lot_size``.
    ``EOQ``
        :math:`\max(\delta_t, Q^*)`, :math:`Q^*` =
        :func:`economic_order_quantity` of the mean requirement per period
        over the horizon. If :math:`Q^*` is infinite (no holding cost), the
        lot covers the rest of the horizon:
        :math:`\delta_t + \sum_{j>t} r_j`.
    ``POQ``
        :math:`\delta_t + \sum_{j=t+1}^{t+L-1} r_j`, :math:`L` = ``lot_size``
        a whole number of periods.
    ``WW``
        :math:`\delta_t + \sum_{j=t+1}^{t+k-1} r_j`, :math:`k` =
        :func:`wagner_whitin_cover` of the lot-for-lot net requirements
        (what ``LFL`` orders each period, before ``min_lot`` and
        ``lot_multiple``), at :math:`t`.
    ``SM``
        The same, with :math:`k` = :func:`silver_meal_cover` of those net
        requirements at :math:`t`.

    Every lot is then rounded by :func:`round_lot` (``min_lot``,
    ``lot_multiple``), and :math:`I \leftarrow I - r_t + q_t`: the surplus
    carries forward and reduces later orders. Orders are received in the
    period they are placed (no lead time).

    Parameters
    ----------
    rule
        ``LFL``, ``FOQ``, ``EOQ``, ``POQ``, ``WW`` or ``SM`` (any case).
    requirements
        Gross requirement per period, shape ``(T,)``, all ``>= 0``.
    setup_cost, holding_cost
        Cost per order and per unit held one period (``EOQ``, ``WW``, ``SM``).
    lot_size
        The fixed quantity (``FOQ``, ``> 0``) or the number of periods
        covered (``POQ``, a whole number ``>= 1``); required by those rules.
    min_lot, lot_multiple
        Lot rounding, see :func:`round_lot`.
    safety_stock
        Target minimum projected inventory, ``>= 0``.
    on_hand
        Projected inventory before the first period.

    Returns
    -------
    numpy.ndarray
        The order quantity of each period, shape ``(T,)``.

    Raises
    ------
    ValueError
        An unknown rule, a missing or invalid ``lot_size``, or invalid numbers.
    """
    try:
        lot_rule = LotRule(str(rule).strip().upper())
    except ValueError:
        known = ", ".join(member.value for member in LotRule)
        raise ValueError(f"unknown lot rule {rule!r}; expected one of {known}") from None
    r = _requirements(requirements)
    periods = r.size
    setup = _scalar(setup_cost, "setup_cost")
    holding = _scalar(holding_cost, "holding_cost")
    low = _scalar(min_lot, "min_lot")
    step = _scalar(lot_multiple, "lot_multiple")
    safety = _scalar(safety_stock, "safety_stock")
    inventory = float(on_hand)
    if not math.isfinite(inventory):
        raise ValueError("on_hand must be finite")

    size = 0.0
    if lot_rule in (LotRule.FOQ, LotRule.POQ):
        if lot_size is None:
            raise ValueError(f"lot rule {lot_rule.value} needs a lot_size")
        size = _scalar(lot_size, "lot_size", positive=True)
        if lot_rule is LotRule.POQ and size != int(size):
            raise ValueError(f"POQ lot_size is a whole number of periods, got {lot_size}")

    eoq = 0.0
    if lot_rule is LotRule.EOQ and periods:
        eoq = economic_order_quantity(float(r.mean()), setup, holding)
    cover: IntArray | None = None
    net: FloatArray | None = None
    if lot_rule is LotRule.WW:
        cover = wagner_whitin_cover(_net_requirements(r, inventory, safety), setup, holding)
    elif lot_rule is LotRule.SM:
        net = _net_requirements(r, inventory, safety)

    # "short" means short by more than float noise on the quantities involved
    tolerance = 10 * _REL_TOL * max(1.0, float(r.sum()) + abs(inventory) + safety)
    orders = np.zeros(periods)
    for t in range(periods):
        inventory -= float(r[t])
        shortfall = safety - inventory
        if shortfall <= tolerance:
            continue
        if lot_rule is LotRule.LFL:
            qty = shortfall
        elif lot_rule is LotRule.FOQ:
            qty = _ceil_lots(shortfall, size) * size
        elif lot_rule is LotRule.EOQ:
            rest = shortfall + float(r[t + 1 :].sum())  # the lot when EOQ is infinite
            qty = rest if math.isinf(eoq) else max(shortfall, eoq)
        else:
            if lot_rule is LotRule.POQ:
                k = int(size)
            elif cover is not None:
                k = int(cover[t])
            else:
                assert net is not None
                k = silver_meal_cover(net, t, setup, holding)
            qty = shortfall + float(r[t + 1 : t + k].sum())
        qty = round_lot(qty, low, step)
        orders[t] = qty
        inventory += qty
    return orders
