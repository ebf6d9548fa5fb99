"""Budget sweep: the efficient frontier of weighted residual risk against the budget.

With only a budget (and per-target caps and risk floors) the greedy fill is exact, so one sort
of the segments by weighted slope answers every budget at once: the frontier is the piecewise
linear function ``F(B) = sum_t w_t r_t - integral_0^B v(x) dx`` where v is the sorted slope
sequence, and the shadow price at B is the slope of the piece being filled (the value of the
next EUR million). With other constraints the sweep re-solves one warm-started
:class:`~optimizer.fast.FastModel` per budget, in increasing order.

The frontier is non-increasing in B as long as the policy does not tie other constraints to the
budget (market shares are fractions of B, so a binding minimum share can make a larger budget
infeasible; such points carry their status).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.fast import FastModel
from optimizer.inputs import OptimiserInputs, Policy

__all__ = ["Frontier", "efficient_frontier"]

COLUMNS = ["budget_meur", "status", "weighted_residual_risk", "total_spend_meur", "shadow_price"]


@dataclass(frozen=True, eq=False)
class Frontier:
    """Frontier points, one row per budget (sorted ascending).

    ``table`` columns: budget_meur, status, weighted_residual_risk, total_spend_meur,
    shadow_price (weighted risk removed per extra EUR million, >= 0). ``method`` is ``sort``
    (one greedy sort, exact) or ``highs`` (warm-started re-solves).
    """

    table: pd.DataFrame
    method: str
    baseline_objective: float


def efficient_frontier(
    inputs: OptimiserInputs,
    policy: Policy,
    *,
    budgets: Sequence[float],
    force_lp: bool = False,
) -> Frontier:
    """Sweep the budget and return the efficient frontier.

    Parameters
    ----------
    inputs : OptimiserInputs
    policy : Policy
        Every constraint except the budget is held fixed.
    budgets : sequence of float
        Budgets in EUR million (any order; duplicates kept once).
    force_lp : bool
        Re-solve with HiGHS even when the single sort is exact (used by the tests).

    Returns
    -------
    Frontier
    """
    grid = np.unique(np.asarray(budgets, dtype=float))
    if (grid < 0).any():
        raise ValueError("budgets must be >= 0 (EUR million)")
    model = FastModel(inputs, policy)
    base = inputs.weighted_baseline
    if model.greedy_exact and not force_lp:
        table = _sorted_sweep(model, grid, base)
        return Frontier(table=table, method="sort", baseline_objective=base)
    rows = []
    for b in grid:
        s = model.solve(budget_meur=float(b), force_lp=True)
        rows.append(
            {
                "budget_meur": float(b),
                "status": s.status.value,
                "weighted_residual_risk": s.objective,
                "total_spend_meur": s.total_spend_meur,
                "shadow_price": s.budget_shadow_price,
            }
        )
    return Frontier(table=pd.DataFrame(rows, columns=COLUMNS), method="highs", baseline_objective=base)


def _sorted_sweep(model: FastModel, grid: np.ndarray, base: float) -> pd.DataFrame:
    value = (model.weight * model.risk)[model.target] * model.frac
    keep = np.flatnonzero((value > 0) & (model.pieces > 0))
    order = keep[np.lexsort((keep, -model.frac[keep], model.target[keep], -value[keep]))]
    length, slope = model.pieces[order], value[order]
    caps = np.array([model._budget_cap(float(b)) for b in grid])
    cum_len = np.r_[0.0, np.cumsum(length)]
    cum_val = np.r_[0.0, np.cumsum(length * slope)]
    spend = np.minimum(caps, cum_len[-1])
    gained = np.interp(spend, cum_len, cum_val)
    piece = np.searchsorted(cum_len, spend, side="right") - 1
    shadow = np.where(piece < len(slope), slope[np.minimum(piece, len(slope) - 1)] if len(slope) else 0.0, 0.0)
    return pd.DataFrame(
        {
            "budget_meur": [float(b) for b in grid],
            "status": ["optimal"] * len(grid),
            "weighted_residual_risk": [float(base - g) for g in gained],
            "total_spend_meur": [float(s) for s in spend],
            "shadow_price": [float(s) + 0.0 for s in shadow],
        },
        columns=COLUMNS,
    )
