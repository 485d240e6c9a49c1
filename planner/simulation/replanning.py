"""Replanning in a rolling horizon: what the planner knows, as an ordinary Problem.

A replan on day t plans the days after the frozen window, t + F .. T - 1,
with the strategy itself, unchanged: it is given a :class:`~models.Problem`
of those days whose on-hand and receipts say where the plant will stand
when the window closes. What the planner knows on day t:

- the real net position of every item at the start of day t (realised
  demand and backlog so far, everything that really arrived);
- the open orders, each expected on its promised day (release day plus
  lead time); an overdue order is expected today: the planner learns of a
  supplier's lateness only as it happens;
- the frozen window's starts, which will be released as planned, with their
  component use and their arrivals;
- the forecast (the workbook's demand) for every day from t on, and the
  plan's capacity: future breakdowns are unknown, and the forecast is not
  corrected for the bias seen so far.

The projected position at t + F is split into on-hand (when positive) and
demand due on the sub-problem's first day (when negative: the backlog to
catch up); open orders and frozen starts that arrive later become its
scheduled receipts.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import numpy.typing as npt

from models import Item, Problem
from models.floor import TOLERANCE
from models.plan import Plan
from models.strategies import STRATEGIES
from models.strategy import RunOptions
from planner.simulation.floor import ShopFloor

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def plan_with(strategy: str, problem: Problem, run: RunOptions) -> Plan:
    """Plan ``problem`` with one strategy, as :func:`planner.comparison.compare` does.

    The strategy's options come from the problem's Settings and ``run``
    (:meth:`models.strategy.Strategy.plan_problem`): ``run.time_limit`` is
    the time the strategy may take in all, ``run.work`` its limits on work
    (:mod:`models.work`), so that the same problem gives the same plan, the
    time limit only capping it.
    """
    return STRATEGIES[strategy].plan_problem(problem, run)


def remaining_problem(
    problem: Problem,
    floor: ShopFloor,
    day: int,
    frozen: FloatArray,
    backlogged: BoolArray | None = None,
) -> Problem:
    """The problem a replan on ``day`` solves: the days after the frozen window.

    Parameters
    ----------
    problem
        The plan's problem: forecast demand, planned capacity.
    floor
        The shop floor at the start of ``day``.
    day
        The replan's working day.
    frozen
        ``[item, F]`` starts of the frozen window ``day .. day + F - 1``
        (``F`` may be 0); ``day + F`` must be inside the horizon.
    backlogged
        The items whose negative projection becomes demand on the first
        day (all by default); the others start from zero stock. A pull plan
        projects only its level schedule, not the kanban replenishment of
        the window, and leaves the components' shortfall to the loops.

    Returns
    -------
    Problem
        Days ``day + F`` to the end (see the module docstring).
    """
    n_days = problem.n_days
    start = day + frozen.shape[1]
    expected = np.array(problem.receipts, dtype=float)
    for order in floor.open_orders(day):
        when = max(order.promised, day)
        if when < n_days:
            expected[order.item, when] += order.quantity
    lead = problem.lead_time
    for offset in range(frozen.shape[1]):
        arrival = day + offset + lead
        landing = (frozen[:, offset] > TOLERANCE) & (arrival < n_days)
        expected[landing, arrival[landing]] += frozen[landing, offset]
    used = np.asarray(problem.bom_matrix @ frozen, dtype=float).sum(axis=1)
    position = (
        floor.net
        + expected[:, day:start].sum(axis=1)
        - problem.demand[:, day:start].sum(axis=1)
        - used
    )
    position[np.abs(position) <= TOLERANCE * np.maximum(1.0, np.abs(floor.net))] = 0.0
    demand = np.array(problem.demand[:, start:], dtype=float)
    shortfall = np.maximum(-position, 0.0)
    demand[:, 0] += shortfall if backlogged is None else np.where(backlogged, shortfall, 0.0)
    return problem.replace(
        items=with_on_hand(problem, np.maximum(position, 0.0)),
        days=problem.days[start:],
        demand=demand,
        receipts=expected[:, start:],
        capacity=problem.capacity[:, start:],
        overtime_capacity=problem.overtime_capacity[:, start:],
        name=f"{problem.name} from {problem.days[start].isoformat()}",
    )


def with_on_hand(problem: Problem, on_hand: FloatArray) -> tuple[Item, ...]:
    """The problem's items with ``on_hand`` as their opening stock (unchanged items kept)."""
    return tuple(
        item
        if item.on_hand == float(on_hand[i])
        else dataclasses.replace(item, on_hand=float(on_hand[i]))
        for i, item in enumerate(problem.items)
    )
