"""Write the example workbooks of this folder.

Run ``python data/make_examples.py``. It writes ``example_small.xlsx`` (the
tutorial plant, demand in wide form), ``example_plant.xlsx`` (the realistic
plant: mixed-model lines fed by long-setup fabrication, demand in long
form), the two home-turf plants ``example_lean.xlsx`` (where level-loaded
pull should be competitive, demand in wide form: every product every day)
and ``example_batch.xlsx`` (where batch production should win, demand in
long form: a few call-offs), and ``template.xlsx`` (the blank workbook a
planner fills in). The plants are built from fixed seeds, so running the
script again gives workbooks with the same content.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from models.problem import Problem
from planner.instances.examples import batch_plant, lean_plant, realistic_plant, small_plant
from planner.workbook.template import write_template
from planner.workbook.writer import write_input_workbook

HERE = Path(__file__).resolve().parent

# (file name, plant, demand form)
EXAMPLES: tuple[tuple[str, Callable[[], Problem], Literal["long", "wide"]], ...] = (
    ("example_small.xlsx", small_plant, "wide"),
    ("example_plant.xlsx", realistic_plant, "long"),
    ("example_lean.xlsx", lean_plant, "wide"),
    ("example_batch.xlsx", batch_plant, "long"),
)


def main() -> None:
    """Write the example workbooks and the template next to this script."""
    for name, plant, form in EXAMPLES:
        write_input_workbook(plant(), HERE / name, demand_form=form)
        print(f"wrote {HERE / name}")
    write_template(HERE / "template.xlsx")
    print(f"wrote {HERE / 'template.xlsx'}")


if __name__ == "__main__":
    main()
