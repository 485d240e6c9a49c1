"""The project's exception and warning types.

Every error the project raises on purpose derives from :class:`PlanningError`,
so that callers (the command line, batch runs, the web page) can tell an
expected, explainable failure from a bug.
"""

from __future__ import annotations

from collections.abc import Iterable

from models.wording import counted


class PlanningError(Exception):
    """Base class of every error raised on purpose by this project."""


class ProblemError(PlanningError):
    """A problem built in code breaks one or more rules of the data contract.

    Parameters
    ----------
    problems
        One human-readable message per broken rule; all are reported at once.
    """

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        listed = "\n".join(f"  {n}. {text}" for n, text in enumerate(self.problems, 1))
        super().__init__(f"{counted(len(self.problems), 'problem')} in the plant data:\n{listed}")


class PlanningWarning(UserWarning):
    """Legal but dubious input: planning goes on, the user should look."""
