"""The options of the ``heijunka`` strategy, resolved once from Settings and the run's choices."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from models.problem import Settings
from models.strategy import RunOptions
from models.work import WorkLimits

HEIJUNKA_NAME = "heijunka"
"""The name planners know level-loaded pull by."""

SequencingMethod = Literal["prv", "goal_chasing"]
SEQUENCING_METHODS: tuple[SequencingMethod, ...] = ("prv", "goal_chasing")
"""The ways to order a day's mix, by name."""

Mixing = Literal["runs", "containers"]
MIXINGS: tuple[Mixing, ...] = ("runs", "containers")
"""How a day's mix is built (Settings ``mixing``)."""


class KanbanLot(StrEnum):
    """What a kanban loop orders at once (Settings ``kanban_lot``).

    ``container``: one container per card (pure pull); ``economic``: its
    economic lot in whole containers (a signal kanban).
    """

    CONTAINER = "container"
    ECONOMIC = "economic"


@dataclass(frozen=True)
class HeijunkaOptions:
    """How the heijunka strategy plans.

    :meth:`from_settings` builds them from a workbook's Settings; the
    defaults are the Settings' defaults.

    Parameters
    ----------
    solver
        MILP backend of the level-loading model (``highs``, ``cbc``, ``ortools``).
    time_limit
        Seconds for the whole strategy (Settings ``time_limit``). The
        design search gets ``design_share`` of it, the level-loading model
        ``level_share``, rule-constrained sequencing the rest.
    mip_gap
        Gap of the level-loading model (Settings ``mip_gap``).
    sequencing
        With ``mixing = containers``, how the containers are ordered:
        ``prv``, the exact product-rate-variation optimum per day;
        ``goal_chasing``, Toyota's heuristic on component usage (output
        rate variation).
    design_share
        Share of the time limit for the design search (step 1).
    level_share
        Share of the time limit for the level-loading model.
    day_seconds
        Most seconds to sequence one work-center day under sequence rules
        (local search, then CP-SAT); days without rules take milliseconds.
    smooth_ruled_days
        Whether a day under sequence rules, once its violations are as few
        as can be, spends the rest of its time on the most even sequence.
    threads
        Solver threads.
    work
        Limits on work instead of time (:class:`~models.work.WorkLimits`):
        the level-loading heuristic makes ``work.sweeps`` passes and its
        model ``work.nodes`` branch-and-bound nodes, and every day under
        sequence rules ``work.search_steps`` local-search steps and
        ``work.cp_work`` deterministic time per CP-SAT stage, so that the
        same problem always gives the same plan; the level-loading share of
        the time limit and ``day_seconds`` per day only cap the run
        (``None``: spend the time limit).
    level_period
        Working days over which each item's daily quantity is held level
        (Settings ``level_period``).
    epei_days
        Every part every N working days on each work center; 0 sizes each
        work center's cycle from its capacity (Settings ``epei_days``).
    kanban_safety_factor
        Extra days of usage each kanban loop holds beyond its lead time
        (Settings ``kanban_safety_factor``).
    kanban_lot
        The smallest order of a kanban loop (Settings ``kanban_lot``).
    mixing
        ``runs``: one run per item and day, sequence rules splitting runs
        only where they must; ``containers``: the day's mix container by
        container where idle capacity pays the setups (Settings ``mixing``).
    service_level
        Chance that a kanban loop covers its lead time and interval: its
        safety stock (Settings ``service_level``).
    runner_share, stranger_cv
        The thresholds of the finished goods' roles (Settings
        ``runner_share`` and ``stranger_cv``).
    """

    solver: str = "highs"
    time_limit: float = 60.0
    mip_gap: float = 0.01
    sequencing: SequencingMethod = "prv"
    design_share: float = 0.45
    level_share: float = 0.3
    day_seconds: float = 0.5
    smooth_ruled_days: bool = True
    threads: int = 2
    work: WorkLimits | None = None
    level_period: int = 20
    epei_days: int = 0
    kanban_safety_factor: float = 0.0
    kanban_lot: KanbanLot = KanbanLot.CONTAINER
    mixing: Mixing = "runs"
    service_level: float = 0.95
    runner_share: float = 0.8
    stranger_cv: float = 2.0

    def __post_init__(self) -> None:
        if self.sequencing not in SEQUENCING_METHODS:
            raise ValueError(f"unknown sequencing method {self.sequencing!r}: prv or goal_chasing")
        if not 0 < self.level_share <= 1 or not 0 < self.design_share <= 1:
            raise ValueError("level_share and design_share must be in (0, 1]")
        if self.mixing not in MIXINGS:
            raise ValueError(f"unknown mixing {self.mixing!r}: runs or containers")
        if self.day_seconds <= 0:
            raise ValueError("day_seconds must be > 0")
        object.__setattr__(self, "kanban_lot", KanbanLot(self.kanban_lot))

    @classmethod
    def from_settings(cls, settings: Settings, **changes: Any) -> HeijunkaOptions:
        """The options a workbook's Settings give, with ``changes`` on top."""
        values: dict[str, Any] = {
            "time_limit": settings.time_limit,
            "mip_gap": settings.mip_gap,
            "level_period": settings.level_period,
            "epei_days": settings.epei_days,
            "kanban_safety_factor": settings.kanban_safety_factor,
            "kanban_lot": KanbanLot(settings.kanban_lot),
            "mixing": settings.mixing,
            "service_level": settings.service_level,
            "runner_share": settings.runner_share,
            "stranger_cv": settings.stranger_cv,
        }
        return cls(**(values | changes))

    @classmethod
    def resolve(cls, settings: Settings, run: RunOptions) -> HeijunkaOptions:
        """The options of one run: the Settings, then the run's choices."""
        chosen: dict[str, Any] = {
            "solver": run.solver,
            "time_limit": run.seconds(settings),
            "sequencing": run.sequencing,
            "work": run.work_for(settings),
        }
        if run.threads is not None:
            chosen["threads"] = run.threads
        if run.day_seconds is not None:
            chosen["day_seconds"] = run.day_seconds
        return cls.from_settings(settings, **chosen)
