"""Every number of the contract is checked at validation: huge, negative, NaN, infinite.

For each numeric column of every sheet (and each numeric setting), a
workbook with one bad cell must be refused by ``planner validate`` and
``planner compare`` alike: exit code 2 and a message naming the sheet, the
row and the column, never a traceback.
"""

from __future__ import annotations

import copy
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from models.fields import LARGEST, FieldKind
from planner.cli import EXIT_INVALID_INPUT
from planner.workbook import schema
from tests.conftest import BASE, Sheets, write_sheets
from tests.test_cli import run

NUMERIC = (FieldKind.NUMBER, FieldKind.INTEGER)

EXTRA_ROWS: dict[str, dict[str, Any]] = {
    "Calendar": {"date": datetime(2026, 3, 5), "work_center": "WC1", "capacity": 400},
    "Receipts": {"item": "P1", "date": datetime(2026, 3, 4), "qty": 50},
    "SequenceRules": {"attribute": "red", "max_in_window": 1, "window": 2, "work_center": "WC1"},
}


def columns() -> list[tuple[str, str, bool]]:
    """(sheet, column, negative allowed) for every numeric column of the workbook."""
    found = []
    for spec in schema.SHEETS:
        if spec.name == "Settings":
            continue
        for field in spec.fields:
            if field.kind in NUMERIC:
                allowed = not field.positive and (field.minimum is None or field.minimum < 0)
                found.append((spec.name, field.name, allowed))
    for field in schema.SETTING_FIELDS:
        if field.kind in NUMERIC:
            allowed = not field.positive and (field.minimum is None or field.minimum < 0)
            found.append(("Settings", field.name, allowed))
    return found


def with_value(sheet: str, column: str, value: Any) -> tuple[Sheets, int]:
    """The base workbook with ``value`` in ``column`` of a row of ``sheet``; that row's number."""
    sheets = copy.deepcopy(BASE)
    if sheet == "Settings":
        sheets["Settings"].append([column, value])
        return sheets, len(sheets["Settings"])
    if sheet not in sheets:
        row = EXTRA_ROWS[sheet]
        sheets[sheet] = [list(row), list(row.values())]
        if sheet == "SequenceRules":
            sheets["Attributes"] = [["item", "attribute"], ["FG1", "red"]]
    header = sheets[sheet][0]
    if column not in header:
        header.append(column)
        for row in sheets[sheet][1:]:
            row.append(None)
    sheets[sheet][1][header.index(column)] = value
    return sheets, 2


BAD = {
    "huge": 1e308,
    "just past the largest": LARGEST * 10,
    "negative": -5,
    "nan text": "nan",
    "infinite text": "inf",
    "minus infinite text": "-Infinity",
    "overflowing text": "1e999",
}
"""An .xlsx file cannot hold an infinite number: typed, it is text Excel keeps as such."""


@pytest.mark.parametrize(("sheet", "column", "negative_allowed"), columns())
def test_every_bad_number_is_refused_where_it_is(
    sheet: str,
    column: str,
    negative_allowed: bool,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for label, value in BAD.items():
        if label == "negative" and negative_allowed:
            continue
        sheets, row = with_value(sheet, column, value)
        path = write_sheets(tmp_path / f"{label}.xlsx", sheets)
        for command in ("validate", "compare"):
            code, out, err = run([command, str(path), "--strategies", "mrp"][:2], capsys)
            said = out + err
            assert code == EXIT_INVALID_INPUT, (label, command, said)
            assert "Traceback" not in said
            column_name = "value" if sheet == "Settings" else column
            where = f"sheet {sheet}, row {row}, column {column_name}"
            assert where in said.replace("\n  ", " "), (label, command, said)
