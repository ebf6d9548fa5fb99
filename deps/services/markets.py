"""Market risk by reach: one definition for the Overview and the optimiser's market view.

A node's risk counts in every focus market its knockout reaches, weighted by how much of that market it reaches:

    rho_vm = |F(v) & F(m)| / |F(m)|

with F(v) the final products the node's knockout cuts (a final product reaches itself) and F(m) the final products
of market m (a final product of several markets belongs to each). A target t (node v(t), supplier country) inherits
rho_tm = rho_v(t)m. The risk of market m is

    risk_m = sum_t rho_tm r_t

over the dependency-risk targets, with r_t the target's baseline risk (the Overview, the optimiser's baseline) or
its residual risk after an allocation (the optimiser). The market risks need not add up to the total risk: a target
reaching two markets weighs on both. Nothing is decided by the order of names. This module is the only place that
computes a market's risk; :mod:`deps.services.views` and :mod:`deps.services.optimisation` both call it.
"""

from __future__ import annotations

import pandas as pd

from supplychain.market_reach import REACH_COLUMNS, reach_shares

__all__ = ["REACH_COLUMNS", "market_risk", "market_view", "reach_shares", "target_markets"]


def target_markets(targets: pd.DataFrame, reach: pd.DataFrame) -> pd.DataFrame:
    """The optimiser's ``target_markets`` frame: ``target_id``, ``market_id``, ``reach_share`` (rho_tm > 0)."""
    merged = targets[["target_id", "node_id"]].merge(reach, on="node_id", how="inner")
    out = merged[["target_id", "market_id", "reach_share"]]
    return out.sort_values(["target_id", "market_id"], kind="stable").reset_index(drop=True)


def market_risk(risk: pd.DataFrame, reach: pd.DataFrame, *, columns: tuple[str, ...] = ("risk",)) -> pd.DataFrame:
    """risk_m = sum_t rho_tm r_t for each risk column of ``risk`` (rows with ``node_id``).

    Returns ``market_id`` and the given columns (summed, weighted by reach), one row per market with any reach,
    sorted by market id.
    """
    merged = risk[["node_id", *columns]].merge(reach, on="node_id", how="inner")
    for column in columns:
        merged[column] = merged[column].astype(float) * merged["reach_share"]
    out = merged.groupby("market_id", sort=True)[list(columns)].sum().reset_index()
    return out


def market_view(results: pd.DataFrame, reach: pd.DataFrame, *, budget_meur: float) -> pd.DataFrame:
    """The optimiser's market view under attribution by reach.

    Parameters
    ----------
    results
        One row per target: ``target_id``, ``node_id``, ``weight``, ``spend_meur``, ``baseline_risk`` and
        ``residual_risk``.
    reach
        :func:`reach_shares` of the analysis.
    budget_meur
        For ``share_of_budget``.

    Returns
    -------
    pandas.DataFrame
        ``market``, ``spend_meur``, ``share_of_budget``, ``baseline_risk``, ``residual_risk``,
        ``weighted_residual_risk``: risks by :func:`market_risk` (sum_t rho_tm r_t), spend split over a target's
        markets in proportion to its reach (s_tm = rho_tm / sum_m' rho_tm', so market spends add up to the total).
        Targets whose node reaches no focus market form the row ``unassigned`` (rho = 1).
    """
    frame = results.assign(weighted_residual_risk=results["weight"] * results["residual_risk"])
    shares = reach[reach["node_id"].isin(set(frame["node_id"]))]
    unreached = frame.loc[~frame["node_id"].isin(set(shares["node_id"])), "node_id"].drop_duplicates()
    shares = pd.concat(
        [shares, pd.DataFrame({"node_id": unreached, "market_id": "unassigned", "reach_share": 1.0})],
        ignore_index=True,
    )
    risk_columns = ("baseline_risk", "residual_risk", "weighted_residual_risk")
    risk = market_risk(frame, shares, columns=risk_columns)
    split = shares.assign(split=shares["reach_share"] / shares.groupby("node_id")["reach_share"].transform("sum"))
    joined = frame[["node_id", "spend_meur"]].merge(split, on="node_id", how="inner")
    spend = (joined["spend_meur"] * joined["split"]).groupby(joined["market_id"]).sum().rename("spend_meur")
    out = risk.merge(spend, left_on="market_id", right_index=True, how="left").fillna({"spend_meur": 0.0})
    out["share_of_budget"] = out["spend_meur"] / budget_meur if budget_meur > 0 else 0.0
    out = out.rename(columns={"market_id": "market"})
    return out[["market", "spend_meur", "share_of_budget", *risk_columns]].reset_index(drop=True)
