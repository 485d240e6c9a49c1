"""The ``batch`` wing: optimised batches, a capacitated multi-level lot-sizing MILP.

- :mod:`models.batch.strategy`: the strategy's declaration :data:`BATCH`;
- :mod:`models.batch.options`: :class:`BatchOptions`, from Settings;
- :mod:`models.batch.formulation`: :class:`BatchModel`, the MILP written out
  family by family (the maths in its docstring);
- :mod:`models.batch.search`: :func:`plan_batch`, the solve from the
  capacity-repaired MRP plan, then fix-and-optimize;
- :mod:`models.batch.decomposition`: fix-and-optimize over item groups;
- :mod:`models.batch.bounds`: the lower bounds a plan's gap is measured against;
- :mod:`models.batch.diagnosis`: whether any plan could meet all demand on time.
"""

from models.batch.bounds import end_item_bound
from models.batch.diagnosis import DemandDiagnosis, diagnose_demand
from models.batch.formulation import BatchModel
from models.batch.options import BatchOptions
from models.batch.search import plan_batch
from models.batch.strategy import BATCH

__all__ = [
    "BATCH",
    "BatchModel",
    "BatchOptions",
    "DemandDiagnosis",
    "diagnose_demand",
    "end_item_bound",
    "plan_batch",
]
