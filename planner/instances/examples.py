"""Example plants built in code: tutorial, realistic and two home-turf plants.

Every generator is deterministic: the same arguments give an equal
:class:`~models.problem.Problem`. ``data/make_examples.py`` writes them as
workbooks (the large synthetic plants are in :mod:`planner.instances.large`).
The home-turf plants are each built so that one planning method should do
well (their docstrings give the expected answer); ``docs/benchmarks.md``
measures whether it does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from models.calendar import Calendar, CapacityException
from models.problem import (
    BomLine,
    Item,
    ItemAttribute,
    ItemKind,
    LotRule,
    Problem,
    SequenceRule,
    Settings,
    WorkCenter,
)

__all__ = ["batch_plant", "lean_plant", "realistic_plant", "small_plant"]

FloatArray = npt.NDArray[np.float64]


def _calendar(
    start: date,
    n_days: int,
    holidays: Sequence[date] = (),
    changes: Sequence[CapacityException] = (),
) -> Calendar:
    """A Monday-to-Friday calendar from ``start`` that has exactly ``n_days`` working days."""
    closed = set(holidays)
    day, found = start, 0
    while True:
        if day.weekday() < 5 and day not in closed:
            found += 1
            if found == n_days:
                break
        day += timedelta(days=1)
    exceptions = [CapacityException(d, None, 0.0) for d in sorted(closed)]
    return Calendar(start, day, exceptions=(*exceptions, *changes))


# The tutorial plant -----------------------------------------------------------

_SMALL_DEMAND = {
    "FG01": [14, 12, 11, 12, 15, 14, 12, 10, 12, 16, 13, 12, 11, 12, 15, 14, 11, 12, 13, 16],
    "FG02": [8, 7, 9, 8, 10, 8, 6, 7, 9, 10, 8, 8, 7, 9, 11, 9, 8, 7, 8, 10],
    "FG03": [0, 0, 12, 0, 0, 0, 15, 0, 0, 0, 10, 0, 0, 0, 18, 0, 0, 12, 0, 0],
    "FG04": [5, 4, 6, 5, 6, 4, 5, 5, 6, 7, 5, 4, 6, 5, 6, 5, 4, 6, 5, 7],
}


def small_plant() -> Problem:
    """A furniture workshop of 10 items for tutorials.

    Four finished goods (chair, stool, bench, side table) are assembled on
    ``ASSY`` from purchased parts and one sub-assembly, a seat panel cut on
    ``SAW``. The horizon is four weeks (20 working days) from Monday
    2026-03-02 with a plant holiday on Friday 2026-03-20; one purchase order
    for legs is open.

    Returns
    -------
    Problem
        The plant; always the same.
    """
    # fmt: off
    items = (
        Item("FG01", "Oak chair", work_center="ASSY", run_time=12, setup_time=30,
             setup_cost=40, unit_cost=85, lead_time=1, on_hand=30, safety_stock=10,
             lot_rule=LotRule.EOQ, container_qty=10, backlog_cost=2.0),
        Item("FG02", "Oak stool", work_center="ASSY", run_time=8, setup_time=20,
             setup_cost=30, unit_cost=45, lead_time=1, on_hand=20, container_qty=10,
             backlog_cost=1.0),
        Item("FG03", "Garden bench", work_center="ASSY", run_time=20, setup_time=45,
             setup_cost=50, unit_cost=140, lead_time=1, on_hand=8, lot_rule=LotRule.POQ,
             lot_size=5, container_qty=4, backlog_cost=3.0),
        Item("FG04", "Side table", work_center="ASSY", run_time=15, setup_time=30,
             setup_cost=40, unit_cost=95, lead_time=1, on_hand=12, lot_rule=LotRule.WW,
             container_qty=6, backlog_cost=2.0),
        Item("SA01", "Seat panel, cut from stock boards", work_center="SAW", run_time=6,
             setup_time=60, setup_cost=60, unit_cost=18, lead_time=1, on_hand=80,
             lot_rule=LotRule.FOQ, lot_size=120, container_qty=20),
        Item("P01", "Oak leg", kind=ItemKind.BUY, setup_cost=25, unit_cost=4, lead_time=5,
             on_hand=600, lot_rule=LotRule.LFL, min_lot=200, lot_multiple=50,
             container_qty=50),
        Item("P02", "Back rest", kind=ItemKind.BUY, setup_cost=25, unit_cost=9, lead_time=4,
             on_hand=70, safety_stock=10, lot_rule=LotRule.SM, container_qty=20),
        Item("P03", "Screw pack", kind=ItemKind.BUY, setup_cost=15, unit_cost=0.5,
             lead_time=3, on_hand=150, lot_rule=LotRule.FOQ, lot_size=500,
             container_qty=100),
        Item("P04", "Varnish, litre", kind=ItemKind.BUY, setup_cost=20, unit_cost=12,
             lead_time=2, on_hand=10, lot_rule=LotRule.LFL, lot_multiple=5, container_qty=5),
        Item("P05", "Table top", kind=ItemKind.BUY, setup_cost=30, unit_cost=30, lead_time=7,
             on_hand=45, lot_rule=LotRule.POQ, lot_size=5, container_qty=5),
    )
    # fmt: on
    bom = (
        BomLine("FG01", "SA01", 1),
        BomLine("FG01", "P01", 4),
        BomLine("FG01", "P02", 1),
        BomLine("FG01", "P03", 1),
        BomLine("FG01", "P04", 0.2),
        BomLine("FG02", "SA01", 1),
        BomLine("FG02", "P01", 3),
        BomLine("FG02", "P03", 1),
        BomLine("FG02", "P04", 0.1),
        BomLine("FG03", "SA01", 2),
        BomLine("FG03", "P01", 4),
        BomLine("FG03", "P03", 2),
        BomLine("FG03", "P04", 0.4),
        BomLine("FG04", "P05", 1),
        BomLine("FG04", "P01", 4),
        BomLine("FG04", "P03", 1),
        BomLine("FG04", "P04", 0.3),
    )
    work_centers = (
        WorkCenter("ASSY", capacity=480, overtime_capacity=120, overtime_cost=0.8),
        WorkCenter("SAW", capacity=240, overtime_capacity=60, overtime_cost=1.0),
    )
    calendar = _calendar(date(2026, 3, 2), 20, holidays=[date(2026, 3, 20)])
    days = calendar.working_days()
    demand = [
        (code, day, qty)
        for code, quantities in _SMALL_DEMAND.items()
        for day, qty in zip(days, quantities, strict=True)
        if qty > 0
    ]
    return Problem.from_records(
        items,
        demand,
        calendar=calendar,
        work_centers=work_centers,
        bom=bom,
        receipts=[("P01", date(2026, 3, 4), 500)],
        settings=Settings(carrying_rate=0.25, time_limit=30),
        name="small plant",
    )


# The realistic plant ----------------------------------------------------------

# (code, regular capacity, overtime capacity, overtime cost, setup minutes, run-time share)
_CENTERS = (
    ("ASM1", 960, 240, 1.2, (5, 12), 0.70),
    ("ASM2", 960, 240, 1.2, (5, 12), 0.68),
    ("MACH", 960, 240, 1.5, (90, 150), 0.58),
    ("PRESS", 960, 180, 1.5, (120, 180), 0.55),
    ("WELD", 480, 240, 1.0, (60, 90), 0.60),
)
# supplier: (how reliable, lead-time range in working days, safety stock in days of usage,
# cost per order, container sizes)
_SUPPLIERS = {
    "local stockist": ("on time", (2, 3), 0.0, 15, (50, 100)),
    "steel mill": ("mostly on time", (4, 6), 1.0, 30, (20, 50)),
    "foundry": ("often late", (8, 10), 3.0, 40, (20, 40)),
    "overseas supplier": ("often late", (12, 15), 5.0, 60, (20, 50)),
}
# (how many, what, supplier, median unit cost), in the order of P001-P040
_PARTS = (
    (8, "Casting", "foundry", 14.0),
    (6, "Steel blank", "steel mill", 5.0),
    (6, "Steel tube", "steel mill", 6.0),
    (6, "Bearing or seal", "local stockist", 3.0),
    (4, "Sensor", "overseas supplier", 22.0),
    (4, "Motor", "overseas supplier", 85.0),
    (6, "Fastener kit", "local stockist", 1.2),
)
# (line, attribute, p, q): at most p of any q consecutive positions carry the attribute
_RULES = (("ASM1", "heavy", 1, 3), ("ASM2", "export", 1, 2))
_WEEKDAY_FACTOR = np.array([1.15, 0.95, 0.9, 0.95, 1.05])
_FABRICATED = ("Machined housing", "Pressed cover", "Welded frame")


def realistic_plant(seed: int = 7) -> Problem:
    """A plant of 80 items built the lean way: mixed-model lines fed by long-setup fabrication.

    It asks whether level-loaded pull pays on mixed-model final assembly fed
    by fabrication whose setups take hours. Twenty finished goods are
    assembled on two mixed-model lines with changeovers of 5-12 minutes:
    pumps ``FG01``-``FG10`` on ``ASM1``, fans ``FG11``-``FG20`` on ``ASM2``.
    Each line has a sequence rule that a good mix keeps (the ruled products
    take about half of the positions the rule allows): on ``ASM1`` at most
    one heavy pump in three positions (the hoist), on ``ASM2`` at most one
    export fan in two (the crating station). The lines are fed by twenty
    sub-assemblies made in fabrication with setups of 1-3 hours
    (``SA01``-``SA08`` machined housings on ``MACH``, ``SA09``-``SA14``
    pressed covers on ``PRESS``, shared by both lines, ``SA15``-``SA20``
    welded frames on ``WELD``) from forty purchased parts: three BOM levels.

    Purchased parts come from four suppliers of different reliability: a
    local stockist (2-3 days, on time, no safety stock), a steel mill (4-6
    days, one day of safety stock), a foundry (8-10 days, often late, three
    days) and an overseas supplier of motors and sensors (12-15 days, often
    late, five days, two orders open). Each line builds six runners every
    day (weekly pattern, noise, a slight trend), two repeaters two days a
    week and two strangers in a few large orders; one pressed cover is also
    sold as a spare part every Wednesday. Run times fill 55-70 % of regular
    capacity. The horizon is 12 weeks, 60 working days from Monday
    2026-03-02, with Easter Monday off and a half-day maintenance stop on
    ``MACH``. Every quantity is in whole units; unit costs add up the BOM.

    Parameters
    ----------
    seed
        Seed of :func:`numpy.random.default_rng`; the same seed gives the
        same plant.

    Returns
    -------
    Problem
        The plant.
    """
    rng = np.random.default_rng(seed)
    fg = [f"FG{k:02d}" for k in range(1, 21)]
    sa = [f"SA{k:02d}" for k in range(1, 21)]
    parts = [f"P{k:03d}" for k in range(1, 41)]
    codes = fg + sa + parts
    index = {code: i for i, code in enumerate(codes)}
    center_of = dict.fromkeys(fg[:10], "ASM1") | dict.fromkeys(fg[10:], "ASM2")
    center_of |= dict.fromkeys(sa[:8], "MACH") | dict.fromkeys(sa[8:14], "PRESS")
    center_of |= dict.fromkeys(sa[14:], "WELD")
    bought = [(what, supplier) for n, what, supplier, _ in _PARTS for _ in range(n)]
    maintenance = CapacityException(date(2026, 4, 22), "MACH", 480.0)
    calendar = _calendar(date(2026, 3, 2), 60, [date(2026, 4, 6)], [maintenance])
    days = calendar.working_days()
    bom = _realistic_bom(rng, fg, sa, parts)
    matrix = np.zeros((len(codes), len(codes)))
    for line in bom:
        matrix[index[line.child], index[line.parent]] = line.qty_per
    demand = np.zeros((len(codes), len(days)))
    demand[:20] = _realistic_demand(rng, days)
    demand[index["SA10"], [t for t, day in enumerate(days) if day.weekday() == 2]] = 10
    total = np.linalg.solve(np.eye(len(codes)) - matrix, demand.sum(axis=1))
    per_day = total / len(days)
    capacity, _ = calendar.capacity_arrays(
        days, [c[0] for c in _CENTERS], [c[1] for c in _CENTERS], [c[2] for c in _CENTERS]
    )
    run_time = np.zeros(len(codes))
    setup_time = np.zeros(len(codes))
    for w, (center, _, _, _, (low, high), share) in enumerate(_CENTERS):
        made = [index[code] for code in codes if center_of.get(code) == center]
        relative = rng.uniform(0.7, 1.3, len(made))
        scale = share * capacity[w].sum() / (relative @ total[made])
        run_time[made] = np.round(relative * scale, 2)
        step = 1 if high < 30 else 15
        setup_time[made] = step * rng.integers(low // step, high // step + 1, len(made))
    unit_cost = np.zeros(len(codes))
    medians = [median for n, _, _, median in _PARTS for _ in range(n)]
    unit_cost[40:] = np.round(medians * rng.lognormal(0.0, 0.3, len(parts)), 2)
    for code in sa + fg:
        i = index[code]
        unit_cost[i] = round(1.1 * float(matrix[:, i] @ unit_cost) + 0.9 * run_time[i] + 2.0, 2)
    values = (run_time, setup_time, unit_cost, demand, per_day)
    items = [
        _realistic_made(rng, center_of[code], code, *(v[i] for v in values))
        for i, code in enumerate(fg + sa)
    ]
    items += [
        _realistic_part(rng, code, *bought[k], unit_cost[40 + k], per_day[40 + k])
        for k, code in enumerate(parts)
    ]
    receipts = [
        (code, days[t], _round_up(8 * per_day[index[code]], items[index[code]].container_qty))
        for code, t in (("P031", 1), ("P033", 3))
    ]
    rows = [(codes[i], days[t], float(demand[i, t])) for i, t in np.argwhere(demand)]
    return Problem.from_records(
        items,
        rows,
        calendar=calendar,
        work_centers=[
            WorkCenter(c, capacity=cap, overtime_capacity=ot, overtime_cost=cost)
            for c, cap, ot, cost, _, _ in _CENTERS
        ],
        bom=bom,
        receipts=receipts,
        settings=Settings(carrying_rate=0.25, time_limit=60, mip_gap=0.01),
        attributes=_realistic_attributes(items[:20], demand[:20]),
        sequence_rules=[SequenceRule(a, p, q, line) for line, a, p, q in _RULES],
        name=f"realistic plant (seed {seed})",
    )


def _realistic_demand(rng: np.random.Generator, days: Sequence[date]) -> FloatArray:
    """Daily orders of ``FG01``-``FG20``: on each line six runners, two repeaters, two strangers.

    Runners are ordered every day (a weekly pattern, gamma noise of CV 0.3 and
    a trend of -10 to +25 % over the horizon), repeaters on two of every five
    working days, strangers four to six times in large lots.
    """
    n_days = len(days)
    weekday = _WEEKDAY_FACTOR[[day.weekday() for day in days]]
    position = np.linspace(-0.5, 0.5, n_days)
    demand = np.zeros((20, n_days))
    for k in range(20):
        kind = k % 10
        if kind < 6:
            mean = float(np.clip(rng.lognormal(np.log(20), 0.4), 8, 45))
            trend = 1 + rng.uniform(-0.1, 0.25) * position
            demand[k] = np.round(mean * trend * weekday * rng.gamma(11.0, 1 / 11.0, n_days))
        elif kind < 8:
            for week in range(0, n_days, 5):
                picked = [t for t in week + rng.choice(5, size=2, replace=False) if t < n_days]
                demand[k, picked] = np.round(rng.normal(20, 4, len(picked)).clip(5))
        else:
            when = rng.choice(np.arange(5, n_days), size=int(rng.integers(4, 7)), replace=False)
            demand[k, when] = 5 * rng.integers(10, 25, len(when))
    return demand


def _realistic_bom(
    rng: np.random.Generator, fg: list[str], sa: list[str], parts: list[str]
) -> list[BomLine]:
    """Three levels: products from sub-assemblies and hardware, sub-assemblies from parts.

    A pump takes a machined housing and a pressed cover (some a second
    housing), a fan a welded frame and one or two pressed covers; each a
    motor and fastener kits. A sub-assembly takes its own raw material
    (casting, blank or tube), bearings or seals shared with others and,
    for eight of them, one sensor.
    """
    lines: list[BomLine] = []
    for k, parent in enumerate(fg):
        if k < 10:
            children = {sa[k % 8]: 1, sa[8 + k % 6]: 1, parts[30 + k % 2]: 1}
            if k % 3 == 2:
                children[sa[(k + 3) % 8]] = 1
        else:
            j = k - 10
            children = {sa[14 + j % 6]: 1, sa[8 + (j + 3) % 6]: int(rng.choice([1, 2]))}
            children[parts[32 + j % 2]] = 1
        for kit in sorted({parts[34 + k % 6], parts[34 + int(rng.integers(6))]}):
            children[kit] = int(rng.choice([2, 4, 6, 8]))
        lines += [BomLine(parent, child, float(qty)) for child, qty in children.items()]
    for k, parent in enumerate(sa):
        children = {parts[k]: int(rng.choice([1, 1, 2]))}
        for shared in sorted({20 + k % 10, 20 + int(rng.integers(6))}):
            children[parts[shared]] = int(rng.integers(1, 5)) if shared < 26 else 1
        lines += [BomLine(parent, child, float(qty)) for child, qty in children.items()]
    return lines


def _round_up(value: float, step: float) -> float:
    return float(max(step, step * math.ceil(value / step)))


def _realistic_made(
    rng: np.random.Generator,
    center: str,
    code: str,
    run_time: float,
    setup_time: float,
    unit_cost: float,
    demand: FloatArray,
    per_day: float,
) -> Item:
    """A product (runner, repeater or stranger by how often it is ordered) or a sub-assembly."""
    fields: dict[str, Any]
    if code.startswith("FG"):
        ordered = np.count_nonzero(demand)
        runner, stranger = ordered >= 0.8 * demand.size, ordered <= 10
        container = 10.0 if per_day >= 25 else 5.0
        rule = LotRule.LFL if stranger else LotRule(rng.choice(["LFL", "POQ", "WW", "SM", "EOQ"]))
        stock = _round_up(2 * per_day, container) if runner else 0.0 if stranger else container
        fields = {
            "description": f"{'Pump' if center == 'ASM1' else 'Fan'} model {code[2:]}",
            "setup_cost": float(setup_time + 5),
            "lead_time": int(rng.integers(0, 2)),
            "on_hand": stock,
            "safety_stock": float(round(per_day)) if runner else 0.0,
            "lot_size": 2.0 if rule is LotRule.POQ else None,
            "backlog_cost": round(0.02 * unit_cost, 2),
        }
    else:
        container = float(next((c for c in (10, 20, 25) if 2 * c >= per_day), 50))
        rule = LotRule(rng.choice(["POQ", "EOQ", "FOQ", "WW", "SM"]))
        lots = {LotRule.POQ: 5.0, LotRule.FOQ: _round_up(5 * per_day, container)}
        fields = {
            "description": f"{_FABRICATED[('MACH', 'PRESS', 'WELD').index(center)]} {code[2:]}",
            "setup_cost": float(round(1.5 * setup_time + 40)),
            "lead_time": 2 if center == "WELD" else 1,
            "on_hand": _round_up(4 * per_day, container),
            "safety_stock": float(round(per_day)),
            "lot_size": lots.get(rule),
        }
    return Item(
        code,
        work_center=center,
        run_time=float(run_time),
        setup_time=float(setup_time),
        unit_cost=float(unit_cost),
        lot_rule=rule,
        container_qty=container,
        **fields,
    )


def _realistic_part(
    rng: np.random.Generator, code: str, what: str, supplier: str, unit_cost: float, per_day: float
) -> Item:
    """A purchased part: its supplier sets its lead time, safety stock and order cost."""
    reliability, (low, high), safety_days, order_cost, containers = _SUPPLIERS[supplier]
    lead_time = int(rng.integers(low, high + 1))
    container = float(rng.choice(containers))
    rule = LotRule(rng.choice(["FOQ", "EOQ", "POQ", "LFL"]))
    return Item(
        code,
        f"{what} {code[1:]} ({supplier}, {reliability})",
        kind=ItemKind.BUY,
        setup_cost=float(order_cost),
        unit_cost=float(unit_cost),
        lead_time=lead_time,
        on_hand=_round_up((lead_time + safety_days + 3) * per_day, container),
        safety_stock=float(round(safety_days * per_day)),
        lot_rule=rule,
        lot_size={LotRule.POQ: 5.0, LotRule.FOQ: _round_up(10 * per_day, container)}.get(rule),
        min_lot=container if rule is LotRule.LFL else 0.0,
        lot_multiple=container if rule in (LotRule.LFL, LotRule.EOQ) else 0.0,
        container_qty=container,
    )


def _realistic_attributes(finished: Sequence[Item], demand: FloatArray) -> list[ItemAttribute]:
    """Each rule's attribute, on products that take about half the positions the rule allows.

    Positions are containers. Runners and repeaters are tried from the most
    positions down, each taking one attribute at most; strangers, ordered in
    large lots, carry none.
    """
    attributes: list[ItemAttribute] = []
    taken: set[str] = set()
    for line, attribute, p, q in _RULES:
        positions = {
            item.code: float(demand[k].sum()) / item.container_qty
            for k, item in enumerate(finished)
            if item.work_center == line
        }
        steady = {item.code for k, item in enumerate(finished) if np.count_nonzero(demand[k]) > 10}
        allowed = 0.5 * p / q * sum(positions.values())
        used = 0.0
        for code in sorted(positions, key=lambda c: (-positions[c], c)):
            if code in steady and code not in taken and used + positions[code] <= allowed:
                attributes.append(ItemAttribute(code, attribute))
                taken.add(code)
                used += positions[code]
    return attributes


# The home-turf plants ---------------------------------------------------------

# Items of the home-turf plants, one row each; purchased items have no work center.
_TABLE = (
    "code", "description", "work_center", "run_time", "setup_time", "setup_cost",
    "unit_cost", "lead_time", "on_hand", "safety_stock", "lot_rule", "lot_size", "container_qty",
)  # fmt: skip


def _table_items(rows: Sequence[tuple[Any, ...]]) -> list[Item]:
    """Items from table rows (:data:`_TABLE`); purchased items are ordered in whole containers."""
    items = []
    for row in rows:
        fields = dict(zip(_TABLE, row, strict=True))
        bought = fields["work_center"] is None
        multiple = fields["container_qty"] if bought else 0.0
        items.append(Item(**fields, kind=ItemKind.BUY if bought else None, lot_multiple=multiple))
    return items


# fmt: off
_LEAN_ITEMS = (
    ("FG01", "Stand mixer, glass bowl", "LINE", 3.5, 3, 2, 48, 0, 28, 0, "LFL", None, 4),
    ("FG02", "Stand mixer, steel bowl", "LINE", 3.8, 2, 2, 52, 0, 16, 0, "EOQ", None, 4),
    ("FG03", "Stand mixer, steel bowl, large", "LINE", 4.0, 3, 2, 58, 0, 16, 0, "POQ", 2, 4),
    ("FG04", "Stand mixer, glass bowl, large", "LINE", 4.2, 2, 2, 66, 0, 16, 0, "WW", None, 4),
    ("FG05", "Stand mixer, steel bowl, pro", "LINE", 4.4, 3, 2, 72, 0, 12, 0, "SM", None, 4),
    ("FG06", "Stand mixer, steel bowl, pro large", "LINE", 4.6, 2, 2, 85, 0, 8, 0, "LFL", None, 4),
    ("SA01", "Gearbox, small", "CELL", 3.4, 4, 3, 14, 1, 90, 0, "LFL", None, 10),
    ("SA02", "Gearbox, large", "CELL", 3.4, 5, 3, 16, 1, 60, 0, "POQ", 2, 10),
    ("SA03", "Gearbox, pro", "CELL", 3.4, 4, 3, 18, 1, 40, 0, "FOQ", 40, 10),
    ("P01", "Motor (milk run)", None, 0, 0, 2, 12, 1, 270, 45, "LFL", None, 30),
    ("P02", "Glass bowl (milk run)", None, 0, 0, 2, 6, 1, 140, 0, "EOQ", None, 20),
    ("P03", "Steel bowl (milk run)", None, 0, 0, 2, 5, 1, 140, 0, "POQ", 2, 20),
    ("P04", "Gear blank (milk run)", None, 0, 0, 2, 1.5, 1, 550, 0, "FOQ", 400, 50),
    ("P05", "Housing shell (milk run)", None, 0, 0, 2, 4, 1, 270, 0, "LFL", None, 30),
    ("P06", "Carton (milk run)", None, 0, 0, 2, 0.4, 1, 300, 0, "EOQ", None, 100),
)
# fmt: on
_LEAN_MEANS = {"FG01": 28, "FG02": 16, "FG03": 14, "FG04": 16, "FG05": 10, "FG06": 8}


def lean_plant() -> Problem:
    """A plant on heijunka's home turf: short setups, steady demand, tight mixing rules.

    Six stand mixers (``FG01``-``FG06``) are assembled on one mixed-model
    line, ``LINE``, with changeovers of 2-3 minutes, from three gearboxes
    made next to it on ``CELL`` (setups of 4-5 minutes) and six parts that
    a daily milk run brings the next day. Demand is steady: every product
    every day, within about 8 % of its mean, 92 units a day in all. Glass
    bowls go through a fragile-goods station that takes at most one bowl in
    two positions, and the two glass-bowl products fill 48 % of the
    positions (containers of four): every strategy must mix them into
    almost every other position. Run times fill about 76 % of ``LINE`` and
    65 % of ``CELL``. The horizon is six weeks, 30 working days from Monday
    2026-03-02, with Good Friday and Easter Monday off; quantities are in
    whole units.

    Expected answer: ``heijunka`` is competitive with ``batch``: the rule
    forces near-full mixing on every strategy, so its daily mix costs
    little more, and levelled, steady demand needs little stock; ``mrp``,
    whose lots ignore the rule, breaks it.

    Returns
    -------
    Problem
        The plant; always the same.
    """
    rng = np.random.default_rng(2026)
    calendar = _calendar(date(2026, 3, 2), 30, holidays=[date(2026, 4, 3), date(2026, 4, 6)])
    days = calendar.working_days()
    demand = [
        (code, day, float(round(mean * rng.normal(1.0, 0.08))))
        for code, mean in _LEAN_MEANS.items()
        for day in days
    ]
    bom = [BomLine(f"FG{k:02d}", f"SA{(k + 1) // 2:02d}", 1.0) for k in range(1, 7)]
    bom += [BomLine(f"FG{k:02d}", "P01", 1.0) for k in range(1, 7)]
    bom += [BomLine(f"FG{k:02d}", "P02" if k in (1, 4) else "P03", 1.0) for k in range(1, 7)]
    bom += [BomLine(f"FG{k:02d}", child, 1.0) for k in range(1, 7) for child in ("P05", "P06")]
    bom += [BomLine(f"SA{k:02d}", "P04", 2.0) for k in range(1, 4)]
    return Problem.from_records(
        _table_items(_LEAN_ITEMS),
        demand,
        calendar=calendar,
        work_centers=[
            WorkCenter("LINE", capacity=480, overtime_capacity=60, overtime_cost=1.0),
            WorkCenter("CELL", capacity=480, overtime_capacity=60, overtime_cost=1.0),
        ],
        bom=bom,
        settings=Settings(carrying_rate=0.25, backlog_cost=1.0, time_limit=30),
        attributes=[ItemAttribute("FG01", "glass"), ItemAttribute("FG04", "glass")],
        sequence_rules=[SequenceRule("glass", 1, 2, "LINE")],
        name="lean plant",
    )


# fmt: off
_BATCH_ITEMS = (
    ("FG01", "Cabinet panel, white", "PAINT", 0.60, 150, 250, 18, 1, 50, 0, "EOQ", None, 50),
    ("FG02", "Cabinet panel, grey", "PAINT", 0.55, 180, 300, 20, 1, 0, 0, "POQ", 5, 50),
    ("FG03", "Cabinet side, black", "PAINT", 0.70, 210, 350, 24, 1, 100, 0, "WW", None, 50),
    ("FG04", "Cabinet door, blue", "PAINT", 0.70, 180, 300, 25, 1, 0, 0, "SM", None, 50),
    ("FG05", "Cabinet shelf, white", "PAINT", 0.55, 210, 350, 21, 1, 0, 0, "LFL", None, 50),
    ("SA01", "Stamped blank, panel", "PRESS", 0.55, 180, 300, 7, 1, 200, 0, "EOQ", None, 100),
    ("SA02", "Stamped blank, side", "PRESS", 0.65, 240, 400, 9, 1, 0, 0, "POQ", 5, 100),
    ("SA03", "Stamped blank, door", "PRESS", 0.70, 210, 350, 10, 1, 100, 0, "FOQ", 1500, 100),
    ("P01", "Steel sheet (steel mill)", None, 0, 0, 60, 3, 5, 2400, 300, "FOQ", 3000, 500),
    ("P02", "Powder, white (paint supplier)", None, 0, 0, 40, 1.2, 3, 1000, 0, "LFL", None, 200),
    ("P03", "Powder, grey (paint supplier)", None, 0, 0, 40, 1.2, 3, 400, 0, "LFL", None, 200),
    ("P04", "Powder, black (paint supplier)", None, 0, 0, 40, 1.3, 3, 400, 0, "EOQ", None, 200),
    ("P05", "Powder, blue (paint supplier)", None, 0, 0, 40, 1.4, 3, 400, 0, "POQ", 5, 200),
    ("P06", "Carton (local supplier)", None, 0, 0, 20, 0.8, 2, 1500, 0, "EOQ", None, 500),
)
# fmt: on
# (finished good, blank, paint)
_BATCH_BOM = (
    ("FG01", "SA01", "P02"),
    ("FG02", "SA01", "P03"),
    ("FG03", "SA02", "P04"),
    ("FG04", "SA03", "P05"),
    ("FG05", "SA01", "P02"),
)


def batch_plant() -> Problem:
    """A plant on batch production's home turf: long setups and lumpy demand.

    Five painted cabinet parts (``FG01``-``FG05``) are powder-coated on
    ``PAINT``, where a colour change and oven clean-out takes 2.5-3.5
    hours, from three blanks stamped on ``PRESS``, where a die change takes
    3-4 hours, and six purchased items (sheet steel, four powder colours,
    cartons). Each day has one 8-hour shift and two hours of overtime. Every
    product is called off three to five times from the second week on, in
    lots of 250 to 800 units, and not in between. Run times fill about half
    of each work center. The horizon is six weeks, 30 working days from Monday
    2026-03-02, with Good Friday and Easter Monday off; quantities are in
    whole units.

    Expected answer: ``batch`` is clearly cheapest: it sets each product up
    about once per call-off and builds just ahead of it; ``heijunka`` levels
    lumpy demand (building ahead for weeks or running late) and sets up
    every cycle of its product wheel, and ``mrp``'s lots overload the press
    and the paint line in the weeks of the call-offs.

    Returns
    -------
    Problem
        The plant; always the same.
    """
    rng = np.random.default_rng(1989)
    calendar = _calendar(date(2026, 3, 2), 30, holidays=[date(2026, 4, 3), date(2026, 4, 6)])
    days = calendar.working_days()
    demand = []
    for code, *_ in _BATCH_BOM:
        when = sorted(rng.choice(np.arange(6, 30), size=int(rng.integers(3, 6)), replace=False))
        demand += [(code, days[t], float(50 * rng.integers(5, 17))) for t in when]
    bom = [BomLine(parent, c, 1.0) for parent, *children in _BATCH_BOM for c in (*children, "P06")]
    bom += [BomLine(blank, "P01", 1.0) for blank in ("SA01", "SA02", "SA03")]
    return Problem.from_records(
        _table_items(_BATCH_ITEMS),
        demand,
        calendar=calendar,
        work_centers=[
            WorkCenter("PRESS", capacity=480, overtime_capacity=120, overtime_cost=1.5),
            WorkCenter("PAINT", capacity=480, overtime_capacity=120, overtime_cost=1.2),
        ],
        bom=bom,
        settings=Settings(carrying_rate=0.25, backlog_cost=0.5, time_limit=30),
        name="batch plant",
    )


# The large plant --------------------------------------------------------------
