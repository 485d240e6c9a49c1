"""Limits on work instead of time: the same problem always gives the same plan.

A solve stopped by the clock stops wherever the solver happens to be when
the time is up, which depends on the machine and how busy it is: two runs
of one problem can return different plans. That is fine for one plan, but
not for a simulation study, whose replications must repeat exactly for the
same seed. :class:`WorkLimits` stops every search on a count instead:
branch-and-bound nodes, fix-and-optimize subproblems, local-search steps
and CP-SAT's deterministic time. The time limits stay as a cap for safety;
a model stopped by the cap says so (``timed_out``), and only then may a
result differ between runs.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

from models.plan import MessageLevel, PlanMessage


def is_count(value: object, least: int = 0) -> bool:
    """Whether ``value`` is a whole number (not a bool) of at least ``least``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        return False
    return int(value) >= least


def timed_out_warning(what: str) -> PlanMessage:
    """The warning of a plan with work limits that its time limit stopped somewhere first."""
    return PlanMessage(
        MessageLevel.WARNING,
        f"{what} stopped at the time limit before the work limit: "
        "another run may give another plan",
    )


@dataclass(frozen=True)
class WorkLimits:
    """How much work a planning method may do, counted rather than timed.

    Parameters
    ----------
    nodes
        Branch-and-bound nodes per MILP solve. With HiGHS, 0 stops right
        after the root's linear program, before its cuts and heuristics (the
        warm start or the root's rounding comes back); 1 completes the root
        node with its cuts and heuristics.
    solves
        Fix-and-optimize subproblems of a ``batch`` plan after its
        quantities are re-optimised (0: the warm start's setups are kept).
    free_setups
        Setup decisions left free in each fix-and-optimize subproblem: the
        smaller, the faster each root node.
    sweeps
        Passes of the level-loading heuristic's local improvement.
    designs
        Pull designs (product wheels) the ``heijunka`` design search plays
        through and prices before it keeps the cheapest.
    search_steps
        Local-search steps per day sequenced under sequence rules.
    cp_work
        CP-SAT's deterministic time (its own unit of work, several seconds
        of wall time each on a 40-position day) per CP-SAT stage of a
        sequence under sequence rules.
    """

    nodes: int = 0
    solves: int = 0
    free_setups: int = 40
    sweeps: int = 50
    designs: int = 100
    search_steps: int = 2000
    cp_work: float = 0.05

    def __post_init__(self) -> None:
        for name in ("nodes", "solves", "free_setups", "sweeps", "designs", "search_steps"):
            value = getattr(self, name)
            if not is_count(value):
                raise ValueError(f"{name} must be a whole number >= 0, got {value!r}")
        cp_work = self.cp_work
        if isinstance(cp_work, bool) or not isinstance(cp_work, numbers.Real) or cp_work <= 0:
            raise ValueError(f"cp_work must be a number > 0, got {cp_work!r}")
