"""Plan one problem with several strategies and judge every plan the same way.

Every front end (the command line, a weekly run's TOML file, the web form)
turns what the user chose into :class:`~models.strategy.RunOptions` with
:func:`run_options`, and plans through :func:`compare`, which resolves each
strategy's options once from the workbook's Settings and those choices
(:meth:`models.strategy.Strategy.plan_problem`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from pathlib import Path

from models import PlanningError, Problem
from models.batch import diagnose_demand
from models.heijunka import SEQUENCING_METHODS, SequencingMethod
from models.plan import MessageLevel, PlanMessage
from models.solvers.backends import backend_from_name
from models.strategies import STRATEGIES
from models.strategy import RunOptions, UnknownStrategyError
from planner.evaluation import StrategyResult, evaluate, peg
from planner.results import Comparison
from planner.workbook.reader import load_workbook

__all__ = [
    "STRATEGIES",
    "RunOptions",
    "UnknownStrategyError",
    "compare",
    "parse_sequencing",
    "parse_strategies",
    "run_options",
]

DIAGNOSIS_SECONDS = 10.0
"""Most seconds the demand diagnosis of a comparison with late demand may take."""


def parse_sequencing(name: str) -> SequencingMethod:
    """Check a sequencing method name (case-insensitive).

    Raises
    ------
    PlanningError
        Naming the known methods.
    """
    chosen = name.strip().lower()
    for method in SEQUENCING_METHODS:
        if method == chosen:
            return method
    known = ", ".join(SEQUENCING_METHODS)
    raise PlanningError(f"unknown sequencing method {name!r}: available methods are {known}")


def parse_strategies(names: str | Iterable[str] | None) -> list[str]:
    """Check strategy names (a list, or text like ``"mrp,batch"``); ``None`` means all.

    Raises
    ------
    UnknownStrategyError
        Naming every unknown strategy.
    """
    return STRATEGIES.parse(names)


def run_options(
    *, solver: str = "highs", time_limit: float | None = None, sequencing: str = "prv"
) -> RunOptions:
    """The run's choices as a user states them, checked: the one way into a run.

    Parameters
    ----------
    solver
        The MILP backend's name (``highs``, ``cbc``, ``ortools``).
    time_limit
        Seconds each strategy may take in all; the workbook's Settings when ``None``.
    sequencing
        How a pull strategy orders a day's mix (``prv`` or ``goal_chasing``).

    Raises
    ------
    PlanningError
        Naming the first choice that is not valid.
    """
    backend_from_name(solver)
    return RunOptions(solver=solver, time_limit=time_limit, sequencing=parse_sequencing(sequencing))


def compare(
    problem: Problem | str | Path,
    strategies: str | Iterable[str] | None = None,
    *,
    run: RunOptions | None = None,
    on_start: Callable[[str], None] | None = None,
) -> Comparison:
    """Plan ``problem`` with each strategy, evaluate and peg every plan.

    Parameters
    ----------
    problem
        A problem, or the path of a planner workbook.
    strategies
        Names (or comma-separated text); all registered strategies by default.
    run
        Solver choice, time limit per strategy and progress callback.
    on_start
        Called with each strategy's name before it plans (for progress display).

    Raises
    ------
    UnknownStrategyError
        When a name is not a registered strategy.
    planner.workbook.issues.WorkbookError
        When a workbook path is given and the workbook is invalid.
    """
    names = parse_strategies(strategies)
    run = run or RunOptions()
    if not isinstance(problem, Problem):
        problem = load_workbook(problem)
    results = {}
    for name in names:
        if on_start is not None:
            on_start(name)
        plan = STRATEGIES[name].plan_problem(problem, run)
        limit = problem.settings.pegging_limit
        pegging = peg(problem, plan, limit=limit) if limit else None
        if pegging is None:
            plan = dataclasses.replace(plan, messages=(*plan.messages, _unpegged(limit)))
        results[name] = StrategyResult(plan, evaluate(problem, plan), pegging or ())
    return Comparison(problem, _with_diagnosis(problem, results, run))


def _unpegged(limit: int) -> PlanMessage:
    """Why a plan has no rows in the ``Pegging`` sheet."""
    if not limit:
        return PlanMessage(MessageLevel.INFO, "not pegged: Settings pegging_limit is 0")
    return PlanMessage(
        MessageLevel.WARNING,
        f"not pegged: its orders serve more than {limit:,} demands (Settings pegging_limit); "
        "raise the limit to see them in the Pegging sheet",
    )


def _with_diagnosis(
    problem: Problem, results: dict[str, StrategyResult], run: RunOptions
) -> dict[str, StrategyResult]:
    """Add to every plan with late demand what :func:`diagnose_demand` proves about the plant.

    A plant above Settings ``diagnosis_limit`` item-days is not diagnosed (its linear
    program would take minutes); its late plans say so instead.
    """
    late = [name for name, r in results.items() if r.evaluation.kpis.get("late_units", 0) > 0]
    if not late:
        return results
    size, limit = problem.n_items * problem.n_days, problem.settings.diagnosis_limit
    if size > limit:
        text = (
            f"late demand not diagnosed: the plant has {size:,} item-days, more than Settings "
            f"diagnosis_limit ({limit:,})"
        )
        extra: tuple[PlanMessage, ...] = (PlanMessage(MessageLevel.INFO, text),)
    else:
        seconds = min(DIAGNOSIS_SECONDS, run.seconds(problem.settings))
        diagnosis = diagnose_demand(problem, time_limit=seconds)
        if diagnosis is None:
            return results
        extra = tuple(diagnosis.messages(problem))
    if not extra:
        return results
    changed = dict(results)
    for name in late:
        result = results[name]
        plan = dataclasses.replace(result.plan, messages=result.plan.messages + extra)
        changed[name] = dataclasses.replace(result, plan=plan)
    return changed
