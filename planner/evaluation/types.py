"""What the evaluator returns: a judged plan, its violations, and the tolerances it judges by."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt

from models import Problem
from models.floor import TOLERANCE
from models.plan import PlanMessage
from models.wording import counted

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

START_TOLERANCE = TOLERANCE
"""A start larger than this is an order (and a setup); one below minus this is negative
(the shop floor's :data:`models.floor.TOLERANCE`)."""

RELATIVE_TOLERANCE = 1e-6
"""Shortages, overloads and mismatches count beyond this share of the quantities involved."""


class ViolationKind(StrEnum):
    """The rules a plan can break."""

    COMPONENT_SHORTAGE = "component_shortage"
    OVERLOAD = "overload"
    NEGATIVE_START = "negative_start"
    SEQUENCE_MISMATCH = "sequence_mismatch"
    NON_FINITE_START = "non_finite_start"
    SEQUENCE_RULE = "sequence_rule"
    FRACTIONAL_START = "fractional_start"


@dataclass(frozen=True)
class Violation:
    """One broken rule, located: what, which item or work center, which day, how much."""

    kind: ViolationKind
    day: date
    size: float
    message: str
    item: str | None = None
    work_center: str | None = None


@dataclass(frozen=True, eq=False)
class Evaluation:
    """A plan judged: the rebuilt flow balance, loads, costs, KPIs and violations.

    Arrays are indexed like the problem's: ``[item, day]`` or
    ``[work_center, day]``.

    Attributes
    ----------
    strategy
        The plan's strategy.
    kpis
        The summary figures, in the order of the workbook contract's Summary
        JSON keys, then extras (see :func:`evaluate`; formulas in
        ``docs/kpis.md``).
    inventory, backlog
        End-of-day inventory and backlog per item and day.
    on_time
        Units of each day's external demand shipped that day (FIFO).
    dependent_demand
        Units consumed by the starts of parents, per item and day.
    setups
        Setups (orders, for purchased items) per item and day.
    load, overtime, overload
        Minutes per work center and day.
    violations
        Every broken rule; empty for a feasible plan.
    messages
        Exception messages for the planner: shortages, overloads (with the
        items that load them), late demand (with its cause: lead time,
        component, capacity or the plan itself), safety-stock dips. The
        plan's own messages are not repeated.
    """

    strategy: str
    kpis: dict[str, Any]
    inventory: FloatArray
    backlog: FloatArray
    on_time: FloatArray
    dependent_demand: FloatArray
    setups: IntArray
    load: FloatArray
    overtime: FloatArray
    overload: FloatArray
    violations: tuple[Violation, ...]
    messages: tuple[PlanMessage, ...]

    @property
    def feasible(self) -> bool:
        """Whether the plan breaks no rule (MRP's overloads count as broken)."""
        return not self.violations

    def daily_series(self, problem: Problem) -> dict[str, FloatArray]:
        """Plant-wide totals per working day, for charts and report sheets.

        Parameters
        ----------
        problem
            The problem the plan was evaluated on.

        Returns
        -------
        dict of str to ndarray
            Arrays of length ``problem.n_days``: ``inventory_units``,
            ``inventory_value`` (at unit cost), ``backlog_units``, ``demand``
            (external), ``on_time``, ``setups``, ``load``, ``capacity``,
            ``overtime`` and ``overload`` (minutes, summed over work centers).
        """
        return {
            "inventory_units": self.inventory.sum(axis=0),
            "inventory_value": problem.unit_cost @ self.inventory,
            "backlog_units": self.backlog.sum(axis=0),
            "demand": problem.demand.sum(axis=0),
            "on_time": self.on_time.sum(axis=0),
            "setups": self.setups.sum(axis=0).astype(float),
            "load": self.load.sum(axis=0),
            "capacity": problem.capacity.sum(axis=0),
            "overtime": self.overtime.sum(axis=0),
            "overload": self.overload.sum(axis=0),
        }

    def load_cv(self, problem: Problem) -> FloatArray:
        """Per work center, the coefficient of variation of its daily load (see :func:`load_cv`).

        The ``load_cv`` KPI is the mean of the finite values; NaN marks a work
        center without load.
        """
        return load_cv(self.load, problem.capacity)

    def __repr__(self) -> str:
        kpis = self.kpis
        return (
            f"Evaluation({self.strategy!r}: total_cost {kpis['total_cost']:,.2f}, "
            f"fill_rate {kpis['fill_rate']:.1%}, {kpis['setups']} setups, "
            f"{counted(len(self.violations), 'violation')})"
        )


def load_cv(load: FloatArray, capacity: FloatArray) -> FloatArray:
    """Coefficient of variation of each work center's daily load over its open days.

    A work center's open days are those with regular capacity or with load
    (a day closed by a Calendar exception is not a day on which the load
    could be level). The CV is the population standard deviation over the
    mean; NaN for a work center without load.
    """
    open_days = (capacity > 0) | (load > 0)
    count = open_days.sum(axis=1)
    total = np.where(open_days, load, 0.0).sum(axis=1)
    mean = np.divide(total, count, out=np.zeros(len(count)), where=count > 0)
    spread = np.where(open_days, load - mean[:, None], 0.0)
    std = np.sqrt(
        np.divide((spread**2).sum(axis=1), count, out=np.zeros(len(count)), where=count > 0)
    )
    cv = np.divide(std, mean, out=np.full(len(count), np.nan), where=mean > 0)
    return np.asarray(cv, dtype=float)
