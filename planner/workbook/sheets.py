"""Opening a workbook safely and reading its sheets into located rows.

This layer knows about files and cells, not about planning: it refuses
files that are not workbooks, too large, encrypted or built to exhaust
memory, and it returns each sheet as a header plus rows that remember their
Excel row numbers.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

import olefile
import openpyxl
from defusedxml import DefusedXmlException
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from python_calamine import CalamineWorkbook

from planner.workbook.cells import is_blank
from planner.workbook.issues import Issue, Level
from planner.workbook.schema import name_key

MAX_FILE_BYTES = 50 * 1024 * 1024
"""Largest workbook file accepted, in bytes."""

MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
"""Largest total size of a workbook's unpacked parts, in bytes (zip-bomb guard)."""

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FORMULA = re.compile(rb"<(?:\w+:)?f[ >/]")


class UnreadableWorkbookError(Exception):
    """The file cannot be opened as a workbook; carries the issue to report."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.message)
        self.issue = issue


def _refuse(message: str) -> UnreadableWorkbookError:
    return UnreadableWorkbookError(Issue(Level.ERROR, message))


def check_file(path: Path, max_bytes: int = MAX_FILE_BYTES) -> None:
    """Refuse files that are missing, empty, too large or not .xlsx workbooks.

    Raises
    ------
    UnreadableWorkbookError
        With a message that says what the file is and what to do.
    """
    if not path.exists():
        raise _refuse(f"file {path} does not exist")
    if path.is_dir():
        raise _refuse(f"{path} is a folder, not an .xlsx file")
    size = path.stat().st_size
    if size == 0:
        raise _refuse(f"{path.name} is empty (0 bytes): save the workbook again from Excel")
    if size > max_bytes:
        raise _refuse(
            f"{path.name} is {size / 2**20:.1f} MiB, over the limit of {max_bytes / 2**20:.0f} "
            "MiB: remove unused sheets, formatting or images, or split the plant"
        )
    with path.open("rb") as handle:
        magic = handle.read(8)
    if magic == _OLE_MAGIC:
        raise _refuse(_describe_ole(path))
    if not magic.startswith(_ZIP_MAGIC):
        raise _refuse(
            f"{path.name} is not an Excel .xlsx workbook: save it from Excel as "
            "'Excel Workbook (*.xlsx)'"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse(
            f"{path.name} is corrupt (a damaged or truncated .xlsx file): open it in Excel, "
            "repair it and save it again"
        ) from None
    if "xl/workbook.xml" not in names:
        raise _refuse(
            f"{path.name} is a zip archive but not an Excel workbook (no xl/workbook.xml): "
            "save it from Excel as 'Excel Workbook (*.xlsx)'"
        )
    if unpacked > MAX_UNPACKED_BYTES:
        raise _refuse(
            f"{path.name} unpacks to {unpacked / 2**20:.0f} MiB, over the limit of "
            f"{MAX_UNPACKED_BYTES / 2**20:.0f} MiB; it is refused as a possible zip bomb"
        )


def _describe_ole(path: Path) -> str:
    try:
        with olefile.OleFileIO(str(path)) as ole:
            encrypted = ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage")
    except Exception:  # olefile raises assorted errors on damaged files; it is refused anyway
        encrypted = False
    if encrypted:
        return (
            f"{path.name} is password-protected: open it in Excel, remove the password "
            "(File > Info > Protect Workbook > Encrypt with Password, clear it) and save it again"
        )
    return (
        f"{path.name} is an old-style .xls (or other Office) file, not .xlsx: open it in Excel "
        "and save it as 'Excel Workbook (*.xlsx)'"
    )


class OpenWorkbook:
    """A checked workbook, open for reading sheet by sheet.

    Cell values come from calamine, a fast reader that never expands XML
    entities. Formulas whose value Excel never computed read as blank there;
    when the file holds formulas at all, openpyxl (with defusedxml) locates
    them so that the reader can warn about each one.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        has_formulas = _scan_parts(path)
        try:
            self._book = CalamineWorkbook.from_path(str(path))
        except Exception as error:
            raise _refuse(
                f"{path.name} cannot be read as an Excel workbook ({error}); open it in Excel "
                "and save it again as .xlsx"
            ) from None
        self._formulas: Workbook | None = None
        if has_formulas:
            try:
                self._formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
            except (
                DefusedXmlException,
                zipfile.BadZipFile,
                KeyError,
                ParseError,
                OSError,
                ValueError,
                TypeError,
            ) as error:
                if _caused_by(error, DefusedXmlException):
                    raise _refuse(_HOSTILE.format(name=path.name)) from None
                self._formulas = None

    @property
    def sheet_names(self) -> list[str]:
        """The sheet names, in workbook order."""
        return list(self._book.sheet_names)

    def read_sheet(self, name: str) -> SheetRows:
        """Read one sheet into located rows.

        Raises
        ------
        UnreadableWorkbookError
            When the sheet cannot be read (e.g. a chart sheet).
        """
        try:
            grid = self._book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as error:
            raise _refuse(f"sheet '{name}' cannot be read ({error})") from None
        result = SheetRows(name)
        for number, values in enumerate(grid, 1):
            if all(is_blank(v) for v in values):
                continue
            if not result.header_row:
                result.header_row = number
                _set_header(result, tuple(values))
            else:
                result.rows.append((number, tuple(values)))
        if self._formulas is not None and name in self._formulas.sheetnames:
            result.uncomputed = _uncomputed_cells(self._formulas[name], result)
        return result

    def close(self) -> None:
        """Release the file."""
        self._book.close()
        if self._formulas is not None:
            self._formulas.close()


_HOSTILE = (
    "{name} contains XML constructs (document type or entity declarations) that are refused "
    "for safety; save the workbook again from Excel"
)
_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def _scan_parts(path: Path) -> bool:
    """Refuse XML parts that declare a DTD or entities; tell whether any sheet has formulas.

    Excel never writes a document type declaration, and entity declarations
    are how XML bombs work, so any part that has one is refused outright.
    """
    has_formulas = False
    overlap = 16
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if not name.endswith((".xml", ".rels", ".vml")):
                continue
            is_sheet = name.startswith("xl/worksheets/")
            tail = b""
            with archive.open(name) as part:
                while chunk := part.read(1 << 20):
                    window = tail + chunk
                    if _DECLARATION.search(window):
                        raise _refuse(_HOSTILE.format(name=path.name))
                    if is_sheet and not has_formulas and _FORMULA.search(window):
                        has_formulas = True
                    tail = chunk[-overlap:]
    return has_formulas


def _caused_by(error: BaseException | None, kind: type[BaseException]) -> bool:
    seen = 0
    while error is not None and seen < 20:
        if isinstance(error, kind):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


@dataclass
class Column:
    """A header cell: its position and the name the workbook gives it."""

    index: int
    title: str

    @property
    def letter(self) -> str:
        """The column letter, e.g. ``E``."""
        return str(get_column_letter(self.index + 1))


@dataclass
class SheetRows:
    """A sheet as its header and its non-blank rows, with Excel row numbers.

    Parameters
    ----------
    name
        The sheet name as the workbook spells it.
    header_row
        The Excel row number of the header (the first non-blank row); 0 if
        the sheet is empty.
    columns
        Header cells by :func:`~planner.workbook.schema.name_key` of their title;
        only the first of repeated titles is kept.
    header_cells
        Every non-blank header cell in order, for sheets (the wide demand
        form) whose headers are data.
    rows
        ``(excel_row, values)`` for every row below the header with a value.
    uncomputed
        Cells holding a formula without a cached value, as ``(row, column_index)``.
    """

    name: str
    header_row: int = 0
    columns: dict[str, Column] = field(default_factory=dict)
    header_cells: list[tuple[Column, Any]] = field(default_factory=list)
    rows: list[tuple[int, tuple[Any, ...]]] = field(default_factory=list)
    repeated_columns: list[Column] = field(default_factory=list)
    uncomputed: set[tuple[int, int]] = field(default_factory=set)

    def has(self, name: str) -> bool:
        """Whether the sheet has a column of that name."""
        return name_key(name) in self.columns

    def value(self, values: tuple[Any, ...], key: str) -> Any:
        """The value of column ``key`` in a row (``None`` if absent)."""
        column = self.columns.get(key)
        if column is None or column.index >= len(values):
            return None
        return values[column.index]

    def cell(self, row: int, key: str) -> str | None:
        """The cell reference of column ``key`` in Excel row ``row``."""
        column = self.columns.get(key)
        return f"{column.letter}{row}" if column else None


def _set_header(result: SheetRows, values: tuple[Any, ...]) -> None:
    for index, title in enumerate(values):
        if is_blank(title):
            continue
        column = Column(index, str(title).strip())
        result.header_cells.append((column, title))
        key = name_key(title)
        if key in result.columns:
            result.repeated_columns.append(column)
        else:
            result.columns[key] = column


def _uncomputed_cells(sheet: Any, values: SheetRows) -> set[tuple[int, int]]:
    known: dict[int, tuple[Any, ...]] = dict(values.rows)
    found = set()
    if hasattr(sheet, "reset_dimensions"):
        sheet.reset_dimensions()
    rows: Iterator[tuple[Any, ...]] = sheet.iter_rows(min_row=1, min_col=1, values_only=True)
    for number, raw in enumerate(rows, 1):
        for index, value in enumerate(raw):
            if isinstance(value, str) and value.startswith("="):
                cached = known.get(number, ())
                if index >= len(cached) or is_blank(cached[index]):
                    found.add((number, index))
    return found
