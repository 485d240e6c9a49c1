"""The HiGHS backend: :class:`HighsBackend`, the default, through highspy.

Also holds its helpers: setting HiGHS options, running HiGHS in a worker
thread with a stop shortly after its time limit, and making a
``highspy.Highs`` without HiGHS' banner.
"""

from __future__ import annotations

import dataclasses
import math
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from models.plan import SolveStatus
from models.solvers.base import (
    Backend,
    ProgressRelay,
    Relaxation,
    SolverError,
    check_milp,
    clean_solution,
    finite_or_none,
    objective_value,
    relative_gap,
    run_interruptibly,
    start_point,
    unbounded_or_infeasible,
)
from models.solvers.milp import FloatArray, Milp, MilpResult, ProgressCallback, SolverOptions

__all__ = ["LARGE_LP_COLUMNS", "HighsBackend"]

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
    caller's interrupt callbacks pass on (a limit longer than a thread can
    wait, some 290 years, waits that long). Ctrl-C stops it the same way
    (:func:`~models.solvers.base.run_interruptibly`). Returns HiGHS' run status and whether the
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

    grace = min(time_limit * 1.05 + 1.0, threading.TIMEOUT_MAX)
    overdue = threading.Timer(grace, stop_requested.set)
    overdue.daemon = True
    overdue.start()
    try:
        return run_interruptibly(run, stop_requested.set, poll)
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

        check_milp(milp, None)
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
        warm_start = check_milp(milp, warm_start)
        highs = self.build(milp)
        settings: dict[str, bool | float | int | str] = {
            "output_flag": options.verbose,
            "time_limit": float(options.time_limit),
            "mip_rel_gap": float(options.mip_gap),
            "threads": max(0, int(options.threads)),
        }
        if options.node_limit is not None:
            settings["mip_max_nodes"] = max(0, int(options.node_limit))
        if options.solution_limit is not None:
            settings["mip_max_improving_sols"] = max(1, int(options.solution_limit))
        if not milp.integer.any() and milp.n_columns >= LARGE_LP_COLUMNS:
            settings |= {"solver": "ipm", "run_crossover": "off"}
        _configure(highs, settings)
        if warm_start is not None:
            known, values = start_point(milp, warm_start)
            highs.setSolution(known.size, known.astype(np.int32), values)

        relay = ProgressRelay(on_progress, start)
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

    def relaxation_duals(
        self, milp: Milp, options: SolverOptions, *, interior: bool = False
    ) -> Relaxation:
        """Row duals of the linear relaxation of ``milp``, also when stopped at the time limit.

        Dual simplex without presolve, so that a solve stopped at its limit
        still has the multipliers of its last basis (presolve would leave
        them in the reduced model). Whatever they are, they give a valid
        lower bound through :func:`models.solvers.bounds.lagrangian_bound`;
        the longer the solve runs, the closer they are to the optimal duals.
        With ``interior``, the interior-point method with presolve and
        crossover instead: several times faster on large, degenerate
        relaxations (facility-location ones), but with no useful multipliers
        should it stop early. The solve is stopped a little after
        ``options.time_limit`` even when HiGHS does not check its own limit.
        """
        import highspy

        start = time.perf_counter()
        lp = dataclasses.replace(milp, integer=np.zeros_like(milp.integer))
        highs = self.build(lp)
        settings: dict[str, bool | float | int | str] = {
            "output_flag": options.verbose,
            "time_limit": max(0.0, float(options.time_limit)),
            "threads": max(0, int(options.threads)),
            "solver": "ipm" if interior else "simplex",
            "presolve": "on" if interior else "off",
        }
        _configure(highs, settings)
        stop_requested = threading.Event()

        def on_interrupt_check(event: Any) -> None:
            if stop_requested.is_set():
                event.interrupt()

        highs.cbSimplexInterrupt.subscribe(on_interrupt_check)
        highs.cbIpmInterrupt.subscribe(on_interrupt_check)

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
            status, has_solution = unbounded_or_infeasible(milp, self.name), False
        elif model_status in stopped:
            status = SolveStatus.TIME_LIMIT
        elif model_status == codes.kUnknown and has_solution:
            status = SolveStatus.FEASIBLE
        else:
            raise SolverError(f"highs: {highs.modelStatusToString(model_status)}")

        x = objective = bound = gap = None
        if has_solution:
            x = (
                clean_solution(milp, highs.getSolution().col_value)
                if milp.n_columns
                else np.zeros(0)
            )
            objective = objective_value(milp, x)
        if milp.integer.any():
            if status is not SolveStatus.INFEASIBLE:
                bound = finite_or_none(info.mip_dual_bound)
            if objective is not None and bound is not None:
                reported = float(info.mip_gap)
                gap = reported if 0 <= reported < math.inf else relative_gap(objective, bound)
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
