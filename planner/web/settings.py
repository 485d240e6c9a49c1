"""The web application's settings: where it keeps files, and its limits."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from planner.workbook.sheets import MAX_FILE_BYTES

TOKEN_VARIABLE = "PLANNER_TOKEN"
"""Environment variable holding the access token; no authentication when unset or empty."""


@dataclass(frozen=True)
class WebSettings:
    """What the web application may do and where it works.

    Parameters
    ----------
    data_dir
        The folder holding every upload, job and output file (created when missing).
    max_upload_bytes
        Uploads larger than this are refused while they stream in.
    job_time_limit
        Seconds one planning job may run, all strategies together; a job
        still running then is stopped and reported as failed.
    solver_time_limit
        Seconds each strategy may take in all when the upload does not ask for
        less; ``None`` keeps the workbook's Settings ``time_limit``.
    workers
        Jobs planned at the same time (each in its own process).
    max_pending
        Jobs queued or running at most; further uploads are refused until one ends.
    token
        When set, every page and API call needs it (bearer header or login cookie).
    database_url
        The run store's database; ``None`` for
        :func:`planner.runs.store.default_database_url`, the store the other
        commands use.
    keep_days
        Days a finished job's folder (its upload and output files) is kept
        after it ended; older ones are deleted when the server starts and
        whenever a job is submitted. The job's run stays in the run store.
        ``None`` keeps every job.
    """

    data_dir: Path = Path("planner-data")
    max_upload_bytes: int = MAX_FILE_BYTES
    job_time_limit: float = 600.0
    solver_time_limit: float | None = None
    workers: int = 1
    max_pending: int = 20
    token: str | None = None
    database_url: str | None = None
    keep_days: float | None = 30.0

    def __post_init__(self) -> None:
        if self.max_upload_bytes <= 0:
            raise ValueError("max_upload_bytes must be positive")
        if self.job_time_limit <= 0:
            raise ValueError("job_time_limit must be positive")
        if self.solver_time_limit is not None and self.solver_time_limit <= 0:
            raise ValueError("solver_time_limit must be positive")
        if self.keep_days is not None and not self.keep_days > 0:
            raise ValueError("keep_days must be positive")
        if self.workers < 1 or self.max_pending < self.workers:
            raise ValueError("workers must be at least 1 and max_pending at least workers")

    @classmethod
    def from_environment(cls, **chosen: object) -> WebSettings:
        """Settings from ``chosen`` values, with the token taken from ``PLANNER_TOKEN``."""
        token = os.environ.get(TOKEN_VARIABLE) or None
        values: dict[str, object] = {"token": token}
        values.update({key: value for key, value in chosen.items() if value is not None})
        return cls(**values)  # type: ignore[arg-type]

    @property
    def uploads_dir(self) -> Path:
        """Where uploaded workbooks are kept, under generated names."""
        return self.data_dir / "uploads"

    @property
    def jobs_dir(self) -> Path:
        """Where each job keeps its state and output files, one folder per job."""
        return self.data_dir / "jobs"
