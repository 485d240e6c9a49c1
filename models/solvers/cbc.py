"""The CBC backend: :class:`CbcBackend`, CBC through PuLP, and its :class:`CbcModel`.

Also holds the helpers that read CBC's log (its final bound and why it
stopped) and :class:`_LogEcho`, which copies that log to standard output.
"""

from __future__ import annotations

import math
import re
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.plan import SolveStatus
from models.solvers.base import (
    Backend,
    SolverError,
    check_milp,
    clean_solution,
    objective_value,
    relative_gap,
    start_point,
    unbounded_or_infeasible,
)
from models.solvers.milp import FloatArray, Milp, MilpResult, ProgressCallback, SolverOptions

__all__ = ["CbcBackend", "CbcModel"]

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

        check_milp(milp, None)
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
        warm_start = check_milp(milp, warm_start)
        model = self.build(milp)
        if warm_start is not None:
            known, values = start_point(milp, warm_start)
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
                options=None
                if options.solution_limit is None
                else [f"maxSolutions {max(1, int(options.solution_limit))}"],
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
                unbounded_or_infeasible(milp, self.name)
                if "infeasible or unbounded" in log
                else SolveStatus.INFEASIBLE
            )
        elif solution_status == pulp.LpSolutionOptimal:
            status = SolveStatus.OPTIMAL
        elif solution_status == pulp.LpSolutionIntegerFeasible:
            status = SolveStatus.TIME_LIMIT
        elif solution_status == pulp.LpSolutionUnbounded:
            status = unbounded_or_infeasible(milp, self.name)
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
            x = clean_solution(milp, answers)
            objective = objective_value(milp, x)
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
            gap=relative_gap(objective, bound),
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
