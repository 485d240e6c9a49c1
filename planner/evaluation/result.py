"""One strategy's plan as judged, and the plans of one problem compared."""

from __future__ import annotations

from dataclasses import dataclass, field

from models import Problem
from models.plan import Plan
from planner.evaluation.pegging import Peg
from planner.evaluation.types import Evaluation


@dataclass(frozen=True, eq=False)
class StrategyResult:
    """One strategy's plan, as judged by the evaluator."""

    plan: Plan
    evaluation: Evaluation
    pegging: tuple[Peg, ...] = ()

    @property
    def strategy(self) -> str:
        """The strategy's name."""
        return self.plan.strategy


@dataclass(frozen=True, eq=False)
class ComparedPlans:
    """The same problem planned by several strategies, in the order they were asked for.

    The data of a comparison; :class:`planner.results.Comparison` adds its
    tables, charts and files.
    """

    problem: Problem
    results: dict[str, StrategyResult] = field(default_factory=dict)

    @property
    def strategies(self) -> list[str]:
        """The strategies compared."""
        return list(self.results)

    def __getitem__(self, strategy: str) -> StrategyResult:
        return self.results[strategy]
