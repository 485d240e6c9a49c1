r"""Echelon requirements: what every item must receive by each day, whatever the plan.

An item's units are in its own stock and inside every item above it in the
BOM (in their stock, or in their lead time). Summed along every path
:math:`\pi` from item :math:`c` up to an ancestor :math:`a(\pi)` (item
:math:`c` itself included, with multiplier 1 and offset 0), with
:math:`m_\pi` the product of the quantities per and :math:`L_\pi` the lead
times of the items above :math:`c` on the path, the flow balances of the
batch model give, for every plan and day :math:`t`,

.. math::

    A_{ct} = \sum_\pi m_\pi \big[(I - B)_{a(\pi),\, t + L_\pi} - N_{a(\pi),\, t + L_\pi}\big]

where :math:`A_{ct}` are the units of :math:`c` arrived by day :math:`t`,
:math:`I - B` an item's stock less its backlog, and :math:`N` the same
with nothing started (on-hand plus receipts less external demand, all
cumulative); days past the horizon read its last day, since no start may
arrive after it. Stock cannot be negative, so

.. math::

    A_{ct} + \sum_\pi m_\pi B_{a(\pi),\, t + L_\pi} \ge Q_{ct}
    := -\sum_\pi m_\pi N_{a(\pi),\, t + L_\pi}

(the *echelon requirement*: a component's arrivals must cover what its
parents start, offset by their lead times, or some end item is late). Its
increases are a fixed demand stream for the item, known before any plan,
which the batch model uses to tie every component's setups to the demand
they serve (:meth:`models.batch.formulation.BatchModel` with
``formulation="echelon"``): the multi-level facility-location idea of
Stadtler (1996), *Mixed integer programming model formulations for dynamic
multi-item multi-level capacitated lotsizing*, EJOR 94:561-581, with
backlog and scheduled receipts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from models.problem import Problem

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class EchelonPaths:
    """Every item's paths up the BOM, merged by ancestor and offset.

    ``ancestor[i]``, ``offset[i]`` and ``multiplier[i]`` list, for item
    ``i``, each ancestor (``i`` itself first), the lead-time offset of the
    paths to it and their summed quantity per unit of that ancestor.
    """

    ancestor: tuple[IntArray, ...]
    offset: tuple[IntArray, ...]
    multiplier: tuple[FloatArray, ...]

    @classmethod
    def of(cls, problem: Problem) -> EchelonPaths:
        """The paths of every item, built parents first."""
        parents_of = problem.bom_matrix.tocsr()
        lead = problem.lead_time
        merged: list[dict[tuple[int, int], float]] = [{} for _ in range(problem.n_items)]
        for item in problem.topological_order.tolist():
            paths: defaultdict[tuple[int, int], float] = defaultdict(float)
            paths[(item, 0)] = 1.0
            start, end = parents_of.indptr[item], parents_of.indptr[item + 1]
            for parent, per in zip(
                parents_of.indices[start:end].tolist(),
                parents_of.data[start:end].tolist(),
                strict=True,
            ):
                shift = int(lead[parent])
                for (ancestor, offset), units in merged[parent].items():
                    paths[(ancestor, offset + shift)] += per * units
            merged[item] = dict(paths)
        ancestor, offset, multiplier = [], [], []
        for item_paths in merged:
            keys = list(item_paths)
            ancestor.append(np.array([k[0] for k in keys], dtype=np.int64))
            offset.append(np.array([k[1] for k in keys], dtype=np.int64))
            multiplier.append(np.array([item_paths[k] for k in keys], dtype=float))
        return cls(tuple(ancestor), tuple(offset), tuple(multiplier))

    def days_of(self, item: int, n_days: int) -> IntArray:
        """``[path, day]``: the ancestor's day each of ``item``'s days reads (the last at most)."""
        read = np.minimum(np.arange(n_days)[None, :] + self.offset[item][:, None], n_days - 1)
        return np.asarray(read, dtype=np.int64)


def echelon_requirement(problem: Problem, paths: EchelonPaths) -> FloatArray:
    """:math:`Q` ``[item, day]`` of the module docstring: arrivals needed by each day."""
    position = problem.on_hand[:, None] + np.cumsum(problem.receipts - problem.demand, axis=1)
    required = np.zeros((problem.n_items, problem.n_days))
    for item in range(problem.n_items):
        read = position[paths.ancestor[item][:, None], paths.days_of(item, problem.n_days)]
        required[item] = -(paths.multiplier[item] @ read)
    return required


@dataclass(frozen=True)
class Stream:
    """An item's echelon requirement as a demand stream and fixed supplies, both >= 0.

    ``demand[t]`` are the increases of the requirement on day ``t``,
    ``supply[t]`` its decreases (stock and receipts somewhere above the
    item, on hand or arriving then), so that
    ``cumsum(demand - supply) = Q``.
    """

    demand: FloatArray
    supply: FloatArray

    @classmethod
    def of(cls, required: FloatArray) -> Stream:
        """The stream of one item's requirement :math:`Q_t` (with :math:`Q_{-1} = 0`)."""
        step = np.diff(required, prepend=0.0)
        return cls(np.maximum(step, 0.0), np.maximum(-step, 0.0))
