"""The plan every strategy returns, whatever method produced it.

A :class:`Plan` holds what to start, when: the quantity of each item
started (released) on each working day, and, optionally, the order in which
each work center builds its items on each day. It also says how it was
obtained (status, bound, gap, time) and carries the strategy's own messages
(e.g. expedited orders). It holds no costs or KPIs: those are computed from
the plan by one evaluator, the same for every strategy.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


class SolveStatus(StrEnum):
    """How a plan was obtained.

    ``optimal``: proven optimal (within the gap); ``feasible``: a solver's
    incumbent without proof; ``infeasible``: the model has no plan at all;
    ``time_limit``: the solver stopped at its limit and returns its best plan;
    ``heuristic``: a rule-based method (MRP, decomposition) that proves nothing.
    """

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    TIME_LIMIT = "time_limit"
    HEURISTIC = "heuristic"


class MessageLevel(StrEnum):
    """Severity of a planning message."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class PlanMessage:
    """Something a planner should know about a plan: an exception message.

    ``item`` and ``day`` (a working-day index) say where, when they apply.
    """

    level: MessageLevel
    text: str
    item: int | None = None
    day: int | None = None
    work_center: int | None = None


Position = tuple[int, float]
"""One position of a daily sequence: (item index, quantity built there)."""


@dataclass(frozen=True)
class Buffer:
    """One decoupling buffer of a demand-driven plan, with its zones and state per working day.

    Parameters
    ----------
    item
        Item index.
    decoupled_lead_time
        Working days from an order to its arrival, through the components
        that are not buffered.
    lead_time_factor, variability_factor
        The buffer profile's factors (red base and red safety shares).
    order_cycle
        Desired working days between orders (green zone).
    adu, red, yellow, green
        ``[day]`` average daily usage and the zones' sizes in units.
    on_hand, on_order, qualified, net_flow, ordered
        ``[day]`` stock at the start of the day (after arrivals, none when
        short), open supply, qualified demand, net flow position and the
        quantity ordered.
    """

    item: int
    decoupled_lead_time: int
    lead_time_factor: float
    variability_factor: float
    order_cycle: float
    adu: FloatArray
    red: FloatArray
    yellow: FloatArray
    green: FloatArray
    on_hand: FloatArray
    on_order: FloatArray
    qualified: FloatArray
    net_flow: FloatArray
    ordered: FloatArray

    @property
    def top_of_yellow(self) -> FloatArray:
        """TOY per day: at or below it, the buffer orders."""
        return self.red + self.yellow

    @property
    def top_of_green(self) -> FloatArray:
        """TOG per day: what an order restores the net flow position to."""
        return self.red + self.yellow + self.green


@dataclass(frozen=True)
class KanbanLoop:
    """One kanban loop of a pull plan: a supermarket of ``item`` and its cards.

    Parameters
    ----------
    item
        Item index.
    container_qty
        Units per container (one card per container).
    cards
        Cards in the loop: ``ceil((cycle_stock + lead_time_stock +
        safety_stock) / container_qty)``, raised where a minimum lot needs
        more, plus one less than ``lot_containers``.
    max_inventory
        The supermarket's design maximum, ``cards x container_qty``.
    daily_usage
        Average units taken from the supermarket per working day.
    lead_time
        Working days from a replenishment start to its arrival.
    interval
        Working days between replenishment reviews (the item's cycle on its
        work center's product wheel, or a purchased item's delivery interval).
    trigger_level
        A review starts replenishment when the inventory position (on hand
        plus open orders, less backlog) is at or below this level.
    peak_inventory
        Largest inventory the pull simulation held over the horizon.
    cycle_stock, lead_time_stock, safety_stock
        The sizing terms in units: usage over the interval, usage over the
        lead time, and the safety stock from demand variability.
    lot_containers
        The smallest replenishment, in containers (more than one: a signal
        kanban).
    """

    item: int
    container_qty: float
    cards: int
    max_inventory: float
    daily_usage: float
    lead_time: int
    interval: int
    trigger_level: float
    peak_inventory: float
    cycle_stock: float = 0.0
    lead_time_stock: float = 0.0
    safety_stock: float = 0.0
    lot_containers: int = 1


@dataclass(frozen=True)
class LevelLoading:
    """How a pull plan levels one work center.

    Parameters
    ----------
    work_center
        Work-center index.
    available_minutes
        Average regular capacity per working day.
    daily_units
        Average units of levelled (finished) items demanded per working day.
    takt_time
        ``available_minutes / daily_units``: minutes per levelled unit
        (``None`` without levelled demand).
    epei
        The work center's shortest cycle in working days (its runners'),
        every part being made every ``epei`` days or a power-of-two multiple.
    setup_minutes
        Setup time of the wheel's longest cycle (every slot in it set up).
    """

    work_center: int
    available_minutes: float
    daily_units: float
    takt_time: float | None
    epei: int
    setup_minutes: float


@dataclass(frozen=True, eq=False)
class Plan:
    """Daily starts per item, optional daily sequences, and how they were found.

    Parameters
    ----------
    strategy
        The strategy's name (``mrp``, ``batch``, ``heijunka``).
    starts
        Quantity of each item started (planned order release) per working
        day, ``[item, day]``. A start on day t is available on day
        t + lead_time.
    status
        How the plan was obtained.
    sequences
        Optional daily mixed-model sequences: for a ``(work_center, day)``
        key, the positions in build order. Setups of a sequenced work-center
        day are counted from its runs.
    objective, bound, gap
        The solver's own objective value, best bound and relative gap, when
        a solver was used (for reporting only: costs come from the evaluator).
    seconds
        Wall-clock time spent planning.
    messages
        The strategy's exception messages.
    kanban, levelling
        A pull plan's kanban loops and work-center levelling (empty otherwise).
    buffers
        A demand-driven plan's decoupling buffers, day by day (empty otherwise).
    design
        What the shop floor needs to run the plan beyond its starts: a pull
        plan's design (:class:`models.heijunka.PullDesign`); ``None`` for
        plans the floor runs as released.
    """

    strategy: str
    starts: FloatArray
    status: SolveStatus
    sequences: Mapping[tuple[int, int], tuple[Position, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    seconds: float = 0.0
    messages: tuple[PlanMessage, ...] = ()
    kanban: tuple[KanbanLoop, ...] = ()
    levelling: tuple[LevelLoading, ...] = ()
    buffers: tuple[Buffer, ...] = ()
    design: object | None = None

    def __post_init__(self) -> None:
        starts = np.array(self.starts, dtype=float, copy=True)
        starts.flags.writeable = False
        object.__setattr__(self, "starts", starts)
        object.__setattr__(self, "sequences", MappingProxyType(dict(self.sequences)))
        object.__setattr__(self, "messages", tuple(self.messages))
        object.__setattr__(self, "kanban", tuple(self.kanban))
        object.__setattr__(self, "levelling", tuple(self.levelling))

    def __reduce__(self) -> tuple[Any, tuple[dict[str, Any]]]:
        """Pickle by fields (plans cross to worker processes and Dask workers).

        The read-only ``sequences`` mapping cannot be pickled as it is, so it
        travels as a plain dict and is made read-only again on arrival.
        """
        fields = {spec.name: getattr(self, spec.name) for spec in dataclasses.fields(self)}
        fields["sequences"] = dict(self.sequences)
        return _plan_from_fields, (fields,)

    def __repr__(self) -> str:
        orders = int(np.count_nonzero(self.starts > 0))
        return (
            f"Plan({self.strategy!r}, {self.status}, {orders} item-day starts, "
            f"{self.starts.sum():,.0f} units, {self.seconds:.2f} s)"
        )


def _plan_from_fields(fields: dict[str, Any]) -> Plan:
    return Plan(**fields)
