"""The heijunka strategy on the realistic and the large plant: cost, service, time, memory.

Run ``python benchmarks/bench_heijunka.py [--time-limit 60]
[--kanban-lot container|economic]``. For each plant, in a fresh Python
process: classic MRP (the baseline) and ``plan_heijunka`` with the options
a run resolves (the plant's Settings with its default work limits, as
``planner compare`` plans), the given time limit as a cap and the given
kanban lots (Settings ``kanban_lot``), both priced by the evaluator.
Printed per plan: total cost, setup and holding cost, fill rate, setups,
kanban loops and cards, violations (the heijunka plan must have none),
seconds of the planning call and the process's peak memory (plant
included). A measurement, not a test.
"""

from __future__ import annotations

import argparse

from measure import format_table, run_child

from models.fields import KANBAN_LOTS

PLANTS = {
    "realistic": "from planner.instances import realistic_plant as make",
    "large": "from planner.instances import large_plant as make",
}

CODE = """
import dataclasses, sys, time
{plant}
from models.heijunka import HeijunkaOptions, plan_heijunka
from models.mrp import plan_mrp
from models.strategy import RunOptions
from planner.evaluation import evaluate
problem = make()
problem = problem.replace(
    settings=dataclasses.replace(problem.settings, kanban_lot=sys.argv[3])
)
started = time.perf_counter()
if sys.argv[1] == "mrp":
    plan = plan_mrp(problem)
else:
    run = RunOptions(time_limit=float(sys.argv[2]))
    options = HeijunkaOptions.resolve(problem.settings, run)
    plan = plan_heijunka(problem, options)
seconds = time.perf_counter() - started
kpis = evaluate(problem, plan).kpis
cards = sum(loop.cards for loop in plan.kanban)
print(seconds, kpis["total_cost"], kpis["setup_cost"], kpis["holding_cost"], kpis["fill_rate"],
      kpis["setups"], len(plan.kanban), cards, kpis["violations"])
"""


def main() -> None:
    """Plan each plant both ways and print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--plants", nargs="*", default=list(PLANTS))
    parser.add_argument("--kanban-lot", choices=KANBAN_LOTS, default="container")
    args = parser.parse_args()
    rows = []
    for plant in args.plants:
        for strategy in ("mrp", "heijunka"):
            code = (
                CODE.format(plant=PLANTS[plant])
                .replace("sys.argv[1]", repr(strategy))
                .replace("sys.argv[2]", repr(str(args.time_limit)))
                .replace("sys.argv[3]", repr(args.kanban_lot))
            )
            run = run_child(code, None)
            seconds, cost, setup, holding, fill, setups, loops, cards, violations = (
                run.output.split()
            )
            rows.append(
                [
                    plant,
                    strategy,
                    f"{float(cost):,.0f}",
                    f"{float(setup):,.0f}",
                    f"{float(holding):,.0f}",
                    f"{float(fill):.1%}",
                    f"{int(setups):,}",
                    loops,
                    f"{int(cards):,}",
                    violations,
                    f"{float(seconds):.1f}",
                    f"{run.peak_mib:.0f}",
                ]
            )
            print(*rows[-1], flush=True)
    header = [
        "plant",
        "plan",
        "cost",
        "setup",
        "holding",
        "fill",
        "setups",
        "loops",
        "cards",
        "violations",
        "seconds",
        "peak MiB",
    ]
    print()
    print(format_table(header, rows))


if __name__ == "__main__":
    main()
