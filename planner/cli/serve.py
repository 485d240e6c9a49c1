"""``planner serve``: run the web page on this machine."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import typer

_MIB = 2**20


def serve(
    host: Annotated[
        str,
        typer.Option(
            "--host", help="Address to listen on; 127.0.0.1 keeps the page on this machine."
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port.")] = 8000,
    data_dir: Annotated[
        Path,
        typer.Option("--data-dir", help="Folder for uploads, jobs and output files."),
    ] = Path("planner-data"),
    max_upload_mib: Annotated[
        float, typer.Option("--max-upload-mib", min=0.01, help="Largest upload, in MiB.")
    ] = 50,
    job_time_limit: Annotated[
        float,
        typer.Option("--job-time-limit", min=1, help="Seconds one job may run, all strategies."),
    ] = 600,
    time_limit: Annotated[
        float | None,
        typer.Option(
            "--time-limit",
            min=0.1,
            help="Most seconds each strategy may take in all (default: the workbook's Settings).",
        ),
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="Jobs planned at the same time.")
    ] = 1,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database",
            "--database-url",
            help="The run store's database (default: $PLANNER_DATABASE_URL or the user's "
            "data folder, as for the other commands).",
        ),
    ] = None,
    max_pending: Annotated[
        int, typer.Option("--max-pending", min=1, help="Jobs queued or running at most.")
    ] = 20,
    keep_days: Annotated[
        float,
        typer.Option(
            "--keep-days",
            min=0,
            help="Days a finished job's upload and output files are kept (0: forever); "
            "its run stays in the run store.",
        ),
    ] = 30,
) -> None:
    """Serve the planner's web page: upload a workbook, watch it plan, read the comparison.

    With PLANNER_TOKEN set, every page and API call needs that token.
    """
    import uvicorn

    from planner.runs.store import StoreError
    from planner.web.app import create_app
    from planner.web.settings import TOKEN_VARIABLE, WebSettings

    try:
        settings = WebSettings.from_environment(
            data_dir=data_dir,
            max_upload_bytes=int(max_upload_mib * _MIB),
            job_time_limit=job_time_limit,
            solver_time_limit=time_limit,
            workers=workers,
            max_pending=max(max_pending, workers),
            database_url=database_url,
        )
        settings = dataclasses.replace(settings, keep_days=keep_days or None)
    except ValueError as wrong:
        raise typer.BadParameter(str(wrong)) from None
    if host not in ("127.0.0.1", "localhost", "::1") and not settings.token:
        typer.secho(
            f"Warning: listening on {host} without {TOKEN_VARIABLE}: anyone who can reach "
            "this port can upload and read plans.",
            fg=typer.colors.YELLOW,
            err=True,
        )
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"planner web page on http://{shown}:{port}/ (data in {settings.data_dir})")
    try:
        application = create_app(settings)
    except StoreError as unusable:
        typer.secho(str(unusable), fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    uvicorn.run(application, host=host, port=port, log_level="info")


def register(app: typer.Typer) -> None:
    """Add ``planner serve`` to the command line."""
    app.command("serve")(serve)
