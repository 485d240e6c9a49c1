"""Long tables as worksheets: typed column by column, continued past Excel's last row.

A sheet holds at most :data:`EXCEL_ROWS` rows, the header included. A table
with more data rows continues on numbered sheets (``Inventory``,
``Inventory (2)``, ...), each with the header, so nothing is cut off;
:func:`continuation_note` says so in words a planner reads.

Each column is converted once, as a whole (numbers as they are, dates to
Excel serial numbers shown as ``yyyy-mm-dd``, text cleaned of characters
Excel refuses), and each cell goes to the typed writer of its column, so a
sheet of a million rows costs the file writer's time and little else. A
missing or non-finite value is a blank cell; text is always stored as text,
even when it looks like a formula.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from typing import Any

import numpy as np
import pandas as pd
from xlsxwriter.worksheet import Worksheet

from models.wording import counted

__all__ = [
    "EXCEL_ROWS",
    "cell_value",
    "continuation_note",
    "sheet_titles",
    "write_long_table",
]

EXCEL_ROWS = 1_048_576
"""Rows of an Excel sheet, the header row included."""

_DATE_WIDTH = 12
_NUMBER_WIDTH = 12
_MIN_WIDTH = 10
_MAX_WIDTH = 60
_MAX_TEXT = 32_767
_EPOCH = datetime(1899, 12, 30)
_FIRST_SERIAL_DATE = datetime(1900, 3, 1)
_ILLEGAL_CHARACTERS = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")

Writer = Callable[[int, int, Any], Any]


def sheet_titles(title: str, rows: int, sheet_rows: int | None = None) -> list[str]:
    """The sheets a table of ``rows`` data rows takes: ``title``, then ``title (2)``, ...

    ``sheet_rows`` is the rows of a sheet, the header included (:data:`EXCEL_ROWS`).
    """
    per_sheet = (sheet_rows or EXCEL_ROWS) - 1
    count = max(1, math.ceil(rows / per_sheet))
    return [title, *(f"{title} ({k})" for k in range(2, count + 1))]


def continuation_note(title: str, rows: int, sheet_rows: int | None = None) -> str | None:
    """What a planner is told when a table continues on more sheets; ``None`` if it fits."""
    sheet_rows = sheet_rows or EXCEL_ROWS
    titles = sheet_titles(title, rows, sheet_rows)
    if len(titles) == 1:
        return None
    rest = ", ".join(titles[1:-1])
    more = f"{rest} and {titles[-1]}" if rest else titles[-1]
    return (
        f"{title} has {counted(rows, 'row')}, more than one Excel sheet holds "
        f"({sheet_rows - 1:,} below the header): it continues on {more}"
    )


def write_long_table(
    workbook: Any,
    title: str,
    frame: pd.DataFrame,
    bold: Any,
    date_format: Any,
    *,
    sheet_rows: int | None = None,
) -> list[str]:
    """Write ``frame`` on the sheets of :func:`sheet_titles`; return their names.

    Each sheet gets the header in ``bold``, frozen, an autofilter over its
    rows and column widths that fit the values.
    """
    header = [str(name) for name in frame.columns]
    widths = [_width(name, frame[name]) for name in frame.columns]
    columns = [_typed_column(frame[name]) for name in frame.columns]
    sheet_rows = sheet_rows or EXCEL_ROWS
    titles = sheet_titles(title, len(frame), sheet_rows)
    per_sheet = sheet_rows - 1
    for part, sheet_title in enumerate(titles):
        sheet = workbook.add_worksheet(sheet_title)
        first = part * per_sheet
        last = min(len(frame), first + per_sheet)
        for column, width in enumerate(widths):
            sheet.set_column(column, column, width)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(1, last - first), max(0, len(header) - 1))
        sheet.write_row(0, 0, header, bold)
        writers = [kind.writer(sheet, date_format) for kind, _ in columns]
        cells = [values[first:last] for _, values in columns]
        for row, values in enumerate(zip(*cells, strict=True), 1):
            for column, value in enumerate(values):
                if value is not None:
                    writers[column](row, column, value)
    return titles


class _Kind(Enum):
    """How a column's converted values are written."""

    NUMBER = "number"
    DATE = "date"
    TEXT = "text"
    ANY = "any"

    def writer(self, sheet: Worksheet, date_format: Any) -> Writer:
        if self is _Kind.NUMBER:
            number: Writer = sheet.write_number
            return number
        if self is _Kind.DATE:
            return lambda row, column, serial: sheet.write_number(row, column, serial, date_format)
        if self is _Kind.TEXT:
            text: Writer = sheet.write_string
            return text

        def write_any(row: int, column: int, value: Any) -> Any:
            if isinstance(value, date):
                return sheet.write_datetime(row, column, value, date_format)
            return sheet.write(row, column, value)

        return write_any


def _typed_column(series: pd.Series) -> tuple[_Kind, list[Any]]:
    """A column's cell values, converted as a whole, and how to write them."""
    kind = series.dtype.kind
    if kind in "iu":
        return _Kind.NUMBER, series.to_numpy().tolist()
    if kind == "f":
        values = series.to_numpy(dtype=float)
        cells: list[Any] = values.tolist()
        for k in np.flatnonzero(~np.isfinite(values)).tolist():
            cells[k] = None
        return _Kind.NUMBER, cells
    if kind == "M":
        return _Kind.DATE, _serials(series.dt.tz_localize(None).tolist())
    raw = series.tolist()
    try:
        distinct = list(dict.fromkeys(raw))
    except TypeError:
        return _Kind.ANY, [cell_value(value) for value in raw]
    present = [value for value in distinct if not _missing(value)]
    if present and all(isinstance(v, date) and _serial_date(v) for v in present):
        return _Kind.DATE, _serials(raw)
    converted = {value: cell_value(value) for value in present}
    cells = [None if _missing(v) else converted[v] for v in raw]
    if all(isinstance(converted.get(v), str) for v in present):
        return _Kind.TEXT, cells
    return _Kind.ANY, cells


def _missing(value: Any) -> bool:
    """Whether a value is a blank cell: ``None``, ``NaT``, ``NA`` or a float NaN."""
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def _serial_date(value: date) -> bool:
    """Whether a date's Excel serial number is its days since 1899-12-30 (from 1900-03-01)."""
    moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    return moment.replace(tzinfo=None) >= _FIRST_SERIAL_DATE


def _serials(values: list[Any]) -> list[float | None]:
    """Excel serial numbers of dates and date-times (``None`` stays ``None``)."""
    serials: list[float | None] = []
    by_date: dict[Any, float] = {}
    for value in values:
        if _missing(value):
            serials.append(None)
            continue
        serial = by_date.get(value)
        if serial is None:
            if isinstance(value, datetime):
                delta = value.replace(tzinfo=None) - _EPOCH
                serial = delta.days + delta.seconds / 86_400 + delta.microseconds / 86_400e6
            else:
                serial = float((value - _EPOCH.date()).days)
            by_date[value] = serial
        serials.append(serial)
    return serials


def cell_value(value: Any) -> Any:
    """A value as the workbook stores it: numbers, dates, text; ``None`` for blanks."""
    if _missing(value):
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
    try:
        values = series.dropna().unique()
    except TypeError:
        values = series.dropna().to_numpy()
    if len(values) and all(isinstance(v, date) for v in values[:100]):
        return max(header, _DATE_WIDTH)
    longest = max((len(str(v)) for v in values[:1000]), default=0) + 2
    return min(_MAX_WIDTH, max(header, longest, _MIN_WIDTH))
