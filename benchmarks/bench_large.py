"""Large plants end to end, through the command a planner runs: seconds and peak memory.

Run ``python benchmarks/bench_large.py [--plants 1300,10000] [--all-strategies]
[--time-limit 60]``. For each plant the script writes the synthetic workbook
(:func:`planner.instances.large_plant` with fixed seeds: 1,300 items, 4 BOM
levels, 10 work centers, 120 working days; or 10,000 items, 5 levels, 50
work centers, 250 working days) to a temporary folder, then times, each in
a fresh process:

- ``planner --version`` (best of three);
- ``planner validate PLANT.xlsx``;
- ``planner compare PLANT.xlsx --strategies mrp --out plan.xlsx --json
  summary.json`` (the front door, output files included);
- as the baseline of the same run, the engine alone in one process: read
  the workbook, ``plan_mrp``, ``evaluate`` (no pegging, no output);
- with ``--all-strategies``, ``planner compare`` with every strategy and
  ``--time-limit`` seconds each, against the sum of the limits plus 30 s.

Printed: a table of wall seconds, peak resident memory and the targets of
``docs/benchmarks.md``. A measurement, not a test: it never fails on time.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from measure import format_table, run_child, run_command

PLANTS = {
    1300: {"n_items": 1300, "n_bom_lines": 2200, "n_days": 120, "n_demand_rows": 36000},
    10000: {
        "n_items": 10000,
        "n_bom_lines": 17000,
        "n_days": 250,
        "n_demand_rows": 425000,
        "n_levels": 5,
        "n_centers": 50,
    },
}
TARGETS = {
    1300: {"validate": 5.0, "mrp": 20.0},
    10000: {"validate": 20.0, "mrp": 120.0},
}
MEMORY_TARGET_MIB = 8 * 1024
LABELS = {"validate": "planner validate", "mrp": "planner compare --strategies mrp"}

WRITE = """
import sys, time
from planner.instances import large_plant
from planner.workbook.writer import write_input_workbook
started = time.perf_counter()
problem = large_plant(**{sizes})
write_input_workbook(problem, sys.argv[1])
print(time.perf_counter() - started)
"""

ENGINE = """
import sys, time
started = time.perf_counter()
from planner.workbook.reader import load_workbook
from models.mrp import plan_mrp
from planner.evaluation import evaluate
problem = load_workbook(sys.argv[1])
evaluate(problem, plan_mrp(problem))
print(time.perf_counter() - started)
"""


def planner(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "planner", *arguments]


def main() -> None:
    """Write each plant's workbook, time the commands and print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--plants", default="1300,10000", help="plant sizes (1300, 10000)")
    parser.add_argument("--all-strategies", action="store_true", help="also compare all three")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per strategy")
    args = parser.parse_args()
    header = ["plant", "step", "seconds", "peak MiB", "target", "verdict"]
    rows: list[list[str]] = []
    for size in (int(text) for text in args.plants.split(",")):
        with tempfile.TemporaryDirectory() as folder:
            work = Path(folder)
            plant = work / "plant.xlsx"
            written = run_child(WRITE.replace("{sizes}", repr(PLANTS[size])), plant)
            print(f"{size}-item plant: workbook written in {written.seconds:.1f} s", flush=True)
            version = min(run_command(planner("--version"))[0] for _ in range(3))
            rows.append([str(size), "planner --version", f"{version:.2f}", "", "0.5 s", ""])
            steps = {
                "validate": planner("validate", str(plant)),
                "mrp": planner(
                    "compare",
                    str(plant),
                    "--strategies",
                    "mrp",
                    "--out",
                    "plan.xlsx",
                    "--json",
                    "summary.json",
                ),
            }
            limits = TARGETS[size]
            measured: dict[str, float] = {}
            for step, command in steps.items():
                seconds, peak = run_command(command, cwd=work)
                measured[step] = seconds
                fits = seconds <= limits[step] and peak <= MEMORY_TARGET_MIB
                label = LABELS[step]
                target = f"{limits[step]:g} s, 8 GiB"
                rows.append(
                    [
                        str(size),
                        label,
                        f"{seconds:.1f}",
                        f"{peak:.0f}",
                        target,
                        "ok" if fits else "OVER TARGET",
                    ]
                )
                print(f"  {label}: {seconds:.1f} s", flush=True)
            engine = run_child(ENGINE, plant)
            rows.append(
                [
                    str(size),
                    "baseline: read, plan_mrp, evaluate",
                    f"{engine.seconds:.1f}",
                    f"{engine.peak_mib:.0f}",
                    "",
                    "",
                ]
            )
            ratio = measured["mrp"] / engine.seconds
            print(f"  front door / engine: {ratio:.2f} x", flush=True)
            if args.all_strategies:
                limit = args.time_limit
                command = planner(
                    "compare",
                    str(plant),
                    "--time-limit",
                    f"{limit:g}",
                    "--out",
                    "all.xlsx",
                    "--json",
                    "all.json",
                )
                seconds, peak = run_command(command, cwd=work)
                target = 3 * limit + 30
                rows.append(
                    [
                        str(size),
                        "planner compare (all three)",
                        f"{seconds:.1f}",
                        f"{peak:.0f}",
                        f"{target:g} s",
                        "ok" if seconds <= target else "OVER TARGET",
                    ]
                )
                print(f"  all three: {seconds:.1f} s", flush=True)
    print()
    print(format_table(header, rows))


if __name__ == "__main__":
    main()
