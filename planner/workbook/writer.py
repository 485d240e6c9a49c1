"""Write a :class:`~models.problem.Problem` as an input workbook.

The workbook follows the contract of ``spec/workbook.md`` exactly, so that
reading it back gives the same problem. A problem keeps only its working
days, not the calendar they came from, so the writer states the simplest
calendar that yields them: the horizon from the first to the last working
day, the weekdays that occur among the working days, plant holidays for the
other dates on those weekdays, and one capacity exception per work center
and day whose capacity differs from the usual one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Any, Literal

import numpy as np
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from models.calendar import format_workdays
from models.fields import DDMRP_SETTINGS_FIELDS, Field
from models.problem import Problem
from models.wording import counted
from planner.workbook.schema import (
    ATTRIBUTES,
    BOM,
    CALENDAR,
    DEMAND,
    ITEMS,
    RECEIPTS,
    SEQUENCE_RULES,
    SETTINGS,
    WORK_CENTERS,
    SheetSpec,
)

DATE_FORMAT = "yyyy-mm-dd"
_ERROR_CODES = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})
_WIDE_COLUMNS = {"description": 32, "date": 12, "start_date": 12, "end_date": 12}

Row = list[Any]


def write_input_workbook(
    problem: Problem,
    path: str | Path,
    *,
    demand_form: Literal["long", "wide"] = "long",
) -> None:
    """Write ``problem`` as an input workbook that reads back to an equal problem.

    The sheets are ``Items``, ``BOM``, ``Demand``, ``WorkCenters`` (when
    there are work centers), ``Calendar``, ``Receipts``, ``Settings``,
    ``Attributes`` and ``SequenceRules`` (the optional ones only when they
    have rows). The file is written next to ``path`` under a temporary name
    and then renamed, so a reader never sees half a workbook.

    Parameters
    ----------
    problem
        The plant to write. Its ``name`` is not stored.
    path
        The ``.xlsx`` file to create or replace.
    demand_form
        ``long`` writes one ``item, date, qty`` row per nonzero demand;
        ``wide`` writes one row per item with demand and one column per
        working day, the dates in the header cells.

    Raises
    ------
    ValueError
        If ``demand_form`` is unknown, or if the problem's overtime capacity
        cannot be stated in a workbook: the contract only knows each work
        center's usual overtime capacity, and none on a day the work center
        is closed.
    """
    if demand_form not in ("long", "wide"):
        raise ValueError(f"demand_form must be 'long' or 'wide', got {demand_form!r}")
    calendar_rows = _calendar_rows(problem)
    path = Path(path)
    workbook = Workbook(write_only=True)
    _add_sheet(workbook, ITEMS, _item_rows(problem))
    _add_sheet(workbook, BOM, ([line.parent, line.child, line.qty_per] for line in problem.bom))
    if demand_form == "long":
        _add_sheet(workbook, DEMAND, _dated_rows(problem, problem.demand))
    else:
        _add_wide_demand(workbook, problem)
    if problem.work_centers:
        rows = (
            [w.code, w.capacity, w.overtime_capacity, w.overtime_cost] for w in problem.work_centers
        )
        _add_sheet(workbook, WORK_CENTERS, rows)
    if calendar_rows:
        _add_sheet(workbook, CALENDAR, calendar_rows)
    receipts = np.asarray(problem.receipts, dtype=float)
    if receipts.any():
        _add_sheet(workbook, RECEIPTS, _dated_rows(problem, receipts))
    _add_sheet(workbook, SETTINGS, _settings_rows(problem))
    if problem.attributes:
        rows = ([a.item, a.attribute] for a in problem.attributes)
        _add_sheet(workbook, ATTRIBUTES, rows)
    if problem.sequence_rules:
        rows = (
            [r.attribute, r.max_in_window, r.window, r.work_center] for r in problem.sequence_rules
        )
        _add_sheet(workbook, SEQUENCE_RULES, rows)
    save_atomically(workbook, path)


def _item_rows(problem: Problem) -> Iterator[Row]:
    names = [f.name for f in ITEMS.fields]
    for item in problem.items:
        row: Row = []
        for name in names:
            value = item.code if name == "item" else getattr(item, name)
            if isinstance(value, Enum):
                value = value.value
            elif isinstance(value, bool):
                value = "yes" if value else "no"
            row.append(value)
        yield row


def _dated_rows(problem: Problem, array: np.ndarray[Any, Any]) -> Iterator[Row]:
    codes = [item.code for item in problem.items]
    items, days = np.nonzero(array)
    for i, t, qty in zip(items.tolist(), days.tolist(), array[items, days].tolist(), strict=True):
        yield [codes[i], problem.days[t], qty]


def _add_wide_demand(workbook: Workbook, problem: Problem) -> None:
    header = ["item", *problem.days]
    rows: list[Row] = []
    for i in np.flatnonzero(problem.demand.any(axis=1)).tolist():
        quantities = [q if q != 0 else None for q in problem.demand[i].tolist()]
        rows.append([problem.items[i].code, *quantities])
    widths = [max(12, _width("item")), *([12] * problem.n_days)]
    _add_rows(workbook, DEMAND.name, header, widths, rows)


def _settings_rows(problem: Problem) -> list[Row]:
    settings = problem.settings
    rows: list[Row] = [
        ["start_date", problem.days[0]],
        ["end_date", problem.days[-1]],
        ["workdays", format_workdays({day.weekday() for day in problem.days})],
        ["carrying_rate", settings.carrying_rate],
    ]
    if settings.backlog_cost is not None:
        rows.append(["backlog_cost", settings.backlog_cost])
    rows += [["time_limit", settings.time_limit], ["mip_gap", settings.mip_gap]]
    rows += [
        ["deterministic", "yes" if settings.deterministic else "no"],
        ["safety_stock_weight", settings.safety_stock_weight],
        ["end_backlog_days", settings.end_backlog_days],
    ]
    rows += [
        ["level_period", settings.level_period],
        ["epei_days", settings.epei_days],
        ["kanban_safety_factor", settings.kanban_safety_factor],
        ["kanban_lot", settings.kanban_lot],
        ["service_level", settings.service_level],
        ["runner_share", settings.runner_share],
        ["stranger_cv", settings.stranger_cv],
        ["mixing", settings.mixing],
        ["pegging_limit", settings.pegging_limit],
        ["diagnosis_limit", settings.diagnosis_limit],
    ]
    rows += [[field.name, getattr(settings, field.name)] for field in DDMRP_SETTINGS_FIELDS]
    return rows


def _calendar_rows(problem: Problem) -> list[Row]:
    days = problem.days
    workdays = {day.weekday() for day in days}
    working = set(days)
    rows: list[Row] = []
    day = days[0]
    while day <= days[-1]:
        if day.weekday() in workdays and day not in working:
            rows.append([day, None, 0])
        day += timedelta(days=1)
    if not problem.work_centers:
        return rows
    usual = np.array([w.capacity for w in problem.work_centers])[:, None]
    usual_overtime = np.array([w.overtime_capacity for w in problem.work_centers])[:, None]
    capacity = np.asarray(problem.capacity, dtype=float)
    overtime = np.asarray(problem.overtime_capacity, dtype=float)
    listed = (capacity != usual) | ((capacity == 0) & (overtime == 0) & (usual_overtime != 0))
    read_back = np.where(listed & (capacity == 0), 0.0, usual_overtime)
    wrong = read_back != overtime
    if wrong.any():
        w, t = (int(k) for k in np.argwhere(wrong)[0])
        center = problem.work_centers[w]
        raise ValueError(
            f"work center {center.code!r} has {overtime[w, t]:g} minutes of overtime capacity "
            f"on {days[t]}, but a workbook can only state its usual overtime capacity "
            f"({center.overtime_capacity:g}), or none on a day it is closed; "
            f"{counted(int(wrong.sum()), 'work-center day')} differ"
        )
    codes = [w.code for w in problem.work_centers]
    for t, w in np.argwhere(listed.T).tolist():
        rows.append([days[t], codes[w], float(capacity[w, t])])
    return rows


def _add_sheet(workbook: Workbook, spec: SheetSpec, rows: Iterable[Row]) -> None:
    header = [f.name for f in spec.fields]
    _add_rows(workbook, spec.name, header, [_field_width(f) for f in spec.fields], rows)


def _add_rows(
    workbook: Workbook,
    title: str,
    header: Sequence[Any],
    widths: Sequence[int],
    rows: Iterable[Row],
) -> None:
    sheet = workbook.create_sheet(title)
    for column, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for value in header:
        cell = WriteOnlyCell(sheet, value=_plain(value))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date()
    return value


def _cell(sheet: Any, value: Any) -> Any:
    """A value openpyxl stores faithfully: as is, or as a cell with its type forced.

    openpyxl writes floats with 16 significant digits and takes text starting
    with ``=`` for a formula; neither survives a round trip.
    """
    if value is None or isinstance(value, bool | int | date):
        return _plain(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        if float(f"{number:.16g}") == number:
            return number
        cell = WriteOnlyCell(sheet, value=repr(number))
        cell.data_type = "n"
        return cell
    text = str(value)
    if not text:
        return None
    if text.startswith("=") or text in _ERROR_CODES:
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        return cell
    return text


def _field_width(field: Field) -> int:
    return _WIDE_COLUMNS.get(field.name, _width(field.name))


def _width(name: str) -> int:
    return max(10, len(name) + 4)


def save_atomically(workbook: Workbook, path: Path) -> None:
    """Save a workbook under a temporary name beside ``path``, then rename it into place.

    A reader never sees half a file, and a failed save leaves nothing behind.
    """
    temporary = path.with_name(f".{path.stem}.{uuid.uuid4().hex}.tmp.xlsx")
    try:
        workbook.save(temporary)
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
