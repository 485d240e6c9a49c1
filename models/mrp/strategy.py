"""The ``mrp`` strategy, as the registry knows it."""

from models.mrp.plan import MRP_NAME, MrpOptions, plan_mrp
from models.strategy import Strategy

MRP: Strategy[MrpOptions] = Strategy(
    name=MRP_NAME,
    summary="classic MRP as an ERP runs it: gross-to-net explosion with lot rules, "
    "capacity ignored (the baseline)",
    options=MrpOptions.resolve,
    plan=plan_mrp,
)
"""Classic MRP: the baseline every other strategy is compared against."""
