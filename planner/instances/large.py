"""Large synthetic plants, for benchmarks: a given number of items, BOM levels and days.

:func:`large_plant` is deterministic (fixed seed): the 1,300-item plant of
the benchmarks and the 10,000-item, 5-level, 50-work-center plant of
``benchmarks/bench_large.py`` are generated, never committed as files.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from models.problem import BomLine, Item, ItemKind, LotRule, Problem, Settings, WorkCenter

__all__ = ["large_plant"]

FloatArray = npt.NDArray[np.float64]


def large_plant(
    n_items: int = 1300,
    n_bom_lines: int = 2200,
    n_days: int = 120,
    n_demand_rows: int = 36000,
    seed: int = 1,
    n_levels: int = 4,
    n_centers: int = 10,
) -> Problem:
    """A synthetic plant of a given size, for benchmarks.

    Items are spread over ``n_levels`` BOM levels: end items (``FG0001``,
    ...), levels of made components (``SA...``, ``CP...``, then ``C3...``,
    ``C4...`` below them) and purchased parts (``P...``). Each component has
    at least one parent one level up, the remaining BOM lines join random
    items of higher and lower levels. Demand falls on end items only, on
    most working days of each, and the work centers get capacities that the
    demand loads to about 75 %.

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
    n_levels
        BOM levels, end items and purchased parts included (at least 3).
    n_centers
        Work centers the made items are spread over.

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
    if n_levels < 3 or n_centers < 1:
        raise ValueError("large_plant needs at least 3 BOM levels and 1 work center")
    if n_items < n_levels or n_days < 1 or n_demand_rows < 0 or n_bom_lines < 0:
        raise ValueError(f"large_plant needs at least {n_levels} items, 1 day and no negative size")
    rng = np.random.default_rng(seed)
    n_end = min(n_items - n_levels + 1, max(1, math.ceil(n_demand_rows / (0.85 * n_days))))
    if n_end * n_days < n_demand_rows:
        raise ValueError(
            f"{n_demand_rows} demand cells do not fit in {n_end} end items x {n_days} days"
        )
    rest = n_items - n_end
    made = [max(1, round(0.6 * rest / (n_levels - 2)))] * (n_levels - 2)
    sizes = [n_end, *made, rest - sum(made)]
    prefixes = ["FG", "SA", "CP", *(f"C{lv}" for lv in range(3, n_levels - 1)), "P"][:n_levels]
    prefixes[-1] = "P"
    level = np.repeat(np.arange(n_levels), sizes)
    width = len(str(n_items))
    codes = [
        f"{prefixes[lv]}{k:0{width}d}" for lv, size in enumerate(sizes) for k in range(1, size + 1)
    ]
    first = np.concatenate([[0], np.cumsum(sizes)])

    edges = _large_bom_edges(rng, level, first, n_bom_lines)
    bom = tuple(
        BomLine(codes[p], codes[c], float(rng.choice([1, 1, 1, 2, 3, 4, 0.5]))) for p, c in edges
    )
    parents, children = (np.array(ends, dtype=np.int64) for ends in zip(*edges, strict=True))
    quantities = np.array([line.qty_per for line in bom])
    matrix = sp.csc_array((quantities, (children, parents)), shape=(n_items, n_items))

    demand = np.zeros((n_items, n_days))
    cells = rng.choice(n_end * n_days, size=n_demand_rows, replace=False)
    means = rng.lognormal(np.log(20), 0.8, n_end)
    rows, cols = np.divmod(cells, n_days)
    demand[rows, cols] = 1 + rng.poisson(means[rows])

    purchased = n_levels - 1
    make = np.flatnonzero(level < purchased)
    center = np.full(n_items, -1)
    center[make] = rng.integers(0, n_centers, len(make))
    run_time = np.zeros(n_items)
    run_time[make] = np.round(rng.uniform(0.1, 2.0, len(make)), 2)
    total = _exploded(matrix, demand.sum(axis=1))
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
        made = level[i] < purchased
        items.append(
            Item(
                code,
                kind=ItemKind.MAKE if made else ItemKind.BUY,
                work_center=f"WC{center[i] + 1:02d}" if made else None,
                run_time=float(run_time[i]),
                setup_time=float(5 * rng.integers(2, 19)) if made else 0.0,
                setup_cost=float(5 * rng.integers(4, 41)),
                unit_cost=float(round(rng.lognormal(np.log(5 * (n_levels - level[i])), 0.5), 2)),
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


def _exploded(usage: sp.csc_array, demand: FloatArray) -> FloatArray:
    """Units of each item in ``demand`` and in everything that uses it: ``(I - usage)^-1 demand``.

    Up to :data:`_DENSE_EXPLOSION` items by a dense solve, whose round-off the
    plants of earlier benchmark runs were made with, so they stay the same.
    """
    n = usage.shape[0]
    if n <= _DENSE_EXPLOSION:
        return np.asarray(np.linalg.solve(np.eye(n) - usage.toarray(), demand), dtype=float)
    return np.asarray(spla.spsolve(sp.identity(n, format="csc") - usage, demand), dtype=float)


_DENSE_EXPLOSION = 2000


def _large_bom_edges(
    rng: np.random.Generator,
    level: npt.NDArray[np.int64],
    first: npt.NDArray[np.int64],
    n_lines: int,
) -> list[tuple[int, int]]:
    """``n_lines`` distinct (parent, child) pairs, parents always on a higher level."""
    n_items = len(level)
    components = np.flatnonzero(level > 0)
    n_levels = len(first) - 1
    possible = sum(int(first[lv]) * int(first[lv + 1] - first[lv]) for lv in range(1, n_levels))
    if n_lines > possible:
        raise ValueError(f"{n_lines} BOM lines do not fit a {n_items}-item, {n_levels}-level plant")
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
