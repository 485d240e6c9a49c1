"""Problems found in an input workbook, each located where the planner must fix it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from models.errors import PlanningError
from models.wording import counted


class Level(StrEnum):
    """How serious an issue is: errors stop planning, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Issue:
    """One problem in a workbook.

    Parameters
    ----------
    level
        ``error`` (the workbook cannot be planned) or ``warning``.
    message
        What is wrong and what is expected instead.
    sheet
        The sheet, as the workbook names it; ``None`` for the file as a whole.
    row
        The row number as Excel shows it.
    column
        The column name (or a column letter when the header is blank).
    cell
        The cell reference, e.g. ``E5``.
    value
        The offending value, as read.
    """

    level: Level
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    cell: str | None = None
    value: Any = None

    @property
    def location(self) -> str:
        """Where to look, e.g. ``Items row 5, column lead_time (cell E5)``."""
        parts = []
        if self.sheet is not None:
            parts.append(f"sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        text = ", ".join(parts)
        if self.cell is not None:
            text += f" (cell {self.cell})"
        return text

    def __str__(self) -> str:
        where = self.location
        return f"{where}: {self.message}" if where else self.message

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        value = self.value
        if value is not None and not isinstance(value, int | float | str | bool):
            value = str(value)
        return {
            "level": str(self.level),
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "cell": self.cell,
            "value": value,
            "message": self.message,
        }


class WorkbookError(PlanningError):
    """A workbook that cannot be planned, with every error found in it."""

    def __init__(self, path: Path | str, issues: list[Issue]) -> None:
        self.path = Path(path)
        self.issues = issues
        errors = [i for i in issues if i.level is Level.ERROR]
        listed = "\n".join(f"  {n}. {issue}" for n, issue in enumerate(errors, 1))
        super().__init__(f"{self.path.name}: {counted(len(errors), 'error')} to fix:\n{listed}")
