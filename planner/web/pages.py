"""The HTML pages for planners: upload, a job's progress and results, recorded runs, login.

Each page is rendered on the server from the templates in ``app.state``; none
of them is part of the API description (the same data is under ``/api``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from planner.runs.store import RunStore, UnknownRunError
from planner.web import views
from planner.web.dependencies import (
    Jobs,
    Settings,
    Store,
    Templates,
    get_jobs,
    get_settings,
    get_templates,
    job_of_run,
    job_or_404,
    run_or_404,
)
from planner.web.display import RUNS_SHOWN, compared_runs, run_files
from planner.web.forms import (
    BUSY,
    SEQUENCING,
    SOLVERS,
    InvalidWorkbookError,
    accept_upload,
)
from planner.web.jobs import JobState, QueueFullError
from planner.web.security import COOKIE_NAME, safe_next, session_value, token_matches
from planner.web.uploads import UploadRejectedError

JOBS_SHOWN = 50
"""Most uploads listed on the upload page (the newest)."""

router = APIRouter(include_in_schema=False)


def index_page(request: Request, status_code: int = 200, **context: Any) -> HTMLResponse:
    """The upload page with the newest jobs, and ``context`` (a refusal or a workbook's issues)."""
    context.setdefault("issues", None)
    context.setdefault("refusal", None)
    return get_templates(request).TemplateResponse(
        request,
        "index.html",
        {
            "jobs": get_jobs(request).list_jobs()[:JOBS_SHOWN],
            "settings": get_settings(request),
            "solvers": SOLVERS,
            "sequencing": SEQUENCING,
            **context,
        },
        status_code=status_code,
    )


@router.get("/", response_class=HTMLResponse)
def index(request: Request) -> HTMLResponse:
    return index_page(request)


@router.post("/upload", response_model=None)
async def upload_page(request: Request, settings: Settings, jobs: Jobs) -> Response:
    try:
        job = await accept_upload(request, settings, jobs)
    except UploadRejectedError as refused:
        return index_page(request, refused.status_code, refusal=refused.message)
    except InvalidWorkbookError as invalid:
        return index_page(request, 422, issues=invalid.issues, invalid_name=invalid.name)
    except QueueFullError:
        return index_page(request, 503, refusal=BUSY)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(
    request: Request, job_id: str, jobs: Jobs, store: Store, templates: Templates
) -> HTMLResponse:
    job = job_or_404(jobs, job_id)
    shown = job.state is JobState.DONE or (job.results_ready and not job.state.finished)
    results = views.read_results(jobs.folder(job_id)) if shown else None
    run = None
    if job.run_id is not None:
        try:
            run = store.get_run(job.run_id)
        except UnknownRunError:
            run = None
    context = {"job": job, "results": results, "run": run}
    if run is not None:
        context.update(run_charts(store, run.id))
    return templates.TemplateResponse(request, "job.html", context)


@router.post("/jobs/{job_id}/cancel")
def cancel_page(job_id: str, jobs: Jobs) -> RedirectResponse:
    job_or_404(jobs, job_id)
    jobs.cancel(job_id)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


@router.get("/runs", response_class=HTMLResponse)
def runs_page(
    request: Request,
    store: Store,
    templates: Templates,
    run: Annotated[list[int] | None, Query()] = None,
) -> HTMLResponse:
    chosen = [run_or_404(store, run_id) for run_id in dict.fromkeys(run or [])]
    return templates.TemplateResponse(
        request,
        "runs.html",
        {
            "runs": store.list_runs(limit=RUNS_SHOWN),
            "chosen_ids": [record.id for record in chosen],
            "table": compared_runs(chosen),
        },
    )


@router.get("/runs/{run_id}", response_model=None)
def run_page(
    request: Request, run_id: int, jobs: Jobs, store: Store, templates: Templates
) -> Response:
    record = run_or_404(store, run_id)
    job = job_of_run(jobs, run_id)
    if job is not None and job.state is JobState.DONE:
        return RedirectResponse(f"/jobs/{job.id}", status_code=303)
    return templates.TemplateResponse(
        request,
        "run.html",
        {
            "run": record,
            "table": compared_runs([record]),
            "files": run_files(record),
            **run_charts(store, run_id),
        },
    )


def run_charts(store: RunStore, run_id: int) -> dict[str, Any]:
    """What a page needs to show a run's charts (``templates/charts.html``)."""
    return {
        "chart_run": run_id,
        "chart_menu": views.chart_menu(store.chart_keys(run_id)),
        "plotly_script": views.PLOTLY_SCRIPT,
    }


@router.get("/vendor/plotly.min.js")
def plotly_script() -> FileResponse:
    """Plotly's JavaScript from the installed ``plotly`` package, cached for a day."""
    return FileResponse(
        views.PLOTLY_JS,
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@router.get("/login", response_model=None)
def login_form(
    request: Request, settings: Settings, templates: Templates, next: str = "/"
) -> Response:
    if not settings.token:
        return RedirectResponse(safe_next(next), status_code=303)
    return templates.TemplateResponse(
        request, "login.html", {"next": safe_next(next), "failed": False}
    )


@router.post("/login", response_model=None)
def login(
    request: Request,
    settings: Settings,
    templates: Templates,
    token: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form(max_length=2048)] = "/",
) -> Response:
    if settings.token and not token_matches(token, settings.token):
        return templates.TemplateResponse(
            request, "login.html", {"next": safe_next(next), "failed": True}, status_code=401
        )
    response = RedirectResponse(safe_next(next), status_code=303)
    if settings.token:
        response.set_cookie(
            COOKIE_NAME,
            session_value(settings.token),
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
    return response


@router.post("/logout")
def logout() -> RedirectResponse:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE_NAME)
    return response
