"""Demand-driven MRP: decoupling buffers positioned, sized, and replenished by net flow.

The plan is made in three steps (every formula in ``docs/ddmrp.md``):

1. **Position** the buffers (:mod:`models.ddmrp.positioning`): by the
   positioning rules, then by a search that keeps the positionings whose
   plan costs less;
2. **Size** them (:mod:`models.ddmrp.buffers`): decoupled lead time,
   average daily usage, red, yellow and green zones, per day;
3. **Plan by net flow** (:mod:`models.ddmrp.netflow`): day by day, each
   buffer at or below its top of yellow orders up to its top of green,
   orders are exploded to the next buffers, items with demand within their
   lead time are made to order, and the floor starts what components and
   capacity allow.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from models.ddmrp.buffers import BufferZones, daily_usage, size_buffers
from models.ddmrp.netflow import NetFlowRun, OrderLog, run_net_flow
from models.ddmrp.options import DDMRP_NAME, DdmrpOptions
from models.ddmrp.positioning import PositioningSearch, search_positioning
from models.plan import Buffer, MessageLevel, Plan, PlanMessage, SolveStatus
from models.problem import Problem
from models.sequencing import sequence_ruled_days
from models.strategy import RunOptions
from models.wording import counted

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class BufferDesign:
    """What a replan takes over from a plan: where its buffers are, the zones' adjustment
    factor, the orders the plan placed (the released ones stay on order), and the
    average daily usage of the first plan from the horizon's first day (``adu``,
    ``[item, day]``) with the day this plan starts on (``first_day``)."""

    buffered: frozenset[str]
    adjustment: float
    orders: OrderLog
    adu: FloatArray
    first_day: int = 0


def plan_ddmrp(problem: Problem, options: DdmrpOptions | None = None) -> Plan:
    """Plan a problem with demand-driven MRP.

    Returns
    -------
    Plan
        Daily starts, status ``heuristic`` (``time_limit`` when the clock
        cut the positioning search), its buffers day by day, and messages:
        where the buffers are and why, and orders that waited for
        components or capacity.
    """
    options = options or DdmrpOptions()
    started = time.perf_counter()
    usage = daily_usage(problem)
    search = search_positioning(problem, options, usage, started + options.time_limit)
    best = search.best
    ruled = sequence_ruled_days(problem, best.run.starts)
    codes = frozenset(problem.items[i].code for i in np.flatnonzero(best.buffered).tolist())
    return Plan(
        strategy=DDMRP_NAME,
        starts=best.run.starts,
        status=SolveStatus.TIME_LIMIT if search.timed_out else SolveStatus.HEURISTIC,
        sequences=ruled.sequences,
        seconds=time.perf_counter() - started,
        messages=(*_positioning_messages(problem, search), *best.run.messages, *ruled.messages),
        buffers=_buffers(best.buffered, best.zones, best.run),
        design=BufferDesign(codes, best.adjustment, best.run.orders, best.zones.adu),
    )


def replan_ddmrp(
    problem: Problem, previous: Plan, elapsed: int, waiting: FloatArray, run: RunOptions
) -> Plan:
    """Plan again from the state ``problem`` starts in, taking over ``previous``'s design.

    A simulation's daily replan, ``elapsed`` working days after
    ``previous`` was made: the buffers stay where they are, their zones are
    sized again on the first plan's average daily usage from this day on
    (the forecast's, not the backlog the new problem's first day carries),
    the orders ``previous``
    placed before this day that have not started (and the ``waiting``
    starts) stay on order, and the net flow plans the days an order placed
    today can reach (the longest decoupled lead time); the later days are
    planned again tomorrow. The plan's starts are the orders by the day
    they are to start: the real shop floor starts what it can of them.
    """
    design = previous.design
    if not isinstance(design, BufferDesign):
        return plan_ddmrp(problem, DdmrpOptions.resolve(problem.settings, run))
    started = time.perf_counter()
    options = DdmrpOptions.resolve(problem.settings, run)
    buffered = np.array([item.code in design.buffered for item in problem.items], dtype=bool)
    first_day = design.first_day + elapsed
    adu = design.adu[:, first_day : first_day + problem.n_days]
    zones = size_buffers(problem, buffered, options, daily_usage(problem), adu=adu)
    released = design.orders.released(elapsed, problem.n_items, problem.n_days)
    released[:, 0] += waiting
    reach = int(zones.decoupled_lead_time.max(initial=0)) + 1
    net_flow = run_net_flow(problem, buffered, zones, options, days=reach, released=released)
    return Plan(
        strategy=DDMRP_NAME,
        starts=net_flow.scheduled,
        status=SolveStatus.HEURISTIC,
        seconds=time.perf_counter() - started,
        messages=net_flow.messages,
        buffers=_buffers(buffered, zones, net_flow),
        design=dataclasses.replace(design, orders=net_flow.orders, first_day=first_day),
    )


def _buffers(buffered: np.ndarray, zones: BufferZones, run: NetFlowRun) -> tuple[Buffer, ...]:
    return tuple(
        Buffer(
            item=i,
            decoupled_lead_time=int(zones.decoupled_lead_time[i]),
            lead_time_factor=float(zones.lead_time_factor[i]),
            variability_factor=float(zones.variability_factor[i]),
            order_cycle=float(zones.order_cycle[i]),
            adu=zones.adu[i],
            red=zones.red[i],
            yellow=zones.yellow[i],
            green=zones.green[i],
            on_hand=run.on_hand[i],
            on_order=run.on_order[i],
            qualified=run.qualified[i],
            net_flow=run.net_flow[i],
            ordered=run.ordered[i],
        )
        for i in np.flatnonzero(buffered).tolist()
    )


def _positioning_messages(problem: Problem, search: PositioningSearch) -> list[PlanMessage]:
    best, rules = search.best, search.by_rules
    codes = [problem.items[i].code for i in best.buffered.nonzero()[0].tolist()]
    shown = ", ".join(codes[:20]) + (", ..." if len(codes) > 20 else "")
    text = f"{counted(len(codes), 'decoupling buffer')} of {problem.n_items} items: {shown}"
    if best.adjustment != 1.0:
        text += f"; zones sized on {best.adjustment:g} x average daily usage"
    if search.tried > 1:
        text += (
            f"; {counted(search.tried, 'positioning')} planned and priced, "
            f"cost {best.cost:,.0f} against {rules.cost:,.0f} for the positioning rules alone"
        )
    messages = [PlanMessage(MessageLevel.INFO, text)]
    if search.timed_out:
        messages.append(
            PlanMessage(
                MessageLevel.WARNING,
                "the buffer positioning search stopped at the time limit; "
                "the cheapest positioning found so far is used",
            )
        )
    for i in search.unmet_tolerance:
        messages.append(
            PlanMessage(
                MessageLevel.WARNING,
                f"{problem.items[i].code} is not buffered (Items buffer = no) but its decoupled "
                "lead time is longer than the customer tolerance time (Settings "
                "tolerance_days): its demand is made to order and may be late",
                item=i,
            )
        )
    return messages
