"""The ``ddmrp`` strategy, as the registry knows it."""

from models.ddmrp.options import DDMRP_NAME, DdmrpOptions
from models.ddmrp.plan import plan_ddmrp, replan_ddmrp
from models.strategy import Execution, Strategy

DDMRP: Strategy[DdmrpOptions] = Strategy(
    name=DDMRP_NAME,
    summary="demand-driven MRP: decoupling buffers positioned by cost, sized from average "
    "daily usage and decoupled lead time, replenished by net flow",
    options=DdmrpOptions.resolve,
    plan=plan_ddmrp,
    execution=Execution.NET_FLOW,
    replan=replan_ddmrp,
)
"""Demand-driven MRP (Ptak & Smith; the Demand Driven Institute's method)."""
