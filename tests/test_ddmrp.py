"""The ddmrp strategy: zones by hand, decoupled lead times, net flow orders, feasible plans."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from models import BomLine, Calendar, Item, ItemKind, Problem, Settings, WorkCenter
from models.ddmrp import DdmrpOptions, decoupled_lead_times, plan_ddmrp, size_buffers
from models.ddmrp.buffers import average_daily_usage, daily_usage
from models.ddmrp.positioning import rules_positioning, search_positioning
from models.plan import Buffer
from models.strategies import STRATEGIES
from planner.comparison import RunOptions, compare
from planner.evaluation import evaluate
from planner.workbook.reader import load_workbook
from tests.test_mrp import working_days

DATA = Path(__file__).resolve().parent.parent / "data"


def two_level(n_days: int = 20, **settings: object) -> Problem:
    """FG (made, lead time 2) of 2 x P (bought, lead time 3), FG demand 10 a day; both buffered."""
    days = working_days(n_days)
    items = (
        Item("FG", work_center="WC", run_time=1, lead_time=2, on_hand=100, buffer="yes"),
        Item("P", kind=ItemKind.BUY, lead_time=3, on_hand=400, buffer="yes"),
    )
    return Problem.from_records(
        items,
        [("FG", day, 10.0) for day in days],
        calendar=Calendar(days[0], days[-1]),
        work_centers=(WorkCenter("WC", capacity=480),),
        bom=(BomLine("FG", "P", 2),),
        settings=Settings(**settings),  # type: ignore[arg-type]
    )


def test_the_zones_of_a_two_level_product_by_hand() -> None:
    problem = two_level(adu_window=5, order_cycle=4)
    options = DdmrpOptions.resolve(problem.settings, RunOptions())
    usage = daily_usage(problem)
    assert usage[1].tolist() == [20.0] * problem.n_days
    zones = size_buffers(problem, np.array([True, True]), options, usage)
    fg, p = 0, 1
    # FG: ADU 10, DLT 2 (P is buffered), short lead time (LTF 0.7), no variability (VF 0.25).
    assert zones.decoupled_lead_time.tolist() == [2, 3]
    assert zones.adu[fg] == pytest.approx(10.0)
    assert zones.red_base[fg] == pytest.approx(10 * 2 * 0.7)
    assert zones.red[fg] == pytest.approx(14 + 14 * 0.25)
    assert zones.yellow[fg] == pytest.approx(10 * 2)
    assert zones.green[fg] == pytest.approx(max(10 * 4, 14))
    assert zones.top_of_yellow[fg] == pytest.approx(17.5 + 20)
    assert zones.top_of_green[fg] == pytest.approx(17.5 + 20 + 40)
    # P: ADU 20, DLT 3: red 42 + 10.5, yellow 60, green 80.
    assert zones.red[p] == pytest.approx(52.5)
    assert zones.yellow[p] == pytest.approx(60.0)
    assert zones.green[p] == pytest.approx(80.0)
    assert zones.top_of_green[p] == pytest.approx(192.5)


def test_an_unbuffered_component_lengthens_its_parents_decoupled_lead_time() -> None:
    problem = two_level()
    zones = size_buffers(
        problem, np.array([True, False]), DdmrpOptions(order_cycle=4), daily_usage(problem)
    )
    assert zones.decoupled_lead_time.tolist() == [5, 3]
    assert zones.yellow[0] == pytest.approx(10 * 5)
    assert zones.lead_time_factor[0] == pytest.approx(0.7)


def test_the_safety_stock_is_the_least_red_zone() -> None:
    problem = two_level().replace_items(
        safety_stock=lambda item: 50.0 if item.code == "FG" else 0.0
    )
    zones = size_buffers(problem, np.array([True, True]), DdmrpOptions(), daily_usage(problem))
    assert zones.red[0] == pytest.approx(50.0)


def test_decoupled_lead_times_on_a_branching_bom() -> None:
    days = working_days(5)
    items = (
        Item("A", work_center="WC", lead_time=1),
        Item("B", work_center="WC", lead_time=2),
        Item("C", work_center="WC", lead_time=3),
        Item("D", kind=ItemKind.BUY, lead_time=4),
        Item("E", kind=ItemKind.BUY, lead_time=1),
    )
    problem = Problem.from_records(
        items,
        [("A", days[-1], 1.0)],
        calendar=Calendar(days[0], days[-1]),
        work_centers=(WorkCenter("WC", capacity=480),),
        bom=(
            BomLine("A", "B", 1),
            BomLine("A", "C", 1),
            BomLine("B", "D", 1),
            BomLine("C", "E", 1),
        ),
    )

    def dlt(*buffered: str) -> list[int]:
        chosen = np.array([item.code in buffered for item in problem.items])
        return decoupled_lead_times(problem, chosen).tolist()

    assert dlt() == [1 + max(2 + 4, 3 + 1), 6, 4, 4, 1]
    assert dlt("D") == [1 + max(2, 3 + 1), 2, 4, 4, 1]
    assert dlt("C") == [1 + (2 + 4), 6, 4, 4, 1]
    assert dlt("B", "C") == [1, 6, 4, 4, 1]


def test_average_daily_usage_blends_past_and_forward() -> None:
    usage = np.array([[0.0, 0.0, 10.0, 10.0, 30.0]])
    adu = average_daily_usage(usage, window=2, past_weight=0.25)
    # Day 0: the forward mean alone; day 3: past (0 + 10) / 2... of days 1, 2; forward of days 3, 4.
    assert adu[0, 0] == pytest.approx(0.0)
    assert adu[0, 3] == pytest.approx(0.25 * (0 + 10) / 2 + 0.75 * (10 + 30) / 2)
    assert adu[0, 4] == pytest.approx(0.25 * (10 + 10) / 2 + 0.75 * 30)


def test_a_buffer_orders_exactly_when_its_net_flow_reaches_top_of_yellow() -> None:
    days = working_days(30)
    item = Item("P", kind=ItemKind.BUY, lead_time=3, on_hand=200, buffer="yes")
    problem = Problem.from_records(
        [item],
        [("P", day, 10.0) for day in days],
        calendar=Calendar(days[0], days[-1]),
        settings=Settings(order_cycle=5, adu_window=10),
    )
    plan = plan_ddmrp(problem, DdmrpOptions.resolve(problem.settings, RunOptions()))
    (buffer,) = plan.buffers
    assert isinstance(buffer, Buffer)
    at_or_below = buffer.net_flow <= buffer.top_of_yellow + 1e-9
    assert ((buffer.ordered > 0) == at_or_below).all()
    first = int(np.argmax(at_or_below))
    assert first > 0 and not at_or_below[:first].any()
    shortfall = buffer.top_of_green[first] - buffer.net_flow[first]
    assert buffer.ordered[first] == np.ceil(shortfall - 1e-9)
    assert plan.starts[0, first] == buffer.ordered[first]


def test_the_planner_forces_and_forbids_buffers() -> None:
    problem = two_level().replace_items(buffer=lambda item: "no" if item.code == "FG" else None)
    options = DdmrpOptions.resolve(problem.settings, RunOptions())
    chosen = rules_positioning(problem, options, daily_usage(problem))
    assert chosen.tolist() == [False, False]
    plan = plan_ddmrp(problem, options)
    assert not any(problem.items[b.item].code == "FG" for b in plan.buffers)
    assert any("FG is not buffered" in message.text for message in plan.messages)
    forced = two_level().replace_items(buffer=lambda item: "yes" if item.code == "P" else None)
    assert rules_positioning(forced, options, daily_usage(forced))[1]


def test_an_item_with_demand_within_the_tolerance_time_is_made_to_order() -> None:
    free = two_level(tolerance_days=10).replace_items(buffer=lambda item: None)
    options = DdmrpOptions.resolve(free.settings, RunOptions())
    assert not rules_positioning(free, options, daily_usage(free))[0]
    tight = two_level(tolerance_days=1).replace_items(buffer=lambda item: None)
    strict = DdmrpOptions.resolve(tight.settings, RunOptions())
    assert rules_positioning(tight, strict, daily_usage(tight))[0]


def test_the_search_never_keeps_a_dearer_positioning() -> None:
    problem = load_workbook(DATA / "example_small.xlsx")
    options = DdmrpOptions.resolve(problem.settings, RunOptions())
    search = search_positioning(problem, options, daily_usage(problem), deadline=float("inf"))
    assert search.best.cost <= search.by_rules.cost
    assert 1 < search.tried <= options.search_steps


def test_the_same_workbook_gives_the_same_plan() -> None:
    problem = load_workbook(DATA / "example_small.xlsx")
    first, second = (STRATEGIES["ddmrp"].plan_problem(problem) for _ in range(2))
    assert np.array_equal(first.starts, second.starts)


@pytest.mark.parametrize(
    "name", ["example_small", "example_lean", "example_batch", "example_plant"]
)
def test_every_ddmrp_plan_on_the_examples_passes_the_plan_checker(name: str) -> None:
    problem = load_workbook(DATA / f"{name}.xlsx")
    plan = STRATEGIES["ddmrp"].plan_problem(problem, RunOptions(time_limit=120))
    evaluation = evaluate(problem, plan)
    assert evaluation.violations == (), [v.message for v in evaluation.violations[:3]]
    assert plan.buffers


def test_the_buffers_sheet_shows_each_buffer_every_day() -> None:
    comparison = compare(two_level(), "ddmrp")
    frame = comparison.buffers()
    assert len(frame) == 2 * comparison.problem.n_days
    assert set(frame["planning_status"]) <= {"red", "yellow", "green", "over"}
    assert set(frame["on_hand_status"]) <= {"stockout", "red", "yellow", "green", "over"}
    row = frame.iloc[0]
    assert row["top_of_green"] == pytest.approx(row["red"] + row["yellow"] + row["green"])
    ordered = frame[frame["order_qty"] > 0]
    assert (ordered["net_flow"] <= ordered["top_of_yellow"] + 1e-9).all()
