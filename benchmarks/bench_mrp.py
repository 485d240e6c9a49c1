"""How fast, and in how much memory, classic MRP plans the large plant.

Run ``python benchmarks/bench_mrp.py``. Each measurement runs in a fresh
Python process that builds the large synthetic plant (1,300 items, 2,200
BOM lines, 120 working days, 36,000 demand entries) and then times one
step:

- ``plan_mrp``: the full MRP run (explosion with every item's lot rule, then
  the pass that starts orders only as far as components are in stock);
- ``plan_mrp, all LFL``: the same plant with every item lot-for-lot and no
  minimum lots or multiples, the cheapest possible explosion: the baseline;
- ``evaluate``: the evaluator on the MRP plan, for scale.

Peak memory is the whole process's (plant included). This is a
measurement, not a test: it never fails on timing.
"""

from __future__ import annotations

import argparse
import statistics

from measure import format_table, run_child, summary_row

TARGET_SECONDS = 2.0
TARGET_MIB = 1024.0

SETUP = """
import sys, time
from planner.instances import large_plant
from models.mrp import plan_mrp
from planner.evaluation import evaluate
problem = large_plant(n_items=1300, n_bom_lines=2200, n_days=120, n_demand_rows=36000)
"""

FULL = (
    SETUP
    + """
started = time.perf_counter()
plan = plan_mrp(problem)
print(time.perf_counter() - started, int((plan.starts > 0).sum()))
"""
)

ALL_LFL = (
    SETUP
    + """
problem = problem.replace_items(lot_rule="LFL", lot_size=None, min_lot=0, lot_multiple=0)
started = time.perf_counter()
plan = plan_mrp(problem)
print(time.perf_counter() - started, int((plan.starts > 0).sum()))
"""
)

EVALUATE = (
    SETUP
    + """
plan = plan_mrp(problem)
started = time.perf_counter()
evaluation = evaluate(problem, plan)
print(time.perf_counter() - started, len(evaluation.violations))
"""
)


def main() -> None:
    """Run the measurements and print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per step (default 3)")
    args = parser.parse_args()
    full = [run_child(FULL, None) for _ in range(args.repeat)]
    lfl = [run_child(ALL_LFL, None) for _ in range(args.repeat)]
    judged = [run_child(EVALUATE, None) for _ in range(args.repeat)]
    seconds = statistics.median(r.seconds for r in full)
    peak = max(r.peak_mib for r in full)
    verdict = (
        f"time {'ok' if seconds <= TARGET_SECONDS else 'OVER TARGET'}, "
        f"memory {'ok' if peak <= TARGET_MIB else 'OVER TARGET'}"
    )
    target = f"{TARGET_SECONDS:g} s, {TARGET_MIB:.0f} MiB"
    header = ["step", "runs", "median s", "range s", "process s", "peak MiB", "target", "verdict"]
    rows = [
        summary_row("plan_mrp", full, target, verdict),
        summary_row("plan_mrp, all LFL", lfl, "baseline", ""),
        summary_row("evaluate", judged, "", ""),
    ]
    print(format_table(header, rows))
    ratio = seconds / statistics.median(r.seconds for r in lfl)
    print(f"\nplan_mrp / all-LFL plan_mrp: {ratio:.2f} x")


if __name__ == "__main__":
    main()
