"""The ``mrp`` wing: classic MRP as an ERP runs it, its lot-sizing rules, and capacity repair.

- :mod:`models.mrp.explosion`: :func:`plan_mrp`, the gross-to-net explosion
  level by level down the BOM with the lot rules, then the material check;
- :mod:`models.mrp.lotsizing`: the lot-sizing rules (Wagner-Whitin,
  Silver-Meal, EOQ, lot rounding);
- :mod:`models.mrp.repair`: :func:`repair_capacity`, MRP's lots moved until
  every work center copes (the baseline and warm start of ``batch``).
"""

from models.mrp.explosion import MrpOptions, explode, net_item, plan_mrp
from models.mrp.lotsizing import (
    LotSizingResult,
    economic_order_quantity,
    lot_sizes,
    round_lot,
    silver_meal,
    wagner_whitin,
)
from models.mrp.repair import repair_capacity

__all__ = [
    "LotSizingResult",
    "MrpOptions",
    "economic_order_quantity",
    "explode",
    "lot_sizes",
    "net_item",
    "plan_mrp",
    "repair_capacity",
    "round_lot",
    "silver_meal",
    "wagner_whitin",
]
