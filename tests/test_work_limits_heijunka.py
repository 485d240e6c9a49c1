"""Work limits in the heijunka strategy: the same problem, the same plan, whatever the clock."""

from __future__ import annotations

import numpy as np
import pytest

from models import Item, Problem
from models.heijunka import HeijunkaOptions, plan_heijunka
from models.heijunka.levelling import LevelModel, level_schedule
from models.plan import MessageLevel, SolveStatus
from models.problem import ItemAttribute, SequenceRule
from models.sequencing.rules import Rule, count_violations, repair_with_rules, sequence_with_rules
from models.solvers.milp import SolverOptions
from models.work import WorkLimits
from planner.instances import small_plant
from planner.simulation.pull import Relevelled, relevel
from tests.test_heijunka import economic_design, plant

RULES = [Rule(frozenset({0, 1}), 2, 5), Rule(frozenset({0, 2}), 1, 3)]
"""Two overlapping rules under which the greedy sequence of ``DEMAND`` breaks windows."""
DEMAND = [6, 8, 7, 19]
QUICK = WorkLimits(search_steps=300, cp_work=0.2)


def ruled_plant(n_days: int = 3) -> Problem:
    """One work center whose days need the local search and CP-SAT under two rules."""
    items = [Item(code, work_center="WC", run_time=1, container_qty=1) for code in "ABCD"]
    return plant(
        items,
        {code: [qty] * n_days for code, qty in zip("ABCD", DEMAND, strict=True)},
        n_days=n_days,
        attributes=[
            ItemAttribute("A", "heavy"),
            ItemAttribute("B", "heavy"),
            ItemAttribute("A", "roof"),
            ItemAttribute("C", "roof"),
        ],
        rules=[SequenceRule("heavy", 2, 5), SequenceRule("roof", 1, 3)],
    )


def blocks(demand: list[int]) -> list[int]:
    return [m for m, count in enumerate(demand) for _ in range(count)]


# Local search -------------------------------------------------------------------


def test_repair_with_a_step_limit_repeats_and_never_gets_worse() -> None:
    start = blocks(DEMAND)
    first = repair_with_rules(start, RULES, seed=3, max_steps=200)
    again = repair_with_rules(start, RULES, seed=3, max_steps=200, time_limit=0.0)
    assert first == again
    assert sorted(first) == sorted(start)
    assert count_violations(first, RULES) < count_violations(start, RULES)


def test_repair_keeps_the_best_sequence_of_an_impossible_day() -> None:
    rules = [Rule(frozenset({0}), 1, 3)]
    start = blocks([10, 5])
    for steps in (1, 5, 50, 500):
        repaired = repair_with_rules(start, rules, max_steps=steps)
        assert repaired == repair_with_rules(start, rules, max_steps=steps)
        assert count_violations(repaired, rules) <= count_violations(start, rules)


def test_repair_with_no_step_returns_the_input() -> None:
    start = blocks(DEMAND)
    assert repair_with_rules(start, RULES, max_steps=0) == start


# Sequencing under rules ---------------------------------------------------------


def test_sequencing_with_work_limits_repeats_whatever_the_time_limit() -> None:
    results = [
        sequence_with_rules(DEMAND, RULES, time_limit=limit, work=QUICK) for limit in (60, 60, 30)
    ]
    first = results[0]
    assert first.violations == count_violations(first.sequence, RULES) == 0
    assert not first.timed_out
    for other in results[1:]:
        assert (other.sequence, other.status, other.timed_out) == (
            first.sequence,
            first.status,
            first.timed_out,
        )


def test_an_impossible_day_under_work_limits_repeats_through_every_stage() -> None:
    rules = [Rule(frozenset({0}), 1, 3)]
    first = sequence_with_rules([10, 5], rules, time_limit=60, work=QUICK)
    again = sequence_with_rules([10, 5], rules, time_limit=60, work=QUICK)
    assert first.violations > 0 and not first.timed_out
    assert (again.sequence, again.status) == (first.sequence, first.status)


def test_sequencing_stopped_by_its_cap_says_so() -> None:
    result = sequence_with_rules(DEMAND, RULES, time_limit=0.05, work=WorkLimits(cp_work=1e4))
    assert result.timed_out
    assert sorted(result.sequence) == blocks(DEMAND)


# Level loading ------------------------------------------------------------------


def test_the_level_heuristic_with_sweeps_repeats_and_time_only_caps_it() -> None:
    problem = small_plant()
    design = economic_design(problem)
    reserved = design.reserved_capacity(problem)
    levelled = np.flatnonzero(design.levelled)
    cut_somewhere = False
    for w in np.unique(problem.item_work_center[levelled]).tolist():
        items = levelled[problem.item_work_center[levelled] == w]
        model = LevelModel(problem, items, design, reserved)
        built, _ = model.improved_start(sweeps=0)
        improved, cut = model.improved_start(seconds=100.0, sweeps=50)
        again, _ = model.improved_start(seconds=1000.0, sweeps=50)
        assert not cut
        np.testing.assert_array_equal(improved, again)
        objective = model.milp.objective
        assert objective @ improved <= objective @ built + 1e-9
        capped, cut = model.improved_start(seconds=0.0, sweeps=50)
        if not cut:
            np.testing.assert_array_equal(capped, improved)
        cut_somewhere |= cut
    assert cut_somewhere


@pytest.mark.parametrize("nodes", [0, 5])
def test_the_level_schedule_with_work_limits_repeats(nodes: int) -> None:
    problem = small_plant()
    design = economic_design(problem)
    options = SolverOptions(time_limit=60, threads=2)
    work = WorkLimits(nodes=nodes)
    first = level_schedule(problem, design, options=options, work=work)
    again = level_schedule(problem, design, options=options, work=work)
    np.testing.assert_array_equal(first.starts, again.starts)
    assert first.results and not first.timed_out and not again.timed_out


def test_relevel_reports_its_starts_time_and_timeout() -> None:
    problem = small_plant()
    options = HeijunkaOptions.from_settings(problem.settings, time_limit=60, work=WorkLimits())
    design = economic_design(problem)
    first = relevel(problem, design, options)
    again = relevel(problem, design, options)
    assert isinstance(first, Relevelled) and not first.timed_out and first.seconds > 0
    np.testing.assert_array_equal(first.starts, again.starts)


# The strategy -------------------------------------------------------------------


def test_a_heijunka_plan_with_work_limits_repeats() -> None:
    problem = ruled_plant()
    options = HeijunkaOptions.from_settings(problem.settings, day_seconds=60, work=QUICK)
    first = plan_heijunka(problem, options)
    again = plan_heijunka(problem, options)
    assert first.status is SolveStatus.HEURISTIC is again.status
    np.testing.assert_array_equal(first.starts, again.starts)
    assert first.sequences == again.sequences
    assert not any("work limit" in m.text for m in first.messages)


def test_a_heijunka_plan_stopped_by_its_cap_is_at_its_time_limit() -> None:
    problem = ruled_plant(n_days=1)
    options = HeijunkaOptions.from_settings(
        problem.settings, day_seconds=0.1, work=WorkLimits(cp_work=1e4)
    )
    plan = plan_heijunka(problem, options)
    assert plan.status is SolveStatus.TIME_LIMIT
    warnings = [m.text for m in plan.messages if m.level is MessageLevel.WARNING]
    assert any("before the work limit: another run may give another plan" in w for w in warnings)
    plain = HeijunkaOptions.from_settings(problem.settings, day_seconds=0.1)
    assert plan_heijunka(problem, plain).status is SolveStatus.HEURISTIC
