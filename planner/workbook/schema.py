"""The sheets of the input workbook and how their names are matched.

Names are matched case-insensitively, ignoring surrounding spaces, and
spaces, hyphens and underscores inside a name do not count: ``Lead Time``,
``lead_time``, ``LEAD-TIME`` and ``LeadTime`` are the same column, and
``Work Centers`` is the ``WorkCenters`` sheet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from models.fields import (
    ATTRIBUTE_FIELDS,
    BOM_FIELDS,
    CALENDAR_FIELDS,
    DEMAND_FIELDS,
    ITEM_FIELDS,
    RECEIPT_FIELDS,
    SEQUENCE_RULE_FIELDS,
    SETTINGS_FIELDS,
    WORK_CENTER_FIELDS,
    Field,
    FieldKind,
)


def name_key(name: object) -> str:
    """The form in which sheet and column names are compared."""
    return re.sub(r"[\s_\-]+", "", str(name)).lower()


@dataclass(frozen=True)
class SheetSpec:
    """One sheet of the input workbook.

    Parameters
    ----------
    name
        The canonical sheet name.
    fields
        Its columns, in the order the template writes them.
    required
        Whether a workbook without this sheet is invalid (``WorkCenters`` is
        required only when some item is made in-house).
    purpose
        One sentence for the template's README sheet.
    """

    name: str
    fields: tuple[Field, ...]
    required: bool
    purpose: str

    @property
    def key(self) -> str:
        """The sheet name as compared."""
        return name_key(self.name)

    @property
    def required_columns(self) -> tuple[str, ...]:
        """Columns that must be present."""
        return tuple(f.name for f in self.fields if f.required)


ITEMS = SheetSpec("Items", ITEM_FIELDS, True, "One row per item.")
BOM = SheetSpec(
    "BOM", BOM_FIELDS, True, "One row per component use; may be empty for single-level plants."
)
DEMAND = SheetSpec(
    "Demand",
    DEMAND_FIELDS,
    True,
    "External demand. Long form: item, date, qty. Wide form: a first column item, then one "
    "column per date with the date in the header cell.",
)
WORK_CENTERS = SheetSpec(
    "WorkCenters",
    WORK_CENTER_FIELDS,
    False,
    "Required if any item is make: one row per work center.",
)
CALENDAR = SheetSpec(
    "Calendar",
    CALENDAR_FIELDS,
    False,
    "Exceptions to the working calendar: plant holidays (blank work_center, capacity 0), "
    "extra working days (blank work_center, capacity > 0 on a day off) and capacity changes.",
)
RECEIPTS = SheetSpec(
    "Receipts",
    RECEIPT_FIELDS,
    False,
    "Scheduled receipts (open orders) that arrive whatever the plan.",
)
SETTINGS = SheetSpec(
    "Settings",
    (
        Field("key", FieldKind.TEXT, "A setting name (see the rows below).", required=True),
        Field("value", FieldKind.TEXT, "Its value; blank = the default.", default="the default"),
    ),
    False,
    "Plant-wide settings, two columns key and value; a blank value takes the default.",
)
ATTRIBUTES = SheetSpec(
    "Attributes", ATTRIBUTE_FIELDS, False, "One row per attribute an item carries (heijunka)."
)
SEQUENCE_RULES = SheetSpec(
    "SequenceRules",
    SEQUENCE_RULE_FIELDS,
    False,
    "At most max_in_window of any window consecutive positions of a daily sequence may carry "
    "the attribute.",
)

SHEETS: tuple[SheetSpec, ...] = (
    ITEMS,
    BOM,
    DEMAND,
    WORK_CENTERS,
    CALENDAR,
    RECEIPTS,
    SETTINGS,
    ATTRIBUTES,
    SEQUENCE_RULES,
)

SETTING_FIELDS: tuple[Field, ...] = SETTINGS_FIELDS
