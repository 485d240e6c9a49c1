"""How the pages and the API show recorded runs and KPI values.

The ``kpi`` template filter (:func:`format_kpi`), runs compared side by side,
and which of a run's output files this machine can serve.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from planner.evaluation.kpis import KPI, kpi_text
from planner.evaluation.winners import winners
from planner.runs.store import RunRecord

RUNS_SHOWN = 200
"""Most recorded runs listed at once."""


def kpi_label(key: str) -> str:
    """A KPI's label with its unit (:data:`planner.evaluation.kpis.KPI`), else its name."""
    kpi = KPI.get(key)
    return key if kpi is None else kpi.label


def format_kpi(value: Any, key: str) -> str:
    """A KPI value as the command line shows it (:func:`planner.evaluation.kpis.kpi_text`)."""
    return kpi_text(key, value)


def compared_runs(runs: list[RunRecord]) -> dict[str, Any]:
    """The KPIs of every strategy of every run side by side, with the best of each row.

    Returns
    -------
    dict
        ``columns`` (``key``, ``run``, ``label``, ``strategy`` each) and
        ``rows``: KPI name to ``values`` (by column key) and ``best`` (column keys).
    """
    columns: list[dict[str, Any]] = []
    kpis: dict[str, dict[str, Any]] = {}
    for record in runs:
        for strategy, values in record.kpis.items():
            key = f"{record.id}:{strategy}"
            kpis[key] = values
            label = f"run {record.id}: {record.plant}, {record.started_at:%Y-%m-%d %H:%M}"
            columns.append({"key": key, "run": record.id, "label": label, "strategy": strategy})
    best = winners(kpis) if len(kpis) > 1 else {}
    names = dict.fromkeys(name for values in kpis.values() for name in values)
    rows = {
        name: {
            "values": {key: values.get(name) for key, values in kpis.items()},
            "best": best.get(name, []),
        }
        for name in names
    }
    return {"columns": columns, "rows": rows}


def run_files(record: RunRecord) -> dict[str, Path]:
    """A run's output files that exist on this machine, as ``workbook`` and ``json``."""
    found = {"workbook": record.output_workbook, "json": record.output_json}
    return {kind: path for kind, path in found.items() if path is not None and path.is_file()}
