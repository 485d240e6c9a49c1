"""What daily starts cost, by the contract's accounting: the yardstick of the strategies' searches.

:func:`plan_cost` prices daily starts with the six cost terms of the
workbook contract (setups, holding, backlog, overtime, safety-stock
shortfall, backlog left at the end), so that a strategy's search (heijunka's
pull designs, ddmrp's buffer positions) compares candidates on the figure
the evaluator will judge the plan by. It is the strategies' own estimate:
every plan is still judged, from its starts and sequences, by
:func:`planner.evaluation.evaluate`. Setups are counted one
per item and day, or, for an item under sequence rules, the runs the rules
force on its containers.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from models.floor import TOLERANCE
from models.problem import Problem

FloatArray = npt.NDArray[np.float64]


def plan_cost(problem: Problem, starts: FloatArray, forced_setups: FloatArray) -> float:
    """The contract's total cost of ``starts`` (``[item, day]`` units), as estimated here."""
    n_days = problem.n_days
    if n_days == 0:
        return 0.0
    net = problem.net_positions(starts)
    inventory, backlog = np.maximum(net, 0.0), np.maximum(-net, 0.0)
    settings = problem.settings
    holding = problem.holding_cost
    shortfall = np.maximum(problem.safety_stock[:, None] - inventory, 0.0)
    made = starts > TOLERANCE
    containers = starts / problem.container_qty[:, None]
    setups = np.where(made, np.maximum(1.0, forced_setups[:, None] * containers), 0.0)
    minutes = problem.run_time[:, None] * starts + problem.setup_time[:, None] * setups
    centers = problem.item_work_center
    load = np.zeros((len(problem.work_centers), n_days))
    makes = np.flatnonzero(problem.is_make & (centers >= 0))
    np.add.at(load, centers[makes], minutes[makes])
    overtime = np.clip(load - problem.capacity, 0.0, problem.overtime_capacity)
    rates = np.array([w.overtime_cost for w in problem.work_centers], dtype=float)
    return float(
        problem.setup_cost @ setups.sum(axis=1)
        + holding @ inventory.sum(axis=1)
        + problem.backlog_cost @ backlog.sum(axis=1)
        + rates @ overtime.sum(axis=1)
        + settings.safety_stock_weight * (holding @ shortfall.sum(axis=1))
        + settings.end_backlog_days * (problem.backlog_cost @ backlog[:, -1])
    )
