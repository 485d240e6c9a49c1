r"""Mixed-model sequencing: level a day's mix across its positions.

A work center builds :math:`d_i` units of each model :math:`i` in one day,
:math:`D = \sum_i d_i` units in all, one unit per position
:math:`k = 1, \dots, D`. A sequence is levelled when every model is built at
an even rate: after :math:`k` positions, about :math:`k\,r_i` units of model
:math:`i` are done, with the demand rate :math:`r_i = d_i / D`.

Objectives
----------
With :math:`x_{ik}` the number of units of model :math:`i` among the first
:math:`k` positions, the product rate variation (Miltenburg 1989) is

.. math::

    \mathrm{PRV}(s) = \sum_{k=1}^{D} \sum_i \left( x_{ik} - k\,r_i \right)^2 .

When model :math:`i` uses :math:`a_{ip}` parts of type :math:`p`, the output
rate variation (Monden 1983; the "Monden problem" of Bautista, Companys and
Corominas 1996) levels part consumption instead,

.. math::

    \mathrm{ORV}(s) = \sum_{k=1}^{D} \sum_p \left( \sum_i a_{ip}\,x_{ik}
    - k\,\frac{\sum_i a_{ip} d_i}{D} \right)^2 ,

which is PRV when :math:`a` is the identity.

Methods
-------
- :func:`sequence_prv`: the exact PRV optimum by the assignment reduction of
  Kubiak and Sethi (1991).
- :func:`goal_chasing`: Toyota's goal chasing method (Monden 1983), a greedy
  ORV (or PRV) heuristic.
- sequencing under p/q capacity rules is in :mod:`models.sequencing.rules`.

References
----------
- J. Miltenburg (1989). Level schedules for mixed-model assembly lines in
  just-in-time production systems. *Management Science* 35(2):192-207.
- W. Kubiak and S. Sethi (1991). A note on "Level schedules for mixed-model
  assembly lines in just-in-time production systems". *Management Science*
  37(1):121-122.
- Y. Monden (1983). *Toyota Production System*. Industrial Engineering and
  Management Press, Norcross GA (appendix on the goal chasing method).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]


def demand_array(demand: Sequence[int]) -> IntArray:
    d = np.asarray(list(demand), dtype=np.int64)
    if d.ndim != 1 or (d < 0).any():
        raise ValueError("demand must be a sequence of non-negative integers")
    return d


def cumulative_counts(sequence: Sequence[int], n_models: int) -> IntArray:
    """Cumulative counts ``x[k-1, i]``: units of model i in the first k positions."""
    s = np.asarray(list(sequence), dtype=np.int64)
    if s.size and (s.min() < 0 or s.max() >= n_models):
        raise ValueError("sequence holds a model index outside the demand")
    onehot = np.zeros((s.size, n_models), dtype=np.int64)
    onehot[np.arange(s.size), s] = 1
    return np.cumsum(onehot, axis=0)


def check_sequence(sequence: Sequence[int], d: IntArray) -> None:
    counts = np.bincount(np.asarray(list(sequence), dtype=np.int64), minlength=d.size)
    if counts.size != d.size or not np.array_equal(counts, d):
        raise ValueError("sequence does not build exactly the demanded units of each model")


def prv_objective(sequence: Sequence[int], demand: Sequence[int]) -> float:
    r"""Product rate variation of a sequence (Miltenburg 1989).

    .. math::

        \mathrm{PRV} = \sum_{k=1}^{D} \sum_i \left( x_{ik} - k\,d_i / D \right)^2

    Parameters
    ----------
    sequence
        Model index at each position; must build exactly ``demand``.
    demand
        Units :math:`d_i` of each model.

    Returns
    -------
    float
        The sum of squared deviations (0 for an empty day).
    """
    d = demand_array(demand)
    check_sequence(sequence, d)
    total = int(d.sum())
    if total == 0:
        return 0.0
    x = cumulative_counts(sequence, d.size).astype(np.float64)
    k = np.arange(1, total + 1, dtype=np.float64)[:, None]
    return float(((x - k * d[None, :] / total) ** 2).sum())


def orv_objective(sequence: Sequence[int], demand: Sequence[int], usage: npt.ArrayLike) -> float:
    r"""Output rate variation of a sequence (Monden's problem).

    .. math::

        \mathrm{ORV} = \sum_{k=1}^{D} \sum_p \left( \sum_i a_{ip}\,x_{ik}
        - k\,\frac{\sum_i a_{ip} d_i}{D} \right)^2

    Parameters
    ----------
    sequence
        Model index at each position; must build exactly ``demand``.
    demand
        Units :math:`d_i` of each model.
    usage
        ``(models, components)`` matrix :math:`a_{ip}` of parts per unit.

    Returns
    -------
    float
        The sum of squared deviations of cumulative part usage.
    """
    d = demand_array(demand)
    check_sequence(sequence, d)
    a = np.asarray(usage, dtype=np.float64)
    if a.ndim != 2 or a.shape[0] != d.size:
        raise ValueError("usage must be a (models, components) matrix")
    total = int(d.sum())
    if total == 0:
        return 0.0
    used = cumulative_counts(sequence, d.size).astype(np.float64) @ a
    rate = (d.astype(np.float64) @ a) / total
    k = np.arange(1, total + 1, dtype=np.float64)[:, None]
    return float(((used - k * rate[None, :]) ** 2).sum())


def prv_assignment_costs(demand: Sequence[int]) -> tuple[IntArray, IntArray]:
    r"""Kubiak-Sethi assignment costs for the PRV, scaled by :math:`D`.

    The :math:`j`-th unit of model :math:`i` (:math:`j = 1, \dots, d_i`) has
    the ideal position

    .. math::

        Z^*_{ij} = \left\lceil \frac{(2j - 1)\,D}{2\,d_i} \right\rceil ,

    the first position :math:`l` at which
    :math:`(j - l r_i)^2 \le (j - 1 - l r_i)^2`. Moving it to position
    :math:`k` changes the objective by

    .. math::

        C_{ijk} = \sum_{l=k}^{Z^*_{ij}-1} \psi_{ijl} \; (k < Z^*_{ij}), \qquad
        C_{ijk} = \sum_{l=Z^*_{ij}}^{k-1} \psi_{ijl} \; (k > Z^*_{ij}), \qquad
        C_{ijZ^*_{ij}} = 0,

    with :math:`\psi_{ijl} = \left| (j - l r_i)^2 - (j - 1 - l r_i)^2 \right|
    = |2j - 1 - 2 l r_i|`. With the prefix sums
    :math:`S_{ij}(m) = \sum_{l=1}^{m} \psi_{ijl}`, this is
    :math:`C_{ijk} = |S_{ij}(k-1) - S_{ij}(Z^*_{ij}-1)|`. The costs returned
    are :math:`D\,C_{ijk}`, which are integers
    (:math:`D\,\psi_{ijl} = |(2j-1)D - 2 l d_i|`).

    Parameters
    ----------
    demand
        Units :math:`d_i` of each model.

    Returns
    -------
    costs : numpy.ndarray
        ``(D, D)`` integer matrix; row ``r`` is one unit (model, copy),
        column ``k - 1`` is position ``k``.
    models : numpy.ndarray
        Model index of each row.
    """
    d = demand_array(demand)
    total = int(d.sum())
    models = np.repeat(np.arange(d.size, dtype=np.int64), d)
    starts = np.repeat(np.cumsum(d) - d, d)
    copies = np.arange(1, total + 1, dtype=np.int64) - starts
    if total == 0:
        return np.zeros((0, 0), dtype=np.int64), models
    di = d[models]
    ideal = -((-(2 * copies - 1) * total) // (2 * di))
    positions = np.arange(0, total, dtype=np.int64)
    psi = np.abs((2 * copies - 1)[:, None] * total - 2 * positions[None, :] * di[:, None])
    psi[:, 0] = 0
    prefix = np.cumsum(psi, axis=1)
    anchor = prefix[np.arange(total), ideal - 1]
    return np.abs(prefix - anchor[:, None]), models


def sequence_prv(demand: Sequence[int]) -> list[int]:
    r"""The PRV-optimal sequence, by the Kubiak-Sethi (1991) assignment.

    Kubiak and Sethi show that minimising Miltenburg's (1989) product rate
    variation reduces to assigning each unit :math:`(i, j)` to one position
    :math:`k` at cost :math:`C_{ijk}` (see :func:`prv_assignment_costs`):

    .. math::

        \min \sum_{i,j,k} C_{ijk} y_{ijk} \quad \text{s.t.} \quad
        \sum_k y_{ijk} = 1, \; \sum_{i,j} y_{ijk} = 1, \; y \in \{0, 1\},

    and that an optimal assignment gives an optimal sequence (reading model
    :math:`i` wherever one of its units lands). The :math:`D \times D`
    assignment is solved exactly with
    :func:`scipy.optimize.linear_sum_assignment` on integer costs.

    Parameters
    ----------
    demand
        Units :math:`d_i` of each model.

    Returns
    -------
    list of int
        Model index at each position, length :math:`D`.
    """
    costs, models = prv_assignment_costs(demand)
    if costs.size == 0:
        return []
    rows, cols = linear_sum_assignment(costs)
    sequence = np.empty(costs.shape[0], dtype=np.int64)
    sequence[cols] = models[rows]
    return [int(m) for m in sequence]


def goal_chasing(demand: Sequence[int], usage: npt.ArrayLike | None = None) -> list[int]:
    r"""Toyota's goal chasing method (Monden 1983).

    At position :math:`k`, with :math:`U_{p}` the parts of type :math:`p`
    used by the first :math:`k - 1` units, choose among the models with units
    left the one minimising the distance to the ideal consumption

    .. math::

        \sum_p \left( k\,\frac{N_p}{D} - U_p - a_{ip} \right)^2, \qquad
        N_p = \sum_i a_{ip} d_i ,

    ties going to the lowest model index. Without ``usage`` the identity is
    used (each model is its own part), which makes it a greedy PRV heuristic.

    Parameters
    ----------
    demand
        Units :math:`d_i` of each model.
    usage
        ``(models, components)`` matrix :math:`a_{ip}` of parts per unit.

    Returns
    -------
    list of int
        Model index at each position, length :math:`D`.
    """
    d = demand_array(demand)
    a = np.eye(d.size) if usage is None else np.asarray(usage, dtype=np.float64)
    if a.ndim != 2 or a.shape[0] != d.size:
        raise ValueError("usage must be a (models, components) matrix")
    total = int(d.sum())
    if total == 0:
        return []
    rate = (d.astype(np.float64) @ a) / total
    left = d.copy()
    used = np.zeros(a.shape[1])
    sequence: list[int] = []
    for k in range(1, total + 1):
        gap = ((k * rate - used)[None, :] - a) ** 2
        score = np.where(left > 0, gap.sum(axis=1), np.inf)
        i = int(np.argmin(score))
        sequence.append(i)
        left[i] -= 1
        used += a[i]
    return sequence
