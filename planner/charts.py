"""Charts of a comparison with Plotly: costs, inventory, load, Gantt, heijunka box, buffers.

A chart is drawn in two steps, so that it can be drawn long after its plans
are gone. :func:`chart_piece` reduces a comparison to the plain, JSON-ready
series of one chart (:func:`chart_pieces` gives every piece of a comparison;
the run store keeps them with each recorded run, whichever way the run was
made), and :func:`figure` draws a Plotly figure from a piece. The web page,
the API and the notebooks' ``Comparison.plot_*`` methods all draw with the
same functions, so a chart shows the same numbers as the workbook.

The charts, by :class:`ChartKind`:

- ``costs``: total cost per strategy, stacked by its six parts;
- ``inventory``: inventory value (on hand x unit cost) per working day;
- ``load``: one work center's daily load per strategy against its regular
  capacity and its capacity with overtime;
- ``gantt``: one strategy's build plan on one work center, one bar per
  campaign (consecutive working days building one item);
- ``box``: one strategy's heijunka box on one work center: the item in each
  slot of each day's sequence (plans that sequence their days);
- ``buffer``: one decoupling buffer of a demand-driven plan: its red,
  yellow and green zones as bands, its net flow position, stock on hand
  and orders, day by day.

Plotly is imported only when a figure is drawn.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import numpy as np

from models.wording import counted
from planner.evaluation.kpis import COST_PARTS
from planner.evaluation.types import START_TOLERANCE
from planner.report.files import json_ready
from planner.tables import ZONE_COLOURS

if TYPE_CHECKING:
    from plotly.graph_objects import Figure

    from planner.evaluation import ComparedPlans

COST_COLOURS = ("#4e79a7", "#59a14f", "#e15759", "#f28e2b", "#b07aa1", "#9c755f")
"""The colour of each cost part, in :data:`COST_PARTS` order."""

STRATEGY_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")
"""The line colour of each strategy, in the comparison's order."""

PLOTLY_CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "responsive": True,
    "toImageButtonOptions": {"format": "png", "scale": 2},
}
"""How the page shows a figure: zoom, pan and PNG export in the mode bar, no logo."""


class ChartKind(StrEnum):
    """The charts a comparison has (see the module docstring)."""

    COSTS = "costs"
    INVENTORY = "inventory"
    LOAD = "load"
    GANTT = "gantt"
    BOX = "box"
    BUFFER = "buffer"

    @property
    def per_strategy(self) -> bool:
        """Whether the chart shows one strategy (chosen) rather than all side by side."""
        return self in (ChartKind.GANTT, ChartKind.BOX, ChartKind.BUFFER)

    @property
    def per_work_center(self) -> bool:
        """Whether the chart shows one work center (chosen)."""
        return self in (ChartKind.LOAD, ChartKind.GANTT, ChartKind.BOX)

    @property
    def per_item(self) -> bool:
        """Whether the chart shows one item (chosen)."""
        return self is ChartKind.BUFFER


@dataclass(frozen=True)
class ChartKey:
    """Which chart a piece draws: its kind, and the strategy, work center and item it shows.

    ``strategy``, ``work_center`` and ``item`` are ``""`` where the kind
    does not choose one (e.g. the costs of every strategy).
    """

    kind: ChartKind
    strategy: str = ""
    work_center: str = ""
    item: str = ""

    @classmethod
    def of(
        cls, kind: ChartKind | str, strategy: str = "", work_center: str = "", item: str = ""
    ) -> ChartKey:
        """The key of a chart, keeping only the choices its kind makes.

        Raises
        ------
        ChartError
            When no chart is named ``kind``.
        """
        kind = chart_kind(kind)
        return cls(
            kind,
            strategy if kind.per_strategy else "",
            work_center if kind.per_work_center else "",
            item if kind.per_item else "",
        )

    def to_dict(self) -> dict[str, str]:
        """The key as JSON: ``kind``, ``strategy``, ``work_center``, ``item``."""
        return {
            "kind": self.kind.value,
            "strategy": self.strategy,
            "work_center": self.work_center,
            "item": self.item,
        }

    def describe(self) -> str:
        """The chart in words, e.g. ``gantt of batch on ASM1``."""
        text = self.kind.value
        if self.kind.per_strategy:
            text += f" of {self.strategy or '(no strategy given)'}"
        if self.kind.per_work_center:
            text += f" on {self.work_center or '(no work center given)'}"
        if self.kind.per_item:
            text += f" for {self.item or '(no item given)'}"
        return text


class ChartError(KeyError):
    """A chart that the comparison does not have (unknown kind, strategy or work center)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "no such chart"


def chart_keys(comparison: ComparedPlans) -> list[ChartKey]:
    """Every chart of a comparison; the box only for plans that sequence their days, the
    buffers only for plans that have them."""
    problem = comparison.problem
    centers = [center.code for center in problem.work_centers]
    keys = [ChartKey(ChartKind.COSTS), ChartKey(ChartKind.INVENTORY)]
    keys += [ChartKey(ChartKind.LOAD, "", code) for code in centers]
    for name, result in comparison.results.items():
        keys += [ChartKey(ChartKind.GANTT, name, code) for code in centers]
        sequenced = sorted({w for w, _t in result.plan.sequences})
        keys += [ChartKey(ChartKind.BOX, name, centers[w]) for w in sequenced]
        codes = [problem.items[buffer.item].code for buffer in result.plan.buffers]
        keys += [ChartKey(ChartKind.BUFFER, name, "", code) for code in codes]
    return keys


def chart_pieces(comparison: ComparedPlans) -> Iterator[tuple[ChartKey, dict[str, Any]]]:
    """Every chart of a comparison with its series (:func:`chart_keys`, :func:`chart_piece`)."""
    for key in chart_keys(comparison):
        yield key, chart_piece(comparison, key)


def chart_piece(comparison: ComparedPlans, key: ChartKey) -> dict[str, Any]:
    """The JSON-ready series of one chart of a comparison.

    Raises
    ------
    ChartError
        When the comparison has no such strategy or work center.
    """
    problem = comparison.problem
    plant = problem.name or "plant"
    days = [day.isoformat() for day in problem.days]
    if key.kind is ChartKind.COSTS:
        costs = {
            name: {part: result.evaluation.kpis.get(part) for part in COST_PARTS}
            for name, result in comparison.results.items()
        }
        return json_ready({"plant": plant, "costs": costs})  # type: ignore[no-any-return]
    if key.kind is ChartKind.INVENTORY:
        value = {
            name: problem.unit_cost @ result.evaluation.inventory
            for name, result in comparison.results.items()
        }
        return json_ready({"plant": plant, "days": days, "value": value})  # type: ignore[no-any-return]
    if key.kind is ChartKind.BUFFER:
        return _buffer_piece(comparison, key)
    w = _work_center(comparison, key.work_center)
    if key.kind is ChartKind.LOAD:
        load = {name: result.evaluation.load[w] for name, result in comparison.results.items()}
        piece = {
            "work_center": key.work_center,
            "days": days,
            "capacity": problem.capacity[w],
            "overtime": problem.overtime_capacity[w],
            "load": load,
        }
        return json_ready(piece)  # type: ignore[no-any-return]
    if key.strategy not in comparison.results:
        raise ChartError(f"the comparison has no strategy {key.strategy!r}")
    plan = comparison.results[key.strategy].plan
    if key.kind is ChartKind.GANTT:
        campaigns = _campaigns(comparison, plan.starts, w)
        piece = {"strategy": key.strategy, "work_center": key.work_center, "campaigns": campaigns}
        return json_ready(piece)  # type: ignore[no-any-return]
    slots = [
        [days[t], [[problem.items[item].code, qty] for item, qty in plan.sequences[(w, t)]]]
        for t in range(problem.n_days)
        if (w, t) in plan.sequences
    ]
    piece = {"strategy": key.strategy, "work_center": key.work_center, "days": slots}
    return json_ready(piece)  # type: ignore[no-any-return]


def _buffer_piece(comparison: ComparedPlans, key: ChartKey) -> dict[str, Any]:
    problem = comparison.problem
    if key.strategy not in comparison.results:
        raise ChartError(f"the comparison has no strategy {key.strategy!r}")
    buffers = comparison.results[key.strategy].plan.buffers
    found = [b for b in buffers if problem.items[b.item].code == key.item]
    if not found:
        raise ChartError(f"{key.strategy} has no buffer of {key.item!r}")
    (buffer,) = found
    piece = {
        "strategy": key.strategy,
        "item": key.item,
        "days": [day.isoformat() for day in problem.days],
        "decoupled_lead_time": buffer.decoupled_lead_time,
        **{
            name: getattr(buffer, name)
            for name in ("red", "yellow", "green", "net_flow", "on_hand", "ordered")
        },
    }
    return json_ready(piece)  # type: ignore[no-any-return]


def _work_center(comparison: ComparedPlans, code: str) -> int:
    index = comparison.problem.work_center_index
    if code not in index:
        raise ChartError(f"the plant has no work center {code!r}")
    return index[code]


def _campaigns(comparison: ComparedPlans, starts: Any, w: int) -> list[list[Any]]:
    """One work center's campaigns: ``[item, first day, last day, days, qty, minutes]`` each.

    A campaign is a run of consecutive working days with a start of one item;
    its minutes are the run time of its quantity and a setup per day.
    """
    problem = comparison.problem
    days = problem.days
    run_time, setup_time = problem.run_time, problem.setup_time
    campaigns: list[list[Any]] = []
    for i in np.flatnonzero(problem.item_work_center == w).tolist():
        row = np.asarray(starts[i], dtype=float)
        built = np.flatnonzero(row > START_TOLERANCE)
        if not built.size:
            continue
        for run in np.split(built, np.flatnonzero(np.diff(built) > 1) + 1):
            qty = float(row[run].sum())
            minutes = qty * float(run_time[i]) + len(run) * float(setup_time[i])
            first, last = int(run[0]), int(run[-1])
            code = problem.items[i].code
            campaigns.append([code, days[first], days[last], len(run), qty, minutes])
    campaigns.sort(key=lambda campaign: (campaign[1], campaign[0]))
    return campaigns


# Figures ------------------------------------------------------------------------------


def figure(kind: ChartKind | str, piece: Mapping[str, Any]) -> Figure:
    """The Plotly figure of one chart piece (made by :func:`chart_piece`).

    Raises
    ------
    ChartError
        When ``kind`` is not a chart.
    """
    draw = {
        ChartKind.COSTS: cost_figure,
        ChartKind.INVENTORY: inventory_figure,
        ChartKind.LOAD: load_figure,
        ChartKind.GANTT: gantt_figure,
        ChartKind.BOX: box_figure,
        ChartKind.BUFFER: buffer_figure,
    }[chart_kind(kind)]
    return draw(piece)


def chart_kind(kind: ChartKind | str) -> ChartKind:
    """The chart named ``kind``.

    Raises
    ------
    ChartError
        When no chart has that name.
    """
    try:
        return ChartKind(kind)
    except ValueError:
        raise ChartError(f"no chart {kind!r}: choose one of {', '.join(ChartKind)}") from None


def cost_figure(piece: Mapping[str, Any]) -> Figure:
    """Total cost per strategy, stacked by its six parts; hover shows each part."""
    go = _plotly()
    costs: Mapping[str, Mapping[str, float | None]] = piece["costs"]
    names = list(costs)
    fig = go.Figure()
    for part, colour in zip(COST_PARTS, COST_COLOURS, strict=True):
        label = part.removesuffix("_cost").replace("_", " ")
        fig.add_bar(
            name=label,
            x=names,
            y=[costs[name].get(part) or 0.0 for name in names],
            marker_color=colour,
            hovertemplate=f"%{{x}}<br>{label} cost %{{y:,.2f}}<extra></extra>",
        )
    totals = [sum(value or 0.0 for value in costs[name].values()) for name in names]
    fig.add_scatter(
        x=names,
        y=totals,
        mode="text",
        text=[f"{total:,.0f}" for total in totals],
        textposition="top center",
        name="total",
        hovertemplate="%{x}<br>total cost %{y:,.2f}<extra></extra>",
        showlegend=False,
    )
    return _layout(fig, f"{piece['plant']}: cost by part", "", "cost", barmode="stack", height=420)


def inventory_figure(piece: Mapping[str, Any]) -> Figure:
    """Inventory value (on hand x unit cost, all items) per working day, one line per strategy."""
    go = _plotly()
    fig = go.Figure()
    for n, (name, values) in enumerate(piece["value"].items()):
        fig.add_scatter(
            name=name,
            x=piece["days"],
            y=values,
            mode="lines",
            line_color=_strategy_colour(n),
            hovertemplate=f"{name}<br>%{{x|%a %d %b %Y}}<br>value %{{y:,.0f}}<extra></extra>",
        )
    title = f"{piece['plant']}: inventory value per day"
    return _layout(fig, title, "day", "inventory value", height=420)


def load_figure(piece: Mapping[str, Any]) -> Figure:
    """One work center's daily load per strategy against its capacity, with and without overtime."""
    go = _plotly()
    fig = go.Figure()
    days, center = piece["days"], piece["work_center"]
    minutes = "%{y:,.0f} min"
    for n, (name, values) in enumerate(piece["load"].items()):
        fig.add_scatter(
            name=name,
            x=days,
            y=values,
            mode="lines+markers",
            marker_size=4,
            line_color=_strategy_colour(n),
            hovertemplate=f"{name}<br>%{{x|%a %d %b %Y}}<br>load {minutes}<extra></extra>",
        )
    capacity = np.asarray(piece["capacity"], dtype=float)
    overtime = np.asarray(piece["overtime"], dtype=float)
    for name, values, dash, colour in (
        ("capacity", capacity, "dash", "#222222"),
        ("capacity + overtime", capacity + overtime, "dot", "#999999"),
    ):
        fig.add_scatter(
            name=name,
            x=days,
            y=values.tolist(),
            mode="lines",
            line={"dash": dash, "color": colour, "shape": "hv"},
            hovertemplate=f"{name}<br>%{{x|%a %d %b %Y}}<br>{minutes}<extra></extra>",
        )
    return _layout(fig, f"{center}: load against capacity", "day", "minutes", height=440)


def gantt_figure(piece: Mapping[str, Any]) -> Figure:
    """One strategy's build plan on one work center: a bar per campaign, a row per item."""
    go = _plotly()
    campaigns = piece["campaigns"]
    day_ms = 86_400_000
    items = sorted({campaign[0] for campaign in campaigns})
    fig = go.Figure()
    fig.add_bar(
        orientation="h",
        y=[campaign[0] for campaign in campaigns],
        base=[campaign[1] for campaign in campaigns],
        x=[_calendar_days(campaign[1], campaign[2]) * day_ms for campaign in campaigns],
        marker_color=[_item_colour(campaign[0]) for campaign in campaigns],
        customdata=[campaign[1:] for campaign in campaigns],
        hovertemplate="%{y}<br>%{customdata[0]|%d %b} to %{customdata[1]|%d %b %Y} "
        "(%{customdata[2]} working days)<br>%{customdata[3]:,.2f} units, "
        "%{customdata[4]:,.0f} min<extra></extra>",
        showlegend=False,
    )
    title = f"{piece['work_center']}: build plan of {piece['strategy']}"
    fig = _layout(fig, title, "day", "item", height=_rows_height(len(items), 26))
    fig.update_xaxes(type="date")
    fig.update_yaxes(
        categoryorder="array", categoryarray=items[::-1], type="category", automargin=True
    )
    if not campaigns:
        _empty(fig, "nothing is built on this work center")
    return fig


def box_figure(piece: Mapping[str, Any]) -> Figure:
    """One strategy's heijunka box on one work center: each day's slots, coloured by item."""
    go = _plotly()
    rows = [
        (day, slot, item, qty)
        for day, slots in piece["days"]
        for slot, (item, qty) in enumerate(slots)
    ]
    fig = go.Figure()
    for item in sorted({row[2] for row in rows}):
        mine = [row for row in rows if row[2] == item]
        fig.add_bar(
            name=item,
            orientation="h",
            y=[row[0] for row in mine],
            base=[row[1] for row in mine],
            x=[1] * len(mine),
            marker_color=_item_colour(item),
            marker_line={"color": "white", "width": 1},
            text=[item] * len(mine),
            textposition="inside",
            insidetextanchor="middle",
            customdata=[[row[1] + 1, row[3]] for row in mine],
            hovertemplate=f"%{{y|%a %d %b %Y}}, slot %{{customdata[0]}}<br>{item} "
            "x %{customdata[1]:,.2f}<extra></extra>",
        )
    title = f"{piece['work_center']}: heijunka box of {piece['strategy']}"
    height = _rows_height(len(piece["days"]), 20)
    fig = _layout(fig, title, "slot in the day's sequence", "day", barmode="overlay", height=height)
    fig.update_yaxes(
        type="category",
        categoryorder="array",
        categoryarray=[day for day, _slots in piece["days"]],
        autorange="reversed",
        automargin=True,
    )
    slots = max((len(slots) for _day, slots in piece["days"]), default=0)
    fig.update_xaxes(
        range=[0, max(slots, 1)],
        tickvals=[slot + 0.5 for slot in range(slots)],
        ticktext=[str(slot + 1) for slot in range(slots)],
        showgrid=False,
    )
    if not rows:
        _empty(fig, "this plan does not sequence this work center")
    return fig


def buffer_figure(piece: Mapping[str, Any]) -> Figure:
    """One buffer day by day: its zones as bands, its net flow position, stock on hand, orders."""
    go = _plotly()
    days = piece["days"]
    fig = go.Figure()
    top = np.zeros(len(days))
    for zone in ("red", "yellow", "green"):
        colour = ZONE_COLOURS[zone]
        top = top + np.asarray(piece[zone], dtype=float)
        fig.add_scatter(
            name=f"{zone} zone",
            x=days,
            y=top.tolist(),
            mode="lines",
            line={"width": 0, "shape": "hv"},
            fill="tozeroy" if zone == "red" else "tonexty",
            fillcolor=colour,
            hovertemplate=f"%{{x|%a %d %b %Y}}<br>top of {zone} %{{y:,.1f}}<extra></extra>",
        )
    for name, key, colour in (
        ("net flow", "net_flow", "#1f4e79"),
        ("on hand", "on_hand", "#7f7f7f"),
    ):
        fig.add_scatter(
            name=name,
            x=days,
            y=piece[key],
            mode="lines+markers",
            marker_size=4,
            line={"color": colour, "shape": "hv", "dash": "solid" if key == "net_flow" else "dot"},
            hovertemplate=f"%{{x|%a %d %b %Y}}<br>{name} %{{y:,.1f}}<extra></extra>",
        )
    ordered = [(day, qty) for day, qty in zip(days, piece["ordered"], strict=True) if qty]
    fig.add_scatter(
        name="ordered",
        x=[day for day, _ in ordered],
        y=[qty for _, qty in ordered],
        mode="markers",
        marker={"symbol": "triangle-up", "size": 10, "color": "#c00000"},
        hovertemplate="%{x|%a %d %b %Y}<br>ordered %{y:,.1f}<extra></extra>",
    )
    lead = counted(piece["decoupled_lead_time"], "day")
    title = f"{piece['item']}: buffer of {piece['strategy']} (decoupled lead time {lead})"
    return _layout(fig, title, "day", "units", height=420)


def _plotly() -> Any:
    import plotly.graph_objects as go

    return go


def _layout(fig: Figure, title: str, x_title: str, y_title: str, **layout: Any) -> Figure:
    fig.update_layout(
        title={"text": title, "x": 0.01},
        xaxis_title=x_title,
        yaxis_title=y_title,
        template="plotly_white",
        margin={"l": 60, "r": 20, "t": 90, "b": 50},
        legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom", "traceorder": "normal"},
        hoverlabel={"namelength": -1},
        **layout,
    )
    return fig


def _rows_height(rows: int, pixels: int) -> int:
    """A figure's height in pixels for ``rows`` rows of ``pixels`` each, within sane bounds."""
    return min(4000, max(260, 160 + rows * pixels))


def _empty(fig: Figure, text: str) -> None:
    fig.add_annotation(text=text, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5)


def _strategy_colour(n: int) -> str:
    return STRATEGY_COLOURS[n % len(STRATEGY_COLOURS)]


def _item_colour(code: str) -> str:
    """A colour per item code, the same in every chart and run (golden-angle hues)."""
    n = zlib.crc32(code.encode("utf-8"))
    return f"hsl({(n * 137.508) % 360:.0f}, 60%, {40 + (n % 3) * 10}%)"


def _calendar_days(first: str, last: str) -> int:
    """Calendar days from the start of ``first`` to the end of ``last`` (ISO dates)."""
    span = np.datetime64(last, "D") - np.datetime64(first, "D")
    return int(span.astype(int)) + 1
