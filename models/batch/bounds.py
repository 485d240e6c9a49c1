"""Lower bounds on the cost of every batch plan: what a plan's gap is measured against.

- :func:`end_item_bound`: the items no other item uses, each planned on its
  own, exactly (uncapacitated single-item lot sizing with backlogging);
- :func:`relaxation_bounds`: the Lagrangian bounds of linear relaxations
  (the plain model, the model itself, the echelon formulation that prices
  the components' setups), valid even when their solves are stopped early.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from models.batch.formulation import BatchModel
from models.plan import MessageLevel, PlanMessage
from models.solvers.backends import HighsBackend
from models.solvers.bounds import lagrangian_bound, repair_unbounded
from models.solvers.milp import Milp, SolverOptions

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Bound:
    """A proved lower bound on the cost of every plan, and where it comes from."""

    value: float
    source: str

    def message(self) -> PlanMessage:
        """The plan message that states the bound and its source."""
        return PlanMessage(MessageLevel.INFO, f"lower bound {self.value:,.2f}: {self.source}")


def relaxation_bounds(
    model: BatchModel, limits: SolverOptions, *, own: bool = True, echelon_limit: int = 0
) -> list[Bound]:
    r"""Lower bounds from linear relaxations, valid even if their solves are stopped early.

    With ``own``, first the relaxation of the plain (big-M) model, which is
    small and usually solves at once, then, with the time left of ``limits``,
    the relaxation of the model itself (tighter when it has the allocation
    reformulation); leave them out when a solve of the whole model has already
    proved a bound, which is at least theirs. Then, with ``echelon_limit``
    allocation columns, the relaxation of the echelon formulation
    (:mod:`models.batch.echelon`), which prices the components' setups: not on
    a single-level plant, which has no components, nor for models above
    ``full_model_limit`` columns, where building it would take the time of the
    search. Each gives row multipliers ``y``, repaired so that no column
    without an upper bound has a negative reduced cost; the bound is the
    Lagrangian bound :math:`L(y)` of :mod:`models.solvers.bounds`, which every
    plan's cost is at least, whatever ``y`` is, because it is the minimum of
    :math:`c^\top x - y^\top (Ax - r)` over the columns' bounds (the
    inventory bounds of :meth:`BatchModel.column_caps`) with each row term at
    its most favourable side. Every formulation has the same plans (the
    allocations only add columns that describe them) and the same cost for
    each, so every bound holds for the plan returned. The finite bounds come
    back, in the order tried; a relaxation stopped by the clock says so in its
    source (another run may give another bound).
    """
    deadline = time.perf_counter() + limits.time_limit
    tried: list[tuple[Callable[[], BatchModel], bool, str]] = []
    formulation = model.options.formulation
    if own and formulation != "bigm":
        plain = dataclasses.replace(model.options, formulation="bigm")
        tried.append((lambda: BatchModel(model.problem, plain), False, "the linear relaxation"))
    if own:
        label = {
            "bigm": "the linear relaxation",
            "allocation": "the linear relaxation with the end items' allocation",
        }.get(formulation, f"the {formulation} relaxation")
        tried.append((lambda: model, False, label))
    useful = model.problem.bom_depth > 1 and formulation != "echelon"
    small = model.milp.n_columns <= model.options.full_model_limit
    if echelon_limit > 0 and useful and small:
        echelon = dataclasses.replace(
            model.options, formulation="echelon", allocation_limit=echelon_limit
        )
        tried.append((lambda: BatchModel(model.problem, echelon), True, "the echelon relaxation"))
    bounds: list[Bound] = []
    for count, (build, interior, source) in enumerate(tried):
        left = deadline - time.perf_counter()
        if count and left < 0.2:
            break
        candidate = build()
        relaxation = HighsBackend().relaxation_duals(
            candidate.milp,
            dataclasses.replace(limits, time_limit=max(0.0, left)),
            interior=interior,
        )
        if relaxation.row_dual is None:
            continue
        multipliers = repair_unbounded(candidate.milp, relaxation.row_dual)
        value = lagrangian_bound(candidate.milp, multipliers, candidate.column_caps())
        if relaxation.objective is None:
            source += ", stopped by the clock"
        if math.isfinite(value):
            bounds.append(Bound(value, source))
    return bounds


def costs_are_nonnegative(milp: Milp) -> bool:
    """Whether no plan can cost less than the offset (every cost and lower bound >= 0)."""
    return bool(np.all(milp.objective >= 0) and np.all(milp.lower >= 0))


class EndItemBound(NamedTuple):
    """:func:`end_item_bound`'s value, from ``solved`` of the plant's ``items`` end items."""

    value: float
    solved: int
    items: int


def end_item_bound(model: BatchModel, deadline: float = math.inf) -> EndItemBound | None:
    r"""A lower bound from the items no other item uses, each planned on its own.

    Such an item's rows are its flow balance, backlog bounds, setup forcing,
    minimum lots, multiples, safety stock and its share of capacity; no
    other item's flow uses its starts. Dropping capacity (overtime then
    costs nothing), minimum lots, multiples, the start bounds (days closed
    to starts stay closed) and the safety-stock target, and every other
    item's cost, which cannot be negative, leaves one uncapacitated
    single-item problem with backlogging per item, whose optima add up to
    at most the optimum of the model.

    Each is solved exactly. On-hand arrives first, so serving the earliest
    demand with it is optimal (swapping units between sources never helps
    the earlier-arriving one to serve later demand: the cost difference of
    two sources is nonincreasing in the due day): it is netted from the
    earliest demand, at its holding cost until then (to the end of the
    horizon for what is left over). Receipts become sources
    without setup cost and without a quantity limit, and demand never
    served is a source ``end_backlog_days`` after the horizon (its backlog
    cost to the end, and the end-backlog charge). Zangwill (1969) showed
    that with fixed setup and linear holding and backlog costs some optimal
    plan serves every demand from a single source, in contiguous runs of due
    days, so a shortest path over those runs gives the optimum. ``None``
    when some cost or lower bound is negative.

    Every item's optimum is at least zero (the costs are), so the items
    solved before ``deadline`` give a valid bound on their own: the items
    are solved largest demand first, and how many were solved comes back
    with the bound.
    """
    p, milp = model.problem, model.milp
    if not costs_are_nonnegative(milp):
        return None
    days = p.n_days
    top = np.diff(p.bom_matrix.tocsr().indptr) == 0
    total = milp.offset
    ends = np.flatnonzero(top & (p.demand.sum(axis=1) > 0))
    ends = ends[np.argsort(-p.demand[ends].sum(axis=1), kind="stable")]
    solved = 0
    for i in ends.tolist():
        if time.perf_counter() > deadline:
            break
        solved += 1
        demand = p.demand[i].copy()
        stock = float(p.on_hand[i])
        covered = np.minimum(
            demand, np.maximum(stock - np.concatenate([[0], np.cumsum(demand)[:-1]]), 0)
        )
        demand -= covered
        held = float(covered @ np.arange(days)) + days * max(0.0, stock - covered.sum())
        total += float(p.holding_cost[i]) * held
        if not demand.any():
            continue
        lead = int(p.lead_time[i])
        opened = np.flatnonzero(model.big_m[i] > 0) + lead
        never = days + p.settings.end_backlog_days
        free = np.concatenate([np.flatnonzero(p.receipts[i] > 0), [never]])
        arrival = np.concatenate([opened, free]).astype(float)
        setup = np.concatenate([np.full(opened.size, p.setup_cost[i]), np.zeros(free.size)])
        total += _single_item_optimum(
            demand, arrival, setup, float(p.holding_cost[i]), float(p.backlog_cost[i])
        )
    return EndItemBound(float(total), solved, ends.size)


def _single_item_optimum(
    demand: FloatArray, arrival: FloatArray, setup: FloatArray, holding: float, late: float
) -> float:
    """Uncapacitated single-item lot sizing with backlogging over contiguous runs of due days."""
    days = demand.size
    due = np.arange(days, dtype=float)
    units = np.concatenate([[0.0], np.cumsum(demand)])
    moments = np.concatenate([[0.0], np.cumsum(demand * due)])
    first = np.arange(days + 1)[:, None]
    last = np.arange(days + 1)[None, :]
    run = np.full((days + 1, days + 1), np.inf)
    for a, cost in zip(arrival.tolist(), setup.tolist(), strict=True):
        split = np.clip(int(a), first, last)
        early = late * (a * (units[split] - units[first]) - (moments[split] - moments[first]))
        held = holding * ((moments[last] - moments[split]) - a * (units[last] - units[split]))
        run = np.minimum(run, cost + early + held)
    best = np.full(days + 1, np.inf)
    best[0] = 0.0
    for end in range(1, days + 1):
        candidates = best[:end] + run[:end, end]
        best[end] = candidates.min()
        if demand[end - 1] == 0:
            best[end] = min(best[end], best[end - 1])
    return float(best[days])
