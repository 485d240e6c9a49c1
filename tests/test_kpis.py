"""The planner's KPIs and the causes of late demand, checked on hand-computed tiny plants.

Every expected number below is worked out by hand from ``docs/kpis.md``.
"""

from __future__ import annotations

import json
import math
import time

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings

from models import BomLine, Item, ItemKind, Problem, WorkCenter
from models.mrp import plan_mrp
from models.plan import MessageLevel, Plan, PlanMessage
from planner import tables
from planner.evaluation import Evaluation, evaluate
from planner.evaluation.evaluator import item_classes
from planner.evaluation.explain import earliest_arrival
from planner.instances import large_plant
from planner.report.summary_json import summary
from planner.results import Comparison, StrategyResult
from tests.test_evaluate import NEW_KPIS, plan_of, single_level, working_days

FloatArray = npt.NDArray[np.float64]

MAY_BE_NONE = {
    "days_of_supply",
    "load_cv",
    "production_mix_cv",
    "build_day_share",
    "flow_time_days",
    "bullwhip_ratio",
}


def three_levels() -> Problem:
    """FG <- SA (1 per unit) <- P (2 per unit) over five days; WC closes on the last day.

    FG is made on WC, SA on WC2; WC3 makes nothing. Demand for FG is 2 a
    day from the second day.
    """
    items = (
        Item("FG", work_center="WC", run_time=10, unit_cost=10, lead_time=1),
        Item("SA", work_center="WC2", run_time=5, unit_cost=4, lead_time=1, on_hand=8),
        Item("P", kind=ItemKind.BUY, unit_cost=1, lead_time=1, on_hand=10, safety_stock=8),
    )
    demand = np.zeros((3, 5))
    demand[0, 1:] = 2
    capacity = np.array([[480.0, 480, 480, 480, 0], [480] * 5, [480] * 5])
    return Problem(
        items=items,
        days=working_days(5),
        demand=demand,
        work_centers=(WorkCenter("WC", 480), WorkCenter("WC2", 480), WorkCenter("WC3", 480)),
        bom=(BomLine("FG", "SA", 1), BomLine("SA", "P", 2)),
        capacity=capacity,
    )


THREE_LEVEL_STARTS = [[4, 0, 4, 0, 0], [0, 4, 0, 0, 0], [0, 0, 0, 0, 0]]
"""FG in two batches, SA once, P from stock."""
LEVEL_STARTS = [[2, 2, 2, 2, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]]
"""FG level on four days, SA and P from stock: no component start, P never below safety."""


def test_three_level_plant_flow_is_as_worked_out() -> None:
    result = evaluate(three_levels(), plan_of(THREE_LEVEL_STARTS))

    assert result.inventory.tolist() == [[0, 2, 0, 2, 0], [4, 4, 4, 4, 4], [10, 2, 2, 2, 2]]
    assert result.backlog.sum() == 0
    assert result.violations == ()


def test_inventory_value_by_bom_level_and_days_of_supply() -> None:
    kpis = evaluate(three_levels(), plan_of(THREE_LEVEL_STARTS)).kpis

    # Values per day: FG 0,20,0,20,0; SA 16 every day; P 10,2,2,2,2.
    assert kpis["avg_inventory_value_finished"] == pytest.approx(8)
    assert kpis["avg_inventory_value_subassembly"] == pytest.approx(16)
    assert kpis["avg_inventory_value_purchased"] == pytest.approx(3.6)
    assert kpis["avg_inventory_value"] == pytest.approx(27.6)
    # Consumed: 8 FG shipped x 10 + 8 SA x 4 + 8 P x 1 = 120 over 5 days = 24 a day.
    assert kpis["days_of_supply"] == pytest.approx(27.6 / 24)


def test_setups_per_day_and_safety_stock_shortfall() -> None:
    kpis = evaluate(three_levels(), plan_of(THREE_LEVEL_STARTS)).kpis

    assert kpis["setups_per_day"] == pytest.approx(3 / 5)
    # P is 6 below its safety stock of 8 on the last four days.
    assert kpis["safety_stock_shortfall_unit_days"] == pytest.approx(24)


def test_load_cv_skips_closed_days_and_idle_work_centers() -> None:
    problem = three_levels()
    result = evaluate(problem, plan_of(THREE_LEVEL_STARTS))

    # WC: 40, 0, 40, 0 on its four open days: mean 20, std 20. WC2: 0, 20, 0, 0, 0:
    # mean 4, std 8. WC3 has no load.
    per_center = result.load_cv(problem)
    assert per_center[:2].tolist() == pytest.approx([1.0, 2.0])
    assert math.isnan(per_center[2])
    assert result.kpis["load_cv"] == pytest.approx(1.5)


def test_production_mix_levelness_of_finished_items() -> None:
    kpis = evaluate(three_levels(), plan_of(THREE_LEVEL_STARTS)).kpis

    # FG starts 4, 0, 4, 0, 0: mean 1.6, variance 3.84; built on 2 of 5 days.
    assert kpis["production_mix_cv"] == pytest.approx(math.sqrt(3.84) / 1.6)
    assert kpis["build_day_share"] == pytest.approx(0.4)


def test_flow_time_is_lead_times_plus_waiting_along_the_bom() -> None:
    kpis = evaluate(three_levels(), plan_of(THREE_LEVEL_STARTS)).kpis

    # SA waits 4 / (8 / 5) = 2.5 days, P 3.6 / (8 / 5) = 2.25 days:
    # FG 1 + (2.5 + SA 1 + (2.25 + P 1)).
    assert kpis["flow_time_days"] == pytest.approx(7.75)


def test_bullwhip_ratio() -> None:
    kpis = evaluate(three_levels(), plan_of(THREE_LEVEL_STARTS)).kpis

    # SA starts 0, 4, 0, 0, 0 (variance 2.56) against its implied demand 0, 2, 2, 2, 2
    # (0.64): 4; P is never started (0) against 0, 4, 4, 4, 4 (2.56): 0; the mean is 2.
    assert kpis["bullwhip_ratio"] == pytest.approx(2.0)


def test_level_plan_is_more_level_than_the_batched_one() -> None:
    problem = three_levels()
    batched = evaluate(problem, plan_of(THREE_LEVEL_STARTS)).kpis
    level = evaluate(problem, plan_of(LEVEL_STARTS)).kpis

    assert level["production_mix_cv"] < batched["production_mix_cv"]
    assert level["build_day_share"] == pytest.approx(0.8)
    assert level["bullwhip_ratio"] == 0
    assert level["safety_stock_shortfall_unit_days"] == 0


def test_item_classes_put_every_item_in_one_class() -> None:
    items = (
        Item("FG", work_center="WC"),
        Item("RESOLD", kind=ItemKind.BUY),
        Item("SPARE", work_center="WC"),
        Item("IDLE", work_center="WC"),
        Item("P", kind=ItemKind.BUY),
    )
    demand = np.zeros((5, 2))
    demand[[0, 1, 2], 0] = 1
    problem = Problem(
        items=items,
        days=working_days(2),
        demand=demand,
        work_centers=(WorkCenter("WC", 480),),
        bom=(BomLine("FG", "SPARE", 1), BomLine("FG", "P", 1)),
    )
    classes = item_classes(problem)

    assert classes.finished.tolist() == [True, True, False, False, False]
    assert classes.subassembly.tolist() == [False, False, True, True, False]
    assert classes.purchased.tolist() == [False, False, False, False, True]


def stock_only(on_hand: float, demand: float) -> Problem:
    return Problem(
        items=(Item("A", kind=ItemKind.BUY, unit_cost=2, on_hand=on_hand),),
        days=working_days(3),
        demand=np.array([[demand, demand, demand]]),
    )


def test_undefined_ratios_are_none_and_empty_ones_zero() -> None:
    idle = evaluate(stock_only(6, 0), plan_of(np.zeros((1, 3)))).kpis
    empty = evaluate(stock_only(0, 0), plan_of(np.zeros((1, 3)))).kpis
    flat = evaluate(stock_only(9, 1), plan_of(np.zeros((1, 3)))).kpis

    assert idle["days_of_supply"] is None
    assert empty["days_of_supply"] == 0
    # Stock 8, 7, 6 at 2 each against 1 unit (2 a day) shipped daily.
    assert flat["days_of_supply"] == pytest.approx(14 / 2)
    for kpis in (idle, empty, flat):
        assert kpis["load_cv"] is None
        assert kpis["production_mix_cv"] is None
        assert kpis["build_day_share"] is None
        assert kpis["bullwhip_ratio"] is None
    assert idle["flow_time_days"] is None
    assert flat["flow_time_days"] == 0


@settings(max_examples=60, deadline=None)
@given(single_level())
def test_kpis_are_finite_and_consistent(case: tuple[Problem, FloatArray]) -> None:
    problem, starts = case
    result = evaluate(problem, plan_of(starts))
    kpis = result.kpis

    for name in NEW_KPIS:
        value = kpis[name]
        if value is None:
            assert name in MAY_BE_NONE, name
            continue
        assert isinstance(value, float), name
        assert math.isfinite(value) and value >= 0, (name, value)
    levels = [kpis[f"avg_inventory_value_{c}"] for c in ("finished", "subassembly", "purchased")]
    assert sum(levels) == pytest.approx(kpis["avg_inventory_value"], rel=1e-9, abs=1e-9)
    assert kpis["setups_per_day"] * problem.n_days == pytest.approx(kpis["setups"])
    if kpis["build_day_share"] is not None:
        assert 0 < kpis["build_day_share"] <= 1
    finished = item_classes(problem).finished
    if kpis["flow_time_days"] is not None:
        assert kpis["flow_time_days"] >= problem.lead_time[finished].min() - 1e-9
    else:
        assert not finished.any()
    demand = problem.demand.sum(axis=1)
    shipped = demand - np.minimum(demand, result.backlog[:, -1])
    used = problem.unit_cost @ (shipped + result.dependent_demand.sum(axis=1)) / problem.n_days
    if kpis["days_of_supply"] is not None:
        assert kpis["days_of_supply"] * used == pytest.approx(kpis["avg_inventory_value"])
    else:
        assert used == 0 < kpis["avg_inventory_value"]
    shortfall = np.maximum(problem.safety_stock[:, None] - result.inventory, 0).sum()
    assert kpis["safety_stock_shortfall_unit_days"] == pytest.approx(shortfall)
    late_units = (problem.demand - result.on_time).sum(axis=1)
    explained = {m.item for m in late(result)}
    assert set(np.flatnonzero(late_units > 1e-3).tolist()) <= explained
    assert all(late_units[i] > 0 for i in explained if i is not None)
    assert all("; cause: " in m.text for m in late(result))


def test_evaluating_a_large_plant_stays_fast() -> None:
    problem = large_plant()
    plan = plan_mrp(problem)
    evaluate(problem, plan)
    start = time.perf_counter()
    result = evaluate(problem, plan)
    assert time.perf_counter() - start < 1.0
    assert all(name in result.kpis for name in NEW_KPIS)


# Changes against mrp ---------------------------------------------------------------


def compared(*plans: tuple[str, list[list[float]]]) -> Comparison:
    problem = three_levels()
    results = {}
    for name, starts in plans:
        plan = Plan(name, np.asarray(starts, dtype=float), "heuristic")  # type: ignore[arg-type]
        results[name] = StrategyResult(plan, evaluate(problem, plan))
    return Comparison(problem, results)


def test_changes_against_mrp_in_percent() -> None:
    comparison = compared(("batch", THREE_LEVEL_STARTS), ("mrp", LEVEL_STARTS))
    changes = tables.kpi_changes(comparison)

    assert list(changes) == ["batch"]
    batch = changes["batch"]
    # Setups: 3 against mrp's 4; fill rate equal; no backlog in either (0 against 0).
    assert batch["setups"] == pytest.approx(-25.0)
    assert batch["fill_rate"] == 0
    assert batch["backlog_cost"] == 0
    assert batch["setups_per_day"] == pytest.approx(-25.0)
    # FG's mix CV: sqrt(1.5) against mrp's 0.8 / 1.6.
    assert batch["production_mix_cv"] == pytest.approx(100 * (math.sqrt(1.5) - 0.5) / 0.5)
    # mrp has no component start and no safety-stock dip: a change from 0 is undefined.
    assert batch["bullwhip_ratio"] is None
    assert batch["safety_stock_shortfall_unit_days"] is None
    assert "status" not in batch
    assert "bound" not in batch


def test_deltas_frame_sits_beside_the_summary() -> None:
    comparison = compared(
        ("mrp", LEVEL_STARTS), ("batch", THREE_LEVEL_STARTS), ("heijunka", LEVEL_STARTS)
    )
    frame = tables.deltas_frame(comparison).set_index("kpi")
    summary_frame = tables.summary_frame(comparison).set_index("kpi")

    assert list(frame.columns) == ["batch", "heijunka"]
    assert set(frame.index) <= set(summary_frame.index)
    assert frame.loc["total_cost", "heijunka"] == 0
    mrp, batch = summary_frame.loc["avg_inventory_value", ["mrp", "batch"]]
    assert frame.loc["avg_inventory_value", "batch"] == pytest.approx(100 * (batch - mrp) / mrp)


def test_json_carries_the_changes_and_no_baseline_means_none() -> None:
    comparison = compared(("mrp", LEVEL_STARTS), ("batch", THREE_LEVEL_STARTS))
    document = json.loads(json.dumps(summary(comparison), allow_nan=False))
    alone = compared(("batch", THREE_LEVEL_STARTS), ("heijunka", LEVEL_STARTS))

    assert document["change_vs_mrp_percent"]["batch"]["setups"] == pytest.approx(-25.0)
    assert document["strategies"]["batch"]["days_of_supply"] == pytest.approx(27.6 / 24)
    assert "change_vs_mrp_percent" not in summary(alone)
    assert tables.kpi_changes(alone) == {}
    assert list(tables.deltas_frame(alone).columns) == ["kpi"]


# Why demand is late ----------------------------------------------------------------


def late(result: Evaluation) -> list[PlanMessage]:
    return [m for m in result.messages if "demand late" in m.text]


def one_line(capacity: float, overtime: float = 0, due: float = 40) -> Problem:
    """A made on WC (10 min a unit, no lead time) with ``due`` units due on day 3."""
    return Problem(
        items=(Item("A", work_center="WC", run_time=10),),
        days=working_days(4),
        demand=np.array([[0.0, 0, due, 0]]),
        work_centers=(WorkCenter("WC", capacity, overtime_capacity=overtime),),
    )


def test_late_for_lack_of_capacity_names_the_full_days() -> None:
    problem = one_line(100)
    result = evaluate(problem, plan_of([[10, 10, 10, 10]]))

    (message,) = late(result)
    assert (message.level, message.item, message.day, message.work_center) == (
        MessageLevel.WARNING,
        0,
        2,
        0,
    )
    assert message.text == (
        "A: 10 units of demand late on 2026-03-04, 10 unit-days of backlog; cause: "
        "capacity: WC had no room for the 100 min these 10 units need on 3 working days "
        "from 2026-03-02 to 2026-03-04 (the latest start day): load 100 min against "
        "100 + 0 min"
    )


def test_late_where_only_unused_overtime_had_room() -> None:
    problem = one_line(100, overtime=50, due=34)
    result = evaluate(problem, plan_of([[10, 10, 10, 4]]))

    assert cause(result) == (
        "capacity: WC was at regular capacity on 2026-03-04 (the latest start day): "
        "load 100 min against 100 + 50 min; the 40 min these 4 units need fit only in the "
        "50 min of overtime the plan left unused"
    )


def short_component(component_lead_time: int) -> Problem:
    items = (
        Item("FG", work_center="WC", run_time=1),
        Item("C", kind=ItemKind.BUY, lead_time=component_lead_time, on_hand=5),
    )
    demand = np.zeros((2, 5))
    demand[0, 1] = 5
    return Problem(
        items=items,
        days=working_days(5),
        demand=demand,
        work_centers=(WorkCenter("WC", 480),),
        bom=(BomLine("FG", "C", 2),),
    )


@pytest.mark.parametrize(
    ("lead_time", "why"),
    [(0, ""), (3, ", and no new C could arrive before 2026-03-05 (its cumulative lead time)")],
)
def test_late_for_a_short_component_names_it_with_its_stock(lead_time: int, why: str) -> None:
    problem = short_component(lead_time)
    result = evaluate(problem, plan_of([[0, 2.5, 0, 0, 0], [0, 0, 0, 0, 0]]))

    (message,) = late(result)
    assert (message.item, message.day, message.work_center) == (0, 1, 0)
    assert message.text == (
        "FG: 2.5 units of demand late from 2026-03-03 to 2026-03-06, 10 unit-days of "
        "backlog, 2.5 units still open at the end of the horizon; cause: component C short "
        "on 2026-03-03 (the latest start day): 0 in stock against 5 needed (2 per unit for "
        "2.5 units)" + why
    )


def chain(sa_on_hand: float = 0, receipt_day: int | None = None) -> Problem:
    """FG (1 d) <- SA (2 d) <- P (3 d), nothing in stock; 5 FG due on day 4 of 8."""
    items = (
        Item("FG", work_center="WC", lead_time=1),
        Item("SA", work_center="WC", lead_time=2, on_hand=sa_on_hand),
        Item("P", kind=ItemKind.BUY, lead_time=3),
    )
    demand = np.zeros((3, 8))
    demand[0, 3] = 5
    receipts = np.zeros((3, 8))
    if receipt_day is not None:
        receipts[2, receipt_day] = 10
    return Problem(
        items=items,
        days=working_days(8),
        demand=demand,
        work_centers=(WorkCenter("WC", 480),),
        bom=(BomLine("FG", "SA", 1), BomLine("SA", "P", 1)),
        receipts=receipts,
    )


def cause(result: Evaluation) -> str:
    (message,) = late(result)
    return message.text[message.text.index("cause: ") + len("cause: ") :]


def test_late_for_a_lead_time_names_the_cumulative_lead_time() -> None:
    problem = chain()
    result = evaluate(problem, plan_of(np.zeros((3, 8))))

    (message,) = late(result)
    assert message.text == (
        "FG: 5 units of demand late from 2026-03-05 to 2026-03-11, 25 unit-days of backlog, "
        "5 units still open at the end of the horizon; cause: lead time: the first new FG "
        "can arrive on 2026-03-10, 6 working days after the first: FG 1 d + SA 2 d + P 3 d "
        "(SA, P not in stock); stock and receipts bring 0 units against 5 required by "
        "2026-03-05"
    )
    assert earliest_arrival(problem).day.tolist() == [6, 5, 3]


def test_lead_time_counts_from_a_scheduled_receipt() -> None:
    result = evaluate(chain(receipt_day=1), plan_of(np.zeros((3, 8))))

    assert cause(result) == (
        "lead time: the first new FG can arrive on 2026-03-06, 4 working days after the "
        "first: FG 1 d + SA 2 d (SA not in stock) after P arrives by receipt on 2026-03-03; "
        "stock and receipts bring 0 units against 5 required by 2026-03-05"
    )


def test_with_stock_on_hand_the_lead_time_is_no_excuse() -> None:
    result = evaluate(chain(sa_on_hand=5), plan_of(np.zeros((3, 8))))

    assert cause(result) == (
        "the plan: no lead-time, component or capacity limit held on the latest release "
        "day 2026-03-04, yet stock, receipts and releases up to then bring 0 units against "
        "5 required by 2026-03-05; their backlog costs 125 (backlog_cost 1 for 25 unit-days "
        "and 20 more days for each of the 5 units open at the end), and a setup of FG costs "
        "nothing"
    )


def test_every_late_episode_gets_its_own_message() -> None:
    problem = Problem(
        items=(Item("A", kind=ItemKind.BUY, lead_time=1),),
        days=working_days(6),
        demand=np.array([[0.0, 3, 0, 0, 4, 0]]),
    )
    result = evaluate(problem, plan_of([[0, 3, 0, 0, 4, 0]]))

    found = [(m.day, m.text.split(";")[0]) for m in late(result)]
    assert found == [
        (1, "A: 3 units of demand late on 2026-03-03, 3 unit-days of backlog"),
        (4, "A: 4 units of demand late on 2026-03-06, 4 unit-days of backlog"),
    ]
