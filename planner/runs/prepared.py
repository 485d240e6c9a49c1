"""A planned run made ready to record: its outputs staged, its plans and charts collected.

:func:`prepare_run` may run in a worker process (the web page's jobs, the
weekly runs' plants): what it returns is plain, picklable data, and
:meth:`planner.runs.store.RunStore.record` records it.
"""

from __future__ import annotations

import hashlib
import platform
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np

from planner import __version__
from planner.charts import ChartKey, chart_pieces
from planner.report.results_workbook import write_results_workbook
from planner.report.summary_json import summary, write_summary_json
from planner.results import Comparison

_PACKAGES = ("numpy", "scipy", "pandas", "highspy", "pulp", "ortools", "sqlalchemy")
"""The libraries whose versions a run records (they shape its plans)."""


@dataclass(frozen=True)
class PreparedRun:
    """A planned run ready to record: plain data, so it can come back from a worker process.

    Made by :func:`prepare_run`; :meth:`planner.runs.store.RunStore.record` records it. The
    output files are staged under temporary names in ``output_dir`` and
    renamed when the run is recorded.
    """

    plant: str
    input_name: str
    input_sha256: str
    settings: dict[str, Any]
    started_at: datetime
    finished_at: datetime
    kpis: dict[str, dict[str, Any]]
    starts: tuple[tuple[str, str, date, float], ...]
    horizon_start: date
    horizon_end: date
    frozen_until: date | None
    output_dir: Path
    staged_workbook: Path
    staged_json: Path
    versions: dict[str, Any] = field(default_factory=lambda: software_versions())
    charts: tuple[tuple[ChartKey, dict[str, Any]], ...] = ()

    def discard(self) -> None:
        """Remove the staged output files (when the run will not be recorded)."""
        self.staged_workbook.unlink(missing_ok=True)
        self.staged_json.unlink(missing_ok=True)


def prepare_run(
    comparison: Comparison,
    *,
    plant: str,
    workbook: Path,
    settings: Mapping[str, Any],
    output_dir: Path,
    started_at: datetime,
    input_sha256: str | None = None,
) -> PreparedRun:
    """Stage a comparison's outputs in ``output_dir`` and collect what its record holds.

    The output workbook and summary JSON are written under temporary names
    (renamed by :meth:`RunStore.record`); the frozen window is the first
    ``settings["frozen_days"]`` working days (none when absent or 0).
    """
    output_dir = output_dir.resolve()
    output_dir.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex
    staged_workbook = output_dir / f".{slug(plant)}.{token}.staged.xlsx"
    staged_json = output_dir / f".{slug(plant)}.{token}.staged.json"
    try:
        write_results_workbook(comparison, staged_workbook)
        write_summary_json(comparison, staged_json)
    except BaseException:
        staged_workbook.unlink(missing_ok=True)
        staged_json.unlink(missing_ok=True)
        raise
    problem = comparison.problem
    frozen_days = int(settings.get("frozen_days", 0) or 0)
    return PreparedRun(
        plant=plant,
        input_name=workbook.name,
        input_sha256=input_sha256 or file_sha256(workbook),
        settings=dict(settings),
        started_at=started_at,
        finished_at=datetime.now(UTC),
        kpis=summary(comparison)["strategies"],
        starts=planned_starts(comparison),
        charts=tuple(chart_pieces(comparison)),
        horizon_start=problem.days[0],
        horizon_end=problem.days[-1],
        frozen_until=problem.days[min(frozen_days, problem.n_days) - 1] if frozen_days else None,
        output_dir=output_dir,
        staged_workbook=staged_workbook,
        staged_json=staged_json,
    )


def software_versions() -> dict[str, Any]:
    """The versions of this package, Python and the libraries that shape a plan."""
    found: dict[str, Any] = {"planner": __version__, "python": platform.python_version()}
    for package in _PACKAGES:
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = None
    return found


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, as hex."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def planned_starts(comparison: Comparison) -> tuple[tuple[str, str, date, float], ...]:
    """Every positive start of every strategy as ``(strategy, item, day, qty)``."""
    problem = comparison.problem
    rows = []
    for name, result in comparison.results.items():
        items, days = np.nonzero(result.plan.starts > 0)
        for i, t in zip(items.tolist(), days.tolist(), strict=True):
            rows.append(
                (name, problem.items[i].code, problem.days[t], float(result.plan.starts[i, t]))
            )
    return tuple(rows)


def slug(name: str) -> str:
    """A file-name-safe form of a plant name."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "plant"
