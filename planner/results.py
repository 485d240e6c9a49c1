"""What a comparison produces: per strategy, the plan, its evaluation and its pegging."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from models import Problem
from models.plan import Plan
from planner.evaluate import Evaluation

if TYPE_CHECKING:
    from matplotlib.axes import Axes


class PegKind(StrEnum):
    """What a planned order's quantity is for."""

    DEMAND = "demand"
    SAFETY_STOCK = "safety_stock"
    SURPLUS = "surplus"


@dataclass(frozen=True)
class Peg:
    """Part of a planned order (``item`` started on ``start_day``) and what it serves.

    ``kind`` is ``demand`` for units that end up serving the external demand
    of ``demand_item`` due on ``demand_day`` (directly, or through the parent
    orders that consume them); ``safety_stock`` for units that restore safety
    stock; ``surplus`` for units no requirement in the horizon consumes
    (lot-size rounding, minimum lots).
    """

    item: int
    start_day: int
    order_qty: float
    qty: float
    kind: PegKind
    demand_item: int | None = None
    demand_day: int | None = None


@dataclass(frozen=True, eq=False)
class StrategyResult:
    """One strategy's plan, as judged by the evaluator."""

    plan: Plan
    evaluation: Evaluation
    pegging: tuple[Peg, ...] = ()

    @property
    def strategy(self) -> str:
        """The strategy's name."""
        return self.plan.strategy


@dataclass(frozen=True, eq=False)
class Comparison:
    """The same problem planned by several strategies, in the order they were asked for.

    Every table of the output workbook is a method returning a pandas data
    frame (:meth:`kpis`, :meth:`build_plan`, :meth:`inventory`, ...), every
    chart a method drawing it with matplotlib (:meth:`plot_inventory`,
    :meth:`plot_load`, :meth:`plot_costs`), and :meth:`write` and
    :meth:`write_json` save the workbook and the summary JSON. Printing a
    comparison shows its main KPIs.
    """

    problem: Problem
    results: dict[str, StrategyResult] = field(default_factory=dict)

    @property
    def strategies(self) -> list[str]:
        """The strategies compared."""
        return list(self.results)

    def __getitem__(self, strategy: str) -> StrategyResult:
        return self.results[strategy]

    def __repr__(self) -> str:
        shown = ("total_cost", "fill_rate", "avg_inventory_value", "setups", "violations")
        width = max(len(k) for k in shown)
        lines = [f"Comparison of {self.problem.name or 'a plant'}: {', '.join(self.strategies)}"]
        lines.append(f"  {'':{width}}" + "".join(f"{n:>16}" for n in self.strategies))
        for key in shown:
            cells = []
            for result in self.results.values():
                value = result.evaluation.kpis.get(key)
                if isinstance(value, float) and key == "fill_rate":
                    cells.append(f"{value:>16.1%}")
                elif isinstance(value, int | float):
                    cells.append(f"{value:>16,.0f}")
                else:
                    cells.append(f"{value!s:>16}")
            lines.append(f"  {key:{width}}" + "".join(cells))
        return "\n".join(lines)

    def kpis(self) -> pd.DataFrame:
        """The ``Summary`` sheet: one row per KPI, one column per strategy."""
        from planner.tables import summary_frame

        return summary_frame(self)

    def build_plan(self) -> pd.DataFrame:
        """The ``BuildPlan`` sheet: every planned start, with its due date."""
        from planner.tables import build_plan_frame

        return build_plan_frame(self)

    def inventory(self) -> pd.DataFrame:
        """The ``Inventory`` sheet: on hand and backlog per item and day."""
        from planner.tables import inventory_frame

        return inventory_frame(self)

    def load(self) -> pd.DataFrame:
        """The ``Load`` sheet: minutes per work center and day against capacity."""
        from planner.tables import load_frame

        return load_frame(self)

    def sequences(self) -> pd.DataFrame:
        """The ``Sequence`` sheet: each work center's build order per day."""
        from planner.tables import sequence_frame

        return sequence_frame(self)

    def kanban(self) -> pd.DataFrame:
        """The ``Kanban`` sheet: the pull plan's loops."""
        from planner.tables import kanban_frame

        return kanban_frame(self)

    def levelling(self) -> pd.DataFrame:
        """The ``Levelling`` sheet: takt time and EPEI per work center."""
        from planner.tables import levelling_frame

        return levelling_frame(self)

    def messages(self) -> pd.DataFrame:
        """The ``Messages`` sheet: what a planner should know about each plan."""
        from planner.tables import messages_frame

        return messages_frame(self)

    def pegging(self) -> pd.DataFrame:
        """The ``Pegging`` sheet: which demand each planned order serves."""
        from planner.tables import pegging_frame

        return pegging_frame(self)

    def violations(self) -> pd.DataFrame:
        """The ``Violations`` sheet: where a plan breaks the contract."""
        from planner.tables import violations_frame

        return violations_frame(self)

    def plot_inventory(self, ax: Axes | None = None) -> Axes:
        """Inventory value per day, one line per strategy (:func:`planner.plots.plot_inventory`)."""
        from planner.plots import plot_inventory

        return plot_inventory(self, ax)

    def plot_load(self, work_center: str, ax: Axes | None = None) -> Axes:
        """One work center's daily load per strategy against its capacity."""
        from planner.plots import plot_load

        return plot_load(self, work_center, ax)

    def plot_costs(self, ax: Axes | None = None) -> Axes:
        """Total cost per strategy, stacked by its four parts."""
        from planner.plots import plot_costs

        return plot_costs(self, ax)

    def write(self, path: str | Path) -> None:
        """Write the output workbook (every sheet of the contract) to ``path``."""
        from planner.report.results_workbook import write_results_workbook

        write_results_workbook(self, path)

    def write_json(self, path: str | Path) -> None:
        """Write the summary JSON to ``path``."""
        from planner.report.summary_json import write_summary_json

        write_summary_json(self, path)
