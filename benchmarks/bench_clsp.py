"""The batch model on the Trigeiro, Thomas & McClain (1989) capacitated lot-sizing instances.

Run ``python benchmarks/bench_clsp.py [--set G] [--time-limit 60]``. Each
instance of ``shared/benchmarks/trigeiro-clsp`` (Trigeiro, W.W., Thomas,
L.J., McClain, J.O. (1989), *Capacitated lot sizing with setup times*,
Management Science 35(3):353-366; reference values from its README: the
published LOTSIZELIB optima of Belvaux & Wolsey (2000) and HiGHS-computed
optima for the F and G sets) is read into a problem with
``planner.instances.read_trigeiro`` and planned with the same
``models.batch.plan_batch`` the planner uses; the evaluator prices the plan.

Printed per instance: cost, reference, gap to it, proved bound, seconds,
then the mean gap and how many are within 1 % and 3 %. With ``--baseline``
the plain big-M model also runs, and the table gives, per instance, the
time each formulation took to first reach the cost both reached: the
ratio shows what the stronger formulation is worth. A measurement, not a
test.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import time
from pathlib import Path

from measure import format_table, shared_instances

from models.batch import BatchOptions, plan_batch
from models.solvers.milp import Progress
from planner.evaluation import evaluate
from planner.instances import read_trigeiro

FOLDER = shared_instances("trigeiro-clsp")


def solve(
    path: Path, formulation: str, args: argparse.Namespace
) -> tuple[float, float | None, float, list[tuple[float, float]]]:
    """Plan one instance; return evaluated cost, bound, seconds and the incumbent trace."""
    problem = read_trigeiro(path)
    trace: list[tuple[float, float]] = []
    started = time.perf_counter()

    def record(state: Progress) -> None:
        if state.incumbent is not None:
            trace.append((time.perf_counter() - started, state.incumbent))

    options = BatchOptions(
        solver=args.solver,
        time_limit=args.time_limit,
        mip_gap=0.0,
        formulation=formulation,
        on_progress=record,
    )
    plan = plan_batch(problem, options)
    cost = float(evaluate(problem, plan).kpis["total_cost"])
    trace.append((plan.seconds, cost))
    return cost, plan.bound, plan.seconds, trace


def time_to(trace: list[tuple[float, float]], cost: float) -> float:
    """First time the incumbent was at most ``cost``."""
    return next((t for t, value in trace if value <= cost * (1 + 1e-9)), trace[-1][0])


def main() -> None:
    """Run the instances and print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--set", default="G", help="instance set: G (default), F, X, or ALL")
    parser.add_argument("--instances", nargs="*", help="only these instances (e.g. G57 G72)")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--solver", default="highs")
    parser.add_argument("--formulation", default="allocation")
    parser.add_argument("--baseline", action="store_true", help="also run the big-M model")
    args = parser.parse_args()
    with (FOLDER / "reference.csv").open() as handle:
        references = list(csv.DictReader(handle))
    references = [r for r in references if r["best_known_value"] and r["status"] != "SUSPECT"]
    chosen = [
        r
        for r in references
        if (args.instances and r["instance"] in args.instances)
        or (not args.instances and (args.set == "ALL" or r["instance"].startswith(args.set)))
    ]
    rows, gaps, ratios = [], [], []
    for reference in chosen:
        path = FOLDER / reference["file"]
        target = float(reference["best_known_value"])
        cost, bound, seconds, trace = solve(path, args.formulation, args)
        gap = (cost - target) / target
        gaps.append(gap)
        row = [
            reference["instance"],
            f"{cost:,.0f}",
            f"{target:,.0f}",
            f"{gap:+.2%}",
            "-" if bound is None else f"{bound:,.0f}",
            f"{seconds:.1f}",
        ]
        if args.baseline:
            base_cost, _, _, base_trace = solve(path, "bigm", args)
            both = max(cost, base_cost)
            ratio = time_to(base_trace, both) / max(time_to(trace, both), 1e-3)
            ratios.append(ratio)
            row += [f"{base_cost:,.0f}", f"{ratio:.2f}"]
        rows.append(row)
        print("  ".join(row), flush=True)
    header = ["instance", "cost", "reference", "gap", "bound", "seconds"]
    if args.baseline:
        header += ["big-M cost", "big-M time / ours"]
    print()
    print(format_table(header, rows))
    if gaps:
        print(
            f"\n{len(gaps)} instances, {args.time_limit:g} s each ({args.formulation}, "
            f"{args.solver}): mean gap {statistics.mean(gaps):+.2%}, "
            f"within 1%: {sum(g <= 0.01 for g in gaps)}, within 3%: "
            f"{sum(g <= 0.03 for g in gaps)}, worst {max(gaps):+.2%}"
        )
    if ratios:
        print(f"time-to-same-cost, big-M / ours: median {statistics.median(ratios):.2f} x")


if __name__ == "__main__":
    main()
