"""Turning raw cell values into typed values, the way planners write them.

Numbers may be stored as numbers or numeric text, dates as Excel dates, ISO
text or (unformatted) Excel serial numbers, and codes typed as numbers
(``1001``) mean the same as the text ``1001``.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any

from openpyxl.utils.datetime import from_excel

from models.fields import Field, FieldKind

_SERIAL_RANGE = (20_000, 80_000)
_YEAR_FIRST = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")


class CellError(ValueError):
    """A cell value that cannot be read as what its column expects."""


def is_blank(value: Any) -> bool:
    """Whether a cell counts as empty."""
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value: Any) -> str:
    """A cell as a code or text; whole numbers lose their ``.0``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    return str(value).strip()


def as_number(value: Any) -> float:
    """A cell as a number, accepting numeric text.

    Raises
    ------
    CellError
        If the cell holds something else.
    """
    if isinstance(value, bool | datetime | date):
        raise CellError("is not a number")
    if isinstance(value, int | float):
        number = float(value)
    else:
        try:
            number = float(str(value).strip().replace("\u00a0", "").replace(" ", ""))
        except ValueError:
            raise CellError("is not a number") from None
    if not math.isfinite(number):
        raise CellError("is not a finite number")
    return number


def as_date(value: Any) -> date:
    """A cell as a date: an Excel date, ISO text, or an Excel serial number.

    Raises
    ------
    CellError
        If the cell cannot be read as a date.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if _SERIAL_RANGE[0] <= value <= _SERIAL_RANGE[1]:
            converted = from_excel(value)
            if isinstance(converted, datetime):
                return converted.date()
        raise CellError("is not a date")
    text = str(value).strip()
    year_first = _YEAR_FIRST.match(text)
    try:
        if year_first:
            return date(*(int(part) for part in year_first.groups()))
        return datetime.fromisoformat(text).date()
    except ValueError:
        raise CellError("is not a date (write it as an Excel date or as 2026-03-02)") from None


_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}


def as_yes_no(value: Any, spec: Field) -> bool:
    """A yes/no cell (also true/false, 1/0, any case) as a bool.

    Raises
    ------
    CellError
        For anything else.
    """
    if isinstance(value, bool):
        return value
    text = as_text(value).lower()
    if isinstance(value, int | float) and float(value) in (0.0, 1.0):
        text = str(int(value))
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise CellError(f"is not allowed: expected {spec.expected()}")


def parse_cell(spec: Field, value: Any) -> Any:
    """Read a non-blank cell for a column and check it against the contract.

    Returns the typed value: ``str`` for text and choices (choices in lower
    case), ``bool`` for yes/no, ``float`` for numbers, ``int`` for whole
    numbers, ``date`` for dates.

    Raises
    ------
    CellError
        With a message that says what was expected.
    """
    if spec.kind is FieldKind.TEXT:
        return as_text(value)
    if spec.kind is FieldKind.CHOICE:
        choice = spec.choice(as_text(value))
        if choice is None:
            raise CellError(f"is not allowed: expected {spec.expected()}")
        return choice
    if spec.kind is FieldKind.YES_NO:
        return as_yes_no(value, spec)
    if spec.kind is FieldKind.DATE:
        return as_date(value)
    try:
        number = as_number(value)
    except CellError as error:
        raise CellError(f"{error}: expected {spec.expected()}") from None
    if spec.violation(number) is not None:
        if spec.kind is FieldKind.INTEGER and not number.is_integer():
            raise CellError(f"is fractional: expected {spec.expected()}")
        raise CellError(f"is out of range: expected {spec.expected()}")
    return int(number) if spec.kind is FieldKind.INTEGER else number
