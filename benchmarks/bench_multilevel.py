"""The batch strategy on generated multi-level plants: gap to the best known plan and to its bound.

Run ``python benchmarks/bench_multilevel.py [--time-limits 30 60]
[--instances NAME ...]``. Each instance of
``planner.instances.multilevel.MULTILEVEL_SET`` (10-40 items, 3-5 BOM
levels, 16-24 days, assembly and general BOMs, loose and tight capacity,
setup times; fixed seeds) is planned by ``plan_batch`` with each time
limit, as ``planner compare`` plans it with Settings ``deterministic`` = no
and that ``time_limit``; the evaluator prices the plan. Printed per
instance and limit: the plan's cost, its gap to the best known plan of
``multilevel_reference.json``, its own proved bound and gap to it, and the
reference's bound; then the mean and worst gaps.

``--reference SECONDS`` instead solves every instance once with that time
limit (the whole model in the echelon formulation for 90 % of it, from the
capacity-repaired MRP plan, then fix-and-optimize; one thread, no gap
tolerance; with ``--search``, the default search instead, whose
fix-and-optimize finds better plans on the larger instances) and writes
the best known plans' costs with their proved bounds and the seconds taken
to ``multilevel_reference.json``, keeping an earlier, better value. A
measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from measure import format_table

from models.batch import BatchOptions, plan_batch
from models.problem import Problem
from planner.evaluation import evaluate
from planner.instances.multilevel import MULTILEVEL_SET, MultilevelSpec, multilevel_plant

REFERENCE = Path(__file__).resolve().parent / "multilevel_reference.json"


def plan(problem: Problem, options: BatchOptions) -> tuple[float, float | None, float]:
    """Plan with ``options``; the evaluated cost, the proved bound and the seconds."""
    started = time.perf_counter()
    result = plan_batch(problem, options)
    seconds = time.perf_counter() - started
    return float(evaluate(problem, result).kpis["total_cost"]), result.bound, seconds


def reference(specs: list[MultilevelSpec], seconds: float, search: bool) -> None:
    """Solve each instance long and record the best known plan and bound."""
    for spec in specs:
        problem = multilevel_plant(spec)
        whole_model = {} if search else {"formulation": "echelon", "full_share": 0.9}
        options = BatchOptions.from_settings(
            problem.settings, time_limit=seconds, threads=1, mip_gap=0.0, **whole_model
        )
        cost, bound, took = plan(problem, options)
        known = json.loads(REFERENCE.read_text()) if REFERENCE.exists() else {}
        entry = known.get(spec.name, {})
        if not entry or cost < entry["best_known"] - 1e-6:
            entry |= {"best_known": round(cost, 4), "found_in_seconds": round(took, 1)}
        if bound is not None and bound > entry.get("bound", float("-inf")):
            entry |= {"bound": round(bound, 4), "bound_time_limit": seconds}
        entry["proved"] = entry.get("bound", float("-inf")) >= entry["best_known"] - 1e-6 * max(
            1.0, entry["best_known"]
        )
        known[spec.name] = entry
        print(spec.name, entry, flush=True)
        REFERENCE.write_text(json.dumps(dict(sorted(known.items())), indent=2) + "\n")


def measure(specs: list[MultilevelSpec], limits: list[float]) -> str:
    """The table of gaps at each time limit."""
    known = json.loads(REFERENCE.read_text())
    rows, to_best, to_bound = [], {lim: [] for lim in limits}, {lim: [] for lim in limits}
    for spec in specs:
        problem = multilevel_plant(spec)
        best = known[spec.name]["best_known"]
        for limit in limits:
            options = BatchOptions.from_settings(problem.settings, time_limit=limit)
            cost, bound, took = plan(problem, options)
            gap = (cost - best) / best
            proved = None if bound is None else max(0.0, cost - bound) / cost
            to_best[limit].append(gap)
            if proved is not None:
                to_bound[limit].append(proved)
            rows.append(
                [
                    spec.name,
                    f"{limit:g}",
                    f"{cost:,.0f}",
                    f"{best:,.0f}",
                    f"{gap:+.2%}",
                    "-" if bound is None else f"{bound:,.0f}",
                    "-" if proved is None else f"{proved:.1%}",
                    f"{known[spec.name].get('bound', float('nan')):,.0f}",
                    f"{took:.1f}",
                ]
            )
            print(*rows[-1], flush=True)
    for limit in limits:
        rows.append(
            [
                "mean (worst)",
                f"{limit:g}",
                "",
                "",
                f"{statistics.mean(to_best[limit]):+.2%} ({max(to_best[limit]):+.2%})",
                "",
                f"{statistics.mean(to_bound[limit]):.1%} ({max(to_bound[limit]):.1%})"
                if to_bound[limit]
                else "-",
                "",
                "",
            ]
        )
    header = [
        "instance",
        "time limit",
        "cost",
        "best known",
        "gap to best",
        "own bound",
        "proved gap",
        "reference bound",
        "seconds",
    ]
    return format_table(header, rows)


def main() -> None:
    """Measure, or record the reference values."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--time-limits", nargs="*", type=float, default=[30.0, 60.0])
    parser.add_argument("--instances", nargs="*", default=None)
    parser.add_argument("--reference", type=float, default=None, metavar="SECONDS")
    parser.add_argument(
        "--search",
        action="store_true",
        help="with --reference: the default search (whole model, then fix-and-optimize)",
    )
    args = parser.parse_args()
    specs = [s for s in MULTILEVEL_SET if args.instances is None or s.name in args.instances]
    if args.reference is not None:
        reference(specs, args.reference, args.search)
    else:
        print(measure(specs, args.time_limits))


if __name__ == "__main__":
    main()
