"""Write a simulation study as a workbook and a summary JSON.

The workbook has, in order:

``Summary``
    One row per strategy and KPI: mean over the replications, standard
    deviation, the 95 % confidence interval of the mean, minimum, maximum,
    the number of replications, the share of replications the strategy wins
    on that KPI and the KPI of its deterministic plan. The best mean of each
    KPI is highlighted. Above the table, the study in one line; below it,
    when ``mrp`` was simulated, the paired differences against it.
``Charts``
    Box plots (matplotlib pictures: Excel's native charts cannot draw box
    plots) of the main KPIs per strategy, the deterministic plan marked.
``Replications``
    Every KPI of every replication in long form: ``replication``,
    ``strategy``, ``kpi``, ``value``.
``Study``
    The settings: plant, seed, replications, uncertainty and options.
``Failures``
    Only when a replication failed: which, and why.

Conventions follow :mod:`planner.report.results_workbook`: a bold frozen
header row, autofilters on long sheets, NaN as a blank cell, the file written
under a temporary name and renamed.

The summary JSON (``allow_nan=False``; NaN becomes ``null``)::

    {"plant": {"name", "items", "work_centers", "bom_lines"},
     "horizon": {"start", "end", "days"},
     "study": {"strategies", "replications", "seed", "seconds",
               "uncertainty": {...}, "options": {...}},
     "summary": {strategy: {kpi: {"mean", "std", "ci_low", "ci_high",
                                  "min", "max", "n", "deterministic"}}},
     "wins": {"kpi": "total_cost", "shares": {strategy: share}},
     "paired_differences": {"kpi": "total_cost", "against": "mrp",
                            "strategies": {strategy: {"mean", "std", "ci_low",
                                                      "ci_high", "min", "max", "n"}}},
     "failures": [{"replication", "strategy", "error"}],
     "timed_out": [{"replication", "strategy", "timed_out"}],
     "replications": [{"replication", "strategy", "replans", "seconds", "timed_out",
                       "kpis": {...}}]}

``wins`` is present with two strategies or more, ``paired_differences`` when
``mrp`` and another strategy were simulated. ``timed_out`` lists the tasks
whose models the time cap stopped before their work limits (replication
-1: the plan of the forecast): only their numbers may differ on another run
with the same seed.
"""

from __future__ import annotations

import dataclasses
import io
import json
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pandas as pd
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from models import Problem
from models.mrp import MRP
from models.wording import counted
from planner.evaluation.kpis import excel_format
from planner.evaluation.winners import NO_WINNER, winners
from planner.report.files import json_ready, replaced_atomically, write_text_atomically
from planner.report.long_tables import write_long_table

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "BOX_PLOT_KPIS",
    "simulation_summary",
    "sweep_summary",
    "write_simulation_json",
    "write_simulation_workbook",
    "write_sweep_json",
    "write_sweep_workbook",
]

CONFIDENCE = 0.95
"""The confidence level of every interval a study reports."""


class _Outcome(Protocol):
    """What the writers read of one replication's outcome."""

    @property
    def replication(self) -> int: ...
    @property
    def strategy(self) -> str: ...
    @property
    def replans(self) -> int: ...
    @property
    def seconds(self) -> float: ...
    @property
    def timed_out(self) -> int: ...
    @property
    def kpis(self) -> Mapping[str, Any]: ...
    @property
    def ok(self) -> bool: ...


class SimulationStudy(Protocol):
    """What the writers read of a study (:class:`planner.simulation.study.SimulationStudy`)."""

    @property
    def problem(self) -> Problem: ...
    @property
    def strategies(self) -> tuple[str, ...]: ...
    @property
    def replications(self) -> int: ...
    @property
    def seed(self) -> int: ...
    @property
    def seconds(self) -> float: ...
    @property
    def uncertainty(self) -> Any: ...
    @property
    def options(self) -> Any: ...
    @property
    def outcomes(self) -> Sequence[_Outcome]: ...
    def summary(self, kpis: Sequence[str] | None = None) -> pd.DataFrame: ...
    def wins(self, kpi: str = ...) -> pd.Series: ...
    def kpis(self) -> pd.DataFrame: ...
    def failures(self) -> pd.DataFrame: ...
    def timed_out(self) -> pd.DataFrame: ...
    def paired_differences(self, kpi: str = ..., against: str = ...) -> pd.DataFrame: ...
    def plot_box(self, kpi: str = ..., ax: Axes | None = None) -> Axes: ...


class Sweep(Protocol):
    """What the writers read of a sweep (:class:`planner.simulation.sweep.Sweep`)."""

    @property
    def factors(self) -> tuple[str, ...]: ...
    @property
    def strategies(self) -> tuple[str, ...]: ...
    @property
    def points(self) -> Sequence[Any]: ...
    @property
    def replications(self) -> int: ...
    @property
    def seed(self) -> int | None: ...
    @property
    def seconds(self) -> float: ...
    def frame(self) -> pd.DataFrame: ...
    def winners(self, kpi: str = ...) -> pd.DataFrame: ...
    def frontier(self, cost: str = ..., inventory: str = ...) -> pd.DataFrame: ...
    def plot_frontier(
        self, cost: str = ..., inventory: str = ..., ax: Axes | None = None
    ) -> Axes: ...
    def plot_winner_map(self, *, ax: Axes | None = None) -> Axes: ...
    def failures(self) -> pd.DataFrame: ...


BOX_PLOT_KPIS = ("total_cost", "fill_rate", "avg_inventory_value", "backlog_unit_days", "setups")
"""The KPIs drawn as box plots in the ``Charts`` sheet (those the study has)."""

WIN_KPI = "total_cost"
"""The KPI the headline win shares are counted on."""

BASELINE = MRP.name
"""The strategy paired differences are taken against."""

_BEST_FILL = "#C6EFCE"
_SUMMARY_COLUMNS = (
    "strategy",
    "kpi",
    "mean",
    "ci_low",
    "ci_high",
    "std",
    "min",
    "max",
    "n",
    "win_share",
    "deterministic",
)


def summary_table(study: SimulationStudy) -> pd.DataFrame:
    """The ``Summary`` sheet: :meth:`SimulationStudy.summary` with each strategy's win share.

    Rows are grouped by KPI (the strategies side by side); ``win_share`` is
    NaN for KPIs without a winner or with a single strategy.
    """
    frame = study.summary()
    shares: dict[tuple[str, str], float] = {}
    if len(study.strategies) > 1:
        for kpi in frame["kpi"].unique():
            if kpi in NO_WINNER:
                continue
            for name, share in study.wins(kpi).items():
                shares[(str(name), str(kpi))] = float(share)
    frame["win_share"] = [
        shares.get((s, k), math.nan) for s, k in zip(frame["strategy"], frame["kpi"], strict=True)
    ]
    kpi_rank = {kpi: k for k, kpi in enumerate(dict.fromkeys(frame["kpi"]))}
    strategy_rank = {name: k for k, name in enumerate(study.strategies)}
    frame = frame.assign(
        _kpi=frame["kpi"].map(kpi_rank), _strategy=frame["strategy"].map(strategy_rank)
    ).sort_values(["_kpi", "_strategy"], kind="stable")
    return frame.loc[:, list(_SUMMARY_COLUMNS)].reset_index(drop=True)


def write_simulation_workbook(study: SimulationStudy, path: str | Path) -> None:
    """Write the simulation workbook (see the module docstring) to ``path``."""

    def fill(workbook: Any, bold: Any) -> None:
        _write_summary(workbook, study, bold)
        _write_charts(workbook, study, bold)
        dates = _dates(workbook)
        write_long_table(workbook, "Replications", study.kpis(), bold, dates)
        write_long_table(workbook, "Study", _study_frame(study), bold, dates)
        failures = study.failures()
        if len(failures):
            write_long_table(workbook, "Failures", failures, bold, dates)

    _write_workbook(path, fill)


def _write_workbook(path: str | Path, fill: Callable[[Any, Any], None]) -> None:
    """Create a workbook under a temporary name, let ``fill`` add its sheets, rename it."""
    with replaced_atomically(path) as temporary:
        workbook = xlsxwriter.Workbook(
            str(temporary), {"strings_to_formulas": False, "strings_to_urls": False}
        )
        fill(workbook, workbook.add_format({"bold": True}))
        workbook.close()


def _write_summary(workbook: Any, study: SimulationStudy, bold: Any) -> None:
    sheet = workbook.add_worksheet("Summary")
    table = summary_table(study)
    note = workbook.add_format({"italic": True, "font_color": "#595959"})
    sheet.write_string(0, 0, _headline(study), bold)
    sheet.write_string(
        1,
        0,
        f"mean and {_confidence_text()} confidence interval of the mean (Student t) over the "
        "replications that succeeded; win_share: share of replications in which the strategy "
        "is best on that KPI (ties shared); deterministic: the strategy's plan of the forecast. "
        "Green: the best mean of each KPI.",
        note,
    )
    header_row = 3
    sheet.write_row(header_row, 0, list(_SUMMARY_COLUMNS), bold)
    sheet.freeze_panes(header_row + 1, 2)
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, max(10, *(len(str(k)) + 2 for k in table["kpi"])) if len(table) else 10)
    sheet.set_column(2, len(_SUMMARY_COLUMNS) - 1, 14)
    formats: dict[tuple[str, bool], Any] = {}

    def number_format(pattern: str, best: bool) -> Any:
        if (pattern, best) not in formats:
            spec: dict[str, Any] = {"num_format": pattern}
            if best:
                spec |= {"bold": True, "bg_color": _BEST_FILL}
            formats[(pattern, best)] = workbook.add_format(spec)
        return formats[(pattern, best)]

    means: dict[str, dict[str, dict[str, float]]] = {}
    for record in table.to_dict("records"):
        kpi_means = means.setdefault(str(record["kpi"]), {})
        kpi_means[str(record["strategy"])] = {str(record["kpi"]): float(record["mean"])}
    best = {kpi: winners(values).get(kpi, []) for kpi, values in means.items()}
    row = header_row
    for entry in table.to_dict("records"):
        row += 1
        kpi, strategy = str(entry["kpi"]), str(entry["strategy"])
        pattern = excel_format(kpi)
        sheet.write_string(row, 0, strategy)
        sheet.write_string(row, 1, kpi)
        for column, name in enumerate(_SUMMARY_COLUMNS[2:], 2):
            value = entry[name]
            if value is None or (isinstance(value, float) and not math.isfinite(value)):
                continue
            if name == "n":
                sheet.write_number(row, column, int(value))
            elif name == "win_share":
                sheet.write_number(row, column, float(value), number_format("0%", False))
            else:
                highlight = name == "mean" and strategy in best.get(kpi, [])
                sheet.write_number(row, column, float(value), number_format(pattern, highlight))
    if len(table):
        sheet.autofilter(header_row, 0, row, len(_SUMMARY_COLUMNS) - 1)
    differences = _differences(study)
    if differences is not None:
        row += 2
        sheet.write_string(
            row,
            0,
            f"{WIN_KPI} minus {BASELINE}'s in the same replication (common random numbers): "
            "an interval that excludes 0 is a real difference.",
            note,
        )
        row += 1
        columns = list(differences.columns)
        sheet.write_row(row, 0, columns, bold)
        money = number_format(excel_format(WIN_KPI), False)
        for values in differences.itertuples(index=False, name=None):
            row += 1
            sheet.write_string(row, 0, str(values[0]))
            for column, value in enumerate(values[1:], 1):
                if isinstance(value, float) and not math.isfinite(value):
                    continue
                sheet.write_number(row, column, value, money if column < len(columns) - 1 else None)


def _differences(study: SimulationStudy) -> pd.DataFrame | None:
    if BASELINE not in study.strategies or len(study.strategies) < 2:
        return None
    if WIN_KPI not in study.kpis()["kpi"].to_numpy():
        return None
    return study.paired_differences(WIN_KPI, BASELINE)


def _confidence_text() -> str:
    """The confidence level of the intervals, as text (``95 %``)."""
    return f"{CONFIDENCE:.0%}".replace("%", " %")


def _headline(study: SimulationStudy) -> str:
    failed = len(study.failures())
    text = (
        f"{study.problem.name or 'plant'}: {counted(study.replications, 'replication')} of "
        f"{', '.join(study.strategies)}, seed {study.seed}"
    )
    return text + (f", {counted(failed, 'failed task')} (sheet Failures)" if failed else "")


def _write_charts(workbook: Any, study: SimulationStudy, bold: Any) -> None:
    """Box plots as pictures, two per row."""
    sheet = workbook.add_worksheet("Charts")
    sheet.write_string(0, 0, "Box plots over the replications (diamond: deterministic plan)", bold)
    known = set(study.kpis()["kpi"])
    for k, kpi in enumerate(kpi for kpi in BOX_PLOT_KPIS if kpi in known):

        def draw(figure: Figure, kpi: str = kpi) -> None:
            study.plot_box(kpi, ax=figure.subplots())

        _insert_picture(sheet, 2 + 21 * (k // 2), 10 * (k % 2), f"{kpi}.png", draw, (6, 4))


def _insert_picture(
    sheet: Worksheet,
    row: int,
    column: int,
    name: str,
    draw: Callable[[Figure], object],
    size: tuple[float, float],
) -> None:
    """Draw a matplotlib figure and insert it into ``sheet`` as a PNG picture."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=size, dpi=100)
    draw(figure)
    figure.tight_layout()
    picture = io.BytesIO()
    figure.savefig(picture, format="png")
    sheet.insert_image(row, column, name, {"image_data": picture, "object_position": 3})


def _study_frame(study: SimulationStudy) -> pd.DataFrame:
    rows: list[tuple[str, Any]] = [
        ("plant", study.problem.name),
        ("strategies", ", ".join(study.strategies)),
        ("replications", study.replications),
        ("seed", study.seed),
        ("seconds", round(study.seconds, 3)),
    ]
    rows += [(f"uncertainty.{k}", v) for k, v in dataclasses.asdict(study.uncertainty).items()]
    rows += [(f"options.{k}", v) for k, v in dataclasses.asdict(study.options).items()]
    return pd.DataFrame([(k, str(v)) for k, v in rows], columns=["setting", "value"])


def _dates(workbook: Any) -> Any:
    """The workbook's date format, for the dates of its long tables."""
    return workbook.add_format({"num_format": "yyyy-mm-dd"})


def simulation_summary(study: SimulationStudy) -> dict[str, Any]:
    """The summary JSON of a study as plain Python values (see the module docstring)."""
    problem = study.problem
    statistics = study.summary()
    document: dict[str, Any] = {
        "plant": {
            "name": problem.name,
            "items": problem.n_items,
            "work_centers": len(problem.work_centers),
            "bom_lines": len(problem.bom),
        },
        "horizon": {
            "start": problem.days[0].isoformat(),
            "end": problem.days[-1].isoformat(),
            "days": problem.n_days,
        },
        "study": {
            "strategies": list(study.strategies),
            "replications": study.replications,
            "seed": study.seed,
            "seconds": study.seconds,
            "uncertainty": dataclasses.asdict(study.uncertainty),
            "options": dataclasses.asdict(study.options),
        },
        "summary": {
            name: {
                str(row.kpi): {
                    key: getattr(row, key)
                    for key in (
                        "mean",
                        "std",
                        "ci_low",
                        "ci_high",
                        "min",
                        "max",
                        "n",
                        "deterministic",
                    )
                }
                for row in statistics[statistics["strategy"] == name].itertuples(index=False)
            }
            for name in study.strategies
        },
    }
    if len(study.strategies) > 1 and WIN_KPI in set(study.kpis()["kpi"]):
        document["wins"] = {"kpi": WIN_KPI, "shares": study.wins(WIN_KPI).to_dict()}
    differences = _differences(study)
    if differences is not None:
        document["paired_differences"] = {
            "kpi": WIN_KPI,
            "against": BASELINE,
            "strategies": {
                str(record["strategy"]): {k: v for k, v in record.items() if k != "strategy"}
                for record in differences.to_dict("records")
            },
        }
    document["failures"] = study.failures().to_dict("records")
    document["timed_out"] = study.timed_out().to_dict("records")
    document["replications"] = [
        {
            "replication": o.replication,
            "strategy": o.strategy,
            "replans": o.replans,
            "seconds": o.seconds,
            "timed_out": o.timed_out,
            "kpis": dict(o.kpis),
        }
        for o in study.outcomes
        if o.ok
    ]
    return json_ready(document)  # type: ignore[no-any-return]


def write_simulation_json(study: SimulationStudy, path: str | Path) -> None:
    """Write :func:`simulation_summary` as indented UTF-8 JSON, atomically."""
    text = json.dumps(simulation_summary(study), indent=2, ensure_ascii=False, allow_nan=False)
    write_text_atomically(Path(path), text + "\n")


def write_sweep_workbook(
    sweep: Sweep,
    path: str | Path,
    *,
    cost: str = "total_cost",
    inventory: str = "avg_inventory_value",
) -> None:
    """Write a sweep as a workbook.

    Sheets: ``Sweep`` (:meth:`Sweep.frame`, one row per grid point and
    strategy), ``Winners`` (the winner of each grid point on total cost),
    ``Frontier`` (cost against inventory, non-dominated points marked),
    ``Charts`` (the frontier and the winner map as pictures) and, when a
    plan or replication failed, ``Failures``.
    """

    def fill(workbook: Any, bold: Any) -> None:
        dates = _dates(workbook)
        write_long_table(workbook, "Sweep", sweep.frame(), bold, dates)
        write_long_table(workbook, "Winners", sweep.winners(), bold, dates)
        write_long_table(workbook, "Frontier", sweep.frontier(cost, inventory), bold, dates)
        sheet = workbook.add_worksheet("Charts")
        sheet.write_string(0, 0, "Cost against inventory, and the winner at each grid point", bold)
        _insert_picture(
            sheet,
            2,
            0,
            "frontier.png",
            lambda figure: sweep.plot_frontier(cost, inventory, ax=figure.subplots()),
            (7, 5),
        )
        _insert_picture(
            sheet,
            2,
            12,
            "winners.png",
            lambda figure: sweep.plot_winner_map(ax=figure.subplots()),
            (7, 5),
        )
        failures = sweep.failures()
        if len(failures):
            write_long_table(workbook, "Failures", failures, bold, dates)

    _write_workbook(path, fill)


def sweep_summary(sweep: Sweep) -> dict[str, Any]:
    """A sweep as plain JSON values.

    Keys: ``factors``, ``strategies``, ``replications`` (0: deterministic),
    ``seed``, ``seconds``; ``points``: per grid point, its factor ``values``,
    each strategy's KPIs (``strategies``; means when simulated, with ``n``,
    ``total_cost_ci_low``, ``total_cost_ci_high`` and ``win_share``) and the
    ``winner`` on total cost; ``frontier``: the non-dominated (grid point,
    strategy) pairs on total cost against average inventory value;
    ``failures``: failed plans or replications.
    """
    frame = sweep.frame()
    winners = sweep.winners()
    factors = list(sweep.factors)
    points = []
    for k, point in enumerate(sweep.points):
        mine = frame.iloc[k * len(sweep.strategies) : (k + 1) * len(sweep.strategies)]
        points.append(
            {
                "values": dict(point.values),
                "strategies": {
                    str(row["strategy"]): {
                        key: value
                        for key, value in row.items()
                        if key not in factors and key != "strategy" and value is not None
                    }
                    for row in mine.to_dict("records")
                },
                "winner": winners.iloc[k]["winner"],
            }
        )
    frontier = sweep.frontier()
    document = {
        "factors": factors,
        "strategies": list(sweep.strategies),
        "replications": sweep.replications,
        "seed": sweep.seed,
        "seconds": sweep.seconds,
        "points": points,
        "frontier": frontier[frontier["frontier"]].drop(columns="frontier").to_dict("records"),
        "failures": sweep.failures().to_dict("records"),
    }
    return json_ready(document)  # type: ignore[no-any-return]


def write_sweep_json(sweep: Sweep, path: str | Path) -> None:
    """Write :func:`sweep_summary` as indented UTF-8 JSON, atomically."""
    text = json.dumps(sweep_summary(sweep), indent=2, ensure_ascii=False, allow_nan=False)
    write_text_atomically(Path(path), text + "\n")
