"""The API's interactive documentation: Swagger UI at ``/api/docs``, served by the app itself.

The page's script, style sheet and icon are the files of the installed
``swagger-ui-bundle-v2`` package (Swagger UI 5, which reads the OpenAPI 3.1
document FastAPI writes), served under ``/api/docs/assets``: the page loads
nothing from another site. Being under ``/api``, the page and its files ask
for the token as every API call does. ``/docs`` leads to the page.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

DOCS_URL = "/api/docs"
"""The documentation page."""

ASSETS_URL = "/api/docs/assets"
"""Where the Swagger UI files are served."""

router = APIRouter(include_in_schema=False)


def add_api_docs(app: FastAPI) -> None:
    """Serve the documentation page of ``app``'s OpenAPI document, and its files."""
    app.mount(ASSETS_URL, StaticFiles(directory=str(swagger_ui_path)), name="api-docs-assets")
    app.include_router(router)


@router.get(DOCS_URL, response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    """The interactive documentation of the API."""
    app: FastAPI = request.app
    return get_swagger_ui_html(
        openapi_url=app.openapi_url or "",
        title=f"{app.title} API",
        swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS_URL}/favicon-32x32.png",
        swagger_ui_parameters={"validatorUrl": None},
    )


@router.get("/docs")
def docs() -> RedirectResponse:
    """The documentation page's short address."""
    return RedirectResponse(DOCS_URL)
