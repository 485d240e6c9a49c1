"""The API's documentation page: served by the app from an installed package, from nowhere else.

The page at ``/api/docs`` and every file it loads come from the server itself,
behind the same token as the API; in a real browser it renders every
operation of the OpenAPI document (an OpenAPI 3.1 document, as FastAPI writes).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient

from planner.web.app import create_app
from planner.web.settings import WebSettings
from tests.test_web_browser import CHROMIUM, CHROMIUM_ARGS, _free_port

DOCS = "/api/docs"
TOKEN = "s3cret-token"


def settings_for(tmp_path: Path, token: str | None = None) -> WebSettings:
    return WebSettings(
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'runs.sqlite3'}",
        solver_time_limit=2.0,
        job_time_limit=60.0,
        workers=1,
        token=token,
    )


class _Links(HTMLParser):
    """Every URL a page loads: ``src`` and ``href`` of its scripts, links and images."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"src", "href"} and value:
                self.urls.append(value)


def loaded_urls(page: str) -> list[str]:
    links = _Links()
    links.feed(page)
    return links.urls


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for(tmp_path))) as test_client:
        yield test_client


def test_the_page_is_served(client: TestClient) -> None:
    response = client.get(DOCS)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "/api/openapi.json" in response.text
    assert 'id="swagger-ui"' in response.text


def test_everything_the_page_loads_is_served_here(client: TestClient) -> None:
    page = client.get(DOCS).text
    urls = loaded_urls(page)
    assert any(url.endswith(".js") for url in urls)
    assert any(url.endswith(".css") for url in urls)
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), url
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.content, url
    assert not re.search(r"https?://", page), re.findall(r"https?://\S+", page)


def test_docs_leads_to_the_page(client: TestClient) -> None:
    response = client.get("/docs", follow_redirects=False)
    assert response.status_code in {302, 303, 307}
    assert response.headers["location"] == DOCS
    assert client.get("/docs").url.path == DOCS


def test_the_page_is_not_an_operation_of_the_api(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    assert DOCS not in paths and "/docs" not in paths


def test_the_page_asks_for_the_token_as_the_api_does(tmp_path: Path) -> None:
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(create_app(settings_for(tmp_path, token=TOKEN))) as guarded:
        page = guarded.get(DOCS, headers=bearer)
        assert page.status_code == 200
        assets = [url for url in loaded_urls(page.text) if url.endswith((".js", ".css"))]
        assert assets
        assert guarded.get("/api/openapi.json").status_code == 401
        assert guarded.get(DOCS).status_code == 401
        for url in assets:
            assert guarded.get(url).status_code == 401, url
        redirect = guarded.get("/docs", follow_redirects=False)
        assert redirect.status_code == 303 and redirect.headers["location"] == "/login?next=/docs"

        for url in assets:
            assert guarded.get(url, headers=bearer).status_code == 200, url
        guarded.post("/login", data={"token": TOKEN, "next": "/docs"})
        assert guarded.get("/docs").url.path == DOCS


# In a real browser -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    app = create_app(settings_for(tmp_path_factory.mktemp("docs")))
    running = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        running.should_exit = True
        thread.join(10)


@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}")
def test_a_browser_shows_every_operation(server: str) -> None:
    from playwright.sync_api import sync_playwright

    elsewhere: list[str] = []
    script_errors: list[str] = []

    def only_here(route: Any) -> None:
        if route.request.url.startswith(server + "/"):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = chromium.new_page()
            page.route("**/*", only_here)
            page.on("pageerror", lambda error: script_errors.append(str(error)))
            page.goto(server + "/docs")
            assert page.url == server + DOCS
            jobs = page.locator('.opblock-summary-path[data-path="/api/jobs"]')
            jobs.first.wait_for(timeout=30_000)
            assert jobs.count() >= 2  # listing the jobs and uploading a workbook
            paths = set(
                page.locator(".opblock-summary-path").evaluate_all(
                    "nodes => nodes.map(node => node.dataset.path)"
                )
            )
            assert {"/api/jobs/{job_id}", "/api/runs", "/api/template"} <= paths
            assert "Unable to render" not in page.inner_text("body")
        finally:
            chromium.close()
    assert elsewhere == []
    assert script_errors == []
