"""How fast, and in how much memory, a large plant's workbook is read and validated.

Run ``python benchmarks/bench_read.py``. The script writes the large
synthetic plant (1,300 items, 2,200 BOM lines, 36,000 demand rows, 120
working days) to a temporary workbook, then measures, each time in a fresh
Python process, ``planner.workbook.reader.read_workbook`` and, as a
baseline, a bare ``openpyxl.load_workbook(read_only=True)`` that iterates
over every row of every sheet. Each step runs ``--repeat`` times. The table
shows the median time of the step itself (imports excluded), the median
wall time of the whole process, and the peak resident memory of the process
(``ru_maxrss`` of the child, as ``getrusage(RUSAGE_CHILDREN)`` reports it
for a single child).

On Linux a child's ``ru_maxrss`` starts from its parent's size at the fork,
so this script imports nothing heavy itself: the plant is generated and
written in a child process too.

This is a measurement, not a test: it never fails on timing.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
from pathlib import Path

from measure import format_table, mib, run_child, summary_row

TARGET_SECONDS = 5.0
TARGET_MIB = 1024.0

WRITE = """
import sys, time
from planner.instances import large_plant
from planner.workbook.writer import write_input_workbook
started = time.perf_counter()
problem = large_plant(n_items=1300, n_bom_lines=2200, n_days=120, n_demand_rows=36000)
generated = time.perf_counter() - started
write_input_workbook(problem, sys.argv[1])
print(generated, time.perf_counter() - started - generated, repr(problem))
"""

READER = """
import sys, time
from planner.workbook.reader import read_workbook
started = time.perf_counter()
result = read_workbook(sys.argv[1])
seconds = time.perf_counter() - started
errors = sum(1 for issue in result.issues if issue.level == "error")
print(seconds, int(result.problem is not None), errors)
"""

BARE_OPENPYXL = """
import sys, time
import openpyxl
started = time.perf_counter()
workbook = openpyxl.load_workbook(sys.argv[1], read_only=True)
for sheet in workbook.worksheets:
    for row in sheet.iter_rows(values_only=True):
        pass
workbook.close()
print(time.perf_counter() - started, 1, 0)
"""


def main() -> None:
    """Generate the workbook, run the measurements and print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per step (default 3)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "large_plant.xlsx"
        written = run_child(WRITE, path)
        generated, write_seconds, described = written.output.split(maxsplit=2)
        print(described)
        print(
            f"workbook of {path.stat().st_size / 2**20:.1f} MiB: plant generated in "
            f"{float(generated):.2f} s, written in {float(write_seconds):.2f} s\n"
        )
        reader = [run_child(READER, path) for _ in range(args.repeat)]
        bare = [run_child(BARE_OPENPYXL, path) for _ in range(args.repeat)]

    reader_seconds = statistics.median(r.seconds for r in reader)
    reader_peak = max(r.peak_mib for r in reader)
    verdict = (
        f"time {'ok' if reader_seconds <= TARGET_SECONDS else 'OVER TARGET'}, "
        f"memory {'ok' if reader_peak <= TARGET_MIB else 'OVER TARGET'}"
    )
    header = ["step", "runs", "median s", "range s", "process s", "peak MiB", "target", "verdict"]
    rows = [
        summary_row(
            "read_workbook", reader, f"{TARGET_SECONDS:g} s, {TARGET_MIB:.0f} MiB", verdict
        ),
        summary_row("bare openpyxl read-only", bare, "baseline", ""),
    ]
    print(format_table(header, rows))
    ratio = reader_seconds / statistics.median(r.seconds for r in bare)
    print(f"\nread_workbook / bare openpyxl: {ratio:.2f} x")
    failed = [r.output for r in reader if r.output.split()[1:] != ["1", "0"]]
    if failed:
        print(f"read_workbook did not give a problem without errors: {failed}")
    overall = mib(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    print(f"largest peak of any child process (RUSAGE_CHILDREN): {overall:.0f} MiB")


if __name__ == "__main__":
    main()
