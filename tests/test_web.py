"""The web application through its HTTP interface: uploads, jobs, results, limits and tokens."""

from __future__ import annotations

import copy
import io
import json
import queue
import re
import threading
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from planner.cli import app as cli_app
from planner.comparison import compare
from planner.evaluation.winners import winners
from planner.runs.store import RunStore
from planner.web.app import create_app
from planner.web.jobs import JOB_FILE, JobManager
from planner.web.settings import WebSettings
from planner.web.uploads import UploadRejectedError, receive_upload
from planner.workbook.reader import load_workbook
from tests.conftest import BASE, Sheets, write_sheets, xml_bomb

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REALISTIC = Path(__file__).resolve().parent.parent / "data" / "example_plant.xlsx"
"""A plant whose batch model runs to its time limit: a job that is surely still running."""


def settings_for(tmp_path: Path, **changes: Any) -> WebSettings:
    values: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "database_url": f"sqlite:///{tmp_path / 'runs.sqlite3'}",
        "solver_time_limit": 2.0,
        "job_time_limit": 60.0,
        "workers": 2,
        "token": None,
    }
    values.update(changes)
    return WebSettings(**values)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for(tmp_path))) as test_client:
        yield test_client


def plant_sheets(scale: float = 1.0) -> Sheets:
    sheets = copy.deepcopy(BASE)
    for row in sheets["Demand"][1:]:
        row[2] = row[2] * scale
    return sheets


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    return write_sheets(tmp_path / "plant.xlsx", plant_sheets())


def upload(
    client: TestClient,
    content: bytes | Path,
    name: str = "plant.xlsx",
    url: str = "/api/jobs",
    **fields: Any,
) -> Any:
    data = content.read_bytes() if isinstance(content, Path) else content
    return client.post(url, files={"file": (name, data, XLSX)}, data=fields)


def wait_for(client: TestClient, job_id: str, seconds: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(f"/api/jobs/{job_id}").json()
        if job["state"] in ("done", "failed", "cancelled"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish in {seconds} s")


def files_under(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


# Upload, planning and results -------------------------------------------------------------


def test_a_valid_upload_is_planned_and_its_results_served(
    client: TestClient, workbook: Path
) -> None:
    response = upload(client, workbook, strategies=["mrp", "heijunka"])
    assert response.status_code == 202, response.text
    job = response.json()
    assert job["state"] in ("queued", "running")
    assert response.headers["location"] == f"/api/jobs/{job['id']}"

    done = wait_for(client, job["id"])
    assert done["state"] == "done", done["error"]
    assert done["results_ready"] is True
    assert done["finished_strategies"] == ["mrp", "heijunka"]
    assert done["plant"] == "plant"

    expected = compare(load_workbook(workbook), "mrp,heijunka")
    results = client.get(f"/api/jobs/{job['id']}/results").json()
    assert results["strategies"] == ["mrp", "heijunka"]
    rows = {row["kpi"]: row for row in results["kpis"]}
    for name in ("mrp", "heijunka"):
        cost = expected[name].evaluation.kpis["total_cost"]
        assert rows["total_cost"]["values"][name] == pytest.approx(cost)
    best = winners({n: r.evaluation.kpis for n, r in expected.results.items()})
    assert rows["total_cost"]["best"] == best["total_cost"]

    charts = client.get(f"/api/runs/{done['run_id']}/charts").json()
    assert {"kind": "load", "strategy": "", "work_center": "WC1", "item": ""} in charts
    assert {"kind": "box", "strategy": "heijunka", "work_center": "WC1", "item": ""} in charts
    assert not any(chart["kind"] == "box" and chart["strategy"] == "mrp" for chart in charts)
    costs = client.get(f"/api/runs/{done['run_id']}/charts/costs").json()
    mrp_bars = [trace["y"][0] for trace in costs["figure"]["data"] if trace["type"] == "bar"]
    assert sum(mrp_bars) == pytest.approx(expected["mrp"].evaluation.kpis["total_cost"])

    page = client.get(f"/jobs/{job['id']}")
    assert page.status_code == 200
    assert 'id="kpi-table"' in page.text and 'class="best"' in page.text
    assert 'id="chart-gantt"' in page.text and "/vendor/plotly.min.js" in page.text


def test_tables_are_filtered_and_paged(client: TestClient, workbook: Path) -> None:
    job = wait_for(client, upload(client, workbook, strategies="mrp,heijunka").json()["id"])
    url = f"/api/jobs/{job['id']}/tables"
    everything = client.get(f"{url}/inventory").json()
    assert everything["total"] == 2 * 3 * len(
        client.get(f"/api/jobs/{job['id']}/results").json()["days"]
    )
    only = client.get(f"{url}/inventory", params={"item": "SA1", "strategy": "heijunka"}).json()
    item, strategy = only["columns"].index("item"), only["columns"].index("strategy")
    assert only["total"] > 0
    assert all(row[item] == "SA1" and row[strategy] == "heijunka" for row in only["rows"])
    late = client.get(f"{url}/messages", params={"contains": "DEMAND LATE"}).json()
    assert late["total"] > 0
    assert all("demand late" in row[-1] for row in late["rows"])
    page = client.get(f"{url}/build_plan", params={"limit": 2, "offset": 1}).json()
    assert len(page["rows"]) == 2 and page["offset"] == 1
    assert client.get(f"{url}/nonsense").status_code == 404
    assert client.get(f"{url}/inventory", params={"limit": 100000}).status_code == 422


def test_downloads_are_the_recorded_outputs(client: TestClient, workbook: Path) -> None:
    job = wait_for(client, upload(client, workbook, strategies="mrp").json()["id"])
    response = client.get(f"/api/jobs/{job['id']}/workbook")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames[0] == "Summary" and "BuildPlan" in book.sheetnames
    summary = client.get(f"/api/jobs/{job['id']}/summary").json()
    assert list(summary["strategies"]) == ["mrp"]

    runs = client.get("/api/runs").json()
    assert [run["id"] for run in runs] == [job["run_id"]]
    run = runs[0]
    assert run["status"] == "succeeded" and run["input_name"] == "plant.xlsx"
    assert run["kpis"]["mrp"]["total_cost"] == summary["strategies"]["mrp"]["total_cost"]
    recorded = client.get(f"/api/runs/{run['id']}/workbook")
    assert recorded.content == response.content
    assert client.get(f"/runs/{run['id']}", follow_redirects=False).status_code == 303


def test_runs_of_one_plant_are_measured_against_each_other(
    client: TestClient, workbook: Path, tmp_path: Path
) -> None:
    week2 = write_sheets(tmp_path / "week2.xlsx", plant_sheets(1.5))
    first = wait_for(
        client,
        upload(client, workbook, "week1.xlsx", strategies="mrp", plant=" North ").json()["id"],
    )
    second = wait_for(
        client, upload(client, week2, "week2.xlsx", strategies="mrp", plant="North").json()["id"]
    )
    assert first["plant"] == second["plant"] == "North"
    run = client.get(f"/api/runs/{second['run_id']}").json()
    assert run["previous_run_id"] == first["run_id"]
    assert run["nervousness"] is not None
    page = client.get(f"/jobs/{second['id']}")
    assert 'id="nervousness"' in page.text and f"run {first['run_id']}" in page.text


def test_past_runs_are_listed_and_compared(
    client: TestClient, workbook: Path, tmp_path: Path
) -> None:
    busier = write_sheets(tmp_path / "busier.xlsx", plant_sheets(2.0))
    first = wait_for(client, upload(client, workbook, strategies="mrp").json()["id"])
    second = wait_for(client, upload(client, busier, "busier.xlsx", strategies="mrp").json()["id"])
    page = client.get("/runs", params={"run": [first["run_id"], second["run_id"]]})
    assert page.status_code == 200
    assert page.text.count('id="compare-table"') == 1
    assert (
        f"run {first['run_id']}: plant" in page.text
        and f"run {second['run_id']}: busier" in page.text
    )
    assert client.get("/runs", params={"run": 999}).status_code == 404


def test_workbook_errors_are_listed_where_to_fix_them(client: TestClient, tmp_path: Path) -> None:
    sheets = plant_sheets()
    sheets["Items"][1][6] = 2.5
    sheets["Demand"][2][0] = "FGX"
    broken = write_sheets(tmp_path / "broken.xlsx", sheets)

    response = upload(client, broken)
    assert response.status_code == 422
    document = response.json()
    assert document["valid"] is False
    located = {(e["sheet"], e["row"], e["column"], e["cell"]) for e in document["errors"]}
    assert ("Items", 2, "lead_time", "G2") in located
    assert ("Demand", 3, "item", "A3") in located
    assert client.get("/api/jobs").json() == []

    page = upload(client, broken, url="/upload")
    assert page.status_code == 422
    assert 'id="issues"' in page.text and "FGX" in page.text and "lead_time" in page.text
    assert files_under(tmp_path / "data" / "uploads") == []


def test_validate_describes_a_valid_plant(client: TestClient, workbook: Path) -> None:
    response = upload(client, workbook, url="/api/validate")
    assert response.status_code == 200
    assert response.json()["valid"] is True
    assert response.json()["plant"]["items"]["total"] == 3
    assert client.get("/api/jobs").json() == []


def test_the_page_form_redirects_to_the_job(client: TestClient, workbook: Path) -> None:
    response = upload(client, workbook, url="/upload", strategies="mrp")
    assert response.status_code == 200  # followed the redirect
    assert response.url.path.startswith("/jobs/")
    job_id = response.url.path.rsplit("/", 1)[1]
    assert wait_for(client, job_id)["state"] == "done"
    assert client.get(f"/jobs/{job_id}").status_code == 200
    assert job_id in client.get("/").text


def test_options_are_checked(client: TestClient, workbook: Path) -> None:
    wrong = upload(client, workbook, strategies="mrp,magic")
    assert wrong.status_code == 400 and "magic" in wrong.json()["detail"]
    assert upload(client, workbook, time_limit="-3").status_code == 400
    assert upload(client, workbook, time_limit="nan").status_code == 400
    assert upload(client, workbook, solver="excel").status_code == 400
    assert upload(client, workbook, sequencing="random").status_code == 400
    assert client.get("/api/jobs").json() == []


# Refused files ---------------------------------------------------------------------------


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"item,date,qty\nFG1,2026-03-02,10\n", "plant.xlsx", "plant.xlsx is not an Excel"),
        (b"just some notes", "notes.txt", "notes.txt is not an Excel .xlsx workbook"),
        (b"", "empty.xlsx", "empty.xlsx is empty"),
        (
            _zip({"readme.txt": b"hello"}),
            "plant.xlsx",
            "not an Excel workbook (no xl/workbook.xml)",
        ),
        (_zip({"xl/workbook.xml": b"<workbook/>"}), "plant.xlsx", "no [Content_Types].xml"),
        (b"PK\x03\x04" + bytes(100), "cut.xlsx", "cut.xlsx is corrupt"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "old.xls", "old.xls"),
    ],
)
def test_files_that_are_not_xlsx_workbooks_are_refused(
    client: TestClient, tmp_path: Path, content: bytes, name: str, expected: str
) -> None:
    response = upload(client, content, name)
    assert response.status_code == 415
    assert expected in response.json()["detail"]
    assert files_under(tmp_path / "data" / "uploads") == []
    page = upload(client, content, name, url="/upload")
    assert page.status_code == 415 and 'id="refusal"' in page.text


def test_a_workbook_renamed_to_txt_is_accepted_by_its_content(
    client: TestClient, workbook: Path
) -> None:
    response = upload(client, workbook, "plant.txt", strategies="mrp")
    assert response.status_code == 202
    assert wait_for(client, response.json()["id"])["state"] == "done"


def test_xml_bombs_are_refused(client: TestClient, workbook: Path, tmp_path: Path) -> None:
    bomb = xml_bomb(workbook, tmp_path / "bomb.xlsx")
    started = time.monotonic()
    response = upload(client, bomb, "bomb.xlsx")
    assert time.monotonic() - started < 10
    assert response.status_code == 422
    message = response.json()["errors"][0]["message"]
    assert "refused for safety" in message and message.startswith("bomb.xlsx")


def test_oversize_uploads_are_refused(tmp_path: Path, workbook: Path) -> None:
    settings = settings_for(tmp_path, max_upload_bytes=2048)
    with TestClient(create_app(settings)) as small:
        response = upload(small, workbook)
        assert response.status_code == 413
        assert "over the upload limit of" in response.json()["detail"]
    assert files_under(settings.uploads_dir) == []


def test_the_size_limit_is_enforced_while_streaming(tmp_path: Path) -> None:
    boundary = "limit"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.xlsx"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    sent: list[int] = []

    async def body() -> Any:
        yield head
        for _ in range(1000):
            sent.append(1)
            yield b"PK" + bytes(1022)

    import anyio

    async def receive() -> None:
        await receive_upload(
            f"multipart/form-data; boundary={boundary}", None, body(), tmp_path / "up", 10_000
        )

    with pytest.raises(UploadRejectedError) as refused:
        anyio.run(receive)
    assert refused.value.status_code == 413
    assert len(sent) < 20
    assert files_under(tmp_path / "up") == []


def test_uploads_never_use_the_given_name_as_a_path(client: TestClient, tmp_path: Path) -> None:
    data = write_sheets(tmp_path / "source.xlsx", plant_sheets()).read_bytes()
    names = ["../../escape.xlsx", "..\\..\\escape.xlsx", "/tmp/escape.xlsx", "C:\\evil\\x.xlsx"]
    ids = []
    for name in names:
        response = upload(client, data, name, strategies="mrp")
        assert response.status_code == 202
        job = response.json()
        assert "/" not in job["input_name"] and "\\" not in job["input_name"]
        ids.append(job["id"])
    for job_id in ids:
        assert wait_for(client, job_id)["state"] == "done"
    assert not (tmp_path / "escape.xlsx").exists() and not Path("/tmp/escape.xlsx").exists()
    data_dir = (tmp_path / "data").resolve()
    for path in files_under(data_dir):
        where = path.resolve().relative_to(data_dir).parts
        assert where[0] in ("jobs", "template.xlsx") or where[:1] == ("runs.sqlite3",)
        if where[0] == "jobs":
            assert where[1] in ids
            named = re.fullmatch(r"[A-Za-z0-9_-][A-Za-z0-9._-]*-run\d+\.(xlsx|json)", where[2])
            assert where[2] in ("job.json", "input.xlsx", "results.json", "tables") or named
            assert len(where) == 3 or (where[2] == "tables" and len(where) == 4)
    assert client.get("/api/jobs/..%2F..%2Fetc").status_code == 404
    assert client.get("/api/jobs/not-a-job/workbook").status_code == 404


# Jobs: concurrency, limits, persistence ----------------------------------------------------


class _EndedProcess:
    """A planning process that has already ended, cleanly."""

    exitcode = 0

    def is_alive(self) -> bool:
        return False

    def join(self, timeout: float | None = None) -> None:
        return None


class _LateEvents:
    """An event queue whose events arrive only after the process has ended."""

    def __init__(self, events: list[tuple[Any, ...]]) -> None:
        self.events = events
        self.asked = 0

    def get(self, timeout: float) -> tuple[Any, ...]:
        self.asked += 1
        if self.asked == 1 or not self.events:
            raise queue.Empty
        return self.events.pop(0)


def test_events_sent_just_before_the_process_ended_are_not_lost(tmp_path: Path) -> None:
    manager = JobManager(settings_for(tmp_path), RunStore(f"sqlite:///{tmp_path / 'r.sqlite3'}"))
    try:
        prepared: list[Any] = []
        events = _LateEvents([("prepared", "the run"), ("done",)])
        error = manager._follow("0" * 32, _EndedProcess(), events, prepared)  # type: ignore[arg-type]
        assert error is None
        assert prepared == ["the run"]
        silent = _LateEvents([])
        error = manager._follow("0" * 32, _EndedProcess(), silent, [])  # type: ignore[arg-type]
        assert error is not None and "ended unexpectedly" in error
    finally:
        manager.shutdown()


def test_concurrent_uploads_all_finish_with_their_own_results(
    client: TestClient, tmp_path: Path
) -> None:
    scales = [1.0, 2.0, 3.0, 4.0, 5.0]
    paths = [
        write_sheets(tmp_path / f"plant{n}.xlsx", plant_sheets(scale))
        for n, scale in enumerate(scales)
    ]
    responses: dict[int, Any] = {}

    def send(n: int) -> None:
        responses[n] = upload(client, paths[n], strategies="mrp,heijunka")

    threads = [threading.Thread(target=send, args=(n,)) for n in range(len(paths))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(r.status_code == 202 for r in responses.values())
    for n, path in enumerate(paths):
        job = wait_for(client, responses[n].json()["id"])
        assert job["state"] == "done", job["error"]
        expected = compare(load_workbook(path), "mrp,heijunka")
        results = client.get(f"/api/jobs/{job['id']}/results").json()
        total = next(row for row in results["kpis"] if row["kpi"] == "total_cost")
        for name in ("mrp", "heijunka"):
            assert total["values"][name] == pytest.approx(
                expected[name].evaluation.kpis["total_cost"]
            )
    assert len(client.get("/api/runs").json()) == len(paths)


def test_a_full_queue_refuses_more_jobs(tmp_path: Path, workbook: Path) -> None:
    settings = settings_for(tmp_path, workers=1, max_pending=1)
    with TestClient(create_app(settings)) as busy:
        first = upload(busy, workbook, strategies="mrp,batch,heijunka")
        assert first.status_code == 202
        second = upload(busy, workbook)
        assert second.status_code == 503 and "busy" in second.json()["detail"]
        assert wait_for(busy, first.json()["id"])["state"] == "done"
        assert upload(busy, workbook, strategies="mrp").status_code == 202


def test_a_job_over_its_time_limit_is_stopped_and_recorded_as_failed(
    tmp_path: Path, workbook: Path
) -> None:
    settings = settings_for(tmp_path, job_time_limit=0.05, workers=1)
    with TestClient(create_app(settings)) as limited:
        job = wait_for(limited, upload(limited, workbook).json()["id"])
        assert job["state"] == "failed"
        assert "job time limit of 0.05 s" in job["error"]
        run = limited.get(f"/api/runs/{job['run_id']}").json()
        assert run["status"] == "failed" and "time limit" in run["error"]
        run_page = limited.get(f"/runs/{job['run_id']}")
        assert run_page.status_code == 200 and "The run failed" in run_page.text
        assert limited.get(f"/api/jobs/{job['id']}/workbook").status_code == 409
        page = limited.get(f"/jobs/{job['id']}")
        assert 'id="job-error"' in page.text


def test_queued_and_running_jobs_can_be_cancelled(tmp_path: Path, workbook: Path) -> None:
    settings = settings_for(tmp_path, workers=1, solver_time_limit=None)
    with TestClient(create_app(settings)) as busy:
        running = upload(busy, REALISTIC, strategies="batch", time_limit="60").json()
        queued = upload(busy, workbook, strategies="mrp").json()
        assert queued["state"] == "queued"
        cancelled = busy.post(f"/api/jobs/{queued['id']}/cancel")
        assert cancelled.status_code == 202 and cancelled.json()["state"] == "cancelled"

        deadline = time.monotonic() + 30
        while busy.get(f"/api/jobs/{running['id']}").json()["state"] == "queued":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        started = time.monotonic()
        page = busy.post(f"/jobs/{running['id']}/cancel")
        assert page.status_code == 200
        stopped = wait_for(busy, running["id"], seconds=20)
        assert stopped["state"] == "cancelled" and stopped["error"] == "cancelled on request"
        assert time.monotonic() - started < 10
        assert 'id="job-cancelled"' in busy.get(f"/jobs/{running['id']}").text
        assert busy.post(f"/api/jobs/{running['id']}/cancel").json()["state"] == "cancelled"
        assert busy.post(f"/api/jobs/{'f' * 32}/cancel").status_code == 404


def test_jobs_survive_a_restart(tmp_path: Path, workbook: Path) -> None:
    settings = settings_for(tmp_path)
    with TestClient(create_app(settings)) as first:
        done = wait_for(first, upload(first, workbook, strategies="mrp").json()["id"])
    interrupted = settings.jobs_dir / ("0" * 32)
    interrupted.mkdir()
    state = dict(done, id="0" * 32, state="running", run_id=None, outputs={})
    state.pop("links")
    (interrupted / JOB_FILE).write_text(json.dumps(state))

    with TestClient(create_app(settings)) as second:
        again = second.get(f"/api/jobs/{done['id']}").json()
        assert again["state"] == "done"
        assert second.get(f"/api/jobs/{done['id']}/results").status_code == 200
        assert second.get(f"/api/jobs/{done['id']}/workbook").status_code == 200
        stopped = second.get(f"/api/jobs/{'0' * 32}").json()
        assert stopped["state"] == "failed" and "server stopped" in stopped["error"]


def test_finished_jobs_are_deleted_after_keep_days(tmp_path: Path, workbook: Path) -> None:
    settings = settings_for(tmp_path, keep_days=7)
    with TestClient(create_app(settings)) as first:
        done = wait_for(first, upload(first, workbook, strategies="mrp").json()["id"])
    old = settings.jobs_dir / ("1" * 32)
    old.mkdir()
    ended = (datetime.now(UTC) - timedelta(days=8)).isoformat(timespec="seconds")
    state = dict(done, id="1" * 32, finished_at=ended)
    state.pop("links")
    (old / JOB_FILE).write_text(json.dumps(state))
    (old / "input.xlsx").write_bytes(b"an old upload")

    with TestClient(create_app(settings)) as second:
        assert second.get(f"/api/jobs/{'1' * 32}").status_code == 404
        assert not old.exists(), "the old job's folder, upload and outputs are gone"
        assert second.get(f"/api/jobs/{done['id']}").json()["state"] == "done"
        run = second.get(f"/api/runs/{done['run_id']}")
        assert run.status_code == 200, "its run stays in the run store"

    keeping = settings_for(tmp_path, keep_days=None)
    manager = JobManager(keeping, RunStore(keeping.database_url or ""))
    try:
        later = datetime.now(UTC) + timedelta(days=365)
        assert manager.remove_expired(now=later) == []
    finally:
        manager.shutdown()
    with pytest.raises(ValueError, match="keep_days"):
        settings_for(tmp_path, keep_days=0)


# Authentication and the rest --------------------------------------------------------------


def test_a_token_protects_every_page_and_api_call(tmp_path: Path, workbook: Path) -> None:
    settings = settings_for(tmp_path, token="s3cret-token")
    with TestClient(create_app(settings)) as guarded:
        assert guarded.get("/api/jobs").status_code == 401
        assert guarded.get("/api/openapi.json").status_code == 401
        assert upload(guarded, workbook).status_code == 401
        assert (
            guarded.get("/api/jobs", headers={"Authorization": "Bearer wrong"}).status_code == 401
        )
        page = guarded.get("/runs", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"] == "/login?next=/runs"
        assert guarded.get("/static/style.css").status_code == 200

        bearer = {"Authorization": "Bearer s3cret-token"}
        assert guarded.get("/api/jobs", headers=bearer).status_code == 200

        wrong = guarded.post("/login", data={"token": "guess", "next": "/runs"})
        assert wrong.status_code == 401 and "planner_session" not in guarded.cookies
        login = guarded.post(
            "/login",
            data={"token": "s3cret-token", "next": "//evil.example/"},
            follow_redirects=False,
        )
        assert login.status_code == 303 and login.headers["location"] == "/"
        assert "s3cret-token" not in login.headers["set-cookie"]
        assert "httponly" in login.headers["set-cookie"].lower()
        assert guarded.get("/").status_code == 200
        assert upload(guarded, workbook, strategies="mrp").status_code == 202

        guarded.post("/logout")
        assert guarded.get("/api/jobs").status_code == 401


def test_the_blank_template_downloads(client: TestClient) -> None:
    response = client.get("/api/template")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    assert {"Items", "BOM", "Demand", "WorkCenters"} <= set(book.sheetnames)


def test_the_api_is_described(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/jobs", "/api/jobs/{job_id}", "/api/runs", "/api/template"} <= set(paths)
    assert "multipart/form-data" in paths["/api/jobs"]["post"]["requestBody"]["content"]


def test_serve_is_a_planner_command() -> None:
    result = CliRunner().invoke(cli_app, ["serve", "--help"])
    assert result.exit_code == 0
    assert "--data-dir" in result.output and "--port" in result.output


def test_uploads_sent_by_another_site_are_refused(client: TestClient, workbook: Path) -> None:
    data = workbook.read_bytes()
    files = {"file": ("plant.xlsx", data, XLSX)}
    other = client.post("/upload", files=files, headers={"Origin": "http://evil.example"})
    assert other.status_code == 403
    fetched = client.post("/api/jobs", files=files, headers={"Sec-Fetch-Site": "cross-site"})
    assert fetched.status_code == 403
    assert client.get("/api/jobs").json() == []
    same = client.post(
        "/api/jobs",
        files=files,
        data={"strategies": "mrp"},
        headers={"Origin": "http://testserver"},
    )
    assert same.status_code == 202


def test_malformed_requests_get_a_message(client: TestClient) -> None:
    not_a_form = client.post("/api/jobs", json={"file": "plant.xlsx"})
    assert not_a_form.status_code == 400 and "multipart/form-data" in not_a_form.json()["detail"]
    garbage = client.post(
        "/api/jobs",
        content=b"--x\r\nnonsense\r\n\r\n",
        headers={"Content-Type": "multipart/form-data; boundary=x"},
    )
    assert garbage.status_code == 400
    no_file = client.post("/api/jobs", data={"strategies": "mrp"}, files={"other": ("a", b"")})
    assert no_file.status_code == 400
    assert client.get("/api/jobs").json() == []
