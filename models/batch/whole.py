"""Whole units: a batch plan's starts of whole-unit items made whole numbers.

The search (:mod:`models.batch.search`) solves the lot-sizing model with
continuous quantities, whose linear programs stay fast. Its plan's setups are
then kept and the quantities solved again with the starts of whole-unit items
(Items ``whole_units``) as integer variables: a mixed-integer program without
a setup decision, whose first solutions come in seconds. The solve stops
after ``whole_solutions`` improving solutions (a limit on work, so the same
plan comes back on every run), the time left as a cap; the plan is then
priced by the linear program of its stock, backlog and overtime with its
starts fixed (:func:`price`), so that its objective is exactly its cost. Its
message gives that cost against the best fractional quantities with the same
setups, what whole units cost the plan.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from models.batch.formulation import BatchModel
from models.batch.pricing import fixed, price
from models.batch.rounding import rounded_up
from models.floor import TOLERANCE
from models.plan import MessageLevel, PlanMessage
from models.problem import Problem
from models.solvers.base import Backend
from models.solvers.milp import SolverOptions

FloatArray = npt.NDArray[np.float64]

WHOLE_TOLERANCE = 1e-6
"""A start this close to a whole number is whole."""

SNAP_TOLERANCE = 1e-5
"""A solver's start this close to a whole number is that number, before pricing."""


@dataclass(frozen=True)
class WholeStarts:
    """The whole-unit plan: its starts, its cost, and what the completion did.

    ``timed_out`` says that the clock stopped a solve before its work limit;
    ``model`` is the plain model with whole starts the completion solved.
    """

    starts: FloatArray
    objective: float
    message: PlanMessage
    timed_out: bool
    model: BatchModel


def has_fractions(model: BatchModel, starts: FloatArray) -> bool:
    """Whether some start of a whole-unit item is not a whole number."""
    whole = model.problem.whole_units[:, None]
    return bool(np.any(whole & (np.abs(starts - np.round(starts)) > WHOLE_TOLERANCE)))


def whole_starts(
    model: BatchModel,
    starts: FloatArray,
    solver: Backend,
    limits: SolverOptions,
) -> WholeStarts | None:
    """The plan with the setups of ``starts`` and whole starts of whole-unit items.

    Two candidates, the cheaper kept: the plan rounded by rules
    (:func:`~models.batch.rounding.rounded_up`, no solver, so that a plant
    too large for the MIP still gets a whole plan; it may add a setup where
    a component must start earlier) and the MIP's plan with the same
    setups. ``limits`` caps the solves (their time limit is the time
    left); ``None`` when neither gives a whole plan.
    """
    problem = model.problem
    plain = dataclasses.replace(model.options, formulation="bigm")
    whole = BatchModel(problem, plain, whole_units=True)
    end = time.perf_counter() + limits.time_limit
    found: list[tuple[float, FloatArray, str]] = []
    rounded = rounded_up(problem, starts, deadline=end)
    if rounded is not None:
        cost = price(whole, rounded, solver, limits.until(end))
        if cost is not None:
            found.append((cost, rounded, "rounded by rules"))
    known = whole.solution_from(starts)
    setups = whole.setup_columns(np.arange(problem.n_items))
    kept = fixed(whole.milp, setups, np.round(known[setups]))
    search = solver.solve(
        kept,
        dataclasses.replace(limits.until(end), solution_limit=model.options.whole_solutions),
    )
    if search.x is not None:
        made = whole.starts_from(search.x)
        cost = price(whole, made, solver, limits.until(end))
        if cost is not None:
            found.append((cost, made, "the MIP with the setups kept"))
    if not found:
        return None
    after, made, how = min(found, key=lambda candidate: candidate[0])
    before = None
    if time.perf_counter() < end - 1.0:
        relaxed = dataclasses.replace(kept, integer=np.zeros_like(kept.integer))
        fractions = solver.solve(relaxed, limits.until(end))
        if fractions.x is not None:
            x = whole.columns.item_day(whole.columns.x)
            snapped = _snapped(fractions.x[x] * whole.scale[:, None])
            before = price(whole, snapped, solver, limits.until(end))
    message = _message(problem, after, before, how)
    return WholeStarts(made, after, message, search.timed_out, whole)


def _snapped(starts: FloatArray) -> FloatArray:
    """``starts`` with the solver's round-off removed: values this close to whole are whole."""
    near = np.abs(starts - np.round(starts)) <= SNAP_TOLERANCE
    return np.where(near, np.round(starts), starts)


def _message(problem: Problem, after: float, before: float | None, how: str) -> PlanMessage:
    """What whole units cost the plan, against its best fractional quantities when priced."""
    if before is None:
        return PlanMessage(
            MessageLevel.INFO,
            f"whole units: the starts of whole-unit items made whole ({how}), cost {after:,.2f}",
        )
    change = (after - before) / max(TOLERANCE, abs(before))
    basis = (
        ", each counting one setup per item-day before the ruled days are sequenced"
        if problem.sequence_rules
        else ""
    )
    return PlanMessage(
        MessageLevel.INFO,
        f"whole units: the starts of whole-unit items made whole ({how}), cost "
        f"{change:+.2%} against the best quantities in fractions with the same setups "
        f"({after:,.2f} against {before:,.2f}{basis})",
    )
