"""The upload form, shared by the upload page and ``POST /api/jobs``.

Receiving an upload, reading its planning options and plant name from the
form fields, validating the workbook and queueing the job; what cannot be
planned is raised for the page or the API to tell the user in its own way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from models import PlanningError
from models.heijunka import SEQUENCING_METHODS
from models.solvers.backends import BACKENDS
from planner.comparison import parse_strategies, run_options
from planner.web.jobs import Job, JobManager
from planner.web.settings import WebSettings
from planner.web.uploads import ReceivedUpload, UploadRejectedError, receive_upload
from planner.web.worker import JobOptions
from planner.workbook.issues import Issue
from planner.workbook.reader import read_workbook

SOLVERS = tuple(BACKENDS)
SEQUENCING = SEQUENCING_METHODS

MAX_PLANT_NAME = 100
"""Longest plant name kept from the upload form."""

BUSY = "the planner is busy with other jobs: try again in a few minutes"
"""What a user is told when the job queue is full."""


class InvalidWorkbookError(Exception):
    """An uploaded workbook with errors: nothing is planned.

    ``issues`` are its errors and warnings as shown to the planner.
    """

    def __init__(self, name: str, issues: list[dict[str, Any]]) -> None:
        super().__init__(f"{name} cannot be planned")
        self.name = name
        self.issues = issues


async def receive(request: Request, settings: WebSettings) -> ReceivedUpload:
    """Stream a request's upload into the uploads folder, within the size limit."""
    return await receive_upload(
        request.headers.get("content-type", ""),
        request.headers.get("content-length"),
        request.stream(),
        settings.uploads_dir,
        settings.max_upload_bytes,
    )


async def accept_upload(request: Request, settings: WebSettings, jobs: JobManager) -> Job:
    """Receive, check and validate an upload, and queue it; raise what to tell the user."""
    upload = await receive(request, settings)
    try:
        options = job_options(upload.fields, settings)
        result = await run_in_threadpool(
            read_workbook, upload.path, max_bytes=settings.max_upload_bytes
        )
        if result.problem is None:
            issues = [shown_issue(issue, upload) for issue in result.issues]
            raise InvalidWorkbookError(upload.display_name, issues)
        return jobs.submit(
            upload.path,
            input_name=upload.display_name,
            plant=plant_name(upload.fields, upload.display_name),
            options=options,
            warnings=[shown_issue(issue, upload) for issue in result.warnings],
        )
    finally:
        upload.path.unlink(missing_ok=True)


def job_options(fields: dict[str, list[str]], settings: WebSettings) -> JobOptions:
    """The planning options of an upload's form fields, checked.

    Raises
    ------
    UploadRejectedError
        Status 400, naming the option and what it may be.
    """

    def one(name: str, default: str) -> str:
        values = [value.strip() for value in fields.get(name, []) if value.strip()]
        return values[-1] if values else default

    text = one("time_limit", "")
    time_limit = settings.solver_time_limit
    if text:
        try:
            asked = float(text)
        except ValueError:
            asked = float("nan")
        if not asked > 0 or asked == float("inf"):
            raise UploadRejectedError(
                400, f"time_limit {text!r} is not a number of seconds above 0"
            )
        time_limit = asked if time_limit is None else min(asked, time_limit)
    try:
        chosen = ",".join(fields.get("strategies", [])) or None
        strategies = tuple(parse_strategies(chosen))
        run = run_options(
            solver=one("solver", "highs").lower(),
            time_limit=time_limit,
            sequencing=one("sequencing", "prv"),
        )
    except PlanningError as wrong:
        raise UploadRejectedError(400, str(wrong)) from None
    return JobOptions(strategies, run.solver, run.time_limit, run.sequencing)


def plant_name(fields: dict[str, list[str]], file_name: str) -> str:
    """The plant an upload is a run of: the ``plant`` field, else the file name without suffix.

    Runs of one plant are measured against each other (plan nervousness), so
    weekly files named differently can still be recorded as the same plant.
    """
    typed = " ".join(" ".join(fields.get("plant", [])).split())[:MAX_PLANT_NAME]
    return typed or Path(file_name).stem


def shown_issue(issue: Issue, upload: ReceivedUpload) -> dict[str, Any]:
    """An issue as shown to the user: the generated file name replaced by the uploaded one."""
    document = issue.to_dict()
    document["message"] = str(document["message"]).replace(upload.path.name, upload.display_name)
    return document
