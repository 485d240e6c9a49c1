"""The blank planner workbook: its sheets, README, drop-downs, and that it loads."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from models.fields import FieldKind
from models.problem import ItemKind, LotRule
from planner.workbook.issues import Level
from planner.workbook.reader import read_workbook
from planner.workbook.schema import ITEMS, SETTING_FIELDS, SHEETS
from planner.workbook.template import (
    EXAMPLE_END,
    EXAMPLE_START,
    VALIDATED_ROWS,
    write_template,
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "planner_template.xlsx"
    write_template(path)
    return path


@pytest.fixture
def filled(template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "filled.xlsx"
    path.write_bytes(template.read_bytes())
    return path


def _header(sheet: Worksheet) -> list[Any]:
    return [cell.value for cell in sheet[1]]


def _append(sheet: Worksheet, **values: Any) -> int:
    """Append a row by column name, the way a planner fills the next free row."""
    header = _header(sheet)
    unknown = set(values) - set(header)
    assert not unknown, f"no such columns in {sheet.title}: {unknown}"
    sheet.append([values.get(name) for name in header])
    return int(sheet.max_row)


def _list_values(sheet: Worksheet, letter: str) -> list[tuple[str, ...]]:
    found = []
    for validation in sheet.data_validations.dataValidation:
        if validation.type == "list" and f"{letter}2" in validation.sqref:
            assert f"{letter}{VALIDATED_ROWS + 1}" in validation.sqref
            assert VALIDATED_ROWS + 1 >= 5000
            assert validation.showErrorMessage
            values = tuple(v.strip() for v in validation.formula1.strip('"').split(","))
            assert all(value in validation.error for value in values)
            found.append(values)
    return found


# (a) sheets and columns ---------------------------------------------------------------


def test_sheets_are_readme_then_every_input_sheet(template: Path) -> None:
    book = openpyxl.load_workbook(template)
    assert book.sheetnames == ["README", *(spec.name for spec in SHEETS)]
    assert book.active.title == "README"


@pytest.mark.parametrize("spec", SHEETS, ids=lambda spec: spec.name)
def test_each_sheet_has_exactly_the_spec_columns_in_order(template: Path, spec: Any) -> None:
    sheet = openpyxl.load_workbook(template)[spec.name]
    assert _header(sheet) == [field.name for field in spec.fields]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.max_row >= 2, "every sheet holds an example row"


def test_example_dates_are_real_dates_formatted_as_iso(template: Path) -> None:
    book = openpyxl.load_workbook(template)
    for spec in SHEETS:
        sheet = book[spec.name]
        for column, field in enumerate(spec.fields, 1):
            if field.kind is not FieldKind.DATE:
                continue
            for row in range(2, sheet.max_row + 1):
                cell = sheet.cell(row, column)
                assert isinstance(cell.value, datetime), (spec.name, cell.coordinate)
                assert cell.number_format == "yyyy-mm-dd"


def test_settings_sheet_lists_every_key(template: Path) -> None:
    sheet = openpyxl.load_workbook(template)["Settings"]
    keys = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert keys == [field.name for field in SETTING_FIELDS]


# (b) data validation ----------------------------------------------------------------


def test_kind_and_lot_rule_have_drop_downs(template: Path) -> None:
    sheet = openpyxl.load_workbook(template)["Items"]
    letters = {name: get_column_letter(i) for i, name in enumerate(_header(sheet), 1)}
    assert _list_values(sheet, letters["kind"]) == [tuple(str(kind) for kind in ItemKind)]
    assert _list_values(sheet, letters["lot_rule"]) == [tuple(str(rule) for rule in LotRule)]


def test_number_columns_reject_negative_values(template: Path) -> None:
    sheet = openpyxl.load_workbook(template)["Items"]
    by_cell = {}
    for validation in sheet.data_validations.dataValidation:
        if validation.type in ("decimal", "whole"):
            for cell_range in validation.sqref.ranges:
                by_cell[cell_range.coord.split(":")[0]] = validation
    for column, field in enumerate(ITEMS.fields, 1):
        if field.kind not in (FieldKind.NUMBER, FieldKind.INTEGER):
            continue
        validation = by_cell[f"{get_column_letter(column)}2"]
        assert validation.allow_blank
        assert validation.formula1 == "0"
        expected = "greaterThan" if field.positive else "greaterThanOrEqual"
        assert validation.operator == expected
        assert validation.type == ("whole" if field.kind is FieldKind.INTEGER else "decimal")


# (c) README ---------------------------------------------------------------------------


def test_readme_explains_every_column_of_every_sheet(template: Path) -> None:
    readme = openpyxl.load_workbook(template)["README"]
    rows = [row for row in readme.iter_rows(values_only=True) if any(row)]
    header = next(row for row in rows if row[:2] == ("sheet", "column"))
    index = {name: i for i, name in enumerate(header) if name}
    described = {(row[0], row[1]): row for row in rows[rows.index(header) + 1 :]}
    for spec in SHEETS:
        for field in spec.fields:
            row = described[(spec.name, field.name)]
            assert row[index["required"]] == ("yes" if field.required else "no")
            assert row[index["meaning"]] == field.meaning
            assert row[index["allowed values / bounds"]]


def test_readme_explains_every_setting_and_sheet(template: Path) -> None:
    readme = openpyxl.load_workbook(template)["README"]
    text = "\n".join(
        str(value) for row in readme.iter_rows(values_only=True) for value in row if value
    )
    for field in SETTING_FIELDS:
        assert field.name in text
        assert field.meaning in text
    for spec in SHEETS:
        assert spec.purpose in text
    assert "case-insensitive" in text


# (d) the template loads ---------------------------------------------------------------


def test_template_loads_without_errors(template: Path) -> None:
    result = read_workbook(template)
    assert [str(issue) for issue in result.issues if issue.level is Level.ERROR] == []
    problem = result.problem
    assert problem is not None
    assert {item.code for item in problem.items} == {"FG1", "P1"}
    assert [(line.parent, line.child) for line in problem.bom] == [("FG1", "P1")]
    assert problem.days[0] == EXAMPLE_START
    assert problem.days[-1] == EXAMPLE_END
    assert date(2026, 3, 16) not in problem.days, "the example plant holiday"
    assert problem.demand.sum() == 220
    assert problem.receipts is not None
    assert problem.receipts.sum() == 500
    assert problem.settings.backlog_cost is None, "a blank setting takes its default"
    assert problem.settings.time_limit == 60
    assert problem.sequence_rules[0].attribute == "export"


# (e) fill in and load ------------------------------------------------------------------


def _fill_in(path: Path) -> None:
    book = openpyxl.load_workbook(path)
    items, bom, demand = book["Items"], book["BOM"], book["Demand"]
    _append(
        items,
        item="FG2",
        description="Second finished good",
        kind="make",
        work_center="WC1",
        run_time="1.5",
        setup_time=45,
        unit_cost="80",
        lead_time="1",
        lot_rule="ww",
    )
    _append(
        items,
        item="SA1",
        description="Sub-assembly",
        work_center="WC1",
        run_time=3,
        lead_time=2,
        lot_rule="POQ",
        lot_size="5",
    )
    _append(items, item="P2", kind="Buy", unit_cost="2.5", lead_time=10, on_hand="1000")
    _append(bom, parent="FG2", child="SA1", qty_per="1")
    _append(bom, parent="SA1", child="P2", qty_per=4)
    _append(bom, parent="SA1", child="P1", qty_per="0.5")
    _append(demand, item="FG2", date="2026-03-10", qty="12")
    _append(demand, item="FG2", date=datetime(2026, 3, 18), qty=30)
    _append(demand, item="FG2", date="2026-03-18", qty=8)
    _append(demand, item="FG1", date=datetime(2026, 3, 19), qty="5")
    book.save(path)


def test_filled_in_template_loads_what_was_entered(filled: Path) -> None:
    _fill_in(filled)
    result = read_workbook(filled)
    assert [str(issue) for issue in result.issues if issue.level is Level.ERROR] == []
    problem = result.problem
    assert problem is not None
    assert {item.code for item in problem.items} == {"FG1", "P1", "FG2", "SA1", "P2"}
    items = {item.code: item for item in problem.items}
    assert items["SA1"].kind is ItemKind.MAKE, "a work center makes it a make item"
    assert items["SA1"].lot_rule is LotRule.POQ
    assert items["SA1"].lot_size == 5
    assert items["FG2"].run_time == 1.5
    assert items["FG2"].lot_rule is LotRule.WW
    assert items["P2"].kind is ItemKind.BUY
    assert items["P2"].on_hand == 1000
    bom = {(line.parent, line.child): line.qty_per for line in problem.bom}
    assert bom == {("FG1", "P1"): 2, ("FG2", "SA1"): 1, ("SA1", "P2"): 4, ("SA1", "P1"): 0.5}
    assert problem.bom_depth == 3
    totals: Mapping[str, float] = {
        code: float(problem.demand[i].sum()) for code, i in problem.item_index.items()
    }
    assert totals == {"FG1": 225, "P1": 0, "FG2": 50, "SA1": 0, "P2": 0}
    fg2 = problem.item_index["FG2"]
    assert problem.demand[fg2, problem.day_index[date(2026, 3, 10)]] == 12
    assert problem.demand[fg2, problem.day_index[date(2026, 3, 18)]] == 38


# (f) a bad value is located -------------------------------------------------------------


def test_bad_kind_is_an_error_at_its_cell(filled: Path) -> None:
    book = openpyxl.load_workbook(filled)
    row = _append(book["Items"], item="X1", kind="maybe", unit_cost=1)
    _append(book["Demand"], item="X1", date="2026-03-10", qty=1)
    book.save(filled)
    result = read_workbook(filled)
    assert result.problem is None
    errors = [issue for issue in result.issues if issue.level is Level.ERROR]
    assert len(errors) == 1, [str(issue) for issue in errors]
    (error,) = errors
    assert (error.sheet, error.row, error.column) == ("Items", row, "kind")
    assert "maybe" in error.message


# Writing ------------------------------------------------------------------------------


def test_write_replaces_an_existing_file_and_leaves_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / "template.xlsx"
    target.write_text("not a workbook")
    write_template(str(target))
    assert [path.name for path in tmp_path.iterdir()] == ["template.xlsx"]
    assert openpyxl.load_workbook(target).sheetnames[0] == "README"
