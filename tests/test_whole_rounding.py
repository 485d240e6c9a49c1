"""Rounding a batch plan's starts up to whole units: the whole-unit completion's warm start."""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from models.batch import BatchModel, BatchOptions
from models.batch.whole import WHOLE_TOLERANCE, rounded_up
from models.problem import Problem
from tests.test_mrp import small_plants


def positions(problem: Problem, starts: np.ndarray) -> np.ndarray:
    """Each item's stock less backlog at the end of every day, with these starts."""
    model = BatchModel(problem, BatchOptions(formulation="bigm"))
    solution, columns = model.solution_from(starts), model.columns
    stock = solution[columns.item_day(columns.inventory)]
    return np.asarray(stock - solution[columns.item_day(columns.backlog)])


@settings(max_examples=60, deadline=None)
@given(problem=small_plants(), data=st.data())
def test_rounded_starts_are_whole_on_the_same_days_and_never_leave_less(
    problem: Problem, data: st.DataObject
) -> None:
    shape = (problem.n_items, problem.n_days)
    open_days = np.array(
        data.draw(
            st.lists(st.booleans(), min_size=shape[0] * shape[1], max_size=shape[0] * shape[1])
        )
    ).reshape(shape)
    open_days[:, 0] = True
    sizes = np.array(
        data.draw(st.lists(st.floats(0.1, 40.0), min_size=open_days.size, max_size=open_days.size))
    ).reshape(shape)
    starts = np.where(open_days, sizes, 0.0)
    rounded = rounded_up(problem, starts)
    assume(rounded is not None)
    assert rounded is not None
    assert np.all(rounded[starts <= WHOLE_TOLERANCE] == 0)
    steps = np.where(problem.lot_multiple > 0, problem.lot_multiple, 1.0)[:, None]
    stepped = problem.whole_units[:, None] | (problem.lot_multiple[:, None] > 0)
    ratio = rounded / steps
    assert np.all(~stepped | (np.abs(ratio - np.round(ratio)) <= 1e-6))
    assert np.all(positions(problem, rounded) >= positions(problem, starts) - 1e-6)
