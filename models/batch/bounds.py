"""Lower bounds on the cost of every batch plan: what a plan's gap is measured against.

- :func:`end_item_bound`: the items no other item uses, each planned on its
  own, exactly (uncapacitated single-item lot sizing with backlogging);
- :func:`relaxation_bound`: the Lagrangian bound of the linear relaxation,
  valid even when its solve is stopped early.
"""

from __future__ import annotations

import dataclasses
import math
import time

import numpy as np
import numpy.typing as npt

from models.batch.formulation import BatchModel
from models.solvers.backends import HighsBackend
from models.solvers.bounds import lagrangian_bound, repair_unbounded
from models.solvers.milp import Milp, SolverOptions

FloatArray = npt.NDArray[np.float64]


def relaxation_bound(model: BatchModel, limits: SolverOptions) -> float | None:
    """A lower bound from the linear relaxation, valid even if its solve is stopped early.

    First the relaxation of the plain (big-M) model, which is small and
    usually solves at once, then, with the time left of ``limits``, the
    relaxation of the model itself (tighter when it has the allocation
    reformulation). Each gives row multipliers ``y`` (HiGHS' dual simplex,
    optimal or not), repaired so that no column without an upper bound has
    a negative reduced cost; the bound is the Lagrangian bound
    :math:`L(y)` of :mod:`models.solvers.bounds`, which every plan's cost
    is at least, whatever ``y`` is, because it is the minimum of
    :math:`c^\\top x - y^\\top (Ax - r)` over the columns' bounds (the
    inventory bounds of :meth:`BatchModel.column_caps`) with each row
    term at its most favourable side. Both models have the same plans
    (the allocation only adds columns that describe them, and leaves out
    items with safety stock) and the same cost for each, so both bounds
    hold for the plan returned. ``None`` when no finite bound comes out.
    """
    deadline = time.perf_counter() + limits.time_limit
    models = [model]
    if model.options.formulation != "bigm":
        plain = dataclasses.replace(model.options, formulation="bigm")
        models.insert(0, BatchModel(model.problem, plain))
    best: float | None = None
    for tried, candidate in enumerate(models):
        left = deadline - time.perf_counter()
        if tried and left < 0.2:
            break
        relaxation = HighsBackend().relaxation_duals(
            candidate.milp, dataclasses.replace(limits, time_limit=max(0.0, left))
        )
        if relaxation.row_dual is None:
            continue
        multipliers = repair_unbounded(candidate.milp, relaxation.row_dual)
        value = lagrangian_bound(candidate.milp, multipliers, candidate.column_caps())
        if math.isfinite(value) and (best is None or value > best):
            best = value
    return best


def costs_are_nonnegative(milp: Milp) -> bool:
    """Whether no plan can cost less than the offset (every cost and lower bound >= 0)."""
    return bool(np.all(milp.objective >= 0) and np.all(milp.lower >= 0))


def end_item_bound(model: BatchModel) -> float | None:
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
    """
    p, milp = model.problem, model.milp
    if not costs_are_nonnegative(milp):
        return None
    days = p.n_days
    top = np.diff(p.bom_matrix.tocsr().indptr) == 0
    total = milp.offset
    for i in np.flatnonzero(top & (p.demand.sum(axis=1) > 0)).tolist():
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
    return float(total)


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
