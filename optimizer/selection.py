"""One defined answer among optimal allocations: the second stage (docs/methods/optimiser.md).

The allocation LP often has many optimal allocations (several action lines with equal slopes
for a dependency kind can swap money at no cost). A solver returns one vertex of the optimal
face, and which one depends on the solver. The second stage picks one allocation by a rule,
so every solver returns the same one:

0. **The optimal face.** For any optimal dual solution of the first stage, an allocation is
   optimal exactly when it is feasible, every option with a non-zero reduced cost stays at its
   bound and every row with a non-zero dual stays tight (complementary slackness). The second
   stage fixes those options and tightens those rows: no tolerance on the objective, and the
   same set for every solver (every optimal dual gives the same face).
1. **Least concentrated across action lines.** Minimise the largest line total ``M`` over the
   optimal face::

       minimise M   s.t.  (optimal face),  sum_{tk} y_atk <= M  for every line a

   and restrict to the optimal face of this LP the same way (complementary slackness with its
   duals then implies ``M = M*``; a loose bound ``M <= M* + eps_M`` is kept as a
   guard against solvers that print few digits, such as CBC's solution file).

2. **A strictly ordered perturbation.** Keep ``M <= M* + eps_M`` and minimise
   ``sum_j g_j y_j`` with ``g_j = sqrt(p_k(j))``, p_k the k-th prime and k(j) the rank of option
   j in the order: target priority ``w_t r_t`` descending (ties: the caller's row order of the
   targets), then the caller's row order of the action lines, then the segment. The weights rise
   strictly with the rank, so among equal allocations the money goes to the higher-priority
   targets first. Because ``1, sqrt(p_1), sqrt(p_2), ...`` are linearly independent over the
   rationals, two different vertices of the (rational) face left by step 1 never have the same
   ``sum g_j y_j``: this last LP has exactly one optimum, whichever solver finds it.

``eps_M = stage_rel * max(1, M*)`` and the reduced-cost threshold ``TOL.reduced_cost``
(:data:`optimizer.tolerances.TOL`) absorb the solvers' round-off. No name is ever compared:
the order uses risk, weight and the caller's row order only.

The duals and reduced costs reported with the answer are those of the first stage (an optimal
dual solution is optimal for every optimal primal allocation).

Batch members (:func:`select_scenario`) get the same answer; they run the stages only when a
cheap test cannot show that the first-stage optimum is unique (the greedy's marginal segment,
or dual non-degeneracy of the HiGHS basis), on the optimal face written out as a small LP of
its free columns, started from the first stage's basis. Where the fullest line's total is fixed
on the face, step 1's optimum ``M*`` is that total and only step 2 is solved
(:func:`_face_stages`).

References
----------
A. S. Besicovitch, "On the linear independence of fractional powers of integers",
*J. London Math. Soc.* 15 (1940) 3-6; M. Ehrgott, *Multicriteria Optimization*, 2005, ch. 5
(lexicographic optimisation).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from functools import lru_cache

import highspy
import numpy as np
import pandas as pd
import pulp
from scipy import sparse

from optimizer.backends import fix_face_highs, nearer_bound, new_highs, solve_problem
from optimizer.fast import FastModel, FastSolution
from optimizer.model import LpModel
from optimizer.status import Status
from optimizer.tolerances import TOL

__all__ = ["option_rank", "perturbation_weights", "select_allocation", "select_fast", "select_scenario"]


def option_rank(model: LpModel | FastModel, priority: np.ndarray | None = None) -> np.ndarray:
    """Rank of each option (0 = first) in the documented order of the module docstring.

    ``priority`` is ``w_t r_t`` per target (order of ``inputs.target_ids``); by default the
    inputs' weights and baseline risks. A batch scenario passes its own (its multipliers
    applied), which is what a single solve of that scenario's inputs reads.
    """
    inputs = model.inputs
    opts = inputs.options
    t = inputs.targets
    if priority is None:
        priority = (t["weight"] * t["baseline_risk"]).to_numpy(dtype=float)
    t_order = t["order"].to_numpy(dtype=float) if "order" in t else np.arange(len(t), dtype=float)
    tpos = {x: i for i, x in enumerate(inputs.target_ids)}
    lpos = dict(zip(inputs.line_ids, inputs.lines["order"].to_numpy(dtype=float), strict=True))
    ti = opts["target_id"].map(tpos).to_numpy(dtype=np.int64)
    keys = (
        opts["segment"].to_numpy(dtype=float),
        opts["action_line_id"].map(lpos).to_numpy(dtype=float),
        t_order[ti],
        -priority[ti],
    )
    order = np.lexsort(keys)
    rank = np.empty(len(opts), dtype=np.int64)
    rank[order] = np.arange(len(opts))
    return rank


def perturbation_weights(n: int) -> np.ndarray:
    """``sqrt(p_k)`` for the first n primes (strictly increasing, rationally independent)."""
    return _sqrt_primes(n).copy()


def _fix_face_pulp(prob: pulp.LpProblem, rows: list[pulp.LpConstraint]) -> None:
    """Restrict a solved PuLP problem to its optimal face (complementary slackness).

    For any optimal dual solution, a feasible y is optimal exactly when every variable with a
    non-zero reduced cost sits at its bound and every row with a non-zero dual is tight; so
    those variables are fixed and those rows made equalities. No tolerance on the objective is
    needed (the face is the same for every optimal dual, so every solver restricts to the same
    set).
    """
    for v in prob.variables():
        if abs(float(v.dj or 0.0)) > TOL.reduced_cost:
            value = float(v.varValue or 0.0)
            lo = float(v.lowBound) if v.lowBound is not None else -np.inf
            hi = float(v.upBound) if v.upBound is not None else np.inf
            bound = lo if abs(value - lo) <= abs(value - hi) else hi
            v.lowBound = v.upBound = bound
    for con in rows:
        if abs(float(con.pi or 0.0)) > TOL.reduced_cost:
            con.sense = pulp.LpConstraintEQ


def select_allocation(model: LpModel, z_star: float, *, solver: str) -> np.ndarray | None:
    """Run the second stage on a solved model; return the chosen spend per option.

    ``z_star`` (the first-stage optimum without the constant) is kept for the record; the optimal
    face is fixed by complementary slackness with the first-stage duals. The model's PuLP
    problem is modified (bounds, rows and a variable): read the first-stage report first.
    Returns None when a stage fails to solve (the caller keeps the first-stage answer).
    """
    del z_star
    prob = model.problem
    if not model.variables:
        return np.zeros(0)
    rows = list(model.constraints.values())
    _fix_face_pulp(prob, rows)
    level = prob.add_variable("stage_max_line", lowBound=0)
    lines = model.inputs.options["action_line_id"].to_numpy()
    for k, line in enumerate(model.inputs.line_ids):
        idx = np.flatnonzero(lines == line)
        if len(idx) == 0:
            continue
        terms = [(model.variables[i], 1.0) for i in idx] + [(level, -1.0)]
        row = pulp.LpConstraint(pulp.LpAffineExpression(terms), sense=pulp.LpConstraintLE, rhs=0.0, name=f"stl{k}")
        prob += row
        rows.append(row)
    prob.setObjective(pulp.LpAffineExpression([(level, 1.0)]))
    if solve_problem(prob, solver=solver) != 1:
        return None
    _fix_face_pulp(prob, rows)
    m_star = float(level.varValue or 0.0)
    level.upBound = m_star + TOL.stage_rel * max(1.0, m_star)
    g = perturbation_weights(len(model.variables))[option_rank(model)]
    prob.setObjective(pulp.LpAffineExpression(list(zip(model.variables, g.tolist(), strict=True))))
    if solve_problem(prob, solver=solver) != 1:
        return None
    y = np.array([v.varValue or 0.0 for v in model.variables], dtype=float)
    return np.where(np.abs(y) < TOL.zero_spend, 0.0, y)


_UNIQUE_TOL = 10 * TOL.reduced_cost
"""A reduced cost, dual or value gap at or below this counts as zero in the uniqueness tests
(ten times the face's threshold, so a test says "unique" only where the second stage would fix
every option anyway)."""


@dataclass(eq=False)
class _Statics:
    """What the second stage of a batch reads from a model and does not change between scenarios."""

    line: np.ndarray
    """Code of each option's action line (its index in ``inputs.line_ids``)."""
    n_lines: int
    rank_keys: tuple[np.ndarray, np.ndarray, np.ndarray]
    """Segment, line order and target row order per option (the order's later keys)."""
    by_fraction: tuple[np.ndarray, np.ndarray, np.ndarray]
    """Options that can be funded (``u_j > 0``, ``f_j > 0``) by target, then fraction; whether each
    next one is of the same target; the fraction gap to it."""
    priority: np.ndarray | None = None
    g: np.ndarray | None = None
    face_highs: highspy.Highs | None = None
    """The HiGHS instance the face LPs of :func:`_face_stages` are solved on."""
    """The last scenario's priorities and perturbation weights (budgets of one case share them)."""


_STATICS: weakref.WeakKeyDictionary[FastModel, _Statics] = weakref.WeakKeyDictionary()


def _statics(model: FastModel) -> _Statics:
    found = _STATICS.get(model)
    if found is None:
        inputs = model.inputs
        opts = inputs.options
        t = inputs.targets
        line_ids = inputs.line_ids
        t_order = t["order"].to_numpy(dtype=float) if "order" in t else np.arange(len(t), dtype=float)
        line = pd.Index(line_ids).get_indexer(pd.Index(opts["action_line_id"])).astype(np.int64)
        line_order = inputs.lines["order"].to_numpy(dtype=float)
        keys = (opts["segment"].to_numpy(dtype=float), line_order[line], t_order[model.target])
        cand = np.flatnonzero((model.upper > 0) & (model.frac > 0))
        order = cand[np.lexsort((model.frac[cand], model.target[cand]))]
        same = model.target[order[1:]] == model.target[order[:-1]]
        gap = model.frac[order[1:]] - model.frac[order[:-1]]
        found = _STATICS[model] = _Statics(line, len(line_ids), keys, (order, same, gap))
    return found


@lru_cache(maxsize=8)
def _sqrt_primes(n: int) -> np.ndarray:
    if n == 0:
        return np.zeros(0)
    limit = max(16, int(n * (np.log(n + 2) + np.log(np.log(n + 3))) * 1.3) + 10)
    sieve = np.ones(limit + 1, dtype=bool)
    sieve[:2] = False
    for i in range(2, int(limit**0.5) + 1):
        if sieve[i]:
            sieve[i * i :: i] = False
    primes = np.flatnonzero(sieve)[:n]
    out = np.sqrt(primes.astype(float))
    out.flags.writeable = False
    return out


def _scenario_weights(model: FastModel, priority: np.ndarray) -> np.ndarray:
    """``g_j = sqrt(p_k(j))`` of a batch scenario: :func:`option_rank` with the scenario's
    priorities ``w_t r_t``; the order's fixed keys (segment, line order, target row order) are
    computed once per model, and the weights once per case (a case's budgets share them)."""
    st = _statics(model)
    priority = np.asarray(priority, dtype=float)
    if st.g is not None and st.priority is not None and np.array_equal(st.priority, priority):
        return st.g
    segment, line, row = st.rank_keys
    order = np.lexsort((segment, line, row, -priority[model.target]))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    st.priority, st.g = priority.copy(), _sqrt_primes(len(order))[rank]
    return st.g


def _two_stages(h: highspy.Highs, line: np.ndarray, n_lines: int, g: np.ndarray) -> np.ndarray | None:
    """Steps 0-2 of the module docstring on a solved highspy model whose columns are all options.

    ``line`` (action line code per column, ``0 .. n_lines - 1``) and ``g`` (perturbation weight
    per column) follow the model's columns. Restricts the model to its optimal face, adds the level column ``M`` and
    the rows ``sum_{tk} y_atk - M <= 0`` (one per line), minimises ``M``, restricts to that
    face, bounds ``M <= M* + eps_M`` (read after the face: when the face fixed M, it stays
    fixed) and minimises ``sum_j g_j y_j``; then restores bounds,
    costs, rows, columns and the first-stage basis (the model stays reusable and warm).
    Returns the spend per column, or None when a stage is not optimal.
    """
    n = h.getNumCol()
    lp = h.getLp()
    cost = np.array(lp.col_cost_, dtype=float)
    col_lo, col_hi = np.array(lp.col_lower_, dtype=float), np.array(lp.col_upper_, dtype=float)
    row_lo, row_hi = np.array(lp.row_lower_, dtype=float), np.array(lp.row_upper_, dtype=float)
    rows0 = h.getNumRow()
    basis = h.getBasis()
    inf = highspy.kHighsInf
    fix_face_highs(h)
    h.addVar(0.0, inf)
    level = n
    starts, index, value = _line_rows(line, n_lines, level)
    k = len(starts)
    h.addRows(k, np.full(k, -inf), np.zeros(k), len(index), starts, index, value)
    every = np.arange(n + 1, dtype=np.int32)
    try:
        c2 = np.zeros(n + 1)
        c2[level] = 1.0
        h.changeColsCost(n + 1, every, c2)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        m_star = float(h.getSolution().col_value[level])
        fix_face_highs(h)
        lp_now = h.getLp()  # M's bounds after the face: a bound the face fixed stays fixed
        m_lo, m_hi = float(lp_now.col_lower_[level]), float(lp_now.col_upper_[level])
        if m_lo < m_hi:
            h.changeColBounds(level, m_lo, max(m_lo, min(m_hi, m_star + TOL.stage_rel * max(1.0, m_star))))
        h.changeColsCost(n + 1, every, np.r_[g, 0.0])
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        y = np.asarray(h.getSolution().col_value[:n], dtype=float)
        return np.where(np.abs(y) < TOL.zero_spend, 0.0, np.clip(y, 0.0, None))
    finally:
        h.deleteRows(h.getNumRow() - rows0, np.arange(rows0, h.getNumRow(), dtype=np.int32))
        h.deleteCols(1, np.array([level], dtype=np.int32))
        index = np.arange(n, dtype=np.int32)
        h.changeColsBounds(n, index, col_lo, col_hi)
        rows = np.arange(rows0, dtype=np.int32)  # one call (highspy has it; its type stubs lack it)
        h.changeRowsBounds(rows0, rows, row_lo, row_hi)  # type: ignore[attr-defined]
        h.changeColsCost(n, index, cost)
        h.setBasis(basis)


def _line_rows(line: np.ndarray, n_lines: int, level: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows ``sum_{j in line a} y_j - M <= 0`` for every line a with columns, in line order (CSR)."""
    counts = np.bincount(line, minlength=n_lines)
    present = np.flatnonzero(counts)
    sizes = counts[present] + 1
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    order = np.argsort(line, kind="stable")
    row = np.searchsorted(present, line[order])
    first = np.r_[0, np.cumsum(counts[present])[:-1]]
    pos = starts[row] + np.arange(len(order)) - first[row]
    index = np.full(int(sizes.sum()), level, dtype=np.int32)
    value = np.full(int(sizes.sum()), -1.0)
    index[pos] = order
    value[pos] = 1.0
    return starts.astype(np.int32), index, value


def select_fast(model: FastModel, spend: np.ndarray, priority: np.ndarray | None = None) -> np.ndarray | None:
    """The same second stage on a :class:`FastModel` just solved by HiGHS (``force_lp=True``).

    Restricts the highspy model to its optimal face, adds the stage rows and column, solves the
    two stages warm, then restores bounds, costs, rows, columns and basis (the model stays
    reusable). ``spend`` is the first-stage answer (its length gives the number of options);
    ``priority`` is ``w_t r_t`` per target when the solve used other weights or risks than the
    inputs' (see :func:`option_rank`).
    """
    n = len(spend)
    if n == 0:
        return np.zeros(0)
    g = perturbation_weights(n)[option_rank(model, priority)]
    st = _statics(model)
    try:
        return _two_stages(model.highs, st.line, st.n_lines, g)
    finally:
        model.forget_cost()


def _unique_vertex(
    upper: np.ndarray,
    reduced: np.ndarray,
    pi: np.ndarray,
    row_lo: np.ndarray,
    row_hi: np.ndarray,
    basic_cols: np.ndarray,
    basic_rows: np.ndarray,
) -> bool:
    """Is a solved model's optimum the only one (dual non-degeneracy)?

    When every nonbasic column that can move (``u_j > 0``; columns outside a working set are
    nonbasic at 0) has ``|d_j| > tau`` and every nonbasic row that is not an equality has
    ``|pi_i| > tau``, the optimal face fixes every nonbasic variable at its bound, and the basic
    ones are then determined by the basis: the face is one point (``tau = 10 TOL.reduced_cost``).
    """
    near = np.flatnonzero(np.abs(reduced) <= _UNIQUE_TOL)  # few: test those only
    if bool((~basic_cols[near] & (upper[near] > 0)).any()):
        return False
    return not bool((~basic_rows & (row_hi > row_lo) & (np.abs(pi) <= _UNIQUE_TOL)).any())


def _unique_greedy(model: FastModel, cost: np.ndarray, spend: np.ndarray, cap: float, shadow: float) -> bool:
    """Is the greedy fill's answer the relaxation's only optimum (and so the whole LP's)?

    With values ``v_j = -c_j`` and the effective pieces of :func:`optimizer.fast.greedy_pieces`,
    sufficient: (a) the budget binds (the positive pieces hold more than the cap), (b) exactly
    one positive piece has the marginal value ``v* = shadow`` (within ``tau``), and (c) within a
    target no two options of tied value (within ``tau``) can swap money (one funded, another
    with room below its bound). Then every optimum fills the pieces above ``v*``, leaves those
    below it empty and puts the rest on the one marginal piece; any other allocation spends
    money at a value below ``v*``.
    """
    value = -cost
    play = (value > 0) & (model.pieces > 0)
    if float(model.pieces[play].sum()) <= cap + 1e-9 * max(1.0, cap):
        return False
    if int((play & (np.abs(value - shadow) <= _UNIQUE_TOL)).sum()) != 1:
        return False
    # Within a target v_j = w_t r_t f_j, so the order by value is the static order by f_j.
    st = _statics(model)
    order, t_next, df = st.by_fraction
    wr = value[order[1:]] / np.where(model.frac[order[1:]] > 0, model.frac[order[1:]], 1.0)
    tie = t_next & (wr * df <= _UNIQUE_TOL)
    if not tie.any():
        return True
    group = np.r_[0, np.cumsum(~tie)]
    funded = spend[order] > TOL.zero_spend
    room = spend[order] < model.upper[order] - TOL.zero_spend
    size = np.bincount(group)
    n_funded = np.bincount(group, weights=funded)
    n_room = np.bincount(group, weights=room)
    n_both = np.bincount(group, weights=funded & room)
    swap = (size >= 2) & (n_funded >= 1) & (n_room >= 1) & ~((n_funded == 1) & (n_room == 1) & (n_both == 1))
    return not bool(swap.any())


def select_scenario(
    model: FastModel,
    first: FastSolution,
    *,
    budget_meur: float,
    weights: np.ndarray,
    baseline_risk: np.ndarray,
    warm: bool = True,
) -> tuple[np.ndarray, str]:
    """The defined answer of one batch scenario, solved by ``model.solve(..., priced=True)``.

    The same allocation as :func:`optimizer.solve.solve` on the scenario's inputs (the second
    stage of the module docstring, docs/methods/optimiser.md "One defined answer"): among the
    optimal allocations, least concentrated across lines,

    ``minimise M  s.t.  y on the optimal face,  sum_{tk} y_atk <= M  for every line a``,

    then on that LP's optimal face ``minimise sum_j sqrt(p_k(j)) y_j`` with k(j) the rank of
    option j by the scenario's ``w_t r_t`` (descending), the caller's target row order, line
    order and segment. The second stage is run only when the first-stage optimum may not be
    unique, so batches keep their speed:

    * greedy answers (``greedy``, ``greedy-feasible``): unique when the budget binds, one piece
      sits at the marginal value and no tied options of one target can swap money (checked
      in O(n)); otherwise the scenario is solved again on HiGHS (warm, working set);
    * HiGHS answers: unique when the optimal basis is dual non-degenerate (every nonbasic
      column and inequality row has a reduced cost or dual above ``10 TOL.reduced_cost``, and
      every column outside the working set a reduced cost above it). Otherwise both stages run
      on the optimal face as a small LP over the free columns ``|d_j| <= TOL.reduced_cost``
      (:func:`_face_stages`: every other column fixed at its bound and substituted, rows with
      ``|pi_i| > TOL.reduced_cost`` made equalities); the working set's model is not touched.
      When the fullest line's total is fixed on the face, step 1's optimum is known and only
      step 2 is solved, warm from the first stage's basis (see :func:`_face_stages`).

    Parameters
    ----------
    model : FastModel
        Just used for ``first`` (its working set or whole model holds that solve).
    first : FastSolution
        The first-stage answer.
    budget_meur : float
    weights, baseline_risk : array of float
        The scenario's ``w_t`` and ``r_t`` (order of ``inputs.target_ids``).
    warm : bool
        Use the face LP's shortcuts (:func:`_face_stages`); False solves both stages from a cold
        start (the same answer; for tests).

    Returns
    -------
    spend : array of float
        EUR million per option.
    selection : str
        ``unique`` (the first-stage vertex is the only optimum), ``second-stage``,
        ``first-stage (second stage not solved)`` (a stage failed; the optimal first-stage
        answer is kept) or ``none`` (not optimal, or nothing to choose).
    """
    if first.status is not Status.OPTIMAL or first.method == "none" or len(first.spend) == 0:
        return first.spend, "none"
    w = np.asarray(weights, dtype=float)
    r = np.asarray(baseline_risk, dtype=float)
    if first.method in ("greedy", "greedy-feasible"):
        cap = model._budget_cap(budget_meur)
        cost = model._cost(w, r)
        if _unique_greedy(model, cost, first.spend, cap, float(first.budget_shadow_price or 0.0)):
            return first.spend, "unique"
        again = model.solve(budget_meur=budget_meur, weights=w, baseline_risk=r, force_lp=True, priced=True)
        if again.status is not Status.OPTIMAL:
            return first.spend, "first-stage (second stage not solved)"
        first = again
    kept = "first-stage (second stage not solved)"
    p, found = model._priced, model.last_priced
    if model.last_route == "priced" and p is not None and found is not None:
        h, cols = p.highs, p.cols
        reduced, pi, act, lo, hi = found.reduced, found.row_dual, found.row_value, found.row_lo, found.row_hi
    else:
        h, cols = model.highs, None
        sol = h.getSolution()
        pi, act = np.asarray(sol.row_dual, dtype=float), np.asarray(sol.row_value, dtype=float)
        reduced = model._cost(w, r) - model._a_t @ pi
        lo, hi = model._row_bounds(budget_meur, model._budget_cap(budget_meur), r)
    basic_cols, basic_rows = _basic(h, cols, len(reduced), len(pi))
    if _unique_vertex(model.upper, reduced, pi, lo, hi, basic_cols, basic_rows):
        return first.spend, "unique"
    face = _Face(first.spend, reduced, pi, act, lo, hi, basic_cols, basic_rows)
    spend = _face_stages(model, face, _scenario_weights(model, w * r), warm=warm)
    return (first.spend, kept) if spend is None else (spend, "second-stage")


def _basic(h: highspy.Highs, cols: np.ndarray | None, n_cols: int, n_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Basic columns (whole-model index; ``cols`` maps a working set's columns) and basic rows of a solved model."""
    found = np.asarray(h.getBasicVariables()[1], dtype=np.int64)  # type: ignore[attr-defined]  # (not in the stubs)
    basic_cols = np.zeros(n_cols, dtype=bool)
    basic_rows = np.zeros(n_rows, dtype=bool)
    on_cols = found[found >= 0]
    basic_cols[on_cols if cols is None else cols[on_cols]] = True
    basic_rows[-1 - found[found < 0]] = True
    return basic_cols, basic_rows


@dataclass(frozen=True, eq=False)
class _Face:
    """A solved first stage as the face LP reads it (whole-model indices)."""

    spend: np.ndarray
    reduced: np.ndarray
    """``d = c - A^T pi`` per column."""
    row_dual: np.ndarray
    row_value: np.ndarray
    """Row activities ``A y`` of the first-stage answer."""
    row_lo: np.ndarray
    row_hi: np.ndarray
    basic_cols: np.ndarray
    basic_rows: np.ndarray


_LOWER, _BASIC, _UPPER = (
    highspy.HighsBasisStatus.kLower,
    highspy.HighsBasisStatus.kBasic,
    highspy.HighsBasisStatus.kUpper,
)
_STATUS = np.array([_LOWER, _BASIC, _UPPER], dtype=object)
_COLWISE, _MINIMIZE = int(highspy.MatrixFormat.kColwise), int(highspy.ObjSense.kMinimize)
"""Basis status by code 0 (at the lower bound), 1 (basic), 2 (at the upper bound)."""


def _face_stages(model: FastModel, face: _Face, g: np.ndarray, *, warm: bool = True) -> np.ndarray | None:
    """Steps 0-2 of the module docstring on the optimal face written out as a small LP.

    Step 0 fixes every column with ``|d_j| > TOL.reduced_cost`` at the bound it sits on (the
    columns outside a working set at 0) and every row with ``|pi_i| > TOL.reduced_cost`` at its
    active side. Substituting the fixed columns leaves an LP over the free columns F only:
    rows that touch F with bounds ``[l_i - a_i^T x_fix, u_i - a_i^T x_fix]``, and the line rows
    ``sum_{j in F, line a} y_j - M <= -L_a`` with ``L_a`` the fixed spend on line a (lines with
    no free column bound ``M >= L_a``; when the face of step 1 fixes M at that bound, step 2
    keeps it fixed, as the equality row of such a line does in the whole LP). The LP is the
    whole one with constants moved to the right-hand side, so the answer is the same, at the
    cost of an LP of |F| + 1 columns instead of the working set's.

    Two shortcuts that leave the LP and so the answer unchanged (``warm=False`` turns them off,
    for tests):

    * **M* without step 1.** Let ``T_a`` be line a's total in the first-stage answer. When the
      largest ``T_a`` belongs to a line whose total is fixed on the face (no free column, or its
      bound row ``lo_a <= sum_{tk} y_atk <= hi_a`` made an equality by step 0), then
      ``M* = max_a T_a``: every point of the face has ``M >= T_a`` for that line, and the
      first-stage answer reaches it. The optimal set of step 1 is then
      ``{y on the face: every line total <= M*}`` (complementary slackness with any optimal
      dual of step 1 describes exactly that set), so step 2 runs at once with M fixed at M*.
      (A free line above that total by more than ``1e-9 max(1, M*)`` runs step 1.)
    * **Warm start.** The first LP solved starts from the first stage's optimal basis restricted
      to the face (:func:`_face_basis`; primal feasible there), step 2 from step 1's basis.
    """
    spend, reduced, pi = face.spend, face.reduced, face.row_dual
    upper = model.upper
    free = (np.abs(reduced) <= TOL.reduced_cost) & (upper > 0)
    # Fixed columns at their bound: a column with no spend sits at 0, so only the funded ones
    # are looked at (the same values, and the same sums below, without option-length passes).
    funded = np.flatnonzero(spend)
    at = nearer_bound(spend[funded], 0.0, upper[funded])
    keep = (at != 0.0) & ~free[funded]
    fixed_cols, fixed_val = funded[keep], at[keep]
    fixed = np.zeros(len(spend))
    fixed[fixed_cols] = fixed_val
    a = model._a_csc
    act, const = face.row_value, _columns_times(a, fixed_cols, fixed_val)
    lo, hi = face.row_lo.copy(), face.row_hi.copy()
    tight = np.flatnonzero(np.abs(pi) > TOL.reduced_cost)
    lo[tight] = hi[tight] = nearer_bound(act[tight], lo[tight], hi[tight])
    cols = np.flatnonzero(free)
    k = len(cols)
    first, count = a.indptr[cols], a.indptr[cols + 1] - a.indptr[cols]  # the free columns of the CSC matrix
    ends = np.cumsum(count)
    nnz = int(ends[-1]) if k else 0
    take = np.repeat(first - ends + count, count) + np.arange(nnz)
    touched = np.zeros(a.shape[0], dtype=bool)
    touched[a.indices[take]] = True
    rows = np.flatnonzero(touched)  # rows touching F, renumbered in order
    index = (np.cumsum(touched) - 1)[a.indices[take]]
    st = _statics(model)
    line_of = st.line[cols]
    line_fixed = np.asarray(np.bincount(st.line[fixed_cols], weights=fixed_val, minlength=st.n_lines), dtype=float)
    line_free = np.bincount(line_of, minlength=st.n_lines)
    present = np.flatnonzero(line_free)
    m_floor = float(line_fixed[line_free == 0].max(initial=0.0))
    n_rows, n_lines = len(rows), len(present)
    # One CSC matrix: each free column's face rows, then its line row; the level column M last.
    line_row = n_rows + np.cumsum(line_free > 0)[line_of] - 1
    indptr = np.empty(k + 2, dtype=np.int32)
    indptr[0], indptr[1 : k + 1], indptr[k + 1] = 0, ends + np.arange(1, k + 1), nnz + k + n_lines
    pos = np.arange(nnz) + np.repeat(np.arange(k), count)  # old entry e of column i moves by i
    index_all = np.empty(nnz + k + n_lines, dtype=np.int32)
    value_all = np.empty(nnz + k + n_lines)
    index_all[pos], value_all[pos] = index, a.data[take]
    index_all[indptr[1 : k + 1] - 1], value_all[indptr[1 : k + 1] - 1] = line_row, 1.0
    index_all[nnz + k :], value_all[nnz + k :] = np.arange(n_rows, n_rows + n_lines), -1.0
    inf = highspy.kHighsInf
    # M* is known without step 1 when the fullest line of the first-stage answer has its total
    # fixed on the face (no free column, or its bound row made an equality): M >= that total on
    # the face, and the first-stage answer reaches it. Step 2 then runs with M fixed at M*.
    totals = line_fixed + np.bincount(line_of, weights=spend[cols], minlength=st.n_lines)
    bound_row = model.line_bound_rows
    exact = line_free == 0
    has_row = bound_row >= 0
    pinned = np.zeros(len(pi), dtype=bool)
    pinned[tight] = True
    by_row = has_row & pinned[np.where(has_row, bound_row, 0)]
    exact_total = np.where(exact, line_fixed, np.where(by_row, lo[np.where(has_row, bound_row, 0)], totals))
    known = exact | by_row
    m_known = float(exact_total[known].max(initial=-np.inf))
    skip = warm and bool(known.any())
    skip = skip and float(totals[~known].max(initial=-np.inf)) <= m_known + 1e-9 * max(1.0, abs(m_known))
    col_lo = np.concatenate((np.zeros(k), [m_known if skip else m_floor]))
    col_hi = np.concatenate((upper[cols], [m_known if skip else inf]))
    rlo, rhi = lo[rows] - const[rows], hi[rows] - const[rows]
    row_lo = np.concatenate((np.where(np.isfinite(rlo), rlo, -inf), np.full(n_lines, -inf)))
    row_hi = np.concatenate((np.where(np.isfinite(rhi), rhi, inf), -line_fixed[present]))
    cost = np.concatenate((g[cols], [0.0])) if skip else np.concatenate((np.zeros(k), [1.0]))
    h = st.face_highs
    if h is None:
        h = st.face_highs = new_highs()  # one instance per model: set-up once, the LP replaced each time
    h.clearModel()
    status = h.passModel(  # the arrays directly (a HighsLp's setters cost more than the LP's solve here)
        k + 1,
        n_rows + n_lines,
        len(index_all),
        _COLWISE,
        _MINIMIZE,
        0.0,
        cost,
        col_lo,
        col_hi,
        row_lo,
        row_hi,
        indptr,
        index_all,
        value_all,
        np.zeros(k + 1, dtype=np.int32),  # every column continuous
    )
    if status != highspy.HighsStatus.kOk:
        return None
    basis = _face_basis(face, cols, rows, act, lo, hi, totals[present], None if skip else m_floor) if warm else None
    if basis is not None:
        h.setBasis(basis)
    if not skip:
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        sol = h.getSolution()
        col_value, col_dual = np.asarray(sol.col_value), np.asarray(sol.col_dual)
        m_star = float(col_value[k])
        # The face of step 1 (as fix_face_highs): nonzero reduced costs and duals fix their bound or row.
        moved = np.flatnonzero(np.abs(col_dual) > TOL.reduced_cost)
        col_lo[moved] = col_hi[moved] = nearer_bound(col_value[moved], col_lo[moved], col_hi[moved])
        if col_lo[k] < col_hi[k]:  # M left free by the face (else fixed, e.g. at M >= L_a): the guard bound
            col_hi[k] = max(col_lo[k], min(col_hi[k], m_star + TOL.stage_rel * max(1.0, m_star)))
        every = np.arange(k + 1, dtype=np.int32)
        h.changeColsBounds(k + 1, every, col_lo, col_hi)
        row_value, row_dual = np.asarray(sol.row_value), np.asarray(sol.row_dual)
        bind = np.flatnonzero(np.abs(row_dual) > TOL.reduced_cost)
        if len(bind):
            side = nearer_bound(row_value[bind], row_lo[bind], row_hi[bind])
            h.changeRowsBounds(len(bind), bind.astype(np.int32), side, side)  # type: ignore[attr-defined]
        h.changeColsCost(k + 1, every, np.concatenate((g[cols], [0.0])))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    y = fixed.copy()
    y[cols] = np.asarray(h.getSolution().col_value[:k], dtype=float)
    return np.where(np.abs(y) < TOL.zero_spend, 0.0, np.clip(y, 0.0, None))


def _columns_times(a: sparse.csc_matrix, cols: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``A[:, cols] @ x`` for a CSC matrix, summed in the order of ``A @ y`` (y zero elsewhere).

    The entries of the given columns are gathered through ``indptr`` and added by row with one
    ``bincount``: columns ascending and entries in their stored order, as SciPy's product adds
    them, so the result is the same to the last bit while only the nonzero columns are read.
    """
    first, count = a.indptr[cols], a.indptr[cols + 1] - a.indptr[cols]
    ends = np.cumsum(count)
    nnz = int(ends[-1]) if len(cols) else 0
    take = np.repeat(first - ends + count, count) + np.arange(nnz)
    weights = a.data[take] * np.repeat(x, count)
    return np.bincount(a.indices[take], weights=weights, minlength=a.shape[0])


def _face_basis(
    face: _Face,
    cols: np.ndarray,
    rows: np.ndarray,
    act: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    line_total: np.ndarray,
    m_floor: float | None,
) -> highspy.HighsBasis | None:
    """The first stage's optimal basis restricted to the face LP of :func:`_face_stages`.

    Free columns and kept rows keep their first-stage status: every basic column is free (its
    reduced cost is 0) and every dropped row's slack is basic (its row meets no basic column),
    so the count matches. Of the level column and the line rows, the level is basic with the
    fullest line's row at its bound, or (when ``m_floor`` is the largest) the level at its lower
    bound and every line row basic. The point is the first-stage allocation, feasible on the
    face. None when the count does not match (HiGHS then starts cold).
    """
    bc, br = face.basic_cols[cols], face.basic_rows[rows]
    if int(bc.sum() + br.sum()) != len(rows):
        return None
    col_code = np.where(bc, 1, np.where(face.spend[cols] > TOL.zero_spend, 2, 0))
    up = np.abs(act[rows] - hi[rows]) < np.abs(act[rows] - lo[rows])
    row_code = np.where(br, 1, np.where(up, 2, 0))
    line_code = np.ones(len(line_total), dtype=np.int64)
    top = int(np.argmax(line_total)) if len(line_total) else -1
    if top >= 0 and m_floor is not None and line_total[top] > m_floor:
        level = 1
        line_code[top] = 2
    else:
        level = 0
    basis = highspy.HighsBasis()
    basis.col_status = _STATUS[np.append(col_code, level)].tolist()
    basis.row_status = _STATUS[np.concatenate((row_code, line_code))].tolist()
    basis.valid = True
    return basis
