"""Material requirements: what MRP-family strategies build on.

- :mod:`models.requirements.explosion`: the gross-to-net explosion with lot
  rules, level by level down the BOM (:func:`explode`, :func:`net_item`);
- :mod:`models.requirements.lotsizing`: the lot-sizing rules (Wagner-Whitin,
  Silver-Meal, EOQ, lot rounding);
- :mod:`models.requirements.repair`: :func:`repair_capacity`, MRP's lots
  moved until every work center copes (the baseline and warm start of
  ``batch``).

Strategies share these modules; they never import each other.
"""

from models.requirements.explosion import Explosion, explode, net_item
from models.requirements.lotsizing import (
    LotSizingResult,
    economic_order_quantity,
    lot_sizes,
    round_lot,
    silver_meal,
    wagner_whitin,
)
from models.requirements.repair import repair_capacity

__all__ = [
    "Explosion",
    "LotSizingResult",
    "economic_order_quantity",
    "explode",
    "lot_sizes",
    "net_item",
    "repair_capacity",
    "round_lot",
    "silver_meal",
    "wagner_whitin",
]
