"""The fields of the plant data contract: names, types, bounds, units, defaults.

One table serves three readers: the problem classes check their values with
it, the workbook reader parses and checks cells with it, and the blank
template explains every column with it. Changing a bound here changes it
everywhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum


class FieldKind(StrEnum):
    """How a field's value is written and checked."""

    TEXT = "text"
    NUMBER = "number"
    INTEGER = "integer"
    DATE = "date"
    CHOICE = "choice"
    YES_NO = "yes/no"


LARGEST = 1e12
"""The largest magnitude of any number of the contract (units, costs, minutes, days).

A plant's sums and products of such numbers stay exact to well below a unit
in floating point, and whole numbers stay within machine integers; a value
beyond it is a typing error, reported like any other (``1e308`` as a lead
time used to pass validation and crash planning).
"""


@dataclass(frozen=True)
class Field:
    """One column of the contract.

    Parameters
    ----------
    name
        The column name as the workbook spells it (``lead_time``).
    kind
        Text, number, whole number, date or one of a fixed set of choices.
    meaning
        One sentence for the template's README sheet.
    unit
        The unit of a number, e.g. ``minutes per unit``.
    default
        What a blank cell means, in words; empty for required fields.
    required
        Whether a value must be given.
    minimum
        Inclusive lower bound of a number.
    maximum
        Inclusive upper bound of a number; :data:`LARGEST` when not given.
    positive
        Whether a number must be strictly greater than zero.
    choices
        The allowed values of a ``CHOICE`` field (matched case-insensitively).
    """

    name: str
    kind: FieldKind
    meaning: str
    unit: str = ""
    default: str = ""
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    positive: bool = False
    choices: tuple[str, ...] = ()

    def expected(self) -> str:
        """Describe a valid value, for error messages."""
        if self.kind is FieldKind.CHOICE:
            return "one of " + ", ".join(self.choices)
        if self.kind is FieldKind.YES_NO:
            return "yes or no"
        if self.kind is FieldKind.DATE:
            return "a date (an Excel date or text like 2026-03-02)"
        if self.kind is FieldKind.TEXT:
            return "text"
        noun = "a whole number" if self.kind is FieldKind.INTEGER else "a number"
        bounds = []
        if self.positive:
            bounds.append("> 0")
        else:
            bounds.append(f">= {-LARGEST if self.minimum is None else self.minimum:g}")
        bounds.append(f"<= {self.upper:g}")
        return f"{noun} {' and '.join(bounds)}"

    @property
    def upper(self) -> float:
        """The largest value a number may take: :attr:`maximum`, else :data:`LARGEST`."""
        return LARGEST if self.maximum is None else self.maximum

    def choice(self, value: object) -> str | None:
        """The allowed choice ``value`` names, matched case-insensitively, or ``None``."""
        text = str(value).strip().lower()
        return next((c for c in self.choices if c.lower() == text), None)

    def violation(self, value: object) -> str | None:
        """Return what was expected if an already-typed ``value`` breaks this field.

        ``None`` is accepted for optional fields. Parsing text into numbers or
        dates is the reader's job; this only checks type and range.
        """
        if value is None:
            return f"a value ({self.expected()})" if self.required else None
        if self.kind in (FieldKind.NUMBER, FieldKind.INTEGER):
            if isinstance(value, bool) or not isinstance(value, int | float):
                return self.expected()
            if not math.isfinite(value):
                return self.expected()
            if self.kind is FieldKind.INTEGER and value != int(value):
                return self.expected()
            if self.positive and value <= 0:
                return self.expected()
            lowest = -LARGEST if self.minimum is None else self.minimum
            if value < lowest or value > self.upper:
                return self.expected()
            return None
        if self.kind is FieldKind.CHOICE:
            return None if self.choice(value) is not None else self.expected()
        if self.kind is FieldKind.YES_NO:
            return None if isinstance(value, bool) else self.expected()
        if self.kind is FieldKind.TEXT and not str(value).strip():
            return f"a value ({self.expected()})" if self.required else None
        return None


def _number(name: str, meaning: str, unit: str, default: str = "0", **bounds: object) -> Field:
    options = {"minimum": 0.0, **bounds}
    return Field(name, FieldKind.NUMBER, meaning, unit, default, **options)  # type: ignore[arg-type]


KINDS = ("make", "buy")
LOT_RULES = ("LFL", "FOQ", "EOQ", "POQ", "WW", "SM")
KANBAN_LOTS = ("economic", "container")
MIXINGS = ("runs", "containers")
BUFFER_CHOICES = ("yes", "no")

ITEM_FIELDS: tuple[Field, ...] = (
    Field("item", FieldKind.TEXT, "Item code, unique.", required=True),
    Field("description", FieldKind.TEXT, "Free text.", default="blank"),
    Field(
        "kind",
        FieldKind.CHOICE,
        "make = made in-house, buy = purchased.",
        default="make if the item has a work_center, else buy",
        choices=KINDS,
    ),
    Field(
        "work_center",
        FieldKind.TEXT,
        "Where the item is made (one routing step per item).",
        default="required for make items",
    ),
    _number("run_time", "Capacity used per unit made.", "minutes per unit"),
    _number("setup_time", "Capacity used per setup.", "minutes per setup"),
    _number("setup_cost", "Cost of one setup (per order for buy items).", "money per setup"),
    _number("unit_cost", "Value of one unit, used for inventory value.", "money per unit"),
    _number(
        "holding_cost",
        "Cost of keeping one unit in stock for one working day.",
        "money per unit per working day",
        default="unit_cost x carrying_rate / 250",
    ),
    Field(
        "lead_time",
        FieldKind.INTEGER,
        "Working days from start (release) to availability.",
        "working days",
        "0",
        minimum=0.0,
        maximum=1000.0,
    ),
    _number("on_hand", "Inventory at the start of the first day.", "units"),
    _number("safety_stock", "Target minimum projected inventory.", "units"),
    Field(
        "lot_rule",
        FieldKind.CHOICE,
        "Lot-sizing rule of classic MRP: lot-for-lot, fixed order quantity, economic order "
        "quantity, periodic order quantity, Wagner-Whitin, Silver-Meal.",
        default="LFL",
        choices=LOT_RULES,
    ),
    _number(
        "lot_size",
        "The quantity for FOQ; the number of days covered for POQ.",
        "units (FOQ) or working days (POQ)",
        default="blank (required for FOQ and POQ)",
        positive=True,
    ),
    _number("min_lot", "Minimum order or lot size.", "units"),
    _number("lot_multiple", "Lots are rounded up to a multiple of this (0 = none).", "units"),
    _number("container_qty", "Kanban container size (pull).", "units", default="1", positive=True),
    Field(
        "whole_units",
        FieldKind.YES_NO,
        "Whether the item is counted in whole units: every start of it is a whole number.",
        default="yes",
    ),
    Field(
        "buffer",
        FieldKind.CHOICE,
        "ddmrp: yes = always a decoupling buffer, no = never; blank = the planner decides.",
        default="blank",
        choices=BUFFER_CHOICES,
    ),
    _number(
        "backlog_cost",
        "Cost of one unit of external demand one working day late.",
        "money per unit per working day",
        default="Settings backlog_cost",
    ),
)

BOM_FIELDS: tuple[Field, ...] = (
    Field("parent", FieldKind.TEXT, "An item in Items.", required=True),
    Field("child", FieldKind.TEXT, "An item in Items, consumed by the parent.", required=True),
    Field(
        "qty_per",
        FieldKind.NUMBER,
        "Units of child consumed per unit of parent started.",
        "units",
        required=True,
        positive=True,
    ),
)

DEMAND_FIELDS: tuple[Field, ...] = (
    Field("item", FieldKind.TEXT, "An item in Items.", required=True),
    Field(
        "date",
        FieldKind.DATE,
        "Due date; a non-working day is due on the previous working day.",
        required=True,
    ),
    Field(
        "qty",
        FieldKind.NUMBER,
        "Units demanded; repeated item and date rows are summed.",
        "units",
        required=True,
        minimum=0.0,
    ),
)

WORK_CENTER_FIELDS: tuple[Field, ...] = (
    Field("work_center", FieldKind.TEXT, "Work center code, unique.", required=True),
    Field(
        "capacity",
        FieldKind.NUMBER,
        "Regular capacity per working day.",
        "minutes per working day",
        required=True,
        minimum=0.0,
    ),
    _number(
        "overtime_capacity",
        "Extra capacity per working day, available at a cost.",
        "minutes per working day",
    ),
    _number("overtime_cost", "Cost of one minute of overtime.", "money per minute"),
)

CALENDAR_FIELDS: tuple[Field, ...] = (
    Field("date", FieldKind.DATE, "The day the exception applies to.", required=True),
    Field(
        "work_center",
        FieldKind.TEXT,
        "The work center; blank = every work center (blank with capacity 0 = plant holiday).",
        default="blank = every work center",
    ),
    Field(
        "capacity",
        FieldKind.NUMBER,
        "Regular capacity that day (0 = closed).",
        "minutes",
        required=True,
        minimum=0.0,
    ),
)

RECEIPT_FIELDS: tuple[Field, ...] = (
    Field("item", FieldKind.TEXT, "An item in Items.", required=True),
    Field("date", FieldKind.DATE, "Arrival, at the start of the day.", required=True),
    Field("qty", FieldKind.NUMBER, "Units arriving.", "units", required=True, positive=True),
)

DDMRP_SETTINGS_FIELDS: tuple[Field, ...] = (
    Field(
        "tolerance_days",
        FieldKind.INTEGER,
        "ddmrp: customer tolerance time, the working days of notice customers give; an item "
        "with demand whose decoupled lead time is longer is buffered.",
        "working days",
        default="0",
        minimum=0,
        maximum=1000.0,
    ),
    Field(
        "adu_window",
        FieldKind.INTEGER,
        "ddmrp: working days over which average daily usage is taken, back and ahead.",
        "working days",
        default="20",
        minimum=1,
        maximum=1000.0,
    ),
    _number(
        "adu_past_weight",
        "ddmrp: weight of past usage in average daily usage (the rest is forward demand).",
        "share",
        default="0.5",
        maximum=1.0,
    ),
    Field(
        "spike_horizon",
        FieldKind.INTEGER,
        "ddmrp: working days ahead in which demand spikes count in the net flow "
        "(0 = each buffer's decoupled lead time).",
        "working days",
        default="0",
        minimum=0,
        maximum=1000.0,
    ),
    _number(
        "spike_threshold",
        "ddmrp: a day's demand above this share of the red zone is a spike.",
        "share of the red zone",
        default="0.5",
    ),
    _number(
        "order_cycle",
        "ddmrp: desired days between orders, for the green zone (0 = economic, from "
        "setup_cost and holding_cost).",
        "working days",
        default="0",
        maximum=1000.0,
    ),
    _number(
        "short_lead_days",
        "ddmrp: decoupled lead times up to this are short (lead time factor short).",
        "working days",
        default="5",
    ),
    _number(
        "long_lead_days",
        "ddmrp: decoupled lead times above this are long (lead time factor long).",
        "working days",
        default="15",
    ),
    _number(
        "lead_time_factor_short",
        "ddmrp: red base share for short lead times.",
        "share",
        default="0.7",
        maximum=1.0,
    ),
    _number(
        "lead_time_factor_medium",
        "ddmrp: red base share for medium lead times.",
        "share",
        default="0.5",
        maximum=1.0,
    ),
    _number(
        "lead_time_factor_long",
        "ddmrp: red base share for long lead times.",
        "share",
        default="0.3",
        maximum=1.0,
    ),
    _number(
        "low_variability_cv",
        "ddmrp: usage with a coefficient of variation up to this has low variability.",
        "coefficient of variation",
        default="0.5",
    ),
    _number(
        "high_variability_cv",
        "ddmrp: usage with a coefficient of variation above this has high variability.",
        "coefficient of variation",
        default="1.0",
    ),
    _number(
        "variability_factor_low",
        "ddmrp: red safety share of red base, low variability.",
        "share",
        default="0.25",
        maximum=2.0,
    ),
    _number(
        "variability_factor_medium",
        "ddmrp: red safety share of red base, medium variability.",
        "share",
        default="0.5",
        maximum=2.0,
    ),
    _number(
        "variability_factor_high",
        "ddmrp: red safety share of red base, high variability.",
        "share",
        default="0.75",
        maximum=2.0,
    ),
    Field(
        "buffer_search_steps",
        FieldKind.INTEGER,
        "ddmrp: most buffer positionings tried when choosing where to buffer (each is planned "
        "and priced); 0 = place buffers by the rules only.",
        "positionings",
        default="40",
        minimum=0,
        maximum=100000.0,
    ),
)
"""The Settings of the ``ddmrp`` strategy: buffer positioning, sizing and net flow."""

SETTINGS_FIELDS: tuple[Field, ...] = (
    Field("start_date", FieldKind.DATE, "First day of the horizon.", default="first demand date"),
    Field("end_date", FieldKind.DATE, "Last day of the horizon.", default="last demand date"),
    Field(
        "workdays",
        FieldKind.TEXT,
        "Working weekdays, e.g. Mon-Sat or Mon,Tue,Thu.",
        default="Mon-Fri",
    ),
    _number(
        "carrying_rate",
        "Yearly inventory carrying rate, for the default holding_cost.",
        "share per year",
        default="0.25",
    ),
    _number(
        "backlog_cost",
        "Default backlog cost per unit per working day.",
        "money per unit per working day",
        default="10 x the largest holding_cost, at least 1",
    ),
    _number(
        "time_limit",
        "Seconds one strategy may take in all (a cap).",
        "seconds",
        default="60",
        positive=True,
    ),
    _number(
        "mip_gap",
        "Relative optimality gap at which a MILP may stop.",
        "share",
        default="0.01",
    ),
    Field(
        "deterministic",
        FieldKind.YES_NO,
        "yes: optimising strategies stop on limits of work, so the same workbook gives the "
        "same plans (time_limit stays a cap); no: they stop on the clock.",
        default="yes",
    ),
    _number(
        "safety_stock_weight",
        "Safety-stock shortfall cost per unit-day, as a multiple of the item's holding_cost.",
        "multiple of holding_cost",
        default="2",
    ),
    Field(
        "end_backlog_days",
        FieldKind.INTEGER,
        "Working days of backlog cost charged for each unit still late at the end of the horizon.",
        "working days",
        default="20",
        minimum=0,
    ),
    Field(
        "level_period",
        FieldKind.INTEGER,
        "Heijunka: working days over which each item's daily quantity is held level.",
        "working days",
        default="20",
        positive=True,
    ),
    Field(
        "epei_days",
        FieldKind.INTEGER,
        "Heijunka: every part every N working days on each work center (0 = automatic).",
        "working days",
        default="0",
        minimum=0,
    ),
    _number(
        "kanban_safety_factor",
        "Heijunka: extra days of usage each kanban loop holds beyond its lead time and "
        "its safety stock from demand variability.",
        "working days",
        default="0",
    ),
    Field(
        "kanban_lot",
        FieldKind.CHOICE,
        "Heijunka: the smallest order of a kanban loop at a review: container = one "
        "container, economic = the economic lot in whole containers (a signal kanban).",
        default="container",
        choices=KANBAN_LOTS,
    ),
    _number(
        "service_level",
        "Heijunka: chance that a kanban loop covers the demand of its lead time and review "
        "interval (sizes the safety cards from demand variability).",
        "share",
        default="0.95",
        minimum=0.5,
        maximum=0.9999,
    ),
    _number(
        "runner_share",
        "Heijunka: runners are the steady finished goods that make up this share of their "
        "work center's volume; they are made every cycle of its product wheel.",
        "share",
        default="0.8",
        maximum=1.0,
    ),
    _number(
        "stranger_cv",
        "Heijunka: finished goods whose daily demand varies more than this (coefficient of "
        "variation) are strangers, made to order instead of levelled.",
        "coefficient of variation",
        default="2",
        positive=True,
    ),
    Field(
        "mixing",
        FieldKind.CHOICE,
        "Heijunka: how a day's mix is built: runs = one run per item (fewest setups; "
        "sequence rules split runs only where they must), containers = container by "
        "container wherever idle capacity pays the extra setups.",
        default="runs",
        choices=MIXINGS,
    ),
    Field(
        "pegging_limit",
        FieldKind.INTEGER,
        "Most rows of the Pegging sheet per strategy: a plan whose orders peg to more "
        "demands is not pegged, and a message says so (0 = no pegging).",
        "rows",
        default="100000",
        minimum=0,
    ),
    Field(
        "diagnosis_limit",
        FieldKind.INTEGER,
        "Largest plant, in item-days (items x working days), whose late demand is diagnosed "
        "(a linear program proves which capacities bind); larger plants are not, and a "
        "message says so (0 = no diagnosis).",
        "item-days",
        default="50000",
        minimum=0,
    ),
    *DDMRP_SETTINGS_FIELDS,
)

ATTRIBUTE_FIELDS: tuple[Field, ...] = (
    Field("item", FieldKind.TEXT, "An item in Items.", required=True),
    Field("attribute", FieldKind.TEXT, "A property the item carries, e.g. sunroof.", required=True),
)

SEQUENCE_RULE_FIELDS: tuple[Field, ...] = (
    Field("attribute", FieldKind.TEXT, "An attribute of the Attributes sheet.", required=True),
    Field(
        "max_in_window",
        FieldKind.INTEGER,
        "At most this many positions (p) in any window may carry the attribute.",
        "positions",
        required=True,
        minimum=0.0,
    ),
    Field(
        "window",
        FieldKind.INTEGER,
        "Number of consecutive positions (q) in a window.",
        "positions",
        required=True,
        positive=True,
    ),
    Field(
        "work_center",
        FieldKind.TEXT,
        "The work center the rule applies to; blank = every work center.",
        default="blank = every work center",
    ),
)


def field_map(fields: tuple[Field, ...]) -> dict[str, Field]:
    """Index fields by name."""
    return {f.name: f for f in fields}
