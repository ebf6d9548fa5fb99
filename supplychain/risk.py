"""Composite dependency-risk score per (node, foreign supplier country), with visible factors.

The optimiser uses these rows as its targets (baseline risk r_t). For node v and supplier
country c outside the home country (or bloc), every factor lies in [0, 1]:

- ``concentration`` = HHI(v) (country view);
- ``import_reliance`` = 1 - home share h_v (or 1 - bloc share);
- ``substitutability`` = 1 - s_v (s_v from the nodes frame; unknown -> 1, no substitute known);
- ``time_to_recover`` = min(recovery_months / ``recovery_months_cap``, 1) (unknown -> 0.5).

    severity = sum_k w_k f_k / sum_k w_k          (weights ``Thresholds.risk_weights``)
    risk(v, c) = x_c(v) x severity x reach(v)

with x_c(v) the supplier's share and reach(v) the market-weighted share of final products the
node's knockout cuts. ``dependency_kind`` is the factor with the largest weighted value (ties in
the order concentration, import_reliance, substitutability, time_to_recover); it tells the
optimiser which effect curve applies (diversification, capacity, research, stocks). Nodes with
insufficient share data and suppliers with unknown shares get no row: no number is made up.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, Literal

import numpy as np
import pandas as pd

from supplychain.concentration import STATUS_OK
from supplychain.schema import bloc_members
from supplychain.thresholds import DEFAULT_THRESHOLDS, Thresholds

__all__ = ["DEPENDENCY_KINDS", "RISK_COLUMNS", "dependency_risk"]

DEPENDENCY_KINDS = ("concentration", "import_reliance", "substitutability", "time_to_recover")
RISK_COLUMNS = (
    "target_id",
    "node_id",
    "supplier_country",
    "share",
    "reach",
    *DEPENDENCY_KINDS,
    "severity",
    "risk",
    "dependency_kind",
    "explanation",
)


def dependency_risk(
    shares: pd.DataFrame,
    conc: pd.DataFrame,
    structural: pd.DataFrame,
    nodes: pd.DataFrame,
    countries: pd.DataFrame | None = None,
    *,
    foreign: Literal["home", "bloc"] = "home",
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> pd.DataFrame:
    """Risk rows per (node, foreign supplier country).

    Parameters
    ----------
    shares
        Country-level :func:`supplychain.concentration.supplier_shares` frame.
    conc
        Country-level concentration frame.
    structural
        :func:`supplychain.chokepoints.structural_chokepoints` frame (``knockout_weight``).
    nodes
        Validated nodes frame (``substitutability``, ``recovery_months``).
    countries
        Countries frame, needed when ``foreign="bloc"``.
    foreign
        Which suppliers count as foreign: outside the home country or outside the bloc.
    thresholds
        ``home``, ``bloc``, ``risk_weights``, ``recovery_months_cap``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`RISK_COLUMNS`, sorted by risk (descending), node and country.
    """
    weights = dict(thresholds.risk_weights)
    inside = {thresholds.home}
    if foreign == "bloc" and countries is not None:
        inside |= set(bloc_members(countries, thresholds.bloc))
    own_col = "home_share" if foreign == "home" else "bloc_share"
    ok = conc.loc[conc["status"] == STATUS_OK, ["node_id", "hhi", own_col]]
    frame = shares[shares["share"].notna() & (shares["share"] > 0)]
    frame = frame[~frame["country"].isin(inside)][["node_id", "country", "share"]]
    frame = frame.groupby(["node_id", "country"], sort=True)["share"].sum().reset_index()
    frame = frame.merge(ok, on="node_id", how="inner")
    frame = frame.merge(structural[["node_id", "knockout_weight"]], on="node_id", how="left")
    frame = frame.merge(nodes[["node_id", "substitutability", "recovery_months"]], on="node_id", how="left")
    sub_known = frame["substitutability"].notna().to_numpy()
    ttr_known = frame["recovery_months"].notna().to_numpy()
    factors = {
        "concentration": frame["hhi"].clip(0.0, 1.0).to_numpy(),
        "import_reliance": (1.0 - frame[own_col].fillna(0.0)).clip(0.0, 1.0).to_numpy(),
        "substitutability": (1.0 - frame["substitutability"].fillna(0.0)).to_numpy(),
        "time_to_recover": np.where(
            ttr_known,
            np.minimum(frame["recovery_months"].fillna(0.0) / thresholds.recovery_months_cap, 1.0),
            0.5,
        ),
    }
    w = np.array([weights.get(k, 0.0) for k in DEPENDENCY_KINDS], dtype=np.float64)
    stacked = np.column_stack([factors[k] for k in DEPENDENCY_KINDS])
    weighted = stacked * w
    severity = weighted.sum(axis=1) / (w.sum() or 1.0)
    reach = frame["knockout_weight"].fillna(0.0).to_numpy()
    share = frame["share"].to_numpy()
    risk = share * severity * reach
    kind = np.asarray(DEPENDENCY_KINDS, dtype=object)[weighted.argmax(axis=1)] if len(frame) else []
    out = pd.DataFrame(
        {
            "target_id": frame["node_id"] + "|" + frame["country"],
            "node_id": frame["node_id"],
            "supplier_country": frame["country"],
            "share": share,
            "reach": reach,
            **factors,
            "severity": severity,
            "risk": risk,
            "dependency_kind": kind,
        }
    )
    out["explanation"] = [
        _explain(row, bool(sk), bool(tk), weights)
        for row, sk, tk in zip(out.to_dict("records"), sub_known, ttr_known, strict=True)
    ]
    out = out.sort_values(["risk", "node_id", "supplier_country"], ascending=[False, True, True], kind="stable")
    return out.reset_index(drop=True)[list(RISK_COLUMNS)]


def _explain(row: dict[Hashable, Any], sub_known: bool, ttr_known: bool, w: dict[str, float]) -> str:
    f = {k: float(row[k]) for k in DEPENDENCY_KINDS}
    notes = []
    if not sub_known:
        notes.append("substitutability unknown: no substitute assumed")
    if not ttr_known:
        notes.append("time to recover unknown: factor 0.5 assumed")
    factor_text = ", ".join(f"{k} {f[k]:.3f} (w {w.get(k, 0.0):g})" for k in DEPENDENCY_KINDS)
    text = (
        f"{row['node_id']} from {row['supplier_country']}: risk = share "
        f"{float(row['share']):.3f} x severity {float(row['severity']):.3f} x reach "
        f"{float(row['reach']):.3f} = {float(row['risk']):.4f}; factors: {factor_text}; "
        f"dominant kind: {row['dependency_kind']}"
    )
    return text + ("; " + "; ".join(notes) if notes else "")
