"""The records a plant is described by: items, work centers, BOM lines, rules and Settings.

Each record checks its own fields against the column contract of
:mod:`models.fields` when built; :class:`models.problem.Problem` gathers
them into the plant's arrays.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from models.errors import ProblemError
from models.fields import (
    ITEM_FIELDS,
    SEQUENCE_RULE_FIELDS,
    SETTINGS_FIELDS,
    WORK_CENTER_FIELDS,
    Field,
    field_map,
)

DAYS_PER_YEAR = 250


class ItemKind(StrEnum):
    """Whether an item is made in-house or purchased."""

    MAKE = "make"
    BUY = "buy"


class LotRule(StrEnum):
    """Lot-sizing rules of classic MRP."""

    LFL = "LFL"
    FOQ = "FOQ"
    EOQ = "EOQ"
    POQ = "POQ"
    WW = "WW"
    SM = "SM"


def _check(fields: Mapping[str, Field], label: str, values: Mapping[str, object]) -> list[str]:
    problems = []
    for name, value in values.items():
        expected = fields[name].violation(value)
        if expected is not None:
            problems.append(f"{label}: {name} is {value!r}, expected {expected}")
    return problems


_ITEM_FIELDS = field_map(ITEM_FIELDS)
_NUMERIC_ITEM_FIELDS = tuple(f.name for f in ITEM_FIELDS if f.kind in ("number", "integer"))


@dataclass(frozen=True)
class Item:
    """One item (part, sub-assembly or finished good) with its planning data.

    The fields are the ``Items`` columns of the workbook contract, in the
    units documented in :data:`models.fields.ITEM_FIELDS`. ``kind`` defaults
    to ``make`` when a work center is given, else ``buy``; ``holding_cost``
    and ``backlog_cost`` left as ``None`` take the plant's defaults (see
    :attr:`Problem.holding_cost`).

    Raises
    ------
    ProblemError
        Listing every field of this item that breaks the contract.
    """

    code: str
    description: str = ""
    kind: ItemKind | None = None
    work_center: str | None = None
    run_time: float = 0.0
    setup_time: float = 0.0
    setup_cost: float = 0.0
    unit_cost: float = 0.0
    holding_cost: float | None = None
    lead_time: int = 0
    on_hand: float = 0.0
    safety_stock: float = 0.0
    lot_rule: LotRule = LotRule.LFL
    lot_size: float | None = None
    min_lot: float = 0.0
    lot_multiple: float = 0.0
    container_qty: float = 1.0
    backlog_cost: float | None = None
    whole_units: bool = True
    buffer: str | None = None

    def __post_init__(self) -> None:
        label = f"item {self.code!r}"
        problems = []
        if not str(self.code).strip():
            problems.append("an item has a blank code")
        numbers = {name: getattr(self, name) for name in _NUMERIC_ITEM_FIELDS}
        problems += _check(_ITEM_FIELDS, label, numbers)
        try:
            kind = ItemKind(str(self.kind).lower()) if self.kind is not None else None
            object.__setattr__(self, "kind", kind)
        except ValueError:
            problems.append(f"{label}: kind is {self.kind!r}, expected make or buy")
        try:
            object.__setattr__(self, "lot_rule", LotRule(str(self.lot_rule).upper()))
        except ValueError:
            expected = ", ".join(LotRule)
            problems.append(f"{label}: lot_rule is {self.lot_rule!r}, expected one of {expected}")
        if not isinstance(self.whole_units, bool):
            problems.append(f"{label}: whole_units is {self.whole_units!r}, expected yes or no")
        if self.buffer is not None:
            choice = str(self.buffer).strip().lower()
            if choice not in ("yes", "no", ""):
                problems.append(f"{label}: buffer is {self.buffer!r}, expected yes, no or blank")
            object.__setattr__(self, "buffer", choice or None)
        if self.work_center is not None and not str(self.work_center).strip():
            object.__setattr__(self, "work_center", None)
        if self.kind is None:
            kind = ItemKind.MAKE if self.work_center is not None else ItemKind.BUY
            object.__setattr__(self, "kind", kind)
        if self.kind is ItemKind.MAKE and self.work_center is None:
            problems.append(f"{label}: a make item needs a work_center")
        if self.kind is ItemKind.BUY and self.work_center is not None:
            problems.append(f"{label}: a buy item has no work_center (got {self.work_center!r})")
        if self.lot_rule in (LotRule.FOQ, LotRule.POQ) and self.lot_size is None:
            problems.append(f"{label}: lot_rule {self.lot_rule} needs a lot_size")
        if (
            self.lot_rule is LotRule.POQ
            and self.lot_size is not None
            and self.lot_size != int(self.lot_size)
        ):
            problems.append(f"{label}: POQ lot_size is a number of days, got {self.lot_size}")
        if problems:
            raise ProblemError(problems)
        object.__setattr__(self, "lead_time", int(self.lead_time))


@dataclass(frozen=True)
class WorkCenter:
    """A resource where make items are produced, with its daily capacity in minutes."""

    code: str
    capacity: float
    overtime_capacity: float = 0.0
    overtime_cost: float = 0.0

    def __post_init__(self) -> None:
        values = {
            "capacity": self.capacity,
            "overtime_capacity": self.overtime_capacity,
            "overtime_cost": self.overtime_cost,
        }
        problems = _check(field_map(WORK_CENTER_FIELDS), f"work center {self.code!r}", values)
        if not str(self.code).strip():
            problems.append("a work center has a blank code")
        if problems:
            raise ProblemError(problems)


@dataclass(frozen=True)
class BomLine:
    """``qty_per`` units of ``child`` are consumed per unit of ``parent`` started."""

    parent: str
    child: str
    qty_per: float


@dataclass(frozen=True)
class ItemAttribute:
    """An item carries an attribute (e.g. ``sunroof``) that sequencing rules may limit."""

    item: str
    attribute: str


@dataclass(frozen=True)
class SequenceRule:
    """At most ``max_in_window`` of any ``window`` consecutive positions carry ``attribute``.

    ``work_center=None`` applies the rule on every work center.
    """

    attribute: str
    max_in_window: int
    window: int
    work_center: str | None = None

    def __post_init__(self) -> None:
        values = {"max_in_window": self.max_in_window, "window": self.window}
        label = f"sequence rule for {self.attribute!r}"
        problems = _check(field_map(SEQUENCE_RULE_FIELDS), label, values)
        if problems:
            raise ProblemError(problems)


@dataclass(frozen=True)
class Settings:
    """Plant-wide parameters (the ``Settings`` sheet, less the calendar keys)."""

    carrying_rate: float = 0.25
    backlog_cost: float | None = None
    time_limit: float = 60.0
    mip_gap: float = 0.01
    deterministic: bool = True
    safety_stock_weight: float = 2.0
    end_backlog_days: int = 20
    level_period: int = 20
    epei_days: int = 0
    kanban_safety_factor: float = 0.0
    kanban_lot: str = "container"
    service_level: float = 0.95
    runner_share: float = 0.8
    stranger_cv: float = 2.0
    mixing: str = "runs"
    pegging_limit: int = 100_000
    diagnosis_limit: int = 50_000
    tolerance_days: int = 0
    adu_window: int = 20
    adu_past_weight: float = 0.5
    spike_horizon: int = 0
    spike_threshold: float = 0.5
    order_cycle: float = 0.0
    short_lead_days: float = 5.0
    long_lead_days: float = 15.0
    lead_time_factor_short: float = 0.7
    lead_time_factor_medium: float = 0.5
    lead_time_factor_long: float = 0.3
    low_variability_cv: float = 0.5
    high_variability_cv: float = 1.0
    variability_factor_low: float = 0.25
    variability_factor_medium: float = 0.5
    variability_factor_high: float = 0.75
    buffer_search_steps: int = 40

    def __post_init__(self) -> None:
        problems = _check(field_map(SETTINGS_FIELDS), "settings", dataclasses.asdict(self))
        if problems:
            raise ProblemError(problems)
