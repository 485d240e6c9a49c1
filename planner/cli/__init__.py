"""The ``planner`` command line.

Every command is a thin shell over the library: it reads arguments, calls
one library function, and prints the result. One module per command group:

- :mod:`planner.cli.plan`: ``validate``, ``compare``, ``template``;
- :mod:`planner.cli.simulate`: ``simulate``, ``sweep``;
- :mod:`planner.cli.runs`: ``run``, ``history``, ``diff``;
- :mod:`planner.cli.serve`: ``serve``;

and :mod:`planner.cli.common` for what they share. Exit codes: 0 success,
2 the input workbook is invalid, 1 anything else (weekly runs add their
own). No traceback reaches the user unless ``PLANNER_DEBUG=1`` is set.

The command modules import only typer, rich and the standard library when
they load; each command imports the library it uses in its body, so that
``planner --version``, ``--help`` and ``validate`` never load the solvers,
the database or the web stack (``tests/test_cli_startup.py`` checks).
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from planner import __version__
from planner.cli import plan, runs, serve, simulate
from planner.cli.common import (
    EXIT_FAILURE,
    EXIT_INVALID_INPUT,
    EXIT_OK,
    Planner,
    console,
    errors,
)

__all__ = ["EXIT_FAILURE", "EXIT_INVALID_INPUT", "EXIT_OK", "app", "main"]

app = Planner(
    name="planner",
    help="Plan one plant's demand with MRP, optimised batches, level-loaded pull and "
    "demand-driven MRP, "
    "and compare them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


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


for _group in (plan, simulate, runs, serve):
    _group.register(app)


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
