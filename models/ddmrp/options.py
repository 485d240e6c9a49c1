"""The options of the ``ddmrp`` strategy, resolved once from Settings and the run's choices."""

from __future__ import annotations

from dataclasses import dataclass

from models.problem import Settings
from models.strategy import RunOptions

DDMRP_NAME = "ddmrp"
"""The name planners know demand-driven MRP by."""


@dataclass(frozen=True)
class BufferProfile:
    """How a buffer's red zone is sized from its lead time and its usage's variability.

    The Demand Driven Institute's buffer profiles, reduced to what a
    workbook knows: a decoupled lead time up to ``short_lead_days`` is short,
    above ``long_lead_days`` long, else medium, and takes that class's lead
    time factor (the red base's share of usage over the decoupled lead
    time); a coefficient of variation of daily usage up to ``low_cv`` is low,
    above ``high_cv`` high, else medium, and takes that class's variability
    factor (the red safety's share of the red base).
    """

    short_lead_days: float = 5.0
    long_lead_days: float = 15.0
    lead_time_factors: tuple[float, float, float] = (0.7, 0.5, 0.3)
    low_cv: float = 0.5
    high_cv: float = 1.0
    variability_factors: tuple[float, float, float] = (0.25, 0.5, 0.75)

    def lead_time_class(self, decoupled_lead_time: float) -> int:
        """0 short, 1 medium, 2 long."""
        if decoupled_lead_time <= self.short_lead_days:
            return 0
        return 2 if decoupled_lead_time > self.long_lead_days else 1

    def variability_class(self, cv: float) -> int:
        """0 low, 1 medium, 2 high."""
        if cv <= self.low_cv:
            return 0
        return 2 if cv > self.high_cv else 1

    def lead_time_factor(self, decoupled_lead_time: float) -> float:
        """The red base's share of usage over the decoupled lead time."""
        return self.lead_time_factors[self.lead_time_class(decoupled_lead_time)]

    def variability_factor(self, cv: float) -> float:
        """The red safety's share of the red base."""
        return self.variability_factors[self.variability_class(cv)]


@dataclass(frozen=True)
class DdmrpOptions:
    """How the ddmrp strategy positions, sizes and replenishes its buffers.

    Parameters
    ----------
    tolerance_days
        Customer tolerance time (Settings ``tolerance_days``): an item with
        demand whose decoupled lead time is longer is buffered.
    adu_window
        Working days of average daily usage, back and ahead.
    adu_past_weight
        Weight of past usage in the average (the rest is forward demand).
    spike_horizon
        Working days ahead in which spikes count (0: each buffer's decoupled
        lead time).
    spike_threshold
        A day's demand above this share of the red zone is a spike.
    order_cycle
        Desired working days between orders (0: economic, from setup and
        holding cost).
    profile
        Lead time and variability factors (:class:`BufferProfile`).
    search_steps
        Most buffer positionings the search plans and prices (0: the rules only).
    time_limit
        Seconds for the search, a cap on ``search_steps``.
    """

    tolerance_days: int = 0
    adu_window: int = 20
    adu_past_weight: float = 0.5
    spike_horizon: int = 0
    spike_threshold: float = 0.5
    order_cycle: float = 0.0
    profile: BufferProfile = BufferProfile()
    search_steps: int = 40
    time_limit: float = 60.0

    @classmethod
    def resolve(cls, settings: Settings, run: RunOptions) -> DdmrpOptions:
        """The options a workbook's Settings and a run give (the one place they are read)."""
        profile = BufferProfile(
            short_lead_days=settings.short_lead_days,
            long_lead_days=settings.long_lead_days,
            lead_time_factors=(
                settings.lead_time_factor_short,
                settings.lead_time_factor_medium,
                settings.lead_time_factor_long,
            ),
            low_cv=settings.low_variability_cv,
            high_cv=settings.high_variability_cv,
            variability_factors=(
                settings.variability_factor_low,
                settings.variability_factor_medium,
                settings.variability_factor_high,
            ),
        )
        return cls(
            tolerance_days=settings.tolerance_days,
            adu_window=settings.adu_window,
            adu_past_weight=settings.adu_past_weight,
            spike_horizon=settings.spike_horizon,
            spike_threshold=settings.spike_threshold,
            order_cycle=settings.order_cycle,
            profile=profile,
            search_steps=settings.buffer_search_steps,
            time_limit=run.seconds(settings),
        )
