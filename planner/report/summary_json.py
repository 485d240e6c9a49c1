"""The summary JSON of a comparison: every strategy's KPIs, the horizon and the plant.

The document follows ``spec/workbook.md`` ("Summary JSON")::

    {"infeasible": {"mrp": {"overload": 3}},
     "strategies": {"mrp": {"feasible": false, "total_cost": ..., ...}, ...},
     "horizon": {"start": "2026-03-02", "end": "2026-03-27", "days": 19},
     "plant": {"name": ..., "items": ..., "work_centers": ..., "bom_lines": ...},
     "violations": {"mrp": {"overload": 3}, ...},
     "messages": {"mrp": {"warning": 2}, ...},
     "change_vs_mrp_percent": {"batch": {"total_cost": -12.5, ...}, ...}}

Each strategy object holds the KPIs of the Summary sheet, with the same
values: the evaluation's KPIs, every KPI of the contract present (``null``
when unknown, e.g. ``bound`` and ``gap`` without a solver). Numbers are
plain JSON numbers, never NaN or infinity (those become ``null``).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from planner.evaluation import ComparedPlans
from planner.report.files import json_ready, write_json_atomically
from planner.tables import BASELINE, infeasibility, kpi_changes, strategy_kpis

__all__ = ["summary", "write_summary_json"]


def summary(comparison: ComparedPlans) -> dict[str, Any]:
    """The summary of a comparison as a JSON-ready dictionary.

    Parameters
    ----------
    comparison
        The problem and the strategies' results.

    Returns
    -------
    dict
        Keys ``infeasible`` first (the plans that break a rule, each with
        its violations by kind: they never win a KPI row; empty when every
        plan is feasible), ``strategies`` (strategy name to its KPIs, in the
        comparison's order, ``feasible`` first), ``horizon`` (``start`` and
        ``end`` as ISO dates, ``days``, the number of working days),
        ``plant`` (its name and numbers of items, work centers and BOM
        lines), ``violations`` (per strategy,
        the number of violations of each kind) and ``messages`` (per
        strategy, the number of plan and evaluation messages of each level);
        when the comparison has ``mrp`` and another strategy,
        ``change_vs_mrp_percent`` (per other strategy, each numeric KPI's
        change against ``mrp`` in percent, see
        :func:`planner.tables.kpi_changes`); for pull plans, ``kanban``
        (per strategy: loops, cards and the supermarkets' design maximum in
        units) and ``levelling`` (per
        strategy: takt time and EPEI of each work center). Only plain Python
        values: ``json.dumps(..., allow_nan=False)`` accepts it.
    """
    problem = comparison.problem
    results = comparison.results
    document = {
        "infeasible": infeasibility(comparison),
        "strategies": {name: strategy_kpis(result) for name, result in results.items()},
        "horizon": {
            "start": problem.days[0].isoformat(),
            "end": problem.days[-1].isoformat(),
            "days": problem.n_days,
        },
        "plant": {
            "name": problem.name,
            "items": problem.n_items,
            "work_centers": len(problem.work_centers),
            "bom_lines": len(problem.bom),
        },
        "violations": {
            name: dict(Counter(v.kind for v in result.evaluation.violations))
            for name, result in results.items()
        },
        "messages": {
            name: dict(
                Counter(m.level for m in (*result.plan.messages, *result.evaluation.messages))
            )
            for name, result in results.items()
        },
    }
    changes = kpi_changes(comparison)
    if changes:
        document[f"change_vs_{BASELINE}_percent"] = changes
    pulls = {name: result.plan for name, result in results.items() if result.plan.kanban}
    if pulls:
        document["kanban"] = {
            name: {
                "loops": len(plan.kanban),
                "cards": sum(loop.cards for loop in plan.kanban),
                "max_inventory_units": sum(loop.max_inventory for loop in plan.kanban),
            }
            for name, plan in pulls.items()
        }
    levelled = {name: result.plan for name, result in results.items() if result.plan.levelling}
    if levelled:
        document["levelling"] = {
            name: {
                problem.work_centers[level.work_center].code: {
                    "takt_time": level.takt_time,
                    "epei_days": level.epei,
                }
                for level in plan.levelling
            }
            for name, plan in levelled.items()
        }
    return json_ready(document)  # type: ignore[no-any-return]


def write_summary_json(comparison: ComparedPlans, path: str | Path) -> None:
    """Write :func:`summary` as an indented UTF-8 JSON file.

    The file is written beside ``path`` under a temporary name, then renamed
    into place, so a reader never sees half a file.

    Parameters
    ----------
    comparison
        The problem and the strategies' results.
    path
        The ``.json`` file to create or replace.
    """
    write_json_atomically(path, summary(comparison))
