"""Generated multi-level lot-sizing instances: the batch model's benchmark on BOMs.

Built in the spirit of the multi-level test sets of Tempelmeier & Derstroff
(1996), *A Lagrangean-based heuristic for dynamic multilevel multiitem
constrained lotsizing with setup times*, Management Science 42(5):738-757,
and Stadtler & Sahling (2013): every item is made, in levels; end items
have external demand, components only the dependent demand of the items
above them. ``assembly`` BOMs give each component one parent, ``general``
BOMs one to three. Each level is made on its own work center with setup
times, whose regular capacity is the average load over the target
``utilisation`` and has no overtime. Holding costs rise up the BOM (each
item's is its components' plus a value added), every item has a lead time
of one day and demand starts once the whole BOM can be made in time.
Quantities are continuous (Items ``whole_units`` = no), as in the
literature. The same seed always gives the same plant.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models import BomLine, Calendar, Item, Problem, Settings, WorkCenter
from planner.instances.trigeiro import weekdays

BACKLOG_PER_HOLDING = 20.0
"""An end item's backlog cost per unit-day, in multiples of its holding cost."""


@dataclass(frozen=True)
class MultilevelSpec:
    """The parameters of one generated instance (its name says them)."""

    seed: int
    n_items: int
    levels: int
    n_days: int
    structure: str
    utilisation: float

    @property
    def name(self) -> str:
        """E.g. ``ml-a20x4-t18-u85-s3``: assembly, 20 items, 4 levels, 18 days, 85 %, seed 3."""
        kind = {"assembly": "a", "general": "g"}[self.structure]
        return (
            f"ml-{kind}{self.n_items}x{self.levels}-t{self.n_days}"
            f"-u{round(100 * self.utilisation)}-s{self.seed}"
        )


MULTILEVEL_SET = tuple(
    MultilevelSpec(seed, n_items, levels, n_days, structure, utilisation)
    for seed, (n_items, levels, n_days, structure, utilisation) in enumerate(
        [
            (10, 3, 16, "assembly", 0.6),
            (10, 3, 16, "general", 0.85),
            (15, 4, 16, "assembly", 0.85),
            (15, 4, 20, "general", 0.6),
            (20, 4, 20, "assembly", 0.6),
            (20, 5, 20, "general", 0.85),
            (30, 4, 24, "assembly", 0.85),
            (30, 5, 24, "general", 0.6),
            (40, 5, 24, "assembly", 0.6),
            (40, 5, 24, "general", 0.85),
        ],
        start=1,
    )
)
"""The benchmark's instances: 10-40 items, 3-5 levels, 16-24 days, loose and tight capacity."""


def multilevel_plant(spec: MultilevelSpec) -> Problem:
    """The instance of ``spec`` (always the same plant for the same spec)."""
    if spec.structure not in ("assembly", "general"):
        raise ValueError(f"structure must be 'assembly' or 'general', got {spec.structure!r}")
    if not 1 < spec.levels <= spec.n_items:
        raise ValueError(f"levels must be between 2 and n_items, got {spec.levels}")
    rng = np.random.default_rng(spec.seed)
    level = _levels(rng, spec.n_items, spec.levels)
    codes = [f"L{level[i]}-{i + 1:02d}" for i in range(spec.n_items)]
    lines = _bom(rng, level, spec.structure)
    days = weekdays(spec.n_days)
    first_due = spec.levels
    mean = np.where(level == 0, rng.uniform(20, 100, spec.n_items), 0.0)
    demand = np.zeros((spec.n_items, spec.n_days))
    due = np.arange(first_due, spec.n_days)
    for i in np.flatnonzero(level == 0):
        quantity = np.round(mean[i] * rng.uniform(0.5, 1.5, due.size))
        quantity[rng.random(due.size) < 0.2] = 0.0
        demand[i, due] = quantity
    usage = demand[:, due].mean(axis=1)
    for parent, child, per in sorted(lines, key=lambda line: level[line[1]]):
        usage[child] += per * usage[parent]
    run_time = rng.uniform(0.5, 1.5, spec.n_items)
    holding = rng.uniform(0.02, 0.05, spec.n_items)
    for parent, child, per in sorted(lines, key=lambda line: -level[line[1]]):
        holding[parent] += per * holding[child]
    centers = []
    setup_time = np.zeros(spec.n_items)
    for lv in range(spec.levels):
        members = np.flatnonzero(level == lv)
        run_load = float(run_time[members] @ usage[members])
        setup_time[members] = np.round(rng.uniform(0.05, 0.15, members.size) * run_load, 1)
        setups_a_day = 0.5 * members.size
        capacity = run_load / spec.utilisation + float(setup_time[members].mean()) * setups_a_day
        centers.append(WorkCenter(f"W{lv}", round(capacity, 1), 0.0, 0.0))
    items = [
        Item(
            codes[i],
            work_center=f"W{level[i]}",
            run_time=round(float(run_time[i]), 2),
            setup_time=float(setup_time[i]),
            setup_cost=round(float(rng.uniform(50, 400)), 0),
            holding_cost=round(float(holding[i]), 4),
            backlog_cost=round(float(BACKLOG_PER_HOLDING * holding[i]), 4),
            lead_time=1,
            whole_units=False,
        )
        for i in range(spec.n_items)
    ]
    records = [
        (codes[i], days[t], float(demand[i, t]))
        for i in range(spec.n_items)
        for t in range(spec.n_days)
        if demand[i, t] > 0
    ]
    return Problem.from_records(
        items,
        records,
        bom=[BomLine(codes[p], codes[c], float(per)) for p, c, per in lines],
        work_centers=centers,
        calendar=Calendar(days[0], days[-1]),
        settings=Settings(mip_gap=0.0),
        name=spec.name,
    )


def _levels(rng: np.random.Generator, n_items: int, levels: int) -> np.ndarray:
    """Each item's level (0: end items), every level used, deeper levels a little wider."""
    weights = np.linspace(1.0, 1.5, levels)
    extra = rng.multinomial(n_items - levels, weights / weights.sum())
    return np.repeat(np.arange(levels), extra + 1)


def _bom(
    rng: np.random.Generator, level: np.ndarray, structure: str
) -> list[tuple[int, int, float]]:
    """``(parent, child, qty_per)`` lines: every component used by the level above."""
    lines = []
    for child in np.flatnonzero(level > 0).tolist():
        above = np.flatnonzero(level == level[child] - 1)
        count = 1 if structure == "assembly" else int(rng.integers(1, 4))
        for parent in rng.choice(above, size=min(count, above.size), replace=False).tolist():
            lines.append((parent, child, float(rng.choice([1.0, 1.0, 2.0]))))
    return lines
