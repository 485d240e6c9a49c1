"""The planning calendar: working days, plant holidays and capacity exceptions.

Planning is in daily buckets, one per working day. Demand dated on a
non-working day is due on the previous working day; a receipt dated on a
non-working day arrives on the next one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _weekday(token: str) -> int:
    word = token.strip().lower().rstrip(".")
    for number, (short, full) in enumerate(zip(WEEKDAYS, _FULL_NAMES, strict=True)):
        if word and (word == short or (len(word) >= 3 and full.startswith(word))):
            return number
    raise ValueError(f"'{token.strip()}' is not a weekday")


def parse_workdays(text: str) -> frozenset[int]:
    """Parse a working-weekday list such as ``Mon-Fri``, ``Mon-Sat`` or ``Mon,Tue,Thu``.

    Ranges may wrap around the week (``Sun-Thu``). Weekdays are numbered as
    :meth:`datetime.date.weekday` does: Monday is 0.

    Raises
    ------
    ValueError
        If a part is not a weekday or the list is empty.
    """
    days: set[int] = set()
    for part in re.split(r"[,;/ ]+", text.strip()):
        if not part:
            continue
        if "-" in part:
            first_text, _, last_text = part.partition("-")
            first, last = _weekday(first_text), _weekday(last_text)
            span = (last - first) % 7
            days.update((first + k) % 7 for k in range(span + 1))
        else:
            days.add(_weekday(part))
    if not days:
        raise ValueError("no weekday given")
    return frozenset(days)


def format_workdays(days: Iterable[int]) -> str:
    """Write weekdays the way :func:`parse_workdays` reads them (``Mon,Tue,Wed``)."""
    return ",".join(WEEKDAYS[d].capitalize() for d in sorted(days))


@dataclass(frozen=True)
class CapacityException:
    """A day on which regular capacity differs from the work center's usual one.

    ``work_center=None`` applies to every work center; with ``capacity=0`` it
    is a plant holiday, and with ``capacity>0`` on a weekday that is normally
    off it makes that day a working day.
    """

    date: date
    work_center: str | None
    capacity: float

    @property
    def is_plant_holiday(self) -> bool:
        """Whether the whole plant is closed that day."""
        return self.work_center is None and self.capacity == 0


@dataclass(frozen=True)
class Calendar:
    """Working days from ``start`` to ``end`` (both inclusive).

    Parameters
    ----------
    start, end
        First and last day of the horizon.
    workdays
        Working weekdays (Monday = 0); a string such as ``"Mon-Fri"`` is parsed.
    exceptions
        Plant holidays, extra working days and capacity changes.
    """

    start: date
    end: date
    workdays: frozenset[int] = frozenset(range(5))
    exceptions: tuple[CapacityException, ...] = field(default=())

    def __post_init__(self) -> None:
        if isinstance(self.workdays, str):
            object.__setattr__(self, "workdays", parse_workdays(self.workdays))
        object.__setattr__(self, "exceptions", tuple(self.exceptions))

    def working_days(self) -> tuple[date, ...]:
        """Every working day of the horizon, in order."""
        holidays = {e.date for e in self.exceptions if e.is_plant_holiday}
        extra = {e.date for e in self.exceptions if e.work_center is None and e.capacity > 0}
        days = []
        day = self.start
        while day <= self.end:
            normal = day.weekday() in self.workdays
            if (normal and day not in holidays) or (not normal and day in extra):
                days.append(day)
            day += timedelta(days=1)
        return tuple(days)

    def capacity_arrays(
        self,
        days: Sequence[date],
        work_centers: Sequence[str],
        regular: Sequence[float],
        overtime: Sequence[float],
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Regular and overtime capacity per work center and working day.

        Plant-wide exceptions apply first, then those of single work centers.
        A work center closed on a day (capacity 0) has no overtime that day
        either. Exceptions on days that are not working days change nothing.
        """
        capacity = np.repeat(np.asarray(regular, dtype=float)[:, None], len(days), axis=1)
        usual_overtime = np.asarray(overtime, dtype=float)
        overtime_capacity = np.repeat(usual_overtime[:, None], len(days), axis=1)
        day_index = {day: t for t, day in enumerate(days)}
        center_index = {code: w for w, code in enumerate(work_centers)}
        ordered = sorted(self.exceptions, key=lambda e: e.work_center is not None)
        for exception in ordered:
            t = day_index.get(exception.date)
            if t is None or exception.is_plant_holiday:
                continue
            if exception.work_center is None:
                rows: list[int] = list(range(len(work_centers)))
            elif exception.work_center in center_index:
                rows = [center_index[exception.work_center]]
            else:
                continue
            capacity[rows, t] = exception.capacity
            overtime_capacity[rows, t] = 0.0 if exception.capacity == 0 else usual_overtime[rows]
        return capacity, overtime_capacity


def _ordinals(days: Sequence[date]) -> npt.NDArray[np.int64]:
    return np.fromiter((d.toordinal() for d in days), dtype=np.int64, count=len(days))


def horizon_index(
    days: Sequence[date], dates: Sequence[date], start: date, end: date, *, later: bool
) -> npt.NDArray[np.int64]:
    """Map dates to working-day indices of ``days`` within ``[start, end]``.

    Dates outside ``[start, end]`` map to -1. A date that is not a working
    day maps to the previous working day (``later=False``, for due dates) or
    the next one (``later=True``, for arrivals); when there is no such day in
    the horizon it maps to the first working day (due dates) or -1 (arrivals).
    """
    if not days:
        return np.full(len(dates), -1, dtype=np.int64)
    working = _ordinals(days)
    wanted = _ordinals(dates)
    inside = (wanted >= start.toordinal()) & (wanted <= end.toordinal())
    if later:
        index = np.searchsorted(working, wanted, side="left")
        index[index >= len(working)] = -1
    else:
        index = np.searchsorted(working, wanted, side="right") - 1
        index[index < 0] = 0
    index[~inside] = -1
    return index.astype(np.int64)
