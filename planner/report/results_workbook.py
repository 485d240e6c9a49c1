"""Write a comparison as the output workbook of the contract.

The workbook holds the sheets of ``spec/workbook.md`` ("Output workbook") in
long form, so that other programs can read them back, plus ``Buffers``
(demand-driven buffers day by day, their status cells in their zone's
colour), ``Levelling``, ``Pegging`` and ``Violations``, then, for a person: ``Plan <strategy>``
(each strategy's starts as an item x day grid, shaded by quantity), ``Box
<strategy>`` for sequenced plans (a heijunka box: the item in each slot of
each work center's day, coloured by item) and ``ChartData`` (the series of
the charts). ``Summary`` comes first: the KPI table with the best value per
row highlighted, each strategy's change against ``mrp``, and native charts
of the cost breakdown, the inventory value per day and each work center's
load against its capacity. The long sheets are ``BuildPlan``,
``Inventory``, ``Load``, ``Sequence``, ``Kanban``, ``Messages``, ``Buffers``,
``Levelling``, ``Pegging`` and ``Violations``. Each such sheet has exactly
the columns of the matching frame of :mod:`planner.tables`,
a bold frozen header row and (all but ``Summary``) an autofilter. Dates are
Excel dates shown as ``yyyy-mm-dd``; a missing or non-finite value is a
blank cell; text is always stored as text, even when it looks like a
formula.

A long sheet with more rows than Excel's sheets hold continues on numbered
sheets (``Inventory (2)``, ...: :mod:`planner.report.long_tables`), and a
row at the top of ``Messages`` says so. XlsxWriter streams the rows
(constant-memory mode), each column converted as a whole and written by its
type, and the file is written under a temporary name and renamed, so a
reader never sees half a file.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from planner.evaluation import ComparedPlans
from planner.evaluation.kpis import COST_PARTS, EXCEL_FORMATS, KPI, excel_format
from planner.evaluation.winners import HIGHER_IS_BETTER, winners
from planner.report.files import replaced_atomically
from planner.report.long_tables import (
    EXCEL_ROWS,
    cell_value,
    continuation_note,
    write_long_table,
)
from planner.tables import (
    BASELINE,
    BUFFER_STATUS_COLUMNS,
    FRAMES,
    ZONE_COLOURS,
    infeasibility,
    infeasibility_text,
    kpi_changes,
)

__all__ = ["SHEETS", "write_results_workbook"]

SHEETS = tuple(FRAMES)
"""The sheets of the output workbook, in order."""

DATE_FORMAT = "yyyy-mm-dd"


_DATE_WIDTH = 12
_CHART_DATA = "ChartData"
_MAX_LOAD_CHARTS = 12
_BEST_FILL = "#C6EFCE"
_BOX_COLORS = (
    "#8DD3C7",
    "#FFFFB3",
    "#BEBADA",
    "#FB8072",
    "#80B1D3",
    "#FDB462",
    "#B3DE69",
    "#FCCDE5",
    "#D9D9D9",
    "#BC80BD",
    "#CCEBC5",
    "#FFED6F",
)


def write_results_workbook(comparison: ComparedPlans, path: str | Path) -> None:
    """Write the output workbook of a comparison.

    Parameters
    ----------
    comparison
        The problem and the strategies' results, in the order their columns
        and rows appear.
    path
        The ``.xlsx`` file to create or replace. It is written beside
        ``path`` under a temporary name, then renamed into place.
    """
    with replaced_atomically(path) as temporary:
        _write_workbook(comparison, temporary)


def _write_workbook(comparison: ComparedPlans, path: Path) -> None:
    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "default_date_format": DATE_FORMAT,
        },
    )
    bold = workbook.add_format({"bold": True})
    dates = workbook.add_format({"num_format": DATE_FORMAT})
    frames = {title: build(comparison) for title, build in FRAMES.items()}
    notes = [continuation_note(t, len(frame)) for t, frame in frames.items() if t != "Summary"]
    frames["Messages"] = _with_notes(frames["Messages"], [n for n in notes if n is not None])
    for title, frame in frames.items():
        if title == "Summary":
            sheet = workbook.add_worksheet(title)
            changes = kpi_changes(comparison)
            _write_summary(workbook, sheet, frame, changes, infeasibility(comparison), bold)
            _add_charts(workbook, sheet, comparison, frame)
        else:
            titles = write_long_table(workbook, title, frame, bold, dates)
            if title == "Buffers":
                _colour_zones(workbook, titles, frame)
    for name, result in comparison.results.items():
        _write_grid(workbook, comparison, name, bold)
        if result.plan.sequences:
            _write_box(workbook, comparison, name, bold)
    _write_chart_data(workbook, comparison, bold)
    workbook.close()


def _colour_zones(workbook: Any, titles: list[str], frame: pd.DataFrame) -> None:
    """Fill the ``Buffers`` sheets' status cells with their zone's colour."""
    columns = [list(frame.columns).index(name) for name in BUFFER_STATUS_COLUMNS]
    fills = {
        zone: workbook.add_format(
            {"bg_color": colour, "font_color": "#FFFFFF" if zone == "stockout" else "#000000"}
        )
        for zone, colour in ZONE_COLOURS.items()
    }
    for title in titles:
        sheet = workbook.get_worksheet_by_name(title)
        for column in columns:
            for zone, fill in fills.items():
                sheet.conditional_format(
                    1,
                    column,
                    EXCEL_ROWS - 1,
                    column,
                    {"type": "cell", "criteria": "==", "value": f'"{zone}"', "format": fill},
                )


def _with_notes(messages: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """The ``Messages`` sheet with an ``info`` row per table continued on more sheets."""
    if not notes:
        return messages
    rows = pd.DataFrame(
        {"level": "info", "strategy": None, "item": None, "date": None, "message": notes},
        columns=messages.columns,
    )
    return pd.concat([rows, messages], ignore_index=True) if len(messages) else rows


def _write_summary(
    workbook: Any,
    sheet: Worksheet,
    frame: pd.DataFrame,
    changes: dict[str, dict[str, float | None]],
    infeasible: dict[str, dict[str, int]],
    bold: Any,
) -> None:
    """The KPI table, the best value per row highlighted, the change against ``mrp``, labels.

    Above all, in red beside the table, the plans that break a rule: they
    win no row.
    """
    kpis = [str(kpi) for kpi in frame["kpi"].tolist()]
    strategies = [str(name) for name in frame.columns[1:]]
    table = {
        n: {k: cell_value(frame[n].iat[row]) for row, k in enumerate(kpis)} for n in strategies
    }
    best = winners(table)
    sheet.set_column(0, 0, max([len("kpi"), *map(len, kpis)]) + 4)
    for column in range(1, len(strategies) + len(changes) + 2):
        sheet.set_column(column, column, 16)
    sheet.freeze_panes(1, 1)
    delta_titles = [f"{name} vs {BASELINE}" for name in changes]
    sheet.write_row(0, 0, ["kpi", *strategies], bold)
    if changes:
        sheet.write_row(0, len(strategies) + 2, delta_titles, bold)
    labels = _label_column(strategies)
    sheet.set_column(labels, labels, 44)
    sheet.write_string(0, labels, "label", bold)
    higher = ", ".join(sorted(HIGHER_IS_BETTER))
    legend = "Green: the best value of each row among feasible plans "
    legend += f"(lower is better, except {higher})."
    if changes:
        legend += f" Changes are against {BASELINE}."
    legend += " Every KPI's formula: docs/kpis.md."
    note = workbook.add_format({"italic": True, "font_color": "#595959"})
    warning = workbook.add_format({"bold": True, "font_color": "#C00000"})
    if infeasible:
        lines = [infeasibility_text(name, kinds) for name, kinds in infeasible.items()]
        sheet.write_string(0, _chart_column(strategies), "; ".join(lines) + ". " + legend, warning)
    else:
        sheet.write_string(0, _chart_column(strategies), legend, note)
    patterns = set(EXCEL_FORMATS.values())
    formats = {p: workbook.add_format({"num_format": p}) for p in patterns}
    winning = {
        p: workbook.add_format({"num_format": p, "bold": True, "bg_color": _BEST_FILL})
        for p in patterns
    }
    change_format = workbook.add_format({"num_format": "+0.0%;-0.0%;0.0%"})
    for row, kpi in enumerate(kpis, 1):
        sheet.write_string(row, 0, kpi)
        for column, name in enumerate(strategies, 1):
            value = table[name][kpi]
            if isinstance(value, int | float) and not isinstance(value, bool):
                pattern = excel_format(kpi, whole=isinstance(value, int))
                chosen = winning if name in best.get(kpi, ()) else formats
                sheet.write_number(row, column, value, chosen[pattern])
            elif value is not None:
                sheet.write(row, column, value)
        for column, name in enumerate(changes, len(strategies) + 2):
            change = changes[name].get(kpi)
            if change is not None:
                sheet.write_number(row, column, change / 100, change_format)
        if kpi in KPI:
            sheet.write_string(row, labels, KPI[kpi].label)


def _add_charts(
    workbook: Any, sheet: Worksheet, comparison: ComparedPlans, frame: pd.DataFrame
) -> None:
    """Native charts beside the KPI table: costs, inventory value, load per work center."""
    kpis = [str(kpi) for kpi in frame["kpi"].tolist()]
    strategies = comparison.strategies
    anchor = _chart_column(strategies)
    costs = workbook.add_chart({"type": "column", "subtype": "stacked"})
    for part in COST_PARTS:
        if part not in kpis:
            continue
        row = kpis.index(part) + 1
        costs.add_series(
            {
                "name": part.removesuffix("_cost"),
                "categories": ["Summary", 0, 1, 0, len(strategies)],
                "values": ["Summary", row, 1, row, len(strategies)],
            }
        )
    costs.set_title({"name": "Cost per strategy"})
    costs.set_y_axis({"num_format": "#,##0"})
    sheet.insert_chart(1, anchor, costs, {"x_scale": 1.2, "y_scale": 1.1})
    days = comparison.problem.n_days
    inventory = workbook.add_chart({"type": "line"})
    for k, name in enumerate(strategies):
        inventory.add_series(
            {
                "name": name,
                "categories": [_CHART_DATA, 1, 0, days, 0],
                "values": [_CHART_DATA, 1, 1 + k, days, 1 + k],
            }
        )
    inventory.set_title({"name": "Inventory value per day"})
    inventory.set_x_axis({"date_axis": True, "num_format": "yyyy-mm-dd"})
    inventory.set_y_axis({"num_format": "#,##0"})
    sheet.insert_chart(18, anchor, inventory, {"x_scale": 1.6, "y_scale": 1.1})
    for k, (w, columns) in enumerate(_load_columns(comparison).items()):
        if k >= _MAX_LOAD_CHARTS:
            break
        chart = workbook.add_chart({"type": "line"})
        for title, column in columns:
            chart.add_series(
                {
                    "name": title,
                    "categories": [_CHART_DATA, 1, 0, days, 0],
                    "values": [_CHART_DATA, 1, column, days, column],
                    "line": {"dash_type": "dash"} if title.startswith("capacity") else {},
                }
            )
        chart.set_title({"name": f"Load of {comparison.problem.work_centers[w].code} (minutes)"})
        chart.set_x_axis({"date_axis": True, "num_format": "yyyy-mm-dd"})
        sheet.insert_chart(35 + 17 * k, anchor, chart, {"x_scale": 1.6, "y_scale": 1.1})


def _label_column(strategies: list[str]) -> int:
    """The Summary column of each KPI's label with its unit, right of the changes."""
    return len(strategies) * 2 + 2


def _chart_column(strategies: list[str]) -> int:
    """The Summary column where the legend and the charts start, right of the tables."""
    return len(strategies) * 2 + 4


def _load_columns(comparison: ComparedPlans) -> dict[int, list[tuple[str, int]]]:
    """Chart-data columns per work center: one load line per strategy, then capacity lines."""
    first = 1 + len(comparison.strategies)
    columns: dict[int, list[tuple[str, int]]] = {}
    for w in range(len(comparison.problem.work_centers)):
        titles = [*comparison.strategies, "capacity", "capacity + overtime"]
        columns[w] = [(title, first + k) for k, title in enumerate(titles)]
        first += len(titles)
    return columns


def _write_chart_data(workbook: Any, comparison: ComparedPlans, bold: Any) -> None:
    """The series the Summary charts draw: inventory value and load per day."""
    problem = comparison.problem
    sheet = workbook.add_worksheet(_CHART_DATA)
    header: list[str] = ["date", *(f"inventory value {n}" for n in comparison.strategies)]
    series = [problem.unit_cost @ r.evaluation.inventory for r in comparison.results.values()]
    for w, center in enumerate(problem.work_centers):
        header += [f"{center.code} load {n}" for n in comparison.strategies]
        header += [f"{center.code} capacity", f"{center.code} capacity + overtime"]
        series += [r.evaluation.load[w] for r in comparison.results.values()]
        series += [problem.capacity[w], problem.capacity[w] + problem.overtime_capacity[w]]
    sheet.freeze_panes(1, 1)
    sheet.set_column(0, 0, _DATE_WIDTH)
    sheet.set_column(1, len(header), 14)
    sheet.write_row(0, 0, header, bold)
    values = np.vstack(series).T if series else np.zeros((problem.n_days, 0))
    for t, day in enumerate(problem.days):
        sheet.write_datetime(t + 1, 0, datetime(day.year, day.month, day.day))
        sheet.write_row(t + 1, 1, values[t].tolist())


def _write_grid(workbook: Any, comparison: ComparedPlans, strategy: str, bold: Any) -> None:
    """One strategy's build plan as an item x day grid, shaded by quantity."""
    problem = comparison.problem
    starts = comparison.results[strategy].plan.starts
    sheet = workbook.add_worksheet(_sheet_name(f"Plan {strategy}"))
    sheet.freeze_panes(1, 2)
    sheet.set_column(0, 0, max(10, max((len(i.code) for i in problem.items), default=0) + 2))
    sheet.set_column(1, 1, 14)
    sheet.set_column(2, 1 + problem.n_days, _DATE_WIDTH)
    header_date = workbook.add_format({"bold": True, "num_format": DATE_FORMAT})
    sheet.write_row(0, 0, ["item", "work_center"], bold)
    for t, day in enumerate(problem.days):
        sheet.write_datetime(0, 2 + t, datetime(day.year, day.month, day.day), header_date)
    centers = problem.item_work_center
    for i, item in enumerate(problem.items):
        sheet.write_string(1 + i, 0, item.code)
        if centers[i] >= 0:
            sheet.write_string(1 + i, 1, problem.work_centers[centers[i]].code)
        row = starts[i]
        for t in np.flatnonzero(row > 0).tolist():
            sheet.write_number(1 + i, 2 + t, float(row[t]))
    if problem.n_items and problem.n_days:
        sheet.conditional_format(
            1,
            2,
            problem.n_items,
            1 + problem.n_days,
            {"type": "2_color_scale", "min_color": "#FFFFFF", "max_color": "#F8696B"},
        )


def _write_box(workbook: Any, comparison: ComparedPlans, strategy: str, bold: Any) -> None:
    """A heijunka box: per work center and day, the item in each pitch slot, coloured by item."""
    problem = comparison.problem
    sequences = comparison.results[strategy].plan.sequences
    sheet = workbook.add_worksheet(_sheet_name(f"Box {strategy}"))
    slots = max((len(p) for p in sequences.values()), default=0)
    sheet.freeze_panes(1, 2)
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, 1, _DATE_WIDTH)
    sheet.set_column(2, 1 + slots, 8)
    sheet.write_row(0, 0, ["work_center", "date", *range(1, slots + 1)], bold)
    fills = [workbook.add_format({"bg_color": color}) for color in _BOX_COLORS]
    date_format = workbook.add_format({"num_format": DATE_FORMAT})
    for row, (w, t) in enumerate(sorted(sequences), 1):
        day = problem.days[t]
        sheet.write_string(row, 0, problem.work_centers[w].code)
        sheet.write_datetime(row, 1, datetime(day.year, day.month, day.day), date_format)
        for slot, (item, _qty) in enumerate(sequences[(w, t)]):
            sheet.write_string(row, 2 + slot, problem.items[item].code, fills[item % len(fills)])


def _sheet_name(text: str) -> str:
    """A valid sheet name: no ``[]:*?/\\``, at most 31 characters."""
    return re.sub(r"[\[\]:*?/\\]", "_", text)[:31]
