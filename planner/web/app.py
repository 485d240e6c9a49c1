"""The web application: pages for planners, a JSON API for programs, one library underneath.

Pages are rendered on the server with Jinja2 and enhanced by one small script
(``static/app.js``: drag-and-drop, live progress, charts, table filters).
Every page is backed by an API call under ``/api`` (described at
``/api/openapi.json``, and shown as an interactive page at ``/api/docs``), so
anything the page does a program can do too.

This module builds the application; the pages are in :mod:`planner.web.pages`,
the API in :mod:`planner.web.api`, its documentation page (served with its
files from an installed package, nothing from another site) in
:mod:`planner.web.docs`, and what they share (the state kept in
``app.state``, read through the dependencies of :mod:`planner.web.dependencies`)
is set up here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from models.wording import counted
from planner import __version__
from planner.comparison import STRATEGIES
from planner.runs.store import RunStore
from planner.web import api, pages
from planner.web.dependencies import get_settings
from planner.web.display import format_kpi, kpi_label
from planner.web.docs import add_api_docs
from planner.web.jobs import JobManager
from planner.web.security import is_authorized, is_cross_site
from planner.web.settings import WebSettings

HERE = Path(__file__).parent


def create_app(settings: WebSettings | None = None) -> FastAPI:
    """The web application for ``settings`` (the defaults, token from the environment)."""
    settings = settings or WebSettings.from_environment()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals.update(version=__version__, strategies=list(STRATEGIES))
    templates.env.filters["kpi"] = format_kpi
    templates.env.filters["kpi_label"] = kpi_label
    templates.env.filters["counted"] = counted

    app = FastAPI(
        title="planner",
        version=__version__,
        description="Upload a planner workbook, plan it with mrp, batch, heijunka and ddmrp, "
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
    app.state.templates = templates
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.add_middleware(BaseHTTPMiddleware, dispatch=guard)
    app.include_router(pages.router)
    app.include_router(api.router)
    add_api_docs(app)
    return app


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Serve, then stop the job manager's workers and close the run store."""
    yield
    app.state.jobs.shutdown()
    app.state.store.close()


async def guard(request: Request, call_next: RequestResponseEndpoint) -> Response:
    """Refuse cross-site writes, and requests without the token when one is set.

    A page asked for without the token is sent to the login form instead.
    """
    if is_cross_site(request, request.method):
        return JSONResponse(
            {"detail": "refused: this request was sent by a page of another site"},
            status_code=403,
        )
    if is_authorized(request, get_settings(request).token):
        return await call_next(request)
    if _wants_html(request):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={_quote(target)}", status_code=303)
    return JSONResponse(
        {"detail": "authentication required: send 'Authorization: Bearer <token>'"},
        status_code=401,
        headers={"WWW-Authenticate": "Bearer"},
    )


def _wants_html(request: Request) -> bool:
    if request.url.path.startswith("/api/"):
        return False
    return "text/html" in request.headers.get("accept", "") or request.method == "GET"


def _quote(path: str) -> str:
    return quote(path, safe="/")
