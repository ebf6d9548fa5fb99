"""Plans that hold over the low-high box of the effect parameters: worst case and least regret.

Every effect segment has a low, central and high reduction per EUR million. With
``phi_t(y, f) = min(1, sum_{j in t} f_j y_j)`` the share of target t's risk removed, the
weighted residual risk of allocation y when the effects are f is

    Z(y, f) = sum_t w_t r_t (1 - phi_t(y, f)).

* **Worst case.** Z is non-increasing in every f_j (y >= 0), so for any y the worst f in the
  box is its lower corner: ``max_f Z(y, f) = Z(y, f_low)``. The worst-case plan is therefore
  exactly the optimal plan at the low values (then the second stage, :mod:`optimizer.selection`).
* **Minimum regret.** The regret of y under f is ``Z(y, f) - Z*(f)`` with ``Z*(f)`` the best
  achievable. Over a scenario set S it is minimised by the LP

      minimise u  s.t.  (the policy's rows on y),  0 <= phi_ts <= 1,
                        phi_ts <= sum_{j in t} f_sj y_j,
                        sum_t w_t r_t (1 - phi_ts) - Z*(f_s) <= u     (regret[s]).

  S is: central, all low, all high, and each parameter alone at its low and its high value.
  The regret is convex in f, so its maximum over the box sits at a corner; S holds the corners
  that change one parameter or all of them, so the reported maximum regret is the maximum over
  S (a lower bound of the box maximum, stated as such).

Each plan is reported with its cost against the central plan: ``Z(y, f_central) -
Z*(f_central)`` (the weighted residual risk given up when the central effects come true), its
worst case and its maximum regret over S. The leverage term of the policy is not part of Z here.

References
----------
A. Ben-Tal, L. El Ghaoui and A. Nemirovski, *Robust Optimization*, Princeton, 2009, ch. 1
(box uncertainty); P. Kouvelis and G. Yu, *Robust Discrete Optimization and its Applications*,
Kluwer, 1997, ch. 1 (minimax regret).
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
import pandas as pd

from optimizer.errors import ScenarioError
from optimizer.fast import FastModel
from optimizer.inputs import OptimiserInputs, Policy, validate_policy
from optimizer.sensitivity import Plan, effect_fractions, solve_plan
from optimizer.status import Status

__all__ = ["BoxRobustResult", "residual", "robust_box"]

INF = highspy.kHighsInf


@dataclass(frozen=True, eq=False)
class BoxRobustResult:
    """Central, worst-case and minimum-regret plans over the effect box.

    ``plans``: plan, status, objective_central, cost_vs_central, worst_case, max_regret,
    total_spend_meur. ``allocations``: plan, action_line_id, target_id, spend_meur.
    ``scenarios``: scenario, best_objective (Z* per scenario of S). ``note``: the result in words.
    """

    plans: pd.DataFrame
    allocations: pd.DataFrame
    scenarios: pd.DataFrame
    note: str


def residual(inputs: OptimiserInputs, spend: np.ndarray, fractions: np.ndarray) -> float:
    """``Z(y, f) = sum_t w_t r_t (1 - min(1, sum_{j in t} f_j y_j))``."""
    ids = inputs.target_ids
    tpos = {t: i for i, t in enumerate(ids)}
    ti = inputs.options["target_id"].map(tpos).to_numpy(dtype=np.int64)
    phi = np.minimum(np.bincount(ti, weights=fractions * spend, minlength=len(ids)), 1.0)
    wr = (inputs.targets["weight"] * inputs.targets["baseline_risk"]).to_numpy(dtype=float)
    return float(wr @ (1.0 - phi))


def _scenarios(inputs: OptimiserInputs) -> list[tuple[str, np.ndarray]]:
    central, low, high = (effect_fractions(inputs, k) for k in ("central", "low", "high"))
    out = [("central", central), ("all-low", low), ("all-high", high)]
    opts = inputs.options
    kinds = inputs.targets.set_index("target_id")["dependency_kind"]
    kind_of = opts["target_id"].map(kinds).to_numpy()
    e = inputs.effects
    line_of, seg_of = opts["action_line_id"].to_numpy(), opts["segment"].to_numpy()
    for line, kind, seg in zip(
        e["action_line_id"].tolist(), e["dependency_kind"].tolist(), e["segment"].tolist(), strict=True
    ):
        mask = (line_of == line) & (kind_of == kind) & (seg_of == seg)
        if not mask.any():
            continue
        for side, values in (("low", low), ("high", high)):
            if np.array_equal(values[mask], central[mask]):
                continue
            f = central.copy()
            f[mask] = values[mask]
            out.append((f"{line}/{kind}/{seg}={side}", f))
    return out


def _min_regret(
    inputs: OptimiserInputs, policy: Policy, scenarios: list[tuple[str, np.ndarray]], best: np.ndarray
) -> np.ndarray | None:
    model = FastModel(inputs, policy)
    h = model.highs
    n = len(inputs.options)
    start, floor_targets = model.floor_rows
    for k in range(len(floor_targets)):  # phi <= 1 replaces the central risk floors
        h.changeRowBounds(int(start + k), -INF, INF)
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.zeros(n))
    wr = model.weight * model.risk
    targets = np.flatnonzero(wr > 0)
    col_u = h.getNumCol()
    h.addVar(-INF, INF)
    h.changeColCost(col_u, 1.0)
    for s, (_, f) in enumerate(scenarios):
        first = h.getNumCol()
        h.addVars(len(targets), np.zeros(len(targets)), np.ones(len(targets)))
        for k, t in enumerate(targets):
            idx = np.flatnonzero((model.target == t) & (f > 0))
            cols = np.r_[first + k, idx].astype(np.int32)
            h.addRow(-INF, 0.0, len(cols), cols, np.r_[1.0, -f[idx]])
        cols = np.r_[np.arange(first, first + len(targets)), col_u].astype(np.int32)
        h.addRow(-INF, float(best[s] - wr.sum()), len(cols), cols, np.r_[-wr[targets], -1.0])
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return np.clip(np.asarray(h.getSolution().col_value[:n], dtype=float), 0.0, None)


def robust_box(inputs: OptimiserInputs, policy: Policy) -> BoxRobustResult:
    """Central, worst-case and minimum-regret plans over the low-high box (module docstring).

    Raises
    ------
    ScenarioError
        When the central or the all-low problem is not optimal.
    """
    validate_policy(inputs, policy)
    scenarios = _scenarios(inputs)
    plans_s = [solve_plan(inputs, policy, f) for _, f in scenarios]
    if any(p.status is not Status.OPTIMAL or p.objective is None for p in plans_s[:2]):
        raise ScenarioError("the central or the all-low problem is not optimal; no robust plan")
    best = np.array([p.objective if p.objective is not None else np.nan for p in plans_s], dtype=float)
    ok = np.isfinite(best)
    scenarios = [s for s, keep in zip(scenarios, ok, strict=True) if keep]
    best = best[ok]
    regret_y = _min_regret(inputs, policy, scenarios, best)
    candidates: list[tuple[str, Plan | None, np.ndarray | None]] = [
        ("central", plans_s[0], plans_s[0].spend),
        ("worst-case", plans_s[1], plans_s[1].spend),
        ("min-regret", None, regret_y),
    ]
    central_f = scenarios[0][1]
    rows: list[dict[str, object]] = []
    allocs = []
    pair_key = inputs.options[["action_line_id", "target_id"]]
    for name, _plan, y in candidates:
        if y is None:
            rows.append({"plan": name, "status": "error"})
            continue
        z = np.array([residual(inputs, y, f) for _, f in scenarios])
        rows.append(
            {
                "plan": name,
                "status": "optimal",
                "objective_central": float(z[0]),
                "cost_vs_central": float(z[0] - best[0]),
                "worst_case": float(residual(inputs, y, effect_fractions(inputs, "low"))),
                "max_regret": float((z - best).max()),
                "total_spend_meur": float(y.sum()),
            }
        )
        sums = pair_key.assign(spend_meur=y).groupby(["action_line_id", "target_id"], sort=True)["spend_meur"].sum()
        allocs.append(sums[sums > 1e-9].reset_index().assign(plan=name))
    plans = pd.DataFrame(rows)
    table = pd.concat(allocs, ignore_index=True) if allocs else pd.DataFrame()
    note = _note(plans)
    del central_f
    return BoxRobustResult(
        plans=plans,
        allocations=table.loc[:, ["plan", "action_line_id", "target_id", "spend_meur"]] if len(table) else table,
        scenarios=pd.DataFrame({"scenario": [s for s, _ in scenarios], "best_objective": best}),
        note=note,
    )


def _note(plans: pd.DataFrame) -> str:
    rec = {str(r["plan"]): r for r in plans.to_dict("records")}
    parts = []
    c = rec.get("central", {})
    for name in ("worst-case", "min-regret"):
        r = rec.get(name, {})
        if r.get("status") == "optimal" and c.get("status") == "optimal":
            parts.append(
                f"the {name} plan leaves {float(r['cost_vs_central']):.4g} more weighted residual risk than the "
                f"central plan if the central effects come true (worst case {float(r['worst_case']):.4g} against "
                f"{float(c['worst_case']):.4g}; largest regret {float(r['max_regret']):.4g} against "
                f"{float(c['max_regret']):.4g})"
            )
    return "Robust plans over the low-high effect box: " + "; ".join(parts) + "." if parts else ""
