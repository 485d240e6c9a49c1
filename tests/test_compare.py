"""`planner compare`: plans, the output workbook and the JSON, and that they agree."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from models import Problem
from planner.cli import EXIT_INVALID_INPUT, EXIT_OK, main
from planner.comparison import RunOptions, UnknownStrategyError, compare, parse_strategies
from planner.tables import inventory_frame
from planner.workbook.reader import load_workbook
from planner.workbook.writer import write_input_workbook
from tests.conftest import BASE, write_sheets
from tests.test_cli import run
from tests.test_mrp import small_plants

DATA = Path(__file__).parent.parent / "data"


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, pd.DataFrame], dict]:
    folder = tmp_path_factory.mktemp("compare")
    out, summary = folder / "plan.xlsx", folder / "summary.json"
    old = sys.argv
    sys.argv = [
        "planner",
        "compare",
        str(DATA / "example_plant.xlsx"),
        "--out",
        str(out),
        "--json",
        str(summary),
        "--strategies",
        "mrp",
    ]
    try:
        with pytest.raises(SystemExit) as stopped:
            main()
    finally:
        sys.argv = old
    assert stopped.value.code == EXIT_OK
    sheets = pd.read_excel(out, sheet_name=None, engine="calamine")
    return sheets, json.loads(summary.read_text())


def test_output_has_every_sheet_of_the_contract(compared: tuple) -> None:
    sheets, _ = compared
    expected = ["Summary", "BuildPlan", "Inventory", "Load", "Sequence", "Kanban", "Messages"]
    assert list(sheets)[: len(expected)] == expected
    assert list(sheets["Inventory"].columns) == ["strategy", "item", "date", "on_hand", "backlog"]


def test_json_kpis_match_what_the_sheets_imply(compared: tuple) -> None:
    sheets, summary = compared
    kpis = summary["strategies"]["mrp"]
    plant = load_workbook(DATA / "example_plant.xlsx")
    holding = dict(zip([i.code for i in plant.items], plant.holding_cost, strict=True))
    backlog_cost = dict(zip([i.code for i in plant.items], plant.backlog_cost, strict=True))
    unit_cost = dict(zip([i.code for i in plant.items], plant.unit_cost, strict=True))
    setup_cost = dict(zip([i.code for i in plant.items], plant.setup_cost, strict=True))
    inventory = sheets["Inventory"]
    build = sheets["BuildPlan"]
    load = sheets["Load"]
    approx = lambda x: pytest.approx(x, rel=1e-9, abs=1e-6)  # noqa: E731
    assert kpis["holding_cost"] == approx((inventory.item.map(holding) * inventory.on_hand).sum())
    assert kpis["backlog_cost"] == approx(
        (inventory.item.map(backlog_cost) * inventory.backlog).sum()
    )
    assert kpis["backlog_unit_days"] == approx(inventory.backlog.sum())
    daily_units = inventory.groupby("date").on_hand.sum()
    assert kpis["avg_inventory_units"] == approx(daily_units.mean())
    value = (inventory.item.map(unit_cost) * inventory.on_hand).groupby(inventory.date).sum()
    assert kpis["avg_inventory_value"] == approx(value.mean())
    assert kpis["peak_inventory_value"] == approx(value.max())
    sequence = sheets["Sequence"]
    sequence = sequence[(sequence.strategy == "mrp") & (sequence.qty > 0)]
    sequenced = set(zip(sequence.work_center, sequence.date, strict=True))
    unsequenced = build[
        [(w, d) not in sequenced for w, d in zip(build.work_center, build.start_date, strict=True)]
    ]
    runs = sequence.sort_values(["work_center", "date", "position"])
    new_run = (runs.item != runs.item.shift()) | (runs.date != runs.date.shift())
    new_run |= runs.work_center != runs.work_center.shift()
    runs = runs[new_run]
    assert kpis["setups"] == len(unsequenced) + len(runs)
    assert kpis["setup_cost"] == approx(
        unsequenced.item.map(setup_cost).sum() + runs.item.map(setup_cost).sum()
    )
    assert kpis["overload_minutes"] == approx(load.overload.sum())
    utilization = (load.load / load.capacity)[load.capacity > 0]
    assert kpis["max_utilization"] == approx(utilization.max())
    safety = dict(zip([i.code for i in plant.items], plant.safety_stock, strict=True))
    shortfall = (inventory.item.map(safety) - inventory.on_hand).clip(lower=0)
    weight = plant.settings.safety_stock_weight
    assert kpis["safety_cost"] == approx(weight * (inventory.item.map(holding) * shortfall).sum())
    last = inventory[inventory.date == inventory.date.max()]
    days = plant.settings.end_backlog_days
    assert kpis["end_backlog_cost"] == approx(
        days * (last.item.map(backlog_cost) * last.backlog).sum()
    )
    parts = (
        "setup_cost",
        "holding_cost",
        "backlog_cost",
        "overtime_cost",
        "safety_cost",
        "end_backlog_cost",
    )
    assert kpis["total_cost"] == approx(sum(kpis[p] for p in parts))
    summary_sheet = sheets["Summary"].set_index("kpi")["mrp"]
    assert float(summary_sheet["total_cost"]) == approx(kpis["total_cost"])
    assert summary["horizon"] == {"start": "2026-03-02", "end": "2026-05-25", "days": 60}


def test_build_plan_due_dates_follow_lead_times(compared: tuple) -> None:
    sheets, _ = compared
    build = sheets["BuildPlan"]
    assert (build.due_date >= build.start_date).all()
    assert build.qty.gt(0).all()


def test_unknown_strategy_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        ["compare", str(DATA / "example_small.xlsx"), "--strategies", "mrp,kanban"], capsys
    )
    assert code == EXIT_INVALID_INPUT
    assert "unknown strategy 'kanban'" in err


def test_invalid_workbook_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheets = {**BASE, "BOM": [*BASE["BOM"], ["P1", "FG1", 1]]}
    code, out, _ = run(["compare", str(write_sheets(tmp_path / "bad.xlsx", sheets))], capsys)
    assert code == EXIT_INVALID_INPUT
    assert "cycle" in out


def test_compare_prints_the_kpi_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["compare", str(DATA / "example_small.xlsx"), "--time-limit", "5"], capsys)
    assert code == EXIT_OK
    assert "total_cost" in out
    assert "fill_rate" in out


def test_parse_strategies() -> None:
    assert parse_strategies(" MRP ,mrp") == ["mrp"]
    assert parse_strategies(None) == ["mrp", "batch", "heijunka", "ddmrp"]
    with pytest.raises(UnknownStrategyError, match="'kanban'"):
        parse_strategies(["batch", "kanban"])


def test_compare_accepts_a_workbook_path(tmp_path: Path) -> None:
    comparison = compare(DATA / "example_small.xlsx", "mrp")
    assert comparison.strategies == ["mrp"]
    assert comparison.problem.name == "example_small"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_plants())
def test_inventory_sheet_equals_the_rebuilt_flow_balance(problem: Problem) -> None:
    comparison = compare(problem, "mrp")
    result = comparison.results["mrp"]
    assert result.evaluation.violations == ()
    frame = inventory_frame(comparison)
    starts = result.plan.starts
    for i, item in enumerate(problem.items):
        position = float(item.on_hand)
        for t, day in enumerate(problem.days):
            arriving = starts[i, t - item.lead_time] if t >= item.lead_time else 0.0
            used = sum(
                line.qty_per * starts[problem.item_index[line.parent], t]
                for line in problem.bom
                if line.child == item.code
            )
            position += problem.receipts[i, t] + arriving - problem.demand[i, t] - used
            row = frame[(frame.item == item.code) & (frame.date == day)].iloc[0]
            assert row.on_hand == pytest.approx(max(position, 0.0), abs=1e-7)
            assert row.backlog == pytest.approx(max(-position, 0.0), abs=1e-7)


def test_example_round_trip_keeps_the_plan(tmp_path: Path) -> None:
    problem = compare(DATA / "example_small.xlsx", "mrp").problem
    write_input_workbook(problem, tmp_path / "again.xlsx")
    again = compare(tmp_path / "again.xlsx", "mrp")
    first = compare(problem, "mrp")
    np.testing.assert_array_equal(
        again.results["mrp"].plan.starts, first.results["mrp"].plan.starts
    )
    assert isinstance(again.problem.days[0], date)


def test_unknown_solver_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["compare", str(DATA / "example_small.xlsx"), "--solver", "gurobi"], capsys)
    assert code == EXIT_INVALID_INPUT
    assert "gurobi" in err


def test_batch_beats_mrp_on_the_small_example() -> None:
    comparison = compare(DATA / "example_small.xlsx", "mrp,batch", run=RunOptions(time_limit=8))
    mrp, batch = (comparison.results[n].evaluation for n in ("mrp", "batch"))
    assert batch.violations == ()
    assert batch.kpis["total_cost"] < mrp.kpis["total_cost"]
    assert comparison.results["batch"].plan.bound is not None


def test_unknown_sequencing_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        ["compare", str(DATA / "example_small.xlsx"), "--sequencing", "random"], capsys
    )
    assert code == EXIT_INVALID_INPUT
    assert "unknown sequencing method 'random'" in err


def test_heijunka_writes_sequences_kanban_and_levelling(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, summary_path = tmp_path / "pull.xlsx", tmp_path / "pull.json"
    code, printed, _ = run(
        [
            "compare",
            str(DATA / "example_plant.xlsx"),
            "--strategies",
            "mrp,heijunka",
            "--sequencing",
            "goal_chasing",
            "--time-limit",
            "6",
            "--out",
            str(out),
            "--json",
            str(summary_path),
        ],
        capsys,
    )
    assert code == EXIT_OK
    assert "heijunka: passes the plan checker" in printed
    sheets = pd.read_excel(out, sheet_name=None, engine="calamine")
    sequence = sheets["Sequence"]
    assert set(sequence.strategy) == {"mrp", "heijunka"}
    ruled = set(sequence[sequence.strategy == "mrp"].work_center)
    assert ruled == {"ASM1", "ASM2"}, "mrp's days are sequenced only where the sequence rules apply"
    sequence = sequence[sequence.strategy == "heijunka"]
    build = sheets["BuildPlan"]
    pull = build[build.strategy == "heijunka"]
    per_day = sequence.groupby(["item", "date"]).qty.sum()
    starts = pull.groupby(["item", "start_date"]).qty.sum()
    made = per_day.index.get_level_values("item").unique()
    assert np.allclose(
        per_day.sort_index().to_numpy(),
        starts[starts.index.get_level_values(0).isin(made)].sort_index().to_numpy(),
    )
    kanban = sheets["Kanban"]
    assert len(kanban) > 0
    assert (kanban.max_inventory == kanban.cards * kanban.container_qty).all()
    assert set(sheets["Levelling"].work_center) == {"ASM1", "ASM2", "MACH", "PRESS", "WELD"}
    summary = json.loads(summary_path.read_text())
    assert summary["strategies"]["heijunka"]["overload_minutes"] == 0
    assert summary["kanban"]["heijunka"]["cards"] == int(kanban.cards.sum())


def test_json_to_stdout_prints_only_the_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["compare", str(DATA / "example_small.xlsx"), "--strategies", "mrp", "--json", "-"],
        capsys,
    )
    assert code == EXIT_OK
    document = json.loads(out)
    assert list(document["strategies"]) == ["mrp"]


def test_quiet_prints_nothing_but_still_writes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_path = tmp_path / "plan.xlsx"
    code, out, err = run(
        [
            "compare",
            str(DATA / "example_small.xlsx"),
            "--strategies",
            "mrp",
            "--quiet",
            "--out",
            str(out_path),
        ],
        capsys,
    )
    assert code == EXIT_OK
    assert out == err == ""
    assert out_path.exists()


def test_json_to_stdout_stays_pure_json_when_a_solver_runs() -> None:
    command = [
        sys.executable,
        "-c",
        "import sys; from planner.cli import main; sys.argv[0] = 'planner'; main()",
        "compare",
        str(DATA / "example_small.xlsx"),
        "--strategies",
        "batch",
        "--time-limit",
        "2",
        "--json",
        "-",
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == EXIT_OK, done.stderr
    assert list(json.loads(done.stdout)["strategies"]) == ["batch"]
