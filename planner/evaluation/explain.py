"""Why a plan is late or overloaded: exception messages that name the cause, with numbers.

The evaluator says *what* goes wrong (units late, minutes beyond capacity);
this module says *why*, from the plan and its evaluation alone, so that it
applies to any strategy:

- a late demand is explained per item and late episode (a run of days with
  backlog) by the first limit that held it back: a lead time that no plan
  could beat, a component that was short on the latest start day, a work
  center that was full on the days a start could still have made it in
  time, or, when none of these held, the plan's own choice (the supply it
  planned by then against what was required);
- an overload is explained by the items made on that work center and day,
  largest load first.

Everything is aggregated per episode and per overloaded work-center day, so
that a plant of a thousand items over half a year is explained in a small
fraction of a second. The formulas are in ``docs/kpis.md`` ("Why demand is
late").
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from models import Problem
from models.plan import MessageLevel, PlanMessage
from models.wording import counted, quantity
from planner.evaluation.types import RELATIVE_TOLERANCE, Evaluation

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_CONTRIBUTORS = 3
"""How many items an overload message names before summing up the rest."""

__all__ = [
    "EarliestArrival",
    "earliest_arrival",
    "explain_late",
    "explain_overloads",
]


class EarliestArrival(NamedTuple):
    """The earliest working day a newly started unit of each item can be in stock.

    ``day[i]`` is the working-day index (0 = the first day; it may be past
    the horizon); ``limit[i]`` is the component whose own availability sets
    it (-1 when it is the item's own lead time from the first day), and
    ``by_receipt[i]`` whether that availability is a scheduled receipt of
    ``limit[i]`` rather than a new start of it.
    """

    day: IntArray
    limit: IntArray
    by_receipt: npt.NDArray[np.bool_]


def earliest_arrival(problem: Problem) -> EarliestArrival:
    """When a new unit of each item can arrive at the earliest, given the stock on hand.

    A start of item i on day s arrives on day ``s + lead_time[i]`` and needs
    each component c on day s. A component is available from the first day
    if it has stock on hand, else from its first scheduled receipt or from
    its own earliest arrival, whichever comes first::

        ready[c]    = 0 if on_hand[c] > 0 else min(first_receipt[c], earliest[c])
        earliest[i] = lead_time[i] + max over components c of ready[c]

    Quantities are ignored (any stock counts), so this is a bound no plan can
    beat: demand due before ``earliest[i]`` beyond the item's own stock and
    receipts cannot be met.
    """
    n_items, n_days = problem.n_items, problem.n_days
    coo = problem.bom_matrix.tocoo()
    children = np.asarray(coo.row, dtype=np.int64)
    parents = np.asarray(coo.col, dtype=np.int64)
    has_receipt = problem.receipts > 0
    first_receipt = np.where(has_receipt.any(axis=1), has_receipt.argmax(axis=1), n_days + 10**6)
    lead = np.asarray(problem.lead_time, dtype=np.int64)
    level = problem.low_level_code
    wait = np.zeros(n_items, dtype=np.int64)
    earliest = lead.copy()
    ready = np.zeros(n_items, dtype=np.int64)
    for depth in range(int(level.max(initial=0)), -1, -1):
        here = level == depth
        earliest[here] = lead[here] + wait[here]
        ready[here] = np.where(
            problem.on_hand[here] > 0, 0, np.minimum(first_receipt[here], earliest[here])
        )
        edges = level[children] == depth
        np.maximum.at(wait, parents[edges], ready[children[edges]])
    limit = np.full(n_items, -1, dtype=np.int64)
    binding = (ready[children] == wait[parents]) & (wait[parents] > 0)
    limit[parents[binding]] = children[binding]
    by_receipt = np.zeros(n_items, dtype=bool)
    bound = limit >= 0
    by_receipt[bound] = ready[limit[bound]] < earliest[limit[bound]]
    return EarliestArrival(earliest, limit, by_receipt)


def explain_overloads(
    problem: Problem, starts: FloatArray, evaluation: Evaluation
) -> list[PlanMessage]:
    """One warning per overloaded work-center day, naming the items that load it.

    Parameters
    ----------
    problem
        The plant.
    starts
        The plan's starts as the evaluator counted them (non-finite as 0).
    evaluation
        The plan's evaluation (``load``, ``overload``, ``setups``).

    Returns
    -------
    list of PlanMessage
        ``capacity overload on WC on DAY: load L min against R + O min, E min
        too many; made there: A 40 units (430 min incl. 30 min setup), ...``:
        the largest contributors first, at most three by name, with
        ``work_center`` and ``day`` set.
    """
    overload, load = evaluation.overload, evaluation.load
    centers, days = np.nonzero(overload > 0)
    if centers.size == 0:
        return []
    home = problem.item_work_center
    columns = np.unique(days)
    minutes = (
        problem.run_time[:, None] * starts[:, columns]
        + problem.setup_time[:, None] * evaluation.setups[:, columns]
    )
    column_of = {int(t): k for k, t in enumerate(columns)}
    messages = []
    for w, t in zip(centers.tolist(), days.tolist(), strict=True):
        regular = problem.capacity[w, t]
        extra = problem.overtime_capacity[w, t]
        text = (
            f"capacity overload on {problem.work_centers[w].code} on {problem.days[t]}: "
            f"load {quantity(load[w, t])} min against {quantity(regular)} + "
            f"{quantity(extra)} min, {quantity(overload[w, t])} min too many"
        )
        members = np.flatnonzero(home == w)
        used = minutes[members, column_of[t]]
        order = np.argsort(-used, kind="stable")
        order = order[used[order] > 0]
        named = []
        for k in order[:_CONTRIBUTORS].tolist():
            i = int(members[k])
            setup = problem.setup_time[i] * evaluation.setups[i, t]
            detail = f"{quantity(used[k])} min"
            if setup > 0:
                detail += f" incl. {quantity(setup)} min setup"
            named.append(f"{problem.items[i].code} {counted(starts[i, t], 'unit')} ({detail})")
        rest = order[_CONTRIBUTORS:]
        if rest.size:
            rest_minutes = quantity(used[rest].sum())
            named.append(f"{counted(rest.size, 'more item')} ({rest_minutes} min)")
        if named:
            text += "; made there: " + ", ".join(named)
        messages.append(PlanMessage(MessageLevel.WARNING, text, day=t, work_center=w))
    return messages


class _Cumulative(NamedTuple):
    demand: FloatArray
    receipts: FloatArray
    dependent: FloatArray
    started: FloatArray
    late: FloatArray
    backlog: FloatArray


def explain_late(
    problem: Problem,
    starts: FloatArray,
    evaluation: Evaluation,
    *,
    tolerance: FloatArray | None = None,
) -> list[PlanMessage]:
    """One warning per item and late episode, naming what made the demand late.

    A late episode is a maximal run of days on which the item is backlogged
    and some external demand ships late. Its cause is judged on the first
    late day t (q units late that day), for a start on the latest day that
    could still have made it, ``s = t - lead_time``:

    1. *lead time*: ``t < earliest_arrival`` (see :func:`earliest_arrival`):
       no plan could have made a new unit arrive by then;
    2. *component*: a component c had less in stock at the end of day s than
       ``qty_per x q`` (what was left for this item once the day's starts
       had consumed theirs);
    3. *capacity*: the item's work center had fewer minutes left on day s
       than the ``run_time x q`` (plus a setup, if none was planned) the q
       units need; either beyond overtime too (and on how many days before
       it was also full), or only within regular capacity, with the
       overtime the plan left unused;
    4. otherwise *the plan*: supply planned by day t (stock, receipts and the
       starts up to day s) against what was required by then (demand and
       parents' use).

    Components and capacity are both reported when both held.

    Parameters
    ----------
    problem
        The plant.
    starts
        The plan's starts as the evaluator counted them (non-finite as 0).
    evaluation
        The plan's evaluation.
    tolerance
        Per item, the quantity below which a shortfall is round-off; by
        default ``1e-6`` times the item's largest demand, stock or backlog
        (at least ``1e-6``).

    Returns
    -------
    list of PlanMessage
        Item by item, episode by episode: ``FG1: 6 units of demand late
        from 2026-03-04 to 2026-03-05, 9 unit-days of backlog; cause: ...``,
        with ``item``, ``day`` (the first late day) and ``work_center`` (the
        item's, where a capacity cause would lie; None for purchased items).
    """
    demand, backlog = problem.demand, evaluation.backlog
    late = demand - evaluation.on_time
    if tolerance is None:
        scale = np.maximum.reduce([demand, evaluation.inventory, backlog]).max(axis=1, initial=0.0)
        tolerance = RELATIVE_TOLERANCE * np.maximum(1.0, scale)
    backlogged = backlog > tolerance[:, None]
    edge = np.zeros((problem.n_items, 1), dtype=bool)
    first = backlogged & ~np.concatenate([edge, backlogged[:, :-1]], axis=1)
    last = backlogged & ~np.concatenate([backlogged[:, 1:], edge], axis=1)
    rows, begins = np.nonzero(first)
    _, ends = np.nonzero(last)
    if rows.size == 0:
        return []
    cumulative = _Cumulative(
        *(
            np.cumsum(array, axis=1)
            for array in (
                demand,
                problem.receipts,
                evaluation.dependent_demand,
                starts,
                np.maximum(late, 0.0),
                backlog,
            )
        )
    )
    totals = _span(cumulative.late, rows, begins, ends)
    keep = totals > tolerance[rows]
    if not keep.any():
        return []
    rows, begins, ends, totals = rows[keep], begins[keep], ends[keep], totals[keep]
    unit_days = _span(cumulative.backlog, rows, begins, ends)
    context = _Context(
        problem, starts, evaluation, cumulative, tolerance, earliest_arrival(problem)
    )
    days = problem.days
    messages = []
    for i, begin, end, total, area in zip(
        rows.tolist(),
        begins.tolist(),
        ends.tolist(),
        totals.tolist(),
        unit_days.tolist(),
        strict=True,
    ):
        day = begin + int((late[i, begin : end + 1] > tolerance[i]).argmax())
        period = f"on {days[begin]}" if begin == end else f"from {days[begin]} to {days[end]}"
        text = (
            f"{problem.items[i].code}: {counted(total, 'unit')} of demand late "
            f"{period}, {counted(area, 'unit-day')} of backlog"
        )
        if end == problem.n_days - 1:
            text += f", {counted(backlog[i, end], 'unit')} still open at the end of the horizon"
        open_at_end = float(backlog[i, end]) if end == problem.n_days - 1 else 0.0
        causes = context.causes(i, day, float(late[i, day]), _Episode(area, open_at_end))
        text += "; cause: " + "; ".join(causes)
        center = int(problem.item_work_center[i])
        messages.append(
            PlanMessage(
                MessageLevel.WARNING,
                text,
                item=i,
                day=day,
                work_center=center if center >= 0 else None,
            )
        )
    return messages


def _span(cumulative: FloatArray, rows: IntArray, begins: IntArray, ends: IntArray) -> FloatArray:
    """Sums over day ranges ``[begin, end]`` of rows, from their cumulative sums."""
    before = np.where(begins > 0, cumulative[rows, np.maximum(begins - 1, 0)], 0.0)
    return np.asarray(cumulative[rows, ends] - before, dtype=float)


class _Episode(NamedTuple):
    """A late episode's backlog: its unit-days and the units still open at the end."""

    unit_days: float
    open_at_end: float


class _Context:
    """What the cause of one late episode is judged from, computed once per evaluation."""

    def __init__(
        self,
        problem: Problem,
        starts: FloatArray,
        evaluation: Evaluation,
        cumulative: _Cumulative,
        tolerance: FloatArray,
        earliest: EarliestArrival,
    ) -> None:
        self.problem = problem
        self.starts = starts
        self.evaluation = evaluation
        self.cumulative = cumulative
        self.tolerance = tolerance
        self.earliest = earliest
        self.components = problem.bom_matrix.tocsc()

    def causes(self, item: int, day: int, units: float, episode: _Episode) -> list[str]:
        """The causes of ``units`` of ``item`` due on ``day`` shipping late."""
        problem = self.problem
        home = int(problem.item_work_center[item])
        if day < int(self.earliest.day[item]):
            return [self._lead_time(item, day)]
        start = day - int(problem.lead_time[item])
        causes = self._components(item, start, units)
        if home >= 0:
            capacity = self._capacity(item, home, start, units)
            if capacity:
                causes.append(capacity)
        if not causes:
            causes.append(self._plan(item, day, start) + self._trade_off(item, start, episode))
        return causes

    def _lead_time(self, item: int, day: int) -> str:
        problem, earliest = self.problem, self.earliest
        chain = [item]
        while earliest.limit[chain[-1]] >= 0 and not earliest.by_receipt[chain[-1]]:
            chain.append(int(earliest.limit[chain[-1]]))
        path = " + ".join(f"{problem.items[i].code} {int(problem.lead_time[i])} d" for i in chain)
        code, arrival = problem.items[item].code, int(earliest.day[item])
        if arrival >= problem.n_days:
            text = f"lead time: no new {code} can arrive within the horizon"
        else:
            text = f"lead time: the first new {code} can arrive on {problem.days[arrival]}"
        text += f", {counted(arrival, 'working day')} after the first: {path}"
        if len(chain) > 1:
            text += " (" + ", ".join(problem.items[i].code for i in chain[1:]) + " not in stock)"
        last = chain[-1]
        if earliest.by_receipt[last]:
            receipt = int(earliest.limit[last])
            wait = arrival - sum(int(problem.lead_time[i]) for i in chain)
            text += (
                f" after {problem.items[receipt].code} arrives by receipt on {problem.days[wait]}"
            )
        cumulative = self.cumulative
        stock = problem.on_hand[item] + cumulative.receipts[item, day]
        required = cumulative.demand[item, day] + cumulative.dependent[item, day]
        return (
            f"{text}; stock and receipts bring {counted(stock, 'unit')} against "
            f"{quantity(required)} required by {problem.days[day]}"
        )

    def _components(self, item: int, start: int, units: float) -> list[str]:
        problem, inventory = self.problem, self.evaluation.inventory
        column = slice(self.components.indptr[item], self.components.indptr[item + 1])
        children = self.components.indices[column]
        per_unit = self.components.data[column]
        needed = per_unit * units
        have = inventory[children, start]
        short = have + self.tolerance[children] < needed
        causes = []
        for c, need, stock, qty in zip(
            children[short].tolist(),
            needed[short].tolist(),
            have[short].tolist(),
            per_unit[short].tolist(),
            strict=True,
        ):
            causes.append(
                f"component {problem.items[c].code} short on {problem.days[start]} "
                f"(the latest start day): {quantity(stock)} in stock against "
                f"{quantity(need)} needed ({quantity(qty)} per unit for "
                f"{counted(units, 'unit')})" + self._component_arrival(c, start)
            )
        return causes

    def _component_arrival(self, component: int, start: int) -> str:
        """Why a short component was not there: its own lead time, when that is the limit."""
        arrival = int(self.earliest.day[component])
        if arrival <= start:
            return ""
        problem = self.problem
        when = problem.days[arrival] if arrival < problem.n_days else "the end of the horizon"
        return (
            f", and no new {problem.items[component].code} could arrive before {when} "
            "(its cumulative lead time)"
        )

    def _capacity(self, item: int, center: int, start: int, units: float) -> str | None:
        problem, evaluation = self.problem, self.evaluation
        setup = problem.setup_time[item] if evaluation.setups[item, start] == 0 else 0.0
        needed = float(problem.run_time[item] * units + setup)
        if needed <= 0:
            return None
        load = evaluation.load[center]
        regular = problem.capacity[center]
        total = regular + problem.overtime_capacity[center]
        room = total - load
        code, day = problem.work_centers[center].code, problem.days[start]
        figures = (
            f"load {quantity(load[start])} min against {quantity(regular[start])} "
            f"+ {quantity(problem.overtime_capacity[center, start])} min"
        )
        if room[start] < needed:
            free = np.flatnonzero(room[: start + 1] >= needed)
            since = int(free[-1]) + 1 if free.size else 0
            days = start - since + 1
            span = (
                f"on {day}"
                if days == 1
                else f"on {counted(days, 'working day')} from {problem.days[since]} to {day}"
            )
            return (
                f"capacity: {code} had no room for the {quantity(needed)} min these "
                f"{counted(units, 'unit')} need {span} (the latest start day): {figures}"
            )
        if regular[start] - load[start] < needed:
            return (
                f"capacity: {code} was at regular capacity on {day} (the latest start day): "
                f"{figures}; the {quantity(needed)} min these {quantity(units)} "
                f"units need fit only in the {quantity(room[start])} min of overtime "
                "the plan left unused"
            )
        return None

    def _plan(self, item: int, day: int, start: int) -> str:
        problem, cumulative = self.problem, self.cumulative
        started = cumulative.started[item, start]
        supply = problem.on_hand[item] + cumulative.receipts[item, day] + started
        required = cumulative.demand[item, day] + cumulative.dependent[item, day]
        return (
            f"the plan: no lead-time, component or capacity limit held on the latest "
            f"release day {problem.days[start]}, yet stock, receipts and releases up to then "
            f"bring {counted(supply, 'unit')} against {quantity(required)} "
            f"required by {problem.days[day]}"
        )

    def _trade_off(self, item: int, start: int, episode: _Episode) -> str:
        """The episode's backlog cost against the setup that would have built it on time.

        A cost-optimising plan leaves demand late, with room and material to
        build it, when the backlog is cheaper than another setup; the planner
        reads here how far ``backlog_cost`` would have to rise.
        """
        problem = self.problem
        code, day = problem.items[item].code, problem.days[start]
        rate = float(problem.backlog_cost[item])
        end_days = problem.settings.end_backlog_days
        weight = episode.unit_days + end_days * episode.open_at_end
        terms = f"backlog_cost {quantity(rate)} for {counted(episode.unit_days, 'unit-day')}"
        if episode.open_at_end > 0 and end_days > 0:
            terms += (
                f" and {counted(end_days, 'more day')} for each of the "
                f"{counted(episode.open_at_end, 'unit')} open at the end"
            )
        text = f"; their backlog costs {quantity(rate * weight)} ({terms})"
        if self.evaluation.setups[item, start] > 0:
            return text + f", and {code} was already set up on {day}"
        setup = float(problem.setup_cost[item])
        if setup <= 0:
            return text + f", and a setup of {code} costs nothing"
        if rate * weight < setup:
            return (
                f"{text} against {quantity(setup)} for one more setup of {code}: "
                f"a backlog_cost above {quantity(setup / weight)} for {code} would "
                "make building them on time the cheaper plan"
            )
        return f"{text}, more than the {quantity(setup)} of one more setup of {code}"
