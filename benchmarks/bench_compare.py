"""Where the time of one ``planner compare`` goes, stage by stage.

Run ``python benchmarks/bench_compare.py [WORKBOOK] [--time-limit S]``
(default: the realistic example plant with its own Settings). It times, in
this process: reading and validating the workbook, each strategy's planning,
its evaluation and pegging, writing the output workbook and writing the
summary JSON, then the total, against the 60 s target for the example plant
with default settings.

This is a measurement, not a test: it never fails on timing.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from measure import format_table

from planner.comparison import STRATEGIES, RunOptions
from planner.evaluation import evaluate
from planner.evaluation.pegging import peg
from planner.report.results_workbook import write_results_workbook
from planner.report.summary_json import write_summary_json
from planner.results import Comparison, StrategyResult
from planner.workbook.reader import load_workbook

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "example_plant.xlsx"
TARGET_SECONDS = 60.0


def main() -> None:
    """Time each stage and print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("workbook", nargs="?", type=Path, default=EXAMPLE)
    parser.add_argument("--time-limit", type=float, default=None)
    args = parser.parse_args()
    rows: list[list[str]] = []
    started = time.perf_counter()

    def stage(name: str, since: float) -> float:
        now = time.perf_counter()
        rows.append([name, f"{now - since:.2f}"])
        print(*rows[-1], flush=True)
        return now

    problem = load_workbook(args.workbook)
    mark = stage("read and validate", started)
    run = RunOptions(time_limit=args.time_limit)
    results = {}
    for name, strategy in STRATEGIES.items():
        plan = strategy.plan_problem(problem, run)
        mark = stage(f"plan {name}", mark)
        results[name] = StrategyResult(plan, evaluate(problem, plan), peg(problem, plan))
        mark = stage(f"evaluate and peg {name}", mark)
    comparison = Comparison(problem, results)
    with tempfile.TemporaryDirectory() as folder:
        write_results_workbook(comparison, Path(folder) / "plan.xlsx")
        mark = stage("write workbook", mark)
        write_summary_json(comparison, Path(folder) / "summary.json")
        mark = stage("write JSON", mark)
    total = time.perf_counter() - started
    rows.append(["total", f"{total:.2f}"])
    print()
    print(format_table(["stage", "seconds"], rows))
    print(f"\ntotal {total:.1f} s against a target of {TARGET_SECONDS:.0f} s")


if __name__ == "__main__":
    main()
