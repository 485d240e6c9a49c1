"""Workbook contract version 2, term by term, against hand-computed plants.

Each new term of the accounting (end backlog, safety shortfall, WIP, end
inventory), each new rule (sequence windows for every strategy, whole
units), the reader's defaults for version 1 workbooks and its warnings on
fractional quantities of whole-unit items.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from models import Item, ItemAttribute, ItemKind, Problem, SequenceRule, Settings, WorkCenter
from models.mrp.plan import plan_mrp
from models.plan import Plan, SolveStatus
from planner.evaluation import ViolationKind, evaluate
from planner.workbook.issues import Level
from planner.workbook.reader import ReadResult, read_workbook
from tests.conftest import Sheets, only

MONDAY = date(2026, 3, 2)


def days(n: int) -> tuple[date, ...]:
    return tuple(MONDAY + timedelta(days=t) for t in range(n))


def plan_of(starts: list[list[float]]) -> Plan:
    return Plan("test", np.asarray(starts, dtype=float), SolveStatus.HEURISTIC)


def bought(settings: Settings | None = None, **item: object) -> Problem:
    """One purchased item over four days: 5 on hand, 4 due on day 1 and 6 on day 3."""
    values: dict[str, object] = {
        "kind": ItemKind.BUY,
        "unit_cost": 10,
        "holding_cost": 1,
        "backlog_cost": 3,
        "lead_time": 1,
        "on_hand": 5,
    }
    return Problem(
        items=(Item("A", **(values | item)),),  # type: ignore[arg-type]
        days=days(4),
        demand=np.array([[0.0, 4, 0, 6]]),
        settings=settings or Settings(),
    )


# Costs -------------------------------------------------------------------------


def test_demand_open_on_the_last_day_pays_end_backlog_days_more() -> None:
    # Nothing ordered: 5, 1, 1 on hand for days 0-2, then 5 units short on day 3.
    result = evaluate(bought(Settings(end_backlog_days=7)), plan_of([[0, 0, 0, 0]]))

    assert result.backlog.tolist() == [[0, 0, 0, 5]]
    assert result.kpis["backlog_cost"] == 5 * 3
    assert result.kpis["end_backlog_cost"] == 7 * 3 * 5
    assert result.kpis["total_cost"] == 7 + 15 + 105
    assert result.feasible, "late demand is costly, not a broken rule"


def test_without_end_backlog_days_and_safety_weight_the_accounting_is_version_one() -> None:
    settings = Settings(end_backlog_days=0, safety_stock_weight=0)
    result = evaluate(bought(settings, safety_stock=2), plan_of([[0, 0, 0, 0]]))

    assert result.kpis["end_backlog_cost"] == 0
    assert result.kpis["safety_cost"] == 0
    assert result.kpis["total_cost"] == 7 + 15


def test_safety_shortfall_is_weighted_holding_cost_per_unit_day() -> None:
    # Safety stock 3 against 5, 1, 1, 0 on hand: short 0, 2, 2, 3 = 7 unit-days.
    result = evaluate(bought(Settings(safety_stock_weight=1.5), safety_stock=3), plan_of([[0] * 4]))

    assert result.kpis["safety_stock_shortfall_unit_days"] == 7
    assert result.kpis["safety_cost"] == 1.5 * 1 * 7


def test_end_inventory_is_valued_at_unit_cost() -> None:
    # 6 ordered on day 1 arrive on day 2: 5, 1, 7, 1 on hand.
    result = evaluate(bought(), plan_of([[0, 6, 0, 0]]))

    assert result.inventory.tolist() == [[5, 1, 7, 1]]
    assert result.kpis["end_inventory_value"] == 1 * 10


def test_work_in_process_is_made_units_started_and_not_yet_available() -> None:
    made = Item("M", work_center="W", run_time=1, unit_cost=20, lead_time=2, whole_units=False)
    problem = Problem(
        items=(made,),
        days=days(5),
        demand=np.array([[0.0, 0, 10, 0, 4]]),
        work_centers=(WorkCenter("W", 480),),
    )
    # 10 started on day 0 are in process at the end of days 0 and 1; 4 started on
    # day 3 are still in process when the horizon ends after day 4.
    result = evaluate(problem, plan_of([[10, 0, 0, 4, 0]]))

    assert result.kpis["avg_wip_value"] == pytest.approx(20 * (10 + 10 + 0 + 4 + 4) / 5)
    bought_only = evaluate(bought(), plan_of([[0, 6, 0, 0]]))
    assert bought_only.kpis["avg_wip_value"] == 0, "purchase orders in transit are not WIP"


# Rules -------------------------------------------------------------------------


def ruled_line() -> Problem:
    """A line on which at most 1 of any 2 consecutive units has a roof, asked for 3 A and 1 B."""
    items = tuple(
        Item(code, work_center="LINE", run_time=1, setup_cost=5, holding_cost=1, unit_cost=10)
        for code in ("A", "B")
    )
    return Problem(
        items=items,
        days=days(3),
        demand=np.array([[0.0, 3, 0], [0, 1, 0]]),
        work_centers=(WorkCenter("LINE", 480),),
        attributes=(ItemAttribute("A", "roof"),),
        sequence_rules=(SequenceRule("roof", 1, 2),),
    )


def test_an_mrp_plan_is_sequenced_and_its_broken_window_counted() -> None:
    problem = ruled_line()
    plan = plan_mrp(problem)

    # Three roofs in four positions leave at least one window of two with two
    # roofs: A B A A (or A A B A) breaks exactly one; A A A B would break two.
    sequence = plan.sequences[(0, 1)]
    order = "".join(problem.items[i].code * round(q) for i, q in sequence)
    assert sorted(order) == ["A", "A", "A", "B"]
    assert order in ("ABAA", "AABA")
    result = evaluate(problem, plan)
    assert result.kpis["rule_violations"] == 1
    assert result.kpis["setups"] == 3, "one setup per run of the sequence"
    assert result.kpis["setup_cost"] == 15
    assert not result.feasible
    [violation] = result.violations
    assert violation.kind is ViolationKind.SEQUENCE_RULE
    assert "1 window of 2 positions" in violation.message
    assert any("breaks 1 sequence-rule window" in m.text for m in plan.messages)


def test_a_ruled_day_without_a_sequence_is_a_violation() -> None:
    result = evaluate(ruled_line(), plan_of([[0, 3, 0], [0, 1, 0]]))

    assert [v.kind for v in result.violations] == [ViolationKind.SEQUENCE_RULE]
    assert "gives no sequence" in result.violations[0].message


def test_a_fractional_start_of_a_whole_unit_item_breaks_the_rules() -> None:
    whole = evaluate(bought(), plan_of([[0, 2.5, 0, 0]]))
    fractional = evaluate(bought(whole_units=False), plan_of([[0, 2.5, 0, 0]]))

    [violation] = whole.violations
    assert violation.kind is ViolationKind.FRACTIONAL_START
    assert violation.size == pytest.approx(0.5)
    assert not whole.kpis["feasible"]
    assert whole.kpis["rule_violations"] == 0, "rule_violations counts broken windows"
    assert fractional.violations == ()
    assert fractional.kpis["feasible"]


def test_a_start_within_round_off_of_a_whole_number_is_whole() -> None:
    assert evaluate(bought(), plan_of([[0, 3 + 1e-9, 0, 0]])).violations == ()


# The reader ---------------------------------------------------------------------


def test_a_version_one_workbook_loads_with_the_defaults(
    read: Callable[[Sheets], ReadResult], sheets: Sheets
) -> None:
    result = read(sheets)

    assert result.ok, result.issues
    problem = result.problem
    assert problem is not None
    assert problem.whole_units.all()
    assert problem.settings.deterministic is True
    assert problem.settings.safety_stock_weight == 2.0
    assert problem.settings.end_backlog_days == 20
    assert not result.warnings


def test_the_version_one_example_workbook_still_loads() -> None:
    result = read_workbook(Path(__file__).parent / "data" / "v1_example_small.xlsx")

    assert result.ok, result.issues
    problem = result.problem
    assert problem is not None
    assert problem.whole_units.all()
    defaults = Settings()
    assert problem.settings.deterministic is defaults.deterministic
    assert problem.settings.safety_stock_weight == defaults.safety_stock_weight
    assert problem.settings.end_backlog_days == defaults.end_backlog_days


def test_fractional_quantities_of_whole_unit_items_are_warned_of(
    read: Callable[[Sheets], ReadResult], sheets: Sheets
) -> None:
    sheets["Items"][0] += ["whole_units"]
    sheets["Items"][1][7] = 2.5
    sheets["Items"][3][7] = 100.25
    sheets["Items"][3] += ["no"]
    sheets["Demand"][2][2] = 12.5
    sheets["Demand"].append(["FG1", datetime(2026, 3, 12), 0.5])

    result = read(sheets)

    assert result.ok, "a warning, not an error: the plan is whole all the same"
    on_hand = only(result.issues, Level.WARNING, "on_hand is 2.5")
    assert (on_hand.sheet, on_hand.row, on_hand.column) == ("Items", 2, "on_hand")
    assert "FG1 is counted in whole units" in on_hand.message
    demand = only(result.issues, Level.WARNING, "2 demand quantities of whole-unit items")
    assert (demand.sheet, demand.row) == ("Demand", 3)
    assert "rows 3, 5" in demand.message
    assert not [i for i in result.issues if "P1" in i.message], "P1 is counted in fractions"


# Why late demand is late ------------------------------------------------------------


def test_demand_left_late_for_want_of_backlog_cost_says_what_would_change_it() -> None:
    # 4 units due on day 1 wait for the lot of day 3: 2 days late at 3 per unit-day
    # cost 24, less than the 50 of one more setup; above 50 / 8 = 6.25 per unit-day
    # the setup would pay.
    problem = Problem(
        items=(Item("A", kind=ItemKind.BUY, setup_cost=50, holding_cost=1, backlog_cost=3),),
        days=days(4),
        demand=np.array([[0.0, 4, 0, 4]]),
    )
    [message] = evaluate(problem, plan_of([[0, 0, 0, 8]])).messages

    assert message.text.startswith(
        "A: 4 units of demand late from 2026-03-03 to 2026-03-04, 8 unit-days of backlog"
    )
    assert message.text.endswith(
        "their backlog costs 24 (backlog_cost 3 for 8 unit-days) against 50 for one more "
        "setup of A: a backlog_cost above 6.25 for A would make building them on time the "
        "cheaper plan"
    )
