"""The options of the ``batch`` strategy, resolved once from Settings and the run's choices."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from models.problem import Settings
from models.solvers.milp import ProgressCallback
from models.strategy import RunOptions
from models.work import WorkLimits

FloatArray = npt.NDArray[np.float64]

BATCH_NAME = "batch"
"""The name planners know the optimised batch strategy by."""


@dataclass(frozen=True)
class BatchOptions:
    """Parameters of the batch strategy.

    Parameters
    ----------
    solver
        Backend name: ``highs`` (default), ``cbc`` or ``ortools``.
    time_limit
        Seconds the whole strategy may take (Settings ``time_limit``).
    mip_gap
        Relative gap at which a solve may stop (Settings ``mip_gap``).
    whole_units
        Whether the plan's starts of whole-unit items (Items ``whole_units``)
        are made whole (:mod:`models.batch.whole`); without it, the plan may
        start fractions of them (for measuring what whole units cost).
    whole_solutions
        Improving solutions the whole-unit completion looks for before it
        stops (a limit on work: the same plan on every run).
    whole_share
        Share of the time limit kept for the whole-unit completion.
    threads
        Solver threads.
    warm_start
        Start the solver from the capacity-repaired MRP plan.
    verbose
        Let the solver print its log.
    formulation
        ``allocation`` (default) adds the facility-location linking of every
        end item's starts to the demand they can serve, which tightens the
        bound far beyond ``bigm``, the textbook setup forcing alone;
        ``echelon`` links every item's starts, components included, to its
        echelon requirement (:mod:`models.batch.echelon`), which prices the
        components' setups; ``ls`` adds the end items' (l, S) inequalities.
    allocation_limit
        At most this many allocation variables (``allocation`` and
        ``echelon``); items with the highest setup cost get them first, the
        others keep the plain setup forcing.
    ls_window
        Days ahead covered by the ``ls`` formulation's inequalities.
    echelon_limit
        Allocation variables of the echelon relaxation solved for a lower
        bound after the search (:func:`~models.batch.bounds.relaxation_bounds`;
        0: none). Its interior-point solve takes about 9 s on the realistic
        example plant at the default.
    rolling_share
        Share of the time limit the relax-and-fix start
        (:mod:`models.batch.rolling`) may take before the whole model is
        solved from it (0: the whole model starts from the
        capacity-repaired MRP plan).
    full_share
        Share of the time limit spent on the whole model before
        fix-and-optimize takes over.
    full_model_limit
        Models with more columns skip the whole-model solve.
    optimise_limit
        Models with more columns are not optimised at all: the
        capacity-repaired MRP plan is returned as it is, with a message
        (their linear programs alone outlast the time limit).
    completion_share
        Share of the time limit the re-optimisation of the warm start's
        quantities may take when the whole-model solve is skipped.
    relaxation_share
        Share of the time limit the linear relaxations may take to give a
        lower bound when the whole model proves none.
    previous_starts
        The previous plan's starts ``[item, day]`` on this problem's items
        and working days, for plan stability (``None``: no previous plan).
    frozen_days
        The frozen window: the first working days in which changes against
        ``previous_starts`` are penalised.
    work
        Limits on work instead of time (:class:`~models.work.WorkLimits`):
        the warm start's quantities are re-optimised (a linear program),
        then at most ``work.solves`` fix-and-optimize subproblems are
        solved, each to ``work.nodes`` branch-and-bound nodes, so that the
        same problem always gives the same plan; the time limit only caps
        the run (``None``: spend the time limit, see :func:`plan_batch`).
    change_penalty
        Cost per unit started more or less than the previous plan inside
        the frozen window (0: the plain plan; large: the frozen window kept
        as it was, where that plan is still feasible). It is part of the
        solver's objective, never of the plan's cost.
    on_progress
        Called with the solver's progress (time, incumbent, bound).
    """

    solver: str = "highs"
    time_limit: float = 60.0
    mip_gap: float = 0.01
    whole_units: bool = True
    whole_solutions: int = 1
    whole_share: float = 0.15
    threads: int = 2
    warm_start: bool = True
    verbose: bool = False
    formulation: str = "allocation"
    allocation_limit: int = 400_000
    ls_window: int = 30
    echelon_limit: int = 25_000
    rolling_share: float = 0.2
    full_share: float = 0.4
    full_model_limit: int = 400_000
    optimise_limit: int = 4_000_000
    completion_share: float = 0.9
    relaxation_share: float = 0.3
    previous_starts: FloatArray | None = field(default=None, compare=False)
    frozen_days: int = 0
    change_penalty: float = 0.0
    work: WorkLimits | None = None
    on_progress: ProgressCallback | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.frozen_days < 0:
            raise ValueError(f"frozen_days must be >= 0, got {self.frozen_days}")
        if not self.change_penalty >= 0:
            raise ValueError(f"change_penalty must be >= 0, got {self.change_penalty}")

    @property
    def keeps_previous_plan(self) -> bool:
        """Whether changes against a previous plan are penalised."""
        return self.previous_starts is not None and self.frozen_days > 0 and self.change_penalty > 0

    @classmethod
    def from_settings(cls, settings: Settings, **changes: Any) -> BatchOptions:
        """The options a workbook's Settings give, with ``changes`` on top."""
        values: dict[str, Any] = {
            "time_limit": settings.time_limit,
            "mip_gap": settings.mip_gap,
        }
        return cls(**(values | changes))

    @classmethod
    def resolve(cls, settings: Settings, run: RunOptions) -> BatchOptions:
        """The options of one run: the Settings, then the run's choices.

        With work limits, the plain formulation: its linear programs solve
        several times faster and it describes the same plans (only its
        bound is weaker). With the previous run's batch plan in
        ``run.previous``, changes against it are priced in its frozen window.
        """
        chosen: dict[str, Any] = {
            "solver": run.solver,
            "time_limit": run.seconds(settings),
            "work": run.work_for(settings),
            "on_progress": run.on_progress,
        }
        if run.threads is not None:
            chosen["threads"] = run.threads
        if chosen["work"] is not None:
            chosen["formulation"] = "bigm"
        previous = run.previous
        if previous is not None and BATCH_NAME in previous.starts:
            chosen["previous_starts"] = previous.starts[BATCH_NAME]
            chosen["frozen_days"] = previous.frozen_days
            chosen["change_penalty"] = previous.change_penalty
        return cls.from_settings(settings, **chosen)
