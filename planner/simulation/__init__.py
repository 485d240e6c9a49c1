"""Plans against reality: forecast errors, late suppliers and breakdowns, day by day.

:func:`draw_reality` draws what really happens from an :class:`Uncertainty`;
:func:`simulate` plays one strategy through it in a rolling horizon
(replanning as a planner would) and evaluates what was really done with the
same evaluator as every plan.

Examples
--------
>>> from planner.instances import small_plant
>>> problem = small_plant()
>>> reality = draw_reality(problem, Uncertainty(demand_cv=0.3), seed=1)
>>> replication = simulate(problem, "mrp", reality)
>>> replication.kpis["fill_rate"]  # doctest: +SKIP
"""

from planner.simulation.engine import (
    REPLAN_MODES,
    ReplanMode,
    Replication,
    SimulationOptions,
    plan_strategy,
    simulate,
)
from planner.simulation.reality import Reality, SimulationError, Uncertainty, draw_reality

__all__ = [
    "REPLAN_MODES",
    "Reality",
    "ReplanMode",
    "Replication",
    "SimulationError",
    "SimulationOptions",
    "Uncertainty",
    "draw_reality",
    "plan_strategy",
    "simulate",
]
