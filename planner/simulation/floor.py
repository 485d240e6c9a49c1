"""The shop floor of one replication: what is physically there, day by day.

:class:`ShopFloor` keeps the plant's real state while a replication plays
the horizon: each item's net position (on hand, less backlog), the orders
on their way with the day they really arrive, and every start released.
It follows the evaluator's flow rules exactly (a start consumes its
components on its day and arrives ``lead_time`` days later; a purchase order
arrives its supplier's delay later still; demand ships first in, first
out), so that what the floor lived through is what the evaluator finds in
the executed plan.

:func:`execute_planned_day` is how a plan-driven strategy (``mrp``,
``batch``) works a day: it starts what the plan asks, as far as components
are on hand and the work center's actual capacity allows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from models import Problem
from models.floor import TOLERANCE, ReleaseRule
from models.sequencing import rule_abiding_starts, ruled_setup_minutes

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class OpenOrder:
    """An order released but not yet arrived.

    ``promised`` is the day the planner expects it (release day plus lead
    time); ``arrival`` the day it really comes (later for a late supplier,
    possibly past the horizon).
    """

    item: int
    quantity: float
    promised: int
    arrival: int


class ShopFloor:
    """The plant's physical state during one replication (see the module docstring).

    Parameters
    ----------
    actual
        The problem as it really is: actual demand and capacity.
    supplier_delay
        ``[item, day]`` working days a purchase order released that day is late.
    """

    def __init__(self, actual: Problem, supplier_delay: IntArray) -> None:
        self.actual = actual
        self.supplier_delay = supplier_delay
        n_items, n_days = actual.n_items, actual.n_days
        self.net = actual.on_hand.astype(float).copy()
        self.incoming = np.zeros((n_items, n_days))
        self.released = np.zeros((n_items, n_days))
        self.recorded = np.zeros((n_items, n_days))
        self.orders: list[OpenOrder] = []
        self.late_orders = 0
        self.late_days = 0
        self.bom = actual.bom_matrix.tocsc()
        self.release = ReleaseRule(actual, ruled_setup_minutes(actual))

    def available(self, day: int) -> FloatArray:
        """Units of each item that today's starts may consume.

        Stock carried in (none while the item is backlogged) plus today's
        scheduled receipts and arrivals: the evaluator's physical stock.
        """
        return np.asarray(
            np.maximum(self.net, 0.0) + self.actual.receipts[:, day] + self.incoming[:, day],
            dtype=float,
        )

    def delay(self, item: int, day: int) -> int:
        """Working days an order of ``item`` released on ``day`` arrives late."""
        return int(self.supplier_delay[item, day])

    def open_orders(self, day: int) -> list[OpenOrder]:
        """Orders not arrived before ``day`` (those arriving that day included)."""
        return [order for order in self.orders if order.arrival >= day]

    def play(self, day: int, starts: FloatArray) -> None:
        """Release ``starts`` (already checked to be feasible), ship the demand, close the day.

        The evaluator's plan records a late purchase order on its release day
        plus its delay: with the item's lead time, that is the day it really
        arrives. An order recorded past the horizon would arrive past it too.
        """
        actual = self.actual
        arrivals = actual.receipts[:, day] + self.incoming[:, day]
        for i in np.flatnonzero(starts > TOLERANCE).tolist():
            quantity = float(starts[i])
            late = self.delay(i, day)
            promised = day + int(actual.lead_time[i])
            arrival = promised + late
            self.released[i, day] += quantity
            if day + late < actual.n_days:
                self.recorded[i, day + late] += quantity
            if late:
                self.late_orders += 1
                self.late_days += late
            if arrival == day:
                arrivals[i] += quantity
                continue
            if arrival < actual.n_days:
                self.incoming[i, arrival] += quantity
            self.orders.append(OpenOrder(i, quantity, promised, arrival))
        consumed = np.asarray(self.bom @ starts, dtype=float)
        self.net += arrivals - actual.demand[:, day] - consumed
        self.orders = [order for order in self.orders if order.arrival > day]


def execute_planned_day(floor: ShopFloor, day: int, wanted: FloatArray) -> FloatArray:
    """Start what a plan asks for today, as far as components and capacity allow.

    The shop floor's rule (:meth:`models.floor.ReleaseRule.start_what_fits`): items are
    started from the deepest BOM level up, a start is cut to the
    components on hand (shared components go to the first parent that
    asks) and to the work center's actual regular plus overtime capacity
    left, counting its setup; a cut start keeps its lot rules. A line under
    sequence rules builds no more of a ruled attribute than a rule-abiding
    sequence of the day's containers can hold
    (:func:`models.sequencing.days.rule_abiding_starts`): the line cannot
    break its rules, as it cannot exceed its minutes. What is not started is
    the caller's to carry.

    Parameters
    ----------
    floor
        The shop floor at the start of ``day``.
    day
        The working day.
    wanted
        ``[item]`` units the plan wants started today.

    Returns
    -------
    ndarray
        ``[item]`` units started.
    """
    actual = floor.actual
    room = actual.capacity[:, day] + actual.overtime_capacity[:, day]
    instant = (actual.lead_time == 0) & (floor.supplier_delay[:, day] == 0)
    started, _ = floor.release.start_what_fits(
        wanted, floor.available(day), room.copy(), instant=instant
    )
    abiding = rule_abiding_starts(actual, started)
    if np.any(abiding < started - TOLERANCE):
        started, _ = floor.release.start_what_fits(
            np.minimum(wanted, abiding), floor.available(day), room, instant=instant
        )
    return started
