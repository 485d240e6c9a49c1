"""Charts: their series are the evaluations' numbers, their figures show them, runs keep them.

Includes a run made from the command line (``planner run``), shown with its
charts by the web page and the API.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from planner.charts import ChartError, ChartKey, ChartKind, chart_keys, chart_piece, figure
from planner.comparison import RunOptions, compare
from planner.evaluation.kpis import COST_PARTS
from planner.evaluation.types import START_TOLERANCE
from planner.instances import small_plant
from planner.results import Comparison
from planner.runs.store import RunStore
from planner.web.app import create_app
from planner.web.settings import WebSettings
from planner.workbook.writer import write_input_workbook


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    return compare(small_plant(), "mrp,heijunka", run=RunOptions(time_limit=4))


def centers(comparison: Comparison) -> list[str]:
    return [center.code for center in comparison.problem.work_centers]


def test_the_series_are_the_evaluations_numbers(comparison: Comparison) -> None:
    problem = comparison.problem
    costs = chart_piece(comparison, ChartKey(ChartKind.COSTS))["costs"]
    inventory = chart_piece(comparison, ChartKey(ChartKind.INVENTORY))
    assert inventory["days"] == [day.isoformat() for day in problem.days]
    for name, result in comparison.results.items():
        kpis = result.evaluation.kpis
        assert sum(costs[name][part] for part in COST_PARTS) == pytest.approx(kpis["total_cost"])
        value = problem.unit_cost @ result.evaluation.inventory
        assert inventory["value"][name] == pytest.approx(value.tolist())
    for w, code in enumerate(centers(comparison)):
        load = chart_piece(comparison, ChartKey(ChartKind.LOAD, "", code))
        assert load["capacity"] == pytest.approx(problem.capacity[w].tolist())
        for name, result in comparison.results.items():
            assert load["load"][name] == pytest.approx(result.evaluation.load[w].tolist())


def test_gantt_campaigns_are_the_plans_starts_run_by_run(comparison: Comparison) -> None:
    problem = comparison.problem
    day_index = {day.isoformat(): t for t, day in enumerate(problem.days)}
    for name, result in comparison.results.items():
        starts = result.plan.starts
        for w, code in enumerate(centers(comparison)):
            piece = chart_piece(comparison, ChartKey(ChartKind.GANTT, name, code))
            rebuilt = np.zeros_like(starts, dtype=bool)
            for item, first, last, days, qty, minutes in piece["campaigns"]:
                i = problem.item_index[item]
                assert problem.item_work_center[i] == w
                span = range(day_index[first], day_index[last] + 1)
                assert days == len(span)
                assert all(starts[i, t] > START_TOLERANCE for t in span)
                assert not rebuilt[i, span].any()
                rebuilt[i, span] = True
                assert qty == pytest.approx(starts[i, span].sum())
                run_minutes = qty * problem.run_time[i] + days * problem.setup_time[i]
                assert minutes == pytest.approx(run_minutes)
            on_center = problem.item_work_center == w
            assert (rebuilt[on_center] == (starts[on_center] > START_TOLERANCE)).all()


def test_the_box_is_the_plans_sequence(comparison: Comparison) -> None:
    problem = comparison.problem
    plan = comparison["heijunka"].plan
    assert plan.sequences
    for w, code in enumerate(centers(comparison)):
        piece = chart_piece(comparison, ChartKey(ChartKind.BOX, "heijunka", code))
        expected = [
            [
                problem.days[t].isoformat(),
                [[problem.items[i].code, q] for i, q in plan.sequences[(w, t)]],
            ]
            for t in range(problem.n_days)
            if (w, t) in plan.sequences
        ]
        assert piece["days"] == expected


def test_only_sequenced_plans_have_a_box(comparison: Comparison) -> None:
    keys = chart_keys(comparison)
    boxes = {key.strategy for key in keys if key.kind is ChartKind.BOX}
    assert boxes == {"heijunka"}
    assert not comparison["mrp"].plan.sequences
    gantts = {(key.strategy, key.work_center) for key in keys if key.kind is ChartKind.GANTT}
    assert gantts == {
        (name, code) for name in comparison.strategies for code in centers(comparison)
    }


def test_figures_show_the_values_on_hover(comparison: Comparison) -> None:
    code = centers(comparison)[0]
    gantt = comparison.plot_gantt("heijunka", code)
    bar = gantt.data[0]
    piece = chart_piece(comparison, ChartKey(ChartKind.GANTT, "heijunka", code))
    assert list(bar.y) == [campaign[0] for campaign in piece["campaigns"]]
    assert [row[3] for row in bar.customdata] == [campaign[4] for campaign in piece["campaigns"]]
    assert "units" in bar.hovertemplate and "min" in bar.hovertemplate
    box = comparison.plot_box("heijunka", code)
    slots = sum(len(trace.y) for trace in box.data)
    box_piece = chart_piece(comparison, ChartKey(ChartKind.BOX, "heijunka", code))
    assert slots == sum(len(day[1]) for day in box_piece["days"])
    load = comparison.plot_load(code)
    assert [trace.name for trace in load.data] == [
        "mrp",
        "heijunka",
        "capacity",
        "capacity + overtime",
    ]
    assert all("%{y" in trace.hovertemplate for trace in load.data)


def test_a_chart_the_comparison_lacks_is_a_clear_error(comparison: Comparison) -> None:
    with pytest.raises(ChartError, match="no work center 'NOPE'"):
        comparison.plot_load("NOPE")
    with pytest.raises(ChartError, match="no strategy 'batch'"):
        comparison.plot_gantt("batch", centers(comparison)[0])
    with pytest.raises(ChartError, match="no chart 'pie'"):
        comparison.plot("pie")
    with pytest.raises(ChartError, match="no chart 'pie'"):
        figure("pie", {})


def test_a_buffer_chart_shows_the_plans_zones_net_flow_and_orders() -> None:
    comparison = compare(small_plant(), "ddmrp", run=RunOptions(time_limit=20))
    plan = comparison["ddmrp"].plan
    keys = [key for key in chart_keys(comparison) if key.kind is ChartKind.BUFFER]
    assert [key.item for key in keys] == [
        comparison.problem.items[b.item].code for b in plan.buffers
    ]
    buffer, key = plan.buffers[0], keys[0]
    piece = chart_piece(comparison, key)
    assert piece["net_flow"] == pytest.approx(buffer.net_flow.tolist())
    assert piece["red"] == pytest.approx(buffer.red.tolist())
    figure = comparison.plot_buffer("ddmrp", key.item)
    names = [trace.name for trace in figure.data]
    assert names == ["red zone", "yellow zone", "green zone", "net flow", "on hand", "ordered"]
    assert list(figure.data[2].y) == pytest.approx(buffer.top_of_green.tolist())
    orders = figure.data[-1]
    assert orders.mode == "markers" and sum(orders.y) == pytest.approx(buffer.ordered.sum())
    assert ChartKey.of("buffer", "ddmrp", "WC1", key.item) == ChartKey(
        ChartKind.BUFFER, "ddmrp", "", key.item
    )
    with pytest.raises(ChartError, match="no buffer of 'NOPE'"):
        comparison.plot_buffer("ddmrp", "NOPE")


# A run made from the command line, in the web page ----------------------------------------


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A weekly run of one plant made with ``planner run``: its database URL and run id."""
    folder = tmp_path_factory.mktemp("cli-run")
    write_input_workbook(small_plant(), folder / "north.xlsx")
    (folder / "weekly.toml").write_text(
        'output = "out"\nstrategies = ["mrp", "heijunka"]\ntime_limit = 4\n\n'
        '[[plants]]\nname = "north"\ninput = "north.xlsx"\n',
        encoding="utf-8",
    )
    url = f"sqlite:///{folder / 'runs.sqlite3'}"
    yield url, _record_with_cli(folder / "weekly.toml", url)


def _record_with_cli(config: Path, url: str) -> int:
    done = subprocess.run(
        [sys.executable, "-m", "planner", "run", str(config), "--database", url],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    with RunStore(url) as store:
        (record,) = store.list_runs("north")
        return record.id


def test_a_run_made_from_the_command_line_keeps_its_charts(
    cli_run: tuple[str, int], tmp_path: Path
) -> None:
    url, run_id = cli_run
    settings = WebSettings(data_dir=tmp_path / "data", database_url=url, token=None)
    with TestClient(create_app(settings)) as client:
        charts = client.get(f"/api/runs/{run_id}/charts").json()
        kinds = {chart["kind"] for chart in charts}
        assert kinds == {kind.value for kind in ChartKind} - {"buffer"}
        gantt = next(chart for chart in charts if chart["kind"] == "gantt")
        answer = client.get(f"/api/runs/{run_id}/charts/gantt", params=gantt).json()
        assert answer["figure"]["data"][0]["type"] == "bar"
        assert answer["config"]["displaylogo"] is False

        missing = client.get(
            f"/api/runs/{run_id}/charts/gantt", params={"strategy": "mrp", "work_center": "NOPE"}
        )
        assert missing.status_code == 404
        assert "gantt of mrp on NOPE" in missing.json()["detail"]
        assert client.get(f"/api/runs/{run_id}/charts/pie").status_code == 422

        page = client.get(f"/runs/{run_id}")
        assert page.status_code == 200
        assert 'id="chart-gantt"' in page.text and 'id="chart-box"' in page.text
        scripts = re.findall(r'<script src="([^"]+)"', page.text)
        assert {urlsplit(script).netloc for script in scripts} <= {"", "testserver"}
        plotly = next(script for script in scripts if "plotly" in script)
        served = client.get(plotly)
        assert served.status_code == 200
        assert served.headers["content-type"].startswith("text/javascript")
        assert b"Plotly" in served.content[:5000] or len(served.content) > 1_000_000


def test_a_run_recorded_without_charts_says_so(cli_run: tuple[str, int], tmp_path: Path) -> None:
    recorded, run_id = cli_run
    copy = shutil.copy(recorded.removeprefix("sqlite:///"), tmp_path / "runs.sqlite3")
    url = f"sqlite:///{copy}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM run_charts WHERE run_id = :id"), {"id": run_id})
    engine.dispose()
    settings = WebSettings(data_dir=tmp_path / "data", database_url=url, token=None)
    with TestClient(create_app(settings)) as client:
        assert client.get(f"/api/runs/{run_id}/charts").json() == []
        page = client.get(f"/runs/{run_id}").text
        assert 'id="charts-missing"' in page and "plotly" not in page
