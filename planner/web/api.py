"""The JSON API under ``/api``: jobs and their results, workbooks, recorded runs.

Everything a page does a program can do too, described at ``/api/openapi.json``
with one tag per area (``jobs``, ``results``, ``workbooks``, ``runs``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from models.wording import counted
from planner.charts import ChartKey, ChartKind
from planner.comparison import STRATEGIES
from planner.describe import describe
from planner.report.files import json_ready
from planner.runs.store import RunRecord
from planner.web import views
from planner.web.dependencies import Jobs, Settings, Store, job_or_404, run_or_404
from planner.web.display import RUNS_SHOWN, run_files
from planner.web.forms import (
    BUSY,
    SEQUENCING,
    SOLVERS,
    InvalidWorkbookError,
    accept_upload,
    receive,
    shown_issue,
)
from planner.web.jobs import Job, JobManager, JobState, QueueFullError
from planner.web.uploads import UploadRejectedError
from planner.workbook.reader import read_workbook

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "strategies": {
                            "type": "array",
                            "items": {"type": "string", "enum": list(STRATEGIES)},
                        },
                        "solver": {"type": "string", "enum": list(SOLVERS)},
                        "time_limit": {"type": "number", "exclusiveMinimum": 0},
                        "sequencing": {"type": "string", "enum": list(SEQUENCING)},
                        "plant": {"type": "string", "maxLength": 100},
                    },
                }
            }
        },
    }
}

router = APIRouter(prefix="/api")


# ---- jobs and their results ------------------------------------------------------------


@router.post(
    "/jobs",
    status_code=202,
    openapi_extra=_UPLOAD_BODY,
    responses={
        400: {"description": "A malformed request or option"},
        413: {"description": "The file is over the upload limit"},
        415: {"description": "The file is not an .xlsx workbook"},
        422: {"description": "The workbook has errors: each located, with what to fix"},
        503: {"description": "The job queue is full"},
    },
    tags=["jobs"],
)
async def create_job(request: Request, settings: Settings, jobs: Jobs) -> JSONResponse:
    """Upload a workbook: it is validated at once and, when valid, queued for planning.

    Send ``multipart/form-data`` with the workbook in ``file`` and, optionally,
    ``strategies`` (repeated, or comma-separated), ``solver``, ``time_limit``
    (seconds each strategy may take in all), ``sequencing`` and ``plant`` (the
    plant this is a run of; the file name without suffix by default).
    """
    try:
        job = await accept_upload(request, settings, jobs)
    except UploadRejectedError as refused:
        return JSONResponse({"detail": refused.message}, status_code=refused.status_code)
    except InvalidWorkbookError as invalid:
        errors = [i for i in invalid.issues if i["level"] == "error"]
        warnings = [i for i in invalid.issues if i["level"] == "warning"]
        return JSONResponse(
            {
                "detail": (
                    f"{invalid.name} cannot be planned: {counted(len(errors), 'error')} to fix"
                ),
                "valid": False,
                "errors": errors,
                "warnings": warnings,
            },
            status_code=422,
        )
    except QueueFullError:
        return JSONResponse({"detail": BUSY}, status_code=503)
    return JSONResponse(
        job_document(job), status_code=202, headers={"Location": f"/api/jobs/{job.id}"}
    )


@router.post("/validate", openapi_extra=_UPLOAD_BODY, tags=["workbooks"])
async def validate(request: Request, settings: Settings) -> JSONResponse:
    """Check a workbook without planning it: the plant, its errors and warnings."""
    try:
        upload = await receive(request, settings)
    except UploadRejectedError as refused:
        return JSONResponse({"detail": refused.message}, status_code=refused.status_code)
    try:
        result = await run_in_threadpool(
            read_workbook, upload.path, max_bytes=settings.max_upload_bytes
        )
    finally:
        upload.path.unlink(missing_ok=True)
    document = {
        "file": upload.display_name,
        "valid": result.ok,
        "errors": [shown_issue(issue, upload) for issue in result.errors],
        "warnings": [shown_issue(issue, upload) for issue in result.warnings],
        "plant": json_ready(describe(result.problem)) if result.problem else None,
    }
    return JSONResponse(document, status_code=200 if result.ok else 422)


@router.get("/jobs", tags=["jobs"])
def list_jobs(jobs: Jobs) -> list[dict[str, Any]]:
    """Every job, newest first, with its state."""
    return [job_document(job) for job in jobs.list_jobs()]


@router.get("/jobs/{job_id}", tags=["jobs"])
def job_status(job_id: str, jobs: Jobs) -> dict[str, Any]:
    """One job's state: queued, running (strategy and solver progress), done or failed."""
    return job_document(job_or_404(jobs, job_id))


@router.post("/jobs/{job_id}/cancel", status_code=202, tags=["jobs"])
def cancel_job(job_id: str, jobs: Jobs) -> dict[str, Any]:
    """Cancel a queued or running job; a finished job is left as it is."""
    job_or_404(jobs, job_id)
    return job_document(jobs.cancel(job_id))


@router.get("/jobs/{job_id}/results", tags=["results"])
def job_results(job_id: str, jobs: Jobs) -> dict[str, Any]:
    """A finished job's KPIs with the best strategy per row, and every chart's data."""
    job = job_or_404(jobs, job_id)
    results = views.read_results(jobs.folder(job_id))
    if not job.results_ready or job.state in (JobState.FAILED, JobState.CANCELLED):
        results = None
    if results is None:
        raise HTTPException(409, f"job {job_id} has no results (it is {job.state})")
    return results


@router.get("/jobs/{job_id}/tables/{table}", tags=["results"])
def job_table(
    job_id: str,
    table: str,
    jobs: Jobs,
    strategy: str | None = None,
    item: str | None = None,
    work_center: str | None = None,
    level: str | None = None,
    contains: Annotated[str | None, Query(max_length=200)] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=views.MAX_PAGE_ROWS)] = 200,
) -> dict[str, Any]:
    """One page of a finished job's long table, filtered by exact values and text.

    Tables: ``build_plan``, ``inventory``, ``load``, ``sequences``,
    ``messages``, ``kanban``, ``violations``.
    """
    job_or_404(jobs, job_id)
    filters = {"strategy": strategy, "item": item, "work_center": work_center, "level": level}
    page = views.read_table(
        jobs.folder(job_id),
        table,
        filters,
        contains=contains,
        offset=offset,
        limit=limit,
    )
    if page is None:
        raise HTTPException(404, f"job {job_id} has no table {table!r}")
    return page


@router.get("/jobs/{job_id}/workbook", tags=["results"], response_class=FileResponse)
def download_workbook(job_id: str, jobs: Jobs) -> FileResponse:
    """The output workbook (.xlsx) of a finished job."""
    return download(jobs, job_id, "workbook", "plan.xlsx", _XLSX)


@router.get("/jobs/{job_id}/summary", tags=["results"], response_class=FileResponse)
def download_summary(job_id: str, jobs: Jobs) -> FileResponse:
    """The summary JSON of a finished job."""
    return download(jobs, job_id, "json", "summary.json", "application/json")


def download(
    jobs: JobManager, job_id: str, kind: str, suffix: str, media_type: str
) -> FileResponse:
    """A finished job's output file of ``kind``; an HTTP 409 while it has none."""
    job = job_or_404(jobs, job_id)
    path = jobs.output(job_id, kind)
    if job.state is not JobState.DONE or path is None:
        raise HTTPException(409, f"job {job_id} has no output yet (it is {job.state})")
    return FileResponse(path, media_type=media_type, filename=_download_name(job, suffix))


def job_document(job: Job) -> dict[str, Any]:
    """A job's state as the API returns it, with links to its page and outputs."""
    document = job.to_dict()
    base = f"/api/jobs/{job.id}"
    document["links"] = {"self": base, "page": f"/jobs/{job.id}"}
    if job.state is JobState.DONE:
        document["links"].update(
            results=f"{base}/results",
            workbook=f"{base}/workbook",
            summary=f"{base}/summary",
        )
    return document


def _download_name(job: Job, suffix: str) -> str:
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in job.plant)[:60] or "plan"
    return f"{stem}_{job.created_at[:10]}_{suffix}"


# ---- workbooks ---------------------------------------------------------------------------


@router.get("/template", tags=["workbooks"], response_class=FileResponse)
def template(settings: Settings) -> FileResponse:
    """The blank planner workbook: every sheet, column, help text and drop-down."""
    path = settings.data_dir / "template.xlsx"
    if not path.is_file():
        from planner.workbook.template import write_template

        write_template(path)
    return FileResponse(path, media_type=_XLSX, filename="planner_template.xlsx")


# ---- recorded runs -----------------------------------------------------------------------


@router.get("/runs", tags=["runs"])
def list_runs(
    store: Store,
    plant: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = RUNS_SHOWN,
) -> list[dict[str, Any]]:
    """Recorded runs (from the web page and the command line), newest first."""
    return [run_document(record) for record in store.list_runs(plant=plant, limit=limit)]


@router.get("/runs/{run_id}", tags=["runs"])
def get_run(run_id: int, store: Store) -> dict[str, Any]:
    """One recorded run: plant, input, settings, status, KPIs per strategy, nervousness."""
    return run_document(run_or_404(store, run_id))


@router.get("/runs/{run_id}/workbook", tags=["runs"], response_class=FileResponse)
def run_workbook(run_id: int, store: Store) -> FileResponse:
    """A recorded run's output workbook."""
    path = run_files(run_or_404(store, run_id)).get("workbook")
    if path is None:
        raise HTTPException(404, f"run {run_id} has no output workbook on this machine")
    return FileResponse(path, media_type=_XLSX, filename=path.name)


@router.get("/runs/{run_id}/summary", tags=["runs"], response_class=FileResponse)
def run_summary(run_id: int, store: Store) -> FileResponse:
    """A recorded run's summary JSON."""
    path = run_files(run_or_404(store, run_id)).get("json")
    if path is None:
        raise HTTPException(404, f"run {run_id} has no summary JSON on this machine")
    return FileResponse(path, media_type="application/json", filename=path.name)


@router.get("/runs/{run_id}/charts", tags=["runs"])
def run_charts(run_id: int, store: Store) -> list[dict[str, str]]:
    """The charts of a recorded run: ``kind``, ``strategy``, ``work_center`` and ``item`` of each.

    Every run keeps its charts, whether planned from the web page, ``planner
    run`` or a notebook; runs recorded before charts were kept have none.
    """
    run_or_404(store, run_id)
    return [key.to_dict() for key in store.chart_keys(run_id)]


@router.get(
    "/runs/{run_id}/charts/{kind}",
    tags=["runs"],
    responses={200: {"content": {"application/json": {}}}},
)
def run_chart(
    run_id: int,
    kind: ChartKind,
    store: Store,
    strategy: Annotated[str, Query(max_length=40)] = "",
    work_center: Annotated[str, Query(max_length=200)] = "",
    item: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """One chart of a recorded run as a Plotly figure, with the page's ``config``.

    ``load`` needs a ``work_center``; ``gantt`` and ``box`` a ``strategy`` and a
    ``work_center``; ``buffer`` a ``strategy`` and an ``item`` (see
    ``/api/runs/{run_id}/charts`` for the choices).
    """
    run_or_404(store, run_id)
    key = ChartKey.of(kind, strategy, work_center, item)
    piece = store.chart(run_id, key)
    if piece is None:
        raise HTTPException(404, f"run {run_id} has no such chart: {key.describe()}")
    return Response(views.figure_json(key.kind, piece), media_type="application/json")


def run_document(record: RunRecord) -> dict[str, Any]:
    """A recorded run as the API returns it: no server paths, links to its page and files."""
    document = record.to_dict()
    for server_path in ("output_workbook", "output_json"):
        del document[server_path]
    files = run_files(record)
    document["links"] = {"self": f"/api/runs/{record.id}", "page": f"/runs/{record.id}"}
    if "workbook" in files:
        document["links"]["workbook"] = f"/api/runs/{record.id}/workbook"
    if "json" in files:
        document["links"]["summary"] = f"/api/runs/{record.id}/summary"
    return document
