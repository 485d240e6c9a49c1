"""A comparison as long tables: one pandas data frame per sheet of the output workbook.

Every function takes a :class:`~planner.evaluation.ComparedPlans` and returns a
data frame whose columns are those of the matching sheet of the workbook
contract (``spec/workbook.md``, "Output workbook"), in that order. Rows come
strategy by strategy, in the comparison's order. Items and work centers are
given by their codes, dates as :class:`datetime.date` values; a missing item,
work center or date is ``None``.

The frames are built from the plan and evaluation arrays with numpy, so a
plant of a thousand items over half a year turns into tables in a fraction
of a second.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from enum import Enum
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from models.mrp import MRP
from models.plan import PlanMessage
from models.problem import Problem
from planner.evaluation import ComparedPlans, StrategyResult
from planner.evaluation.kpis import REQUIRED
from planner.evaluation.types import START_TOLERANCE
from planner.evaluation.winners import finite_number

__all__ = [
    "BASELINE",
    "BUFFER_COLUMNS",
    "BUFFER_STATUS_COLUMNS",
    "BUILD_PLAN_COLUMNS",
    "INVENTORY_COLUMNS",
    "KANBAN_COLUMNS",
    "LEVELLING_COLUMNS",
    "LOAD_COLUMNS",
    "MESSAGES_COLUMNS",
    "PEGGING_COLUMNS",
    "SEQUENCE_COLUMNS",
    "SPEC_KPIS",
    "VIOLATIONS_COLUMNS",
    "ZONE_COLOURS",
    "buffer_frame",
    "build_plan_frame",
    "deltas_frame",
    "infeasibility",
    "infeasibility_text",
    "inventory_frame",
    "kanban_frame",
    "kpi_changes",
    "levelling_frame",
    "load_frame",
    "messages_frame",
    "pegging_frame",
    "sequence_frame",
    "strategy_kpis",
    "summary_frame",
    "violations_frame",
]

ObjectArray = npt.NDArray[np.object_]
FloatArray = npt.NDArray[np.float64]

BUILD_PLAN_COLUMNS = ("strategy", "item", "work_center", "start_date", "due_date", "qty")
INVENTORY_COLUMNS = ("strategy", "item", "date", "on_hand", "backlog")
LOAD_COLUMNS = ("strategy", "work_center", "date", "load", "capacity", "overtime", "overload")
SEQUENCE_COLUMNS = ("strategy", "date", "work_center", "position", "item", "qty")
BUFFER_COLUMNS = (
    "strategy",
    "item",
    "date",
    "adu",
    "decoupled_lead_time",
    "red",
    "yellow",
    "green",
    "top_of_yellow",
    "top_of_green",
    "on_hand",
    "on_order",
    "qualified_demand",
    "net_flow",
    "order_qty",
    "planning_status",
    "on_hand_status",
)
"""Columns of the ``Buffers`` sheet."""

BUFFER_STATUS_COLUMNS = ("planning_status", "on_hand_status")
"""The ``Buffers`` columns that name a zone (coloured in the workbook)."""

BUFFER_ZONES = ("red", "yellow", "green", "over")
"""A buffer's zones, low to high; ``stockout`` below them for stock on hand."""

ZONE_COLOURS = {
    "stockout": "#7F0000",
    "red": "#F4B6B6",
    "yellow": "#FFF2A8",
    "green": "#C6EFCE",
    "over": "#BDD7EE",
}
"""The colour of each buffer zone (DDMRP's usual ones): the ``Buffers`` sheet, the buffer chart."""

KANBAN_COLUMNS = (
    "item",
    "container_qty",
    "cards",
    "max_inventory",
    "daily_usage",
    "lead_time",
    "interval_days",
    "trigger_level",
    "peak_inventory",
    "cycle_stock",
    "lead_time_stock",
    "safety_stock",
    "lot_containers",
)
LEVELLING_COLUMNS = (
    "strategy",
    "work_center",
    "available_minutes",
    "daily_units",
    "takt_time",
    "epei_days",
    "setup_minutes_per_cycle",
)
MESSAGES_COLUMNS = ("level", "strategy", "item", "date", "message")
PEGGING_COLUMNS = (
    "strategy",
    "item",
    "start_date",
    "order_qty",
    "pegged_qty",
    "serves",
    "demand_item",
    "demand_date",
)
VIOLATIONS_COLUMNS = ("strategy", "kind", "item", "work_center", "date", "size", "message")

SPEC_KPIS = REQUIRED
"""The KPIs the contract requires of every strategy, in the evaluator's order."""


def strategy_kpis(result: StrategyResult) -> dict[str, Any]:
    """The KPIs of one strategy, as reported in the Summary sheet and the summary JSON.

    These are the evaluation's KPIs in their order, enumerations replaced
    by their values and numpy scalars by plain Python numbers. A KPI of
    :data:`SPEC_KPIS` the evaluation lacks is added: ``status``, ``bound``,
    ``gap`` and ``solve_seconds`` from the plan, any other as ``None``.

    Parameters
    ----------
    result
        One strategy's plan and evaluation.

    Returns
    -------
    dict
        KPI name to value.
    """
    kpis = dict(result.evaluation.kpis)
    plan = result.plan
    from_plan = {
        "solve_seconds": plan.seconds,
        "status": plan.status,
        "bound": plan.bound,
        "gap": plan.gap,
    }
    for name in SPEC_KPIS:
        kpis.setdefault(name, from_plan.get(name))
    return {name: _scalar(value) for name, value in kpis.items()}


def summary_frame(comparison: ComparedPlans) -> pd.DataFrame:
    """The KPI table: one row per KPI, one column per strategy.

    Parameters
    ----------
    comparison
        The strategies to report, in their order.

    Returns
    -------
    pandas.DataFrame
        Columns ``kpi`` and one per strategy. The rows are the union of the
        strategies' KPIs in first-seen order; a KPI a strategy lacks is
        ``None`` in its column.
    """
    per_strategy = {name: strategy_kpis(r) for name, r in comparison.results.items()}
    names: dict[str, None] = {}
    for kpis in per_strategy.values():
        names.update(dict.fromkeys(kpis))
    columns: dict[str, Any] = {"kpi": _objects(list(names))}
    for strategy, kpis in per_strategy.items():
        columns[strategy] = _objects([kpis.get(name) for name in names])
    return pd.DataFrame(columns, columns=["kpi", *per_strategy])


def infeasibility(comparison: ComparedPlans) -> dict[str, dict[str, int]]:
    """The plans that break a rule: per strategy, how many violations of each kind.

    A plan named here never wins a KPI row; feasible plans are left out.
    """
    found = {}
    for name, result in comparison.results.items():
        kinds = Counter(str(v.kind) for v in result.evaluation.violations)
        if kinds:
            found[name] = dict(sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])))
    return found


def infeasibility_text(name: str, kinds: Mapping[str, int]) -> str:
    """One line on an infeasible plan: its violations by kind."""
    total = sum(kinds.values())
    listed = ", ".join(f"{kind} {count}" for kind, count in kinds.items())
    noun = "violation" if total == 1 else "violations"
    return f"{name} is infeasible: {total} {noun} ({listed}); it wins no row"


BASELINE = MRP.name
"""The strategy every other one is measured against in :func:`kpi_changes`."""


def kpi_changes(
    comparison: ComparedPlans, baseline: str = BASELINE
) -> dict[str, dict[str, float | None]]:
    """Each strategy's KPIs as a change against the baseline's, in percent.

    For every KPI with a number for at least one strategy (``status`` and
    other text left out), the change of strategy s is ``100 x (s - base) /
    |base|``: -25 means a quarter less than ``mrp``. It is 0 when both are 0
    and None when the baseline is 0 and s is not, or either value is
    missing. Whether a change is good depends on the KPI (lower cost is
    better, a higher fill rate is better): see ``docs/kpis.md``.

    Parameters
    ----------
    comparison
        The strategies compared.
    baseline
        The strategy to compare against.

    Returns
    -------
    dict
        Strategy (every one but the baseline, in the comparison's order) to
        KPI name (in the Summary's order) to percent change; empty when the
        comparison has no baseline.
    """
    if baseline not in comparison.results:
        return {}
    per_strategy = {name: strategy_kpis(r) for name, r in comparison.results.items()}
    names: dict[str, None] = {}
    for kpis in per_strategy.values():
        names.update(dict.fromkeys(k for k, v in kpis.items() if finite_number(v) is not None))
    base = per_strategy[baseline]
    return {
        strategy: {name: _change(kpis.get(name), base.get(name)) for name in names}
        for strategy, kpis in per_strategy.items()
        if strategy != baseline
    }


def deltas_frame(comparison: ComparedPlans, baseline: str = BASELINE) -> pd.DataFrame:
    """The KPI changes against ``mrp`` as a table next to :func:`summary_frame`.

    Returns
    -------
    pandas.DataFrame
        Columns ``kpi`` and one per strategy other than the baseline, holding
        :func:`kpi_changes` (percent; None where undefined). Only ``kpi``, and
        no rows, when the comparison has no baseline or no other strategy.
    """
    changes = kpi_changes(comparison, baseline)
    names = list(next(iter(changes.values()), {}))
    columns: dict[str, Any] = {"kpi": _objects(names)}
    for strategy, values in changes.items():
        columns[strategy] = _objects([values[name] for name in names])
    return pd.DataFrame(columns, columns=["kpi", *changes])


def _change(value: Any, base: Any) -> float | None:
    number, baseline = finite_number(value), finite_number(base)
    if number is None or baseline is None:
        return None
    if baseline == 0:
        return 0.0 if number == 0 else None
    return 100.0 * (number - baseline) / abs(baseline)


def build_plan_frame(comparison: ComparedPlans) -> pd.DataFrame:
    """Every planned order: what to start, where, when, and when it is due.

    Parameters
    ----------
    comparison
        The strategies to report, in their order.

    Returns
    -------
    pandas.DataFrame
        Columns ``strategy, item, work_center, start_date, due_date, qty``:
        one row per item and working day with a start above the evaluator's
        tolerance (the starts it counts as orders), by start date then item.
        ``work_center`` is ``None`` for purchased items; ``due_date`` is the
        working day ``lead_time`` days after the start, also when it falls
        past the horizon.
    """
    problem = comparison.problem
    items, centers = _item_codes(problem), _center_codes(problem, with_none=True)
    lead_time = np.asarray(problem.lead_time, dtype=np.int64)
    frames = []
    for name, result in comparison.results.items():
        starts = np.asarray(result.plan.starts, dtype=float)
        day, item = np.nonzero(starts.T > START_TOLERANCE)
        frames.append(
            {
                "strategy": _repeat(name, len(item)),
                "item": items[item],
                "work_center": centers[problem.item_work_center[item]],
                "start_date": _dates(problem, day),
                "due_date": _dates(problem, day + lead_time[item]),
                "qty": starts[item, day],
            }
        )
    return _concat(frames, BUILD_PLAN_COLUMNS, optional=("work_center",))


def inventory_frame(comparison: ComparedPlans) -> pd.DataFrame:
    """Projected inventory and backlog of every item at the end of every working day.

    Parameters
    ----------
    comparison
        The strategies to report, in their order.

    Returns
    -------
    pandas.DataFrame
        Columns ``strategy, item, date, on_hand, backlog``, item by item and
        day by day within each strategy.
    """
    problem = comparison.problem
    n_items, n_days = problem.n_items, problem.n_days
    item = np.repeat(np.arange(n_items), n_days)
    dates = np.tile(_dates(problem, np.arange(n_days)), n_items)
    items = _item_codes(problem)[item]
    frames = []
    for name, result in comparison.results.items():
        evaluation = result.evaluation
        frames.append(
            {
                "strategy": _repeat(name, len(item)),
                "item": items,
                "date": dates,
                "on_hand": np.asarray(evaluation.inventory, dtype=float).reshape(-1),
                "backlog": np.asarray(evaluation.backlog, dtype=float).reshape(-1),
            }
        )
    return _concat(frames, INVENTORY_COLUMNS)


def load_frame(comparison: ComparedPlans) -> pd.DataFrame:
    """Load, regular capacity, overtime and overload of every work center and day (minutes).

    Parameters
    ----------
    comparison
        The strategies to report, in their order.

    Returns
    -------
    pandas.DataFrame
        Columns ``strategy, work_center, date, load, capacity, overtime,
        overload``, work center by work center and day by day within each
        strategy.
    """
    problem = comparison.problem
    n_centers, n_days = len(problem.work_centers), problem.n_days
    center = np.repeat(np.arange(n_centers), n_days)
    dates = np.tile(_dates(problem, np.arange(n_days)), n_centers)
    centers = _center_codes(problem)[center]
    capacity = np.asarray(problem.capacity, dtype=float).reshape(-1)
    frames = []
    for name, result in comparison.results.items():
        evaluation = result.evaluation
        frames.append(
            {
                "strategy": _repeat(name, len(center)),
                "work_center": centers,
                "date": dates,
                "load": np.asarray(evaluation.load, dtype=float).reshape(-1),
                "capacity": capacity,
                "overtime": np.asarray(evaluation.overtime, dtype=float).reshape(-1),
                "overload": np.asarray(evaluation.overload, dtype=float).reshape(-1),
            }
        )
    return _concat(frames, LOAD_COLUMNS)


def sequence_frame(comparison: ComparedPlans) -> pd.DataFrame:
    """The daily build sequences of the plans that have them.

    Parameters
    ----------
    comparison
        The strategies to report, in their order.

    Returns
    -------
    pandas.DataFrame
        Columns ``strategy, date, work_center, position, item, qty``: one row
        per position, by date, then work center, then position (numbered
        from 1). Empty, with these columns, when no plan is sequenced.
    """
    problem = comparison.problem
    items, centers = _item_codes(problem), _center_codes(problem)
    frames = []
    for name, result in comparison.results.items():
        keys = sorted(result.plan.sequences, key=lambda key: (key[1], key[0]))
        runs = [result.plan.sequences[key] for key in keys]
        lengths = np.array([len(run) for run in runs], dtype=np.int64)
        positions = [position for run in runs for position in run]
        center = np.repeat(np.array([k[0] for k in keys], dtype=np.int64), lengths)
        day = np.repeat(np.array([k[1] for k in keys], dtype=np.int64), lengths)
        first = np.cumsum(lengths) - lengths
        frames.append(
            {
                "strategy": _repeat(name, len(positions)),
                "date": _dates(problem, day),
                "work_center": centers[center],
                "position": np.arange(len(positions), dtype=np.int64)
                - np.repeat(first, lengths)
                + 1,
                "item": items[np.array([p[0] for p in positions], dtype=np.int64)],
                "qty": np.array([p[1] for p in positions], dtype=float),
            }
        )
    return _concat(frames, SEQUENCE_COLUMNS)


def kanban_frame(comparison: ComparedPlans) -> pd.DataFrame:
    """The kanban loops of the pull strategy: container size, cards and inventory cap.

    The first strategy in the comparison's order whose plan has kanban loops
    (``heijunka``) fills the table, parents before their components.

    Parameters
    ----------
    comparison
        The strategies to report, in their order.

    Returns
    -------
    pandas.DataFrame
        Columns ``item, container_qty, cards, max_inventory`` (the loop's design
        maximum, cards x container) and then ``daily_usage, lead_time,
        interval_days, trigger_level, peak_inventory`` (what the pull
        simulation held at most), and the sizing terms ``cycle_stock,
        lead_time_stock, safety_stock`` (units) and ``lot_containers`` (the
        smallest order; more than one: a signal kanban); empty, with these
        columns, when no plan has kanban loops.
    """
    problem = comparison.problem
    for result in comparison.results.values():
        loops = result.plan.kanban
        if loops:
            return pd.DataFrame(
                {
                    "item": [_item_code(problem, loop.item) for loop in loops],
                    "container_qty": _numbers(loop.container_qty for loop in loops),
                    "cards": _numbers(loop.cards for loop in loops),
                    "max_inventory": _numbers(loop.max_inventory for loop in loops),
                    "daily_usage": _numbers(loop.daily_usage for loop in loops),
                    "lead_time": _numbers(loop.lead_time for loop in loops),
                    "interval_days": _numbers(loop.interval for loop in loops),
                    "trigger_level": _numbers(loop.trigger_level for loop in loops),
                    "peak_inventory": _numbers(loop.peak_inventory for loop in loops),
                    "cycle_stock": _numbers(loop.cycle_stock for loop in loops),
                    "lead_time_stock": _numbers(loop.lead_time_stock for loop in loops),
                    "safety_stock": _numbers(loop.safety_stock for loop in loops),
                    "lot_containers": _numbers(loop.lot_containers for loop in loops),
                },
                columns=list(KANBAN_COLUMNS),
            )
    return _empty(KANBAN_COLUMNS)


def buffer_frame(comparison: ComparedPlans) -> pd.DataFrame:
    """The decoupling buffers of demand-driven plans, day by day.

    Parameters
    ----------
    comparison
        The strategies to report, in their order.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`BUFFER_COLUMNS`: per strategy with buffers
        (``ddmrp``), buffered item and working day, the average daily usage,
        decoupled lead time, the red, yellow and green zones and the tops of
        yellow and green (units), stock on hand at the start of the day, open
        supply, qualified demand, net flow position and the quantity
        ordered; ``planning_status`` is the zone the net flow position is in
        (at or below top of red: ``red``, of yellow: ``yellow``, of green:
        ``green``, above: ``over``) and ``on_hand_status`` the zone of the
        stock on hand (``stockout`` when none). Empty, with these columns,
        when no plan has buffers.
    """
    problem = comparison.problem
    frames = []
    for name, result in comparison.results.items():
        buffers = result.plan.buffers
        if not buffers:
            continue
        n_days = problem.n_days
        columns = {
            column: np.concatenate([getattr(b, field) for b in buffers])
            for column, field in _BUFFER_SERIES.items()
        }
        items = np.repeat(np.array([b.item for b in buffers], dtype=np.int64), n_days)
        lead = np.repeat(np.array([b.decoupled_lead_time for b in buffers]), n_days)
        zones = columns["red"], columns["top_of_yellow"], columns["top_of_green"]
        on_hand_zone = _zones(columns["on_hand"], *zones)
        columns.update(
            strategy=_repeat(name, len(items)),
            item=_item_codes(problem)[items],
            date=np.tile(_dates(problem, np.arange(n_days)), len(buffers)),
            decoupled_lead_time=lead,
            planning_status=_zones(columns["net_flow"], *zones),
            on_hand_status=np.where(columns["on_hand"] <= 0, "stockout", on_hand_zone),
        )
        frames.append(columns)
    return _concat(frames, BUFFER_COLUMNS)


_BUFFER_SERIES = {
    "adu": "adu",
    "red": "red",
    "yellow": "yellow",
    "green": "green",
    "top_of_yellow": "top_of_yellow",
    "top_of_green": "top_of_green",
    "on_hand": "on_hand",
    "on_order": "on_order",
    "qualified_demand": "qualified",
    "net_flow": "net_flow",
    "order_qty": "ordered",
}
"""``Buffers`` columns taken from each :class:`models.plan.Buffer`'s daily series, by attribute."""


def _zones(values: FloatArray, red: FloatArray, toy: FloatArray, tog: FloatArray) -> ObjectArray:
    """The zone of :data:`BUFFER_ZONES` each value is in."""
    tolerance = 1e-9
    chosen = np.select(
        [values <= red + tolerance, values <= toy + tolerance, values <= tog + tolerance],
        list(BUFFER_ZONES[:3]),
        default=BUFFER_ZONES[3],
    )
    return chosen.astype(object)


def levelling_frame(comparison: ComparedPlans) -> pd.DataFrame:
    """Takt time and EPEI of every work center in each pull plan.

    Returns
    -------
    pandas.DataFrame
        Columns ``strategy, work_center, available_minutes`` (average regular
        capacity per day), ``daily_units`` (levelled units demanded per day),
        ``takt_time`` (minutes per levelled unit; blank without levelled
        items), ``epei_days`` (every part every N days) and
        ``setup_minutes_per_cycle``.
    """
    problem = comparison.problem
    rows = [
        (
            name,
            problem.work_centers[level.work_center].code,
            level.available_minutes,
            level.daily_units,
            level.takt_time,
            level.epei,
            level.setup_minutes,
        )
        for name, result in comparison.results.items()
        for level in result.plan.levelling
    ]
    return _from_rows(rows, LEVELLING_COLUMNS)


def messages_frame(comparison: ComparedPlans) -> pd.DataFrame:
    """Every message about the plans: the strategies' own, the evaluator's, and the violations.

    Parameters
    ----------
    comparison
        The strategies to report, in their order.

    Returns
    -------
    pandas.DataFrame
        Columns ``level, strategy, item, date, message``. For each strategy
        come the plan's messages, then the evaluation's, then one ``error``
        per violation.
    """
    problem = comparison.problem
    rows: list[tuple[Any, ...]] = []
    for name, result in comparison.results.items():
        messages: Iterable[PlanMessage] = (*result.plan.messages, *result.evaluation.messages)
        rows += [
            (
                _scalar(m.level),
                name,
                _item_code(problem, m.item),
                _date_or_none(problem, m.day),
                m.text,
            )
            for m in messages
        ]
        rows += [("error", name, v.item, v.day, v.message) for v in result.evaluation.violations]
    return _from_rows(rows, MESSAGES_COLUMNS)


def pegging_frame(comparison: ComparedPlans) -> pd.DataFrame:
    """What each planned order is for: demand, safety stock or surplus.

    Parameters
    ----------
    comparison
        The strategies to report, in their order.

    Returns
    -------
    pandas.DataFrame
        Columns ``strategy, item, start_date, order_qty, pegged_qty, serves,
        demand_item, demand_date``: one row per peg. ``serves`` is
        ``demand``, ``safety_stock`` or ``surplus``; the demand columns are
        ``None`` unless it is ``demand``.
    """
    problem = comparison.problem
    items = _item_codes(problem)
    rows: list[tuple[Any, ...]] = []
    for name, result in comparison.results.items():
        rows += [
            (
                name,
                items[peg.item],
                _date_or_none(problem, peg.start_day),
                float(peg.order_qty),
                float(peg.qty),
                _scalar(peg.kind),
                _item_code(problem, peg.demand_item),
                _date_or_none(problem, peg.demand_day),
            )
            for peg in result.pegging
        ]
    return _from_rows(rows, PEGGING_COLUMNS)


def violations_frame(comparison: ComparedPlans) -> pd.DataFrame:
    """Every rule a plan breaks, located and sized.

    Parameters
    ----------
    comparison
        The strategies to report, in their order.

    Returns
    -------
    pandas.DataFrame
        Columns ``strategy, kind, item, work_center, date, size, message``.
    """
    rows: list[tuple[Any, ...]] = []
    for name, result in comparison.results.items():
        rows += [
            (name, _scalar(v.kind), v.item, v.work_center, v.day, float(v.size), v.message)
            for v in result.evaluation.violations
        ]
    return _from_rows(rows, VIOLATIONS_COLUMNS)


FRAMES: dict[str, Callable[[ComparedPlans], pd.DataFrame]] = {
    "Summary": summary_frame,
    "BuildPlan": build_plan_frame,
    "Inventory": inventory_frame,
    "Load": load_frame,
    "Sequence": sequence_frame,
    "Kanban": kanban_frame,
    "Messages": messages_frame,
    "Buffers": buffer_frame,
    "Levelling": levelling_frame,
    "Pegging": pegging_frame,
    "Violations": violations_frame,
}
"""The sheets of the output workbook, in order, and the function that builds each."""


def _objects(values: Sequence[Any]) -> ObjectArray:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _item_codes(problem: Problem) -> ObjectArray:
    return _objects([item.code for item in problem.items])


def _center_codes(problem: Problem, *, with_none: bool = False) -> ObjectArray:
    codes: list[str | None] = [w.code for w in problem.work_centers]
    if with_none:
        codes.append(None)
    return _objects(codes)


def _item_code(problem: Problem, item: Any) -> str | None:
    if item is None or isinstance(item, str):
        return item
    return problem.items[int(item)].code


def _repeat(value: str, count: int) -> ObjectArray:
    array = np.empty(count, dtype=object)
    array.fill(value)
    return array


def _dates(problem: Problem, days: npt.NDArray[np.int64]) -> ObjectArray:
    """The dates of working-day indices, also past the horizon, as an object array."""
    days = np.asarray(days, dtype=np.int64)
    if days.size == 0:
        return np.empty(0, dtype=object)
    unique, inverse = np.unique(days, return_inverse=True)
    known = _objects([_date_or_none(problem, int(t)) for t in unique])
    return known[inverse.reshape(days.shape)]


def _date_or_none(problem: Problem, day: int | None) -> date | None:
    if day is None or day < 0:
        return None
    return problem.date_of(int(day))


def _scalar(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, np.generic):
        return value.item()
    return value


def _numbers(values: Iterable[Any]) -> list[Any]:
    return [_scalar(value) for value in values]


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series([], dtype=object) for name in columns})


def _concat(
    frames: list[dict[str, Any]], columns: Sequence[str], optional: Sequence[str] = ()
) -> pd.DataFrame:
    """Join per-strategy column arrays into one frame; optional text columns keep ``None``."""
    if not frames:
        return _empty(columns)
    data: dict[str, Any] = {}
    for name in columns:
        joined = np.concatenate([frame[name] for frame in frames])
        data[name] = pd.Series(joined, dtype=object) if name in optional else joined
    return pd.DataFrame(data, columns=list(columns))


def _from_rows(rows: list[tuple[Any, ...]], columns: Sequence[str]) -> pd.DataFrame:
    """A frame of object columns, so that ``None`` stays ``None`` in text and date columns."""
    if not rows:
        return _empty(columns)
    data = {
        name: pd.Series(_objects([row[k] for row in rows]), dtype=object)
        for k, name in enumerate(columns)
    }
    frame = pd.DataFrame(data, columns=list(columns))
    for name in ("order_qty", "pegged_qty", "size"):
        if name in frame:
            frame[name] = frame[name].astype(float)
    return frame
