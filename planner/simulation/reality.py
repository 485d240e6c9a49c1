"""What can go wrong in a plant, and one random draw of what really happens.

A plan is made against the workbook's demand, which is a forecast, and
assumes that suppliers deliver on time and machines run. :class:`Uncertainty`
says how far reality strays from that; :func:`draw_reality` draws one
:class:`Reality` from it: the demand that actually comes, the capacity each
work center actually has each day and how late each purchase order would
arrive. Every strategy of one replication plays against the same reality
(common random numbers), so that differences between strategies are not
differences of luck.

The draw is a pure function of the seed. Each source of randomness (demand,
breakdowns, supplier lateness) has its own stream spawned from the seed,
and every random number is drawn whatever the settings, so that two
uncertainties that differ in one setting share the rest of their luck: a
higher breakdown probability adds breakdowns on top of the same ones, a
larger demand CV stretches the same deviations.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from models import PlanningError, Problem

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class SimulationError(PlanningError):
    """Settings of a simulation that cannot be used, with every reason listed."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class Uncertainty:
    """What can go wrong, and how often.

    Parameters
    ----------
    demand_cv
        Coefficient of variation of actual against forecast daily demand.
        Each item-day with forecast demand gets an independent lognormal
        factor of mean 1 and this CV; days without forecast demand stay
        without demand (lumpy items keep their pattern).
    demand_bias
        Actual demand is the forecast times ``1 + demand_bias`` on average
        (``0.1``: 10 % more than forecast; ``-0.1``: 10 % less).
    supplier_late_probability
        Chance that a purchase order arrives late.
    supplier_late_days
        Most working days a late purchase order is late; a late order is
        late by 1 to ``supplier_late_days`` days, each equally likely.
    downtime_probability
        Chance that a work center breaks down on a working day.
    downtime_share
        Share of that day's regular and overtime capacity lost to a breakdown.

    Raises
    ------
    SimulationError
        Naming every setting out of its range.

    Notes
    -----
    Actual demand of an item whose forecast is in whole units is rounded to
    whole units, so that a plant counted in pieces is not sent fractions.
    """

    demand_cv: float = 0.0
    demand_bias: float = 0.0
    supplier_late_probability: float = 0.0
    supplier_late_days: int = 0
    downtime_probability: float = 0.0
    downtime_share: float = 1.0

    def __post_init__(self) -> None:
        problems = []
        for name in (
            "demand_cv",
            "demand_bias",
            "supplier_late_probability",
            "downtime_probability",
            "downtime_share",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                problems.append(f"{name} is {value!r}, expected a number")
            elif not math.isfinite(value):
                problems.append(f"{name} is {value!r}, expected a finite number")
        if problems:
            raise SimulationError(problems)
        if self.demand_cv < 0:
            problems.append(f"demand_cv is {self.demand_cv!r}, expected a number >= 0")
        if self.demand_bias <= -1:
            problems.append(
                f"demand_bias is {self.demand_bias!r}, expected a number > -1 "
                "(-1 would mean no demand at all)"
            )
        for name in ("supplier_late_probability", "downtime_probability", "downtime_share"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                problems.append(f"{name} is {value!r}, expected a share between 0 and 1")
        days = self.supplier_late_days
        if isinstance(days, bool) or not isinstance(days, numbers.Integral) or days < 0:
            problems.append(f"supplier_late_days is {days!r}, expected a whole number >= 0")
        elif self.supplier_late_probability > 0 and days == 0:
            problems.append(
                "supplier_late_days is 0 but supplier_late_probability is "
                f"{self.supplier_late_probability!r}: a late order must be late by at least 1 day"
            )
        if problems:
            raise SimulationError(problems)

    def is_certain(self) -> bool:
        """Whether nothing can go wrong: reality is then exactly the plan's assumptions."""
        return (
            self.demand_cv == 0
            and self.demand_bias == 0
            and (self.supplier_late_probability == 0 or self.supplier_late_days == 0)
            and (self.downtime_probability == 0 or self.downtime_share == 0)
        )


@dataclass(frozen=True, eq=False)
class Reality:
    """One draw of what really happens, the same for every strategy of a replication.

    Arrays are indexed like the problem's, ``[item, day]`` or
    ``[work_center, day]`` over its working days.

    Parameters
    ----------
    demand
        Actual external demand.
    capacity, overtime_capacity
        Actual regular and overtime minutes (breakdowns taken off).
    supplier_delay
        Working days a purchase order placed that day arrives late (0 for
        orders on time, made items and purchased items with components of
        their own, which are consumed when the order is placed).
    uncertainty
        The uncertainty it was drawn from.
    """

    demand: FloatArray
    capacity: FloatArray
    overtime_capacity: FloatArray
    supplier_delay: IntArray
    uncertainty: Uncertainty = field(default_factory=Uncertainty)

    def __post_init__(self) -> None:
        for name in ("demand", "capacity", "overtime_capacity", "supplier_delay"):
            dtype = np.int64 if name == "supplier_delay" else np.float64
            array = np.array(getattr(self, name), dtype=dtype, copy=True)
            array.flags.writeable = False
            object.__setattr__(self, name, array)

    def check(self, problem: Problem) -> None:
        """Check that this reality was drawn for ``problem``'s items, work centers and days.

        Raises
        ------
        SimulationError
            Naming each array whose shape does not fit.
        """
        items = (problem.n_items, problem.n_days)
        centers = (len(problem.work_centers), problem.n_days)
        expected = {
            "demand": items,
            "capacity": centers,
            "overtime_capacity": centers,
            "supplier_delay": items,
        }
        problems = [
            f"reality {name} has shape {getattr(self, name).shape}, the problem needs {shape}"
            for name, shape in expected.items()
            if getattr(self, name).shape != shape
        ]
        if problems:
            raise SimulationError(problems)

    def actual_problem(self, problem: Problem) -> Problem:
        """``problem`` as it really was: actual demand and capacity, the rest unchanged."""
        self.check(problem)
        return problem.replace(
            demand=self.demand,
            capacity=self.capacity,
            overtime_capacity=self.overtime_capacity,
            name=f"{problem.name} (actual)" if problem.name else "actual",
        )


def draw_reality(
    problem: Problem, uncertainty: Uncertainty, seed: int | np.random.SeedSequence
) -> Reality:
    """Draw one reality for ``problem`` (see the module docstring).

    Parameters
    ----------
    problem
        The plant; its demand is the forecast, its capacity the plan's.
    uncertainty
        What can go wrong.
    seed
        An integer or a :class:`numpy.random.SeedSequence` (e.g. one of
        ``SeedSequence(root).spawn(n)`` per replication). The same seed gives
        the same reality on any machine and in any process.

    Returns
    -------
    Reality
        With zero uncertainty: the forecast demand, full capacity, no delay.
    """
    sequence = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    demand_stream, downtime_stream, supplier_stream = (
        np.random.default_rng(child) for child in sequence.spawn(3)
    )
    items, centers = (problem.n_items, problem.n_days), (len(problem.work_centers), problem.n_days)
    normal = demand_stream.standard_normal(items)
    breakdown = downtime_stream.random(centers)
    late = supplier_stream.random(items)
    lateness = supplier_stream.random(items)

    demand = _actual_demand(problem.demand, uncertainty, normal)
    broken = breakdown < uncertainty.downtime_probability
    kept = np.where(broken, 1.0 - uncertainty.downtime_share, 1.0)
    delay = np.zeros(items, dtype=np.int64)
    if uncertainty.supplier_late_days > 0:
        bought = ~problem.is_make & np.array([not c for c in problem.children], dtype=bool)
        is_late = (late < uncertainty.supplier_late_probability) & bought[:, None]
        days = 1 + np.floor(lateness * uncertainty.supplier_late_days).astype(np.int64)
        delay = np.where(is_late, np.minimum(days, uncertainty.supplier_late_days), 0)
    return Reality(
        demand=demand,
        capacity=problem.capacity * kept,
        overtime_capacity=problem.overtime_capacity * kept,
        supplier_delay=delay,
        uncertainty=uncertainty,
    )


def _actual_demand(
    forecast: FloatArray, uncertainty: Uncertainty, normal: FloatArray
) -> FloatArray:
    """Forecast x (1 + bias) x a lognormal factor of mean 1 and CV ``demand_cv``."""
    if uncertainty.demand_cv == 0 and uncertainty.demand_bias == 0:
        return np.array(forecast, dtype=float)
    sigma = math.sqrt(math.log1p(uncertainty.demand_cv**2))
    factor = np.exp(sigma * normal - sigma**2 / 2)
    actual = forecast * (1.0 + uncertainty.demand_bias) * factor
    whole = np.all(forecast == np.round(forecast), axis=1)
    actual[whole] = np.round(actual[whole])
    return np.asarray(actual, dtype=float)
