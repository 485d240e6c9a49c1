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
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from models.batch.formulation import BatchModel
from models.batch.pricing import fixed, price
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

    ``limits`` caps the solves (their time limit is the time left); ``None``
    when no whole plan is found with these setups.
    """
    problem = model.problem
    plain = dataclasses.replace(model.options, formulation="bigm")
    whole = BatchModel(problem, plain, whole_units=True)
    known = whole.solution_from(starts)
    setups = whole.setup_columns(np.arange(problem.n_items))
    kept = fixed(whole.milp, setups, np.round(known[setups]))
    search = solver.solve(
        kept, dataclasses.replace(limits, solution_limit=model.options.whole_solutions)
    )
    if search.x is None:
        return None
    made = whole.starts_from(search.x)
    after = price(whole, made, solver, limits)
    if after is None:
        return None
    fractions = solver.solve(dataclasses.replace(kept, integer=np.zeros_like(kept.integer)), limits)
    before = None
    if fractions.x is not None:
        x = whole.columns.item_day(whole.columns.x)
        before = price(whole, _snapped(fractions.x[x] * whole.scale[:, None]), solver, limits)
    return WholeStarts(made, after, _message(problem, after, before), search.timed_out, whole)


def _snapped(starts: FloatArray) -> FloatArray:
    """``starts`` with the solver's round-off removed: values this close to whole are whole."""
    near = np.abs(starts - np.round(starts)) <= SNAP_TOLERANCE
    return np.where(near, np.round(starts), starts)


def _message(problem: Problem, after: float, before: float | None) -> PlanMessage:
    """What whole units cost the plan, against its best fractional quantities when priced."""
    if before is None:
        return PlanMessage(
            MessageLevel.INFO,
            f"whole units: the starts of whole-unit items made whole, setups kept, cost "
            f"{after:,.2f}",
        )
    change = (after - before) / max(TOLERANCE, abs(before))
    basis = (
        ", each counting one setup per item-day before the ruled days are sequenced"
        if problem.sequence_rules
        else ""
    )
    return PlanMessage(
        MessageLevel.INFO,
        f"whole units: the starts of whole-unit items made whole, setups kept, cost "
        f"{change:+.2%} against the best quantities in fractions with the same setups "
        f"({after:,.2f} against {before:,.2f}{basis})",
    )
