"""Plan stability in the batch strategy: changes against the previous plan in the frozen window."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from models import Item, Problem
from models.batch import BatchModel, BatchOptions, plan_batch
from models.plan import SolveStatus
from planner.evaluation import evaluate
from tests.test_heijunka import plant

FROZEN = 5
EXACT = BatchOptions(mip_gap=0.0, time_limit=20)


def two_items(demand_a: list[float], demand_b: list[float]) -> Problem:
    items = [
        Item("A", kind="make", work_center="WC", run_time=1, setup_time=30, setup_cost=300,
             unit_cost=10, backlog_cost=40),
        Item("B", kind="make", work_center="WC", run_time=1, setup_time=30, setup_cost=200,
             unit_cost=8, backlog_cost=30),
    ]  # fmt: skip
    return plant(items, {"A": demand_a, "B": demand_b}, n_days=10, capacity=240)


LAST_WEEK = two_items([0, 40, 0, 40, 0, 40, 0, 40, 0, 40], [30, 0, 30, 0, 30, 0, 30, 0, 30, 0])
THIS_WEEK = two_items([60, 0, 0, 70, 0, 40, 0, 40, 0, 40], [0, 0, 50, 30, 10, 0, 30, 0, 30, 0])


@pytest.fixture(scope="module")
def previous_starts() -> np.ndarray:
    plan = plan_batch(LAST_WEEK, EXACT)
    assert plan.status is SolveStatus.OPTIMAL
    return plan.starts


@pytest.fixture(scope="module")
def plain_plan_starts() -> np.ndarray:
    plan = plan_batch(THIS_WEEK, EXACT)
    assert plan.status is SolveStatus.OPTIMAL
    return plan.starts


def stable(previous: np.ndarray, penalty: float) -> BatchOptions:
    return dataclasses.replace(
        EXACT, previous_starts=previous, frozen_days=FROZEN, change_penalty=penalty
    )


def test_the_new_demand_moves_the_plain_plan_in_the_frozen_window(
    previous_starts: np.ndarray, plain_plan_starts: np.ndarray
) -> None:
    moved = np.abs(plain_plan_starts[:, :FROZEN] - previous_starts[:, :FROZEN]).sum()
    assert moved > 50


def test_a_large_penalty_keeps_the_frozen_window_of_the_previous_plan(
    previous_starts: np.ndarray, plain_plan_starts: np.ndarray
) -> None:
    plan = plan_batch(THIS_WEEK, stable(previous_starts, 1e4))
    np.testing.assert_allclose(plan.starts[:, :FROZEN], previous_starts[:, :FROZEN], atol=1e-6)
    assert not np.allclose(plan.starts[:, FROZEN:], previous_starts[:, FROZEN:])
    kept = evaluate(THIS_WEEK, plan).kpis["total_cost"]
    plain = evaluate(THIS_WEEK, dataclasses.replace(plan, starts=plain_plan_starts))
    assert kept >= plain.kpis["total_cost"] - 1e-6


def test_a_zero_penalty_is_the_plain_plan(
    previous_starts: np.ndarray, plain_plan_starts: np.ndarray
) -> None:
    options = stable(previous_starts, 0.0)
    assert not options.keeps_previous_plan
    assert (
        BatchModel(THIS_WEEK, options).milp.n_columns == BatchModel(THIS_WEEK, EXACT).milp.n_columns
    )
    plan = plan_batch(THIS_WEEK, options)
    np.testing.assert_allclose(plan.starts, plain_plan_starts, atol=1e-6)


def test_a_moderate_penalty_trades_cost_against_stability(
    previous_starts: np.ndarray, plain_plan_starts: np.ndarray
) -> None:
    def frozen_change(starts: np.ndarray) -> float:
        return float(np.abs(starts[:, :FROZEN] - previous_starts[:, :FROZEN]).sum())

    def cost(starts: np.ndarray, template: object) -> float:
        plan = dataclasses.replace(template, starts=starts)  # type: ignore[type-var]
        return float(evaluate(THIS_WEEK, plan).kpis["total_cost"])

    kept = plan_batch(THIS_WEEK, stable(previous_starts, 1e4))
    middle = plan_batch(THIS_WEEK, stable(previous_starts, 5.0))
    assert 0 < frozen_change(middle.starts) < frozen_change(plain_plan_starts)
    assert cost(plain_plan_starts, middle) < cost(middle.starts, middle) < cost(kept.starts, kept)


def test_the_penalty_is_in_the_objective_not_the_plan_cost(previous_starts: np.ndarray) -> None:
    plan = plan_batch(THIS_WEEK, stable(previous_starts, 1e4))
    change = np.abs(plan.starts[:, :FROZEN] - previous_starts[:, :FROZEN]).sum()
    total = evaluate(THIS_WEEK, plan).kpis["total_cost"]
    assert plan.objective == pytest.approx(total + 1e4 * change, rel=1e-6, abs=1e-3)


def test_stability_options_are_checked() -> None:
    with pytest.raises(ValueError, match="frozen_days"):
        BatchOptions(frozen_days=-1)
    with pytest.raises(ValueError, match="change_penalty"):
        BatchOptions(change_penalty=-2.0)
    wrong = BatchOptions(previous_starts=np.zeros((3, 4)), frozen_days=2, change_penalty=1.0)
    with pytest.raises(ValueError, match="previous_starts has shape"):
        BatchModel(THIS_WEEK, wrong)
