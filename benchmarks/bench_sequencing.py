"""The mixed-model sequencer on the CSPLib car-sequencing instances and on random days.

Run ``python benchmarks/bench_sequencing.py [--sets classic100 sat200]
[--time-limit 60] [--limit N]``. Two tables:

1. For each instance of ``shared/benchmarks/csplib-car-sequencing`` (CSPLib
   problem 001, car sequencing, proposed by B. Smith; instances of Dincbas,
   Simonis and Van Hentenryck 1988, Régin and Puget 1997, best-known values
   of Gottlieb, Puchta and Solnon 2003), ``sequence_with_rules`` with the
   time limit: status, violated windows, the best-known value of
   ``reference.csv``, the PRV of the sequence, and seconds.
2. Product rate variation (Miltenburg 1989) on random days of 100, 300 and
   1,000 units over 15 models: the exact Kubiak-Sethi (1991) assignment
   against Toyota's goal chasing (Monden 1983), objective and seconds.

This is a measurement, not a test: it never fails.
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

import numpy as np
from measure import format_table

from models.sequencing import goal_chasing, prv_objective, sequence_prv, sequence_with_rules
from planner.car_sequencing import read_car_sequencing

CSPLIB = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "csplib-car-sequencing"


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
            demand, rules, _ = read_car_sequencing(path)
            result = sequence_with_rules(demand, rules, time_limit=time_limit)
            key = f"instances/{name}/{path.name}"
            rows.append(
                [
                    f"{name}/{path.stem}",
                    result.status,
                    str(result.violations),
                    best.get(key, "?"),
                    f"{result.prv:.1f}",
                    f"{result.seconds:.1f}",
                ]
            )
            print(*rows[-1], flush=True)
    header = ["instance", "status", "violations", "best known", "PRV", "seconds"]
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
    args = parser.parse_args()
    if args.sets:
        print(instance_table(args.sets, args.time_limit, args.limit))
        print()
    print(prv_table(args.sizes, args.models, args.seed))


if __name__ == "__main__":
    main()
