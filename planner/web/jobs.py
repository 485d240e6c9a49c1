"""Planning jobs: a bounded queue, each job in its own process, its state kept on disk.

A job is one uploaded workbook planned with the chosen strategies. At most
:attr:`~planner.web.settings.WebSettings.workers` jobs plan at once (the
rest wait their turn, up to ``max_pending`` in all); each runs in a child
process (:mod:`planner.web.worker`) that is stopped when it exceeds the job
time limit, so a slow or failing job never disturbs the others. Every job
that ends is recorded in the run store, as a succeeded run with its output
workbook and JSON or as a failed run with the reason. Every change
of a job's state is written to ``job.json`` in its folder, so the page shows
the same after a reload, and finished jobs are still there after a restart.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import multiprocessing
import queue
import re
import shutil
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

from planner.report.files import write_json_atomically
from planner.runs.store import PreparedRun, RunStore, StoreError, file_sha256
from planner.web.settings import WebSettings
from planner.web.worker import JobOptions, plan_job

logger = logging.getLogger(__name__)

JOB_FILE = "job.json"
"""A job's saved state, in its folder."""

INPUT_FILE = "input.xlsx"
"""The uploaded workbook, in its job's folder."""

JOB_ID = re.compile(r"^[0-9a-f]{32}$")
"""What a job id looks like (a random UUID in hex): anything else names no job."""

_STOP_GRACE_SECONDS = 5.0
_LAST_EVENTS_SECONDS = 2.0
"""How long to wait for the events a planning process sent just before it ended."""


class JobState(StrEnum):
    """Where a job is in its life."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        """Whether the job will not change any more."""
        return self in (JobState.DONE, JobState.FAILED, JobState.CANCELLED)


class QueueFullError(Exception):
    """Every place in the job queue is taken."""


CANCELLED_MESSAGE = "cancelled on request"
"""The error of a cancelled job."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _ended_before(job: Job, limit: datetime) -> bool:
    """Whether ``job`` has finished, and before ``limit`` (an unreadable time: no)."""
    if not job.state.finished or job.finished_at is None:
        return False
    try:
        ended = datetime.fromisoformat(job.finished_at)
    except ValueError:
        return False
    if ended.tzinfo is None:
        ended = ended.replace(tzinfo=UTC)
    return ended < limit


@dataclass
class Job:
    """One planning job and what is known about it so far.

    Parameters
    ----------
    id
        A random hex UUID; also the job's folder name.
    input_name
        The uploaded file's name, for display only.
    plant
        The plant's name from the workbook.
    options
        Strategies, solver, time limit and sequencing.
    created_at
        When it was uploaded (ISO time, UTC).
    warnings
        The workbook's warnings, as :meth:`planner.workbook.issues.Issue.to_dict`.
    state
        Queued, running, done, failed or cancelled.
    started_at, finished_at
        When it started and ended planning.
    strategy
        The strategy being planned now.
    finished_strategies
        The strategies already planned.
    progress
        The solver's latest ``seconds``, ``incumbent``, ``bound`` and ``gap``.
    error
        Why it failed.
    run_id
        The job's run in the run store, once it is recorded.
    outputs
        The output files in the job's folder: ``workbook`` and ``json``, by file name.
    results_ready
        Whether the page's data is written (before the output workbook is).
    """

    id: str
    input_name: str
    plant: str
    options: JobOptions
    created_at: str = field(default_factory=_now)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    state: JobState = JobState.QUEUED
    started_at: str | None = None
    finished_at: str | None = None
    strategy: str | None = None
    finished_strategies: list[str] = field(default_factory=list)
    progress: dict[str, float | None] | None = None
    error: str | None = None
    run_id: int | None = None
    outputs: dict[str, str] = field(default_factory=dict)
    results_ready: bool = False

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (also the saved ``job.json``)."""
        return {
            "id": self.id,
            "input_name": self.input_name,
            "plant": self.plant,
            "options": self.options.to_dict(),
            "created_at": self.created_at,
            "warnings": self.warnings,
            "state": str(self.state),
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "strategy": self.strategy,
            "finished_strategies": self.finished_strategies,
            "progress": self.progress,
            "error": self.error,
            "run_id": self.run_id,
            "outputs": self.outputs,
            "results_ready": self.results_ready,
        }

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Job:
        """The job saved by :meth:`to_dict`."""
        return cls(
            id=values["id"],
            input_name=values["input_name"],
            plant=values["plant"],
            options=JobOptions.from_dict(values["options"]),
            created_at=values["created_at"],
            warnings=values["warnings"],
            state=JobState(values["state"]),
            started_at=values["started_at"],
            finished_at=values["finished_at"],
            strategy=values["strategy"],
            finished_strategies=list(values["finished_strategies"]),
            progress=values["progress"],
            error=values["error"],
            run_id=values["run_id"],
            outputs=dict(values["outputs"]),
            results_ready=bool(values.get("results_ready", False)),
        )


def _process_context() -> BaseContext:
    """Child processes started from a clean, preloaded server process where possible.

    ``forkserver`` starts each job quickly (the planning modules are imported
    once) without forking the web server's threads; ``spawn`` elsewhere.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["planner.web.worker"])
        return context
    return multiprocessing.get_context("spawn")


class JobManager:
    """Queues, runs and remembers planning jobs.

    Parameters
    ----------
    settings
        The data folder, the number of workers, the queue bound and the job time limit.
    store
        Where every job that ends is recorded.
    """

    def __init__(self, settings: WebSettings, store: RunStore) -> None:
        self.settings = settings
        self.store = store
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._processes: dict[str, multiprocessing.process.BaseProcess] = {}
        self._closing = threading.Event()
        self._cancelled: set[str] = set()
        self._context = _process_context()
        settings.jobs_dir.mkdir(parents=True, exist_ok=True)
        self._load_saved_jobs()
        self.remove_expired()
        self._executor = ThreadPoolExecutor(
            max_workers=settings.workers, thread_name_prefix="planner-job"
        )

    def folder(self, job_id: str) -> Path:
        """The folder of a job (whether or not it exists)."""
        if not JOB_ID.match(job_id):
            raise KeyError(job_id)
        return self.settings.jobs_dir / job_id

    def submit(
        self,
        workbook: Path,
        *,
        input_name: str,
        plant: str,
        options: JobOptions,
        warnings: list[dict[str, Any]],
    ) -> Job:
        """Queue a validated workbook for planning; it is moved into the job's folder.

        Raises
        ------
        QueueFullError
            When ``max_pending`` jobs are already queued or running.
        """
        self.remove_expired()
        job = Job(uuid.uuid4().hex, input_name, plant, options, warnings=warnings)
        with self._lock:
            pending = sum(1 for j in self._jobs.values() if not j.state.finished)
            if pending >= self.settings.max_pending or self._closing.is_set():
                raise QueueFullError
            folder = self.folder(job.id)
            folder.mkdir(parents=True)
            shutil.move(workbook, folder / INPUT_FILE)
            self._jobs[job.id] = job
            self._save(job)
        self._executor.submit(self._run, job.id)
        return job

    def remove_expired(self, now: datetime | None = None) -> list[str]:
        """Delete the jobs that ended more than ``keep_days`` ago, folder and all.

        Their runs stay in the run store (with their KPIs; their output
        files are gone). Returns the ids removed.
        """
        keep = self.settings.keep_days
        if keep is None:
            return []
        limit = (now or datetime.now(UTC)) - timedelta(days=keep)
        with self._lock:
            expired = [job.id for job in self._jobs.values() if _ended_before(job, limit)]
            for job_id in expired:
                del self._jobs[job_id]
        for job_id in expired:
            shutil.rmtree(self.folder(job_id), ignore_errors=True)
            logger.info("removed job %s, finished more than %g days ago", job_id, keep)
        return expired

    def get(self, job_id: str) -> Job:
        """A copy of the job's current state.

        Raises
        ------
        KeyError
            When there is no such job.
        """
        with self._lock:
            job = self._jobs[job_id]
            return Job.from_dict(job.to_dict())

    def list_jobs(self) -> list[Job]:
        """Every job, newest first."""
        with self._lock:
            jobs = [Job.from_dict(job.to_dict()) for job in self._jobs.values()]
        return sorted(jobs, key=lambda job: job.created_at, reverse=True)

    def output(self, job_id: str, kind: str) -> Path | None:
        """The path of a done job's ``workbook`` or ``json`` output, if it exists."""
        name = self.get(job_id).outputs.get(kind)
        if name is None or Path(name).name != name:
            return None
        path = self.folder(job_id) / name
        return path if path.is_file() else None

    def cancel(self, job_id: str) -> Job:
        """Cancel a queued or running job (a running one's process is stopped).

        Returns
        -------
        Job
            The job's state after the request: a queued job is cancelled at
            once, a running one as soon as its process has stopped.

        Raises
        ------
        KeyError
            When there is no such job.
        """
        with self._lock:
            job = self._jobs[job_id]
            if job.state.finished:
                return Job.from_dict(job.to_dict())
            self._cancelled.add(job_id)
            process = self._processes.get(job_id)
            if job.state is JobState.QUEUED:
                self._finish(job, CANCELLED_MESSAGE)
        if process is not None:
            process.terminate()
        return self.get(job_id)

    def shutdown(self) -> None:
        """Stop every running job and refuse new ones; queued jobs are marked failed."""
        self._closing.set()
        with self._lock:
            processes = list(self._processes.values())
        for process in processes:
            process.terminate()
        self._executor.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            for job in self._jobs.values():
                if not job.state.finished:
                    self._finish(job, "the server stopped before the job finished: upload again")

    def _load_saved_jobs(self) -> None:
        for path in sorted(self.settings.jobs_dir.glob(f"*/{JOB_FILE}")):
            try:
                with path.open(encoding="utf-8") as file:
                    job = Job.from_dict(json.load(file))
                if job.id != path.parent.name or not JOB_ID.match(job.id):
                    raise ValueError("the job id is not its folder's name")
            except (OSError, ValueError, KeyError, TypeError):
                logger.warning("ignoring the unreadable job state %s", path)
                continue
            if not job.state.finished:
                self._finish(job, "the server stopped before the job finished: upload again")
            self._jobs[job.id] = job

    def _save(self, job: Job) -> None:
        write_json_atomically(self.folder(job.id) / JOB_FILE, job.to_dict(), indent=None)

    def _finish(self, job: Job, error: str | None) -> None:
        if error == CANCELLED_MESSAGE:
            job.state = JobState.CANCELLED
        else:
            job.state = JobState.FAILED if error else JobState.DONE
        job.error = error
        job.strategy = None
        job.finished_at = _now()
        self._save(job)

    def _update(self, job_id: str, **changes: Any) -> None:
        with self._lock:
            job = self._jobs[job_id]
            for name, value in changes.items():
                setattr(job, name, value)
            self._save(job)

    def _run(self, job_id: str) -> None:
        """Plan one job in a child process, following its events until it ends or times out."""
        folder = self.folder(job_id)
        with self._lock:
            job = self._jobs[job_id]
            if self._closing.is_set() or job.state.finished:
                return
            options, plant = job.options, job.plant
            job.state, job.started_at = JobState.RUNNING, _now()
            self._save(job)
        events = self._context.Queue()
        process = self._context.Process(  # type: ignore[attr-defined]
            target=plan_job,
            args=(str(folder / INPUT_FILE), str(folder), plant, options, events),
            name=f"planner-job-{job_id[:8]}",
            daemon=True,
        )
        prepared: list[PreparedRun] = []
        try:
            process.start()
            with self._lock:
                self._processes[job_id] = process
            error = self._follow(job_id, process, events, prepared)
            if job_id in self._cancelled:
                error = CANCELLED_MESSAGE
            if error is None and not prepared:
                error = "the planning process ended without results"
            if error is None:
                self._record(job_id, prepared.pop())
        except Exception as failure:
            logger.exception("job %s failed", job_id)
            error = f"planning failed: {type(failure).__name__}: {failure}"
        finally:
            with self._lock:
                self._processes.pop(job_id, None)
            if process.pid is not None:
                if process.is_alive():
                    process.kill()
                process.join(_STOP_GRACE_SECONDS)
            events.close()
            for staged in prepared:
                staged.discard()
            for leftover in (*folder.glob(".*.staged.*"), *folder.glob(".*.tmp.*")):
                leftover.unlink(missing_ok=True)
        if error is not None:
            self._record_failure(job_id, error)
        with self._lock:
            self._finish(self._jobs[job_id], error)

    def _record(self, job_id: str, prepared: PreparedRun) -> None:
        """Record a planned job in the run store, which moves its outputs into place."""
        job = self.get(job_id)
        record = self.store.record(dataclasses.replace(prepared, input_name=job.input_name))
        outputs = {}
        if record.output_workbook is not None:
            outputs["workbook"] = record.output_workbook.name
        if record.output_json is not None:
            outputs["json"] = record.output_json.name
        self._update(job_id, run_id=record.id, outputs=outputs)

    def _record_failure(self, job_id: str, error: str) -> None:
        """Record a failed job in the run store, with why (a store failure is only logged)."""
        job = self.get(job_id)
        workbook = self.folder(job_id) / INPUT_FILE
        try:
            record = self.store.record_failure(
                plant=job.plant,
                input_name=job.input_name,
                error=error,
                settings=job.options.to_dict(),
                started_at=datetime.fromisoformat(job.started_at or job.created_at),
                input_sha256=file_sha256(workbook) if workbook.is_file() else None,
            )
        except StoreError:
            logger.exception("cannot record the failed job %s", job_id)
            return
        self._update(job_id, run_id=record.id)

    def _follow(
        self,
        job_id: str,
        process: multiprocessing.process.BaseProcess,
        events: Any,
        prepared: list[PreparedRun],
    ) -> str | None:
        """Apply the child's events to the job until it ends; the error, or ``None`` when done.

        The run the child prepared for the store is appended to ``prepared``.
        """
        deadline = time.monotonic() + self.settings.job_time_limit
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                process.terminate()
                return (
                    f"stopped at the job time limit of {self.settings.job_time_limit:g} s: "
                    "choose a shorter time per model or fewer strategies"
                )
            if job_id in self._cancelled:
                process.terminate()
                return CANCELLED_MESSAGE
            try:
                event = events.get(timeout=min(0.25, remaining))
            except queue.Empty:
                if self._closing.is_set():
                    return "the server stopped before the job finished: upload again"
                if process.is_alive():
                    continue
                process.join()
                try:  # its last events may still be on their way when it ends
                    event = events.get(timeout=_LAST_EVENTS_SECONDS)
                except queue.Empty:
                    return f"the planning process ended unexpectedly (exit code {process.exitcode})"
            if event[0] == "prepared":
                prepared.append(event[1])
                continue
            outcome = self._apply(job_id, event)
            if outcome is not None:
                return outcome or None

    def _apply(self, job_id: str, event: tuple[Any, ...]) -> str | None:
        """Record one event: ``""`` when the job planned, its error if it failed, else ``None``."""
        kind = event[0]
        if kind == "start":
            with self._lock:
                job = self._jobs[job_id]
                if job.strategy is not None:
                    job.finished_strategies.append(job.strategy)
                job.strategy = event[1]
                job.progress = None
                self._save(job)
        elif kind == "progress":
            seconds, incumbent, bound, gap = event[1:]
            values = {"seconds": seconds, "incumbent": incumbent, "bound": bound, "gap": gap}
            self._update(job_id, progress=values)
        elif kind == "results":
            with self._lock:
                job = self._jobs[job_id]
                if job.strategy is not None:
                    job.finished_strategies.append(job.strategy)
                job.strategy = "writing the output workbook"
                job.progress = None
                job.results_ready = True
                self._save(job)
        elif kind == "done":
            return ""
        elif kind == "failed":
            return str(event[1])
        return None
