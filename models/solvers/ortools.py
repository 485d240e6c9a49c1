"""The OR-Tools backend: :class:`OrToolsBackend`, OR-Tools' linear solver wrapper."""

from __future__ import annotations

import math
import time
from typing import Any, ClassVar

import numpy as np

from models.plan import SolveStatus
from models.solvers.base import (
    Backend,
    SolverError,
    SolverUnavailableError,
    as_any,
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

__all__ = ["OrToolsBackend"]

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

        check_milp(milp, None)
        builder = model_builder_helper.ModelBuilderHelper()
        lower, upper, cost, row_lower, row_upper = (
            as_any(np.ascontiguousarray(a, dtype=np.float64))
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
        warm_start = check_milp(milp, warm_start)
        solver = self.build(milp)
        if math.isfinite(options.time_limit):
            solver.SetTimeLimit(max(1, round(options.time_limit * 1000)))
        if self.engine == "SCIP":
            scip = "misc/catchctrlc = FALSE\n"
            if options.solution_limit is not None:
                scip += f"limits/bestsol = {max(1, int(options.solution_limit))}\n"
            solver.SetSolverSpecificParametersAsString(scip)
            if options.threads > 0:
                solver.SetNumThreads(options.threads)
        if options.verbose:
            solver.EnableOutput()
        else:
            solver.SuppressOutput()
        parameters = pywraplp.MPSolverParameters()
        parameters.SetDoubleParam(parameters.RELATIVE_MIP_GAP, float(options.mip_gap))
        if warm_start is not None:
            known, values = start_point(milp, warm_start)
            variables = solver.variables()
            solver.SetHint([variables[k] for k in known.tolist()], values.tolist())

        code, interrupted = run_interruptibly(
            lambda: solver.Solve(parameters), solver.InterruptSolve
        )

        if code == pywraplp.Solver.OPTIMAL:
            status = SolveStatus.OPTIMAL
        elif code in (pywraplp.Solver.FEASIBLE, pywraplp.Solver.NOT_SOLVED):
            status = SolveStatus.TIME_LIMIT
        elif code == pywraplp.Solver.INFEASIBLE:
            status = SolveStatus.INFEASIBLE
        elif code == pywraplp.Solver.UNBOUNDED:
            status = unbounded_or_infeasible(milp, self.name)
        else:
            raise SolverError(f"ortools ({self.engine}): solve failed with status {code}")

        x = objective = bound = None
        if code in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
            response = linear_solver_pb2.MPSolutionResponse()
            solver.FillSolutionResponseProto(response)
            x = clean_solution(milp, response.variable_value) if milp.n_columns else np.zeros(0)
            objective = objective_value(milp, x)
        if status is not SolveStatus.INFEASIBLE:
            if milp.integer.any():
                bound = finite_or_none(solver.Objective().BestBound())
            elif status is SolveStatus.OPTIMAL:
                bound = objective  # an optimal LP: the dual objective equals it
        return MilpResult(
            solver=self.name,
            status=status,
            x=x,
            objective=objective,
            bound=bound,
            gap=relative_gap(objective, bound),
            seconds=time.perf_counter() - start,
            interrupted=interrupted,
            timed_out=status is SolveStatus.TIME_LIMIT,
        )
