"""The shop floor's rules, shared by every strategy that starts orders day by day.

What a plan may start on a day is what the components on hand and the
work center's minutes allow, in whole lots. Four places walk the horizon
that way (MRP's material check, the capacity repair, the kanban pull and
the simulated shop floor); they share these rules:

- :data:`TOLERANCE`: a quantity at or below it is nothing;
- :func:`whole_lots`: a start cut short keeps the item's lot multiple,
  minimum lot and whole units; :func:`whole_up` rounds a quantity needed
  up to whole units; :func:`whole_steps` and :func:`steps_up` round down
  and up to multiples of a step;
- :func:`material_limit` and :func:`capacity_limit`: the most units the
  components on hand and the minutes left allow;
- :func:`deepest_first` and :func:`components`: the order in which a day's
  starts are made (components before their parents, so that a component
  made today without lead time can go into its parent today) and what each
  start consumes;
- :func:`arrivals`: what the starts of earlier days deliver today;
- :class:`ReleaseRule`: one day's starts, cut to what stock and capacity
  allow.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from models.problem import Problem

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

TOLERANCE = 1e-9
"""Quantities at or below this are nothing; shortfalls within this share are round-off."""


def whole_lots(problem: Problem, item: int, quantity: float) -> float:
    """The part of a start that keeps the item's lot multiple, minimum lot and whole units."""
    multiple = float(problem.lot_multiple[item])
    if multiple > 0:
        quantity = math.floor(quantity / multiple + TOLERANCE) * multiple
    if problem.whole_units[item]:
        quantity = float(math.floor(quantity + TOLERANCE))
    return quantity if quantity >= float(problem.min_lot[item]) - TOLERANCE else 0.0


def whole_up(problem: Problem, item: int, quantity: float) -> float:
    """``quantity`` rounded up to whole units for a whole-unit item (float noise ignored)."""
    if not problem.whole_units[item]:
        return quantity
    return float(max(0, math.ceil(quantity - TOLERANCE * max(1.0, abs(quantity)))))


def whole_steps(limit: float, step: float) -> float:
    """The largest multiple of ``step`` not above ``limit`` (infinite stays infinite)."""
    if not math.isfinite(limit):
        return math.inf
    return math.floor(limit / step + TOLERANCE) * step


def steps_up(quantity: float, step: float) -> float:
    """``quantity`` rounded up to whole multiples of ``step`` (unchanged without a step)."""
    if not step or quantity <= 0:
        return quantity
    return math.ceil(quantity / step - TOLERANCE) * step


def material_limit(stock: FloatArray, per_unit: FloatArray) -> float:
    """Most units the components on hand allow (infinite without components).

    ``stock`` holds the components' units on hand (negative counts as none),
    ``per_unit`` the units of each consumed per unit started.
    """
    if not per_unit.size:
        return math.inf
    if per_unit.size == 1:
        return max(float(stock[0]), 0.0) / float(per_unit[0])
    return float((np.maximum(stock, 0.0) / per_unit).min())


def capacity_limit(minutes: float, setup: float, run: float) -> float:
    """Most units ``minutes`` left on a work center allow, one setup of ``setup`` counted.

    ``run`` is the minutes per unit; infinite when it is 0 and the setup fits.
    """
    left = minutes - setup
    if left < -TOLERANCE:
        return 0.0
    return math.inf if run <= 0 else max(0.0, left) / run


def deepest_first(problem: Problem) -> list[IntArray]:
    """The items by BOM level, deepest first: the order in which a day's starts are made."""
    codes = problem.low_level_code
    return [np.flatnonzero(codes == level) for level in range(int(codes.max(initial=0)), -1, -1)]


def components(problem: Problem) -> list[tuple[IntArray, FloatArray]]:
    """Per item, its components and the units of each one unit of it consumes."""
    by_parent = problem.bom_matrix.tocsc()
    return [
        (
            np.asarray(by_parent.indices[by_parent.indptr[i] : by_parent.indptr[i + 1]]),
            np.asarray(by_parent.data[by_parent.indptr[i] : by_parent.indptr[i + 1]], dtype=float),
        )
        for i in range(problem.n_items)
    ]


def arrivals(starts: FloatArray, day: int, lead: IntArray) -> FloatArray:
    """What the ``[item, day]`` starts of earlier days deliver on ``day`` (after their lead time).

    Starts without lead time arrive the day they are made, which the day's
    own loop accounts for: they are left out here.
    """
    arriving = np.zeros(starts.shape[0])
    earlier = (day - lead >= 0) & (lead > 0)
    arriving[earlier] = starts[earlier, day - lead[earlier]]
    return arriving


class ReleaseRule:
    """The shop floor's rule for one day's starts, with the plant's BOM prepared once.

    :meth:`start_what_fits` starts what is wanted as far as components and
    minutes allow. Build one per problem and use it for every day.
    ``forced_minutes`` are the setup minutes per container that sequence
    rules force on an item (:func:`models.sequencing.ruled_setup_minutes`):
    they count as run time.
    """

    def __init__(self, problem: Problem, forced_minutes: FloatArray | None = None) -> None:
        self.problem = problem
        self.bom = problem.bom_matrix.tocsc()
        self.parts = components(problem)
        self.levels = deepest_first(problem)
        forced = np.zeros(problem.n_items) if forced_minutes is None else forced_minutes
        self.run_time = problem.run_time + forced / problem.container_qty

    def start_what_fits(
        self,
        wanted: FloatArray,
        stock: FloatArray,
        room: FloatArray | None = None,
        *,
        instant: BoolArray | None = None,
    ) -> tuple[FloatArray, IntArray]:
        """One day's starts: what is wanted, as far as components and minutes allow.

        Items are started from the deepest BOM level up (:func:`deepest_first`),
        within a level in item order. A start is cut to the components in
        ``stock`` (shared components go to the first parent that asks) and
        to its work center's minutes in ``room``, its setup counted; a cut
        start keeps its lot rules (:func:`whole_lots`). What is not started
        is the caller's to carry. A level whose starts all fit is started at
        once.

        Parameters
        ----------
        wanted
            ``[item]`` units wanted today.
        stock
            ``[item]`` units today's starts may consume; updated in place
            (less what is consumed, plus what ``instant`` items make).
        room
            ``[work_center]`` minutes left today (regular plus overtime);
            updated in place. ``None``: capacity is not checked (as MRP plans).
        instant
            Which items' starts are in stock the same day (by default those
            without lead time).

        Returns
        -------
        tuple of ndarray
            ``[item]`` units started, and for each item the component that
            cut its start short (-1 when none did).
        """
        problem = self.problem
        if instant is None:
            instant = problem.lead_time == 0
        started = np.zeros(problem.n_items)
        short = np.full(problem.n_items, -1, dtype=np.int64)
        for items in self.levels:
            active = items[wanted[items] > TOLERANCE]
            if not active.size:
                continue
            need = np.asarray(self.bom[:, active] @ wanted[active], dtype=float)
            if np.all(need <= stock + TOLERANCE) and self._minutes_fit(active, wanted, room):
                started[active] = wanted[active]
                stock -= need
                if room is not None:
                    room -= self._minutes(active, wanted[active])
            else:
                for i in active.tolist():
                    started[i], short[i] = self._start_one(i, float(wanted[i]), stock, room)
            made = active[instant[active]]
            stock[made] += started[made]
        return started, short

    def _minutes_fit(self, items: IntArray, wanted: FloatArray, room: FloatArray | None) -> bool:
        """Whether starting all of ``items`` fits every work center's minutes left."""
        if room is None:
            return True
        return bool(np.all(self._minutes(items, wanted[items]) <= room + TOLERANCE))

    def _minutes(self, items: IntArray, quantities: FloatArray) -> FloatArray:
        """Minutes per work center that starting ``quantities`` of ``items`` takes."""
        problem = self.problem
        minutes = np.zeros(len(problem.work_centers))
        centers = problem.item_work_center[items]
        made = centers >= 0
        np.add.at(
            minutes,
            centers[made],
            problem.setup_time[items[made]] + self.run_time[items[made]] * quantities[made],
        )
        return minutes

    def _start_one(
        self, i: int, quantity: float, stock: FloatArray, room: FloatArray | None
    ) -> tuple[float, int]:
        """Start item ``i`` as far as it fits; the units started and the component that cut it."""
        problem = self.problem
        children, per_unit = self.parts[i]
        limit = material_limit(stock[children], per_unit)
        short = -1
        if limit < quantity - TOLERANCE:
            short = int(children[np.argmin(stock[children] / per_unit)])
        center = int(problem.item_work_center[i])
        if room is not None and center >= 0:
            setup, run = float(problem.setup_time[i]), float(self.run_time[i])
            limit = min(limit, capacity_limit(float(room[center]), setup, run))
        if limit < quantity * (1 - TOLERANCE) - TOLERANCE:
            quantity = whole_lots(problem, i, max(limit, 0.0))
        if quantity <= TOLERANCE:
            return 0.0, short
        stock[children] -= per_unit * quantity
        if room is not None and center >= 0:
            room[center] -= problem.setup_time[i] + self.run_time[i] * quantity
        return quantity, short
