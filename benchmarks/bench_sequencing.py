"""The mixed-model sequencer on the CSPLib car-sequencing instances and on random days.

Run ``python benchmarks/bench_sequencing.py [--sets classic100 sat200]
[--time-limit 60] [--limit N]``. Two tables:

1. For each instance of ``shared/benchmarks/csplib-car-sequencing`` (CSPLib
   problem 001, car sequencing, proposed by B. Smith; instances of Dincbas,
   Simonis and Van Hentenryck 1988, Régin and Puget 1997, best-known values
   of Gottlieb, Puchta and Solnon 2003), converted into a one-day plant
   (car classes as items, options as attributes, p/q as sequence rules, by
   :func:`planner.instances.car_sequencing_problem`) and sequenced by
   :func:`models.heijunka.sequence_mix`, the code that sequences the
   heijunka plan's days, with the time limit: violated windows, the
   best-known value of ``reference.csv``, the PRV of the sequence, and the
   seconds until no window was violated (the sequencer is told not to spend
   the rest of the limit on levelling), or the whole limit.
2. With ``--front-door``, the same instances as one-day workbooks planned
   by ``planner compare --strategies heijunka`` (the workbook's Settings,
   deterministic, ``time_limit`` 60 s as a cap): broken windows, the share
   of cars built on the day, status and seconds.
3. Product rate variation (Miltenburg 1989) on random days of 100, 300 and
   1,000 units over 15 models: the exact Kubiak-Sethi (1991) assignment
   against Toyota's goal chasing (Monden 1983), objective and seconds.

This is a measurement, not a test: it never fails.
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from pathlib import Path

import numpy as np
from measure import format_table, shared_instances

from models.heijunka import HeijunkaOptions, sequence_mix
from models.sequencing.levelled import goal_chasing, prv_objective, sequence_prv
from planner import compare
from planner.instances import car_sequencing_problem
from planner.workbook.writer import write_input_workbook

FEASIBLE = HeijunkaOptions(smooth_ruled_days=False)
"""Stop each instance once it has no violated window: the time shown is the time to get there."""

CSPLIB = shared_instances("csplib-car-sequencing")


def reference_values() -> dict[str, str]:
    """Best-known violations by instance file (relative to the data folder)."""
    with (CSPLIB / "reference.csv").open(newline="") as handle:
        return {row["file"]: row["best_known_violations"] for row in csv.DictReader(handle)}


def instance_table(sets: list[str], time_limit: float, limit: int | None) -> str:
    """Solve each instance of ``sets`` and tabulate the results."""
    best = reference_values()
    rows = []
    for name in sets:
        paths = sorted((CSPLIB / "instances" / name).glob("*.txt"))[:limit]
        for path in paths:
            problem = car_sequencing_problem(path)
            cars = {i: float(problem.demand[i].sum()) for i in range(problem.n_items)}
            started = time.perf_counter()
            mix = sequence_mix(problem, 0, cars, options=FEASIBLE, time_limit=time_limit)
            seconds = time.perf_counter() - started
            order = [item for item, _ in mix.positions]
            key = f"instances/{name}/{path.stem}.txt"
            rows.append(
                [
                    f"{name}/{path.stem}",
                    str(mix.violations),
                    best.get(key, "?"),
                    f"{prv_objective(order, [int(cars[i]) for i in range(problem.n_items)]):.1f}",
                    f"{seconds:.1f}",
                ]
            )
            print(*rows[-1], flush=True)
    header = ["instance", "violations", "best known", "PRV", "seconds"]
    return format_table(header, rows)


def front_door_table(sets: list[str], limit: int | None) -> str:
    """Each instance as a one-day workbook through ``planner compare``."""
    best = reference_values()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name in sets:
            for path in sorted((CSPLIB / "instances" / name).glob("*.txt"))[:limit]:
                workbook = Path(folder) / f"{path.stem}.xlsx"
                write_input_workbook(car_sequencing_problem(path), workbook)
                started = time.perf_counter()
                result = compare(workbook, "heijunka").results["heijunka"]
                kpis = result.evaluation.kpis
                rows.append(
                    [
                        f"{name}/{path.stem}",
                        str(kpis["rule_violations"]),
                        best.get(f"instances/{name}/{path.stem}.txt", "?"),
                        f"{kpis['fill_rate']:.0%}",
                        str(kpis["status"]),
                        f"{time.perf_counter() - started:.1f}",
                    ]
                )
                print(*rows[-1], flush=True)
    header = ["instance", "broken windows", "best known", "cars built", "status", "seconds"]
    return format_table(header, rows)


def prv_table(sizes: list[int], n_models: int, seed: int) -> str:
    """Exact PRV against goal chasing on random days."""
    rng = np.random.default_rng(seed)
    rows = []
    for size in sizes:
        demand = rng.multinomial(size, rng.dirichlet(np.ones(n_models))).tolist()
        started = time.perf_counter()
        exact = sequence_prv(demand)
        exact_seconds = time.perf_counter() - started
        started = time.perf_counter()
        greedy = goal_chasing(demand)
        greedy_seconds = time.perf_counter() - started
        exact_value = prv_objective(exact, demand)
        greedy_value = prv_objective(greedy, demand)
        rows.append(
            [
                str(size),
                str(n_models),
                f"{exact_value:.2f}",
                f"{exact_seconds:.3f}",
                f"{greedy_value:.2f}",
                f"{greedy_seconds:.3f}",
                f"{100 * (greedy_value - exact_value) / exact_value:.2f}",
            ]
        )
    header = ["units", "models", "exact PRV", "exact s", "goal chasing PRV", "gc s", "gap %"]
    return format_table(header, rows)


def main() -> None:
    """Run both measurements and print the tables."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sets", nargs="*", default=["classic100", "sat200"])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--limit", type=int, default=None, help="instances per set")
    parser.add_argument("--sizes", type=int, nargs="*", default=[100, 300, 1000])
    parser.add_argument("--models", type=int, default=15)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--front-door", action="store_true", help="also plan workbooks")
    args = parser.parse_args()
    if args.sets:
        print(instance_table(args.sets, args.time_limit, args.limit))
        print()
    if args.sets and args.front_door:
        print(front_door_table(args.sets, args.limit))
        print()
    print(prv_table(args.sizes, args.models, args.seed))


if __name__ == "__main__":
    main()
