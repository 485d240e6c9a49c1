"""Read car-sequencing instances in the CSPLib prob001 format.

The format (B. Smith, CSPLib problem 001, https://www.csplib.org; instances
of Dincbas, Simonis and Van Hentenryck 1988 and Régin and Puget 1997)::

    ncars noptions nclasses
    p_1 ... p_k          # at most p_j cars with option j ...
    q_1 ... q_k          # ... in any q_j consecutive cars
    class count o_1 ... o_k      # one line per class, o_j in {0, 1}

Each class becomes a model of :mod:`models.sequencing.rules`, each option a
:class:`~models.sequencing.rules.Rule` over the classes that carry it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import numpy.typing as npt

from models import Calendar, Item, Problem, WorkCenter
from models.problem import ItemAttribute, SequenceRule
from models.sequencing.rules import Rule


def read_car_sequencing(
    path: str | Path,
) -> tuple[list[int], list[Rule], npt.NDArray[np.int64]]:
    """Read one CSPLib car-sequencing instance.

    Parameters
    ----------
    path
        The instance file.

    Returns
    -------
    demand : list of int
        Cars of each class, in class order.
    rules : list of Rule
        One p/q rule per option.
    options : numpy.ndarray
        ``(classes, options)`` 0/1 matrix: which class carries which option.

    Raises
    ------
    ValueError
        When the file does not follow the format or its counts disagree.
    """
    numbers = [int(token) for token in Path(path).read_text().split()]
    if len(numbers) < 3:
        raise ValueError(f"{path}: missing header 'ncars noptions nclasses'")
    n_cars, n_options, n_classes = numbers[:3]
    expected = 3 + 2 * n_options + n_classes * (2 + n_options)
    if len(numbers) != expected:
        raise ValueError(f"{path}: expected {expected} numbers, found {len(numbers)}")
    p = numbers[3 : 3 + n_options]
    q = numbers[3 + n_options : 3 + 2 * n_options]
    body = np.array(numbers[3 + 2 * n_options :], dtype=np.int64).reshape(n_classes, 2 + n_options)
    if not np.array_equal(body[:, 0], np.arange(n_classes)):
        raise ValueError(f"{path}: classes must be numbered 0 .. {n_classes - 1} in order")
    demand = [int(c) for c in body[:, 1]]
    if sum(demand) != n_cars:
        raise ValueError(f"{path}: class counts sum to {sum(demand)}, not {n_cars}")
    options = body[:, 2:]
    if not np.isin(options, (0, 1)).all():
        raise ValueError(f"{path}: option flags must be 0 or 1")
    rules = [
        Rule(
            attribute_models=frozenset(int(c) for c in np.flatnonzero(options[:, j])),
            max_in_window=p[j],
            window=q[j],
        )
        for j in range(n_options)
    ]
    return demand, rules, options


def car_sequencing_problem(path: str | Path, start: date = date(2026, 1, 5)) -> Problem:
    """One CSPLib car-sequencing instance as a one-day plant.

    The assembly line is work center ``LINE``; each car class is a made item
    ``C<class>`` (container of one car, no run or setup time) with its cars
    as demand on the one working day ``start``; option j is the attribute
    ``option<j>`` of the classes that carry it, with the sequence rule "at most
    p_j of any q_j consecutive cars".
    """
    demand, rules, options = read_car_sequencing(path)
    items = [Item(f"C{c}", work_center="LINE", container_qty=1) for c in range(len(demand))]
    return Problem.from_records(
        items,
        [(f"C{c}", start, count) for c, count in enumerate(demand) if count],
        work_centers=[WorkCenter("LINE", capacity=max(1, sum(demand)))],
        calendar=Calendar(start, start),
        attributes=[
            ItemAttribute(f"C{c}", f"option{j}") for c, j in zip(*np.nonzero(options), strict=True)
        ],
        sequence_rules=[
            SequenceRule(f"option{j}", rule.max_in_window, rule.window)
            for j, rule in enumerate(rules)
        ],
        name=Path(path).stem,
    )
