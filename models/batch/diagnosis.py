"""Can all demand be met on time at all? If not, which capacities bind, for which demand.

A plan with backlog may be a poor plan or a plant that cannot do better.
:func:`diagnose_demand` tells them apart: it minimises the backlog
(unit-days) of the batch model's linear relaxation, with regular capacity,
overtime and setup times as they are and every setup allowed to be
fractional. That relaxation admits every feasible plan, so a positive
optimum proves that no plan meets all demand on time, and it is a lower
bound on the unit-days of backlog any plan must have. The capacities that
bind are the work-center days that the relaxation's solution fills to the
last minute of regular and overtime capacity, up to the last day it leaves
demand late, on the work centers the late items' bills of materials use:
there, more minutes are what the late demand lacks. They are reported per
work center in runs of consecutive days, with those late items.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from models.batch.formulation import BatchModel
from models.batch.options import BatchOptions
from models.plan import MessageLevel, PlanMessage, SolveStatus
from models.problem import Problem
from models.solvers.backends import HighsBackend
from models.solvers.milp import SolverOptions
from models.wording import counted

FloatArray = npt.NDArray[np.float64]

_TOLERANCE = 1e-6


@dataclass(frozen=True)
class BindingCapacity:
    """A run of days on which a work center's capacity limits the on-time demand."""

    work_center: int
    first_day: int
    last_day: int
    items: tuple[int, ...]
    """Late items whose bill of materials uses the work center."""


@dataclass(frozen=True)
class DemandDiagnosis:
    """What the backlog-minimising relaxation proved.

    ``unavoidable_backlog`` is a lower bound on the backlog unit-days of any
    plan (0: the relaxation meets all demand, which proves nothing either
    way for integer plans); ``late`` gives the relaxation's late units per
    item; ``binding`` the capacities that bind.
    """

    unavoidable_backlog: float
    late: dict[int, float]
    binding: tuple[BindingCapacity, ...]

    def messages(self, problem: Problem) -> list[PlanMessage]:
        """Planner messages: the proof, then one per binding capacity run."""
        if self.unavoidable_backlog <= _TOLERANCE:
            return []
        worst = sorted(self.late.items(), key=lambda kv: -kv[1])[:5]
        names = ", ".join(f"{problem.items[i].code} ({qty:,.0f})" for i, qty in worst)
        messages = [
            PlanMessage(
                MessageLevel.WARNING,
                "no plan can meet all demand on time: even with every setup divisible, at "
                f"least {counted(round(self.unavoidable_backlog), 'unit-day')} of backlog "
                "remain; most "
                f"late: {names}",
            )
        ]
        for run in self.binding:
            center = problem.work_centers[run.work_center]
            first, last = problem.date_of(run.first_day), problem.date_of(run.last_day)
            span = f"on {first}" if first == last else f"from {first} to {last}"
            items = ", ".join(problem.items[i].code for i in run.items[:6]) or "none"
            messages.append(
                PlanMessage(
                    MessageLevel.WARNING,
                    f"the capacity of {center.code} (with overtime) binds {span}: more minutes "
                    f"there would cut the unavoidable backlog of {items}",
                    day=run.first_day,
                    work_center=run.work_center,
                )
            )
        return messages


def diagnose_demand(problem: Problem, time_limit: float = 10.0) -> DemandDiagnosis | None:
    """Minimise the relaxation's backlog and read which capacities bind (module docstring).

    Returns ``None`` when the relaxation is not solved to optimality within
    ``time_limit`` seconds (no proof either way).
    """
    model = BatchModel(problem, BatchOptions(formulation="bigm", warm_start=False))
    milp = model.milp
    columns = model.columns
    backlog = columns.item_day(columns.backlog)
    cost = np.zeros(milp.n_columns)
    cost[backlog] = 1.0
    lp = dataclasses.replace(milp, objective=cost, offset=0.0, integer=np.zeros_like(milp.integer))
    backend = HighsBackend()
    limits = SolverOptions(time_limit=time_limit)
    primal = backend.solve(lp, limits)
    if primal.status is not SolveStatus.OPTIMAL or primal.x is None:
        return None
    backlog_days = primal.x[backlog]
    tolerance = _TOLERANCE * max(1.0, float(problem.demand.sum()))
    late_units = backlog_days.max(axis=1)
    late = {int(i): float(q) for i, q in enumerate(late_units) if q > tolerance}
    if not late or (primal.objective or 0.0) <= tolerance:
        return DemandDiagnosis(0.0, {}, ())
    last_late = int(np.flatnonzero(backlog_days.max(axis=0) > tolerance).max())
    binding = _binding_runs(problem, model, primal.x, late, last_late)
    return DemandDiagnosis(float(primal.objective or 0.0), late, tuple(binding))


def _binding_runs(
    problem: Problem, model: BatchModel, x: FloatArray, late: dict[int, float], last: int
) -> list[BindingCapacity]:
    """Runs of full work-center days, up to day ``last``, on work centers late items use."""
    columns, days = model.columns, problem.n_days
    activity = model.milp.matrix @ x
    by_column = model.milp.matrix.tocsc()
    uses = _work_centers_used(problem)
    runs: list[BindingCapacity] = []
    for w in range(len(problem.work_centers)):
        items = tuple(sorted((i for i in late if w in uses[i]), key=lambda i: -late[i]))
        if not items:
            continue
        full = np.zeros(days, dtype=bool)
        for t in range(last + 1):
            overtime = columns.overtime + w * days + t
            (row,) = by_column.indices[by_column.indptr[overtime] : by_column.indptr[overtime + 1]]
            load = activity[row] + x[overtime]
            room = problem.capacity[w, t] + problem.overtime_capacity[w, t]
            full[t] = room > 0 and load >= room - 1e-6 * max(1.0, room)
        runs += [BindingCapacity(w, first, end, items) for first, end in _runs(full)]
    return runs


def _runs(flags: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """First and last index of each run of True."""
    edges = np.diff(np.concatenate([[0], flags.astype(np.int8), [0]]))
    return list(
        zip(
            np.flatnonzero(edges == 1).tolist(),
            (np.flatnonzero(edges == -1) - 1).tolist(),
            strict=True,
        )
    )


def _work_centers_used(problem: Problem) -> list[set[int]]:
    """The work centers each item's bill of materials uses (itself included)."""
    used: list[set[int]] = [set() for _ in range(problem.n_items)]
    for i in reversed(problem.topological_order.tolist()):
        if problem.item_work_center[i] >= 0:
            used[i].add(int(problem.item_work_center[i]))
        for child in problem.children[i]:
            used[i] |= used[child]
    return used
