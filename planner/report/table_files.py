"""Every long sheet of the output workbook as a Parquet file, for programs.

:func:`write_tables` writes ``BuildPlan.parquet``, ``Inventory.parquet``,
... (every sheet of :data:`planner.tables.FRAMES` but ``Summary``, whose
values are in the summary JSON) into one folder, with exactly the columns
of the sheets. Unlike a sheet, a file has no row limit, keeps every
number's full precision and reads back in a fraction of the time
(``pandas.read_parquet``, Polars, DuckDB, Spark). Dates are Parquet dates,
a missing value is null. Each file is written under a temporary name and
renamed, like every output file (:mod:`planner.report.files`).
"""

from __future__ import annotations

from pathlib import Path

from planner.evaluation import ComparedPlans
from planner.report.files import replaced_atomically
from planner.tables import FRAMES

__all__ = ["TABLES", "write_tables"]

TABLES = tuple(title for title in FRAMES if title != "Summary")
"""The sheets written as Parquet files, in the workbook's order."""


def write_tables(comparison: ComparedPlans, folder: str | Path) -> list[Path]:
    """Write each of :data:`TABLES` as ``<folder>/<sheet>.parquet``; return the paths.

    The folder is created if it does not exist; files of the same names are
    replaced.
    """
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for title in TABLES:
        path = target / f"{title}.parquet"
        frame = FRAMES[title](comparison)
        with replaced_atomically(path) as temporary:
            frame.to_parquet(temporary, engine="pyarrow", index=False)
        written.append(path)
    return written
