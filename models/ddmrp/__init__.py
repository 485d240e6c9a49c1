"""The ``ddmrp`` wing: demand-driven MRP with decoupling buffers.

- :mod:`models.ddmrp.strategy`: the strategy's declaration :data:`DDMRP`;
- :mod:`models.ddmrp.plan`: :func:`plan_ddmrp` and its three steps;
- :mod:`models.ddmrp.options`: :class:`DdmrpOptions` and buffer profiles, from Settings;
- :mod:`models.ddmrp.positioning`: where the buffers are, by rules and by cost;
- :mod:`models.ddmrp.buffers`: decoupled lead time, average daily usage, zones;
- :mod:`models.ddmrp.netflow`: the day-by-day net flow plan.
"""

from models.ddmrp.buffers import BufferZones, decoupled_lead_times, size_buffers
from models.ddmrp.options import DDMRP_NAME, BufferProfile, DdmrpOptions
from models.ddmrp.plan import plan_ddmrp

__all__ = [
    "DDMRP_NAME",
    "BufferProfile",
    "BufferZones",
    "DdmrpOptions",
    "decoupled_lead_times",
    "plan_ddmrp",
    "size_buffers",
]
