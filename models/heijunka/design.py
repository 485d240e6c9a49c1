r"""The design of a pull system: each item's part in it, and the product wheel.

A design says, for one plant, what stays fixed while a heijunka plan runs:

- **Roles.** Finished goods (made, with external demand, without a parent)
  follow the level schedule. Among them, *strangers* (daily demand with a
  coefficient of variation of at least Settings ``stranger_cv``) are made to
  order; *runners* (the steadiest sellers that make up Settings
  ``runner_share`` of their work center's volume) are made every cycle of
  the wheel; the rest are *repeaters*, made every few cycles. Every other
  item with usage (sub-assemblies, purchased parts, spares) is kept in a
  supermarket and replenished by a kanban loop.
- **The product wheel.** Each item has a cycle (working days between its
  slots), a slot in the cycle and a campaign (the consecutive days of a
  slot, when a cycle's quantity does not fit one day). A purchased item's
  cycle is its delivery interval. Cycles are chosen by cost
  (:mod:`models.heijunka.search`); :func:`economic_cycles` gives the
  analytic starting point.
- **Priming.** Day 0 is a slot of every loop and of every finished good
  whose stock does not reach its first slot, so that supermarkets are
  filled inside the horizon.

Slots are placed on each work center largest first, keeping the sequence
rules' mix, the day's capacity and the BOM's timing (each component a lead
time ahead of its parents), then levelling the wheel's load
(:func:`design_for`).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.stats import norm

from models.heijunka.options import HeijunkaOptions, KanbanLot
from models.plan import LevelLoading
from models.problem import Problem
from models.sequencing import rule_carriers, ruled_setup_minutes, ruled_setups

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int_]
BoolArray = npt.NDArray[np.bool_]

SLOT_LOAD = 0.85
"""Share of a day's regular capacity one slot may fill before its campaign takes another day."""

WHEEL_LOAD = 0.9
"""Share of a work center's regular capacity the wheel's run and setup time may take on average."""

Schedule = Literal["levelled", "cover"]
"""How the finished goods' slots get their quantities (:attr:`PullDesign.schedule`)."""

LONGEST_CYCLE = 32
"""The longest cycle any item gets, in working days (at most half the horizon)."""


class Role(StrEnum):
    """An item's part in the pull system."""

    RUNNER = "runner"
    REPEATER = "repeater"
    STRANGER = "stranger"
    KANBAN = "kanban"
    IDLE = "idle"


@dataclass(frozen=True, eq=False)
class DemandProfile:
    """Each item's daily usage: its external demand, exploded through the BOM.

    ``usage`` is the mean per working day, ``deviation`` its standard
    deviation over the days, ``variation`` their ratio (0 without usage),
    ``remaining`` the ``[item, day]`` usage from that day to the horizon's
    end.
    """

    usage: FloatArray
    deviation: FloatArray
    variation: FloatArray
    remaining: FloatArray

    @classmethod
    def of(cls, problem: Problem, steady: BoolArray | None = None) -> DemandProfile:
        """The profile of ``problem``'s demand.

        Each item's daily usage is its external demand plus what its
        parents take from it when they are made lot for lot, a lead time
        ahead of their own needs, each level netting its stock and receipts
        first (the requirements the supermarket sees, not the gross
        explosion). ``steady`` marks the items whose demand the level
        schedule smooths (runners and repeaters): their components see
        their mean daily demand, not its day-to-day swings, so only the rest
        of the demand (strangers, spares) makes the supermarkets' usage vary.
        """
        n_items, n_days = problem.n_items, problem.n_days
        if n_days == 0:
            zeros = np.zeros(n_items)
            return cls(zeros, zeros, zeros, np.zeros((n_items, 0)))
        daily = np.array(problem.demand, dtype=float)
        if steady is not None:
            daily[steady] = daily[steady].mean(axis=1, keepdims=True)
        bom = problem.bom_matrix.tocsc()
        codes = problem.low_level_code
        for level in range(int(codes.max(initial=0)) + 1):
            members = np.flatnonzero(codes == level)
            projected = problem.on_hand[members, None] + np.cumsum(
                problem.receipts[members] - daily[members], axis=1
            )
            short = np.maximum.accumulate(np.maximum(-projected, 0.0), axis=1)
            needed = np.diff(short, axis=1, prepend=0.0)
            starts = np.zeros_like(needed)
            for k, lead in enumerate(problem.lead_time[members].tolist()):
                starts[k, : max(0, n_days - lead)] = needed[k, lead:]
                starts[k, 0] += needed[k, : min(lead, n_days)].sum()
            daily += bom[:, members] @ starts
        usage = daily.mean(axis=1)
        deviation = daily.std(axis=1)
        variation = np.divide(deviation, usage, out=np.zeros_like(usage), where=usage > 0)
        remaining = np.cumsum(daily[:, ::-1], axis=1)[:, ::-1]
        return cls(usage, deviation, variation, remaining)


def demand_days_share(problem: Problem) -> FloatArray:
    """Each item's share of working days with external demand (a stranger's setups per day)."""
    if problem.n_days == 0:
        return np.zeros(problem.n_items)
    share: FloatArray = (problem.demand > 0).mean(axis=1)
    return share


def levelled_items(problem: Problem) -> BoolArray:
    """Items whose production follows the level schedule: made, with demand, without a parent."""
    has_parent = np.array([bool(p) for p in problem.parents], dtype=bool)
    levelled: BoolArray = problem.is_make & (problem.demand.sum(axis=1) > 0) & ~has_parent
    return levelled


def roles(
    problem: Problem, profile: DemandProfile, options: HeijunkaOptions
) -> npt.NDArray[np.object_]:
    """Each item's :class:`Role`, from its demand and the options' thresholds (module docstring)."""
    levelled = levelled_items(problem)
    result = np.full(problem.n_items, Role.IDLE, dtype=object)
    result[(profile.usage > 0) & ~levelled] = Role.KANBAN
    stranger = levelled & (profile.variation >= options.stranger_cv)
    result[stranger] = Role.STRANGER
    steady = levelled & ~stranger
    result[steady] = Role.REPEATER
    centers = problem.item_work_center
    for w in np.unique(centers[steady]).tolist():
        members = np.flatnonzero(steady & (centers == w))
        volume = profile.usage[members]
        order = members[np.argsort(-volume, kind="stable")]
        before = np.concatenate([[0.0], np.cumsum(np.sort(volume)[::-1])[:-1]])
        total = float(volume.sum())
        result[order[before < options.runner_share * total - 1e-12]] = Role.RUNNER
    return result


@dataclass(frozen=True, eq=False)
class PullDesign:
    """The parts of a heijunka plan that stay fixed while it runs.

    Parameters
    ----------
    roles
        Each item's :class:`Role`.
    profile
        The demand that sizes the wheel and the loops.
    cycle, offset, campaign
        Each item's cycle (working days between slots), the first day of its
        slot in the cycle, and the consecutive days of a slot.
    review_days
        ``[item, day]``: the item's slots (production or review days),
        priming included.
    origin
        The horizon day of the design's first day (:meth:`days`).
    forced_setups, forced_minutes
        Setups, and their minutes, per container that sequence rules force
        on each item.
    safety_z
        Standard normal quantile of Settings ``service_level``: the loops'
        safety stock in standard deviations of usage over lead time and
        review interval.
    safety_factor
        Extra days of usage each loop holds.
    kanban_lot
        The smallest order of a loop.
    level_period
        Working days over which each level quantity is held.
    levelling
        Takt time and cycles per work center, for the report.
    schedule
        How the finished goods' slots get their quantities: ``levelled``,
        from the level-loading model (one level per period, within one
        container); ``cover``, each slot covering the demand until the
        next slot's output arrives (the wheel's replenishment).
    """

    roles: npt.NDArray[np.object_]
    profile: DemandProfile
    cycle: IntArray
    offset: IntArray
    campaign: IntArray
    review_days: BoolArray
    forced_setups: FloatArray
    forced_minutes: FloatArray
    safety_z: float
    safety_factor: float
    kanban_lot: KanbanLot
    level_period: int
    levelling: tuple[LevelLoading, ...]
    schedule: Schedule = "levelled"
    origin: int = 0

    @property
    def levelled(self) -> BoolArray:
        """Items that follow the level schedule (runners, repeaters and strangers)."""
        flags: BoolArray = np.isin(self.roles, (Role.RUNNER, Role.REPEATER, Role.STRANGER))
        return flags

    @property
    def made_to_order(self) -> BoolArray:
        """The strangers: levelled items made to order, without a level band."""
        flags: BoolArray = self.roles == Role.STRANGER
        return flags

    @property
    def usage(self) -> FloatArray:
        """Average daily usage per item."""
        return self.profile.usage

    def reserved_capacity(self, problem: Problem) -> FloatArray:
        """``[work_center, day]`` minutes the level schedule must leave free.

        The setups of the wheel's slots, the run time the kanban loops are
        expected to replenish in theirs (a cycle's usage spread over its
        campaign), and the strangers' setups in proportion to their days
        with demand.
        """
        reserved = np.zeros((len(problem.work_centers), problem.n_days))
        usage = self.profile.usage
        ordering = demand_days_share(problem)
        for i in np.flatnonzero(problem.is_make & (usage > 0)):
            w = problem.item_work_center[i]
            if self.roles[i] == Role.STRANGER:
                reserved[w] += problem.setup_time[i] * ordering[i]
                continue
            run = 0.0
            if self.roles[i] == Role.KANBAN:
                run = problem.run_time[i] * usage[i] * self.cycle[i] / self.campaign[i]
            reserved[w, self.review_days[i]] += problem.setup_time[i] + run
        return reserved

    def days(self, first: int, end: int) -> PullDesign:
        """The design for the working days ``first .. end - 1`` (its slots cut to them)."""
        return dataclasses.replace(
            self, review_days=self.review_days[:, first:end], origin=self.origin + first
        )

    def to_next_slot(self, item: int, day: int) -> int:
        """Working days from ``day`` to the first day of ``item``'s next slot on the wheel.

        On a campaign's later days the next slot is nearer than a whole
        cycle, so a replenishment there covers less.
        """
        cycle = int(self.cycle[item])
        return cycle - (self.origin + day - int(self.offset[item])) % cycle

    def coming(self, item: int, day: int, days: int) -> float:
        """The forecast usage of ``item`` over ``days`` days from ``day`` (within the horizon)."""
        remaining = self.profile.remaining
        horizon = remaining.shape[1]
        first = self.origin + day
        if first >= horizon:
            return 0.0
        last = first + days
        return float(remaining[item, first] - (remaining[item, last] if last < horizon else 0.0))


def design_for(
    problem: Problem,
    profile: DemandProfile,
    item_roles: npt.NDArray[np.object_],
    cycles: IntArray,
    options: HeijunkaOptions,
) -> PullDesign:
    """The design ``cycles`` give: campaigns, slots placed level, priming, the report."""
    cycle = np.maximum(np.asarray(cycles, dtype=np.int_), 1)
    cycle[item_roles == Role.STRANGER] = 1
    campaign = np.ones(problem.n_items, dtype=np.int_)
    offset = np.zeros(problem.n_items, dtype=np.int_)
    report = []
    centers = problem.item_work_center
    usage = profile.usage
    timing = _Timing(problem, usage, cycle, campaign, offset)
    for w in _parents_first(problem):
        members = np.flatnonzero((centers == w) & problem.is_make & (usage > 0))
        available = float(problem.capacity[w].mean()) if problem.n_days else 0.0
        minutes = (
            problem.setup_time[members]
            + problem.run_time[members] * usage[members] * (cycle[members])
        )
        room = max(available * SLOT_LOAD, 1e-9)
        campaign[members] = np.clip(np.ceil(minutes / room - 1e-9), 1, cycle[members])
        containers = (
            usage[members] * cycle[members] / campaign[members] / problem.container_qty[members]
        )
        offset[members] = _level_slots(
            minutes / campaign[members],
            cycle[members],
            campaign[members],
            _mix_weights(problem, members, w) * containers[None, :],
            room,
            [timing.waits(int(i)) for i in members],
        )
        report.append(_report(problem, w, available, members, item_roles, usage, cycle, campaign))
    for i in np.flatnonzero(~problem.is_make & (usage > 0)).tolist():
        offset[i] = int(np.argmin(timing.waits(i)))
    report.sort(key=lambda level: level.work_center)
    days = np.arange(problem.n_days)
    review = ((days[None, :] - offset[:, None]) % cycle[:, None]) < campaign[:, None]
    if problem.n_days:
        review[:, 0] |= _needs_priming(problem, item_roles, offset)
    return PullDesign(
        roles=item_roles,
        profile=profile,
        cycle=cycle,
        offset=offset,
        campaign=campaign,
        review_days=review,
        forced_setups=ruled_setups(problem),
        forced_minutes=ruled_setup_minutes(problem),
        safety_z=float(norm.ppf(options.service_level)),
        safety_factor=options.kanban_safety_factor,
        kanban_lot=options.kanban_lot,
        level_period=options.level_period,
        levelling=tuple(report),
    )


_LEVELLED = (Role.RUNNER, Role.REPEATER, Role.STRANGER)


def _report(
    problem: Problem,
    w: int,
    available: float,
    members: IntArray,
    item_roles: npt.NDArray[np.object_],
    usage: FloatArray,
    cycle: IntArray,
    campaign: IntArray,
) -> LevelLoading:
    """Takt time, shortest cycle and setup minutes of one work center's wheel."""
    runners = members[item_roles[members] == Role.RUNNER]
    wheel = members[item_roles[members] != Role.STRANGER]
    units = float(usage[members[np.isin(item_roles[members], _LEVELLED)]].sum())
    longest = _longest(cycle[wheel])
    return LevelLoading(
        work_center=w,
        available_minutes=available,
        daily_units=units,
        takt_time=available / units if units > 0 else None,
        epei=int(cycle[runners].min()) if runners.size else longest,
        setup_minutes=float(
            (problem.setup_time[wheel] * campaign[wheel] * longest / cycle[wheel]).sum()
        ),
    )


def _parents_first(problem: Problem) -> list[int]:
    """Work centers by the highest BOM level they make: finished goods' lines first."""
    centers = problem.item_work_center
    codes = problem.low_level_code
    level = [
        int(codes[centers == w].min()) if (centers == w).any() else 0
        for w in range(len(problem.work_centers))
    ]
    return sorted(range(len(problem.work_centers)), key=lambda w: (level[w], w))


class _Timing:
    """How long a component waits in its supermarket for its parents, slot by slot.

    A component made (or delivered) on its slot arrives a lead time later and
    waits there until a parent's slot consumes it. For each candidate first
    slot day of a component, :meth:`waits` sums, over its parents' slot days
    in the horizon, the days since its latest arrival, weighted by the units
    the parent takes that day: the inventory the timing costs. Slots are
    then placed just ahead of the parents' (the levels of the BOM
    synchronised), as far as capacity allows.
    """

    def __init__(
        self,
        problem: Problem,
        usage: FloatArray,
        cycle: IntArray,
        campaign: IntArray,
        offset: IntArray,
    ) -> None:
        self.problem, self.usage = problem, usage
        self.cycle, self.campaign, self.offset = cycle, campaign, offset
        self.by_child = problem.bom_matrix.tocsr()

    def slot_days(self, item: int, first: int) -> BoolArray:
        """``[day]``: whether ``item``'s slot with first day ``first`` falls on the day."""
        days = np.arange(self.problem.n_days)
        slots: BoolArray = ((days - first) % self.cycle[item]) < self.campaign[item]
        return slots

    def waits(self, item: int) -> FloatArray:
        """Unit-days ``item`` waits for its parents, per candidate first slot day in its cycle."""
        problem = self.problem
        row = self.by_child[[item], :]
        parents, per = row.indices, row.data
        n_days = problem.n_days
        result = np.zeros(int(self.cycle[item]))
        if parents.size == 0 or n_days == 0:
            return result
        taken = np.zeros(n_days)
        for parent, qty in zip(parents.tolist(), per.tolist(), strict=True):
            if self.usage[parent] <= 0:
                continue
            days = self.slot_days(parent, int(self.offset[parent]))
            lot = self.usage[parent] * self.cycle[parent] / self.campaign[parent]
            taken += days * qty * lot
        index = np.arange(n_days)
        lead = int(problem.lead_time[item])
        for first in range(result.size):
            arrival = np.zeros(n_days, dtype=bool)
            made = np.flatnonzero(self.slot_days(item, first)) + lead
            arrival[made[made < n_days]] = True
            latest = np.maximum.accumulate(np.where(arrival, index, -1))
            served = latest >= 0
            result[first] = float(taken[served] @ (index[served] - latest[served]))
        return result


def _longest(cycles: IntArray) -> int:
    return int(cycles.max()) if cycles.size else 1


def _needs_priming(
    problem: Problem, item_roles: npt.NDArray[np.object_], offset: IntArray
) -> BoolArray:
    """Items given a slot on day 0: every loop, and finished goods short before their first slot."""
    demand = np.cumsum(problem.demand, axis=1)
    supply = problem.on_hand[:, None] + np.cumsum(problem.receipts, axis=1)
    first = np.minimum(offset + problem.lead_time, problem.n_days - 1)
    short = demand[np.arange(problem.n_items), first] > supply[np.arange(problem.n_items), first]
    primed: BoolArray = (item_roles == Role.KANBAN) | (
        np.isin(item_roles, (Role.RUNNER, Role.REPEATER)) & short
    )
    return primed


def _mix_weights(problem: Problem, members: IntArray, w: int) -> FloatArray:
    """``[rule, member]``: ``q`` for a carrier of the rule's attribute, less ``p``, for each item.

    A day's containers keep a p/q rule only if their weights sum to at most
    0 (at most p of every q carry the attribute).
    """
    rows = []
    for rule in problem.sequence_rules:
        carries = rule_carriers(problem, rule, members, w)
        if carries.any() and rule.max_in_window < rule.window:
            rows.append(rule.window * carries - float(rule.max_in_window))
    return np.array(rows, dtype=float).reshape(len(rows), members.size)


def _level_slots(
    per_day: FloatArray,
    cycle: IntArray,
    campaign: IntArray,
    mix: FloatArray,
    room: float,
    waits: list[FloatArray],
) -> IntArray:
    """Each item's first slot day in its cycle, placed so that the wheel's load is level.

    Items are placed largest first, those that carry a ruled attribute
    last. Each takes the first slot day that, in order: keeps ``mix``
    (``[rule, item]`` weights per slot day, see :func:`_mix_weights`: a
    carrier's slot on days whose other items can separate its containers);
    keeps the wheel's busiest day within ``room`` minutes; makes the item
    wait least for its parents (``waits``, see :class:`_Timing`); and
    raises the busiest day least. The wheel repeats every least common
    multiple of the cycles (at most the longest cycle times 8, beyond which
    the longest cycle stands for it).
    """
    offset = np.zeros(per_day.size, dtype=np.int_)
    if per_day.size == 0:
        return offset
    length = 1
    for value in np.unique(cycle).tolist():
        length = math.lcm(length, int(value))
    longest = int(cycle.max())
    if length > 8 * longest:
        length = longest
    load = np.zeros(length)
    mixed = np.zeros((mix.shape[0], length))
    days = np.arange(length)
    carriers = (mix > 0).any(axis=0)
    for k in np.lexsort((-per_day, carriers)).tolist():
        best, best_score = 0, (math.inf,) * 4
        for start in range(int(cycle[k])):
            slot = ((days - start) % cycle[k]) < campaign[k]
            if not slot.any():
                continue
            peak = float((load[slot] + per_day[k]).max())
            score = (
                round(float(np.maximum(mixed[:, slot] + mix[:, [k]], 0.0).sum()), 6),
                round(max(0.0, peak - room), 6),
                round(float(waits[k][start]), 6),
                peak,
            )
            if score < best_score:
                best, best_score = start, score
        offset[k] = best
        slot = ((days - best) % cycle[k]) < campaign[k]
        load[slot] += per_day[k]
        mixed[:, slot] += mix[:, [k]]
    return offset


def economic_cycles(
    problem: Problem, profile: DemandProfile, item_roles: npt.NDArray[np.object_]
) -> IntArray:
    r"""Each item's economic cycle, a power of two of working days, within capacity.

    An item with setup (or order) cost :math:`S`, holding cost :math:`h` and
    daily usage :math:`u` balances setups against holding at the cycle
    :math:`T = \sqrt{2 (S + \lambda s) / (h u)}` (the economic order
    interval), :math:`s` its setup minutes and :math:`\lambda` the price of
    a work center's minute: 0 while the wheel's setups and run time fit
    ``WHEEL_LOAD`` of its capacity, else the least price that makes them
    fit. Cycles are rounded to powers of two (Roundy's policy: within 6 %
    of the best cost) and capped at :data:`LONGEST_CYCLE` days and half the
    horizon; runners take their work center's shortest cycle.
    """
    usage = profile.usage
    longest = max(1, min(LONGEST_CYCLE, problem.n_days // 2))
    cycles = np.ones(problem.n_items, dtype=np.int_)
    wheel = (usage > 0) & np.isin(item_roles, (Role.RUNNER, Role.REPEATER, Role.KANBAN))
    bought = wheel & ~problem.is_make
    cycles[bought] = _powers_of_two(
        _economic(
            problem.setup_cost[bought], problem.holding_cost[bought], usage[bought], 0.0, 0.0
        ),
        longest,
    )
    centers = problem.item_work_center
    ordering = demand_days_share(problem)
    for w in range(len(problem.work_centers)):
        members = np.flatnonzero(wheel & problem.is_make & (centers == w))
        if members.size == 0:
            continue
        others = np.flatnonzero(problem.is_make & (centers == w) & (usage > 0))
        run = float(problem.run_time[others] @ usage[others])
        strangers = others[item_roles[others] == Role.STRANGER]
        room = WHEEL_LOAD * float(problem.capacity[w].mean()) - run
        room -= float(problem.setup_time[strangers] @ ordering[strangers])
        chosen = _cycles_within(
            problem.setup_cost[members],
            problem.holding_cost[members],
            usage[members],
            problem.setup_time[members],
            room,
            longest,
        )
        runners = item_roles[members] == Role.RUNNER
        if runners.any():
            shortest = int(chosen[runners].min())
            chosen[runners] = shortest
            chosen = np.maximum(chosen, shortest)
        cycles[members] = chosen
    return cycles


def _cycles_within(
    setup_cost: FloatArray,
    holding: FloatArray,
    usage: FloatArray,
    setup_time: FloatArray,
    room: float,
    longest: int,
) -> IntArray:
    """Economic cycles whose setup minutes per day fit ``room``, the least capacity price found."""

    def setup_load(price: float) -> float:
        cycle = _economic(setup_cost, holding, usage, price, setup_time)
        return float((setup_time / np.clip(cycle, 1.0, longest)).sum())

    price = 0.0
    if room <= 0:
        price = math.inf
    elif setup_load(0.0) > room:
        low, high = 0.0, 1.0
        while setup_load(high) > room and high < 1e12:
            high *= 4.0
        for _ in range(60):
            middle = (low + high) / 2
            low, high = (middle, high) if setup_load(middle) > room else (low, middle)
        price = high
    return _powers_of_two(_economic(setup_cost, holding, usage, price, setup_time), longest)


def _economic(
    setup_cost: FloatArray,
    holding: FloatArray,
    usage: FloatArray,
    price: float,
    setup_time: FloatArray | float,
) -> FloatArray:
    """The economic cycle in days (infinite where nothing is held or the price is)."""
    cost = setup_cost + (price * setup_time if math.isfinite(price) else np.inf)
    value = holding * usage
    with np.errstate(divide="ignore", invalid="ignore"):
        cycle = np.sqrt(2.0 * cost / value)
    return np.where(value > 0, np.where(np.isnan(cycle), np.inf, cycle), np.inf)


def _powers_of_two(cycle: FloatArray, longest: int) -> IntArray:
    """The nearest power of two (on a log scale) of each cycle, in 1 .. ``longest``."""
    bounded = np.clip(np.nan_to_num(cycle, nan=1.0, posinf=float(longest)), 1.0, float(longest))
    rounded = np.power(2, np.round(np.log2(bounded))).astype(np.int_)
    return np.minimum(rounded, longest)


def common_cycles(problem: Problem, economic: IntArray, days: int) -> IntArray:
    """Every made item on a cycle of ``days`` (Settings ``epei_days``); purchases keep theirs."""
    cycles = np.array(economic, dtype=np.int_)
    cycles[problem.is_make] = max(1, min(days, max(1, problem.n_days)))
    return cycles
