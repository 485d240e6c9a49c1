"""Writing a problem as an input workbook and reading it back gives the same problem."""

from __future__ import annotations

import string
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import numpy as np
import openpyxl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from openpyxl.styles.numbers import is_date_format

from models.calendar import Calendar, CapacityException
from models.fields import KANBAN_LOTS
from models.problem import (
    BomLine,
    Item,
    ItemAttribute,
    ItemKind,
    LotRule,
    Problem,
    SequenceRule,
    Settings,
    WorkCenter,
)
from planner.instances import small_plant
from planner.workbook.issues import Level
from planner.workbook.reader import read_workbook
from planner.workbook.writer import write_input_workbook

CODE_CHARACTERS = string.ascii_letters + string.digits + "-_./#"
TEXT_CHARACTERS = CODE_CHARACTERS + " =,;:()'&+*é"

codes = st.text(CODE_CHARACTERS, min_size=1, max_size=8)
texts = st.text(TEXT_CHARACTERS, max_size=20).map(str.strip)
amounts = st.floats(min_value=0.0, max_value=1e12, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=0.0, max_value=1e12, exclude_min=True, allow_nan=False)
optional_amounts = st.none() | amounts
dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))


def _unique(values: list[str]) -> list[str]:
    first: dict[str, str] = {}
    for value in values:
        first.setdefault(value.lower(), value)
    return list(first.values())


@st.composite
def items(draw: st.DrawFn, code: str, centers: list[str]) -> Item:
    make = bool(centers) and draw(st.booleans())
    rule = draw(st.sampled_from(list(LotRule)))
    if rule is LotRule.POQ:
        lot_size: float | None = float(draw(st.integers(1, 60)))
    elif rule is LotRule.FOQ:
        lot_size = draw(positive)
    else:
        lot_size = draw(st.none() | positive)
    return Item(
        code,
        draw(texts),
        kind=ItemKind.MAKE if make else ItemKind.BUY,
        work_center=draw(st.sampled_from(centers)) if make else None,
        run_time=draw(amounts),
        setup_time=draw(amounts),
        setup_cost=draw(amounts),
        unit_cost=draw(amounts),
        holding_cost=draw(optional_amounts),
        lead_time=draw(st.integers(0, 30)),
        on_hand=draw(amounts),
        safety_stock=draw(amounts),
        lot_rule=rule,
        lot_size=lot_size,
        min_lot=draw(amounts),
        lot_multiple=draw(amounts),
        container_qty=draw(positive),
        backlog_cost=draw(optional_amounts),
    )


@st.composite
def calendars(draw: st.DrawFn, centers: list[str]) -> Calendar:
    start = draw(dates)
    span = draw(st.integers(0, 27))
    horizon = [start + timedelta(days=k) for k in range(span + 1)]
    workdays = draw(st.frozensets(st.integers(0, 6), min_size=1))
    targets: list[str | None] = [None, *centers]
    keys = draw(
        st.lists(st.tuples(st.sampled_from(horizon), st.sampled_from(targets)), unique=True)
    )
    exceptions = [
        CapacityException(day, center, draw(st.just(0.0) | amounts)) for day, center in keys
    ]
    calendar = Calendar(start, horizon[-1], workdays, tuple(exceptions))
    assume(calendar.working_days())
    return calendar


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    centers = _unique(draw(st.lists(codes, max_size=3)))
    work_centers = [
        WorkCenter(code, draw(st.just(0.0) | amounts), draw(amounts), draw(amounts))
        for code in centers
    ]
    item_codes = _unique(draw(st.lists(codes, min_size=1, max_size=7)))
    plant_items = [draw(items(code, centers)) for code in item_codes]
    n = len(item_codes)
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda p: p[0] < p[1]),
            unique=True,
            max_size=8,
        )
    )
    bom = [BomLine(item_codes[p], item_codes[c], draw(positive)) for p, c in pairs]
    calendar = draw(calendars(centers))
    days = calendar.working_days()
    capacity, overtime = calendar.capacity_arrays(
        days,
        centers,
        [w.capacity for w in work_centers],
        [w.overtime_capacity for w in work_centers],
    )
    cells = st.tuples(st.integers(0, n - 1), st.integers(0, len(days) - 1))
    demand = np.zeros((n, len(days)))
    for (i, t), qty in draw(st.dictionaries(cells, amounts, max_size=12)).items():
        demand[i, t] = qty
    receipts = np.zeros((n, len(days)))
    for (i, t), qty in draw(st.dictionaries(cells, positive, max_size=4)).items():
        receipts[i, t] = qty
    attribute_names = st.text(string.ascii_lowercase, min_size=1, max_size=6)
    attributes = draw(
        st.lists(st.tuples(st.sampled_from(item_codes), attribute_names), unique=True, max_size=4)
    )
    rules = draw(
        st.lists(
            st.builds(
                SequenceRule,
                attribute_names,
                st.integers(0, 5),
                st.integers(1, 10),
                st.none() | st.sampled_from(centers) if centers else st.none(),
            ),
            max_size=2,
        )
    )
    return Problem(
        items=tuple(plant_items),
        days=days,
        demand=demand,
        work_centers=tuple(work_centers),
        bom=tuple(bom),
        receipts=receipts,
        capacity=capacity,
        overtime_capacity=overtime,
        settings=Settings(
            carrying_rate=draw(amounts),
            backlog_cost=draw(optional_amounts),
            time_limit=draw(positive),
            mip_gap=draw(amounts),
            kanban_lot=draw(st.sampled_from(KANBAN_LOTS)),
        ),
        attributes=tuple(ItemAttribute(item, name) for item, name in attributes),
        sequence_rules=tuple(rules),
        name="generated",
    )


def _round_trip(problem: Problem, path: Path, form: Literal["long", "wide"]) -> Problem:
    write_input_workbook(problem, path, demand_form=form)
    result = read_workbook(path)
    errors = [str(issue) for issue in result.issues if issue.level is Level.ERROR]
    assert errors == []
    assert result.problem is not None
    return result.problem.replace(name=problem.name)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=problems())
def test_round_trip_gives_an_equal_problem(problem: Problem, tmp_path_factory: Any) -> None:
    folder = tmp_path_factory.mktemp("round_trip")
    for form in ("long", "wide"):
        assert _round_trip(problem, folder / f"{form}.xlsx", form) == problem


def test_small_plant_round_trips_in_both_forms(tmp_path: Path) -> None:
    problem = small_plant()
    assert _round_trip(problem, tmp_path / "long.xlsx", "long") == problem
    assert _round_trip(problem, tmp_path / "wide.xlsx", "wide") == problem


def test_floats_and_formula_like_text_survive(tmp_path: Path) -> None:
    awkward = 0.1 + 0.2
    problem = small_plant().replace_items(
        ["FG01"], run_time=awkward, description="=SUM(A1:A3)", holding_cost=1 / 3
    )
    problem = problem.replace_items(["FG02"], description="#N/A")
    read = _round_trip(problem, tmp_path / "plant.xlsx", "long")
    assert read == problem
    assert read.items[0].run_time == awkward
    assert read.items[0].description == "=SUM(A1:A3)"


def test_dates_are_excel_dates(tmp_path: Path) -> None:
    problem = small_plant()
    long_path, wide_path = tmp_path / "long.xlsx", tmp_path / "wide.xlsx"
    write_input_workbook(problem, long_path)
    write_input_workbook(problem, wide_path, demand_form="wide")
    book = openpyxl.load_workbook(long_path)
    first = book["Demand"]["B2"]
    assert isinstance(first.value, datetime)
    assert is_date_format(first.number_format)
    settings_rows = {row[0]: row[1] for row in book["Settings"].iter_rows(values_only=True)}
    assert settings_rows["start_date"] == datetime(2026, 3, 2)
    assert settings_rows["end_date"] == datetime(2026, 3, 30)
    assert settings_rows["workdays"] == "Mon,Tue,Wed,Thu,Fri"
    wide = openpyxl.load_workbook(wide_path)["Demand"]
    header = next(wide.iter_rows(max_row=1))
    assert header[0].value == "item"
    assert [cell.value.date() for cell in header[1:]] == list(problem.days)
    assert all(is_date_format(cell.number_format) for cell in header[1:])


def test_calendar_rows_state_holidays_and_capacity_changes(tmp_path: Path) -> None:
    problem = small_plant()
    capacity = problem.capacity.copy()
    capacity[1, 3] = 120.0
    overtime = problem.overtime_capacity.copy()
    capacity[0, 5] = overtime[0, 5] = 0.0
    changed = problem.replace(capacity=capacity, overtime_capacity=overtime)
    path = tmp_path / "plant.xlsx"
    write_input_workbook(changed, path)
    rows = list(openpyxl.load_workbook(path)["Calendar"].iter_rows(values_only=True))
    assert rows[0] == ("date", "work_center", "capacity")
    assert rows[1:] == [
        (datetime(2026, 3, 20), None, 0),
        (datetime(2026, 3, 5), "SAW", 120),
        (datetime(2026, 3, 9), "ASSY", 0),
    ]
    assert _round_trip(changed, path, "long") == changed


def test_optional_sheets_are_left_out_when_empty(tmp_path: Path) -> None:
    problem = Problem.from_records(
        [Item("A", kind=ItemKind.BUY)], [("A", date(2026, 3, 2), 5.0)], name="bare"
    )
    path = tmp_path / "bare.xlsx"
    write_input_workbook(problem, path)
    assert openpyxl.load_workbook(path).sheetnames == ["Items", "BOM", "Demand", "Settings"]
    assert _round_trip(problem, path, "long") == problem


def test_unrepresentable_overtime_is_refused(tmp_path: Path) -> None:
    problem = small_plant()
    overtime = problem.overtime_capacity.copy()
    overtime[0, 2] = 30.0
    path = tmp_path / "plant.xlsx"
    with pytest.raises(ValueError, match="overtime capacity"):
        write_input_workbook(problem.replace(overtime_capacity=overtime), path)
    assert list(tmp_path.iterdir()) == []


def test_overtime_kept_on_a_closed_day_is_refused(tmp_path: Path) -> None:
    problem = small_plant()
    capacity = problem.capacity.copy()
    capacity[0, 2] = 0.0
    with pytest.raises(ValueError, match="ASSY"):
        write_input_workbook(problem.replace(capacity=capacity), tmp_path / "plant.xlsx")


def test_unknown_demand_form_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="demand_form"):
        write_input_workbook(small_plant(), tmp_path / "plant.xlsx", demand_form="tall")  # type: ignore[arg-type]


def test_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "plant.xlsx"
    write_input_workbook(small_plant(), path)
    write_input_workbook(small_plant(), path)
    assert [p.name for p in tmp_path.iterdir()] == ["plant.xlsx"]


def test_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "plant.xlsx"
    path.write_bytes(b"old content")

    save = openpyxl.Workbook.save

    def failing_save(self: openpyxl.Workbook, filename: str | Path) -> None:
        save(self, filename)
        raise OSError("disk full")

    monkeypatch.setattr(openpyxl.Workbook, "save", failing_save)
    with pytest.raises(OSError, match="disk full"):
        write_input_workbook(small_plant(), path)
    assert path.read_bytes() == b"old content"
    assert [p.name for p in tmp_path.iterdir()] == ["plant.xlsx"]
