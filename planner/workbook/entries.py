"""Warnings on a workbook's quantities that planning does not take as given.

Dated entries (Demand and Receipts rows, wide-form Demand cells) that fall
outside the horizon are ignored; fractional quantities of whole-unit items
(Items ``whole_units``) are planned in whole starts all the same. Both are
warnings: the workbook can be planned, and the planner learns what was
done with the figures.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from models import Calendar, Item, LotRule
from models.wording import counted
from planner.workbook import schema
from planner.workbook.issues import Issue, Level
from planner.workbook.schema import SheetSpec

SHOWN_ROWS = 8
"""Rows named in one warning about many entries; the rest are counted."""

WHOLE_QUANTITIES = (
    "on_hand",
    "safety_stock",
    "lot_size",
    "min_lot",
    "lot_multiple",
    "container_qty",
)
"""The Items quantities of a whole-unit item that should be whole numbers."""


@dataclass
class Dated:
    """A located, dated quantity (a demand or receipt row, or a wide-form cell)."""

    item: str
    day: date
    qty: float
    row: int
    cell: str | None


def fractional_fields(item: Item) -> Iterator[tuple[str, float]]:
    """The Items quantities of a whole-unit item that are not whole numbers."""
    if not item.whole_units:
        return
    for name in WHOLE_QUANTITIES:
        value = getattr(item, name)
        if name == "lot_size" and item.lot_rule is LotRule.POQ:
            continue
        if value is not None and not float(value).is_integer():
            yield name, float(value)


def fractional_entries(
    spec: SheetSpec, sheet: str, records: list[Dated], whole: set[str]
) -> Issue | None:
    """One warning for the fractional entries of whole-unit items in a dated sheet."""
    fractional = [r for r in records if r.item in whole and not float(r.qty).is_integer()]
    if not fractional:
        return None
    first, one = fractional[0], len(fractional) == 1
    what = "demand" if spec is schema.DEMAND else "receipt"
    return Issue(
        Level.WARNING,
        f"{counted(len(fractional), what + ' quantity', what + ' quantities')} of whole-unit "
        f"items {'is' if one else 'are'} fractional (rows {_rows(fractional)}; first "
        f"{first.item} {first.qty:g} on {first.day}): their plans start whole units only "
        "(set whole_units to no on Items for an item counted in fractions)",
        sheet,
        first.row,
        None,
        first.cell,
        first.qty,
    )


def outside_horizon(spec: SheetSpec, sheet: str, outside: list[Dated], calendar: Calendar) -> Issue:
    """The warning for dated entries that fall outside the horizon and are ignored."""
    first, one = outside[0], len(outside) == 1
    what = "demand" if spec is schema.DEMAND else "receipts"
    hint = "" if spec is schema.DEMAND else "; a receipt before the horizon belongs in on_hand"
    return Issue(
        Level.WARNING,
        f"{counted(len(outside), what + ' entry', what + ' entries')} "
        f"({counted(sum(r.qty for r in outside), 'unit')}, rows {_rows(outside)}) "
        f"{'falls' if one else 'fall'} outside the horizon {calendar.start} .. {calendar.end} "
        f"and {'is' if one else 'are'} ignored{hint}",
        sheet,
        first.row,
        None,
        first.cell,
        first.day,
    )


def _rows(records: list[Dated]) -> str:
    shown = ", ".join(str(r.row) for r in records[:SHOWN_ROWS])
    more = len(records) - SHOWN_ROWS
    return shown + (f" and {more} more" if more > 0 else "")
