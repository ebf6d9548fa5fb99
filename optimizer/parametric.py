"""The optimal value as a function of the budget, computed once (parametric LP).

With every constraint but the budget held fixed, the right-hand side of the LP is affine in the
budget B (the budget row is B; a market's share rows are ``share * B``), so the optimal
weighted residual risk ``V(B)`` is a convex, piecewise linear, non-increasing function of B on
the budgets where the LP is feasible (the risk *removed* is concave). Its breakpoints are found
once by the tangent-intersection (sandwich) method: solve at both ends of an interval, take the
value and the slope ``V'(B) = sum_i dual_i * d rhs_i / dB`` there, intersect the two tangents at
``B_x``; if ``V(B_x)`` lies on the tangents, V is linear on both halves, else recurse. Each
breakpoint costs about two warm-started HiGHS solves. In the budget-only case the breakpoints
are exactly the cumulative lengths of the greedy order (one sort, :mod:`optimizer.fast`).

Between two breakpoints the convex combination of the two optimal allocations is optimal (the
right-hand side is affine in B), so total spend is interpolated too. Evaluating 1,000 budgets is
then a ``numpy.interp`` (microseconds).

References
----------
M. J. Eisner and D. G. Severance, "Mathematical techniques for efficient record segmentation in
large shared databases", *J. ACM* 23 (1976) 619-635 (the sandwich method); T. Gal, *Postoptimal
Analyses, Parametric Programming and Related Topics*, 2nd ed., de Gruyter, 1995, ch. 5.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.errors import ScenarioError
from optimizer.fast import FastModel
from optimizer.status import Status

__all__ = ["ValueFunction", "value_function"]


@dataclass(frozen=True, eq=False)
class ValueFunction:
    """V(B) on ``[budgets[0], budgets[-1]]`` as breakpoints (EUR million, weighted risk).

    ``spend`` is the total spend at each breakpoint; ``solves`` the LPs used to find them.
    """

    budgets: np.ndarray
    values: np.ndarray
    spend: np.ndarray
    solves: int
    method: str

    def __call__(self, budgets: np.ndarray | list[float]) -> np.ndarray:
        """V at the given budgets (linear between breakpoints)."""
        return np.interp(np.asarray(budgets, dtype=float), self.budgets, self.values)

    def total_spend(self, budgets: np.ndarray | list[float]) -> np.ndarray:
        """Total spend of an optimal allocation at the given budgets."""
        return np.interp(np.asarray(budgets, dtype=float), self.budgets, self.spend)

    def shadow_price(self, budgets: np.ndarray | list[float]) -> np.ndarray:
        """``-V'(B)`` (risk removed per extra EUR million; the right derivative at a breakpoint)."""
        b = np.asarray(budgets, dtype=float)
        if len(self.budgets) < 2:
            return np.zeros_like(b)
        slope = -np.diff(self.values) / np.diff(self.budgets)
        piece = np.clip(np.searchsorted(self.budgets, b, side="right") - 1, 0, len(slope) - 1)
        return np.where(b >= self.budgets[-1], slope[-1] if b.size else 0.0, slope[piece]) + 0.0


def value_function(model: FastModel, low: float, high: float, *, rel_tol: float = 1e-9) -> ValueFunction:
    """Breakpoints of V(B) on ``[low, high]`` for a built :class:`FastModel`.

    Raises
    ------
    ScenarioError
        When the LP is not optimal at one of the two ends (the sweep then needs a per-budget
        solve, which :func:`optimizer.frontier.efficient_frontier` does).
    """
    if not 0 <= low <= high:
        raise ScenarioError(f"need 0 <= low <= high, got {low}, {high}")
    if model.greedy_exact:
        return _greedy_function(model, low, high)
    cache: dict[float, tuple[float, float, float]] = {}

    def point(b: float) -> tuple[float, float, float]:
        if b not in cache:
            s = model.solve(budget_meur=b, force_lp=True)
            if s.status is not Status.OPTIMAL or s.objective is None:
                raise ScenarioError(f"the LP is {s.status.value} at budget {b:g}; sweep budget by budget")
            cache[b] = (float(s.objective), model.budget_slope(b), float(s.total_spend_meur or 0.0))
        return cache[b]

    point(low)
    point(high)
    stack = [(low, high)]
    done: set[tuple[float, float]] = set()
    while stack:
        a, b = stack.pop()
        if b - a <= 1e-9 * max(1.0, b) or (a, b) in done:
            continue
        done.add((a, b))
        (va, sa, _), (vb, sb, _) = point(a), point(b)
        if sa - sb >= -1e-15 and abs(sa - sb) <= 1e-15 * max(1.0, abs(sa)):
            continue  # same slope at both ends: linear
        if abs(vb - (va + sa * (b - a))) <= rel_tol * max(1.0, abs(va)):
            continue
        x = (vb - va + sa * a - sb * b) / (sa - sb)
        if not a < x < b:
            continue
        vx, _, _ = point(x)
        if abs(vx - (va + sa * (x - a))) <= rel_tol * max(1.0, abs(vx)):
            continue  # x is a breakpoint: V is the two tangents on [a, b]
        stack += [(a, x), (x, b)]
    keys = np.array(sorted(cache))
    values = np.array([cache[k][0] for k in keys])
    spend = np.array([cache[k][2] for k in keys])
    keep = _corners(keys, values)
    return ValueFunction(keys[keep], values[keep], spend[keep], len(cache), "sandwich")


def _corners(b: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Drop points that lie on the line through their neighbours."""
    if len(b) <= 2:
        return np.arange(len(b))
    keep = [0]
    for i in range(1, len(b) - 1):
        j = keep[-1]
        interp = v[j] + (v[i + 1] - v[j]) * (b[i] - b[j]) / (b[i + 1] - b[j])
        if abs(interp - v[i]) > 1e-10 * max(1.0, abs(v[i])):
            keep.append(i)
    keep.append(len(b) - 1)
    return np.array(keep)


def _greedy_function(model: FastModel, low: float, high: float) -> ValueFunction:
    value = (model.weight * model.risk)[model.target] * model.frac
    keep = np.flatnonzero((value > 0) & (model.pieces > 0))
    order = keep[np.lexsort((keep, -model.frac[keep], model.target[keep], -value[keep]))]
    length, slope = model.pieces[order], value[order]
    cum_len = np.r_[0.0, np.cumsum(length)]
    cum_val = np.r_[0.0, np.cumsum(length * slope)]
    base = float((model.weight * model.risk).sum())
    cap = model.budget_cap_value()
    cut = min(high, cap)
    inner = cum_len[(cum_len > low) & (cum_len < cut)]
    points = np.unique(np.r_[low, inner, cut, high]) if high > low else np.array([low])
    spend = np.minimum(np.minimum(points, cap), cum_len[-1])
    values = base - np.interp(spend, cum_len, cum_val)
    keep_idx = _corners(points, values)
    return ValueFunction(points[keep_idx], values[keep_idx], spend[keep_idx], 0, "sort")
