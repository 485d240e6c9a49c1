"""The sheets a person reads: winners and changes in Summary, charts, plan grids, heijunka box."""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from planner.comparison import RunOptions, compare
from planner.evaluation.winners import winners
from planner.instances import small_plant
from planner.report.results_workbook import SHEETS, write_results_workbook
from planner.results import Comparison
from planner.tables import infeasibility, infeasibility_text, kpi_changes


@pytest.fixture(scope="module")
def compared() -> Comparison:
    return compare(small_plant(), "mrp,heijunka", run=RunOptions(time_limit=4))


@pytest.fixture(scope="module")
def path(compared: Comparison, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("views") / "plan.xlsx"
    write_results_workbook(compared, target)
    return target


def test_winners_rank_costs_down_and_service_up() -> None:
    kpis = {
        "mrp": {"total_cost": 10.0, "fill_rate": 0.9, "solve_seconds": 1.0, "status": "x"},
        "batch": {"total_cost": 8.0, "fill_rate": 0.9, "solve_seconds": 9.0, "status": "y"},
        "heijunka": {"total_cost": 12.0, "fill_rate": 0.8, "solve_seconds": 2.0, "status": "z"},
    }
    assert winners(kpis) == {"total_cost": ["batch"], "fill_rate": ["mrp", "batch"]}
    assert winners({"mrp": kpis["mrp"]}) == {}


def test_an_infeasible_plan_wins_no_row() -> None:
    kpis = {
        "mrp": {"feasible": False, "total_cost": 5.0, "fill_rate": 1.0},
        "batch": {"feasible": True, "total_cost": 8.0, "fill_rate": 0.9},
        "heijunka": {"feasible": True, "total_cost": 12.0, "fill_rate": 0.95},
    }
    assert winners(kpis) == {"total_cost": ["batch"], "fill_rate": ["heijunka"]}
    assert winners({"mrp": kpis["mrp"], "x": {**kpis["mrp"], "total_cost": 4.0}}) == {}


def test_extra_sheets_follow_the_contract_sheets(path: Path) -> None:
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [*SHEETS, "Plan mrp", "Plan heijunka", "Box heijunka", "ChartData"]


def test_summary_highlights_winners_and_shows_changes(compared: Comparison, path: Path) -> None:
    sheet = openpyxl.load_workbook(path)["Summary"]
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["kpi", "mrp", "heijunka"]
    assert header[4] == "heijunka vs mrp"
    assert header[6] == "label"
    infeasible = infeasibility(compared)
    legend = str(header[8])
    assert "Green: the best value of each row among feasible plans" in legend
    lines = [infeasibility_text(name, kinds) for name, kinds in infeasible.items()]
    assert legend.startswith("; ".join(lines)) if lines else legend.startswith("Green")
    kpis = {n: r.evaluation.kpis for n, r in compared.results.items()}
    best = winners(kpis)
    change = kpi_changes(compared)["heijunka"]
    for row in sheet.iter_rows(min_row=2):
        kpi = row[0].value
        for cell, name in zip(row[1:3], ["mrp", "heijunka"], strict=True):
            highlighted = cell.fill.fgColor.rgb not in (None, "00000000")
            assert highlighted == (name in best.get(kpi, ())), (kpi, name)
        if change.get(kpi) is not None:
            assert row[4].value == pytest.approx(change[kpi] / 100)


def test_summary_has_native_charts(compared: Comparison, path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 2 + len(compared.problem.work_centers)


def test_plan_grids_hold_the_starts(compared: Comparison, path: Path) -> None:
    book = openpyxl.load_workbook(path)
    problem = compared.problem
    for name, result in compared.results.items():
        sheet = book[f"Plan {name}"]
        grid = np.zeros((problem.n_items, problem.n_days))
        for i, row in enumerate(sheet.iter_rows(min_row=2, min_col=3, values_only=True)):
            grid[i] = [0.0 if v is None else v for v in row[: problem.n_days]]
        np.testing.assert_allclose(grid, result.plan.starts)
        assert sheet["C1"].value == datetime.combine(problem.days[0], datetime.min.time())


def test_heijunka_box_lists_each_days_sequence(compared: Comparison, path: Path) -> None:
    sheet = openpyxl.load_workbook(path)["Box heijunka"]
    problem = compared.problem
    sequences = compared.results["heijunka"].plan.sequences
    read = {}
    for row in sheet.iter_rows(min_row=2, values_only=True):
        w = problem.work_center_index[row[0]]
        t = problem.day_index[row[1].date()]
        read[(w, t)] = [code for code in row[2:] if code is not None]
    assert read == {
        key: [problem.items[i].code for i, _ in positions] for key, positions in sequences.items()
    }


def test_chart_data_is_the_evaluation(compared: Comparison, path: Path) -> None:
    sheet = openpyxl.load_workbook(path)["ChartData"]
    values = np.array([row[1:] for row in sheet.iter_rows(min_row=2, values_only=True)], float)
    problem = compared.problem
    for k, result in enumerate(compared.results.values()):
        np.testing.assert_allclose(values[:, k], problem.unit_cost @ result.evaluation.inventory)
    strategies = len(compared.results)
    np.testing.assert_allclose(values[:, strategies], compared.results["mrp"].evaluation.load[0])
