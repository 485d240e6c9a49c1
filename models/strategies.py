"""The registry: every strategy, by name, in the order comparisons list them.

This is the one place a strategy is registered. To add one, write its wing
(a package under ``models/`` whose ``strategy.py`` declares a
:class:`~models.strategy.Strategy`) and add it to :data:`STRATEGIES` below.
"""

from models.batch.strategy import BATCH
from models.ddmrp.strategy import DDMRP
from models.heijunka.strategy import HEIJUNKA
from models.mrp.strategy import MRP
from models.strategy import StrategyRegistry

STRATEGIES = StrategyRegistry(MRP, BATCH, HEIJUNKA, DDMRP)
"""The strategies every caller plans with: compare, simulations, weekly runs, the web page."""
