"""A batch plan's cost as the evaluator counts it, from the model: no estimate, no penalty.

The search prices a plan with two guides the contract does not know: the
setups that sequence rules force, estimated per container, and the slack of
a ruled day beyond what a rule-abiding sequence holds (see
:class:`~models.batch.formulation.BatchModel`). :func:`price` solves the
model's linear program with the plan's starts and setups fixed and those two
guides left out, so that the figure is exactly the contract's total cost of
the plan: setups counted as the plan's sequences count them, holding,
backlog, overtime, safety shortfall and end backlog.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import numpy.typing as npt

from models.batch.formulation import BatchModel
from models.plan import Position
from models.solvers.base import Backend
from models.solvers.milp import Milp, SolverOptions

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def price(
    model: BatchModel,
    starts: FloatArray,
    solver: Backend,
    limits: SolverOptions,
    sequences: dict[tuple[int, int], tuple[Position, ...]] | None = None,
) -> float | None:
    """The contract's total cost of ``starts``; ``None`` when the model cannot hold them.

    With ``sequences``, every run of an item on a sequenced work-center day
    is a setup (its cost, and its minutes on the day's capacity), as the
    evaluator counts them; otherwise one per started item-day.
    """
    known = model.solution_from(starts)
    columns = model.columns
    decided = np.concatenate(
        [columns.item_day(columns.x).ravel(), columns.item_day(columns.y).ravel()]
    )
    milp = fixed(model.milp, decided, known[decided])
    cost = milp.objective.copy()
    cost[columns.item_day(columns.x)] = 0.0
    for slack in model.rule_slack:
        cost[slack] = 0.0
    milp = dataclasses.replace(milp, objective=cost, row_upper=_without_forced(model, milp, starts))
    if sequences:
        milp = _with_runs(model, milp, starts, sequences)
    result = solver.solve(milp, limits)
    return None if result.objective is None else float(result.objective)


def fixed(milp: Milp, columns: IntArray, values: FloatArray) -> Milp:
    """The model with ``columns`` fixed to ``values`` (no longer integer)."""
    lower, upper = milp.lower.copy(), milp.upper.copy()
    lower[columns] = upper[columns] = values
    integer = milp.integer.copy()
    integer[columns] = False
    return dataclasses.replace(milp, lower=lower, upper=upper, integer=integer)


def _without_forced(model: BatchModel, milp: Milp, starts: FloatArray) -> FloatArray:
    """Capacity rows' bounds raised by the forced-setup minutes the model charges the starts."""
    problem = model.problem
    upper = milp.row_upper.copy()
    made = np.flatnonzero((problem.item_work_center >= 0) & (model.forced_minutes > 0))
    for i in made.tolist():
        minutes = model.forced_minutes[i] * starts[i]
        np.add.at(upper, model.capacity_rows[problem.item_work_center[i]], minutes)
    return upper


def _with_runs(
    model: BatchModel,
    milp: Milp,
    starts: FloatArray,
    sequences: dict[tuple[int, int], tuple[Position, ...]],
) -> Milp:
    """The setups of the sequences' runs beyond one per item-day: cost and capacity taken."""
    problem = model.problem
    upper = milp.row_upper.copy()
    offset = milp.offset
    for (w, t), positions in sequences.items():
        runs: dict[int, int] = {}
        previous = None
        for item, qty in positions:
            if qty > 0 and item != previous:
                runs[item] = runs.get(item, 0) + 1
            previous = item if qty > 0 else previous
        for item, count in runs.items():
            more = count - (1 if starts[item, t] > 0 else 0)
            if more <= 0:
                continue
            offset += more * float(problem.setup_cost[item])
            upper[model.capacity_rows[w, t]] -= more * float(problem.setup_time[item])
    return dataclasses.replace(milp, row_upper=upper, offset=offset)
