"""The ``heijunka`` wing: level loading, kanban pull and mixed-model sequences.

- :mod:`models.heijunka.plan`: :func:`plan_heijunka` and its steps;
- :mod:`models.heijunka.levelling`: the product wheel and the level-loading model;
- :mod:`models.heijunka.kanban`: kanban loops and the day-by-day pull simulation;
- :mod:`models.heijunka.sequencing`: levelled mixed-model sequences (PRV, goal chasing);
- :mod:`models.heijunka.rules`: sequences under p/q rules (car sequencing, CP-SAT).
"""

from models.heijunka.plan import (
    SEQUENCING_METHODS,
    HeijunkaOptions,
    MixSequence,
    SequencingMethod,
    plan_heijunka,
    sequence_mix,
)

__all__ = [
    "SEQUENCING_METHODS",
    "HeijunkaOptions",
    "MixSequence",
    "SequencingMethod",
    "plan_heijunka",
    "sequence_mix",
]
