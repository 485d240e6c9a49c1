"""The batch strategy on the large plant: cost, proved bound, time and memory.

Run ``python benchmarks/bench_batch_large.py [--time-limit 300]``. Each
strategy runs in a fresh Python process that builds the large synthetic
plant (1,300 items, 2,200 BOM lines, 120 working days, 36,000 demand
entries) and plans it: the capacity-repaired MRP plan (the batch model's
warm start) and ``plan_batch`` with the given time limit. The evaluator
prices both plans. Printed per strategy: evaluated cost, the proved lower
bound and the plan's gap to it (of the model's objective, which adds the
safety-stock penalty to the cost), fill rate, violations, seconds of the
planning call (the limit includes building the model) and the process's
peak memory (plant included). A measurement, not a test.
"""

from __future__ import annotations

import argparse

from measure import format_table, run_child

SETUP = """
import sys, time
from planner.instances import large_plant
from planner.evaluation import evaluate
problem = large_plant(n_items=1300, n_bom_lines=2200, n_days=120, n_demand_rows=36000)
"""

REPAIRED = (
    SETUP
    + """
from models.requirements import repair_capacity
started = time.perf_counter()
plan = repair_capacity(problem)
seconds = time.perf_counter() - started
"""
)

BATCH = (
    SETUP
    + """
from models.batch import BatchOptions, plan_batch
started = time.perf_counter()
options = BatchOptions.from_settings(
    problem.settings, time_limit=float(sys.argv[1]), threads=int(sys.argv[2])
)
plan = plan_batch(problem, options)
seconds = time.perf_counter() - started
"""
)

REPORT = """
evaluation = evaluate(problem, plan)
cost = float(evaluation.kpis["total_cost"])
bound = plan.bound
print(seconds, cost, "nan" if bound is None else bound, evaluation.kpis["fill_rate"],
      len(evaluation.violations), plan.status, "nan" if plan.gap is None else plan.gap)
for message in plan.messages if plan.strategy == "batch" else ():
    print("#", message.text, file=sys.stderr)
"""


def main() -> None:
    """Plan the large plant both ways and print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--time-limit", type=float, default=300.0)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    rows = []
    for label, code in (("capacity-repaired MRP", REPAIRED), ("batch", BATCH)):
        run = run_child(
            code.replace("sys.argv[1]", repr(str(args.time_limit))).replace(
                "sys.argv[2]", repr(str(args.threads))
            )
            + REPORT,
            None,
        )
        seconds, cost, bound, fill, violations, status, gap = run.output.splitlines()[-1].split()[
            :7
        ]
        rows.append(
            [
                label,
                status,
                f"{float(cost):,.0f}",
                "-" if bound == "nan" else f"{float(bound):,.0f}",
                "-" if gap == "nan" else f"{float(gap):.1%}",
                f"{float(fill):.1%}",
                violations,
                f"{float(seconds):.1f}",
                f"{run.peak_mib:.0f}",
            ]
        )
        print("  ".join(rows[-1]), flush=True)
    header = ["plan", "status", "cost", "bound", "gap", "fill", "violations", "seconds", "peak MiB"]
    print()
    print(format_table(header, rows))


if __name__ == "__main__":
    main()
