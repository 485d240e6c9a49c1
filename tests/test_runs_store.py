"""The run store on SQLite and PostgreSQL: records, idempotence, atomicity, migrations."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

import planner.runs.store
from planner.comparison import RunOptions, compare
from planner.instances import small_plant
from planner.results import Comparison
from planner.runs.schema import Base, UtcDateTime
from planner.runs.store import (
    PreparedRun,
    RunStatus,
    RunStore,
    StoreError,
    UnknownRunError,
    default_database_url,
    file_sha256,
    record_comparison,
)
from planner.workbook.writer import write_input_workbook

POSTGRES_URL = os.environ.get("PLANNER_TEST_DATABASE_URL")
SETTINGS = {"strategies": ["mrp", "heijunka"], "frozen_days": 5}


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('store') / 'runs.sqlite3'}"
        return
    if not POSTGRES_URL:
        pytest.skip("PLANNER_TEST_DATABASE_URL is not set")
    engine = create_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(
            text(
                "DROP TABLE IF EXISTS run_charts, run_charts_new, plan_starts, runs, "
                "alembic_version"
            )
        )
    engine.dispose()
    yield POSTGRES_URL


@pytest.fixture
def store(database_url: str) -> Iterator[RunStore]:
    with RunStore(database_url) as opened:
        yield opened


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("input") / "small.xlsx"
    write_input_workbook(small_plant(), path)
    return path


@pytest.fixture(scope="module")
def comparison(workbook: Path) -> Comparison:
    return compare(workbook, "mrp,heijunka", run=RunOptions(time_limit=5))


def busier(comparison: Comparison) -> Comparison:
    """The same comparison with the first two working days' mrp starts changed."""
    result = comparison["mrp"]
    starts = result.plan.starts.copy()
    starts[:, :2] = np.where(starts[:, :2] > 0, starts[:, :2] * 2, 0.0)
    plan = dataclasses.replace(result.plan, starts=starts)
    return Comparison(
        comparison.problem, {**comparison.results, "mrp": dataclasses.replace(result, plan=plan)}
    )


def test_the_schema_of_the_migrations_is_the_schema_of_the_tables(store: RunStore) -> None:
    engine = create_engine(store.url)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
        tables = set(inspect(connection).get_table_names())
    engine.dispose()
    assert {"runs", "plan_starts", "alembic_version"} <= tables


def test_opening_an_existing_store_again_keeps_its_runs(
    database_url: str, workbook: Path, comparison: Comparison, tmp_path: Path
) -> None:
    with RunStore(database_url) as first:
        record = record_comparison(
            first, plant="north", workbook=workbook, comparison=comparison,
            settings=SETTINGS, output_dir=tmp_path,
        )  # fmt: skip
    with RunStore(database_url) as again:
        assert again.get_run(record.id) == record


def test_a_run_is_recorded_with_its_plans_and_outputs(
    store: RunStore, workbook: Path, comparison: Comparison, tmp_path: Path
) -> None:
    started = datetime.now(UTC) - timedelta(seconds=3)
    record = record_comparison(
        store, plant="north", workbook=workbook, comparison=comparison, settings=SETTINGS,
        output_dir=tmp_path / "out", started_at=started,
    )  # fmt: skip
    assert record.status is RunStatus.SUCCEEDED and record.ok and record.error is None
    assert record.plant == "north" and record.input_name == "small.xlsx"
    assert record.input_sha256 == file_sha256(workbook)
    assert record.settings == SETTINGS
    assert record.versions["planner"] and record.versions["highspy"]
    assert record.started_at == started and record.seconds >= 3
    assert set(record.kpis) == {"mrp", "heijunka"}
    assert record.kpis["mrp"]["total_cost"] == pytest.approx(
        comparison["mrp"].evaluation.kpis["total_cost"]
    )
    assert record.nervousness is None and record.previous_run_id is None
    problem = comparison.problem
    assert record.horizon == (problem.days[0], problem.days[-1])
    assert record.frozen_until == problem.days[4]
    assert record.output_workbook is not None and record.output_json is not None
    assert record.output_workbook.is_absolute() and record.output_workbook.exists()
    assert record.output_json.exists()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        f"north-run{record.id}.json",
        f"north-run{record.id}.xlsx",
    ]
    plans = store.plans(record.id)
    for name in ("mrp", "heijunka"):
        starts = comparison[name].plan.starts
        stored = np.zeros_like(starts)
        for (item, day), qty in plans[name].items():
            stored[problem.item_index[item], problem.day_index[day]] = qty
        np.testing.assert_allclose(stored, starts)
    assert store.get_run(record.id) == record
    assert store.list_runs() == [record] == store.list_runs("north")
    assert store.list_runs("south") == []


def test_the_same_input_and_settings_are_recorded_once_unless_forced(
    store: RunStore, workbook: Path, comparison: Comparison, tmp_path: Path
) -> None:
    def record(force: bool = False, settings: dict[str, object] = SETTINGS):  # type: ignore[no-untyped-def]
        return record_comparison(
            store, plant="north", workbook=workbook, comparison=comparison,
            settings=settings, output_dir=tmp_path, force=force,
        )  # fmt: skip

    first = record()
    assert record() == first
    assert len(list(tmp_path.iterdir())) == 2
    assert store.find_completed("north", file_sha256(workbook), SETTINGS) == first
    other = record(settings={**SETTINGS, "frozen_days": 3})
    assert other.id != first.id
    forced = record(force=True)
    assert forced.id not in (first.id, other.id)
    assert forced.previous_run_id == other.id
    assert forced.nervousness is not None
    for figures in forced.nervousness["strategies"].values():
        assert figures["changed"] == 0 and figures["frozen_quantity_moved"] == 0
    assert [r.id for r in store.list_runs("north")] == [forced.id, other.id, first.id]
    assert store.previous_run("north", forced) == other
    assert store.previous_run("north", first) is None


def test_nervousness_is_measured_against_the_previous_run(
    store: RunStore, workbook: Path, comparison: Comparison, tmp_path: Path
) -> None:
    first = record_comparison(
        store, plant="north", workbook=workbook, comparison=comparison, settings=SETTINGS,
        output_dir=tmp_path,
    )  # fmt: skip
    second = record_comparison(
        store, plant="north", workbook=workbook, comparison=busier(comparison),
        settings=SETTINGS, output_dir=tmp_path, force=True,
    )  # fmt: skip
    assert second.previous_run_id == first.id
    measured = second.nervousness
    assert measured is not None and measured["previous_run_id"] == first.id
    mrp, heijunka = measured["strategies"]["mrp"], measured["strategies"]["heijunka"]
    starts = comparison["mrp"].plan.starts
    doubled = int(np.count_nonzero(starts[:, :2]))
    assert mrp["resized"] == mrp["changed"] == doubled > 0
    assert mrp["frozen_quantity_moved"] == pytest.approx(starts[:, :2].sum())
    assert mrp["changed_share"] == pytest.approx(doubled / np.count_nonzero(starts))
    assert heijunka["changed"] == 0
    diff = store.diff_runs(first.id, second.id)
    assert len(diff.changes) == doubled
    assert all(change.frozen for change in diff.changes)


def test_runs_recorded_under_two_spellings_of_a_plant_are_one_history(
    store: RunStore, workbook: Path, comparison: Comparison, tmp_path: Path
) -> None:
    first = record_comparison(
        store, plant="example_small", workbook=workbook, comparison=comparison,
        settings=SETTINGS, output_dir=tmp_path,
    )  # fmt: skip
    second = record_comparison(
        store, plant="example-small", workbook=workbook, comparison=busier(comparison),
        settings=SETTINGS, output_dir=tmp_path, force=True,
    )  # fmt: skip
    assert first.plant == "example_small" and second.plant == "example-small"
    assert second.previous_run_id == first.id
    assert second.nervousness is not None and second.nervousness["previous_run_id"] == first.id
    assert second.nervousness["strategies"]["mrp"]["changed"] > 0
    for name in ("example_small", "example-small", "Example Small"):
        assert store.list_runs(name) == [second, first]
        assert store.latest_run(name) == second
        assert store.previous_run(name, second) == first
        assert store.find_completed(name, file_sha256(workbook), SETTINGS) == second
    assert store.list_runs("examplesmall") == [] and store.latest_run("example_small_2") is None
    again = record_comparison(
        store, plant="EXAMPLE.SMALL", workbook=workbook, comparison=comparison,
        settings=SETTINGS, output_dir=tmp_path,
    )  # fmt: skip
    assert again == second
    assert store.plants() == ["example-small"]
    store.record_failure(
        plant="north", input_name="north.xlsx", error="bad", settings=SETTINGS,
        started_at=datetime.now(UTC),
    )  # fmt: skip
    store.record_failure(
        plant="Example_Small", input_name="small.xlsx", error="bad", settings=SETTINGS,
        started_at=datetime.now(UTC),
    )  # fmt: skip
    assert store.plants() == ["Example_Small", "north"]
    assert store.latest_run("example small") == second


def migrate(url: str, revision: str, *, down: bool = False) -> None:
    """Bring the store at ``url`` to a revision of its migrations, as RunStore does."""
    config = Config()
    folder = Path(planner.runs.store.__file__).resolve().parent / "migrations"
    config.set_main_option("script_location", str(folder))
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            (command.downgrade if down else command.upgrade)(config, revision)
    finally:
        engine.dispose()


def test_the_upgrade_keys_the_runs_of_a_store_of_the_first_schema(database_url: str) -> None:
    migrate(database_url, "0001")
    runs = sa.table(
        "runs", *(sa.column(name) for name in ("id", "plant", "status", "input_name")),
        sa.column("started_at", UtcDateTime()), sa.column("finished_at", UtcDateTime()),
        sa.column("settings", sa.JSON()), sa.column("settings_sha256"),
        sa.column("versions", sa.JSON()), sa.column("kpis", sa.JSON()),
        sa.column("horizon_start", sa.Date()), sa.column("horizon_end", sa.Date()),
    )  # fmt: skip
    starts = sa.table(
        "plan_starts", sa.column("run_id"), sa.column("strategy"), sa.column("item"),
        sa.column("day", sa.Date()), sa.column("qty"),
    )  # fmt: skip
    day, now = date(2026, 3, 2), datetime.now(UTC)
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            sa.insert(runs),
            [
                {
                    "id": number,
                    "plant": plant,
                    "status": "succeeded",
                    "input_name": "a.xlsx",
                    "started_at": now + timedelta(minutes=number),
                    "finished_at": now + timedelta(minutes=number),
                    "settings": SETTINGS,
                    "settings_sha256": "0" * 64,
                    "versions": {},
                    "kpis": {"mrp": {}},
                    "horizon_start": day,
                    "horizon_end": day,
                }
                for number, plant in ((1, "Example_Small"), (2, "north"))
            ],
        )
        connection.execute(
            sa.insert(starts), {"run_id": 1, "strategy": "mrp", "item": "A", "day": day, "qty": 5}
        )
    engine.dispose()

    with RunStore(database_url) as store:
        [run] = store.list_runs("example-small")
        assert run.id == 1 and run.plant == "Example_Small"
        assert store.plans(1) == {"mrp": {("A", day): 5.0}}
        assert store.plants() == ["Example_Small", "north"]
        assert [r.id for r in store.list_runs("North")] == [2]
    engine = create_engine(database_url)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
        keys = connection.execute(text("SELECT plant_key FROM runs ORDER BY id")).scalars()
        assert list(keys) == ["example-small", "north"]
    engine.dispose()

    migrate(database_url, "0001", down=True)
    engine = create_engine(database_url)
    with engine.connect() as connection:
        assert "plant_key" not in {c["name"] for c in inspect(connection).get_columns("runs")}
        assert {i["name"] for i in inspect(connection).get_indexes("runs")} == {
            "ix_runs_plant",
            "ix_runs_plant_input",
        }
        assert connection.execute(text("SELECT count(*) FROM plan_starts")).scalar() == 1
        assert connection.execute(text("SELECT count(*) FROM runs")).scalar() == 2
    engine.dispose()


def test_the_upgrade_keeps_the_charts_recorded_before_charts_had_items(
    store: RunStore, database_url: str, workbook: Path, comparison: Comparison, tmp_path: Path
) -> None:
    record = record_comparison(
        store, plant="north", workbook=workbook, comparison=comparison, settings=SETTINGS,
        output_dir=tmp_path,
    )  # fmt: skip
    keys = store.chart_keys(record.id)
    pieces = {key: store.chart(record.id, key) for key in keys}
    store.close()
    migrate(database_url, "0003", down=True)
    engine = create_engine(database_url)
    with engine.connect() as connection:
        assert "item" not in {c["name"] for c in inspect(connection).get_columns("run_charts")}
        count = connection.execute(text("SELECT count(*) FROM run_charts")).scalar()
        assert count == len(keys)
    engine.dispose()
    with RunStore(database_url) as upgraded:
        assert upgraded.chart_keys(record.id) == keys
        assert {key: upgraded.chart(record.id, key) for key in keys} == pieces


def test_a_run_that_fails_to_record_leaves_nothing(
    store: RunStore, workbook: Path, comparison: Comparison, tmp_path: Path
) -> None:
    staged = []
    for suffix in (".xlsx", ".json"):
        path = tmp_path / f".staged{suffix}"
        path.write_text("staged")
        staged.append(path)
    day = date(2026, 3, 2)
    prepared = PreparedRun(
        plant="north", input_name="small.xlsx", input_sha256="0" * 64, settings=SETTINGS,
        started_at=datetime.now(UTC), finished_at=datetime.now(UTC), kpis={"mrp": {}},
        starts=(("mrp", "A", day, 1.0), ("mrp", "A", day, 2.0)),  # the same order twice
        horizon_start=day, horizon_end=day, frozen_until=None, output_dir=tmp_path,
        staged_workbook=staged[0], staged_json=staged[1],
    )  # fmt: skip
    with pytest.raises(StoreError, match="cannot record the run"):
        store.record(prepared)
    assert store.list_runs() == []
    assert list(tmp_path.iterdir()) == []


def test_failed_runs_are_listed_but_never_count_as_done(store: RunStore) -> None:
    failed = store.record_failure(
        plant="north", input_name="north.xlsx", error="sheet Items, row 3: bad",
        settings=SETTINGS, started_at=datetime.now(UTC), input_sha256="a" * 64,
    )  # fmt: skip
    assert failed.status is RunStatus.FAILED and not failed.ok
    assert failed.error == "sheet Items, row 3: bad" and failed.kpis == {}
    assert failed.output_workbook is None and failed.horizon is None
    assert store.list_runs("north") == [failed]
    assert store.find_completed("north", "a" * 64, SETTINGS) is None
    assert store.latest_run("north") is None
    assert store.previous_run("north", failed) is None
    assert store.plants() == ["north"]


def test_an_unknown_run_is_a_clear_error(store: RunStore) -> None:
    with pytest.raises(UnknownRunError, match="no run 42 in the run store"):
        store.get_run(42)
    with pytest.raises(UnknownRunError):
        store.plans(42)


def test_a_store_that_cannot_be_opened_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="not a database URL"):
        RunStore("not a url")
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StoreError, match="cannot open the run store"):
        RunStore(f"sqlite:///{blocker / 'sub' / 'runs.sqlite3'}")
    with pytest.raises(StoreError, match="cannot open the run store") as refused:
        RunStore("postgresql+psycopg://planner:secret@127.0.0.1:9/planner")
    assert "secret" not in str(refused.value)
    newer = f"sqlite:///{tmp_path / 'newer.sqlite3'}"
    RunStore(newer).close()
    engine = create_engine(newer)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(StoreError, match="schema is not one this version of planner knows"):
        RunStore(newer)


def test_the_default_store_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("PLANNER_DATABASE_URL", raising=False)
    monkeypatch.setenv("PLANNER_DATA_DIR", str(tmp_path / "data"))
    assert default_database_url() == f"sqlite:///{tmp_path / 'data' / 'runs.sqlite3'}"
    with RunStore() as store:
        assert store.list_runs() == []
    assert (tmp_path / "data" / "runs.sqlite3").exists()
    monkeypatch.delenv("PLANNER_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_database_url().endswith(f"{tmp_path}/xdg/planner/runs.sqlite3")
    monkeypatch.setenv("PLANNER_DATABASE_URL", "postgresql+psycopg://planner@db/planner")
    assert default_database_url() == "postgresql+psycopg://planner@db/planner"
