"""Simulation studies: many replications of every strategy against the same luck.

A deterministic comparison plans against a forecast that comes true. A
study draws ``replications`` realities (actual demand, late purchase
orders, breakdowns; see :mod:`planner.simulation.reality`) and plays every
strategy through each of them with :func:`planner.simulation.engine.simulate`.

It runs in two stages of tasks, both through
:func:`planner.parallel.map_tasks`: first each strategy plans the forecast
once (its deterministic plan, reported for reference), then every
(replication, strategy) pair plays from that plan.

Common random numbers: replication ``r`` of every strategy faces the same
reality, drawn from ``np.random.SeedSequence(seed).spawn(replications)[r]``.
Differences between strategies within a replication are then differences of
method, not of luck, and the same seed gives the same realities whatever
the number of workers or where they run (each task draws its reality from
its seed, so no reality travels between processes). The KPIs repeat too:
every model of a study stops on its work limits (:mod:`models.work`), not on
the clock, whose reading depends on the machine's load. The time limits only
cap them; a task whose model the cap stopped counts it in ``timed_out``
(:meth:`SimulationStudy.timed_out`), and only its KPIs may differ on
another run. A replication that
fails is recorded with its error and left out of the statistics; the study
goes on.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from models import PlanningError, Problem
from models.plan import Plan, SolveStatus
from models.wording import counted
from planner.comparison import parse_strategies
from planner.evaluation import evaluate
from planner.evaluation.winners import NO_WINNER, winners
from planner.parallel import map_tasks
from planner.simulation.engine import Replication, SimulationOptions, plan_strategy, simulate
from planner.simulation.reality import Uncertainty, draw_reality
from planner.simulation.report import (
    BASELINE,
    CONFIDENCE,
    write_simulation_json,
    write_simulation_workbook,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "CONFIDENCE",
    "Outcome",
    "SimulationStudy",
    "replication_seed",
    "run_study",
]
DETERMINISTIC = -1
"""The replication number of the task that plans a strategy's forecast."""

ProgressCallback = Callable[[int, int], None]
"""Called with (tasks finished, tasks in all) as the study advances."""


def replication_seed(seed: int, replication: int) -> np.random.SeedSequence:
    """The seed of one replication: ``np.random.SeedSequence(seed).spawn(n)[replication]``.

    Built afresh on every call (spawning from a seed sequence changes it), so
    every strategy of a replication gets an identical seed.
    """
    return np.random.SeedSequence(seed, spawn_key=(replication,))


@dataclass(frozen=True)
class Outcome:
    """What one task produced: a replication of one strategy, or its deterministic plan.

    ``kpis`` are the evaluator's KPIs of what really happened (of the plan
    of the forecast, for ``replication`` -1, which also carries the
    ``plan``); empty when the task failed, in which case ``error`` says why.
    ``timed_out`` counts the models the clock stopped before their work
    limits (:mod:`models.work`): only then may the task's KPIs differ on
    another run.
    """

    replication: int
    strategy: str
    kpis: Mapping[str, Any] = field(default_factory=dict)
    replans: int = 0
    seconds: float = 0.0
    error: str | None = None
    plan: Plan | None = None
    timed_out: int = 0

    @property
    def ok(self) -> bool:
        """Whether the task succeeded."""
        return self.error is None


@dataclass(frozen=True)
class StudyTask:
    """One task of a study: plan a strategy (``replication`` -1) or play one replication.

    A replication starts from ``plan``, the strategy's plan of the forecast,
    made once for all replications; ``plan_error`` says why there is none.
    """

    problem: Problem
    strategy: str
    replication: int
    seed: int
    uncertainty: Uncertainty
    options: SimulationOptions
    plan: Plan | None = None
    plan_error: str | None = None


def play(task: StudyTask) -> Outcome:
    """Run one task; an exception becomes an outcome with its error (the study goes on)."""
    started = time.perf_counter()
    name, replication = task.strategy, task.replication
    try:
        if replication == DETERMINISTIC:
            plan = plan_strategy(task.problem, name, task.options)
            kpis = dict(evaluate(task.problem, plan).kpis)
            timed_out = int(plan.status is SolveStatus.TIME_LIMIT)
            return Outcome(
                replication, name, kpis, seconds=_since(started), plan=plan, timed_out=timed_out
            )
        if task.plan is None:
            error = f"no plan of the forecast to start from: {task.plan_error}"
            return Outcome(replication, name, error=error)
        result = _replicate(task)
    except Exception as error:
        return Outcome(replication, name, seconds=_since(started), error=_describe(error))
    return Outcome(
        replication,
        name,
        dict(result.kpis),
        result.replans,
        result.seconds,
        timed_out=result.timed_out,
    )


def _since(started: float) -> float:
    return time.perf_counter() - started


def _describe(error: Exception) -> str:
    """An error as a planner reads it: the message of an expected error, else its type too."""
    if isinstance(error, PlanningError):
        return str(error)
    return f"{type(error).__name__}: {error}"


def _replicate(task: StudyTask) -> Replication:
    seed = replication_seed(task.seed, task.replication)
    reality = draw_reality(task.problem, task.uncertainty, seed)
    return simulate(task.problem, task.strategy, reality, task.options, plan=task.plan)


def run_study(
    problem: Problem,
    strategies: str | Iterable[str] | None = None,
    uncertainty: Uncertainty | None = None,
    options: SimulationOptions | None = None,
    replications: int = 20,
    seed: int | None = None,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    on_progress: ProgressCallback | None = None,
) -> SimulationStudy:
    """Simulate every strategy over ``replications`` draws of reality.

    Each strategy first plans the forecast once (its deterministic plan,
    reported for reference); every replication starts from that plan.

    Parameters
    ----------
    problem
        The plant; its demand is the forecast the strategies plan against.
    strategies
        Strategy names (or comma-separated text); all by default.
    uncertainty
        What goes wrong and how often; none by default (then every
        replication replays the forecast).
    options
        Replanning rhythm, frozen window, time limits, solver.
    replications
        How many realities to draw (at least 1).
    seed
        The root seed; ``None`` draws one from the operating system and
        records it in the study, so that the study can be repeated.
    scheduler, workers
        Where the tasks run, as in :func:`planner.parallel.map_tasks`.
    on_progress
        Called with (tasks finished, tasks in all) as tasks finish.

    Raises
    ------
    planner.comparison.UnknownStrategyError
        When a strategy name is unknown.
    PlanningError
        When ``replications`` is below 1 or the seed is negative.
    planner.parallel.ParallelError
        When the tasks cannot be run where asked.
    """
    names = parse_strategies(strategies)
    seed = check_study(replications, seed)
    uncertainty = uncertainty or Uncertainty()
    options = options or SimulationOptions()
    done = progress_counter(len(names) * (1 + replications), on_progress)
    started = time.perf_counter()
    first = plan_tasks(problem, names, uncertainty, options, seed)
    plans = map_tasks(play, first, scheduler=scheduler, workers=workers, on_done=done)
    tasks = replication_tasks(plans, first[0] if first else None, replications)
    outcomes = map_tasks(play, tasks, scheduler=scheduler, workers=workers, on_done=done)
    return SimulationStudy(
        problem=problem,
        strategies=tuple(names),
        uncertainty=uncertainty,
        options=options,
        replications=replications,
        seed=seed,
        outcomes=tuple(outcomes),
        deterministic={o.strategy: o for o in plans},
        seconds=_since(started),
    )


def check_study(replications: int, seed: int | None) -> int:
    """Check the number of replications and the seed; return the seed (drawn when ``None``).

    Raises
    ------
    PlanningError
        When ``replications`` is below 1 or the seed is negative.
    """
    if isinstance(replications, bool) or not isinstance(replications, int) or replications < 1:
        raise PlanningError(f"replications must be a whole number >= 1, got {replications!r}")
    if seed is None:
        return int(np.random.SeedSequence().entropy % 2**63)  # type: ignore[operator]
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise PlanningError(f"the seed must be a whole number >= 0, got {seed!r}")
    return seed


def plan_tasks(
    problem: Problem,
    strategies: Sequence[str],
    uncertainty: Uncertainty,
    options: SimulationOptions,
    seed: int,
) -> list[StudyTask]:
    """The first stage of a study: one task per strategy, planning the forecast."""
    return [
        StudyTask(problem, name, DETERMINISTIC, seed, uncertainty, options) for name in strategies
    ]


def replication_tasks(
    plans: Sequence[Outcome], template: StudyTask | None, replications: int
) -> list[StudyTask]:
    """The second stage: every (replication, strategy) pair, replication-major.

    Parameters
    ----------
    plans
        The outcomes of :func:`plan_tasks`, one per strategy, in order.
    template
        Any task of the first stage (its problem, seed, uncertainty, options).
    replications
        How many replications.
    """
    if template is None:
        return []
    return [
        dataclasses.replace(
            template,
            strategy=planned.strategy,
            replication=replication,
            plan=planned.plan,
            plan_error=planned.error,
        )
        for replication in range(replications)
        for planned in plans
    ]


def progress_counter(
    total: int, on_progress: ProgressCallback | None
) -> Callable[[int, Any], None]:
    """An ``on_done`` for :func:`~planner.parallel.map_tasks` that reports (finished, total)."""
    finished = 0

    def done(_index: int, _result: Any) -> None:
        nonlocal finished
        finished += 1
        if on_progress is not None:
            on_progress(finished, total)

    return done


@dataclass(frozen=True, eq=False)
class SimulationStudy:
    """The outcome of :func:`run_study`: every replication's KPIs, and statistics over them.

    Attributes
    ----------
    problem
        The plant (its demand is the forecast).
    strategies
        The strategies simulated, in order.
    uncertainty, options
        What went wrong and how the strategies replanned.
    replications, seed
        How many realities were drawn, from which root seed.
    outcomes
        One per (replication, strategy), replication-major; failed ones carry
        their error.
    deterministic
        Per strategy, its plan of the forecast (the plan every replication
        starts from, in ``.plan``) and that plan's KPIs.
    seconds
        Wall time of the whole study.
    """

    problem: Problem
    strategies: tuple[str, ...]
    uncertainty: Uncertainty
    options: SimulationOptions
    replications: int
    seed: int
    outcomes: tuple[Outcome, ...]
    deterministic: Mapping[str, Outcome] = field(default_factory=dict)
    seconds: float = 0.0

    def __repr__(self) -> str:
        failed = len(self.failures())
        lines = [
            f"SimulationStudy({self.problem.name or 'plant'}: "
            f"{counted(self.replications, 'replication')} "
            f"of {', '.join(self.strategies)}, seed {self.seed}, {self.seconds:.1f} s"
            + (f", {failed} failed" if failed else "")
            + ")"
        ]
        summary = self.summary(["total_cost", "fill_rate", "avg_inventory_value"])
        wins = self.wins() if self.replications and len(self.strategies) > 1 else None
        for row in summary.to_dict("records"):
            low, high = row["ci_low"], row["ci_high"]
            interval = f" [{low:,.2f}, {high:,.2f}]" if math.isfinite(low) else ""
            lines.append(
                f"  {row['strategy']:<10} {row['kpi']:<20} mean {row['mean']:,.2f}{interval}"
            )
        if wins is not None:
            shares = ", ".join(f"{name} {share:.0%}" for name, share in wins.items())
            lines.append(f"  wins on total_cost: {shares}")
        return "\n".join(lines)

    def timed_out(self) -> pd.DataFrame:
        """The tasks whose models the clock stopped before their work limits.

        Only their KPIs may differ on another run with the same seed
        (``replication`` -1: the plan of the forecast). Raising the time
        limits, or lowering the work limits, makes them repeat.
        """
        stopped = [o for o in (*self.deterministic.values(), *self.outcomes) if o.timed_out]
        rows = [(o.replication, o.strategy, o.timed_out) for o in stopped]
        return pd.DataFrame(rows, columns=["replication", "strategy", "timed_out"])

    def failures(self) -> pd.DataFrame:
        """The failed tasks: replication, strategy and error (``replication`` -1: the plan)."""
        failed = [o for o in (*self.deterministic.values(), *self.outcomes) if not o.ok]
        rows = [(o.replication, o.strategy, o.error) for o in failed]
        return pd.DataFrame(rows, columns=["replication", "strategy", "error"])

    def kpis(self) -> pd.DataFrame:
        """Every numeric KPI of every successful replication, one row each.

        Returns
        -------
        pandas.DataFrame
            Columns ``replication``, ``strategy``, ``kpi``, ``value`` (float),
            replication-major in the study's strategy order.
        """
        rows = [
            (o.replication, o.strategy, kpi, number)
            for o in self.outcomes
            if o.ok
            for kpi, value in o.kpis.items()
            if (number := _number(value)) is not None
        ]
        frame = pd.DataFrame(rows, columns=["replication", "strategy", "kpi", "value"])
        return frame.astype({"replication": "int64", "value": "float64"})

    def values(self, kpi: str) -> pd.DataFrame:
        """One KPI as a replication x strategy table (NaN where a replication failed)."""
        frame = self.kpis()
        chosen = frame[frame["kpi"] == kpi]
        if chosen.empty and kpi not in self._known_kpis():
            raise PlanningError(
                f"unknown KPI {kpi!r}: the study has {', '.join(self._known_kpis())}"
            )
        table = chosen.pivot(index="replication", columns="strategy", values="value")
        table = table.reindex(index=range(self.replications), columns=list(self.strategies))
        table.columns.name = None
        return table

    def summary(self, kpis: Sequence[str] | None = None) -> pd.DataFrame:
        """Statistics per strategy and KPI over the successful replications.

        Parameters
        ----------
        kpis
            The KPIs to summarise; every numeric KPI by default.

        Returns
        -------
        pandas.DataFrame
            Columns ``strategy``, ``kpi``, ``mean``, ``std`` (sample standard
            deviation), ``ci_low`` and ``ci_high`` (the 95 % confidence
            interval of the mean, Student t with n - 1 degrees of freedom;
            NaN when n < 2), ``min``, ``max``, ``n`` (replications that
            succeeded) and ``deterministic`` (the KPI of the strategy's
            plan of the forecast; NaN when not computed).
        """
        frame = self.kpis()
        wanted = list(self._known_kpis()) if kpis is None else list(kpis)
        rows = []
        for name in self.strategies:
            mine = frame[frame["strategy"] == name]
            for kpi in wanted:
                values = mine.loc[mine["kpi"] == kpi, "value"].to_numpy(dtype=float)
                rows.append((name, kpi, *_statistics(values), self._deterministic(name, kpi)))
        columns = ["strategy", "kpi", "mean", "std", "ci_low", "ci_high", "min", "max", "n"]
        return pd.DataFrame(rows, columns=[*columns, "deterministic"])

    def wins(self, kpi: str = "total_cost") -> pd.Series:
        """The share of replications each strategy wins on ``kpi``.

        Only replications where every strategy succeeded count. Lower wins,
        except for the KPIs of :data:`planner.evaluation.winners.HIGHER_IS_BETTER`;
        strategies tied for best share the win equally, so the shares sum
        to 1 (or are all 0 when no replication counts).

        Raises
        ------
        PlanningError
            When ``kpi`` has no winner (e.g. ``solve_seconds``) or is unknown.
        """
        if kpi in NO_WINNER:
            raise PlanningError(f"{kpi} describes a plan rather than ranks it: it has no winner")
        table = self.values(kpi).dropna()
        shares = pd.Series(0.0, index=list(self.strategies), name=f"wins on {kpi}")
        for _replication, row in table.iterrows():
            best = winners({name: {kpi: float(row[name])} for name in self.strategies})
            tied = best.get(kpi, list(self.strategies))
            for name in tied:
                shares[name] += 1.0 / len(tied)
        if len(table):
            shares /= len(table)
        return shares

    def paired_differences(self, kpi: str = "total_cost", against: str = BASELINE) -> pd.DataFrame:
        """Each strategy minus ``against``, replication by replication, with a 95 % interval.

        Common random numbers make these paired differences far less noisy
        than the difference of the means: when the interval excludes 0, the
        strategies differ on this plant under this uncertainty.

        Returns
        -------
        pandas.DataFrame
            Per other strategy: ``mean``, ``std``, ``ci_low``, ``ci_high``,
            ``min``, ``max``, ``n`` of the differences.
        """
        if against not in self.strategies:
            raise PlanningError(f"{against!r} is not a strategy of this study")
        table = self.values(kpi).dropna()
        rows = [
            (name, *_statistics((table[name] - table[against]).to_numpy(dtype=float)))
            for name in self.strategies
            if name != against
        ]
        columns = ["strategy", "mean", "std", "ci_low", "ci_high", "min", "max", "n"]
        return pd.DataFrame(rows, columns=columns)

    def replay(self, replication: int, strategy: str) -> Replication:
        """Run one replication again in this process, with everything the engine returns.

        The same seed gives the same reality, so this reproduces the study's
        replication exactly (its executed plan, the actual problem, the
        evaluation) for a closer look.
        """
        if not 0 <= replication < self.replications:
            raise PlanningError(
                f"replication {replication} is not in this study (0..{self.replications - 1})"
            )
        if strategy not in self.strategies:
            raise PlanningError(f"{strategy!r} is not a strategy of this study")
        planned = self.deterministic.get(strategy)
        plan = None if planned is None else planned.plan
        task = StudyTask(
            self.problem, strategy, replication, self.seed, self.uncertainty, self.options, plan
        )
        return _replicate(task)

    def plot_box(self, kpi: str = "total_cost", ax: Axes | None = None) -> Axes:
        """A box plot of ``kpi`` per strategy over the replications.

        Boxes span the quartiles, whiskers 1.5 times the interquartile range,
        the line is the median and the white dot the mean; a black diamond
        marks the strategy's deterministic plan, when known.
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _figure, ax = plt.subplots(figsize=(6, 4))
        table = self.values(kpi)
        data = [table[name].dropna().to_numpy(dtype=float) for name in self.strategies]
        positions = list(range(1, len(self.strategies) + 1))
        ax.boxplot(
            data, positions=positions, showmeans=True, meanprops={"markerfacecolor": "white"}
        )
        ax.set_xticks(positions, list(self.strategies))
        planned = [self._deterministic(name, kpi) for name in self.strategies]
        if any(math.isfinite(v) for v in planned):
            ax.scatter(
                positions, planned, marker="D", color="black", zorder=3, label="deterministic plan"
            )
            ax.legend()
        ax.set_title(f"{kpi} over {counted(self.replications, 'replication')}")
        ax.set_ylabel(kpi)
        return ax

    def write(self, path: str | Path) -> None:
        """Write the simulation workbook (see :mod:`planner.simulation.report`)."""
        write_simulation_workbook(self, path)

    def write_json(self, path: str | Path) -> None:
        """Write the simulation summary JSON (see :mod:`planner.simulation.report`)."""
        write_simulation_json(self, path)

    def _known_kpis(self) -> list[str]:
        keys = dict.fromkeys(
            kpi
            for o in (*self.outcomes, *self.deterministic.values())
            for kpi, value in o.kpis.items()
            if _number(value) is not None
        )
        return list(keys)

    def _deterministic(self, strategy: str, kpi: str) -> float:
        outcome = self.deterministic.get(strategy)
        value = None if outcome is None else _number(outcome.kpis.get(kpi))
        return math.nan if value is None else value


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _statistics(
    values: np.ndarray[Any, Any],
) -> tuple[float, float, float, float, float, float, int]:
    """mean, std, ci_low, ci_high, min, max, n of a sample (NaN where undefined)."""
    n = int(values.size)
    if n == 0:
        return math.nan, math.nan, math.nan, math.nan, math.nan, math.nan, 0
    mean = float(values.mean())
    if n < 2:
        return mean, math.nan, math.nan, math.nan, float(values.min()), float(values.max()), n
    std = float(values.std(ddof=1))
    half = float(stats.t.ppf(0.5 + CONFIDENCE / 2, n - 1)) * std / math.sqrt(n)
    return mean, std, mean - half, mean + half, float(values.min()), float(values.max()), n
