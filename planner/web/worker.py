"""The planning of one job, run in a child process of the web server.

The child reads the stored workbook, runs :func:`planner.comparison.compare`,
stages the output workbook and summary JSON for the run store
(:func:`planner.runs.store.prepare_run`) and writes the page's data into the
job's folder. It reports what it is doing as events on a queue, so the
server can show progress, record the run, and stop a job at its time limit
without harming any other job.
"""

from __future__ import annotations

import dataclasses
import time
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from models import PlanningError
from models.solvers.milp import Progress
from models.strategy import RunOptions
from planner.comparison import compare, run_options
from planner.runs.store import prepare_run
from planner.web.views import write_result_files
from planner.workbook.reader import read_workbook

ERROR_LOG = "error.log"
"""Where an unexpected failure's traceback is kept, in the job's folder."""

PROGRESS_INTERVAL = 0.5
"""Least seconds between two solver progress events."""


class EventSink(Protocol):
    """Where the child sends its events (a multiprocessing queue)."""

    def put(self, obj: Any, /) -> None: ...


@dataclass(frozen=True)
class JobOptions:
    """What a planner chose for one job.

    Parameters
    ----------
    strategies
        Strategy names, in the order to plan and show them.
    solver
        The MILP backend.
    time_limit
        Seconds each strategy may take in all; the workbook's Settings when ``None``.
    sequencing
        The heijunka sequencing method.
    """

    strategies: tuple[str, ...]
    solver: str = "highs"
    time_limit: float | None = None
    sequencing: str = "prv"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "strategies": list(self.strategies),
            "solver": self.solver,
            "time_limit": self.time_limit,
            "sequencing": self.sequencing,
        }

    def run(self) -> RunOptions:
        """The run's choices, checked (:func:`planner.comparison.run_options`)."""
        return run_options(
            solver=self.solver, time_limit=self.time_limit, sequencing=self.sequencing
        )

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> JobOptions:
        """The options saved by :meth:`to_dict`."""
        return cls(
            tuple(values["strategies"]),
            values["solver"],
            values["time_limit"],
            values["sequencing"],
        )


def plan_job(
    workbook: str, directory: str, plant: str, options: JobOptions, events: EventSink
) -> None:
    """Plan ``workbook`` and write every output into ``directory``, reporting on ``events``.

    ``plant`` names the plant in the outputs (the stored file's name is a generated one).

    Events are tuples: ``("start", strategy)``, ``("progress", seconds,
    incumbent, bound, gap)``, ``("results",)`` once the page's data is
    written, ``("prepared", run)`` with the :class:`~planner.runs.store.PreparedRun`
    to record (its output files staged), then ``("done",)`` or ``("failed",
    message)``. Nothing is raised: every failure becomes a ``failed`` event
    with a message for the planner.
    """
    folder = Path(directory)
    try:
        _plan(Path(workbook), folder, plant, options, events)
    except PlanningError as refused:
        events.put(("failed", str(refused)))
    except Exception as failure:
        (folder / ERROR_LOG).write_text(traceback.format_exc(), encoding="utf-8")
        events.put(("failed", f"planning failed: {type(failure).__name__}: {failure}"))


def _plan(workbook: Path, folder: Path, plant: str, options: JobOptions, events: EventSink) -> None:
    result = read_workbook(workbook)
    if result.problem is None:
        first = result.errors[0] if result.errors else "the workbook cannot be read"
        events.put(("failed", f"the workbook cannot be planned: {first}"))
        return
    last = [0.0]

    def progress(state: Progress) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_INTERVAL:
            last[0] = now
            events.put(("progress", state.seconds, state.incumbent, state.bound, state.gap))

    def started(name: str) -> None:
        events.put(("start", name))

    run = dataclasses.replace(options.run(), on_progress=progress)
    started_at = datetime.now(UTC)
    problem = result.problem.replace(name=plant)
    comparison = compare(problem, options.strategies, run=run, on_start=started)
    write_result_files(comparison, folder)
    events.put(("results",))
    prepared = prepare_run(
        comparison,
        plant=plant,
        workbook=workbook,
        settings=options.to_dict(),
        output_dir=folder,
        started_at=started_at,
    )
    events.put(("prepared", prepared))
    events.put(("done",))
