"""The benchmark scripts stop with a message, not a traceback, when their instances are missing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("script", "folder"),
    [("bench_clsp.py", "trigeiro-clsp"), ("bench_sequencing.py", "csplib-car-sequencing")],
)
def test_a_benchmark_without_the_shared_instances_says_where_they_belong(
    script: str, folder: str, tmp_path: Path
) -> None:
    copy = tmp_path / "repository" / "benchmarks"
    shutil.copytree(ROOT / "benchmarks", copy)
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, str(copy / script)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert f"{tmp_path / 'shared' / 'benchmarks' / folder} does not exist" in done.stderr
    assert "must sit beside the repository" in done.stderr
