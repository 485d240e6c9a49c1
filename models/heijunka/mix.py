"""A work-center day in build order.

Step 4 of :func:`models.heijunka.plan_heijunka` (:func:`sequence_days`).
Each run of one item is a setup, and the contract credits nothing for
mixing, so by default (``mixing = runs``) each item runs once a day:
kanban replenishment orders first, then the levelled items; on a day under
the plant's p/q sequence rules, the day's containers take the order with no
broken window and the fewest runs, the sequencer every strategy shares
(:func:`models.sequencing.days.sequence_ruled_day`).

With ``mixing = containers``, the levelled mix is sequenced one position per
container, in the product-rate-variation optimal order (exact,
Kubiak-Sethi), or Toyota's goal chasing on component usage, or under the
rules with CP-SAT; where a fully mixed sequence would need more setup time
than the day has left in regular capacity, containers are grouped into
larger pitches (2, 3, ... containers per run) until it fits.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from models.heijunka.design import PullDesign
from models.heijunka.kanban import PullSimulation
from models.heijunka.options import HeijunkaOptions
from models.plan import PlanMessage, Position
from models.problem import Problem
from models.sequencing.days import (
    broken_message,
    container_positions,
    rules_for,
    sequence_ruled_day,
)
from models.sequencing.levelled import goal_chasing, sequence_prv
from models.sequencing.rules import Rule, count_violations, greedy_with_rules, sequence_with_rules
from models.work import WorkLimits

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class MixSequence:
    """One work-center day in build order.

    ``positions`` holds (item, units) per position, one container each (a
    last, partial container takes the rest); ``violations`` counts the
    windows of the plant's sequence rules it breaks; ``timed_out`` says
    that the clock stopped its search under the rules
    (:attr:`models.sequencing.rules.SequenceResult.timed_out`).
    """

    positions: tuple[Position, ...]
    violations: int
    timed_out: bool = False


def sequence_mix(
    problem: Problem,
    work_center: int,
    quantities: Mapping[int, float],
    *,
    room: float = math.inf,
    options: HeijunkaOptions | None = None,
    time_limit: float = 60.0,
) -> MixSequence:
    """Sequence one day's mix of levelled items on a work center.

    Parameters
    ----------
    problem
        The plant: container sizes, setup times, attributes and sequence rules.
    work_center
        Work-center index; the rules that name another work center are ignored.
    quantities
        Units of each item (index) to build.
    room
        Minutes available for setups beyond one per item; containers are
        grouped into larger pitches until the extra setups fit.
    options
        The sequencing method (``prv`` or ``goal_chasing``), threads and
        work limits.
    time_limit
        Seconds for the CP-SAT search under sequence rules (with work
        limits, its cap).
    """
    options = options or HeijunkaOptions()
    mixed = [int(i) for i, qty in quantities.items() if qty > 0]
    rules = rules_for(problem, work_center, mixed)
    counts = [max(1, round(quantities[i] / problem.container_qty[i])) for i in mixed]
    order, timed_out = _pitched_order(problem, mixed, counts, room, rules, options, time_limit)
    positions = container_positions(problem, [quantities[i] for i in mixed], mixed, order)
    return MixSequence(positions, count_violations(order, rules) if rules else 0, timed_out)


def sequence_days(
    problem: Problem,
    pull: PullSimulation,
    design: PullDesign,
    options: HeijunkaOptions,
    deadline: float,
) -> tuple[dict[tuple[int, int], tuple[Position, ...]], list[PlanMessage], int]:
    """Order every work-center day (module docstring).

    A day under sequence rules gets a share of the time left until
    ``deadline``, at most ``options.day_seconds``; with work limits, its
    work decides (the plant's sequencing work shared among its ruled days,
    :func:`day_work`) and the larger of its share and
    ``options.day_seconds`` only caps it. Returns the sequences, their
    warnings and the number of days whose sequencing the clock stopped.
    """
    sequences: dict[tuple[int, int], tuple[Position, ...]] = {}
    messages: list[PlanMessage] = []
    centers = problem.item_work_center
    levelled = design.levelled
    runs = options.mixing == "runs"
    days: list[tuple[int, int, bool]] = []
    for w in range(len(problem.work_centers)):
        members = np.flatnonzero((centers == w) & problem.is_make)
        for day in range(problem.n_days):
            started = members[pull.starts[members, day] > 0]
            if started.size == 0:
                continue
            judged = started if runs else started[levelled[started]]
            days.append((w, day, bool(rules_for(problem, w, judged.tolist()))))
    days.sort(key=lambda d: d[2])
    left = sum(1 for d in days if d[2])
    work = day_work(options.work, left)
    timed_out = 0
    for w, day, ruled in days:
        budget = 0.0
        if ruled:
            share = (deadline - time.perf_counter()) / left
            left -= 1
            if work is not None:
                budget = max(options.day_seconds, share)
            else:
                budget = max(0.1, min(options.day_seconds, share))
        positions, broken, stopped = sequence_day(
            problem, (w, day), pull.starts, pull.load, design, options, work, budget
        )
        sequences[(w, day)] = positions
        timed_out += stopped
        if broken:
            messages.append(broken_message(problem, w, day, broken))
    return sequences, messages, timed_out


SHARED_DAYS = 300
"""Ruled days among which the sequencing work of one plant is shared (see :func:`day_work`)."""


def day_work(work: WorkLimits | None, ruled_days: int) -> WorkLimits | None:
    """The work limits of one ruled day: the plant's sequencing work shared among its ruled days.

    A plant's sequencing may do :data:`SHARED_DAYS` days' worth of work
    (``work.search_steps`` and ``work.cp_work`` each): a plant with few
    ruled days gives each of them more, so that a single hard day (a car
    sequencing instance) is searched in earnest.
    """
    if work is None or ruled_days <= 0:
        return work
    scale = max(1.0, SHARED_DAYS / ruled_days)
    return dataclasses.replace(
        work,
        search_steps=int(work.search_steps * scale),
        cp_work=work.cp_work * scale,
    )


def sequence_day(
    problem: Problem,
    work_center_day: tuple[int, int],
    starts: FloatArray,
    load: FloatArray,
    design: PullDesign,
    options: HeijunkaOptions,
    work: WorkLimits | None,
    budget: float,
) -> tuple[tuple[Position, ...], int, bool]:
    """One work-center day of ``starts`` in build order, as ``options.mixing`` says.

    ``load`` is the ``[work_center, day]`` minutes the pull simulation
    loaded (the containers mix spends what capacity is left on setups);
    ``work`` and ``budget`` (seconds) limit the search under sequence rules.
    Returns the positions, the windows they break, and whether the clock
    stopped the search.
    """
    w, day = work_center_day
    members = np.flatnonzero((problem.item_work_center == w) & problem.is_make)
    started = members[starts[members, day] > 0]
    if options.mixing == "runs":
        return _runs_day(problem, w, starts[started, day], started, design, work, budget)
    return _mixed_day(
        problem, w, day, started, starts, float(load[w, day]), design, options, budget
    )


def _runs_day(
    problem: Problem,
    w: int,
    day_starts: FloatArray,
    started: npt.NDArray[np.int_],
    design: PullDesign,
    work: WorkLimits | None,
    budget: float,
) -> tuple[tuple[Position, ...], int, bool]:
    """One run per item, kanban orders first; under rules, the fewest runs that keep them."""
    rules = rules_for(problem, w, started.tolist())
    if rules:
        return sequence_ruled_day(problem, started, day_starts, rules, work or WorkLimits(), budget)
    order = np.argsort(design.levelled[started], kind="stable")
    return tuple((int(started[k]), float(day_starts[k])) for k in order), 0, False


def _mixed_day(
    problem: Problem,
    w: int,
    day: int,
    started: npt.NDArray[np.int_],
    starts: FloatArray,
    load: float,
    design: PullDesign,
    options: HeijunkaOptions,
    budget: float,
) -> tuple[tuple[Position, ...], int, bool]:
    """Kanban orders first, one run each, then the levelled mix container by container."""
    levelled, forced = design.levelled, design.forced_minutes
    mixed = {int(i): float(starts[i, day]) for i in started if levelled[i]}
    blocks = tuple((int(i), float(starts[i, day])) for i in started if not levelled[i])
    ruled = bool(rules_for(problem, w, list(mixed)))
    limit = problem.capacity[w, day] + (problem.overtime_capacity[w, day] if ruled else 0.0)
    room = max(limit, load) - load
    room += float(sum(forced[i] * qty / problem.container_qty[i] for i, qty in mixed.items()))
    mix = sequence_mix(problem, w, mixed, room=room, options=options, time_limit=budget)
    return blocks + mix.positions, mix.violations, mix.timed_out


def _pitched_order(
    problem: Problem,
    mixed: Sequence[int],
    counts: Sequence[int],
    room: float,
    rules: Sequence[Rule],
    options: HeijunkaOptions,
    budget: float,
) -> tuple[list[int], bool]:
    """Model (index into ``mixed``) at each container position, setups within ``room``.

    ``room`` is the capacity left for setups beyond one per model: regular
    capacity only, or with overtime on days with rules, which are kept even
    at the price of overtime. Without rules: the most levelled order of runs
    of g containers, for pitches g = 1, 2, 3, ... until the extra setups fit. With rules: the
    positions of the models carrying a ruled attribute come from one
    container-level sequence under the rules; the other positions (which no
    rule counts, so any order keeps the windows) are filled with the other
    models in runs of g containers, levelled, for g = 1, 2, 3, ... Should no
    pitch fit, each model runs once (the setups the pull simulation charged)
    and the rules may break. Also says whether the clock stopped the search
    under the rules.
    """
    if not mixed:
        return [], False
    carriers = [any(k in rule.attribute_models for rule in rules) for k in range(len(mixed))]
    setup = problem.setup_time[list(mixed)]
    frame: list[int] = []
    timed_out = False
    free = [k for k, marked in enumerate(carriers) if not marked]
    if rules:
        frame, timed_out = _ruled_order(list(counts), options, rules, budget)
    for pitch in _pitches(max(counts)):
        if rules:
            coarse = _mixed_order(
                problem,
                [mixed[k] for k in free],
                [math.ceil(counts[k] / pitch) for k in free],
                options,
            )
            filler = iter(_expanded([free[k] for k in coarse], counts, [pitch] * len(mixed)))
            order = [k if carriers[k] else next(filler) for k in frame]
        else:
            coarse = _mixed_order(problem, mixed, [math.ceil(c / pitch) for c in counts], options)
            order = _expanded(coarse, counts, [pitch] * len(mixed))
        if _extra_setup(order, setup, len(mixed)) <= room + 1e-6:
            return order, timed_out
    return [k for k in range(len(mixed)) for _ in range(counts[k])], timed_out


def _pitches(most: int) -> list[int]:
    """Candidate pitches: 1 to 8, then doubling, up to ``most``."""
    candidates = list(range(1, min(most, 8) + 1))
    while candidates[-1] < most:
        candidates.append(min(most, candidates[-1] * 2))
    return candidates


def _ruled_order(
    counts: list[int], options: HeijunkaOptions, rules: Sequence[Rule], budget: float
) -> tuple[list[int], bool]:
    """Model index at each position under ``rules``, and whether the clock stopped its search."""
    greedy = greedy_with_rules(counts, rules)
    if count_violations(greedy, rules) == 0 or budget <= 0.05:
        return greedy, False
    found = sequence_with_rules(
        counts,
        rules,
        time_limit=budget,
        workers=options.threads,
        smooth=options.smooth_ruled_days,
        work=options.work,
    )
    return found.sequence, found.timed_out


def _mixed_order(
    problem: Problem,
    mixed: Sequence[int],
    counts: list[int],
    options: HeijunkaOptions,
) -> list[int]:
    """Model index at each position for ``counts`` units of each model, without rules."""
    if options.sequencing == "goal_chasing":
        by_parent = problem.bom_matrix.tocsc()
        usage = np.vstack([by_parent[:, [i]].toarray().ravel() for i in mixed])
        parts = np.hstack([np.eye(len(mixed)), usage[:, usage.any(axis=0)]])
        return goal_chasing(counts, parts)
    return sequence_prv(counts)


def _expanded(coarse: Sequence[int], counts: Sequence[int], pitch: Sequence[int]) -> list[int]:
    """Each coarse position of model k becomes up to ``pitch[k]`` container positions."""
    left = list(counts)
    out: list[int] = []
    for k in coarse:
        take = min(pitch[k], left[k])
        out += [k] * take
        left[k] -= take
    return out


def _extra_setup(order: Sequence[int], setup: FloatArray, n_models: int) -> float:
    """Setup minutes of the runs beyond one per model."""
    runs = np.zeros(n_models)
    previous = -1
    for k in order:
        if k != previous:
            runs[k] += 1
        previous = k
    return float(setup @ np.maximum(runs - 1, 0))
