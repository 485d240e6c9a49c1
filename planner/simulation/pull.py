"""How a heijunka plan runs on the shop floor: its level schedule and kanban pull, day by day.

The level schedule (the levelled items' starts) is what the plan releases;
the kanban loops replenish every supermarket from actual consumption. Both
run through :func:`models.heijunka.simulate_pull`, the same logic the
strategy plans with: each day, the pull simulation is given the floor's
real state as a short problem starting that day (on-hand and backlog,
today's arrivals, the open orders on their way, today's actual demand and
capacity) and the day's level quantities; its first day's starts are what
the floor executes. Only that first day is used, so nothing the simulation
assumes about later days matters, and with a reality equal to the forecast
the day-by-day run repeats the plan's own simulation exactly.

The kanban loops (cards, trigger levels, review days) stay those of the
plan, sized from the forecast, for the whole replication. Re-levelling
(:func:`relevel`) plans new level quantities with the strategy's
level-loading model alone: the quantities the plan wants built, not what a
pull simulation of the remaining days would let through.
"""

from __future__ import annotations

import time
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from models import Problem
from models.floor import TOLERANCE
from models.heijunka import HeijunkaOptions, PullDesign, level, sequence_day, simulate_pull
from models.plan import Plan, Position
from models.sequencing import rule_abiding_starts
from planner.simulation.floor import ShopFloor
from planner.simulation.replanning import with_on_hand

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int_]
BoolArray = npt.NDArray[np.bool_]


class Relevelled(NamedTuple):
    """What :func:`relevel` planned.

    Parameters
    ----------
    starts
        ``[item, day]`` level quantities (levelled items only).
    seconds
        Seconds spent.
    timed_out
        Whether the clock stopped the level-loading model: with work limits,
        only then may another run give other quantities.
    """

    starts: FloatArray
    seconds: float
    timed_out: bool


def relevel(problem: Problem, system: PullDesign, options: HeijunkaOptions) -> Relevelled:
    """New level quantities for ``problem`` (the days a re-levelling plans).

    Step 2 of :func:`models.heijunka.plan_heijunka` on these days, with the
    plan's design (``system``, cut to them): the level-loading model within
    ``options.time_limit``, or with ``options.work`` within its work
    limits, the time limit as a cap (:func:`models.heijunka.level`).
    """
    started = time.perf_counter()
    schedule = level(problem, system, options, options.time_limit)
    return Relevelled(schedule.starts, time.perf_counter() - started, schedule.timed_out)


CUT_PASSES = 5
"""Times a day's levelled carriers are cut to a rule-abiding day and pulled again: a pull
that starts fewer other items than the one before can need one more cut."""


def pull_day(
    floor: ShopFloor, day: int, level: FloatArray, design: PullDesign
) -> tuple[FloatArray, FloatArray]:
    """Run one day of the pull system on the floor's real state.

    Parameters
    ----------
    floor
        The shop floor at the start of ``day``.
    day
        The working day.
    level
        ``[item]`` level quantities wanted today (levelled items only),
        including what waited from earlier days.
    design
        The plan's loops.

    Returns
    -------
    tuple of ndarray
        ``[item]`` units started today and ``[work_center]`` minutes they load.

    Notes
    -----
    Levelled items on a line under sequence rules are started no more than
    a rule-abiding sequence of the day's containers holds
    (:func:`models.sequencing.days.rule_abiding_starts`), the day pulled
    again after each cut (at most :data:`CUT_PASSES` times); the rest
    waits.
    The short problem spans today and as many days as the longest lead time
    (the pull simulation orders nothing that would arrive past its
    horizon, which must therefore reach as far as the real one). Open
    orders arriving after it are counted on its last day, where they still
    count in every inventory position; on the horizon's last day there is
    no later day, and such orders are left out.
    """
    actual = floor.actual
    n_days = actual.n_days
    horizon = min(n_days - day, int(actual.lead_time.max(initial=0)) + 1)
    end = day + horizon
    receipts = np.zeros((actual.n_items, horizon))
    receipts[:, 0] = actual.receipts[:, day] + floor.incoming[:, day]
    if horizon > 1:
        receipts[:, 1:] = actual.receipts[:, day + 1 : end]
        receipts[:, -1] += actual.receipts[:, end:].sum(axis=1)
        for order in floor.orders:
            if order.arrival > day:
                receipts[order.item, min(order.arrival - day, horizon - 1)] += order.quantity
    demand = np.zeros((actual.n_items, horizon))
    demand[:, 0] = actual.demand[:, day] + np.maximum(-floor.net, 0.0)
    level_starts = np.zeros((actual.n_items, horizon))
    level_starts[:, 0] = np.where(design.levelled, level, 0.0)
    today = actual.replace(
        items=with_on_hand(actual, np.maximum(floor.net, 0.0)),
        days=actual.days[day:end],
        demand=demand,
        receipts=receipts,
        capacity=actual.capacity[:, day:end],
        overtime_capacity=actual.overtime_capacity[:, day:end],
    )
    pull = simulate_pull(today, level_starts, design.days(day, end))
    for _ in range(CUT_PASSES):
        abiding = rule_abiding_starts(actual, pull.starts[:, 0])
        cut = design.levelled & (abiding < pull.starts[:, 0] - TOLERANCE)
        if not cut.any():
            break
        level_starts[cut, 0] = abiding[cut]
        pull = simulate_pull(today, level_starts, design.days(day, end))
    return np.array(pull.starts[:, 0], dtype=float), np.array(pull.load[:, 0], dtype=float)


def executed_sequences(
    problem: Problem,
    actual: Problem,
    plan: Plan,
    starts: FloatArray,
    load: FloatArray,
    design: PullDesign,
    options: HeijunkaOptions,
) -> tuple[dict[tuple[int, int], tuple[Position, ...]], int]:
    """The build order of every work-center day the floor worked.

    A day on which the work center had the capacity the plan counted on and
    started exactly what the plan said keeps the plan's sequence (and its
    setups). Any other day is sequenced as the strategy sequences
    (:func:`models.heijunka.sequence_day`), with ``options.day_seconds``
    per day under sequence rules and, with ``options.work``, the work one
    of its days gets.

    Parameters
    ----------
    problem
        The problem the plan was made for.
    actual
        The problem as it really was.
    plan
        The heijunka plan the replication started from.
    starts
        ``[item, day]`` units the floor started.
    load
        ``[work_center, day]`` minutes the pull loaded, one setup per item.
    design
        The plan's loops.
    options
        How to sequence: the mixing, the method, and for days under
        sequence rules ``day_seconds`` per day and the work limits (with
        ``work``, the seconds only cap the search).

    Returns
    -------
    tuple
        The sequence of each ``(work center, day)``, and the number of days
        whose sequencing the clock stopped (with ``work``, only these may
        come out otherwise on another run).
    """
    centers = actual.item_work_center
    sequences: dict[tuple[int, int], tuple[Position, ...]] = {}
    timed_out = 0
    for w in range(len(actual.work_centers)):
        members = np.flatnonzero((centers == w) & actual.is_make)
        for day in range(actual.n_days):
            if not (starts[members, day] > 0).any():
                continue
            kept = plan.sequences.get((w, day))
            as_planned = (
                np.array_equal(starts[members, day], plan.starts[members, day])
                and actual.capacity[w, day] == problem.capacity[w, day]
                and actual.overtime_capacity[w, day] == problem.overtime_capacity[w, day]
            )
            if kept is not None and as_planned:
                sequences[(w, day)] = kept
                continue
            positions, _, stopped = sequence_day(
                actual, (w, day), starts, load, design, options, options.work, options.day_seconds
            )
            sequences[(w, day)] = positions
            timed_out += stopped
    return sequences, timed_out
