"""Step 1 of a heijunka plan: the pull design, chosen by what it costs.

Every candidate design (:func:`models.heijunka.design.design_for`) is played
through: a quick level schedule (each slot covers until the next,
:meth:`~models.heijunka.levelling.LevelModel.cover`), then the day-by-day
pull simulation, and the starts are priced by the contract's accounting
(:func:`models.pricing.plan_cost`). The search keeps the cheapest
(its :data:`FINALISTS` cheapest designs, which the strategy then levels with
the solver and prices again):

1. the analytic design: each item's economic cycle within capacity, in
   powers of two (:func:`~models.heijunka.design.economic_cycles`), and the
   same with every made item's cycle halved and doubled;
2. every common cycle of 1 to 10 days (every part every N days, the
   classic product wheel);
3. then, from the cheapest, a descent: each work center's cycles (and the
   purchased parts' delivery intervals) halved or doubled together, then
   each item's, each move kept when the plan costs less, until no move
   pays or the work limit (``WorkLimits.designs`` designs priced, fewer
   on large plants: :func:`budget`) or the time cap is reached.

With Settings ``epei_days`` = N, the design is the common cycle of N days
and nothing is searched.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from models.heijunka.design import (
    LONGEST_CYCLE,
    DemandProfile,
    PullDesign,
    Role,
    common_cycles,
    design_for,
    economic_cycles,
    roles,
)
from models.heijunka.kanban import PullSimulation, simulate_pull
from models.heijunka.levelling import level_schedule
from models.heijunka.options import HeijunkaOptions
from models.pricing import plan_cost
from models.problem import Problem
from models.solvers.milp import SolverOptions

IntArray = npt.NDArray[np.int_]

COMMON_CYCLES = range(1, 11)
"""The common cycles (days) every search prices."""

PRICED_ITEM_DAYS = 1_500_000
"""Work of the descent: item-days played through, over all designs priced (see :func:`budget`)."""

FINALISTS = 1
"""The cheapest designs the strategy plays through with the level-loading solver (each solve
gets its share of the level-loading time, so more would stop on the clock on larger plants)."""


@dataclass(frozen=True, eq=False)
class Candidate:
    """One priced design: what the pull simulation started, and the cost."""

    design: PullDesign
    pull: PullSimulation
    cost: float


@dataclass(frozen=True, eq=False)
class DesignSearch:
    """What the design search found.

    ``best`` is the cheapest design; ``analytic`` and ``common`` the cost of
    the analytic design and of the cheapest common cycle (with its days),
    ``priced`` the designs priced and ``timed_out`` whether the clock, not
    the work limit or the end of the descent, stopped the search;
    ``finalists`` the cheapest few distinct designs, cheapest first, which
    :func:`~models.heijunka.plan_heijunka` plays through with the
    level-loading solver before it keeps one.
    """

    best: Candidate
    analytic: float
    common: tuple[int, float] | None
    priced: int
    timed_out: bool
    finalists: tuple[Candidate, ...] = ()

    def summary(self) -> str:
        """One line: the chosen design's cost against its starting points."""
        text = (
            f"pull design: {self.priced} designs priced by the search's own estimate of the "
            f"contract's cost (the Summary has the evaluator's); the cheapest "
            f"{self.best.cost:,.0f}"
        )
        text += f" (economic cycles {self.analytic:,.0f}"
        if self.common is not None:
            days, cost = self.common
            text += f", best common cycle of {days} days {cost:,.0f}"
        return text + ")"


class _Pricer:
    """Prices designs within a work limit and a deadline."""

    def __init__(
        self, problem: Problem, options: HeijunkaOptions, deadline: float, most: int | None
    ) -> None:
        self.problem, self.options, self.deadline, self.most = problem, options, deadline, most
        self.roles = roles(problem, DemandProfile.of(problem), options)
        steady = np.isin(self.roles, (Role.RUNNER, Role.REPEATER))
        self.profile = DemandProfile.of(problem, steady)
        self.priced = 0
        self.timed_out = False
        self.seen: dict[bytes, Candidate] = {}

    def exhausted(self) -> bool:
        if self.most is not None and self.priced >= self.most:
            return True
        if time.perf_counter() > self.deadline:
            self.timed_out = True
            return True
        return False

    def price(self, cycles: IntArray) -> Candidate:
        key = np.asarray(cycles, dtype=np.int64).tobytes()
        if key in self.seen:
            return self.seen[key]
        problem, options = self.problem, self.options
        design = design_for(problem, self.profile, self.roles, cycles, options)
        design = dataclasses.replace(design, schedule="cover")
        schedule = level_schedule(
            problem, design, options=SolverOptions(time_limit=1.0, threads=options.threads)
        )
        pull = simulate_pull(problem, schedule.starts, design)
        candidate = Candidate(design, pull, plan_cost(problem, pull.starts, design.forced_setups))
        self.priced += 1
        self.seen[key] = candidate
        return candidate


def budget(problem: Problem, designs: int) -> int:
    """Designs a search may price: ``designs``, fewer on a plant too large to play them all.

    Pricing a design plays every item-day once, so a plant is given
    :data:`PRICED_ITEM_DAYS` of them in all, and always at least the
    starting points (the analytic design, its halves and doubles, and the
    common cycles).
    """
    size = max(1, problem.n_items * problem.n_days)
    starting = 3 + len(COMMON_CYCLES)
    return max(starting, min(designs, PRICED_ITEM_DAYS // size))


def choose_design(problem: Problem, options: HeijunkaOptions, deadline: float) -> DesignSearch:
    """Search the pull designs of ``problem`` by cost (the module docstring)."""
    most = budget(problem, options.work.designs) if options.work is not None else None
    pricer = _Pricer(problem, options, deadline, most)
    economic = economic_cycles(problem, pricer.profile, pricer.roles)
    if options.epei_days > 0:
        chosen = pricer.price(common_cycles(problem, economic, options.epei_days))
        return DesignSearch(
            chosen, chosen.cost, (options.epei_days, chosen.cost), 1, False, (chosen,)
        )
    start = pricer.price(economic)
    best = start
    common: tuple[int, float] | None = None
    made = problem.is_make
    for cycles in (_scaled(economic, made, 0.5), _scaled(economic, made, 2.0)):
        if pricer.exhausted():
            break
        best = min(best, pricer.price(cycles), key=lambda c: c.cost)
    for days in COMMON_CYCLES:
        if pricer.exhausted():
            break
        candidate = pricer.price(common_cycles(problem, economic, days))
        if common is None or candidate.cost < common[1]:
            common = (days, candidate.cost)
        best = min(best, candidate, key=lambda c: c.cost)
    improved = True
    while improved and not pricer.exhausted():
        improved = False
        for group in _groups(problem, pricer.roles):
            for factor in (0.5, 2.0):
                if pricer.exhausted():
                    break
                cycles = best.design.cycle.copy()
                cycles[group] = _scaled(cycles[group], np.ones(group.size, dtype=bool), factor)
                candidate = pricer.price(cycles)
                if candidate.cost < best.cost - 1e-6:
                    best, improved = candidate, True
    ranked = sorted(pricer.seen.values(), key=lambda c: c.cost)
    return DesignSearch(
        best, start.cost, common, pricer.priced, pricer.timed_out, tuple(ranked[:FINALISTS])
    )


def _groups(problem: Problem, item_roles: npt.NDArray[np.object_]) -> Iterator[IntArray]:
    """The descent's moves: each work center's wheel, the purchases, then items by setup cost."""
    wheel = np.isin(item_roles, (Role.RUNNER, Role.REPEATER, Role.KANBAN))
    centers = problem.item_work_center
    for w in range(len(problem.work_centers)):
        members = np.flatnonzero(wheel & problem.is_make & (centers == w))
        if members.size:
            yield members
    bought = np.flatnonzero(wheel & ~problem.is_make)
    if bought.size:
        yield bought
    for item in np.argsort(-problem.setup_cost, kind="stable").tolist():
        if wheel[item]:
            yield np.array([item], dtype=np.int_)


def _scaled(cycles: IntArray, which: npt.NDArray[np.bool_], factor: float) -> IntArray:
    """``cycles`` with those ``which`` marks multiplied by ``factor``, within 1 .. the longest."""
    scaled = np.array(cycles, dtype=np.int_)
    changed = np.clip(np.round(scaled * factor), 1, LONGEST_CYCLE).astype(np.int_)
    scaled[which] = changed[which]
    return scaled
