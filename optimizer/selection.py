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

References
----------
A. S. Besicovitch, "On the linear independence of fractional powers of integers",
*J. London Math. Soc.* 15 (1940) 3-6; M. Ehrgott, *Multicriteria Optimization*, 2005, ch. 5
(lexicographic optimisation).
"""

from __future__ import annotations

import highspy
import numpy as np
import pulp

from optimizer.backends import fix_face_highs, solve_problem
from optimizer.fast import FastModel
from optimizer.model import LpModel
from optimizer.tolerances import TOL

__all__ = ["option_rank", "perturbation_weights", "select_allocation", "select_fast"]


def option_rank(model: LpModel | FastModel) -> np.ndarray:
    """Rank of each option (0 = first) in the documented order of the module docstring."""
    inputs = model.inputs
    opts = inputs.options
    t = inputs.targets
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
    if n == 0:
        return np.zeros(0)
    limit = max(16, int(n * (np.log(n + 2) + np.log(np.log(n + 3))) * 1.3) + 10)
    sieve = np.ones(limit + 1, dtype=bool)
    sieve[:2] = False
    for i in range(2, int(limit**0.5) + 1):
        if sieve[i]:
            sieve[i * i :: i] = False
    primes = np.flatnonzero(sieve)[:n]
    return np.sqrt(primes.astype(float))


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


def select_fast(model: FastModel, spend: np.ndarray) -> np.ndarray | None:
    """The same second stage on a :class:`FastModel` just solved by HiGHS (``force_lp=True``).

    Restricts the highspy model to its optimal face, adds the stage rows and column, solves the
    two stages warm, then restores bounds, costs, rows and columns (the model stays reusable).
    ``spend`` is the first-stage answer (its length gives the number of options).
    """
    h = model.highs
    n = len(spend)
    if n == 0:
        return np.zeros(0)
    lp = h.getLp()
    cost = np.asarray(lp.col_cost_, dtype=float)
    col_lo, col_hi = np.array(lp.col_lower_, dtype=float), np.array(lp.col_upper_, dtype=float)
    row_lo, row_hi = np.array(lp.row_lower_, dtype=float), np.array(lp.row_upper_, dtype=float)
    rows0, cols0 = h.getNumRow(), h.getNumCol()
    inf = highspy.kHighsInf
    fix_face_highs(h)
    h.addVar(0.0, inf)
    level = cols0
    lines = model.inputs.options["action_line_id"].to_numpy()
    for line in model.inputs.line_ids:
        idx = np.flatnonzero(lines == line)
        if len(idx):
            cols = np.r_[idx, level].astype(np.int32)
            h.addRow(-inf, 0.0, len(cols), cols, np.r_[np.ones(len(idx)), -1.0])
    every = np.arange(cols0 + 1, dtype=np.int32)
    try:
        c2 = np.zeros(cols0 + 1)
        c2[level] = 1.0
        h.changeColsCost(cols0 + 1, every, c2)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        m_star = float(h.getSolution().col_value[level])
        fix_face_highs(h)
        h.changeColBounds(level, 0.0, m_star + TOL.stage_rel * max(1.0, m_star))
        c3 = np.zeros(cols0 + 1)
        c3[:n] = perturbation_weights(n)[option_rank(model)]
        h.changeColsCost(cols0 + 1, every, c3)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        y = np.asarray(h.getSolution().col_value[:n], dtype=float)
        return np.where(np.abs(y) < TOL.zero_spend, 0.0, np.clip(y, 0.0, None))
    finally:
        h.deleteRows(h.getNumRow() - rows0, np.arange(rows0, h.getNumRow(), dtype=np.int32))
        h.deleteCols(1, np.array([level], dtype=np.int32))
        h.changeColsBounds(cols0, np.arange(cols0, dtype=np.int32), col_lo, col_hi)
        for i in range(rows0):  # the rows fixed on the optimal face get their bounds back
            h.changeRowBounds(i, float(row_lo[i]), float(row_hi[i]))
        h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
        model.forget_cost()
