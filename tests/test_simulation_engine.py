"""The rolling-horizon simulation: drawn realities, and strategies played through them."""

from __future__ import annotations

import pickle
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models import (
    BomLine,
    Calendar,
    Item,
    ItemAttribute,
    ItemKind,
    Problem,
    SequenceRule,
    Settings,
    WorkCenter,
)
from models.plan import Plan
from models.problem import FloatArray
from planner.comparison import UnknownStrategyError
from planner.evaluation import ViolationKind, evaluate
from planner.instances import small_plant
from planner.simulation import (
    Reality,
    Replication,
    SimulationError,
    SimulationOptions,
    Uncertainty,
    draw_reality,
    plan_strategy,
    simulate,
)

STRATEGIES = ("mrp", "batch", "heijunka")
FAST = SimulationOptions(plan_time_limit=2, replan_time_limit=1)
STORMY = Uncertainty(
    demand_cv=0.5,
    demand_bias=0.2,
    supplier_late_probability=0.4,
    supplier_late_days=3,
    downtime_probability=0.2,
    downtime_share=0.7,
)
TIMING_KPIS = {"solve_seconds"}


def working_days(n: int) -> list[date]:
    days, current = [], date(2026, 3, 2)
    while len(days) < n:
        if current.weekday() < 5:
            days.append(current)
        current += timedelta(days=1)
    return days


def tiny_plant(
    *,
    n_days: int = 15,
    capacity: float = 480,
    overtime: float = 60,
    on_hand_part: float = 150,
    level_period: int = 20,
) -> Problem:
    """Two finished goods on one line, a made component on a second, one purchased part."""
    days = working_days(n_days)
    items = [
        Item("A", work_center="ASSY", run_time=10, setup_time=30, setup_cost=40,
             unit_cost=50, lead_time=1, on_hand=20, container_qty=5),
        Item("B", work_center="ASSY", run_time=8, setup_time=20, setup_cost=30,
             unit_cost=40, lead_time=1, on_hand=10, container_qty=5),
        Item("C", work_center="CUT", run_time=4, setup_time=40, setup_cost=50,
             unit_cost=10, lead_time=1, on_hand=30, lot_rule="POQ", lot_size=3,
             container_qty=10),
        Item("P", kind=ItemKind.BUY, setup_cost=20, unit_cost=3, lead_time=2,
             on_hand=on_hand_part, lot_rule="POQ", lot_size=4, container_qty=20),
    ]  # fmt: skip
    bom = [BomLine("A", "C", 1), BomLine("A", "P", 2), BomLine("B", "P", 1), BomLine("C", "P", 1)]
    pattern = {"A": [12, 8, 10, 14, 6], "B": [5, 0, 9, 3, 6]}
    demand = [
        (code, day, pattern[code][t % 5])
        for code in pattern
        for t, day in enumerate(days)
        if t >= 1 and pattern[code][t % 5]
    ]
    return Problem.from_records(
        items,
        demand,
        calendar=Calendar(days[0], days[-1]),
        work_centers=[
            WorkCenter("ASSY", capacity, overtime, overtime_cost=1.0),
            WorkCenter("CUT", capacity, overtime, overtime_cost=1.0),
        ],
        bom=bom,
        settings=Settings(level_period=level_period, time_limit=2),
        name="tiny",
    )


def kpis_without_timing(kpis: dict[str, object]) -> dict[str, object]:
    return {name: value for name, value in kpis.items() if name not in TIMING_KPIS}


def assert_executable(replication_problem: Problem, plan: Plan) -> None:
    evaluation = evaluate(replication_problem, plan)
    kinds = {v.kind for v in evaluation.violations}
    assert kinds == set(), [v.message for v in evaluation.violations[:5]]


def recorded_on_arrival(replication: Replication, reality: Reality) -> FloatArray:
    """Released starts moved by their supplier delay, dropped when that leaves the horizon."""
    released = replication.released
    days = np.arange(released.shape[1])[None, :] + reality.supplier_delay
    rows = np.repeat(np.arange(released.shape[0])[:, None], released.shape[1], axis=1)
    inside = days < released.shape[1]
    recorded = np.zeros_like(released)
    np.add.at(recorded, (rows[inside], days[inside]), released[inside])
    return recorded


# Reality -----------------------------------------------------------------------


def test_zero_uncertainty_is_the_forecast() -> None:
    problem = tiny_plant()
    reality = draw_reality(problem, Uncertainty(), seed=4)
    assert Uncertainty().is_certain()
    np.testing.assert_array_equal(reality.demand, problem.demand)
    np.testing.assert_array_equal(reality.capacity, problem.capacity)
    np.testing.assert_array_equal(reality.overtime_capacity, problem.overtime_capacity)
    assert not reality.supplier_delay.any()
    assert reality.actual_problem(problem) == problem.replace(name="tiny (actual)")


def test_same_seed_same_reality_other_seed_other_reality() -> None:
    problem = tiny_plant()
    first = draw_reality(problem, STORMY, seed=7)
    again = draw_reality(problem, STORMY, seed=np.random.SeedSequence(7))
    other = draw_reality(problem, STORMY, seed=8)
    for name in ("demand", "capacity", "overtime_capacity", "supplier_delay"):
        np.testing.assert_array_equal(getattr(first, name), getattr(again, name))
    assert not np.array_equal(first.demand, other.demand)
    assert not STORMY.is_certain()


def test_demand_bias_raises_realised_demand_and_cv_spreads_it() -> None:
    problem = small_plant()
    forecast = problem.demand.sum()
    biased = [draw_reality(problem, Uncertainty(demand_bias=0.2), s).demand for s in range(3)]
    assert all(d.sum() == pytest.approx(1.2 * forecast, rel=0.02) for d in biased)
    noisy = [draw_reality(problem, Uncertainty(demand_cv=0.3), s).demand for s in range(40)]
    ratio = np.concatenate(
        [d[problem.demand > 0] / problem.demand[problem.demand > 0] for d in noisy]
    )
    assert ratio.mean() == pytest.approx(1.0, abs=0.05)
    assert ratio.std() == pytest.approx(0.3, abs=0.06)
    assert all((d[problem.demand == 0] == 0).all() for d in noisy)
    assert all((d == np.round(d)).all() for d in noisy)


def test_downtime_takes_its_share_of_capacity() -> None:
    problem = tiny_plant()
    reality = draw_reality(problem, Uncertainty(downtime_probability=1, downtime_share=0.25), 1)
    np.testing.assert_allclose(reality.capacity, 0.75 * problem.capacity)
    np.testing.assert_allclose(reality.overtime_capacity, 0.75 * problem.overtime_capacity)


def test_only_purchased_items_are_late_and_never_beyond_the_maximum() -> None:
    problem = tiny_plant()
    reality = draw_reality(
        problem, Uncertainty(supplier_late_probability=0.5, supplier_late_days=3), 2
    )
    bought = problem.item_index["P"]
    assert not np.delete(reality.supplier_delay, bought, axis=0).any()
    delays = reality.supplier_delay[bought]
    assert delays.max() <= 3 and (delays > 0).any() and (delays == 0).any()


def test_more_breakdowns_add_to_the_same_ones() -> None:
    problem = tiny_plant()
    some = draw_reality(problem, Uncertainty(downtime_probability=0.2), 5)
    more = draw_reality(problem, Uncertainty(downtime_probability=0.6), 5)
    down_some, down_more = some.capacity < problem.capacity, more.capacity < problem.capacity
    assert (down_more >= down_some).all() and down_more.sum() > down_some.sum()


# Zero uncertainty: the deterministic plan, exactly ---------------------------------


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_zero_uncertainty_repeats_the_deterministic_plan(strategy: str) -> None:
    problem = tiny_plant()
    plan = plan_strategy(problem, strategy, FAST)
    deterministic = evaluate(problem, plan)
    assert deterministic.kpis["overload_minutes"] == 0
    replication = simulate(
        problem, strategy, draw_reality(problem, Uncertainty(), 0), FAST, plan=plan
    )
    assert replication.replans == 0
    np.testing.assert_array_equal(replication.executed.starts, plan.starts)
    assert replication.kpis == deterministic.kpis
    assert dict(replication.executed.sequences) == dict(plan.sequences)


def test_zero_uncertainty_on_the_example_plant_with_mrp_within_capacity() -> None:
    plant = small_plant()
    roomy = plant.replace(capacity=plant.capacity * 4, overtime_capacity=plant.overtime_capacity)
    plan = plan_strategy(roomy, "mrp")
    assert evaluate(roomy, plan).kpis["overload_minutes"] == 0
    replication = simulate(roomy, "mrp", draw_reality(roomy, Uncertainty(), 0), plan=plan)
    assert replication.kpis == evaluate(roomy, plan).kpis


def test_overloaded_mrp_plan_is_cut_to_capacity_and_carried() -> None:
    problem = small_plant()
    plan = plan_strategy(problem, "mrp")
    deterministic = evaluate(problem, plan)
    assert deterministic.kpis["overload_minutes"] > 0
    replication = simulate(problem, "mrp", draw_reality(problem, Uncertainty(), 0), plan=plan)
    evaluation = replication.evaluation
    assert evaluation.violations == ()
    assert (evaluation.load <= problem.capacity + problem.overtime_capacity + 1e-6).all()
    first = int(np.flatnonzero((deterministic.overload > 0).any(axis=0))[0])
    executed = replication.executed.starts
    np.testing.assert_array_equal(executed[:, :first], plan.starts[:, :first])
    overloaded = np.flatnonzero(deterministic.overload[:, first] > 0)
    assert np.allclose(
        evaluation.load[overloaded, first],
        (problem.capacity + problem.overtime_capacity)[overloaded, first],
        rtol=0.2,
    )
    assert executed[problem.is_make, first].sum() < plan.starts[problem.is_make, first].sum()
    assert executed[problem.is_make, first + 1 :].sum() > 0
    assert replication.kpis["overload_minutes"] == 0
    assert replication.kpis["late_units"] > deterministic.kpis["late_units"]
    assert replication.replans >= 1


@pytest.mark.parametrize("strategy", ["mrp", "heijunka", "ddmrp"])
def test_the_line_builds_no_sequence_its_rules_forbid(strategy: str) -> None:
    problem = tiny_plant().replace(
        attributes=(ItemAttribute("A", "heavy"),),
        sequence_rules=(SequenceRule("heavy", 1, 3, "ASSY"),),
    )
    plan = plan_strategy(problem, strategy, FAST)
    reality = draw_reality(problem, STORMY, 3)
    replication = simulate(problem, strategy, reality, FAST, plan=plan)
    if strategy == "mrp":
        broken = evaluate(problem, plan).violations
        assert ViolationKind.SEQUENCE_RULE in {v.kind for v in broken}
    assert_executable(replication.actual, replication.executed)
    assert replication.executed.starts[0].sum() > 0


def test_ddmrp_replans_every_day_reality_leaves_its_plan_keeping_its_buffers() -> None:
    problem = tiny_plant()
    plan = plan_strategy(problem, "ddmrp", FAST)
    reality = draw_reality(problem, STORMY, 4)
    replication = simulate(problem, "ddmrp", reality, FAST, plan=plan)
    assert replication.replans >= problem.n_days // 2
    assert replication.replans <= problem.n_days - 1
    assert_executable(replication.actual, replication.executed)
    calm = simulate(problem, "ddmrp", draw_reality(problem, Uncertainty(), 0), FAST, plan=plan)
    assert calm.replans == 0
    np.testing.assert_array_equal(calm.executed.starts, plan.starts)


def test_regenerate_replans_even_when_nothing_happened() -> None:
    problem = tiny_plant()
    reality = draw_reality(problem, Uncertainty(), 0)
    options = SimulationOptions(replan="regenerate", replan_every=5, frozen_days=2)
    replication = simulate(problem, "mrp", reality, options)
    assert replication.replans == 2
    assert replication.evaluation.violations == ()


# Disruptions ---------------------------------------------------------------------


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_heavy_disruption_never_consumes_missing_stock(strategy: str) -> None:
    problem = tiny_plant(on_hand_part=40, level_period=5)
    for seed in (1, 2):
        reality = draw_reality(problem, STORMY, seed)
        replication = simulate(problem, strategy, reality, FAST)
        assert replication.evaluation.violations == ()
        assert replication.kpis["shortage_units"] == 0
        assert replication.kpis["overload_minutes"] == 0
        assert_executable(replication.actual, replication.executed)
        np.testing.assert_array_equal(replication.actual.demand, reality.demand)
        np.testing.assert_array_equal(replication.actual.capacity, reality.capacity)
        np.testing.assert_allclose(
            replication.executed.starts, recorded_on_arrival(replication, reality)
        )


def test_same_seed_gives_the_same_kpis() -> None:
    problem = tiny_plant()
    runs = [simulate(problem, "mrp", draw_reality(problem, STORMY, 3)) for _ in range(2)]
    assert kpis_without_timing(runs[0].kpis) == kpis_without_timing(runs[1].kpis)


def test_late_supplier_delays_the_receipt_by_its_delay() -> None:
    problem = tiny_plant(on_hand_part=0)
    part = problem.item_index["P"]
    reality = draw_reality(
        problem, Uncertainty(supplier_late_probability=1, supplier_late_days=1), 0
    )
    assert (reality.supplier_delay[part] == 1).all()
    on_time = simulate(problem, "mrp", draw_reality(problem, Uncertainty(), 0))
    late = simulate(problem, "mrp", reality)
    released = late.released[part]
    recorded = late.executed.starts[part]
    np.testing.assert_array_equal(recorded[1:], released[:-1])
    assert recorded[0] == 0
    arrivals = np.flatnonzero(late.evaluation.inventory[part] > 0)
    first_order = int(np.flatnonzero(released > 0)[0])
    assert arrivals.size == 0 or arrivals[0] >= first_order + problem.lead_time[part] + 1
    assert late.kpis["fill_rate"] < on_time.kpis["fill_rate"]
    assert late.evaluation.violations == ()
    assert any("arrived late" in m.text for m in late.executed.messages)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_downtime_lowers_executed_output(strategy: str) -> None:
    problem = tiny_plant(capacity=240, overtime=0)
    plan = plan_strategy(problem, strategy, FAST)
    whole = simulate(problem, strategy, draw_reality(problem, Uncertainty(), 0), FAST, plan=plan)
    broken = simulate(
        problem,
        strategy,
        draw_reality(problem, Uncertainty(downtime_probability=1, downtime_share=0.6), 0),
        FAST,
        plan=plan,
    )
    made = problem.is_make
    assert broken.released[made].sum() < whole.released[made].sum()
    assert (broken.evaluation.load <= broken.actual.capacity + 1e-6).all()
    assert broken.kpis["fill_rate"] < whole.kpis["fill_rate"]


def test_frozen_window_keeps_the_previous_plan() -> None:
    problem = tiny_plant(on_hand_part=2000)
    plan = plan_strategy(problem, "mrp")
    reality = draw_reality(problem, Uncertainty(demand_cv=0.4, demand_bias=0.3), 6)
    options = SimulationOptions(replan_every=5, frozen_days=3)
    replication = simulate(problem, "mrp", reality, options, plan=plan)
    assert replication.replans >= 1
    executed = replication.executed.starts
    np.testing.assert_array_equal(executed[:, :8], plan.starts[:, :8])
    assert not np.array_equal(executed[:, 8:], plan.starts[:, 8:])


def test_heijunka_relevels_before_a_level_period_on_actual_demand() -> None:
    problem = tiny_plant(level_period=5)
    reality = draw_reality(problem, Uncertainty(demand_bias=0.4), 0)
    relevelled = simulate(problem, "heijunka", reality, FAST)
    fixed = simulate(problem, "heijunka", reality, SimulationOptions(relevel=False))
    assert relevelled.replans >= 1 and fixed.replans == 0
    levelled = [problem.item_index["A"], problem.item_index["B"]]
    assert relevelled.released[levelled].sum() > fixed.released[levelled].sum()
    assert relevelled.kpis["backlog_unit_days"] < fixed.kpis["backlog_unit_days"]
    assert relevelled.evaluation.violations == () and fixed.evaluation.violations == ()


# Property: random small plants, heavy disruption, still executable --------------


@st.composite
def disrupted_plants(draw: st.DrawFn) -> tuple[Problem, Reality]:
    n_days = draw(st.integers(4, 12))
    days = working_days(n_days)
    n_items = draw(st.integers(2, 5))
    items = []
    for i in range(n_items):
        made = draw(st.booleans())
        items.append(
            Item(
                f"I{i}",
                work_center="W" if made else None,
                run_time=draw(st.sampled_from([1, 5, 20])) if made else 0,
                setup_time=draw(st.sampled_from([0, 30])) if made else 0,
                lead_time=draw(st.integers(0, 3)),
                on_hand=draw(st.sampled_from([0, 10, 40])),
                lot_rule=draw(st.sampled_from(["LFL", "EOQ", "SM"])),
                setup_cost=10,
                holding_cost=0.5,
                min_lot=draw(st.sampled_from([0, 5])),
                lot_multiple=draw(st.sampled_from([0, 2])),
            )
        )
    lines = [
        BomLine(f"I{parent}", f"I{child}", draw(st.sampled_from([1, 2, 0.5])))
        for child in range(1, n_items)
        for parent in range(child)
        if draw(st.booleans())
    ]
    demand = [
        (f"I{i}", day, draw(st.integers(1, 25)))
        for i in range(n_items)
        for day in days
        if draw(st.integers(0, 2)) == 0
    ]
    if not demand:
        demand = [("I0", days[0], 5)]
    problem = Problem.from_records(
        items,
        demand,
        bom=lines,
        calendar=Calendar(days[0], days[-1]),
        work_centers=[WorkCenter("W", draw(st.sampled_from([60, 240, 480])), 30, 1.0)],
    )
    return problem, draw_reality(problem, STORMY, draw(st.integers(0, 2**32 - 1)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(disrupted_plants(), st.sampled_from([1, 2, 5]), st.sampled_from([0, 1, 3]))
def test_random_plants_under_disruption_stay_executable(
    case: tuple[Problem, Reality], every: int, frozen: int
) -> None:
    problem, reality = case
    options = SimulationOptions(replan_every=every, frozen_days=frozen, replan="regenerate")
    replication = simulate(problem, "mrp", reality, options)
    violations = replication.evaluation.violations
    assert not [v for v in violations if v.kind is ViolationKind.COMPONENT_SHORTAGE]
    assert violations == ()
    released, recorded = replication.released, replication.executed.starts
    assert released.sum() >= recorded.sum() - 1e-6


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(disrupted_plants())
def test_random_plants_under_disruption_stay_executable_with_pull(
    case: tuple[Problem, Reality],
) -> None:
    problem, reality = case
    problem = problem.replace(settings=Settings(level_period=3, time_limit=1))
    replication = simulate(problem, "heijunka", reality, FAST)
    assert replication.evaluation.violations == ()
    np.testing.assert_allclose(
        replication.executed.starts, recorded_on_arrival(replication, reality)
    )


# Errors and plumbing -------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "text"),
    [
        ({"replan_every": 0}, "replan_every is 0"),
        ({"frozen_days": -1}, "frozen_days is -1"),
        ({"frozen_days": 2.5}, "frozen_days is 2.5"),
        ({"replan_time_limit": 0}, "replan_time_limit is 0"),
        ({"plan_time_limit": -3}, "plan_time_limit is -3"),
        ({"solver": "gurobi"}, "solver is 'gurobi', expected one of highs"),
        ({"sequencing": "random"}, "sequencing is 'random'"),
        ({"replan": "sometimes"}, "replan is 'sometimes', expected one of net_change"),
        ({"threads": 0}, "threads is 0"),
    ],
)
def test_bad_simulation_options_are_named(options: dict[str, object], text: str) -> None:
    with pytest.raises(SimulationError, match=text):
        SimulationOptions(**options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "text"),
    [
        ({"demand_cv": -0.1}, "demand_cv is -0.1, expected a number >= 0"),
        ({"demand_bias": -1}, "demand_bias is -1"),
        ({"supplier_late_probability": 1.5}, "supplier_late_probability is 1.5"),
        ({"downtime_share": -0.2}, "downtime_share is -0.2"),
        ({"supplier_late_probability": 0.3}, "supplier_late_days is 0 but"),
        ({"supplier_late_days": -2}, "supplier_late_days is -2"),
        ({"demand_cv": float("nan")}, "expected a finite number"),
        ({"demand_cv": "high"}, "demand_cv is 'high', expected a number"),
    ],
)
def test_bad_uncertainty_is_named(fields: dict[str, object], text: str) -> None:
    with pytest.raises(SimulationError, match=text):
        Uncertainty(**fields)  # type: ignore[arg-type]


def test_unknown_strategy_and_mismatched_inputs_are_refused() -> None:
    problem = tiny_plant()
    reality = draw_reality(problem, Uncertainty(), 0)
    with pytest.raises(UnknownStrategyError, match="unknown strategy 'kanban'"):
        simulate(problem, "kanban", reality)
    other = draw_reality(tiny_plant(n_days=10), Uncertainty(), 0)
    with pytest.raises(SimulationError, match="reality demand has shape"):
        simulate(problem, "mrp", other)
    with pytest.raises(SimulationError, match="is a 'mrp' plan, not a 'batch' plan"):
        simulate(problem, "batch", reality, plan=plan_strategy(problem, "mrp"))


def test_replications_and_their_inputs_pickle() -> None:
    problem = tiny_plant()
    reality = draw_reality(problem, STORMY, 9)
    replication = simulate(problem, "heijunka", reality, FAST)
    copy = pickle.loads(pickle.dumps(replication))
    assert copy.kpis == replication.kpis
    again = simulate(
        pickle.loads(pickle.dumps(problem)),
        "heijunka",
        pickle.loads(pickle.dumps(reality)),
        pickle.loads(pickle.dumps(FAST)),
        plan=replication.plan,
    )
    assert kpis_without_timing(again.kpis) == kpis_without_timing(replication.kpis)
