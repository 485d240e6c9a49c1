"""The web page end to end in a real headless browser: upload, progress, results, download.

The server is the real one (``planner serve`` in a subprocess); the browser is
Chromium driven by Playwright. Skipped only when Chromium is not installed.
"""

from __future__ import annotations

import copy
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from planner.plots import COST_PARTS
from tests.conftest import BASE, write_sheets

CHROMIUM = Path(os.environ.get("PLANNER_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
EXAMPLE = Path(__file__).resolve().parent.parent / "data" / "example_small.xlsx"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("web")
    port = _free_port()
    environment = {k: v for k, v in os.environ.items() if k != "PLANNER_TOKEN"}
    command = [
        sys.executable,
        "-m",
        "planner",
        "serve",
        "--port",
        str(port),
        "--data-dir",
        str(folder / "data"),
        "--database-url",
        f"sqlite:///{folder / 'runs.sqlite3'}",
        "--time-limit",
        "2",
        "--job-time-limit",
        "90",
    ]
    log = (folder / "server.log").open("w")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=environment)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "the server did not start:\n" + (folder / "server.log").read_text()
                    ) from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(10)
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


def test_a_planner_uploads_watches_and_downloads(
    server: str, browser: object, tmp_path: Path
) -> None:
    page = browser.new_page(accept_downloads=True)  # type: ignore[attr-defined]
    script_errors: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    page.goto(server + "/")
    page.set_input_files("#file", str(EXAMPLE))
    assert page.inner_text("#dropzone-text") == "example_small.xlsx"
    page.click("#upload-button")
    page.wait_for_url("**/jobs/*")
    steps = page.locator("#progress-steps li")
    if steps.count():
        assert steps.all_inner_texts() == ["mrp", "batch", "heijunka"]
        page.wait_for_selector("#progress-steps li.current, #progress-steps li.done, #kpi-table")
    page.wait_for_selector("#kpi-table", timeout=90_000)
    page.wait_for_selector("#download-workbook", timeout=90_000)

    header = page.locator("#kpi-table thead th").all_inner_texts()
    assert header == ["kpi", "mrp", "batch", "heijunka"]
    assert page.locator("#kpi-table tbody tr").count() > 20
    assert page.locator('#kpi-table tbody tr:has(th[title="total_cost"]) td.best').count() >= 1

    assert page.locator("#chart-costs svg rect.bar").count() == 3 * len(COST_PARTS)
    assert page.locator("#chart-inventory svg polyline.series").count() == 3
    assert page.locator("#chart-load svg polyline.series").count() == 3 + 2
    page.select_option("#load-center", index=1)
    assert page.locator("#chart-load svg polyline.series").count() == 3 + 2
    assert page.locator("#chart-sequence svg rect.slot").count() > 10

    late = page.locator("#late-demand tbody tr")
    late.first.wait_for()
    assert all("demand late" in text for text in late.all_inner_texts())

    page.wait_for_selector("#data-table tbody tr")
    page.select_option("#table-filters select[name=table]", "inventory")
    page.fill("#table-filters input[name=item]", "FG01")
    page.press("#table-filters input[name=item]", "Enter")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#data-table tbody tr')]"
        ".every(r => r.cells[1].textContent === 'FG01')"
    )
    assert "of" in page.inner_text("#table-count")

    with page.expect_download() as download:
        page.click("#download-workbook")
    saved = tmp_path / "plan.xlsx"
    download.value.save_as(saved)
    book = openpyxl.load_workbook(saved, read_only=True)
    assert book.sheetnames[0] == "Summary" and "Inventory" in book.sheetnames
    assert script_errors == []


def test_a_workbook_with_errors_shows_what_to_fix(
    server: str, browser: object, tmp_path: Path
) -> None:
    sheets = copy.deepcopy(BASE)
    sheets["Demand"][2][0] = "FGX"
    broken = write_sheets(tmp_path / "broken.xlsx", sheets)
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(server + "/")
    page.set_input_files("#file", str(broken))
    page.click("#upload-button")
    page.wait_for_selector("#issues")
    row = page.locator("#issues tbody tr").first.locator("td").all_inner_texts()
    assert row[1:5] == ["Demand", "3", "item", "A3"]
    assert "FGX" in row[6]
