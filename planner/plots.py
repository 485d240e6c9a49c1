"""Charts of a comparison, with matplotlib: inventory, load and cost breakdown.

Each function draws on the given axes (or new ones) and returns them, so that
a notebook can place the charts in its own figures. Values come from the
evaluations, the same numbers as the workbook and the JSON.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from planner.evaluation import ComparedPlans

COST_PARTS = (
    "setup_cost",
    "holding_cost",
    "backlog_cost",
    "overtime_cost",
    "safety_cost",
    "end_backlog_cost",
)
"""The six parts of total cost, in the contract's order."""


def _dates(comparison: ComparedPlans) -> npt.NDArray[np.datetime64]:
    return np.array(comparison.problem.days, dtype="datetime64[D]")


def _axes(ax: Axes | None, **figure: Any) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _figure, new = plt.subplots(**figure)
    axes: Axes = new
    return axes


def plot_inventory(comparison: ComparedPlans, ax: Axes | None = None) -> Axes:
    """Inventory value (on hand x unit cost, all items) per working day, one line per strategy."""
    ax = _axes(ax, figsize=(9, 4))
    problem, days = comparison.problem, _dates(comparison)
    for name, result in comparison.results.items():
        value = problem.unit_cost @ result.evaluation.inventory
        ax.plot(days, value, label=name)
    ax.set_title(f"{problem.name or 'plant'}: inventory value")
    ax.set_ylabel("inventory value")
    ax.legend()
    ax.figure.autofmt_xdate()
    return ax


def plot_load(comparison: ComparedPlans, work_center: str, ax: Axes | None = None) -> Axes:
    """Daily load of one work center per strategy, against regular and overtime capacity."""
    ax = _axes(ax, figsize=(9, 4))
    problem, days = comparison.problem, _dates(comparison)
    w = problem.work_center_index[work_center]
    for name, result in comparison.results.items():
        ax.plot(days, result.evaluation.load[w], label=name)
    ax.plot(days, problem.capacity[w], color="black", linestyle="--", label="capacity")
    ax.plot(
        days,
        problem.capacity[w] + problem.overtime_capacity[w],
        color="grey",
        linestyle=":",
        label="capacity + overtime",
    )
    ax.set_title(f"{work_center}: load")
    ax.set_ylabel("minutes")
    ax.legend()
    ax.figure.autofmt_xdate()
    return ax


def plot_costs(comparison: ComparedPlans, ax: Axes | None = None) -> Axes:
    """Total cost per strategy, stacked by setup, holding, backlog and overtime."""
    ax = _axes(ax, figsize=(6, 4))
    names = comparison.strategies
    bottom = np.zeros(len(names))
    for part in COST_PARTS:
        values = np.array([comparison.results[n].evaluation.kpis[part] for n in names], float)
        ax.bar(names, values, bottom=bottom, label=part.removesuffix("_cost"))
        bottom += values
    ax.set_title("cost breakdown")
    ax.set_ylabel("cost")
    ax.legend()
    return ax
