"""A lock file that keeps two runs of one configuration from overlapping.

The lock is an advisory ``flock`` on a file: the operating system releases
it when the process ends, however it ends (even ``kill -9``), so a stale
lock never blocks the next week's run. The file holds the owner's process
id and start time, to name the run that holds it.
"""

from __future__ import annotations

import fcntl
import os
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from models import PlanningError


class RunLockedError(PlanningError):
    """Another run holds the lock."""

    def __init__(self, path: Path, holder: str) -> None:
        self.path = path
        self.holder = holder
        owner = f" ({holder})" if holder else ""
        super().__init__(
            f"another run of this configuration is in progress{owner}; lock file {path}"
        )


class RunLock:
    """An exclusive, non-blocking lock on ``path``, held inside a ``with`` block.

    Raises
    ------
    RunLockedError
        On entry, when another process holds the lock.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._descriptor: int | None = None

    def __enter__(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 200, 0).decode("utf-8", "replace").strip()
            os.close(descriptor)
            raise RunLockedError(self.path, holder) from None
        os.ftruncate(descriptor, 0)
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        os.pwrite(descriptor, f"process {os.getpid()} since {stamp}\n".encode(), 0)
        self._descriptor = descriptor
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._descriptor is not None:
            os.ftruncate(self._descriptor, 0)
            fcntl.flock(self._descriptor, fcntl.LOCK_UN)
            os.close(self._descriptor)
            self._descriptor = None
