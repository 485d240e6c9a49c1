r"""Lower bounds that stay valid when the solve behind them is stopped early.

For any multipliers :math:`y` (one per row) and any point of the model,
:math:`c^\top x = y^\top A x + d^\top x` with the reduced costs
:math:`d = c - A^\top y`. Over rows :math:`r_l \le A x \le r_u` and a box
:math:`l \le x \le u` each term is at least its smallest value there, so

.. math::

    c^\top x \ge \sum_i \min(y_i r_{l,i},\, y_i r_{u,i})
                + \sum_j \min(d_j l_j,\, d_j u_j) =: L(y)

for every feasible point, integer or not: :math:`L(y)` is the Lagrangian
bound of relaxing every row with multipliers :math:`y`, a lower bound of
the MILP whatever :math:`y` is (Neumaier & Shcherbina 2004, *Safe bounds in
linear and mixed-integer linear programming*, Math. Programming 99:283-296).
It equals the optimum of the linear relaxation when :math:`y` is its exact
dual, and gets weaker, never wrong, as :math:`y` is further from it. So the
row duals of a linear relaxation stopped at its time limit, or of one
solved only approximately, still give a proved bound: no trust in the
solver's termination or tolerances is needed.

A multiplier whose row side is infinite is set to zero, and infinite column
bounds are replaced by ``caps``: bounds that every feasible point meets
(for example implied by the flow balance), which the caller proves.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from models.solvers.milp import Milp

FloatArray = npt.NDArray[np.float64]


def lagrangian_bound(milp: Milp, row_dual: FloatArray, caps: FloatArray | None = None) -> float:
    """:math:`L(y)` of ``row_dual`` for ``milp`` (offset included), ``-inf`` when unbounded.

    Parameters
    ----------
    milp
        The model.
    row_dual
        Any multipliers, one per row (HiGHS' sign convention: the reduced
        costs are ``objective - matrix.T @ row_dual``).
    caps
        Upper bounds of the columns that every feasible point meets, used
        where ``milp.upper`` is infinite.
    """
    y = np.nan_to_num(np.asarray(row_dual, dtype=float), nan=0.0, posinf=0.0, neginf=0.0)
    y = np.where((y > 0) & ~np.isfinite(milp.row_lower), 0.0, y)
    y = np.where((y < 0) & ~np.isfinite(milp.row_upper), 0.0, y)
    reduced = milp.objective - milp.matrix.T @ y
    upper = milp.upper if caps is None else np.minimum(milp.upper, caps)
    rows = np.where(y > 0, y * np.where(y > 0, milp.row_lower, 0.0), 0.0) + np.where(
        y < 0, y * np.where(y < 0, milp.row_upper, 0.0), 0.0
    )
    with np.errstate(invalid="ignore"):
        columns = np.where(reduced > 0, reduced * milp.lower, 0.0) + np.where(
            reduced < 0, reduced * upper, 0.0
        )
    total = math.fsum(rows) + math.fsum(columns) + milp.offset
    return total if math.isfinite(total) else -math.inf


def repair_unbounded(milp: Milp, row_dual: FloatArray, passes: int = 400) -> FloatArray:
    """Multipliers whose reduced costs are nonnegative on columns without an upper bound.

    A column :math:`j` with :math:`u_j = \\infty` and :math:`d_j < 0` makes
    :math:`L(y)` depend on a cap far above its values. Moving the multiplier
    of an equality row :math:`i` containing it by :math:`d_j / a_{ij}` sets
    :math:`d_j = 0`; it changes the reduced costs of the row's other columns,
    which the next pass repairs in turn (a chain of inventories is repaired
    backwards one day per pass). The rows of the lowest index are used.
    Which multipliers come back only changes how strong :math:`L(y)` is,
    never whether it is valid.
    """
    y: FloatArray = np.nan_to_num(
        np.asarray(row_dual, dtype=float).copy(), nan=0.0, posinf=0.0, neginf=0.0
    )
    unbounded = ~np.isfinite(milp.upper)
    if not unbounded.any():
        return y
    equality = milp.row_lower == milp.row_upper
    columns = milp.matrix.T.tocsr()
    columns.sort_indices()
    for _ in range(passes):
        reduced = milp.objective - columns @ y
        bad = np.flatnonzero(unbounded & (reduced < 0))
        if not bad.size:
            break
        rows_of = columns[bad]
        coo = rows_of.tocoo()
        usable = equality[coo.col] & (coo.data != 0)
        if not usable.any():
            break
        which, row, value = coo.row[usable], coo.col[usable], coo.data[usable]
        first = np.unique(which, return_index=True)[1]
        which, row, value = which[first], row[first], value[first]
        row, taken = np.unique(row, return_index=True)
        y[row] += reduced[bad[which[taken]]] / value[taken]
    return y
