"""Reading a planner workbook into a validated :class:`~models.Problem`.

Every problem in the workbook is reported in one pass, each located by
sheet, Excel row and column, with the offending value and what is expected.
Nothing here raises on bad input: :func:`read_workbook` returns the issues
found and, when there is no error, the problem.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from models import (
    BomLine,
    Calendar,
    CapacityException,
    Item,
    ItemAttribute,
    Problem,
    ProblemError,
    SequenceRule,
    Settings,
    WorkCenter,
    parse_workdays,
)
from models.bom import find_cycles
from models.calendar import horizon_index
from models.fields import field_map
from planner.workbook import schema
from planner.workbook.cells import CellError, is_blank, parse_cell
from planner.workbook.entries import (
    Dated,
    fractional_entries,
    fractional_fields,
    outside_horizon,
)
from planner.workbook.issues import Issue, Level, WorkbookError
from planner.workbook.schema import SheetSpec, name_key
from planner.workbook.sheet_reader import ParsedRow, SheetReader, suggest
from planner.workbook.sheets import (
    MAX_FILE_BYTES,
    OpenWorkbook,
    SheetRows,
    UnreadableWorkbookError,
    check_file,
)


@dataclass
class ReadResult:
    """What reading a workbook gave: the problem (if valid) and every issue found.

    Parameters
    ----------
    path
        The workbook read.
    problem
        The validated problem, or ``None`` when there is any error.
    issues
        Errors and warnings, in sheet order.
    seconds
        Time spent reading and validating.
    """

    path: Path
    problem: Problem | None
    issues: list[Issue] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def errors(self) -> list[Issue]:
        """The issues that stop planning."""
        return [i for i in self.issues if i.level is Level.ERROR]

    @property
    def warnings(self) -> list[Issue]:
        """The issues that do not stop planning."""
        return [i for i in self.issues if i.level is Level.WARNING]

    @property
    def ok(self) -> bool:
        """Whether the workbook gave a problem."""
        return self.problem is not None


def read_workbook(path: str | Path, *, max_bytes: int = MAX_FILE_BYTES) -> ReadResult:
    """Read and validate a planner workbook.

    Parameters
    ----------
    path
        An .xlsx file following the workbook contract.
    max_bytes
        Larger files are refused.

    Returns
    -------
    ReadResult
        The problem when the workbook has no error, and every issue found.
    """
    started = time.perf_counter()
    path = Path(path)
    try:
        check_file(path, max_bytes)
        book = OpenWorkbook(path)
    except UnreadableWorkbookError as refused:
        return ReadResult(path, None, [refused.issue], time.perf_counter() - started)
    try:
        reader = _WorkbookReader(path, book)
        problem = reader.read()
    finally:
        book.close()
    return ReadResult(path, problem, _in_sheet_order(reader.issues), time.perf_counter() - started)


def load_workbook(path: str | Path, *, max_bytes: int = MAX_FILE_BYTES) -> Problem:
    """Read a planner workbook and return its problem.

    Raises
    ------
    WorkbookError
        Listing every error, when the workbook is not valid.
    """
    result = read_workbook(path, max_bytes=max_bytes)
    if result.problem is None:
        raise WorkbookError(result.path, result.issues)
    return result.problem


class _WorkbookReader(SheetReader):
    """One pass over a workbook, collecting issues as it goes."""

    # The pass -----------------------------------------------------------------

    def read(self) -> Problem | None:
        self._find_sheets()
        items = self._items()
        centers = self._work_centers(items)
        bom = self._bom(items)
        settings, start, end, workdays = self._settings()
        exceptions = self._calendar()
        demand = self._demand(items)
        receipts = self._dated_rows(schema.RECEIPTS, items)
        attributes = self._attributes(items)
        rules = self._sequence_rules(attributes)
        self._check_item_centers(items, centers)
        if start is None and demand:
            start = min(d.day for d in demand)
        if end is None and demand:
            end = max(d.day for d in demand)
        calendar = self._horizon(start, end, workdays, exceptions)
        self._warn_unused(items, bom, demand, receipts)
        self._warn_fractional(items, demand, receipts)
        if any(i.level is Level.ERROR for i in self.issues) or calendar is None:
            return None
        return self._build(
            items, centers, bom, settings, calendar, demand, receipts, attributes, rules
        )

    # Sheets -------------------------------------------------------------------

    def _items(self) -> dict[str, tuple[int, Item | None]]:
        """Items by code, with their row; ``None`` for rows that failed."""
        sheet = self._sheet(schema.ITEMS)
        if sheet is None:
            return {}
        rows = self._rows(sheet, schema.ITEMS.fields)
        if not rows:
            self.error("sheet has no item rows", sheet)
        self._duplicates(sheet, rows, lambda r: r.values.get("item"), "item", "item")
        items: dict[str, tuple[int, Item | None]] = {}
        for row in rows:
            code = row.values.get("item")
            if code is None or code in items:
                continue
            items[code] = (row.number, self._item(sheet, row))
        return items

    def _item(self, sheet: SheetRows, row: ParsedRow) -> Item | None:
        v = {k: value for k, value in row.values.items() if value is not None}
        code = v.pop("item")
        kind, center = v.get("kind"), v.get("work_center")
        failed = False
        if kind == "make" and center is None:
            self.error(
                f"item {code} is make but has no work_center: name the work center "
                "where it is made, or make it a buy item",
                sheet,
                row.number,
                "work_center" if sheet.has("work_center") else "kind",
            )
            failed = True
        if kind == "buy" and center is not None:
            self.warn(
                f"item {code} is buy, so its work_center {center!r} is ignored",
                sheet,
                row.number,
                "work_center",
                center,
            )
            v.pop("work_center")
        rule = str(v.get("lot_rule", "lfl")).upper()
        lot_size = v.get("lot_size")
        if rule in ("FOQ", "POQ") and lot_size is None:
            meaning = "the order quantity" if rule == "FOQ" else "the number of days covered"
            self.error(
                f"lot_rule {rule} needs a lot_size ({meaning})",
                sheet,
                row.number,
                "lot_size" if sheet.has("lot_size") else "lot_rule",
            )
            failed = True
        if rule == "POQ" and lot_size is not None and not float(lot_size).is_integer():
            self.error(
                f"lot_size {lot_size} is fractional: for POQ it is a whole number of days",
                sheet,
                row.number,
                "lot_size",
                lot_size,
            )
            failed = True
        if failed or row.failed:
            return None
        try:
            return Item(code=code, **v)
        except ProblemError as problem:
            for text in problem.problems:
                self.error(text, sheet, row.number)
            return None

    def _work_centers(self, items: dict[str, tuple[int, Item | None]]) -> dict[str, WorkCenter]:
        needs = any(item is not None and item.work_center for _, item in items.values())
        sheet = self._sheet(schema.WORK_CENTERS, required=needs)
        if sheet is None:
            return {}
        rows = self._rows(sheet, schema.WORK_CENTERS.fields)
        self._duplicates(
            sheet, rows, lambda r: r.values.get("work_center"), "work_center", "work center"
        )
        centers: dict[str, WorkCenter] = {}
        self.center_codes = {r.values["work_center"] for r in rows if r.values.get("work_center")}
        for row in rows:
            code = row.values.get("work_center")
            if row.failed or code is None or code in centers:
                continue
            numbers = {k: v for k, v in row.values.items() if v is not None and k != "work_center"}
            centers[code] = WorkCenter(code=code, **numbers)
        return centers

    def _check_item_centers(
        self, items: dict[str, tuple[int, Item | None]], centers: dict[str, WorkCenter]
    ) -> None:
        sheet = self.sheets.get(schema.ITEMS.key)
        if sheet is None or schema.WORK_CENTERS.key not in self.sheets:
            return
        for code, (number, item) in items.items():
            if item is not None and item.work_center and item.work_center not in self.center_codes:
                self.error(
                    f"item {code} names work center {item.work_center!r}, which is not "
                    f"in sheet WorkCenters{suggest(item.work_center, self.center_codes)}",
                    sheet,
                    number,
                    "work_center",
                    item.work_center,
                )

    def _bom(self, items: dict[str, tuple[int, Item | None]]) -> list[BomLine]:
        sheet = self._sheet(schema.BOM)
        if sheet is None:
            return []
        rows = self._rows(sheet, schema.BOM.fields)
        self._duplicates(
            sheet,
            rows,
            lambda r: (r.values.get("parent"), r.values.get("child")),
            "child",
            "BOM line parent -> child",
        )
        lines: list[BomLine] = []
        where: dict[tuple[str, str], int] = {}
        for row in rows:
            parent, child = row.values.get("parent"), row.values.get("child")
            failed = row.failed
            for role, code in (("parent", parent), ("child", child)):
                if code is not None and code not in items:
                    self._unknown_item(code, items, sheet, row.number, role)
                    failed = True
            if parent is not None and parent == child:
                self.error(
                    f"item {parent} uses itself (cycle {parent} -> {parent})",
                    sheet,
                    row.number,
                    "child",
                    child,
                )
                failed = True
            if failed or parent is None or child is None or (parent, child) in where:
                continue
            where[(parent, child)] = row.number
            lines.append(BomLine(parent, child, row.values["qty_per"]))
            parent_item = items[parent][1]
            if parent_item is not None and parent_item.work_center is None:
                self.warn(
                    f"{parent} is a buy item with components: they are consumed when "
                    f"{parent} is ordered",
                    sheet,
                    row.number,
                    "parent",
                    parent,
                )
        for cycle in find_cycles(where):
            rows_on_cycle = [where[(a, b)] for a, b in pairwise(cycle)]
            listed = ", ".join(str(r) for r in sorted(rows_on_cycle))
            self.error(
                f"the BOM has a cycle: {' -> '.join(cycle)} (rows {listed}); an item "
                "cannot contain itself",
                sheet,
                min(rows_on_cycle),
                "child",
            )
        return lines

    def _settings(self) -> tuple[Settings, date | None, date | None, frozenset[int]]:
        default = Settings(), None, None, frozenset(range(5))
        sheet = self._sheet(schema.SETTINGS)
        if sheet is None:
            return default
        specs = field_map(schema.SETTING_FIELDS)
        by_key = {name_key(name): spec for name, spec in specs.items()}
        seen: dict[str, int] = {}
        values: dict[str, Any] = {}
        for number, raw in sheet.rows:
            key_cell, value = sheet.value(raw, "key"), sheet.value(raw, "value")
            if is_blank(key_cell):
                self.error("key is blank: expected a setting name", sheet, number, "key", value)
                continue
            spec = by_key.get(name_key(key_cell))
            if spec is None:
                known = ", ".join(specs)
                self.warn(
                    f"setting {key_cell!r} is unknown and ignored (known: {known})",
                    sheet,
                    number,
                    "key",
                    key_cell,
                )
                continue
            if spec.name in seen:
                self.error(
                    f"setting {spec.name} is listed again (first on row {seen[spec.name]})",
                    sheet,
                    number,
                    "key",
                    key_cell,
                )
                continue
            seen[spec.name] = number
            if is_blank(value):
                continue
            if spec.name == "workdays":
                try:
                    values["workdays"] = parse_workdays(str(value))
                except ValueError as problem:
                    self.error(
                        f"workdays {value!r}: {problem}; expected weekdays such as "
                        "Mon-Fri, Mon-Sat or Mon,Tue,Thu",
                        sheet,
                        number,
                        "value",
                        value,
                    )
                continue
            try:
                values[spec.name] = parse_cell(spec, value)
            except CellError as problem:
                self.error(f"{spec.name} {value!r} {problem}", sheet, number, "value", value)
        start, end = values.pop("start_date", None), values.pop("end_date", None)
        workdays = values.pop("workdays", frozenset(range(5)))
        if start is not None and end is not None and start > end:
            self.error(
                f"start_date {start} is after end_date {end}", sheet, seen["end_date"], "value", end
            )
        return Settings(**values), start, end, workdays

    def _calendar(self) -> list[tuple[int, CapacityException]]:
        sheet = self._sheet(schema.CALENDAR)
        if sheet is None:
            return []
        rows = self._rows(sheet, schema.CALENDAR.fields)
        self._duplicates(
            sheet,
            rows,
            lambda r: (r.values.get("date"), r.values.get("work_center") or ""),
            "date",
            "calendar entry (date, work_center)",
        )
        exceptions = []
        seen = set()
        for row in rows:
            center = row.values.get("work_center")
            if center is not None and center not in self.center_codes:
                self._unknown_center(center, sheet, row.number)
                continue
            key = (row.values.get("date"), center)
            if row.failed or key in seen:
                continue
            seen.add(key)
            exceptions.append(
                (row.number, CapacityException(row.values["date"], center, row.values["capacity"]))
            )
        return exceptions

    def _demand(self, items: dict[str, tuple[int, Item | None]]) -> list[Dated]:
        sheet = self.sheets.get(schema.DEMAND.key)
        if (
            sheet is not None
            and sheet.header_row
            and "item" in sheet.columns
            and not ({"date", "qty"} & set(sheet.columns))
        ):
            return self._wide_demand(sheet, items)
        return self._dated_rows(schema.DEMAND, items)

    def _dated_rows(
        self, spec: SheetSpec, items: dict[str, tuple[int, Item | None]]
    ) -> list[Dated]:
        sheet = self._sheet(spec)
        if sheet is None:
            return []
        rows = self._rows(sheet, spec.fields)
        result = []
        for row in rows:
            code = row.values.get("item")
            if code is not None and code not in items:
                self._unknown_item(code, items, sheet, row.number)
                continue
            if row.failed:
                continue
            result.append(
                Dated(
                    row.values["item"],
                    row.values["date"],
                    row.values["qty"],
                    row.number,
                    sheet.cell(row.number, "qty"),
                )
            )
        if spec is schema.DEMAND and not result and not rows:
            self.warn("sheet has no demand rows: there is nothing to plan for", sheet)
        return result

    def _wide_demand(
        self, sheet: SheetRows, items: dict[str, tuple[int, Item | None]]
    ) -> list[Dated]:
        item_column = sheet.columns["item"]
        date_spec = field_map(schema.DEMAND.fields)["date"]
        qty_spec = field_map(schema.DEMAND.fields)["qty"]
        dates: list[tuple[int, date, str]] = []
        for column, title in sheet.header_cells:
            if column.index == item_column.index:
                continue
            try:
                dates.append((column.index, parse_cell(date_spec, title), column.letter))
            except CellError:
                self.issues.append(
                    Issue(
                        Level.WARNING,
                        f"header {column.title!r} is not a date, so the column is "
                        "ignored (in the wide demand form every column after item is a date)",
                        sheet.name,
                        sheet.header_row,
                        column.title,
                        f"{column.letter}{sheet.header_row}",
                        column.title,
                    )
                )
        if not dates:
            self.error(
                "the Demand sheet has neither the long form (columns item, date, qty) nor "
                "the wide form (item, then one column per date with dates in the header)",
                sheet,
                sheet.header_row,
            )
            return []
        result = []
        for number, raw in sheet.rows:
            code_cell = sheet.value(raw, "item")
            if is_blank(code_cell):
                self.error("item is blank: expected an item code", sheet, number, "item")
                continue
            code = parse_cell(field_map(schema.DEMAND.fields)["item"], code_cell)
            if code not in items:
                self._unknown_item(code, items, sheet, number)
                continue
            for index, day, letter in dates:
                value = raw[index] if index < len(raw) else None
                if is_blank(value):
                    continue
                try:
                    qty = parse_cell(qty_spec, value)
                except CellError as problem:
                    self.issues.append(
                        Issue(
                            Level.ERROR,
                            f"qty {value!r} {problem}",
                            sheet.name,
                            number,
                            str(day),
                            f"{letter}{number}",
                            value,
                        )
                    )
                    continue
                if qty:
                    result.append(Dated(code, day, qty, number, f"{letter}{number}"))
        return result

    def _attributes(self, items: dict[str, tuple[int, Item | None]]) -> list[ItemAttribute]:
        sheet = self._sheet(schema.ATTRIBUTES)
        if sheet is None:
            return []
        rows = self._rows(sheet, schema.ATTRIBUTES.fields)
        self._duplicates(
            sheet,
            rows,
            lambda r: (r.values.get("item"), r.values.get("attribute")),
            "attribute",
            "item attribute",
            Level.WARNING,
        )
        result: dict[tuple[str, str], ItemAttribute] = {}
        for row in rows:
            code = row.values.get("item")
            if code is not None and code not in items:
                self._unknown_item(code, items, sheet, row.number)
                continue
            if not row.failed:
                pair = (row.values["item"], row.values["attribute"])
                result.setdefault(pair, ItemAttribute(*pair))
        return list(result.values())

    def _sequence_rules(self, attributes: list[ItemAttribute]) -> list[SequenceRule]:
        sheet = self._sheet(schema.SEQUENCE_RULES)
        if sheet is None:
            return []
        rows = self._rows(sheet, schema.SEQUENCE_RULES.fields)
        carried = {a.attribute for a in attributes}
        rules = []
        for row in rows:
            v = row.values
            center = v.get("work_center")
            if center is not None and center not in self.center_codes:
                self._unknown_center(center, sheet, row.number)
                continue
            if row.failed:
                continue
            if v["attribute"] not in carried:
                self.warn(
                    f"no item carries attribute {v['attribute']!r} (sheet Attributes), so "
                    "the rule never applies",
                    sheet,
                    row.number,
                    "attribute",
                    v["attribute"],
                )
            if v["max_in_window"] >= v["window"]:
                self.warn(
                    f"max_in_window {v['max_in_window']} is not below window {v['window']}, "
                    "so the rule never binds",
                    sheet,
                    row.number,
                    "max_in_window",
                    v["max_in_window"],
                )
            rules.append(SequenceRule(v["attribute"], v["max_in_window"], v["window"], center))
        return rules

    # Horizon and cross-sheet checks -------------------------------------------

    def _horizon(
        self,
        start: date | None,
        end: date | None,
        workdays: frozenset[int],
        exceptions: list[tuple[int, CapacityException]],
    ) -> Calendar | None:
        if start is None or end is None:
            self.error(
                "the planning horizon is unknown: give start_date and end_date in sheet "
                "Settings, or some demand in sheet Demand"
            )
            return None
        if start > end:
            if schema.SETTINGS.key not in self.sheets:
                self.error(f"the horizon is empty: start {start} is after end {end}")
            return None
        calendar = Calendar(start, end, workdays, tuple(e for _, e in exceptions))
        days = calendar.working_days()
        if not days:
            self.error(
                f"the horizon {start} .. {end} has no working day (workdays "
                f"{sorted(workdays)}, {len(exceptions)} calendar exceptions)"
            )
            return None
        sheet = self.sheets.get(schema.CALENDAR.key)
        working = set(days)
        for number, exception in exceptions:
            if not start <= exception.date <= end:
                self.warn(
                    f"date {exception.date} is outside the horizon {start} .. {end}; "
                    "the entry is ignored",
                    sheet,
                    number,
                    "date",
                    exception.date,
                )
            elif exception.date not in working and not exception.is_plant_holiday:
                self.warn(
                    f"{exception.date} is not a working day, so this capacity is ignored; "
                    "to add a working day, list the date with a blank work_center",
                    sheet,
                    number,
                    "date",
                    exception.date,
                )
        return calendar

    def _warn_unused(
        self,
        items: dict[str, tuple[int, Item | None]],
        bom: list[BomLine],
        demand: list[Dated],
        receipts: list[Dated],
    ) -> None:
        sheet = self.sheets.get(schema.ITEMS.key)
        used = {line.parent for line in bom} | {line.child for line in bom}
        used |= {d.item for d in demand} | {r.item for r in receipts}
        for code, (number, item) in items.items():
            if item is not None and code not in used:
                self.warn(
                    f"item {code} has no demand and is not in the BOM, so no strategy plans it",
                    sheet,
                    number,
                    "item",
                    code,
                )

    def _build(
        self,
        items: dict[str, tuple[int, Item | None]],
        centers: dict[str, WorkCenter],
        bom: list[BomLine],
        settings: Settings,
        calendar: Calendar,
        demand: list[Dated],
        receipts: list[Dated],
        attributes: list[ItemAttribute],
        rules: list[SequenceRule],
    ) -> Problem | None:
        chosen = [item for _, item in items.values() if item is not None]
        index = {item.code: i for i, item in enumerate(chosen)}
        days = calendar.working_days()
        arrays = []
        for spec, records, later in (
            (schema.DEMAND, demand, False),
            (schema.RECEIPTS, receipts, True),
        ):
            array = np.zeros((len(chosen), len(days)))
            slots = horizon_index(
                days, [r.day for r in records], calendar.start, calendar.end, later=later
            )
            outside = [r for r, slot in zip(records, slots, strict=True) if slot < 0]
            if outside:
                self.issues.append(
                    outside_horizon(spec, self.sheets[spec.key].name, outside, calendar)
                )
            rows = np.array([index[r.item] for r in records], dtype=np.int64)
            qty = np.array([r.qty for r in records])
            keep = slots >= 0
            np.add.at(array, (rows[keep], slots[keep]), qty[keep])
            arrays.append(array)
        capacity, overtime = calendar.capacity_arrays(
            days,
            list(centers),
            [w.capacity for w in centers.values()],
            [w.overtime_capacity for w in centers.values()],
        )
        try:
            return Problem(
                items=tuple(chosen),
                days=days,
                demand=arrays[0],
                work_centers=tuple(centers.values()),
                bom=tuple(bom),
                receipts=arrays[1],
                capacity=capacity,
                overtime_capacity=overtime,
                settings=settings,
                attributes=tuple(attributes),
                sequence_rules=tuple(rules),
                name=self.path.stem,
            )
        except ProblemError as problem:
            for text in problem.problems:
                self.error(text)
            return None

    def _warn_fractional(
        self,
        items: dict[str, tuple[int, Item | None]],
        demand: list[Dated],
        receipts: list[Dated],
    ) -> None:
        """Warn of fractional quantities of whole-unit items (their plans start whole units)."""
        sheet = self.sheets.get(schema.ITEMS.key)
        for code, (row, item) in items.items():
            for name, value in fractional_fields(item) if item is not None else ():
                self.warn(
                    f"item {code} is counted in whole units, but its {name} is {value:g}: "
                    "its plans start whole units only (set whole_units to no for an item "
                    "counted in fractions)",
                    sheet,
                    row,
                    name,
                    value,
                )
        whole = {code for code, (_, item) in items.items() if item is not None and item.whole_units}
        for spec, records in ((schema.DEMAND, demand), (schema.RECEIPTS, receipts)):
            if records:
                issue = fractional_entries(spec, self.sheets[spec.key].name, records, whole)
                if issue is not None:
                    self.issues.append(issue)


def _in_sheet_order(issues: list[Issue]) -> list[Issue]:
    """Issues of the file first, then sheet by sheet in contract order, by row."""
    order = {spec.key: n for n, spec in enumerate(schema.SHEETS)}

    def position(issue: Issue) -> tuple[int, int]:
        if issue.sheet is None:
            return (-1, 0)
        return (order.get(name_key(issue.sheet), len(order)), issue.row or 0)

    return sorted(issues, key=position)


__all__ = ["ReadResult", "load_workbook", "read_workbook"]
