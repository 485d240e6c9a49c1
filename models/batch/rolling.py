"""Relax-and-fix: a first lot-sizing plan built window by window through the horizon.

In the manner of Stadtler (2003), *Multilevel lot sizing with setup times
and multiple constrained resources: internally rolling schedules with
lot-sizing windows*, Operations Research 51(3):487-502: the horizon is cut
into windows of a few days. The first window's setups are binary, every
later day's are relaxed to fractions, and the MILP that remains is small;
its window's setups are then fixed and the next window is solved the same
way, until the last window gives a plan with every setup decided.

The relaxed days still see the whole plant's capacity and BOM, so each
window's setups are chosen knowing what the later days will need. The
capacity-repaired MRP plan, which the search starts from otherwise, only
moves lots where capacity runs short: on tight multi-level plants its
backlog cascades through the BOM, and the solver, started from it, stays
near it. A relax-and-fix plan is a far better start there.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from models.batch.formulation import BatchModel
from models.solvers.base import Backend
from models.solvers.milp import MilpResult, SolverOptions

WINDOW_SETUPS = 160
"""Binary setups (items x days) of each window, before the width is rounded to whole days."""


def window_days(n_items: int, n_days: int, setups: int = WINDOW_SETUPS) -> int:
    """Days in each window: about ``setups`` binaries, at least two days, at most the horizon."""
    return max(2, min(n_days, setups // max(1, n_items)))


def relax_and_fix(
    model: BatchModel,
    solver: Backend,
    limits: SolverOptions,
    deadline: float,
    *,
    setups: int = WINDOW_SETUPS,
) -> MilpResult | None:
    """A plan of ``model`` decided window by window; ``None`` if a window finds no plan in time.

    Each window's solve gets a fair share of the time left before
    ``deadline`` (``limits`` otherwise: gap, threads, node limit). The
    result is the last window's solve: a solution of the whole model, every
    integer column integral, timed out if any window's solve was.
    """
    milp, columns = model.milp, model.columns
    n_days = model.problem.n_days
    width = window_days(model.problem.n_items, n_days, setups)
    setup_days = columns.item_day(columns.y)
    step_days = columns.item_day(columns.x)
    lower, upper = milp.lower.copy(), milp.upper.copy()
    relaxed = milp.integer.copy()
    relaxed[setup_days.ravel()] = False
    relaxed[step_days.ravel()] = False
    firsts = list(range(0, n_days, width))
    started = time.perf_counter()
    result, timed_out = None, False
    for position, first in enumerate(firsts):
        last = min(n_days, first + width)
        window = np.concatenate(
            [setup_days[:, first:last].ravel(), step_days[:, first:last].ravel()]
        )
        relaxed[window] = milp.integer[window]
        left = deadline - time.perf_counter()
        if left <= 0.0:
            return None
        share = left / (len(firsts) - position)
        window_model = dataclasses.replace(milp, lower=lower, upper=upper, integer=relaxed.copy())
        result = solver.solve(window_model, dataclasses.replace(limits, time_limit=share))
        if result.x is None:
            return None
        timed_out |= result.timed_out
        decided = setup_days[:, first:last].ravel()
        lower[decided] = upper[decided] = np.round(result.x[decided])
    if result is None:
        return None
    seconds = time.perf_counter() - started
    return dataclasses.replace(result, seconds=seconds, timed_out=timed_out)
