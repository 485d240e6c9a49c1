"""A short description of a plant, for people and for programs."""

from __future__ import annotations

from typing import Any

import numpy as np

from models import ItemKind, Problem


def gross_requirements(problem: Problem) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Units of each item needed over the horizon to meet all external demand.

    The demand exploded through the BOM, ignoring inventory, receipts and
    lead times: ``r = d + A r``, so ``r = (I - A)^-1 d``.
    """
    return problem.explode(problem.demand.sum(axis=1))


def describe(problem: Problem) -> dict[str, Any]:
    """Summarise a plant: items by kind, BOM, horizon, work centers, demand and load.

    The ``rough_load`` of a work center is the run time of the gross
    requirements made on it, as a share of its regular capacity over the
    horizon (setups excluded): a first look at how tight the plant is.
    """
    kinds = [item.kind for item in problem.items]
    requirements = gross_requirements(problem)
    minutes = requirements * problem.run_time
    centers = []
    for w, center in enumerate(problem.work_centers):
        made_here = problem.item_work_center == w
        capacity = float(problem.capacity[w].sum())
        needed = float(minutes[made_here].sum())
        centers.append(
            {
                "work_center": center.code,
                "items": int(made_here.sum()),
                "capacity_minutes_per_day": center.capacity,
                "overtime_minutes_per_day": center.overtime_capacity,
                "rough_load": needed / capacity if capacity else None,
            }
        )
    demanded = problem.demand.sum(axis=1) > 0
    return {
        "name": problem.name,
        "items": {
            "total": problem.n_items,
            "make": kinds.count(ItemKind.MAKE),
            "buy": kinds.count(ItemKind.BUY),
            "with_demand": int(demanded.sum()),
        },
        "bom": {"lines": len(problem.bom), "levels": problem.bom_depth},
        "horizon": {
            "start": problem.days[0].isoformat(),
            "end": problem.days[-1].isoformat(),
            "calendar_days": (problem.days[-1] - problem.days[0]).days + 1,
            "working_days": problem.n_days,
        },
        "work_centers": centers,
        "demand": {
            "units": float(problem.demand.sum()),
            "entries": int(np.count_nonzero(problem.demand)),
        },
        "receipts": {"units": float(problem.receipts.sum())},
        "sequence_rules": len(problem.sequence_rules),
    }
