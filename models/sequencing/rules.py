r"""Sequencing under p/q capacity rules: the car sequencing problem, with CP-SAT.

A rule says "at most p units carrying an attribute in any q consecutive
positions" (the car sequencing problem, CSPLib prob001). A day's mix is
sequenced with the fewest violated windows first, then, among those, the
most levelled sequence (product rate variation, :mod:`models.sequencing.levelled`).

- :func:`sequence_with_rules`: CP-SAT, warm-started by a greedy sequence
  repaired by local search, on a work limit (CP-SAT's deterministic time and
  the search's steps) or on the clock.
- :func:`greedy_with_rules` and :func:`repair_with_rules`: the greedy
  sequence under the rules and its local-search repair.
- :func:`count_violations`: the windows a sequence breaks.

References
----------
- B. Smith. CSPLib problem 001: car sequencing, https://www.csplib.org;
  M. Dincbas, H. Simonis and P. Van Hentenryck (1988), Solving the car
  sequencing problem in constraint logic programming, ECAI 88: 290-295;
  J. Gottlieb, M. Puchta and C. Solnon (2003), A study of greedy, local
  search, and ant colony optimization approaches for car sequencing problems,
  EvoWorkshops, LNCS 2611: 246-257.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.sat.python import cp_model

from models.sequencing.levelled import (
    check_sequence,
    demand_array,
    prv_objective,
    sequence_prv,
)
from models.work import WorkLimits

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Rule:
    """A p/q capacity rule: at most ``max_in_window`` units carrying an
    attribute in any ``window`` consecutive positions.

    Parameters
    ----------
    attribute_models
        Models whose units carry the attribute (an option, in car sequencing).
    max_in_window
        :math:`p`, the most units with the attribute a window may hold.
    window
        :math:`q`, the window length.
    """

    attribute_models: frozenset[int]
    max_in_window: int
    window: int

    def __post_init__(self) -> None:
        if self.window < 1 or self.max_in_window < 0:
            raise ValueError("a rule needs window >= 1 and max_in_window >= 0")


def _window_loads(sequence: Sequence[int], rule: Rule) -> IntArray:
    flags = np.array([m in rule.attribute_models for m in sequence], dtype=np.int64)
    if flags.size < rule.window:
        return np.zeros(0, dtype=np.int64)
    prefix: IntArray = np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(flags)])
    loads: IntArray = prefix[rule.window :] - prefix[: -rule.window]
    return loads


def count_violations(sequence: Sequence[int], rules: Sequence[Rule]) -> int:
    r"""Number of violated windows, the car-sequencing measure.

    Every full window of :math:`q` consecutive positions,
    :math:`\{k, \dots, k + q - 1\}` for :math:`k = 1, \dots, D - q + 1`, is
    checked for each rule; a window holding more than :math:`p` units with
    the attribute counts as **one** violation, however large the excess.
    This is the count of violated p/q window constraints used for the
    CSPLib prob001 best-known values (Gottlieb, Puchta and Solnon 2003).
    Windows shorter than :math:`q` at the ends are not checked.

    Parameters
    ----------
    sequence
        Model index at each position.
    rules
        The p/q rules.

    Returns
    -------
    int
        The number of (rule, window) pairs over capacity.
    """
    return sum(int((_window_loads(sequence, rule) > rule.max_in_window).sum()) for rule in rules)


def _carrier_matrix(rules: Sequence[Rule], n_models: int) -> npt.NDArray[np.bool_]:
    """``[rule, model]``: whether the model's units carry the rule's attribute."""
    return np.array(
        [[m in rule.attribute_models for m in range(n_models)] for rule in rules], dtype=bool
    ).reshape(len(rules), n_models)


def _breaks_next(carriers: npt.NDArray[np.bool_], flags: list[int], rule: Rule) -> IntArray:
    """``[model]``: 1 where placing the model next closes an over-full window of ``rule``.

    ``flags`` says which positions so far carry the rule's attribute.
    """
    recent = sum(flags[len(flags) - rule.window + 1 :]) if rule.window > 1 else 0
    return (carriers & (recent + 1 > rule.max_in_window)).astype(np.int64)


def greedy_with_rules(demand: Sequence[int], rules: Sequence[Rule]) -> list[int]:
    r"""A greedy sequence under p/q rules, levelled where the rules allow.

    Position by position, among the models with units left, choose the one
    that closes the fewest violated windows (windows ending at this
    position); among those, the one whose attributes are most used (the
    summed utilisation :math:`N_r q_r / (p_r D)` of its rules, the "dynamic
    sum of utilisation rates" idea of Gottlieb, Puchta and Solnon 2003),
    then the goal-chasing choice (closest to the ideal counts
    :math:`k\,d_i / D`), then the lowest index.

    Parameters
    ----------
    demand
        Units :math:`d_i` of each model.
    rules
        The p/q rules.

    Returns
    -------
    list of int
        Model index at each position, length :math:`D`.
    """
    d = demand_array(demand)
    total = int(d.sum())
    left = d.copy()
    built = np.zeros(d.size, dtype=np.int64)
    carriers = _carrier_matrix(rules, d.size)
    flags: list[list[int]] = [[] for _ in rules]
    sequence: list[int] = []
    for k in range(1, total + 1):
        new_violations = np.zeros(d.size, dtype=np.int64)
        utilisation = np.zeros(d.size)
        for r, rule in enumerate(rules):
            new_violations += _breaks_next(carriers[r], flags[r], rule)
            demand_left = int(left[carriers[r]].sum())
            if rule.max_in_window > 0:
                rate = demand_left * rule.window / (rule.max_in_window * (total - k + 1))
                utilisation += carriers[r] * rate
        gap = (k * d / total - built - 1.0) ** 2 - (k * d / total - built) ** 2
        key = np.lexsort((np.arange(d.size), gap, -utilisation, new_violations))
        i = next(int(j) for j in key if left[j] > 0)
        sequence.append(i)
        left[i] -= 1
        built[i] += 1
        for r in range(len(rules)):
            flags[r].append(int(carriers[r, i]))
    return sequence


def grouped_with_rules(demand: Sequence[int], rules: Sequence[Rule]) -> list[int]:
    r"""A sequence under p/q rules with few runs: each model in long blocks where the rules allow.

    The order a batch or MRP plan wants on a ruled line: as few changeovers
    as the rules permit. Position by position: the model of the last
    position goes on while it breaks no window; otherwise the model with the
    most units left among those that break none. A carrier of a rule goes
    first once the positions left without that rule's attribute only just
    suffice to separate its remaining blocks of :math:`p` (each block needs
    :math:`q - p` positions without the attribute after it). When every
    choice breaks a window, the one that breaks the fewest.

    Parameters
    ----------
    demand
        Units :math:`d_i` of each model.
    rules
        The p/q rules.

    Returns
    -------
    list of int
        Model index at each position, length :math:`D`.
    """
    d = demand_array(demand)
    left = d.copy()
    carriers = _carrier_matrix(rules, d.size)
    flags: list[list[int]] = [[] for _ in rules]
    sequence: list[int] = []
    for _ in range(int(d.sum())):
        breaks = np.zeros(d.size, dtype=np.int64)
        urgent = np.zeros(d.size, dtype=bool)
        for r, rule in enumerate(rules):
            breaks += _breaks_next(carriers[r], flags[r], rule)
            blocks = -(-int(left[carriers[r]].sum()) // max(1, rule.max_in_window))
            separators = max(0, blocks - 1) * (rule.window - rule.max_in_window)
            if int(left[~carriers[r]].sum()) <= separators:
                urgent |= carriers[r]
        available = left > 0
        fewest = int(breaks[available].min())
        allowed = available & (breaks == fewest)
        if fewest == 0 and (urgent & allowed).any():
            allowed &= urgent
        last = sequence[-1] if sequence else -1
        keep = last >= 0 and bool(allowed[last])
        i = last if keep else int(np.argmax(np.where(allowed, left, -1)))
        sequence.append(i)
        left[i] -= 1
        for r in range(len(rules)):
            flags[r].append(int(carriers[r, i]))
    return sequence


class _WindowLoads:
    """Loads of every rule's full windows over a sequence, for fast swap deltas.

    Arrays are ``[rule, position]`` or ``[rule, window]``, windows padded to
    the longest rule with weight 0. ``flags`` says whether a position carries
    the rule's attribute, ``loads`` counts the carriers of each window
    (positions w .. w + q - 1), ``weights`` weighs each window (breakout).
    For a swap of positions a and b only windows holding exactly one of them
    change, so with prefix sums over windows of what one more and one fewer
    carrier would add to the weighted excess (carriers beyond p, times the
    window's weight), the change of every swap (a, b), all b at once and all
    rules together, costs a few array operations.
    """

    def __init__(self, rules: Sequence[Rule], n_models: int, sequence: IntArray) -> None:
        size = sequence.size
        self.p = np.array([r.max_in_window for r in rules], dtype=np.int64)[:, None]
        self.q = np.array([r.window for r in rules], dtype=np.int64)[:, None]
        self.carriers = _carrier_matrix(rules, n_models).astype(np.int64)
        self.flags = self.carriers[:, sequence]
        n_windows = np.maximum(0, size - self.q + 1)
        width = max(1, int(n_windows.max()))
        self.valid = np.arange(width)[None, :] < n_windows
        self.loads = np.zeros((len(rules), width), dtype=np.int64)
        for r in range(len(rules)):
            count = int(n_windows[r, 0])
            if count:
                kernel = np.ones(int(self.q[r, 0]), dtype=np.int64)
                self.loads[r, :count] = np.convolve(self.flags[r], kernel, "valid")
        self.weights = self.valid.astype(np.int64)
        positions = np.arange(size)[None, :]
        self.lo = np.maximum(0, positions - self.q + 1)
        self.hi = np.maximum(np.minimum(positions, n_windows - 1), self.lo - 1)
        self.rows = np.arange(len(rules))[:, None]
        self._refresh()

    def _refresh(self) -> None:
        zero = np.zeros((self.loads.shape[0], 1), dtype=np.int64)
        self.up = np.hstack([zero, np.cumsum(self.weights * (self.loads >= self.p), axis=1)])
        self.down = np.hstack([zero, np.cumsum(self.weights * (self.loads > self.p), axis=1)])

    def over(self) -> BoolArray:
        """``[rule, window]``: over-full windows."""
        over: BoolArray = (self.loads > self.p) & self.valid
        return over

    def violations(self) -> int:
        """Over-full windows of all rules."""
        return int(self.over().sum())

    def breakout(self) -> None:
        """Weigh the over-full windows one more (Morris's breakout method)."""
        self.weights += self.over()
        self._refresh()

    def carriers_in(self, rule: int, window: int) -> IntArray:
        """Positions of a window that carry the rule's attribute."""
        q = int(self.q[rule, 0])
        return window + np.flatnonzero(self.flags[rule, window : window + q])

    def swap_deltas(self, a: int) -> IntArray:
        """Change of the weighted excess if position a swaps with each position."""
        step = self.flags - self.flags[:, [a]]
        a_lo, a_hi = self.lo[:, [a]], self.hi[:, [a]]
        o_lo = np.maximum(a_lo, self.lo)
        o_hi = np.maximum(np.minimum(a_hi, self.hi), o_lo - 1)
        up, down, rows = self.up, self.down, self.rows
        overlap_up = up[rows, o_hi + 1] - up[rows, o_lo]
        overlap_down = down[rows, o_hi + 1] - down[rows, o_lo]
        up_a = up[rows, a_hi + 1] - up[rows, a_lo] - overlap_up
        down_a = down[rows, a_hi + 1] - down[rows, a_lo] - overlap_down
        up_b = up[rows, self.hi + 1] - up[rows, self.lo] - overlap_up
        down_b = down[rows, self.hi + 1] - down[rows, self.lo] - overlap_down
        change = np.where(step > 0, up_a - down_b, np.where(step < 0, up_b - down_a, 0))
        deltas: IntArray = change.sum(axis=0)
        return deltas

    def swap(self, a: int, b: int, sequence: IntArray) -> None:
        """Update after positions a and b of ``sequence`` were swapped."""
        for x in (a, b):
            new = self.carriers[:, sequence[x]]
            change = new - self.flags[:, x]
            self.flags[:, x] = new
            for r in np.flatnonzero(change).tolist():
                lo, hi = int(self.lo[r, x]), int(self.hi[r, x])
                self.loads[r, lo : hi + 1] += change[r]
        self._refresh()


def repair_with_rules(
    sequence: Sequence[int],
    rules: Sequence[Rule],
    *,
    time_limit: float = 10.0,
    seed: int = 0,
    max_steps: int | None = None,
) -> list[int]:
    """Swap positions to remove violated windows: a local search with breakout.

    Each step takes a violated window and a carrier in it (at random) and the
    swap of it with any other position that lowers the weighted excess
    (carriers beyond capacity, times the window's weight, summed over all
    windows) most, ties at random. When no swap lowers it, the violated
    windows weigh one more instead (the breakout method of Morris 1993),
    which walks the search out of local minima. Swap-based local search is
    what solves the satisfiable car-sequencing instances best (Gottlieb,
    Puchta and Solnon 2003). The sequence with the fewest violated windows
    found within ``time_limit`` seconds is returned; the search stops as soon
    as none is left.

    With ``max_steps``, the search makes at most that many steps (a swap or
    a breakout each) and never looks at the clock: the same seed always
    gives the same sequence (``time_limit`` is then ignored).
    """
    deadline = time.perf_counter() + time_limit if max_steps is None else math.inf
    most_steps = math.inf if max_steps is None else max_steps
    current = np.array(sequence, dtype=np.int64)
    if current.size < 2 or not rules:
        return [int(m) for m in current]
    loads = _WindowLoads(rules, int(current.max()) + 1, current)
    rng = np.random.default_rng(seed)
    violations = loads.violations()
    best, best_violations = current.copy(), violations
    steps = 0
    while violations > 0 and steps < most_steps and time.perf_counter() < deadline:
        steps += 1
        over = np.argwhere(loads.over())
        rule, window = over[int(rng.integers(over.shape[0]))]
        a = int(rng.choice(loads.carriers_in(int(rule), int(window))))
        score = np.where(current != current[a], loads.swap_deltas(a), np.iinfo(np.int64).max)
        if score.min() >= 0:
            loads.breakout()
            continue
        b = int(rng.choice(np.flatnonzero(score == score.min())))
        current[a], current[b] = current[b], current[a]
        loads.swap(a, b, current)
        violations = loads.violations()
        if violations < best_violations:
            best, best_violations = current.copy(), violations
    return [int(m) for m in best]


@dataclass(frozen=True)
class SequenceResult:
    """A sequence found under p/q rules, and how it was found.

    Parameters
    ----------
    sequence
        Model index at each position.
    violations
        Violated windows (:func:`count_violations`).
    prv
        Its product rate variation (:func:`prv_objective`).
    status
        ``optimal``: fewest violations proven and the levelling objective
        proven optimal; ``feasible``: fewest violations proven, levelling not
        proven; ``time_limit``: the fewest violations were not proven within
        the time limit or work limit (the best sequence found is returned);
        ``infeasible``: no sequence exists (the demand is inconsistent).
    seconds
        Wall-clock time spent.
    timed_out
        Whether the clock stopped a CP-SAT stage (before its deterministic
        time, with work limits) or left no time to level the sequence: only
        then may a run with work limits return another sequence. Without
        them, every CP-SAT stage that does not finish is stopped by the clock.
    """

    sequence: list[int]
    violations: int
    prv: float
    status: str
    seconds: float
    timed_out: bool = False


class _RulesModel:
    r"""The CP-SAT model of sequencing under p/q rules.

    Variables: :math:`x_{ki} \in \{0, 1\}` (position :math:`k` builds model
    :math:`i`); :math:`v_{rw} \in \{0, 1\}` (window :math:`w` of rule
    :math:`r` is violated); :math:`X_{ki} = \sum_{l \le k} x_{li}`.

    .. math::

        \sum_i x_{ki} = 1 \;\forall k, \qquad \sum_k x_{ki} = d_i \;\forall i,
        \qquad \sum_{k \in w} \sum_{i \in A_r} x_{ki} \le p_r + (q_r - p_r)\,v_{rw}.

    Stage 1 minimises :math:`\sum v_{rw}`, the number of violated windows
    (:func:`count_violations`): the slack of a window is a 0/1 indicator
    scaled by :math:`q - p`, so the objective counts windows, not excess.
    Stage 2 fixes :math:`\sum v_{rw}` at the stage-1 value and minimises the
    linear (L1) rate variation, scaled by :math:`D` to stay integral,

    .. math::

        \sum_k \sum_i \left| D\,X_{ki} - k\,d_i \right| ,

    Miltenburg's deviation measured in absolute value, which CP-SAT handles
    with linear constraints; the squared PRV of the result is reported.
    """

    def __init__(self, d: IntArray, rules: Sequence[Rule], *, hard: bool = False) -> None:
        self.d = d
        self.total = int(d.sum())
        self.hard = hard
        self.model = cp_model.CpModel()
        n, m = self.total, d.size
        self.x = [[self.model.new_bool_var(f"x[{k},{i}]") for i in range(m)] for k in range(n)]
        self.windows: list[tuple[Rule, int, cp_model.IntVar]] = []
        self._assignment()
        self._rules(rules)

    def _assignment(self) -> None:
        for row in self.x:
            self.model.add_exactly_one(row)
        for i, units in enumerate(self.d):
            self.model.add(sum(row[i] for row in self.x) == int(units))

    def _rules(self, rules: Sequence[Rule]) -> None:
        for r, rule in enumerate(rules):
            carriers = [i for i in sorted(rule.attribute_models) if 0 <= i < self.d.size]
            if rule.max_in_window >= rule.window or not carriers:
                continue
            flag = [self.model.new_bool_var(f"o[{r},{k}]") for k in range(self.total)]
            for k in range(self.total):
                self.model.add(flag[k] == sum(self.x[k][i] for i in carriers))
            p, q = rule.max_in_window, rule.window
            for start in range(self.total - q + 1):
                load = sum(flag[start : start + q])
                if self.hard:
                    self.model.add(load <= p)
                    continue
                v = self.model.new_bool_var(f"v[{r},{start}]")
                self.model.add(load <= p + (q - p) * v)
                self.windows.append((rule, start, v))
            if self.hard:
                self._implied_counts(flag, int(self.d[carriers].sum()), p, q)

    def _implied_counts(self, flag: list[cp_model.IntVar], carried: int, p: int, q: int) -> None:
        for blocks in range(1, self.total // q + 1):
            rest = self.total - blocks * q
            need = carried - blocks * p
            if need <= 0:
                break
            self.model.add(sum(flag[:rest]) >= need)
            self.model.add(sum(flag[blocks * q :]) >= need)

    def violations(self) -> cp_model.LinearExprT:
        return sum(v for _, _, v in self.windows)

    def rate_variation(self) -> cp_model.LinearExprT:
        n, m = self.total, self.d.size
        terms = []
        for i in range(m):
            units = int(self.d[i])
            previous: cp_model.IntVar | None = None
            for k in range(n):
                cumulative = self.model.new_int_var(0, units, f"X[{k},{i}]")
                if previous is None:
                    self.model.add(cumulative == self.x[k][i])
                else:
                    self.model.add(cumulative == previous + self.x[k][i])
                previous = cumulative
                ideal = (k + 1) * units
                dev = self.model.new_int_var(0, max(ideal, n * units - ideal), f"dev[{k},{i}]")
                self.model.add(dev >= n * cumulative - ideal)
                self.model.add(dev >= ideal - n * cumulative)
                terms.append(dev)
        return sum(terms)

    def runs(self) -> cp_model.LinearExprT:
        """Runs: positions that build another model than the position before."""
        starts = []
        for k, row in enumerate(self.x):
            for i, var in enumerate(row):
                if k == 0:
                    starts.append(var)
                    continue
                begins = self.model.new_bool_var(f"b[{k},{i}]")
                self.model.add(begins >= var - self.x[k - 1][i])
                starts.append(begins)
        return sum(starts)

    def hint(self, sequence: Sequence[int]) -> None:
        self.model.clear_hints()  # type: ignore[no-untyped-call]
        for k, model_index in enumerate(sequence):
            for i, var in enumerate(self.x[k]):
                self.model.add_hint(var, i == model_index)
        for rule, start, v in self.windows:
            load = sum(
                1 for m in sequence[start : start + rule.window] if m in rule.attribute_models
            )
            self.model.add_hint(v, load > rule.max_in_window)

    def read(self, solver: cp_model.CpSolver) -> list[int]:
        return [next(i for i, var in enumerate(row) if solver.boolean_value(var)) for row in self.x]


def _solver(seconds: float, workers: int, work: WorkLimits | None = None) -> cp_model.CpSolver:
    """A CP-SAT solver stopped by ``seconds``, or with ``work`` by its deterministic time.

    With work limits it searches on one worker, whose search does not
    depend on timing, for ``work.cp_work`` deterministic time; ``seconds``
    only caps it.
    """
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(seconds, 0.01)
    solver.parameters.num_workers = workers
    if work is not None:
        solver.parameters.num_workers = 1
        solver.parameters.max_deterministic_time = work.cp_work
    return solver


def _timed_out(solver: cp_model.CpSolver, code: cp_model.CpSolverStatus) -> bool:
    """Whether the clock stopped a solve: neither finished nor at its deterministic time."""
    if code in (cp_model.OPTIMAL, cp_model.INFEASIBLE, cp_model.MODEL_INVALID):
        return False
    return bool(solver.deterministic_time < solver.parameters.max_deterministic_time)


def _feasibility_order(d: IntArray, rules: Sequence[Rule]) -> list[int]:
    """Models by decreasing difficulty: the summed utilisation of their attributes."""
    total = max(int(d.sum()), 1)
    score = np.zeros(d.size)
    for rule in rules:
        carriers = [i for i in rule.attribute_models if 0 <= i < d.size]
        if not carriers or rule.max_in_window == 0:
            continue
        utilisation = d[carriers].sum() * rule.window / (rule.max_in_window * total)
        score[carriers] += utilisation
    return [int(i) for i in np.argsort(-score, kind="stable")]


def _zero_violation_search(
    d: IntArray, rules: Sequence[Rule], seconds: float, workers: int, work: WorkLimits | None
) -> tuple[list[int] | None, bool, bool]:
    """Look for a sequence with no violation.

    Returns the sequence (``None`` if none was found), whether none exists,
    and whether the clock stopped the search (:func:`_timed_out`).
    """
    formulation = _RulesModel(d, rules, hard=True)
    order = _feasibility_order(d, rules)
    formulation.model.add_decision_strategy(
        [row[i] for row in formulation.x for i in order],
        cp_model.CHOOSE_FIRST,
        cp_model.SELECT_MAX_VALUE,
    )
    solver = _solver(seconds, workers, work)
    solver.parameters.search_branching = cp_model.FIXED_SEARCH
    code = solver.solve(formulation.model)
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return formulation.read(solver), False, False
    return None, code == cp_model.INFEASIBLE, _timed_out(solver, code)


def sequence_with_rules(
    demand: Sequence[int],
    rules: Sequence[Rule],
    *,
    time_limit: float = 60.0,
    hint: list[int] | None = None,
    workers: int = 2,
    feasibility_share: float = 0.5,
    search_share: float = 0.8,
    seed: int = 0,
    smooth: bool = True,
    work: WorkLimits | None = None,
    fewest_runs: bool = False,
) -> SequenceResult:
    r"""Sequence a day's mix under p/q rules with CP-SAT, then level it.

    Lexicographic stages on the model described in :class:`_RulesModel`:

    0. the local search :func:`repair_with_rules` from the better of the
       PRV-optimal sequence and :func:`greedy_with_rules` (or ``hint``), for
       ``search_share`` of the time; if it leaves violations,
       a search for a sequence with no violated window on the hard model
       (every window within capacity), strengthened by the implied counts of
       Régin and Puget (1997): with :math:`N` units carrying an attribute,
       the first (and the last) :math:`D - m q` positions hold at least
       :math:`N - m p` of them; it branches position by position, placing
       the models with the most used attributes first, for at most
       ``feasibility_share`` of the time left;
    1. if that found nothing, the fewest violated windows (car sequencing,
       CSPLib prob001) on the soft model, warm-started with the local
       search's best sequence;
    2. with that number of violations fixed, the most even production (an
       L1 version of Miltenburg's product rate variation).

    The best sequence found within ``time_limit`` is always returned. With
    ``work``, every stage stops on a count instead (local-search steps,
    CP-SAT's deterministic time on one worker), so the same day always gives
    the same sequence unless the time limit, now a cap, stops a stage first
    (``timed_out``).

    Parameters
    ----------
    demand
        Units :math:`d_i` of each model.
    rules
        The p/q rules.
    time_limit
        Seconds for all stages together.
    hint
        A starting sequence (must build exactly ``demand``).
    workers
        CP-SAT search workers.
    feasibility_share
        Share of the time left after the local search given to the CP-SAT
        search for a sequence without violations (0 skips it).
    search_share
        Share of ``time_limit`` given to the local search (0 skips it).
    seed
        Seed of the local search.
    smooth
        Whether to run stage 2; without it the search stops once the fewest
        violations are proven (or found with none).
    fewest_runs
        Stage 2 minimises the runs (changeovers) instead of the rate
        variation, and the search starts from :func:`grouped_with_rules`:
        the order a plan of batches wants.
    work
        Limits on work instead of time (:class:`~models.work.WorkLimits`):
        the local search makes at most ``work.search_steps`` steps, and each
        CP-SAT stage runs on one worker for at most ``work.cp_work``
        deterministic time, capped by the time left; ``workers`` is then
        ignored and the shares only switch their stage off at 0.

    Returns
    -------
    SequenceResult
        The sequence, its violations and PRV, the status and the time spent.
    """
    started = time.perf_counter()
    d = demand_array(demand)
    if hint is not None:
        check_sequence(hint, d)
    if int(d.sum()) == 0:
        return SequenceResult([], 0, 0.0, "optimal", time.perf_counter() - started)
    if hint is not None:
        best = list(hint)
    elif fewest_runs:
        best = grouped_with_rules(d.tolist(), rules)
    else:
        candidates = [sequence_prv(d.tolist()), greedy_with_rules(d.tolist(), rules)]
        best = min(candidates, key=lambda c: count_violations(c, rules))

    def remaining() -> float:
        return time_limit - (time.perf_counter() - started)

    formulation = _RulesModel(d, rules)
    proven = count_violations(best, rules) == 0
    timed_out = False
    if not proven and search_share > 0:
        if work is None:
            best = repair_with_rules(best, rules, time_limit=search_share * remaining(), seed=seed)
        else:
            best = repair_with_rules(best, rules, seed=seed, max_steps=work.search_steps)
        proven = count_violations(best, rules) == 0
    if not proven and feasibility_share > 0:
        seconds = remaining() if work is not None else feasibility_share * remaining()
        found, impossible, timed_out = _zero_violation_search(d, rules, seconds, workers, work)
        if found is not None:
            best, proven = found, True
        elif impossible:
            formulation.model.add(formulation.violations() >= 1)

    if not proven:
        formulation.hint(best)
        formulation.model.minimize(formulation.violations())
        solver = _solver(remaining(), workers, work)
        code = solver.solve(formulation.model)
        timed_out = timed_out or _timed_out(solver, code)
        if code in (cp_model.INFEASIBLE, cp_model.MODEL_INVALID):
            return SequenceResult([], 0, 0.0, "infeasible", time.perf_counter() - started)
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            found_sequence = formulation.read(solver)
            if count_violations(found_sequence, rules) <= count_violations(best, rules):
                best = found_sequence
        if code != cp_model.OPTIMAL:
            return _result(best, rules, d, "time_limit", started, timed_out)

    if not smooth:
        return _result(best, rules, d, "feasible", started, timed_out)
    if remaining() <= (0.05 if work is None else 0.0):
        return _result(best, rules, d, "feasible", started, timed_out=True)
    formulation.model.add(formulation.violations() <= count_violations(best, rules))
    formulation.hint(best)
    objective = formulation.runs() if fewest_runs else formulation.rate_variation()
    formulation.model.minimize(objective)
    solver = _solver(remaining(), workers, work)
    code = solver.solve(formulation.model)
    timed_out = timed_out or _timed_out(solver, code)
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        best = formulation.read(solver)
    status = "optimal" if code == cp_model.OPTIMAL else "feasible"
    return _result(best, rules, d, status, started, timed_out)


def _result(
    sequence: list[int],
    rules: Sequence[Rule],
    d: IntArray,
    status: str,
    started: float,
    timed_out: bool = False,
) -> SequenceResult:
    return SequenceResult(
        sequence=sequence,
        violations=count_violations(sequence, rules),
        prv=prv_objective(sequence, d.tolist()),
        status=status,
        seconds=time.perf_counter() - started,
        timed_out=timed_out,
    )
