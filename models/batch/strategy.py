"""The ``batch`` strategy, as the registry knows it."""

from models.batch.options import BATCH_NAME, BatchOptions
from models.batch.search import plan_batch
from models.strategy import Strategy

BATCH: Strategy[BatchOptions] = Strategy(
    name=BATCH_NAME,
    summary="optimised batches: a capacitated multi-level lot-sizing MILP, warm-started "
    "from the capacity-repaired MRP plan",
    options=BatchOptions.resolve,
    plan=plan_batch,
)
"""Optimised batch production."""
