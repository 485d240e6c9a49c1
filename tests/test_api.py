"""The Python API of a comparison: data frames, charts, files, and a readable summary."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest

from planner.comparison import RunOptions, compare
from planner.instances import small_plant
from planner.plots import COST_PARTS
from planner.results import Comparison
from planner.tables import FRAMES

matplotlib.use("Agg")


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


def test_plots_draw_one_line_or_bar_per_strategy(comparison: Comparison) -> None:
    ax = comparison.plot_inventory()
    assert [line.get_label() for line in ax.get_lines()] == ["mrp", "heijunka"]
    center = comparison.problem.work_centers[0].code
    ax = comparison.plot_load(center)
    assert len(ax.get_lines()) == 2 + 2
    ax = comparison.plot_costs()
    heights = [patch.get_height() for patch in ax.patches]
    assert len(heights) == len(COST_PARTS) * 2
    total = sum(heights[k] for k in range(0, len(heights), 2))
    assert total == pytest.approx(comparison["mrp"].evaluation.kpis["total_cost"])


def test_write_and_write_json(comparison: Comparison, tmp_path: Path) -> None:
    comparison.write(tmp_path / "plan.xlsx")
    comparison.write_json(tmp_path / "summary.json")
    assert (tmp_path / "plan.xlsx").stat().st_size > 0
    assert "heijunka" in (tmp_path / "summary.json").read_text()
