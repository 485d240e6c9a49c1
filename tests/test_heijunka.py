"""The heijunka strategy: roles, the product wheel, level loading, kanban loops, sequences."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models import BomLine, Calendar, Item, Problem, WorkCenter
from models.heijunka import HeijunkaOptions, Role, plan_heijunka
from models.heijunka.design import (
    DemandProfile,
    PullDesign,
    common_cycles,
    design_for,
    economic_cycles,
    levelled_items,
    roles,
)
from models.heijunka.kanban import LoopStock, economic_containers, kanban_cards, simulate_pull
from models.heijunka.levelling import LevelModel, LevelSchedule, level_schedule
from models.heijunka.search import choose_design
from models.plan import Plan, SolveStatus
from models.problem import ItemAttribute, SequenceRule, Settings
from models.sequencing import ruled_setups
from models.sequencing.rules import Rule, count_violations
from models.solvers.milp import MilpResult, SolverOptions
from planner.evaluation import ViolationKind, evaluate
from planner.instances import small_plant
from tests.test_repair import working_days

DEFAULTS = HeijunkaOptions()
"""The heijunka options the default Settings give."""


def plan_fast(problem: Problem, **changes: object) -> Plan:
    """The heijunka plan the problem's Settings give, within 4 seconds."""
    options = HeijunkaOptions.from_settings(problem.settings, time_limit=4, **changes)
    return plan_heijunka(problem, options)


def plant(
    items: Sequence[Item],
    demand: dict[str, Sequence[float]],
    *,
    n_days: int = 10,
    capacity: float = 480,
    overtime: float = 0,
    bom: Sequence[BomLine] = (),
    attributes: Sequence[ItemAttribute] = (),
    rules: Sequence[SequenceRule] = (),
    settings: Settings | None = None,
) -> Problem:
    days = working_days(n_days)
    records = [
        (code, days[t], qty) for code, row in demand.items() for t, qty in enumerate(row) if qty
    ]
    return Problem.from_records(
        items,
        records,
        bom=bom,
        work_centers=[WorkCenter("WC", capacity, overtime, overtime_cost=2)],
        calendar=Calendar(days[0], days[-1]),
        attributes=attributes,
        sequence_rules=rules,
        settings=settings,
    )


def economic_design(problem: Problem) -> PullDesign:
    """The design of the economic cycles the problem's Settings give, without the search."""
    options = HeijunkaOptions.from_settings(problem.settings)
    profile = DemandProfile.of(problem)
    assigned = roles(problem, profile, options)
    cycles = economic_cycles(problem, profile, assigned)
    return design_for(problem, profile, assigned, cycles, options)


def sequence_runs(plan: Plan) -> int:
    runs = 0
    for positions in plan.sequences.values():
        previous = None
        for item, qty in positions:
            if qty > 0 and item != previous:
                runs += 1
            previous = item if qty > 0 else previous
    return runs


# Kanban sizing ------------------------------------------------------------------


def test_kanban_cards_follow_the_formula() -> None:
    # u (L + N + f) + z sigma sqrt(L + N): 10 x (2 + 1 + 1) + 1.645 x 4 x sqrt(3)
    stock = LoopStock.of(10, 4, lead_time=2, interval=1, z=1.645, safety_factor=1)
    assert stock.cycle == 10 and stock.lead_time == 20
    assert stock.safety == pytest.approx(1.645 * 4 * math.sqrt(3) + 10)
    assert kanban_cards(stock, 10, 5) == math.ceil((40 + 1.645 * 4 * math.sqrt(3)) / 5)
    plain = LoopStock.of(10, 0, lead_time=2, interval=3, z=1.645, safety_factor=0.5)
    assert kanban_cards(plain, 10, 5) == math.ceil(10 * (2 + 3 + 0.5) / 5)
    assert kanban_cards(LoopStock.of(0.1, 0, 0, 1, 0), 0.1, 100) == 1
    assert kanban_cards(LoopStock.of(0, 0, 3, 1, 0), 0, 10) == 0


def test_the_workbook_safety_stock_is_the_loops_least_safety_not_an_extra() -> None:
    statistical = 1.645 * 4 * math.sqrt(3)
    assert LoopStock.of(10, 4, 2, 1, 1.645, least_safety=50).safety == 50
    assert LoopStock.of(10, 4, 2, 1, 1.645, least_safety=5).safety == pytest.approx(statistical)
    items = [
        Item("A", work_center="WC", run_time=1),
        Item("P", lead_time=2, container_qty=10, on_hand=200, safety_stock=60),
    ]
    problem = plant(items, {"A": [20] * 20}, bom=[BomLine("A", "P", 1)], n_days=20)
    loop = plan_fast(problem).kanban[-1]
    assert loop.safety_stock == 60, "the larger of 60 and the statistical safety (0: steady use)"
    assert loop.cards * 10 >= loop.cycle_stock + loop.lead_time_stock + 60


def test_kanban_cards_hold_a_minimum_lot() -> None:
    stock = LoopStock.of(10, 0, lead_time=1, interval=1, z=0)
    assert kanban_cards(stock, 10, 10, min_lot=100) == 10 + 2


def test_the_economic_lot_is_the_eoq_in_whole_containers() -> None:
    # EOQ = sqrt(2 x 50 x 10 / 0.1) = 100 units = 5 containers of 20
    assert economic_containers(10, 50, 0.1, 20, 20) == 5
    assert economic_containers(10, 50, 0.1, 20, 4) == 2, "at most four days of usage"
    assert economic_containers(10, 0, 0.1, 20, 20) == 1, "no setup cost: one container"
    assert economic_containers(10, 50, 0, 20, 20) == 10, "free to hold: the cap"
    assert economic_containers(0, 50, 0.1, 20, 20) == 0


def signal_plant(kanban_lot: str) -> Problem:
    """An assembly pulling a purchased part that costs a lot to order and little to hold."""
    items = [
        Item("A", work_center="WC", run_time=1, container_qty=10),
        Item("P", lead_time=2, container_qty=10, on_hand=100, setup_cost=200, unit_cost=1),
    ]
    settings = Settings(kanban_lot=kanban_lot, kanban_safety_factor=1, service_level=0.5)
    return plant(items, {"A": [20] * 20}, bom=[BomLine("A", "P", 1)], n_days=20, settings=settings)


def test_a_signal_kanban_orders_its_economic_lot_once_per_lot() -> None:
    plans = {lot: plan_fast(signal_plant(lot)) for lot in ("economic", "container")}
    orders = {lot: int((plan.starts[1] > 0).sum()) for lot, plan in plans.items()}
    kpis = {lot: evaluate(signal_plant(lot), plan).kpis for lot, plan in plans.items()}
    assert all(evaluate(signal_plant(lot), p).violations == () for lot, p in plans.items())
    loop = {lot: plan.kanban[-1] for lot, plan in plans.items()}
    q = economic_containers(20, 200, 0.25 / 250, 10, 20)
    assert q > 1
    assert loop["container"].lot_containers == 1
    assert loop["container"].trigger_level == loop["container"].max_inventory - 10
    signal = loop["economic"]
    stock = LoopStock.of(20, 0, lead_time=2, interval=signal.interval, z=0, safety_factor=1)
    assert signal.lot_containers == q
    assert signal.cards == kanban_cards(stock, 20, 10) + q - 1
    assert signal.trigger_level == signal.max_inventory - q * 10
    assert orders["economic"] <= orders["container"] < 20 / 2, "not one order a day"
    assert kpis["economic"]["fill_rate"] == kpis["container"]["fill_rate"] == 1.0


# Roles, cycles and slots ----------------------------------------------------------


def test_roles_come_from_volume_and_variability() -> None:
    items = [Item(code, work_center="WC", run_time=1) for code in ("BIG", "MID", "ODD")]
    items += [Item("PART"), Item("SPARE")]
    demand = {
        "BIG": [50] * 10,
        "MID": [10, 12] * 5,
        "ODD": [0] * 9 + [100],
        "SPARE": [1] * 10,
    }
    bom = [BomLine("BIG", "PART", 1), BomLine("BIG", "SPARE", 1)]
    problem = plant(items, demand, bom=bom)
    assigned = roles(problem, DemandProfile.of(problem), HeijunkaOptions())
    assert assigned.tolist() == [
        Role.RUNNER,
        Role.REPEATER,
        Role.STRANGER,
        Role.KANBAN,
        Role.KANBAN,
    ]
    everyone = problem.replace(settings=Settings(runner_share=1.0, stranger_cv=10))
    options = HeijunkaOptions.from_settings(everyone.settings)
    assert roles(everyone, DemandProfile.of(everyone), options)[:3].tolist() == [Role.RUNNER] * 3


def test_the_levelled_demand_hides_runners_swings_from_the_loops() -> None:
    items = [Item("A", work_center="WC", run_time=1), Item("P")]
    problem = plant(items, {"A": [0, 20] * 5}, bom=[BomLine("A", "P", 2)])
    raw = DemandProfile.of(problem)
    assert raw.usage.tolist() == pytest.approx([10, 20])
    assert raw.deviation.tolist() == pytest.approx([10, 20])
    steady = DemandProfile.of(problem, np.array([True, False]))
    assert steady.usage.tolist() == pytest.approx([10, 20])
    assert steady.deviation.tolist() == pytest.approx([0, 0])


def test_the_economic_cycle_is_a_power_of_two_within_capacity() -> None:
    # T = sqrt(2 S / (h u)) = sqrt(2 x 50 / (0.1 x 10)) = 10 days: 8 as a power of two
    item = Item("A", work_center="WC", run_time=1, setup_cost=50, holding_cost=0.1)
    problem = plant([item], {"A": [10] * 40}, n_days=40)
    profile = DemandProfile.of(problem)
    assert economic_cycles(problem, profile, roles(problem, profile, DEFAULTS)).tolist() == [8]
    # Four items whose daily setups (4 x 60 min) do not fit 480 x 0.9 - 400 minutes
    items = [Item(f"A{k}", work_center="WC", run_time=1, setup_time=60) for k in range(4)]
    problem = plant(items, {f"A{k}": [100] * 40 for k in range(4)}, n_days=40)
    profile = DemandProfile.of(problem)
    cycles = economic_cycles(problem, profile, roles(problem, profile, DEFAULTS))
    assert (problem.setup_time / cycles).sum() <= 0.9 * 480 - 400
    assert set(cycles.tolist()) <= {1, 2, 4, 8, 16}


def test_slots_level_the_wheel_and_campaigns_span_days() -> None:
    items = [Item(f"A{k}", work_center="WC", run_time=1, setup_time=30) for k in range(2)]
    items.append(Item("BIG", work_center="WC", run_time=5, setup_time=30))
    demand = {"A0": [100] * 20, "A1": [100] * 20, "BIG": [60] * 20}
    problem = plant(items, demand, n_days=20, capacity=960)
    profile = DemandProfile.of(problem)
    design = design_for(
        problem, profile, roles(problem, profile, DEFAULTS), np.array([2, 2, 4]), DEFAULTS
    )
    assert design.offset[0] != design.offset[1], "the two runners share out the days"
    # BIG: 4 days x 60 x 5 min = 1,200 minutes a cycle: two days of at most 85 % of 960
    assert design.campaign.tolist() == [1, 1, 2]
    assert design.review_days[2].sum() == 10


def test_the_next_slot_is_nearer_on_a_campaigns_later_days() -> None:
    items = [Item("A", work_center="WC", run_time=1, setup_time=30)]
    items.append(Item("BIG", work_center="WC", run_time=5, setup_time=30))
    problem = plant(items, {"A": [100] * 20, "BIG": [60] * 20}, n_days=20, capacity=960)
    profile = DemandProfile.of(problem)
    design = design_for(
        problem, profile, roles(problem, profile, DEFAULTS), np.array([1, 4]), DEFAULTS
    )
    first = int(design.offset[1])
    assert design.campaign[1] == 2
    assert [design.to_next_slot(1, first + k) for k in range(5)] == [4, 3, 2, 1, 4]
    later = design.days(first + 1, 20)
    assert later.to_next_slot(1, 0) == 3, "days are counted from the design's origin"


def test_a_slot_builds_ahead_where_overtime_costs_more_than_holding() -> None:
    demand = [10] * 8 + [80] + [10] * 3
    spike = 8

    def covered(holding: float) -> np.ndarray:
        item = Item("A", work_center="WC", run_time=10, holding_cost=holding)
        problem = plant([item], {"A": demand}, n_days=12, overtime=480)
        profile = DemandProfile.of(problem)
        design = design_for(
            problem, profile, roles(problem, profile, DEFAULTS), np.ones(1), DEFAULTS
        )
        design = replace(design, schedule="cover")
        reserved = design.reserved_capacity(problem)
        return LevelModel(problem, np.array([0]), design, reserved).cover()[0]

    cheap = covered(holding=0.01)
    assert cheap.sum() == sum(demand), "the same work, moved"
    assert cheap[spike] * 10 <= 480, "the spike's day within its regular capacity"
    assert cheap[:spike].sum() > 10 * spike, "built ahead on the days before"
    dear = covered(holding=100.0)
    assert dear[spike] == 80, "holding dearer than overtime: made on the day"


def test_a_component_is_made_just_ahead_of_its_parent() -> None:
    items = [
        Item("A", work_center="WC", run_time=1, setup_cost=200, holding_cost=0.01),
        Item("C", work_center="WC2", run_time=1, lead_time=1, holding_cost=0.01),
    ]
    days = working_days(16)
    problem = Problem.from_records(
        items,
        [("A", day, 10) for day in days],
        bom=[BomLine("A", "C", 1)],
        work_centers=[WorkCenter("WC", 480), WorkCenter("WC2", 480)],
        calendar=Calendar(days[0], days[-1]),
    )
    profile = DemandProfile.of(problem)
    design = design_for(
        problem, profile, roles(problem, profile, DEFAULTS), np.array([4, 4]), DEFAULTS
    )
    parent = np.flatnonzero(design.review_days[0, 1:]) + 1
    assert design.review_days[1, parent - 1].all(), "made the day before, ready on the parent's"


def test_a_fixed_epei_from_the_settings_puts_every_made_item_on_it() -> None:
    items = [Item(f"A{k}", work_center="WC", run_time=1, setup_time=10) for k in range(3)]
    items.append(Item("P", setup_cost=100, holding_cost=0.01))
    bom = [BomLine(f"A{k}", "P", 1) for k in range(3)]
    problem = plant(items, {f"A{k}": [10] * 10 for k in range(3)}, bom=bom)
    profile = DemandProfile.of(problem)
    economic = economic_cycles(problem, profile, roles(problem, profile, DEFAULTS))
    assert common_cycles(problem, economic, 2).tolist()[:3] == [2, 2, 2]
    fixed = problem.replace(settings=Settings(epei_days=2))
    plan = plan_fast(fixed)
    assert [level.epei for level in plan.levelling] == [2]
    assert evaluate(fixed, plan).violations == ()


def test_the_design_search_keeps_the_cheapest_design() -> None:
    problem = small_plant()
    options = HeijunkaOptions.from_settings(problem.settings, time_limit=30)
    search = choose_design(problem, options, math.inf)
    assert search.common is not None
    assert search.best.cost <= min(search.analytic, search.common[1])
    assert search.priced >= 1 + len(range(1, 11))
    assert not search.timed_out
    again = choose_design(problem, options, math.inf)
    assert again.best.cost == search.best.cost
    assert np.array_equal(again.best.design.cycle, search.best.design.cycle)


# Level loading ------------------------------------------------------------------


def test_steady_demand_is_built_at_the_demand_rate() -> None:
    items = [
        Item("A", work_center="WC", run_time=1, container_qty=10, holding_cost=1),
        Item("B", work_center="WC", run_time=1, container_qty=20, holding_cost=1),
    ]
    problem = plant(items, {"A": [40] * 10, "B": [60] * 10})
    plan = plan_fast(problem)
    assert plan.starts[0].tolist() == [40] * 10
    assert plan.starts[1].tolist() == [60] * 10
    evaluation = evaluate(problem, plan)
    assert evaluation.violations == ()
    assert evaluation.kpis["fill_rate"] == 1.0


def test_lumpy_demand_is_levelled_within_one_container() -> None:
    items = [Item("A", work_center="WC", run_time=1, container_qty=5, holding_cost=0.1)]
    demand = [0, 0, 0, 0, 0, 0, 0, 0, 0, 200]
    settings = Settings(level_period=10, stranger_cv=10)
    problem = plant(items, {"A": demand}, settings=settings)
    design = economic_design(problem)
    assert design.schedule == "levelled" and design.cycle.tolist() == [1]
    limits = SolverOptions(time_limit=10)
    built = level_schedule(problem, design, options=limits).starts[0]
    assert built.sum() >= 200
    assert built.max() - built.min() <= 5
    covered = level_schedule(problem, replace(design, schedule="cover"), options=limits)
    assert covered.starts[0].tolist() == demand, "each daily slot covers that day"


def test_the_plan_keeps_the_cheaper_schedule() -> None:
    items = [Item("A", work_center="WC", run_time=1, container_qty=5, holding_cost=0.1)]
    problem = plant(items, {"A": [0] * 9 + [200]}, settings=Settings(stranger_cv=10))
    plan = plan_fast(problem)
    assert any("the plan keeps the wheel's replenishment" in m.text for m in plan.messages)
    assert evaluate(problem, plan).kpis["holding_cost"] == 0


def test_a_stranger_is_made_to_order() -> None:
    items = [Item("A", work_center="WC", run_time=1, container_qty=5, holding_cost=0.1)]
    demand = [0, 0, 0, 0, 0, 0, 0, 0, 0, 200]
    problem = plant(items, {"A": demand}, settings=Settings(level_period=10))
    plan = plan_fast(problem)
    assert plan.starts[0].tolist() == [0] * 9 + [200]
    assert evaluate(problem, plan).kpis["fill_rate"] == 1.0


def test_capacity_caps_the_level_and_overtime_is_paid_not_exceeded() -> None:
    items = [Item("A", work_center="WC", run_time=10, container_qty=1, backlog_cost=5)]
    problem = plant(items, {"A": [60] * 10}, capacity=480, overtime=60)
    plan = plan_fast(problem)
    evaluation = evaluate(problem, plan)
    assert evaluation.violations == ()
    assert plan.starts[0].max() <= 54
    assert evaluation.kpis["backlog_cost"] > 0


# Pull and kanban ----------------------------------------------------------------


def test_components_are_pulled_by_kanban_and_never_short() -> None:
    items = [
        Item("A", work_center="WC", run_time=1, setup_time=5, container_qty=10),
        Item("C", work_center="WC", run_time=0.5, setup_time=5, lead_time=1, container_qty=25),
        Item("P", lead_time=3, container_qty=50, on_hand=200),
    ]
    bom = [BomLine("A", "C", 2), BomLine("C", "P", 1)]
    problem = plant(items, {"A": [0, 0, 30, 30, 30, 30, 30, 30, 30, 30]}, bom=bom, n_days=10)
    plan = plan_fast(problem)
    evaluation = evaluate(problem, plan)
    assert evaluation.violations == ()
    loops = {problem.items[loop.item].code: loop for loop in plan.kanban}
    assert set(loops) == {"C", "P"}
    usage = DemandProfile.of(problem).usage
    assert loops["C"].daily_usage == pytest.approx(usage[1])
    assert loops["C"].max_inventory == loops["C"].cards * 25
    assert plan.starts[1].sum() > 0
    assert all(loop.peak_inventory >= 0 for loop in plan.kanban)


def test_levelled_items_are_the_finished_made_items() -> None:
    problem = small_plant()
    levelled = levelled_items(problem)
    for i, item in enumerate(problem.items):
        expected = problem.is_make[i] and problem.demand[i].sum() > 0 and not problem.parents[i]
        assert levelled[i] == expected, item.code


# Sequences ----------------------------------------------------------------------


def test_each_item_runs_once_a_day_by_default() -> None:
    items = [
        Item("A", work_center="WC", run_time=1, container_qty=10, setup_cost=1, holding_cost=1),
        Item("B", work_center="WC", run_time=1, container_qty=10, setup_cost=1, holding_cost=1),
    ]
    problem = plant(items, {"A": [40] * 10, "B": [20] * 10}, capacity=480)
    plan = plan_fast(problem)
    assert plan.sequences[(0, 0)] == ((0, 40.0), (1, 20.0))
    evaluation = evaluate(problem, plan)
    assert evaluation.violations == ()
    assert evaluation.kpis["setups"] == 20


def test_days_are_sequenced_in_containers_and_setups_come_from_runs() -> None:
    items = [
        Item("A", work_center="WC", run_time=1, container_qty=10, setup_cost=1, holding_cost=1),
        Item("B", work_center="WC", run_time=1, container_qty=10, setup_cost=1, holding_cost=1),
    ]
    problem = plant(items, {"A": [40] * 10, "B": [20] * 10}, capacity=480)
    plan = plan_fast(problem, mixing="containers")
    day = plan.sequences[(0, 0)]
    assert [item for item, _ in day] == [0, 1, 0, 0, 1, 0]
    assert all(qty == 10 for _, qty in day)
    evaluation = evaluate(problem, plan)
    assert evaluation.violations == ()
    assert evaluation.kpis["setups"] == sequence_runs(plan)


def test_setups_that_do_not_fit_group_containers_into_larger_pitches() -> None:
    items = [
        Item("A", work_center="WC", run_time=1, setup_time=20, container_qty=5),
        Item("B", work_center="WC", run_time=1, setup_time=20, container_qty=5),
    ]
    problem = plant(items, {"A": [100] * 10, "B": [100] * 10}, capacity=480)
    plan = plan_fast(problem, mixing="containers")
    evaluation = evaluate(problem, plan)
    assert evaluation.violations == ()
    assert (evaluation.load <= 480 + 1e-6).all()
    day = plan.sequences[(0, 0)]
    assert 2 < sum(1 for k in range(len(day)) if k == 0 or day[k][0] != day[k - 1][0]) < 40


def test_sequence_rules_are_kept() -> None:
    items = [
        Item("H", work_center="WC", run_time=1, container_qty=1),
        Item("L", work_center="WC", run_time=1, container_qty=1),
    ]
    problem = plant(
        items,
        {"H": [10] * 10, "L": [30] * 10},
        attributes=[ItemAttribute("H", "heavy")],
        rules=[SequenceRule("heavy", 1, 3)],
    )
    plan = plan_fast(problem)
    rule = Rule(frozenset({0}), 1, 3)
    for positions in plan.sequences.values():
        assert count_violations([item for item, _ in positions], [rule]) == 0
    assert evaluate(problem, plan).violations == ()
    assert ruled_setups(problem).tolist() == [2.0, 0.0]


def test_goal_chasing_sequences_build_the_same_starts() -> None:
    problem = small_plant()
    exact = plan_fast(problem, mixing="containers")
    chased = plan_fast(problem, mixing="containers", sequencing="goal_chasing")
    assert evaluate(problem, chased).violations == ()
    assert set(exact.sequences) == set(chased.sequences)


def test_options_are_checked() -> None:
    with pytest.raises(ValueError, match="sequencing"):
        HeijunkaOptions(sequencing="random")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="level_share"):
        HeijunkaOptions(level_share=0)
    with pytest.raises(ValueError, match="mixing"):
        HeijunkaOptions(mixing="random")  # type: ignore[arg-type]


# Random plants ------------------------------------------------------------------


@st.composite
def capacitated_plants(draw: st.DrawFn) -> Problem:
    n_days = draw(st.integers(3, 10))
    n_items = draw(st.integers(1, 6))
    items = []
    for i in range(n_items):
        made = draw(st.booleans()) or i == 0
        items.append(
            Item(
                f"I{i}",
                work_center=draw(st.sampled_from(["W1", "W2"])) if made else None,
                run_time=draw(st.sampled_from([0, 0.5, 1, 3])),
                setup_time=draw(st.sampled_from([0, 10, 60])),
                setup_cost=draw(st.sampled_from([0, 10])),
                lead_time=draw(st.integers(0, 2)),
                on_hand=draw(st.sampled_from([0, 10, 50])),
                safety_stock=draw(st.sampled_from([0, 0, 5])),
                min_lot=draw(st.sampled_from([0, 0, 8])),
                lot_multiple=draw(st.sampled_from([0, 0, 4])),
                container_qty=draw(st.sampled_from([1, 5, 12])),
            )
        )
    lines = [
        BomLine(f"I{parent}", f"I{child}", draw(st.sampled_from([1, 2, 0.5])))
        for child in range(1, n_items)
        for parent in range(child)
        if draw(st.integers(0, 3)) == 0
    ]
    days = working_days(n_days)
    demand = [
        (f"I{i}", day, draw(st.integers(1, 60)))
        for i in range(n_items)
        for day in days
        if draw(st.integers(0, 2)) == 0
    ]
    attributes = [ItemAttribute(f"I{i}", "x") for i in range(n_items) if draw(st.booleans())]
    rules = [SequenceRule("x", 1, draw(st.integers(2, 4)))] if draw(st.booleans()) else []
    centers = [
        WorkCenter(
            code,
            draw(st.sampled_from([120, 480])),
            draw(st.sampled_from([0, 60])),
            overtime_cost=1,
        )
        for code in ("W1", "W2")
    ]
    return Problem.from_records(
        items,
        demand,
        bom=lines,
        work_centers=centers,
        calendar=Calendar(days[0], days[-1]),
        attributes=attributes,
        sequence_rules=rules,
        settings=Settings(level_period=draw(st.integers(1, 10))),
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(capacitated_plants())
def test_heijunka_plans_of_random_plants_pass_the_evaluator(problem: Problem) -> None:
    plan = plan_heijunka(problem, HeijunkaOptions.from_settings(problem.settings, time_limit=2))
    evaluation = evaluate(problem, plan)
    broken = {v.day for v in evaluation.violations if v.kind is ViolationKind.SEQUENCE_RULE}
    others = [v for v in evaluation.violations if v.kind is not ViolationKind.SEQUENCE_RULE]
    assert others == []
    warned = {
        problem.days[m.day]
        for m in plan.messages
        if m.day is not None and "sequence-rule window" in m.text
    }
    assert broken <= warned, "a day whose mix breaks a rule is one the plan names"
    assert evaluation.kpis["setups"] == sequence_runs(plan) + int(
        sum(
            1
            for i in range(problem.n_items)
            for t in range(problem.n_days)
            if plan.starts[i, t] > 0 and not problem.is_make[i]
        )
    )
    assert np.all(plan.starts >= 0)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(capacitated_plants())
def test_the_level_heuristic_satisfies_the_level_model(problem: Problem) -> None:
    design = economic_design(problem)
    reserved = design.reserved_capacity(problem)
    levelled = np.flatnonzero(design.levelled)
    for w in np.unique(problem.item_work_center[levelled]):
        items = levelled[problem.item_work_center[levelled] == w]
        model = LevelModel(problem, items, design, reserved)
        solution, _ = model.improved_start(seconds=0.5)
        milp = model.milp
        activity = milp.matrix @ solution
        assert np.all(activity >= milp.row_lower - 1e-6)
        assert np.all(activity <= milp.row_upper + 1e-6)
        assert np.all(solution >= milp.lower - 1e-9)
        assert np.all(solution <= milp.upper + 1e-9)
        integral = solution[milp.integer]
        assert np.allclose(integral, np.round(integral))


def test_the_level_loading_summary_tells_a_node_limit_from_the_clock() -> None:
    def result(timed_out: bool) -> MilpResult:
        status = SolveStatus.TIME_LIMIT
        return MilpResult("highs", status, None, None, None, None, 1.0, timed_out=timed_out)

    starts = np.zeros((1, 1))
    both = LevelSchedule(starts, ((0, result(False)), (1, result(True)))).summary()
    assert "1 stopped at the node limit, 1 time_limit" in both


def test_a_loop_waits_for_a_day_that_holds_its_order_rather_than_start_part_of_it() -> None:
    # C and D share WC2 and review every 4 days, on the same days. On day 0, C orders 80
    # (380 of WC2's 480 minutes): D's order of 30 would fit only 10 (60 setup + 4 x 10), and
    # the rest would need a second setup. D has cover to spare, so it waits for day 1.
    def component(code: str, on_hand: float) -> Item:
        return Item(
            code,
            work_center="WC2",
            run_time=4,
            setup_time=60,
            setup_cost=100,
            lead_time=1,
            on_hand=on_hand,
            container_qty=10,
        )

    items = [Item("A", work_center="WC", run_time=1), Item("B", work_center="WC", run_time=1)]
    days = working_days(20)
    problem = Problem.from_records(
        [*items, component("C", 40), component("D", 90)],
        [(code, day, 20) for code in "AB" for day in days],
        bom=[BomLine("A", "C", 1), BomLine("B", "D", 1)],
        work_centers=[WorkCenter("WC", 480), WorkCenter("WC2", 480)],
        calendar=Calendar(days[0], days[-1]),
    )
    profile = DemandProfile.of(problem)
    design = design_for(
        problem, profile, roles(problem, profile, DEFAULTS), np.array([1, 1, 4, 4]), DEFAULTS
    )
    together = np.arange(20) % 4 == 0
    design = replace(
        design,
        offset=np.zeros(4, dtype=np.int_),
        review_days=np.vstack([design.review_days[:2], together, together]),
        schedule="cover",
    )
    level = level_schedule(problem, design, options=SolverOptions(time_limit=2))
    starts = simulate_pull(problem, level.starts, design).starts
    assert starts[2, 0] == 80
    assert starts[3, :2].tolist() == [0, 30], "D's order waits a day and starts whole"
