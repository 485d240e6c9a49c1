"""Solver backends: one small interface, three open solvers behind it.

Every backend solves the same :class:`~models.solvers.milp.Milp` and answers
with the same :class:`~models.solvers.milp.MilpResult`:

- :class:`HighsBackend` (``"highs"``, the default) through highspy: the model
  is passed in one call from the sparse arrays, progress is reported from
  HiGHS' callbacks, and Ctrl-C stops the search and returns the best
  solution found.
- :class:`CbcBackend` (``"cbc"``): PuLP with the CBC binary bundled in PuLP.
- :class:`OrToolsBackend` (``"ortools"``): OR-Tools' linear solver wrapper
  with SCIP (CBC when SCIP is missing from the build).

Pick one by name with :func:`backend_from_name`; :func:`available_backends`
lists the ones that work here. Each backend's ``build`` gives the native
model (a ``highspy.Highs``, a PuLP problem, a ``pywraplp.Solver``) for
experiments; results never hold it.

This module is the factory; the code lives in one module per part:
:mod:`models.solvers.base` (the :class:`Backend` interface, the errors and
the helpers the backends share), :mod:`models.solvers.highs`,
:mod:`models.solvers.cbc` and :mod:`models.solvers.ortools`. The classes
and errors are re-exported here, so ``from models.solvers.backends import
HighsBackend`` keeps working.

Examples
--------
>>> backend = backend_from_name("highs")  # doctest: +SKIP
>>> result = backend.solve(milp, SolverOptions(time_limit=10.0))  # doctest: +SKIP
>>> result.status, result.objective, result.gap  # doctest: +SKIP
"""

from __future__ import annotations

from models.solvers.base import (
    Backend,
    Relaxation,
    SolverError,
    SolverUnavailableError,
    UnknownSolverError,
)
from models.solvers.cbc import CbcBackend, CbcModel
from models.solvers.highs import HighsBackend
from models.solvers.ortools import OrToolsBackend

__all__ = [
    "BACKENDS",
    "Backend",
    "CbcBackend",
    "CbcModel",
    "HighsBackend",
    "OrToolsBackend",
    "Relaxation",
    "SolverError",
    "SolverUnavailableError",
    "UnknownSolverError",
    "available_backends",
    "backend_from_name",
]

# ---------------------------------------------------------------------------
# Registry
# ---------------------------------------------------------------------------

BACKENDS: dict[str, type[Backend]] = {
    HighsBackend.name: HighsBackend,
    CbcBackend.name: CbcBackend,
    OrToolsBackend.name: OrToolsBackend,
}
"""Every backend by name, the default (``highs``) first."""


def available_backends() -> list[str]:
    """Names of the backends that work on this machine, the default first.

    Returns
    -------
    list of str
        Names accepted by :func:`backend_from_name`.
    """
    return [name for name, backend in BACKENDS.items() if backend().available()]


def backend_from_name(name: str) -> Backend:
    """The backend called ``name`` (case and surrounding spaces ignored).

    Parameters
    ----------
    name
        ``"highs"``, ``"cbc"`` or ``"ortools"``.

    Returns
    -------
    Backend
        A new backend object.

    Raises
    ------
    UnknownSolverError
        When no backend has that name.
    SolverUnavailableError
        When the backend's package is missing or broken here.
    """
    key = name.strip().lower()
    if key not in BACKENDS:
        raise UnknownSolverError(
            f"Unknown solver {name!r}; available here: {', '.join(available_backends()) or 'none'}"
            f" (known: {', '.join(BACKENDS)})"
        )
    backend = BACKENDS[key]()
    if not backend.available():
        raise SolverUnavailableError(
            f"Solver {key!r} is not available here (its package is missing or broken); "
            f"available: {', '.join(available_backends()) or 'none'}"
        )
    return backend
