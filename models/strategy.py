"""A planning strategy as every caller sees it: a name, options resolved once, and a plan.

Every strategy (``mrp``, ``batch``, ``heijunka``, ...) turns a
:class:`~models.problem.Problem` into a :class:`~models.plan.Plan`. It is
declared once, in its own wing, as a :class:`Strategy`: its name, a line on
what it does, how its options are built from the workbook's Settings and the
caller's :class:`RunOptions`, and its ``plan``; and registered once, in
:mod:`models.strategies`. Every caller (the comparison, the simulation, the
weekly runs, the web page) plans through that registry, so that adding a
strategy is one new wing plus one registry line.

Options are resolved once, where a run enters: :meth:`Strategy.plan_problem`
builds the strategy's options from the problem's Settings and the run's
choices, and the strategy reads nothing but its options object.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar

import numpy as np
import numpy.typing as npt

from models.errors import PlanningError
from models.plan import Plan
from models.problem import Problem, Settings
from models.solvers.milp import ProgressCallback
from models.work import WorkLimits

FloatArray = npt.NDArray[np.float64]

OptionsT = TypeVar("OptionsT")

DEFAULT_WORK = WorkLimits(nodes=1, solves=3)
"""How much work a deterministic run (Settings ``deterministic``, the default) lets each
model do: one branch-and-bound node per MILP, three fix-and-optimize subproblems of
``batch``, and the search steps and CP-SAT work of :class:`~models.work.WorkLimits`'
defaults for every sequenced day. ``time_limit`` caps it. Calibrated so that the three
strategies plan the example plant in under a minute on a two-core machine."""


class Execution(StrEnum):
    """How a strategy's plan runs on a shop floor, day by day (what a simulation plays).

    ``plan``: the floor starts what the plan says, as far as stock and
    capacity allow, and the strategy replans on a rolling horizon.
    ``pull``: the floor releases a level schedule and kanban loops refill
    every supermarket from actual consumption.
    ``net_flow``: the floor starts what the plan says, as far as stock and
    capacity allow, and the strategy replans every day from the real state
    (:attr:`Strategy.replan`), keeping its design, as demand-driven buffers
    are replenished.
    """

    PLAN = "plan"
    PULL = "pull"
    NET_FLOW = "net_flow"


@dataclass(frozen=True)
class PreviousPlans:
    """The plans of the previous run, for strategies that keep their plan stable.

    Parameters
    ----------
    starts
        Per strategy name, its previous ``[item, day]`` starts on this run's
        items and working days.
    frozen_days
        The first working days in which changes against them are priced.
    change_penalty
        Cost per unit started more or less than before inside that window.
    """

    starts: Mapping[str, FloatArray] = field(default_factory=dict)
    frozen_days: int = 0
    change_penalty: float = 0.0


@dataclass(frozen=True)
class RunOptions:
    """What the caller chose for one run: every strategy takes what applies to it.

    Parameters
    ----------
    solver
        The MILP backend of the optimising strategies (``highs``, ``cbc``, ``ortools``).
    time_limit
        Seconds one strategy may take in all, as a cap; the workbook's
        Settings ``time_limit`` when ``None``.
    threads
        Solver threads; each strategy's own default when ``None``.
    sequencing
        How a pull strategy orders a day's mix: ``prv`` (exact product rate
        variation) or ``goal_chasing`` (Toyota's heuristic on component usage).
    day_seconds
        Most seconds to sequence one work-center day under sequence rules;
        the strategy's default when ``None``.
    work
        Limits on work instead of time (:class:`~models.work.WorkLimits`),
        so that the same problem always gives the same plan; the time limit
        then only caps the run.
    on_progress
        Called with a solver's progress (time, incumbent, bound).
    previous
        The previous run's plans, for strategies that keep their plan stable.
    """

    solver: str = "highs"
    time_limit: float | None = None
    threads: int | None = None
    sequencing: str = "prv"
    day_seconds: float | None = None
    work: WorkLimits | None = None
    on_progress: ProgressCallback | None = None
    previous: PreviousPlans | None = None

    def __post_init__(self) -> None:
        limit = self.time_limit
        if limit is not None and not (math.isfinite(limit) and limit > 0):
            raise PlanningError(f"time_limit is {limit!r}, expected a number of seconds > 0")
        if self.threads is not None and self.threads < 1:
            raise PlanningError(f"threads is {self.threads!r}, expected a whole number >= 1")

    def seconds(self, settings: Settings) -> float:
        """The seconds one strategy may take: this run's time limit, else the Settings'."""
        return settings.time_limit if self.time_limit is None else self.time_limit

    def work_for(self, settings: Settings) -> WorkLimits | None:
        """The run's limits on work: its own, else :data:`DEFAULT_WORK` when the Settings say
        ``deterministic`` (the same workbook then always gives the same plans), else none."""
        if self.work is not None:
            return self.work
        return DEFAULT_WORK if settings.deterministic else None


@dataclass(frozen=True)
class Strategy(Generic[OptionsT]):
    """One planning strategy, declared once in its wing.

    Parameters
    ----------
    name
        The name planners type (``mrp``); unique in the registry.
    summary
        One line on what the strategy does, for help texts.
    options
        Builds the strategy's options from the workbook's Settings and the
        run's choices: the one place a setting reaches the strategy.
    plan
        Plans a problem with those options.
    execution
        How its plan runs on a shop floor (:class:`Execution`).
    replan
        How a ``net_flow`` strategy plans again from the real state: given
        the new problem, its latest plan, the working days since that plan
        was made, and the ``[item]`` starts waiting to be made today;
        ``None``: by planning anew.
    """

    name: str
    summary: str
    options: Callable[[Settings, RunOptions], OptionsT]
    plan: Callable[[Problem, OptionsT], Plan]
    execution: Execution = Execution.PLAN
    replan: Callable[[Problem, Plan, int, FloatArray, RunOptions], Plan] | None = None

    def plan_problem(self, problem: Problem, run: RunOptions | None = None) -> Plan:
        """Plan ``problem`` with the options its Settings and ``run`` give."""
        return self.plan(problem, self.options(problem.settings, run or RunOptions()))


class UnknownStrategyError(PlanningError):
    """A strategy name that is not registered."""

    def __init__(self, names: Iterable[str], known: Iterable[str]) -> None:
        self.names = tuple(names)
        listed = ", ".join(repr(n) for n in self.names)
        super().__init__(f"unknown strategy {listed}: available strategies are {', '.join(known)}")


class StrategyRegistry(Mapping[str, Strategy[Any]]):
    """The strategies by name, in the order comparisons list them."""

    def __init__(self, *strategies: Strategy[Any]) -> None:
        self._strategies: dict[str, Strategy[Any]] = {}
        for strategy in strategies:
            if strategy.name in self._strategies:
                raise ValueError(f"strategy {strategy.name!r} is registered twice")
            self._strategies[strategy.name] = strategy

    def __getitem__(self, name: str) -> Strategy[Any]:
        try:
            return self._strategies[name]
        except KeyError:
            raise UnknownStrategyError([name], self._strategies) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._strategies)

    def __len__(self) -> int:
        return len(self._strategies)

    def parse(self, names: str | Iterable[str] | None) -> list[str]:
        """Check strategy names (a list, or text like ``"mrp,batch"``); ``None`` means all.

        Names are matched case-insensitively; repeats are dropped.

        Raises
        ------
        UnknownStrategyError
            Naming every unknown strategy (or an empty choice).
        """
        if names is None:
            return list(self._strategies)
        if isinstance(names, str):
            names = names.split(",")
        chosen = [n.strip().lower() for n in names if n.strip()]
        unknown = [n for n in chosen if n not in self._strategies]
        if unknown:
            raise UnknownStrategyError(unknown, self._strategies)
        if not chosen:
            raise UnknownStrategyError([""], self._strategies)
        return list(dict.fromkeys(chosen))
