"""Is pull designed as well as batch? The heijunka design against its targets, front door.

Run ``python benchmarks/bench_pull.py [--plants plant lean] [--tables cycles
targets setups] [--time-limit 60]``. Every figure comes from
``planner.compare`` on a workbook of ``data/`` (the front door a planner
uses), priced by the evaluator, with the workbook's Settings (deterministic:
work limits, the time limit a cap):

1. **cycles**: the heijunka plan as designed (Settings ``epei_days`` = 0)
   against every fixed common cycle ``epei_days`` = 1 .. 10; the design
   should cost at most 1.005 x the cheapest of them. The load CV and the
   average inventory value of each show what levelness and stock cost.
2. **targets**: mrp, batch and heijunka on the plant, and the
   capacity-repaired MRP plan (``repair_capacity``): costs and their
   ratios, fill rate, violations, load levelness (``load_cv``, and the same
   over the horizon's first 80 % of days) and average inventory value.
3. **setups**: every item's setup time x 1, 0.5, 0.25 and 0.1 (a SMED
   programme); pull's cost should not rise as setups shrink.

Plants: ``plant`` is ``data/example_plant.xlsx`` (the realistic plant),
``lean`` is ``data/example_lean.xlsx`` (the lean-friendly home turf). This
is a measurement, not a test: it prints tables and never fails.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

import numpy as np
from measure import format_table

from models.mrp import plan_mrp
from models.problem import Problem
from models.requirements.repair import repair_capacity
from planner import RunOptions, compare, load_workbook
from planner.evaluation import evaluate
from planner.evaluation.types import load_cv

DATA = Path(__file__).resolve().parents[1] / "data"
PLANTS = {"plant": DATA / "example_plant.xlsx", "lean": DATA / "example_lean.xlsx"}

EARLY_SHARE = 0.8
"""The share of the horizon's first days whose load CV the targets table also shows: a plan
that runs its stock down at the horizon's end loads its last days less."""


def with_settings(problem: Problem, **changes: object) -> Problem:
    """The plant with some Settings changed."""
    return problem.replace(settings=dataclasses.replace(problem.settings, **changes))


def heijunka(problem: Problem, run: RunOptions) -> dict[str, float]:
    """The heijunka plan's KPIs, and its seconds, through ``planner.compare``."""
    started = time.perf_counter()
    result = compare(problem, "heijunka", run=run).results["heijunka"]
    kpis = dict(result.evaluation.kpis)
    kpis["seconds"] = time.perf_counter() - started
    return kpis


def cycles_table(name: str, problem: Problem, run: RunOptions) -> str:
    """The design against every common cycle of 1 to 10 days."""
    rows = []
    designed = heijunka(problem, run)
    fixed = {}
    for days in range(1, 11):
        fixed[days] = heijunka(with_settings(problem, epei_days=days), run)
        kpis = fixed[days]
        rows.append(_cycle_row(f"epei_days {days}", kpis))
        print(*rows[-1], flush=True)
    cheapest = min(kpis["total_cost"] for kpis in fixed.values())
    rows.append(_cycle_row("designed", designed))
    ratio = f"{designed['total_cost'] / cheapest:.3f}"
    rows.append(["designed / cheapest fixed", ratio, "", "", "", ""])
    header = ["heijunka on " + name, "total cost", "fill", "load CV", "avg inventory", "seconds"]
    return format_table(header, rows)


def _cycle_row(label: str, kpis: dict[str, float]) -> list[str]:
    return [
        label,
        f"{kpis['total_cost']:,.0f}",
        f"{kpis['fill_rate']:.1%}",
        f"{kpis['load_cv']:.3f}",
        f"{kpis['avg_inventory_value']:,.0f}",
        f"{kpis['seconds']:.1f}",
    ]


def targets_table(name: str, problem: Problem, run: RunOptions) -> str:
    """The three strategies and the capacity-repaired MRP plan on one plant."""
    comparison = compare(problem, "mrp,batch,heijunka", run=run)
    evaluations = {strategy: r.evaluation for strategy, r in comparison.results.items()}
    repaired = evaluate(problem, repair_capacity(problem, plan_mrp(problem)))
    evaluations["mrp, capacity-repaired"] = repaired
    kpis = {strategy: evaluation.kpis for strategy, evaluation in evaluations.items()}
    early = round(problem.n_days * EARLY_SHARE)
    early_cv = {
        strategy: float(np.nanmean(load_cv(e.load[:, :early], problem.capacity[:, :early])))
        for strategy, e in evaluations.items()
    }
    pull = kpis["heijunka"]
    rows = [
        [
            strategy,
            f"{k['total_cost']:,.0f}",
            f"{pull['total_cost'] / k['total_cost']:.3f}",
            f"{k['fill_rate']:.1%}",
            str(k["violations"]),
            f"{k['load_cv']:.3f}",
            f"{early_cv[strategy]:.3f}",
            f"{k['avg_inventory_value']:,.0f}",
            f"{k['setups']:,.0f}",
        ]
        for strategy, k in kpis.items()
    ]
    header = [
        name,
        "total cost",
        "heijunka / this",
        "fill",
        "violations",
        "load CV",
        f"load CV, first {EARLY_SHARE:.0%} of days",
        "avg inventory value",
        "setups",
    ]
    return format_table(header, rows)


def setups_table(name: str, problem: Problem, run: RunOptions) -> str:
    """Pull's cost as every setup time shrinks."""
    rows = []
    for factor in (1.0, 0.5, 0.25, 0.1):
        items = tuple(
            dataclasses.replace(item, setup_time=item.setup_time * factor) for item in problem.items
        )
        kpis = heijunka(problem.replace(items=items), run)
        rows.append(
            [
                f"x {factor:g}",
                f"{kpis['total_cost']:,.0f}",
                f"{kpis['setups']:,.0f}",
                f"{kpis['fill_rate']:.1%}",
                f"{kpis['seconds']:.1f}",
            ]
        )
        print(*rows[-1], flush=True)
    header = [f"{name}: setup time", "heijunka cost", "setups", "fill", "seconds"]
    return format_table(header, rows)


TABLES = {"cycles": cycles_table, "targets": targets_table, "setups": setups_table}


def main() -> None:
    """Print the chosen tables for the chosen plants."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--plants", nargs="*", choices=list(PLANTS), default=list(PLANTS))
    parser.add_argument("--tables", nargs="*", choices=list(TABLES), default=list(TABLES))
    parser.add_argument("--time-limit", type=float, default=None)
    args = parser.parse_args()
    run = RunOptions(time_limit=args.time_limit)
    for name in args.plants:
        problem = load_workbook(PLANTS[name])
        for table in args.tables:
            print()
            print(TABLES[table](name, problem, run))


if __name__ == "__main__":
    main()
