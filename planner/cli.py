"""The ``planner`` command line.

Every command is a thin shell over the library: it reads arguments, calls
one library function, and prints the result. Exit codes: 0 success, 2 the
input workbook is invalid, 1 anything else. No traceback reaches the user
unless ``PLANNER_DEBUG=1`` is set.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from models import PlanningError
from models.solvers.backends import backend_from_name
from models.solvers.milp import Progress
from planner import __version__
from planner.compare import STRATEGIES, RunOptions, parse_sequencing, parse_strategies
from planner.compare import compare as run_comparison
from planner.describe import describe
from planner.report.results_workbook import write_results_workbook
from planner.report.summary_json import summary, write_summary_json
from planner.results import Comparison
from planner.winners import winners
from planner.workbook.issues import Issue
from planner.workbook.reader import ReadResult, read_workbook

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_INVALID_INPUT = 2

app = typer.Typer(
    name="planner",
    help="Plan one plant's demand with MRP, optimised batches and level-loaded pull, "
    "and compare them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
errors = Console(stderr=True)


def _show_version(value: bool) -> None:
    if value:
        console.print(f"planner {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Production planning: MRP, batch and heijunka, compared on one workbook."""


def _print_issues(title: str, issues: list[Issue], limit: int | None, style: str) -> None:
    shown = issues if limit is None else issues[:limit]
    console.print(f"[{style}]{title} ({len(issues)}):[/]")
    for number, issue in enumerate(shown, 1):
        console.print(f"  {number}. {issue}", highlight=False, soft_wrap=True)
    if len(shown) < len(issues):
        console.print(f"  ... and {len(issues) - len(shown)} more (--all shows every one)")


def _print_plant(summary: dict[str, Any]) -> None:
    items, horizon, bom = summary["items"], summary["horizon"], summary["bom"]
    console.print(
        f"[bold]{summary['name']}[/]: {items['total']} items ({items['make']} make, "
        f"{items['buy']} buy, {items['with_demand']} with demand), {bom['lines']} BOM lines "
        f"on {bom['levels']} level(s)"
    )
    console.print(
        f"Horizon {horizon['start']} .. {horizon['end']}: {horizon['working_days']} working days "
        f"of {horizon['calendar_days']}; demand {summary['demand']['units']:,.0f} units in "
        f"{summary['demand']['entries']:,} item-days"
    )
    if summary["work_centers"]:
        table = Table("work center", "items", "capacity/day", "overtime/day", "rough load")
        for center in summary["work_centers"]:
            load = center["rough_load"]
            table.add_row(
                center["work_center"],
                str(center["items"]),
                f"{center['capacity_minutes_per_day']:,.0f} min",
                f"{center['overtime_minutes_per_day']:,.0f} min",
                "closed" if load is None else f"{load:.0%}",
            )
        console.print(table)
        console.print("rough load = run time of the exploded demand / regular capacity, no setups")


def _report(result: ReadResult, as_json: bool, show_all: bool) -> int:
    summary = describe(result.problem) if result.problem is not None else None
    if as_json:
        payload = {
            "file": str(result.path),
            "valid": result.ok,
            "errors": [i.to_dict() for i in result.errors],
            "warnings": [i.to_dict() for i in result.warnings],
            "plant": summary,
            "seconds": round(result.seconds, 3),
        }
        print(json.dumps(payload, indent=2, default=str))
    else:
        limit = None if show_all else 20
        if summary is not None:
            console.print(f"[green]✓ {result.path.name} is valid.[/]")
            _print_plant(summary)
        else:
            console.print(
                f"[red]✗ {result.path.name} cannot be planned: "
                f"{len(result.errors)} error(s) to fix.[/]"
            )
            _print_issues("Errors", result.errors, limit, "red")
        if result.warnings:
            _print_issues("Warnings", result.warnings, limit, "yellow")
    return EXIT_OK if result.ok else EXIT_INVALID_INPUT


@app.command()
def validate(
    workbook: Annotated[Path, typer.Argument(help="The planner workbook (.xlsx).")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the result as JSON for programs.")
    ] = False,
    show_all: Annotated[
        bool, typer.Option("--all", help="List every warning and error, not the first 20.")
    ] = False,
) -> None:
    """Check a workbook and describe the plant, or list exactly what to fix.

    Exit code 0 when the workbook is valid, 2 when it is not, 1 when it
    cannot be checked at all (e.g. the file does not exist).
    """
    if not workbook.exists():
        errors.print(f"[red]{workbook} does not exist.[/]", highlight=False)
        raise typer.Exit(EXIT_FAILURE)
    raise typer.Exit(_report(read_workbook(workbook), as_json, show_all))


def _kpi_text(key: str, value: Any, *, best: bool = False) -> str:
    text = _kpi_number(key, value)
    return f"[bold green]{text}[/]" if best else text


def _kpi_number(key: str, value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if key in ("fill_rate", "max_utilization", "gap"):
        return f"{value:.1%}"
    if key.endswith("_seconds"):
        return f"{value:.2f}"
    if key.endswith(("_cost", "_value")) or key == "bound":
        return f"{value:,.2f}"
    if isinstance(value, int) or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def _print_comparison(comparison: Comparison, console: Console) -> None:
    table = Table("kpi", *comparison.strategies, title=f"{comparison.problem.name}: plans compared")
    kpis = {name: r.evaluation.kpis for name, r in comparison.results.items()}
    best = winners(kpis) if len(kpis) > 1 else {}
    keys = list(dict.fromkeys(k for values in kpis.values() for k in values))
    for key in keys:
        cells = [
            _kpi_text(key, values.get(key), best=name in best.get(key, ()))
            for name, values in kpis.items()
        ]
        table.add_row(key, *cells)
    console.print(table)
    if best:
        console.print("[bold green]green[/]: the best value of each row")
    for name, result in comparison.results.items():
        violations = result.evaluation.violations
        messages = len(result.plan.messages) + len(result.evaluation.messages)
        verdict = (
            "[green]passes the plan checker[/]"
            if not violations
            else f"[yellow]{len(violations)} rule violation(s)[/] "
            f"({', '.join(sorted({str(v.kind) for v in violations}))})"
        )
        console.print(f"{name}: {verdict}; {messages} message(s)")


@app.command()
def compare(
    workbook: Annotated[Path, typer.Argument(help="The planner workbook (.xlsx).")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the output workbook (.xlsx) here.")
    ] = None,
    json_path: Annotated[
        Path | None,
        typer.Option("--json", help="Write the summary JSON here ('-' prints it to stdout)."),
    ] = None,
    strategies: Annotated[
        str,
        typer.Option("--strategies", help="Comma-separated strategies to run."),
    ] = ",".join(STRATEGIES),
    solver: Annotated[
        str,
        typer.Option("--solver", help="MILP solver: highs (default), cbc or ortools."),
    ] = "highs",
    time_limit: Annotated[
        float | None,
        typer.Option(
            "--time-limit", min=0.1, help="Seconds per optimisation model (default: Settings)."
        ),
    ] = None,
    sequencing: Annotated[
        str,
        typer.Option(
            "--sequencing",
            help="Heijunka day sequences: prv (exact, default) or goal_chasing (Toyota).",
        ),
    ] = "prv",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
) -> None:
    """Plan the workbook's demand with each strategy and compare the plans.

    Exit code 0 when the plans are made, 2 when the workbook is invalid or a
    strategy is unknown, 1 for anything else.
    """
    try:
        names = parse_strategies(strategies)
        backend_from_name(solver)
        method = parse_sequencing(sequencing)
    except PlanningError as unknown:
        errors.print(f"[red]{unknown}[/]", highlight=False)
        raise typer.Exit(EXIT_INVALID_INPUT) from None
    if not workbook.exists():
        errors.print(f"[red]{workbook} does not exist.[/]", highlight=False)
        raise typer.Exit(EXIT_FAILURE)
    result = read_workbook(workbook)
    if result.problem is None:
        raise typer.Exit(_report(result, as_json=False, show_all=False))
    to_stdout = json_path is not None and str(json_path) == "-"
    console = Console(quiet=quiet or to_stdout)
    if result.warnings:
        console.print(
            f"[yellow]{len(result.warnings)} warning(s) in the workbook[/] "
            f"(planner validate {workbook} lists them)"
        )
    with console.status("planning...") as status:
        current = {"name": ""}

        def started(name: str) -> None:
            current["name"] = name
            status.update(f"planning: {name}")

        def progress(state: Progress) -> None:
            incumbent = "-" if state.incumbent is None else f"{state.incumbent:,.2f}"
            bound = "-" if state.bound is None else f"{state.bound:,.2f}"
            gap = "" if state.gap is None else f", gap {state.gap:.2%}"
            status.update(
                f"planning: {current['name']} - {state.seconds:.0f} s, best plan {incumbent}, "
                f"bound {bound}{gap} (Ctrl-C keeps the best plan)"
            )

        run = RunOptions(
            solver=solver, time_limit=time_limit, on_progress=progress, sequencing=method
        )
        comparison = run_comparison(result.problem, names, run=run, on_start=started)
    _print_comparison(comparison, console)
    if out is not None:
        write_results_workbook(comparison, out)
        console.print(f"Wrote {out}")
    if to_stdout:
        text = json.dumps(summary(comparison), indent=2, ensure_ascii=False, allow_nan=False)
        sys.stdout.write(text + "\n")
    elif json_path is not None:
        write_summary_json(comparison, json_path)
        console.print(f"Wrote {json_path}")


@app.command()
def template(
    out: Annotated[Path, typer.Argument(help="Where to write the blank workbook (.xlsx).")],
) -> None:
    """Write a blank planner workbook with every sheet, column, help and drop-downs."""
    from planner.workbook.template import write_template

    write_template(out)
    console.print(f"Wrote {out}: fill in the sheets (the README sheet explains every column).")


# Commands that live beside the code they drive, in the order `planner --help` lists them.
from planner.runs.cli import register as _register_runs  # noqa: E402
from planner.simulation.cli import register as _register_simulation  # noqa: E402
from planner.web.cli import register as _register_web  # noqa: E402

_register_simulation(app)
_register_runs(app)
_register_web(app)


def main() -> None:
    """Run the command line, turning every failure into a message and an exit code."""
    try:
        code = app(standalone_mode=False)
    except typer.Exit as stop:
        code = stop.exit_code
    except typer.TyperException as usage:
        show = getattr(usage, "show", None)
        if callable(show):
            show()
        else:
            errors.print(f"Error: {usage}", highlight=False)
        code = EXIT_FAILURE
    except (typer.Abort, KeyboardInterrupt):
        errors.print("Interrupted.")
        code = EXIT_FAILURE
    except Exception as failure:
        if os.environ.get("PLANNER_DEBUG"):
            raise
        errors.print(
            f"[red]planner failed: {type(failure).__name__}: {failure}[/]\n"
            "Set PLANNER_DEBUG=1 to see the details.",
            highlight=False,
        )
        code = EXIT_FAILURE
    sys.exit(code if isinstance(code, int) else EXIT_OK)
