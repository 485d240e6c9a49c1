"""The blank planner workbook: every input sheet, explained, with example rows.

Everything in the template is generated from the column contract
(:mod:`models.fields`) and the sheet list (:data:`planner.workbook.schema.SHEETS`),
so the README sheet, the headers, their comments and the drop-downs always
match what the reader accepts. The example rows are consistent with each
other: the template as written loads without errors.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from models.fields import DDMRP_SETTINGS_FIELDS, Field, FieldKind
from models.problem import ItemKind, LotRule, Settings
from planner.workbook.schema import SETTING_FIELDS, SHEETS, WORK_CENTERS, SheetSpec
from planner.workbook.writer import save_atomically

VALIDATED_ROWS = 5000
"""Data rows (from row 2) covered by the drop-downs and number checks."""

DATE_FORMAT = "yyyy-mm-dd"

EXAMPLE_START = date(2026, 3, 2)
EXAMPLE_END = date(2026, 3, 27)

EXAMPLE_ROWS: Mapping[str, Sequence[Mapping[str, Any]]] = {
    "Items": (
        {
            "item": "FG1",
            "description": "Finished good, made on WC1 from P1",
            "kind": "make",
            "work_center": "WC1",
            "run_time": 2,
            "setup_time": 30,
            "setup_cost": 50,
            "unit_cost": 40,
            "lead_time": 1,
            "on_hand": 20,
            "safety_stock": 0,
            "lot_rule": "LFL",
            "min_lot": 0,
            "lot_multiple": 0,
            "container_qty": 10,
            "whole_units": "yes",
        },
        {
            "item": "P1",
            "description": "Purchased part",
            "kind": "buy",
            "setup_cost": 25,
            "unit_cost": 5,
            "lead_time": 5,
            "on_hand": 300,
            "safety_stock": 50,
            "lot_rule": "FOQ",
            "lot_size": 500,
            "min_lot": 0,
            "lot_multiple": 0,
            "container_qty": 50,
            "whole_units": "yes",
        },
    ),
    "BOM": ({"parent": "FG1", "child": "P1", "qty_per": 2},),
    "Demand": (
        {"item": "FG1", "date": date(2026, 3, 12), "qty": 100},
        {"item": "FG1", "date": date(2026, 3, 26), "qty": 120},
    ),
    "WorkCenters": (
        {"work_center": "WC1", "capacity": 480, "overtime_capacity": 120, "overtime_cost": 1.5},
    ),
    "Calendar": ({"date": date(2026, 3, 16), "work_center": None, "capacity": 0},),
    "Receipts": ({"item": "P1", "date": date(2026, 3, 4), "qty": 500},),
    "Settings": (
        {"key": "start_date", "value": EXAMPLE_START},
        {"key": "end_date", "value": EXAMPLE_END},
        {"key": "workdays", "value": "Mon-Fri"},
        {"key": "carrying_rate", "value": 0.25},
        {"key": "backlog_cost", "value": None},
        {"key": "time_limit", "value": 60},
        {"key": "mip_gap", "value": 0.01},
        {"key": "deterministic", "value": "yes"},
        {"key": "safety_stock_weight", "value": 2},
        {"key": "end_backlog_days", "value": 20},
        {"key": "level_period", "value": 20},
        {"key": "epei_days", "value": 0},
        {"key": "kanban_safety_factor", "value": 0},
        {"key": "kanban_lot", "value": "container"},
        {"key": "service_level", "value": 0.95},
        {"key": "runner_share", "value": 0.8},
        {"key": "stranger_cv", "value": 2},
        {"key": "mixing", "value": "runs"},
        {"key": "pegging_limit", "value": 100_000},
        {"key": "diagnosis_limit", "value": 50_000},
        *({"key": f.name, "value": getattr(Settings(), f.name)} for f in DDMRP_SETTINGS_FIELDS),
    ),
    "Attributes": ({"item": "FG1", "attribute": "export"},),
    "SequenceRules": (
        {"attribute": "export", "max_in_window": 1, "window": 3, "work_center": "WC1"},
    ),
}
"""Example rows per sheet, by column name; missing columns are left blank."""

_SPELLING = {str(value).lower(): str(value) for enum in (ItemKind, LotRule) for value in enum}
_KIND_NAMES = {
    FieldKind.TEXT: "text",
    FieldKind.NUMBER: "number",
    FieldKind.INTEGER: "whole number",
    FieldKind.DATE: "date",
    FieldKind.CHOICE: "choice",
    FieldKind.YES_NO: "yes/no",
}
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_HEADER_FILL = PatternFill("solid", start_color="DDEBF7")
_REQUIRED_FILL = PatternFill("solid", start_color="FCE4D6")
_WRAP = Alignment(wrap_text=True, vertical="top")
_MIN_WIDTH, _MAX_WIDTH = 10, 60


def choice_values(spec: Field) -> tuple[str, ...]:
    """The allowed values of a choice column, spelled as the planner writes them.

    Parameters
    ----------
    spec
        A field of kind ``choice``.

    Returns
    -------
    tuple of str
        The choices, e.g. ``("LFL", "FOQ", ...)`` for ``lot_rule``.
    """
    return tuple(_SPELLING.get(choice, choice) for choice in spec.choices)


def allowed(spec: Field) -> str:
    """Describe the valid values of a column for the README sheet.

    Parameters
    ----------
    spec
        The column.

    Returns
    -------
    str
        ``Field.expected()``, with choices spelled as the planner writes them.
    """
    if spec.kind is FieldKind.CHOICE:
        return "one of " + ", ".join(choice_values(spec)) + " (any case)"
    return spec.expected()


def write_template(path: str | Path) -> None:
    """Write the blank planner workbook a planner fills in.

    The first sheet, ``README``, explains every sheet, column and setting.
    It is followed by one sheet per input sheet of the contract, each with
    a bold, frozen header row (hover a header for its meaning) and example
    rows that load without errors. The ``kind`` and ``lot_rule`` columns of
    ``Items`` have drop-downs, and number columns reject negative values.

    The file is written to a temporary file in the same folder and then
    renamed, so an existing workbook is never left half-written.

    Parameters
    ----------
    path
        Where to write the ``.xlsx`` file; an existing file is replaced.
    """
    save_atomically(build_template(), Path(path))


def build_template() -> Workbook:
    """Build the template workbook in memory.

    Returns
    -------
    openpyxl.Workbook
        The workbook :func:`write_template` saves.
    """
    workbook = Workbook()
    readme: Worksheet = workbook.active
    readme.title = "README"
    _write_readme(readme)
    for spec in SHEETS:
        _write_sheet(workbook.create_sheet(spec.name), spec, EXAMPLE_ROWS.get(spec.name, ()))
    workbook.active = 0
    return workbook


def _write_readme(sheet: Worksheet) -> None:
    required = [spec.name for spec in SHEETS if spec.required]
    optional = [spec.name for spec in SHEETS if not spec.required]
    intro = (
        "This workbook is the input of the production planner: the items, bill of materials, "
        "demand, work centers and calendar of one plant.",
        "Fill in one sheet per kind of data; every sheet holds example rows to replace with "
        "your own. Hover a column header for its meaning; required columns have orange "
        "headers.",
        "Sheet and column names are matched case-insensitively; spaces, hyphens and "
        "underscores inside a name do not count (Lead Time = lead_time = LEAD-TIME).",
        "Blank rows are skipped. Extra columns and extra sheets are ignored with a warning.",
        "Dates may be Excel dates or ISO text (2026-03-02). Numbers may be numbers or numeric "
        "text. A blank cell takes the column's default.",
        f"Required sheets: {', '.join(required)}. Optional sheets: {', '.join(optional)} "
        f"({WORK_CENTERS.name} is required as soon as any item is make).",
    )
    sheet.cell(1, 1, "Planner workbook").font = _TITLE
    row = 2
    for line in intro:
        sheet.cell(row, 1, line)
        row += 1

    row += 1
    row = _table(
        sheet,
        row,
        "Sheets",
        ("sheet", "required", "purpose"),
        ((spec.name, _yes_no(spec.required), spec.purpose) for spec in SHEETS),
    )

    row += 1
    row = _table(
        sheet,
        row,
        "Columns",
        (
            "sheet",
            "column",
            "required",
            "type",
            "unit",
            "default",
            "allowed values / bounds",
            "meaning",
        ),
        (
            (
                spec.name,
                field.name,
                _yes_no(field.required),
                _KIND_NAMES[field.kind],
                field.unit,
                field.default,
                allowed(field),
                field.meaning,
            )
            for spec in SHEETS
            for field in spec.fields
        ),
    )

    row += 1
    _table(
        sheet,
        row,
        "Settings keys (rows of the Settings sheet)",
        ("key", "type", "unit", "default", "allowed values / bounds", "meaning"),
        (
            (
                field.name,
                _KIND_NAMES[field.kind],
                field.unit,
                field.default,
                allowed(field),
                field.meaning,
            )
            for field in SETTING_FIELDS
        ),
    )
    for column, width in zip("ABCDEFGH", (16, 18, 10, 14, 28, 32, 36, 60), strict=True):
        sheet.column_dimensions[column].width = width


def _table(
    sheet: Worksheet,
    row: int,
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
) -> int:
    sheet.cell(row, 1, title).font = _TITLE
    row += 1
    for column, name in enumerate(header, 1):
        cell = sheet.cell(row, column, name)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
    row += 1
    for values in rows:
        for column, value in enumerate(values, 1):
            sheet.cell(row, column, value if value != "" else None).alignment = _WRAP
        row += 1
    return row


def _write_sheet(sheet: Worksheet, spec: SheetSpec, examples: Sequence[Mapping[str, Any]]) -> None:
    for column, field in enumerate(spec.fields, 1):
        cell = sheet.cell(1, column, field.name)
        cell.font = _BOLD
        cell.fill = _REQUIRED_FILL if field.required else _HEADER_FILL
        cell.comment = _header_comment(field)
    for row, example in enumerate(examples, 2):
        for column, field in enumerate(spec.fields, 1):
            value = example.get(field.name)
            cell = sheet.cell(row, column, value)
            if isinstance(value, date | datetime):
                cell.number_format = DATE_FORMAT
    sheet.freeze_panes = "A2"
    for column, field in enumerate(spec.fields, 1):
        letter = get_column_letter(column)
        texts = [field.name] + [_shown(example.get(field.name)) for example in examples]
        width = max(len(text) for text in texts) + 3
        sheet.column_dimensions[letter].width = min(_MAX_WIDTH, max(_MIN_WIDTH, width))
        if field.kind is FieldKind.DATE:
            sheet.column_dimensions[letter].number_format = DATE_FORMAT
    _add_validations(sheet, spec)


def _header_comment(field: Field) -> Comment:
    lines = [field.meaning]
    if field.unit:
        lines.append(f"Unit: {field.unit}.")
    lines.append(f"Allowed: {allowed(field)}.")
    lines.append("Required." if field.required else f"Blank means: {field.default or 'blank'}.")
    text = "\n".join(lines)
    comment = Comment(text, "planner")
    comment.width = 300
    comment.height = 40 + 18 * (len(text) // 40 + len(lines))
    return comment


def _add_validations(sheet: Worksheet, spec: SheetSpec) -> None:
    for column, field in enumerate(spec.fields, 1):
        validation = _validation(field)
        if validation is None:
            continue
        letter = get_column_letter(column)
        validation.add(f"{letter}2:{letter}{VALIDATED_ROWS + 1}")
        sheet.add_data_validation(validation)


def _validation(field: Field) -> DataValidation | None:
    if field.kind in (FieldKind.CHOICE, FieldKind.YES_NO):
        values = choice_values(field) if field.kind is FieldKind.CHOICE else ("yes", "no")
        validation = DataValidation(
            type="list", formula1='"' + ",".join(values) + '"', allow_blank=True
        )
    elif field.kind in (FieldKind.NUMBER, FieldKind.INTEGER) and (
        field.positive or field.minimum is not None
    ):
        validation = DataValidation(
            type="whole" if field.kind is FieldKind.INTEGER else "decimal",
            operator="greaterThan" if field.positive else "greaterThanOrEqual",
            formula1="0" if field.positive else f"{field.minimum:g}",
            allow_blank=True,
        )
    else:
        return None
    validation.error = f"{field.name} must be {allowed(field)}."
    validation.errorTitle = f"Invalid {field.name}"
    validation.showErrorMessage = True
    return validation


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date | datetime):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"
