"""One test per validation rule of the workbook reader."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from planner.workbook.issues import Level
from planner.workbook.reader import ReadResult, read_workbook
from tests.conftest import Sheets, only, write_sheets, xml_bomb

Read = Callable[[Sheets], ReadResult]
E, W = Level.ERROR, Level.WARNING


def test_base_plant_is_valid(read: Read, sheets: Sheets) -> None:
    result = read(sheets)
    assert result.errors == []
    assert result.problem is not None
    assert result.problem.n_items == 3
    assert result.problem.n_days == 10


# Structure ------------------------------------------------------------------


def test_missing_required_sheet(read: Read, sheets: Sheets) -> None:
    del sheets["Items"]
    issue = only(read(sheets).issues, E, "no sheet 'Items'")
    assert issue.sheet is None


def test_missing_work_centers_sheet_when_items_are_made(read: Read, sheets: Sheets) -> None:
    del sheets["WorkCenters"]
    only(read(sheets).issues, E, "no sheet 'WorkCenters'")


def test_missing_column(read: Read, sheets: Sheets) -> None:
    sheets["BOM"] = [["parent", "child"], ["FG1", "SA1"]]
    issue = only(read(sheets).issues, E, "column 'qty_per' is missing")
    assert (issue.sheet, issue.row, issue.column) == ("BOM", 1, "qty_per")


def test_empty_required_sheet(read: Read, sheets: Sheets) -> None:
    sheets["Items"] = []
    issue = only(read(sheets).issues, E, "is empty")
    assert issue.sheet == "Items"


def test_names_match_case_and_spacing_insensitively(read: Read, sheets: Sheets) -> None:
    sheets["ITEMS "] = sheets.pop("Items")
    sheets["ITEMS "][0] = [
        "Item",
        "KIND",
        "Work Center",
        "Run-Time",
        "setup time",
        "UNIT_COST",
        "Lead Time",
        "on hand",
        "lot rule",
        "LotSize",
    ]
    sheets["Work Centers"] = sheets.pop("WorkCenters")
    result = read(sheets)
    assert result.errors == []
    assert result.problem is not None
    assert result.problem.items[0].run_time == 2


# Keys and references ----------------------------------------------------------


def test_duplicate_item(read: Read, sheets: Sheets) -> None:
    sheets["Items"].append(["FG1", "buy", None, 0, 0, 1, 0, 0, "LFL", None])
    issue = only(read(sheets).issues, E, "item FG1 is listed again (first on row 2)")
    assert (issue.sheet, issue.row, issue.column) == ("Items", 5, "item")


def test_duplicate_work_center(read: Read, sheets: Sheets) -> None:
    sheets["WorkCenters"].append(["WC1", 300, 0, 0])
    issue = only(read(sheets).issues, E, "work center WC1 is listed again")
    assert (issue.sheet, issue.row) == ("WorkCenters", 3)


def test_duplicate_bom_line(read: Read, sheets: Sheets) -> None:
    sheets["BOM"].append(["FG1", "SA1", 3])
    issue = only(read(sheets).issues, E, "FG1 -> SA1 is listed again")
    assert (issue.sheet, issue.row) == ("BOM", 4)


def test_unknown_item_in_bom(read: Read, sheets: Sheets) -> None:
    sheets["BOM"].append(["FG1", "P9", 1])
    issue = only(read(sheets).issues, E, "child 'P9' is not an item")
    assert (issue.sheet, issue.row, issue.column, issue.cell) == ("BOM", 4, "child", "B4")


def test_unknown_item_in_demand(read: Read, sheets: Sheets) -> None:
    sheets["Demand"].append(["FG9", datetime(2026, 3, 5), 4])
    issue = only(read(sheets).issues, E, "item 'FG9' is not an item")
    assert (issue.sheet, issue.row, issue.column, issue.value) == ("Demand", 5, "item", "FG9")


def test_unknown_item_in_receipts(read: Read, sheets: Sheets) -> None:
    sheets["Receipts"] = [["item", "date", "qty"], ["P7", datetime(2026, 3, 3), 50]]
    issue = only(read(sheets).issues, E, "item 'P7' is not an item")
    assert (issue.sheet, issue.row) == ("Receipts", 2)


def test_unknown_item_in_attributes(read: Read, sheets: Sheets) -> None:
    sheets["Attributes"] = [["item", "attribute"], ["FG7", "heavy"]]
    issue = only(read(sheets).issues, E, "item 'FG7' is not an item")
    assert (issue.sheet, issue.row) == ("Attributes", 2)


def test_unknown_work_center_in_items(read: Read, sheets: Sheets) -> None:
    sheets["Items"][1][2] = "WC9"
    issue = only(read(sheets).issues, E, "names work center 'WC9'")
    assert (issue.sheet, issue.row, issue.column) == ("Items", 2, "work_center")


def test_unknown_work_center_in_calendar(read: Read, sheets: Sheets) -> None:
    sheets["Calendar"] = [["date", "work_center", "capacity"], [datetime(2026, 3, 3), "WCX", 0]]
    issue = only(read(sheets).issues, E, "work center 'WCX'")
    assert (issue.sheet, issue.row) == ("Calendar", 2)


def test_unknown_work_center_in_sequence_rules(read: Read, sheets: Sheets) -> None:
    sheets["SequenceRules"] = [
        ["attribute", "max_in_window", "window", "work_center"],
        ["heavy", 1, 3, "WCX"],
    ]
    only(read(sheets).issues, E, "work center 'WCX'")


def test_bom_cycle_is_printed(read: Read, sheets: Sheets) -> None:
    sheets["BOM"].append(["P1", "FG1", 1])
    issue = only(read(sheets).issues, E, "cycle")
    assert "FG1 -> SA1 -> P1 -> FG1" in issue.message
    assert "rows 2, 3, 4" in issue.message


def test_item_using_itself(read: Read, sheets: Sheets) -> None:
    sheets["BOM"].append(["SA1", "SA1", 1])
    only(read(sheets).issues, E, "SA1 -> SA1")


# Values -----------------------------------------------------------------------


def test_negative_number(read: Read, sheets: Sheets) -> None:
    sheets["Items"][3][7] = -5
    issue = only(read(sheets).issues, E, "on_hand -5")
    assert (issue.row, issue.column, issue.cell, issue.value) == (4, "on_hand", "H4", -5)
    assert "expected a number >= 0" in issue.message


def test_zero_where_positive(read: Read, sheets: Sheets) -> None:
    sheets["BOM"][1][2] = 0
    issue = only(read(sheets).issues, E, "qty_per 0")
    assert "expected a number > 0" in issue.message


def test_non_numeric(read: Read, sheets: Sheets) -> None:
    sheets["Items"][1][3] = "fast"
    issue = only(read(sheets).issues, E, "run_time 'fast' is not a number")
    assert issue.cell == "D2"


def test_numeric_text_is_a_number(read: Read, sheets: Sheets) -> None:
    sheets["Items"][1][3] = " 2.5 "
    result = read(sheets)
    assert result.problem is not None
    assert result.problem.items[0].run_time == 2.5


def test_unparseable_date(read: Read, sheets: Sheets) -> None:
    sheets["Demand"].append(["FG1", "next week", 3])
    issue = only(read(sheets).issues, E, "'next week' is not a date")
    assert (issue.sheet, issue.row, issue.column) == ("Demand", 5, "date")


def test_iso_text_dates_are_dates(read: Read, sheets: Sheets) -> None:
    sheets["Demand"].append(["FG1", "2026-03-05", 3])
    result = read(sheets)
    assert result.problem is not None
    assert result.problem.demand[0, 3] == 3


def test_invalid_kind(read: Read, sheets: Sheets) -> None:
    sheets["Items"][1][1] = "maybe"
    issue = only(read(sheets).issues, E, "kind 'maybe' is not allowed")
    assert "make, buy" in issue.message


def test_invalid_lot_rule(read: Read, sheets: Sheets) -> None:
    sheets["Items"][1][8] = "JIT"
    issue = only(read(sheets).issues, E, "lot_rule 'JIT' is not allowed")
    assert "LFL, FOQ, EOQ, POQ, WW, SM" in issue.message


def test_lot_rule_is_case_insensitive(read: Read, sheets: Sheets) -> None:
    sheets["Items"][1][8] = "ww"
    result = read(sheets)
    assert result.problem is not None
    assert result.problem.items[0].lot_rule == "WW"


def test_fractional_lead_time(read: Read, sheets: Sheets) -> None:
    sheets["Items"][1][6] = 1.5
    issue = only(read(sheets).issues, E, "lead_time 1.5 is fractional")
    assert "whole number" in issue.message


def test_foq_without_lot_size(read: Read, sheets: Sheets) -> None:
    sheets["Items"][2][9] = None
    issue = only(read(sheets).issues, E, "FOQ needs a lot_size")
    assert (issue.row, issue.column) == (3, "lot_size")


def test_make_item_without_work_center(read: Read, sheets: Sheets) -> None:
    sheets["Items"][1][2] = None
    issue = only(read(sheets).issues, E, "is make but has no work_center")
    assert (issue.row, issue.column) == (2, "work_center")


def test_kind_defaults_from_work_center(read: Read, sheets: Sheets) -> None:
    sheets["Items"][1][1] = None
    sheets["Items"][3][1] = None
    result = read(sheets)
    assert result.problem is not None
    assert [i.kind for i in result.problem.items] == ["make", "make", "buy"]


def test_buy_item_with_work_center_is_a_warning(read: Read, sheets: Sheets) -> None:
    sheets["Items"][3][2] = "WC1"
    result = read(sheets)
    only(result.issues, W, "its work_center 'WC1' is ignored")
    assert result.problem is not None


def test_invalid_workdays(read: Read, sheets: Sheets) -> None:
    sheets["Settings"].append(["workdays", "Mon-Funday"])
    issue = only(read(sheets).issues, E, "'Funday' is not a weekday")
    assert (issue.sheet, issue.row, issue.column) == ("Settings", 4, "value")


def test_start_after_end(read: Read, sheets: Sheets) -> None:
    sheets["Settings"][1][1] = datetime(2026, 4, 1)
    only(read(sheets).issues, E, "is after end_date")


def test_every_error_in_one_pass(read: Read, sheets: Sheets) -> None:
    sheets["Items"][1][6] = 1.5
    sheets["BOM"].append(["FG1", "P9", 1])
    sheets["Demand"].append(["FG1", "soon", 3])
    sheets["WorkCenters"][1][1] = -1
    result = read(sheets)
    assert len(result.errors) == 4
    assert {i.sheet for i in result.errors} == {"Items", "BOM", "Demand", "WorkCenters"}
    assert result.problem is None


def test_row_numbers_count_blank_rows(read: Read, sheets: Sheets) -> None:
    sheets["Demand"] += [[], [], ["FG1", datetime(2026, 3, 6), "many"]]
    issue = only(read(sheets).issues, E, "'many' is not a number")
    assert (issue.row, issue.cell) == (7, "C7")


# Files --------------------------------------------------------------------------


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    assert "is empty" in read_workbook(path).errors[0].message


def test_not_an_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "demand.xlsx"
    path.write_text("item,date,qty\nFG1,2026-03-02,5\n")
    assert "is not an Excel .xlsx workbook" in read_workbook(path).errors[0].message


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "letter.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert "not an Excel workbook" in read_workbook(path).errors[0].message


def test_corrupt_file(tmp_path: Path, sheets: Sheets) -> None:
    whole = write_sheets(tmp_path / "whole.xlsx", sheets).read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(whole[: len(whole) // 2])
    result = read_workbook(path)
    assert result.problem is None
    assert "corrupt" in result.errors[0].message


def test_password_protected(tmp_path: Path, sheets: Sheets) -> None:
    msoffcrypto = pytest.importorskip("msoffcrypto.format.ooxml")
    plain = write_sheets(tmp_path / "plain.xlsx", sheets)
    locked = tmp_path / "locked.xlsx"
    with plain.open("rb") as source, locked.open("wb") as target:
        msoffcrypto.OOXMLFile(source).encrypt("secret", target)
    assert "password-protected" in read_workbook(locked).errors[0].message


def test_damaged_old_office_file(tmp_path: Path) -> None:
    path = tmp_path / "damaged.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(511))
    result = read_workbook(path)
    assert result.problem is None
    assert "not .xlsx" in result.errors[0].message


def test_too_large(tmp_path: Path, sheets: Sheets) -> None:
    path = write_sheets(tmp_path / "plant.xlsx", sheets)
    message = read_workbook(path, max_bytes=1000).errors[0].message
    assert "over the limit" in message


def test_xml_bomb_is_refused(tmp_path: Path, sheets: Sheets) -> None:
    path = write_sheets(tmp_path / "plant.xlsx", sheets)
    result = read_workbook(xml_bomb(path, tmp_path / "bomb.xlsx"))
    assert result.problem is None
    assert "refused for safety" in result.errors[0].message


# Warnings -----------------------------------------------------------------------


def test_demand_outside_horizon(read: Read, sheets: Sheets) -> None:
    sheets["Demand"].append(["FG1", datetime(2026, 5, 1), 7])
    result = read(sheets)
    issue = only(result.issues, W, "outside the horizon")
    assert issue.row == 5
    assert "7 units" in issue.message
    assert result.problem is not None
    assert result.problem.demand.sum() == 30


def test_formula_without_cached_value(read: Read, sheets: Sheets) -> None:
    sheets["Demand"].append(["FG1", datetime(2026, 3, 9), "=2*3"])
    result = read(sheets)
    issue = only(result.issues, W, "formula without a computed value")
    assert issue.cell == "C5"


def test_unused_item(read: Read, sheets: Sheets) -> None:
    sheets["Items"].append(["OLD", "buy", None, 0, 0, 1, 0, 0, "LFL", None])
    issue = only(read(sheets).issues, W, "item OLD has no demand and is not in the BOM")
    assert issue.row == 5


def test_ignored_column_and_sheet(read: Read, sheets: Sheets) -> None:
    sheets["Items"][0].append("colour")
    sheets["Notes"] = [["anything"]]
    result = read(sheets)
    assert only(result.issues, W, "column 'colour'").cell == "K1"
    only(result.issues, W, "sheet 'Notes'")
    assert result.problem is not None


def test_unknown_setting(read: Read, sheets: Sheets) -> None:
    sheets["Settings"].append(["solver", "cbc"])
    only(read(sheets).issues, W, "setting 'solver' is unknown")


def test_rule_that_never_binds(read: Read, sheets: Sheets) -> None:
    sheets["Attributes"] = [["item", "attribute"], ["FG1", "heavy"]]
    sheets["SequenceRules"] = [["attribute", "max_in_window", "window"], ["heavy", 3, 3]]
    result = read(sheets)
    only(result.issues, W, "never binds")
    assert result.problem is not None
    assert result.problem.sequence_rules[0].window == 3


# Demand forms, calendar and settings --------------------------------------------


def test_wide_demand_equals_long_demand(read: Read, sheets: Sheets) -> None:
    long = read(sheets).problem
    sheets["Demand"] = [
        ["item", datetime(2026, 3, 2), "2026-03-04", datetime(2026, 3, 13), "note"],
        ["FG1", 10, 12, 8, None],
    ]
    result = read(sheets)
    assert result.problem == long
    only(result.issues, W, "header 'note' is not a date")


def test_repeated_demand_rows_are_summed(read: Read, sheets: Sheets) -> None:
    sheets["Demand"].append(["FG1", datetime(2026, 3, 2), 5])
    result = read(sheets)
    assert result.problem is not None
    assert result.problem.demand[0, 0] == 15


def test_weekend_demand_is_due_the_previous_working_day(read: Read, sheets: Sheets) -> None:
    sheets["Demand"].append(["FG1", datetime(2026, 3, 8), 4])
    result = read(sheets)
    assert result.problem is not None
    friday = result.problem.day_index[date(2026, 3, 6)]
    assert result.problem.demand[0, friday] == 4


def test_weekend_receipt_arrives_the_next_working_day(read: Read, sheets: Sheets) -> None:
    sheets["Receipts"] = [["item", "date", "qty"], ["P1", datetime(2026, 3, 7), 50]]
    result = read(sheets)
    assert result.problem is not None
    monday = result.problem.day_index[date(2026, 3, 9)]
    assert result.problem.receipts[2, monday] == 50


def test_calendar_holiday_extra_day_and_capacity(read: Read, sheets: Sheets) -> None:
    sheets["Calendar"] = [
        ["date", "work_center", "capacity"],
        [datetime(2026, 3, 3), None, 0],
        [datetime(2026, 3, 7), None, 240],
        [datetime(2026, 3, 10), "WC1", 0],
        [datetime(2026, 3, 11), "WC1", 300],
    ]
    problem = read(sheets).problem
    assert problem is not None
    assert date(2026, 3, 3) not in problem.day_index
    saturday = problem.day_index[date(2026, 3, 7)]
    assert problem.capacity[0, saturday] == 240
    closed = problem.day_index[date(2026, 3, 10)]
    assert (problem.capacity[0, closed], problem.overtime_capacity[0, closed]) == (0, 0)
    assert problem.capacity[0, problem.day_index[date(2026, 3, 11)]] == 300
    assert problem.n_days == 10


def test_workdays_setting(read: Read, sheets: Sheets) -> None:
    sheets["Settings"].append(["workdays", "Mon-Sat"])
    problem = read(sheets).problem
    assert problem is not None
    assert problem.n_days == 11


def test_horizon_defaults_to_demand_dates(read: Read, sheets: Sheets) -> None:
    del sheets["Settings"]
    problem = read(sheets).problem
    assert problem is not None
    assert (problem.days[0], problem.days[-1]) == (date(2026, 3, 2), date(2026, 3, 13))


def test_settings_defaults_and_values(read: Read, sheets: Sheets) -> None:
    sheets["Settings"] += [["carrying_rate", "0.5"], ["time_limit", 30], ["mip_gap", None]]
    problem = read(sheets).problem
    assert problem is not None
    assert problem.settings.carrying_rate == 0.5
    assert problem.settings.time_limit == 30
    assert problem.settings.mip_gap == 0.01
    assert problem.holding_cost[0] == pytest.approx(50 * 0.5 / 250)
    assert problem.backlog_cost[0] == pytest.approx(max(1.0, 10 * 50 * 0.5 / 250))


def test_numeric_codes_match_text_codes(read: Read, sheets: Sheets) -> None:
    sheets["Items"].append([1001, "buy", None, 0, 0, 1, 0, 0, "LFL", None])
    sheets["BOM"].append(["FG1", "1001", 1])
    result = read(sheets)
    assert result.errors == []
    assert result.problem is not None
    assert "1001" in result.problem.item_index


def test_reads_a_workbook_saved_with_openpyxl_defaults(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Items"
    sheet.append(["item"])
    sheet.append(["A"])
    book.create_sheet("BOM").append(["parent", "child", "qty_per"])
    demand = book.create_sheet("Demand")
    demand.append(["item", "date", "qty"])
    demand.append(["A", "2026-01-05", 1])
    path = tmp_path / "minimal.xlsx"
    book.save(path)
    result = read_workbook(path)
    assert result.errors == []
    assert result.problem is not None
    assert result.problem.items[0].kind == "buy"


def test_unknown_codes_suggest_the_closest_known_one(read: Read, sheets: Sheets) -> None:
    sheets["BOM"].append(["fg1", "P1", 1])
    sheets["Items"][2][2] = "WC 1"
    issues = read(sheets).issues
    assert "(did you mean 'FG1'?)" in only(issues, E, "parent 'fg1'").message
    assert "(did you mean 'WC1'?)" in only(issues, E, "work center 'WC 1'").message
