"""Measuring a step in a fresh Python process: its own time, wall time and peak memory.

Shared by the benchmark scripts. On Linux a child's ``ru_maxrss`` starts
from its parent's size at the fork, so the scripts import nothing heavy
themselves and do all real work in children.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class Run:
    """One measured process."""

    output: str
    wall: float
    peak_mib: float

    @property
    def seconds(self) -> float:
        """The time the process measured for its step."""
        return float(self.output.split()[0])


SHARED = Path(__file__).resolve().parents[2] / "shared" / "benchmarks"
"""The public benchmark instances, in the ``shared`` folder beside the repository."""


def shared_instances(name: str) -> Path:
    """The folder of the public instances ``name``; without it, stop with a message."""
    folder = SHARED / name
    if not folder.is_dir():
        sys.exit(
            f"{folder} does not exist: this benchmark reads the public instances of "
            f"shared/benchmarks/{name}, which must sit beside the repository "
            "(README, Benchmarks)."
        )
    return folder


def mib(maxrss: int) -> float:
    return maxrss / 2**20 if sys.platform == "darwin" else maxrss / 2**10


def run_child(code: str, path: Path | None) -> Run:
    """Run ``code`` (on ``path``, if given) in a fresh interpreter; time it, take its peak memory.

    The code prints its own measured seconds first on its output line.
    """
    started = time.perf_counter()
    arguments = [sys.executable, "-c", code, *([str(path)] if path is not None else [])]
    process = subprocess.Popen(arguments, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    output = process.stdout.read()
    process.stdout.close()
    wall, peak = _finished(process, started, "the measured process")
    return Run(output.strip(), wall, peak)


def run_command(arguments: Sequence[str], cwd: Path | None = None) -> tuple[float, float]:
    """Run a command; its wall seconds and peak resident MiB."""
    started = time.perf_counter()
    process = subprocess.Popen(list(arguments), cwd=cwd, stdout=subprocess.DEVNULL)
    return _finished(process, started, " ".join(arguments))


def _finished(process: subprocess.Popen[Any], started: float, what: str) -> tuple[float, float]:
    """Wait for ``process``: its wall seconds since ``started`` and its peak resident MiB.

    Raises if it failed (its own error output went to the terminal).
    """
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{what} failed with exit code {process.returncode}")
    return wall, mib(usage.ru_maxrss)


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(row[k]) for row in [header, *rows]) for k in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


def summary_row(label: str, runs: list[Run], target: str, verdict: str) -> list[str]:
    seconds = [r.seconds for r in runs]
    return [
        label,
        str(len(runs)),
        f"{statistics.median(seconds):.2f}",
        f"{min(seconds):.2f}-{max(seconds):.2f}",
        f"{statistics.median(r.wall for r in runs):.2f}",
        f"{max(r.peak_mib for r in runs):.0f}",
        target,
        verdict,
    ]
