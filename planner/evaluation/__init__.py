"""The evaluation room: one evaluator judges every plan, whatever strategy made it.

- :func:`evaluate` (:mod:`planner.evaluation.evaluator`): the plan checker
  and the KPI engine, by the contract's accounting;
- :mod:`planner.evaluation.explain`: why demand is late, why a work center
  is overloaded;
- :func:`peg` (:mod:`planner.evaluation.pegging`): which demand each
  planned order serves;
- :func:`winners` (:mod:`planner.evaluation.winners`): the best strategy per KPI;
- :mod:`planner.evaluation.kpis`: every KPI declared once.
"""

from planner.evaluation.evaluator import evaluate
from planner.evaluation.pegging import Peg, PegKind, peg
from planner.evaluation.result import ComparedPlans, StrategyResult
from planner.evaluation.types import Evaluation, Violation, ViolationKind
from planner.evaluation.winners import winners

__all__ = [
    "ComparedPlans",
    "Evaluation",
    "Peg",
    "PegKind",
    "StrategyResult",
    "Violation",
    "ViolationKind",
    "evaluate",
    "peg",
    "winners",
]
