"""What every ``planner`` command shares: exit codes, the consoles, failing with a message.

Commands report an invalid workbook the way ``planner validate`` does
(:func:`report_workbook`), and stop with :func:`fail`: a red message on
standard error and an exit code, never a traceback. They are registered on a
:class:`Planner` application, whose help shows a flag without a value type.

The command modules import only typer, rich and the standard library when
they load, so that ``planner --version`` and ``--help`` start at once: each
command imports the library it needs (and with it numpy, the solvers, the
database or the web stack) when it runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperCommand, TyperGroup, TyperOption
from typer.models import CommandFunctionType

if TYPE_CHECKING:
    from models import Problem
    from planner.workbook.issues import Issue
    from planner.workbook.reader import ReadResult

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_INVALID_INPUT = 2

console = Console()
errors = Console(stderr=True)


def _hide_flag_types(params: Iterable[object]) -> None:
    """Show each flag's help row without a value type: ``--force``, not ``--force <bool>``.

    Typer's help names the type of every option, flags too, as if a flag
    took a value; an empty metavar leaves the type column of a flag blank.
    """
    for param in params:
        if isinstance(param, TyperOption) and param.is_flag and param.metavar is None:
            param.metavar = ""


class HelpCommand(TyperCommand):
    """A command whose ``--help`` shows flags without a value type."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _hide_flag_types(self.get_params(ctx))
        super().format_help(ctx, formatter)


class HelpGroup(TyperGroup):
    """The command group whose ``--help`` shows flags without a value type."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _hide_flag_types(self.get_params(ctx))
        super().format_help(ctx, formatter)


class Planner(typer.Typer):
    """A typer application whose commands' help shows flags without a value type."""

    def __init__(self, **settings: Any) -> None:
        super().__init__(cls=HelpGroup, **settings)

    def command(
        self, name: str | None = None, *, cls: type[TyperCommand] | None = None, **settings: Any
    ) -> Callable[[CommandFunctionType], CommandFunctionType]:
        return super().command(name, cls=cls or HelpCommand, **settings)


def fail(message: str, code: int = EXIT_FAILURE) -> typer.Exit:
    """Print ``message`` in red on standard error; the exit to raise with ``code``."""
    errors.print(f"[red]{message}[/]", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def read_workbook(path: Path) -> ReadResult:
    """Read and validate a workbook: :func:`planner.workbook.reader.read_workbook`.

    The reader (and with it numpy and openpyxl) is imported on the first call.
    """
    from planner.workbook import reader

    return reader.read_workbook(path)


def read_problem(workbook: Path) -> Problem:
    """The workbook's problem; a missing file or an invalid workbook stops the command.

    An invalid workbook is reported as ``planner validate`` reports it, with
    exit code 2; a missing file with exit code 1.
    """
    if not workbook.exists():
        raise fail(f"{workbook} does not exist.")
    result = read_workbook(workbook)
    if result.problem is None:
        raise typer.Exit(report_workbook(result, as_json=False, show_all=False))
    return result.problem


def _print_issues(title: str, issues: list[Issue], limit: int | None, style: str) -> None:
    shown = issues if limit is None else issues[:limit]
    console.print(f"[{style}]{title} ({len(issues)}):[/]")
    for number, issue in enumerate(shown, 1):
        console.print(f"  {number}. {issue}", highlight=False, soft_wrap=True)
    if len(shown) < len(issues):
        console.print(f"  ... and {len(issues) - len(shown)} more (--all shows every one)")


def _print_plant(summary: dict[str, Any]) -> None:
    from models.wording import counted

    items, horizon, bom = summary["items"], summary["horizon"], summary["bom"]
    console.print(
        f"[bold]{summary['name']}[/]: {items['total']} items ({items['make']} make, "
        f"{items['buy']} buy, {items['with_demand']} with demand), {bom['lines']} BOM lines "
        f"on {counted(bom['levels'], 'level')}"
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


def report_workbook(result: ReadResult, as_json: bool, show_all: bool) -> int:
    """Print what reading a workbook found; the exit code (0 valid, 2 invalid).

    A valid workbook is described (items, horizon, work centers with a
    rough-cut load); an invalid one lists its errors, each naming sheet,
    row, column and cell. Warnings follow either way.
    """
    from models.wording import counted
    from planner.describe import describe

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
                f"{counted(len(result.errors), 'error')} to fix.[/]"
            )
            _print_issues("Errors", result.errors, limit, "red")
        if result.warnings:
            _print_issues("Warnings", result.warnings, limit, "yellow")
    return EXIT_OK if result.ok else EXIT_INVALID_INPUT
