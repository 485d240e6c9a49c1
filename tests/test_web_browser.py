"""The web page end to end in a real headless browser: upload, progress, results, download.

The server is the real one (``planner serve`` in a subprocess); the browser is
Chromium driven by Playwright. Skipped only when Chromium is not installed.
"""

from __future__ import annotations

import copy
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from planner.evaluation.kpis import COST_PARTS
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
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The server's folder: its data and its run store ``runs.sqlite3``."""
    return tmp_path_factory.mktemp("web")


@pytest.fixture(scope="module")
def server(folder: Path) -> Iterator[str]:
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
        assert steps.all_inner_texts() == ["mrp", "batch", "heijunka", "ddmrp"]
        page.wait_for_selector("#progress-steps li.current, #progress-steps li.done, #kpi-table")
    page.wait_for_selector("#kpi-table", timeout=90_000)
    page.wait_for_selector("#download-workbook", timeout=90_000)

    header = page.locator("#kpi-table thead th").all_inner_texts()
    assert header == ["kpi", "mrp", "batch", "heijunka", "ddmrp"]
    assert page.locator("#kpi-table tbody tr").count() > 20
    assert page.locator('#kpi-table tbody tr:has(th[title="total_cost"]) td.best').count() >= 1

    wait_for_charts(page)
    assert page.locator("#chart-costs .barlayer .trace").count() == len(COST_PARTS)
    assert page.locator("#chart-inventory .scatterlayer .trace").count() == 4
    assert page.locator("#chart-load .scatterlayer .trace").count() == 4 + 2
    page.select_option("#chart-load >> xpath=.. >> select", index=1)
    page.wait_for_selector("#chart-load[data-state=drawn]")
    assert page.locator("#chart-load .scatterlayer .trace").count() == 4 + 2
    assert page.locator("#chart-box .barlayer .point").count() > 10
    assert page.locator("#chart-buffer .scatterlayer .trace").count() == 3 + 3
    assert "units" in hover_text(page, "#chart-gantt .barlayer .point")

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


def wait_for_charts(page: Any) -> None:
    """Wait until every chart of the page is drawn (or has said why it cannot be)."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('.chart[data-kind]')]"
        ".every(chart => ['drawn', 'failed'].includes(chart.dataset.state))",
        timeout=30_000,
    )
    assert page.locator(".chart[data-state=failed]").count() == 0


def hover_text(page: Any, points: str) -> str:
    """The hover label shown over the first of ``points`` (a chart's bars or markers)."""
    page.locator(points).first.hover(force=True)
    label = page.locator(".hoverlayer .hovertext").first
    label.wait_for(timeout=5_000)
    return str(label.text_content())


def test_a_run_made_from_the_command_line_shows_its_charts(
    server: str, browser: object, folder: Path, tmp_path: Path
) -> None:
    (tmp_path / "weekly.toml").write_text(
        f'output = "out"\nstrategies = ["mrp", "heijunka"]\ntime_limit = 2\n\n'
        f'[[plants]]\nname = "cli-plant"\ninput = "{EXAMPLE}"\n',
        encoding="utf-8",
    )
    database = f"sqlite:///{folder / 'runs.sqlite3'}"
    command = [sys.executable, "-m", "planner", "run", str(tmp_path / "weekly.toml")]
    done = subprocess.run(
        [*command, "--database", database], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    page = browser.new_page()  # type: ignore[attr-defined]
    script_errors: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    page.goto(server + "/runs")
    page.click("#store-runs tr:has(td:text-is('cli-plant')) a")
    page.wait_for_url("**/runs/*")
    wait_for_charts(page)
    assert page.locator("#chart-gantt .barlayer .point").count() > 0
    text = hover_text(page, "#chart-inventory .scatterlayer .trace path.js-line")
    assert re.search(r"value [0-9,]+", text), text
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
