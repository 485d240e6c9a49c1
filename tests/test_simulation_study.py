"""Simulation studies: common random numbers, reproducibility, statistics, outputs."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
from scipy import stats

from models import PlanningError, Problem
from planner.comparison import UnknownStrategyError
from planner.instances import small_plant
from planner.simulation import study as study_module
from planner.simulation.engine import SimulationOptions
from planner.simulation.reality import Uncertainty
from planner.simulation.report import simulation_summary, summary_table
from planner.simulation.study import (
    DETERMINISTIC,
    Outcome,
    SimulationStudy,
    replication_seed,
    run_study,
)

FAST = SimulationOptions(replan_time_limit=1.0, plan_time_limit=2.0)
UNHURRIED = SimulationOptions(replan_time_limit=10.0, plan_time_limit=10.0)
"""Time limits the small plant's models never reach: the numbers depend on the seed alone."""
NOISY = Uncertainty(
    demand_cv=0.3, supplier_late_probability=0.3, supplier_late_days=2, downtime_probability=0.1
)
PULL_AND_MRP = "mrp,heijunka"


@pytest.fixture(scope="module")
def plant() -> Problem:
    return small_plant()


@pytest.fixture(scope="module")
def noisy_study(plant: Problem) -> SimulationStudy:
    return run_study(plant, PULL_AND_MRP, NOISY, UNHURRIED, replications=3, seed=11, workers=1)


def _without_timing(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["kpi"] != "solve_seconds"].reset_index(drop=True)


def test_replication_seed_is_the_spawned_child() -> None:
    children = np.random.SeedSequence(42).spawn(5)
    for r, child in enumerate(children):
        assert replication_seed(42, r).generate_state(4).tolist() == (
            child.generate_state(4).tolist()
        )


def test_every_strategy_of_a_replication_faces_the_same_reality(
    noisy_study: SimulationStudy,
) -> None:
    for r in range(noisy_study.replications):
        mrp, pull = noisy_study.replay(r, "mrp"), noisy_study.replay(r, "heijunka")
        np.testing.assert_array_equal(mrp.actual.demand, pull.actual.demand)
        np.testing.assert_array_equal(mrp.actual.capacity, pull.actual.capacity)
    first, second = noisy_study.replay(0, "mrp"), noisy_study.replay(1, "mrp")
    assert not np.array_equal(first.actual.demand, second.actual.demand)


def test_replay_reproduces_the_replication(noisy_study: SimulationStudy) -> None:
    again = noisy_study.replay(2, "heijunka")
    kpis = noisy_study.kpis()
    recorded = kpis[(kpis["replication"] == 2) & (kpis["strategy"] == "heijunka")]
    for row in recorded.itertuples(index=False):
        if row.kpi != "solve_seconds":
            assert again.kpis[row.kpi] == pytest.approx(row.value)


def test_same_seed_same_numbers_whatever_the_workers(
    plant: Problem, noisy_study: SimulationStudy
) -> None:
    parallel = run_study(plant, PULL_AND_MRP, NOISY, UNHURRIED, replications=3, seed=11, workers=2)
    pd.testing.assert_frame_equal(
        _without_timing(parallel.kpis()), _without_timing(noisy_study.kpis())
    )
    other = run_study(plant, "mrp", NOISY, FAST, replications=3, seed=12, workers=1)
    assert not other.values("total_cost")["mrp"].equals(noisy_study.values("total_cost")["mrp"])


def test_without_uncertainty_every_replication_is_the_deterministic_plan(plant: Problem) -> None:
    study = run_study(plant, "mrp,batch,heijunka", None, FAST, replications=2, seed=1, workers=1)
    executable = [
        name
        for name, planned in study.deterministic.items()
        if planned.kpis["overload_minutes"] == 0
    ]
    assert {"batch", "heijunka"} <= set(executable)
    summary = study.summary(["total_cost", "fill_rate", "setups"])
    summary = summary[summary["strategy"].isin(executable)]
    assert (summary["n"] == 2).all()
    np.testing.assert_allclose(summary["mean"], summary["deterministic"], rtol=1e-9)
    np.testing.assert_allclose(summary["std"], 0.0, atol=1e-9)


def test_a_failing_replication_is_reported_and_the_study_goes_on(
    plant: Problem, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = study_module.draw_reality

    def breaks_on_replication_one(
        problem: Problem, uncertainty: Uncertainty, seed: np.random.SeedSequence
    ) -> Any:
        if seed.spawn_key == (1,):
            raise PlanningError("the reality of replication 1 cannot be drawn")
        return real(problem, uncertainty, seed)

    monkeypatch.setattr(study_module, "draw_reality", breaks_on_replication_one)
    study = run_study(plant, PULL_AND_MRP, NOISY, FAST, replications=3, seed=11, workers=1)
    failures = study.failures()
    assert failures[["replication", "strategy"]].values.tolist() == [[1, "mrp"], [1, "heijunka"]]
    assert failures["error"].str.contains("replication 1 cannot be drawn").all()
    assert set(study.kpis()["replication"]) == {0, 2}
    assert (study.summary(["total_cost"])["n"] == 2).all()
    assert "2 failed" in repr(study)


def test_bad_arguments_are_refused(plant: Problem) -> None:
    with pytest.raises(PlanningError, match="replications must be"):
        run_study(plant, "mrp", replications=0)
    with pytest.raises(PlanningError, match="seed must be"):
        run_study(plant, "mrp", replications=1, seed=-3)
    with pytest.raises(UnknownStrategyError, match="'kanban'"):
        run_study(plant, "mrp,kanban", replications=1)


# Statistics on known numbers -------------------------------------------------------------


def _study(values: dict[str, list[float | None]], kpi: str = "total_cost") -> SimulationStudy:
    """A study with given KPI values per strategy and replication (None: a failed task)."""
    names = tuple(values)
    replications = len(next(iter(values.values())))
    outcomes = [
        Outcome(r, name, {kpi: value, "status": "heuristic"})
        if value is not None
        else Outcome(r, name, error="broke")
        for r in range(replications)
        for name in names
        for value in [values[name][r]]
    ]
    planned = {name: Outcome(DETERMINISTIC, name, {kpi: 100.0}) for name in names}
    return SimulationStudy(
        problem=small_plant(),
        strategies=names,
        uncertainty=Uncertainty(),
        options=SimulationOptions(),
        replications=replications,
        seed=0,
        outcomes=tuple(outcomes),
        deterministic=planned,
    )


def test_summary_gives_the_student_t_interval() -> None:
    sample = [10.0, 12.0, 9.0, 15.0, 11.0]
    summary = _study({"mrp": sample}).summary()
    row = summary.iloc[0]
    low, high = stats.t.interval(0.95, len(sample) - 1, np.mean(sample), stats.sem(sample))
    assert (row["strategy"], row["kpi"], row["n"]) == ("mrp", "total_cost", 5)
    assert row["mean"] == pytest.approx(11.4)
    assert row["std"] == pytest.approx(np.std(sample, ddof=1))
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(low), pytest.approx(high))
    assert (row["min"], row["max"], row["deterministic"]) == (9.0, 15.0, 100.0)


def test_one_replication_has_no_interval() -> None:
    row = _study({"mrp": [10.0]}).summary().iloc[0]
    assert row["mean"] == 10.0
    assert math.isnan(row["ci_low"]) and math.isnan(row["std"])


def test_wins_split_ties_and_skip_incomplete_replications() -> None:
    study = _study({"mrp": [5.0, 3.0, 4.0, 1.0], "batch": [5.0, 4.0, 2.0, None]})
    wins = study.wins()
    assert wins.to_dict() == {"mrp": pytest.approx(0.5), "batch": pytest.approx(0.5)}
    assert wins.sum() == pytest.approx(1.0)


def test_wins_on_fill_rate_go_to_the_highest() -> None:
    study = _study({"mrp": [0.9, 0.8], "heijunka": [0.95, 0.7]}, kpi="fill_rate")
    assert study.wins("fill_rate").to_dict() == {"mrp": 0.5, "heijunka": 0.5}
    study = _study({"mrp": [0.9, 0.8], "heijunka": [0.95, 0.85]}, kpi="fill_rate")
    assert study.wins("fill_rate").to_dict() == {"mrp": 0.0, "heijunka": 1.0}


def test_wins_refuse_kpis_without_a_winner() -> None:
    study = _study({"mrp": [1.0], "batch": [2.0]})
    with pytest.raises(PlanningError, match="no winner"):
        study.wins("solve_seconds")
    with pytest.raises(PlanningError, match="unknown KPI 'cost'"):
        study.wins("cost")


def test_paired_differences_are_taken_replication_by_replication() -> None:
    mrp, batch = [10.0, 20.0, 30.0, 40.0], [8.0, 18.5, 28.2, 37.9]
    row = _study({"mrp": mrp, "batch": batch}).paired_differences("total_cost", "mrp").iloc[0]
    differences = np.subtract(batch, mrp)
    low, high = stats.t.interval(0.95, 3, differences.mean(), stats.sem(differences))
    assert (row["strategy"], row["n"]) == ("batch", 4)
    assert row["mean"] == pytest.approx(-1.85)
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(low), pytest.approx(high))
    assert row["ci_high"] < 0, "the same luck makes a small difference clear"


# Outputs -------------------------------------------------------------------------------


def test_workbook_has_the_summary_replications_and_charts(
    noisy_study: SimulationStudy, tmp_path: Path
) -> None:
    path = tmp_path / "sim.xlsx"
    noisy_study.write(path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Summary", "Charts", "Replications", "Study"]
    header = [c.value for c in book["Summary"][4]]
    assert header[:3] == ["strategy", "kpi", "mean"]
    assert {"ci_low", "ci_high", "win_share", "deterministic", "n"} <= set(header)
    table = summary_table(noisy_study)
    first = [c.value for c in book["Summary"][5]]
    assert first[:2] == [table["strategy"].iat[0], table["kpi"].iat[0]]
    assert first[2] == pytest.approx(table["mean"].iat[0])
    replications = list(book["Replications"].values)
    assert replications[0] == ("replication", "strategy", "kpi", "value")
    assert len(replications) - 1 == len(noisy_study.kpis())
    assert len(book["Charts"]._images) >= 3


def test_json_is_strict_and_documented(noisy_study: SimulationStudy, tmp_path: Path) -> None:
    path = tmp_path / "sim.json"
    noisy_study.write_json(path)

    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in the JSON")

    document = json.loads(path.read_text(), parse_constant=refuse)
    assert set(document) >= {"plant", "horizon", "study", "summary", "wins", "replications"}
    assert document["study"]["seed"] == 11
    assert document["study"]["uncertainty"]["demand_cv"] == 0.3
    assert set(document["summary"]) == {"mrp", "heijunka"}
    cost = document["summary"]["mrp"]["total_cost"]
    assert set(cost) == {"mean", "std", "ci_low", "ci_high", "min", "max", "n", "deterministic"}
    assert sum(document["wins"]["shares"].values()) == pytest.approx(1.0)
    assert document["paired_differences"]["against"] == "mrp"
    assert len(document["replications"]) == 6
    assert document == json.loads(json.dumps(simulation_summary(noisy_study), allow_nan=False))


def test_box_plot_has_one_box_per_strategy(noisy_study: SimulationStudy) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = noisy_study.plot_box("fill_rate")
    try:
        assert [t.get_text() for t in ax.get_xticklabels()] == ["mrp", "heijunka"]
        assert ax.get_ylabel() == "fill_rate"
    finally:
        plt.close(ax.figure)
