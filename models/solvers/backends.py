"""Solver backends: one small interface, three open solvers behind it.

Every backend solves the same :class:`~models.solvers.milp.Milp` and answers
with the same :class:`~models.solvers.milp.MilpResult`:

- :class:`HighsBackend` (``"highs"``, the default) through highspy: the model
  is passed in one call from the sparse arrays, progress is reported from
  HiGHS' callbacks, and Ctrl-C stops the search and returns the best
  solution found.
- :class:`CbcBackend` (``"cbc"``): PuLP with the CBC binary bundled in PuLP.
- :class:`OrToolsBackend` (``"ortools"``): OR-Tools' linear solver wrapper
  with SCIP (CBC when SCIP is missing from the build).

Pick one by name with :func:`backend_from_name`; :func:`available_backends`
lists the ones that work here. Each backend's ``build`` gives the native
model (a ``highspy.Highs``, a PuLP problem, a ``pywraplp.Solver``) for
experiments; results never hold it.

Examples
--------
>>> backend = backend_from_name("highs")  # doctest: +SKIP
>>> result = backend.solve(milp, SolverOptions(time_limit=10.0))  # doctest: +SKIP
>>> result.status, result.objective, result.gap  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import sys
import tempfile
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import numpy as np
import numpy.typing as npt

from models.errors import PlanningError
from models.plan import SolveStatus
from models.solvers.milp import (
    FloatArray,
    Milp,
    MilpResult,
    Progress,
    ProgressCallback,
    SolverOptions,
)

IntArray = npt.NDArray[np.intp]

__all__ = [
    "BACKENDS",
    "Backend",
    "CbcBackend",
    "CbcModel",
    "HighsBackend",
    "OrToolsBackend",
    "Relaxation",
    "SolverError",
    "SolverUnavailableError",
    "UnknownSolverError",
    "available_backends",
    "backend_from_name",
]

_T = TypeVar("_T")

_INTEGRALITY_TOLERANCE = 1e-6
"""Integer columns are rounded to the nearest integer; solvers return them
within about this distance of it."""

_WAIT_SECONDS = 0.1
"""How often the calling thread wakes up while a solver runs in a worker."""

_PROGRESS_PERIOD = 0.5
"""Least time between two progress reports (seconds)."""


class UnknownSolverError(PlanningError):
    """A solver name that no backend answers to."""


class SolverUnavailableError(UnknownSolverError):
    """A known solver whose package is missing or broken on this machine."""


class SolverError(PlanningError):
    """A solver failed on a model: a solver error, or an unbounded objective."""


# ---------------------------------------------------------------------------
# The interface
# ---------------------------------------------------------------------------


class Backend(ABC):
    """A solver that solves a :class:`~models.solvers.milp.Milp`.

    Subclasses set :attr:`name`, implement :meth:`_probe` (import the
    package and check that it works), :meth:`build` (the native model) and
    :meth:`solve`.
    """

    name: ClassVar[str]
    """The name :func:`backend_from_name` knows the backend by."""

    supports_progress: ClassVar[bool] = False
    """Whether :meth:`solve` calls ``on_progress`` during a solve."""

    supports_interrupt: ClassVar[bool] = False
    """Whether Ctrl-C stops a solve and returns its best solution
    (otherwise ``KeyboardInterrupt`` propagates)."""

    def available(self) -> bool:
        """Whether the solver can be used here. Never raises.

        Returns
        -------
        bool
            False when the solver's package is missing or broken.
        """
        try:
            return self._probe()
        except Exception:
            return False

    @abstractmethod
    def _probe(self) -> bool:
        """Import the solver's package and check that it can solve; may raise."""

    @abstractmethod
    def build(self, milp: Milp) -> object:
        """Load ``milp`` into the solver's own model object, without solving.

        Parameters
        ----------
        milp
            The model.

        Returns
        -------
        object
            The native model, for experiments.
        """

    @abstractmethod
    def solve(
        self,
        milp: Milp,
        options: SolverOptions,
        *,
        warm_start: FloatArray | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> MilpResult:
        """Solve ``milp`` within the limits of ``options``.

        Parameters
        ----------
        milp
            The model.
        options
            Time limit, gap, threads, verbosity.
        warm_start
            A starting point, one value per column (best feasible); solvers
            may ignore a point they cannot use.
        on_progress
            Called from the calling thread, at most a few times per second,
            with the solve's progress, by backends that can report it.

        Returns
        -------
        MilpResult
            Status, solution (column order, integer columns rounded),
            objective and bound (offset included), gap and wall-clock time.
        """

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


@dataclass(frozen=True, eq=False)
class Relaxation:
    """Multipliers of a linear relaxation: ``row_dual`` (``None`` if the solver gave none),
    the relaxation's optimum when it was proved (else ``None``), and the seconds taken."""

    row_dual: FloatArray | None
    objective: float | None
    seconds: float


# ---------------------------------------------------------------------------
# Helpers shared by the backends
# ---------------------------------------------------------------------------


def _check(milp: Milp, warm_start: FloatArray | None) -> FloatArray | None:
    """Check that the model's arrays agree in size; return the start as floats."""
    n, m = milp.n_columns, milp.n_rows
    sizes = {
        "lower": milp.lower.shape,
        "upper": milp.upper.shape,
        "integer": milp.integer.shape,
        "row_lower": milp.row_lower.shape,
        "row_upper": milp.row_upper.shape,
        "matrix": milp.matrix.shape,
    }
    expected = {
        "lower": (n,),
        "upper": (n,),
        "integer": (n,),
        "row_lower": (m,),
        "row_upper": (m,),
        "matrix": (m, n),
    }
    wrong = [
        f"{k} has shape {sizes[k]}, expected {v}" for k, v in expected.items() if sizes[k] != v
    ]
    if warm_start is not None:
        warm_start = np.asarray(warm_start, dtype=np.float64)
        if warm_start.shape != (n,):
            wrong.append(f"warm_start has shape {warm_start.shape}, expected {(n,)}")
    if wrong:
        raise ValueError("Inconsistent Milp: " + "; ".join(wrong))
    return warm_start


def _clean(milp: Milp, values: Any) -> FloatArray:
    """A solver's column values as floats, integer columns rounded."""
    x = np.array(values, dtype=np.float64).reshape(milp.n_columns)
    x[milp.integer] = np.round(x[milp.integer])
    return x + 0.0  # no negative zeros


def _start_point(milp: Milp, warm_start: FloatArray) -> tuple[IntArray, FloatArray]:
    """The known entries of a warm start (``nan`` = unknown), inside bounds, integers rounded.

    Returns the column indices and their values.
    """
    known = np.flatnonzero(np.isfinite(warm_start))
    x = np.clip(warm_start[known], milp.lower[known], milp.upper[known])
    whole = milp.integer[known]
    x[whole] = np.round(x[whole])
    return known, np.clip(x, milp.lower[known], milp.upper[known])


def _objective(milp: Milp, x: FloatArray) -> float:
    return float(milp.objective @ x) + milp.offset


def _gap(objective: float | None, bound: float | None) -> float | None:
    """Relative gap, the same definition as :attr:`Progress.gap` and HiGHS'."""
    return Progress(0.0, objective, bound).gap


def _as_any(array: FloatArray) -> Any:
    """An array for a binding whose type stubs name the dtype wrongly."""
    return array


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _objective_bounded_by_box(milp: Milp) -> bool:
    """Whether column bounds alone keep the objective from going to minus infinity."""
    c = milp.objective
    return bool(np.all(np.isfinite(milp.lower[c > 0])) and np.all(np.isfinite(milp.upper[c < 0])))


def _unbounded_or_infeasible(milp: Milp, solver: str) -> SolveStatus:
    """Resolve a solver's "unbounded or infeasible" answer, or raise."""
    if _objective_bounded_by_box(milp):
        return SolveStatus.INFEASIBLE  # the bounds rule out unboundedness
    raise SolverError(
        f"{solver}: the model is unbounded (or infeasible): the objective can decrease "
        "without limit; check the costs and bounds of the formulation"
    )


def _run_interruptibly(
    work: Callable[[], _T],
    stop: Callable[[], object],
    poll: Callable[[], None] | None = None,
) -> tuple[_T, bool]:
    """Run ``work`` in a worker thread; Ctrl-C calls ``stop`` and keeps waiting.

    The calling thread waits for the worker, calls ``poll`` about every
    :data:`_WAIT_SECONDS`, and on a first ``KeyboardInterrupt`` asks the
    solver to stop (``stop``) and waits for it to return its best solution;
    a second ``KeyboardInterrupt`` propagates. An exception from ``poll``
    stops the solver too and propagates once the worker has finished.

    Returns
    -------
    tuple
        What ``work`` returned, and whether Ctrl-C was pressed.
    """
    done = threading.Event()
    answer: list[_T] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            answer.append(work())
        except BaseException as error:
            failure.append(error)
        finally:
            done.set()

    threading.Thread(target=target, name="milp-solve", daemon=True).start()
    interrupted = False
    while not done.is_set():
        try:
            if not done.wait(_WAIT_SECONDS) and poll is not None:
                poll()
        except KeyboardInterrupt:
            if interrupted:
                raise
            interrupted = True
            stop()
        except BaseException:
            stop()
            done.wait()
            raise
    if failure:
        raise failure[0]
    return answer[0], interrupted


class _ProgressRelay:
    """Carries progress from solver callbacks (any thread) to ``on_progress``.

    Callbacks store the latest state with :meth:`record`; the calling thread
    hands it on with :meth:`report`, at most once per :data:`_PROGRESS_PERIOD`
    and only when it changed.
    """

    def __init__(self, on_progress: ProgressCallback | None, start: float) -> None:
        self.on_progress = on_progress
        self.start = start
        self.latest: Progress | None = None
        self.reported: Progress | None = None
        self.reported_at = -math.inf

    def record(self, incumbent: float, bound: float) -> None:
        self.latest = Progress(time.perf_counter() - self.start, _finite(incumbent), _finite(bound))

    def report(self, *, final: bool = False) -> None:
        latest = self.latest
        if self.on_progress is None or latest is None:
            return
        if self.reported is not None and (latest.incumbent, latest.bound) == (
            self.reported.incumbent,
            self.reported.bound,
        ):
            return
        now = time.perf_counter()
        if not final and now - self.reported_at < _PROGRESS_PERIOD:
            return
        self.reported, self.reported_at = latest, now
        self.on_progress(latest)


# ---------------------------------------------------------------------------
# HiGHS
# ---------------------------------------------------------------------------


def _configure(highs: Any, settings: dict[str, bool | float | int | str]) -> None:
    """Set HiGHS options, failing loudly on one it rejects."""
    import highspy

    for option, value in settings.items():
        if highs.setOptionValue(option, value) == highspy.HighsStatus.kError:
            raise SolverError(f"highs: cannot set option {option} = {value!r}")


def _run_until(
    highs: Any,
    time_limit: float,
    stop_requested: threading.Event,
    poll: Callable[[], None] | None = None,
) -> tuple[Any, bool]:
    """Run HiGHS in a worker thread, asking it to stop shortly after ``time_limit``.

    HiGHS checks its own time limit only now and then (not inside a long
    root cut round); past a small grace, ``stop_requested`` is set, which the
    caller's interrupt callbacks pass on. Ctrl-C stops it the same way
    (:func:`_run_interruptibly`). Returns HiGHS' run status and whether the
    run was interrupted.
    """
    import highspy

    def run() -> Any:
        try:
            return highs.run()
        finally:
            # Release this worker thread's task scheduler, as highspy does
            # after its own threaded solves (HiGHS issue 1886: a scheduler
            # left behind by a finished thread can deadlock later solves).
            highspy.Highs.resetThreadScheduler(False)

    overdue = threading.Timer(time_limit * 1.05 + 1.0, stop_requested.set)
    overdue.daemon = True
    overdue.start()
    try:
        return _run_interruptibly(run, stop_requested.set, poll)
    finally:
        overdue.cancel()


LARGE_LP_COLUMNS = 200_000
"""Linear programs this large go to HiGHS' interior-point method without crossover.

On the large plant's quantity re-optimisation (781,200 columns, setups
fixed) dual simplex had not finished after 486 s; the interior-point
method solves it in about 110 s on two cores. Its solution is an interior
point rather than a vertex, which is all a plan needs.
"""

_HIGHS_GREETED = threading.Event()


def _silent_highs() -> Any:
    """A new ``highspy.Highs``, without the banner HiGHS prints on the first one.

    HiGHS writes its version banner straight to the process's standard
    output when the first instance is made, before any option can silence
    it; that would break ``planner compare --json -``. The first instance is
    therefore made with file descriptor 1 pointed at the null device.
    """
    import highspy

    if _HIGHS_GREETED.is_set():
        return highspy.Highs()  # type: ignore[no-untyped-call]
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with Path(os.devnull).open("w") as sink:
            os.dup2(sink.fileno(), 1)
            try:
                highs = highspy.Highs()  # type: ignore[no-untyped-call]
            finally:
                os.dup2(saved, 1)
    finally:
        os.close(saved)
    _HIGHS_GREETED.set()
    return highs


class HighsBackend(Backend):
    """HiGHS through highspy, the default backend.

    The model goes to HiGHS in one ``passModel`` call from the CSR arrays.
    The solve runs in a worker thread: the calling thread reports progress
    (from HiGHS' MIP callbacks) and, on Ctrl-C, asks HiGHS to stop through
    its interrupt callbacks; the result then has status ``time_limit``,
    ``interrupted=True`` and the best solution found. A second Ctrl-C while
    HiGHS winds down raises ``KeyboardInterrupt``. HiGHS checks for an
    interrupt between MIP nodes and simplex or IPM iterations, not inside
    presolve or a MIP's root LP.
    """

    name = "highs"
    supports_progress = True
    supports_interrupt = True

    def _probe(self) -> bool:
        import highspy

        return hasattr(highspy, "Highs") and hasattr(highspy.Highs, "passModel")

    def build(self, milp: Milp) -> Any:
        """Load ``milp`` into a new ``highspy.Highs``, without solving.

        Parameters
        ----------
        milp
            The model.

        Returns
        -------
        highspy.Highs
            The model, silenced; :meth:`solve` sets its options.
        """
        import highspy

        _check(milp, None)
        highs = _silent_highs()
        highs.setOptionValue("output_flag", False)
        matrix = milp.matrix
        status = highs.passModel(
            milp.n_columns,
            milp.n_rows,
            int(matrix.nnz),
            int(highspy.MatrixFormat.kRowwise),
            int(highspy.ObjSense.kMinimize),
            float(milp.offset),
            np.ascontiguousarray(milp.objective, dtype=np.float64),
            np.ascontiguousarray(milp.lower, dtype=np.float64),
            np.ascontiguousarray(milp.upper, dtype=np.float64),
            np.ascontiguousarray(milp.row_lower, dtype=np.float64),
            np.ascontiguousarray(milp.row_upper, dtype=np.float64),
            np.ascontiguousarray(matrix.indptr, dtype=np.int32),
            np.ascontiguousarray(matrix.indices, dtype=np.int32),
            np.ascontiguousarray(matrix.data, dtype=np.float64),
            milp.integer.astype(np.int32),
        )
        if status == highspy.HighsStatus.kError:
            raise SolverError("highs: the model was rejected (passModel failed)")
        return highs

    def solve(
        self,
        milp: Milp,
        options: SolverOptions,
        *,
        warm_start: FloatArray | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> MilpResult:
        """Solve ``milp`` with HiGHS; see :meth:`Backend.solve`."""
        import highspy

        start = time.perf_counter()
        warm_start = _check(milp, warm_start)
        highs = self.build(milp)
        settings: dict[str, bool | float | int | str] = {
            "output_flag": options.verbose,
            "time_limit": float(options.time_limit),
            "mip_rel_gap": float(options.mip_gap),
            "threads": max(0, int(options.threads)),
        }
        if options.node_limit is not None:
            settings["mip_max_nodes"] = max(0, int(options.node_limit))
        if not milp.integer.any() and milp.n_columns >= LARGE_LP_COLUMNS:
            settings |= {"solver": "ipm", "run_crossover": "off"}
        _configure(highs, settings)
        if warm_start is not None:
            known, values = _start_point(milp, warm_start)
            highs.setSolution(known.size, known.astype(np.int32), values)

        relay = _ProgressRelay(on_progress, start)
        stop_requested = threading.Event()

        def on_interrupt_check(event: Any) -> None:
            if stop_requested.is_set():
                event.interrupt()

        def on_mip_check(event: Any) -> None:
            data = event.data_out
            relay.record(data.mip_primal_bound, data.mip_dual_bound)
            if stop_requested.is_set():
                event.interrupt()

        def on_improving(event: Any) -> None:
            data = event.data_out
            relay.record(data.objective_function_value, data.mip_dual_bound)

        highs.cbMipInterrupt.subscribe(on_mip_check)
        highs.cbMipImprovingSolution.subscribe(on_improving)
        highs.cbSimplexInterrupt.subscribe(on_interrupt_check)
        highs.cbIpmInterrupt.subscribe(on_interrupt_check)

        run_status, interrupted = _run_until(
            highs, options.time_limit, stop_requested, relay.report
        )
        relay.report(final=True)
        if run_status == highspy.HighsStatus.kError:
            raise SolverError(
                f"highs: the solve failed ({highs.modelStatusToString(highs.getModelStatus())})"
            )
        return self._result(milp, highs, interrupted, time.perf_counter() - start)

    def relaxation_duals(self, milp: Milp, options: SolverOptions) -> Relaxation:
        """Row duals of the linear relaxation of ``milp``, also when stopped at the time limit.

        Dual simplex without presolve, so that a solve stopped at its limit
        still has the multipliers of its last basis (presolve would leave
        them in the reduced model). Whatever they are, they give a valid
        lower bound through :func:`models.solvers.bounds.lagrangian_bound`;
        the longer the solve runs, the closer they are to the optimal duals.
        The solve is stopped a little after ``options.time_limit`` even
        when HiGHS does not check its own limit.
        """
        import highspy

        start = time.perf_counter()
        lp = dataclasses.replace(milp, integer=np.zeros_like(milp.integer))
        highs = self.build(lp)
        settings: dict[str, bool | float | int | str] = {
            "output_flag": options.verbose,
            "time_limit": max(0.0, float(options.time_limit)),
            "threads": max(0, int(options.threads)),
            "solver": "simplex",
            "presolve": "off",
        }
        _configure(highs, settings)
        stop_requested = threading.Event()

        def on_interrupt_check(event: Any) -> None:
            if stop_requested.is_set():
                event.interrupt()

        highs.cbSimplexInterrupt.subscribe(on_interrupt_check)

        _run_until(highs, options.time_limit, stop_requested)
        optimal = highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
        solution = highs.getSolution()
        duals = np.array(solution.row_dual, dtype=np.float64)
        return Relaxation(
            row_dual=duals if duals.shape == (milp.n_rows,) else None,
            objective=float(highs.getInfo().objective_function_value) if optimal else None,
            seconds=time.perf_counter() - start,
        )

    def _result(self, milp: Milp, highs: Any, interrupted: bool, seconds: float) -> MilpResult:
        import highspy

        model_status = highs.getModelStatus()
        info = highs.getInfo()
        has_solution = info.primal_solution_status == int(highspy.kSolutionStatusFeasible)
        codes = highspy.HighsModelStatus
        stopped = {
            codes.kTimeLimit,
            codes.kInterrupt,
            getattr(codes, "kHighsInterrupt", codes.kInterrupt),
            codes.kIterationLimit,
            codes.kSolutionLimit,
            codes.kObjectiveBound,
            codes.kObjectiveTarget,
            codes.kMemoryLimit,
        }
        clock = {codes.kTimeLimit, codes.kInterrupt, getattr(codes, "kHighsInterrupt", None)}
        if model_status == codes.kOptimal:
            status = SolveStatus.OPTIMAL
        elif model_status == codes.kModelEmpty:
            status, has_solution = SolveStatus.OPTIMAL, True
        elif model_status == codes.kInfeasible:
            status, has_solution = SolveStatus.INFEASIBLE, False
        elif model_status in (codes.kUnbounded, codes.kUnboundedOrInfeasible):
            status, has_solution = _unbounded_or_infeasible(milp, self.name), False
        elif model_status in stopped:
            status = SolveStatus.TIME_LIMIT
        elif model_status == codes.kUnknown and has_solution:
            status = SolveStatus.FEASIBLE
        else:
            raise SolverError(f"highs: {highs.modelStatusToString(model_status)}")

        x = objective = bound = gap = None
        if has_solution:
            x = _clean(milp, highs.getSolution().col_value) if milp.n_columns else np.zeros(0)
            objective = _objective(milp, x)
        if milp.integer.any():
            if status is not SolveStatus.INFEASIBLE:
                bound = _finite(info.mip_dual_bound)
            if objective is not None and bound is not None:
                reported = float(info.mip_gap)
                gap = reported if 0 <= reported < math.inf else _gap(objective, bound)
        elif status is SolveStatus.OPTIMAL:
            bound, gap = objective, 0.0  # an optimal LP: the dual objective equals it
        return MilpResult(
            solver=self.name,
            status=status,
            x=x,
            objective=objective,
            bound=bound,
            gap=gap,
            seconds=seconds,
            interrupted=interrupted,
            timed_out=interrupted or model_status in clock,
        )


# ---------------------------------------------------------------------------
# CBC through PuLP
# ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class CbcModel:
    """A PuLP problem built from a :class:`Milp`, and its variables in column order."""

    problem: Any
    variables: list[Any]


_CBC_LOWER_BOUND = re.compile(r"^Lower bound:\s*(\S+)", re.MULTILINE)
_CBC_RESULT = re.compile(r"^Result - (.+)$", re.MULTILINE)


class CbcBackend(Backend):
    """CBC through PuLP, with the CBC binary bundled in PuLP.

    PuLP writes the model to an MPS file and runs CBC on it. CBC's log is
    captured to read its final lower bound (printed to three decimals); when
    CBC proves optimality without a gap it prints none and the bound is the
    objective. No progress is reported, and Ctrl-C is not handled: it raises
    ``KeyboardInterrupt``. Building the PuLP model costs Python work per
    nonzero: expect about ten seconds per million nonzeros.
    """

    name = "cbc"

    def _probe(self) -> bool:
        return bool(self._command(msg=False).available())

    @staticmethod
    def _command(**settings: Any) -> Any:
        import pulp  # type: ignore[import-untyped]

        # PuLP's bundled binary, called through COIN_CMD (PULP_CBC_CMD is deprecated).
        return pulp.COIN_CMD(path=pulp.PULP_CBC_CMD.pulp_cbc_path, **settings)

    def build(self, milp: Milp) -> CbcModel:
        """Build a PuLP problem for ``milp``, without solving.

        Range rows become two constraints (``r<i>`` and ``r<i>_lo``); free
        rows are left out. Every column is in the objective (some with cost
        zero) so that PuLP writes and reads back all of them.

        Parameters
        ----------
        milp
            The model.

        Returns
        -------
        CbcModel
            The problem and its variables in column order.
        """
        import pulp

        _check(milp, None)
        problem = pulp.LpProblem("milp", pulp.LpMinimize)
        lower = [v if math.isfinite(v) else None for v in milp.lower.tolist()]
        upper = [v if math.isfinite(v) else None for v in milp.upper.tolist()]
        kinds = [pulp.LpInteger if k else pulp.LpContinuous for k in milp.integer.tolist()]
        variables = [
            problem.add_variable(f"x{j}", lo, up, kind)
            for j, (lo, up, kind) in enumerate(zip(lower, upper, kinds, strict=True))
        ]
        problem.setObjective(
            pulp.LpAffineExpression(
                zip(variables, milp.objective.tolist(), strict=True), constant=float(milp.offset)
            )
        )
        matrix = milp.matrix
        starts, columns, values = (
            matrix.indptr.tolist(),
            matrix.indices.tolist(),
            matrix.data.tolist(),
        )
        row_lower, row_upper = milp.row_lower.tolist(), milp.row_upper.tolist()
        add = problem.addConstraint
        for i in range(milp.n_rows):
            lo, up = row_lower[i], row_upper[i]
            begin, end = starts[i], starts[i + 1]
            terms = [
                (variables[j], a)
                for j, a in zip(columns[begin:end], values[begin:end], strict=True)
            ]
            if lo == up:
                add(pulp.LpConstraint(terms, pulp.LpConstraintEQ, f"r{i}", up))
                continue
            if math.isfinite(up):
                add(pulp.LpConstraint(terms, pulp.LpConstraintLE, f"r{i}", up))
            if math.isfinite(lo):
                add(pulp.LpConstraint(terms, pulp.LpConstraintGE, f"r{i}_lo", lo))
        return CbcModel(problem, variables)

    def solve(
        self,
        milp: Milp,
        options: SolverOptions,
        *,
        warm_start: FloatArray | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> MilpResult:
        """Solve ``milp`` with CBC; see :meth:`Backend.solve`.

        ``on_progress`` is accepted and never called.
        """
        import pulp

        start = time.perf_counter()
        warm_start = _check(milp, warm_start)
        model = self.build(milp)
        if warm_start is not None:
            known, values = _start_point(milp, warm_start)
            for column, value in zip(known.tolist(), values.tolist(), strict=True):
                model.variables[column].setInitialValue(value, check=False)
        with tempfile.TemporaryDirectory(prefix="cbc-") as folder:
            log_path = Path(folder) / "cbc.log"
            command = self._command(
                msg=False,
                timeLimit=options.time_limit if math.isfinite(options.time_limit) else None,
                gapRel=options.mip_gap,
                threads=options.threads if options.threads > 0 else None,
                maxNodes=options.node_limit,
                warmStart=warm_start is not None,
                logPath=str(log_path),
            )
            with _LogEcho(log_path, enabled=options.verbose):
                try:
                    model.problem.solve(command)
                except pulp.PulpSolverError as error:
                    raise SolverError(f"cbc: {error}") from error
            log = log_path.read_text(errors="replace") if log_path.exists() else ""

        solution_status = model.problem.sol_status
        if model.problem.status == pulp.LpStatusInfeasible:
            # "Integer infeasible" may come from preprocessing that cannot tell
            # an infeasible model from an unbounded one
            status = (
                _unbounded_or_infeasible(milp, self.name)
                if "infeasible or unbounded" in log
                else SolveStatus.INFEASIBLE
            )
        elif solution_status == pulp.LpSolutionOptimal:
            status = SolveStatus.OPTIMAL
        elif solution_status == pulp.LpSolutionIntegerFeasible:
            status = SolveStatus.TIME_LIMIT
        elif solution_status == pulp.LpSolutionUnbounded:
            status = _unbounded_or_infeasible(milp, self.name)
        elif solution_status == pulp.LpSolutionNoSolutionFound and _cbc_stopped(log):
            status = SolveStatus.TIME_LIMIT
        else:
            result = _CBC_RESULT.search(log)
            raise SolverError(f"cbc: {result.group(1) if result else 'no answer'}")

        x = objective = bound = None
        if status in (SolveStatus.OPTIMAL, SolveStatus.TIME_LIMIT) and (
            solution_status != pulp.LpSolutionNoSolutionFound
        ):
            answers = [v.varValue for v in model.variables]
            if any(v is None for v in answers):
                raise SolverError("cbc: the solution misses some columns")
            x = _clean(milp, answers)
            objective = _objective(milp, x)
        if status is not SolveStatus.INFEASIBLE:
            bound = _cbc_bound(log, milp.offset)
            if bound is None and status is SolveStatus.OPTIMAL:
                bound = objective  # proved optimal with no gap left
        return MilpResult(
            solver=self.name,
            status=status,
            x=x,
            objective=objective,
            bound=bound,
            gap=_gap(objective, bound),
            seconds=time.perf_counter() - start,
            timed_out=status is SolveStatus.TIME_LIMIT and _cbc_timed_out(log),
        )


def _cbc_timed_out(log: str) -> bool:
    """Whether CBC's log says its time limit stopped it (rather than a node limit)."""
    result = _CBC_RESULT.search(log)
    return result is None or "time" in result.group(1).lower()


def _cbc_stopped(log: str) -> bool:
    """Whether CBC's log says it stopped at a limit (rather than failing)."""
    result = _CBC_RESULT.search(log)
    return result is not None and result.group(1).startswith("Stopped")


def _cbc_bound(log: str, offset: float) -> float | None:
    """CBC's final lower bound from its log, with the offset (CBC omits it)."""
    found = _CBC_LOWER_BOUND.search(log)
    if found is None:
        return None
    try:
        value = float(found.group(1))
    except ValueError:
        return None
    return value + offset if math.isfinite(value) else None


class _LogEcho:
    """While CBC runs, copy what it writes to its log file to standard output."""

    def __init__(self, path: Path, *, enabled: bool) -> None:
        self.path = path
        self.enabled = enabled
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._follow, name="cbc-log", daemon=True)

    def __enter__(self) -> _LogEcho:
        if self.enabled:
            self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self.done.set()
            self.thread.join()

    def _follow(self) -> None:
        while not self.path.exists() and not self.done.wait(0.05):
            pass
        if not self.path.exists():
            return
        with self.path.open(errors="replace") as log:
            while True:
                finished = self.done.wait(0.2)
                sys.stdout.write(log.read())
                sys.stdout.flush()
                if finished:
                    return


# ---------------------------------------------------------------------------
# OR-Tools
# ---------------------------------------------------------------------------


class OrToolsBackend(Backend):
    """OR-Tools' linear solver wrapper (``pywraplp``) with SCIP, else CBC.

    The model is filled in bulk from the sparse arrays by OR-Tools' model
    builder and loaded into a ``pywraplp.Solver`` from its model proto. The
    solve runs in a worker thread; Ctrl-C interrupts it (SCIP's own Ctrl-C
    handler is switched off so that the result says ``interrupted=True``).
    No progress is reported.

    Parameters
    ----------
    engine
        The pywraplp solver id; by default ``"SCIP"`` when this OR-Tools
        build has it, else ``"CBC"``.
    """

    name = "ortools"
    supports_interrupt = True

    _ENGINES: ClassVar[tuple[str, ...]] = ("SCIP", "CBC")

    def __init__(self, engine: str | None = None) -> None:
        self._engine = engine

    def __repr__(self) -> str:
        return f"OrToolsBackend(engine={self._engine!r})"

    @property
    def engine(self) -> str:
        """The pywraplp solver used: the one asked for, or the first available."""
        if self._engine is None:
            from ortools.linear_solver import pywraplp  # type: ignore[attr-defined]

            self._engine = next(
                (e for e in self._ENGINES if pywraplp.Solver.CreateSolver(e) is not None),
                self._ENGINES[0],
            )
        return self._engine

    def _probe(self) -> bool:
        from ortools.linear_solver import pywraplp  # type: ignore[attr-defined]
        from ortools.linear_solver.python import model_builder_helper

        return (
            hasattr(model_builder_helper, "to_mpmodel_proto")
            and pywraplp.Solver.CreateSolver(self.engine) is not None
        )

    def build(self, milp: Milp) -> Any:
        """Load ``milp`` into a new ``pywraplp.Solver``, without solving.

        Parameters
        ----------
        milp
            The model.

        Returns
        -------
        pywraplp.Solver
            The solver holding the model; ``solver.variables()`` is in
            column order.
        """
        from ortools.linear_solver import pywraplp  # type: ignore[attr-defined]
        from ortools.linear_solver.python import model_builder_helper

        _check(milp, None)
        builder = model_builder_helper.ModelBuilderHelper()
        lower, upper, cost, row_lower, row_upper = (
            _as_any(np.ascontiguousarray(a, dtype=np.float64))
            for a in (milp.lower, milp.upper, milp.objective, milp.row_lower, milp.row_upper)
        )
        builder.fill_model_from_sparse_data(
            lower, upper, cost, row_lower, row_upper, milp.matrix.astype(np.float64)
        )
        for j in np.flatnonzero(milp.integer).tolist():
            builder.set_var_integrality(j, True)
        builder.set_objective_offset(float(milp.offset))
        solver = pywraplp.Solver.CreateSolver(self.engine)
        if solver is None:
            raise SolverUnavailableError(f"ortools: no {self.engine} solver in this build")
        proto = model_builder_helper.to_mpmodel_proto(builder)  # type: ignore[no-untyped-call]
        error = solver.LoadModelFromProto(proto)
        if error:
            raise SolverError(f"ortools: the model was rejected: {error}")
        return solver

    def solve(
        self,
        milp: Milp,
        options: SolverOptions,
        *,
        warm_start: FloatArray | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> MilpResult:
        """Solve ``milp`` with OR-Tools; see :meth:`Backend.solve`.

        ``on_progress`` is accepted and never called.
        """
        from ortools.linear_solver import (  # type: ignore[attr-defined]
            linear_solver_pb2,
            pywraplp,
        )

        start = time.perf_counter()
        warm_start = _check(milp, warm_start)
        solver = self.build(milp)
        if math.isfinite(options.time_limit):
            solver.SetTimeLimit(max(1, round(options.time_limit * 1000)))
        if self.engine == "SCIP":
            solver.SetSolverSpecificParametersAsString("misc/catchctrlc = FALSE\n")
            if options.threads > 0:
                solver.SetNumThreads(options.threads)
        if options.verbose:
            solver.EnableOutput()
        else:
            solver.SuppressOutput()
        parameters = pywraplp.MPSolverParameters()
        parameters.SetDoubleParam(parameters.RELATIVE_MIP_GAP, float(options.mip_gap))
        if warm_start is not None:
            known, values = _start_point(milp, warm_start)
            variables = solver.variables()
            solver.SetHint([variables[k] for k in known.tolist()], values.tolist())

        code, interrupted = _run_interruptibly(
            lambda: solver.Solve(parameters), solver.InterruptSolve
        )

        if code == pywraplp.Solver.OPTIMAL:
            status = SolveStatus.OPTIMAL
        elif code in (pywraplp.Solver.FEASIBLE, pywraplp.Solver.NOT_SOLVED):
            status = SolveStatus.TIME_LIMIT
        elif code == pywraplp.Solver.INFEASIBLE:
            status = SolveStatus.INFEASIBLE
        elif code == pywraplp.Solver.UNBOUNDED:
            status = _unbounded_or_infeasible(milp, self.name)
        else:
            raise SolverError(f"ortools ({self.engine}): solve failed with status {code}")

        x = objective = bound = None
        if code in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
            response = linear_solver_pb2.MPSolutionResponse()
            solver.FillSolutionResponseProto(response)
            x = _clean(milp, response.variable_value) if milp.n_columns else np.zeros(0)
            objective = _objective(milp, x)
        if status is not SolveStatus.INFEASIBLE:
            if milp.integer.any():
                bound = _finite(solver.Objective().BestBound())
            elif status is SolveStatus.OPTIMAL:
                bound = objective  # an optimal LP: the dual objective equals it
        return MilpResult(
            solver=self.name,
            status=status,
            x=x,
            objective=objective,
            bound=bound,
            gap=_gap(objective, bound),
            seconds=time.perf_counter() - start,
            interrupted=interrupted,
            timed_out=status is SolveStatus.TIME_LIMIT,
        )


# ---------------------------------------------------------------------------
# Registry
# ---------------------------------------------------------------------------

BACKENDS: dict[str, type[Backend]] = {
    HighsBackend.name: HighsBackend,
    CbcBackend.name: CbcBackend,
    OrToolsBackend.name: OrToolsBackend,
}
"""Every backend by name, the default (``highs``) first."""


def available_backends() -> list[str]:
    """Names of the backends that work on this machine, the default first.

    Returns
    -------
    list of str
        Names accepted by :func:`backend_from_name`.
    """
    return [name for name, backend in BACKENDS.items() if backend().available()]


def backend_from_name(name: str) -> Backend:
    """The backend called ``name`` (case and surrounding spaces ignored).

    Parameters
    ----------
    name
        ``"highs"``, ``"cbc"`` or ``"ortools"``.

    Returns
    -------
    Backend
        A new backend object.

    Raises
    ------
    UnknownSolverError
        When no backend has that name.
    SolverUnavailableError
        When the backend's package is missing or broken here.
    """
    key = name.strip().lower()
    if key not in BACKENDS:
        raise UnknownSolverError(
            f"Unknown solver {name!r}; available here: {', '.join(available_backends()) or 'none'}"
            f" (known: {', '.join(BACKENDS)})"
        )
    backend = BACKENDS[key]()
    if not backend.available():
        raise SolverUnavailableError(
            f"Solver {key!r} is not available here (its package is missing or broken); "
            f"available: {', '.join(available_backends()) or 'none'}"
        )
    return backend
