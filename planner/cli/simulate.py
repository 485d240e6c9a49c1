"""The ``planner simulate`` and ``planner sweep`` commands.

Thin shells over :func:`planner.simulation.study.run_study` and
:func:`planner.simulation.sweep.run_sweep`, with the conventions of
:mod:`planner.cli.common`: exit code 0 on success, 2 for an invalid workbook or
option, 1 for anything else, and no traceback.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from planner.cli.common import EXIT_FAILURE, EXIT_INVALID_INPUT, fail, read_problem

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from planner.simulation.engine import SimulationOptions
    from planner.simulation.reality import Uncertainty
    from planner.simulation.study import ProgressCallback, SimulationStudy
    from planner.simulation.sweep import Sweep

Workbook = Annotated[Path, typer.Argument(help="The planner workbook (.xlsx).")]
Strategies = Annotated[
    str | None,
    typer.Option(
        "--strategies", help="Comma-separated strategies, e.g. mrp,heijunka (default: all)."
    ),
]
Seed = Annotated[
    int | None,
    typer.Option("--seed", min=0, help="Root seed; the same seed gives the same numbers."),
]
Solver = Annotated[str, typer.Option("--solver", help="MILP solver: highs, cbc or ortools.")]
Workers = Annotated[
    int | None,
    typer.Option("--workers", min=1, help="Worker processes (default: one per CPU; 1: none)."),
]
Scheduler = Annotated[
    str | None,
    typer.Option("--scheduler", help="Run on a Dask cluster: its scheduler (tcp://host:port)."),
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]
DemandCv = Annotated[
    float, typer.Option("--demand-cv", help="CV of actual against forecast daily demand.")
]
DemandBias = Annotated[
    float,
    typer.Option("--demand-bias", help="Mean forecast error: 0.1 = 10 % more than forecast."),
]
LateProbability = Annotated[
    float,
    typer.Option("--supplier-late-probability", help="Chance that a purchase order is late."),
]
LateDays = Annotated[
    int,
    typer.Option("--supplier-late-days", help="Most working days a late purchase order is late."),
]
DowntimeProbability = Annotated[
    float,
    typer.Option(
        "--downtime-probability", help="Chance of a breakdown per work center and working day."
    ),
]
DowntimeShare = Annotated[
    float,
    typer.Option("--downtime-share", help="Share of the day's capacity a breakdown takes."),
]
ReplanEvery = Annotated[
    int, typer.Option("--replan-every", help="Working days between replans of mrp and batch.")
]
FrozenDays = Annotated[
    int, typer.Option("--frozen-days", help="Working days after a replan that keep the old plan.")
]
ReplanTimeLimit = Annotated[
    float,
    typer.Option(
        "--replan-time-limit",
        help="Most seconds a strategy's replan may take (a cap: the work limits decide).",
    ),
]
PlanTimeLimit = Annotated[
    float | None,
    typer.Option(
        "--time-limit",
        help="Most seconds a strategy's plan of the forecast may take "
        "(a cap: the work limits decide; default 300).",
    ),
]
PlanNodes = Annotated[
    int,
    typer.Option("--plan-nodes", min=0, help="Branch-and-bound nodes per MILP of the first plan."),
]
PlanSolves = Annotated[
    int,
    typer.Option(
        "--plan-solves", min=0, help="Fix-and-optimize subproblems of batch's first plan."
    ),
]
ReplanNodes = Annotated[
    int, typer.Option("--replan-nodes", min=0, help="Branch-and-bound nodes per MILP of a replan.")
]
ReplanSolves = Annotated[
    int,
    typer.Option("--replan-solves", min=0, help="Fix-and-optimize subproblems of a batch replan."),
]
Out = Annotated[Path | None, typer.Option("--out", help="Write the workbook (.xlsx) here.")]
JsonOut = Annotated[Path | None, typer.Option("--json", help="Write the summary JSON here.")]

MAX_FAILURES_SHOWN = 5
"""Failed tasks listed on the terminal; the workbook lists them all."""

T = TypeVar("T")


def register(app: typer.Typer) -> None:
    """Add the ``simulate`` and ``sweep`` commands to the ``planner`` command line."""
    app.command("simulate")(simulate)
    app.command("sweep")(sweep)


def simulate(
    workbook: Workbook,
    replications: Annotated[
        int, typer.Option("--replications", "-n", min=1, help="Replications (draws of reality).")
    ] = 20,
    seed: Seed = None,
    out: Out = None,
    json_path: JsonOut = None,
    strategies: Strategies = None,
    demand_cv: DemandCv = 0.0,
    demand_bias: DemandBias = 0.0,
    supplier_late_probability: LateProbability = 0.0,
    supplier_late_days: LateDays = 0,
    downtime_probability: DowntimeProbability = 0.0,
    downtime_share: DowntimeShare = 1.0,
    replan_every: ReplanEvery = 5,
    frozen_days: FrozenDays = 5,
    replan_time_limit: ReplanTimeLimit = 60.0,
    time_limit: PlanTimeLimit = None,
    plan_nodes: PlanNodes = 1,
    plan_solves: PlanSolves = 20,
    replan_nodes: ReplanNodes = 0,
    replan_solves: ReplanSolves = 0,
    solver: Solver = "highs",
    workers: Workers = None,
    scheduler: Scheduler = None,
    quiet: Quiet = False,
) -> None:
    """Play every strategy through many draws of reality and compare what really happened.

    The workbook's demand is the forecast. Each replication draws actual
    demand, late purchase orders and breakdowns; mrp and batch replan every
    --replan-every days, heijunka pulls on actual consumption. Prints each
    strategy's mean KPIs with 95 % confidence intervals and win shares.

    Exit code 0 when the study ran (failed replications are reported), 2 when
    the workbook or an option is invalid, 1 for anything else.
    """
    from planner.simulation.study import run_study

    names, uncertainty, options = _check_options(locals())
    problem = read_problem(workbook)
    console = Console(quiet=quiet)
    if uncertainty.is_certain():
        console.print(
            "[yellow]No uncertainty given (--demand-cv, --demand-bias, "
            "--supplier-late-probability, --downtime-probability are all 0): every "
            "replication plays the forecast exactly, so the replications agree (± 0). "
            "Give one of them to see what happens when the forecast is wrong.[/]",
            highlight=False,
        )
    with _progress(console, "simulating") as progress:
        study = _run(
            lambda: run_study(
                problem,
                names,
                uncertainty,
                options,
                replications,
                seed,
                scheduler=scheduler,
                workers=workers,
                on_progress=progress,
            )
        )
    _print_study(study, console)
    if out is not None:
        study.write(out)
        console.print(f"Wrote {out}")
    if json_path is not None:
        study.write_json(json_path)
        console.print(f"Wrote {json_path}")


def sweep(
    workbook: Workbook,
    vary: Annotated[
        list[str],
        typer.Option(
            "--vary",
            help="A factor and its values, e.g. setup_time=0.25,0.5,1 (repeat for more factors).",
        ),
    ],
    replications: Annotated[
        int,
        typer.Option(
            "--replications", "-n", min=0, help="Replications per grid point; 0: deterministic."
        ),
    ] = 0,
    seed: Seed = None,
    out: Out = None,
    json_path: JsonOut = None,
    chart: Annotated[
        Path | None,
        typer.Option("--chart", help="Write the cost-against-inventory frontier (.png) here."),
    ] = None,
    winner_map: Annotated[
        Path | None,
        typer.Option("--winner-map", help="Write the winner map over the first two factors here."),
    ] = None,
    strategies: Strategies = None,
    demand_cv: DemandCv = 0.0,
    demand_bias: DemandBias = 0.0,
    supplier_late_probability: LateProbability = 0.0,
    supplier_late_days: LateDays = 0,
    downtime_probability: DowntimeProbability = 0.0,
    downtime_share: DowntimeShare = 1.0,
    replan_every: ReplanEvery = 5,
    frozen_days: FrozenDays = 5,
    replan_time_limit: ReplanTimeLimit = 60.0,
    time_limit: PlanTimeLimit = None,
    plan_nodes: PlanNodes = 1,
    plan_solves: PlanSolves = 20,
    replan_nodes: ReplanNodes = 0,
    replan_solves: ReplanSolves = 0,
    solver: Solver = "highs",
    workers: Workers = None,
    scheduler: Scheduler = None,
    quiet: Quiet = False,
) -> None:
    """Compare the strategies over a grid of what-if factors.

    Factors: setup_time, setup_cost, demand, capacity, lead_time and
    holding_cost (multipliers of the plant's data), carrying_rate, and with
    --replications >= 1 the uncertainty knobs demand_cv, demand_bias,
    supplier_late_probability, supplier_late_days, downtime_probability.
    Prints the winner of each grid point.

    Exit code 0 when the sweep ran, 2 when the workbook, a factor or an
    option is invalid, 1 for anything else.
    """
    from planner.simulation.sweep import parse_vary, run_sweep

    names, uncertainty, options = _check_options(locals())
    factors = _invalid_input_if_raises(lambda: parse_vary(vary))
    problem = read_problem(workbook)
    console = Console(quiet=quiet)
    with _progress(console, "sweeping") as progress:
        result = _run(
            lambda: run_sweep(
                problem,
                factors,
                names,
                uncertainty=None if uncertainty.is_certain() else uncertainty,
                replications=replications,
                seed=seed,
                options=options,
                scheduler=scheduler,
                workers=workers,
                on_progress=progress,
            )
        )
    _print_sweep(result, console)
    if out is not None:
        result.write(out)
        console.print(f"Wrote {out}")
    if json_path is not None:
        result.write_json(json_path)
        console.print(f"Wrote {json_path}")
    if chart is not None:
        _save_figure(chart, lambda figure: result.plot_frontier(ax=figure.subplots()))
        console.print(f"Wrote {chart}")
    if winner_map is not None:
        _save_figure(winner_map, lambda figure: result.plot_winner_map(ax=figure.subplots()))
        console.print(f"Wrote {winner_map}")


def _invalid_input_if_raises(build: Callable[[], T]) -> T:
    """Run ``build``; a :class:`PlanningError` is an invalid option: message and exit code 2."""
    from models import PlanningError

    try:
        return build()
    except PlanningError as invalid:
        raise fail(str(invalid), EXIT_INVALID_INPUT) from None


def _check_options(
    arguments: Mapping[str, Any],
) -> tuple[list[str], Uncertainty, SimulationOptions]:
    """Every option of a command checked before any work, each problem a message with exit code 2.

    ``arguments`` are the command's arguments by name: the uncertainty and
    replanning options are named as the fields of :class:`Uncertainty` and
    :class:`SimulationOptions` (``time_limit`` is the first plan's).
    """
    from models import PlanningError
    from models.solvers.backends import backend_from_name
    from planner.comparison import parse_strategies
    from planner.simulation.engine import SimulationOptions
    from planner.simulation.reality import Uncertainty

    if arguments["workers"] is not None and arguments["scheduler"] is not None:
        raise fail(
            "--workers applies to runs on this machine; a Dask cluster's size is set by the "
            "workers started for it: give --workers or --scheduler, not both",
            EXIT_INVALID_INPUT,
        )
    given = dict(arguments)
    if arguments["time_limit"] is not None:
        given["plan_time_limit"] = arguments["time_limit"]
    try:
        names = parse_strategies(arguments["strategies"])
        backend_from_name(arguments["solver"])
        uncertainty = Uncertainty(**_fields_of(Uncertainty, given))
        options = SimulationOptions(**_fields_of(SimulationOptions, given))
    except PlanningError as invalid:
        raise fail(str(invalid), EXIT_INVALID_INPUT) from None
    return names, uncertainty, options


def _fields_of(kind: type, values: Mapping[str, Any]) -> dict[str, Any]:
    """The entries of ``values`` that name fields of the dataclass ``kind``."""
    names = [spec.name for spec in dataclasses.fields(kind)]
    return {name: values[name] for name in names if name in values}


def _run(work: Callable[[], T]) -> T:
    """Run the study or sweep; an error raised on purpose is a message.

    Exit code 2 for a sweep that cannot be run as asked (its grid), 1 for
    anything else (e.g. an unreachable Dask cluster).
    """
    from models import PlanningError
    from planner.simulation.sweep import SweepError

    try:
        return work()
    except SweepError as invalid:
        raise fail(str(invalid), EXIT_INVALID_INPUT) from None
    except PlanningError as failure:
        raise fail(str(failure), EXIT_FAILURE) from None


@contextmanager
def _progress(console: Console, what: str) -> Iterator[ProgressCallback]:
    """A progress bar of tasks done; yields the callback that advances it."""
    columns = (
        TextColumn(f"{what}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("tasks"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(what, total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield advance


def _mean(row: dict[Hashable, Any], pattern: str) -> str:
    """The mean and the half-width of its 95 % confidence interval, ``mean ± half``."""
    mean, low, high = row["mean"], row["ci_low"], row["ci_high"]
    if not math.isfinite(mean):
        return "-"
    if not (math.isfinite(low) and math.isfinite(high)):
        return f"{mean:{pattern}}"
    return f"{mean:{pattern}} ± {(high - low) / 2:{pattern}}"


def _print_study(study: SimulationStudy, console: Console) -> None:
    from models.wording import counted

    table = Table(
        "strategy",
        "total cost",
        "fill rate",
        "avg inventory value",
        "wins",
        "deterministic cost",
        title=f"{study.problem.name or 'plant'}: {counted(study.replications, 'replication')}, "
        f"seed {study.seed}",
    )
    summary = study.summary(["total_cost", "fill_rate", "avg_inventory_value"])
    rows = {(r["strategy"], r["kpi"]): r for r in summary.to_dict("records")}
    wins = study.wins() if len(study.strategies) > 1 else None
    broken = []
    for name in study.strategies:
        cost, fill = rows[(name, "total_cost")], rows[(name, "fill_rate")]
        inventory = rows[(name, "avg_inventory_value")]
        planned = (
            "-" if not math.isfinite(cost["deterministic"]) else f"{cost['deterministic']:,.0f}"
        )
        plan = study.deterministic.get(name)
        if plan is not None and plan.kpis.get("violations", 0):
            broken.append(name)
            planned += " *"
        table.add_row(
            name,
            _mean(cost, ",.0f"),
            _mean(fill, ".1%"),
            _mean(inventory, ",.0f"),
            "-" if wins is None else f"{wins[name]:.0%}",
            planned,
        )
    console.print(table)
    console.print(
        "mean ± half-width of its 95 % confidence interval; wins: share of replications with "
        "the lowest total cost; deterministic cost: the plan of the forecast, judged as planned"
    )
    if broken:
        console.print(
            f"* the plan of the forecast of {', '.join(broken)} breaks capacity or component "
            "rules ('planner compare' lists them): the simulation executes only what capacity "
            "and stock allow, so its cost differs even without uncertainty"
        )
    _print_timed_out(study.timed_out(), console)
    _print_failures(study.failures(), console)
    console.print(f"{study.seconds:.1f} s; the same --seed repeats these numbers.")


def _print_timed_out(stopped: pd.DataFrame, console: Console) -> None:
    """Say which tasks' models the time cap stopped: only their numbers may not repeat."""
    from models.wording import counted

    if stopped.empty:
        return
    tasks = ", ".join(
        f"{strategy} {'plan' if replication < 0 else f'replication {replication}'}"
        for replication, strategy in zip(
            stopped["replication"].astype(int), stopped["strategy"].astype(str), strict=True
        )
    )
    console.print(
        f"[yellow]{counted(int(stopped['timed_out'].sum()), 'model')} stopped at their "
        "time limit before "
        f"their work limit ({tasks}): these numbers may differ on another run with the same "
        "seed. Raise --time-limit / --replan-time-limit or lower the work limits "
        "(--plan-nodes, --plan-solves, --replan-nodes, --replan-solves).[/yellow]"
    )


def _print_failures(failures: pd.DataFrame, console: Console) -> None:
    from models.wording import counted

    if failures.empty:
        return
    console.print(
        f"[yellow]{counted(len(failures), 'task')} failed and are left out of the statistics:[/]"
    )
    for row in failures.head(MAX_FAILURES_SHOWN).to_dict("records"):
        which = "plan" if row["replication"] < 0 else f"replication {row['replication']}"
        console.print(f"  {row['strategy']}, {which}: {row['error']}", highlight=False)
    if len(failures) > MAX_FAILURES_SHOWN:
        console.print(f"  ... and {len(failures) - MAX_FAILURES_SHOWN} more (see the workbook)")


def _print_sweep(result: Sweep, console: Console) -> None:
    from models.wording import counted

    table = Table(*result.factors, *result.strategies, "winner", title="total cost per grid point")
    frame = result.frame()
    winners = result.winners()
    size = len(result.strategies)
    for k, point in enumerate(result.points):
        rows = frame.iloc[k * size : (k + 1) * size]
        costs = [
            "-" if not math.isfinite(value) else f"{value:,.0f}"
            for value in (rows["total_cost"] if "total_cost" in rows else [math.nan] * size)
        ]
        cells = [f"{point.values[name]:g}" for name in result.factors]
        table.add_row(*cells, *costs, str(winners.iloc[k]["winner"]) or "-")
    console.print(table)
    kind = (
        f"mean of {counted(result.replications, 'replication')}, seed {result.seed}"
        if result.simulated
        else "deterministic plans"
    )
    console.print(f"{kind}; {result.seconds:.1f} s")
    _print_failures(result.failures(), console)


def _save_figure(path: Path, draw: Callable[[Figure], object]) -> None:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 5), dpi=120)
    draw(figure)
    figure.tight_layout()
    figure.savefig(path)
