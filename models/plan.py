"""The plan every strategy returns, whatever method produced it.

A :class:`Plan` holds what to start, when: the quantity of each item
started (released) on each working day, and, optionally, the order in which
each work center builds its items on each day. It also says how it was
obtained (status, bound, gap, time) and carries the strategy's own messages
(e.g. expedited orders). It holds no costs or KPIs: those are computed from
the plan by one evaluator, the same for every strategy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

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

    def __post_init__(self) -> None:
        starts = np.array(self.starts, dtype=float, copy=True)
        starts.flags.writeable = False
        object.__setattr__(self, "starts", starts)
        object.__setattr__(self, "sequences", MappingProxyType(dict(self.sequences)))
        object.__setattr__(self, "messages", tuple(self.messages))

    def __repr__(self) -> str:
        orders = int(np.count_nonzero(self.starts > 0))
        return (
            f"Plan({self.strategy!r}, {self.status}, {orders} item-day starts, "
            f"{self.starts.sum():,.0f} units, {self.seconds:.2f} s)"
        )
