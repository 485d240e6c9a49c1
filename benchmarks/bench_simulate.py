"""How long a simulation study takes: per replication and strategy, in all, serial and parallel.

Run ``python benchmarks/bench_simulate.py [WORKBOOK] [--replications N]
[--serial-replications S] [--workers W] [--scheduler ADDRESS]`` (default:
the realistic example plant, 20 replications, 4 serial ones). It runs, in
the same process and with the same seed and uncertainty:

1. a serial study of ``S`` replications (``workers=1``), which gives each
   strategy's time to plan the forecast and its time per replication,
   undisturbed by other work;
2. the full study of ``N`` replications in parallel (worker processes, or
   the Dask cluster given), whose total is measured against the target of
   10 minutes for 20 replications of the example plant.

The serial-to-parallel ratio compares the replication stage of both runs
(after the plans of the forecast are made) per replication: the speed-up
the workers give. This is a measurement, not a test: it never fails on
timing.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from measure import format_table

from models import Problem
from planner.parallel import available_cpus
from planner.simulation.engine import SimulationOptions
from planner.simulation.reality import Uncertainty
from planner.simulation.study import SimulationStudy, run_study
from planner.workbook.reader import load_workbook

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "example_plant.xlsx"
TARGET_SECONDS = 600.0
UNCERTAINTY = Uncertainty(
    demand_cv=0.2,
    supplier_late_probability=0.1,
    supplier_late_days=3,
    downtime_probability=0.02,
    downtime_share=0.5,
)
SEED = 2026
STRATEGIES = ["mrp", "batch", "heijunka"]


class Timed:
    """A study's wall time, split at the moment the plans of the forecast are done."""

    def __init__(self, strategies: int) -> None:
        self.strategies = strategies
        self.started = time.perf_counter()
        self.planned = self.started

    def progress(self, done: int, total: int) -> None:
        if done == self.strategies:
            self.planned = time.perf_counter()
        print(f"\r  {done}/{total} tasks", end="", flush=True)

    def replication_stage(self, finished: float) -> float:
        return finished - self.planned


def study(
    problem: Problem, replications: int, workers: int | None, scheduler: str | None = None
) -> tuple[SimulationStudy, float]:
    """Run one study; return it and the wall seconds of its replication stage."""
    timer = Timed(len(STRATEGIES))
    result = run_study(
        problem,
        STRATEGIES,
        UNCERTAINTY,
        SimulationOptions(),
        replications,
        SEED,
        workers=workers,
        scheduler=scheduler,
        on_progress=timer.progress,
    )
    stage = timer.replication_stage(time.perf_counter())
    print()
    return result, stage


def main() -> None:
    """Run both studies and print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("workbook", nargs="?", type=Path, default=EXAMPLE)
    parser.add_argument("--replications", type=int, default=20)
    parser.add_argument("--serial-replications", type=int, default=4)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--scheduler", default=None)
    args = parser.parse_args()
    problem = load_workbook(args.workbook)
    print(f"{problem}; {available_cpus()} CPU(s); uncertainty {UNCERTAINTY}")

    print(f"serial: {args.serial_replications} replication(s), workers=1")
    serial, serial_stage = study(problem, args.serial_replications, workers=1)
    where = args.scheduler or f"{args.workers or available_cpus()} worker process(es)"
    print(f"parallel: {args.replications} replication(s) on {where}")
    workers = None if args.scheduler else args.workers
    parallel, parallel_stage = study(problem, args.replications, workers, args.scheduler)

    rows = []
    for name in serial.strategies:
        planned = serial.deterministic[name].seconds
        seconds = [o.seconds for o in serial.outcomes if o.strategy == name and o.ok]
        replans = [o.replans for o in serial.outcomes if o.strategy == name and o.ok]
        broken = [
            o.kpis.get("violations", 0)
            for o in (*serial.outcomes, *parallel.outcomes)
            if o.strategy == name and o.ok
        ]
        rows.append(
            [
                name,
                f"{planned:.1f}",
                f"{statistics.median(seconds):.1f}" if seconds else "-",
                f"{min(seconds):.1f}-{max(seconds):.1f}" if seconds else "-",
                f"{statistics.mean(replans):.1f}" if replans else "-",
                str(max(broken, default=0)),
            ]
        )
    print()
    header = ["strategy", "plan s", "s / replication", "range", "replans", "max violations"]
    print(format_table(header, rows))
    serial_rate = serial_stage / args.serial_replications
    parallel_rate = parallel_stage / args.replications
    failed = len(serial.failures()) + len(parallel.failures())
    print()
    runs = [
        ["serial", args.serial_replications, serial.seconds, serial_stage, serial_rate],
        ["parallel", args.replications, parallel.seconds, parallel_stage, parallel_rate],
    ]
    header = ["run", "replications", "total s", "replication stage s", "s / replication"]
    print(
        format_table(header, [[run, str(n), *(f"{v:.1f}" for v in rest)] for run, n, *rest in runs])
    )
    verdict = "met" if parallel.seconds <= TARGET_SECONDS else "MISSED"
    print(
        f"\nserial / parallel time per replication: {serial_rate / parallel_rate:.2f}x; "
        f"{args.replications} replications in {parallel.seconds:.0f} s against a target of "
        f"{TARGET_SECONDS:.0f} s: {verdict}; {failed} failed task(s)"
    )


if __name__ == "__main__":
    main()
