"""The run store: every planning run of every plant, with its inputs, KPIs and plans.

A run is recorded in one database transaction together with its planned
starts, and its output files are renamed into place inside that
transaction, so a run stopped at any point leaves either a whole record or
none. The store is SQLite (one file, no server) unless a database URL is
given, e.g. ``postgresql+psycopg://user@host/planner``. Opening a store
brings its schema up to date with the Alembic migrations of
:mod:`planner.runs.migrations`.

Typical use::

    store = RunStore()  # or RunStore("postgresql+psycopg://...")
    record = record_comparison(store, plant="north", workbook=path, comparison=comparison,
                               settings={"strategies": ["mrp", "batch"]}, output_dir=folder)
    store.list_runs("north", limit=10)

A plant is found by its :func:`~planner.runs.plants.plant_key`, not by the
exact name: runs recorded as ``example_small`` and as ``Example-Small`` are
one plant's history, and each run keeps the name it was given.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.util import CommandError
from sqlalchemy import Engine, create_engine, event, insert, select
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session

from models import PlanningError
from planner.charts import ChartKey
from planner.report.files import json_ready
from planner.results import Comparison
from planner.runs import DATABASE_URL_VARIABLE
from planner.runs.changes import (
    RunDiff,
    Starts,
    compare_plans,
    nervousness,
    starts_by_strategy,
    window_between,
)
from planner.runs.plants import plant_key
from planner.runs.prepared import (
    PreparedRun,
    file_sha256,
    prepare_run,
    slug,
    software_versions,
)
from planner.runs.schema import PlanStartRow, RunChartRow, RunRow

__all__ = [
    "DATABASE_URL_VARIABLE",
    "PreparedRun",
    "RunRecord",
    "RunStatus",
    "RunStore",
    "StoreError",
    "UnknownRunError",
    "default_database_url",
    "file_sha256",
    "plant_key",
    "prepare_run",
    "record_comparison",
    "settings_sha256",
]

DATA_DIR_VARIABLE = "PLANNER_DATA_DIR"
"""Environment variable naming the folder of the default SQLite store."""


class RunStatus(StrEnum):
    """How a recorded run ended."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"


class StoreError(PlanningError):
    """The run store cannot be opened, read or written."""


class UnknownRunError(StoreError):
    """A run id that is not in the store."""

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        super().__init__(
            f"there is no run {run_id} in the run store ('planner history' lists runs)"
        )


@dataclass(frozen=True)
class RunRecord:
    """One recorded run of one plant.

    Parameters
    ----------
    id
        The run's number in the store.
    plant
        The plant's name, as the run was given it (runs of one plant may
        spell it differently: see :func:`~planner.runs.plants.plant_key`).
    started_at, finished_at
        When the run started and was recorded (UTC).
    status
        ``succeeded`` or ``failed``.
    input_name
        The input workbook's file name (its path when it was given as one).
    input_sha256
        The SHA-256 of the input file's bytes (``None`` when it could not be read).
    settings
        The settings the run planned with (strategies, solver, time limit, ...).
    versions
        The versions of this package, Python and the solver libraries.
    kpis
        Per strategy, the KPIs of the summary JSON.
    output_workbook, output_json
        The output files (``None`` for a failed run).
    nervousness
        The plans' changes against the plant's previous run (see
        :mod:`planner.runs.changes`), ``None`` without a previous run.
    error
        Why a failed run failed.
    horizon_start, horizon_end
        The first and last working day planned.
    frozen_until
        The last working day of the run's frozen window.
    previous_run_id
        The run the nervousness was measured against.
    """

    id: int
    plant: str
    started_at: datetime
    finished_at: datetime
    status: RunStatus
    input_name: str
    input_sha256: str | None
    settings: dict[str, Any]
    versions: dict[str, Any]
    kpis: dict[str, dict[str, Any]]
    output_workbook: Path | None
    output_json: Path | None
    nervousness: dict[str, Any] | None
    error: str | None
    horizon_start: date | None = None
    horizon_end: date | None = None
    frozen_until: date | None = None
    previous_run_id: int | None = None

    @property
    def seconds(self) -> float:
        """Wall-clock seconds from start to record."""
        return (self.finished_at - self.started_at).total_seconds()

    @property
    def horizon(self) -> tuple[date, date] | None:
        """The first and last working day planned (``None`` for a failed run)."""
        if self.horizon_start is None or self.horizon_end is None:
            return None
        return self.horizon_start, self.horizon_end

    @property
    def ok(self) -> bool:
        """Whether the run succeeded."""
        return self.status is RunStatus.SUCCEEDED

    def to_dict(self) -> dict[str, Any]:
        """Every field as plain JSON values (times and days as ISO text, paths as text)."""
        return json_ready(  # type: ignore[no-any-return]
            {spec.name: getattr(self, spec.name) for spec in fields(self)}
        )

    @classmethod
    def _from_row(cls, row: RunRow) -> RunRecord:
        return cls(
            id=row.id,
            plant=row.plant,
            started_at=row.started_at,
            finished_at=row.finished_at,
            status=RunStatus(row.status),
            input_name=row.input_name,
            input_sha256=row.input_sha256,
            settings=dict(row.settings),
            versions=dict(row.versions),
            kpis={str(k): dict(v) for k, v in row.kpis.items()},
            output_workbook=None if row.output_workbook is None else Path(row.output_workbook),
            output_json=None if row.output_json is None else Path(row.output_json),
            nervousness=None if row.nervousness is None else dict(row.nervousness),
            error=row.error,
            horizon_start=row.horizon_start,
            horizon_end=row.horizon_end,
            frozen_until=row.frozen_until,
            previous_run_id=row.previous_run_id,
        )


def default_database_url() -> str:
    """The run store used when no URL is given.

    ``$PLANNER_DATABASE_URL`` when set; otherwise the SQLite file
    ``runs.sqlite3`` in ``$PLANNER_DATA_DIR``, or in
    ``$XDG_DATA_HOME/planner`` (``~/.local/share/planner``).
    """
    configured = os.environ.get(DATABASE_URL_VARIABLE, "").strip()
    if configured:
        return configured
    folder = os.environ.get(DATA_DIR_VARIABLE, "").strip()
    if folder:
        base = Path(folder).expanduser()
    else:
        data_home = os.environ.get("XDG_DATA_HOME", "").strip()
        base = (Path(data_home) if data_home else Path.home() / ".local" / "share") / "planner"
    return f"sqlite:///{(base / 'runs.sqlite3').resolve()}"


def settings_sha256(settings: Mapping[str, Any]) -> str:
    """The SHA-256 of the settings' canonical JSON (sorted keys): equal settings, equal hash."""
    text = json.dumps(settings, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class RunStore:
    """The database of recorded runs.

    Parameters
    ----------
    url
        A SQLAlchemy database URL (``sqlite:///runs.sqlite3``,
        ``postgresql+psycopg://user:password@host/db``); ``None`` for
        :func:`default_database_url`. The schema is created or upgraded on
        open.

    Raises
    ------
    StoreError
        When the URL is malformed or the database cannot be reached or upgraded.
    """

    def __init__(self, url: str | None = None) -> None:
        self.url = url or default_database_url()
        try:
            parsed = make_url(self.url)
        except ArgumentError:
            raise StoreError(f"{self.url!r} is not a database URL") from None
        self._sqlite = parsed.get_backend_name() == "sqlite"
        if self._sqlite and parsed.database not in (None, "", ":memory:"):
            folder = Path(parsed.database).expanduser().parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as failure:
                raise StoreError(
                    f"cannot open the run store {self.location}: cannot create {folder}: "
                    f"{failure.strerror}"
                ) from None
        try:
            self._engine = self._create_engine()
            self._upgrade()
        except SQLAlchemyError as failure:
            raise StoreError(
                f"cannot open the run store {self.location}: {_reason(failure)}"
            ) from None
        except ImportError as missing:
            raise StoreError(
                f"cannot open the run store {self.location}: its database driver "
                f"{missing.name!r} is not installed (for PostgreSQL: pip install 'psycopg[binary]')"
            ) from None
        except CommandError as newer:
            raise StoreError(
                f"cannot open the run store {self.location}: its schema is not one this "
                f"version of planner knows ({newer}); update planner"
            ) from None

    def __repr__(self) -> str:
        return f"RunStore({self.location!r})"

    @property
    def location(self) -> str:
        """The database URL with its password hidden, for messages."""
        return make_url(self.url).render_as_string(hide_password=True)

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the store's database connections."""
        self._engine.dispose()

    # Reading -----------------------------------------------------------------------

    def list_runs(self, plant: str | None = None, limit: int | None = None) -> list[RunRecord]:
        """Recorded runs, newest first, of one plant (under any spelling of its name) or of all."""
        query = select(RunRow).order_by(RunRow.started_at.desc(), RunRow.id.desc())
        if plant is not None:
            query = query.where(RunRow.plant_key == plant_key(plant))
        if limit is not None:
            query = query.limit(limit)
        with self._reading() as session:
            return [RunRecord._from_row(row) for row in session.scalars(query)]

    def plants(self) -> list[str]:
        """The plants with recorded runs, each once, under the name of its latest run."""
        query = select(RunRow.plant_key, RunRow.plant).order_by(
            RunRow.started_at.desc(), RunRow.id.desc()
        )
        latest: dict[str, str] = {}
        with self._reading() as session:
            for key, name in session.execute(query):
                latest.setdefault(key, name)
        return sorted(latest.values(), key=lambda name: (plant_key(name), name))

    def get_run(self, run_id: int) -> RunRecord:
        """The run numbered ``run_id``.

        Raises
        ------
        UnknownRunError
            When there is no such run.
        """
        with self._reading() as session:
            row = session.get(RunRow, run_id)
            if row is None:
                raise UnknownRunError(run_id)
            return RunRecord._from_row(row)

    def previous_run(self, plant: str, before: RunRecord) -> RunRecord | None:
        """The plant's latest succeeded run started before ``before``, if any."""
        with self._reading() as session:
            row = _latest_succeeded(session, plant, before.started_at, before.id)
            return None if row is None else RunRecord._from_row(row)

    def latest_run(self, plant: str) -> RunRecord | None:
        """The plant's latest succeeded run, if any."""
        with self._reading() as session:
            row = _latest_succeeded(session, plant, None, None)
            return None if row is None else RunRecord._from_row(row)

    def find_completed(
        self, plant: str, input_sha256: str, settings: Mapping[str, Any]
    ) -> RunRecord | None:
        """The plant's latest succeeded run of the same input file and settings, if any."""
        query = (
            select(RunRow)
            .where(
                RunRow.plant_key == plant_key(plant),
                RunRow.input_sha256 == input_sha256,
                RunRow.settings_sha256 == settings_sha256(settings),
                RunRow.status == RunStatus.SUCCEEDED.value,
            )
            .order_by(RunRow.started_at.desc(), RunRow.id.desc())
            .limit(1)
        )
        with self._reading() as session:
            row = session.scalars(query).first()
            return None if row is None else RunRecord._from_row(row)

    def plans(self, run_id: int) -> dict[str, dict[tuple[str, date], float]]:
        """A run's planned starts: per strategy, the quantity per ``(item, day)``.

        Raises
        ------
        UnknownRunError
            When there is no such run.
        """
        self.get_run(run_id)
        with self._reading() as session:
            return _plans(session, run_id)

    def chart_keys(self, run_id: int) -> list[ChartKey]:
        """The charts a run keeps, in the order they were recorded (none for older runs)."""
        query = (
            select(
                RunChartRow.kind, RunChartRow.strategy, RunChartRow.work_center, RunChartRow.item
            )
            .where(RunChartRow.run_id == run_id)
            .order_by(RunChartRow.position)
        )
        with self._reading() as session:
            return [ChartKey.of(*row) for row in session.execute(query)]

    def chart(self, run_id: int, key: ChartKey) -> dict[str, Any] | None:
        """The series of one of a run's charts (:func:`planner.charts.figure` draws them)."""
        with self._reading() as session:
            row = session.get(
                RunChartRow, (run_id, key.kind.value, key.strategy, key.work_center, key.item)
            )
            return None if row is None else dict(row.data)

    def diff_runs(self, before_id: int, after_id: int) -> RunDiff:
        """The changes from run ``before_id``'s plans to run ``after_id``'s.

        The dates compared are those both horizons cover; the frozen window
        is ``after_id``'s.

        Raises
        ------
        UnknownRunError
            When either run is not in the store.
        """
        before, after = self.get_run(before_id), self.get_run(after_id)
        window = None
        if before.horizon is not None and after.horizon is not None:
            window = window_between(before.horizon, after.horizon, after.frozen_until)
        if window is None:
            return RunDiff(before_id, after_id, None, {})
        old: dict[str, Starts] = {name: {} for name in before.kpis}
        old.update(self.plans(before_id))
        new: dict[str, Starts] = {name: {} for name in after.kpis}
        new.update(self.plans(after_id))
        return RunDiff(before_id, after_id, window, compare_plans(old, new, window))

    # Writing -----------------------------------------------------------------------

    def record(self, prepared: PreparedRun) -> RunRecord:
        """Record a planned run, its starts and its outputs, all or nothing.

        In one transaction: the run and its starts are inserted, its
        nervousness against the plant's previous succeeded run is computed,
        and the staged output files are renamed to
        ``<plant>-run<id>.xlsx`` and ``.json`` in the run's output folder.
        If anything fails the transaction is rolled back and the files are
        removed.
        """
        placed: list[Path] = []
        try:
            with self._writing() as session:
                previous = _latest_succeeded(session, prepared.plant, prepared.started_at, None)
                measured = None
                if previous is not None:
                    measured = _nervousness(session, previous, prepared)
                row = RunRow(
                    plant=prepared.plant,
                    plant_key=plant_key(prepared.plant),
                    started_at=prepared.started_at,
                    finished_at=prepared.finished_at,
                    status=RunStatus.SUCCEEDED.value,
                    input_name=prepared.input_name,
                    input_sha256=prepared.input_sha256,
                    settings=dict(prepared.settings),
                    settings_sha256=settings_sha256(prepared.settings),
                    versions=dict(prepared.versions),
                    kpis=prepared.kpis,
                    horizon_start=prepared.horizon_start,
                    horizon_end=prepared.horizon_end,
                    frozen_until=prepared.frozen_until,
                    previous_run_id=None if previous is None else previous.id,
                    nervousness=measured,
                )
                session.add(row)
                session.flush()
                if prepared.starts:
                    session.execute(
                        insert(PlanStartRow),
                        [
                            {"run_id": row.id, "strategy": s, "item": i, "day": d, "qty": q}
                            for s, i, d, q in prepared.starts
                        ],
                    )
                if prepared.charts:
                    session.execute(
                        insert(RunChartRow),
                        [
                            {"run_id": row.id, **key.to_dict(), "position": n, "data": data}
                            for n, (key, data) in enumerate(prepared.charts)
                        ],
                    )
                stem = f"{slug(prepared.plant)}-run{row.id}"
                workbook = prepared.output_dir / f"{stem}.xlsx"
                summary_json = prepared.output_dir / f"{stem}.json"
                for staged, final in (
                    (prepared.staged_workbook, workbook),
                    (prepared.staged_json, summary_json),
                ):
                    staged.replace(final)
                    placed.append(final)
                row.output_workbook = str(workbook)
                row.output_json = str(summary_json)
                session.flush()
                return RunRecord._from_row(row)
        except BaseException as failure:
            prepared.discard()
            for path in placed:
                path.unlink(missing_ok=True)
            if isinstance(failure, SQLAlchemyError):
                raise StoreError(f"cannot record the run: {_reason(failure)}") from None
            raise

    def record_failure(
        self,
        *,
        plant: str,
        input_name: str,
        error: str,
        settings: Mapping[str, Any],
        started_at: datetime,
        input_sha256: str | None = None,
    ) -> RunRecord:
        """Record a run that failed (its input is invalid, or planning failed), with why."""
        try:
            with self._writing() as session:
                row = RunRow(
                    plant=plant,
                    plant_key=plant_key(plant),
                    started_at=started_at,
                    finished_at=datetime.now(UTC),
                    status=RunStatus.FAILED.value,
                    input_name=input_name,
                    input_sha256=input_sha256,
                    settings=dict(settings),
                    settings_sha256=settings_sha256(settings),
                    versions=software_versions(),
                    kpis={},
                    error=error,
                )
                session.add(row)
                session.flush()
                return RunRecord._from_row(row)
        except SQLAlchemyError as failure:
            raise StoreError(f"cannot record the run: {_reason(failure)}") from None

    # Engine ------------------------------------------------------------------------

    def _create_engine(self) -> Engine:
        if not self._sqlite:
            return create_engine(self.url, pool_pre_ping=True)
        engine = create_engine(self.url, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection: Any, record: Any) -> None:
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection: Connection) -> None:
            mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
            connection.exec_driver_sql(f"BEGIN {mode}")

        return engine

    def _upgrade(self) -> None:
        """Bring the schema to the newest migration, in one transaction."""
        config = Config()
        config.set_main_option(
            "script_location", str(Path(__file__).resolve().parent / "migrations")
        )
        engine = self._engine.execution_options(sqlite_begin="IMMEDIATE")
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("SELECT pg_advisory_xact_lock(7036428951)")
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        try:
            with Session(self._engine) as session:
                yield session
        except SQLAlchemyError as failure:
            raise StoreError(f"cannot read the run store: {_reason(failure)}") from None

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        engine = self._engine.execution_options(sqlite_begin="IMMEDIATE")
        with Session(engine, expire_on_commit=False) as session, session.begin():
            yield session


def record_comparison(
    store: RunStore,
    *,
    plant: str,
    workbook: Path,
    comparison: Comparison,
    settings: Mapping[str, Any],
    output_dir: Path,
    force: bool = False,
    started_at: datetime | None = None,
) -> RunRecord:
    """Write a comparison's outputs and record it as a run of ``plant``.

    The output workbook and JSON are written atomically into
    ``output_dir`` and the run (with its plans and its nervousness against
    the plant's previous run) is recorded in one transaction.

    Parameters
    ----------
    store
        Where to record the run.
    plant
        The plant's name.
    workbook
        The input workbook the comparison planned (hashed to recognise a re-run).
    comparison
        The plans and their evaluations.
    settings
        What the run planned with (JSON-ready): strategies, solver, time
        limit, ``frozen_days``, ... Equal settings and input mean the same run.
    output_dir
        The folder of the output files (created when missing).
    force
        Record a new run even when the same input and settings were
        recorded before; otherwise that earlier run is returned and nothing
        is written.
    started_at
        When planning started (now when not given).

    Returns
    -------
    RunRecord
        The new run, or the earlier identical run when ``force`` is false.
    """
    started_at = started_at or datetime.now(UTC)
    digest = file_sha256(workbook)
    if not force:
        done = store.find_completed(plant, digest, settings)
        if done is not None:
            return done
    prepared = prepare_run(
        comparison,
        plant=plant,
        workbook=workbook,
        settings=settings,
        output_dir=output_dir,
        started_at=started_at,
        input_sha256=digest,
    )
    return store.record(prepared)


def _latest_succeeded(
    session: Session, plant: str, started_before: datetime | None, other_than: int | None
) -> RunRow | None:
    query = select(RunRow).where(
        RunRow.plant_key == plant_key(plant), RunRow.status == RunStatus.SUCCEEDED.value
    )
    if started_before is not None:
        query = query.where(RunRow.started_at <= started_before)
    if other_than is not None:
        query = query.where(RunRow.id != other_than)
    query = query.order_by(RunRow.started_at.desc(), RunRow.id.desc()).limit(1)
    return session.scalars(query).first()


def _plans(session: Session, run_id: int) -> dict[str, dict[tuple[str, date], float]]:
    rows = session.execute(
        select(PlanStartRow.strategy, PlanStartRow.item, PlanStartRow.day, PlanStartRow.qty)
        .where(PlanStartRow.run_id == run_id)
        .order_by(PlanStartRow.strategy, PlanStartRow.item, PlanStartRow.day)
    )
    return starts_by_strategy((s, i, d, q) for s, i, d, q in rows)


def _nervousness(
    session: Session, previous: RunRow, prepared: PreparedRun
) -> dict[str, Any] | None:
    """The prepared run's changes against ``previous`` over the dates both plan."""
    if previous.horizon_start is None or previous.horizon_end is None:
        return None
    window = window_between(
        (previous.horizon_start, previous.horizon_end),
        (prepared.horizon_start, prepared.horizon_end),
        prepared.frozen_until,
    )
    if window is None:
        return None
    before: dict[str, Starts] = {name: {} for name in previous.kpis}
    before.update(_plans(session, previous.id))
    after: dict[str, Starts] = {name: {} for name in prepared.kpis}
    after.update(starts_by_strategy(prepared.starts))
    return nervousness(before, after, window, previous_run_id=previous.id)


def _reason(failure: SQLAlchemyError) -> str:
    """The database's own message, first line only."""
    original = getattr(failure, "orig", None)
    text = str(original if original is not None else failure).strip()
    return text.splitlines()[0] if text else type(failure).__name__
