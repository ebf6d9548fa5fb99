"""Budget sweep: the efficient frontier of weighted residual risk against the budget.

The optimal value is piecewise linear and convex in the budget; its breakpoints are computed
once (:mod:`optimizer.parametric`) and every budget of the sweep is read off them. With only a
budget (and per-target caps and risk floors) one sort of the segments by weighted slope gives
them: ``F(B) = sum_t w_t r_t - integral_0^B v(x) dx`` where v is the sorted slope sequence, and
the shadow price at B is the slope of the piece being filled. With other constraints the
tangent-intersection method finds them with warm-started HiGHS solves. Where the LP is
infeasible at an end of the range the sweep re-solves budget by budget.

The frontier is non-increasing in B as long as the policy does not tie other constraints to the
budget (market shares are fractions of B, so a binding minimum share can make a larger budget
infeasible; such points carry their status).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.errors import ScenarioError
from optimizer.fast import FastModel
from optimizer.inputs import OptimiserInputs, Policy
from optimizer.parametric import ValueFunction, value_function

__all__ = ["Frontier", "efficient_frontier"]

COLUMNS = ["budget_meur", "status", "weighted_residual_risk", "total_spend_meur", "shadow_price"]


@dataclass(frozen=True, eq=False)
class Frontier:
    """Frontier points, one row per budget (sorted ascending).

    ``table`` columns: budget_meur, status, weighted_residual_risk, total_spend_meur,
    shadow_price (weighted risk removed per extra EUR million, >= 0). ``method`` is ``sort``
    (one greedy sort, exact), ``sandwich`` (the breakpoints of the parametric LP,
    :mod:`optimizer.parametric`, exact) or ``highs`` (a re-solve per budget, used when the LP is
    infeasible at an end of the range). ``breakpoints`` evaluates any other budget at once.
    """

    table: pd.DataFrame
    method: str
    baseline_objective: float
    breakpoints: ValueFunction | None = None


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
    if (grid < 0).any() or not np.isfinite(grid).all():
        raise ScenarioError("budgets must be finite and >= 0 (EUR million)")
    model = FastModel(inputs, policy)
    base = inputs.weighted_baseline
    if len(grid) and not force_lp:
        try:
            vf = value_function(model, float(grid[0]), float(grid[-1]))
        except ScenarioError:
            vf = None  # infeasible somewhere in the range: budget by budget below
        if vf is not None:
            table = pd.DataFrame(
                {
                    "budget_meur": grid.tolist(),
                    "status": ["optimal"] * len(grid),
                    "weighted_residual_risk": vf(grid).tolist(),
                    "total_spend_meur": vf.total_spend(grid).tolist(),
                    "shadow_price": vf.shadow_price(grid).tolist(),
                },
                columns=COLUMNS,
            )
            return Frontier(table=table, method=vf.method, baseline_objective=base, breakpoints=vf)
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
