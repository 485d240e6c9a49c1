"""Published benchmark instances, read into problems the planner solves as it solves any plant.

Trigeiro, Thomas & McClain (1989), *Capacitated lot sizing with setup
times*, Management Science 35(3):353-366: single-level, multi-item
capacitated lot sizing with setup times (sets F, G, X; LOTSIZELIB "tr"
instances). A period becomes a working day, the resource a work center;
there is no backlog in the original model, so backlog is priced far above
any saving it could buy, and there is no overtime. The published optima
are those of continuous quantities, so items are not counted in whole
units (Items ``whole_units`` = no).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from models import Calendar, Item, Problem, Settings, WorkCenter

TRIGEIRO_BACKLOG_COST = 10_000.0
"""Cost per unit-day late: far above any setup saving, so optimal plans never backlog."""

_FIRST_DAY = date(2026, 1, 5)
_BLOCK = 15


def read_trigeiro(path: str | Path) -> Problem:
    """Read a Trigeiro CLSP instance file (``.DAT``) as a problem.

    The file holds ``n T``, an unused constant, the capacity per period, one
    line ``a h st sc`` per item (capacity per unit, holding cost, setup
    time, setup cost), then the demand, printed in column blocks of at most
    15 items: T lines for items 1-15, then T lines for items 16-30, and so on.

    Raises
    ------
    ValueError
        If the file does not have that shape.
    """
    path = Path(path)
    tokens = path.read_text().split()
    n_items, n_periods = int(tokens[0]), int(tokens[1])
    capacity = float(tokens[3])
    position = 4
    specs = []
    for _ in range(n_items):
        run, holding, setup_time, setup_cost = (float(v) for v in tokens[position : position + 4])
        specs.append((run, holding, setup_time, setup_cost))
        position += 4
    demand = [[0.0] * n_periods for _ in range(n_items)]
    for first in range(0, n_items, _BLOCK):
        width = min(_BLOCK, n_items - first)
        for period in range(n_periods):
            for offset in range(width):
                demand[first + offset][period] = float(tokens[position])
                position += 1
    if position > len(tokens) or tokens[position : position + 1] not in (["Bi"], []):
        raise ValueError(f"{path.name}: unexpected layout after the demand block")
    days = weekdays(n_periods)
    items = [
        Item(
            f"I{k + 1:02d}",
            work_center="R",
            run_time=run,
            setup_time=setup_time,
            setup_cost=setup_cost,
            holding_cost=holding,
            backlog_cost=TRIGEIRO_BACKLOG_COST,
            whole_units=False,
        )
        for k, (run, holding, setup_time, setup_cost) in enumerate(specs)
    ]
    records = [
        (items[i].code, days[t], demand[i][t])
        for i in range(n_items)
        for t in range(n_periods)
        if demand[i][t]
    ]
    return Problem.from_records(
        items,
        records,
        work_centers=[WorkCenter("R", capacity)],
        calendar=Calendar(days[0], days[-1]),
        settings=Settings(mip_gap=0.0),
        name=path.stem,
    )


def weekdays(count: int) -> list[date]:
    """The first ``count`` weekdays from Monday 2026-01-05: the instances' working days."""
    days: list[date] = []
    day = _FIRST_DAY
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days
