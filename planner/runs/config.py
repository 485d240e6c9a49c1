"""The configuration file of a weekly run (TOML): plants, strategies, solver, output.

Example (every key but ``plants`` is optional; relative paths are relative
to the configuration file)::

    output = "runs"                      # dated folders of output files go here
    database = "sqlite:///runs.sqlite3"  # the run store (default: see default_database_url)
    strategies = ["mrp", "batch", "heijunka"]
    solver = "highs"
    time_limit = 60                      # seconds each strategy may take in all
    sequencing = "prv"
    frozen_days = 5                      # working days of the frozen window
    change_penalty = 0.0                 # batch: cost per unit changed in the frozen window
    workers = 2                          # plants planned at once on this machine
    # scheduler = "tcp://planning-host:8786"   # or on a Dask cluster

    [[plants]]
    name = "north"
    input = "inbox/north"                # a workbook, or a folder: its newest .xlsx
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from models import PlanningError
from models.heijunka import SequencingMethod
from models.solvers.backends import backend_from_name
from models.wording import counted
from planner.comparison import parse_sequencing, parse_strategies
from planner.runs.plants import plant_key

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class ConfigError(PlanningError):
    """A configuration file that cannot be read or is not valid, with every problem in it."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        listed = "\n".join(f"  {n}. {problem}" for n, problem in enumerate(problems, 1))
        super().__init__(f"{path}: {counted(len(problems), 'problem')} to fix:\n{listed}")


class PlantConfig(BaseModel):
    """One plant of a weekly run.

    Parameters
    ----------
    name
        The plant's name in the run store (its history is kept under it).
    input
        A workbook, or a folder whose newest ``.xlsx`` file is planned.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name
    input: Path


class RunConfig(BaseModel):
    """A weekly run: which plants to plan, how, and where the results go.

    Parameters
    ----------
    plants
        At least one plant; names are unique.
    output
        The folder of the dated output folders.
    database
        The run store's URL; the default store when ``None``.
    strategies
        The strategies to compare (a list, or text such as ``"mrp,batch"``).
    solver, time_limit, sequencing
        As ``planner compare``'s options; ``time_limit`` ``None`` uses each
        workbook's Settings.
    frozen_days
        The frozen window: the first working days of each plan, where
        changes against the previous run are reported separately and, with
        ``change_penalty``, priced in the ``batch`` plan.
    change_penalty
        ``batch`` only: cost per unit started more or less than the previous
        run's plan inside the frozen window; 0 plans without regard to it.
    workers
        Plants planned at once on this machine (1: one after the other, in
        this process); the number of CPUs when not given.
    scheduler
        The address of a Dask scheduler (``tcp://host:8786``) to plan the
        plants on a cluster instead.
    source
        The configuration file (set by :func:`load_config`).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    plants: list[PlantConfig] = Field(min_length=1)
    output: Path = Path("runs")
    database: str | None = None
    strategies: list[str] = Field(default_factory=lambda: parse_strategies(None))
    solver: str = "highs"
    time_limit: float | None = Field(default=None, gt=0)
    sequencing: SequencingMethod = "prv"
    frozen_days: int = Field(default=5, ge=0)
    change_penalty: float = Field(default=0.0, ge=0)
    workers: int | None = Field(default=None, ge=1)
    scheduler: str | None = None
    source: Path | None = Field(default=None, exclude=True)

    @field_validator("strategies", mode="before")
    @classmethod
    def _known_strategies(cls, value: Any) -> list[str]:
        if not isinstance(value, str | list):
            raise ValueError("expected a list of strategy names or text like 'mrp,batch'")
        with _as_value_error():
            return parse_strategies(value)

    @field_validator("solver")
    @classmethod
    def _known_solver(cls, value: str) -> str:
        with _as_value_error():
            backend_from_name(value)
        return value.strip().lower()

    @field_validator("sequencing", mode="before")
    @classmethod
    def _known_sequencing(cls, value: Any) -> str:
        with _as_value_error():
            return parse_sequencing(str(value))

    @field_validator("database", "scheduler")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @model_validator(mode="after")
    def _unique_plants(self) -> RunConfig:
        keys = [plant_key(plant.name) for plant in self.plants]
        repeated = sorted(
            {p.name for p, key in zip(self.plants, keys, strict=True) if keys.count(key) > 1}
        )
        if repeated:
            raise ValueError(
                f"plant names must be unique: {', '.join(repeated)} are one plant "
                "(names that differ only in case, spaces, -, _ or . are the same plant)"
            )
        if self.scheduler is not None and self.workers is not None:
            raise ValueError(
                "give either workers (this machine) or scheduler (a Dask cluster), not both"
            )
        return self

    def settings(self) -> dict[str, Any]:
        """What shapes the plans, as recorded with every run (equal settings: same run)."""
        return {
            "strategies": list(self.strategies),
            "solver": self.solver,
            "time_limit": self.time_limit,
            "sequencing": self.sequencing,
            "frozen_days": self.frozen_days,
            "change_penalty": self.change_penalty,
        }

    def resolve(self, path: Path) -> Path:
        """``path`` against the configuration file's folder, when relative."""
        path = path.expanduser()
        if path.is_absolute() or self.source is None:
            return path
        return self.source.parent / path

    @property
    def lock_path(self) -> Path:
        """The lock file of this configuration: in the output folder, named after the file."""
        stem = self.source.stem if self.source is not None else "run"
        return self.resolve(self.output) / f".{stem}.lock"


def load_config(path: Path) -> RunConfig:
    """Read and check a weekly run's TOML configuration.

    Raises
    ------
    ConfigError
        Listing every problem found (missing or unknown keys, wrong types,
        unknown strategies or solvers, repeated plant names), each with
        where it is in the file, or why the file cannot be read.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(path, ["the file does not exist"]) from None
    except (OSError, UnicodeDecodeError) as failure:
        raise ConfigError(path, [f"cannot be read: {failure}"]) from None
    except tomllib.TOMLDecodeError as failure:
        raise ConfigError(path, [f"is not valid TOML: {failure}"]) from None
    try:
        config = RunConfig.model_validate(data)
    except ValidationError as invalid:
        raise ConfigError(path, [_problem(error) for error in invalid.errors()]) from None
    return config.model_copy(update={"source": path.resolve()})


@contextmanager
def _as_value_error() -> Iterator[None]:
    """Turn a :class:`PlanningError` into the ``ValueError`` pydantic reports with its place."""
    try:
        yield
    except PlanningError as failure:
        raise ValueError(str(failure)) from None


def _problem(error: Any) -> str:
    """One pydantic error as ``where: what`` (``plants[2].input: field required``)."""
    where = ""
    for part in error["loc"]:
        where += f"[{part + 1}]" if isinstance(part, int) else f".{part}" if where else str(part)
    message = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    if error["type"] == "extra_forbidden":
        message = "unknown key"
    return f"{where}: {message}" if where else message
