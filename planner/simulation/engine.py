"""The rolling-horizon simulation: a strategy's plan played against what really happens.

A deterministic plan flatters a strategy that plans against a forecast that
comes true. :func:`simulate` plays one strategy through one
:class:`~planner.simulation.reality.Reality` (actual demand, breakdowns,
late suppliers) day by day, and the evaluator judges what was really done.

How each strategy runs
----------------------
``mrp`` and ``batch`` follow their plan and replan every ``replan_every``
working days (days ``k x replan_every``): the days after the frozen window
(``frozen_days``, in which the previous plan is kept) are planned again by
the strategy itself from the real state (see
:mod:`planner.simulation.replanning`). Each day the floor starts what the
plan asks as far as components are on hand and the actual regular plus
overtime capacity allows (:func:`~planner.simulation.floor.execute_planned_day`);
what does not fit waits for the next day. An MRP plan that overloads a
work center is thus cut to what the work center can do, with the rest
carried day after day: the floor never runs beyond its capacity, and MRP's
overloads become lateness. Every strategy may use the overtime the
workbook allows, paid at its overtime cost.

``ddmrp`` follows its plan the same way but replans every working day
from the real state (its buffers stay where the plan put them; their
zones are sized again on the usage ahead, the orders its latest plan had
released by then and that have not started stay on order, and the net
flow orders what the day needs), with no frozen window: a buffer reacts to the day's usage as
demand-driven replenishment does. ``replan_every`` and ``frozen_days`` do
not apply to it.

``heijunka`` releases its level schedule and lets its kanban loops pull
from actual consumption, through the strategy's own pull simulation
(:mod:`planner.simulation.pull`). With ``relevel`` it re-levels before each
level period (Settings ``level_period``): the level schedule from the
period's first day on is planned again by its level-loading model on the
real state (backlog included), the frozen window ending where the period
begins. ``replan_every`` does not apply to it.

Net change or regeneration
--------------------------
With ``replan="net_change"`` (the default) a replan is skipped while reality
has kept to the plan (demand as forecast, every planned start executed,
every purchase order on time), as a net-change MRP leaves a plan alone
that nothing has disturbed. Under zero uncertainty no replan happens, and
the simulated KPIs are exactly those of the deterministic plan.
``replan="regenerate"`` replans at every replan day.

Work, not time
--------------
Every model of a replication stops on its work limits
(:class:`~models.work.WorkLimits`: branch-and-bound nodes, fix-and-optimize
subproblems, search steps), never on the clock, so that the same reality
gives the same replication on any machine, however busy: the plan of the
forecast on ``plan_nodes`` and ``plan_solves``, every replan on
``replan_nodes`` and ``replan_solves``. The time limits only cap them; a
model the cap stopped is counted in :attr:`Replication.timed_out`.

Purchase orders
---------------
A purchase order released on day t with lead time L arrives on
t + L + its supplier's delay. The executed plan, which the evaluator judges
on the actual problem, records it on day t + delay (the evaluator's flow
rules then see it arrive when it really did); :attr:`Replication.released`
keeps every order on its release day. A late order recorded past the
horizon would arrive past it, and is not in the executed plan; a late order
recorded on the day of another order of the same item counts, for the
evaluator, as one order with it (one ordering cost).
"""

from __future__ import annotations

import dataclasses
import numbers
import time
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from models import Problem
from models.floor import TOLERANCE
from models.heijunka import (
    SEQUENCING_METHODS,
    HeijunkaOptions,
    PullDesign,
    SequencingMethod,
    design,
)
from models.plan import MessageLevel, Plan, PlanMessage, Position, SolveStatus
from models.sequencing import sequence_ruled_days
from models.solvers.backends import BACKENDS
from models.strategies import STRATEGIES
from models.strategy import Execution, RunOptions
from models.wording import counted
from models.work import WorkLimits, is_count
from planner.evaluation import Evaluation, evaluate
from planner.simulation.floor import ShopFloor, execute_planned_day
from planner.simulation.pull import executed_sequences, pull_day, relevel
from planner.simulation.reality import Reality, SimulationError
from planner.simulation.replanning import plan_with, remaining_problem

FloatArray = npt.NDArray[np.float64]

ReplanMode = Literal["net_change", "regenerate"]
REPLAN_MODES: tuple[ReplanMode, ...] = ("net_change", "regenerate")
"""How replan days are used, by name (see the module docstring)."""


@dataclass(frozen=True)
class SimulationOptions:
    """How a replication plans and replans.

    Parameters
    ----------
    replan_every
        Working days between replans of ``mrp`` and ``batch`` (5: weekly).
    frozen_days
        Working days from each replan in which the previous plan is kept.
    replan_time_limit
        Most seconds a strategy's replan may take: a cap, the work
        limits decide where the models stop.
    plan_time_limit
        Most seconds the plan a replication starts from may take (a cap,
        as ``replan_time_limit``).
    plan_nodes, plan_solves
        Work limits of the plan of the forecast: branch-and-bound nodes per
        MILP and ``batch``'s fix-and-optimize subproblems (see
        :class:`~models.work.WorkLimits`; 1 node completes each root with
        its cuts and heuristics).
    replan_nodes, replan_solves
        The same for every replan and re-levelling; 0 and 0 (the default)
        re-optimise ``batch``'s quantities with the warm start's setups and
        keep the level-loading heuristic's levels, in about a second.
    solver
        MILP backend (``highs``, ``cbc``, ``ortools``).
    sequencing
        How ``heijunka`` orders a day's mix (``prv`` or ``goal_chasing``).
    replan
        ``net_change``: replan only once reality has left the plan;
        ``regenerate``: replan on every replan day.
    relevel
        Whether ``heijunka`` re-levels its schedule before each level period.
    threads
        Solver threads per replan (replications usually run in parallel).
    sequence_seconds
        Most seconds to sequence one ``heijunka`` work-center day under
        sequence rules, in the plan of the forecast and when a day did not
        run as planned (a cap: the search stops on its steps and CP-SAT's
        deterministic time).

    Raises
    ------
    SimulationError
        Naming every option out of its range.
    """

    replan_every: int = 5
    frozen_days: int = 5
    replan_time_limit: float = 60.0
    plan_time_limit: float = 300.0
    plan_nodes: int = 1
    plan_solves: int = 20
    replan_nodes: int = 0
    replan_solves: int = 0
    solver: str = "highs"
    sequencing: SequencingMethod = "prv"
    replan: ReplanMode = "net_change"
    relevel: bool = True
    threads: int = 1
    sequence_seconds: float = 5.0

    def __post_init__(self) -> None:
        problems = []
        for name, least in (
            ("replan_every", 1),
            ("frozen_days", 0),
            ("threads", 1),
            ("plan_nodes", 0),
            ("plan_solves", 0),
            ("replan_nodes", 0),
            ("replan_solves", 0),
        ):
            value = getattr(self, name)
            if not is_count(value, least):
                problems.append(f"{name} is {value!r}, expected a whole number >= {least}")
        for name in ("replan_time_limit", "plan_time_limit", "sequence_seconds"):
            seconds = getattr(self, name)
            number = isinstance(seconds, numbers.Real) and not isinstance(seconds, bool)
            if not number or not float(seconds) > 0:
                problems.append(f"{name} is {seconds!r}, expected a number of seconds > 0")
        if self.solver not in BACKENDS:
            problems.append(f"solver is {self.solver!r}, expected one of {', '.join(BACKENDS)}")
        if self.sequencing not in SEQUENCING_METHODS:
            problems.append(
                f"sequencing is {self.sequencing!r}, expected one of "
                f"{', '.join(SEQUENCING_METHODS)}"
            )
        if self.replan not in REPLAN_MODES:
            problems.append(f"replan is {self.replan!r}, expected one of {', '.join(REPLAN_MODES)}")
        if not isinstance(self.relevel, bool):
            problems.append(f"relevel is {self.relevel!r}, expected True or False")
        if problems:
            raise SimulationError(problems)

    @property
    def plan_work(self) -> WorkLimits:
        """The work limits of the plan of the forecast."""
        return WorkLimits(nodes=self.plan_nodes, solves=self.plan_solves)

    @property
    def replan_work(self) -> WorkLimits:
        """The work limits of every replan, re-levelling and re-sequencing."""
        return WorkLimits(nodes=self.replan_nodes, solves=self.replan_solves)

    @property
    def plan_run(self) -> RunOptions:
        """The run options of the plan of the forecast: its cap and work limits."""
        return RunOptions(
            solver=self.solver,
            time_limit=self.plan_time_limit,
            threads=self.threads,
            sequencing=self.sequencing,
            day_seconds=self.sequence_seconds,
            work=self.plan_work,
        )

    @property
    def replan_run(self) -> RunOptions:
        """The run options of every replan and re-levelling: its cap and work limits."""
        return RunOptions(
            solver=self.solver,
            time_limit=self.replan_time_limit,
            threads=self.threads,
            sequencing=self.sequencing,
            work=self.replan_work,
        )

    @property
    def sequencing_run(self) -> RunOptions:
        """The run options of re-sequencing a pull plan's days that did not run as planned."""
        return dataclasses.replace(self.replan_run, threads=1, day_seconds=self.sequence_seconds)


@dataclass(frozen=True, eq=False)
class Replication:
    """One strategy played through one reality, judged by the evaluator.

    Attributes
    ----------
    strategy
        The strategy's name.
    kpis
        ``evaluation.kpis``: realised cost, fill rate, backlog, inventory,
        setups, ... (``solve_seconds`` is the planning time of the initial
        plan and every replan).
    evaluation
        :func:`planner.evaluation.evaluate` of ``executed`` on ``actual``.
    executed
        The starts actually executed; a late purchase order is recorded on
        its release day plus its delay (see the module docstring).
    actual
        The problem as it really was: actual demand and capacity.
    replans
        Replans (or re-levellings) done.
    seconds
        Wall-clock seconds of the whole replication.
    plan
        The deterministic plan the replication started from.
    released
        ``[item, day]`` starts on the day they were released (purchase
        orders on their order day).
    timed_out
        Models of the replication (replans, re-levellings, days
        re-sequenced) that the time cap stopped before their work limits:
        only when it is not 0 may the replication differ on another run.
    """

    strategy: str
    kpis: dict[str, Any]
    evaluation: Evaluation
    executed: Plan
    actual: Problem
    replans: int
    seconds: float
    plan: Plan
    released: FloatArray
    timed_out: int = 0

    def __repr__(self) -> str:
        kpis = self.kpis
        return (
            f"Replication({self.strategy!r}: total_cost {kpis['total_cost']:,.2f}, "
            f"fill_rate {kpis['fill_rate']:.1%}, {kpis['setups']} setups, "
            f"{counted(self.replans, 'replan')}, {self.seconds:.1f} s)"
        )


def plan_strategy(
    problem: Problem, strategy: str, options: SimulationOptions | None = None
) -> Plan:
    """The deterministic plan a replication starts from.

    Plan it once and pass it to every :func:`simulate` of the strategy, so
    that replications do not each plan it again.

    Parameters
    ----------
    problem
        The plant; its demand is the forecast.
    strategy
        ``mrp``, ``batch`` or ``heijunka``.
    options
        Solver, sequencing, threads, ``plan_time_limit`` and the plan's
        work limits.

    Raises
    ------
    UnknownStrategyError
        When ``strategy`` is not a known strategy.
    """
    options = options or SimulationOptions()
    return plan_with(strategy, problem, options.plan_run)


def simulate(
    problem: Problem,
    strategy: str,
    reality: Reality,
    options: SimulationOptions | None = None,
    *,
    plan: Plan | None = None,
) -> Replication:
    """Play one strategy through one reality and evaluate what really happened.

    A pure function of its arguments: no global random state; the same
    arguments give the same replication (its models stop on work limits;
    see ``timed_out`` for those the time cap stopped).

    Parameters
    ----------
    problem
        The plant; its demand is the forecast the strategy plans against.
    strategy
        ``mrp``, ``batch`` or ``heijunka``.
    reality
        What really happens (:func:`~planner.simulation.reality.draw_reality`).
    options
        Replanning cadence, frozen window, time limits, solver.
    plan
        The strategy's deterministic plan of ``problem``
        (:func:`plan_strategy`); planned here when ``None``.

    Returns
    -------
    Replication
        The executed plan and its evaluation on the actual problem.

    Raises
    ------
    UnknownStrategyError
        When ``strategy`` is not a known strategy.
    SimulationError
        When ``reality`` or ``plan`` does not fit ``problem`` or the strategy.
    """
    started = time.perf_counter()
    options = options or SimulationOptions()
    STRATEGIES[strategy]
    actual = reality.actual_problem(problem)
    if plan is None:
        plan = plan_strategy(problem, strategy, options)
    _check_plan(problem, strategy, plan)
    run = _Run(problem, actual, strategy, reality, options, plan)
    run.play()
    executed = run.executed_plan()
    evaluation = evaluate(actual, executed)
    return Replication(
        strategy=strategy,
        kpis=evaluation.kpis,
        evaluation=evaluation,
        executed=executed,
        actual=actual,
        replans=run.replans,
        seconds=time.perf_counter() - started,
        plan=plan,
        released=run.floor.released.copy(),
        timed_out=run.timed_out,
    )


def _check_plan(problem: Problem, strategy: str, plan: Plan) -> None:
    problems = []
    if plan.strategy != strategy:
        problems.append(f"the plan given is a {plan.strategy!r} plan, not a {strategy!r} plan")
    shape = (problem.n_items, problem.n_days)
    if plan.starts.shape != shape:
        problems.append(f"the plan given has starts of shape {plan.starts.shape}, expected {shape}")
    if problems:
        raise SimulationError(problems)


class _Run:
    """The day-by-day loop of one replication (the module docstring's rules)."""

    def __init__(
        self,
        problem: Problem,
        actual: Problem,
        strategy: str,
        reality: Reality,
        options: SimulationOptions,
        plan: Plan,
    ) -> None:
        self.problem = problem
        self.strategy = strategy
        self.options = options
        self.plan = plan
        self.floor = ShopFloor(actual, reality.supplier_delay)
        self.design: PullDesign | None = None
        if STRATEGIES[strategy].execution is Execution.PULL:
            self.design = (
                plan.design
                if isinstance(plan.design, PullDesign)
                else design(problem, self.pull_options(problem, options.plan_run))
            )
        follows = self.design.levelled if self.design is not None else np.ones(problem.n_items)
        self.follows_plan = np.asarray(follows, dtype=bool)
        self.planned = np.where(self.follows_plan[:, None], plan.starts, 0.0)
        self.waiting = np.zeros(problem.n_items)
        self.pull_load = np.zeros((len(problem.work_centers), problem.n_days))
        self.departed = False
        self.replans = 0
        self.planning_seconds = plan.seconds
        self.failed_replans: list[PlanMessage] = []
        self.timed_out = 0
        self.daily = STRATEGIES[strategy].execution is Execution.NET_FLOW
        self.latest, self.latest_day = plan, 0
        self.frozen_days = 0 if self.daily else options.frozen_days

    def pull_options(self, problem: Problem, run: RunOptions) -> HeijunkaOptions:
        """The pull strategy's options for ``problem`` and ``run``."""
        options: HeijunkaOptions = STRATEGIES[self.strategy].options(problem.settings, run)
        return options

    def replan_days(self) -> set[int]:
        """The days on which the plan may be replanned."""
        n_days, frozen = self.problem.n_days, self.frozen_days
        if self.daily:
            return set(range(1, n_days))
        if self.design is None:
            every = self.options.replan_every
            return {day for day in range(every, n_days, every) if day + frozen < n_days}
        if not self.options.relevel:
            return set()
        period = self.design.level_period
        starts = range(period, n_days, period)
        return {begin - frozen for begin in starts if begin - frozen >= 1}

    def play(self) -> None:
        """Replan when due, work every day of the horizon, and note when reality left the plan."""
        replan_days = self.replan_days()
        actual, forecast = self.floor.actual, self.problem.demand
        for day in range(self.problem.n_days):
            if day in replan_days and (self.departed or self.options.replan == "regenerate"):
                self.replan(day)
            wanted = self.planned[:, day] + self.waiting
            if self.design is None:
                starts = execute_planned_day(self.floor, day, wanted)
            else:
                starts, self.pull_load[:, day] = pull_day(self.floor, day, wanted, self.design)
            self.waiting = np.where(self.follows_plan, wanted - starts, 0.0)
            self.waiting[self.waiting <= TOLERANCE * np.maximum(1.0, wanted)] = 0.0
            late = any(
                self.floor.delay(i, day) for i in np.flatnonzero(starts > TOLERANCE).tolist()
            )
            if (
                late
                or self.waiting.any()
                or not np.array_equal(actual.demand[:, day], forecast[:, day])
            ):
                self.departed = True
            self.floor.play(day, starts)

    def replan(self, day: int) -> None:
        """Plan the days after the frozen window again; keep the window's starts.

        ``mrp`` and ``batch`` plan the remaining days with the strategy; a
        ``heijunka`` plan gets new level quantities from its level-loading
        model (:func:`~planner.simulation.pull.relevel`).
        """
        end = min(day + self.frozen_days, self.problem.n_days)
        frozen = np.array(self.planned[:, day:end])
        if frozen.shape[1]:
            frozen[:, 0] += self.waiting
        if self.design is None:
            sub = remaining_problem(self.problem, self.floor, day, frozen)
            replan = STRATEGIES[self.strategy].replan
            if replan is not None:
                elapsed = day - self.latest_day
                new = replan(sub, self.latest, elapsed, self.waiting, self.options.replan_run)
                self.latest, self.latest_day = new, day
            else:
                new = plan_with(self.strategy, sub, self.options.replan_run)
            self.planning_seconds += new.seconds
            self.timed_out += new.status is SolveStatus.TIME_LIMIT
            if new.status is SolveStatus.INFEASIBLE:
                self.failed_replans.append(
                    PlanMessage(
                        MessageLevel.WARNING,
                        f"the replan on {self.problem.days[day].isoformat()} found no plan: "
                        "the previous plan was kept",
                        day=day,
                    )
                )
                return
            starts = new.starts
        else:
            sub = remaining_problem(self.problem, self.floor, day, frozen, self.design.levelled)
            relevelled = relevel(
                sub,
                self.design.days(end, self.problem.n_days),
                self.pull_options(sub, self.options.replan_run),
            )
            starts = relevelled.starts
            self.planning_seconds += relevelled.seconds
            self.timed_out += relevelled.timed_out
        self.planned[:, day:end] = frozen
        self.planned[:, end:] = np.where(self.follows_plan[:, None], starts, 0.0)
        self.waiting = np.zeros(self.problem.n_items)
        self.replans += 1
        self.departed = False

    def executed_plan(self) -> Plan:
        """The executed starts as a plan the evaluator can judge on the actual problem."""
        plan, floor = self.plan, self.floor
        sequences: dict[tuple[int, int], tuple[Position, ...]] = {}
        if self.design is None:
            ruled = sequence_ruled_days(
                floor.actual,
                floor.recorded,
                self.options.replan_work,
                day_seconds=self.options.sequence_seconds,
            )
            sequences = ruled.sequences
            self.timed_out += ruled.timed_out
        else:
            sequences, stopped = executed_sequences(
                self.problem,
                floor.actual,
                plan,
                floor.released,
                self.pull_load,
                self.design,
                self.pull_options(self.problem, self.options.sequencing_run),
            )
            self.timed_out += stopped
        unchanged = self.replans == 0
        return Plan(
            strategy=self.strategy,
            starts=floor.recorded,
            status=plan.status if unchanged else SolveStatus.HEURISTIC,
            sequences=sequences,
            objective=plan.objective if unchanged else None,
            bound=plan.bound if unchanged else None,
            gap=plan.gap if unchanged else None,
            seconds=self.planning_seconds,
            messages=tuple(self.messages()),
            kanban=plan.kanban,
            levelling=plan.levelling,
        )

    def messages(self) -> list[PlanMessage]:
        """What the floor went through: replans, late purchase orders, starts left waiting."""
        floor, problem = self.floor, self.problem
        messages = [
            PlanMessage(
                MessageLevel.INFO,
                f"{self.strategy} was replanned {counted(self.replans, 'time')} over the horizon",
            )
        ]
        if floor.late_orders:
            messages.append(
                PlanMessage(
                    MessageLevel.WARNING,
                    f"{counted(floor.late_orders, 'purchase order')} arrived late, "
                    f"{counted(floor.late_days, 'working day')} late in all",
                )
            )
        for i in np.flatnonzero(self.waiting > 0).tolist():
            messages.append(
                PlanMessage(
                    MessageLevel.WARNING,
                    f"{counted(round(self.waiting[i]), 'planned unit')} of "
                    f"{problem.items[i].code} were "
                    "still waiting for components or capacity when the horizon ended",
                    item=i,
                )
            )
        return messages + self.failed_replans
