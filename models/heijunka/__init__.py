"""The ``heijunka`` wing: level loading, kanban pull and mixed-model sequences.

- :mod:`models.heijunka.strategy`: the strategy's declaration :data:`HEIJUNKA`;
- :mod:`models.heijunka.plan`: :func:`plan_heijunka` and its steps;
- :mod:`models.heijunka.options`: :class:`HeijunkaOptions`, from Settings;
- :mod:`models.heijunka.design`: roles, the product wheel and economic cycles;
- :mod:`models.heijunka.search`: step 1, the design chosen by cost;
- :mod:`models.heijunka.levelling`: the level-loading model;
- :mod:`models.heijunka.kanban`: kanban loops and the day-by-day pull simulation;
- :mod:`models.heijunka.mix`: a work-center day in build order;
- :mod:`models.sequencing.levelled`: levelled mixed-model sequences (PRV, goal chasing);
- :mod:`models.sequencing.rules`: sequences under p/q rules (car sequencing, CP-SAT).
"""

from models.heijunka.design import PullDesign, Role
from models.heijunka.kanban import PullSimulation, simulate_pull
from models.heijunka.levelling import LevelSchedule
from models.heijunka.mix import MixSequence, sequence_day, sequence_mix
from models.heijunka.options import (
    SEQUENCING_METHODS,
    HeijunkaOptions,
    KanbanLot,
    SequencingMethod,
)
from models.heijunka.plan import design, level, plan_heijunka
from models.heijunka.strategy import HEIJUNKA

__all__ = [
    "HEIJUNKA",
    "SEQUENCING_METHODS",
    "HeijunkaOptions",
    "KanbanLot",
    "LevelSchedule",
    "MixSequence",
    "PullDesign",
    "PullSimulation",
    "Role",
    "SequencingMethod",
    "design",
    "level",
    "plan_heijunka",
    "sequence_day",
    "sequence_mix",
    "simulate_pull",
]
