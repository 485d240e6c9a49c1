"""The validated, immutable description of a plant and its demand.

A :class:`Problem` is what every planning strategy reads: items with their
costs and lot rules, the bill of materials, work centers, and arrays indexed
by item (or work center) and working day. It is checked when built, never
changes afterwards, and :meth:`Problem.replace` makes what-if variants. Its
records (:class:`Item`, :class:`WorkCenter`, :class:`Settings`, ...) are in
:mod:`models.records`.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from models.bom import find_cycles, low_level_codes
from models.calendar import Calendar, horizon_index
from models.errors import PlanningWarning, ProblemError
from models.records import (
    DAYS_PER_YEAR,
    BomLine,
    Item,
    ItemAttribute,
    ItemKind,
    LotRule,
    SequenceRule,
    Settings,
    WorkCenter,
)
from models.wording import counted

__all__ = [
    "DAYS_PER_YEAR",
    "BomLine",
    "Item",
    "ItemAttribute",
    "ItemKind",
    "LotRule",
    "Problem",
    "SequenceRule",
    "Settings",
    "WorkCenter",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def _frozen_array(
    values: Any, shape: tuple[int, int], name: str, problems: list[str]
) -> FloatArray:
    array = np.array(values, dtype=float, copy=True)
    if array.shape != shape:
        problems.append(f"{name} has shape {array.shape}, expected {shape}")
        array = np.zeros(shape)
    elif not np.all(np.isfinite(array)):
        problems.append(f"{name} holds values that are not finite numbers")
    elif np.any(array < 0):
        problems.append(f"{name} holds negative values")
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False)
class Problem:
    """A plant, its demand and its calendar, validated and immutable.

    Arrays are indexed ``[item, day]`` or ``[work_center, day]`` in the order
    of :attr:`items`, :attr:`work_centers` and :attr:`days` (working days
    only). Build one from a workbook with :func:`planner.read_workbook`, or
    in code with :meth:`from_records` or the constructor.

    Parameters
    ----------
    items
        The items, in the order their arrays use.
    days
        The working days of the horizon, in order.
    demand
        External demand per item and working day (units due that day).
    work_centers
        The work centers make items are made on.
    bom
        The bill of materials, one line per (parent, child).
    receipts
        Scheduled receipts per item and working day (units arriving that day).
        Zeros if not given.
    capacity, overtime_capacity
        Minutes per work center and working day. Each work center's usual
        capacity on every day if not given.
    settings
        Plant-wide parameters.
    attributes, sequence_rules
        Item attributes and the p-of-q rules of mixed-model sequencing.
    name
        A label for reports.

    Raises
    ------
    ProblemError
        Listing every rule of the data contract the data breaks.
    """

    items: tuple[Item, ...]
    days: tuple[date, ...]
    demand: FloatArray
    work_centers: tuple[WorkCenter, ...] = ()
    bom: tuple[BomLine, ...] = ()
    receipts: FloatArray = None  # type: ignore[assignment]
    capacity: FloatArray = None  # type: ignore[assignment]
    overtime_capacity: FloatArray = None  # type: ignore[assignment]
    settings: Settings = field(default_factory=Settings)
    attributes: tuple[ItemAttribute, ...] = ()
    sequence_rules: tuple[SequenceRule, ...] = ()
    name: str = ""

    def __post_init__(self) -> None:
        for name in ("items", "days", "work_centers", "bom", "attributes", "sequence_rules"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        problems = self._reference_problems()
        n_items, n_days, n_centers = len(self.items), len(self.days), len(self.work_centers)
        if list(self.days) != sorted(set(self.days)):
            problems.append("days must be distinct and in increasing order")
        if n_days == 0:
            problems.append("the horizon has no working day")
        item_shape, center_shape = (n_items, n_days), (n_centers, n_days)
        usual = np.array([[w.capacity, w.overtime_capacity] for w in self.work_centers])
        usual = usual.reshape(n_centers, 2)
        defaults: dict[str, Any] = {
            "demand": self.demand,
            "receipts": np.zeros(item_shape) if self.receipts is None else self.receipts,
            "capacity": (
                np.repeat(usual[:, :1], n_days, axis=1) if self.capacity is None else self.capacity
            ),
            "overtime_capacity": (
                np.repeat(usual[:, 1:], n_days, axis=1)
                if self.overtime_capacity is None
                else self.overtime_capacity
            ),
        }
        for name, values in defaults.items():
            shape = item_shape if name in ("demand", "receipts") else center_shape
            object.__setattr__(self, name, _frozen_array(values, shape, name, problems))
        if problems:
            raise ProblemError(problems)

    def _reference_problems(self) -> list[str]:
        problems: list[str] = []
        codes = [item.code for item in self.items]
        problems += [f"item {c!r} is listed more than once" for c in _repeated(codes)]
        centers = [w.code for w in self.work_centers]
        problems += [f"work center {c!r} is listed more than once" for c in _repeated(centers)]
        known_items, known_centers = set(codes), set(centers)
        for item in self.items:
            if item.work_center is not None and item.work_center not in known_centers:
                problems.append(f"item {item.code!r}: unknown work center {item.work_center!r}")
        pairs = [(line.parent, line.child) for line in self.bom]
        problems += [
            f"BOM line {p!r} -> {c!r} is listed more than once" for p, c in _repeated(pairs)
        ]
        for line in self.bom:
            for role, code in (("parent", line.parent), ("child", line.child)):
                if code not in known_items:
                    problems.append(f"BOM line {line.parent!r} -> {line.child!r}: unknown {role}")
            if not line.qty_per > 0:
                problems.append(f"BOM line {line.parent!r} -> {line.child!r}: qty_per must be > 0")
        for cycle in find_cycles(pairs):
            problems.append("the BOM has a cycle: " + " -> ".join(cycle))
        for attribute in self.attributes:
            if attribute.item not in known_items:
                problems.append(
                    f"attribute {attribute.attribute!r}: unknown item {attribute.item!r}"
                )
        for rule in self.sequence_rules:
            if rule.work_center is not None and rule.work_center not in known_centers:
                where = f"sequence rule for {rule.attribute!r}"
                problems.append(f"{where}: unknown work center {rule.work_center!r}")
        return problems

    @classmethod
    def from_records(
        cls,
        items: Iterable[Item],
        demand: Iterable[tuple[str, date, float]] | Any,
        *,
        calendar: Calendar | None = None,
        work_centers: Iterable[WorkCenter] = (),
        bom: Iterable[BomLine] = (),
        receipts: Iterable[tuple[str, date, float]] | Any = (),
        settings: Settings | None = None,
        attributes: Iterable[ItemAttribute] = (),
        sequence_rules: Iterable[SequenceRule] = (),
        name: str = "",
    ) -> Problem:
        """Build a problem from dated records, the way a workbook states it.

        ``demand`` and ``receipts`` are ``(item, date, qty)`` rows, or data
        frames with columns ``item``, ``date``, ``qty``. Without a calendar
        the horizon runs Monday to Friday from the first to the last demand
        date. Dates are mapped to working days by the contract's rules;
        records outside the horizon are dropped with a
        :class:`~models.errors.PlanningWarning`.
        """
        items = tuple(items)
        work_centers = tuple(work_centers)
        demand_rows = _rows(demand)
        receipt_rows = _rows(receipts)
        if calendar is None:
            dates = [row[1] for row in demand_rows]
            if not dates:
                raise ProblemError(
                    ["without a calendar, the horizon needs at least one demand date"]
                )
            calendar = Calendar(min(dates), max(dates))
        days = calendar.working_days()
        index = {item.code: i for i, item in enumerate(items)}
        arrays = []
        for label, rows, later in (
            ("demand", demand_rows, False),
            ("receipts", receipt_rows, True),
        ):
            unknown = sorted({str(row[0]) for row in rows if row[0] not in index})
            if unknown:
                raise ProblemError([f"{label} for unknown item {code!r}" for code in unknown])
            array = np.zeros((len(items), len(days)))
            slots = horizon_index(
                days, [row[1] for row in rows], calendar.start, calendar.end, later=later
            )
            rows_in = slots >= 0
            if not rows_in.all():
                warnings.warn(
                    f"{counted(int((~rows_in).sum()), f'{label} record')} fall outside the horizon "
                    f"{calendar.start} .. {calendar.end} and are ignored",
                    PlanningWarning,
                    stacklevel=2,
                )
            item_rows = np.array([index[row[0]] for row in rows], dtype=np.int64)
            quantities = np.array([float(row[2]) for row in rows])
            np.add.at(array, (item_rows[rows_in], slots[rows_in]), quantities[rows_in])
            arrays.append(array)
        capacity, overtime = calendar.capacity_arrays(
            days,
            [w.code for w in work_centers],
            [w.capacity for w in work_centers],
            [w.overtime_capacity for w in work_centers],
        )
        return cls(
            items=items,
            days=days,
            demand=arrays[0],
            work_centers=work_centers,
            bom=tuple(bom),
            receipts=arrays[1],
            capacity=capacity,
            overtime_capacity=overtime,
            settings=settings or Settings(),
            attributes=tuple(attributes),
            sequence_rules=tuple(sequence_rules),
            name=name,
        )

    def replace(self, **changes: Any) -> Problem:
        """Return a validated copy with some fields changed, for what-if scenarios.

        Examples
        --------
        >>> busier = problem.replace(demand=problem.demand * 1.2)  # doctest: +SKIP
        """
        return dataclasses.replace(self, **changes)

    def replace_items(self, codes: Iterable[str] | None = None, **changes: Any) -> Problem:
        """Return a copy in which the given items (all by default) have fields changed.

        A value may be a function of the item, e.g.
        ``problem.replace_items(setup_time=lambda item: item.setup_time / 2)``.
        """
        chosen = set(self.item_index) if codes is None else set(codes)
        unknown = chosen - set(self.item_index)
        if unknown:
            raise ProblemError([f"unknown item {code!r}" for code in sorted(unknown)])
        items = []
        for item in self.items:
            if item.code in chosen:
                values = {k: v(item) if callable(v) else v for k, v in changes.items()}
                item = dataclasses.replace(item, **values)
            items.append(item)
        return self.replace(items=tuple(items))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Problem):
            return NotImplemented
        for spec in dataclasses.fields(self):
            mine, theirs = getattr(self, spec.name), getattr(other, spec.name)
            if isinstance(mine, np.ndarray):
                if not np.array_equal(mine, theirs):
                    return False
            elif mine != theirs:
                return False
        return True

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"Problem({self.name!r}: {self.n_items} items, {len(self.bom)} BOM lines, "
            f"{len(self.work_centers)} work centers, {self.n_days} working days "
            f"{self.days[0]} .. {self.days[-1]})"
        )

    # Sizes and lookups ------------------------------------------------------

    @property
    def n_items(self) -> int:
        """Number of items."""
        return len(self.items)

    @property
    def n_days(self) -> int:
        """Number of working days in the horizon."""
        return len(self.days)

    @cached_property
    def item_index(self) -> dict[str, int]:
        """Position of each item code in :attr:`items`."""
        return {item.code: i for i, item in enumerate(self.items)}

    @cached_property
    def work_center_index(self) -> dict[str, int]:
        """Position of each work center code in :attr:`work_centers`."""
        return {w.code: k for k, w in enumerate(self.work_centers)}

    def date_of(self, day: int) -> date:
        """The date of working day ``day``, also past the end of the horizon.

        Beyond the last day, working days continue on the weekdays that occur
        in the horizon (plant holidays after the horizon are unknown).
        """
        if 0 <= day < self.n_days:
            return self.days[day]
        if day < 0:
            raise IndexError(f"working day {day} is before the horizon")
        weekdays = {d.weekday() for d in self.days}
        current, remaining = self.days[-1], day - self.n_days + 1
        while remaining:
            current += timedelta(days=1)
            if current.weekday() in weekdays:
                remaining -= 1
        return current

    @cached_property
    def day_index(self) -> dict[date, int]:
        """Position of each working day in :attr:`days`."""
        return {day: t for t, day in enumerate(self.days)}

    # Bill of materials --------------------------------------------------------

    @cached_property
    def _bom_indices(self) -> tuple[IntArray, IntArray, FloatArray]:
        parents = np.array([self.item_index[line.parent] for line in self.bom], dtype=np.int64)
        children = np.array([self.item_index[line.child] for line in self.bom], dtype=np.int64)
        quantities = np.array([line.qty_per for line in self.bom], dtype=float)
        return parents, children, quantities

    @cached_property
    def bom_matrix(self) -> sp.csr_array:
        """Sparse ``[child, parent]`` matrix of qty_per.

        ``bom_matrix @ starts`` is the dependent demand per item and day when
        ``starts`` holds the quantity of each item started per day.
        """
        parents, children, quantities = self._bom_indices
        n = self.n_items
        return sp.csr_array((quantities, (children, parents)), shape=(n, n))

    @cached_property
    def _levels(self) -> tuple[IntArray, IntArray]:
        parents, children, _ = self._bom_indices
        codes, order = low_level_codes(self.n_items, parents.tolist(), children.tolist())
        codes.flags.writeable = False
        order.flags.writeable = False
        return codes, order

    @property
    def low_level_code(self) -> IntArray:
        """Low-level code per item: 0 for end items, deepest level for raw parts."""
        return self._levels[0]

    @property
    def topological_order(self) -> IntArray:
        """Item indices with every parent before its children (by low-level code)."""
        return self._levels[1]

    def explode(self, quantities: npt.ArrayLike) -> FloatArray:
        """Exploded requirement per item for ``quantities`` needed of each item.

        Solves ``r = q + A r`` (``A`` the BOM matrix), so that ``r[i]`` counts
        the units of item ``i`` itself plus those inside everything that uses it.
        """
        system = sp.identity(self.n_items, format="csc") - self.bom_matrix.tocsc()
        needed = np.asarray(quantities, dtype=float).reshape(self.n_items)
        solved = spla.spsolve(system, needed) if self.n_items else needed
        return np.asarray(solved, dtype=float).reshape(self.n_items)

    def net_positions(self, starts: npt.ArrayLike) -> FloatArray:
        """Each item's stock less backlog at the end of every day ``[item, day]`` with ``starts``.

        On-hand stock, plus scheduled receipts and the starts arrived after
        their lead time, less external demand and what the parents' starts
        use, to date.
        """
        made = np.asarray(starts, dtype=float).reshape(self.n_items, self.n_days)
        arrivals = np.zeros_like(made)
        for lead in np.unique(self.lead_time).tolist():
            if lead < self.n_days:
                items = self.lead_time == lead
                arrivals[items, lead:] = made[items, : self.n_days - lead]
        use = self.bom_matrix @ made
        change = self.receipts + arrivals - self.demand - use
        return np.asarray(self.on_hand[:, None] + np.cumsum(change, axis=1), dtype=float)

    @property
    def bom_depth(self) -> int:
        """Number of BOM levels (1 for a plant without a BOM)."""
        return int(self.low_level_code.max(initial=0)) + 1

    @cached_property
    def children(self) -> tuple[tuple[int, ...], ...]:
        """Indices of the direct components of each item."""
        result: list[list[int]] = [[] for _ in self.items]
        parents, children, _ = self._bom_indices
        for parent, child in zip(parents.tolist(), children.tolist(), strict=True):
            result[parent].append(child)
        return tuple(tuple(c) for c in result)

    @cached_property
    def parents(self) -> tuple[tuple[int, ...], ...]:
        """Indices of the items that directly use each item."""
        result: list[list[int]] = [[] for _ in self.items]
        parents, children, _ = self._bom_indices
        for parent, child in zip(parents.tolist(), children.tolist(), strict=True):
            result[child].append(parent)
        return tuple(tuple(p) for p in result)

    # Item data as arrays ------------------------------------------------------

    def _item_values(self, name: str, dtype: type = float) -> npt.NDArray[Any]:
        values: npt.NDArray[Any] = np.array(
            [getattr(item, name) for item in self.items], dtype=dtype
        )
        values.flags.writeable = False
        return values

    @cached_property
    def is_make(self) -> BoolArray:
        """Whether each item is made in-house."""
        values = np.array([item.kind is ItemKind.MAKE for item in self.items], dtype=bool)
        values.flags.writeable = False
        return values

    @cached_property
    def item_work_center(self) -> IntArray:
        """Work center index of each item; -1 for purchased items."""
        index = self.work_center_index
        values = np.array(
            [index.get(item.work_center, -1) if item.work_center else -1 for item in self.items],
            dtype=np.int64,
        )
        values.flags.writeable = False
        return values

    @cached_property
    def lead_time(self) -> IntArray:
        """Lead time per item in working days."""
        return self._item_values("lead_time", np.int64)

    @cached_property
    def run_time(self) -> FloatArray:
        """Minutes of capacity per unit made."""
        return self._item_values("run_time")

    @cached_property
    def setup_time(self) -> FloatArray:
        """Minutes of capacity per setup."""
        return self._item_values("setup_time")

    @cached_property
    def setup_cost(self) -> FloatArray:
        """Cost per setup (per order for buy items)."""
        return self._item_values("setup_cost")

    @cached_property
    def unit_cost(self) -> FloatArray:
        """Value per unit."""
        return self._item_values("unit_cost")

    @cached_property
    def on_hand(self) -> FloatArray:
        """Inventory at the start of the first day."""
        return self._item_values("on_hand")

    @cached_property
    def safety_stock(self) -> FloatArray:
        """Target minimum projected inventory."""
        return self._item_values("safety_stock")

    @cached_property
    def buffer_choice(self) -> IntArray:
        """Items ``buffer``: 1 yes (always buffered), -1 no (never), 0 the planner decides."""
        chosen = {"yes": 1, "no": -1}
        values = np.array([chosen.get(item.buffer or "", 0) for item in self.items], dtype=np.int64)
        values.flags.writeable = False
        return values

    @cached_property
    def min_lot(self) -> FloatArray:
        """Minimum lot size."""
        return self._item_values("min_lot")

    @cached_property
    def lot_multiple(self) -> FloatArray:
        """Lots are rounded up to a multiple of this; 0 means none."""
        return self._item_values("lot_multiple")

    @cached_property
    def container_qty(self) -> FloatArray:
        """Kanban container size."""
        return self._item_values("container_qty")

    @cached_property
    def whole_units(self) -> BoolArray:
        """Whether each item is counted in whole units (its starts are whole numbers)."""
        return self._item_values("whole_units", bool)

    @cached_property
    def holding_cost(self) -> FloatArray:
        """Holding cost per unit and working day, defaults resolved.

        An item without its own holding cost pays
        ``unit_cost x carrying_rate / 250``.
        """
        rate = self.settings.carrying_rate / DAYS_PER_YEAR
        values = np.array(
            [
                item.unit_cost * rate if item.holding_cost is None else item.holding_cost
                for item in self.items
            ]
        )
        values.flags.writeable = False
        return values

    @cached_property
    def default_backlog_cost(self) -> float:
        """The plant's backlog cost: Settings, else 10 x the largest holding cost, at least 1."""
        if self.settings.backlog_cost is not None:
            return self.settings.backlog_cost
        return max(1.0, 10.0 * float(self.holding_cost.max(initial=0.0)))

    @cached_property
    def backlog_cost(self) -> FloatArray:
        """Backlog cost per unit and working day late, defaults resolved."""
        default = self.default_backlog_cost
        values = np.array(
            [default if item.backlog_cost is None else item.backlog_cost for item in self.items]
        )
        values.flags.writeable = False
        return values

    @cached_property
    def item_attributes(self) -> dict[str, frozenset[str]]:
        """The attributes each item carries (items without any are absent)."""
        result: dict[str, set[str]] = {}
        for attribute in self.attributes:
            result.setdefault(attribute.item, set()).add(attribute.attribute)
        return {item: frozenset(values) for item, values in result.items()}


def _repeated(values: Sequence[Any]) -> list[Any]:
    seen: set[Any] = set()
    repeated: list[Any] = []
    for value in values:
        if value in seen and value not in repeated:
            repeated.append(value)
        seen.add(value)
    return repeated


def _rows(records: Any) -> list[tuple[str, date, float]]:
    if hasattr(records, "itertuples"):
        frame = records
        return [
            (str(row.item), _as_date(row.date), float(row.qty))
            for row in frame.itertuples(index=False)
        ]
    return [(str(item), _as_date(day), float(qty)) for item, day, qty in records]


def _as_date(value: Any) -> date:
    if hasattr(value, "date") and callable(value.date):
        return value.date()  # type: ignore[no-any-return]
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
