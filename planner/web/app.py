"""The web application: pages for planners, a JSON API for programs, one library underneath.

Pages are rendered on the server with Jinja2 and enhanced by one small script
(``static/app.js``: drag-and-drop, live progress, charts, table filters).
Every page is backed by an API call under ``/api`` (described at
``/api/openapi.json``), so anything the page does a program can do too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, Form, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from models import PlanningError
from models.heijunka import SEQUENCING_METHODS
from models.solvers.backends import BACKENDS, backend_from_name
from planner import __version__
from planner.compare import STRATEGIES, parse_sequencing, parse_strategies
from planner.describe import describe
from planner.report.files import json_ready
from planner.runs.store import RunRecord, RunStore, UnknownRunError
from planner.web import views
from planner.web.jobs import Job, JobManager, JobState, QueueFullError
from planner.web.security import (
    COOKIE_NAME,
    is_authorized,
    is_cross_site,
    safe_next,
    session_value,
    token_matches,
)
from planner.web.settings import WebSettings
from planner.web.uploads import ReceivedUpload, UploadRejectedError, receive_upload
from planner.web.worker import JobOptions
from planner.winners import winners
from planner.workbook.issues import Issue
from planner.workbook.reader import read_workbook

HERE = Path(__file__).parent
SOLVERS = tuple(BACKENDS)
SEQUENCING = SEQUENCING_METHODS
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


class InvalidWorkbookError(Exception):
    """An uploaded workbook with errors: nothing is planned.

    ``issues`` are its errors and warnings as shown to the planner.
    """

    def __init__(self, name: str, issues: list[dict[str, Any]]) -> None:
        super().__init__(f"{name} cannot be planned")
        self.name = name
        self.issues = issues


def create_app(settings: WebSettings | None = None) -> FastAPI:
    """The web application for ``settings`` (the defaults, token from the environment)."""
    settings = settings or WebSettings.from_environment()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals.update(version=__version__, strategies=list(STRATEGIES))
    templates.env.filters["kpi"] = format_kpi

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.jobs.shutdown()
        store.close()

    app = FastAPI(
        title="planner",
        version=__version__,
        description="Upload a planner workbook, plan it with mrp, batch and heijunka, "
        "and read the comparison.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = settings
    store = RunStore(settings.database_url)
    app.state.store = store
    app.state.jobs = JobManager(settings, store)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    async def guard(request: Request, call_next: RequestResponseEndpoint) -> Response:
        if is_cross_site(request, request.method):
            return JSONResponse(
                {"detail": "refused: this request was sent by a page of another site"},
                status_code=403,
            )
        if is_authorized(request, settings.token):
            return await call_next(request)
        if _wants_html(request):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={_quote(target)}", status_code=303)
        return JSONResponse(
            {"detail": "authentication required: send 'Authorization: Bearer <token>'"},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )

    app.add_middleware(BaseHTTPMiddleware, dispatch=guard)

    def jobs() -> JobManager:
        manager: JobManager = app.state.jobs
        return manager

    def job_or_404(job_id: str) -> Job:
        try:
            jobs().folder(job_id)
            return jobs().get(job_id)
        except KeyError:
            raise HTTPException(404, f"there is no job {job_id!r}") from None

    async def receive(request: Request) -> ReceivedUpload:
        """Stream a request's upload into the uploads folder, within the size limit."""
        return await receive_upload(
            request.headers.get("content-type", ""),
            request.headers.get("content-length"),
            request.stream(),
            settings.uploads_dir,
            settings.max_upload_bytes,
        )

    async def accept_upload(request: Request) -> Job:
        """Receive, check and validate an upload, and queue it; raise what to tell the user."""
        upload = await receive(request)
        try:
            options = job_options(upload.fields, settings)
            result = await run_in_threadpool(
                read_workbook, upload.path, max_bytes=settings.max_upload_bytes
            )
            if result.problem is None:
                issues = [_shown_issue(issue, upload) for issue in result.issues]
                raise InvalidWorkbookError(upload.display_name, issues)
            return jobs().submit(
                upload.path,
                input_name=upload.display_name,
                plant=plant_name(upload.fields, upload.display_name),
                options=options,
                warnings=[_shown_issue(issue, upload) for issue in result.warnings],
            )
        finally:
            upload.path.unlink(missing_ok=True)

    # ---- pages -------------------------------------------------------------------------

    def index_page(request: Request, status_code: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("issues", None)
        context.setdefault("refusal", None)
        return templates.TemplateResponse(
            request,
            "index.html",
            {
                "jobs": jobs().list_jobs()[:JOBS_SHOWN],
                "settings": settings,
                "solvers": SOLVERS,
                "sequencing": SEQUENCING,
                **context,
            },
            status_code=status_code,
        )

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index(request: Request) -> HTMLResponse:
        return index_page(request)

    @app.post("/upload", include_in_schema=False, response_model=None)
    async def upload_page(request: Request) -> Response:
        try:
            job = await accept_upload(request)
        except UploadRejectedError as refused:
            return index_page(request, refused.status_code, refusal=refused.message)
        except InvalidWorkbookError as invalid:
            return index_page(request, 422, issues=invalid.issues, invalid_name=invalid.name)
        except QueueFullError:
            return index_page(request, 503, refusal=_BUSY)
        return RedirectResponse(f"/jobs/{job.id}", status_code=303)

    @app.get("/jobs/{job_id}", response_class=HTMLResponse, include_in_schema=False)
    def job_page(request: Request, job_id: str) -> HTMLResponse:
        job = job_or_404(job_id)
        shown = job.state is JobState.DONE or (job.results_ready and not job.state.finished)
        results = views.read_results(jobs().folder(job_id)) if shown else None
        run = None
        if job.run_id is not None:
            try:
                run = store.get_run(job.run_id)
            except UnknownRunError:
                run = None
        return templates.TemplateResponse(
            request, "job.html", {"job": job, "results": results, "run": run}
        )

    def run_or_404(run_id: int) -> RunRecord:
        try:
            return store.get_run(run_id)
        except UnknownRunError:
            raise HTTPException(404, f"there is no run {run_id} in the run store") from None

    def job_of_run(run_id: int) -> Job | None:
        return next((job for job in jobs().list_jobs() if job.run_id == run_id), None)

    @app.post("/jobs/{job_id}/cancel", include_in_schema=False)
    def cancel_page(job_id: str) -> RedirectResponse:
        job_or_404(job_id)
        jobs().cancel(job_id)
        return RedirectResponse(f"/jobs/{job_id}", status_code=303)

    @app.get("/runs", response_class=HTMLResponse, include_in_schema=False)
    def runs_page(
        request: Request, run: Annotated[list[int] | None, Query()] = None
    ) -> HTMLResponse:
        chosen = [run_or_404(run_id) for run_id in dict.fromkeys(run or [])]
        return templates.TemplateResponse(
            request,
            "runs.html",
            {
                "runs": store.list_runs(limit=RUNS_SHOWN),
                "chosen_ids": [record.id for record in chosen],
                "table": compared_runs(chosen),
            },
        )

    @app.get("/runs/{run_id}", include_in_schema=False, response_model=None)
    def run_page(request: Request, run_id: int) -> Response:
        record = run_or_404(run_id)
        job = job_of_run(run_id)
        if job is not None and job.state is JobState.DONE:
            return RedirectResponse(f"/jobs/{job.id}", status_code=303)
        return templates.TemplateResponse(
            request,
            "run.html",
            {"run": record, "table": compared_runs([record]), "files": run_files(record)},
        )

    # ---- API ---------------------------------------------------------------------------
    @app.get("/login", include_in_schema=False, response_model=None)
    def login_form(request: Request, next: str = "/") -> Response:
        if not settings.token:
            return RedirectResponse(safe_next(next), status_code=303)
        return templates.TemplateResponse(
            request, "login.html", {"next": safe_next(next), "failed": False}
        )

    @app.post("/login", include_in_schema=False, response_model=None)
    def login(
        request: Request,
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

    @app.post("/logout", include_in_schema=False)
    def logout() -> RedirectResponse:
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE_NAME)
        return response

    @app.post(
        "/api/jobs",
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
    async def create_job(request: Request) -> JSONResponse:
        """Upload a workbook: it is validated at once and, when valid, queued for planning.

        Send ``multipart/form-data`` with the workbook in ``file`` and, optionally,
        ``strategies`` (repeated, or comma-separated), ``solver``, ``time_limit``
        (seconds per optimisation model), ``sequencing`` and ``plant`` (the
        plant this is a run of; the file name without suffix by default).
        """
        try:
            job = await accept_upload(request)
        except UploadRejectedError as refused:
            return JSONResponse({"detail": refused.message}, status_code=refused.status_code)
        except InvalidWorkbookError as invalid:
            errors = [i for i in invalid.issues if i["level"] == "error"]
            warnings = [i for i in invalid.issues if i["level"] == "warning"]
            return JSONResponse(
                {
                    "detail": f"{invalid.name} cannot be planned: {len(errors)} error(s) to fix",
                    "valid": False,
                    "errors": errors,
                    "warnings": warnings,
                },
                status_code=422,
            )
        except QueueFullError:
            return JSONResponse({"detail": _BUSY}, status_code=503)
        return JSONResponse(
            job_document(job), status_code=202, headers={"Location": f"/api/jobs/{job.id}"}
        )

    @app.post("/api/validate", openapi_extra=_UPLOAD_BODY, tags=["workbooks"])
    async def validate(request: Request) -> JSONResponse:
        """Check a workbook without planning it: the plant, its errors and warnings."""
        try:
            upload = await receive(request)
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
            "errors": [_shown_issue(issue, upload) for issue in result.errors],
            "warnings": [_shown_issue(issue, upload) for issue in result.warnings],
            "plant": json_ready(describe(result.problem)) if result.problem else None,
        }
        return JSONResponse(document, status_code=200 if result.ok else 422)

    @app.get("/api/jobs", tags=["jobs"])
    def list_jobs() -> list[dict[str, Any]]:
        """Every job, newest first, with its state."""
        return [job_document(job) for job in jobs().list_jobs()]

    @app.get("/api/jobs/{job_id}", tags=["jobs"])
    def job_status(job_id: str) -> dict[str, Any]:
        """One job's state: queued, running (strategy and solver progress), done or failed."""
        return job_document(job_or_404(job_id))

    @app.post("/api/jobs/{job_id}/cancel", status_code=202, tags=["jobs"])
    def cancel_job(job_id: str) -> dict[str, Any]:
        """Cancel a queued or running job; a finished job is left as it is."""
        job_or_404(job_id)
        return job_document(jobs().cancel(job_id))

    @app.get("/api/jobs/{job_id}/results", tags=["results"])
    def job_results(job_id: str) -> dict[str, Any]:
        """A finished job's KPIs with the best strategy per row, and every chart's data."""
        job = job_or_404(job_id)
        results = views.read_results(jobs().folder(job_id))
        if not job.results_ready or job.state in (JobState.FAILED, JobState.CANCELLED):
            results = None
        if results is None:
            raise HTTPException(409, f"job {job_id} has no results (it is {job.state})")
        return results

    @app.get("/api/jobs/{job_id}/tables/{table}", tags=["results"])
    def job_table(
        job_id: str,
        table: str,
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
        job_or_404(job_id)
        filters = {"strategy": strategy, "item": item, "work_center": work_center, "level": level}
        page = views.read_table(
            jobs().folder(job_id),
            table,
            filters,
            contains=contains,
            offset=offset,
            limit=limit,
        )
        if page is None:
            raise HTTPException(404, f"job {job_id} has no table {table!r}")
        return page

    @app.get("/api/jobs/{job_id}/workbook", tags=["results"], response_class=FileResponse)
    def download_workbook(job_id: str) -> FileResponse:
        """The output workbook (.xlsx) of a finished job."""
        return download(job_id, "workbook", "plan.xlsx", _XLSX)

    @app.get("/api/jobs/{job_id}/summary", tags=["results"], response_class=FileResponse)
    def download_summary(job_id: str) -> FileResponse:
        """The summary JSON of a finished job."""
        return download(job_id, "json", "summary.json", "application/json")

    def download(job_id: str, kind: str, suffix: str, media_type: str) -> FileResponse:
        job = job_or_404(job_id)
        path = jobs().output(job_id, kind)
        if job.state is not JobState.DONE or path is None:
            raise HTTPException(409, f"job {job_id} has no output yet (it is {job.state})")
        return FileResponse(path, media_type=media_type, filename=_download_name(job, suffix))

    @app.get("/api/template", tags=["workbooks"], response_class=FileResponse)
    def template() -> FileResponse:
        """The blank planner workbook: every sheet, column, help text and drop-down."""
        path = settings.data_dir / "template.xlsx"
        if not path.is_file():
            from planner.workbook.template import write_template

            write_template(path)
        return FileResponse(path, media_type=_XLSX, filename="planner_template.xlsx")

    @app.get("/api/runs", tags=["runs"])
    def list_runs(
        plant: str | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = RUNS_SHOWN,
    ) -> list[dict[str, Any]]:
        """Recorded runs (from the web page and the command line), newest first."""
        return [run_document(record) for record in store.list_runs(plant=plant, limit=limit)]

    @app.get("/api/runs/{run_id}", tags=["runs"])
    def get_run(run_id: int) -> dict[str, Any]:
        """One recorded run: plant, input, settings, status, KPIs per strategy, nervousness."""
        return run_document(run_or_404(run_id))

    @app.get("/api/runs/{run_id}/workbook", tags=["runs"], response_class=FileResponse)
    def run_workbook(run_id: int) -> FileResponse:
        """A recorded run's output workbook."""
        path = run_files(run_or_404(run_id)).get("workbook")
        if path is None:
            raise HTTPException(404, f"run {run_id} has no output workbook on this machine")
        return FileResponse(path, media_type=_XLSX, filename=path.name)

    @app.get("/api/runs/{run_id}/summary", tags=["runs"], response_class=FileResponse)
    def run_summary(run_id: int) -> FileResponse:
        """A recorded run's summary JSON."""
        path = run_files(run_or_404(run_id)).get("json")
        if path is None:
            raise HTTPException(404, f"run {run_id} has no summary JSON on this machine")
        return FileResponse(path, media_type="application/json", filename=path.name)

    def run_document(record: RunRecord) -> dict[str, Any]:
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

    def job_document(job: Job) -> dict[str, Any]:
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

    return app


RUNS_SHOWN = 200
"""Most recorded runs listed at once."""

MAX_PLANT_NAME = 100
"""Longest plant name kept from the upload form."""

JOBS_SHOWN = 50
"""Most uploads listed on the upload page (the newest)."""

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_BUSY = "the planner is busy with other jobs: try again in a few minutes"


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

    try:
        chosen = ",".join(fields.get("strategies", [])) or None
        strategies = tuple(parse_strategies(chosen))
        solver = one("solver", "highs").lower()
        backend_from_name(solver)
        sequencing = parse_sequencing(one("sequencing", "prv"))
    except PlanningError as wrong:
        raise UploadRejectedError(400, str(wrong)) from None
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
    return JobOptions(strategies, solver, time_limit, sequencing)


def plant_name(fields: dict[str, list[str]], file_name: str) -> str:
    """The plant an upload is a run of: the ``plant`` field, else the file name without suffix.

    Runs of one plant are measured against each other (plan nervousness), so
    weekly files named differently can still be recorded as the same plant.
    """
    typed = " ".join(" ".join(fields.get("plant", [])).split())[:MAX_PLANT_NAME]
    return typed or Path(file_name).stem


def format_kpi(value: Any, key: str) -> str:
    """A KPI value as the command line shows it: percentages, money, counts."""
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value)
    if key in ("fill_rate", "max_utilization", "gap", "build_day_share"):
        return f"{value:.1%}"
    if key.endswith("_seconds"):
        return f"{value:.2f}"
    if key.endswith(("_cost", "_value")) or key == "bound":
        return f"{value:,.2f}"
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def compared_runs(runs: list[RunRecord]) -> dict[str, Any]:
    """The KPIs of every strategy of every run side by side, with the best of each row.

    Returns
    -------
    dict
        ``columns`` (``key``, ``run``, ``label``, ``strategy`` each) and
        ``rows``: KPI name to ``values`` (by column key) and ``best`` (column keys).
    """
    columns: list[dict[str, Any]] = []
    kpis: dict[str, dict[str, Any]] = {}
    for record in runs:
        for strategy, values in record.kpis.items():
            key = f"{record.id}:{strategy}"
            kpis[key] = values
            label = f"run {record.id}: {record.plant}, {record.started_at:%Y-%m-%d %H:%M}"
            columns.append({"key": key, "run": record.id, "label": label, "strategy": strategy})
    best = winners(kpis) if len(kpis) > 1 else {}
    names = dict.fromkeys(name for values in kpis.values() for name in values)
    rows = {
        name: {
            "values": {key: values.get(name) for key, values in kpis.items()},
            "best": best.get(name, []),
        }
        for name in names
    }
    return {"columns": columns, "rows": rows}


def run_files(record: RunRecord) -> dict[str, Path]:
    """A run's output files that exist on this machine, as ``workbook`` and ``json``."""
    found = {"workbook": record.output_workbook, "json": record.output_json}
    return {kind: path for kind, path in found.items() if path is not None and path.is_file()}


def _shown_issue(issue: Issue, upload: ReceivedUpload) -> dict[str, Any]:
    """An issue as shown to the user: the generated file name replaced by the uploaded one."""
    document = issue.to_dict()
    document["message"] = str(document["message"]).replace(upload.path.name, upload.display_name)
    return document


def _download_name(job: Job, suffix: str) -> str:
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in job.plant)[:60] or "plan"
    return f"{stem}_{job.created_at[:10]}_{suffix}"


def _wants_html(request: Request) -> bool:
    if request.url.path.startswith("/api/"):
        return False
    return "text/html" in request.headers.get("accept", "") or request.method == "GET"


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/")
