"""Plants to plan that no planner typed: the examples built in code, and published instances.

- :mod:`planner.instances.examples`: the tutorial, realistic and home-turf example plants;
- :mod:`planner.instances.large`: large synthetic plants for benchmarks;
- :mod:`planner.instances.trigeiro`: Trigeiro, Thomas & McClain's capacitated
  lot-sizing instances;
- :mod:`planner.instances.car_sequencing`: CSPLib's car-sequencing instances;
- :mod:`planner.instances.multilevel`: generated multi-level lot-sizing plants.
"""

from planner.instances.car_sequencing import car_sequencing_problem, read_car_sequencing
from planner.instances.examples import realistic_plant, small_plant
from planner.instances.large import large_plant
from planner.instances.multilevel import MULTILEVEL_SET, MultilevelSpec, multilevel_plant
from planner.instances.trigeiro import TRIGEIRO_BACKLOG_COST, read_trigeiro

__all__ = [
    "MULTILEVEL_SET",
    "TRIGEIRO_BACKLOG_COST",
    "MultilevelSpec",
    "car_sequencing_problem",
    "large_plant",
    "multilevel_plant",
    "read_car_sequencing",
    "read_trigeiro",
    "realistic_plant",
    "small_plant",
]
