"""The solver backends, each checked on the same known-answer MILPs.

Every correctness test runs on every backend available here (the others are
skipped) and checks each solution with an independent feasibility checker.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from models.errors import PlanningError
from models.plan import SolveStatus
from models.solvers.backends import (
    BACKENDS,
    Backend,
    HighsBackend,
    SolverUnavailableError,
    UnknownSolverError,
    available_backends,
    backend_from_name,
)
from models.solvers.bounds import lagrangian_bound, repair_unbounded
from models.solvers.milp import FloatArray, Milp, MilpResult, Progress, SolverOptions

INF = np.inf
TOL = 1e-6
AVAILABLE = available_backends()
QUICK = SolverOptions(time_limit=20.0, mip_gap=0.0, threads=1)


def backend_params() -> list[object]:
    return [
        pytest.param(
            name, marks=pytest.mark.skipif(name not in AVAILABLE, reason=f"{name} not installed")
        )
        for name in BACKENDS
    ]


@pytest.fixture(params=backend_params())
def backend(request: pytest.FixtureRequest) -> Backend:
    return backend_from_name(str(request.param))


def milp(
    cost: npt.ArrayLike,
    rows: npt.ArrayLike,
    row_lower: npt.ArrayLike,
    row_upper: npt.ArrayLike,
    lower: npt.ArrayLike,
    upper: npt.ArrayLike,
    integer: npt.ArrayLike,
    offset: float = 0.0,
) -> Milp:
    n = len(np.atleast_1d(cost))
    return Milp(
        objective=np.asarray(cost, dtype=float),
        matrix=sp.csr_array(np.asarray(rows, dtype=float).reshape(-1, n)),
        row_lower=np.asarray(row_lower, dtype=float),
        row_upper=np.asarray(row_upper, dtype=float),
        lower=np.asarray(lower, dtype=float),
        upper=np.asarray(upper, dtype=float),
        integer=np.asarray(integer, dtype=bool),
        offset=offset,
    )


def assert_feasible(model: Milp, x: FloatArray | None, tol: float = 1e-6) -> FloatArray:
    """Independent check: bounds, integrality (exact after rounding) and rows."""
    assert x is not None
    assert x.dtype == np.float64
    assert x.shape == (model.n_columns,)
    assert np.all(x >= model.lower - tol)
    assert np.all(x <= model.upper + tol)
    assert np.array_equal(x[model.integer], np.round(x[model.integer]))
    activity = model.matrix @ x
    assert np.all(activity >= model.row_lower - tol)
    assert np.all(activity <= model.row_upper + tol)
    return x


def assert_consistent(model: Milp, result: MilpResult) -> None:
    """Objective, bound and gap agree with the solution and with each other."""
    if result.x is None:
        assert result.objective is None
        return
    objective = result.objective
    assert objective is not None
    assert objective == pytest.approx(model.objective @ result.x + model.offset, abs=TOL)
    if result.bound is not None:
        assert result.bound <= objective + 1e-3 * max(1.0, abs(objective))
        assert result.gap == pytest.approx(
            abs(objective - result.bound) / max(1e-9, abs(objective)), abs=1e-3
        )


# --------------------------------------------------------------------------- instances


def knapsack() -> tuple[Milp, float]:
    """A 10-item 0-1 knapsack (maximise value: minimise its negative), by brute force."""
    value = np.array([15, 10, 9, 5, 12, 7, 3, 11, 8, 6], dtype=float)
    weight = np.array([8, 5, 4, 3, 7, 4, 1, 6, 5, 2], dtype=float)
    capacity = 20.0
    best = max(
        float(value @ np.array(pick))
        for pick in itertools.product((0, 1), repeat=10)
        if weight @ np.array(pick) <= capacity
    )
    model = milp(-value, [weight], [-INF], [capacity], np.zeros(10), np.ones(10), np.ones(10))
    return model, -best


def facility_location() -> tuple[Milp, float]:
    """Three sites, four customers: open sites (binary), assign (continuous, equality rows)."""
    opening = np.array([30.0, 25.0, 40.0])
    serve = np.array(  # serve[i, j]: cost of serving customer j from site i
        [[4.0, 9.0, 12.0, 7.0], [10.0, 3.0, 6.0, 11.0], [8.0, 8.0, 2.0, 3.0]]
    )
    sites, customers = serve.shape
    best = min(
        float(opening @ np.array(open_) + serve[np.array(open_, dtype=bool)].min(axis=0).sum())
        for open_ in itertools.product((0, 1), repeat=sites)
        if any(open_)
    )
    # columns: y_0..y_2, then x_ij row-major
    n = sites + sites * customers
    rows = []
    for j in range(customers):  # every customer fully served: sum_i x_ij = 1
        row = np.zeros(n)
        row[sites + np.arange(sites) * customers + j] = 1.0
        rows.append(row)
    for i in range(sites):  # serve only from open sites: x_ij - y_i <= 0
        for j in range(customers):
            row = np.zeros(n)
            row[sites + i * customers + j] = 1.0
            row[i] = -1.0
            rows.append(row)
    m = len(rows)
    model = milp(
        np.concatenate([opening, serve.ravel()]),
        rows,
        [1.0] * customers + [-INF] * (m - customers),
        [1.0] * customers + [0.0] * (m - customers),
        np.zeros(n),
        np.ones(n),
        [True] * sites + [False] * (sites * customers),
    )
    return model, best


def ranges(offset: float = 0.0) -> Milp:
    """min -x - 2y + z, x + y <= 3.5, -1 <= x - y <= 1, z = 2, x, y integer, x, y, z >= 0.

    Optimum x = 1, y = 2, z = 2, objective -3 (+ offset).
    """
    return milp(
        [-1.0, -2.0, 1.0],
        [[1, 1, 0], [1, -1, 0], [0, 0, 1]],
        [-INF, -1.0, 2.0],
        [3.5, 1.0, 2.0],
        [0.0, 0.0, 0.0],
        [INF, INF, INF],
        [True, True, False],
        offset,
    )


def multi_knapsack(items: int = 40, dims: int = 5, seed: int = 1, offset: float = 0.0) -> Milp:
    """A random multi-dimensional 0-1 knapsack with correlated values: slow to prove."""
    rng = np.random.default_rng(seed)
    weight = rng.integers(1, 1000, size=(dims, items)).astype(float)
    value = weight.sum(axis=0) / dims + rng.integers(0, 100, items)
    return milp(
        -value,
        weight,
        np.full(dims, -INF),
        weight.sum(axis=1) / 2,
        np.zeros(items),
        np.ones(items),
        np.ones(items),
        offset,
    )


# --------------------------------------------------------------------------- known answers


def test_knapsack_matches_brute_force(backend: Backend) -> None:
    model, best = knapsack()
    result = backend.solve(model, QUICK)
    assert result.solver == backend.name
    assert result.status is SolveStatus.OPTIMAL
    x = assert_feasible(model, result.x)
    assert result.objective == pytest.approx(best)
    assert model.objective @ x == pytest.approx(best)
    assert result.bound == pytest.approx(best, abs=1e-3)
    assert result.gap == pytest.approx(0.0, abs=1e-4)
    assert not result.interrupted
    assert_consistent(model, result)


def test_facility_location_matches_brute_force(backend: Backend) -> None:
    model, best = facility_location()
    result = backend.solve(model, QUICK)
    assert result.status is SolveStatus.OPTIMAL
    assert_feasible(model, result.x)
    assert result.objective == pytest.approx(best)
    assert_consistent(model, result)


def test_equality_and_range_rows(backend: Backend) -> None:
    model = ranges()
    result = backend.solve(model, QUICK)
    assert result.status is SolveStatus.OPTIMAL
    x = assert_feasible(model, result.x)
    assert x == pytest.approx([1.0, 2.0, 2.0])
    assert result.objective == pytest.approx(-3.0)


def test_offset_shifts_objective_and_bound(backend: Backend) -> None:
    plain = backend.solve(ranges(), QUICK)
    shifted = backend.solve(ranges(offset=100.0), QUICK)
    assert shifted.objective == pytest.approx(97.0)
    assert plain.objective is not None and plain.bound is not None
    assert shifted.bound == pytest.approx(plain.bound + 100.0, abs=1e-3)
    assert_consistent(ranges(offset=100.0), shifted)


def test_infeasible_model_has_no_solution(backend: Backend) -> None:
    model = milp([1.0, 1.0], [[1, 1], [1, -1]], [3.0, -INF], [INF, -3.5], [0, 0], [1, 1], [1, 1])
    result = backend.solve(model, QUICK)
    assert result.status is SolveStatus.INFEASIBLE
    assert result.x is None
    assert result.objective is None
    assert not result.has_solution


def test_integer_columns_come_back_as_exact_integers(backend: Backend) -> None:
    # 3x + 3y >= 10 with a fractional LP optimum; z continuous, fractional at the optimum
    model = milp(
        [1.0, 1.01, 1.0],
        [[3, 3, 0], [0, 0, 2]],
        [10.0, 1.0],
        [INF, INF],
        [0, 0, 0],
        [10, 10, 10],
        [True, True, False],
    )
    result = backend.solve(model, QUICK)
    x = assert_feasible(model, result.x)
    assert x[:2].sum() == 4.0
    assert x[2] == pytest.approx(0.5)
    assert not np.signbit(x).any()  # no negative zeros


def test_pure_lp_bound_is_its_objective(backend: Backend) -> None:
    model = milp([1.0, 2.0], [[1, 1]], [1.5], [INF], [0, 0], [INF, INF], [False, False], 1.0)
    result = backend.solve(model, QUICK)
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == pytest.approx(2.5)
    assert result.bound == pytest.approx(2.5)
    assert result.gap == pytest.approx(0.0)


def test_columns_outside_every_row_and_free_rows(backend: Backend) -> None:
    # column 1 has no cost and no row; row 1 is free (no bounds at all)
    model = milp(
        [1.0, 0.0, -1.0],
        [[1, 0, 1], [1, 1, 1]],
        [1.0, -INF],
        [INF, INF],
        [0.0, 1.5, 0.0],
        [5.0, 4.0, 3.0],
        [True, True, False],
    )
    result = backend.solve(model, QUICK)
    assert result.status is SolveStatus.OPTIMAL
    assert_feasible(model, result.x)
    assert result.objective == pytest.approx(-3.0)


def test_optimal_warm_start_is_accepted(backend: Backend) -> None:
    model, best = facility_location()
    start = backend_from_name(AVAILABLE[0]).solve(model, QUICK).x
    assert start is not None
    result = backend.solve(model, QUICK, warm_start=start)
    assert result.status is SolveStatus.OPTIMAL
    assert_feasible(model, result.x)
    assert result.objective == pytest.approx(best)


def test_rough_warm_start_is_clipped_and_accepted(backend: Backend) -> None:
    model, best = knapsack()
    result = backend.solve(model, QUICK, warm_start=np.full(model.n_columns, 1.7))
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == pytest.approx(best)


def test_wrong_sizes_are_refused(backend: Backend) -> None:
    model, _ = knapsack()
    with pytest.raises(ValueError, match="warm_start"):
        backend.solve(model, QUICK, warm_start=np.zeros(3))


# --------------------------------------------------------------------------- limits


def test_time_limit_returns_best_solution(backend: Backend) -> None:
    model = multi_knapsack(offset=-5000.0)  # CBC's logged bound leaves the offset out
    options = SolverOptions(time_limit=0.5, mip_gap=0.0, threads=1)
    result = backend.solve(model, options)
    assert result.status in (SolveStatus.TIME_LIMIT, SolveStatus.OPTIMAL)
    assert_feasible(model, result.x)
    assert_consistent(model, result)
    assert result.seconds < options.time_limit + 5.0  # loose: a shared machine
    assert result.bound is not None and result.objective is not None
    assert result.gap is not None and result.gap < 0.1
    if result.status is SolveStatus.TIME_LIMIT:
        assert result.gap > 0.0


def market_split(rows: int = 5, columns: int = 40, seed: int = 0) -> Milp:
    """Cornuéjols-Dawande market split: 0-1 equalities, very hard to satisfy."""
    rng = np.random.default_rng(seed)
    weight = rng.integers(0, 100, size=(rows, columns)).astype(float)
    target = np.floor(weight.sum(axis=1) / 2)
    return milp(
        np.zeros(columns),
        weight,
        target,
        target,
        np.zeros(columns),
        np.ones(columns),
        np.ones(columns),
    )


def test_time_limit_without_solution(backend: Backend) -> None:
    result = backend.solve(market_split(), SolverOptions(time_limit=0.3, threads=1))
    assert result.status is SolveStatus.TIME_LIMIT
    assert result.x is None
    assert result.objective is None
    assert result.gap is None
    assert not result.interrupted


def test_highs_reports_progress() -> None:
    if "highs" not in AVAILABLE:
        pytest.skip("highspy not installed")
    model = multi_knapsack()
    seen: list[Progress] = []
    result = HighsBackend().solve(
        model, SolverOptions(time_limit=0.8, mip_gap=0.0, threads=1), on_progress=seen.append
    )
    assert seen, "no progress reported"
    assert len(seen) <= 2 + 0.8 * 4  # a few per second at most
    times = [p.seconds for p in seen]
    assert times == sorted(times)
    for p in seen:
        if p.incumbent is not None and p.bound is not None:
            assert p.bound <= p.incumbent + 1e-6
            assert p.gap is not None
    assert result.objective is not None
    assert seen[-1].incumbent == pytest.approx(result.objective)


def test_progress_callback_errors_stop_the_solve() -> None:
    if "highs" not in AVAILABLE:
        pytest.skip("highspy not installed")

    def fail(progress: Progress) -> None:
        raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        HighsBackend().solve(
            multi_knapsack(), SolverOptions(time_limit=5.0, mip_gap=0.0), on_progress=fail
        )


_CTRL_C_SCRIPT = """
import os, signal, sys, threading
sys.path.insert(0, sys.argv[2])
from tests.test_solvers import assert_consistent, assert_feasible, multi_knapsack
from models.solvers.backends import backend_from_name
from models.solvers.milp import SolverOptions
model = multi_knapsack(50, 10)
backend = backend_from_name(sys.argv[1])
threading.Timer(2.0, os.kill, (os.getpid(), signal.SIGINT)).start()
result = backend.solve(model, SolverOptions(time_limit=30.0, mip_gap=0.0, threads=1))
assert_feasible(model, result.x)
assert_consistent(model, result)
print(result.interrupted, result.status, round(result.seconds, 1))
"""


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(
            name, marks=pytest.mark.skipif(name not in AVAILABLE, reason=f"{name} not installed")
        )
        for name, cls in BACKENDS.items()
        if cls.supports_interrupt
    ],
)
def test_ctrl_c_stops_and_returns_best_solution(name: str) -> None:
    """Ctrl-C (a real SIGINT, in a separate process) stops the solve and keeps its best plan."""
    root = str(Path(__file__).resolve().parents[1])
    done = subprocess.run(
        [sys.executable, "-c", _CTRL_C_SCRIPT, name, root],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    interrupted, status, seconds = done.stdout.split()[-3:]
    assert interrupted == "True"
    assert status == str(SolveStatus.TIME_LIMIT)
    assert float(seconds) < 10.0


def test_highs_thread_count_can_change_between_solves() -> None:
    if "highs" not in AVAILABLE:
        pytest.skip("highspy not installed")
    model, best = knapsack()
    for threads in (2, 1, 3, 1):
        result = HighsBackend().solve(model, SolverOptions(threads=threads, mip_gap=0.0))
        assert result.objective == pytest.approx(best)


# --------------------------------------------------------------------------- registry


def test_registry_and_factory() -> None:
    assert next(iter(BACKENDS)) == "highs"
    assert set(AVAILABLE) <= set(BACKENDS)
    assert "highs" in AVAILABLE
    assert backend_from_name("  HiGHS ").name == "highs"
    with pytest.raises(UnknownSolverError, match="highs") as raised:
        backend_from_name("gurobi")
    assert isinstance(raised.value, PlanningError)
    assert "gurobi" in str(raised.value)


def test_probe_never_raises() -> None:
    class Broken(HighsBackend):
        name = "broken"

        def _probe(self) -> bool:
            raise ImportError("no such package")

    assert Broken().available() is False


def test_unavailable_backend_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(HighsBackend, "_probe", lambda self: False)
    with pytest.raises(SolverUnavailableError, match="not available"):
        backend_from_name("highs")


# --------------------------------------------------------------------------- agreement


@st.composite
def tiny_milps(draw: st.DrawFn) -> Milp:
    """At most six integer columns (some binary) and up to three rows."""
    n = draw(st.integers(1, 6))
    m = draw(st.integers(1, 3))
    upper = np.array([draw(st.sampled_from([1, 2, 3])) for _ in range(n)], dtype=float)
    rows = np.array([[draw(st.integers(-4, 6)) for _ in range(n)] for _ in range(m)], dtype=float)
    cost = np.array([draw(st.integers(-9, 9)) for _ in range(n)], dtype=float)
    row_lower, row_upper = [], []
    for _ in range(m):
        kind = draw(st.sampled_from(["le", "ge", "eq", "range"]))
        a = float(draw(st.integers(-3, 10)))
        b = a + float(draw(st.integers(0, 6)))
        row_lower.append({"le": -INF, "ge": a, "eq": a, "range": a}[kind])
        row_upper.append({"le": b, "ge": INF, "eq": a, "range": b}[kind])
    offset = float(draw(st.integers(-5, 5)))
    return milp(cost, rows, row_lower, row_upper, np.zeros(n), upper, np.ones(n), offset)


def brute_force(model: Milp) -> float | None:
    ranges_ = [range(int(u) + 1) for u in model.upper]
    points = np.array(list(itertools.product(*ranges_)), dtype=float)
    activity = points @ model.matrix.toarray().T
    ok = np.all((activity >= model.row_lower) & (activity <= model.row_upper), axis=1)
    if not ok.any():
        return None
    return float((points[ok] @ model.objective).min()) + model.offset


@settings(max_examples=25, deadline=None)
@given(tiny_milps())
def test_every_backend_agrees_with_brute_force(model: Milp) -> None:
    best = brute_force(model)
    for name in AVAILABLE:
        result = backend_from_name(name).solve(model, QUICK)
        if best is None:
            assert result.status is SolveStatus.INFEASIBLE, name
            assert result.x is None
        else:
            assert result.status is SolveStatus.OPTIMAL, name
            assert_feasible(model, result.x)
            assert result.objective == pytest.approx(best, abs=1e-6), name


# --------------------------------------------------------------------------- Lagrangian bounds


@settings(max_examples=40, deadline=None)
@given(
    tiny_milps(),
    st.lists(st.floats(-20, 20, allow_nan=False), min_size=3, max_size=3),
)
def test_lagrangian_bound_of_any_multipliers_is_below_the_optimum(
    model: Milp, multipliers: list[float]
) -> None:
    best = brute_force(model)
    y = np.array(multipliers[: model.n_rows])
    for candidate in (y, repair_unbounded(model, y)):
        bound = lagrangian_bound(model, candidate)
        if best is not None:
            assert bound <= best + 1e-9


def test_lagrangian_bound_of_the_optimal_duals_is_the_relaxation() -> None:
    model, best = facility_location()
    relaxation = HighsBackend().relaxation_duals(model, QUICK)
    assert relaxation.row_dual is not None
    assert relaxation.objective is not None
    bound = lagrangian_bound(model, relaxation.row_dual)
    assert bound == pytest.approx(relaxation.objective, abs=1e-6)
    assert bound <= best + 1e-9


def test_unbounded_columns_need_caps_or_repair() -> None:
    # min x0 + x1, x0 - x1 = 0 (x1 without an upper bound), x0 <= 5: optimum 0.
    model = milp([1.0, 1.0], [[1.0, -1.0]], [0.0], [0.0], [0.0, 0.0], [5.0, INF], [False, False])
    y = np.array([-3.0])  # reduced costs: x0 4, x1 -2
    assert lagrangian_bound(model, y) == -INF
    assert lagrangian_bound(model, y, np.array([5.0, 5.0])) == pytest.approx(-10.0)
    repaired = repair_unbounded(model, y)
    assert lagrangian_bound(model, repaired) == pytest.approx(0.0)


def test_stopped_relaxation_still_returns_multipliers() -> None:
    model = multi_knapsack(items=60, dims=8)
    relaxation = HighsBackend().relaxation_duals(model, SolverOptions(time_limit=0.0, threads=1))
    assert relaxation.row_dual is not None
    assert relaxation.row_dual.shape == (model.n_rows,)
    exact = backend_from_name("highs").solve(model, QUICK)
    assert exact.objective is not None
    assert lagrangian_bound(model, relaxation.row_dual) <= exact.objective + 1e-6


def test_a_time_limit_longer_than_a_thread_can_wait_still_solves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    failures: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda hook: failures.append(hook.exc_value))
    model, best = knapsack()
    result = HighsBackend().solve(model, SolverOptions(time_limit=1e11, threads=1))
    time.sleep(0.2)
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == pytest.approx(best)
    assert failures == []
