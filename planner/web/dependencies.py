"""What the routers share: the application's state as FastAPI dependencies, and lookups.

:func:`planner.web.app.create_app` keeps the settings, the job manager, the
run store and the page templates in ``app.state``; each ``get_*`` function
reads one of them from a request, for use as ``Depends(...)`` (through the
``Annotated`` aliases below) or called directly. The lookups turn an unknown
job or run into a 404.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.templating import Jinja2Templates

from planner.runs.store import RunRecord, RunStore, UnknownRunError
from planner.web.jobs import Job, JobManager
from planner.web.settings import WebSettings


def get_settings(request: Request) -> WebSettings:
    """The settings the application was created with."""
    settings: WebSettings = request.app.state.settings
    return settings


def get_jobs(request: Request) -> JobManager:
    """The application's job manager: the queue and every job's state."""
    manager: JobManager = request.app.state.jobs
    return manager


def get_store(request: Request) -> RunStore:
    """The run store: every recorded run, from the web page and the command line."""
    store: RunStore = request.app.state.store
    return store


def get_templates(request: Request) -> Jinja2Templates:
    """The Jinja2 templates of the pages."""
    templates: Jinja2Templates = request.app.state.templates
    return templates


Settings = Annotated[WebSettings, Depends(get_settings)]
Jobs = Annotated[JobManager, Depends(get_jobs)]
Store = Annotated[RunStore, Depends(get_store)]
Templates = Annotated[Jinja2Templates, Depends(get_templates)]


def job_or_404(jobs: JobManager, job_id: str) -> Job:
    """The job ``job_id``; an HTTP 404 when there is none."""
    try:
        jobs.folder(job_id)
        return jobs.get(job_id)
    except KeyError:
        raise HTTPException(404, f"there is no job {job_id!r}") from None


def run_or_404(store: RunStore, run_id: int) -> RunRecord:
    """The recorded run ``run_id``; an HTTP 404 when the run store has none."""
    try:
        return store.get_run(run_id)
    except UnknownRunError:
        raise HTTPException(404, f"there is no run {run_id} in the run store") from None


def job_of_run(jobs: JobManager, run_id: int) -> Job | None:
    """The job that recorded run ``run_id``, if this server still has it."""
    return next((job for job in jobs.list_jobs() if job.run_id == run_id), None)
