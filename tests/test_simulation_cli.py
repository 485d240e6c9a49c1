"""planner simulate and planner sweep: outputs, exit codes, messages, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from planner.cli import EXIT_FAILURE, EXIT_INVALID_INPUT, EXIT_OK
from tests.conftest import BASE, write_sheets
from tests.test_cli import run

FAST = ["--replan-time-limit", "1", "--time-limit", "2", "--workers", "1"]


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    return write_sheets(tmp_path / "plant.xlsx", BASE)


def test_simulate_writes_the_workbook_and_json(
    workbook: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, summary = tmp_path / "sim.xlsx", tmp_path / "sim.json"
    code, printed, err = run(
        ["simulate", str(workbook), "-n", "3", "--seed", "7", "--strategies", "mrp,heijunka",
         "--demand-cv", "0.3", "--supplier-late-probability", "0.5", "--supplier-late-days", "2",
         "--downtime-probability", "0.1", "--out", str(out), "--json", str(summary), *FAST],
        capsys,
    )  # fmt: skip
    assert code == EXIT_OK, err
    assert "3 replications, seed 7" in printed
    assert "mrp" in printed and "heijunka" in printed
    assert openpyxl.load_workbook(out).sheetnames[0] == "Summary"
    document = json.loads(summary.read_text())
    assert document["study"]["seed"] == 7
    assert document["study"]["uncertainty"]["supplier_late_days"] == 2
    assert document["study"]["options"]["replan_time_limit"] == 1.0
    assert len(document["replications"]) == 6
    assert document["timed_out"] == []
    assert all(r["timed_out"] == 0 for r in document["replications"])
    assert "--seed repeats these numbers" in printed


def test_simulate_without_uncertainty_says_the_replications_agree(
    workbook: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = ["simulate", str(workbook), "-n", "2", "--strategies", "mrp", *FAST]
    code, printed, _ = run(arguments, capsys)
    assert code == EXIT_OK
    assert "No uncertainty given" in " ".join(printed.split())
    code, printed, _ = run([*arguments, "--demand-cv", "0.2"], capsys)
    assert code == EXIT_OK
    assert "No uncertainty given" not in " ".join(printed.split())


def test_simulate_quiet_prints_nothing(workbook: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, printed, _ = run(["simulate", str(workbook), "-n", "1", "--strategies", "mrp", "-q",
                            *FAST], capsys)  # fmt: skip
    assert code == EXIT_OK
    assert printed == ""


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--demand-cv", "-1"], "demand_cv is -1.0, expected a number >= 0"),
        (["--supplier-late-probability", "0.2"], "a late order must be late by at least 1 day"),
        (["--frozen-days", "-2"], "frozen_days is -2"),
        (["--strategies", "mrp,kanban"], "unknown strategy 'kanban'"),
        (["--solver", "gurobi"], "gurobi"),
        (["--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"], "not both"),
    ],
)
def test_simulate_bad_options_exit_2_with_a_message(
    workbook: Path, option: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["simulate", str(workbook), "-n", "1", *option], capsys)
    assert code == EXIT_INVALID_INPUT
    assert message in " ".join((out + err).split())
    assert "Traceback" not in out + err


def test_simulate_invalid_workbook_lists_the_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheets = {**BASE, "BOM": [*BASE["BOM"], ["P1", "FG1", 1]]}
    path = write_sheets(tmp_path / "plant.xlsx", sheets)
    code, out, _ = run(["simulate", str(path), "-n", "1"], capsys)
    assert code == EXIT_INVALID_INPUT
    assert "1. sheet BOM, row 2, column child (cell B2)" in out


def test_simulate_missing_file_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["simulate", "nowhere.xlsx", "-n", "1"], capsys)
    assert code == EXIT_FAILURE
    assert "nowhere.xlsx does not exist" in err


def test_simulate_on_an_unreachable_cluster_is_a_message(
    workbook: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("planner.parallel.CONNECT_TIMEOUT_SECONDS", 1.0)
    code, _, err = run(["simulate", str(workbook), "-n", "1", "--strategies", "mrp",
                        "--scheduler", "tcp://127.0.0.1:9"], capsys)  # fmt: skip
    assert code == EXIT_FAILURE
    assert "cannot reach the Dask scheduler" in " ".join(err.split())
    assert "Traceback" not in err


def test_sweep_deterministic_writes_every_output(
    workbook: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {name: tmp_path / name for name in ("sweep.xlsx", "sweep.json", "f.png", "w.png")}
    code, printed, err = run(
        ["sweep", str(workbook), "--vary", "setup_time=0.5,1", "--vary", "demand=1,2",
         "--strategies", "mrp,heijunka", "--out", str(files["sweep.xlsx"]),
         "--json", str(files["sweep.json"]), "--chart", str(files["f.png"]),
         "--winner-map", str(files["w.png"]), "--time-limit", "2", "--workers", "1"],
        capsys,
    )  # fmt: skip
    assert code == EXIT_OK, err
    assert "deterministic plans" in printed
    assert all(path.stat().st_size > 0 for path in files.values())
    assert files["f.png"].read_bytes()[:4] == b"\x89PNG"
    document = json.loads(files["sweep.json"].read_text())
    assert document["replications"] == 0
    assert len(document["points"]) == 4


def test_sweep_simulated(workbook: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, printed, err = run(
        ["sweep", str(workbook), "--vary", "demand_cv=0,0.4", "--replications", "2",
         "--seed", "1", "--strategies", "mrp,heijunka", *FAST],
        capsys,
    )  # fmt: skip
    assert code == EXIT_OK, err
    assert "mean of 2 replications, seed 1" in printed


@pytest.mark.parametrize(
    ("vary", "message"),
    [
        ("setup=1,2", "unknown factor 'setup': the factors are setup_time"),
        ("setup_time", "expected name=value"),
        ("demand_cv=0,0.2", "only matters in a simulation"),
    ],
)
def test_sweep_bad_factors_exit_2(
    workbook: Path, vary: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["sweep", str(workbook), "--vary", vary, "--strategies", "mrp"], capsys)
    assert code == EXIT_INVALID_INPUT
    assert message in " ".join((out + err).split())
    assert "Traceback" not in out + err


def test_simulate_marks_a_plan_of_the_forecast_that_cannot_be_executed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    example = Path(__file__).parent.parent / "data" / "example_small.xlsx"
    code, printed, err = run(
        ["simulate", str(example), "-n", "1", "--strategies", "mrp", *FAST], capsys
    )
    assert code == EXIT_OK, err
    assert "* the plan of the forecast of mrp breaks capacity" in " ".join(printed.split())
