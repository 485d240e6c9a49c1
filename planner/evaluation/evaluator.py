"""The one evaluator: checks any plan against the rules and computes every KPI.

Every strategy's plan is judged here, by the accounting of the workbook
contract, from the plan's starts (and sequences) alone: the flow balance is
rebuilt, costs and KPIs are recomputed, and every broken rule is reported as
a violation with item, day and size. No strategy computes its own KPIs.

Every KPI is declared in one place, :mod:`planner.evaluation.kpis` (name,
label, unit, direction, format), and its formula and meaning are documented
in ``docs/kpis.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from models import PlanningError, Problem
from models.plan import MessageLevel, Plan, PlanMessage, Position
from models.wording import counted, quantity
from planner.evaluation.explain import explain_late, explain_overloads
from planner.evaluation.kpis import in_registry_order
from planner.evaluation.rules import fractional_starts, sequence_rule_violations
from planner.evaluation.types import (
    RELATIVE_TOLERANCE,
    START_TOLERANCE,
    Evaluation,
    Violation,
    ViolationKind,
    load_cv,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


class _Flow(NamedTuple):
    arrivals: FloatArray
    dependent: FloatArray
    opening: FloatArray
    net: FloatArray
    tolerance: FloatArray


def evaluate(problem: Problem, plan: Plan) -> Evaluation:
    """Judge a plan by the contract's rules and compute its KPIs.

    The flow balance of ``spec/workbook.md`` is rebuilt from the starts
    alone: a start of item i on day t arrives on day t + lead_time (never,
    if that is past the horizon) and consumes its components on day t. The
    net position ``n = on_hand + cumsum(receipts + arrivals - demand -
    dependent)`` splits into end-of-day inventory ``max(n, 0)`` and backlog
    ``max(-n, 0)``. Demand ships first in, first out: a day's demand ships on
    time only from what is left once older backlog is served.

    Parameters
    ----------
    problem
        The plant and its demand.
    plan
        Any strategy's plan for it.

    Returns
    -------
    Evaluation
        Flow balance, setups, loads, KPIs, violations and messages.
        ``kpis`` holds, in this order: ``total_cost``, ``setup_cost``,
        ``holding_cost``, ``backlog_cost``, ``overtime_cost``, ``setups``,
        ``avg_inventory_units``, ``avg_inventory_value``,
        ``peak_inventory_value``, ``backlog_unit_days``, ``fill_rate``,
        ``overload_minutes``, ``max_utilization``, ``solve_seconds``,
        ``status``, ``bound``, ``gap``, then ``overtime_minutes``,
        ``late_units``, ``shortage_units``, ``violations`` (their number),
        ``orders`` (item-days with a start), then ``days_of_supply``,
        ``avg_inventory_value_finished``, ``avg_inventory_value_subassembly``,
        ``avg_inventory_value_purchased``, ``setups_per_day``, ``load_cv``,
        ``production_mix_cv``, ``build_day_share``, ``flow_time_days``,
        ``bullwhip_ratio`` and ``safety_stock_shortfall_unit_days``. Every
        KPI's formula, unit and meaning is in ``docs/kpis.md``. ``messages``
        explain every overload and late episode by its cause (see
        :mod:`planner.evaluation.explain`).

    Raises
    ------
    PlanningError
        If the plan's starts do not have the problem's shape, or a sequence
        names a work center, day or item that does not exist.

    Notes
    -----
    Violations found:

    - ``non_finite_start``: a NaN or infinite start, then counted as 0;
    - ``negative_start``: a start below ``-1e-9`` (counted as given);
    - ``sequence_mismatch``: on a sequenced work-center day, an item's
      sequenced quantity differs from its start, or the sequence holds an
      item not made on that work center;
    - ``component_shortage``: parents' starts consume more of a component
      than its stock at the start of the day (none while backlogged) plus
      that day's receipts and arrivals;
    - ``overload``: load above regular plus overtime capacity.

    Shortages and overloads count beyond ``1e-6`` times the largest quantity
    of the item or work center (at least 1), so that solver round-off is
    not reported; below that, the ``overload`` array and the shortage sizes
    are 0.

    Setups: every (item, day) with a start above ``1e-9`` is one setup (one
    order for purchased items), except on sequenced work-center days, where
    each run of consecutive positions of an item (positions of zero
    quantity left out) is one setup. A started item missing from its day's
    sequence keeps one setup.
    """
    starts, violations = _checked_starts(problem, plan)
    flow = _flow_balance(problem, starts)
    setups, mismatches = _setups(problem, plan, starts)
    violations += mismatches

    inventory = np.maximum(flow.net, 0.0)
    backlog = np.maximum(-flow.net, 0.0)
    supply = problem.receipts + flow.arrivals - flow.dependent
    on_time = np.minimum(problem.demand, np.maximum(0.0, flow.opening + supply))
    physical = np.maximum(0.0, np.maximum(flow.opening, 0.0) + problem.receipts + flow.arrivals)
    missing = flow.dependent - physical
    shortage = np.where(missing > flow.tolerance[:, None], missing, 0.0)
    violations += _shortage_violations(problem, flow.dependent, physical, shortage)

    load = _load(problem, starts, setups)
    capacity, extra = problem.capacity, problem.overtime_capacity
    scale = np.maximum(1.0, np.maximum(capacity + extra, load).max(axis=1, initial=0.0))
    overtime = np.maximum(0.0, load - capacity)
    overtime = np.where(overtime > RELATIVE_TOLERANCE * scale[:, None], overtime, 0.0)
    excess = np.maximum(0.0, load - capacity - extra)
    overload = np.where(excess > RELATIVE_TOLERANCE * scale[:, None], excess, 0.0)
    violations += _overload_violations(problem, load, overload)
    violations += sequence_rule_violations(problem, plan, starts)
    violations += fractional_starts(problem, starts)

    kpis = _kpis(
        problem,
        plan,
        starts,
        setups,
        (inventory, backlog, on_time, shortage),
        (load, overtime, overload),
        violations,
    )
    kpis.update(_flow_kpis(problem, starts, setups, inventory, backlog, flow.dependent, load))
    kpis = in_registry_order(kpis)

    evaluation = Evaluation(
        strategy=plan.strategy,
        kpis=kpis,
        inventory=inventory,
        backlog=backlog,
        on_time=on_time,
        dependent_demand=flow.dependent,
        setups=setups,
        load=load,
        overtime=overtime,
        overload=overload,
        violations=tuple(violations),
        messages=(),
    )
    messages = (
        _shortage_messages(problem, shortage)
        + explain_overloads(problem, starts, evaluation)
        + explain_late(problem, starts, evaluation, tolerance=flow.tolerance)
        + _safety_stock_messages(problem, inventory, flow.tolerance)
    )
    return replace(evaluation, messages=tuple(messages))


def _checked_starts(problem: Problem, plan: Plan) -> tuple[FloatArray, list[Violation]]:
    shape = (problem.n_items, problem.n_days)
    if plan.starts.shape != shape:
        raise PlanningError(
            f"plan {plan.strategy!r} has starts of shape {plan.starts.shape}, expected {shape}"
        )
    starts = np.array(plan.starts, dtype=float)
    violations: list[Violation] = []
    texts = _day_texts(problem)
    finite = np.isfinite(starts)
    for i, t, value in _cells(~finite, starts):
        code, day = problem.items[i].code, problem.days[t]
        violations.append(
            Violation(
                ViolationKind.NON_FINITE_START,
                day,
                0.0,
                f"start of {code} on {texts[t]} is {value}, counted as 0",
                item=code,
            )
        )
    starts[~finite] = 0.0
    for i, t, value in _cells(starts < -START_TOLERANCE, starts):
        code, day = problem.items[i].code, problem.days[t]
        violations.append(
            Violation(
                ViolationKind.NEGATIVE_START,
                day,
                -value,
                f"start of {code} on {texts[t]} is negative: {quantity(value)}",
                item=code,
            )
        )
    return starts, violations


def _flow_balance(problem: Problem, starts: FloatArray) -> _Flow:
    n_items, n_days = starts.shape
    source = np.arange(n_days)[None, :] - problem.lead_time[:, None]
    rows = np.arange(n_items)[:, None]
    arrivals = np.where(source >= 0, starts[rows, np.maximum(source, 0)], 0.0)
    dependent = np.asarray(problem.bom_matrix @ starts, dtype=float).reshape(starts.shape)
    change = problem.receipts + arrivals - problem.demand - dependent
    net = problem.on_hand[:, None] + np.cumsum(change, axis=1)
    opening = np.concatenate([problem.on_hand[:, None], net[:, :-1]], axis=1)
    magnitude = np.maximum.reduce(
        [np.abs(net), np.abs(dependent), np.abs(arrivals), problem.receipts, problem.demand]
    )
    scale = np.maximum(1.0, np.maximum(problem.on_hand, magnitude.max(axis=1, initial=0.0)))
    return _Flow(arrivals, dependent, opening, net, RELATIVE_TOLERANCE * scale)


def _setups(problem: Problem, plan: Plan, starts: FloatArray) -> tuple[IntArray, list[Violation]]:
    setups = (starts > START_TOLERANCE).astype(np.int64)
    violations: list[Violation] = []
    if not plan.sequences:
        return setups, violations
    centers = problem.item_work_center
    members = [np.flatnonzero(centers == w) for w in range(len(problem.work_centers))]
    for (w, t), positions in plan.sequences.items():
        if not (0 <= w < len(members) and 0 <= t < problem.n_days):
            raise PlanningError(
                f"plan {plan.strategy!r} has a sequence for work center {w} on day {t}, "
                "outside the problem"
            )
        runs, sequenced = _runs(problem, plan.strategy, positions)
        for i, count in runs.items():
            if centers[i] == w:
                setups[i, t] = count
        violations += _mismatches(problem, starts, w, t, members[w], sequenced)
    return setups, violations


def _runs(
    problem: Problem, strategy: str, positions: tuple[Position, ...]
) -> tuple[dict[int, int], dict[int, float]]:
    runs: dict[int, int] = {}
    sequenced: dict[int, float] = {}
    previous = None
    for item, qty in positions:
        if not 0 <= item < problem.n_items:
            raise PlanningError(f"plan {strategy!r} sequences item {item}, which does not exist")
        sequenced[item] = sequenced.get(item, 0.0) + float(qty)
        if qty > START_TOLERANCE:
            if item != previous:
                runs[item] = runs.get(item, 0) + 1
            previous = item
    return runs, sequenced


def _mismatches(
    problem: Problem,
    starts: FloatArray,
    w: int,
    t: int,
    members: IntArray,
    sequenced: Mapping[int, float],
) -> list[Violation]:
    center, day = problem.work_centers[w].code, problem.days[t]
    violations = []
    quantities = np.zeros(problem.n_items)
    for item, qty in sequenced.items():
        quantities[item] = qty
        home = int(problem.item_work_center[item])
        if home != w:
            code = problem.items[item].code
            where = "a purchased item" if home < 0 else f"made on {problem.work_centers[home].code}"
            violations.append(
                Violation(
                    ViolationKind.SEQUENCE_MISMATCH,
                    day,
                    abs(qty),
                    f"the sequence of {center} on {day} holds {code}, which is {where}",
                    item=code,
                    work_center=center,
                )
            )
    planned, built = starts[members, t], quantities[members]
    limit = RELATIVE_TOLERANCE * np.maximum(1.0, np.maximum(np.abs(planned), np.abs(built)))
    for k in np.flatnonzero(~(np.abs(built - planned) <= limit)):
        code = problem.items[members[k]].code
        violations.append(
            Violation(
                ViolationKind.SEQUENCE_MISMATCH,
                day,
                float(abs(built[k] - planned[k])),
                f"the sequence of {center} on {day} builds {quantity(built[k])} of {code}, "
                f"the plan starts {quantity(planned[k])}",
                item=code,
                work_center=center,
            )
        )
    return violations


def _load(problem: Problem, starts: FloatArray, setups: IntArray) -> FloatArray:
    minutes = problem.run_time[:, None] * starts + problem.setup_time[:, None] * setups
    centers = problem.item_work_center
    made = centers >= 0
    load = np.zeros((len(problem.work_centers), problem.n_days))
    np.add.at(load, centers[made], minutes[made])
    return load


def _shortage_violations(
    problem: Problem, needed: FloatArray, available: FloatArray, shortage: FloatArray
) -> list[Violation]:
    violations = []
    texts = _day_texts(problem)
    for i, t, size, need, have in _cells(shortage > 0, shortage, needed, available):
        code, day = problem.items[i].code, problem.days[t]
        violations.append(
            Violation(
                ViolationKind.COMPONENT_SHORTAGE,
                day,
                size,
                f"component shortage of {code} on {texts[t]}: parent starts need "
                f"{quantity(need)}, only {quantity(have)} available",
                item=code,
            )
        )
    return violations


def _overload_violations(
    problem: Problem, load: FloatArray, overload: FloatArray
) -> list[Violation]:
    violations = []
    texts = _day_texts(problem)
    for w, t, size, minutes in _cells(overload > 0, overload, load):
        center, day = problem.work_centers[w].code, problem.days[t]
        violations.append(
            Violation(
                ViolationKind.OVERLOAD,
                day,
                size,
                f"{center} on {texts[t]} is loaded {quantity(minutes)} min, "
                f"{quantity(size)} min beyond regular and overtime capacity",
                work_center=center,
            )
        )
    return violations


def _kpis(
    problem: Problem,
    plan: Plan,
    starts: FloatArray,
    setups: IntArray,
    flows: tuple[FloatArray, FloatArray, FloatArray, FloatArray],
    minutes: tuple[FloatArray, FloatArray, FloatArray],
    violations: list[Violation],
) -> dict[str, Any]:
    inventory, backlog, on_time, shortage = flows
    load, overtime, overload = minutes
    settings = problem.settings
    overtime_rate = np.array([w.overtime_cost for w in problem.work_centers], dtype=float)
    shortfall = np.maximum(0.0, problem.safety_stock[:, None] - inventory)
    costs = {
        "setup_cost": float(problem.setup_cost @ setups.sum(axis=1)),
        "holding_cost": float(problem.holding_cost @ inventory.sum(axis=1)),
        "backlog_cost": float(problem.backlog_cost @ backlog.sum(axis=1)),
        "overtime_cost": float(overtime_rate @ overtime.sum(axis=1)),
        "safety_cost": settings.safety_stock_weight
        * float(problem.holding_cost @ shortfall.sum(axis=1)),
        "end_backlog_cost": settings.end_backlog_days
        * float(problem.backlog_cost @ backlog[:, -1]),
    }
    value = problem.unit_cost @ inventory
    demand = float(problem.demand.sum())
    shipped = float(on_time.sum())
    capacity = problem.capacity
    open_days = capacity > 0
    utilization = load[open_days] / capacity[open_days]
    broken = sum(v.size for v in violations if v.kind is ViolationKind.SEQUENCE_RULE)
    return {
        "total_cost": sum(costs.values()),
        **costs,
        "setups": int(setups.sum()),
        "rule_violations": int(broken),
        "avg_inventory_units": float(inventory.sum(axis=0).mean()),
        "avg_inventory_value": float(value.mean()),
        "end_inventory_value": float(value[-1]),
        "avg_wip_value": float((problem.unit_cost @ work_in_process(problem, starts)).mean()),
        "feasible": not violations,
        "peak_inventory_value": float(value.max()),
        "backlog_unit_days": float(backlog.sum()),
        "fill_rate": shipped / demand if demand > 0 else 1.0,
        "overload_minutes": float(overload.sum()),
        "max_utilization": float(utilization.max(initial=0.0)),
        "solve_seconds": float(plan.seconds),
        "status": str(plan.status),
        "bound": None if plan.bound is None else float(plan.bound),
        "gap": None if plan.gap is None else float(plan.gap),
        "overtime_minutes": float(overtime.sum()),
        "late_units": max(0.0, demand - shipped),
        "shortage_units": float(shortage.sum()),
        "violations": len(violations),
        "orders": int(np.count_nonzero(starts > START_TOLERANCE)),
        "safety_stock_shortfall_unit_days": float(shortfall.sum()),
    }


def work_in_process(problem: Problem, starts: FloatArray) -> FloatArray:
    """``[item, day]`` units of made items started and not yet available at the end of each day.

    A start of day s with lead time L is in process at the end of days
    s .. s + L - 1 (none without lead time); a start arriving past the
    horizon stays in process to its end.
    """
    started = np.cumsum(starts, axis=1)
    days = np.arange(problem.n_days)[None, :] - problem.lead_time[:, None]
    arrived = np.where(days >= 0, np.take_along_axis(started, np.maximum(days, 0), axis=1), 0.0)
    wip = np.where(problem.is_make[:, None], started - arrived, 0.0)
    return np.asarray(np.maximum(wip, 0.0), dtype=float)


class ItemClasses(NamedTuple):
    """Which items count as finished goods, sub-assemblies and purchased items (disjoint)."""

    finished: BoolArray
    subassembly: BoolArray
    purchased: BoolArray


def item_classes(problem: Problem) -> ItemClasses:
    """Split the items into the three BOM classes of the inventory-by-level KPIs.

    Finished goods are the items with external demand in the horizon that no
    other item uses (made or bought: a resold item is finished stock);
    sub-assemblies are the other made items; purchased items the other
    bought ones. Every item is in exactly one class, so the three average
    values add up to ``avg_inventory_value``.
    """
    finished = (problem.demand.sum(axis=1) > 0) & ~_components(problem)
    made = np.asarray(problem.is_make, dtype=bool)
    return ItemClasses(finished, ~finished & made, ~finished & ~made)


def _flow_kpis(
    problem: Problem,
    starts: FloatArray,
    setups: IntArray,
    inventory: FloatArray,
    backlog: FloatArray,
    dependent: FloatArray,
    load: FloatArray,
) -> dict[str, float | None]:
    """The KPIs of where stock sits, how level the plan is and how long material flows.

    Every formula is in ``docs/kpis.md``; a KPI whose denominator is empty
    (no consumption, no load, no finished item built, flat demand) is None.
    """
    n_days = problem.n_days
    demand = problem.demand.sum(axis=1)
    shipped = demand - np.minimum(demand, backlog[:, -1])
    consumed = shipped + dependent.sum(axis=1)
    item_value = problem.unit_cost[:, None] * inventory
    avg_value = float(item_value.sum(axis=0).mean())
    daily_use_value = float(problem.unit_cost @ consumed) / n_days
    classes = item_classes(problem)
    by_class = {
        name: float(item_value[mask].sum(axis=0).mean()) if mask.any() else 0.0
        for name, mask in zip(("finished", "subassembly", "purchased"), classes, strict=True)
    }
    centers = load_cv(load, problem.capacity)
    loaded = centers[np.isfinite(centers)]
    built = classes.finished & problem.is_make & (starts > START_TOLERANCE).any(axis=1)
    levels = starts[built]
    rate = levels.mean(axis=1)
    mix = np.divide(levels.std(axis=1), rate, out=np.zeros(len(rate)), where=rate > 0)
    wait = np.divide(
        inventory.mean(axis=1), consumed / n_days, out=np.zeros(problem.n_items), where=consumed > 0
    )
    paths = _longest_paths(problem, wait)
    weight = np.where(classes.finished, demand, 0.0)
    components = _components(problem)
    bullwhip = _bullwhip(problem, starts, components)
    return {
        "days_of_supply": _ratio(avg_value, daily_use_value),
        "avg_inventory_value_finished": by_class["finished"],
        "avg_inventory_value_subassembly": by_class["subassembly"],
        "avg_inventory_value_purchased": by_class["purchased"],
        "setups_per_day": float(setups.sum()) / n_days,
        "load_cv": float(loaded.mean()) if loaded.size else None,
        "production_mix_cv": float(mix.mean()) if mix.size else None,
        "build_day_share": float((levels > START_TOLERANCE).mean()) if levels.size else None,
        "flow_time_days": float(weight @ paths / weight.sum()) if weight.sum() > 0 else None,
        "bullwhip_ratio": bullwhip,
    }


def _bullwhip(problem: Problem, starts: FloatArray, components: BoolArray) -> float | None:
    """Mean over components of Var(daily starts) / Var(daily demand exploded onto them).

    The external demand of each day is exploded through the BOM (every
    level's qty_per, no lead-time offset), which gives the component use that
    the customers' demand implies; components whose implied use never varies
    are left out.
    """
    if not components.any() or problem.n_days < 2:
        return None
    system = sp.identity(problem.n_items, format="csc") - problem.bom_matrix.tocsc()
    implied = spla.spsolve(system, sp.csc_matrix(problem.demand))
    implied = np.asarray(implied.todense() if sp.issparse(implied) else implied, dtype=float)
    implied = implied.reshape(problem.n_items, problem.n_days)
    demand_var = implied[components].var(axis=1)
    varying = demand_var > 1e-12 * np.maximum(1.0, implied[components].mean(axis=1) ** 2)
    if not varying.any():
        return None
    ratios = starts[components][varying].var(axis=1) / demand_var[varying]
    return float(ratios.mean())


def _ratio(numerator: float, denominator: float) -> float | None:
    """numerator / denominator; 0 for 0 / 0, None (unbounded) for x / 0 with x > 0."""
    if denominator > 0:
        return numerator / denominator
    return 0.0 if numerator <= 0 else None


def _components(problem: Problem) -> BoolArray:
    """Whether each item is used by another (has a parent in the BOM)."""
    _, children, _ = _bom_edges(problem)
    used = np.zeros(problem.n_items, dtype=bool)
    used[children] = True
    return used


def _bom_edges(problem: Problem) -> tuple[IntArray, IntArray, FloatArray]:
    coo = problem.bom_matrix.tocoo()
    return (
        np.asarray(coo.col, dtype=np.int64),
        np.asarray(coo.row, dtype=np.int64),
        np.asarray(coo.data, dtype=float),
    )


def _longest_paths(problem: Problem, wait: FloatArray) -> FloatArray:
    """Per item, the longest lead time plus stock waiting from a raw material to its completion.

    ``path[i] = lead_time[i] + max over components c of (wait[c] + path[c])``,
    ``lead_time[i]`` for an item without components: the value-stream
    timeline of Rother & Shook, walked level by level from the deepest.
    """
    parents, children, _ = _bom_edges(problem)
    lead = problem.lead_time.astype(float)
    level = problem.low_level_code
    below = np.zeros(problem.n_items)
    paths = lead.copy()
    for depth in range(int(level.max(initial=0)), -1, -1):
        here = level == depth
        paths[here] = lead[here] + below[here]
        edges = level[children] == depth
        np.maximum.at(below, parents[edges], wait[children[edges]] + paths[children[edges]])
    return paths


def _shortage_messages(problem: Problem, shortage: FloatArray) -> list[PlanMessage]:
    messages = []
    for i in np.flatnonzero(shortage.any(axis=1)):
        days = np.flatnonzero(shortage[i])
        worst = int(days[np.argmax(shortage[i, days])])
        messages.append(
            PlanMessage(
                MessageLevel.ERROR,
                f"component shortage of {problem.items[i].code} on "
                f"{counted(len(days), 'day')} from {problem.days[days[0]]}: "
                f"{counted(shortage[i].sum(), 'unit')} short in all, "
                f"at most {quantity(shortage[i, worst])} on {problem.days[worst]}",
                item=int(i),
                day=int(days[0]),
            )
        )
    return messages


def _safety_stock_messages(
    problem: Problem, inventory: FloatArray, tolerance: FloatArray
) -> list[PlanMessage]:
    target = problem.safety_stock
    below = inventory < (target - tolerance)[:, None]
    messages = []
    for i in np.flatnonzero(below.any(axis=1)):
        days = np.flatnonzero(below[i])
        messages.append(
            PlanMessage(
                MessageLevel.WARNING,
                f"{problem.items[i].code} is below its safety stock of {quantity(target[i])} on "
                f"{counted(len(days), 'day')} from {problem.days[days[0]]}, lowest "
                f"{quantity(inventory[i].min())}",
                item=int(i),
                day=int(days[0]),
            )
        )
    return messages


def _day_texts(problem: Problem) -> list[str]:
    return [day.isoformat() for day in problem.days]


def _cells(mask: BoolArray, *arrays: FloatArray) -> list[tuple[Any, ...]]:
    rows, cols = np.nonzero(mask)
    values = [array[rows, cols].tolist() for array in arrays]
    return list(zip(rows.tolist(), cols.tolist(), *values, strict=True))
