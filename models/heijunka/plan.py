"""The ``heijunka`` strategy: level loading, kanban pull and daily mixed-model sequences.

:func:`plan_heijunka` plans in three steps:

1. **Design** (:func:`models.heijunka.design.design`): which items are
   levelled, the average usage that sizes the kanban loops, and each work
   center's EPEI cycle (the product wheel) with its takt time.
2. **Level loading** (:func:`level`, :mod:`models.heijunka.levelling`): the
   daily containers of every levelled (finished) item from a MILP that
   holds each item's quantity within one container of a level per period,
   within capacity.
3. **Pull** (:func:`models.heijunka.kanban.simulate_pull`): kanban loops
   sized from the average usage, and a day-by-day simulation that starts
   the level quantities as components and capacity allow and replenishes
   every supermarket from its cards. This gives the daily starts of every
   item.
4. **Sequencing** (:func:`models.heijunka.mix.sequence_days`): each work
   center's day in build order, levelled, under the plant's sequence rules.

A simulated shop floor runs the same steps: it keeps the plan's design,
re-levels with :func:`level` and pulls with
:func:`~models.heijunka.kanban.simulate_pull` day by day.

The plan's status is ``heuristic``: the level-loading model's own status,
bound and gap are reported in its messages, but the plan is what the pull
simulation could execute, judged (as every plan) by the evaluator. With
work limits (:class:`~models.work.WorkLimits`), a plan whose level loading
or sequencing was stopped by its time limit before its work limit is
``time_limit`` instead: another run may give another plan.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from models.heijunka.design import PullDesign, design
from models.heijunka.kanban import simulate_pull
from models.heijunka.levelling import LevelSchedule, level_schedule
from models.heijunka.mix import sequence_days
from models.heijunka.options import HEIJUNKA_NAME, HeijunkaOptions
from models.plan import LevelLoading, MessageLevel, Plan, PlanMessage, SolveStatus
from models.problem import Problem
from models.solvers.milp import SolverOptions
from models.wording import counted
from models.work import timed_out_warning


def plan_heijunka(problem: Problem, options: HeijunkaOptions | None = None) -> Plan:
    """Plan ``problem`` the lean way (see the module docstring).

    ``options``: by default those the problem's Settings give
    (:meth:`HeijunkaOptions.from_settings`).
    """
    options = options or HeijunkaOptions.from_settings(problem.settings)
    started = time.perf_counter()
    system = design(problem, options)
    schedule = level(problem, system, options, max(0.5, options.time_limit * options.level_share))
    pull = simulate_pull(problem, schedule.starts, system)
    deadline = started + options.time_limit
    sequences, sequence_messages, timed_out_days = sequence_days(
        problem, pull, system, options, deadline
    )
    messages = [*_levelling_messages(problem, system.wheel.levelling)]
    messages.append(PlanMessage(MessageLevel.INFO, schedule.summary()))
    messages += [*pull.messages, *sequence_messages]
    status = SolveStatus.HEURISTIC
    if options.work is not None and (schedule.timed_out or timed_out_days):
        status = SolveStatus.TIME_LIMIT
        messages.append(_timed_out_message(schedule.timed_out, timed_out_days))
    return Plan(
        strategy=HEIJUNKA_NAME,
        starts=pull.starts,
        status=status,
        sequences=sequences,
        seconds=time.perf_counter() - started,
        messages=tuple(messages),
        kanban=pull.loops,
        levelling=system.wheel.levelling,
    )


def level(
    problem: Problem, system: PullDesign, options: HeijunkaOptions, seconds: float
) -> LevelSchedule:
    """Step 2: the level schedule of the levelled items, within ``seconds``.

    The level-loading model (:func:`models.heijunka.levelling.level_schedule`)
    leaves each work center the capacity the kanban loops will need; with
    ``options.work``, it stops on its work limits, ``seconds`` only capping it.
    """
    limits = SolverOptions(time_limit=seconds, mip_gap=options.mip_gap, threads=options.threads)
    return level_schedule(
        problem,
        system.wheel,
        system.reserved_capacity(problem),
        level_period=options.level_period,
        solver=options.solver,
        options=limits,
        work=options.work,
    )


def _timed_out_message(level_loading: bool, days: int) -> PlanMessage:
    """The warning of a plan with work limits that a time limit stopped somewhere."""
    parts = ["the level loading"] if level_loading else []
    if days:
        parts.append(f"the sequencing of {counted(days, 'work-center day')}")
    return timed_out_warning(" and ".join(parts))


def _levelling_messages(problem: Problem, levelling: Sequence[LevelLoading]) -> list[PlanMessage]:
    messages = []
    for level in levelling:
        pace = f"takt {level.takt_time:.2f} min per unit, " if level.takt_time else ""
        messages.append(
            PlanMessage(
                MessageLevel.INFO,
                f"{problem.work_centers[level.work_center].code}: {pace}every part every "
                f"{counted(level.epei, 'day')}, {level.setup_minutes:,.0f} setup minutes per cycle",
                work_center=level.work_center,
            )
        )
    return messages
