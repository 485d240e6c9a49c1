"""Mixed-model sequencing: PRV, goal chasing, p/q rules, CSPLib and ROAR-NET data."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models import Item, ItemAttribute, Problem, SequenceRule, WorkCenter
from models.sequencing.days import most_carriers, rule_abiding_starts, ruled_setup_minutes
from models.sequencing.levelled import goal_chasing, orv_objective, prv_objective, sequence_prv
from models.sequencing.rules import (
    Rule,
    count_violations,
    greedy_with_rules,
    repair_with_rules,
    sequence_with_rules,
)
from models.sequencing.rules import _WindowLoads as WindowLoads
from planner.instances import read_car_sequencing

BENCHMARKS = Path(__file__).resolve().parents[2] / "shared" / "benchmarks"
CSPLIB = BENCHMARKS / "csplib-car-sequencing"
ORV = BENCHMARKS / "level-scheduling-orv-roarnet"


def distinct_sequences(demand: Sequence[int]) -> Iterator[tuple[int, ...]]:
    """Every distinct sequence building ``demand`` (multiset permutations)."""
    left = list(demand)
    total = sum(demand)
    prefix: list[int] = []

    def extend() -> Iterator[tuple[int, ...]]:
        if len(prefix) == total:
            yield tuple(prefix)
            return
        for i, n in enumerate(left):
            if n:
                left[i] -= 1
                prefix.append(i)
                yield from extend()
                prefix.pop()
                left[i] += 1

    return extend()


def brute_prv(demand: Sequence[int]) -> float:
    return min(prv_objective(s, demand) for s in distinct_sequences(demand))


def brute_violations(demand: Sequence[int], rules: Sequence[Rule]) -> int:
    return min(count_violations(s, rules) for s in distinct_sequences(demand))


def assert_builds(sequence: Sequence[int], demand: Sequence[int]) -> None:
    assert len(sequence) == sum(demand)
    assert np.bincount(np.asarray(sequence, dtype=int), minlength=len(demand)).tolist() == list(
        demand
    )


demands = st.lists(st.integers(0, 4), min_size=1, max_size=4).filter(lambda d: 1 <= sum(d) <= 8)


@settings(max_examples=60, deadline=None)
@given(demands)
def test_sequence_prv_equals_brute_force(demand: list[int]) -> None:
    sequence = sequence_prv(demand)
    assert_builds(sequence, demand)
    assert prv_objective(sequence, demand) == pytest.approx(brute_prv(demand), abs=1e-9)


def test_sequence_prv_known_example() -> None:
    demand = [1, 2, 3]
    sequence = sequence_prv(demand)
    assert prv_objective(sequence, demand) == pytest.approx(brute_prv(demand))
    assert prv_objective(sequence, demand) == pytest.approx(31 / 18)


def test_prv_objective_by_hand() -> None:
    assert prv_objective([0, 1], [1, 1]) == pytest.approx(0.5)
    assert prv_objective([0, 0, 1, 1], [2, 2]) == pytest.approx(3.0)
    assert prv_objective([], [0, 0]) == 0.0
    with pytest.raises(ValueError):
        prv_objective([0, 0], [1, 1])


def test_sequence_prv_handles_a_thousand_units() -> None:
    demand = np.random.default_rng(7).multinomial(1000, np.full(15, 1 / 15)).tolist()
    sequence = sequence_prv(demand)
    assert_builds(sequence, demand)
    assert prv_objective(sequence, demand) <= prv_objective(goal_chasing(demand), demand) + 1e-9


@settings(max_examples=40, deadline=None)
@given(demands)
def test_goal_chasing_is_valid_and_no_better_than_exact(demand: list[int]) -> None:
    sequence = goal_chasing(demand)
    assert_builds(sequence, demand)
    assert prv_objective(sequence, demand) >= prv_objective(sequence_prv(demand), demand) - 1e-9


def test_goal_chasing_with_usage_builds_the_demand() -> None:
    usage = np.array([[1, 0, 2], [0, 1, 1], [1, 1, 0]])
    demand = [3, 2, 5]
    sequence = goal_chasing(demand, usage)
    assert_builds(sequence, demand)
    assert goal_chasing([2, 2]) == [0, 1, 0, 1]


def test_count_violations_counts_windows_not_excess() -> None:
    rule = Rule(frozenset({0}), max_in_window=1, window=3)
    assert count_violations([0, 0, 0, 1], [rule]) == 2
    assert count_violations([0, 1, 1, 0], [rule]) == 0
    assert count_violations([0, 0], [rule]) == 0


@pytest.mark.parametrize(
    ("demand", "rules"),
    [
        ([3, 3], [Rule(frozenset({0}), 1, 2)]),
        ([2, 2, 4], [Rule(frozenset({0, 1}), 1, 2), Rule(frozenset({0}), 1, 3)]),
        ([1, 2, 3, 2], [Rule(frozenset({2}), 2, 3), Rule(frozenset({1, 3}), 1, 2)]),
    ],
)
def test_sequence_with_rules_feasible(demand: list[int], rules: list[Rule]) -> None:
    result = sequence_with_rules(demand, rules, time_limit=10)
    assert_builds(result.sequence, demand)
    assert result.violations == 0 == count_violations(result.sequence, rules)
    assert result.prv == pytest.approx(prv_objective(result.sequence, demand))
    assert result.status == "optimal"


@pytest.mark.parametrize(
    ("demand", "rules"),
    [
        ([2, 1], [Rule(frozenset({0, 1}), 1, 2)]),
        ([4, 2], [Rule(frozenset({0}), 1, 2)]),
        ([3, 1, 2], [Rule(frozenset({0, 2}), 1, 3), Rule(frozenset({0}), 1, 2)]),
    ],
)
def test_sequence_with_rules_minimises_violations(demand: list[int], rules: list[Rule]) -> None:
    result = sequence_with_rules(demand, rules, time_limit=10)
    assert_builds(result.sequence, demand)
    assert result.violations == brute_violations(demand, rules) > 0
    assert result.status == "optimal"


def test_sequence_with_rules_uses_a_hint() -> None:
    demand, rules = [2, 2], [Rule(frozenset({0}), 1, 2)]
    result = sequence_with_rules(demand, rules, time_limit=5, hint=[0, 1, 0, 1])
    assert result.violations == 0
    assert result.prv == pytest.approx(1.0)


@settings(max_examples=30, deadline=None)
@given(demands, st.integers(1, 3), st.integers(0, 2))
def test_greedy_with_rules_builds_the_demand(demand: list[int], window: int, most: int) -> None:
    rules = [Rule(frozenset({0}), most, window), Rule(frozenset({1, 2}), 1, 2)]
    sequence = greedy_with_rules(demand, rules)
    assert_builds(sequence, demand)
    assert count_violations(sequence, rules) >= brute_violations(demand, rules)


def read_orv_example() -> tuple[list[int], np.ndarray, list[int]]:
    numbers = [int(t) for t in (ORV / "example.txt").read_text().split()]
    n_models, n_parts = numbers[:2]
    demand = numbers[2 : 2 + n_models]
    parts = np.array(numbers[2 + n_models : 2 + n_models + n_parts * n_models]).reshape(
        n_parts, n_models
    )
    solution = [int(t) - 1 for t in (ORV / "example_solution.txt").read_text().split()]
    return demand, parts.T, solution


@pytest.mark.skipif(not ORV.is_dir(), reason="ROAR-NET level-scheduling example not available")
def test_orv_example_reproduces_published_and_exact_values() -> None:
    demand, usage, solution = read_orv_example()
    assert orv_objective(solution, demand, usage) == pytest.approx(9.6)
    best = min(orv_objective(s, demand, usage) for s in distinct_sequences(demand))
    assert best == pytest.approx(7.2)
    heuristic = goal_chasing(demand, usage)
    assert_builds(heuristic, demand)
    assert orv_objective(heuristic, demand, usage) >= best - 1e-9


@pytest.mark.skipif(not CSPLIB.is_dir(), reason="CSPLib car-sequencing instances not available")
def test_read_car_sequencing() -> None:
    demand, rules, options = read_car_sequencing(CSPLIB / "instances" / "sat200" / "pb_60-01.txt")
    assert sum(demand) == 200 and len(demand) == 24 == options.shape[0]
    assert [(r.max_in_window, r.window) for r in rules] == [(1, 2), (2, 3), (1, 3), (2, 5), (1, 5)]
    assert demand[:2] == [3, 84]
    assert rules[1].attribute_models == frozenset(np.flatnonzero(options[:, 1]).tolist())


@pytest.mark.skipif(not CSPLIB.is_dir(), reason="CSPLib car-sequencing instances not available")
@pytest.mark.parametrize(
    ("path", "asserted"),
    [("sat200/pb_60-01.txt", True), ("classic100/p41_66.txt", False)],
)
def test_csplib_instances(path: str, asserted: bool) -> None:
    demand, rules, _ = read_car_sequencing(CSPLIB / "instances" / path)
    result = sequence_with_rules(demand, rules, time_limit=5)
    assert_builds(result.sequence, demand)
    assert result.violations == count_violations(result.sequence, rules)
    if asserted:
        assert result.violations == 0


def test_distinct_sequences_counts() -> None:
    assert sum(1 for _ in distinct_sequences([2, 2, 2, 4])) == 18900
    assert len(set(itertools.permutations([0, 0, 1]))) == sum(1 for _ in distinct_sequences([2, 1]))


def excess(sequence: Sequence[int], rule: Rule) -> int:
    flags = np.array([m in rule.attribute_models for m in sequence], dtype=int)
    if flags.size < rule.window:
        return 0
    loads = np.convolve(flags, np.ones(rule.window, dtype=int), "valid")
    return int(np.maximum(0, loads - rule.max_in_window).sum())


@settings(max_examples=150, deadline=None)
@given(
    sequence=st.lists(st.integers(0, 3), min_size=2, max_size=14),
    rules=st.lists(
        st.builds(
            Rule,
            st.frozensets(st.integers(0, 3), min_size=1),
            st.integers(0, 2),
            st.integers(1, 5),
        ),
        min_size=1,
        max_size=3,
    ),
    data=st.data(),
)
def test_swap_deltas_equal_the_change_of_excess(
    sequence: list[int], rules: list[Rule], data: st.DataObject
) -> None:
    array = np.array(sequence)
    loads = WindowLoads(rules, 4, array)
    a = data.draw(st.integers(0, len(sequence) - 1))
    deltas = loads.swap_deltas(a)
    before = sum(excess(sequence, rule) for rule in rules)
    for b in range(len(sequence)):
        swapped = array.copy()
        swapped[a], swapped[b] = swapped[b], swapped[a]
        assert deltas[b] == sum(excess(swapped.tolist(), rule) for rule in rules) - before
    b = data.draw(st.integers(0, len(sequence) - 1))
    array[a], array[b] = array[b], array[a]
    loads.swap(a, b, array)
    assert loads.violations() == count_violations(array.tolist(), rules)


def test_repair_with_rules_removes_every_violation_of_a_feasible_day() -> None:
    rules = [Rule(frozenset({0}), 1, 3), Rule(frozenset({1, 2}), 2, 5)]
    demand = [10, 8, 6, 12]
    start = [m for m, count in enumerate(demand) for _ in range(count)]
    assert count_violations(start, rules) > 0
    repaired = repair_with_rules(start, rules, time_limit=20)
    assert_builds(repaired, demand)
    assert count_violations(repaired, rules) == 0


def test_repair_with_rules_never_returns_more_violations() -> None:
    rules = [Rule(frozenset({0}), 1, 2)]
    start = [0, 0, 0, 1, 0]
    repaired = repair_with_rules(start, rules, time_limit=0.5)
    assert_builds(repaired, [4, 1])
    assert count_violations(repaired, rules) <= count_violations(start, rules)


@pytest.mark.skipif(not CSPLIB.is_dir(), reason="CSPLib car-sequencing instances not available")
def test_repair_with_rules_solves_a_classic_feasible_instance() -> None:
    demand, rules, _ = read_car_sequencing(CSPLIB / "instances" / "classic100" / "p41_66.txt")
    start = greedy_with_rules(demand, rules)
    repaired = repair_with_rules(start, rules, time_limit=60)
    assert_builds(repaired, demand)
    assert count_violations(repaired, rules) == 0


# What a rule-abiding day can hold -------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(others=st.integers(0, 9), most=st.integers(1, 3), window=st.integers(2, 5))
def test_most_carriers_is_the_largest_count_some_sequence_holds(
    others: int, most: int, window: int
) -> None:
    rule = Rule(frozenset({0}), most, window)

    def placeable(carriers: int) -> bool:
        # every 0/1 sequence, built position by position, its last window-1 flags kept
        positions = carriers + others
        if positions < window:
            return True
        states = {((), 0)}
        for _ in range(positions):
            states = {
                ((*tail, flag)[-(window - 1) :], count + flag)
                for tail, count in states
                for flag in (0, 1)
                if count + flag <= carriers and (len(tail) < window - 1 or sum(tail) + flag <= most)
            }
        return any(count == carriers for _, count in states)

    limit = most_carriers(others, rule)
    if most >= window:
        assert limit > 1000
        return
    assert placeable(limit)
    assert not placeable(limit + 1)


def test_forced_setups_are_charged_at_the_separators_minutes() -> None:
    # found by hypothesis: a carrier without setup time, separated by an item
    # with 10 minutes, overloaded its line when the forced runs were charged
    # at the carrier's own setup
    problem = Problem.from_records(
        [
            Item("HEAVY", work_center="LINE", setup_time=0),
            Item("LIGHT", work_center="LINE", setup_time=10),
            Item("SHORT", work_center="LINE", setup_time=4),
            Item("OTHER", work_center="CELL", setup_time=30),
        ],
        [("HEAVY", date(2026, 3, 2), 1)],
        work_centers=[WorkCenter("LINE", 480), WorkCenter("CELL", 480)],
        attributes=[ItemAttribute("HEAVY", "heavy"), ItemAttribute("SHORT", "heavy")],
        sequence_rules=[SequenceRule("heavy", 2, 3, "LINE")],
    )
    # per container: (own setup + the longest separator's, 10) / p = 2
    np.testing.assert_allclose(ruled_setup_minutes(problem), [5.0, 0.0, 7.0, 0.0])


def test_a_day_with_too_many_carriers_is_cut_in_whole_containers() -> None:
    problem = Problem.from_records(
        [
            Item("HEAVY", work_center="LINE", run_time=1, container_qty=5),
            Item("LIGHT", work_center="LINE", run_time=1, container_qty=5),
            Item("OTHER", work_center="CELL", run_time=1, container_qty=5),
        ],
        [("HEAVY", date(2026, 3, 2), 1)],
        work_centers=[WorkCenter("LINE", 480), WorkCenter("CELL", 480)],
        attributes=[ItemAttribute("HEAVY", "heavy"), ItemAttribute("OTHER", "heavy")],
        sequence_rules=[SequenceRule("heavy", 1, 2, "LINE")],
    )
    day = np.array([23.0, 9.0, 40.0])
    # 5 heavy containers, 2 light: at most 3 heavy in a 1-of-2 sequence of 5
    np.testing.assert_array_equal(rule_abiding_starts(problem, day), [15.0, 9.0, 40.0])
    enough = np.array([15.0, 10.0, 40.0])
    np.testing.assert_array_equal(rule_abiding_starts(problem, enough), enough)
