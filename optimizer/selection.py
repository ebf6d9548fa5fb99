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
or dual non-degeneracy of the HiGHS basis), warm on the working set of the column generation.

References
----------
A. S. Besicovitch, "On the linear independence of fractional powers of integers",
*J. London Math. Soc.* 15 (1940) 3-6; M. Ehrgott, *Multicriteria Optimization*, 2005, ch. 5
(lexicographic optimisation).
"""

from __future__ import annotations

import weakref
from functools import lru_cache

import highspy
import numpy as np
import pulp

from optimizer.backends import fix_face_highs, solve_problem
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

_RANK_KEYS: weakref.WeakKeyDictionary[FastModel, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]
_RANK_KEYS = weakref.WeakKeyDictionary()


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
    computed once per model."""
    keys = _RANK_KEYS.get(model)
    if keys is None:
        inputs = model.inputs
        opts = inputs.options
        t = inputs.targets
        t_order = t["order"].to_numpy(dtype=float) if "order" in t else np.arange(len(t), dtype=float)
        lpos = dict(zip(inputs.line_ids, inputs.lines["order"].to_numpy(dtype=float), strict=True))
        keys = (
            opts["segment"].to_numpy(dtype=float),
            opts["action_line_id"].map(lpos).to_numpy(dtype=float),
            t_order[model.target],
            model.target,
        )
        _RANK_KEYS[model] = keys
    segment, line, row, target = keys
    order = np.lexsort((segment, line, row, -np.asarray(priority, dtype=float)[target]))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return perturbation_weights(len(order))[rank]


def _two_stages(h: highspy.Highs, lines: np.ndarray, line_ids: list[str], g: np.ndarray) -> np.ndarray | None:
    """Steps 0-2 of the module docstring on a solved highspy model whose columns are all options.

    ``lines`` (action line per column) and ``g`` (perturbation weight per column) follow the
    model's columns. Restricts the model to its optimal face, adds the level column ``M`` and
    the rows ``sum_{tk} y_atk - M <= 0`` (one per line), minimises ``M``, restricts to that
    face, bounds ``M <= M* + eps_M`` and minimises ``sum_j g_j y_j``; then restores bounds,
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
    for line in line_ids:
        idx = np.flatnonzero(lines == line)
        if len(idx):
            cols = np.r_[idx, level].astype(np.int32)
            h.addRow(-inf, 0.0, len(cols), cols, np.r_[np.ones(len(idx)), -1.0])
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
        h.changeColBounds(level, 0.0, m_star + TOL.stage_rel * max(1.0, m_star))
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
    lines = model.inputs.options["action_line_id"].to_numpy()
    try:
        return _two_stages(model.highs, lines, model.inputs.line_ids, g)
    finally:
        model.forget_cost()


def _unique_vertex(h: highspy.Highs, outside: np.ndarray) -> bool:
    """Is the solved highspy model's optimum the only one (dual non-degeneracy)?

    When every nonbasic column that can move (``l_j < u_j``) has ``|d_j| > tau``, every
    nonbasic row that is not an equality has ``|pi_i| > tau``, and every column left out of the
    model (``outside``: their reduced costs, at 0) has ``d_j > tau``, the optimal face fixes every
    nonbasic variable at its bound, and the basic ones are then determined by the basis: the
    face is one point (``tau = 10 TOL.reduced_cost``).
    """
    if bool((outside <= _UNIQUE_TOL).any()):
        return False
    basic = highspy.HighsBasisStatus.kBasic
    basis, sol, lp = h.getBasis(), h.getSolution(), h.getLp()
    col_nonbasic = np.array([s != basic for s in basis.col_status], dtype=bool)
    movable = np.asarray(lp.col_upper_, dtype=float) > np.asarray(lp.col_lower_, dtype=float)
    if bool((col_nonbasic & movable & (np.abs(np.asarray(sol.col_dual, dtype=float)) <= _UNIQUE_TOL)).any()):
        return False
    row_nonbasic = np.array([s != basic for s in basis.row_status], dtype=bool)
    ranged = np.asarray(lp.row_upper_, dtype=float) > np.asarray(lp.row_lower_, dtype=float)
    return not bool((row_nonbasic & ranged & (np.abs(np.asarray(sol.row_dual, dtype=float)) <= _UNIQUE_TOL)).any())


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
    cand = np.flatnonzero((model.upper > 0) & (value > 0))
    order = cand[np.lexsort((value[cand], model.target[cand]))]
    t, v = model.target[order], value[order]
    tie = (t[1:] == t[:-1]) & (v[1:] - v[:-1] <= _UNIQUE_TOL)
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
    model: FastModel, first: FastSolution, *, budget_meur: float, weights: np.ndarray, baseline_risk: np.ndarray
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
      every column outside the working set a reduced cost above it). Otherwise the columns
      outside the working set with reduced cost ``d_j <= TOL.reduced_cost`` (the only ones the
      face leaves free) join it, and both stages run warm on the working set's model, which is
      then restored with its first-stage basis.

    Parameters
    ----------
    model : FastModel
        Just used for ``first`` (its working set or whole model holds that solve).
    first : FastSolution
        The first-stage answer.
    budget_meur : float
    weights, baseline_risk : array of float
        The scenario's ``w_t`` and ``r_t`` (order of ``inputs.target_ids``).

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
    cost = model._cost(w, r)
    if first.method in ("greedy", "greedy-feasible"):
        cap = model._budget_cap(budget_meur)
        if _unique_greedy(model, cost, first.spend, cap, float(first.budget_shadow_price or 0.0)):
            return first.spend, "unique"
        again = model.solve(budget_meur=budget_meur, weights=w, baseline_risk=r, force_lp=True, priced=True)
        if again.status is not Status.OPTIMAL:
            return first.spend, "first-stage (second stage not solved)"
        first = again
    kept = "first-stage (second stage not solved)"
    p = model._priced
    if model.last_route == "priced" and p is not None:
        h = p.highs
        reduced = cost - model._a_t @ np.asarray(h.getSolution().row_dual, dtype=float)
        if _unique_vertex(h, reduced[p.outside]):
            return first.spend, "unique"
        p.add(np.flatnonzero(p.outside & (reduced <= TOL.reduced_cost)), cost)
        h.run()  # the new columns price at 0: the basis stays optimal
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return first.spend, kept
        g = _scenario_weights(model, w * r)
        lines = model.inputs.options["action_line_id"].to_numpy()
        y = _two_stages(h, lines[p.cols], model.inputs.line_ids, g[p.cols])
        if y is None:
            return first.spend, kept
        spend = np.zeros(len(cost))
        spend[p.cols] = y
        return spend, "second-stage"
    if _unique_vertex(model.highs, np.zeros(0)):
        return first.spend, "unique"
    chosen = select_fast(model, first.spend, w * r)
    return (first.spend, kept) if chosen is None else (chosen, "second-stage")
