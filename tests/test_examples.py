"""The example plants have the advertised shape, the workbooks read back, and they plan.

The tutorial, realistic and two home-turf plants are written to ``data/``
by ``data/make_examples.py``; each workbook must read back to the plant
built in code. Batch and heijunka must plan the realistic and the home-turf
plants within their rules, and a home-turf plant must give the same figures
when planned again (the realistic plant, at about half a minute a
comparison, is planned once).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt
import openpyxl
import pandas as pd
import pytest

from models.problem import ItemKind, LotRule, Problem
from planner import STRATEGIES, Comparison, RunOptions, compare, evaluate, load_workbook
from planner.cli import EXIT_OK
from planner.instances import large_plant, realistic_plant, small_plant
from planner.instances.examples import batch_plant, lean_plant
from planner.workbook.issues import Level
from planner.workbook.reader import read_workbook
from tests.test_cli import run as cli

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

LINES, FABRICATION = ("ASM1", "ASM2"), ("MACH", "PRESS", "WELD")


def made_on(problem: Problem, centers: tuple[str, ...]) -> npt.NDArray[np.bool_]:
    codes = [problem.work_centers[w].code if w >= 0 else "" for w in problem.item_work_center]
    return np.isin(codes, centers)


def position_shares(problem: Problem) -> dict[str, tuple[float, float]]:
    """Per rule: the share of its line's positions (containers) its carriers fill, and p/q."""
    positions = total_requirements(problem) / problem.container_qty
    shares = {}
    for rule in problem.sequence_rules:
        line = made_on(problem, (str(rule.work_center),))
        carriers = np.array(
            [rule.attribute in problem.item_attributes.get(i.code, ()) for i in problem.items]
        )
        share = positions[line & carriers].sum() / positions[line].sum()
        shares[rule.attribute] = (float(share), rule.max_in_window / rule.window)
    return shares


def test_realistic_plant_shape(realistic: Problem) -> None:
    assert realistic.n_items == 80
    assert len(codes_with(realistic, "FG")) == 20
    assert realistic.bom_depth == 3
    assert 5 <= len(realistic.work_centers) <= 6
    assert {w.code for w in realistic.work_centers} >= {*LINES, *FABRICATION}
    assert realistic.n_days == 60
    assert date(2026, 4, 6) not in realistic.days
    assert np.count_nonzero(realistic.receipts) >= 1
    assert realistic.settings.time_limit == 60
    assert np.any(realistic.safety_stock > 0)
    assert np.any(realistic.container_qty > 1)


def test_realistic_lines_change_over_in_minutes_and_fabrication_in_hours(
    realistic: Problem,
) -> None:
    lines, fabrication = made_on(realistic, LINES), made_on(realistic, FABRICATION)
    assert {realistic.items[i].code[:2] for i in np.flatnonzero(lines)} == {"FG"}
    assert {realistic.items[i].code[:2] for i in np.flatnonzero(fabrication)} == {"SA"}
    assert np.all((realistic.setup_time[lines] > 0) & (realistic.setup_time[lines] <= 15))
    assert np.all(realistic.setup_time[fabrication] >= 60)
    assert realistic.setup_cost[fabrication].min() > 5 * realistic.setup_cost[lines].max()


def test_realistic_rules_bind_the_lines_and_a_good_mix_keeps_them(realistic: Problem) -> None:
    assert {rule.work_center for rule in realistic.sequence_rules} == set(LINES)
    carriers = {a.item for a in realistic.attributes}
    assert carriers and all(code.startswith("FG") for code in carriers)
    for attribute, (share, limit) in position_shares(realistic).items():
        assert 0.3 * limit <= share <= 0.6 * limit, attribute


def test_realistic_suppliers_differ_in_lead_time_and_safety_stock(realistic: Problem) -> None:
    bought = ~realistic.is_make
    lead = realistic.lead_time[bought]
    assert lead.min() <= 3 and lead.max() >= 12
    usage = total_requirements(realistic)[bought] / realistic.n_days
    cover = realistic.safety_stock[bought] / usage
    short, long = lead <= 3, lead >= 8
    assert np.all(cover[short] == 0) and np.all(cover[long] >= 2)
    assert cover[long].mean() > cover[(lead > 3) & (lead < 8)].mean() > 0
    assert len({item.lot_rule for item in realistic.items}) == len(LotRule)


def test_realistic_plant_counts_whole_units(realistic: Problem) -> None:
    assert realistic.whole_units.all()
    for values in (
        realistic.demand,
        realistic.receipts,
        realistic.on_hand,
        realistic.safety_stock,
        realistic.container_qty,
        realistic.lot_multiple,
        realistic.min_lot,
        np.array([line.qty_per for line in realistic.bom]),
    ):
        assert np.array_equal(values, np.round(values))


def test_realistic_plant_shares_components(realistic: Problem) -> None:
    parents = [len(p) for p in realistic.parents]
    assert sum(n >= 2 for n in parents) >= 10
    components = [i for i, item in enumerate(realistic.items) if not item.code.startswith("FG")]
    assert all(parents[i] >= 1 for i in components)


def test_realistic_unit_costs_add_up_the_bom(realistic: Problem) -> None:
    material = realistic.bom_matrix.T @ realistic.unit_cost
    parents = [i for i, children in enumerate(realistic.children) if children]
    assert np.all(realistic.unit_cost[parents] > material[parents])


def test_realistic_run_time_fills_most_of_the_capacity(realistic: Problem) -> None:
    share = run_time_share(realistic)
    assert np.all((share >= 0.5) & (share <= 0.8)), share


def test_realistic_setups_fit_daily_on_the_lines_but_not_in_fabrication(
    realistic: Problem,
) -> None:
    daily_capacity = realistic.capacity.mean(axis=1)
    setups = np.zeros(len(realistic.work_centers))
    made = realistic.item_work_center >= 0
    np.add.at(setups, realistic.item_work_center[made], realistic.setup_time[made])
    every_day = run_time_share(realistic) + setups / daily_capacity
    codes = [w.code for w in realistic.work_centers]
    for code, load in zip(codes, every_day, strict=True):
        assert (load < 1.0) if code in LINES else (load > 1.0), code


def test_realistic_demand_has_runners_repeaters_and_strangers(realistic: Problem) -> None:
    finished = [realistic.item_index[c] for c in codes_with(realistic, "FG")]
    demand = realistic.demand[finished]
    ordered = np.count_nonzero(demand, axis=1)
    runners, strangers = ordered == realistic.n_days, ordered <= 10
    assert runners.sum() >= 10 and 2 <= strangers.sum() <= 6
    assert (~runners & ~strangers).sum() >= 2
    weekday = np.array([d.weekday() for d in realistic.days])
    monday = demand[runners][:, weekday == 0].sum(axis=0).mean()
    wednesday = demand[runners][:, weekday == 2].sum(axis=0).mean()
    assert monday > wednesday
    assert demand[strangers].max() > 5 * demand[strangers].sum(axis=1).max() / realistic.n_days


def test_realistic_plant_is_reproducible(realistic: Problem) -> None:
    assert realistic_plant(7) == realistic
    assert realistic_plant(8) != realistic


# The home-turf plants -------------------------------------------------------


@pytest.mark.parametrize("plant", [lean_plant, batch_plant], ids=["lean", "batch"])
def test_home_turf_plants_are_small(plant: Callable[[], Problem]) -> None:
    problem = plant()
    assert 10 <= problem.n_items <= 20
    assert 20 <= problem.n_days <= 40
    assert problem.bom_depth >= 2
    assert problem.whole_units.all()
    assert np.array_equal(problem.demand, np.round(problem.demand))
    assert problem == plant()


def test_lean_plant_has_short_setups_steady_demand_and_tight_rules() -> None:
    problem = lean_plant()
    assert np.all(problem.setup_time[problem.is_make] <= 10)
    with_demand = problem.demand[problem.demand.sum(axis=1) > 0]
    assert np.all(with_demand > 0), "every product every day"
    assert np.all(with_demand.std(axis=1) / with_demand.mean(axis=1) < 0.15)
    shares = position_shares(problem)
    assert shares
    assert all(0.8 * limit <= share <= limit for share, limit in shares.values())


def test_batch_plant_has_long_setups_and_lumpy_demand() -> None:
    problem = batch_plant()
    assert np.all(problem.setup_time[problem.is_make] >= 120)
    with_demand = problem.demand[problem.demand.sum(axis=1) > 0]
    assert np.all(np.count_nonzero(with_demand, axis=1) <= problem.n_days / 5)
    assert with_demand.max() * problem.run_time.max() > problem.capacity.max()
    assert not problem.sequence_rules


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

# (workbook, plant, demand in wide form)
EXAMPLES = [
    ("example_small.xlsx", small_plant, True),
    ("example_plant.xlsx", realistic_plant, False),
    ("example_lean.xlsx", lean_plant, True),
    ("example_batch.xlsx", batch_plant, False),
]


def test_data_holds_the_example_workbooks() -> None:
    names = {path.name for path in WORKBOOKS}
    assert {name for name, _, _ in EXAMPLES} | {"template.xlsx"} <= names


@pytest.mark.parametrize("path", WORKBOOKS, ids=[p.name for p in WORKBOOKS])
def test_workbook_reads_without_errors(path: Path) -> None:
    result = read_workbook(path)
    assert [str(i) for i in result.issues if i.level is Level.ERROR] == []
    assert result.problem is not None


@pytest.mark.parametrize(("name", "plant", "wide"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
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


# Planning the plants --------------------------------------------------------
#
# Which strategy wins is measured in docs/benchmarks.md ("Home-turf plants"),
# not asserted here: only that batch, heijunka and ddmrp plan within the rules (mrp
# ignores capacity and may break them) and that planning again gives the same
# figures (every strategy is deterministic by default).

PLANNED = ("mrp", "batch", "heijunka", "ddmrp")
WITHIN_THE_RULES = ("batch", "heijunka", "ddmrp")
HOME_TURF = {
    "lean": (lean_plant, "example_lean.xlsx"),
    "batch": (batch_plant, "example_batch.xlsx"),
}


def planned(problem: Problem, seconds: float) -> Comparison:
    return compare(problem, ",".join(PLANNED), run=RunOptions(time_limit=seconds))


def figures(comparison: Comparison) -> dict[str, dict[str, object]]:
    """Each strategy's KPIs, less the one that depends on the machine (its planning time)."""
    return {
        name: {k: v for k, v in result.evaluation.kpis.items() if k != "solve_seconds"}
        for name, result in comparison.results.items()
    }


@pytest.fixture(scope="module", params=sorted(HOME_TURF))
def home_turf(request: pytest.FixtureRequest) -> tuple[Problem, Comparison, Comparison]:
    """A home-turf plant planned twice: built in code, then read from its workbook."""
    plant, workbook = HOME_TURF[request.param]
    problem = plant()
    return problem, planned(problem, 20), planned(load_workbook(DATA / workbook), 20)


def test_planned_strategies_are_registered() -> None:
    assert set(PLANNED) <= set(STRATEGIES)


def test_home_turf_plans_of_batch_and_heijunka_are_feasible(
    home_turf: tuple[Problem, Comparison, Comparison],
) -> None:
    problem, from_code, from_workbook = home_turf
    for comparison in (from_code, from_workbook):
        assert list(comparison.results) == list(PLANNED)
        for name in WITHIN_THE_RULES:
            assert evaluate(problem, comparison[name].plan).kpis["feasible"], name


def test_home_turf_figures_are_reproduced(
    home_turf: tuple[Problem, Comparison, Comparison],
) -> None:
    _, from_code, from_workbook = home_turf
    assert figures(from_workbook) == figures(from_code)


def test_the_realistic_plant_compared_twice_gives_the_same_plans_and_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two runs of ``planner compare`` on the example workbook, its own Settings.

    Deterministic by default: every model stops on work limits, so the
    plans, the KPIs and the summary JSON agree apart from the planning
    times. Batch and heijunka plan within the rules. (About a minute.)
    """
    runs = []
    for name in ("first", "second"):
        out, summary = tmp_path / f"{name}.xlsx", tmp_path / f"{name}.json"
        args = ["compare", str(DATA / "example_plant.xlsx"), "--out", str(out)]
        code, _, _ = cli([*args, "--json", str(summary), "--quiet"], capsys)
        assert code == EXIT_OK
        document = json.loads(summary.read_text())
        for section in ("strategies", "change_vs_mrp_percent"):
            for kpis in document[section].values():
                kpis.pop("solve_seconds", None)
        build = pd.read_excel(out, sheet_name="BuildPlan", engine="calamine")
        runs.append((document, build))
    (first, first_build), (second, second_build) = runs
    assert first == second
    pd.testing.assert_frame_equal(first_build, second_build)
    assert list(first["strategies"]) == list(PLANNED)
    for name in WITHIN_THE_RULES:
        assert first["strategies"][name]["feasible"], name
        assert name not in first["infeasible"]
