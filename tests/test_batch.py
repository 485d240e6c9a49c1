"""The batch strategy: the lot-sizing MILP against known answers, on every backend."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pulp
import pytest
from hypothesis import HealthCheck, assume, given, settings

from models import BomLine, Calendar, Item, Problem, WorkCenter
from models.batch import BatchModel, BatchOptions, end_item_bound, plan_batch
from models.batch.bounds import relaxation_bounds
from models.batch.search import _warm_quantities
from models.batch.whole import whole_starts
from models.plan import Plan, SolveStatus
from models.requirements import repair_capacity, wagner_whitin
from models.solvers.backends import CbcBackend, HighsBackend, available_backends
from models.solvers.milp import MilpResult, SolverOptions
from models.strategy import RunOptions
from planner.evaluation import evaluate
from planner.instances import realistic_plant, small_plant
from tests.test_mrp import small_plants, working_days

BACKENDS = available_backends()
EXACT = BatchOptions(mip_gap=0.0, time_limit=30)


def options(solver: str) -> BatchOptions:
    return BatchOptions(solver=solver, mip_gap=0.0, time_limit=30)


@pytest.mark.parametrize("solver", BACKENDS)
def test_uncapacitated_single_item_is_wagner_whitin(solver: str) -> None:
    demand = [69.0, 29, 36, 61, 61, 26, 34, 67, 45, 67, 79, 56]
    days = working_days(len(demand))
    problem = Problem.from_records(
        [Item("A", setup_cost=100, holding_cost=1, backlog_cost=1000)],
        [("A", d, q) for d, q in zip(days, demand, strict=True)],
        calendar=Calendar(days[0], days[-1]),
    )
    plan = plan_batch(problem, options(solver))
    exact = wagner_whitin(np.array(demand), 100.0, 1.0)
    assert plan.status is SolveStatus.OPTIMAL
    assert evaluate(problem, plan).kpis["total_cost"] == pytest.approx(exact.cost)


def two_level_plant() -> Problem:
    days = working_days(6)
    items = [
        Item(
            "FG",
            work_center="W",
            run_time=10,
            setup_time=60,
            setup_cost=50,
            holding_cost=2,
            lead_time=1,
            backlog_cost=30,
        ),
        Item(
            "SA",
            work_center="W",
            run_time=5,
            setup_time=30,
            setup_cost=40,
            holding_cost=1,
            lead_time=1,
        ),
        Item("P", setup_cost=20, holding_cost=0.5, lead_time=0, on_hand=10),
    ]
    demand = [("FG", days[2], 20), ("FG", days[3], 35), ("FG", days[5], 30)]
    return Problem.from_records(
        items,
        demand,
        bom=[BomLine("FG", "SA", 1), BomLine("SA", "P", 2)],
        work_centers=[WorkCenter("W", 480, 60, 3.0)],
        calendar=Calendar(days[0], days[-1]),
    )


def independent_optimum(problem: Problem, *, whole: bool = False) -> float:
    """The contract's version-2 accounting written out variable by variable in PuLP, by CBC.

    Holding, backlog, setups and overtime, the safety cost (``safety_stock_weight``
    x holding cost per unit-day below safety stock) and the end backlog
    (``end_backlog_days`` x backlog cost per unit open on the last day); with
    ``whole``, the starts of whole-unit items are integers.
    """
    items, days = range(problem.n_items), range(problem.n_days)
    model = pulp.LpProblem("check", pulp.LpMinimize)

    def grid(name: str, rows: range, **bounds: Any) -> dict[int, dict[int, pulp.LpVariable]]:
        return {r: {t: model.add_variable(f"{name}_{r}_{t}", **bounds) for t in days} for r in rows}

    x = {
        i: {
            t: model.add_variable(
                f"x_{i}_{t}",
                lowBound=0,
                cat="Integer" if whole and problem.whole_units[i] else "Continuous",
            )
            for t in days
        }
        for i in items
    }
    y = grid("y", items, cat="Binary")
    inv = grid("inv", items, lowBound=0)
    back = grid("back", items, lowBound=0)
    short = grid("short", items, lowBound=0)
    over = grid("over", range(len(problem.work_centers)), lowBound=0)
    settings, last = problem.settings, problem.n_days - 1
    model += (
        pulp.lpSum(
            problem.setup_cost[i] * y[i][t]
            + problem.holding_cost[i] * inv[i][t]
            + problem.backlog_cost[i] * back[i][t]
            + settings.safety_stock_weight * problem.holding_cost[i] * short[i][t]
            for i in items
            for t in days
        )
        + pulp.lpSum(
            w.overtime_cost * over[k][t] for k, w in enumerate(problem.work_centers) for t in days
        )
        + pulp.lpSum(
            settings.end_backlog_days * problem.backlog_cost[i] * back[i][last] for i in items
        )
    )
    for i in items:
        for t in days:
            model += short[i][t] >= problem.safety_stock[i] - inv[i][t]
    parents = {i: [] for i in items}
    for line in problem.bom:
        parents[problem.item_index[line.child]].append(
            (problem.item_index[line.parent], line.qty_per)
        )
    for i in items:
        lead = int(problem.lead_time[i])
        for t in days:
            previous = problem.on_hand[i] if t == 0 else inv[i][t - 1] - back[i][t - 1]
            arrival = x[i][t - lead] if t >= lead else 0
            use = pulp.lpSum(a * x[p][t] for p, a in parents[i])
            model += inv[i][t] - back[i][t] == previous + arrival - problem.demand[i, t] - use
            if problem.demand[i].sum() == 0:
                model += back[i][t] == 0
            model += x[i][t] <= 10_000 * y[i][t]
            if t + lead > problem.n_days - 1:
                model += x[i][t] == 0
    for k in range(len(problem.work_centers)):
        for t in days:
            made = [i for i in items if problem.item_work_center[i] == k]
            model += (
                pulp.lpSum(
                    problem.run_time[i] * x[i][t] + problem.setup_time[i] * y[i][t] for i in made
                )
                <= problem.capacity[k, t] + over[k][t]
            )
            model += over[k][t] <= problem.overtime_capacity[k, t]
    model.solve(pulp.COIN_CMD(path=pulp.PULP_CBC_CMD.pulp_cbc_path, msg=False, gapRel=0))
    return float(pulp.value(model.objective))


def version_two_plant(*, whole: bool) -> Problem:
    """The two-level plant with every version-2 cost at stake.

    Safety stock on FG and P (kept or paid for), a purchased part Q that no
    order can bring within the horizon (its demand is still open on the
    last day, so the end backlog is charged), and a ``qty_per`` of 1.5 that
    makes whole starts of SA cost more than fractional ones.
    """
    problem = two_level_plant()
    days = problem.days
    items = [
        *(
            dataclasses.replace(
                item,
                safety_stock={"FG": 4.0, "P": 15.0}.get(item.code, 0.0),
                whole_units=whole,
            )
            for item in problem.items
        ),
        Item("Q", setup_cost=5, holding_cost=0.2, lead_time=9, backlog_cost=4, whole_units=whole),
    ]
    demand = [("FG", days[2], 21), ("FG", days[3], 35), ("FG", days[5], 29), ("Q", days[4], 6)]
    return Problem.from_records(
        items,
        demand,
        bom=[BomLine("FG", "SA", 1), BomLine("SA", "P", 1.5)],
        work_centers=problem.work_centers,
        calendar=Calendar(days[0], days[-1]),
        settings=dataclasses.replace(problem.settings, end_backlog_days=7),
    )


@pytest.mark.parametrize("solver", BACKENDS)
def test_two_level_plant_matches_an_independent_formulation(solver: str) -> None:
    problem = two_level_plant()
    plan = plan_batch(problem, options(solver))
    evaluation = evaluate(problem, plan)
    assert evaluation.violations == ()
    assert evaluation.kpis["total_cost"] == pytest.approx(independent_optimum(problem), rel=1e-6)
    assert plan.objective == pytest.approx(evaluation.kpis["total_cost"], rel=1e-6)


@pytest.mark.parametrize("solver", BACKENDS)
def test_the_version_two_objective_matches_an_independent_formulation(solver: str) -> None:
    problem = version_two_plant(whole=False)
    plan = plan_batch(problem, options(solver))
    evaluation = evaluate(problem, plan)
    kpis = evaluation.kpis
    assert evaluation.violations == ()
    assert kpis["safety_cost"] > 0
    assert kpis["end_backlog_cost"] == pytest.approx(7 * 4 * 6)
    assert kpis["total_cost"] == pytest.approx(independent_optimum(problem), rel=1e-6)
    assert plan.objective == pytest.approx(kpis["total_cost"], rel=1e-6)


def test_whole_starts_cost_what_the_evaluator_says_and_no_less_than_the_integer_optimum() -> None:
    problem = version_two_plant(whole=True)
    plan = plan_batch(problem, EXACT)
    evaluation = evaluate(problem, plan)
    total = evaluation.kpis["total_cost"]
    assert evaluation.violations == ()
    assert np.array_equal(plan.starts, np.round(plan.starts))
    assert plan.objective == pytest.approx(total, rel=1e-6)
    optimum = independent_optimum(problem, whole=True)
    assert optimum - 1e-6 <= total <= 1.05 * optimum
    assert independent_optimum(problem) < optimum, "whole units must bind on this plant"


def test_the_whole_completion_survives_round_off_in_its_fractional_comparison() -> None:
    # found by hypothesis: the fractional quantities the completion compares
    # against came back 1e-6 short of their parent's need, could not be
    # priced, and the whole plan was thrown away with them
    days = working_days(7)
    made = {"work_center": "W", "run_time": 1.0, "setup_time": 10.0}
    problem = Problem.from_records(
        [
            Item("I0", lot_rule="FOQ", lot_size=1, **made),
            Item("I1", lot_rule="FOQ", lot_size=1),
            Item("I2", **made),
            Item("I3", lot_rule="FOQ", lot_size=1),
            Item("I4", lot_multiple=3, **made),
            Item("I5", min_lot=4, whole_units=True),
        ],
        [("I0", days[1], 2), ("I1", days[3], 25), ("I3", days[6], 1)],
        bom=[BomLine("I1", "I4", 2), BomLine("I1", "I5", 1)],
        work_centers=[WorkCenter("W", 60, 30, 2.0)],
        calendar=Calendar(days[0], days[-1]),
    )
    model = BatchModel(problem, options("cbc"))
    fractional = np.zeros((6, 7))
    fractional[0, :2] = 1
    fractional[1, :3] = [0.5, 19, 6]
    fractional[3] = 1
    fractional[4, [0, 2]] = [39, 12]
    fractional[5, 0] = 25.5
    completion = whole_starts(model, fractional, CbcBackend(), SolverOptions(time_limit=30))
    assert completion is not None
    assert np.array_equal(completion.starts[5], np.round(completion.starts[5]))
    plan = Plan("batch", completion.starts, SolveStatus.FEASIBLE)
    assert evaluate(problem, plan).violations == ()


def test_capacity_peak_is_built_ahead() -> None:
    days = working_days(5)
    problem = Problem.from_records(
        [Item("A", work_center="W", run_time=1, setup_cost=10, holding_cost=1, backlog_cost=100)],
        [("A", days[4], 900)],
        work_centers=[WorkCenter("W", 480)],
        calendar=Calendar(days[0], days[-1]),
    )
    plan = plan_batch(problem, EXACT)
    assert plan.starts[0].tolist() == [0, 0, 0, 420, 480]
    assert evaluate(problem, plan).violations == ()


def test_minimum_lots_and_multiples_are_honoured() -> None:
    days = working_days(6)
    problem = Problem.from_records(
        [Item("A", setup_cost=5, holding_cost=0.1, min_lot=25, lot_multiple=10, backlog_cost=50)],
        [("A", d, 7) for d in days],
        calendar=Calendar(days[0], days[-1]),
    )
    plan = plan_batch(problem, EXACT)
    started = plan.starts[0][plan.starts[0] > 0]
    assert started.size
    assert np.all(started >= 25)
    assert np.allclose(started % 10, 0)


@pytest.mark.parametrize("formulation", ["bigm", "allocation", "ls"])
def test_objective_bounds_the_evaluated_cost_without_safety_stock(formulation: str) -> None:
    problem = small_plant().replace_items(safety_stock=0)
    plan = plan_batch(problem, BatchOptions(time_limit=8, formulation=formulation))
    evaluation = evaluate(problem, plan)
    assert evaluation.violations == ()
    assert plan.objective is not None
    assert plan.bound is not None
    total = evaluation.kpis["total_cost"]
    assert total <= plan.objective + 1e-6 * max(1.0, plan.objective)
    assert plan.bound <= total + 1e-6 * max(1.0, total)


def test_model_size_and_warm_start_vector() -> None:
    problem = small_plant()
    model = BatchModel(problem, BatchOptions(formulation="bigm"))
    start = repair_capacity(problem)
    vector = model.solution_from(start.starts)
    assert vector.shape == (model.milp.n_columns,)
    np.testing.assert_allclose(model.starts_from(vector), start.starts)
    activity = model.milp.matrix @ vector
    assert np.all(activity >= model.milp.row_lower - 1e-6)
    assert np.all(activity <= model.milp.row_upper + 1e-6)


@pytest.mark.parametrize("solver", BACKENDS)
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(problem=small_plants())
def test_random_plants_pass_the_evaluator_and_beat_repaired_mrp(
    solver: str, problem: Problem
) -> None:
    centers = [WorkCenter("W", 60, 30, 2.0)]
    items = [
        dataclasses.replace(item, work_center="W", kind=None, run_time=1.0, setup_time=10.0)
        if k % 2 == 0
        else item
        for k, item in enumerate(problem.items)
    ]
    problem = problem.replace(
        items=tuple(items), work_centers=tuple(centers), capacity=None, overtime_capacity=None
    )
    plan = plan_batch(problem, options(solver))
    evaluation = evaluate(problem, plan)
    assert evaluation.violations == ()
    baseline = evaluate(problem, repair_capacity(problem))
    assert baseline.violations == ()
    comparable = all(
        item.safety_stock == 0 and item.min_lot == 0 and item.lot_multiple == 0
        for item in problem.items
    )
    if comparable:
        assert evaluation.kpis["total_cost"] <= baseline.kpis["total_cost"] + 1e-6


def capacitated(problem: Problem) -> Problem:
    """Every other item made on one tight work center with paid overtime."""
    items = [
        dataclasses.replace(item, work_center="W", kind=None, run_time=1.0, setup_time=10.0)
        if k % 2 == 0
        else item
        for k, item in enumerate(problem.items)
    ]
    return problem.replace(
        items=tuple(items),
        work_centers=(WorkCenter("W", 60, 30, 2.0),),
        capacity=None,
        overtime_capacity=None,
    )


@pytest.mark.parametrize("formulation", ["allocation", "bigm", "ls", "echelon"])
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(problem=small_plants())
def test_relaxation_bound_is_below_the_exact_optimum(formulation: str, problem: Problem) -> None:
    problem = capacitated(problem)
    model = BatchModel(problem, BatchOptions(formulation=formulation))
    exact = HighsBackend().solve(model.milp, SolverOptions(time_limit=30, mip_gap=0.0, threads=1))
    assume(exact.status is SolveStatus.OPTIMAL and exact.x is not None)
    assert exact.objective is not None
    assert np.all(exact.x <= model.column_caps() + 1e-6)
    slack = 1e-6 * max(1.0, abs(exact.objective))
    for seconds in (10.0, 0.0):
        found = relaxation_bounds(model, SolverOptions(time_limit=seconds, threads=1))
        bound = max((b.value for b in found), default=None)
        assert bound is not None
        assert bound <= exact.objective + slack
    separate = end_item_bound(model)
    assert separate is not None
    assert separate.solved == separate.items
    assert separate.value <= exact.objective + slack
    stopped = end_item_bound(model, deadline=0.0)
    assert stopped is not None
    assert (stopped.solved, stopped.value) == (0, model.milp.offset)


def test_end_item_bound_is_exact_for_one_uncapacitated_item() -> None:
    demand = [0.0, 40, 0, 25, 60, 0, 10, 35]
    days = working_days(len(demand))
    problem = Problem.from_records(
        [Item("A", setup_cost=70, holding_cost=1, backlog_cost=3, on_hand=15, lead_time=1)],
        [("A", d, q) for d, q in zip(days, demand, strict=True) if q],
        calendar=Calendar(days[0], days[-1]),
    )
    model = BatchModel(problem, BatchOptions(formulation="bigm"))
    exact = HighsBackend().solve(model.milp, SolverOptions(time_limit=30, mip_gap=0.0, threads=1))
    assert exact.objective is not None
    found = end_item_bound(model)
    assert found is not None
    assert found.value == pytest.approx(exact.objective)


def test_large_model_path_keeps_the_warm_start_setups_and_bounds_them() -> None:
    problem = small_plant().replace_items(safety_stock=0)
    plan = plan_batch(problem, BatchOptions(time_limit=10, full_model_limit=0))
    evaluation = evaluate(problem, plan)
    assert evaluation.violations == ()
    assert plan.status is SolveStatus.HEURISTIC
    assert plan.objective is not None
    assert plan.bound is not None
    assert plan.bound <= plan.objective + 1e-6 * max(1.0, plan.objective)
    baseline = evaluate(problem, repair_capacity(problem)).kpis["total_cost"]
    assert evaluation.kpis["total_cost"] <= baseline + 1e-6


@pytest.mark.parametrize("full_model_limit", [0, 400_000])
def test_tiny_time_limit_returns_a_plan_and_an_honest_status(full_model_limit: int) -> None:
    problem = realistic_plant()
    plan = plan_batch(problem, BatchOptions(time_limit=1, full_model_limit=full_model_limit))
    assert plan.starts.shape == (problem.n_items, problem.n_days)
    assert plan.status in (SolveStatus.TIME_LIMIT, SolveStatus.HEURISTIC)
    if plan.objective is not None and plan.bound is not None:
        assert plan.bound <= plan.objective + 1e-6 * max(1.0, plan.objective)


def test_lots_in_multiples_under_tight_capacity_are_optimised_not_fallen_back_on() -> None:
    days = working_days(6)
    items = [
        Item("A", work_center="W", run_time=1, setup_cost=30, holding_cost=1, lot_multiple=30),
        Item("B", work_center="W", run_time=1, setup_cost=30, holding_cost=1, lot_multiple=20),
    ]
    demand = [("A", days[4], 150), ("B", days[5], 90), ("A", days[5], 30)]
    problem = Problem.from_records(
        items,
        demand,
        work_centers=[WorkCenter("W", 100)],
        calendar=Calendar(days[0], days[-1]),
    )
    plan = plan_batch(problem, BatchOptions.resolve(problem.settings, RunOptions()))
    evaluation = evaluate(problem, plan)

    assert evaluation.violations == ()
    assert not any("is used instead" in m.text for m in plan.messages)
    for i, step in ((0, 30), (1, 20)):
        assert np.all(plan.starts[i] % step == 0), plan.starts[i].tolist()
    repaired = evaluate(problem, repair_capacity(problem)).kpis["total_cost"]
    assert evaluation.kpis["total_cost"] <= repaired


def test_a_warm_start_below_the_minimum_lot_is_resized_not_fallen_back_on() -> None:
    # 150 due on day 4 at 100 units a day, in lots of 10: the repaired plan splits
    # it 50 + 100, below the minimum lot of 80; batch keeps those setups and
    # resizes the lots in their steps.
    days = working_days(5)
    item = Item(
        "A",
        work_center="W",
        run_time=1,
        setup_cost=500,
        holding_cost=1,
        min_lot=80,
        lot_multiple=10,
    )
    problem = Problem.from_records(
        [item],
        [("A", days[4], 150)],
        work_centers=[WorkCenter("W", 100)],
        calendar=Calendar(days[0], days[-1]),
    )
    assert 0 < repair_capacity(problem).starts[0, 3] < 80
    plan = plan_batch(problem, BatchOptions.resolve(problem.settings, RunOptions()))

    assert evaluate(problem, plan).violations == ()
    assert not any("is used instead" in m.text for m in plan.messages)
    started = plan.starts[0][plan.starts[0] > 0]
    assert np.all(started >= 80) and np.all(started % 10 == 0), started.tolist()


@pytest.mark.parametrize("timed_out", [True, False])
def test_the_warm_start_quantities_keep_to_one_time_limit(timed_out: bool) -> None:
    problem = small_plant()
    model = BatchModel(problem, BatchOptions())
    warm = model.solution_from(repair_capacity(problem).starts)
    limits: list[float] = []

    class NoPlan(HighsBackend):
        def solve(self, milp: Any, options: SolverOptions, **_: Any) -> MilpResult:
            limits.append(options.time_limit)
            status = SolveStatus.TIME_LIMIT if timed_out else SolveStatus.INFEASIBLE
            return MilpResult("highs", status, None, None, None, None, 0.0, timed_out=timed_out)

    result = _warm_quantities(model, warm, NoPlan(), SolverOptions(time_limit=5))
    assert result.x is None
    # Stopped by the clock: not solved again; infeasible: once more, in the time left.
    assert len(limits) == (1 if timed_out else 2)
    assert limits[0] == 5 and all(limit <= 5 for limit in limits)


def test_a_model_too_large_to_optimise_returns_the_repaired_plan_and_says_so() -> None:
    problem = small_plant()
    plan = plan_batch(problem, BatchOptions(time_limit=10, optimise_limit=0))
    np.testing.assert_array_equal(plan.starts, repair_capacity(problem).starts)
    assert plan.status is SolveStatus.HEURISTIC
    assert any("more than the 0 it optimises" in m.text for m in plan.messages)
    assert evaluate(problem, plan).violations == ()
    assert plan.objective is not None and plan.bound is not None
    assert plan.bound <= plan.objective
    assert plan.objective == pytest.approx(evaluate(problem, plan).kpis["total_cost"])
