"""The line's rules every plan is held to: sequence windows and whole units.

Contract version 2 binds every strategy by the plant's ``SequenceRules``
and by each item's ``whole_units``:

- on a work-center day on which an item carrying a ruled attribute is
  made, the plan must give the day's sequence, and in any ``window``
  consecutive positions at most ``max_in_window`` may carry the attribute
  (a ``sequence_rule`` violation per rule and day, its size the number of
  over-full windows; a missing sequence counts one);
- a start of a whole-unit item must be a whole number, beyond ``1e-6`` (a
  ``fractional_start`` violation).

Windows are counted as the sequencers count them: every run of ``window``
consecutive positions of the day (a day shorter than the window has none),
one violation per over-full window however large its excess.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from models import Problem
from models.plan import Plan, Position
from models.problem import SequenceRule
from planner.evaluation.types import START_TOLERANCE, Violation, ViolationKind

FloatArray = npt.NDArray[np.float64]

WHOLE_TOLERANCE = 1e-6
"""A whole-unit start this close to a whole number is whole."""


def fractional_starts(problem: Problem, starts: FloatArray) -> list[Violation]:
    """Every start of a whole-unit item that is not a whole number."""
    fractional = np.abs(starts - np.round(starts)) > WHOLE_TOLERANCE
    fractional &= problem.whole_units[:, None]
    violations = []
    for i, t in zip(*np.nonzero(fractional), strict=True):
        code, day, qty = problem.items[i].code, problem.days[t], float(starts[i, t])
        violations.append(
            Violation(
                ViolationKind.FRACTIONAL_START,
                day,
                abs(qty - round(qty)),
                f"{code} is counted in whole units, but {qty:.6g} start on {day.isoformat()}",
                item=code,
            )
        )
    return violations


def sequence_rule_violations(problem: Problem, plan: Plan, starts: FloatArray) -> list[Violation]:
    """Broken windows on every sequenced work-center day, and ruled days left unsequenced."""
    if not problem.sequence_rules:
        return []
    violations = []
    for w, center in enumerate(problem.work_centers):
        rules = [r for r in problem.sequence_rules if r.work_center in (None, center.code)]
        carriers = [_carriers(problem, rule) for rule in rules]
        ruled = np.zeros(problem.n_items, dtype=bool)
        for marked in carriers:
            ruled |= marked
        ruled &= problem.item_work_center == w
        if not ruled.any():
            continue
        for t in range(problem.n_days):
            positions = plan.sequences.get((w, t))
            if positions is None:
                made = np.flatnonzero(ruled & (starts[:, t] > START_TOLERANCE))
                if made.size:
                    violations.append(_unsequenced(problem, w, t, made))
                continue
            for rule, marked in zip(rules, carriers, strict=True):
                broken = broken_windows(positions, marked, rule)
                if broken:
                    violations.append(_broken(problem, w, t, rule, broken))
    return violations


def broken_windows(
    positions: tuple[Position, ...], marked: npt.NDArray[np.bool_], rule: SequenceRule
) -> int:
    """Over-full windows of a day's sequence under one rule (positions of no quantity skipped)."""
    flags = np.array([bool(marked[item]) for item, qty in positions if qty > START_TOLERANCE])
    if flags.size < rule.window:
        return 0
    prefix = np.concatenate([[0], np.cumsum(flags)])
    loads = prefix[rule.window :] - prefix[: -rule.window]
    return int(np.count_nonzero(loads > rule.max_in_window))


def _carriers(problem: Problem, rule: SequenceRule) -> npt.NDArray[np.bool_]:
    """Which items carry the rule's attribute."""
    marked = problem.item_attributes
    return np.array(
        [rule.attribute in marked.get(item.code, ()) for item in problem.items], dtype=bool
    )


def _unsequenced(problem: Problem, w: int, t: int, made: npt.NDArray[np.int64]) -> Violation:
    center, day = problem.work_centers[w].code, problem.days[t]
    codes = ", ".join(problem.items[i].code for i in made[:3]) + (", ..." if made.size > 3 else "")
    return Violation(
        ViolationKind.SEQUENCE_RULE,
        day,
        1.0,
        f"{center} makes {codes} on {day.isoformat()}, which the sequence rules limit, "
        "but the plan gives no sequence for that day",
        work_center=center,
    )


def _broken(problem: Problem, w: int, t: int, rule: SequenceRule, broken: int) -> Violation:
    center, day = problem.work_centers[w].code, problem.days[t]
    windows = "window" if broken == 1 else "windows"
    return Violation(
        ViolationKind.SEQUENCE_RULE,
        day,
        float(broken),
        f"the sequence of {center} on {day.isoformat()} holds more than {rule.max_in_window} "
        f"{rule.attribute} in {broken} {windows} of {rule.window} positions",
        work_center=center,
    )
