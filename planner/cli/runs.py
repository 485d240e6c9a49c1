"""The ``planner run``, ``planner history`` and ``planner diff`` commands.

``run`` plans every plant of a weekly configuration and records the runs;
``history`` lists a plant's recorded runs with their KPIs and nervousness;
``diff`` lists the orders that changed between two runs of one plant. Any
spelling of a plant's name with the same :func:`planner.runs.plants.plant_key`
names the same plant (``Example-Small`` is ``example_small``). Exit codes of
``run``: 0 every plant planned (or already planned), 3 some plants failed,
4 every plant failed, 5 another run of the configuration is in progress,
2 the configuration is invalid, 1 anything else. ``history`` and ``diff``:
0, or 1 when the store cannot be read, a run is unknown, a plant has no
recorded runs, or (``diff``) the runs are of two plants and
``--any-plants`` is not given.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from planner.cli.common import console, errors, fail
from planner.runs import DATABASE_URL_VARIABLE

if TYPE_CHECKING:
    from planner.runs.changes import OrderChange, RunDiff
    from planner.runs.config import RunConfig
    from planner.runs.store import RunRecord, RunStore
    from planner.runs.weekly import PlantResult, WeeklyReport

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        envvar=DATABASE_URL_VARIABLE,
        help="The run store's database URL (default: the configuration's, else a SQLite "
        "file under ~/.local/share/planner).",
        show_default=False,
    ),
]
_CHANGES_SHOWN = 40


def register(app: typer.Typer) -> None:
    """Add ``run``, ``history`` and ``diff`` to the ``planner`` command."""
    app.command("run")(run)
    app.command("history")(history)
    app.command("diff")(diff)


def _open_store(url: str | None) -> RunStore:
    from models import PlanningError
    from planner.runs.store import RunStore

    try:
        return RunStore(url)
    except PlanningError as failure:
        raise fail(str(failure)) from None


# planner run ------------------------------------------------------------------------


def run(
    config_path: Annotated[
        Path, typer.Argument(metavar="CONFIG", help="The weekly run's configuration (.toml).")
    ],
    force: Annotated[
        bool,
        typer.Option("--force", help="Plan again plants whose input and settings were planned."),
    ] = False,
    database: DatabaseOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only failures.")] = False,
) -> None:
    """Plan every plant of a configuration, write the outputs and record the runs.

    Exit code 0 when every plant was planned (or already had been), 3 when
    some failed, 4 when all failed, 5 when another run of the same
    configuration is in progress, 2 when the configuration is invalid, 1 for
    anything else.
    """
    from models import PlanningError
    from models.wording import counted
    from planner.runs.config import ConfigError, load_config
    from planner.runs.lock import RunLockedError
    from planner.runs.weekly import EXIT_INVALID_CONFIG, EXIT_LOCKED, run_weekly

    try:
        config = load_config(config_path)
    except ConfigError as invalid:
        raise fail(str(invalid), EXIT_INVALID_CONFIG) from None
    shown = Console(quiet=quiet)
    with _open_store(database or config.database) as store:
        where = (
            f"on the Dask cluster {config.scheduler}"
            if config.scheduler
            else "one at a time"
            if config.workers == 1
            else f"with {counted(config.workers, 'worker')}"
            if config.workers
            else "with one worker per CPU"
        )
        shown.print(
            f"Planning {counted(len(config.plants), 'plant')} {where}: "
            f"{', '.join(config.strategies)}; "
            f"run store {store.location}"
        )
        try:
            report = run_weekly(
                config, store, force=force, on_plant=lambda result: _print_plant(result, shown)
            )
        except RunLockedError as locked:
            raise fail(str(locked), EXIT_LOCKED) from None
        except PlanningError as failure:
            raise fail(str(failure)) from None
    _print_report(report, config, shown)
    raise typer.Exit(report.exit_code)


def _print_plant(result: PlantResult, shown: Console) -> None:
    from planner.runs.weekly import PlantStatus

    record = result.record
    if result.status is PlantStatus.FAILED:
        errors.print(f"[red]✗ {result.plant}: {result.error}[/]", highlight=False, soft_wrap=True)
    elif result.status is PlantStatus.ALREADY_DONE and record is not None:
        shown.print(
            f"= {result.plant}: {record.input_name} was already planned with these settings "
            f"as run {record.id} on {_when(record)} (--force plans it again)",
            highlight=False,
        )
    elif record is not None:
        shown.print(
            f"[green]✓ {result.plant}[/]: run {record.id} recorded in {record.seconds:.1f} s; "
            f"{record.output_workbook}",
            highlight=False,
        )
        for line in _nervousness_lines(record):
            shown.print(f"    {line}", highlight=False)


def _nervousness_lines(record: RunRecord) -> list[str]:
    from models.wording import counted

    measured = record.nervousness
    if not measured:
        return ["no previous run to compare with"]
    frozen = measured.get("frozen_until")
    lines = []
    for name, figures in measured["strategies"].items():
        lines.append(
            f"{name}: {figures['changed_share']:.0%} of "
            f"{counted(figures['orders'], 'order')} changed "
            f"against run {measured['previous_run_id']} ({figures['new']} new, "
            f"{figures['cancelled']} cancelled, {figures['moved']} moved, "
            f"{figures['resized']} resized); "
            + (
                f"{counted(round(figures['frozen_quantity_moved']), 'unit')} changed in the frozen "
                f"window to {frozen}"
                if frozen
                else "no frozen window"
            )
        )
    return lines


def _print_report(report: WeeklyReport, config: RunConfig, shown: Console) -> None:
    from models.wording import counted
    from planner.runs.weekly import EXIT_ALL_OK, PlantStatus

    table = Table("plant", "result", "run", "input", title="Weekly run")
    labels = {
        PlantStatus.RECORDED: "[green]planned[/]",
        PlantStatus.ALREADY_DONE: "already planned",
        PlantStatus.FAILED: "[red]failed[/]",
    }
    for result in report.results:
        record = result.record
        table.add_row(
            result.plant,
            labels[result.status],
            "-" if record is None else str(record.id),
            "-" if result.input_path is None else result.input_path.name,
        )
    shown.print(table)
    failed = len(report.failed)
    if report.exit_code == EXIT_ALL_OK:
        shown.print(
            "[green]The plant is done.[/]"
            if len(report.results) == 1
            else f"[green]All {len(report.results)} plants done.[/]"
        )
    else:
        errors.print(
            f"[red]{failed} of {counted(len(report.results), 'plant')} failed[/] "
            f"(exit code {report.exit_code}); 'planner history PLANT' shows their errors.",
            highlight=False,
        )


# planner history --------------------------------------------------------------------


def history(
    plant: Annotated[
        str | None,
        typer.Argument(
            help="The plant's name, in any spelling: case, spaces, '-', '_' and '.' aside "
            "(all plants when left out)."
        ),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Newest runs shown.")] = 20,
    database: DatabaseOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the runs as JSON.")] = False,
) -> None:
    """List a plant's recorded runs, newest first, with their KPIs and nervousness.

    The runs recorded under any spelling of the plant's name are listed
    ('Example-Small' finds the runs of 'example_small'). Exit code 0
    when runs are listed (or none are recorded at all), 1 for a plant
    without recorded runs.
    """
    from models import PlanningError

    with _open_store(database) as store:
        try:
            runs = store.list_runs(plant, limit=limit)
            plants = store.plants() if not runs else []
        except PlanningError as failure:
            raise fail(str(failure)) from None
    if not runs and plant is not None:
        known = f" Plants with runs: {', '.join(plants)}." if plants else ""
        raise fail(f"No recorded runs of {plant}.{known}")
    if as_json:
        print(json.dumps([r.to_dict() for r in runs], indent=2, ensure_ascii=False))
        return
    if not runs:
        console.print("No recorded runs.")
        return
    title = f"Runs of {plant}" if plant else "Recorded runs"
    table = Table(title=title, box=box.SIMPLE_HEAD)
    table.add_column("run, start, input", overflow="fold", min_width=16)
    table.add_column("strategy", no_wrap=True, min_width=8)
    for header in ("total cost", "fill rate", "changed", "frozen Δ"):
        table.add_column(header, justify="right", no_wrap=True)
    failures = []
    for record in runs:
        style = "green" if record.ok else "red"
        label = f"[{style}]{record.id}[/]" + ("" if plant else f" {record.plant}")
        head = [f"{label}\n{_when(record)}\n{Path(record.input_name).name}"]
        if not record.ok:
            table.add_row(*head, "[red]failed[/]", "", "", "", "", end_section=True)
            failures.append(record)
            continue
        measured = (record.nervousness or {}).get("strategies", {})
        for number, (name, kpis) in enumerate(record.kpis.items()):
            figures = measured.get(name)
            table.add_row(
                *(head if number == 0 else [""]),
                name,
                _number(kpis.get("total_cost"), decimals=0),
                _share(kpis.get("fill_rate")),
                "-" if figures is None else _share(figures["changed_share"]),
                "-" if figures is None else _number(figures["frozen_quantity_moved"]),
                end_section=number == len(record.kpis) - 1,
            )
    console.print(table)
    console.print(
        "changed: share of orders changed against the plant's previous run; frozen Δ: "
        "units changed in the frozen window ('planner diff' lists the changes)",
        highlight=False,
    )
    for record in failures:
        console.print(
            f"[red]run {record.id} failed:[/] {_first_line(record.error)}", highlight=False
        )


# planner diff -----------------------------------------------------------------------


def diff(
    run_a: Annotated[int, typer.Argument(metavar="RUN_A", help="The earlier run's number.")],
    run_b: Annotated[int, typer.Argument(metavar="RUN_B", help="The later run's number.")],
    strategy: Annotated[
        str | None, typer.Option("--strategy", "-s", help="Only this strategy's orders.")
    ] = None,
    show_all: Annotated[
        bool, typer.Option("--all", help=f"List every change, not the first {_CHANGES_SHOWN}.")
    ] = False,
    any_plants: Annotated[
        bool, typer.Option("--any-plants", help="Diff runs of different plants anyway.")
    ] = False,
    database: DatabaseOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the changes as JSON.")] = False,
) -> None:
    """List the orders that changed from run A's plans to run B's.

    New, cancelled, moved and resized orders per strategy, inside and
    outside run B's frozen window, over the days both runs planned. Runs of
    two different plants are refused (exit code 1) unless --any-plants is
    given; names that differ only in case, spaces, '-', '_' or '.' are one
    plant.
    """
    from models import PlanningError
    from planner.runs.changes import RunDiff
    from planner.runs.plants import plant_key

    with _open_store(database) as store:
        try:
            before, after = store.get_run(run_a), store.get_run(run_b)
            for record in (before, after):
                if not record.ok:
                    raise fail(
                        f"run {record.id} of {record.plant} failed, so it has no plans to "
                        f"compare: {_first_line(record.error)}"
                    )
            if not any_plants and plant_key(before.plant) != plant_key(after.plant):
                raise fail(
                    f"runs {before.id} and {after.id} are of different plants, {before.plant} "
                    f"and {after.plant}; --any-plants compares them anyway"
                )
            changes = store.diff_runs(run_a, run_b)
        except PlanningError as failure:
            raise fail(str(failure)) from None
    if strategy is not None:
        name = strategy.strip().lower()
        if name not in changes.strategies:
            planned = ", ".join(changes.strategies) or "none"
            raise fail(f"both runs did not plan {strategy!r}; strategies in both: {planned}")
        changes = RunDiff(
            changes.before_id, changes.after_id, changes.window, {name: changes.strategies[name]}
        )
    if as_json:
        print(json.dumps(_diff_json(changes), indent=2, ensure_ascii=False))
        return
    _print_diff(before, after, changes, show_all)


def _print_diff(before: RunRecord, after: RunRecord, changes: RunDiff, show_all: bool) -> None:
    from planner.runs.changes import ChangeKind
    from planner.runs.plants import plant_key

    for record, label in ((before, "A"), (after, "B")):
        console.print(
            f"{label}: run {record.id} of {record.plant}, {_when(record)}, {record.input_name}",
            highlight=False,
        )
    if plant_key(before.plant) != plant_key(after.plant):
        console.print("[yellow]The runs are of different plants.[/]")
    window = changes.window
    if window is None:
        console.print("The runs share no planned day: nothing to compare.")
        return
    frozen = (
        f"frozen window to {window.frozen_until}" if window.frozen_until else "no frozen window"
    )
    console.print(f"Compared {window.first} .. {window.last}; {frozen} (run B's).")
    summary = Table(
        "strategy", "orders", "new", "cancelled", "moved", "resized", "changed",
        "frozen units changed", title="Changes (inside / outside the frozen window)",
        box=box.SIMPLE_HEAD,
    )  # fmt: skip
    for name, found in changes.strategies.items():
        counts = [
            f"{found.count(kind, frozen=True)} / {found.count(kind, frozen=False)}"
            for kind in ChangeKind
        ]
        summary.add_row(
            name,
            str(found.orders),
            *counts,
            _share(found.changed_share),
            _number(found.frozen_quantity_moved),
        )
    console.print(summary)
    listed = changes.changes
    if not listed:
        console.print("[green]No order changed.[/]")
        return
    shown = listed if show_all else listed[:_CHANGES_SHOWN]
    table = Table(box=box.SIMPLE_HEAD)
    for header in ("strategy", "item", "change", "A day", "A qty", "B day", "B qty", "frozen"):
        numeric = header.endswith("qty")
        table.add_column(
            header, justify="right" if numeric else "left", no_wrap=header.endswith("day")
        )
    for change in shown:
        table.add_row(*_change_cells(change))
    console.print(table)
    if len(shown) < len(listed):
        console.print(f"... and {len(listed) - len(shown)} more (--all lists every change)")


def _change_cells(change: OrderChange) -> list[str]:
    return [
        change.strategy,
        change.item,
        str(change.kind),
        "-" if change.before_day is None else change.before_day.isoformat(),
        _number(change.before_qty),
        "-" if change.after_day is None else change.after_day.isoformat(),
        _number(change.after_qty),
        "yes" if change.frozen else "",
    ]


def _diff_json(changes: RunDiff) -> dict[str, Any]:
    window = changes.window
    return {
        "before_run": changes.before_id,
        "after_run": changes.after_id,
        "compared_from": None if window is None else window.first.isoformat(),
        "compared_to": None if window is None else window.last.isoformat(),
        "frozen_until": None
        if window is None or window.frozen_until is None
        else window.frozen_until.isoformat(),
        "strategies": {
            name: {
                **found.nervousness(),
                "changes": [
                    {
                        "item": c.item,
                        "kind": str(c.kind),
                        "before_day": None if c.before_day is None else c.before_day.isoformat(),
                        "before_qty": c.before_qty,
                        "after_day": None if c.after_day is None else c.after_day.isoformat(),
                        "after_qty": c.after_qty,
                        "frozen": c.frozen,
                    }
                    for c in found.changes
                ],
            }
            for name, found in changes.strategies.items()
        },
    }


# Formatting -------------------------------------------------------------------------


def _when(record: RunRecord) -> str:
    return record.started_at.astimezone().strftime("%Y-%m-%d %H:%M")


def _status(record: RunRecord) -> str:
    from planner.runs.store import RunStatus

    return "[green]succeeded[/]" if record.status is RunStatus.SUCCEEDED else "[red]failed[/]"


def _first_line(text: str | None) -> str:
    """The start of an error message (its first two lines), at most 160 characters."""
    lines = [line.strip() for line in (text or "").strip().splitlines()[:2]]
    line = " ".join(lines) or "failed"
    return line if len(line) <= 160 else line[:157] + "..."


def _number(value: Any, decimals: int = 2) -> str:
    if value is None:
        return "-"
    rounded = round(float(value), decimals)
    return f"{rounded:,.0f}" if rounded.is_integer() else f"{rounded:,.2f}"


def _share(value: Any) -> str:
    return "-" if value is None else f"{value:.1%}"
