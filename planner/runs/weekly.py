"""The weekly batch run: plan every plant of a configuration and record each run.

For each plant the run takes its workbook (or the newest workbook of its
folder), skips it when the same file was already planned with the same
settings (unless forced), plans and compares the strategies, writes the
output workbook and JSON into the day's folder and records the run with its
nervousness against the plant's previous run. A plant that fails (missing
or invalid workbook, planning error) is recorded as failed and the others
go on. Plants are planned in parallel by :func:`planner.parallel.map_tasks`
(worker processes or a Dask cluster); the run store is written only here,
in the parent process, as each plant finishes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np

from models import PlanningError, Problem
from models.strategy import PreviousPlans
from models.wording import counted
from planner.comparison import compare, run_options
from planner.parallel import ParallelError, TaskFailedError, map_tasks
from planner.results import Comparison
from planner.runs.config import RunConfig
from planner.runs.lock import RunLock
from planner.runs.store import (
    PreparedRun,
    RunRecord,
    RunStore,
    StoreError,
    file_sha256,
    prepare_run,
)
from planner.workbook.reader import read_workbook

EXIT_ALL_OK = 0
"""Every plant was planned and recorded, or had already been."""
EXIT_ERROR = 1
"""The run could not start (e.g. the run store cannot be opened)."""
EXIT_INVALID_CONFIG = 2
"""The configuration file is missing or invalid."""
EXIT_PARTIAL = 3
"""Some plants failed, the others were planned and recorded."""
EXIT_ALL_FAILED = 4
"""Every plant failed."""
EXIT_LOCKED = 5
"""Another run of the same configuration is in progress."""

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")

PreviousStarts = Mapping[str, tuple[tuple[str, date, float], ...]]
"""A run's starts per strategy, as ``(item, day, qty)`` rows."""
_SHOWN_ERRORS = 5


class PlantStatus(StrEnum):
    """What happened to one plant in a weekly run."""

    RECORDED = "recorded"
    ALREADY_DONE = "already_done"
    FAILED = "failed"


@dataclass(frozen=True)
class PlantTask:
    """What a worker needs to plan one plant: plain, picklable data."""

    plant: str
    workbook: Path
    input_sha256: str
    settings: dict[str, Any]
    output_dir: Path
    previous: PreviousStarts | None = None


@dataclass(frozen=True)
class PlantOutcome:
    """A worker's answer: the prepared run, or why the plant failed."""

    plant: str
    started_at: datetime
    prepared: PreparedRun | None = None
    error: str | None = None


@dataclass(frozen=True)
class PlantResult:
    """One plant's result in a weekly run.

    ``record`` is the recorded run (the earlier identical run when
    ``already_done``; the failed run when the failure could be recorded).
    """

    plant: str
    status: PlantStatus
    input_path: Path | None
    record: RunRecord | None = None
    error: str | None = None


@dataclass
class WeeklyReport:
    """What a weekly run did, plant by plant, in the configuration's order."""

    results: list[PlantResult] = field(default_factory=list)

    @property
    def failed(self) -> list[PlantResult]:
        """The plants that failed."""
        return [r for r in self.results if r.status is PlantStatus.FAILED]

    @property
    def exit_code(self) -> int:
        """:data:`EXIT_ALL_OK`, :data:`EXIT_PARTIAL` or :data:`EXIT_ALL_FAILED`."""
        if not self.failed:
            return EXIT_ALL_OK
        return EXIT_ALL_FAILED if len(self.failed) == len(self.results) else EXIT_PARTIAL


PlantCallback = Callable[[PlantResult], None]


def newest_workbook(folder: Path) -> Path:
    """The most recently modified workbook of a folder (hidden and Excel lock files skipped).

    Raises
    ------
    PlanningError
        When the folder holds no workbook.
    """
    candidates = [
        path
        for path in folder.iterdir()
        if path.is_file()
        and path.suffix.lower() in WORKBOOK_SUFFIXES
        and not path.name.startswith((".", "~$"))
    ]
    if not candidates:
        raise PlanningError(f"the folder {folder} holds no workbook (.xlsx)")
    return max(candidates, key=lambda path: (path.stat().st_mtime, path.name))


def input_workbook(config: RunConfig, path: Path) -> Path:
    """The workbook to plan for a plant's ``input``: the file, or its folder's newest.

    Raises
    ------
    PlanningError
        When the path does not exist or the folder holds no workbook.
    """
    resolved = config.resolve(path)
    if resolved.is_dir():
        return newest_workbook(resolved)
    if not resolved.exists():
        raise PlanningError(f"the input {resolved} does not exist")
    return resolved


def run_weekly(
    config: RunConfig,
    store: RunStore,
    *,
    force: bool = False,
    on_plant: PlantCallback | None = None,
    today: date | None = None,
) -> WeeklyReport:
    """Plan and record every plant of ``config``, holding its lock.

    Parameters
    ----------
    config
        The plants and how to plan them.
    store
        Where runs are recorded.
    force
        Plan plants whose input and settings were already planned.
    on_plant
        Called with each plant's result as soon as it is known.
    today
        The dated folder's date (today, local time, when not given).

    Raises
    ------
    RunLockedError
        When another run of the same configuration holds the lock.
    """
    with RunLock(config.lock_path):
        return _run_locked(config, store, force, on_plant, today)


STALE_STAGED_SECONDS = 2 * 24 * 3600.0
"""Staged output files older than this were left by a run killed between writing and recording."""


def _remove_stale_staged_files(output_root: Path) -> None:
    """Delete output files staged by runs that were killed before recording them.

    Only files older than :data:`STALE_STAGED_SECONDS` go: a younger one may
    belong to a run of another configuration writing to the same folder.
    """
    now = time.time()
    for staged in output_root.glob("*/.*.staged.*"):
        with contextlib.suppress(OSError):
            if now - staged.stat().st_mtime > STALE_STAGED_SECONDS:
                staged.unlink()


def _run_locked(
    config: RunConfig,
    store: RunStore,
    force: bool,
    on_plant: PlantCallback | None,
    today: date | None,
) -> WeeklyReport:
    settings = config.settings()
    day = today or datetime.now().astimezone().date()
    _remove_stale_staged_files(config.resolve(config.output))
    output_dir = config.resolve(config.output) / day.isoformat()
    results: dict[str, PlantResult] = {}

    def settle(result: PlantResult) -> None:
        results[result.plant] = result
        if on_plant is not None:
            on_plant(result)

    tasks: list[PlantTask] = []
    for plant in config.plants:
        started = datetime.now(UTC)
        try:
            workbook = input_workbook(config, plant.input)
            digest = file_sha256(workbook)
        except (PlanningError, OSError) as failure:
            settle(_failure(store, plant.name, str(plant.input), str(failure), settings, started))
            continue
        done = None if force else store.find_completed(plant.name, digest, settings)
        if done is not None:
            settle(PlantResult(plant.name, PlantStatus.ALREADY_DONE, workbook, done))
            continue
        tasks.append(
            PlantTask(
                plant.name,
                workbook,
                digest,
                settings,
                output_dir,
                _previous_starts(store, plant.name, config),
            )
        )

    def finished(index: int, outcome: PlantOutcome) -> None:
        settle(_record(store, tasks[index], outcome))

    try:
        map_tasks(
            plan_plant,
            tasks,
            scheduler=config.scheduler,
            workers=config.workers if config.scheduler is None else None,
            on_done=finished,
        )
    except (TaskFailedError, ParallelError) as failure:
        if os.environ.get("PLANNER_DEBUG"):
            raise
        for task in tasks:
            if task.plant not in results:
                settle(
                    _failure(
                        store,
                        task.plant,
                        str(task.workbook),
                        f"the plant could not be planned: {failure}",
                        settings,
                        datetime.now(UTC),
                        task.input_sha256,
                    )
                )
    return WeeklyReport([results[plant.name] for plant in config.plants])


def plan_plant(task: PlantTask) -> PlantOutcome:
    """Read, plan and compare one plant, and stage its outputs (runs in a worker).

    Never raises for a bad plant: the outcome carries the error instead, so
    one plant cannot stop the others.
    """
    started = datetime.now(UTC)
    try:
        read = read_workbook(task.workbook)
        if read.problem is None:
            return PlantOutcome(task.plant, started, error=_invalid(task.workbook, read.errors))
        comparison = compare_with_stability(
            read.problem,
            task.settings,
            previous=task.previous,
        )
        prepared = prepare_run(
            comparison,
            plant=task.plant,
            workbook=task.workbook,
            settings=task.settings,
            output_dir=task.output_dir,
            started_at=started,
            input_sha256=task.input_sha256,
        )
    except PlanningError as failure:
        return PlantOutcome(task.plant, started, error=str(failure))
    except Exception as failure:
        if os.environ.get("PLANNER_DEBUG"):
            raise
        return PlantOutcome(
            task.plant, started, error=f"planning failed: {type(failure).__name__}: {failure}"
        )
    return PlantOutcome(task.plant, started, prepared=prepared)


def compare_with_stability(
    problem: Problem,
    settings: Mapping[str, Any],
    *,
    previous: PreviousStarts | None = None,
) -> Comparison:
    """Compare the strategies of ``settings`` on ``problem``, each kept near its last plan.

    As :func:`planner.comparison.compare`, except that with a positive
    ``change_penalty`` and the previous run's starts, the strategies that
    keep their plan stable (``batch``) price changes against theirs in the
    first ``frozen_days``.
    """
    run = run_options(
        solver=str(settings.get("solver", "highs")),
        time_limit=settings.get("time_limit"),
        sequencing=str(settings.get("sequencing", "prv")),
    )
    run = dataclasses.replace(run, previous=_previous_plans(problem, settings, previous))
    return compare(problem, settings["strategies"], run=run)


def _previous_plans(
    problem: Problem, settings: Mapping[str, Any], previous: PreviousStarts | None
) -> PreviousPlans | None:
    """The previous plans on this problem's items and days, when the change penalty asks."""
    penalty = float(settings.get("change_penalty", 0.0) or 0.0)
    frozen = int(settings.get("frozen_days", 0) or 0)
    if previous is None or penalty <= 0 or frozen <= 0:
        return None
    items, days = problem.item_index, problem.day_index
    starts = {}
    for strategy, rows in previous.items():
        array = np.zeros((problem.n_items, problem.n_days))
        for item, day, qty in rows:
            if item in items and day in days:
                array[items[item], days[day]] = qty
        starts[strategy] = array
    return PreviousPlans(starts, frozen_days=frozen, change_penalty=penalty)


def _previous_starts(store: RunStore, plant: str, config: RunConfig) -> PreviousStarts | None:
    """The starts of the plant's latest run, per strategy, when the change penalty needs them."""
    if config.change_penalty <= 0:
        return None
    latest = store.latest_run(plant)
    if latest is None:
        return None
    plans = store.plans(latest.id)
    return {
        name: tuple((item, day, qty) for (item, day), qty in plans.get(name, {}).items())
        for name in config.strategies
        if name in latest.kpis
    }


def _record(store: RunStore, task: PlantTask, outcome: PlantOutcome) -> PlantResult:
    """Record a worker's outcome in the store (this process only)."""
    if outcome.prepared is None:
        error = outcome.error or "planning failed"
        return _failure(
            store,
            task.plant,
            str(task.workbook),
            error,
            task.settings,
            outcome.started_at,
            task.input_sha256,
        )
    try:
        record = store.record(outcome.prepared)
    except StoreError as failure:
        return PlantResult(task.plant, PlantStatus.FAILED, task.workbook, error=str(failure))
    return PlantResult(task.plant, PlantStatus.RECORDED, task.workbook, record)


def _failure(
    store: RunStore,
    plant: str,
    input_name: str,
    error: str,
    settings: dict[str, Any],
    started_at: datetime,
    input_sha256: str | None = None,
) -> PlantResult:
    """A failed plant, recorded as a failed run when the store can take it."""
    path = Path(input_name)
    try:
        record = store.record_failure(
            plant=plant,
            input_name=input_name,
            error=error,
            settings=settings,
            started_at=started_at,
            input_sha256=input_sha256,
        )
    except StoreError as failure:
        return PlantResult(plant, PlantStatus.FAILED, path, error=f"{error} ({failure})")
    return PlantResult(plant, PlantStatus.FAILED, path, record, error)


def _invalid(workbook: Path, errors: Sequence[Any]) -> str:
    """An invalid workbook's first errors, one per line."""
    shown = "\n".join(f"  {n}. {issue}" for n, issue in enumerate(errors[:_SHOWN_ERRORS], 1))
    more = len(errors) - _SHOWN_ERRORS
    extra = (
        f"\n  ... and {more} more ('planner validate {workbook}' lists them)" if more > 0 else ""
    )
    return f"{workbook.name} cannot be planned: {counted(len(errors), 'error')}:\n{shown}{extra}"
