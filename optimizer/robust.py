"""Allocations that hold up under uncertainty: disruption scenarios and uncertain effects.

* :func:`robust_allocation`: one allocation for several disruption scenarios s with their own
  baseline risks r_ts. With ``phi_t = sum_ak f_atk y_atk <= 1`` (the fraction of a target's risk
  removed; ``e_atk = f_atk r_t``), the weighted residual risk of scenario s is
  ``Z_s = sum_t w_t r_ts (1 - phi_t)``. Mode ``expected`` minimises ``sum_s p_s Z_s``; mode
  ``worst_case`` minimises an epigraph variable z with rows ``worst-case[s]: z >= Z_s``.
* :func:`monte_carlo`: draws a multiplier per effect curve (line x dependency kind), lognormal
  with the given spread and an explicit seed, re-solves on the fast path and reports how often
  each option is funded and percentile bands of the residual risk.

The second objective that strengthens control points is ``Policy.leverage_weight`` (lambda):
every EUR million on target t lowers the objective by ``lambda * leverage_t``; results show the
weight used.

References
----------
S. Boyd and L. Vandenberghe, *Convex Optimization*, 2004, section 4.1.3 (epigraph form);
A. Ben-Tal, L. El Ghaoui and A. Nemirovski, *Robust Optimization*, 2009 (scenario robustness).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pulp

from optimizer.backends import run_solver
from optimizer.errors import ScenarioError
from optimizer.fast import FastModel
from optimizer.inputs import OptimiserInputs, Policy, validate_policy
from optimizer.model import build_model
from optimizer.status import Status

__all__ = ["MonteCarloResult", "RobustResult", "monte_carlo", "robust_allocation"]


@dataclass(frozen=True, eq=False)
class RobustResult:
    """A robust allocation.

    ``allocation``: action_line_id, target_id, market, spend_meur. ``scenarios``: scenario_id,
    probability, weighted_residual_risk. ``objective`` is the expected or worst-case weighted
    residual risk (per ``mode``); ``expected`` and ``worst_case`` are both evaluated at the
    chosen allocation.
    """

    status: Status
    reason: str
    mode: str
    objective: float | None
    expected: float | None
    worst_case: float | None
    leverage_weight: float
    allocation: pd.DataFrame
    scenarios: pd.DataFrame


@dataclass(frozen=True, eq=False)
class MonteCarloResult:
    """Monte Carlo over effect slopes.

    ``funding``: action_line_id, target_id, frequency (share of draws with spend > 0),
    mean_spend_meur. ``bands``: target_id (``TOTAL`` for the weighted total), one column per
    percentile (``p5``, ``p50``, ``p95``) of residual risk. ``draws``: draw, status,
    weighted_residual_risk.
    """

    seed: int
    n_draws: int
    spread: float
    leverage_weight: float
    funding: pd.DataFrame
    bands: pd.DataFrame
    draws: pd.DataFrame


def robust_allocation(
    inputs: OptimiserInputs,
    policy: Policy,
    scenarios: pd.DataFrame,
    *,
    mode: str = "expected",
    solver: str = "highs",
) -> RobustResult:
    """Allocate one budget for several disruption scenarios.

    Parameters
    ----------
    inputs, policy
        As for :func:`optimizer.solve.solve`.
    scenarios : DataFrame
        Columns ``scenario_id``, ``target_id``, ``baseline_risk`` (r_ts) and optionally
        ``probability`` (per scenario; equal when absent). Targets missing from a scenario keep
        their input baseline risk.
    mode : {"expected", "worst_case"}
    solver : {"highs", "cbc"}

    Returns
    -------
    RobustResult
    """
    if mode not in ("expected", "worst_case"):
        raise ScenarioError(f"unknown mode {mode!r}; use 'expected' or 'worst_case'")
    validate_policy(inputs, policy)
    ids = inputs.target_ids
    base = inputs.targets.set_index("target_id")["baseline_risk"]
    sids = sorted({str(s) for s in scenarios["scenario_id"]})
    tpos = {t: i for i, t in enumerate(ids)}
    spos = {s: k for k, s in enumerate(sids)}
    r = np.repeat(base.to_numpy(dtype=float)[:, None], len(sids), axis=1)
    unknown = sorted({str(t) for t in scenarios["target_id"]} - set(tpos))
    if unknown:
        raise ScenarioError(f"scenarios name unknown targets {unknown[:10]}; use ids of the targets frame")
    for t, s, value in zip(
        scenarios["target_id"].astype(str),
        scenarios["scenario_id"].astype(str),
        scenarios["baseline_risk"].astype(float),
        strict=True,
    ):
        r[tpos[t], spos[s]] = value
    if (r < 0).any() or not np.isfinite(r).all():
        raise ScenarioError("scenario baseline risks must be finite and >= 0")
    if "probability" in scenarios:
        prob = scenarios.groupby(scenarios["scenario_id"].astype(str))["probability"].first()
        p = np.array([float(prob[s]) for s in sids])
        if (p < 0).any() or abs(float(p.sum()) - 1.0) > 1e-9:
            raise ScenarioError(f"scenario probabilities must be >= 0 and sum to 1, got sum {p.sum():g}")
    else:
        p = np.full(len(sids), 1.0 / len(sids))
    # Risk floors in the normalised form phi_t <= 1 need r_t > 0 wherever some scenario is > 0.
    floor_risk = r.max(axis=1)
    t2 = inputs.targets.assign(baseline_risk=floor_risk)
    opts = inputs.options.drop(columns="slope").merge(t2[["target_id", "baseline_risk"]], on="target_id")
    opts["slope"] = opts["reduction_per_meur"] * opts["baseline_risk"]
    robust_inputs = OptimiserInputs(
        targets=t2,
        lines=inputs.lines,
        effects=inputs.effects,
        options=opts[list(inputs.options.columns)],
        reach=inputs.reach,
    )
    model = build_model(robust_inputs, policy)
    w = inputs.targets["weight"].to_numpy(dtype=float)
    tix = inputs.options["target_id"].map(tpos).to_numpy()
    frac = inputs.options["reduction_per_meur"].to_numpy(dtype=float)
    lev = inputs.targets["leverage"].to_numpy(dtype=float)[tix] * policy.leverage_weight
    consts = (w[:, None] * r).sum(axis=0)
    # Z_s = const_s - sum_j w_t r_ts f_j y_j
    coef = -(w[:, None] * r)[tix] * frac[:, None]
    lev_terms = [(v, -float(c)) for v, c in zip(model.variables, lev, strict=True) if c]
    if mode == "expected":
        c = coef @ p
        terms = [(v, float(x)) for v, x in zip(model.variables, c, strict=True) if x]
        model.problem.setObjective(pulp.LpAffineExpression(terms + lev_terms))
    else:
        z = model.problem.add_variable("z")
        for k, s in enumerate(sids):
            terms = [(v, float(x)) for v, x in zip(model.variables, coef[:, k], strict=True) if x]
            model.add(f"worst-case[{s}]", "worst-case", [*terms, (z, -1.0)], "<=", -float(consts[k]))
        model.problem.setObjective(pulp.LpAffineExpression([(z, 1.0), *lev_terms]))
    code = run_solver(model, solver=solver)
    empty = pd.DataFrame(columns=["action_line_id", "target_id", "market", "spend_meur"])
    if code != 1:
        status = Status.INFEASIBLE if code == -1 else Status.ERROR
        return RobustResult(
            status,
            f"{solver} reports {pulp.LpStatus.get(code, code)}",
            mode,
            None,
            None,
            None,
            float(policy.leverage_weight),
            empty,
            pd.DataFrame(columns=["scenario_id", "probability", "weighted_residual_risk"]),
        )
    y = np.array([v.varValue or 0.0 for v in model.variables])
    y[y < 1e-9] = 0.0
    z_s = consts + coef.T @ y
    frame = inputs.options.assign(spend_meur=y)
    per = frame.groupby(["action_line_id", "target_id"], sort=True)["spend_meur"].sum()
    alloc = per[per > 1e-9].reset_index()
    alloc.insert(2, "market", alloc["target_id"].map(inputs.targets.set_index("target_id")["market"]))
    expected, worst = float(p @ z_s), float(z_s.max())
    table = pd.DataFrame(
        {"scenario_id": sids, "probability": [float(x) for x in p], "weighted_residual_risk": [float(x) for x in z_s]}
    )
    return RobustResult(
        Status.OPTIMAL,
        "optimal",
        mode,
        expected if mode == "expected" else worst,
        expected,
        worst,
        float(policy.leverage_weight),
        alloc,
        table,
    )


def monte_carlo(
    inputs: OptimiserInputs,
    policy: Policy,
    *,
    n_draws: int = 200,
    seed: int = 0,
    spread: float = 0.25,
    percentiles: tuple[float, ...] = (5.0, 50.0, 95.0),
) -> MonteCarloResult:
    """Monte Carlo over uncertain effect slopes.

    Each draw multiplies every effect curve (action line x dependency kind) by
    ``exp(spread * N(0, 1) - spread**2 / 2)`` (mean 1; whole curves, so concavity holds), solves
    on the fast path and records the allocation.

    Parameters
    ----------
    n_draws : int
    seed : int
        Seed of ``numpy.random.default_rng``: the same seed gives the same result.
    spread : float
        Standard deviation of the log multiplier.
    percentiles : tuple of float
        Bands of residual risk per target and in total.

    Returns
    -------
    MonteCarloResult
    """
    validate_policy(inputs, policy)
    rng = np.random.default_rng(seed)
    opts = inputs.options
    kinds = inputs.targets.set_index("target_id")["dependency_kind"]
    curve = pd.Series(list(zip(opts["action_line_id"], opts["target_id"].map(kinds), strict=True)))
    codes, uniques = pd.factorize(curve)
    n_t = len(inputs.target_ids)
    pair_codes, pairs = pd.factorize(pd.Series(list(zip(opts["action_line_id"], opts["target_id"], strict=True))))
    funded = np.zeros(len(pairs))
    spend_sum = np.zeros(len(pairs))
    residual = np.full((n_draws, n_t), np.nan)
    rows = []
    w = inputs.targets["weight"].to_numpy(dtype=float)
    r = inputs.targets["baseline_risk"].to_numpy(dtype=float)
    for d in range(n_draws):
        mult = np.exp(spread * rng.standard_normal(len(uniques)) - spread**2 / 2)
        model = FastModel(inputs, policy, slope_scale=mult[codes])
        s = model.solve()
        rows.append({"draw": d, "status": s.status.value, "weighted_residual_risk": s.objective})
        if s.status is not Status.OPTIMAL:
            continue
        pair_spend = np.bincount(pair_codes, weights=s.spend, minlength=len(pairs))
        funded += pair_spend > 1e-9
        spend_sum += pair_spend
        phi = np.bincount(model.target, weights=model.frac * s.spend, minlength=n_t)
        residual[d] = r * (1 - np.minimum(phi, 1.0))
    funding = pd.DataFrame(
        {
            "action_line_id": [str(a) for a, _ in pairs],
            "target_id": [str(t) for _, t in pairs],
            "frequency": [float(x) / n_draws for x in funded],
            "mean_spend_meur": [float(x) / n_draws for x in spend_sum],
        }
    ).sort_values(["action_line_id", "target_id"], kind="mergesort", ignore_index=True)
    ok = ~np.isnan(residual).any(axis=1)
    total = residual[ok] @ w
    band_rows = []
    for i, t in enumerate([*inputs.target_ids, "TOTAL"]):
        vals = total if t == "TOTAL" else residual[ok, i]
        row: dict[str, object] = {"target_id": t}
        for q in percentiles:
            row[f"p{q:g}"] = float(np.percentile(vals, q)) if len(vals) else float("nan")
        band_rows.append(row)
    return MonteCarloResult(
        seed=int(seed),
        n_draws=int(n_draws),
        spread=float(spread),
        leverage_weight=float(policy.leverage_weight),
        funding=funding,
        bands=pd.DataFrame(band_rows),
        draws=pd.DataFrame(rows, columns=["draw", "status", "weighted_residual_risk"]),
    )
