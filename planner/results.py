"""What a comparison produces: per strategy, the plan, its evaluation and its pegging."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from models import Problem
from models.plan import Plan
from planner.evaluate import Evaluation


class PegKind(StrEnum):
    """What a planned order's quantity is for."""

    DEMAND = "demand"
    SAFETY_STOCK = "safety_stock"
    SURPLUS = "surplus"


@dataclass(frozen=True)
class Peg:
    """Part of a planned order (``item`` started on ``start_day``) and what it serves.

    ``kind`` is ``demand`` for units that end up serving the external demand
    of ``demand_item`` due on ``demand_day`` (directly, or through the parent
    orders that consume them); ``safety_stock`` for units that restore safety
    stock; ``surplus`` for units no requirement in the horizon consumes
    (lot-size rounding, minimum lots).
    """

    item: int
    start_day: int
    order_qty: float
    qty: float
    kind: PegKind
    demand_item: int | None = None
    demand_day: int | None = None


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
class Comparison:
    """The same problem planned by several strategies, in the order they were asked for."""

    problem: Problem
    results: dict[str, StrategyResult] = field(default_factory=dict)

    @property
    def strategies(self) -> list[str]:
        """The strategies compared."""
        return list(self.results)
