"""The example plants have the advertised shape, and the example workbooks read back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt
import openpyxl
import pytest

from models.problem import ItemKind, LotRule, Problem
from planner.instances import large_plant, realistic_plant, small_plant
from planner.workbook.issues import Level
from planner.workbook.reader import read_workbook

DATA = Path(__file__).resolve().parents[1] / "data"
WORKBOOKS = sorted(DATA.glob("*.xlsx"))


@pytest.fixture(scope="module")
def realistic() -> Problem:
    return realistic_plant()


def total_requirements(problem: Problem) -> npt.NDArray[np.float64]:
    """Units of every item needed over the horizon: demand plus exploded dependent demand."""
    demand = problem.demand.sum(axis=1)
    total = demand.copy()
    for _ in range(problem.bom_depth):
        total = demand + problem.bom_matrix @ total
    return np.asarray(total, dtype=np.float64)


def run_time_share(problem: Problem) -> npt.NDArray[np.float64]:
    """Run-time load of the total requirements over total regular capacity, per work center."""
    load = np.zeros(len(problem.work_centers))
    made = problem.item_work_center >= 0
    np.add.at(
        load,
        problem.item_work_center[made],
        problem.run_time[made] * total_requirements(problem)[made],
    )
    return np.asarray(load / problem.capacity.sum(axis=1), dtype=np.float64)


def codes_with(problem: Problem, prefix: str) -> list[str]:
    return [item.code for item in problem.items if item.code.startswith(prefix)]


# The tutorial plant ---------------------------------------------------------


def test_small_plant_shape() -> None:
    problem = small_plant()
    assert problem.n_items == 10
    assert problem.bom_depth == 2
    assert 1 <= len(problem.work_centers) <= 2
    assert problem.n_days == 20
    assert problem.days[0] == date(2026, 3, 2)
    assert date(2026, 3, 20) not in problem.days
    assert np.count_nonzero(problem.receipts) == 1
    assert len({item.lot_rule for item in problem.items}) >= 4
    assert {item.kind for item in problem.items} == {ItemKind.MAKE, ItemKind.BUY}
    finished = [problem.item_index[c] for c in codes_with(problem, "FG")]
    assert np.all(problem.demand[finished].sum(axis=1) > 0)
    assert problem == small_plant()


# The realistic plant --------------------------------------------------------


def test_realistic_plant_shape(realistic: Problem) -> None:
    assert realistic.n_items == 80
    assert len(codes_with(realistic, "FG")) == 20
    assert realistic.bom_depth == 3
    assert len(realistic.work_centers) == 5
    assert realistic.n_days == 60
    assert date(2026, 4, 6) not in realistic.days
    assert np.count_nonzero(realistic.receipts) >= 1
    assert any(a.attribute == "heavy" for a in realistic.attributes)
    assert len(realistic.sequence_rules) == 1
    assert np.any(realistic.safety_stock > 0)
    assert np.any(realistic.container_qty > 1)


def test_realistic_plant_shares_components(realistic: Problem) -> None:
    parents = [len(p) for p in realistic.parents]
    assert sum(n >= 2 for n in parents) >= 10
    components = [i for i, item in enumerate(realistic.items) if not item.code.startswith("FG")]
    assert all(parents[i] >= 1 for i in components)


def test_realistic_items_follow_the_brief(realistic: Problem) -> None:
    make = realistic.is_make
    assert np.all(realistic.setup_time[make] >= 30)
    assert np.all(realistic.setup_time[make] <= 120)
    assert np.all(realistic.lead_time[make] <= 3)
    assert np.all((realistic.lead_time[~make] >= 2) & (realistic.lead_time[~make] <= 10))
    assert len({item.lot_rule for item in realistic.items}) == len(LotRule)
    assert all(item.holding_cost is None for item in realistic.items)
    assert realistic.settings.carrying_rate > 0


def test_realistic_unit_costs_add_up_the_bom(realistic: Problem) -> None:
    material = realistic.bom_matrix.T @ realistic.unit_cost
    parents = [i for i, children in enumerate(realistic.children) if children]
    assert np.all(realistic.unit_cost[parents] > material[parents])


def test_realistic_run_time_fills_most_of_the_capacity(realistic: Problem) -> None:
    share = run_time_share(realistic)
    assert np.all((share >= 0.5) & (share <= 0.95)), share


def test_realistic_setups_matter(realistic: Problem) -> None:
    run = run_time_share(realistic)
    daily_capacity = realistic.capacity.mean(axis=1)
    setups = np.zeros(len(realistic.work_centers))
    made = realistic.item_work_center >= 0
    np.add.at(setups, realistic.item_work_center[made], realistic.setup_time[made])
    every_day = run + setups / daily_capacity
    once_a_week = run + setups / (5 * daily_capacity)
    assert np.all(once_a_week < 1.0)
    assert np.any(every_day > 1.0)


def test_realistic_demand_varies(realistic: Problem) -> None:
    finished = [realistic.item_index[c] for c in codes_with(realistic, "FG")]
    demand = realistic.demand[finished]
    by_weekday = {
        weekday: demand[:, [t for t, d in enumerate(realistic.days) if d.weekday() == weekday]]
        for weekday in range(5)
    }
    steady = np.count_nonzero(demand, axis=1) >= 50
    monday = by_weekday[0][steady].sum(axis=0).mean()
    wednesday = by_weekday[2][steady].sum(axis=0).mean()
    assert monday > wednesday
    lumpy = np.count_nonzero(demand, axis=1) <= 10
    assert 1 <= lumpy.sum() <= 5
    assert demand[lumpy].max() > 5 * demand[lumpy].sum(axis=1).max() / realistic.n_days


def test_realistic_plant_is_reproducible(realistic: Problem) -> None:
    assert realistic_plant(7) == realistic
    assert realistic_plant(8) != realistic


# The large plant ------------------------------------------------------------


def test_large_plant_has_the_requested_size() -> None:
    problem = large_plant()
    assert problem.n_items == 1300
    assert len(problem.bom) == 2200
    assert problem.n_days == 120
    assert np.count_nonzero(problem.demand) == 36000
    assert 8 <= len(problem.work_centers) <= 12
    assert problem.bom_depth >= 3
    with_demand = problem.demand.any(axis=1)
    assert np.all(np.count_nonzero(problem.demand[with_demand], axis=1) > problem.n_days / 2)


def test_large_plant_takes_other_sizes() -> None:
    problem = large_plant(n_items=60, n_bom_lines=90, n_days=12, n_demand_rows=150, seed=3)
    assert (problem.n_items, len(problem.bom), problem.n_days) == (60, 90, 12)
    assert np.count_nonzero(problem.demand) == 150
    assert problem == large_plant(n_items=60, n_bom_lines=90, n_days=12, n_demand_rows=150, seed=3)


def test_large_plant_refuses_impossible_sizes() -> None:
    with pytest.raises(ValueError):
        large_plant(n_items=10, n_bom_lines=1000, n_days=5, n_demand_rows=10)
    with pytest.raises(ValueError):
        large_plant(n_items=10, n_bom_lines=5, n_days=5, n_demand_rows=1000)


# The workbooks in data/ -----------------------------------------------------


def test_data_holds_the_example_workbooks() -> None:
    names = {path.name for path in WORKBOOKS}
    assert {"example_small.xlsx", "example_plant.xlsx", "template.xlsx"} <= names


@pytest.mark.parametrize("path", WORKBOOKS, ids=[p.name for p in WORKBOOKS])
def test_workbook_reads_without_errors(path: Path) -> None:
    result = read_workbook(path)
    assert [str(i) for i in result.issues if i.level is Level.ERROR] == []
    assert result.problem is not None


@pytest.mark.parametrize(
    ("name", "plant", "wide"),
    [("example_small.xlsx", small_plant, True), ("example_plant.xlsx", realistic_plant, False)],
)
def test_example_workbook_matches_its_generator(
    name: str, plant: Callable[[], Problem], wide: bool
) -> None:
    expected = plant()
    result = read_workbook(DATA / name)
    assert result.problem is not None
    assert result.problem.replace(name=expected.name) == expected
    header = next(openpyxl.load_workbook(DATA / name, read_only=True)["Demand"].iter_rows())
    second = header[1].value
    assert isinstance(second, datetime) if wide else second == "date"
