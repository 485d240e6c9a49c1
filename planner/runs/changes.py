"""What changed between two plans of one plant: new, cancelled, moved and resized orders.

An *order* is one planned start: a strategy starts ``qty`` of ``item`` on a
day. Two runs of a plant are compared day by day over the dates both
horizons cover (the earlier run's past is not a change). For each item, an
order on the same day in both plans is the same order (``resized`` when the
quantities differ); the orders left over are paired as ``moved`` orders (a
reschedule in or out, possibly resized too) so that they move as few days
as possible in all (the least-cost assignment of :func:`_nearest_pairs`);
what is still left is ``new`` (only in the later plan) or ``cancelled``
(only in the earlier one).

The *frozen window* is the later run's first working days (``frozen_days``
of the settings): changes there disrupt material already ordered and
capacity already promised. A change is inside the window when any of its
dates is. The nervousness of a plan against the one before it is

- ``changed_share``: changed orders (new, cancelled, moved or resized) over
  the orders compared (pairs counted once);
- ``frozen_quantity_moved``: the sum over items and days of the frozen
  window of ``|later starts - earlier starts|``, the units of the frozen
  window the new plan changed (the quantity the ``batch`` strategy's change
  penalty prices); ``frozen_quantity_share`` divides it by the units the
  earlier plan started in that window.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

QUANTITY_TOLERANCE = 1e-6
"""Quantities closer than this (relative to the larger, at least absolute) are equal."""

Starts = Mapping[tuple[str, date], float]
"""One strategy's plan: quantity started per ``(item, day)``; only positive starts."""


class ChangeKind(StrEnum):
    """How an order of the later plan differs from the earlier plan."""

    NEW = "new"
    CANCELLED = "cancelled"
    MOVED = "moved"
    RESIZED = "resized"


@dataclass(frozen=True)
class OrderChange:
    """One changed order.

    ``before_day`` and ``before_qty`` are the earlier plan's order (``None``
    for a new one), ``after_day`` and ``after_qty`` the later plan's
    (``None`` for a cancelled one). ``frozen`` says whether any of its days
    falls in the later run's frozen window.
    """

    strategy: str
    item: str
    kind: ChangeKind
    before_day: date | None
    before_qty: float | None
    after_day: date | None
    after_qty: float | None
    frozen: bool

    @property
    def quantity_change(self) -> float:
        """The later quantity less the earlier one (0 for a pure move)."""
        return (self.after_qty or 0.0) - (self.before_qty or 0.0)


@dataclass(frozen=True)
class Window:
    """The dates two runs are compared over, and the later run's frozen window.

    ``first`` and ``last`` bound the dates both horizons cover;
    ``frozen_until`` is the last day of the frozen window (``None``: none).
    """

    first: date
    last: date
    frozen_until: date | None

    def covers(self, day: date) -> bool:
        """Whether ``day`` is compared."""
        return self.first <= day <= self.last

    def is_frozen(self, day: date | None) -> bool:
        """Whether ``day`` is in the frozen window."""
        return day is not None and self.frozen_until is not None and day <= self.frozen_until


def window_between(
    earlier: tuple[date, date], later: tuple[date, date], frozen_until: date | None
) -> Window | None:
    """The dates two horizons (first and last day) share, with the later run's frozen window.

    ``None`` when the horizons do not overlap.
    """
    first, last = max(earlier[0], later[0]), min(earlier[1], later[1])
    return Window(first, last, frozen_until) if first <= last else None


@dataclass(frozen=True)
class StrategyChanges:
    """The changes of one strategy's plan, and the nervousness figures they give."""

    strategy: str
    orders: int
    changes: tuple[OrderChange, ...]
    frozen_quantity_moved: float
    frozen_quantity_before: float

    def count(self, kind: ChangeKind, *, frozen: bool | None = None) -> int:
        """Changes of one kind, optionally only inside (``True``) or outside the frozen window."""
        return sum(
            1 for c in self.changes if c.kind is kind and (frozen is None or c.frozen is frozen)
        )

    @property
    def changed_share(self) -> float:
        """Changed orders over the orders compared (0 when there are none)."""
        return len(self.changes) / self.orders if self.orders else 0.0

    def nervousness(self) -> dict[str, Any]:
        """The JSON-ready nervousness figures of this strategy."""
        figures: dict[str, Any] = {
            "orders": self.orders,
            "changed": len(self.changes),
            "changed_share": self.changed_share,
            "frozen_changed": sum(1 for c in self.changes if c.frozen),
            "frozen_quantity_moved": self.frozen_quantity_moved,
            "frozen_quantity_share": (
                self.frozen_quantity_moved / self.frozen_quantity_before
                if self.frozen_quantity_before > QUANTITY_TOLERANCE
                else None
            ),
        }
        for kind in ChangeKind:
            figures[str(kind)] = self.count(kind)
        return figures


def same_quantity(a: float, b: float) -> bool:
    """Whether two quantities are equal within :data:`QUANTITY_TOLERANCE`."""
    return abs(a - b) <= QUANTITY_TOLERANCE * max(1.0, abs(a), abs(b))


def compare_starts(strategy: str, before: Starts, after: Starts, window: Window) -> StrategyChanges:
    """The changes of ``after`` against ``before`` over ``window``.

    Parameters
    ----------
    strategy
        The strategy both plans belong to (carried into each change).
    before, after
        The earlier and the later plan.
    window
        The dates compared and the frozen window.
    """
    earlier = _by_item(before, window)
    later = _by_item(after, window)
    changes: list[OrderChange] = []
    orders = 0
    for item in sorted(set(earlier) | set(later)):
        old, new = earlier.get(item, {}), later.get(item, {})
        kept = sorted(set(old) & set(new))
        orders += len(kept)
        for day in kept:
            if not same_quantity(old[day], new[day]):
                changes.append(
                    OrderChange(
                        strategy,
                        item,
                        ChangeKind.RESIZED,
                        day,
                        old[day],
                        day,
                        new[day],
                        window.is_frozen(day),
                    )
                )
        gone = sorted(set(old) - set(new))
        added = sorted(set(new) - set(old))
        orders += max(len(gone), len(added))
        pairs = _nearest_pairs(gone, added)
        for old_day, new_day in pairs:
            frozen = window.is_frozen(old_day) or window.is_frozen(new_day)
            changes.append(
                OrderChange(
                    strategy,
                    item,
                    ChangeKind.MOVED,
                    old_day,
                    old[old_day],
                    new_day,
                    new[new_day],
                    frozen,
                )
            )
        unpaired_gone = sorted(set(gone) - {a for a, _ in pairs})
        unpaired_added = sorted(set(added) - {b for _, b in pairs})
        for day in unpaired_gone:
            changes.append(
                OrderChange(
                    strategy,
                    item,
                    ChangeKind.CANCELLED,
                    day,
                    old[day],
                    None,
                    None,
                    window.is_frozen(day),
                )
            )
        for day in unpaired_added:
            changes.append(
                OrderChange(
                    strategy,
                    item,
                    ChangeKind.NEW,
                    None,
                    None,
                    day,
                    new[day],
                    window.is_frozen(day),
                )
            )
    moved, base = _frozen_quantities(earlier, later, window)
    changes.sort(key=lambda c: (c.item, c.after_day or c.before_day or window.first))
    return StrategyChanges(strategy, orders, tuple(changes), moved, base)


def _nearest_pairs(gone: list[date], added: list[date]) -> list[tuple[date, date]]:
    """Pair as many dropped with added order dates as possible, moving the fewest days in all.

    A rectangular assignment (:func:`scipy.optimize.linear_sum_assignment`)
    on the days between the dates: with ``[Mar 2, Mar 20]`` dropped and
    ``[Mar 21]`` added, the order of Mar 20 moved a day and the one of Mar 2
    was cancelled (pairing in date order would say Mar 2 moved 19 days).
    Among pairings that move as many days, the earlier dates pair first.
    """
    if not gone or not added:
        return []
    days = np.array([[abs((b - a).days) for b in added] for a in gone], dtype=float)
    ties = 1e-6 * (np.arange(len(gone))[:, None] + np.arange(len(added))[None, :])
    rows, cols = linear_sum_assignment(days + ties)
    return sorted((gone[r], added[c]) for r, c in zip(rows.tolist(), cols.tolist(), strict=True))


def compare_plans(
    before: Mapping[str, Starts], after: Mapping[str, Starts], window: Window
) -> dict[str, StrategyChanges]:
    """:func:`compare_starts` for every strategy both runs planned, in the later run's order."""
    return {
        strategy: compare_starts(strategy, before[strategy], starts, window)
        for strategy, starts in after.items()
        if strategy in before
    }


def nervousness(
    before: Mapping[str, Starts],
    after: Mapping[str, Starts],
    window: Window,
    *,
    previous_run_id: int | None = None,
) -> dict[str, Any]:
    """The nervousness of a run's plans against the previous run's, JSON-ready.

    Returns
    -------
    dict
        ``previous_run_id``, ``compared_from`` and ``compared_to`` (ISO dates),
        ``frozen_until`` and ``strategies``: per strategy both runs planned,
        the figures of :meth:`StrategyChanges.nervousness`.
    """
    return {
        "previous_run_id": previous_run_id,
        "compared_from": window.first.isoformat(),
        "compared_to": window.last.isoformat(),
        "frozen_until": None if window.frozen_until is None else window.frozen_until.isoformat(),
        "strategies": {
            name: changes.nervousness()
            for name, changes in compare_plans(before, after, window).items()
        },
    }


@dataclass(frozen=True)
class RunDiff:
    """The changes from one recorded run's plans to another's.

    ``window`` is ``None`` when the two horizons share no day (nothing is
    compared then); ``strategies`` holds the strategies both runs planned.
    """

    before_id: int
    after_id: int
    window: Window | None
    strategies: dict[str, StrategyChanges]

    @property
    def changes(self) -> list[OrderChange]:
        """Every changed order, strategy by strategy."""
        return [c for changes in self.strategies.values() for c in changes.changes]


def starts_by_strategy(
    rows: Iterable[tuple[str, str, date, float]],
) -> dict[str, dict[tuple[str, date], float]]:
    """Group ``(strategy, item, day, qty)`` rows into one :data:`Starts` per strategy."""
    plans: dict[str, dict[tuple[str, date], float]] = defaultdict(dict)
    for strategy, item, day, qty in rows:
        plans[strategy][(item, day)] = qty
    return dict(plans)


def _by_item(starts: Starts, window: Window) -> dict[str, dict[date, float]]:
    grouped: dict[str, dict[date, float]] = defaultdict(dict)
    for (item, day), qty in starts.items():
        if qty > QUANTITY_TOLERANCE and window.covers(day):
            grouped[item][day] = qty
    return grouped


def _frozen_quantities(
    earlier: Mapping[str, Mapping[date, float]],
    later: Mapping[str, Mapping[date, float]],
    window: Window,
) -> tuple[float, float]:
    """Units changed in the frozen window, and the units the earlier plan started there."""
    moved = before = 0.0
    for item in set(earlier) | set(later):
        old, new = earlier.get(item, {}), later.get(item, {})
        for day in set(old) | set(new):
            if window.is_frozen(day):
                moved += abs(new.get(day, 0.0) - old.get(day, 0.0))
                before += old.get(day, 0.0)
    return moved, before
