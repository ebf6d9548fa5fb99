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

__all__ = ["Plan", "Sensitivity", "effect_fractions", "sensitivity", "solve_plan"]

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


@dataclass(frozen=True)
class _Effect:
    """One effect segment (a row of ``inputs.effects``)."""

    line: str
    kind: str
    segment: int
    low: float
    central: float
    high: float

    @property
    def name(self) -> str:
        return f"{self.line}/{self.kind}/{self.segment}"


def _effects(inputs: OptimiserInputs) -> list[_Effect]:
    e = inputs.effects
    return [
        _Effect(str(a), str(k), int(s), float(lo), float(c), float(hi))
        for a, k, s, lo, c, hi in zip(
            e["action_line_id"].tolist(),
            e["dependency_kind"].tolist(),
            e["segment"].tolist(),
            e["slope_low"].tolist(),
            e["reduction_per_meur"].tolist(),
            e["slope_high"].tolist(),
            strict=True,
        )
    ]


def _concave_clip(effects: list[_Effect], i: int, value: float) -> float:
    """Clip a segment's value between its neighbours' central slopes (keeps the curve concave)."""
    me = effects[i]
    same = [e for e in effects if e.line == me.line and e.kind == me.kind]
    before = [e.central for e in same if e.segment < me.segment]
    after = [e.central for e in same if e.segment > me.segment]
    upper = min(before) if before else np.inf
    lower = max(after) if after else 0.0
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
    kinds = inputs.targets.set_index("target_id")["dependency_kind"]
    rows = []
    effects = _effects(inputs)
    kind_of = opts["target_id"].map(kinds).to_numpy()
    line_of, seg_of = opts["action_line_id"].to_numpy(), opts["segment"].to_numpy()
    for i, eff in enumerate(effects):
        mask = (line_of == eff.line) & (kind_of == eff.kind) & (seg_of == eff.segment)
        used = []
        results = []
        for value in (eff.low, eff.high):
            v = _concave_clip(effects, i, value)
            used.append(v)
            if not bool(mask.any()) or v == eff.central:
                results.append(central)
                continue
            frac = central_frac.copy()
            frac[mask] = v
            results.append(solve_plan(inputs, policy, frac))
        rows.append(_row(eff.name, "effect", eff, (eff.low, eff.central, eff.high), used, central, results))
    if budget_low is not None and budget_high is not None:
        lo, hi = float(Budget(budget_low)), float(Budget(budget_high))
        results = [solve_plan(inputs, policy, central_frac, budget=b) for b in (lo, hi)]
        values = (lo, float(policy.budget_meur), hi)
        rows.append(_row("budget", "budget", None, values, [lo, hi], central, results))
    table = pd.DataFrame(rows, columns=COLUMNS)
    table = table.sort_values("residual_swing", ascending=False, kind="mergesort", key=abs).reset_index(drop=True)
    return Sensitivity(tornado=table, central=central)


def _row(
    name: str,
    kind: str,
    eff: _Effect | None,
    values: tuple[float, float, float],
    used: list[float],
    central: Plan,
    results: list[Plan],
) -> dict[str, object]:
    low, high = results
    swing = shift = line_shift = float("nan")
    if low.objective is not None and high.objective is not None:
        swing = float(low.objective - high.objective)
        shift = float(np.abs(low.pairs - high.pairs).sum())
        line_shift = float(np.abs(low.lines - high.lines).sum())
    return {
        "parameter": name,
        "kind": kind,
        "action_line_id": None if eff is None else eff.line,
        "dependency_kind": None if eff is None else eff.kind,
        "segment": None if eff is None else eff.segment,
        "value_low": values[0],
        "value_central": values[1],
        "value_high": values[2],
        "used_low": used[0],
        "used_high": used[1],
        "objective_low": low.objective,
        "objective_central": central.objective,
        "objective_high": high.objective,
        "residual_swing": swing,
        "allocation_shift_meur": shift,
        "line_shift_meur": line_shift,
    }
