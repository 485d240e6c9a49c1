"""The long tables, the output workbook and the summary JSON of a comparison."""

from __future__ import annotations

import dataclasses
import json
import math
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest

from models.calendar import Calendar
from models.plan import KanbanLoop, MessageLevel, Plan, PlanMessage, SolveStatus
from models.problem import BomLine, Item, ItemKind, Problem, WorkCenter
from planner import tables
from planner.evaluation import (
    Evaluation,
    Peg,
    PegKind,
    StrategyResult,
    Violation,
    ViolationKind,
    evaluate,
)
from planner.instances import large_plant, small_plant
from planner.report.results_workbook import SHEETS, write_results_workbook
from planner.report.summary_json import summary, write_summary_json
from planner.results import Comparison

SPEC_COLUMNS = {
    "BuildPlan": ["strategy", "item", "work_center", "start_date", "due_date", "qty"],
    "Inventory": ["strategy", "item", "date", "on_hand", "backlog"],
    "Load": ["strategy", "work_center", "date", "load", "capacity", "overtime", "overload"],
    "Sequence": ["strategy", "date", "work_center", "position", "item", "qty"],
    "Kanban": ["item", "container_qty", "cards", "max_inventory"],
    "Messages": ["level", "strategy", "item", "date", "message"],
}
SPEC_NUMBERS = (
    "total_cost",
    "setup_cost",
    "holding_cost",
    "backlog_cost",
    "overtime_cost",
    "setups",
    "avg_inventory_units",
    "avg_inventory_value",
    "peak_inventory_value",
    "backlog_unit_days",
    "fill_rate",
    "overload_minutes",
    "max_utilization",
    "solve_seconds",
)
MONDAY = date(2026, 3, 2)


def close_to(value: Any) -> Any:
    """``value`` itself, or for numbers an approximate match (Excel keeps 15-17 digits)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return pytest.approx(value, rel=1e-14)
    return value


def tiny_problem() -> Problem:
    """One week, Monday to Friday: a finished good, its sub-assembly and a bought part."""
    items = (
        Item("FG1", work_center="WC1", run_time=2, setup_time=30, setup_cost=40, lead_time=1),
        Item("SA1", work_center="WC1", run_time=1, setup_time=20, lead_time=2),
        Item("P1", kind=ItemKind.BUY, unit_cost=5, lead_time=3, on_hand=100),
    )
    demand = [("FG1", MONDAY, 10.0), ("FG1", date(2026, 3, 4), 12.0)]
    return Problem.from_records(
        items,
        demand,
        calendar=Calendar(MONDAY, date(2026, 3, 6)),
        work_centers=(WorkCenter("WC1", capacity=480, overtime_capacity=60),),
        bom=(BomLine("FG1", "SA1", 1), BomLine("SA1", "P1", 2)),
        name="tiny",
    )


def hand_result(problem: Problem, strategy: str, offset: float) -> StrategyResult:
    """A plan and an evaluation made up by hand, with values that are easy to check."""
    n_items, n_days = problem.n_items, problem.n_days
    starts = np.zeros((n_items, n_days))
    starts[0, 0] = 10.0
    starts[1, 4] = 6.5
    starts[2, 3] = 40.0
    starts[2, 4] = 1e-12
    plan = Plan(
        strategy,
        starts,
        SolveStatus.TIME_LIMIT,
        sequences={(0, 1): ((0, 5.0), (1, 10.0), (0, 7.0)), (0, 0): ((1, 3.0),)},
        bound=900.0,
        gap=0.05,
        seconds=1.25,
        messages=(PlanMessage(MessageLevel.WARNING, "=1+1", item=0, day=2),),
    )
    inventory = np.arange(n_items * n_days, dtype=float).reshape(n_items, n_days) + offset
    inventory[1, 1] = 0.1 + 0.2
    inventory[2, 2] = 1 / 3
    backlog = np.zeros((n_items, n_days))
    backlog[0, 3] = 2.5
    load = np.array([[500.0, 100.0, 0.0, 250.5, 0.0]])
    kpis: dict[str, Any] = {
        "total_cost": np.float64(1234.5),
        "setup_cost": 80.0,
        "holding_cost": 0.1 + 0.2,
        "backlog_cost": 0.0,
        "overtime_cost": 20.0,
        "setups": np.int64(3),
        "avg_inventory_units": 12.5,
        "avg_inventory_value": 1500.25,
        "peak_inventory_value": 2000.0,
        "backlog_unit_days": 2.5,
        "fill_rate": 0.95,
        "overload_minutes": 0.0,
        "max_utilization": 1.0416666666666667,
        "solve_seconds": 1.25,
        "status": SolveStatus.TIME_LIMIT,
        "bound": 900.0,
        "gap": 0.05,
        "late_units": float("nan"),
        "extra_" + strategy: float("inf"),
    }
    evaluation = Evaluation(
        strategy=strategy,
        kpis=kpis,
        inventory=inventory,
        backlog=backlog,
        on_time=np.zeros((n_items, n_days)),
        dependent_demand=np.zeros((n_items, n_days)),
        setups=(starts > 0).astype(np.int64),
        load=load,
        overtime=np.maximum(load - 480.0, 0.0),
        overload=np.zeros_like(load),
        violations=(
            Violation(
                ViolationKind.OVERLOAD,
                date(2026, 3, 5),
                30.0,
                "WC1 is overloaded",
                work_center="WC1",
            ),
        ),
        messages=(PlanMessage(MessageLevel.INFO, "checked", day=0, work_center=0),),
    )
    pegging = (
        Peg(0, 0, 10.0, 10.0, PegKind.DEMAND, demand_item=0, demand_day=1),
        Peg(2, 3, 40.0, 12.0, PegKind.SURPLUS),
    )
    return StrategyResult(plan, evaluation, pegging)


@pytest.fixture
def comparison() -> Comparison:
    problem = tiny_problem()
    return Comparison(
        problem,
        {"mrp": hand_result(problem, "mrp", 0.0), "batch": hand_result(problem, "batch", 0.5)},
    )


@pytest.fixture
def evaluated() -> Comparison:
    """The small plant planned lot for lot by hand (late, with shortages) and evaluated."""
    problem = small_plant()
    starts = np.zeros((problem.n_items, problem.n_days))
    starts[:4, :-1] = problem.demand[:4, 1:]
    starts[4, ::3] = 40.0
    starts[5, 2] = 500.0
    plan = Plan("mrp", starts, SolveStatus.HEURISTIC, seconds=0.5)
    return Comparison(problem, {"mrp": StrategyResult(plan, evaluate(problem, plan))})


def rows(sheet: Any) -> list[list[Any]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def records(sheet: Any) -> list[dict[str, Any]]:
    header, *body = rows(sheet)
    return [dict(zip(header, row, strict=True)) for row in body]


@pytest.fixture
def workbook(comparison: Comparison, tmp_path: Path) -> openpyxl.Workbook:
    path = tmp_path / "results.xlsx"
    write_results_workbook(comparison, path)
    return openpyxl.load_workbook(path)


# Tables -----------------------------------------------------------------------


def test_frames_have_the_contract_columns(comparison: Comparison) -> None:
    assert list(tables.FRAMES) == list(SHEETS)
    assert list(tables.summary_frame(comparison).columns) == ["kpi", "mrp", "batch"]
    for title, columns in SPEC_COLUMNS.items():
        assert list(tables.FRAMES[title](comparison).columns)[: len(columns)] == columns


def test_summary_frame_lists_every_kpi_once_in_first_seen_order(comparison: Comparison) -> None:
    frame = tables.summary_frame(comparison).set_index("kpi")
    assert list(frame.index[:17]) == [*SPEC_NUMBERS, "status", "bound", "gap"]
    assert list(frame.index[17:]) == [
        "late_units",
        "extra_mrp",
        "feasible",
        "safety_cost",
        "end_backlog_cost",
        "rule_violations",
        "end_inventory_value",
        "avg_wip_value",
        "extra_batch",
    ], "the contract's KPIs a plan's evaluation lacks follow its own, blank"
    assert frame.loc["status", "mrp"] == "time_limit"
    assert frame.loc["setups", "batch"] == 3
    assert type(frame.loc["setups", "batch"]) is int
    assert frame.loc["extra_mrp", "batch"] is None


def test_inventory_frame_holds_every_item_day_in_order(comparison: Comparison) -> None:
    problem = comparison.problem
    frame = tables.inventory_frame(comparison)
    n = problem.n_items * problem.n_days
    assert len(frame) == 2 * n
    mrp = frame.iloc[:n]
    evaluation = comparison.results["mrp"].evaluation
    assert mrp["on_hand"].to_numpy().reshape(problem.n_items, -1).tolist() == (
        evaluation.inventory.tolist()
    )
    assert mrp["backlog"].to_numpy().reshape(problem.n_items, -1).tolist() == (
        evaluation.backlog.tolist()
    )
    assert list(mrp["item"].iloc[: problem.n_days + 1]) == ["FG1"] * problem.n_days + ["SA1"]
    assert list(mrp["date"].iloc[: problem.n_days]) == list(problem.days)
    assert all(type(day) is date for day in frame["date"])
    assert set(frame["strategy"].iloc[n:]) == {"batch"}


def test_build_plan_lists_orders_with_due_dates_past_the_horizon(
    comparison: Comparison,
) -> None:
    frame = tables.build_plan_frame(comparison)
    mrp = frame[frame["strategy"] == "mrp"]
    assert mrp.to_dict("records") == [
        {
            "strategy": "mrp",
            "item": "FG1",
            "work_center": "WC1",
            "start_date": MONDAY,
            "due_date": date(2026, 3, 3),
            "qty": 10.0,
        },
        {
            "strategy": "mrp",
            "item": "P1",
            "work_center": None,
            "start_date": date(2026, 3, 5),
            "due_date": date(2026, 3, 10),
            "qty": 40.0,
        },
        {
            "strategy": "mrp",
            "item": "SA1",
            "work_center": "WC1",
            "start_date": date(2026, 3, 6),
            "due_date": date(2026, 3, 10),
            "qty": 6.5,
        },
    ]


def test_build_plan_skips_holidays_in_due_dates() -> None:
    problem = small_plant()
    starts = np.zeros((problem.n_items, problem.n_days))
    thursday = problem.day_index[date(2026, 3, 19)]
    starts[problem.item_index["P02"], thursday] = 30.0
    starts[problem.item_index["P05"], problem.n_days - 1] = 5.0
    plan = Plan("mrp", starts, SolveStatus.HEURISTIC)
    result = StrategyResult(plan, evaluate(problem, plan))
    frame = tables.build_plan_frame(Comparison(problem, {"mrp": result}))
    due = dict(zip(frame["item"], frame["due_date"], strict=True))
    assert due["P02"] == date(2026, 3, 26)
    assert due["P05"] == problem.date_of(problem.n_days - 1 + 7) == date(2026, 4, 8)


def test_load_frame_has_capacity_and_minutes(comparison: Comparison) -> None:
    frame = tables.load_frame(comparison)
    mrp = frame[frame["strategy"] == "mrp"]
    assert mrp["load"].tolist() == [500.0, 100.0, 0.0, 250.5, 0.0]
    assert mrp["overtime"].tolist() == [20.0, 0.0, 0.0, 0.0, 0.0]
    assert mrp["capacity"].tolist() == [480.0] * 5
    assert set(mrp["work_center"]) == {"WC1"}


def test_sequence_positions_count_from_one_by_day(comparison: Comparison) -> None:
    frame = tables.sequence_frame(comparison)
    mrp = frame[frame["strategy"] == "mrp"]
    assert mrp[["date", "position", "item", "qty"]].values.tolist() == [
        [MONDAY, 1, "SA1", 3.0],
        [date(2026, 3, 3), 1, "FG1", 5.0],
        [date(2026, 3, 3), 2, "SA1", 10.0],
        [date(2026, 3, 3), 3, "FG1", 7.0],
    ]
    assert len(frame) == 8


def test_tables_without_sequences_kanban_or_pegging_are_empty_with_columns() -> None:
    problem = tiny_problem()
    plan = Plan("mrp", np.zeros((problem.n_items, problem.n_days)), SolveStatus.HEURISTIC)
    result = StrategyResult(plan, evaluate(problem, plan))
    comparison = Comparison(problem, {"mrp": result})
    for build, columns in (
        (tables.sequence_frame, SPEC_COLUMNS["Sequence"]),
        (tables.kanban_frame, SPEC_COLUMNS["Kanban"]),
        (tables.pegging_frame, list(tables.PEGGING_COLUMNS)),
        (tables.build_plan_frame, SPEC_COLUMNS["BuildPlan"]),
    ):
        frame = build(comparison)
        assert frame.empty
        assert list(frame.columns)[: len(columns)] == columns


def test_kanban_frame_reads_the_loops_of_a_plan(comparison: Comparison) -> None:
    mrp = comparison.results["mrp"]
    loop = KanbanLoop(0, 10.0, 3, 30.0, 4.5, 2, 1, 20.0, 28.0, 4.5, 9.0, 6.2, 1)
    plan = dataclasses.replace(mrp.plan, strategy="heijunka", kanban=(loop,))
    pull = StrategyResult(plan, mrp.evaluation)
    frame = tables.kanban_frame(Comparison(comparison.problem, {"mrp": mrp, "heijunka": pull}))
    assert frame.to_dict("records") == [
        {
            "item": "FG1",
            "container_qty": 10.0,
            "cards": 3,
            "max_inventory": 30.0,
            "daily_usage": 4.5,
            "lead_time": 2,
            "interval_days": 1,
            "trigger_level": 20.0,
            "peak_inventory": 28.0,
            "cycle_stock": 4.5,
            "lead_time_stock": 9.0,
            "safety_stock": 6.2,
            "lot_containers": 1,
        }
    ]


def test_messages_come_from_plan_evaluation_and_violations(comparison: Comparison) -> None:
    frame = tables.messages_frame(comparison)
    assert frame[frame["strategy"] == "mrp"].to_dict("records") == [
        {
            "level": "warning",
            "strategy": "mrp",
            "item": "FG1",
            "date": date(2026, 3, 4),
            "message": "=1+1",
        },
        {"level": "info", "strategy": "mrp", "item": None, "date": MONDAY, "message": "checked"},
        {
            "level": "error",
            "strategy": "mrp",
            "item": None,
            "date": date(2026, 3, 5),
            "message": "WC1 is overloaded",
        },
    ]


def test_pegging_and_violations_frames(comparison: Comparison) -> None:
    pegs = tables.pegging_frame(comparison)
    assert pegs.iloc[:2].to_dict("records") == [
        {
            "strategy": "mrp",
            "item": "FG1",
            "start_date": MONDAY,
            "order_qty": 10.0,
            "pegged_qty": 10.0,
            "serves": "demand",
            "demand_item": "FG1",
            "demand_date": date(2026, 3, 3),
        },
        {
            "strategy": "mrp",
            "item": "P1",
            "start_date": date(2026, 3, 5),
            "order_qty": 40.0,
            "pegged_qty": 12.0,
            "serves": "surplus",
            "demand_item": None,
            "demand_date": None,
        },
    ]
    violations = tables.violations_frame(comparison)
    assert violations.iloc[0].to_dict() == {
        "strategy": "mrp",
        "kind": "overload",
        "item": None,
        "work_center": "WC1",
        "date": date(2026, 3, 5),
        "size": 30.0,
        "message": "WC1 is overloaded",
    }


def test_inventory_frame_of_a_large_plant_builds_fast() -> None:
    problem = large_plant(n_demand_rows=2000)
    shape = (problem.n_items, problem.n_days)
    centers = (len(problem.work_centers), problem.n_days)
    plan = Plan("mrp", np.zeros(shape), SolveStatus.HEURISTIC)
    zeros, loads = np.zeros(shape), np.zeros(centers)
    evaluation = Evaluation(
        "mrp", {}, zeros, zeros, zeros, zeros, zeros.astype(np.int64), loads, loads, loads, (), ()
    )
    comparison = Comparison(problem, {"mrp": StrategyResult(plan, evaluation)})
    start = time.perf_counter()
    frame = tables.inventory_frame(comparison)
    assert time.perf_counter() - start < 0.5
    assert len(frame) == 1300 * 120


# Workbook ---------------------------------------------------------------------


def test_workbook_has_the_contract_sheets_and_columns_in_order(
    workbook: openpyxl.Workbook,
) -> None:
    assert workbook.sheetnames[: len(SHEETS)] == list(SHEETS)
    assert SHEETS[:7] == ("Summary", *SPEC_COLUMNS)
    assert rows(workbook["Summary"])[0][:3] == ["kpi", "mrp", "batch"]
    for title, columns in SPEC_COLUMNS.items():
        assert rows(workbook[title])[0][: len(columns)] == columns
    for title in SHEETS:
        sheet = workbook[title]
        header = sheet[1][:3] if title == "Summary" else sheet[1]
        assert all(cell.font.bold for cell in header if cell.value is not None)
        assert sheet.freeze_panes in ("A2", "B2")
        if title != "Summary":
            assert sheet.auto_filter.ref.startswith("A1:")


def test_workbook_dates_are_excel_dates(workbook: openpyxl.Workbook) -> None:
    for title, column in (("Inventory", "C"), ("BuildPlan", "D"), ("BuildPlan", "E")):
        cells = workbook[title][column][1:]
        assert cells
        for cell in cells:
            assert cell.is_date
            assert cell.number_format == "yyyy-mm-dd"
            assert isinstance(cell.value, datetime)
    due = [row["due_date"].date() for row in records(workbook["BuildPlan"])]
    assert date(2026, 3, 10) in due


def test_inventory_sheet_reads_back(comparison: Comparison, workbook: openpyxl.Workbook) -> None:
    problem = comparison.problem
    read = records(workbook["Inventory"])
    assert len(read) == 2 * problem.n_items * problem.n_days
    for k, name in enumerate(comparison.strategies):
        evaluation = comparison.results[name].evaluation
        block = read[k * problem.n_items * problem.n_days :][: problem.n_items * problem.n_days]
        assert {row["strategy"] for row in block} == {name}
        on_hand = np.array([row["on_hand"] for row in block]).reshape(problem.n_items, -1)
        backlog = np.array([row["backlog"] for row in block]).reshape(problem.n_items, -1)
        np.testing.assert_allclose(on_hand, evaluation.inventory, rtol=1e-14)
        np.testing.assert_allclose(backlog, evaluation.backlog, rtol=1e-14)
        first = block[0]
        assert (first["item"], first["date"].date()) == ("FG1", MONDAY)


def test_text_that_looks_like_a_formula_stays_text(workbook: openpyxl.Workbook) -> None:
    sheet = workbook["Messages"]
    cells = [row[4] for row in sheet.iter_rows(min_row=2) if row[4].value == "=1+1"]
    assert len(cells) == 2
    assert all(cell.data_type == "s" for cell in cells)


def test_sequence_and_kanban_sheets(workbook: openpyxl.Workbook) -> None:
    sequence = records(workbook["Sequence"])
    assert [row["position"] for row in sequence[:4]] == [1, 1, 2, 3]
    assert rows(workbook["Kanban"]) == [list(tables.KANBAN_COLUMNS)]


def test_summary_sheet_matches_the_json(
    comparison: Comparison, workbook: openpyxl.Workbook
) -> None:
    document = summary(comparison)
    sheet = workbook["Summary"]
    read = {row[0]: dict(zip(["mrp", "batch"], row[1:3], strict=True)) for row in rows(sheet)[1:]}
    assert list(read) == [*document["strategies"]["mrp"], "extra_batch"]
    for name, kpis in document["strategies"].items():
        for kpi, value in kpis.items():
            assert read[kpi][name] == close_to(value), (name, kpi)
    assert read["holding_cost"]["mrp"] == pytest.approx(0.1 + 0.2, rel=1e-14)
    assert read["late_units"]["mrp"] is None
    assert read["extra_mrp"]["mrp"] is None
    formats = {row[0].value: row[1].number_format for row in sheet.iter_rows(min_row=2)}
    assert formats["total_cost"] == "#,##0.00"
    assert formats["fill_rate"].endswith("%")
    assert formats["max_utilization"].endswith("%")


def test_evaluated_plan_reads_back(evaluated: Comparison, tmp_path: Path) -> None:
    path = tmp_path / "results.xlsx"
    write_results_workbook(evaluated, path)
    book = openpyxl.load_workbook(path, read_only=True)
    problem = evaluated.problem
    evaluation = evaluated.results["mrp"].evaluation
    inventory = records(book["Inventory"])
    close = {"rtol": 1e-14, "atol": 1e-12}
    np.testing.assert_allclose(
        [r["on_hand"] for r in inventory], evaluation.inventory.ravel(), **close
    )
    np.testing.assert_allclose(
        [r["backlog"] for r in inventory], evaluation.backlog.ravel(), **close
    )
    load = records(book["Load"])
    np.testing.assert_allclose([r["load"] for r in load], evaluation.load.ravel(), **close)
    np.testing.assert_allclose([r["overload"] for r in load], evaluation.overload.ravel(), **close)
    messages = records(book["Messages"])
    assert len(messages) == len(evaluation.messages) + len(evaluation.violations)
    assert {r["level"] for r in messages} <= {"info", "warning", "error"}
    summary_rows = {row[0]: row[1] for row in rows(book["Summary"])[1:]}
    expected = summary(evaluated)["strategies"]["mrp"]
    assert summary_rows == {key: close_to(value) for key, value in expected.items()}
    build = records(book["BuildPlan"])
    lead = {item.code: item.lead_time for item in problem.items}
    for row in build:
        start = problem.day_index[row["start_date"].date()]
        assert row["due_date"].date() == problem.date_of(start + lead[row["item"]])
    book.close()


# Summary JSON -----------------------------------------------------------------


def test_json_has_every_contract_key(comparison: Comparison, tmp_path: Path) -> None:
    path = tmp_path / "summary.json"
    write_summary_json(comparison, path)
    document = json.loads(path.read_text(encoding="utf-8"))
    json.dumps(document, allow_nan=False)
    assert document == summary(comparison)
    assert list(document["strategies"]) == ["mrp", "batch"]
    for kpis in document["strategies"].values():
        for key in SPEC_NUMBERS:
            assert isinstance(kpis[key], int | float), key
            assert not isinstance(kpis[key], bool)
        assert kpis["status"] == "time_limit"
        assert (kpis["bound"], kpis["gap"]) == (900.0, 0.05)
        assert kpis["late_units"] is None
    assert document["horizon"] == {"start": "2026-03-02", "end": "2026-03-06", "days": 5}
    assert document["plant"] == {"name": "tiny", "items": 3, "work_centers": 1, "bom_lines": 2}
    assert document["violations"] == {"mrp": {"overload": 1}, "batch": {"overload": 1}}
    assert document["messages"]["mrp"] == {"warning": 1, "info": 1}


def test_json_of_an_evaluated_plan(evaluated: Comparison) -> None:
    document = summary(evaluated)
    text = json.dumps(document, allow_nan=False)
    kpis = json.loads(text)["strategies"]["mrp"]
    assert kpis["status"] == "heuristic"
    assert kpis["bound"] is None
    assert kpis["gap"] is None
    evaluation = evaluated.results["mrp"].evaluation
    assert kpis["total_cost"] == pytest.approx(evaluation.kpis["total_cost"])
    assert 0 <= kpis["fill_rate"] <= 1
    counts = document["violations"]["mrp"]
    assert sum(counts.values()) == len(evaluation.violations)
    assert all(math.isfinite(v) for v in kpis.values() if isinstance(v, float))


def test_writes_are_atomic_and_leave_no_temporary_files(
    comparison: Comparison, tmp_path: Path
) -> None:
    for _ in range(2):
        write_results_workbook(comparison, tmp_path / "out.xlsx")
        write_summary_json(comparison, tmp_path / "out.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json", "out.xlsx"]


def test_failed_writes_keep_the_old_files(
    comparison: Comparison, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("out.json", "out.xlsx"):
        (tmp_path / name).write_text("old", encoding="utf-8")

    def fail(self: Path, target: Path) -> Path:
        raise OSError("disk full")

    monkeypatch.setattr(Path, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_summary_json(comparison, tmp_path / "out.json")
    with pytest.raises(OSError, match="disk full"):
        write_results_workbook(comparison, tmp_path / "out.xlsx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json", "out.xlsx"]
    assert {p.read_text(encoding="utf-8") for p in tmp_path.iterdir()} == {"old"}
