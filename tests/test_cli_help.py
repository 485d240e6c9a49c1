"""Every ``planner`` command's ``--help``: a flag is shown without a value type, an option with one.

A flag (``--force``, ``--quiet``, ``--help``) takes no value, so its help row
names no type; an option that takes a value keeps its type (``<path>``,
``<float range>``, ...).
"""

from __future__ import annotations

import pytest
import typer
from typer.core import TyperOption
from typer.testing import CliRunner

from planner.cli import app

ROOT = typer.main.get_group(app)
COMMANDS = ROOT.list_commands(typer.Context(ROOT))


def help_text(*arguments: str) -> str:
    result = CliRunner().invoke(app, [*arguments, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def options(*arguments: str) -> tuple[list[TyperOption], typer.Context]:
    command = ROOT.get_command(typer.Context(ROOT), arguments[0]) if arguments else ROOT
    assert command is not None
    context = typer.Context(command)
    found = [p for p in command.get_params(context) if isinstance(p, TyperOption)]
    return found, context


def test_every_command_is_checked() -> None:
    assert {"validate", "compare", "simulate", "run", "serve"} <= set(COMMANDS)


@pytest.mark.parametrize("arguments", [(), *((name,) for name in COMMANDS)], ids=repr)
def test_flags_show_no_type_and_options_keep_theirs(arguments: tuple[str, ...]) -> None:
    text = help_text(*arguments)
    assert "<bool>" not in text
    found, context = options(*arguments)
    assert any(option.is_flag for option in found)
    for option in found:
        for name in (*option.opts, *option.secondary_opts):
            assert name in text, name
        if not option.is_flag:
            metavar = option.display_type_rich(context)
            assert metavar and metavar in text, option.opts


def test_a_value_option_keeps_its_metavar() -> None:
    text = help_text("compare")
    assert "<path>" in text
    assert "<float range>" in text
    row = next(line for line in text.splitlines() if "--quiet" in line)
    assert "<" not in row
