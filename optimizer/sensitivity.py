"""Sensitivity of the answer to every effect parameter and to the budget (tornado data).

Each effect segment (action line a, dependency kind k, segment s) carries a low, central and
high reduction per EUR million (``slope_low``, ``reduction_per_meur``, ``slope_high``). One at a
time, each parameter is set to its low and to its high value with all others central, the
allocation is re-solved (fast path, then the second stage of :mod:`optimizer.selection`, so
each answer is the defined one, not an arbitrary optimal vertex), and the tornado row records:

* ``objective_low``, ``objective_high``: the optimal weighted residual risk
  ``Z = sum_t w_t (r_t - R_t)`` at the low and the high value;
* ``residual_swing = objective_low - objective_high`` (>= 0 for an effect: a larger effect
  cannot leave more risk, since the central allocation stays feasible);
* ``allocation_shift_meur = sum_{a,t} |y_at(low) - y_at(high)|``: the L1 distance between the
  two allocations over line x target pairs (EUR million that go elsewhere);
* ``line_shift_meur``: the same over line totals.

A value that would break the concavity of its curve (a segment steeper than the one before it,
or flatter than the one after) is clipped to the neighbours' central slopes; ``used_low`` and
``used_high`` show the values solved. The budget is one more parameter when a low and a high
budget are given. Rows are sorted by ``residual_swing``, largest first (a display order only).

References
----------
A. Saltelli et al., *Global Sensitivity Analysis: The Primer*, Wiley, 2008, section 1.2
(one-at-a-time designs); R. Howard, "Decision analysis: practice and promise", *Management
Science* 34 (1988) 679-695 (tornado diagrams).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.errors import ScenarioError
from optimizer.fast import FastModel
from optimizer.inputs import Budget, OptimiserInputs, Policy, validate_policy
from optimizer.selection import select_fast
from optimizer.status import Status

__all__ = ["Sensitivity", "Plan", "effect_fractions", "sensitivity", "solve_plan"]

COLUMNS = [
    "parameter",
    "kind",
    "action_line_id",
    "dependency_kind",
    "segment",
    "value_low",
    "value_central",
    "value_high",
    "used_low",
    "used_high",
    "objective_low",
    "objective_central",
    "objective_high",
    "residual_swing",
    "allocation_shift_meur",
    "line_shift_meur",
]


@dataclass(frozen=True, eq=False)
class Plan:
    """One defined allocation: spend per option, its objective, and line x target totals."""

    status: Status
    objective: float | None
    spend: np.ndarray
    pairs: np.ndarray
    lines: np.ndarray


@dataclass(frozen=True, eq=False)
class Sensitivity:
    """Tornado data (``tornado``, columns :data:`COLUMNS`) and the central plan."""

    tornado: pd.DataFrame
    central: Plan


def effect_fractions(inputs: OptimiserInputs, level: str) -> np.ndarray:
    """Per option, the reduction per EUR million at ``low``, ``central`` or ``high``."""
    column = {"low": "slope_low", "central": "reduction_per_meur", "high": "slope_high"}[level]
    return inputs.options[column].to_numpy(dtype=float)


def solve_plan(inputs: OptimiserInputs, policy: Policy, fractions: np.ndarray, budget: float | None = None) -> Plan:
    """Solve with the given fractions, then pick the defined answer (second stage)."""
    model = FastModel(inputs, policy, fractions=fractions)
    sol = model.solve(budget_meur=budget, force_lp=True)
    n_pairs = int(model.pair_codes.max()) + 1 if len(model.pair_codes) else 0
    if sol.status is not Status.OPTIMAL:
        return Plan(sol.status, None, sol.spend, np.zeros(n_pairs), np.zeros(len(inputs.line_ids)))
    chosen = select_fast(model, sol.spend)
    spend = sol.spend if chosen is None else chosen
    pairs = np.bincount(model.pair_codes, weights=spend, minlength=n_pairs)
    line_pos = {a: i for i, a in enumerate(inputs.line_ids)}
    lines = np.bincount(
        inputs.options["action_line_id"].map(line_pos).to_numpy(dtype=np.int64),
        weights=spend,
        minlength=len(line_pos),
    )
    objective = float(sol.objective) if sol.objective is not None else None
    return Plan(sol.status, objective, spend, pairs, lines)


def _concave_clip(frac: np.ndarray, inputs: OptimiserInputs, rows: np.ndarray, value: float) -> float:
    """Clip a segment's value between its neighbours' central slopes (keeps the curve concave)."""
    e = inputs.effects
    row = e.iloc[int(rows[0])]
    same = e[(e["action_line_id"] == row["action_line_id"]) & (e["dependency_kind"] == row["dependency_kind"])]
    before = same[same["segment"] < row["segment"]]["reduction_per_meur"]
    after = same[same["segment"] > row["segment"]]["reduction_per_meur"]
    upper = float(before.iloc[-1]) if len(before) else np.inf
    lower = float(after.iloc[0]) if len(after) else 0.0
    return float(min(max(value, lower), upper))


def sensitivity(
    inputs: OptimiserInputs,
    policy: Policy,
    *,
    budget_low: float | None = None,
    budget_high: float | None = None,
) -> Sensitivity:
    """One-at-a-time sensitivity of the allocation and the residual risk (tornado data).

    Parameters
    ----------
    inputs, policy
        The central problem.
    budget_low, budget_high : float, optional
        Add the budget as a parameter with these values (EUR million).

    Returns
    -------
    Sensitivity

    Raises
    ------
    ScenarioError
        When the central problem is not optimal (nothing to compare against).
    """
    validate_policy(inputs, policy)
    central_frac = effect_fractions(inputs, "central")
    central = solve_plan(inputs, policy, central_frac)
    if central.status is not Status.OPTIMAL or central.objective is None:
        raise ScenarioError(f"the central problem is {central.status.value}; sensitivity needs an optimal answer")
    opts = inputs.options
    key = ["action_line_id", "dependency_kind", "segment"]
    kinds = inputs.targets.set_index("target_id")["dependency_kind"]
    opt_keys = pd.MultiIndex.from_arrays(
        [opts["action_line_id"], opts["target_id"].map(kinds), opts["segment"].astype(int)], names=key
    )
    rows = []
    for i, eff in enumerate(inputs.effects.itertuples(index=False)):
        mask = opt_keys == (eff.action_line_id, eff.dependency_kind, int(eff.segment))
        c = float(eff.reduction_per_meur)
        used = []
        results = []
        for value in (float(eff.slope_low), float(eff.slope_high)):
            v = _concave_clip(central_frac, inputs, np.array([i]), value)
            used.append(v)
            if not mask.any() or v == c:
                results.append(central)
                continue
            frac = central_frac.copy()
            frac[mask] = v
            results.append(solve_plan(inputs, policy, frac))
        rows.append(
            _row(f"{eff.action_line_id}/{eff.dependency_kind}/{int(eff.segment)}", "effect", eff, used, c, central, results)
        )
    if budget_low is not None and budget_high is not None:
        lo, hi = float(Budget(budget_low)), float(Budget(budget_high))
        results = [solve_plan(inputs, policy, central_frac, budget=b) for b in (lo, hi)]
        rows.append(_row("budget", "budget", None, [lo, hi], float(policy.budget_meur), central, results))
    table = pd.DataFrame(rows, columns=COLUMNS)
    table = table.sort_values("residual_swing", ascending=False, kind="mergesort", key=abs).reset_index(drop=True)
    return Sensitivity(tornado=table, central=central)


def _row(name: str, kind: str, eff: object, used: list[float], central_value: float, central: Plan, results: list[Plan]) -> dict[str, object]:
    low, high = results
    ok = low.objective is not None and high.objective is not None
    return {
        "parameter": name,
        "kind": kind,
        "action_line_id": getattr(eff, "action_line_id", None),
        "dependency_kind": getattr(eff, "dependency_kind", None),
        "segment": int(getattr(eff, "segment")) if eff is not None else None,
        "value_low": float(getattr(eff, "slope_low", used[0])),
        "value_central": central_value,
        "value_high": float(getattr(eff, "slope_high", used[1])),
        "used_low": used[0],
        "used_high": used[1],
        "objective_low": low.objective,
        "objective_central": central.objective,
        "objective_high": high.objective,
        "residual_swing": float(low.objective - high.objective) if ok else float("nan"),  # type: ignore[operator]
        "allocation_shift_meur": float(np.abs(low.pairs - high.pairs).sum()) if ok else float("nan"),
        "line_shift_meur": float(np.abs(low.lines - high.lines).sum()) if ok else float("nan"),
    }
