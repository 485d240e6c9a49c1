"""The planner command: exit codes, messages, JSON, and no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from planner import __version__
from planner.cli import EXIT_FAILURE, EXIT_INVALID_INPUT, EXIT_OK, main
from tests.conftest import BASE, write_sheets

DATA = Path(__file__).parent.parent / "data"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    old = sys.argv
    sys.argv = ["planner", *args]
    try:
        with pytest.raises(SystemExit) as stopped:
            main()
    finally:
        sys.argv = old
    out, err = capsys.readouterr()
    return int(stopped.value.code or 0), out, err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--version"], capsys)
    assert code == EXIT_OK
    assert __version__ in out


def test_validate_valid_workbook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_sheets(tmp_path / "plant.xlsx", BASE)
    code, out, _ = run(["validate", str(path)], capsys)
    assert code == EXIT_OK
    assert "is valid" in out
    assert "3 items" in out
    assert "WC1" in out


def test_validate_invalid_workbook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheets = {**BASE, "BOM": [*BASE["BOM"], ["P1", "FG1", 1]]}
    path = write_sheets(tmp_path / "plant.xlsx", sheets)
    code, out, _ = run(["validate", str(path)], capsys)
    assert code == EXIT_INVALID_INPUT
    assert "1 error to fix" in out
    assert "1. sheet BOM, row 2, column child (cell B2)" in out
    assert "FG1 -> SA1 -> P1 -> FG1" in out


def test_validate_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheets = {**BASE, "Items": [*BASE["Items"], ["X", "make", None, 1, 0, 1, 0.5, 0, "LFL", None]]}
    path = write_sheets(tmp_path / "plant.xlsx", sheets)
    code, out, _ = run(["validate", str(path), "--json"], capsys)
    report = json.loads(out)
    assert code == EXIT_INVALID_INPUT
    assert report["valid"] is False
    assert {(e["sheet"], e["row"], e["column"]) for e in report["errors"]} == {
        ("Items", 5, "work_center"),
        ("Items", 5, "lead_time"),
    }
    assert report["plant"] is None


def test_validate_json_of_valid_plant(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_sheets(tmp_path / "plant.xlsx", BASE)
    code, out, _ = run(["validate", str(path), "--json"], capsys)
    report = json.loads(out)
    assert code == EXIT_OK
    assert report["plant"]["items"] == {"total": 3, "make": 2, "buy": 1, "with_demand": 1}
    assert report["plant"]["bom"] == {"lines": 2, "levels": 3}
    assert report["plant"]["horizon"]["working_days"] == 10


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"PK\x03\x04garbage", "corrupt"),
        (b"hello", "not an Excel .xlsx workbook"),
    ],
)
def test_bad_files_exit_2_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    code, out, err = run(["validate", str(path)], capsys)
    assert code == EXIT_INVALID_INPUT
    assert message in out
    assert "Traceback" not in out + err


def test_missing_file_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["validate", "no/such/file.xlsx"], capsys)
    assert code == EXIT_FAILURE
    assert "does not exist" in err


def test_usage_error_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["validate"], capsys)
    assert code == EXIT_FAILURE
    assert "Missing argument" in err


def test_unexpected_failure_is_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("planner.cli.plan.read_workbook", broken)
    monkeypatch.delenv("PLANNER_DEBUG", raising=False)
    path = write_sheets(tmp_path / "plant.xlsx", BASE)
    code, out, err = run(["validate", str(path)], capsys)
    assert code == EXIT_FAILURE
    assert "disk on fire" in err
    assert "Traceback" not in out + err


def test_template_command_writes_a_valid_workbook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_path = tmp_path / "blank.xlsx"
    code, _, _ = run(["template", str(out_path)], capsys)
    assert code == EXIT_OK
    code, out, _ = run(["validate", str(out_path)], capsys)
    assert code == EXIT_OK, out


@pytest.mark.parametrize("workbook", sorted(DATA.glob("*.xlsx")), ids=lambda p: p.name)
def test_every_bundled_workbook_validates(workbook: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "planner", "validate", str(workbook)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == EXIT_OK, done.stdout + done.stderr
