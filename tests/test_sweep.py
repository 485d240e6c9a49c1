"""Sweeps: factors change the right data, grids, winners, frontier, outputs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from models import Problem
from planner.comparison import compare
from planner.instances import small_plant
from planner.simulation.engine import SimulationOptions
from planner.simulation.reality import Uncertainty
from planner.simulation.study import DETERMINISTIC, Outcome, SimulationStudy
from planner.simulation.sweep import FACTORS, Sweep, SweepError, grid, parse_vary, run_sweep


@pytest.fixture(scope="module")
def plant() -> Problem:
    return small_plant()


@pytest.fixture(scope="module")
def deterministic(plant: Problem) -> Sweep:
    return run_sweep(
        plant, {"setup_time": [0.5, 1.0], "demand": [0.8, 1.2]}, "mrp,heijunka", workers=2,
    )  # fmt: skip


@pytest.fixture(scope="module")
def simulated(plant: Problem) -> Sweep:
    return run_sweep(
        plant,
        {"supplier_late_probability": [0.0, 0.4], "demand_cv": [0.0, 0.3]},
        "mrp,heijunka",
        uncertainty=Uncertainty(supplier_late_days=3),
        replications=2,
        seed=3,
        options=SimulationOptions(replan_time_limit=1.0, plan_time_limit=10.0),
        workers=2,
    )


def _only(points: list, **values: float) -> Problem:  # type: ignore[type-arg]
    chosen = [p for p in points if all(p.values[k] == v for k, v in values.items())]
    assert len(chosen) == 1
    return chosen[0].problem  # type: ignore[no-any-return]


def test_plant_factors_change_what_they_name(plant: Problem) -> None:
    vary = {
        "setup_time": [0.5],
        "setup_cost": [2.0],
        "demand": [1.5],
        "capacity": [0.5],
        "lead_time": [1.6],
        "holding_cost": [3.0],
    }
    (point,) = grid(plant, vary, Uncertainty())
    changed = point.problem
    for before, after in zip(plant.items, changed.items, strict=True):
        assert after.setup_time == pytest.approx(before.setup_time * 0.5)
        assert after.setup_cost == pytest.approx(before.setup_cost * 2.0)
        assert after.lead_time == round(before.lead_time * 1.6)
    np.testing.assert_allclose(changed.demand, plant.demand * 1.5)
    np.testing.assert_allclose(changed.capacity, plant.capacity * 0.5)
    np.testing.assert_allclose(changed.overtime_capacity, plant.overtime_capacity)
    np.testing.assert_allclose(changed.holding_cost, plant.holding_cost * 3.0)
    assert point.values == {name: values[0] for name, values in vary.items()}


def test_carrying_rate_sets_the_rate(plant: Problem) -> None:
    (point,) = grid(plant, {"carrying_rate": [0.5]}, Uncertainty())
    assert point.problem.settings.carrying_rate == 0.5


def test_uncertainty_factors_set_the_uncertainty(plant: Problem) -> None:
    base = Uncertainty(downtime_share=0.5)
    points = grid(plant, {"demand_cv": [0.1, 0.2], "supplier_late_days": [2.4]}, base)
    assert [p.uncertainty.demand_cv for p in points] == [0.1, 0.2]
    assert {p.uncertainty.supplier_late_days for p in points} == {2}
    assert {p.uncertainty.downtime_share for p in points} == {0.5}
    assert all(p.problem is plant for p in points)


def test_the_grid_is_the_cartesian_product_last_factor_fastest(plant: Problem) -> None:
    points = grid(plant, {"setup_time": [1, 2], "demand": [1, 2, 3]}, Uncertainty())
    assert [tuple(p.values.values()) for p in points] == [
        (1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (2, 3),
    ]  # fmt: skip


def test_unknown_factors_are_listed_with_the_known_ones(plant: Problem) -> None:
    with pytest.raises(SweepError, match=r"unknown factor 'setup'") as info:
        run_sweep(plant, {"setup": [1.0]}, "mrp")
    assert all(name in str(info.value) for name in FACTORS)


def test_bad_grids_are_refused(plant: Problem) -> None:
    with pytest.raises(SweepError, match="demand_cv only matters in a simulation"):
        run_sweep(plant, {"demand_cv": [0.1]}, "mrp")
    with pytest.raises(SweepError, match="'capacity' must be >= 0"):
        run_sweep(plant, {"capacity": [-1.0]}, "mrp")
    with pytest.raises(SweepError, match=r"grid point demand_cv=-0\.5 is not valid: demand_cv"):
        run_sweep(plant, {"demand_cv": [-0.5]}, "mrp", replications=1)
    with pytest.raises(SweepError, match="nothing to vary"):
        run_sweep(plant, {}, "mrp")


def test_parse_vary_reads_the_command_line_form() -> None:
    assert parse_vary(["setup_time=0.25,0.5,1", "Demand_CV=0,0.2"]) == {
        "setup_time": [0.25, 0.5, 1.0],
        "demand_cv": [0.0, 0.2],
    }
    with pytest.raises(SweepError, match="expected name=value"):
        parse_vary(["setup_time"])
    with pytest.raises(SweepError, match="must be numbers"):
        parse_vary(["setup_time=a,b"])


def test_deterministic_sweep_equals_compare_at_each_point(
    plant: Problem, deterministic: Sweep
) -> None:
    frame = deterministic.frame()
    assert list(frame.columns[:3]) == ["setup_time", "demand", "strategy"]
    assert len(frame) == 8
    busy = plant.replace(demand=plant.demand * 1.2).replace_items(
        setup_time=lambda item: item.setup_time * 0.5
    )
    expected = compare(busy, "mrp").kpis()
    row = frame[(frame["setup_time"] == 0.5) & (frame["demand"] == 1.2)]
    mrp = row[row["strategy"] == "mrp"].iloc[0]
    cost = expected.loc[expected["kpi"] == "total_cost", "mrp"].iloc[0]
    assert mrp["total_cost"] == pytest.approx(cost)


def test_winners_are_the_lowest_cost_of_each_point(deterministic: Sweep) -> None:
    frame, winners = deterministic.frame(), deterministic.winners()
    assert len(winners) == 4
    for row in winners.itertuples(index=False):
        point = frame[(frame["setup_time"] == row.setup_time) & (frame["demand"] == row.demand)]
        best = point.loc[point["total_cost"].idxmin()]
        assert row.winner == best["strategy"]
        assert row.total_cost == pytest.approx(best["total_cost"])


def test_frontier_marks_exactly_the_non_dominated_points(plant: Problem) -> None:
    values = [(10.0, 5.0), (8.0, 7.0), (12.0, 6.0), (8.0, 9.0), (10.0, 5.0)]
    points = grid(plant, {"demand": [1.0, 1.1, 1.2, 1.3, 1.4]}, Uncertainty())
    results = tuple(
        Outcome(DETERMINISTIC, "mrp", {"total_cost": cost, "avg_inventory_value": stock})
        for cost, stock in values
    )
    sweep = Sweep(("demand",), ("mrp",), tuple(points), 0, None, results)
    assert sweep.frontier()["frontier"].tolist() == [True, True, False, False, True]
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = sweep.plot_winner_map()
    try:
        assert ax.get_xlabel() == "demand"
        assert [t.get_text() for t in ax.texts] == ["mrp"] * 5
    finally:
        plt.close(ax.figure)


def test_simulated_sweep_has_means_intervals_and_win_shares(simulated: Sweep) -> None:
    frame = simulated.frame()
    assert len(frame) == 8
    assert {"n", "total_cost_ci_low", "total_cost_ci_high", "win_share"} <= set(frame.columns)
    assert (frame["n"] == 2).all()
    shares = frame.groupby(["supplier_late_probability", "demand_cv"])["win_share"].sum()
    np.testing.assert_allclose(shares, 1.0)
    assert (frame["total_cost_ci_low"] <= frame["total_cost"]).all()
    assert simulated.failures().empty
    first, last = simulated.results[0], simulated.results[-1]
    assert isinstance(first, SimulationStudy) and isinstance(last, SimulationStudy)
    assert first.deterministic["mrp"] is last.deterministic["mrp"], "one plant, planned once"
    calm = frame[(frame["supplier_late_probability"] == 0) & (frame["demand_cv"] == 0)]
    stormy = frame[(frame["supplier_late_probability"] == 0.4) & (frame["demand_cv"] == 0.3)]
    assert (stormy["fill_rate"].to_numpy() <= calm["fill_rate"].to_numpy() + 1e-9).all()


def test_sweep_outputs(simulated: Sweep, tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    simulated.write(tmp_path / "sweep.xlsx")
    book = openpyxl.load_workbook(tmp_path / "sweep.xlsx")
    assert book.sheetnames == ["Sweep", "Winners", "Frontier", "Charts"]
    assert len(book["Charts"]._images) == 2
    assert book["Sweep"].max_row == 9
    simulated.write_json(tmp_path / "sweep.json")
    document = json.loads((tmp_path / "sweep.json").read_text())
    assert document["factors"] == ["supplier_late_probability", "demand_cv"]
    assert document["replications"] == 2 and document["seed"] == 3
    assert len(document["points"]) == 4
    first = document["points"][0]
    assert first["values"] == {"supplier_late_probability": 0.0, "demand_cv": 0.0}
    assert set(first["strategies"]) == {"mrp", "heijunka"}
    assert first["winner"] in {"mrp", "heijunka", "mrp = heijunka"}
    assert document["frontier"]
    ax = simulated.plot_winner_map("demand_cv", "supplier_late_probability")
    try:
        assert ax.get_xlabel() == "demand_cv"
        assert len(ax.texts) == 4
    finally:
        plt.close(ax.figure)
