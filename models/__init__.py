"""The planning core: plant data, plans and planning methods, on numpy arrays.

This package reads no files and prints nothing; :mod:`planner` wraps it.
"""

from models.calendar import Calendar, CapacityException, parse_workdays
from models.errors import PlanningError, PlanningWarning, ProblemError
from models.problem import (
    BomLine,
    Item,
    ItemAttribute,
    ItemKind,
    LotRule,
    Problem,
    SequenceRule,
    Settings,
    WorkCenter,
)

__all__ = [
    "BomLine",
    "Calendar",
    "CapacityException",
    "Item",
    "ItemAttribute",
    "ItemKind",
    "LotRule",
    "PlanningError",
    "PlanningWarning",
    "Problem",
    "ProblemError",
    "SequenceRule",
    "Settings",
    "WorkCenter",
    "parse_workdays",
]
