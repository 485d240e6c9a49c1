"""Writing output files safely, and turning results into plain JSON values.

Every output file (workbook, JSON) is written beside its final path under a
temporary name and renamed into place only when complete, so a reader (a
planner opening the file, a web page serving it, a weekly run recording it)
never sees half a file, and a failure leaves the previous file untouched.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from enum import Enum
from math import isfinite
from pathlib import Path
from typing import Any

import numpy as np


@contextmanager
def replaced_atomically(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; renamed to ``path`` when the block succeeds.

    On any error (or interruption) inside the block the temporary file is
    deleted and ``path`` is left as it was.

    Examples
    --------
    >>> with replaced_atomically("plan.xlsx") as temporary:  # doctest: +SKIP
    ...     write_something(temporary)
    """
    target = Path(path)
    temporary = target.with_name(f".{target.stem}.{uuid.uuid4().hex}.tmp{target.suffix}")
    try:
        yield temporary
        temporary.replace(target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_text_atomically(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through :func:`replaced_atomically`."""
    with replaced_atomically(path) as temporary:
        temporary.write_text(text, encoding="utf-8")


def write_json_atomically(path: str | Path, document: Any, *, indent: int | None = 2) -> None:
    """Write ``document`` as UTF-8 JSON through :func:`replaced_atomically`.

    Values go through :func:`json_ready` first, so the file never holds NaN
    or infinity; ``indent=None`` writes it compact (for programs).
    """
    separators = None if indent is not None else (",", ":")
    text = json.dumps(
        json_ready(document),
        indent=indent,
        separators=separators,
        ensure_ascii=False,
        allow_nan=False,
    )
    write_text_atomically(path, text + "\n")


def json_ready(value: Any) -> Any:
    """``value`` with only JSON types: enums as values, numpy as Python, dates as ISO text,
    non-finite numbers as ``None``, anything else as its text."""
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if isfinite(value) else None
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(json_ready(key)): json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset | np.ndarray):
        return [json_ready(item) for item in value]
    return str(value)
