"""Reading the sheets of a workbook: sheets found, columns checked, rows parsed, issues located.

:class:`SheetReader` does what reading any sheet of the contract needs,
whatever the sheet: it finds the contract's sheets (warning about others),
checks their columns, parses every row cell by cell (:mod:`planner.workbook.cells`)
and reports repeated keys, each issue located by sheet, Excel row, column
and cell.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from models.fields import Field
from planner.workbook import schema
from planner.workbook.cells import CellError, is_blank, parse_cell
from planner.workbook.issues import Issue, Level
from planner.workbook.schema import SheetSpec, name_key
from planner.workbook.sheets import OpenWorkbook, SheetRows, UnreadableWorkbookError

EXPLANATORY_SHEETS = {"readme"}
"""Sheets a workbook may hold to explain itself (the template's README), read by no one."""


@dataclass
class ParsedRow:
    """A sheet row whose cells were parsed: typed values, and which cells failed."""

    number: int
    values: dict[str, Any]
    failed: bool


class SheetReader:
    """Reads the sheets of one workbook, collecting every issue with its sheet, row and cell.

    The workbook reader (:mod:`planner.workbook.reader`) builds on it: it
    finds the contract's sheets, checks their columns, parses their rows
    cell by cell and reports repeated keys.
    """

    def __init__(self, path: Path, book: OpenWorkbook) -> None:
        self.path = path
        self.book = book
        self.issues: list[Issue] = []
        self.sheets: dict[str, SheetRows] = {}
        self.center_codes: set[str] = set()

    # Issue helpers ------------------------------------------------------------

    def error(
        self,
        message: str,
        sheet: SheetRows | None = None,
        row: int | None = None,
        column: str | None = None,
        value: Any = None,
    ) -> None:
        self._add(Level.ERROR, message, sheet, row, column, value)

    def warn(
        self,
        message: str,
        sheet: SheetRows | None = None,
        row: int | None = None,
        column: str | None = None,
        value: Any = None,
    ) -> None:
        self._add(Level.WARNING, message, sheet, row, column, value)

    def _add(
        self,
        level: Level,
        message: str,
        sheet: SheetRows | None,
        row: int | None,
        column: str | None,
        value: Any,
    ) -> None:
        cell = sheet.cell(row, name_key(column)) if sheet and row and column else None
        shown = sheet.columns[name_key(column)].title if sheet and column and cell else column
        self.issues.append(
            Issue(level, message, sheet.name if sheet else None, row, shown, cell, value)
        )

    def _unknown_item(
        self, code: str, items: dict[str, Any], sheet: SheetRows, row: int, column: str = "item"
    ) -> None:
        hint = suggest(code, items)
        self.error(
            f"{column} {code!r} is not an item of sheet Items{hint}", sheet, row, column, code
        )

    def _unknown_center(self, code: str, sheet: SheetRows, row: int) -> None:
        hint = suggest(code, self.center_codes)
        message = f"work center {code!r} is not in sheet WorkCenters{hint}"
        self.error(message, sheet, row, "work_center", code)

    # Sheets and rows ----------------------------------------------------------

    def _find_sheets(self) -> None:
        known = {spec.key: spec for spec in schema.SHEETS}
        for title in self.book.sheet_names:
            key = name_key(title)
            if key in EXPLANATORY_SHEETS:
                continue
            if key not in known:
                self.warn(f"sheet '{title}' is not part of the planner workbook and is ignored")
                continue
            if key in self.sheets:
                first = self.sheets[key].name
                self.warn(f"sheet '{title}' repeats sheet '{first}' and is ignored")
                continue
            try:
                sheet = self.book.read_sheet(title)
            except UnreadableWorkbookError as refused:
                self.warn(f"{refused.issue.message}; it is ignored")
                continue
            self.sheets[key] = sheet
            for row, index in sorted(sheet.uncomputed):
                letter = column_letter(index)
                self.issues.append(
                    Issue(
                        Level.WARNING,
                        "formula without a computed value, read as blank: open the workbook in "
                        "Excel and save it so that Excel stores the formula results",
                        sheet.name,
                        row,
                        None,
                        f"{letter}{row}",
                    )
                )

    def _sheet(self, spec: SheetSpec, required: bool | None = None) -> SheetRows | None:
        """The sheet of ``spec`` with its columns checked; ``None`` if absent or unusable."""
        sheet = self.sheets.get(spec.key)
        if sheet is None:
            if spec.required if required is None else required:
                self.error(f"the workbook has no sheet '{spec.name}' (required: {spec.purpose})")
            return None
        if not sheet.header_row:
            if spec.required if required is None else required:
                self.error(
                    f"sheet '{sheet.name}' is empty: it needs a header row with the "
                    f"columns {', '.join(f.name for f in spec.fields)}",
                    sheet,
                )
            return None
        missing = [c for c in spec.required_columns if name_key(c) not in sheet.columns]
        for column in missing:
            self.error(
                f"column '{column}' is missing (header row {sheet.header_row})",
                sheet,
                row=sheet.header_row,
                column=column,
            )
        self._warn_extra_columns(sheet, spec.fields)
        return None if missing else sheet

    def _warn_extra_columns(self, sheet: SheetRows, fields: Iterable[Field]) -> None:
        allowed = {name_key(f.name) for f in fields}
        for key, column in sheet.columns.items():
            if key not in allowed:
                self.issues.append(
                    Issue(
                        Level.WARNING,
                        f"column '{column.title}' is not part of the contract and is ignored",
                        sheet.name,
                        sheet.header_row,
                        column.title,
                        f"{column.letter}{sheet.header_row}",
                    )
                )
        for column in sheet.repeated_columns:
            self.issues.append(
                Issue(
                    Level.WARNING,
                    f"column '{column.title}' repeats an earlier column and is ignored",
                    sheet.name,
                    sheet.header_row,
                    column.title,
                    f"{column.letter}{sheet.header_row}",
                )
            )

    def _rows(self, sheet: SheetRows, fields: tuple[Field, ...]) -> list[ParsedRow]:
        """Parse every row of a sheet; blank required cells and bad values are errors."""
        present = [
            (spec, sheet.columns[name_key(spec.name)].index)
            for spec in fields
            if sheet.has(spec.name)
        ]
        parsed = []
        for number, raw in sheet.rows:
            values: dict[str, Any] = {}
            failed = False
            for spec, index in present:
                value = raw[index] if index < len(raw) else None
                if is_blank(value):
                    if spec.required:
                        self.error(
                            f"{spec.name} is blank: expected {spec.expected()}",
                            sheet,
                            number,
                            spec.name,
                        )
                        failed = True
                    values[spec.name] = None
                    continue
                try:
                    values[spec.name] = parse_cell(spec, value)
                except CellError as problem:
                    self.error(f"{spec.name} {value!r} {problem}", sheet, number, spec.name, value)
                    values[spec.name] = None
                    failed = True
            parsed.append(ParsedRow(number, values, failed))
        return parsed

    def _duplicates(
        self,
        sheet: SheetRows,
        rows: list[ParsedRow],
        key: Callable[[ParsedRow], Any],
        column: str,
        what: str,
        level: Level = Level.ERROR,
    ) -> set[Any]:
        first: dict[Any, int] = {}
        repeated = set()
        for row in rows:
            value = key(row)
            if value is None or (isinstance(value, tuple) and None in value):
                continue
            if value in first:
                message = f"{what} {show(value)} is listed again (first on row {first[value]})"
                self._add(level, message, sheet, row.number, column, show(value))
                repeated.add(value)
            else:
                first[value] = row.number
        return repeated


def suggest(code: str, known: Iterable[str]) -> str:
    """A hint naming the known code closest to a mistyped one, if any is close."""
    known = list(known)
    exact = [k for k in known if k.lower() == code.lower()]
    close = exact or difflib.get_close_matches(code, known, n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


def column_letter(index: int) -> str:
    """The Excel column letter of a 0-based column index."""
    return str(get_column_letter(index + 1))


def show(value: Any) -> str:
    """A key as an issue shows it (a pair as ``parent -> child``)."""
    if isinstance(value, tuple):
        return " -> ".join(str(v) for v in value)
    return str(value)
