"""The diff of two plans: new, cancelled, moved and resized orders, and the frozen window."""

from __future__ import annotations

from datetime import date

import pytest

from planner.runs.changes import (
    ChangeKind,
    OrderChange,
    Window,
    compare_starts,
    nervousness,
    window_between,
)

MON, TUE, WED, THU, FRI = (date(2026, 3, d) for d in range(2, 7))
NEXT_MON, NEXT_TUE = date(2026, 3, 9), date(2026, 3, 10)
WINDOW = Window(MON, NEXT_TUE, frozen_until=TUE)

BEFORE = {
    ("A", MON): 10.0,  # kept
    ("A", WED): 20.0,  # resized outside the window
    ("B", TUE): 5.0,  # moved out of the window to Thursday
    ("C", MON): 7.0,  # cancelled inside the window
    ("D", FRI): 8.0,  # cancelled outside
    ("E", TUE): 4.0,  # resized inside
}
AFTER = {
    ("A", MON): 10.0,
    ("A", WED): 25.0,
    ("B", THU): 5.0,
    ("E", TUE): 6.0,
    ("F", MON): 3.0,  # new inside
    ("F", NEXT_MON): 9.0,  # new outside
}


def test_every_kind_of_change_is_found_and_placed_against_the_frozen_window() -> None:
    found = compare_starts("mrp", BEFORE, AFTER, WINDOW)
    assert set(found.changes) == {
        OrderChange("mrp", "A", ChangeKind.RESIZED, WED, 20.0, WED, 25.0, False),
        OrderChange("mrp", "B", ChangeKind.MOVED, TUE, 5.0, THU, 5.0, True),
        OrderChange("mrp", "C", ChangeKind.CANCELLED, MON, 7.0, None, None, True),
        OrderChange("mrp", "D", ChangeKind.CANCELLED, FRI, 8.0, None, None, False),
        OrderChange("mrp", "E", ChangeKind.RESIZED, TUE, 4.0, TUE, 6.0, True),
        OrderChange("mrp", "F", ChangeKind.NEW, None, None, MON, 3.0, True),
        OrderChange("mrp", "F", ChangeKind.NEW, None, None, NEXT_MON, 9.0, False),
    }
    assert [c.item for c in found.changes] == ["A", "B", "C", "D", "E", "F", "F"]
    assert found.orders == 8  # A twice, B, C, D, E, F twice
    assert found.count(ChangeKind.CANCELLED) == 2
    assert found.count(ChangeKind.CANCELLED, frozen=True) == 1
    assert found.count(ChangeKind.NEW, frozen=False) == 1
    assert found.changed_share == pytest.approx(7 / 8)


def test_the_frozen_quantity_moved_is_the_units_changed_in_the_window() -> None:
    found = compare_starts("mrp", BEFORE, AFTER, WINDOW)
    # B: 5 left Tuesday; C: 7 cancelled Monday; E: 4 -> 6; F: 3 new on Monday.
    assert found.frozen_quantity_moved == pytest.approx(5 + 7 + 2 + 3)
    assert found.frozen_quantity_before == pytest.approx(10 + 5 + 7 + 4)
    figures = found.nervousness()
    assert figures["frozen_quantity_share"] == pytest.approx(17 / 26)
    assert figures["frozen_changed"] == 4
    assert (figures["new"], figures["cancelled"], figures["moved"], figures["resized"]) == (
        2,
        2,
        1,
        2,
    )


def test_leftover_orders_of_an_item_pair_up_in_date_order() -> None:
    before = {("A", MON): 5.0, ("A", WED): 6.0, ("A", FRI): 7.0}
    after = {("A", TUE): 5.0, ("A", THU): 6.5}
    found = compare_starts("batch", before, after, Window(MON, FRI, None))
    assert [(c.kind, c.before_day, c.after_day) for c in found.changes] == [
        (ChangeKind.MOVED, MON, TUE),
        (ChangeKind.MOVED, WED, THU),
        (ChangeKind.CANCELLED, FRI, None),
    ]
    assert found.changes[1].quantity_change == pytest.approx(0.5)
    assert not any(c.frozen for c in found.changes)
    assert found.frozen_quantity_moved == 0


def test_leftover_orders_pair_with_the_nearest_date() -> None:
    before = {("A", MON): 5.0, ("A", THU): 6.0}
    after = {("A", FRI): 6.0}
    found = compare_starts("mrp", before, after, Window(MON, FRI, None))
    assert [(c.kind, c.before_day, c.after_day) for c in found.changes] == [
        (ChangeKind.CANCELLED, MON, None),
        (ChangeKind.MOVED, THU, FRI),
    ]


def test_only_the_days_both_runs_plan_are_compared() -> None:
    last_week = (MON, NEXT_MON)
    this_week = (NEXT_MON, date(2026, 3, 20))
    window = window_between(last_week, this_week, frozen_until=NEXT_TUE)
    assert window == Window(NEXT_MON, NEXT_MON, NEXT_TUE)
    before = {("A", MON): 10.0, ("A", NEXT_MON): 4.0}  # Monday is last week's past
    after = {("A", NEXT_MON): 4.0, ("A", NEXT_TUE): 8.0}  # Tuesday is beyond last week's plan
    assert compare_starts("mrp", before, after, window).changes == ()
    assert window_between((MON, TUE), (WED, FRI), None) is None


def test_equal_plans_and_rounding_noise_are_no_change() -> None:
    noisy = {key: qty * (1 + 1e-9) for key, qty in BEFORE.items()}
    found = compare_starts("mrp", BEFORE, noisy, WINDOW)
    assert found.changes == () and found.changed_share == 0
    assert found.frozen_quantity_moved == pytest.approx(0, abs=1e-6)
    empty = compare_starts("mrp", {}, {}, WINDOW)
    assert empty.orders == 0 and empty.changed_share == 0
    assert empty.nervousness()["frozen_quantity_share"] is None


def test_nervousness_covers_the_strategies_both_runs_planned() -> None:
    measured = nervousness(
        {"mrp": BEFORE, "batch": BEFORE},
        {"mrp": AFTER, "heijunka": AFTER},
        WINDOW,
        previous_run_id=7,
    )
    assert measured["previous_run_id"] == 7
    assert measured["frozen_until"] == TUE.isoformat()
    assert (measured["compared_from"], measured["compared_to"]) == (
        MON.isoformat(),
        NEXT_TUE.isoformat(),
    )
    assert list(measured["strategies"]) == ["mrp"]
    assert measured["strategies"]["mrp"]["changed"] == 7
