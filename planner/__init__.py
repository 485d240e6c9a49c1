"""The production planner: workbooks in, plans and comparisons out.

The front door for programs and notebooks::

    from planner import RunOptions, compare, load_workbook

    problem = load_workbook("data/example_plant.xlsx")
    comparison = compare(problem, "mrp,batch,heijunka", run=RunOptions(time_limit=30))
    comparison.kpis()  # the Summary as a pandas DataFrame

Every name below is loaded when first used, so that ``planner --version``
and the other commands start without loading the planning stack.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("heijunka-planner")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

if TYPE_CHECKING:
    from models import PlanningError, Problem, Settings
    from models.plan import Plan, SolveStatus
    from models.strategies import STRATEGIES
    from models.strategy import RunOptions, Strategy
    from planner.comparison import compare, run_options
    from planner.evaluation import Evaluation, StrategyResult, evaluate, peg, winners
    from planner.evaluation.kpis import KPIS, Kpi
    from planner.results import Comparison
    from planner.simulation import (
        SimulationOptions,
        Uncertainty,
        draw_reality,
        simulate,
    )
    from planner.simulation.study import SimulationStudy, run_study
    from planner.simulation.sweep import Sweep, run_sweep
    from planner.workbook.issues import WorkbookError
    from planner.workbook.reader import ReadResult, load_workbook, read_workbook

_HOMES = {
    "PlanningError": "models",
    "Problem": "models",
    "Settings": "models",
    "Plan": "models.plan",
    "SolveStatus": "models.plan",
    "STRATEGIES": "models.strategies",
    "RunOptions": "models.strategy",
    "Strategy": "models.strategy",
    "compare": "planner.comparison",
    "run_options": "planner.comparison",
    "Evaluation": "planner.evaluation",
    "StrategyResult": "planner.evaluation",
    "evaluate": "planner.evaluation",
    "peg": "planner.evaluation",
    "winners": "planner.evaluation",
    "KPIS": "planner.evaluation.kpis",
    "Kpi": "planner.evaluation.kpis",
    "Comparison": "planner.results",
    "SimulationOptions": "planner.simulation",
    "Uncertainty": "planner.simulation",
    "draw_reality": "planner.simulation",
    "simulate": "planner.simulation",
    "SimulationStudy": "planner.simulation.study",
    "run_study": "planner.simulation.study",
    "Sweep": "planner.simulation.sweep",
    "run_sweep": "planner.simulation.sweep",
    "WorkbookError": "planner.workbook.issues",
    "ReadResult": "planner.workbook.reader",
    "load_workbook": "planner.workbook.reader",
    "read_workbook": "planner.workbook.reader",
}
"""Where each name of the front door is defined."""

__all__ = [
    "KPIS",
    "STRATEGIES",
    "Comparison",
    "Evaluation",
    "Kpi",
    "Plan",
    "PlanningError",
    "Problem",
    "ReadResult",
    "RunOptions",
    "Settings",
    "SimulationOptions",
    "SimulationStudy",
    "SolveStatus",
    "Strategy",
    "StrategyResult",
    "Sweep",
    "Uncertainty",
    "WorkbookError",
    "__version__",
    "compare",
    "draw_reality",
    "evaluate",
    "load_workbook",
    "peg",
    "read_workbook",
    "run_options",
    "run_study",
    "run_sweep",
    "simulate",
    "winners",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'planner' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})
