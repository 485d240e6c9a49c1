"""The batch strategy's search: the MILP from a warm start, then fix-and-optimize.

:func:`plan_batch` plans by the time limit (the whole model first, then
fix-and-optimize for the rest of the time), or, with work limits, by a
count of subproblems and nodes so that the same problem always gives the
same plan. The bound reported is the best of :mod:`models.batch.bounds`.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from models.batch.bounds import Bound, costs_are_nonnegative, end_item_bound, relaxation_bounds
from models.batch.decomposition import Improvement, fix_and_optimize, item_groups
from models.batch.formulation import BatchModel
from models.batch.options import BATCH_NAME, BatchOptions
from models.batch.pricing import price
from models.batch.rolling import relax_and_fix, window_days
from models.batch.whole import WholeStarts, has_fractions, whole_starts
from models.floor import TOLERANCE
from models.plan import MessageLevel, Plan, PlanMessage, SolveStatus
from models.problem import Problem
from models.requirements.repair import repair_capacity
from models.sequencing import sequence_ruled_days
from models.solvers.backends import Backend, backend_from_name
from models.solvers.milp import Milp, MilpResult, Progress, SolverOptions
from models.wording import counted
from models.work import WorkLimits, timed_out_warning

FloatArray = npt.NDArray[np.float64]


def plan_batch(
    problem: Problem,
    options: BatchOptions | None = None,
) -> Plan:
    """Plan a problem with the capacitated multi-level lot-sizing MILP.

    The solver starts from a relax-and-fix plan (:mod:`models.batch.rolling`,
    ``rolling_share`` of the time limit; the capacity-repaired MRP plan when
    it finds none) and works on the whole model for part of the time limit
    (``full_share``); if it has not
    proved its plan within the gap by then, fix-and-optimize improves the
    plan one neighbourhood of setups at a time for the rest of the limit.
    Models larger than ``optimise_limit`` columns are not optimised: the
    capacity-repaired MRP plan is returned as it is, with a message and the
    end items' bound. Models larger than ``full_model_limit`` columns skip
    the whole-model solve: the warm start's setups are kept and the quantities re-optimised
    (a linear program), and fix-and-optimize continues from there; when
    even the plain model is that large, the plain model is used (the
    allocation columns would only slow its linear programs down).

    The bound reported is the best of the whole model's proved bound, the
    items-on-their-own bound of :func:`end_item_bound` (cheap, exact
    dynamic programmes) and the Lagrangian bounds of
    :func:`~models.batch.bounds.relaxation_bounds` (the linear relaxations
    when the whole model proves nothing, and the echelon relaxation on
    multi-level plants), valid even when a relaxation is stopped at its
    share of the time.
    Every solve gets at most the time left before the deadline, so the
    whole run ends within the time limit plus the solver's reaction time.
    Should no solution come back at all, the warm-start plan is returned,
    with a message. ``options``: by default those the problem's Settings
    give (:meth:`BatchOptions.from_settings`).
    """
    options = options or BatchOptions.from_settings(problem.settings)
    on_progress = options.on_progress
    started = time.perf_counter()
    total = options.time_limit
    end = started + total
    deadline = end - _whole_units_time(problem, options)
    n_plain = (5 * problem.n_items + len(problem.work_centers)) * problem.n_days
    if n_plain > options.full_model_limit:
        options = dataclasses.replace(options, formulation="bigm")
    model = BatchModel(problem, options)
    solver = backend_from_name(options.solver)
    limits = SolverOptions(
        time_limit=total, mip_gap=options.mip_gap, threads=options.threads, verbose=options.verbose
    )
    if model.milp.n_columns > options.optimise_limit:
        return _too_large(model, solver, limits, started, (deadline, end))
    if options.work is not None:
        return _plan_with_work(
            model, repair_capacity(problem), solver, limits, options.work, started, (deadline, end)
        )
    start_plan = repair_capacity(problem) if options.warm_start else None
    warm = model.solution_from(start_plan.starts) if start_plan is not None else None

    def within(share: float) -> SolverOptions:
        left = deadline - time.perf_counter()
        return dataclasses.replace(limits, time_limit=max(0.1, min(share * total, left)))

    whole = model.milp.n_columns <= options.full_model_limit or warm is None
    rolling = None
    if whole and options.rolling_share > 0:
        rolling = relax_and_fix(model, solver, limits, started + options.rolling_share * total)
        if rolling is not None and rolling.objective is not None and warm is not None:
            repaired = _warm_quantities(model, warm, solver, within(options.rolling_share))
            if repaired.objective is not None and repaired.objective <= rolling.objective:
                rolling = dataclasses.replace(rolling, x=None)
        if rolling is not None and rolling.x is not None:
            warm = rolling.x
    if whole or warm is None:
        first = solver.solve(
            model.milp, within(options.full_share), warm_start=warm, on_progress=on_progress
        )
    else:
        first = _warm_quantities(model, warm, solver, within(options.completion_share))
    incumbent, objective = first.x, first.objective
    bounds: list[Bound] = []
    if whole and first.bound is not None:
        solved = first.bound
        if costs_are_nonnegative(model.milp):
            solved = max(solved, model.milp.offset)
        bounds.append(Bound(solved, "the solver's branch and bound"))
    proved = whole and first.status is SolveStatus.OPTIMAL
    if not proved:
        trivial = not bounds or bounds[0].value <= model.milp.offset + TOLERANCE
        share_end = min(deadline, time.perf_counter() + options.relaxation_share * total)
        bounds += _separate_bound(model, share_end)
        if time.perf_counter() < deadline - 1.0:
            bounds += relaxation_bounds(
                model,
                within(options.relaxation_share),
                own=trivial,
                echelon_limit=options.echelon_limit,
            )
    improvement = None
    best = _best(bounds)
    best_value = None if best is None else best.value
    if incumbent is not None and not proved and time.perf_counter() < deadline - 1.0:
        improvement = fix_and_optimize(
            model.milp,
            model.setup_columns,
            item_groups(problem),
            incumbent,
            solver,
            limits,
            deadline,
            n_days=problem.n_days,
            on_improvement=None
            if on_progress is None
            else (
                lambda cost: on_progress(Progress(time.perf_counter() - started, cost, best_value))
            ),
        )
        incumbent, objective = improvement.solution, improvement.objective
    outcome = _Outcome(
        first, whole, incumbent, objective, tuple(bounds), improvement, start_plan, rolling
    )
    completion = _whole_units(model, outcome, solver, limits, end)
    pricing = (solver, limits.until(end))
    return _plan_from_search(model, outcome, completion, time.perf_counter() - started, pricing)


def _plan_with_work(
    model: BatchModel,
    start_plan: Plan,
    solver: Backend,
    limits: SolverOptions,
    work: WorkLimits,
    started: float,
    deadlines: tuple[float, float],
) -> Plan:
    """Plan with limits on work (see :class:`BatchOptions`): the same problem, the same plan.

    The capacity-repaired MRP plan's quantities are re-optimised with its
    setups fixed (a linear program, solved to optimality), then
    fix-and-optimize solves at most ``work.solves`` subproblems of
    ``work.free_setups`` free setups, each to ``work.nodes`` nodes. The
    bound is the end items' exact one, which needs no solver (first, in at
    most ``relaxation_share`` of the time limit). Should the
    clock stop any of it first, the plan says so: its status is
    ``time_limit`` and a warning tells that another run may give another
    plan. ``deadlines``: the search's, then the whole-unit completion's.
    """
    problem = model.problem
    deadline, end = deadlines
    share = model.options.relaxation_share * limits.time_limit
    bounds = _separate_bound(model, min(deadline, time.perf_counter() + share))
    warm = model.solution_from(start_plan.starts)
    left = max(0.1, deadline - time.perf_counter())
    first = _warm_quantities(model, warm, solver, dataclasses.replace(limits, time_limit=left))
    incumbent, objective = first.x, first.objective
    timed_out = int(first.timed_out)
    improvement = None
    if incumbent is not None and work.solves > 0:
        improvement = fix_and_optimize(
            model.milp,
            model.setup_columns,
            item_groups(problem),
            incumbent,
            solver,
            dataclasses.replace(limits, node_limit=work.nodes),
            deadline,
            n_days=problem.n_days,
            max_solves=work.solves,
            first_budget=work.free_setups,
        )
        incumbent, objective = improvement.solution, improvement.objective
        timed_out += improvement.timed_out
    left = min(share, deadline - time.perf_counter())
    if left > 0.2:
        bounds += relaxation_bounds(
            model,
            dataclasses.replace(limits, time_limit=left),
            echelon_limit=model.options.echelon_limit,
        )
    outcome = _Outcome(first, False, incumbent, objective, tuple(bounds), improvement, start_plan)
    completion = _whole_units(model, outcome, solver, limits, end)
    if completion is not None:
        timed_out += completion.timed_out
    pricing = (solver, limits.until(end))
    plan = _plan_from_search(model, outcome, completion, time.perf_counter() - started, pricing)
    if incumbent is None:
        return plan
    if not timed_out:
        return dataclasses.replace(plan, status=SolveStatus.FEASIBLE)
    warning = timed_out_warning(counted(timed_out, "solve"))
    return dataclasses.replace(
        plan, status=SolveStatus.TIME_LIMIT, messages=(*plan.messages, warning)
    )


def _too_large(
    model: BatchModel,
    solver: Backend,
    limits: SolverOptions,
    started: float,
    deadlines: tuple[float, float],
) -> Plan:
    """The capacity-repaired MRP plan as it is, for a model too large to optimise.

    Beyond :attr:`BatchOptions.optimise_limit` columns even the model's
    linear programs do not finish within the time limits this strategy is
    given (the 10,000-item benchmark plant's, of 12.5 million columns, had
    not after 320 s, and took more than 8 GiB): the plan says so, with the
    end items' bound (in at most ``relaxation_share`` of the time).
    """
    options = model.options
    deadline, end = deadlines
    share = options.relaxation_share * limits.time_limit
    bounds = _separate_bound(model, min(deadline, time.perf_counter() + share))
    messages = [
        PlanMessage(
            MessageLevel.WARNING,
            f"the batch model of this plant has {model.milp.n_columns:,} variables, more than "
            f"the {options.optimise_limit:,} it optimises within its limits: the "
            "capacity-repaired MRP plan is used as it is",
        ),
        *(bound.message() for bound in bounds),
    ]
    starts = repair_capacity(model.problem).starts
    seconds = time.perf_counter() - started
    pricing = (solver, limits.until(end))
    best = _best(bounds)
    return _priced_plan(model, starts, SolveStatus.HEURISTIC, messages, best, seconds, pricing)


def _warm_quantities(
    model: BatchModel, warm: FloatArray, solver: Backend, limits: SolverOptions
) -> MilpResult:
    """The best quantities for the warm start's setups (and, first, its lots).

    First every integer column is fixed to the warm start: what is left is
    a linear program, passed as one (a solver's LP stops at its time limit,
    where a MIP's root may not). Should that be infeasible (a lot that is
    no multiple of its item's ``lot_multiple``, a lot below ``min_lot``),
    only the setups stay fixed and the solver sizes the lots in their steps,
    in what is left of ``limits``; a first solve stopped by the clock is
    returned as it is.
    """
    started = time.perf_counter()
    result = solver.solve(_fixed_to(model.milp, warm), limits, warm_start=warm)
    if result.x is not None or result.timed_out:
        return result
    setups = model.setup_columns(np.arange(model.problem.n_items))
    known = np.zeros(model.milp.n_columns, dtype=bool)
    known[setups] = True
    left = max(0.1, limits.time_limit - (time.perf_counter() - started))
    rest = dataclasses.replace(limits, time_limit=left)
    return solver.solve(_fixed_to(model.milp, warm, known), rest, warm_start=warm)


def _fixed_to(
    milp: Milp, solution: FloatArray, columns: npt.NDArray[np.bool_] | None = None
) -> Milp:
    """The model with integer columns fixed to the (known) values of ``solution``.

    ``columns`` limits which (by default every integer column).
    """
    lower, upper = milp.lower.copy(), milp.upper.copy()
    known = milp.integer & np.isfinite(solution)
    if columns is not None:
        known &= columns
    lower[known] = upper[known] = np.round(solution[known])
    integer = milp.integer & ~known
    return dataclasses.replace(milp, lower=lower, upper=upper, integer=integer)


def _whole_units_time(problem: Problem, options: BatchOptions) -> float:
    """Seconds kept from the search for making the plan's starts whole."""
    if not (options.whole_units and problem.whole_units.any()):
        return 0.0
    return options.whole_share * options.time_limit


@dataclass(frozen=True)
class _Outcome:
    """What the search found: the first solve, the incumbent, the bounds and their sources."""

    first: MilpResult
    whole_model: bool
    incumbent: FloatArray | None
    objective: float | None
    bounds: tuple[Bound, ...]
    improvement: Improvement | None
    fallback: Plan | None
    rolling: MilpResult | None = None

    @property
    def bound(self) -> Bound | None:
        """The best of the bounds found."""
        return _best(self.bounds)


def _best(bounds: Iterable[Bound]) -> Bound | None:
    """The highest of ``bounds`` (the first of equals), ``None`` if there is none."""
    best = None
    for bound in bounds:
        if best is None or bound.value > best.value:
            best = bound
    return best


def _separate_bound(model: BatchModel, deadline: float) -> list[Bound]:
    """The end items' exact bound (:func:`end_item_bound`), where the costs allow one.

    Items not solved by ``deadline`` are left out of it, and its source says so.
    """
    found = end_item_bound(model, deadline)
    if found is None:
        return []
    source = "the end items planned on their own"
    if found.solved < found.items:
        source += f" ({found.solved:,} of {found.items:,}, stopped by the clock)"
    return [Bound(found.value, source)]


def _whole_units(
    model: BatchModel, outcome: _Outcome, solver: Backend, limits: SolverOptions, deadline: float
) -> WholeStarts | None:
    """The incumbent's whole-unit completion (:mod:`models.batch.whole`), when it needs one."""
    if not model.options.whole_units or outcome.incumbent is None or outcome.objective is None:
        return None
    starts = model.starts_from(outcome.incumbent)
    if not has_fractions(model, starts):
        return None
    return whole_starts(model, starts, solver, limits.until(deadline))


def _plan_from_search(
    model: BatchModel,
    outcome: _Outcome,
    completion: WholeStarts | None,
    seconds: float,
    pricing: tuple[Backend, SolverOptions],
) -> Plan:
    """The plan of the search's incumbent, made whole and sequenced, priced as the evaluator does.

    ``pricing`` (the solver and its limits) prices the final plan
    (:func:`~models.batch.pricing.price`): its objective is the contract's
    total cost of its starts and sequences.
    """
    first, bound = outcome.first, outcome.bound
    messages = _search_messages(model, outcome)
    if outcome.incumbent is not None:
        starts = model.starts_from(outcome.incumbent)
        if outcome.whole_model and first.status is SolveStatus.OPTIMAL:
            status = SolveStatus.OPTIMAL
        else:
            status = SolveStatus.TIME_LIMIT if outcome.whole_model else SolveStatus.HEURISTIC
        if completion is not None:
            starts = completion.starts
            messages.append(completion.message)
            status = SolveStatus.FEASIBLE if status is SolveStatus.OPTIMAL else status
        elif model.options.whole_units and has_fractions(model, starts):
            if outcome.fallback is not None:
                starts, status = outcome.fallback.starts, SolveStatus.HEURISTIC
            messages.append(_still_fractional(outcome.fallback is not None))
    else:
        fallback = outcome.fallback
        starts = fallback.starts if fallback is not None else np.zeros(model.big_m.shape)
        status = SolveStatus.HEURISTIC
        messages.append(
            PlanMessage(
                MessageLevel.WARNING,
                f"the solver returned no plan ({first.status}); the capacity-repaired MRP "
                "plan is used instead",
            )
        )
    plain = completion.model if completion is not None else _plain(model)
    return _priced_plan(plain, starts, status, messages, bound, seconds, pricing)


def _priced_plan(
    model: BatchModel,
    starts: FloatArray,
    status: SolveStatus,
    messages: list[PlanMessage],
    bound: Bound | None,
    seconds: float,
    pricing: tuple[Backend, SolverOptions],
) -> Plan:
    """The plan of ``starts``, its ruled days sequenced, priced by the plain ``model``."""
    ruled = sequence_ruled_days(model.problem, starts, model.options.work)
    objective = price(model, starts, *pricing, ruled.sequences)
    gap = None
    if objective is not None and bound is not None:
        gap = max(0.0, objective - bound.value) / max(TOLERANCE, abs(objective))
        messages.append(
            PlanMessage(
                MessageLevel.INFO,
                f"best plan {objective:,.2f} against a proved lower bound of {bound.value:,.2f} "
                f"({bound.source}): gap {gap:.2%}",
            )
        )
    return Plan(
        strategy=BATCH_NAME,
        starts=starts,
        status=status,
        sequences=ruled.sequences,
        objective=objective,
        bound=None if bound is None else bound.value,
        gap=gap,
        seconds=seconds,
        messages=(*messages, *ruled.messages),
    )


def _plain(model: BatchModel) -> BatchModel:
    """The plain (big-M) model of the same problem and options, for pricing a plan."""
    if model.options.formulation == "bigm":
        return model
    return BatchModel(model.problem, dataclasses.replace(model.options, formulation="bigm"))


def _search_messages(model: BatchModel, outcome: _Outcome) -> list[PlanMessage]:
    """What the search did: its first solve, the bounds it found, fix-and-optimize."""
    milp, first = model.milp, outcome.first
    what = (
        "the whole model"
        if outcome.whole_model
        else "the warm start's quantities (its setups fixed)"
    )
    messages = []
    rolling = outcome.rolling
    if rolling is not None and rolling.objective is not None:
        start = (
            "the whole model started from it"
            if rolling.x is not None
            else "the capacity-repaired MRP plan is cheaper: the whole model started from that"
        )
        messages.append(
            PlanMessage(
                MessageLevel.INFO,
                f"relax-and-fix start: {rolling.objective:,.2f} after {rolling.seconds:.1f} s "
                f"({window_days(model.problem.n_items, model.problem.n_days)}-day windows); "
                + start,
            )
        )
    messages += [
        PlanMessage(
            MessageLevel.INFO,
            f"{first.solver}: {first.status} on {what} after {first.seconds:.1f} s "
            f"({milp.n_columns:,} variables, {milp.n_rows:,} constraints)"
            + (" (interrupted)" if first.interrupted else ""),
        )
    ]
    messages += [bound.message() for bound in outcome.bounds]
    improvement = outcome.improvement
    if improvement is not None:
        messages.append(
            PlanMessage(
                MessageLevel.INFO,
                f"fix-and-optimize: {counted(improvement.improvements, 'improvement')} in "
                f"{counted(improvement.solves, 'subproblem')}, "
                f"{counted(improvement.rounds, 'round')}",
            )
        )
    return messages


def _still_fractional(fallen_back: bool) -> PlanMessage:
    """The warning of a plan whose whole-unit completion found no whole plan."""
    return PlanMessage(
        MessageLevel.WARNING,
        "no plan with whole starts was found for the best plan's setups: "
        + (
            "the capacity-repaired MRP plan, in whole units, is used instead"
            if fallen_back
            else "some starts of whole-unit items are fractions (the plan breaks the "
            "whole-units rule)"
        ),
    )
