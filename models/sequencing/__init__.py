"""Mixed-model sequencing, shared by every strategy: a work-center day in build order.

- :mod:`models.sequencing.levelled`: levelled sequences (exact product rate
  variation, goal chasing);
- :mod:`models.sequencing.rules`: sequences under p/q rules (car sequencing:
  greedy, local search, CP-SAT), levelled or with the fewest runs;
- :mod:`models.sequencing.days`: the plant's rules on its work-center days,
  container positions, and :func:`sequence_ruled_days`, the sequencer of the
  strategies that plan quantities only.
"""

from models.sequencing.days import (
    RuledSequences,
    container_positions,
    most_carriers,
    rule_abiding_starts,
    rule_carriers,
    ruled_setup_minutes,
    ruled_setups,
    rules_for,
    sequence_ruled_days,
)

__all__ = [
    "RuledSequences",
    "container_positions",
    "most_carriers",
    "rule_abiding_starts",
    "rule_carriers",
    "ruled_setup_minutes",
    "ruled_setups",
    "rules_for",
    "sequence_ruled_days",
]
