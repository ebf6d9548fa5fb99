"""Attribution by reach: which markets a target's risk and spend count in (docs/methods/optimiser.md).

A target no longer belongs to one market. The input contract is a frame ``target_markets`` with
one row per (target, market) the target's node reaches:

* ``target_id`` -- a target of the targets frame;
* ``market_id`` -- a focus market;
* ``reach_share`` -- rho_tm in [0, 1], the share of market m's final products that target t's
  node reaches (1 when the node reaches every final product of m; the application computes it
  from the analysis reach). Rows with rho_tm = 0 may be left out.

Two quantities follow, both documented here and used everywhere (solver, fast path, batches):

* **market risk** (risk counts in every market it reaches, weighted by how much of the market
  it reaches)::

      risk_m = sum_t w_t rho_tm (r_t - R_t)

  so the same target can weigh on several markets, and the market risks need not sum to the
  objective ``sum_t w_t (r_t - R_t)``;
* **spend per market** (spend is money, counted once): spend on target t is split over its
  markets in proportion to its reach,

      s_tm = rho_tm / sum_m' rho_tm',      spend_m = sum_t s_tm spend_t,

  which is what the market minimum and maximum share-of-budget rows constrain and what the
  allocation by market reports; the market spends sum to the total spend.

A target with no positive reach (its node reaches no focus market) is booked to the market
``unassigned`` with rho = 1, so spend and risk are never lost. Nothing is decided by the
alphabetical order of names: there is no "first" market.

When only a ``market`` column is given on the targets frame (the earlier contract), each target
has rho = 1 for that one market: every formula above reduces to the single-market case.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.errors import InputError

__all__ = ["REACH_COLUMNS", "UNASSIGNED", "build_reach", "market_risk", "market_spend", "markets_label"]

REACH_COLUMNS = ("target_id", "market_id", "reach_share")
UNASSIGNED = "unassigned"


def build_reach(target_ids: list[str], targets: pd.DataFrame, target_markets: pd.DataFrame | None) -> pd.DataFrame:
    """Validated reach table: ``target_id, market, reach_share, spend_share`` (sorted).

    Parameters
    ----------
    target_ids : list of str
        The targets, in the inputs' order.
    targets : DataFrame
        Used only when ``target_markets`` is None: its ``market`` column gives rho = 1.
    target_markets : DataFrame, optional
        The contract of the module docstring.

    Raises
    ------
    InputError
        Missing columns, unknown targets, duplicate pairs, shares outside [0, 1].
    """
    if target_markets is None:
        if "market" not in targets.columns:
            raise InputError("targets frame lacks columns ['market']; add it or pass target_markets")
        frame = pd.DataFrame(
            {"target_id": targets["target_id"].astype(str), "market": targets["market"].astype(str), "reach_share": 1.0}
        )
    else:
        missing = [c for c in REACH_COLUMNS if c not in target_markets.columns]
        if missing:
            raise InputError(f"target_markets frame lacks columns {missing}; add them")
        frame = pd.DataFrame(
            {
                "target_id": target_markets["target_id"].astype(str),
                "market": target_markets["market_id"].astype(str),
                "reach_share": pd.to_numeric(target_markets["reach_share"], errors="coerce").astype(float),
            }
        )
    problems = []
    known = set(target_ids)
    unknown = sorted(set(frame["target_id"]) - known)
    if unknown:
        problems.append(f"target_markets: unknown target_id {unknown[:10]}; use ids of the targets frame")
    share = frame["reach_share"].to_numpy()
    bad = frame["target_id"][~(np.isfinite(share) & (share >= 0) & (share <= 1))].tolist()
    if bad:
        problems.append(f"target_markets: reach_share must lie in [0, 1] for {sorted(set(bad))[:10]}")
    dup = frame[frame.duplicated(["target_id", "market"])]
    if len(dup):
        problems.append(f"target_markets: duplicate (target_id, market_id) {dup.values.tolist()[:5]}")
    if problems:
        raise InputError("; ".join(problems))
    frame = frame[frame["reach_share"] > 0]
    reached = set(frame["target_id"])
    lost = [t for t in target_ids if t not in reached]
    if lost:
        extra = pd.DataFrame({"target_id": lost, "market": UNASSIGNED, "reach_share": 1.0})
        frame = pd.concat([frame, extra], ignore_index=True)
    total = frame.groupby("target_id")["reach_share"].transform("sum")
    frame = frame.assign(spend_share=frame["reach_share"] / total)
    return frame.sort_values(["target_id", "market"], kind="mergesort").reset_index(drop=True)


def reach_matrices(reach: pd.DataFrame, target_ids: list[str], markets: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Dense (targets x markets) arrays of rho_tm and s_tm in the given orders."""
    tpos = {t: i for i, t in enumerate(target_ids)}
    mpos = {m: j for j, m in enumerate(markets)}
    rho = np.zeros((len(target_ids), len(markets)))
    split = np.zeros_like(rho)
    ti = reach["target_id"].map(tpos).to_numpy(dtype=np.int64)
    mi = reach["market"].map(mpos).to_numpy(dtype=np.int64)
    rho[ti, mi] = reach["reach_share"].to_numpy(dtype=float)
    split[ti, mi] = reach["spend_share"].to_numpy(dtype=float)
    return rho, split


def markets_label(reach: pd.DataFrame) -> pd.Series:
    """Per target, its markets as text ``a;b`` (a label only, never used to decide anything)."""
    return reach.groupby("target_id", sort=True)["market"].agg(lambda s: ";".join(sorted(s)))


def market_spend(spend_t: np.ndarray, split: np.ndarray) -> np.ndarray:
    """``spend_m = sum_t s_tm spend_t`` (EUR million per market)."""
    return np.asarray(spend_t, dtype=float) @ split


def market_risk(
    targets: pd.DataFrame,
    reach: pd.DataFrame,
    *,
    residual_column: str = "residual_risk",
    budget_meur: float | None = None,
) -> pd.DataFrame:
    """The market view: spend and risk per market under attribution by reach.

    Parameters
    ----------
    targets : DataFrame
        ``target_id, baseline_risk, weight`` and ``residual_column`` (r_t - R_t); optionally
        ``spend_meur``.
    reach : DataFrame
        ``target_id, market, reach_share, spend_share`` (:func:`build_reach`).
    budget_meur : float, optional
        For the ``share_of_budget`` column.

    Returns
    -------
    DataFrame
        ``market, spend_meur, share_of_budget, baseline_risk, residual_risk,
        weighted_baseline_risk, weighted_residual_risk`` with
        ``baseline_risk_m = sum_t rho_tm r_t``, ``residual_risk_m = sum_t rho_tm (r_t - R_t)``
        and the weighted columns multiplied by w_t (the Overview's market risk is
        ``weighted_residual_risk`` at zero spend).
    """
    t = targets.drop(columns=["market"], errors="ignore").set_index("target_id")
    j = reach.join(t, on="target_id", how="inner")
    spend = j.get("spend_meur", 0.0)
    rho = j["reach_share"]
    frame = pd.DataFrame(
        {
            "market": j["market"],
            "spend_meur": j["spend_share"] * spend,
            "baseline_risk": rho * j["baseline_risk"],
            "residual_risk": rho * j[residual_column],
            "weighted_baseline_risk": rho * j["weight"] * j["baseline_risk"],
            "weighted_residual_risk": rho * j["weight"] * j[residual_column],
        }
    )
    out = frame.groupby("market", sort=True).sum().reset_index()
    b = float(budget_meur or 0.0)
    out.insert(2, "share_of_budget", out["spend_meur"] / b if b > 0 else 0.0)
    return out
