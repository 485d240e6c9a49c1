"""Fix-and-optimize: improving a lot-sizing plan one neighbourhood of setups at a time.

In the manner of Helber & Sahling (2010), *A fix-and-optimize approach for
the multi-level capacitated lot sizing problem*, International Journal of
Production Economics 123(2):247-256: the setup decisions outside one
neighbourhood are fixed to the incumbent plan, and the much smaller MILP
that remains is solved; an improvement becomes the new incumbent. Every
subproblem contains the incumbent, so the cost never rises.

A neighbourhood is a group of items (the items of one work center, or a
batch of purchased items) over a window of days. Like Helber & Sahling's
product-, resource- and time-oriented decompositions, the windows cut a
group that is too large to re-optimise at once into pieces of about
``budget`` free setups: overlapping time windows over all the group's
items, and subsets of its items over the whole horizon. A round visits
every neighbourhood; the next round shifts the window boundaries, and when
a round improves nothing the budget doubles (a variable neighbourhood
descent), until a round over whole groups improves nothing or the time is
up.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from models.problem import Problem
from models.solvers.backends import Backend
from models.solvers.milp import Milp, SolverOptions

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_PURCHASED_GROUP = 60
FIRST_BUDGET = 120
"""Free setups of the first round's neighbourhoods (items x days)."""


def item_groups(problem: Problem) -> list[IntArray]:
    """Groups whose setups are re-optimised together: per work center, then purchased items."""
    groups = [
        np.flatnonzero(problem.item_work_center == w) for w in range(len(problem.work_centers))
    ]
    bought = np.flatnonzero(problem.item_work_center < 0)
    groups += [bought[k : k + _PURCHASED_GROUP] for k in range(0, bought.size, _PURCHASED_GROUP)]
    return [g for g in groups if g.size]


@dataclasses.dataclass(frozen=True)
class Neighbourhood:
    """The setups of ``items`` on days ``first`` to ``last - 1``."""

    items: IntArray
    first: int
    last: int


def neighbourhoods(
    groups: list[IntArray], n_days: int, budget: int, shift: int = 0
) -> list[Neighbourhood]:
    """Neighbourhoods of about ``budget`` setups covering every group.

    A group within the budget is one neighbourhood over the whole horizon.
    A larger one is cut both ways, alternately: into time windows of
    ``budget // items`` days overlapping by half (their boundaries moved by
    ``shift`` days), and into subsets of ``budget // n_days`` items over
    the whole horizon (the items rotated by ``shift``), so that setups can
    move across window boundaries and between items alike.
    """
    found: list[Neighbourhood] = []
    for group in groups:
        if group.size * n_days <= budget:
            found.append(Neighbourhood(group, 0, n_days))
            continue
        width = max(2, budget // group.size)
        step = max(1, width // 2)
        offset = shift % step
        windows = [
            Neighbourhood(group, max(0, start), min(n_days, start + width))
            for start in range(-offset, n_days - step, step)
        ] or [Neighbourhood(group, 0, n_days)]
        size = max(1, budget // n_days)
        rotated = np.roll(group, -(shift * size) % group.size)
        subsets = [
            Neighbourhood(rotated[k : k + size], 0, n_days) for k in range(0, group.size, size)
        ]
        for k in range(max(len(windows), len(subsets))):
            found += windows[k : k + 1] + subsets[k : k + 1]
    return found


@dataclasses.dataclass
class Improvement:
    """What fix-and-optimize achieved: the best solution, its cost, rounds and solves.

    ``timed_out`` counts the times the clock rather than the work stopped a
    subproblem (see :class:`~models.solvers.milp.MilpResult`) or the search.
    """

    solution: FloatArray
    objective: float
    rounds: int
    solves: int
    improvements: int
    timed_out: int = 0


def fix_and_optimize(
    milp: Milp,
    setup_columns: Callable[[IntArray], IntArray],
    groups: list[IntArray],
    incumbent: FloatArray,
    solver: Backend,
    limits: SolverOptions,
    deadline: float,
    *,
    n_days: int,
    max_solves: int | None = None,
    first_budget: int = FIRST_BUDGET,
    on_improvement: Callable[[float], None] | None = None,
) -> Improvement:
    """Improve ``incumbent`` neighbourhood by neighbourhood until nothing improves or time is up.

    Parameters
    ----------
    milp
        The full model.
    setup_columns
        The setup (binary) columns of a group of items, ``[item, day]``
        flattened item by item.
    groups
        Item groups; see :func:`neighbourhoods`.
    incumbent
        A feasible solution of ``milp``.
    solver, limits
        The backend and its limits; each subproblem gets at most a fair share
        of the remaining time (all of it under ``max_solves``, where the
        clock is only a cap).
    deadline
        ``time.perf_counter()`` value at which to stop.
    n_days
        Days of the horizon (the setup columns of an item, one per day).
    max_solves
        Most subproblems solved (``None``: no limit). With a node limit in
        ``limits``, this bounds the work rather than the time, so that the
        same incumbent always gives the same plan.
    first_budget
        Free setups of the first round's neighbourhoods.
    on_improvement
        Called with each better objective.
    """
    best = incumbent.copy()
    best_cost = float(milp.objective @ best) + milp.offset
    all_setups = np.concatenate([setup_columns(g) for g in groups]) if groups else np.zeros(0, int)
    largest = max((g.size for g in groups), default=0) * n_days
    budget = min(first_budget, largest)
    rounds = solves = improvements = timed_out = 0
    out_of_time = False
    while groups and solves != max_solves and not out_of_time:
        improved = False
        rounds += 1
        visits = neighbourhoods(groups, n_days, budget, shift=rounds - 1)
        for position, hood in enumerate(visits):
            remaining = deadline - time.perf_counter()
            out_of_time = remaining < 0.5
            if solves == max_solves or out_of_time:
                break
            share = remaining
            if max_solves is None:
                share = max(1.0, remaining / max(1, len(visits) - position))
            grid = setup_columns(hood.items).reshape(hood.items.size, n_days)
            free = grid[:, hood.first : hood.last].ravel()
            fixed = np.setdiff1d(all_setups, free, assume_unique=True)
            lower, upper = milp.lower.copy(), milp.upper.copy()
            values = np.round(best[fixed])
            lower[fixed] = values
            upper[fixed] = values
            sub = dataclasses.replace(milp, lower=lower, upper=upper)
            result = solver.solve(
                sub, dataclasses.replace(limits, time_limit=min(share, remaining)), warm_start=best
            )
            solves += 1
            timed_out += result.timed_out
            if result.x is None or result.objective is None:
                continue
            if result.objective < best_cost - 1e-7 * max(1.0, abs(best_cost)):
                best, best_cost = result.x, result.objective
                improved = True
                improvements += 1
                if on_improvement is not None:
                    on_improvement(best_cost)
        if not improved and not out_of_time:
            if budget >= largest:
                break
            budget = min(largest, 2 * budget)
    timed_out += out_of_time
    return Improvement(best, best_cost, rounds, solves, improvements, timed_out)
