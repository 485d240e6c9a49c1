"""Numbers in the planner's messages, said as a planner says them: "1 unit", "3 days"."""

from __future__ import annotations


def quantity(number: float) -> str:
    """A number for a message: thousands separated, at most two decimals, no trailing zeros."""
    value = float(number)
    if value.is_integer():
        return f"{int(value):,}"
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def counted(number: float, noun: str, plural: str | None = None) -> str:
    """``number`` with ``noun``, singular for exactly one: ``1 unit``, ``2.5 units``, ``0 days``.

    ``plural`` defaults to ``noun`` with an ``s``.
    """
    word = noun if float(number) == 1 else (plural or f"{noun}s")
    return f"{quantity(number)} {word}"
