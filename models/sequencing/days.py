"""The plant's sequence rules on its work-center days, and the sequencer of quantity plans.

The rules describe the line, not a planning method (contract version 2), so
every plan carries a sequence for each work-center day on which an item
carrying a ruled attribute is made. A strategy that plans quantities only
(``mrp``, ``batch``) gets its sequences from :func:`sequence_ruled_days`:
one position per container (the last one of an item takes the rest), in
the order with no broken window and, among those, the fewest runs
(:func:`~models.sequencing.rules.grouped_with_rules`, then the local search
and CP-SAT of :func:`~models.sequencing.rules.sequence_with_rules` where the
grouped order breaks a window), on limits of work so that the same plan
always gets the same sequences.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from models.floor import TOLERANCE, whole_lots
from models.plan import MessageLevel, PlanMessage, Position
from models.problem import Problem, SequenceRule
from models.sequencing.rules import Rule, count_violations, grouped_with_rules, sequence_with_rules
from models.work import WorkLimits

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int_]
BoolArray = npt.NDArray[np.bool_]


def rule_carriers(problem: Problem, rule: SequenceRule, items: IntArray, center: int) -> BoolArray:
    """Which of ``items`` (made on ``center``) carry the attribute of a rule that applies there."""
    code = problem.work_centers[center].code
    if rule.work_center is not None and rule.work_center != code:
        return np.zeros(items.size, dtype=bool)
    marked = problem.item_attributes
    return np.array(
        [rule.attribute in marked.get(problem.items[i].code, ()) for i in items], dtype=bool
    )


def ruled_setups(problem: Problem) -> FloatArray:
    """Setups per container that the sequence rules force on each item.

    An item whose containers carry an attribute limited to p of any q
    positions cannot run more than p containers back to back, so every p of
    its containers are one run, and the run of other items that must follow
    them is another: 2/p setups per container (the largest over its rules),
    each charged at the item's own setup time.
    """
    factor = np.zeros(problem.n_items)
    centers = problem.item_work_center
    for rule in problem.sequence_rules:
        for w in range(len(problem.work_centers)):
            members = np.flatnonzero(centers == w)
            marked = members[rule_carriers(problem, rule, members, w)]
            factor[marked] = np.maximum(factor[marked], 2.0 / max(1, rule.max_in_window))
    return factor


def ruled_setup_minutes(problem: Problem) -> FloatArray:
    """Setup minutes per container that the sequence rules force on each item.

    Of the :func:`ruled_setups` (2/p per container), half are the item's own
    runs and half the runs of other items that separate them: those are
    charged at the longest setup of the items without the attribute on the
    work center (the separators' setups, which may be longer than the
    item's own), the largest over its rules.
    """
    minutes = np.zeros(problem.n_items)
    centers = problem.item_work_center
    setup = problem.setup_time
    for rule in problem.sequence_rules:
        for w in range(len(problem.work_centers)):
            members = np.flatnonzero((centers == w) & problem.is_make)
            marked = rule_carriers(problem, rule, members, w)
            if not marked.any():
                continue
            carriers, others = members[marked], members[~marked]
            separator = float(setup[others].max()) if others.size else 0.0
            forced = (setup[carriers] + np.maximum(setup[carriers], separator)) / max(
                1, rule.max_in_window
            )
            minutes[carriers] = np.maximum(minutes[carriers], forced)
    return minutes


def rules_for(problem: Problem, work_center: int, models: Sequence[int]) -> list[Rule]:
    """The plant's sequence rules on a work center, over the day's models (indices into it)."""
    items = np.array(models, dtype=np.int_)
    rules = []
    for rule in problem.sequence_rules:
        marked = np.flatnonzero(rule_carriers(problem, rule, items, work_center))
        if marked.size:
            rules.append(Rule(frozenset(marked.tolist()), rule.max_in_window, rule.window))
    return rules


def most_carriers(others: int, rule: SequenceRule | Rule) -> int:
    """The most containers carrying a rule's attribute that a sequence with ``others`` can hold.

    At most ``p`` of any ``q`` positions carry it, so ``N >= q`` positions
    hold at most ``p floor(N / q) + min(p, N mod q)`` carriers (all of them
    placed first in each window); a day shorter than the window has no
    window to break. The largest ``C`` that fits with ``N = C + others``.
    """
    p, q = rule.max_in_window, rule.window
    if p >= q:
        return sys.maxsize

    def fits(carriers: int) -> bool:
        n = carriers + others
        return n < q or carriers <= p * (n // q) + min(p, n % q)

    carriers = max((p * others) // (q - p) + p, q - 1 - others)
    while carriers > 0 and not fits(carriers):
        carriers -= 1
    return carriers


def rule_abiding_starts(problem: Problem, starts: FloatArray) -> FloatArray:
    """One day's ``[item]`` starts cut to what a sequence that breaks no rule can build.

    On every work center under a rule, while its attribute's containers
    exceed what the day's other containers let a rule-abiding sequence hold
    (:func:`most_carriers`), the carrier with the most containers gives up
    one (keeping its lot rules). Each rule is checked on its own: a day
    under two rules may still need the sequencer's search, which reports
    what it cannot place.
    """
    cut = starts.copy()
    if not problem.sequence_rules:
        return cut
    centers = problem.item_work_center
    container = problem.container_qty
    for w in range(len(problem.work_centers)):
        members = np.flatnonzero((centers == w) & problem.is_make)
        for rule in problem.sequence_rules:
            marked = rule_carriers(problem, rule, members, w)
            if not marked.any():
                continue
            carriers, others = members[marked], members[~marked]
            counts = np.ceil(cut[carriers] / container[carriers] - TOLERANCE).clip(min=0)
            limit = most_carriers(
                int(np.ceil(cut[others] / container[others] - TOLERANCE).clip(min=0).sum()), rule
            )
            while counts.sum() > limit:
                k = int(np.argmax(counts))
                i = int(carriers[k])
                cut[i] = whole_lots(problem, i, (counts[k] - 1) * float(container[i]))
                counts[k] = math.ceil(cut[i] / float(container[i]) - TOLERANCE)
    return cut


def container_positions(
    problem: Problem, quantity: Sequence[float], models: Sequence[int], order: Sequence[int]
) -> tuple[Position, ...]:
    """Container positions (item, units) of ``order``; each model's last container takes the rest.

    ``order`` gives the index into ``models`` of each position; ``quantity``
    the units of each model.
    """
    left = list(quantity)
    remaining = [0] * len(models)
    for k in order:
        remaining[k] += 1
    positions: list[Position] = []
    for k in order:
        remaining[k] -= 1
        item = int(models[k])
        qty = left[k] if remaining[k] == 0 else min(left[k], float(problem.container_qty[item]))
        left[k] -= qty
        positions.append((item, float(qty)))
    return tuple(positions)


@dataclass(frozen=True)
class RuledSequences:
    """The sequences of a plan's ruled work-center days.

    ``messages`` warn of days whose sequence still breaks a window;
    ``timed_out`` counts the days whose search the clock stopped before its
    work limit.
    """

    sequences: dict[tuple[int, int], tuple[Position, ...]]
    messages: tuple[PlanMessage, ...]
    timed_out: int


def sequence_ruled_days(
    problem: Problem,
    starts: FloatArray,
    work: WorkLimits | None = None,
    *,
    day_seconds: float = 5.0,
) -> RuledSequences:
    """Sequence every work-center day of ``starts`` on which a ruled item is made.

    Each day's starts become container positions in the order with no
    broken window and the fewest runs (the module docstring); ``work``
    limits each day's search (its defaults when ``None``), ``day_seconds``
    caps it.
    """
    work = work or WorkLimits()
    sequences: dict[tuple[int, int], tuple[Position, ...]] = {}
    messages: list[PlanMessage] = []
    timed_out = 0
    centers = problem.item_work_center
    for w in range(len(problem.work_centers)):
        members = np.flatnonzero((centers == w) & problem.is_make)
        if not members.size or not rules_for(problem, w, members.tolist()):
            continue
        for day in range(problem.n_days):
            made = members[starts[members, day] > TOLERANCE]
            rules = rules_for(problem, w, made.tolist())
            if not rules:
                continue
            positions, broken, stopped = sequence_ruled_day(
                problem, made, starts[made, day], rules, work, day_seconds
            )
            timed_out += stopped
            sequences[(w, day)] = positions
            if broken:
                messages.append(broken_message(problem, w, day, broken))
    return RuledSequences(sequences, tuple(messages), timed_out)


def sequence_ruled_day(
    problem: Problem,
    made: IntArray,
    quantities: FloatArray,
    rules: Sequence[Rule],
    work: WorkLimits,
    seconds: float,
) -> tuple[tuple[Position, ...], int, bool]:
    """One work-center day's positions in the order with no broken window and the fewest runs.

    Returns the positions, the windows still broken, and whether the clock
    stopped the search before its work limit.
    """
    amounts = [float(q) for q in quantities]
    counts = [
        max(1, math.ceil(q / float(problem.container_qty[i]) - TOLERANCE))
        for q, i in zip(amounts, made, strict=True)
    ]
    order, stopped = _fewest_runs(counts, rules, work, seconds)
    positions = container_positions(problem, amounts, made.tolist(), order)
    return positions, count_violations(order, rules), stopped


def _fewest_runs(
    counts: list[int], rules: Sequence[Rule], work: WorkLimits, seconds: float
) -> tuple[list[int], bool]:
    """The day's order: grouped, or searched when the grouped order breaks a window."""
    grouped = grouped_with_rules(counts, rules)
    if count_violations(grouped, rules) == 0:
        return grouped, False
    found = sequence_with_rules(
        counts,
        rules,
        time_limit=seconds,
        hint=grouped,
        workers=1,
        work=work,
        fewest_runs=True,
    )
    if count_violations(found.sequence, rules) > count_violations(grouped, rules):
        return grouped, found.timed_out
    return found.sequence, found.timed_out


def broken_message(problem: Problem, w: int, day: int, broken: int) -> PlanMessage:
    """The warning of a day whose sequence breaks ``broken`` windows."""
    windows = "window" if broken == 1 else "windows"
    return PlanMessage(
        MessageLevel.WARNING,
        f"the sequence of {problem.work_centers[w].code} on {problem.date_of(day).isoformat()} "
        f"breaks {broken} sequence-rule {windows}: the day's mix leaves too few positions "
        "without the ruled attribute",
        day=day,
        work_center=w,
    )
