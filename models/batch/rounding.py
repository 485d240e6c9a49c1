"""Rounding a plan's fractional starts to whole units, without a solver.

The whole-unit completion (:mod:`models.batch.whole`) solves a MIP with the
plan's setups kept; on a plant of a thousand items and more its linear
relaxation alone takes longer than the completion's time, and it finds no
whole plan. :func:`rounded_up` makes one by rules instead, in a few seconds
of array work, so that every plan gets whole starts.

Items are rounded parents first, each item's *starts to date* (cumulative
starts) rather than each start, so that rounding never moves units between
days. An item's starts to date are first raised by what its parents'
rounded starts use more than before, beyond the stock it had spare, by the
day that use falls due (its lead time earlier). They are then rounded up
(to the next lot multiple for items with one) from the first day its
components could supply more (:func:`first_extra_days`), and down before it:
there, its parents are rounded down too, those not yet whole in steps whose
use of every component is whole (:func:`whole_use_steps`), so the item still
covers them. What the total gains goes on the latest day, no later than needed,
that already has a start, or on the day it is needed (a new setup).

Rules alone can still fail: a work center's day pushed past its overtime
limit by rounded-up starts, or a component whose parents use more than it
can make in time. The item-days at fault are then *capped* (their starts to
date one step lower, end items first on a crowded day, the parents of a
short component by the shortfall) and the items rounded again, at most
``passes`` times.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from models.problem import Problem

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

ROUNDING_TOLERANCE = 1e-4
"""Solver noise the rounding absorbs: starts to date this close to a whole number are that one."""

NO_START = 1e-6
"""A start below this is no start."""

ROUNDING_PASSES = 400
"""Most rounding passes before :func:`rounded_up` gives up (a limit on work)."""

_LARGEST_USE_STEP = 12


def rounded_up(
    problem: Problem,
    starts: FloatArray,
    *,
    passes: int = ROUNDING_PASSES,
    deadline: float | None = None,
) -> FloatArray | None:
    """``starts`` with every whole-unit item's starts whole: component stock never below zero.

    End items' backlog may grow by less than a unit on the days before
    their components could supply more. ``None`` when ``passes`` passes (or
    the time until ``deadline``, a ``time.perf_counter()`` value) do not
    give a plan within every work center's overtime limit.
    """
    by_parent = problem.bom_matrix.tocsr()
    steps = np.where(problem.lot_multiple > 0, problem.lot_multiple, 1.0)
    state = _State.of(problem, starts)
    caps = np.full(starts.shape, np.inf)
    for _ in range(passes):
        if deadline is not None and time.perf_counter() > deadline:
            return None
        rounded, shorts = _rounding_pass(problem, starts, caps, state)
        if not shorts:
            crowded = _crowded(problem, starts, rounded)
            if not crowded.any():
                return rounded
            to_date = np.cumsum(rounded, axis=1)
            step = np.broadcast_to(steps[:, None], rounded.shape)
            caps[crowded] = np.minimum(caps[crowded], to_date[crowded] - step[crowded])
            continue
        for item, day, shortfall in shorts:
            first, last = by_parent.indptr[item], by_parent.indptr[item + 1]
            parents, per = by_parent.indices[first:last], by_parent.data[first:last]
            to_date = np.cumsum(rounded[parents, : day + 1], axis=1)[:, -1]
            using = to_date > NO_START
            if not using.any():
                return None
            lowered = parents[using]
            cut = steps[lowered] * np.ceil(
                shortfall / per[using] / steps[lowered] - ROUNDING_TOLERANCE
            )
            caps[lowered, day] = np.minimum(
                caps[lowered, day], to_date[using] - np.maximum(cut, steps[lowered])
            )
    return None


@dataclass(frozen=True)
class _State:
    """What every pass needs of the fractional plan: positions, limits, rounding steps."""

    position: FloatArray
    cumulative_demand: FloatArray
    lowest: FloatArray
    rounds_up: BoolArray
    use_steps: FloatArray

    @classmethod
    def of(cls, problem: Problem, starts: FloatArray) -> _State:
        position = problem.net_positions(starts)
        cumulative_demand = np.cumsum(problem.demand, axis=1)
        days = np.arange(problem.n_days)[None, :]
        return cls(
            position,
            cumulative_demand,
            np.maximum(np.minimum(position, 0.0), -cumulative_demand),
            days >= first_extra_days(problem)[:, None],
            whole_use_steps(problem),
        )


def _rounding_pass(
    problem: Problem, starts: FloatArray, caps: FloatArray, state: _State
) -> tuple[FloatArray, list[tuple[int, int, float]]]:
    """One rounding of ``starts`` under ``caps`` (most units started to date, per item and day).

    Returns the starts and the items that cannot have what their parents
    use by some day: the item, that day and the shortfall.
    """
    rounded = np.array(starts, dtype=float)
    bom = problem.bom_matrix.tocsr()
    days = problem.n_days
    shorts: list[tuple[int, int, float]] = []
    for item in problem.topological_order.tolist():
        parents = bom.indices[bom.indptr[item] : bom.indptr[item + 1]]
        per = bom.data[bom.indptr[item] : bom.indptr[item + 1]]
        extra_use = np.cumsum(per @ (rounded[parents] - starts[parents]))
        lead = int(problem.lead_time[item])
        made_to_date = np.cumsum(starts[item])
        arrived = np.zeros(days)
        arrived[lead:] = made_to_date[: max(0, days - lead)]
        change = arrived + extra_use - state.position[item]
        kept = _by_start(np.maximum.accumulate(change + state.lowest[item]), lead)
        hard = np.maximum.accumulate(change - state.cumulative_demand[item])
        early = hard[: min(lead, days)]
        if early.max(initial=0.0) > ROUNDING_TOLERANCE:
            shorts.append((item, int(np.flatnonzero(early > ROUNDING_TOLERANCE)[-1]), early.max()))
        needed = _by_start(hard, lead)
        target = np.maximum(made_to_date, kept)
        if problem.whole_units[item] or problem.lot_multiple[item] > 0:
            step = problem.lot_multiple[item] if problem.lot_multiple[item] > 0 else 1.0
            coarse = step * state.use_steps[item]
            up = step * np.ceil(target / step - ROUNDING_TOLERANCE)
            fine = step * np.floor(made_to_date / step + ROUNDING_TOLERANCE)
            whole_already = np.abs(made_to_date - fine) <= ROUNDING_TOLERANCE
            down = np.maximum(
                np.where(
                    whole_already,
                    fine,
                    coarse * np.floor(made_to_date / coarse + ROUNDING_TOLERANCE),
                ),
                step * np.ceil(needed / step - ROUNDING_TOLERANCE),
            )
            target = np.where(state.rounds_up[item], up, down)
        target = np.maximum.accumulate(np.where(target > NO_START, target, 0.0))
        target = np.minimum(target, np.minimum.accumulate(caps[item][::-1])[::-1])
        over = np.flatnonzero(target < needed - ROUNDING_TOLERANCE)
        if over.size:
            shortfall = float((needed - target)[over].max())
            shorts.append((item, min(days - 1, int(over[0]) + lead), shortfall))
        barriers = np.concatenate(
            [
                np.flatnonzero(np.diff(state.rounds_up[item].astype(int)) > 0) + 1,
                np.flatnonzero(np.isfinite(caps[item])) + 1,
            ]
        )
        rounded[item] = _placed(target, starts[item] > NO_START, barriers)
    return rounded, shorts


def first_extra_days(problem: Problem) -> IntArray:
    """Per item, the first start day on which all its components could supply more than planned.

    0 for items without components; otherwise the latest, over its
    components, of the day a component started on its own first such day
    arrives (its lead time later).
    """
    first = np.zeros(problem.n_items, dtype=np.int64)
    by_parent = problem.bom_matrix.tocsc()
    for item in problem.topological_order.tolist()[::-1]:
        parts = by_parent.indices[by_parent.indptr[item] : by_parent.indptr[item + 1]]
        if parts.size:
            first[item] = int((first[parts] + problem.lead_time[parts]).max())
    return first


def whole_use_steps(problem: Problem) -> FloatArray:
    """Per item, the fewest units (at most 12) whose use of every component is whole.

    1 for whole quantities per parent, 2 for halves; 1 where no count up to
    12 makes every use whole (the rounding then relies on its caps).
    """
    by_parent = problem.bom_matrix.tocsc()
    steps = np.ones(problem.n_items)
    for item in range(problem.n_items):
        count = 1
        for per in by_parent.data[by_parent.indptr[item] : by_parent.indptr[item + 1]].tolist():
            fits = (
                k for k in range(1, _LARGEST_USE_STEP + 1) if abs(k * per - round(k * per)) < 1e-9
            )
            count = math.lcm(count, next(fits, 1))
        steps[item] = count if count <= _LARGEST_USE_STEP else 1
    return steps


def _crowded(problem: Problem, starts: FloatArray, rounded: FloatArray) -> BoolArray:
    """Rounded-up item-days to cap on work-center days past their overtime limit.

    End items first (capping them delays no other item), then the longest
    runs, as few as clear the day's excess.
    """
    made = np.flatnonzero(problem.item_work_center >= 0)
    centers = problem.item_work_center
    load = np.zeros((len(problem.work_centers), problem.n_days))
    minutes = problem.run_time[made, None] * rounded[made] + problem.setup_time[made, None] * (
        rounded[made] > NO_START
    )
    np.add.at(load, centers[made], minutes)
    excess = load - problem.capacity - problem.overtime_capacity
    has_parents = np.diff(problem.bom_matrix.tocsr().indptr) > 0
    crowded = np.zeros(rounded.shape, dtype=bool)
    for center, day in np.argwhere(excess > ROUNDING_TOLERANCE).tolist():
        raised = made[
            (centers[made] == center) & (rounded[made, day] > starts[made, day] + NO_START)
        ]
        left = excess[center, day]
        for item in raised[np.lexsort((-problem.run_time[raised], has_parents[raised]))].tolist():
            if left <= ROUNDING_TOLERANCE:
                break
            crowded[item, day] = True
            left -= problem.run_time[item] * (rounded[item, day] - starts[item, day])
    return crowded


def _by_start(arrived: FloatArray, lead: int) -> FloatArray:
    """What must have started by each day for ``arrived`` to have arrived ``lead`` days later."""
    started = np.full(arrived.size, arrived[-1])
    started[: max(0, arrived.size - lead)] = arrived[lead:]
    return started


def _placed(target: FloatArray, open_days: BoolArray, barriers: IntArray) -> FloatArray:
    """Daily starts whose running total is ``target``, on ``open_days`` as far as they allow.

    What the total gains by a day goes on the latest open day no later,
    never before the latest of ``barriers`` up to that day (a day from
    which components could supply more, or the day after a capped one);
    where no open day comes early enough, on the first day it is needed.
    """
    made = np.zeros(target.size)
    edges = np.unique(np.concatenate([[0], barriers, [target.size]])).astype(int)
    for low, high in zip(edges[:-1].tolist(), edges[1:].tolist(), strict=True):
        if low >= target.size:
            break
        base = float(target[low - 1]) if low > 0 else 0.0
        segment = target[low:high]
        rises = segment > base + NO_START
        if not rises.any():
            continue
        opened = np.flatnonzero(open_days[low:high])
        first_rise = int(np.argmax(rises))
        if opened.size == 0 or opened[0] > first_rise:
            opened = np.concatenate([[first_rise], opened])
        latest = np.maximum(np.searchsorted(opened, np.arange(segment.size), side="right") - 1, 0)
        reached = np.where(np.arange(segment.size) >= opened[0], segment, base)
        np.add.at(made, low + opened[latest], np.diff(np.maximum.accumulate(reached), prepend=base))
    return made
