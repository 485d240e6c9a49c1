"""``planner validate``, ``planner compare`` and ``planner template``: one workbook, planned.

``validate`` checks a workbook and describes the plant; ``compare`` plans it
with each strategy and prints the KPI table; ``template`` writes a blank
workbook. Exit codes: 0 success, 2 the input workbook (or an option) is
invalid, 1 anything else.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from planner.cli.common import (
    EXIT_FAILURE,
    EXIT_INVALID_INPUT,
    console,
    errors,
    read_workbook,
    report_workbook,
)

if TYPE_CHECKING:
    from models.solvers.milp import Progress
    from planner.results import Comparison


def register(app: typer.Typer) -> None:
    """Add ``validate``, ``compare`` and ``template`` to the ``planner`` command."""
    app.command("validate")(validate)
    app.command("compare")(compare)
    app.command("template")(template)


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
    raise typer.Exit(report_workbook(read_workbook(workbook), as_json, show_all))


def _kpi_text(key: str, value: Any, *, best: bool = False) -> str:
    from planner.evaluation.kpis import kpi_text

    text = kpi_text(key, value, missing="-")
    return f"[bold green]{text}[/]" if best else text


def _kpi_label(key: str) -> str:
    """A table row's heading: the KPI's label with its unit, then its name."""
    from planner.evaluation.kpis import KPI

    kpi = KPI.get(key)
    return key if kpi is None else f"{kpi.label} [dim]{key}[/]"


def _print_comparison(comparison: Comparison, console: Console) -> None:
    from models.wording import counted
    from planner.evaluation.winners import winners
    from planner.tables import infeasibility, infeasibility_text

    for name, kinds in infeasibility(comparison).items():
        console.print(f"[bold red]✗ {infeasibility_text(name, kinds)}[/]", highlight=False)
    table = Table("kpi", *comparison.strategies, title=f"{comparison.problem.name}: plans compared")
    kpis = {name: r.evaluation.kpis for name, r in comparison.results.items()}
    best = winners(kpis) if len(kpis) > 1 else {}
    keys = list(dict.fromkeys(k for values in kpis.values() for k in values))
    for key in keys:
        cells = [
            _kpi_text(key, values.get(key), best=name in best.get(key, ()))
            for name, values in kpis.items()
        ]
        table.add_row(_kpi_label(key), *cells)
    console.print(table)
    if best:
        console.print("[bold green]green[/]: the best value of each row among feasible plans")
    for name, result in comparison.results.items():
        violations = result.evaluation.violations
        messages = len(result.plan.messages) + len(result.evaluation.messages)
        verdict = (
            "[green]passes the plan checker[/]"
            if not violations
            else f"[yellow]{counted(len(violations), 'rule violation')}[/] "
            f"({', '.join(sorted({str(v.kind) for v in violations}))})"
        )
        console.print(f"{name}: {verdict}; {counted(messages, 'message')}")


def compare(
    workbook: Annotated[Path, typer.Argument(help="The planner workbook (.xlsx).")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the output workbook (.xlsx) here.")
    ] = None,
    json_path: Annotated[
        Path | None,
        typer.Option("--json", help="Write the summary JSON here ('-' prints it to stdout)."),
    ] = None,
    tables: Annotated[
        Path | None,
        typer.Option(
            "--tables",
            help="Also write every long sheet (BuildPlan, Inventory, ...) as a Parquet file "
            "in this folder, for programs.",
        ),
    ] = None,
    strategies: Annotated[
        str | None,
        typer.Option(
            "--strategies",
            help="Comma-separated strategies to run, e.g. mrp,heijunka (default: all).",
        ),
    ] = None,
    solver: Annotated[
        str,
        typer.Option("--solver", help="MILP solver: highs (default), cbc or ortools."),
    ] = "highs",
    time_limit: Annotated[
        float | None,
        typer.Option(
            "--time-limit",
            min=0.1,
            help="Seconds each strategy may take in all (default: the workbook's Settings).",
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
    from models import PlanningError
    from models.wording import counted
    from planner.comparison import compare as run_comparison
    from planner.comparison import parse_strategies, run_options
    from planner.report.results_workbook import write_results_workbook
    from planner.report.summary_json import summary, write_summary_json
    from planner.report.table_files import write_tables

    try:
        names = parse_strategies(strategies)
        chosen = run_options(solver=solver, time_limit=time_limit, sequencing=sequencing)
    except PlanningError as unknown:
        errors.print(f"[red]{unknown}[/]", highlight=False)
        raise typer.Exit(EXIT_INVALID_INPUT) from None
    if not workbook.exists():
        errors.print(f"[red]{workbook} does not exist.[/]", highlight=False)
        raise typer.Exit(EXIT_FAILURE)
    if tables is not None and tables.exists() and not tables.is_dir():
        errors.print(f"[red]--tables {tables} is a file: give a folder.[/]", highlight=False)
        raise typer.Exit(EXIT_FAILURE)
    result = read_workbook(workbook)
    if result.problem is None:
        raise typer.Exit(report_workbook(result, as_json=False, show_all=False))
    to_stdout = json_path is not None and str(json_path) == "-"
    console = Console(quiet=quiet or to_stdout)
    if result.warnings:
        console.print(
            f"[yellow]{counted(len(result.warnings), 'warning')} in the workbook[/] "
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

        run = dataclasses.replace(chosen, on_progress=progress)
        comparison = run_comparison(result.problem, names, run=run, on_start=started)
    _print_comparison(comparison, console)
    if out is not None:
        write_results_workbook(comparison, out)
        console.print(f"Wrote {out}")
    if tables is not None:
        written = write_tables(comparison, tables)
        console.print(f"Wrote {counted(len(written), 'Parquet table')} in {tables}", soft_wrap=True)
    if to_stdout:
        text = json.dumps(summary(comparison), indent=2, ensure_ascii=False, allow_nan=False)
        sys.stdout.write(text + "\n")
    elif json_path is not None:
        write_summary_json(comparison, json_path)
        console.print(f"Wrote {json_path}")


def template(
    out: Annotated[Path, typer.Argument(help="Where to write the blank workbook (.xlsx).")],
) -> None:
    """Write a blank planner workbook with every sheet, column, help and drop-downs."""
    from planner.workbook.template import write_template

    write_template(out)
    console.print(f"Wrote {out}: fill in the sheets (the README sheet explains every column).")
