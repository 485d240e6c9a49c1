"""Classic MRP, as an ERP runs it: gross-to-net explosion with lot rules.

The explosion is :mod:`models.requirements.explosion`: items are netted in
low-level-code order, so that all dependent demand of an
item (from the planned order releases of its parents) is known before the
item is planned. For each item, projected available balance is

    pab[t] = on_hand + sum_{s<=t} (receipts[s] + planned_receipts[s] - gross[s])

and whenever it would fall below safety stock, a planned order is placed to
arrive that day, sized by the item's lot rule (LFL, FOQ, EOQ, POQ, WW, SM),
then raised to ``min_lot`` and rounded up to ``lot_multiple``. The order is
released ``lead_time`` working days earlier; a release that would fall before
the first day is released on the first day and flagged (expedite). Capacity
is ignored, as MRP does: the evaluator says where that breaks.

One step goes beyond a textbook MRP run, because every plan in this project
must be executable: a final pass walks the horizon day by day and starts an
order only as far as its components are physically in stock. Orders that
cannot start (their components were expedited and arrive late) slip to the
first day they can, and a message says so; the lateness then shows as
backlog of the demand they serve, where the evaluator measures it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from models.floor import TOLERANCE, ReleaseRule, arrivals
from models.plan import MessageLevel, Plan, PlanMessage, SolveStatus
from models.problem import Problem, Settings
from models.requirements.explosion import explode
from models.sequencing import sequence_ruled_days
from models.strategy import RunOptions
from models.wording import counted

FloatArray = npt.NDArray[np.float64]

MRP_NAME = "mrp"
"""The name planners know classic MRP by."""


@dataclass(frozen=True)
class MrpOptions:
    """Switches of the MRP run.

    Parameters
    ----------
    safety_stock
        Plan to keep projected inventory at or above each item's safety stock.
    material_check
        Start orders only as far as their components are in stock (keeps the
        plan executable); without it, the plan is the raw MRP explosion.
    """

    safety_stock: bool = True
    material_check: bool = True

    @classmethod
    def resolve(cls, settings: Settings, run: RunOptions) -> MrpOptions:
        """MRP's options for a run: none comes from Settings or the run (MRP needs no solver)."""
        return cls()


def plan_mrp(problem: Problem, options: MrpOptions | None = None) -> Plan:
    """Plan a problem with classic MRP.

    Parameters
    ----------
    problem
        The plant and its demand.
    options
        Switches; the defaults plan as an ERP does, then make the plan
        executable.

    Returns
    -------
    Plan
        Daily planned order releases, status ``heuristic``, with the run's
        exception messages (expedited releases, orders delayed for lack of
        components).
    """
    options = options or MrpOptions()
    started = time.perf_counter()
    explosion = explode(problem, options.safety_stock)
    starts, messages = explosion.starts, list(explosion.messages)
    if options.material_check:
        starts, delays = _start_as_materials_allow(problem, starts)
        messages += delays
    ruled = sequence_ruled_days(problem, starts)
    return Plan(
        strategy=MRP_NAME,
        starts=starts,
        status=SolveStatus.HEURISTIC,
        sequences=ruled.sequences,
        seconds=time.perf_counter() - started,
        messages=(*messages, *ruled.messages),
    )


def _start_as_materials_allow(
    problem: Problem, planned: FloatArray
) -> tuple[FloatArray, list[PlanMessage]]:
    """Start planned orders day by day, only as far as components are in stock.

    Each day starts what is planned plus what waits, as the shop floor
    would (:meth:`models.floor.ReleaseRule.start_what_fits`, capacity not checked): a
    start that lacks components waits, whole or in part, for the next day.
    """
    n_items, n_days = planned.shape
    bom = problem.bom_matrix.tocsc()
    lead = problem.lead_time
    final = np.zeros_like(planned)
    pending = np.zeros(n_items)
    position = problem.on_hand.astype(float).copy()
    delayed_units = np.zeros(n_items)
    first_delay = np.full(n_items, -1)
    short_component = np.full(n_items, -1)
    rule = ReleaseRule(problem)
    for day in range(n_days):
        arriving = arrivals(final, day, lead)
        stock = np.maximum(position, 0.0) + problem.receipts[:, day] + arriving
        wanted = planned[:, day] + pending
        final[:, day], short = rule.start_what_fits(wanted, stock)
        short_component = np.where(short >= 0, short, short_component)
        pending = wanted - final[:, day]
        pending[pending < TOLERANCE] = 0.0
        late = pending > 0
        delayed_units[late] += pending[late]
        first_delay[late & (first_delay < 0)] = day
        consumed = np.asarray(bom @ final[:, day], dtype=float)
        immediate = np.where(lead == 0, final[:, day], 0.0)
        position += (
            problem.receipts[:, day] + arriving + immediate - problem.demand[:, day] - consumed
        )
    return final, _delay_messages(problem, pending, first_delay, short_component, delayed_units)


def _delay_messages(
    problem: Problem,
    never_started: FloatArray,
    first_delay: npt.NDArray[np.int_],
    short_component: npt.NDArray[np.int_],
    delayed_units: FloatArray,
) -> list[PlanMessage]:
    messages = []
    for i in np.flatnonzero(first_delay >= 0).tolist():
        code = problem.items[i].code
        component = problem.items[int(short_component[i])].code
        day = int(first_delay[i])
        text = (
            f"orders of {code} wait for component {component}: starts slip from "
            f"{problem.days[day]} on ({counted(delayed_units[i], 'unit-day')} of delay)"
        )
        if never_started[i] > TOLERANCE:
            text += f"; {counted(never_started[i], 'unit')} cannot start within the horizon"
        messages.append(PlanMessage(MessageLevel.WARNING, text, item=i, day=day))
    return messages
