"""Write the example workbooks of this folder.

Run ``python data/make_examples.py``. It writes ``example_small.xlsx`` (the
tutorial plant, demand in wide form), ``example_plant.xlsx`` (the realistic
plant, demand in long form) and ``template.xlsx`` (the blank workbook a
planner fills in). The plants are generated from fixed seeds, so running the
script again gives workbooks with the same content.
"""

from __future__ import annotations

from pathlib import Path

from planner.instances import realistic_plant, small_plant
from planner.workbook.template import write_template
from planner.workbook.writer import write_input_workbook

HERE = Path(__file__).resolve().parent


def main() -> None:
    """Write the three workbooks next to this script."""
    write_input_workbook(small_plant(), HERE / "example_small.xlsx", demand_form="wide")
    write_input_workbook(realistic_plant(), HERE / "example_plant.xlsx", demand_form="long")
    write_template(HERE / "template.xlsx")
    for name in ("example_small.xlsx", "example_plant.xlsx", "template.xlsx"):
        print(f"wrote {HERE / name}")


if __name__ == "__main__":
    main()
