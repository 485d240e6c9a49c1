"""Which strategy is best on each KPI.

Most KPIs are costs or burdens (lower is better); service and levelness
KPIs are better higher; some describe how a plan was found and have no
winner. Each KPI's direction is declared in :mod:`planner.evaluation.kpis`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from models.floor import TOLERANCE
from planner.evaluation.kpis import KPIS, Better

HIGHER_IS_BETTER = frozenset(kpi.name for kpi in KPIS if kpi.better is Better.HIGHER)
"""KPIs where more is better."""

NO_WINNER = frozenset(kpi.name for kpi in KPIS if not kpi.ranked)
"""KPIs that describe a plan or its search rather than rank it."""


def finite_number(value: Any) -> float | None:
    """``value`` as a float when it is a finite number (not a bool), else ``None``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def winners(kpis: Mapping[str, Mapping[str, Any]]) -> dict[str, list[str]]:
    """The best strategies per KPI (ties all win), for KPIs that rank plans.

    Parameters
    ----------
    kpis
        Strategy name to its KPIs, as in :attr:`planner.evaluation.Evaluation.kpis`.

    Returns
    -------
    dict
        KPI name to the strategies with the best value, in the given order;
        KPIs without a winner (see :data:`NO_WINNER`) or without a number
        are left out. Only feasible plans win (a plan whose ``feasible`` is
        false never does, whatever its value); a KPI needs a number for at
        least two strategies to have a winner.
    """
    names = list(kpis)
    eligible = set(feasible_strategies(kpis))
    keys = dict.fromkeys(k for values in kpis.values() for k in values)
    best: dict[str, list[str]] = {}
    for key in keys:
        if key in NO_WINNER:
            continue
        values = {n: finite_number(kpis[n].get(key)) for n in names}
        known = {n: v for n, v in values.items() if v is not None}
        ranked = {n: v for n, v in known.items() if n in eligible}
        if len(known) < 2 or not ranked:
            continue
        target = max(ranked.values()) if key in HIGHER_IS_BETTER else min(ranked.values())
        tolerance = TOLERANCE * max(1.0, abs(target))
        best[key] = [n for n, v in ranked.items() if abs(v - target) <= tolerance]
    return best


def feasible_strategies(kpis: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The strategies whose plan breaks no rule (``feasible`` not false), in the given order."""
    return [name for name, values in kpis.items() if values.get("feasible", True) is not False]
