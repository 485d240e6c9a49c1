"""What the results page shows, computed once when a job ends and kept as files.

A finished job's folder holds ``results.json`` (the KPI comparison and the
winners) and one JSON file per long table
(build plan, inventory, load, sequences, messages, kanban, violations). The
page reads them, so a job's results survive a restart of the server, and the
tables are filtered and paged on the server however large the plant.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from importlib.metadata import version
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pandas as pd

from planner.charts import PLOTLY_CONFIG, ChartKey, ChartKind, figure
from planner.evaluation.kpis import KPI
from planner.evaluation.winners import winners
from planner.report.files import json_ready, write_json_atomically
from planner.results import Comparison
from planner.tables import infeasibility, infeasibility_text, strategy_kpis

RESULTS_FILE = "results.json"
"""The KPI data of a finished job, in its folder (its charts are kept with its run)."""

TABLES: dict[str, Callable[[Comparison], pd.DataFrame]] = {
    "build_plan": Comparison.build_plan,
    "inventory": Comparison.inventory,
    "load": Comparison.load,
    "sequences": Comparison.sequences,
    "messages": Comparison.messages,
    "kanban": Comparison.kanban,
    "violations": Comparison.violations,
}
"""The long tables the page can show, by name: each a :class:`Comparison` method."""

FILTERS = ("strategy", "item", "work_center", "level")
"""Columns a table can be filtered on (exact match), where the table has them."""

MAX_PAGE_ROWS = 1000
"""Most rows one table request returns."""

PLOTLY_JS = (
    Path(str(getattr(find_spec("plotly"), "origin", ""))).parent / "package_data" / "plotly.min.js"
)
"""Plotly's JavaScript, served from the installed Python package (no CDN)."""

PLOTLY_SCRIPT = f"/vendor/plotly.min.js?v={version('plotly')}"
"""Where the pages load :data:`PLOTLY_JS` from (the version makes a new release load anew)."""


def results_view(comparison: Comparison) -> dict[str, Any]:
    """The data of the results page: KPIs with their winners, and the plans' checks.

    Returns
    -------
    dict
        ``plant``, ``days`` (ISO dates), ``strategies``, ``items``,
        ``work_centers`` (codes); ``infeasible`` (a line per plan that breaks
        a rule: it wins no row); ``kpis`` (rows of ``kpi``, its ``label``,
        ``values`` per strategy, ``best`` strategies); ``checks`` (per strategy: status,
        violations, messages). The charts are kept with the job's run
        (:func:`chart_menu`, :func:`figure_json`).
    """
    problem = comparison.problem
    kpis = {name: strategy_kpis(result) for name, result in comparison.results.items()}
    best = winners(kpis) if len(kpis) > 1 else {}
    keys = list(dict.fromkeys(key for values in kpis.values() for key in values))
    centers = [center.code for center in problem.work_centers]
    view = {
        "plant": problem.name,
        "days": list(problem.days),
        "strategies": comparison.strategies,
        "items": [item.code for item in problem.items],
        "work_centers": centers,
        "infeasible": [
            infeasibility_text(name, kinds) for name, kinds in infeasibility(comparison).items()
        ],
        "kpis": [
            {
                "kpi": key,
                "label": KPI[key].label if key in KPI else key,
                "values": {name: values.get(key) for name, values in kpis.items()},
                "best": best.get(key, []),
            }
            for key in keys
        ],
        "checks": {
            name: {
                "status": kpis[name].get("status"),
                "violations": len(result.evaluation.violations),
                "messages": len(result.plan.messages) + len(result.evaluation.messages),
            }
            for name, result in comparison.results.items()
        },
    }
    return json_ready(view)  # type: ignore[no-any-return]


def chart_menu(keys: Iterable[ChartKey]) -> dict[str, Any]:
    """What the charts' drop-downs offer, from a run's charts; empty when it has none.

    Returns
    -------
    dict
        ``load`` (work centers), ``gantt`` and ``box`` (each ``strategies``
        and ``work_centers``), ``buffer`` (``strategies`` and ``items``), in
        the order the run has them.
    """
    keys = list(keys)
    if not keys:
        return {}

    def chosen(kind: ChartKind, field: str) -> list[str]:
        return list(dict.fromkeys(getattr(key, field) for key in keys if key.kind is kind))

    return {
        "load": chosen(ChartKind.LOAD, "work_center"),
        **{
            kind.value: {
                "strategies": chosen(kind, "strategy"),
                "work_centers": chosen(kind, "work_center"),
            }
            for kind in (ChartKind.GANTT, ChartKind.BOX)
        },
        "buffer": {
            "strategies": chosen(ChartKind.BUFFER, "strategy"),
            "items": chosen(ChartKind.BUFFER, "item"),
        },
    }


def figure_json(kind: ChartKind, piece: Mapping[str, Any]) -> str:
    """A chart as the API returns it: ``{"figure": <Plotly figure>, "config": ...}`` as JSON."""
    return f'{{"figure": {figure(kind, piece).to_json()}, "config": {json.dumps(PLOTLY_CONFIG)}}}'


def write_result_files(comparison: Comparison, directory: Path) -> None:
    """Write :func:`results_view` and every table of :data:`TABLES` into ``directory``."""
    tables = directory / "tables"
    tables.mkdir(parents=True, exist_ok=True)
    for name, build in TABLES.items():
        frame = build(comparison)
        document = {
            "columns": [str(column) for column in frame.columns],
            "rows": json_ready(frame.to_numpy(dtype=object).tolist()),
        }
        write_json_atomically(tables / f"{name}.json", document, indent=None)
    write_json_atomically(directory / RESULTS_FILE, results_view(comparison), indent=None)


def read_results(directory: Path) -> dict[str, Any] | None:
    """A finished job's :func:`results_view`, or ``None`` when it has none."""
    document: dict[str, Any] | None = _read_cached(directory / RESULTS_FILE)
    return document


def read_table(
    directory: Path,
    name: str,
    filters: Mapping[str, str | None],
    *,
    contains: str | None = None,
    offset: int = 0,
    limit: int = 200,
) -> dict[str, Any] | None:
    """One page of a job's table, filtered on :data:`FILTERS` by exact value.

    ``contains`` keeps the rows with a text cell holding it (ignoring case),
    e.g. ``"demand late"`` in the messages.

    Returns
    -------
    dict or None
        ``columns``, ``rows`` (this page), ``total`` (rows matching the
        filters), ``offset`` and ``limit``; ``None`` when the job has no such table.
    """
    if name not in TABLES:
        return None
    document = _read_cached(directory / "tables" / f"{name}.json")
    if document is None:
        return None
    columns: list[str] = document["columns"]
    wanted = [
        (columns.index(column), value)
        for column, value in filters.items()
        if value and column in FILTERS and column in columns
    ]
    rows = [row for row in document["rows"] if all(row[i] == value for i, value in wanted)]
    if contains:
        needle = contains.casefold()
        rows = [row for row in rows if any(needle in str(v).casefold() for v in row if v)]
    limit = max(1, min(limit, MAX_PAGE_ROWS))
    offset = max(0, offset)
    return {
        "columns": columns,
        "rows": rows[offset : offset + limit],
        "total": len(rows),
        "offset": offset,
        "limit": limit,
    }


def _read_cached(path: Path) -> Any:
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        return None
    return _load_json(path, stamp)


@lru_cache(maxsize=16)
def _load_json(path: Path, stamp: int) -> Any:
    with path.open(encoding="utf-8") as file:
        return json.load(file)
