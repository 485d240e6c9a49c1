"""Tests of the single-item lot-sizing rules in :mod:`models.requirements.lotsizing`.

Known answers:

- Wagner, H.M. and Whitin, T.M. (1958). Dynamic version of the economic lot
  size model. Management Science 5(1):89-96. Their 12-period worked example
  (demands 69 29 36 61 61 26 34 67 45 67 79 56, setup costs 85 102 102 101 98
  114 105 86 119 110 98 114, holding cost 1 per unit per period) has the
  optimal cost 864 with orders in periods 1, 3, 5, 8, 10 and 11 (one-based)
  of 98, 97, 121, 112, 67 and 135 units. The data are hard-coded here and
  also read from ``shared/benchmarks/wagner-whitin-1958`` when present.
- Four textbook instances (Snyder and Shen, Fundamentals of Supply Chain
  Theory, as shipped in the stockpyl package) with their published optimal
  costs and plans, from the same benchmark folder.

Brute force over every set of order periods checks the dynamic programmes on
random small instances; the netting rules are checked against plans worked
out by hand.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.problem import LotRule
from models.requirements import (
    LotSizingResult,
    economic_order_quantity,
    lot_sizes,
    round_lot,
    silver_meal,
    wagner_whitin,
)
from models.requirements.lotsizing import silver_meal_cover, silver_meal_covers, wagner_whitin_cover

BENCHMARK = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "wagner-whitin-1958"
needs_benchmark = pytest.mark.skipif(
    not BENCHMARK.is_dir(),
    reason=f"benchmark folder {BENCHMARK} is not checked out next to the repository",
)

# Wagner & Whitin (1958), Management Science 5(1):89-96, worked example.
WW1958_DEMAND = [69, 29, 36, 61, 61, 26, 34, 67, 45, 67, 79, 56]
WW1958_SETUP = [85, 102, 102, 101, 98, 114, 105, 86, 119, 110, 98, 114]
WW1958_HOLDING = 1.0
WW1958_COST = 864.0
WW1958_ORDER_PERIODS = (0, 2, 4, 7, 9, 10)  # one-based: 1, 3, 5, 8, 10, 11
WW1958_QUANTITIES = (98, 97, 121, 112, 67, 135)


# --------------------------------------------------------------------------
# helpers


def brute_force_cost(
    r: Sequence[float],
    setup: Sequence[float],
    holding: Sequence[float],
    candidates: Sequence[int] | None = None,
) -> float:
    """Least cost over every set of order periods, each order covering up to the next one.

    ``candidates`` limits the order periods (all periods by default). A set
    whose first order comes after a positive requirement is infeasible.
    """
    periods = len(r)
    pool = list(range(periods)) if candidates is None else candidates
    best = math.inf
    for n in range(len(pool) + 1):
        for chosen in itertools.combinations(pool, n):
            first = chosen[0] if chosen else periods
            if any(q > 0 for q in r[:first]):
                continue
            bounds = [*chosen, periods]
            cost = 0.0
            for start, end in itertools.pairwise(bounds):
                lot = sum(r[start:end])
                if lot > 0:
                    cost += setup[start]
                inventory = lot
                for t in range(start, end):
                    inventory -= r[t]
                    cost += holding[t] * inventory
            best = min(best, cost)
    return best


def plan_cost(
    orders: np.ndarray, r: Sequence[float], setup: Sequence[float], holding: Sequence[float]
) -> float:
    """Setup + holding cost of an order plan; fails on a stockout."""
    inventory = np.cumsum(np.asarray(orders, dtype=float) - np.asarray(r, dtype=float))
    assert np.all(inventory >= -1e-9), f"stockout: {inventory}"
    placed = np.asarray(orders) > 0
    return float(np.asarray(setup)[placed].sum() + np.asarray(holding) @ inventory)


def greedy_cover_plan(r: Sequence[float], cover: np.ndarray) -> np.ndarray:
    """Orders placed from the first positive period, each covering ``cover[t]`` periods."""
    orders = np.zeros(len(r))
    t = 0
    while t < len(r):
        if r[t] > 0:
            k = int(cover[t])
            assert 1 <= k <= len(r) - t
            orders[t] = sum(r[t : t + k])
            t += k
        else:
            t += 1
    return orders


def projected_inventory(r: Sequence[float], orders: np.ndarray, on_hand: float) -> np.ndarray:
    return on_hand + np.cumsum(np.asarray(orders) - np.asarray(r, dtype=float))


# --------------------------------------------------------------------------
# Wagner-Whitin (1958)


def test_wagner_whitin_1958_known_answer() -> None:
    """The published optimum: cost 864, orders in periods 1, 3, 5, 8, 10, 11 (one-based)."""
    result = wagner_whitin(WW1958_DEMAND, WW1958_SETUP, WW1958_HOLDING)
    assert result.cost == pytest.approx(WW1958_COST)
    assert result.order_periods == WW1958_ORDER_PERIODS
    assert result.orders[list(WW1958_ORDER_PERIODS)].tolist() == list(WW1958_QUANTITIES)
    assert result.orders.sum() == sum(WW1958_DEMAND)
    assert plan_cost(result.orders, WW1958_DEMAND, WW1958_SETUP, [1.0] * 12) == WW1958_COST


def test_wagner_whitin_1958_cover_reproduces_the_plan() -> None:
    cover = wagner_whitin_cover(WW1958_DEMAND, WW1958_SETUP, WW1958_HOLDING)
    orders = greedy_cover_plan(WW1958_DEMAND, cover)
    assert tuple(int(t) for t in np.flatnonzero(orders)) == WW1958_ORDER_PERIODS
    assert orders[list(WW1958_ORDER_PERIODS)].tolist() == list(WW1958_QUANTITIES)


def test_silver_meal_on_wagner_whitin_1958() -> None:
    """Worked by hand: lots of two periods each, 607 setup + 306 holding = 913."""
    result = silver_meal(WW1958_DEMAND, WW1958_SETUP, WW1958_HOLDING)
    assert result.order_periods == (0, 2, 4, 6, 8, 10)
    assert result.orders[list(result.order_periods)].tolist() == [98, 97, 87, 101, 112, 135]
    assert result.cost == pytest.approx(913.0)


@needs_benchmark
def test_wagner_whitin_1958_from_benchmark_file() -> None:
    with (BENCHMARK / "instance.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    demand = [float(row["demand"]) for row in rows]
    setup = [float(row["setup_cost"]) for row in rows]
    holding = [float(row["holding_cost_per_unit_per_period"]) for row in rows]
    assert demand == WW1958_DEMAND and setup == WW1958_SETUP  # the hard-coded copy is faithful

    reference = _reference()["wagner_whitin_1958_12period"]
    result = wagner_whitin(demand, setup, holding)
    assert result.cost == pytest.approx(reference["value"])
    assert result.order_periods == reference["periods"]
    assert result.orders[list(result.order_periods)].tolist() == reference["quantities"]


# --------------------------------------------------------------------------
# textbook instances (Snyder & Shen, via stockpyl)

TEXTBOOK = {
    "example_3_9": "snyder_shen_example_3_9",
    "problem_3_27": "snyder_shen_problem_3_27",
    "problem_3_29": "snyder_shen_problem_3_29",
    "scmo_ww_hw_c": "scmo_ww_hw_c_with_purchase_cost",
}


def _reference() -> dict[str, dict[str, object]]:
    with (BENCHMARK / "reference.csv").open(newline="") as handle:
        return {
            row["instance"]: {
                "value": float(row["best_known_value"]),
                "periods": tuple(int(p) - 1 for p in row["optimal_order_periods"].split(";")),
                "quantities": [float(q) for q in row["optimal_order_quantities"].split(";")],
            }
            for row in csv.DictReader(handle)
        }


@needs_benchmark
@pytest.mark.parametrize("name", sorted(TEXTBOOK))
def test_textbook_instances(name: str) -> None:
    """Published optima; ``scmo_ww_hw_c``'s value includes the purchase cost (see README)."""
    instances = json.loads((BENCHMARK / "textbook_instances.json").read_text())
    data = instances[name]
    reference = _reference()[TEXTBOOK[name]]
    assert len(data["demand"]) == data["num_periods"]

    result = wagner_whitin(
        data["demand"],
        data["fixed_cost"],
        data["holding_cost"],
        unit_cost=data.get("purchase_cost"),
    )
    assert result.cost == pytest.approx(reference["value"])
    assert result.order_periods == reference["periods"]
    assert result.orders[list(result.order_periods)].tolist() == pytest.approx(
        reference["quantities"]
    )


def test_purchase_cost_instance_hard_coded() -> None:
    """scmo_ww_hw_c: 100 + 400*3 for period 1, 100 + 3000*1 + 540 holding for period 2."""
    result = wagner_whitin(
        [400, 500, 500, 1100, 900], 100, 0.1, unit_cost=[3.0, 1.0, 4.0, 6.0, 6.0]
    )
    assert result.order_periods == (0, 1)
    assert result.orders.tolist() == [400, 3000, 0, 0, 0]
    assert result.cost == pytest.approx(4940.0)
    # without purchase cost the unit-cost-free optimum is a different plan
    assert wagner_whitin([400, 500, 500, 1100, 900], 100, 0.1).order_periods != (0, 1)


# --------------------------------------------------------------------------
# Wagner-Whitin: small cases and conventions


def test_all_zero_and_empty_requirements() -> None:
    for r in ([0, 0, 0], []):
        result = wagner_whitin(r, 10.0, 1.0)
        assert result.order_periods == ()
        assert result.cost == 0.0
        assert result.orders.tolist() == [0.0] * len(r)
        assert silver_meal(r, 10.0, 1.0).order_periods == ()
    assert wagner_whitin_cover([0, 0, 0], 10.0, 1.0).tolist() == [3, 2, 1]
    assert wagner_whitin_cover([], 10.0, 1.0).shape == (0,)


def test_orders_only_in_periods_with_requirement() -> None:
    result = wagner_whitin([0, 0, 5, 0, 3, 0], 100.0, 1.0)
    assert result.order_periods == (2,)
    assert result.orders.tolist() == [0, 0, 8, 0, 0, 0]
    assert result.cost == pytest.approx(100 + 3 * 2)


def test_zero_setup_cost_is_lot_for_lot_and_zero_holding_is_one_lot() -> None:
    r = [4, 0, 7, 1]
    assert wagner_whitin(r, 0.0, 1.0).orders.tolist() == [4, 0, 7, 1]
    assert wagner_whitin(r, 0.0, 1.0).cost == 0.0
    one_lot = wagner_whitin(r, 9.0, 0.0)
    assert one_lot.orders.tolist() == [12, 0, 0, 0]
    assert one_lot.cost == 9.0


def test_per_period_holding_cost_applies_to_end_of_period_inventory() -> None:
    # carrying one unit from period 0 to period 1 costs holding[0], not holding[1]
    assert wagner_whitin([1, 1], 10.0, [3.0, 100.0]).order_periods == (0,)
    assert wagner_whitin([1, 1], 10.0, [11.0, 0.0]).order_periods == (0, 1)


def test_result_is_immutable() -> None:
    result = wagner_whitin([1, 2, 3], 5.0, 1.0)
    assert isinstance(result, LotSizingResult)
    with pytest.raises(ValueError):
        result.orders[0] = 99.0
    with pytest.raises(AttributeError):
        result.cost = 0.0  # type: ignore[misc]
    assert "cost=" in repr(result)


@pytest.mark.parametrize(
    ("requirements", "setup", "holding"),
    [
        ([1, -1], 1.0, 1.0),
        ([1, math.nan], 1.0, 1.0),
        ([[1, 2]], 1.0, 1.0),
        ([1, 2], [1.0, 2.0, 3.0], 1.0),
        ([1, 2], -1.0, 1.0),
        ([1, 2], 1.0, -0.5),
        ([1, 2], 1.0, math.inf),
    ],
)
def test_invalid_input(requirements: object, setup: object, holding: object) -> None:
    with pytest.raises(ValueError):
        wagner_whitin(requirements, setup, holding)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        wagner_whitin_cover(requirements, setup, holding)  # type: ignore[arg-type]


# --------------------------------------------------------------------------
# brute force on random small instances

requirement_lists = st.lists(
    st.one_of(st.just(0), st.integers(min_value=0, max_value=60)), min_size=1, max_size=8
)
costs = st.floats(min_value=0.0, max_value=200.0, allow_nan=False, allow_infinity=False)
holdings = st.floats(min_value=0.0, max_value=5.0, allow_nan=False, allow_infinity=False)


@settings(max_examples=150, deadline=None)
@given(r=requirement_lists, setup=costs, holding=holdings)
def test_wagner_whitin_matches_brute_force(r: list[int], setup: float, holding: float) -> None:
    periods = len(r)
    best = brute_force_cost(r, [setup] * periods, [holding] * periods)
    result = wagner_whitin(r, setup, holding)
    assert result.cost == pytest.approx(best, rel=1e-9, abs=1e-9)
    assert plan_cost(result.orders, r, [setup] * periods, [holding] * periods) == pytest.approx(
        result.cost, rel=1e-9, abs=1e-9
    )
    assert result.order_periods == tuple(np.flatnonzero(result.orders))
    assert all(r[t] > 0 for t in result.order_periods)
    assert result.orders.sum() == sum(r)


@settings(max_examples=150, deadline=None)
@given(r=requirement_lists, setup=costs, holding=holdings)
def test_cover_used_greedily_is_optimal(r: list[int], setup: float, holding: float) -> None:
    periods = len(r)
    cover = wagner_whitin_cover(r, setup, holding)
    assert cover.dtype.kind == "i"
    assert np.all(cover >= 1) and np.all(cover <= periods - np.arange(periods))
    orders = greedy_cover_plan(r, cover)
    cost = plan_cost(orders, r, [setup] * periods, [holding] * periods)
    assert cost == pytest.approx(wagner_whitin(r, setup, holding).cost, rel=1e-9, abs=1e-9)


@settings(max_examples=150, deadline=None)
@given(r=requirement_lists, setup=costs, holding=holdings)
def test_silver_meal_never_beats_wagner_whitin(r: list[int], setup: float, holding: float) -> None:
    periods = len(r)
    heuristic = silver_meal(r, setup, holding)
    optimum = wagner_whitin(r, setup, holding)
    assert heuristic.cost >= optimum.cost - 1e-9 * max(1.0, optimum.cost)
    assert heuristic.orders.sum() == sum(r)
    assert plan_cost(heuristic.orders, r, [setup] * periods, [holding] * periods) == pytest.approx(
        heuristic.cost, rel=1e-9, abs=1e-9
    )


@settings(max_examples=100, deadline=None)
@given(
    data=st.data(),
    r=requirement_lists,
)
def test_per_period_costs_match_brute_force_over_periods_with_requirement(
    data: st.DataObject, r: list[int]
) -> None:
    """With per-period costs, both programmes are exact over plans ordering where r > 0."""
    periods = len(r)
    setup = data.draw(st.lists(costs, min_size=periods, max_size=periods))
    holding = data.draw(st.lists(holdings, min_size=periods, max_size=periods))
    positive = [t for t in range(periods) if r[t] > 0]
    best = brute_force_cost(r, setup, holding, candidates=positive)
    assert wagner_whitin(r, setup, holding).cost == pytest.approx(best, rel=1e-9, abs=1e-9)
    orders = greedy_cover_plan(r, wagner_whitin_cover(r, setup, holding))
    assert plan_cost(orders, r, setup, holding) == pytest.approx(best, rel=1e-9, abs=1e-9)
    assert silver_meal(r, setup, holding).cost >= best - 1e-9 * max(1.0, best)


# --------------------------------------------------------------------------
# Silver-Meal cover


def test_silver_meal_cover_by_hand() -> None:
    # A(1) = 50, A(2) = 90/2 = 45, A(3) = 100/3, A(4) = 130/4 = 32.5, A(5) = 210/5 = 42
    r = [5, 40, 5, 10, 20]
    assert silver_meal_cover(r, 0, 50.0, 1.0) == 4
    assert silver_meal_cover(r, 4, 50.0, 1.0) == 1
    assert silver_meal(r, 50.0, 1.0).orders.tolist() == [60, 0, 0, 0, 20]
    assert wagner_whitin(r, 50.0, 1.0).orders.tolist() == [50, 0, 0, 30, 0]  # 170 < 180


def test_silver_meal_cover_counts_periods_without_requirement() -> None:
    r = [10, 0, 0, 0, 10, 10]
    # A(1) = 100, A(k) = 100/k for k = 2..4 (25), A(5) = (100 + 4*10)/5 = 28: stop at 4
    assert silver_meal_cover(r, 0, 100.0, 1.0) == 4
    # h = 0.1: A(5) = 104/5 = 20.8, A(6) = (104 + 5)/6 = 18.2: no increase, cover all 6
    assert silver_meal_cover(r, 0, 100.0, 0.1) == 6
    # no increase at all: cover to the end of the horizon
    assert silver_meal_cover([10, 0, 0], 0, 100.0, 1.0) == 3
    # the next period's holding outweighs the setup: cover just one period
    assert silver_meal_cover([10, 50], 0, 10.0, 1.0) == 1


def test_silver_meal_cover_bounds() -> None:
    with pytest.raises(ValueError):
        silver_meal_cover([1, 2], 2, 1.0, 1.0)
    with pytest.raises(ValueError):
        silver_meal_cover([1, 2], -1, 1.0, 1.0)


# --------------------------------------------------------------------------
# economic order quantity and lot rounding


@pytest.mark.parametrize(
    ("demand", "setup", "holding", "expected"),
    [
        (100.0, 50.0, 1.0, 100.0),  # sqrt(2 * 100 * 50 / 1)
        (12.0, 75.0, 2.0, 30.0),
        (0.0, 50.0, 1.0, 0.0),
        (100.0, 0.0, 1.0, 0.0),
        (0.0, 0.0, 0.0, 0.0),
        (100.0, 0.0, 0.0, 0.0),
        (100.0, 50.0, 0.0, math.inf),
    ],
)
def test_economic_order_quantity(
    demand: float, setup: float, holding: float, expected: float
) -> None:
    assert economic_order_quantity(demand, setup, holding) == pytest.approx(expected)


@pytest.mark.parametrize("bad", [(-1.0, 1.0, 1.0), (1.0, -1.0, 1.0), (1.0, 1.0, math.nan)])
def test_economic_order_quantity_rejects_invalid(bad: tuple[float, float, float]) -> None:
    with pytest.raises(ValueError):
        economic_order_quantity(*bad)


@pytest.mark.parametrize(
    ("qty", "min_lot", "multiple", "expected"),
    [
        (0.0, 8.0, 5.0, 0.0),  # nothing needed, nothing ordered
        (5.0, 8.0, 0.0, 8.0),
        (23.0, 8.0, 5.0, 25.0),
        (3.0, 8.0, 5.0, 10.0),  # min lot first, then the multiple
        (25.0, 0.0, 5.0, 25.0),
        (0.31, 0.0, 0.1, 0.4),
        (7.000001, 0.0, 1.0, 8.0),  # a real excess, not float noise
        (2.5, 0.0, 2.5, 2.5),
        (1e-12, 0.0, 0.1, 0.1),  # any positive quantity is at least one multiple
    ],
)
def test_round_lot(qty: float, min_lot: float, multiple: float, expected: float) -> None:
    assert round_lot(qty, min_lot, multiple) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("qty", "multiple", "lots"),
    [
        (0.1 + 0.2, 0.1, 3),  # 0.30000000000000004 / 0.1 = 3.0000000000000004
        (3 * 0.1, 0.1, 3),
        (0.7, 0.1, 7),  # 0.7 / 0.1 = 6.999999999999999
        (1.1 * 3, 1.1, 3),  # 3.3000000000000003
        (sum([0.1] * 10), 0.1, 10),  # 0.9999999999999999
        (4.35, 0.05, 87),
        (1e6 * 0.01, 0.01, 1_000_000),
    ],
)
def test_round_lot_float_noise_adds_no_extra_multiple(
    qty: float, multiple: float, lots: int
) -> None:
    result = round_lot(qty, 0.0, multiple)
    assert result == pytest.approx(lots * multiple, rel=1e-12)
    assert result >= qty


def test_round_lot_rejects_negative() -> None:
    with pytest.raises(ValueError):
        round_lot(-1.0, 0.0, 0.0)
    with pytest.raises(ValueError):
        round_lot(1.0, -1.0, 0.0)
    with pytest.raises(ValueError):
        round_lot(1.0, 0.0, -1.0)


@settings(max_examples=200, deadline=None)
@given(
    qty=st.floats(min_value=0.0, max_value=1e5, allow_nan=False),
    min_lot=st.floats(min_value=0.0, max_value=1e3, allow_nan=False),
    multiple=st.sampled_from([0.0, 0.1, 0.25, 1.0, 3.0, 12.0, 0.05]),
)
def test_round_lot_properties(qty: float, min_lot: float, multiple: float) -> None:
    result = round_lot(qty, min_lot, multiple)
    if qty == 0:
        assert result == 0.0
        return
    assert result >= max(qty, min_lot)
    if multiple > 0:
        lots = result / multiple
        assert lots == pytest.approx(round(lots), rel=1e-9)
        assert result - multiple < max(qty, min_lot) * (1 + 1e-9)  # no extra multiple


# --------------------------------------------------------------------------
# reference netting with each rule (worked by hand)

R = [10, 0, 25, 5, 30, 0, 15, 11]  # 96 in all, 12 per period on average


@pytest.mark.parametrize(
    ("rule", "options", "expected"),
    [
        # on hand 12 covers period 0 and 2 units of period 2
        ("LFL", {}, [0, 0, 23, 5, 30, 0, 15, 11]),
        ("LFL", {"safety_stock": 5}, [3, 0, 25, 5, 30, 0, 15, 11]),
        # 23 -> 25 leaves 2; 5 - 2 = 3 -> min 8 -> 10 leaves 7; 30 - 7 = 23 -> 25 ...
        ("LFL", {"min_lot": 8, "lot_multiple": 5}, [0, 0, 25, 10, 25, 0, 15, 10]),
        ("FOQ", {"lot_size": 40}, [0, 0, 40, 0, 40, 0, 0, 40]),
        ("FOQ", {"lot_size": 10, "safety_stock": 5}, [10, 0, 20, 10, 30, 0, 10, 10]),
        # EOQ = sqrt(2 * 12 * 75 / 2) = 30
        ("EOQ", {"setup_cost": 75, "holding_cost": 2}, [0, 0, 30, 0, 30, 0, 30, 0]),
        # no holding cost: EOQ is infinite, the first lot covers the horizon
        ("EOQ", {"setup_cost": 75, "holding_cost": 0}, [0, 0, 84, 0, 0, 0, 0, 0]),
        # no setup cost: EOQ is 0, i.e. lot for lot
        ("EOQ", {"setup_cost": 0, "holding_cost": 2}, [0, 0, 23, 5, 30, 0, 15, 11]),
        ("POQ", {"lot_size": 3}, [0, 0, 58, 0, 0, 0, 26, 0]),
        ("POQ", {"lot_size": 3, "safety_stock": 5}, [28, 0, 0, 35, 0, 0, 26, 0]),
        ("POQ", {"lot_size": 3, "lot_multiple": 20}, [0, 0, 60, 0, 0, 0, 40, 0]),
        # net requirements 0 0 23 5 30 0 15 11; WW cover (S=50, h=1): 2 from period 2,
        # 2 from period 4 (ties with 1: the longer cover), 2 from period 6: cost 166
        ("WW", {"setup_cost": 50, "holding_cost": 1}, [0, 0, 28, 0, 30, 0, 26, 0]),
        # S=100: the lot of period 4 now covers 4..7
        ("WW", {"setup_cost": 100, "holding_cost": 1}, [0, 0, 28, 0, 56, 0, 0, 0]),
        # net 3 0 25 5 30 0 15 11: cover 2 from 0, 2 from 2, 2 from 4, 2 from 6
        (
            "WW",
            {"setup_cost": 50, "holding_cost": 1, "safety_stock": 5},
            [3, 0, 30, 0, 30, 0, 26, 0],
        ),
        # same covers, lots rounded: 3 -> 20 (22 left); 25-22+5 = 8 -> 20; 23 -> 24; 14+11 -> 28
        (
            "WW",
            {
                "setup_cost": 50,
                "holding_cost": 1,
                "safety_stock": 5,
                "min_lot": 20,
                "lot_multiple": 4,
            },
            [20, 0, 20, 0, 24, 0, 28, 0],
        ),
        # SM (S=50, h=1) from period 2: A = 50, 27.5, 38.3 -> 2; from 4: 50, 25, 26.7 -> 2;
        # from 6: 50, 30.5 -> 2
        ("SM", {"setup_cost": 50, "holding_cost": 1}, [0, 0, 28, 0, 30, 0, 26, 0]),
        # S=100 from 4: A = 100, 50, 43.3, 40.75 -> 4 periods
        ("SM", {"setup_cost": 100, "holding_cost": 1}, [0, 0, 28, 0, 56, 0, 0, 0]),
    ],
)
def test_lot_sizes_by_hand(rule: str, options: dict[str, float], expected: list[float]) -> None:
    on_hand = 12.0
    orders = lot_sizes(rule, R, on_hand=on_hand, **options)
    assert orders.tolist() == pytest.approx(expected)
    inventory = projected_inventory(R, orders, on_hand)
    assert np.all(inventory >= options.get("safety_stock", 0.0) - 1e-9)


def test_lot_sizes_ww_and_sm_differ_where_silver_meal_is_myopic() -> None:
    # on hand 3 nets period 0 to 5: net 5 40 5 10 20, the Silver-Meal counterexample above
    r = [8, 40, 5, 10, 20]
    options = {"setup_cost": 50.0, "holding_cost": 1.0, "on_hand": 3.0}
    assert lot_sizes("WW", r, **options).tolist() == [50, 0, 0, 30, 0]
    assert lot_sizes("SM", r, **options).tolist() == [60, 0, 0, 0, 20]


def test_lot_sizes_foq_orders_several_lots_for_a_large_shortfall() -> None:
    assert lot_sizes("FOQ", [100, 10], lot_size=40).tolist() == [120, 0]
    assert lot_sizes("FOQ", [0.3, 0.3], lot_size=0.1).tolist() == pytest.approx([0.3, 0.3])


def test_lot_sizes_on_hand_below_safety_stock_orders_at_once() -> None:
    assert lot_sizes("LFL", [0, 4], on_hand=2, safety_stock=5).tolist() == [3, 4]
    assert lot_sizes("POQ", [0, 4, 6], on_hand=2, safety_stock=5, lot_size=2).tolist() == [7, 0, 6]


def test_lot_sizes_rule_names() -> None:
    r = [3, 0, 4]
    assert lot_sizes("lfl", r).tolist() == lot_sizes(LotRule.LFL, r).tolist() == [3, 0, 4]
    assert lot_sizes(" Ww ", r, setup_cost=10, holding_cost=1).tolist() == [7, 0, 0]
    with pytest.raises(ValueError, match="unknown lot rule"):
        lot_sizes("XYZ", r)
    with pytest.raises(ValueError, match="lot_size"):
        lot_sizes("FOQ", r)
    with pytest.raises(ValueError, match="lot_size"):
        lot_sizes("POQ", r)
    with pytest.raises(ValueError, match="whole number"):
        lot_sizes("POQ", r, lot_size=2.5)
    with pytest.raises(ValueError):
        lot_sizes("FOQ", r, lot_size=0)
    with pytest.raises(ValueError):
        lot_sizes("LFL", r, safety_stock=-1)


def test_lot_sizes_empty_horizon() -> None:
    for rule in LotRule:
        assert lot_sizes(rule, [], lot_size=2).shape == (0,)


@settings(max_examples=100, deadline=None)
@given(r=requirement_lists, setup=costs, holding=holdings)
def test_lot_sizes_ww_without_stock_is_the_optimal_plan(
    r: list[int], setup: float, holding: float
) -> None:
    periods = len(r)
    orders = lot_sizes("WW", r, setup_cost=setup, holding_cost=holding)
    cost = plan_cost(orders, r, [setup] * periods, [holding] * periods)
    assert cost == pytest.approx(wagner_whitin(r, setup, holding).cost, rel=1e-9, abs=1e-9)
    sm = lot_sizes("SM", r, setup_cost=setup, holding_cost=holding)
    assert np.allclose(sm, silver_meal(r, setup, holding).orders)


@settings(max_examples=200, deadline=None)
@given(
    rule=st.sampled_from(list(LotRule)),
    r=st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=10),
    setup=costs,
    holding=holdings,
    lot_size=st.integers(min_value=1, max_value=4),
    min_lot=st.sampled_from([0.0, 7.0, 25.0]),
    multiple=st.sampled_from([0.0, 0.5, 4.0, 10.0]),
    safety=st.sampled_from([0.0, 3.0, 12.5]),
    on_hand=st.sampled_from([0.0, 5.0, 40.0]),
)
def test_lot_sizes_invariants(
    rule: LotRule,
    r: list[int],
    setup: float,
    holding: float,
    lot_size: int,
    min_lot: float,
    multiple: float,
    safety: float,
    on_hand: float,
) -> None:
    orders = lot_sizes(
        rule,
        r,
        setup_cost=setup,
        holding_cost=holding,
        lot_size=lot_size,
        min_lot=min_lot,
        lot_multiple=multiple,
        safety_stock=safety,
        on_hand=on_hand,
    )
    inventory = projected_inventory(r, orders, on_hand)
    assert np.all(inventory >= safety - 1e-9)  # never short of the safety stock
    placed = orders[orders > 0]
    assert np.all(placed >= min_lot)
    if multiple > 0:
        assert np.allclose(placed / multiple, np.round(placed / multiple))
    # an order is only placed when the period would otherwise be short
    before = np.concatenate(([on_hand], inventory[:-1]))
    short = before - np.asarray(r) < safety - 1e-9
    assert np.all(orders[~short] == 0)
    if rule is LotRule.LFL and min_lot == 0 and multiple == 0:
        # lot for lot brings inventory back exactly to the safety stock
        assert np.allclose(inventory[short], safety)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.sampled_from([0.0, 0.0, 3.0, 10.0, 25.5, 40.0]), min_size=1, max_size=15),
    st.sampled_from([0.0, 10.0, 55.0, 200.0]),
    st.sampled_from([0.0, 0.3, 1.0, 4.0]),
)
def test_silver_meal_covers_match_one_start_at_a_time(
    requirements: list[float], setup: float, holding: float
) -> None:
    covers = silver_meal_covers(requirements, setup, holding)
    assert covers.tolist() == [
        silver_meal_cover(requirements, t, setup, holding) for t in range(len(requirements))
    ]
