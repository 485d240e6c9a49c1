"""What the results page shows, computed once when a job ends and kept as files.

A finished job's folder holds ``results.json`` (the KPI comparison, the
winners and the series of every chart) and one JSON file per long table
(build plan, inventory, load, sequences, messages, kanban, violations). The
page reads them, so a job's results survive a restart of the server, and the
tables are filtered and paged on the server however large the plant.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from planner.evaluation.kpis import KPI
from planner.evaluation.winners import winners
from planner.plots import COST_PARTS
from planner.report.files import json_ready, write_json_atomically
from planner.results import Comparison
from planner.tables import infeasibility, infeasibility_text, strategy_kpis

RESULTS_FILE = "results.json"
"""The chart and KPI data of a finished job, in its folder."""

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


def results_view(comparison: Comparison) -> dict[str, Any]:
    """The data of the results page: KPIs with their winners, and every chart's series.

    Returns
    -------
    dict
        ``plant``, ``days`` (ISO dates), ``strategies``, ``items``,
        ``work_centers`` (codes); ``infeasible`` (a line per plan that breaks
        a rule: it wins no row); ``kpis`` (rows of ``kpi``, its ``label``,
        ``values`` per strategy, ``best`` strategies); ``checks`` (per strategy: status,
        violations, messages); ``costs`` (per strategy, the six cost
        parts); ``inventory_value`` (per strategy, the value on hand per
        day); ``load`` (per work center: ``capacity``, ``overtime`` and per
        strategy ``load``, minutes per day); ``sequences`` (per strategy, work
        center and date, the build order as ``[item, qty]`` pairs).
    """
    problem = comparison.problem
    kpis = {name: strategy_kpis(result) for name, result in comparison.results.items()}
    best = winners(kpis) if len(kpis) > 1 else {}
    keys = list(dict.fromkeys(key for values in kpis.values() for key in values))
    centers = [center.code for center in problem.work_centers]
    sequences: dict[str, dict[str, dict[str, list[list[Any]]]]] = {}
    for row in comparison.sequences().itertuples(index=False):
        day = sequences.setdefault(str(row.strategy), {}).setdefault(str(row.work_center), {})
        day.setdefault(json_ready(row.date), []).append([row.item, json_ready(row.qty)])
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
        "costs": {
            name: {part.removesuffix("_cost"): values.get(part) for part in COST_PARTS}
            for name, values in kpis.items()
        },
        "inventory_value": {
            name: problem.unit_cost @ result.evaluation.inventory
            for name, result in comparison.results.items()
        },
        "load": {
            code: {
                "capacity": problem.capacity[w],
                "overtime": problem.overtime_capacity[w],
                "load": {
                    name: result.evaluation.load[w] for name, result in comparison.results.items()
                },
            }
            for w, code in enumerate(centers)
        },
        "sequences": sequences,
    }
    return json_ready(view)  # type: ignore[no-any-return]


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
