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
from models.solvers.base import Backend
from models.solvers.milp import SolverOptions

FloatArray = npt.NDArray[np.float64]

WHOLE_TOLERANCE = 1e-6
"""A start this close to a whole number is whole."""


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
    fractions = solver.solve(dataclasses.replace(kept, integer=np.zeros_like(kept.integer)), limits)
    if fractions.x is None:
        return None
    x = whole.columns.item_day(whole.columns.x)
    before = price(whole, fractions.x[x] * whole.scale[:, None], solver, limits)
    after = price(whole, made, solver, limits)
    if before is None or after is None:
        return None
    change = (after - before) / max(TOLERANCE, abs(before))
    message = PlanMessage(
        MessageLevel.INFO,
        f"whole units: the starts of whole-unit items made whole, setups kept: cost "
        f"{after:,.2f} against {before:,.2f} for the best quantities in fractions with the "
        f"same setups ({change:+.2%})",
    )
    return WholeStarts(made, after, message, search.timed_out, whole)
