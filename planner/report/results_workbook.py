"""Write a comparison as the output workbook of the contract.

The workbook holds the sheets of ``spec/workbook.md`` ("Output workbook") in
long form, so that other programs can read them back, plus ``Levelling``,
``Pegging`` and ``Violations``: ``Summary``, ``BuildPlan``, ``Inventory``, ``Load``,
``Sequence``, ``Kanban``, ``Messages``, ``Levelling``, ``Pegging``, ``Violations``. Each
sheet has exactly the columns of the matching frame of :mod:`planner.tables`,
a bold frozen header row and (all but ``Summary``) an autofilter. Dates are
Excel dates shown as ``yyyy-mm-dd``; a missing or non-finite value is a
blank cell; text is always stored as text, even when it looks like a
formula.

XlsxWriter streams the rows (constant-memory mode), so sheets of hundreds of
thousands of rows take seconds, and the file is written under a temporary
name and renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import math
import re
import uuid
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from planner.results import Comparison
from planner.tables import FRAMES

__all__ = ["SHEETS", "write_results_workbook"]

SHEETS = tuple(FRAMES)
"""The sheets of the output workbook, in order."""

MONEY_FORMAT = "#,##0.00"
QUANTITY_FORMAT = "#,##0.00"
COUNT_FORMAT = "#,##0"
PERCENT_FORMAT = "0.00%"
SECONDS_FORMAT = "0.00"
DATE_FORMAT = "yyyy-mm-dd"

KPI_FORMATS = {
    "total_cost": MONEY_FORMAT,
    "setup_cost": MONEY_FORMAT,
    "holding_cost": MONEY_FORMAT,
    "backlog_cost": MONEY_FORMAT,
    "overtime_cost": MONEY_FORMAT,
    "setups": COUNT_FORMAT,
    "avg_inventory_units": QUANTITY_FORMAT,
    "avg_inventory_value": MONEY_FORMAT,
    "peak_inventory_value": MONEY_FORMAT,
    "backlog_unit_days": QUANTITY_FORMAT,
    "fill_rate": PERCENT_FORMAT,
    "overload_minutes": QUANTITY_FORMAT,
    "max_utilization": PERCENT_FORMAT,
    "solve_seconds": SECONDS_FORMAT,
    "bound": MONEY_FORMAT,
    "gap": PERCENT_FORMAT,
}
"""Excel number format of each known KPI in the Summary sheet."""

_DATE_WIDTH = 12
_NUMBER_WIDTH = 12
_MIN_WIDTH = 10
_MAX_WIDTH = 60
_MAX_TEXT = 32_767
_ILLEGAL_CHARACTERS = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def write_results_workbook(comparison: Comparison, path: str | Path) -> None:
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
    target = Path(path)
    temporary = target.with_name(f".{target.stem}.{uuid.uuid4().hex}.tmp.xlsx")
    workbook = xlsxwriter.Workbook(
        str(temporary),
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "default_date_format": DATE_FORMAT,
        },
    )
    try:
        bold = workbook.add_format({"bold": True})
        for title, build in FRAMES.items():
            frame = build(comparison)
            sheet = workbook.add_worksheet(title)
            if title == "Summary":
                _write_summary(workbook, sheet, frame, bold)
            else:
                _write_table(sheet, frame, bold)
        workbook.close()
        temporary.replace(target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _write_summary(workbook: Any, sheet: Worksheet, frame: pd.DataFrame, bold: Any) -> None:
    kpis = [str(kpi) for kpi in frame["kpi"].tolist()]
    strategies = [str(name) for name in frame.columns[1:]]
    sheet.set_column(0, 0, max([len("kpi"), *map(len, kpis)]) + 4)
    for column, name in enumerate(strategies, 1):
        sheet.set_column(column, column, max(16, len(name) + 4))
    sheet.freeze_panes(1, 1)
    sheet.write_row(0, 0, ["kpi", *strategies], bold)
    formats = {
        pattern: workbook.add_format({"num_format": pattern})
        for pattern in {*KPI_FORMATS.values(), COUNT_FORMAT, QUANTITY_FORMAT}
    }
    for row, kpi in enumerate(kpis, 1):
        sheet.write_string(row, 0, kpi)
        for column, name in enumerate(strategies, 1):
            value = _cell_value(frame[name].iat[row - 1])
            if isinstance(value, int | float) and not isinstance(value, bool):
                default = COUNT_FORMAT if isinstance(value, int) else QUANTITY_FORMAT
                sheet.write_number(row, column, value, formats[KPI_FORMATS.get(kpi, default)])
            elif value is not None:
                sheet.write(row, column, value)


def _write_table(sheet: Worksheet, frame: pd.DataFrame, bold: Any) -> None:
    header = [str(name) for name in frame.columns]
    for column, name in enumerate(frame.columns):
        sheet.set_column(column, column, _width(name, frame[name]))
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(1, len(frame)), max(0, len(header) - 1))
    sheet.write_row(0, 0, header, bold)
    columns = [_column_values(frame[name]) for name in frame.columns]
    for row, values in enumerate(zip(*columns, strict=True), 1):
        sheet.write_row(row, 0, values)


def _column_values(series: pd.Series) -> list[Any]:
    """The cell values of one column, converted as a whole where its dtype allows."""
    kind = series.dtype.kind
    if kind in "iu":
        return series.to_numpy().tolist()
    if kind == "f":
        values = series.to_numpy(dtype=float)
        cells: list[Any] = values.tolist()
        for k in np.flatnonzero(~np.isfinite(values)).tolist():
            cells[k] = None
        return cells
    return [_cell_value(value) for value in series.tolist()]


def _cell_value(value: Any) -> Any:
    """A value as the workbook stores it: numbers, dates, text; ``None`` for blanks."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return value
    text = _ILLEGAL_CHARACTERS.sub("", str(value))[:_MAX_TEXT]
    return text or None


def _width(name: Any, series: pd.Series) -> int:
    header = max(len(str(name)) + 4, _MIN_WIDTH)
    kind = series.dtype.kind
    if kind in "iufb":
        return max(header, _NUMBER_WIDTH)
    values = series.dropna().unique()
    if len(values) and all(isinstance(v, date) for v in values[:100]):
        return max(header, _DATE_WIDTH)
    longest = max((len(str(v)) for v in values[:1000]), default=0) + 2
    return min(_MAX_WIDTH, max(header, longest, _MIN_WIDTH))
