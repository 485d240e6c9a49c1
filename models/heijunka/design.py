"""The design of a pull system: what stays fixed while a heijunka plan runs.

:func:`design` is the first step of :func:`models.heijunka.plan_heijunka`:
which items follow the level schedule, the average usage that sizes the
kanban loops, each work center's every-part-every-interval cycle (the
product wheel) and the review days it gives each item, and the setups the
sequence rules force. A simulated shop floor keeps the design of the plan
it runs for the whole horizon.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from models.heijunka.levelling import (
    ProductWheel,
    average_usage,
    levelled_items,
    product_wheel,
    reserved_capacity,
)
from models.heijunka.options import HeijunkaOptions, KanbanLot
from models.problem import Problem
from models.sequencing import ruled_setups

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int_]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class PullDesign:
    """The parts of a heijunka plan that stay fixed while it runs.

    Parameters
    ----------
    levelled
        Which items follow the level schedule (the others with usage have
        kanban loops).
    usage
        Average daily usage per item, which sizes the loops.
    wheel
        Each work center's every-part-every-interval cycle.
    interval, review_days
        Each item's review interval and ``[item, day]`` review days (its
        work center's cycle).
    forced_setups
        Setups per container that sequence rules force on each item.
    safety_factor
        Extra days of usage each loop holds beyond its lead time.
    kanban_lot
        What a loop orders at once.
    level_period
        Working days over which each level quantity is held.
    """

    levelled: BoolArray
    usage: FloatArray
    wheel: ProductWheel
    interval: IntArray
    review_days: BoolArray
    forced_setups: FloatArray
    safety_factor: float
    kanban_lot: KanbanLot
    level_period: int

    def reserved_capacity(self, problem: Problem) -> FloatArray:
        """``[work_center, day]`` minutes the level schedule must leave to the kanban loops."""
        return reserved_capacity(problem, self.usage, self.wheel, self.levelled)

    def days(self, first: int, end: int) -> PullDesign:
        """The design for the working days ``first .. end - 1`` (its review days cut to them)."""
        return dataclasses.replace(self, review_days=self.review_days[:, first:end])


def design(problem: Problem, options: HeijunkaOptions) -> PullDesign:
    """Design the pull system of ``problem`` (see the module docstring)."""
    usage = average_usage(problem)
    wheel = product_wheel(problem, usage, options.epei_days)
    return PullDesign(
        levelled=levelled_items(problem),
        usage=usage,
        wheel=wheel,
        interval=wheel.item_interval(problem),
        review_days=wheel.production_days(problem),
        forced_setups=ruled_setups(problem),
        safety_factor=options.kanban_safety_factor,
        kanban_lot=options.kanban_lot,
        level_period=options.level_period,
    )
