"""Plan one problem with several strategies and judge every plan the same way."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from models import PlanningError, Problem
from models.batch import BatchOptions, diagnose_demand, plan_batch
from models.heijunka import SEQUENCING_METHODS, HeijunkaOptions, SequencingMethod, plan_heijunka
from models.mrp import plan_mrp
from models.plan import Plan
from models.solvers.milp import ProgressCallback
from planner.evaluation import evaluate
from planner.evaluation.pegging import peg
from planner.results import Comparison, StrategyResult
from planner.workbook.reader import load_workbook


@dataclass(frozen=True)
class RunOptions:
    """Choices that apply to every strategy of one comparison.

    Parameters
    ----------
    solver
        The MILP backend of the optimising strategies (``highs``, ``cbc``, ``ortools``).
    time_limit
        Seconds per optimisation model; the workbook's Settings when ``None``.
    on_progress
        Called with the solver's progress (time, incumbent, bound).
    sequencing
        How the ``heijunka`` strategy orders each day: ``prv`` (exact product
        rate variation) or ``goal_chasing`` (Toyota's heuristic on component usage).
    batch
        Further options of the ``batch`` strategy (e.g. plan stability against
        a previous plan); their solver and time limit are this run's.
    """

    solver: str = "highs"
    time_limit: float | None = None
    on_progress: ProgressCallback | None = None
    sequencing: SequencingMethod = "prv"
    batch: BatchOptions | None = None


def _mrp(problem: Problem, run: RunOptions) -> Plan:
    return plan_mrp(problem)


def _batch(problem: Problem, run: RunOptions) -> Plan:
    base = run.batch or BatchOptions()
    options = dataclasses.replace(base, solver=run.solver, time_limit=run.time_limit)
    return plan_batch(problem, options, on_progress=run.on_progress)


def _heijunka(problem: Problem, run: RunOptions) -> Plan:
    options = HeijunkaOptions(
        solver=run.solver, time_limit=run.time_limit, sequencing=run.sequencing
    )
    return plan_heijunka(problem, options)


Strategy = Callable[[Problem, RunOptions], Plan]

STRATEGIES: dict[str, Strategy] = {"mrp": _mrp, "batch": _batch, "heijunka": _heijunka}
"""The strategies ``compare`` knows, by name, in their default order."""


class UnknownStrategyError(PlanningError):
    """A strategy name that is not one of :data:`STRATEGIES`."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = tuple(names)
        known = ", ".join(STRATEGIES)
        listed = ", ".join(repr(n) for n in self.names)
        super().__init__(f"unknown strategy {listed}: available strategies are {known}")


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
    if names is None:
        return list(STRATEGIES)
    if isinstance(names, str):
        names = names.split(",")
    chosen = [n.strip().lower() for n in names if n.strip()]
    unknown = [n for n in chosen if n not in STRATEGIES]
    if unknown:
        raise UnknownStrategyError(unknown)
    if not chosen:
        raise UnknownStrategyError([""])
    return list(dict.fromkeys(chosen))


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
        Names (or comma-separated text); all known strategies by default.
    run
        Solver choice, time limit and progress callback.
    on_start
        Called with each strategy's name before it plans (for progress display).

    Raises
    ------
    UnknownStrategyError
        When a name is not a known strategy.
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
        plan = STRATEGIES[name](problem, run)
        results[name] = StrategyResult(plan, evaluate(problem, plan), peg(problem, plan))
    return Comparison(problem, _with_diagnosis(problem, results, run))


def _with_diagnosis(
    problem: Problem, results: dict[str, StrategyResult], run: RunOptions
) -> dict[str, StrategyResult]:
    """Add to every plan with late demand what :func:`diagnose_demand` proves about the plant."""
    late = [name for name, r in results.items() if r.evaluation.kpis.get("late_units", 0) > 0]
    if not late:
        return results
    seconds = min(10.0, run.time_limit or problem.settings.time_limit)
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
