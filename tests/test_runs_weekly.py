"""``planner run``, ``history`` and ``diff``: weekly runs of several plants, end to end."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from models import Problem
from planner.cli import EXIT_FAILURE, EXIT_OK
from planner.instances import small_plant
from planner.runs.config import ConfigError, load_config
from planner.runs.lock import RunLock, RunLockedError
from planner.runs.store import RunStatus, RunStore
from planner.runs.weekly import (
    EXIT_ALL_FAILED,
    EXIT_INVALID_CONFIG,
    EXIT_LOCKED,
    EXIT_PARTIAL,
    PlantStatus,
    newest_workbook,
    run_weekly,
)
from planner.workbook.writer import write_input_workbook
from tests.test_batch_stability import FROZEN, LAST_WEEK, THIS_WEEK
from tests.test_cli import run as cli

DAY = date(2026, 11, 30)


@pytest.fixture(autouse=True)
def _no_database_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLANNER_DATABASE_URL", raising=False)


def write_config(folder: Path, plants: dict[str, Path | str], **keys: object) -> Path:
    lines = ['output = "out"', f'database = "sqlite:///{folder / "runs.sqlite3"}"']
    keys = {"strategies": "mrp", "time_limit": 3, "workers": 1, **keys}
    for key, value in keys.items():
        lines.append(f"{key} = {value!r}" if isinstance(value, str) else f"{key} = {value}")
    for name, path in plants.items():
        lines += ["[[plants]]", f'name = "{name}"', f'input = "{path}"']
    config = folder / "weekly.toml"
    config.write_text("\n".join(lines).replace("'", '"') + "\n")
    return config


def workbook(path: Path, problem: Problem) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_input_workbook(problem, path)
    return path


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return workbook(tmp_path_factory.mktemp("plants") / "small.xlsx", small_plant())


def corrupt(path: Path) -> Path:
    path.write_bytes(b"PK\x03\x04this is not a workbook")
    return path


def test_one_corrupt_workbook_among_three_plants_fails_alone(
    tmp_path: Path, small: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inbox = tmp_path / "inbox"
    workbook(inbox / "old.xlsx", THIS_WEEK)
    newest = workbook(inbox / "new.xlsx", LAST_WEEK)
    os.utime(inbox / "old.xlsx", (time.time() - 3600, time.time() - 3600))
    (inbox / "~$new.xlsx").write_bytes(b"Excel lock file")
    config = write_config(
        tmp_path,
        {"north": small, "south": "inbox", "east": corrupt(tmp_path / "east.xlsx")},
        workers=2,
    )
    code, out, err = cli(["run", str(config)], capsys)
    assert code == EXIT_PARTIAL
    assert "✗ east: east.xlsx cannot be planned" in err and "is corrupt" in err
    assert "1 of 3 plants failed (exit code 3)" in " ".join(err.split())
    assert "Traceback" not in out + err
    with RunStore(f"sqlite:///{tmp_path / 'runs.sqlite3'}") as store:
        north, south = store.list_runs("north"), store.list_runs("south")
        [east] = store.list_runs("east")
    assert [r.status for r in north + south] == [RunStatus.SUCCEEDED] * 2
    assert south[0].input_name == newest.name
    assert east.status is RunStatus.FAILED and "is corrupt" in (east.error or "")
    for record in north + south:
        assert record.output_workbook is not None and record.output_workbook.exists()
        assert record.output_workbook.parent.parent == tmp_path / "out"
        assert record.output_workbook.parent.name == date.today().isoformat()

    code, out, err = cli(["run", str(config)], capsys)
    assert code == EXIT_PARTIAL
    assert "north: small.xlsx was already planned" in " ".join(out.split())
    with RunStore(f"sqlite:///{tmp_path / 'runs.sqlite3'}") as store:
        assert store.list_runs("north") == north

    code, out, err = cli(["run", str(config), "--force"], capsys)
    assert code == EXIT_PARTIAL
    with RunStore(f"sqlite:///{tmp_path / 'runs.sqlite3'}") as store:
        again = store.list_runs("north")
    assert len(again) == 2 and again[0].previous_run_id == north[0].id
    assert "mrp: 0% of" in out


def test_every_plant_failing_has_its_own_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(
        tmp_path, {"east": corrupt(tmp_path / "east.xlsx"), "west": tmp_path / "missing.xlsx"}
    )
    code, _, err = cli(["run", str(config)], capsys)
    assert code == EXIT_ALL_FAILED
    assert "west: the input" in err and "missing.xlsx does not exist" in err


def test_files_staged_by_a_killed_run_are_removed_once_stale(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, {"east": corrupt(tmp_path / "east.xlsx")})
    folder = tmp_path / "out" / "2026-11-23"
    folder.mkdir(parents=True)
    stale, fresh = folder / ".east.1a2b.staged.xlsx", folder / ".east.3c4d.staged.xlsx"
    stale.write_bytes(b"left by a killed run")
    fresh.write_bytes(b"being written by another run")
    three_days_ago = time.time() - 3 * 24 * 3600
    os.utime(stale, (three_days_ago, three_days_ago))
    cli(["run", str(config)], capsys)
    assert not stale.exists()
    assert fresh.exists()


def test_an_empty_folder_is_a_failed_plant(tmp_path: Path) -> None:
    (tmp_path / "inbox").mkdir()
    with pytest.raises(Exception, match="holds no workbook"):
        newest_workbook(tmp_path / "inbox")


def test_an_invalid_configuration_lists_its_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "weekly.toml"
    config.write_text('strategies = "mrp,magic"\nworkers = 0\ncolour = 1\n[[plants]]\nname = "a"\n')
    code, _, err = cli(["run", str(config)], capsys)
    assert code == EXIT_INVALID_CONFIG
    text = " ".join(err.split())
    assert "4 problems to fix" in text
    assert "plants[1].input: Field required" in text
    assert "unknown strategy 'magic'" in text
    assert "workers: Input should be greater than or equal to 1" in text
    assert "colour: unknown key" in text
    config.write_text("plants = [")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(config)
    code, _, err = cli(["run", str(tmp_path / "nowhere.toml")], capsys)
    assert code == EXIT_INVALID_CONFIG and "does not exist" in err


def test_two_spellings_of_one_plant_in_a_configuration_are_refused(tmp_path: Path) -> None:
    config = write_config(
        tmp_path, {"North": "north.xlsx", "north": "north.xlsx", "south": "s.xlsx"}
    )
    with pytest.raises(ConfigError, match="North, north are one plant"):
        load_config(config)


def test_a_second_run_of_the_same_configuration_is_refused_while_one_runs(
    tmp_path: Path, small: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config_path = write_config(tmp_path, {"north": small})
    config = load_config(config_path)
    with RunLock(config.lock_path):
        code, _, err = cli(["run", str(config_path)], capsys)
        assert code == EXIT_LOCKED
        assert "another run of this configuration is in progress (process" in " ".join(err.split())
        with pytest.raises(RunLockedError), RunLock(config.lock_path):
            pass
    code, _, _ = cli(["run", str(config_path)], capsys)
    assert code == EXIT_OK


def test_a_run_killed_while_planning_leaves_no_record_and_the_next_run_succeeds(
    tmp_path: Path, small: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, {"north": small}, strategies="mrp,batch", time_limit=4)
    command = [sys.executable, "-m", "planner", "run", str(config)]
    environment = {**os.environ, "COLUMNS": "200"}
    environment.pop("PLANNER_DATABASE_URL", None)
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=environment
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    assert first.startswith("Planning 1 plant ")
    time.sleep(1.0)
    assert process.poll() is None, "the run ended before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    process.stdout.close()
    with RunStore(f"sqlite:///{tmp_path / 'runs.sqlite3'}") as store:
        assert store.list_runs() == []
    written = list((tmp_path / "out").rglob("*.xlsx")) if (tmp_path / "out").exists() else []
    assert written == []

    code, out, err = cli(["run", str(config)], capsys)
    assert code == EXIT_OK, out + err
    with RunStore(f"sqlite:///{tmp_path / 'runs.sqlite3'}") as store:
        [record] = store.list_runs()
    assert record.ok and set(record.kpis) == {"mrp", "batch"}


def test_a_change_penalty_keeps_the_frozen_window_of_the_previous_batch_plan(
    tmp_path: Path,
) -> None:
    path = workbook(tmp_path / "plant.xlsx", LAST_WEEK)
    settings = {"strategies": "mrp,batch", "time_limit": 10, "frozen_days": FROZEN}
    plain = load_config(write_config(tmp_path, {"north": path}, **settings))
    stable = load_config(write_config(tmp_path, {"north": path}, change_penalty=1e4, **settings))
    with RunStore(f"sqlite:///{tmp_path / 'runs.sqlite3'}") as store:
        first = run_weekly(stable, store, today=DAY).results[0]
        assert first.status is PlantStatus.RECORDED
        workbook(path, THIS_WEEK)
        kept = run_weekly(stable, store, today=DAY).results[0].record
        moved = run_weekly(plain, store, today=DAY).results[0].record
        assert kept is not None and moved is not None and first.record is not None
        before = store.plans(first.record.id)["batch"]
        after = store.plans(kept.id)["batch"]
    assert kept.frozen_until is not None and kept.nervousness is not None
    assert kept.nervousness["strategies"]["batch"]["frozen_quantity_moved"] == pytest.approx(
        0, abs=1e-6
    )
    frozen = [key for key in set(before) | set(after) if key[1] <= kept.frozen_until]
    assert frozen
    for key in frozen:
        assert after.get(key, 0.0) == pytest.approx(before.get(key, 0.0))
    assert moved.nervousness is not None
    assert moved.nervousness["strategies"]["batch"]["frozen_quantity_moved"] > 1


def test_history_and_diff_show_the_runs_and_their_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = workbook(tmp_path / "plant.xlsx", LAST_WEEK)
    config = write_config(tmp_path, {"north": path}, frozen_days=FROZEN)
    assert cli(["run", str(config)], capsys)[0] == EXIT_OK
    workbook(path, THIS_WEEK)
    assert cli(["run", str(config)], capsys)[0] == EXIT_OK
    database = ["--database", f"sqlite:///{tmp_path / 'runs.sqlite3'}"]

    code, out, _ = cli(["history", "north", *database], capsys)
    assert code == EXIT_OK
    assert "Runs of north" in out and "plant.xlsx" in out and "mrp" in out

    code, out, _ = cli(["diff", "1", "2", *database], capsys)
    assert code == EXIT_OK
    assert "Compared 2026-03-02 .. 2026-03-13; frozen window to 2026-03-06" in out
    assert "resized" in out or "moved" in out or "new" in out

    code, out, _ = cli(["diff", "1", "2", "--json", *database], capsys)
    document = json.loads(out)
    changes = document["strategies"]["mrp"]["changes"]
    assert changes and {c["kind"] for c in changes} <= {"new", "cancelled", "moved", "resized"}

    code, _, err = cli(["diff", "1", "9", *database], capsys)
    assert code == EXIT_FAILURE and "there is no run 9" in err
    code, _, err = cli(["history", "south", *database], capsys)
    assert code == EXIT_FAILURE and "No recorded runs of south. Plants with runs: north." in err


def test_history_takes_any_spelling_and_diff_refuses_runs_of_two_plants(
    tmp_path: Path, small: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = ["--database", f"sqlite:///{tmp_path / 'runs.sqlite3'}"]
    two = write_config(tmp_path, {"example_small": small, "south": small})
    assert cli(["run", str(two)], capsys)[0] == EXIT_OK
    renamed = write_config(tmp_path, {"Example-Small": small})
    code, out, _ = cli(["run", str(renamed)], capsys)
    assert code == EXIT_OK and "Example-Small: small.xlsx was already planned" in out
    assert cli(["run", str(renamed), "--force"], capsys)[0] == EXIT_OK
    with RunStore(database[1]) as store:
        [south] = store.list_runs("south")
        later, earlier = store.list_runs("example small")
    assert (later.plant, earlier.plant) == ("Example-Small", "example_small")
    assert later.previous_run_id == earlier.id and later.nervousness is not None

    code, out, _ = cli(["history", "EXAMPLE SMALL", "--json", *database], capsys)
    assert code == EXIT_OK
    assert [(r["id"], r["plant"]) for r in json.loads(out)] == [
        (later.id, "Example-Small"),
        (earlier.id, "example_small"),
    ]
    code, out, _ = cli(["history", "example.small", *database], capsys)
    assert code == EXIT_OK and "Runs of example.small" in out

    code, out, err = cli(["diff", str(earlier.id), str(later.id), *database], capsys)
    assert code == EXIT_OK and "different plants" not in out + err
    code, out, err = cli(["diff", str(earlier.id), str(south.id), *database], capsys)
    assert code == EXIT_FAILURE and out == "" and "Traceback" not in err
    assert f"runs {earlier.id} and {south.id} are of different plants" in err
    assert "example_small" in err and "south" in err and "--any-plants" in err
    code, out, err = cli(
        ["diff", str(earlier.id), str(south.id), "--any-plants", *database], capsys
    )
    assert code == EXIT_OK, err
    assert "The runs are of different plants." in out and "Compared" in out


def test_the_same_workbook_planned_twice_changes_no_order(
    tmp_path: Path, small: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(
        tmp_path, {"north": small}, strategies="mrp,batch,heijunka", time_limit=60
    )
    database = ["--database", f"sqlite:///{tmp_path / 'runs.sqlite3'}"]
    assert cli(["run", str(config)], capsys)[0] == EXIT_OK
    assert cli(["run", str(config), "--force"], capsys)[0] == EXIT_OK

    code, out, _ = cli(["diff", "1", "2", "--json", *database], capsys)

    assert code == EXIT_OK
    strategies = json.loads(out)["strategies"]
    assert set(strategies) == {"mrp", "batch", "heijunka"}
    assert {name: found["changes"] for name, found in strategies.items()} == {
        "mrp": [],
        "batch": [],
        "heijunka": [],
    }
