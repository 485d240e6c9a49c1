"""Fix-and-optimize: improving a lot-sizing plan one group of items at a time.

In the manner of Helber & Sahling (2010), *A fix-and-optimize approach for
the multi-level capacitated lot sizing problem*, International Journal of
Production Economics 123(2):247-256: the setup decisions of all items but
one group (the items of one work center, or a batch of purchased items) are
fixed to the incumbent plan, and the much smaller MILP that remains is
solved; an improvement becomes the new incumbent. Rounds over all groups
repeat until a round brings no improvement or the time is up. Every
subproblem contains the incumbent, so the cost never rises.
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


def item_groups(problem: Problem) -> list[IntArray]:
    """Groups whose setups are re-optimised together: per work center, then purchased items."""
    groups = [
        np.flatnonzero(problem.item_work_center == w) for w in range(len(problem.work_centers))
    ]
    bought = np.flatnonzero(problem.item_work_center < 0)
    groups += [bought[k : k + _PURCHASED_GROUP] for k in range(0, bought.size, _PURCHASED_GROUP)]
    return [g for g in groups if g.size]


@dataclasses.dataclass
class Improvement:
    """What fix-and-optimize achieved: the best solution, its cost, rounds and solves."""

    solution: FloatArray
    objective: float
    rounds: int
    solves: int
    improvements: int


def fix_and_optimize(
    milp: Milp,
    setup_columns: Callable[[IntArray], IntArray],
    groups: list[IntArray],
    incumbent: FloatArray,
    solver: Backend,
    limits: SolverOptions,
    deadline: float,
    *,
    on_improvement: Callable[[float], None] | None = None,
) -> Improvement:
    """Improve ``incumbent`` group by group until no round improves or ``deadline`` passes.

    Parameters
    ----------
    milp
        The full model.
    setup_columns
        The setup (binary) columns of a group of items.
    groups
        Item groups, re-optimised in turn.
    incumbent
        A feasible solution of ``milp``.
    solver, limits
        The backend and its limits; each subproblem gets at most a fair share
        of the remaining time.
    deadline
        ``time.perf_counter()`` value at which to stop.
    on_improvement
        Called with each better objective.
    """
    best = incumbent.copy()
    best_cost = float(milp.objective @ best) + milp.offset
    all_setups = np.concatenate([setup_columns(g) for g in groups]) if groups else np.zeros(0, int)
    rounds = solves = improvements = 0
    improved = True
    while improved and time.perf_counter() < deadline - 0.5:
        improved = False
        rounds += 1
        for position, group in enumerate(groups):
            remaining = deadline - time.perf_counter()
            if remaining < 0.5:
                break
            share = max(1.0, remaining / max(1, len(groups) - position))
            free = setup_columns(group)
            fixed = np.setdiff1d(all_setups, free)
            lower, upper = milp.lower.copy(), milp.upper.copy()
            values = np.round(best[fixed])
            lower[fixed] = values
            upper[fixed] = values
            sub = dataclasses.replace(milp, lower=lower, upper=upper)
            result = solver.solve(
                sub, dataclasses.replace(limits, time_limit=min(share, remaining)), warm_start=best
            )
            solves += 1
            if result.x is None or result.objective is None:
                continue
            if result.objective < best_cost - 1e-7 * max(1.0, abs(best_cost)):
                best, best_cost = result.x, result.objective
                improved = True
                improvements += 1
                if on_improvement is not None:
                    on_improvement(best_cost)
    return Improvement(best, best_cost, rounds, solves, improvements)
