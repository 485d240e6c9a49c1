"""The ``mrp`` wing: classic MRP as an ERP runs it, the baseline.

- :mod:`models.mrp.strategy`: the strategy's declaration :data:`MRP`;
- :mod:`models.mrp.plan`: :func:`plan_mrp`, the explosion of
  :mod:`models.requirements` then the material check.
"""

from models.mrp.plan import MrpOptions, plan_mrp
from models.mrp.strategy import MRP

__all__ = ["MRP", "MrpOptions", "plan_mrp"]
