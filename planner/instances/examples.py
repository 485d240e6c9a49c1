"""Example plants built in code: a tutorial plant, a realistic one and a large one.

Every generator is deterministic: the same arguments give an equal
:class:`~models.problem.Problem`. ``data/make_examples.py`` writes the first
two as workbooks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta

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

__all__ = ["large_plant", "realistic_plant", "small_plant"]


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

# (code, regular capacity, overtime capacity, overtime cost, setup range, run-time share)
_CENTERS = (
    ("ASM1", 960, 240, 1.2, (30, 45), 0.66),
    ("ASM2", 960, 240, 1.2, (30, 45), 0.62),
    ("MACH", 960, 240, 1.5, (60, 120), 0.60),
    ("PRESS", 960, 180, 1.5, (60, 120), 0.58),
    ("WELD", 480, 240, 1.0, (30, 60), 0.60),
)
_WEEKDAY_FACTOR = np.array([1.2, 0.95, 0.88, 0.92, 1.1])


def realistic_plant(seed: int = 7) -> Problem:
    """A plant of 80 items on 5 work centers where batching and pull both have a case.

    Twenty finished goods (``FG01``-``FG20``) are assembled on two lines
    from twenty sub-assemblies (``SA01``-``SA20``, made on ``MACH``,
    ``PRESS`` and ``WELD``) and forty purchased parts (``P001``-``P040``,
    the last ten shared hardware used by many finished goods): three BOM
    levels. The horizon is 12 weeks, 60 working days from Monday 2026-03-02,
    with a plant holiday on Easter Monday and a half-day maintenance stop on
    ``MACH``.

    Setups take 30-45 minutes on the assembly lines and up to two hours in
    fabrication, costing money and capacity, so batching pays; but run times
    fill about 60 % of capacity before any setup, demand trends, peaks on
    Mondays and Fridays, is noisy, and three finished goods are ordered in
    large lumps, so large batches run into overtime and backlog. Unit costs
    add up the BOM, holding costs follow from the carrying rate, and heavy
    products may take at most one in three positions of the ``ASM1``
    sequence.

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
    n_fg, n_sa, n_parts, n_shared = 20, 20, 40, 10
    fg = [f"FG{k:02d}" for k in range(1, n_fg + 1)]
    sa = [f"SA{k:02d}" for k in range(1, n_sa + 1)]
    parts = [f"P{k:03d}" for k in range(1, n_parts + 1)]
    codes = fg + sa + parts
    index = {code: i for i, code in enumerate(codes)}
    center_of = dict.fromkeys(fg[:10], "ASM1") | dict.fromkeys(fg[10:], "ASM2")
    center_of |= dict.fromkeys(sa[:8], "MACH") | dict.fromkeys(sa[8:14], "PRESS")
    center_of |= dict.fromkeys(sa[14:], "WELD")

    calendar = _calendar(
        date(2026, 3, 2),
        60,
        holidays=[date(2026, 4, 6)],
        changes=[CapacityException(date(2026, 4, 22), "MACH", 480.0)],
    )
    days = calendar.working_days()
    n_days = len(days)

    bom = _realistic_bom(rng, fg, sa, parts[: n_parts - n_shared], parts[n_parts - n_shared :])
    matrix = np.zeros((len(codes), len(codes)))
    for line in bom:
        matrix[index[line.child], index[line.parent]] = line.qty_per

    lumpy = set(rng.choice(n_fg, size=3, replace=False).tolist())
    mean = np.round(rng.lognormal(np.log(25), 0.5, n_fg).clip(6, 80))
    demand = np.zeros((len(codes), n_days))
    weekday = _WEEKDAY_FACTOR[[day.weekday() for day in days]]
    position = np.linspace(0.0, 1.0, n_days)
    for k in range(n_fg):
        if k in lumpy:
            when = rng.choice(np.arange(5, n_days), size=int(rng.integers(5, 9)), replace=False)
            shares = rng.dirichlet(np.full(len(when), 4.0))
            demand[k, when] = np.round(shares * 0.4 * mean[k] * n_days)
        else:
            trend = 1 + rng.uniform(-0.1, 0.25) * (position - 0.5)
            noise = rng.gamma(8.0, 1 / 8.0, n_days)
            demand[k] = np.round(mean[k] * trend * weekday * noise)
    spare = index[sa[int(rng.integers(n_sa))]]
    demand[spare, [t for t, day in enumerate(days) if day.weekday() == 2]] = 10

    total = np.linalg.solve(np.eye(len(codes)) - matrix, demand.sum(axis=1))
    per_day = total / n_days
    capacity, _ = calendar.capacity_arrays(
        days, [c[0] for c in _CENTERS], [c[1] for c in _CENTERS], [c[2] for c in _CENTERS]
    )
    run_time = np.zeros(len(codes))
    setup_time = np.zeros(len(codes))
    for w, (center, _, _, _, (low, high), share) in enumerate(_CENTERS):
        made = [index[code] for code in codes if center_of.get(code) == center]
        relative = rng.uniform(0.6, 1.4, len(made))
        scale = share * capacity[w].sum() / float(relative @ total[made])
        run_time[made] = np.round(relative * scale, 2)
        setup_time[made] = 5 * rng.integers(low // 5, high // 5 + 1, len(made))

    unit_cost = np.zeros(len(codes))
    unit_cost[[index[p] for p in parts]] = np.round(rng.lognormal(np.log(4), 0.9, n_parts), 2)
    for code in sa + fg:
        i = index[code]
        material = float(matrix[:, i] @ unit_cost)
        unit_cost[i] = round(1.1 * material + 0.9 * run_time[i] + 2.0, 2)

    work_centers = tuple(
        WorkCenter(code, capacity=cap, overtime_capacity=ot, overtime_cost=cost)
        for code, cap, ot, cost, _, _ in _CENTERS
    )
    heavy = sorted((k for k in range(10) if k not in lumpy), key=lambda k: (mean[k], k))[:3]
    items = []
    for i, code in enumerate(codes):
        if code in center_of:
            items.append(
                _realistic_made(
                    rng,
                    code,
                    center_of[code],
                    run_time[i],
                    setup_time[i],
                    unit_cost[i],
                    per_day[i],
                    finished=i < n_fg,
                    lumpy=i in lumpy,
                )
            )
        else:
            shared = i >= len(codes) - n_shared
            items.append(_realistic_part(rng, code, unit_cost[i], per_day[i], shared=shared))

    demand_rows = [
        (codes[i], days[t], float(demand[i, t])) for i, t in zip(*np.nonzero(demand), strict=True)
    ]
    ordered = rng.choice(n_parts - n_shared, size=2, replace=False)
    receipts = [
        (parts[int(k)], days[int(t)], float(_round_up(per_day[index[parts[int(k)]]] * 8, 50)))
        for k, t in zip(ordered, (1, 3), strict=True)
    ]
    export = [code for k, code in enumerate(fg[10:], 10) if k % 3 == 0]
    return Problem.from_records(
        items,
        demand_rows,
        calendar=calendar,
        work_centers=work_centers,
        bom=bom,
        receipts=receipts,
        settings=Settings(carrying_rate=0.25, time_limit=25, mip_gap=0.01),
        attributes=[ItemAttribute(fg[k], "heavy") for k in heavy]
        + [ItemAttribute(code, "export") for code in export],
        sequence_rules=[SequenceRule("heavy", 1, 3, "ASM1")],
        name=f"realistic plant (seed {seed})",
    )


def _realistic_bom(
    rng: np.random.Generator,
    finished: list[str],
    subassemblies: list[str],
    parts: list[str],
    hardware: list[str],
) -> list[BomLine]:
    lines: list[BomLine] = []
    unused = list(subassemblies)
    for k, parent in enumerate(finished):
        chosen = {subassemblies[(k * 3 // 2) % len(subassemblies)]}
        while len(chosen) < 2 + k % 2:
            chosen.add(subassemblies[int(rng.integers(len(subassemblies)))])
        for child in sorted(chosen):
            lines.append(BomLine(parent, child, float(rng.choice([1, 1, 1, 2]))))
            if child in unused:
                unused.remove(child)
        chosen = {hardware[k % len(hardware)]}
        while len(chosen) < int(rng.integers(2, 5)):
            chosen.add(hardware[int(rng.integers(len(hardware)))])
        for child in sorted(chosen):
            lines.append(BomLine(parent, child, float(rng.choice([2, 4, 6, 8]))))
    for child in unused:
        lines.append(BomLine(finished[int(rng.integers(len(finished)))], child, 1.0))
    for k, parent in enumerate(subassemblies):
        chosen = {parts[(k * 3 // 2) % len(parts)], parts[(k * 3 // 2 + 1) % len(parts)]}
        while len(chosen) < int(rng.integers(2, 5)):
            chosen.add(parts[int(rng.integers(len(parts)))])
        for child in sorted(chosen):
            lines.append(BomLine(parent, child, float(rng.choice([0.5, 1, 1, 2, 3, 4]))))
    return lines


def _round_up(value: float, step: float) -> float:
    return float(max(step, step * math.ceil(value / step)))


def _realistic_made(
    rng: np.random.Generator,
    code: str,
    center: str,
    run_time: float,
    setup_time: float,
    unit_cost: float,
    per_day: float,
    *,
    finished: bool,
    lumpy: bool,
) -> Item:
    if finished:
        rule = LotRule(rng.choice(["LFL", "EOQ", "POQ", "WW", "SM"]))
        container = float(rng.choice([5, 10, 20])) if per_day > 15 else 5.0
        lot_size = 3.0 if rule is LotRule.POQ else None
        stock_days, lead_time = (0.0 if lumpy else 2.0), int(rng.integers(0, 2))
    else:
        rule = LotRule(rng.choice(["POQ", "EOQ", "FOQ", "WW", "SM"]))
        container = float(rng.choice([10, 20, 25, 50]))
        lot_size = {LotRule.POQ: 5.0, LotRule.FOQ: _round_up(5 * per_day, container)}.get(rule)
        stock_days, lead_time = 3.0, int(rng.integers(1, 4))
    safety = finished and not lumpy and per_day >= 20
    return Item(
        code,
        f"Finished good {code[2:]}" if finished else f"Sub-assembly {code[2:]}",
        work_center=center,
        run_time=float(run_time),
        setup_time=float(setup_time),
        setup_cost=float(round(setup_time + 10 if finished else 1.5 * setup_time + 20)),
        unit_cost=float(unit_cost),
        lead_time=lead_time,
        on_hand=_round_up(stock_days * per_day, container) if stock_days else 0.0,
        safety_stock=float(round(per_day)) if safety else 0.0,
        lot_rule=rule,
        lot_size=lot_size,
        container_qty=container,
        backlog_cost=round(0.02 * unit_cost, 2) if finished else None,
    )


def _realistic_part(
    rng: np.random.Generator, code: str, unit_cost: float, per_day: float, *, shared: bool
) -> Item:
    lead_time = int(rng.integers(2, 11))
    container = float(rng.choice([50, 100, 200, 500] if shared else [20, 50, 100]))
    rule = LotRule(rng.choice(["FOQ", "EOQ", "POQ", "LFL"]))
    lot_size = {
        LotRule.POQ: 10.0,
        LotRule.FOQ: _round_up(10 * per_day, container),
    }.get(rule)
    return Item(
        code,
        ("Hardware " if shared else "Purchased part ") + code[1:],
        kind=ItemKind.BUY,
        setup_cost=float(rng.integers(5, 13) * 5),
        unit_cost=float(unit_cost),
        lead_time=lead_time,
        on_hand=_round_up((lead_time + 3) * per_day, container),
        safety_stock=float(round(2 * per_day)) if rng.random() < 0.4 else 0.0,
        lot_rule=rule,
        lot_size=lot_size,
        min_lot=container if rule is LotRule.LFL else 0.0,
        lot_multiple=container if rule in (LotRule.LFL, LotRule.EOQ) else 0.0,
        container_qty=container,
    )


# The large plant --------------------------------------------------------------


def large_plant(
    n_items: int = 1300,
    n_bom_lines: int = 2200,
    n_days: int = 120,
    n_demand_rows: int = 36000,
    seed: int = 1,
) -> Problem:
    """A synthetic plant of a given size, for benchmarks.

    Items are spread over four BOM levels: end items (``FG0001``, ...), two
    levels of made components (``SA...``, ``CP...``) and purchased parts
    (``P...``). Each component has at least one parent one level up, the
    remaining BOM lines join random items of higher and lower levels. Demand
    falls on end items only, on most working days of each, and ten work
    centers get capacities that the demand loads to about 75 %.

    Parameters
    ----------
    n_items, n_bom_lines
        Exact numbers of items and BOM lines.
    n_days
        Exact number of working days (Monday to Friday from 2026-01-05).
    n_demand_rows
        Exact number of nonzero demand cells (item, day).
    seed
        Seed of :func:`numpy.random.default_rng`.

    Returns
    -------
    Problem
        The plant.

    Raises
    ------
    ValueError
        If the sizes cannot be met (too few items or too many BOM lines or
        demand cells for the number of items and days).
    """
    if n_items < 4 or n_days < 1 or n_demand_rows < 0 or n_bom_lines < 0:
        raise ValueError("large_plant needs at least 4 items, 1 day and no negative size")
    rng = np.random.default_rng(seed)
    n_end = min(n_items - 3, max(1, math.ceil(n_demand_rows / (0.85 * n_days))))
    if n_end * n_days < n_demand_rows:
        raise ValueError(
            f"{n_demand_rows} demand cells do not fit in {n_end} end items x {n_days} days"
        )
    rest = n_items - n_end
    n_sa, n_cp = max(1, round(0.3 * rest)), max(1, round(0.3 * rest))
    sizes = [n_end, n_sa, n_cp, rest - n_sa - n_cp]
    prefixes = ["FG", "SA", "CP", "P"]
    level = np.repeat(np.arange(4), sizes)
    width = len(str(n_items))
    codes = [
        f"{prefixes[lv]}{k:0{width}d}" for lv, size in enumerate(sizes) for k in range(1, size + 1)
    ]
    first = np.concatenate([[0], np.cumsum(sizes)])

    edges = _large_bom_edges(rng, level, first, n_bom_lines)
    bom = tuple(
        BomLine(codes[p], codes[c], float(rng.choice([1, 1, 1, 2, 3, 4, 0.5]))) for p, c in edges
    )
    matrix = np.zeros((n_items, n_items))
    for (p, c), line in zip(edges, bom, strict=True):
        matrix[c, p] = line.qty_per

    demand = np.zeros((n_items, n_days))
    cells = rng.choice(n_end * n_days, size=n_demand_rows, replace=False)
    means = rng.lognormal(np.log(20), 0.8, n_end)
    rows, cols = np.divmod(cells, n_days)
    demand[rows, cols] = 1 + rng.poisson(means[rows])

    n_centers = 10
    make = np.flatnonzero(level < 3)
    center = np.full(n_items, -1)
    center[make] = rng.integers(0, n_centers, len(make))
    run_time = np.zeros(n_items)
    run_time[make] = np.round(rng.uniform(0.1, 2.0, len(make)), 2)
    total = np.linalg.solve(np.eye(n_items) - matrix, demand.sum(axis=1))
    load = np.bincount(center[make], weights=run_time[make] * total[make], minlength=n_centers)
    work_centers = tuple(
        WorkCenter(
            f"WC{w + 1:02d}",
            capacity=float(max(480, 60 * math.ceil(load[w] / n_days / 0.75 / 60))),
            overtime_capacity=240.0,
            overtime_cost=float(round(rng.uniform(0.8, 2.0), 2)),
        )
        for w in range(n_centers)
    )
    per_day = total / n_days
    rules = list(LotRule)
    items = []
    for i, code in enumerate(codes):
        rule = rules[int(rng.integers(len(rules)))]
        lot_size = None
        if rule is LotRule.POQ:
            lot_size = float(rng.integers(2, 8))
        elif rule is LotRule.FOQ:
            lot_size = float(max(1, round(5 * per_day[i])))
        made = level[i] < 3
        items.append(
            Item(
                code,
                kind=ItemKind.MAKE if made else ItemKind.BUY,
                work_center=f"WC{center[i] + 1:02d}" if made else None,
                run_time=float(run_time[i]),
                setup_time=float(5 * rng.integers(2, 19)) if made else 0.0,
                setup_cost=float(5 * rng.integers(4, 41)),
                unit_cost=float(round(rng.lognormal(np.log(5 * (4 - level[i])), 0.5), 2)),
                lead_time=int(rng.integers(0, 4) if made else rng.integers(2, 11)),
                on_hand=float(round(rng.uniform(0, 5) * per_day[i])),
                safety_stock=float(round(per_day[i])) if rng.random() < 0.3 else 0.0,
                lot_rule=rule,
                lot_size=lot_size,
                container_qty=float(rng.choice([1, 5, 10, 20, 50])),
            )
        )
    start = date(2026, 1, 5)
    days = tuple(start + timedelta(weeks=t // 5, days=t % 5) for t in range(n_days))
    return Problem(
        items=tuple(items),
        days=days,
        demand=demand,
        work_centers=work_centers,
        bom=bom,
        settings=Settings(),
        name=f"large plant ({n_items} items, seed {seed})",
    )


def _large_bom_edges(
    rng: np.random.Generator,
    level: npt.NDArray[np.int64],
    first: npt.NDArray[np.int64],
    n_lines: int,
) -> list[tuple[int, int]]:
    """``n_lines`` distinct (parent, child) pairs, parents always on a higher level."""
    n_items = len(level)
    components = np.flatnonzero(level > 0)
    possible = sum(int(first[lv]) * int(first[lv + 1] - first[lv]) for lv in range(1, 4))
    if n_lines > possible:
        raise ValueError(f"{n_lines} BOM lines do not fit a {n_items}-item, 4-level plant")
    edges: set[tuple[int, int]] = set()
    ordered: list[tuple[int, int]] = []
    for child in rng.permutation(components)[:n_lines].tolist():
        lv = int(level[child])
        parent = int(rng.integers(first[lv - 1], first[lv]))
        edges.add((parent, child))
        ordered.append((parent, child))
    while len(ordered) < n_lines:
        child = int(components[rng.integers(len(components))])
        parent = int(rng.integers(0, first[level[child]]))
        if (parent, child) not in edges:
            edges.add((parent, child))
            ordered.append((parent, child))
    return ordered
