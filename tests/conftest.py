"""Shared fixtures: small workbooks written cell by cell, the way a planner would."""

from __future__ import annotations

import copy
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from planner.workbook.issues import Issue, Level
from planner.workbook.reader import ReadResult, read_workbook

Sheets = dict[str, list[list[Any]]]

BASE: Sheets = {
    "Items": [
        [
            "item",
            "kind",
            "work_center",
            "run_time",
            "setup_time",
            "unit_cost",
            "lead_time",
            "on_hand",
            "lot_rule",
            "lot_size",
        ],
        ["FG1", "make", "WC1", 2, 30, 50, 1, 0, "LFL", None],
        ["SA1", "make", "WC1", 1, 20, 20, 1, 0, "FOQ", 40],
        ["P1", "buy", None, 0, 0, 5, 3, 100, "LFL", None],
    ],
    "BOM": [
        ["parent", "child", "qty_per"],
        ["FG1", "SA1", 1],
        ["SA1", "P1", 2],
    ],
    "Demand": [
        ["item", "date", "qty"],
        ["FG1", datetime(2026, 3, 2), 10],
        ["FG1", datetime(2026, 3, 4), 12],
        ["FG1", datetime(2026, 3, 13), 8],
    ],
    "WorkCenters": [
        ["work_center", "capacity", "overtime_capacity", "overtime_cost"],
        ["WC1", 480, 120, 1.5],
    ],
    "Settings": [
        ["key", "value"],
        ["start_date", datetime(2026, 3, 2)],
        ["end_date", datetime(2026, 3, 13)],
    ],
}


def write_sheets(path: Path, sheets: Sheets) -> Path:
    """Write sheets given as lists of rows (header first) to a workbook."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


@pytest.fixture
def sheets() -> Sheets:
    """A fresh copy of a small valid plant, to break one rule at a time."""
    return copy.deepcopy(BASE)


@pytest.fixture
def read(tmp_path: Path) -> Callable[[Sheets], ReadResult]:
    """Write the given sheets to a workbook and read it back."""

    def _read(data: Sheets) -> ReadResult:
        return read_workbook(write_sheets(tmp_path / "plant.xlsx", data))

    return _read


def only(issues: list[Issue], level: Level, text: str) -> Issue:
    """The one issue of ``level`` whose message contains ``text``."""
    found = [i for i in issues if i.level is level and text in i.message]
    assert len(found) == 1, f"expected one {level} with {text!r}, got: {[str(i) for i in issues]}"
    return found[0]


def xml_bomb(workbook: Path, bomb: Path) -> Path:
    """Copy ``workbook`` to ``bomb`` with a billion-laughs entity block in ``xl/workbook.xml``."""
    entities = (
        '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        + "".join(
            f'<!ENTITY {n} "{("&" + p + ";") * 10}">'
            for p, n in zip("abcdefgh", "bcdefghi", strict=True)
        )
        + "]>"
    )
    with zipfile.ZipFile(workbook) as source, zipfile.ZipFile(bomb, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/workbook.xml":
                text = data.decode()
                root = text.index("<workbook")
                data = (text[:root] + entities + text[root:]).encode()
            target.writestr(info, data)
    return bomb
