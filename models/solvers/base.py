"""The solver interface and what the backends share.

:class:`Backend` is the interface every solver backend implements;
:class:`Relaxation` is what :meth:`HighsBackend.relaxation_duals
<models.solvers.highs.HighsBackend.relaxation_duals>` answers; the errors
are those every backend raises. The helpers check a model, clean a solver's
answer, run a solve in a worker thread that Ctrl-C can stop, and relay
progress; the backends in :mod:`models.solvers.highs`,
:mod:`models.solvers.cbc` and :mod:`models.solvers.ortools` use them.
"""

from __future__ import annotations

import math
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
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
    "Backend",
    "ProgressRelay",
    "Relaxation",
    "SolverError",
    "SolverUnavailableError",
    "UnknownSolverError",
    "as_any",
    "check_milp",
    "clean_solution",
    "finite_or_none",
    "objective_value",
    "relative_gap",
    "run_interruptibly",
    "start_point",
    "unbounded_or_infeasible",
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
    """The name :func:`~models.solvers.backends.backend_from_name` knows the backend by."""

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


def check_milp(milp: Milp, warm_start: FloatArray | None) -> FloatArray | None:
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


def clean_solution(milp: Milp, values: Any) -> FloatArray:
    """A solver's column values as floats, integer columns rounded."""
    x = np.array(values, dtype=np.float64).reshape(milp.n_columns)
    x[milp.integer] = np.round(x[milp.integer])
    return x + 0.0  # no negative zeros


def start_point(milp: Milp, warm_start: FloatArray) -> tuple[IntArray, FloatArray]:
    """The known entries of a warm start (``nan`` = unknown), inside bounds, integers rounded.

    Returns the column indices and their values.
    """
    known = np.flatnonzero(np.isfinite(warm_start))
    x = np.clip(warm_start[known], milp.lower[known], milp.upper[known])
    whole = milp.integer[known]
    x[whole] = np.round(x[whole])
    return known, np.clip(x, milp.lower[known], milp.upper[known])


def objective_value(milp: Milp, x: FloatArray) -> float:
    """The objective of ``milp`` at the point ``x``, offset included."""
    return float(milp.objective @ x) + milp.offset


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """Relative gap, the same definition as :attr:`Progress.gap` and HiGHS'."""
    return Progress(0.0, objective, bound).gap


def as_any(array: FloatArray) -> Any:
    """An array for a binding whose type stubs name the dtype wrongly."""
    return array


def finite_or_none(value: float) -> float | None:
    """``value`` as a float, or ``None`` when it is infinite or ``nan``."""
    return float(value) if math.isfinite(value) else None


def _objective_bounded_by_box(milp: Milp) -> bool:
    """Whether column bounds alone keep the objective from going to minus infinity."""
    c = milp.objective
    return bool(np.all(np.isfinite(milp.lower[c > 0])) and np.all(np.isfinite(milp.upper[c < 0])))


def unbounded_or_infeasible(milp: Milp, solver: str) -> SolveStatus:
    """Resolve a solver's "unbounded or infeasible" answer, or raise."""
    if _objective_bounded_by_box(milp):
        return SolveStatus.INFEASIBLE  # the bounds rule out unboundedness
    raise SolverError(
        f"{solver}: the model is unbounded (or infeasible): the objective can decrease "
        "without limit; check the costs and bounds of the formulation"
    )


def run_interruptibly(
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


class ProgressRelay:
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
        self.latest = Progress(
            time.perf_counter() - self.start, finite_or_none(incumbent), finite_or_none(bound)
        )

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
