"""What a comparison produces: per strategy, the plan, its evaluation and its pegging.

:class:`Comparison` is what :func:`planner.comparison.compare` returns: the plans of
one problem, with every table of the output workbook, every chart and the
output files one method call away.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from planner.charts import ChartKey, ChartKind, chart_piece, figure
from planner.evaluation.result import ComparedPlans, StrategyResult
from planner.report.results_workbook import write_results_workbook
from planner.report.summary_json import write_summary_json
from planner.report.table_files import write_tables
from planner.tables import (
    buffer_frame,
    build_plan_frame,
    inventory_frame,
    kanban_frame,
    levelling_frame,
    load_frame,
    messages_frame,
    pegging_frame,
    sequence_frame,
    summary_frame,
    violations_frame,
)

if TYPE_CHECKING:
    from plotly.graph_objects import Figure

__all__ = ["ComparedPlans", "Comparison", "StrategyResult"]


@dataclass(frozen=True, eq=False)
class Comparison(ComparedPlans):
    """The same problem planned by several strategies, in the order they were asked for.

    Every table of the output workbook is a method returning a pandas data
    frame (:meth:`kpis`, :meth:`build_plan`, :meth:`inventory`, ...), every
    chart a method returning a Plotly figure (:meth:`plot_costs`,
    :meth:`plot_inventory`, :meth:`plot_load`, :meth:`plot_gantt`,
    :meth:`plot_box`, :meth:`plot_buffer`: the web page's charts, see
    :mod:`planner.charts`), and :meth:`write` and :meth:`write_json` save the
    workbook and the summary JSON, :meth:`write_tables` the long sheets as
    Parquet files. Printing a
    comparison shows its main KPIs.
    """

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
        return summary_frame(self)

    def build_plan(self) -> pd.DataFrame:
        """The ``BuildPlan`` sheet: every planned start, with its due date."""
        return build_plan_frame(self)

    def inventory(self) -> pd.DataFrame:
        """The ``Inventory`` sheet: on hand and backlog per item and day."""
        return inventory_frame(self)

    def load(self) -> pd.DataFrame:
        """The ``Load`` sheet: minutes per work center and day against capacity."""
        return load_frame(self)

    def sequences(self) -> pd.DataFrame:
        """The ``Sequence`` sheet: each work center's build order per day."""
        return sequence_frame(self)

    def kanban(self) -> pd.DataFrame:
        """The ``Kanban`` sheet: the pull plan's loops."""
        return kanban_frame(self)

    def buffers(self) -> pd.DataFrame:
        """The ``Buffers`` sheet: the demand-driven plan's buffers, zones and status per day."""
        return buffer_frame(self)

    def levelling(self) -> pd.DataFrame:
        """The ``Levelling`` sheet: takt time and EPEI per work center."""
        return levelling_frame(self)

    def messages(self) -> pd.DataFrame:
        """The ``Messages`` sheet: what a planner should know about each plan."""
        return messages_frame(self)

    def pegging(self) -> pd.DataFrame:
        """The ``Pegging`` sheet: which demand each planned order serves."""
        return pegging_frame(self)

    def violations(self) -> pd.DataFrame:
        """The ``Violations`` sheet: where a plan breaks the contract."""
        return violations_frame(self)

    def plot_costs(self) -> Figure:
        """Total cost per strategy, stacked by its six parts."""
        return self.plot(ChartKind.COSTS)

    def plot_inventory(self) -> Figure:
        """Inventory value per day, one line per strategy."""
        return self.plot(ChartKind.INVENTORY)

    def plot_load(self, work_center: str) -> Figure:
        """One work center's daily load per strategy against its capacity."""
        return self.plot(ChartKind.LOAD, work_center=work_center)

    def plot_gantt(self, strategy: str, work_center: str) -> Figure:
        """One strategy's build plan on one work center: a bar per campaign, a row per item."""
        return self.plot(ChartKind.GANTT, strategy, work_center)

    def plot_box(self, strategy: str, work_center: str) -> Figure:
        """One strategy's heijunka box on one work center (plans that sequence their days)."""
        return self.plot(ChartKind.BOX, strategy, work_center)

    def plot_buffer(self, strategy: str, item: str) -> Figure:
        """One decoupling buffer of a demand-driven plan: its zones, net flow and stock per day."""
        return self.plot(ChartKind.BUFFER, strategy, item=item)

    def plot(
        self, kind: ChartKind | str, strategy: str = "", work_center: str = "", item: str = ""
    ) -> Figure:
        """Any chart of :mod:`planner.charts` by kind, e.g. ``plot("gantt", "batch", "ASM1")``.

        Raises
        ------
        planner.charts.ChartError
            When there is no such chart, strategy or work center.
        """
        key = ChartKey.of(kind, strategy, work_center, item)
        return figure(key.kind, chart_piece(self, key))

    def write(self, path: str | Path) -> None:
        """Write the output workbook (every sheet of the contract) to ``path``."""

        write_results_workbook(self, path)

    def write_json(self, path: str | Path) -> None:
        """Write the summary JSON to ``path``."""

        write_summary_json(self, path)

    def write_tables(self, folder: str | Path) -> list[Path]:
        """Write every long sheet as ``<folder>/<sheet>.parquet``; return the files written."""
        return write_tables(self, folder)
