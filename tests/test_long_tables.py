"""Long tables on worksheets: typed cells, and numbered sheets past Excel's last row."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from pytest import approx

from planner.cli import EXIT_FAILURE, EXIT_OK
from planner.report import long_tables
from planner.report.long_tables import continuation_note, sheet_titles, write_long_table
from planner.report.results_workbook import write_results_workbook
from planner.report.table_files import TABLES
from planner.results import Comparison
from tests.test_cli import run
from tests.test_report import hand_result, tiny_problem

DATA = Path(__file__).resolve().parent.parent / "data"


def write(frame: pd.DataFrame, path: Path, sheet_rows: int | None = None) -> list[str]:
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    bold = workbook.add_format({"bold": True})
    dates = workbook.add_format({"num_format": "yyyy-mm-dd"})
    titles = write_long_table(workbook, "Table", frame, bold, dates, sheet_rows=sheet_rows)
    workbook.close()
    return titles


def body(sheet: Any) -> list[list[Any]]:
    return [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_titles_continue_with_numbers_only_past_the_last_row() -> None:
    assert sheet_titles("Inventory", 0) == ["Inventory"]
    assert sheet_titles("Inventory", 1_048_575) == ["Inventory"]
    assert sheet_titles("Inventory", 1_048_576) == ["Inventory", "Inventory (2)"]
    assert sheet_titles("Inventory", 7, sheet_rows=4) == [
        "Inventory",
        "Inventory (2)",
        "Inventory (3)",
    ]
    assert continuation_note("Inventory", 6, sheet_rows=4) == (
        "Inventory has 6 rows, more than one Excel sheet holds (3 below the header): "
        "it continues on Inventory (2)"
    )
    assert "on Inventory (2) and Inventory (3)" in str(continuation_note("Inventory", 7, 4))
    assert continuation_note("Inventory", 3, sheet_rows=4) is None


def test_a_table_past_the_last_row_continues_whole_on_numbered_sheets(tmp_path: Path) -> None:
    frame = pd.DataFrame({"n": range(7), "x": np.arange(7) / 2})
    titles = write(frame, tmp_path / "t.xlsx", sheet_rows=4)
    book = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert book.sheetnames == titles == ["Table", "Table (2)", "Table (3)"]
    parts = [body(book[title]) for title in titles]
    assert [len(part) for part in parts] == [3, 3, 1]
    assert [row for part in parts for row in part] == [[n, n / 2] for n in range(7)]
    for title in titles:
        sheet = book[title]
        assert [cell.value for cell in sheet[1]] == ["n", "x"]
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:B{sheet.max_row}"


def test_cells_keep_their_types(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "day": [date(2026, 3, 2), None, date(2026, 12, 31)],
            "moment": pd.to_datetime([datetime(2026, 3, 2, 6), datetime(2026, 3, 3), None]),
            "qty": [1.5, float("nan"), float("inf")],
            "count": np.array([1, 2, 3], dtype=np.int64),
            "text": ["=1+1", "a\x01b", None],
            "mixed": ["x", 2.5, date(2026, 3, 4)],
        }
    )
    write(frame, tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx")["Table"]
    assert body(sheet) == [
        [datetime(2026, 3, 2), datetime(2026, 3, 2, 6), 1.5, 1, "=1+1", "x"],
        [None, datetime(2026, 3, 3), None, 2, "ab", 2.5],
        [datetime(2026, 12, 31), None, None, 3, None, datetime(2026, 3, 4)],
    ]
    assert sheet["A2"].number_format == "yyyy-mm-dd"
    assert sheet["E2"].data_type == "s"


def test_the_results_workbook_continues_a_long_sheet_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem = tiny_problem()
    comparison = Comparison(problem, {"mrp": hand_result(problem, "mrp", 0.0)})
    rows = problem.n_items * problem.n_days
    monkeypatch.setattr(long_tables, "EXCEL_ROWS", (rows + 1) // 2 + 1)
    write_results_workbook(comparison, tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert book.sheetnames[2:4] == ["Inventory", "Inventory (2)"]
    inventory = body(book["Inventory"]) + body(book["Inventory (2)"])
    assert len(inventory) == rows
    expected = [
        [name, item, datetime(day.year, day.month, day.day), approx(on_hand), approx(backlog)]
        for name, item, day, on_hand, backlog in comparison.inventory().itertuples(index=False)
    ]
    assert inventory == expected
    first = body(book["Messages"])[0]
    assert first[0] == "info"
    assert f"Inventory has {rows} rows" in first[4]
    assert "continues on Inventory (2)" in first[4]


def test_compare_writes_every_long_sheet_as_parquet_as_well(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, folder = tmp_path / "plan.xlsx", tmp_path / "tables"
    workbook = str(DATA / "example_small.xlsx")
    arguments = ["compare", workbook, "--strategies", "mrp,heijunka", "--out", str(out)]
    code, printed, _ = run([*arguments, "--tables", str(folder)], capsys)
    assert code == EXIT_OK
    assert f"Wrote {len(TABLES)} Parquet tables in {folder}" in printed
    assert "Buffers" in TABLES
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{t}.parquet" for t in TABLES)
    sheets = pd.read_excel(out, sheet_name=None, engine="calamine")
    for title in TABLES:
        table = pd.read_parquet(folder / f"{title}.parquet")
        sheet = sheets[title]
        assert list(table.columns) == list(sheet.columns)
        assert len(table) == len(sheet)
    inventory = pd.read_parquet(folder / "Inventory.parquet")
    assert isinstance(inventory["date"].iloc[0], date)
    assert inventory["date"].tolist() == [d.date() for d in sheets["Inventory"]["date"]]
    pegging = pd.read_parquet(folder / "Pegging.parquet")
    assert pegging["demand_item"].isna().any() and pegging["demand_item"].notna().any()


def test_a_column_of_unhashable_values_is_written_as_text(tmp_path: Path) -> None:
    frame = pd.DataFrame({"values": [[1, 2], None, {"a": 1}]})
    write(frame, tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx")["Table"]
    assert body(sheet) == [["[1, 2]"], [None], ["{'a': 1}"]]


def test_tables_naming_a_file_stop_before_planning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    taken = tmp_path / "tables"
    taken.write_text("not a folder")
    workbook = str(DATA / "example_small.xlsx")
    code, printed, err = run(["compare", workbook, "--tables", str(taken)], capsys)
    assert code == EXIT_FAILURE
    assert "is a file: give a folder" in " ".join(err.split())
    assert "Traceback" not in err and "plans compared" not in printed
