"""The generated multi-level benchmark plants: what their names promise, the same every time."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from planner import load_workbook
from planner.instances.multilevel import MULTILEVEL_SET, MultilevelSpec, multilevel_plant
from planner.workbook.writer import write_input_workbook


@pytest.mark.parametrize("spec", MULTILEVEL_SET, ids=lambda spec: spec.name)
def test_plant_has_the_spec_s_shape(spec: MultilevelSpec) -> None:
    problem = multilevel_plant(spec)
    assert problem.n_items == spec.n_items
    assert problem.n_days == spec.n_days
    assert problem.bom_depth == spec.levels
    parents = np.diff(problem.bom_matrix.tocsr().indptr)
    components = problem.low_level_code > 0
    assert np.all(parents[components] >= 1)
    if spec.structure == "assembly":
        assert np.all(parents[components] == 1)
    else:
        assert parents.max() > 1
    ends = problem.low_level_code == 0
    assert problem.demand[ends].sum() > 0
    assert problem.demand[~ends].sum() == 0
    assert not problem.demand[:, : spec.levels].any()
    holding, bom = problem.holding_cost, problem.bom_matrix.tocoo()
    for child, parent, per in zip(bom.row, bom.col, bom.data, strict=True):
        assert holding[parent] > per * holding[child]


def test_plant_is_the_same_for_the_same_spec_and_names_differ() -> None:
    spec = MULTILEVEL_SET[3]
    first, second = multilevel_plant(spec), multilevel_plant(spec)
    np.testing.assert_array_equal(first.demand, second.demand)
    np.testing.assert_array_equal(first.setup_cost, second.setup_cost)
    assert len({s.name for s in MULTILEVEL_SET}) == len(MULTILEVEL_SET)


def test_bad_specs_are_refused() -> None:
    with pytest.raises(ValueError, match="structure"):
        multilevel_plant(MultilevelSpec(1, 10, 3, 16, "serial", 0.6))
    with pytest.raises(ValueError, match="levels"):
        multilevel_plant(MultilevelSpec(1, 3, 5, 16, "assembly", 0.6))


def test_plant_goes_through_a_workbook_unchanged(tmp_path: Path) -> None:
    problem = multilevel_plant(MULTILEVEL_SET[1])
    path = tmp_path / "plant.xlsx"
    write_input_workbook(problem, path)
    again = load_workbook(path)
    np.testing.assert_allclose(again.demand, problem.demand)
    np.testing.assert_allclose(again.capacity, problem.capacity)
    assert again.bom_depth == problem.bom_depth
