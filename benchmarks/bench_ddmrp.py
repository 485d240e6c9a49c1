"""DDMRP against MRP and pull under uncertainty, and its time per replication on a large plant.

Run ``python benchmarks/bench_ddmrp.py [--replications N] [--large-items I]``.
It measures, with the uncertainty of ``bench_simulate.py`` (demand CV 0.2,
10 % of purchase orders up to 3 days late, 2 % breakdowns of half a day):

1. through the front door, ``planner simulate`` on the realistic example
   plant with ``mrp``, ``heijunka`` and ``ddmrp`` (``N`` = 20 replications):
   each strategy's mean fill rate, average inventory value and total cost
   with their 95 % confidence intervals (read from the command's JSON);
2. through the inner function, one replication of ``ddmrp`` on the
   synthetic 1,300-item plant (:func:`planner.instances.large_plant`): the
   seconds to plan the forecast and to play the replication, against the
   target of 60 s per replication.

A measurement, not a test: it never fails on time.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from bench_simulate import SEED, UNCERTAINTY
from measure import format_table, run_command

from planner.instances import large_plant
from planner.simulation.engine import SimulationOptions
from planner.simulation.study import run_study

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "example_plant.xlsx"
STRATEGIES = ("mrp", "heijunka", "ddmrp")
KPIS = (
    ("fill_rate", "fill rate", "{:.1%}"),
    ("avg_inventory_value", "avg inventory", "{:,.0f}"),
    ("total_cost", "total cost", "{:,.0f}"),
)
TARGET_SECONDS = 60.0


def front_door(replications: int, folder: Path) -> dict[str, dict[str, dict[str, float]]]:
    """``planner simulate`` on the example plant; its summary per strategy and KPI."""
    out = folder / "simulation.json"
    command = [
        sys.executable, "-m", "planner", "simulate", str(EXAMPLE),
        "--replications", str(replications), "--seed", str(SEED),
        "--strategies", ",".join(STRATEGIES), "--json", str(out), "--quiet",
        "--demand-cv", str(UNCERTAINTY.demand_cv),
        "--supplier-late-probability", str(UNCERTAINTY.supplier_late_probability),
        "--supplier-late-days", str(UNCERTAINTY.supplier_late_days),
        "--downtime-probability", str(UNCERTAINTY.downtime_probability),
        "--downtime-share", str(UNCERTAINTY.downtime_share),
    ]  # fmt: skip
    seconds, mib = run_command(command)
    print(f"planner simulate: {replications} replications in {seconds:.0f} s, {mib:,.0f} MiB")
    summary: dict[str, dict[str, dict[str, float]]] = json.loads(out.read_text())["summary"]
    return summary


def interval(statistics: dict[str, float], form: str) -> str:
    """``mean [low, high]`` of a KPI's summary."""
    low, high = statistics["ci_low"], statistics["ci_high"]
    return f"{form.format(statistics['mean'])} [{form.format(low)}, {form.format(high)}]"


def large_replication(items: int) -> tuple[float, float, float]:
    """Seconds to plan the forecast and to play one replication of ddmrp on a large plant."""
    problem = large_plant(n_items=items)
    started = time.perf_counter()
    study = run_study(problem, ["ddmrp"], UNCERTAINTY, SimulationOptions(), 1, SEED, workers=1)
    total = time.perf_counter() - started
    planned = study.deterministic["ddmrp"].seconds
    (outcome,) = [o for o in study.outcomes if o.strategy == "ddmrp"]
    return planned, outcome.seconds, total


def main() -> None:
    """Run both measurements and print their tables."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--replications", type=int, default=20)
    parser.add_argument("--large-items", type=int, default=1300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        summary = front_door(args.replications, Path(folder))
    rows = [
        [name, *(interval(summary[name][kpi], form) for kpi, _, form in KPIS)]
        for name in STRATEGIES
    ]
    header = ["strategy", *(label for _, label, _ in KPIS)]
    print(format_table(header, rows))
    print("mean [95 % confidence interval] over the replications")
    planned, replication, total = large_replication(args.large_items)
    verdict = "met" if replication <= TARGET_SECONDS else "MISSED"
    print()
    print(
        format_table(
            ["plant", "plan of the forecast s", "one replication s", "study s", "target"],
            [
                [
                    f"{args.large_items} items",
                    f"{planned:.1f}",
                    f"{replication:.1f}",
                    f"{total:.1f}",
                    f"{TARGET_SECONDS:.0f} s: {verdict}",
                ]
            ],
        )
    )


if __name__ == "__main__":
    main()
