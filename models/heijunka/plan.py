"""The ``heijunka`` strategy: an optimised pull design, level loading, kanban and sequences.

:func:`plan_heijunka` plans in four steps:

1. **Design** (:func:`models.heijunka.search.choose_design`): each item's
   role (runner, repeater, stranger made to order, or kanban loop), its
   cycle on the product wheel, slot and campaign, and each purchased part's
   delivery interval, chosen by what the resulting plan costs.
2. **Level loading** (:func:`level`, :mod:`models.heijunka.levelling`): the
   daily containers of every finished good on its slots from a MILP that
   holds each item's quantity within one container of a level per period,
   within capacity (strangers: to order).
3. **Pull** (:func:`models.heijunka.kanban.simulate_pull`): kanban loops
   sized from the design and demand variability, and a day-by-day
   simulation that starts the level quantities as components and capacity
   allow and replenishes every supermarket on its slots. This gives the
   daily starts of every item. Steps 2 and 3 run again for the search's
   cheapest design with the solver's level schedule, and the cheaper of the
   two is kept.
4. **Sequencing** (:func:`models.heijunka.mix.sequence_days`): each work
   center's day in build order: one run per item, sequence rules honoured
   with the fewest runs (or, with ``mixing = containers``, mixed container
   by container).

A simulated shop floor runs the same steps: it keeps the plan's design
(:attr:`models.plan.Plan.design`), re-levels with :func:`level` and pulls
with :func:`~models.heijunka.kanban.simulate_pull` day by day.

The plan's status is ``heuristic``: the design search and the level-loading
model report in its messages, but the plan is what the pull simulation
could execute, judged (as every plan) by the evaluator. With work limits
(:class:`~models.work.WorkLimits`), a plan whose design search, level
loading or sequencing was stopped by its time limit before its work limit
is ``time_limit`` instead: another run may give another plan.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from models.heijunka.design import PullDesign, Role
from models.heijunka.kanban import PullSimulation, simulate_pull
from models.heijunka.levelling import LevelSchedule, level_schedule
from models.heijunka.mix import sequence_days
from models.heijunka.options import HEIJUNKA_NAME, HeijunkaOptions
from models.heijunka.search import Candidate, choose_design
from models.plan import MessageLevel, Plan, PlanMessage, SolveStatus
from models.pricing import plan_cost
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
    search = choose_design(problem, options, started + options.time_limit * options.design_share)
    seconds = max(0.5, options.time_limit * options.level_share) / len(search.finalists)
    outcomes = [
        outcome
        for finalist in search.finalists
        for outcome in (_levelled(problem, finalist, options, seconds), _Outcome.of(finalist))
    ]
    best = min(outcomes, key=lambda outcome: outcome.cost)
    system, pull = best.design, best.pull
    messages = [
        PlanMessage(MessageLevel.INFO, search.summary()),
        *(PlanMessage(MessageLevel.INFO, o.schedule.summary()) for o in outcomes if o.schedule),
        _choice_message(outcomes, best),
        *_design_messages(problem, system),
    ]
    deadline = started + options.time_limit
    sequences, sequence_messages, timed_out_days = sequence_days(
        problem, pull, system, options, deadline
    )
    messages += [*pull.messages, *sequence_messages]
    status = SolveStatus.HEURISTIC
    levelled_late = any(o.schedule is not None and o.schedule.timed_out for o in outcomes)
    if options.work is not None and (search.timed_out or levelled_late or timed_out_days):
        status = SolveStatus.TIME_LIMIT
        messages.append(_timed_out_message(search.timed_out, levelled_late, timed_out_days))
    return Plan(
        strategy=HEIJUNKA_NAME,
        starts=pull.starts,
        status=status,
        sequences=sequences,
        seconds=time.perf_counter() - started,
        messages=tuple(messages),
        kanban=pull.loops,
        levelling=system.levelling,
        design=system,
    )


@dataclass(frozen=True, eq=False)
class _Outcome:
    """Steps 2 and 3 for one design: its level schedule (``None``: the wheel's cover), the pull
    and what it costs."""

    design: PullDesign
    schedule: LevelSchedule | None
    pull: PullSimulation
    cost: float

    @classmethod
    def of(cls, candidate: Candidate) -> _Outcome:
        """A design the search priced, with the wheel's replenishment."""
        return cls(candidate.design, None, candidate.pull, candidate.cost)


def _levelled(
    problem: Problem, candidate: Candidate, options: HeijunkaOptions, seconds: float
) -> _Outcome:
    """A design the search priced, levelled by the solver instead, within ``seconds``."""
    system = dataclasses.replace(candidate.design, schedule="levelled")
    schedule = level(problem, system, options, seconds)
    pull = simulate_pull(problem, schedule.starts, system)
    return _Outcome(system, schedule, pull, plan_cost(problem, pull.starts, system.forced_setups))


def _choice_message(outcomes: list[_Outcome], best: _Outcome) -> PlanMessage:
    """Which schedule of which design was kept, with what the others cost."""
    levelled = ", ".join(f"{o.cost:,.0f}" for o in outcomes if o.schedule is not None)
    kept = (
        "its levelled schedule"
        if best.schedule is not None
        else "the wheel's replenishment (each slot covering until the next)"
    )
    return PlanMessage(
        MessageLevel.INFO,
        f"levelled by the solver, the design is estimated at {levelled}; the plan keeps "
        f"{kept}, estimated at {best.cost:,.0f}",
    )


def design(problem: Problem, options: HeijunkaOptions) -> PullDesign:
    """Step 1 alone: the design :func:`plan_heijunka` would choose for ``problem``."""
    deadline = time.perf_counter() + options.time_limit * options.design_share
    return choose_design(problem, options, deadline).best.design


def level(
    problem: Problem, system: PullDesign, options: HeijunkaOptions, seconds: float
) -> LevelSchedule:
    """Step 2: the level schedule of the levelled items, within ``seconds``.

    The level-loading model (:func:`models.heijunka.levelling.level_schedule`)
    leaves each work center the capacity the kanban loops will need; with
    ``options.work``, it stops on its work limits, ``seconds`` only capping it.
    """
    limits = SolverOptions(time_limit=seconds, mip_gap=options.mip_gap, threads=options.threads)
    return level_schedule(problem, system, solver=options.solver, options=limits, work=options.work)


def _timed_out_message(search: bool, level_loading: bool, days: int) -> PlanMessage:
    """The warning of a plan with work limits that a time limit stopped somewhere."""
    parts = ["the design search"] if search else []
    if level_loading:
        parts.append("the level loading")
    if days:
        parts.append(f"the sequencing of {counted(days, 'work-center day')}")
    return timed_out_warning(" and ".join(parts))


def _design_messages(problem: Problem, system: PullDesign) -> list[PlanMessage]:
    """One line per work center: takt, runners, repeaters and strangers with their cycles."""
    messages = []
    centers = problem.item_work_center
    for level in system.levelling:
        w = level.work_center
        members = np.flatnonzero((centers == w) & (system.usage > 0))
        parts = [f"takt {level.takt_time:.2f} min per unit"] if level.takt_time else []
        for role in (Role.RUNNER, Role.REPEATER, Role.KANBAN):
            chosen = members[system.roles[members] == role]
            if chosen.size:
                parts.append(f"{counted(chosen.size, _NOUNS[role])} {_every(system, chosen)}")
        strangers = members[system.made_to_order[members]]
        if strangers.size:
            parts.append(f"{counted(strangers.size, 'stranger')} made to order")
        if parts:
            messages.append(
                PlanMessage(
                    MessageLevel.INFO,
                    f"{problem.work_centers[w].code}: " + ", ".join(parts),
                    work_center=w,
                )
            )
    bought = np.flatnonzero(~problem.is_make & (system.usage > 0))
    if bought.size:
        messages.append(
            PlanMessage(
                MessageLevel.INFO,
                f"purchases: {counted(bought.size, 'part')} delivered {_every(system, bought)}",
            )
        )
    return messages


def _every(system: PullDesign, items: npt.NDArray[np.int_]) -> str:
    """The cycles of ``items``, e.g. ``every 2/4/8 days``."""
    return "every " + "/".join(str(c) for c in sorted(set(system.cycle[items].tolist()))) + " days"


_NOUNS = {Role.RUNNER: "runner", Role.REPEATER: "repeater", Role.KANBAN: "kanban loop"}
