"""The ``heijunka`` strategy, as the registry knows it."""

from models.heijunka.options import HEIJUNKA_NAME, HeijunkaOptions
from models.heijunka.plan import plan_heijunka
from models.strategy import Execution, Strategy

HEIJUNKA: Strategy[HeijunkaOptions] = Strategy(
    name=HEIJUNKA_NAME,
    summary="level-loaded pull: a product wheel, level daily quantities, kanban loops and "
    "mixed-model sequences",
    options=HeijunkaOptions.resolve,
    plan=plan_heijunka,
    execution=Execution.PULL,
)
"""Level-loaded pull (heijunka)."""
