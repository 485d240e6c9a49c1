"""Bill-of-materials structure: cycles, topological order and low-level codes."""

from __future__ import annotations

import graphlib
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt


def find_cycle(edges: Iterable[tuple[str, str]]) -> list[str] | None:
    """Return one cycle of ``(parent, child)`` edges as ``[A, B, ..., A]``, or ``None``.

    The cycle reads in the parent-to-child direction: ``A -> B`` means A uses B.
    """
    graph: dict[str, set[str]] = {}
    for parent, child in edges:
        graph.setdefault(parent, set()).add(child)
    try:
        for _ in graphlib.TopologicalSorter(graph).static_order():
            pass
    except graphlib.CycleError as error:
        return list(reversed(error.args[1]))
    return None


def find_cycles(edges: Iterable[tuple[str, str]], limit: int = 20) -> list[list[str]]:
    """Return up to ``limit`` distinct cycles, breaking each one found before looking again."""
    remaining = set(edges)
    cycles: list[list[str]] = []
    while len(cycles) < limit:
        cycle = find_cycle(sorted(remaining))
        if cycle is None:
            break
        cycles.append(cycle)
        remaining.discard((cycle[0], cycle[1]))
    return cycles


def low_level_codes(
    n_items: int, parents: Sequence[int], children: Sequence[int]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Low-level codes and a topological order of an acyclic BOM.

    The low-level code of an item is the length of the longest path from any
    end item down to it (0 for items nobody uses); MRP nets items in
    increasing code so that all dependent demand of an item is known before
    the item is netted.

    Returns
    -------
    codes
        Low-level code per item.
    order
        Item indices sorted by low-level code (ties keep index order):
        every parent comes before all its children.
    """
    graph: dict[int, set[int]] = {i: set() for i in range(n_items)}
    for parent, child in zip(parents, children, strict=True):
        graph[child].add(parent)
    codes = np.zeros(n_items, dtype=np.int64)
    children_of: dict[int, list[int]] = {}
    for parent, child in zip(parents, children, strict=True):
        children_of.setdefault(parent, []).append(child)
    for item in graphlib.TopologicalSorter(graph).static_order():
        for child in children_of.get(item, ()):
            codes[child] = max(codes[child], codes[item] + 1)
    order = np.lexsort((np.arange(n_items), codes))
    return codes, order.astype(np.int64)
