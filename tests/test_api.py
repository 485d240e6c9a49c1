"""The Python API of a comparison: data frames, charts, files, and a readable summary."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.comparison import RunOptions, compare
from planner.evaluation.kpis import COST_PARTS
from planner.instances import small_plant
from planner.results import Comparison
from planner.tables import FRAMES


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    return compare(small_plant(), "mrp,heijunka", run=RunOptions(time_limit=4))


def test_every_sheet_is_a_method_returning_the_same_frame(comparison: Comparison) -> None:
    methods = {
        "Summary": comparison.kpis,
        "BuildPlan": comparison.build_plan,
        "Inventory": comparison.inventory,
        "Load": comparison.load,
        "Sequence": comparison.sequences,
        "Kanban": comparison.kanban,
        "Buffers": comparison.buffers,
        "Messages": comparison.messages,
        "Levelling": comparison.levelling,
        "Pegging": comparison.pegging,
        "Violations": comparison.violations,
    }
    assert set(methods) == set(FRAMES)
    for title, method in methods.items():
        assert method().equals(FRAMES[title](comparison)), title


def test_results_by_name_and_a_readable_summary(comparison: Comparison) -> None:
    assert comparison["heijunka"].plan.strategy == "heijunka"
    text = repr(comparison)
    assert text.splitlines()[0] == f"Comparison of {comparison.problem.name}: mrp, heijunka"
    total = comparison["mrp"].evaluation.kpis["total_cost"]
    assert f"{total:,.0f}" in text
    assert "fill_rate" in text


def test_plots_are_plotly_figures_of_the_evaluations(comparison: Comparison) -> None:
    figure = comparison.plot_inventory()
    assert [trace.name for trace in figure.data] == ["mrp", "heijunka"]
    center = comparison.problem.work_centers[0].code
    assert len(comparison.plot_load(center).data) == 2 + 2
    bars = [trace for trace in comparison.plot_costs().data if trace.type == "bar"]
    assert [trace.name.replace(" ", "_") + "_cost" for trace in bars] == list(COST_PARTS)
    mrp_total = sum(trace.y[0] for trace in bars)
    assert mrp_total == pytest.approx(comparison["mrp"].evaluation.kpis["total_cost"])
    assert comparison.plot_gantt("mrp", center).data[0].type == "bar"
    assert comparison.plot("box", "heijunka", center).data


def test_write_and_write_json(comparison: Comparison, tmp_path: Path) -> None:
    comparison.write(tmp_path / "plan.xlsx")
    comparison.write_json(tmp_path / "summary.json")
    assert (tmp_path / "plan.xlsx").stat().st_size > 0
    assert "heijunka" in (tmp_path / "summary.json").read_text()
