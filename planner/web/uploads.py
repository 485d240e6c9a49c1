"""Receiving an uploaded workbook safely.

The request body is parsed as it streams in and the file is written to disk
under a generated name, so that an oversize upload is refused as soon as it
crosses the limit, never after it has been stored whole, and no name chosen
by the user ever becomes part of a path. A received file is then accepted
only if its content is an .xlsx package: a zip archive holding
``[Content_Types].xml`` and ``xl/workbook.xml``, whatever it is called.
"""

from __future__ import annotations

import re
import uuid
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from python_multipart.multipart import MultipartParser, parse_options_header

from planner.workbook.sheets import UnreadableWorkbookError, check_file

FILE_FIELD = "file"
"""The form field that carries the workbook."""

MAX_FIELDS = 20
"""Most form fields (besides the file) accepted in one upload."""

MAX_FIELD_BYTES = 1024
"""Largest value of a form field besides the file, in bytes."""

_MULTIPART_OVERHEAD = 64 * 1024
_SHOWN_NAME = re.compile(r"[^\w .()+-]")


class UploadRejectedError(Exception):
    """An upload that is refused, with the HTTP status and a message for the planner.

    Parameters
    ----------
    status_code
        413 too large, 415 not an .xlsx workbook, 400 a malformed request.
    message
        What is wrong and what to do.
    """

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message


@dataclass
class ReceivedUpload:
    """A workbook received and stored, with the other form fields of its request.

    Parameters
    ----------
    path
        Where the file was stored (a generated name in the uploads folder).
    display_name
        The file name the browser gave, cleaned for display only.
    size
        Its size in bytes.
    fields
        The other form fields: each name with its values, in the order sent.
    """

    path: Path
    display_name: str
    size: int
    fields: dict[str, list[str]] = field(default_factory=dict)


def display_name(name: str) -> str:
    """A user-supplied file name reduced to something safe to show: its last part, plain."""
    last = re.split(r"[\\/]", name)[-1]
    cleaned = _SHOWN_NAME.sub("_", last).strip(" .")[:120]
    return cleaned or "workbook.xlsx"


def too_large_message(size: float, limit: int) -> str:
    """The message for an upload over ``limit`` bytes."""
    return (
        f"the file is over the upload limit of {limit / 2**20:.1f} MiB "
        f"(at least {size / 2**20:.1f} MiB received): remove unused sheets, formatting "
        "or images, or split the plant"
    )


class _StreamingForm:
    """The callbacks of a multipart parser that write the file part straight to disk."""

    def __init__(self, target: Path, max_bytes: int) -> None:
        self.target = target
        self.max_bytes = max_bytes
        self.fields: dict[str, list[str]] = {}
        self._field_count = 0
        self.filename: str | None = None
        self.size = 0
        self._file: IO[bytes] | None = None
        self._header_name = b""
        self._header_value = b""
        self._disposition = b""
        self._field_name = ""
        self._is_file = False
        self._value = bytearray()

    def callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self._part_begin,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
            "on_header_field": self._header_field,
            "on_header_value": self._header_field_value,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
        }

    def _part_begin(self) -> None:
        self._disposition = b""
        self._value = bytearray()
        self._is_file = False

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _header_field_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        if self._header_name.lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name = b""
        self._header_value = b""

    def _headers_finished(self) -> None:
        _kind, options = parse_options_header(self._disposition)
        name = options.get(b"name")
        if name is None:
            raise UploadRejectedError(400, "a form part has no name")
        self._field_name = name.decode("utf-8", "replace")
        if self._field_name == FILE_FIELD and b"filename" in options:
            if self._file is not None or self.filename is not None:
                raise UploadRejectedError(400, "upload one workbook at a time")
            self._is_file = True
            self.filename = options[b"filename"].decode("utf-8", "replace")
            self._file = self.target.open("xb")
        elif b"filename" in options:
            raise UploadRejectedError(400, f"unexpected file in form field {self._field_name!r}")
        else:
            self._field_count += 1
            if self._field_count > MAX_FIELDS:
                raise UploadRejectedError(400, "too many form fields")

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._is_file:
            assert self._file is not None
            self.size += end - start
            if self.size > self.max_bytes:
                raise UploadRejectedError(413, too_large_message(self.size, self.max_bytes))
            self._file.write(data[start:end])
        else:
            self._value += data[start:end]
            if len(self._value) > MAX_FIELD_BYTES:
                raise UploadRejectedError(400, f"form field {self._field_name!r} is too long")

    def _part_end(self) -> None:
        if self._is_file:
            assert self._file is not None
            self._file.close()
        else:
            value = self._value.decode("utf-8", "replace")
            self.fields.setdefault(self._field_name, []).append(value)

    def close(self) -> None:
        if self._file is not None and not self._file.closed:
            self._file.close()


async def receive_upload(
    content_type: str,
    content_length: str | None,
    body: AsyncIterator[bytes],
    directory: Path,
    max_bytes: int,
) -> ReceivedUpload:
    """Stream a ``multipart/form-data`` request into ``directory`` and check the workbook.

    Parameters
    ----------
    content_type, content_length
        The request's headers of those names.
    body
        The request body, chunk by chunk.
    directory
        Where to store the file, under a generated name.
    max_bytes
        The largest file accepted; the upload stops as soon as it is crossed.

    Raises
    ------
    UploadRejectedError
        When the request is not a form with one file, the file is too large,
        or it is not an .xlsx workbook. Nothing is left on disk then.
    """
    kind, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise UploadRejectedError(400, "send the workbook as multipart/form-data, field 'file'")
    if content_length is not None and content_length.isdigit():
        declared = int(content_length)
        if declared > max_bytes + _MULTIPART_OVERHEAD:
            raise UploadRejectedError(413, too_large_message(declared, max_bytes))
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{uuid.uuid4().hex}.xlsx"
    form = _StreamingForm(target, max_bytes)
    parser = MultipartParser(boundary, form.callbacks())  # type: ignore[arg-type]
    try:
        async for chunk in body:
            parser.write(chunk)
        parser.finalize()
        form.close()
        if form.filename is None:
            raise UploadRejectedError(400, "choose an .xlsx workbook to upload (field 'file')")
        shown = display_name(form.filename)
        check_workbook_content(target, shown)
    except ValueError as malformed:
        form.close()
        target.unlink(missing_ok=True)
        raise UploadRejectedError(400, f"malformed upload: {malformed}") from None
    except BaseException:
        form.close()
        target.unlink(missing_ok=True)
        raise
    return ReceivedUpload(target, shown, form.size, form.fields)


def check_workbook_content(path: Path, shown_name: str) -> None:
    """Accept only an .xlsx package, judged by content: a zip with the two parts every one has.

    The workbook reader's own file checks come first, so that a planner
    hears the same advice as from the command line (an old ``.xls``, a
    password-protected or corrupt file, a zip bomb).

    Parameters
    ----------
    path
        The stored upload.
    shown_name
        The file's name as the planner knows it, used in the messages.

    Raises
    ------
    UploadRejectedError
        Status 415, saying what the file is instead and what to do.
    """
    try:
        check_file(path, max_bytes=path.stat().st_size)
    except UnreadableWorkbookError as refused:
        raise UploadRejectedError(
            415, refused.issue.message.replace(path.name, shown_name)
        ) from None
    except (OSError, ValueError) as unreadable:
        raise UploadRejectedError(
            415,
            f"{shown_name} cannot be read as an Excel .xlsx workbook ({unreadable}): "
            "save it from Excel as 'Excel Workbook (*.xlsx)'",
        ) from None
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
    if "[Content_Types].xml" not in names:
        raise UploadRejectedError(
            415,
            f"{shown_name} is a zip archive but not an Excel workbook (no [Content_Types].xml): "
            "save it from Excel as 'Excel Workbook (*.xlsx)'",
        )
