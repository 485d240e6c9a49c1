"""Sweeps: the strategies compared over a grid of what-if factors.

:func:`run_sweep` changes the plant (or the uncertainty) along each factor,
takes every combination (the cartesian product of the values), and at each
grid point compares the strategies: deterministically, by each strategy's
plan of the forecast as a simulation study makes it
(:func:`planner.simulation.engine.plan_strategy`, on work limits, so that
the sweep repeats; ``replications=0``), or by simulation
(:mod:`planner.simulation.study`) with that many replications. Every task of
every grid point runs through one :func:`planner.parallel.map_tasks`, so a
sweep spreads over the workers as one batch.

Factors (:data:`FACTORS`) are multipliers of the plant's data or values of
the uncertainty:

========================== ============================================================
``setup_time``             multiplier of every item's setup time
``setup_cost``             multiplier of every item's setup cost
``demand``                 multiplier of the demand (the forecast)
``capacity``               multiplier of every work center's regular capacity
``lead_time``              multiplier of every item's lead time, rounded to whole days
``holding_cost``           multiplier of every item's holding cost (own or defaulted)
``carrying_rate``          the yearly carrying rate (Settings), for items without their own
``demand_cv``              uncertainty: CV of actual against forecast demand
``demand_bias``            uncertainty: mean relative forecast error
``supplier_late_probability`` uncertainty: chance a purchase order is late
``supplier_late_days``     uncertainty: most days a late order is late (whole days)
``downtime_probability``   uncertainty: chance of a breakdown per work center and day
========================== ============================================================

A simulated sweep uses the same seed at every grid point (common random
numbers across the grid as well as across strategies), so that the
differences between neighbouring points come from the factors, not luck.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from models import PlanningError, Problem
from models.wording import counted
from planner.comparison import parse_strategies
from planner.evaluation.winners import winners
from planner.parallel import map_tasks
from planner.simulation.engine import SimulationOptions
from planner.simulation.reality import Uncertainty
from planner.simulation.report import write_sweep_json, write_sweep_workbook
from planner.simulation.study import (
    DETERMINISTIC,
    Outcome,
    ProgressCallback,
    SimulationStudy,
    StudyTask,
    check_study,
    plan_tasks,
    play,
    progress_counter,
    replication_tasks,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["FACTORS", "PLANT_FACTORS", "UNCERTAINTY_FACTORS", "Sweep", "SweepError", "run_sweep"]

COST = "total_cost"
"""The cost KPI of the frontier and of the winner of each grid point."""

INVENTORY = "avg_inventory_value"
"""The inventory KPI of the frontier (the evaluator's average inventory value)."""


def _scale_items(field_name: str, whole: bool = False) -> Callable[[Problem, float], Problem]:
    def change(problem: Problem, factor: float) -> Problem:
        def scaled(item: Any) -> Any:
            value = getattr(item, field_name) * factor
            return round(value) if whole else value

        changes: dict[str, Any] = {field_name: scaled}
        return problem.replace_items(None, **changes)

    return change


def _scale_holding(problem: Problem, factor: float) -> Problem:
    settings = dataclasses.replace(
        problem.settings, carrying_rate=problem.settings.carrying_rate * factor
    )
    own = problem.replace_items(
        holding_cost=lambda item: None if item.holding_cost is None else item.holding_cost * factor
    )
    return own.replace(settings=settings)


PLANT_FACTORS: dict[str, Callable[[Problem, float], Problem]] = {
    "setup_time": _scale_items("setup_time"),
    "setup_cost": _scale_items("setup_cost"),
    "demand": lambda problem, factor: problem.replace(demand=problem.demand * factor),
    "capacity": lambda problem, factor: problem.replace(capacity=problem.capacity * factor),
    "lead_time": _scale_items("lead_time", whole=True),
    "holding_cost": _scale_holding,
    "carrying_rate": lambda problem, rate: problem.replace(
        settings=dataclasses.replace(problem.settings, carrying_rate=rate)
    ),
}
"""Factors that change the plant: name to a function (problem, value) -> changed problem."""

UNCERTAINTY_FACTORS = (
    "demand_cv",
    "demand_bias",
    "supplier_late_probability",
    "supplier_late_days",
    "downtime_probability",
)
"""Factors that set a field of :class:`~planner.simulation.reality.Uncertainty`."""

FACTORS = (*PLANT_FACTORS, *UNCERTAINTY_FACTORS)
"""Every factor a sweep can vary, in the order they are documented."""


class SweepError(PlanningError):
    """A sweep that cannot be run as asked (unknown factor, bad value, no replications)."""


@dataclass(frozen=True)
class GridPoint:
    """One combination of factor values, with the plant and uncertainty it gives."""

    values: Mapping[str, float]
    problem: Problem
    uncertainty: Uncertainty


def parse_vary(texts: Iterable[str]) -> dict[str, list[float]]:
    """Read ``name=v1,v2,...`` texts (as the command line gives them) into factor values.

    Raises
    ------
    SweepError
        Naming the text that is not of that form, or an unknown factor.
    """
    vary: dict[str, list[float]] = {}
    for text in texts:
        name, sign, values = text.partition("=")
        name = name.strip().lower()
        if not sign or not name or not values.strip():
            raise SweepError(f"--vary {text!r}: expected name=value,value,... e.g. demand_cv=0,0.2")
        try:
            numbers = [float(v) for v in values.split(",") if v.strip()]
        except ValueError:
            raise SweepError(f"--vary {text!r}: the values must be numbers") from None
        vary.setdefault(name, []).extend(numbers)
    _check_factors(vary)
    return vary


def _check_factors(vary: Mapping[str, Sequence[float]]) -> None:
    unknown = [name for name in vary if name not in FACTORS]
    if unknown:
        raise SweepError(
            f"unknown factor{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}: "
            "the factors are "
            f"{', '.join(FACTORS)}"
        )
    if not vary:
        raise SweepError(f"nothing to vary: give at least one of {', '.join(FACTORS)}")
    for name, values in vary.items():
        if len(values) == 0:
            raise SweepError(f"factor {name!r} has no values")
        bad = [v for v in values if not math.isfinite(float(v))]
        if bad:
            raise SweepError(f"factor {name!r} has values that are not finite numbers: {bad}")
        if name in PLANT_FACTORS and any(float(v) < 0 for v in values):
            raise SweepError(f"factor {name!r} must be >= 0, got {list(values)}")


def grid(
    problem: Problem, vary: Mapping[str, Sequence[float]], uncertainty: Uncertainty
) -> list[GridPoint]:
    """Every combination of the factors' values (the last factor varying fastest).

    Raises
    ------
    SweepError
        When a factor is unknown, or a combination gives an invalid plant or
        uncertainty (the message names the grid point).
    """
    _check_factors(vary)
    names = list(vary)
    points = []
    for combination in itertools.product(*(vary[name] for name in names)):
        values = {name: float(v) for name, v in zip(names, combination, strict=True)}
        try:
            changed = problem
            for name, value in values.items():
                if name in PLANT_FACTORS:
                    changed = PLANT_FACTORS[name](changed, value)
            knobs: dict[str, Any] = {
                name: round(value) if name == "supplier_late_days" else value
                for name, value in values.items()
                if name in UNCERTAINTY_FACTORS
            }
            if knobs.get("supplier_late_probability", 0) > 0 and "supplier_late_days" not in knobs:
                knobs.setdefault("supplier_late_days", max(1, uncertainty.supplier_late_days))
            point_uncertainty = dataclasses.replace(uncertainty, **knobs)
        except PlanningError as error:
            where = ", ".join(f"{k}={v:g}" for k, v in values.items())
            raise SweepError(f"the grid point {where} is not valid: {error}") from error
        points.append(GridPoint(values, changed, point_uncertainty))
    return points


def run_sweep(
    problem: Problem,
    vary: Mapping[str, Sequence[float]],
    strategies: str | Iterable[str] | None = None,
    *,
    uncertainty: Uncertainty | None = None,
    replications: int = 0,
    seed: int | None = None,
    options: SimulationOptions | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    on_progress: ProgressCallback | None = None,
) -> Sweep:
    """Compare the strategies at every point of the grid the factors span.

    Parameters
    ----------
    problem
        The plant at factor values 1 (its own data).
    vary
        Factor name to its values, e.g. ``{"setup_time": [0.25, 0.5, 1]}``;
        see :data:`FACTORS`.
    strategies
        Strategy names (or comma-separated text); all by default.
    uncertainty
        The uncertainty of a simulated sweep before the factors set some of
        its fields (none by default).
    replications
        ``0``: compare the plans of the forecast, evaluated as planned;
        more: simulate that many replications at every grid point.
    seed
        Root seed of the simulations (drawn and recorded when ``None``).
    options
        How the plans are made (work limits, time caps, solver) and how a
        simulation replans.
    scheduler, workers
        Where the tasks run, as in :func:`planner.parallel.map_tasks`.
    on_progress
        Called with (tasks finished, tasks in all).

    Raises
    ------
    SweepError
        For an unknown factor (naming the known ones), an invalid grid point,
        or uncertainty factors without replications.
    """
    names = parse_strategies(strategies)
    if isinstance(replications, bool) or not isinstance(replications, int) or replications < 0:
        raise SweepError(f"replications must be a whole number >= 0, got {replications!r}")
    uncertain = [name for name in vary if name in UNCERTAINTY_FACTORS]
    if replications == 0 and (
        uncertain or (uncertainty is not None and not uncertainty.is_certain())
    ):
        what = ", ".join(uncertain) if uncertain else "an uncertainty"
        raise SweepError(
            f"{what} only matters in a simulation: give the number of replications (>= 1)"
        )
    points = grid(problem, vary, uncertainty or Uncertainty())
    started = time.perf_counter()
    options = options or SimulationOptions()
    if replications == 0:
        certain = Uncertainty()
        tasks = [
            StudyTask(p.problem, name, DETERMINISTIC, 0, certain, options)
            for p in points
            for name in names
        ]
        done = progress_counter(len(tasks), on_progress)
        outcomes = map_tasks(play, tasks, scheduler=scheduler, workers=workers, on_done=done)
        results: list[Outcome | SimulationStudy] = [
            dataclasses.replace(o, plan=None) for o in outcomes
        ]
        seed_used = None
    else:
        seed_used = check_study(replications, seed)
        results = list(
            _simulate_points(
                points, names, options, replications, seed_used, scheduler, workers, on_progress
            )
        )
    return Sweep(
        factors=tuple(vary),
        strategies=tuple(names),
        points=tuple(points),
        replications=replications,
        seed=seed_used,
        results=tuple(results),
        seconds=time.perf_counter() - started,
    )


def _simulate_points(
    points: Sequence[GridPoint],
    names: Sequence[str],
    options: SimulationOptions,
    replications: int,
    seed: int,
    scheduler: str | None,
    workers: int | None,
    on_progress: ProgressCallback | None,
) -> list[SimulationStudy]:
    """Every grid point's study, each stage of every point in one batch of tasks.

    Grid points that share a plant (they differ in uncertainty only) share
    its plans of the forecast: each distinct plant is planned once.
    """
    plants = list({id(p.problem): p.problem for p in points}.values())
    done = progress_counter(len(names) * (len(plants) + len(points) * replications), on_progress)
    flat = [
        task for plant in plants for task in plan_tasks(plant, names, Uncertainty(), options, seed)
    ]
    planned = map_tasks(play, flat, scheduler=scheduler, workers=workers, on_done=done)
    plans_of = {
        id(plant): planned[k * len(names) : (k + 1) * len(names)] for k, plant in enumerate(plants)
    }
    per_point = [plans_of[id(p.problem)] for p in points]
    first = [plan_tasks(p.problem, names, p.uncertainty, options, seed) for p in points]
    second: list[StudyTask] = []
    for plans, tasks in zip(per_point, first, strict=True):
        second += replication_tasks(plans, tasks[0], replications)
    played = map_tasks(play, second, scheduler=scheduler, workers=workers, on_done=done)
    size = replications * len(names)
    return [
        SimulationStudy(
            problem=point.problem,
            strategies=tuple(names),
            uncertainty=point.uncertainty,
            options=options,
            replications=replications,
            seed=seed,
            outcomes=tuple(played[k * size : (k + 1) * size]),
            deterministic={o.strategy: o for o in plans},
        )
        for k, (point, plans) in enumerate(zip(points, per_point, strict=True))
    ]


@dataclass(frozen=True, eq=False)
class Sweep:
    """The strategies compared at every grid point.

    Attributes
    ----------
    factors
        The factors varied, in order.
    strategies
        The strategies compared.
    points
        The grid points (factor values, plant, uncertainty).
    replications
        ``0`` for a deterministic sweep, else replications per grid point.
    seed
        Root seed of a simulated sweep.
    results
        Per grid point: a :class:`~planner.simulation.study.SimulationStudy`
        (simulated); for a deterministic sweep, one
        :class:`~planner.simulation.study.Outcome` per (point, strategy),
        point-major.
    seconds
        Wall time of the sweep.
    """

    factors: tuple[str, ...]
    strategies: tuple[str, ...]
    points: tuple[GridPoint, ...]
    replications: int
    seed: int | None
    results: tuple[Outcome | SimulationStudy, ...]
    seconds: float = 0.0
    _cache: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    @property
    def simulated(self) -> bool:
        """Whether the grid points were simulated (else: deterministic plans)."""
        return self.replications > 0

    def __repr__(self) -> str:
        kind = (
            f"{counted(self.replications, 'replication')} per point"
            if self.simulated
            else "deterministic"
        )
        lines = [
            f"Sweep({counted(len(self.points), 'grid point')} over {', '.join(self.factors)}; "
            f"{', '.join(self.strategies)}; {kind}; {self.seconds:.1f} s)"
        ]
        table = self.winners()
        for row in table.itertuples(index=False):
            where = ", ".join(f"{name}={getattr(row, name):g}" for name in self.factors)
            lines.append(f"  {where}: {row.winner}")
        return "\n".join(lines)

    def frame(self) -> pd.DataFrame:
        """The tidy table: one row per grid point and strategy.

        Returns
        -------
        pandas.DataFrame
            The factor columns, ``strategy``, then every numeric KPI (the
            mean over the replications when simulated); a simulated sweep
            adds ``n`` (replications that succeeded), ``total_cost_ci_low``
            and ``total_cost_ci_high`` (95 % interval of the mean) and
            ``win_share`` (share of replications won on total cost); a
            deterministic one adds ``error`` (why a plan failed, else empty).
        """
        if "frame" not in self._cache:
            self._cache["frame"] = self._frame()
        return self._cache["frame"].copy()

    def _frame(self) -> pd.DataFrame:
        rows: list[dict[str, Any]] = []
        if self.simulated:
            for point, study in zip(self.points, self.results, strict=True):
                assert isinstance(study, SimulationStudy)
                statistics = study.summary()
                shares = _wins_or_nan(study)
                for name in self.strategies:
                    mine = statistics[statistics["strategy"] == name].set_index("kpi")
                    row: dict[str, Any] = {**point.values, "strategy": name}
                    row.update({str(k): v for k, v in mine["mean"].items()})
                    cost = mine.loc[COST] if COST in mine.index else None
                    row["n"] = int(mine["n"].max()) if len(mine) else 0
                    row[f"{COST}_ci_low"] = math.nan if cost is None else cost["ci_low"]
                    row[f"{COST}_ci_high"] = math.nan if cost is None else cost["ci_high"]
                    row["win_share"] = shares.get(name, math.nan)
                    rows.append(row)
        else:
            size = len(self.strategies)
            for k, point in enumerate(self.points):
                outcomes = self.results[k * size : (k + 1) * size]
                for outcome in outcomes:
                    assert isinstance(outcome, Outcome)
                    row = {**point.values, "strategy": outcome.strategy}
                    row.update(
                        {key: value for key, value in outcome.kpis.items() if _is_number(value)}
                    )
                    row["error"] = outcome.error or ""
                    rows.append(row)
        frame = pd.DataFrame(rows)
        leading = [*self.factors, "strategy"]
        return frame[leading + [c for c in frame.columns if c not in leading]]

    def winners(self, kpi: str = COST) -> pd.DataFrame:
        """The winner of each grid point on ``kpi`` (the lowest mean, or highest where better).

        Returns
        -------
        pandas.DataFrame
            The factor columns, ``winner`` (ties joined by ``" = "``; empty
            when no strategy has a value) and ``kpi`` value of the winner.
        """
        frame = self.frame()
        rows = []
        for values, group in frame.groupby(list(self.factors), sort=False):
            key = values if isinstance(values, tuple) else (values,)
            table = {
                str(r["strategy"]): {kpi: r[kpi]}
                for _, r in group.iterrows()
                if kpi in group and _is_number(r[kpi])
            }
            best = winners(table).get(kpi, list(table) if len(table) == 1 else [])
            value = table[best[0]][kpi] if best else math.nan
            rows.append((*key, " = ".join(best), value))
        return pd.DataFrame(rows, columns=[*self.factors, "winner", kpi])

    def frontier(self, cost: str = COST, inventory: str = INVENTORY) -> pd.DataFrame:
        """Cost against inventory of every (grid point, strategy), non-dominated points marked.

        A point is dominated when another has no more cost and no more
        inventory, and less of one of them; the rest form the frontier of
        the best trade-offs any strategy reached anywhere in the grid.

        Returns
        -------
        pandas.DataFrame
            The factor columns, ``strategy``, ``cost`` and ``inventory`` KPIs
            and ``frontier`` (True for non-dominated points).
        """
        frame = self.frame()
        if cost not in frame or inventory not in frame:
            raise SweepError(f"the sweep has no {cost!r} or {inventory!r} KPI")
        table = frame[[*self.factors, "strategy", cost, inventory]].dropna().reset_index(drop=True)
        points = table[[cost, inventory]].to_numpy(dtype=float)
        table["frontier"] = [
            not bool(np.any(np.all(points <= p, axis=1) & np.any(points < p, axis=1)))
            for p in points
        ]
        return table

    def plot_frontier(
        self, cost: str = COST, inventory: str = INVENTORY, ax: Axes | None = None
    ) -> Axes:
        """Cost against inventory, one colour per strategy, the frontier joined by a line."""
        import matplotlib.pyplot as plt

        if ax is None:
            _figure, ax = plt.subplots(figsize=(7, 5))
        table = self.frontier(cost, inventory)
        for name in self.strategies:
            mine = table[table["strategy"] == name]
            ax.scatter(mine[inventory], mine[cost], label=name, alpha=0.8)
        best = table[table["frontier"]].sort_values(inventory)
        ax.plot(best[inventory], best[cost], color="black", linewidth=1, marker="o",
                markerfacecolor="none", markersize=10, label="non-dominated")  # fmt: skip
        ax.set_xlabel(inventory)
        ax.set_ylabel(cost)
        ax.set_title(f"{cost} against {inventory} over {counted(len(self.points), 'grid point')}")
        ax.legend()
        return ax

    def plot_winner_map(
        self,
        x: str | None = None,
        y: str | None = None,
        *,
        at: Mapping[str, float] | None = None,
        kpi: str = COST,
        ax: Axes | None = None,
    ) -> Axes:
        """Which strategy wins where, over two factors (the others fixed by ``at``).

        Parameters
        ----------
        x, y
            The factors on the axes (default: the first two; one factor gives
            a single row).
        at
            Values of the other factors (default: each one's first value).
        kpi
            The KPI that decides the winner.
        """
        import matplotlib.pyplot as plt
        from matplotlib.colors import ListedColormap

        x = x or self.factors[0]
        y = y or (self.factors[1] if len(self.factors) > 1 and self.factors[1] != x else None)
        for name in (x, y):
            if name is not None and name not in self.factors:
                raise SweepError(
                    f"{name!r} is not a factor of this sweep ({', '.join(self.factors)})"
                )
        table = self.winners(kpi)
        fixed = {name: table[name].iloc[0] for name in self.factors if name not in (x, y)}
        fixed.update(at or {})
        for name, value in fixed.items():
            table = table[np.isclose(table[name], value)]
        if table.empty:
            raise SweepError(f"no grid point has {fixed}")
        xs = sorted(table[x].unique())
        ys = sorted(table[y].unique()) if y is not None else [0.0]
        labels = sorted(set(table["winner"]) - {""})
        codes = {label: k for k, label in enumerate(labels)}
        grid_codes = np.full((len(ys), len(xs)), np.nan)
        for row in table.itertuples(index=False):
            i = ys.index(getattr(row, y)) if y is not None else 0
            grid_codes[i, xs.index(getattr(row, x))] = codes.get(row.winner, np.nan)
        if ax is None:
            _figure, ax = plt.subplots(figsize=(1.5 + 1.2 * len(xs), 1.5 + 0.8 * len(ys)))
        palette = plt.get_cmap("Pastel1")
        colours = ListedColormap([palette(k) for k in range(max(1, len(labels)))])
        ax.imshow(grid_codes, cmap=colours, vmin=-0.5, vmax=max(1, len(labels)) - 0.5,
                  origin="lower", aspect="auto")  # fmt: skip
        for i in range(len(ys)):
            for j in range(len(xs)):
                if math.isfinite(grid_codes[i, j]):
                    ax.text(j, i, labels[int(grid_codes[i, j])], ha="center", va="center")
        ax.set_xticks(range(len(xs)), [f"{v:g}" for v in xs])
        ax.set_xlabel(x)
        if y is not None:
            ax.set_yticks(range(len(ys)), [f"{v:g}" for v in ys])
            ax.set_ylabel(y)
        else:
            ax.set_yticks([])
        where = ", ".join(f"{k}={v:g}" for k, v in fixed.items())
        ax.set_title(f"winner on {kpi}" + (f" at {where}" if where else ""))
        return ax

    def failures(self) -> pd.DataFrame:
        """Failed plans or replications: the factor columns, replication, strategy and error."""
        rows: list[dict[str, Any]] = []
        size = len(self.strategies)
        for k, point in enumerate(self.points):
            result = self.results[k] if self.simulated else None
            if isinstance(result, SimulationStudy):
                for failed in result.failures().to_dict("records"):
                    rows.append({**point.values, **{str(k): v for k, v in failed.items()}})
            elif not self.simulated:
                for outcome in self.results[k * size : (k + 1) * size]:
                    assert isinstance(outcome, Outcome)
                    if not outcome.ok:
                        rows.append(
                            {**point.values, "replication": DETERMINISTIC,
                             "strategy": outcome.strategy, "error": outcome.error}
                        )  # fmt: skip
        columns = [*self.factors, "replication", "strategy", "error"]
        return pd.DataFrame(rows, columns=columns)

    def write(self, path: str | Path, *, chart_kpis: tuple[str, str] = (COST, INVENTORY)) -> None:
        """Write the sweep workbook: Sweep (tidy), Winners, Frontier, Charts, Failures."""
        write_sweep_workbook(self, path, cost=chart_kpis[0], inventory=chart_kpis[1])

    def write_json(self, path: str | Path) -> None:
        """Write the sweep JSON (see :func:`planner.simulation.report.sweep_summary`)."""
        write_sweep_json(self, path)


def _wins_or_nan(study: SimulationStudy) -> dict[str, float]:
    if len(study.strategies) < 2 or COST not in set(study.kpis()["kpi"]):
        return {}
    return {str(k): float(v) for k, v in study.wins(COST).items()}


def _is_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        return False
    return math.isfinite(float(value))
