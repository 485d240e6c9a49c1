"""Buffer positioning: where to decouple, by the rules first, then by the plan's cost.

The rules reduce the Demand Driven Institute's six positioning factors to
what a workbook knows:

- **customer tolerance time**: an item with demand whose decoupled lead
  time is longer than ``tolerance_days`` is buffered (it cannot be made to
  order in time), unless the planner forbids it;
- **inventory leverage**: a component used by two or more parents is
  buffered, so one stock serves all of them and shortens their lead times;
- **supply lead time**: a purchased item whose lead time is long (above
  ``short_lead_days``) is buffered;
- the planner's own choice (Items ``buffer``: yes or no) overrides them.

Variability and capacity then weigh in through the search: from the rules'
positioning, each free item is in turn buffered or not, the day-by-day net
flow plan of each positioning is priced by the contract's accounting
(:func:`models.pricing.plan_cost`), and a change is kept when it makes the
plan cheaper, until a pass changes nothing or ``search_steps`` positionings
have been tried. Every positioning keeps the customer tolerance rule.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from models.ddmrp.buffers import BufferZones, decoupled_lead_times, size_buffers
from models.ddmrp.netflow import NetFlowRun, run_net_flow
from models.ddmrp.options import DdmrpOptions
from models.pricing import plan_cost
from models.problem import Problem
from models.sequencing import ruled_setups

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


ADJUSTMENTS = (0.75, 1.0, 1.25, 1.5, 2.0)
"""The demand adjustment factors the search tries on every buffer at once."""


@dataclass(frozen=True)
class Positioning:
    """A choice of decoupling points and adjustment, its zones, net flow plan and plan's cost."""

    buffered: BoolArray
    adjustment: float
    zones: BufferZones
    run: NetFlowRun
    cost: float


@dataclass(frozen=True)
class PositioningSearch:
    """The best positioning found, the rules' own, and the search's effort."""

    best: Positioning
    by_rules: Positioning
    tried: int
    timed_out: bool
    unmet_tolerance: tuple[int, ...]


def rules_positioning(problem: Problem, options: DdmrpOptions, usage: FloatArray) -> BoolArray:
    """The buffers the positioning rules place (see the module docstring)."""
    choice = problem.buffer_choice
    free = choice == 0
    shared = np.array([len(parents) >= 2 for parents in problem.parents], dtype=bool)
    long_supply = ~problem.is_make & (problem.lead_time > options.profile.short_lead_days)
    used = usage.sum(axis=1) > 0
    buffered = (choice > 0) | (free & used & (shared | long_supply))
    return within_tolerance(problem, buffered, options)


def within_tolerance(problem: Problem, buffered: BoolArray, options: DdmrpOptions) -> BoolArray:
    """``buffered`` plus every item with demand made too slowly for the customer tolerance time."""
    demanded = problem.demand.sum(axis=1) > 0
    allowed = problem.buffer_choice >= 0
    buffered = buffered.copy()
    while True:
        dlt = decoupled_lead_times(problem, buffered)
        late = demanded & ~buffered & allowed & (dlt > options.tolerance_days)
        if not late.any():
            return buffered
        buffered |= late


def unmet_tolerance(problem: Problem, buffered: BoolArray, options: DdmrpOptions) -> BoolArray:
    """Items with demand the planner forbids to buffer whose decoupled lead time is too long."""
    demanded = problem.demand.sum(axis=1) > 0
    dlt = decoupled_lead_times(problem, buffered)
    unmet: BoolArray = demanded & ~buffered & (dlt > options.tolerance_days)
    return unmet


def search_positioning(
    problem: Problem, options: DdmrpOptions, usage: FloatArray, deadline: float
) -> PositioningSearch:
    """The rules' positioning improved by the plan's cost.

    First the demand adjustment factor of :data:`ADJUSTMENTS` whose plan
    costs least, then each free item in turn buffered or not, then the
    factor again; every positioning planned counts one of ``search_steps``.
    """
    search = _Search(problem, options, usage, deadline)
    by_rules = search.best
    search.adjust()
    search.flip_items()
    search.adjust()
    best = search.best
    unmet = unmet_tolerance(problem, best.buffered, options)
    return PositioningSearch(
        best=best,
        by_rules=by_rules,
        tried=search.tried,
        timed_out=search.timed_out,
        unmet_tolerance=tuple(np.flatnonzero(unmet).tolist()),
    )


class _Search:
    """The positionings tried so far, the cheapest of them, and the steps and time left."""

    def __init__(
        self, problem: Problem, options: DdmrpOptions, usage: FloatArray, deadline: float
    ) -> None:
        self.problem, self.options, self.usage, self.deadline = problem, options, usage, deadline
        self.forced = ruled_setups(problem)
        self.tried, self.timed_out = 0, False
        self.best = self.priced(rules_positioning(problem, options, usage), 1.0)

    def priced(self, buffered: BoolArray, adjustment: float) -> Positioning:
        problem, options = self.problem, self.options
        zones = size_buffers(problem, buffered, options, self.usage, adjustment)
        run = run_net_flow(problem, buffered, zones, options)
        self.tried += 1
        cost = plan_cost(problem, run.starts, self.forced)
        return Positioning(buffered, adjustment, zones, run, cost)

    def may_try(self) -> bool:
        if self.tried >= self.options.search_steps:
            return False
        if time.perf_counter() > self.deadline:
            self.timed_out = True
        return not self.timed_out

    def keep(self, candidate: Positioning) -> bool:
        if candidate.cost < self.best.cost - 1e-9 * max(1.0, abs(self.best.cost)):
            self.best = candidate
            return True
        return False

    def adjust(self) -> None:
        for factor in ADJUSTMENTS:
            if factor != self.best.adjustment and self.may_try():
                self.keep(self.priced(self.best.buffered, factor))

    def flip_items(self) -> None:
        problem = self.problem
        candidates = _candidates(problem, self.usage).tolist()
        improved = True
        while improved and self.may_try():
            improved = False
            for i in candidates:
                if not self.may_try():
                    break
                flipped = self.best.buffered.copy()
                flipped[i] = not flipped[i]
                flipped = within_tolerance(problem, flipped, self.options)
                if not np.array_equal(flipped, self.best.buffered):
                    improved |= self.keep(self.priced(flipped, self.best.adjustment))


def _candidates(problem: Problem, usage: FloatArray) -> npt.NDArray[np.int64]:
    """Free items with usage, most leveraged first (parents, then lead time, then item order)."""
    free = np.flatnonzero((problem.buffer_choice == 0) & (usage.sum(axis=1) > 0))
    parents = np.array([len(problem.parents[i]) for i in free.tolist()], dtype=np.int64)
    lead = np.asarray(problem.lead_time, dtype=np.int64)[free]
    order = np.lexsort((free, -lead, -parents))
    return free[order]
