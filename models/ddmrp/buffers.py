"""Buffer sizing: decoupled lead times, average daily usage and the three zones.

Every formula is in ``docs/ddmrp.md``. For a buffered item ``i`` on working
day ``t``:

- decoupled lead time ``DLT[i]``: its own lead time plus the longest
  decoupled lead time among its components that are not buffered (a
  buffered component is in stock, so the path stops there);
- average daily usage ``ADU[i, t]``: a blend, ``w`` on the past and
  ``1 - w`` on the forecast, of the item's daily usage (its own demand and
  its parents' demand exploded through the BOM) over ``adu_window`` days
  before and from ``t``; where no past exists yet, the forecast alone. A
  rolling, forward-looking average is the planned adjustment: the zones
  grow before a season and shrink after it;
- red base ``ADU x DLT x LTF``, red safety ``red base x VF``, yellow
  ``ADU x DLT``, green ``max(ADU x order cycle, ADU x DLT x LTF, MOQ)``;
  the red zone is at least the item's safety stock (the plant's own floor,
  priced by the contract).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from models.ddmrp.options import DdmrpOptions
from models.floor import deepest_first
from models.problem import Problem

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def decoupled_lead_times(problem: Problem, buffered: BoolArray) -> IntArray:
    """Each item's decoupled lead time: its lead time plus its longest unbuffered component path."""
    lead = np.asarray(problem.lead_time, dtype=np.int64)
    dlt = lead.copy()
    for level in deepest_first(problem):
        for i in level.tolist():
            below = [c for c in problem.children[i] if not buffered[c]]
            if below:
                dlt[i] = lead[i] + max(int(dlt[c]) for c in below)
    return dlt


def daily_usage(problem: Problem) -> FloatArray:
    """Each item's usage per working day ``[item, day]``: its demand and its parents' exploded.

    Lead times are left out: usage is averaged over windows, where the shift
    of a few days hardly matters.
    """
    usage = np.asarray(problem.demand, dtype=float).copy()
    bom = problem.bom_matrix.tocsc()
    for level in reversed(deepest_first(problem)):
        if level.size:
            usage += np.asarray(bom[:, level] @ usage[level], dtype=float)
    return usage


def average_daily_usage(usage: FloatArray, window: int, past_weight: float) -> FloatArray:
    """``ADU[item, day]``: the past and forward means of ``usage`` over ``window`` days, blended."""
    n_items, n_days = usage.shape
    total = np.concatenate([np.zeros((n_items, 1)), np.cumsum(usage, axis=1)], axis=1)
    days = np.arange(n_days)
    ahead_end = np.minimum(days + window, n_days)
    forward = (total[:, ahead_end] - total[:, days]) / np.maximum(ahead_end - days, 1)
    back_start = np.maximum(days - window, 0)
    past = (total[:, days] - total[:, back_start]) / np.maximum(days - back_start, 1)
    has_past = days > 0
    blended = np.where(has_past, past_weight * past + (1 - past_weight) * forward, forward)
    return np.asarray(blended, dtype=float)


def usage_variability(usage: FloatArray) -> FloatArray:
    """Each item's coefficient of variation of daily usage (0 for an item without usage)."""
    mean = usage.mean(axis=1) if usage.shape[1] else np.zeros(usage.shape[0])
    std = usage.std(axis=1) if usage.shape[1] else np.zeros(usage.shape[0])
    return np.divide(std, mean, out=np.zeros_like(mean), where=mean > 0)


@dataclass(frozen=True)
class BufferZones:
    """The zones of every item's buffer on every working day (``[item, day]``, units).

    Rows of items that are not buffered are computed all the same and unused.
    """

    adu: FloatArray
    decoupled_lead_time: IntArray
    red_base: FloatArray
    red_safety: FloatArray
    yellow: FloatArray
    green: FloatArray
    lead_time_factor: FloatArray
    variability_factor: FloatArray
    order_cycle: FloatArray

    @cached_property
    def red(self) -> FloatArray:
        """The red zone, red base plus red safety; its top is TOR."""
        return self.red_base + self.red_safety

    @cached_property
    def top_of_yellow(self) -> FloatArray:
        """TOY: red plus yellow, the net flow at or below which an order is placed."""
        return self.red + self.yellow

    @cached_property
    def top_of_green(self) -> FloatArray:
        """TOG: red plus yellow plus green, the net flow an order restores."""
        return self.red + self.yellow + self.green


def size_buffers(
    problem: Problem,
    buffered: BoolArray,
    options: DdmrpOptions,
    usage: FloatArray,
    adjustment: float = 1.0,
    adu: FloatArray | None = None,
) -> BufferZones:
    """The zones of every item's buffer, with ``buffered`` as the decoupling points.

    ``adjustment`` is a demand adjustment factor: the average daily usage
    the zones are sized on is the usage's times it. ``adu`` gives that
    average instead (already adjusted), e.g. a replan's share of its plan's.
    """
    dlt = decoupled_lead_times(problem, buffered)
    if adu is None:
        adu = adjustment * average_daily_usage(usage, options.adu_window, options.adu_past_weight)
    profile = options.profile
    ltf = np.array([profile.lead_time_factor(float(d)) for d in dlt.tolist()])
    vf = np.array([profile.variability_factor(float(v)) for v in usage_variability(usage)])
    cycle = _order_cycles(problem, usage, options.order_cycle)
    span = dlt[:, None].astype(float)
    red_base = adu * span * ltf[:, None]
    red_safety = np.maximum(red_base * vf[:, None], problem.safety_stock[:, None] - red_base)
    moq = np.maximum(problem.min_lot, problem.lot_multiple)[:, None]
    green = np.maximum.reduce([adu * cycle[:, None], red_base, np.broadcast_to(moq, adu.shape)])
    return BufferZones(
        adu=adu,
        decoupled_lead_time=dlt,
        red_base=red_base,
        red_safety=red_safety,
        yellow=adu * span,
        green=np.asarray(green, dtype=float),
        lead_time_factor=ltf,
        variability_factor=vf,
        order_cycle=cycle,
    )


def _order_cycles(problem: Problem, usage: FloatArray, imposed: float) -> FloatArray:
    """Days between orders per item: ``imposed``, else economic: ``sqrt(2 S / (h ADU))``."""
    n_items, n_days = usage.shape
    if imposed > 0:
        return np.full(n_items, float(imposed))
    mean = usage.mean(axis=1) if n_days else np.zeros(n_items)
    cycles = np.ones(n_items)
    for i in range(n_items):
        setup, holding, rate = (
            float(problem.setup_cost[i]),
            float(problem.holding_cost[i]),
            float(mean[i]),
        )
        if setup > 0 and rate > 0:
            cycle = math.sqrt(2 * setup / (holding * rate)) if holding > 0 else n_days
            cycles[i] = min(max(cycle, 1.0), max(n_days, 1))
    return cycles
