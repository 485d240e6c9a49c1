"""A mixed-integer linear program in matrix form, and a solver's answer to it."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from models.plan import SolveStatus

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class Milp:
    """Minimise ``objective @ x + offset`` subject to

    ``row_lower <= matrix @ x <= row_upper``, ``lower <= x <= upper``, and
    ``x[j]`` integer wherever ``integer[j]``. Infinite bounds are ``±numpy.inf``.
    """

    objective: FloatArray
    matrix: sp.csr_array
    row_lower: FloatArray
    row_upper: FloatArray
    lower: FloatArray
    upper: FloatArray
    integer: BoolArray
    offset: float = 0.0

    @property
    def n_columns(self) -> int:
        """Number of variables."""
        return int(self.objective.shape[0])

    @property
    def n_rows(self) -> int:
        """Number of constraints."""
        return int(self.matrix.shape[0])


@dataclass(frozen=True)
class Progress:
    """A solver's state during a solve: time so far, best plan's cost, best bound."""

    seconds: float
    incumbent: float | None
    bound: float | None

    @property
    def gap(self) -> float | None:
        """Relative gap between incumbent and bound, when both are known."""
        if self.incumbent is None or self.bound is None:
            return None
        return abs(self.incumbent - self.bound) / max(1e-9, abs(self.incumbent))


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True)
class SolverOptions:
    """Limits of one solve.

    Parameters
    ----------
    time_limit
        Seconds the solver may spend.
    mip_gap
        Relative optimality gap at which the solver may stop.
    threads
        Threads the solver may use.
    verbose
        Whether the solver prints its own log.
    node_limit
        Most branch-and-bound nodes (``None``: no limit). Unlike the time
        limit, a node limit stops a solve at the same point on every run
        (HiGHS and CBC; OR-Tools ignores it).
    solution_limit
        Stop once this many improving solutions are found (``None``: no
        limit); like a node limit, it stops a solve at the same point on
        every run (HiGHS, CBC, and OR-Tools with SCIP).
    """

    time_limit: float = 60.0
    mip_gap: float = 0.01
    threads: int = 2
    verbose: bool = False
    node_limit: int | None = None
    solution_limit: int | None = None

    def until(self, deadline: float) -> SolverOptions:
        """These limits with the time left before ``deadline`` (a ``time.perf_counter()``
        value), at least a second."""
        return dataclasses.replace(self, time_limit=max(1.0, deadline - time.perf_counter()))


@dataclass(frozen=True, eq=False)
class MilpResult:
    """A solver's answer, the same for every backend.

    ``status`` is ``optimal`` (proved within the gap), ``time_limit`` (stopped
    at its limit or interrupted, ``x`` the best solution found, if any),
    ``feasible`` (a solution without proof for another reason) or
    ``infeasible``. ``objective`` includes the model's offset; ``bound`` is
    the best proved lower bound (with the offset). ``timed_out`` says that
    the clock (its time limit or an interrupt) stopped the solve, rather
    than its gap or a node limit: only such a solve may stop elsewhere on
    another run.
    """

    solver: str
    status: SolveStatus
    x: FloatArray | None
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    interrupted: bool = False
    timed_out: bool = False

    @property
    def has_solution(self) -> bool:
        """Whether a solution came back."""
        return self.x is not None
