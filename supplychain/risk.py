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
node's knockout cuts. Nodes with insufficient share data and suppliers with unknown shares get
no row: no number is made up.

Ranges. The two analyst inputs carry a range: the node's ``*_low`` / ``*_high`` columns where a
publication gives one (e.g. rounding of a printed index), the value itself where only a value is
given, and the whole domain where the value is unknown (substitutability [0, 1], time-to-recover
factor [0, 1]). ``severity_low`` / ``severity_high`` and ``risk_low`` / ``risk_high`` evaluate the
formula at the ends of these ranges (severity is increasing in every factor, so these are the exact
bounds); ``assumed`` names the factors that rest on an assumed value ('' when none does).

``dependency_kind`` is the factor with the largest weighted value **among the factors known from
data** (concentration and import reliance always are; substitutability and time to recover only
where the node gives them), ties in the order concentration, import_reliance, substitutability,
time_to_recover. An assumed value therefore never decides the kind; it tells the optimiser which
effect curve applies (diversification, capacity, research, stocks).
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
    "severity_low",
    "severity_high",
    "risk",
    "risk_low",
    "risk_high",
    "dependency_kind",
    "assumed",
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
        Country-level :func:`supplychain.shares.supplier_shares` frame.
    conc
        Country-level concentration frame.
    structural
        :func:`supplychain.chokepoints.structural_chokepoints` frame (``knockout_weight``).
    nodes
        Validated nodes frame (``substitutability``, ``recovery_months`` and their ``_low`` /
        ``_high`` ranges).
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
    analyst = [f"{b}{e}" for b in ("substitutability", "recovery_months") for e in ("", "_low", "_high")]
    frame = frame.merge(nodes[["node_id", *[c for c in analyst if c in nodes.columns]]], on="node_id", how="left")
    for col in analyst:
        if col not in frame.columns:
            frame[col] = np.nan
    sub_known = frame["substitutability"].notna().to_numpy()
    ttr_known = frame["recovery_months"].notna().to_numpy()
    cap = thresholds.recovery_months_cap

    def ttr(col: str) -> np.ndarray:
        return np.minimum(frame[col].to_numpy(dtype=np.float64) / cap, 1.0)

    sub = frame["substitutability"].to_numpy(dtype=np.float64)
    sub_lo = frame["substitutability_low"].fillna(frame["substitutability"]).to_numpy(dtype=np.float64)
    sub_hi = frame["substitutability_high"].fillna(frame["substitutability"]).to_numpy(dtype=np.float64)
    conc_f = frame["hhi"].clip(0.0, 1.0).to_numpy()
    reliance = (1.0 - frame[own_col].fillna(0.0)).clip(0.0, 1.0).to_numpy()
    factors = {
        "concentration": conc_f,
        "import_reliance": reliance,
        "substitutability": np.where(sub_known, 1.0 - sub, 1.0),
        "time_to_recover": np.where(ttr_known, ttr("recovery_months"), 0.5),
    }
    # factor ranges: a range given in the data, else the value, else the whole domain [0, 1]
    lows = {
        **{k: factors[k] for k in ("concentration", "import_reliance")},
        "substitutability": np.nan_to_num(1.0 - sub_hi, nan=0.0),
        "time_to_recover": np.nan_to_num(ttr("recovery_months_low"), nan=0.0),
    }
    highs = {
        **{k: factors[k] for k in ("concentration", "import_reliance")},
        "substitutability": np.nan_to_num(1.0 - sub_lo, nan=1.0),
        "time_to_recover": np.nan_to_num(ttr("recovery_months_high"), nan=1.0),
    }
    lows["time_to_recover"] = np.where(
        ttr_known & np.isnan(ttr("recovery_months_low")), factors["time_to_recover"], lows["time_to_recover"]
    )
    highs["time_to_recover"] = np.where(
        ttr_known & np.isnan(ttr("recovery_months_high")), factors["time_to_recover"], highs["time_to_recover"]
    )
    w = np.array([weights.get(k, 0.0) for k in DEPENDENCY_KINDS], dtype=np.float64)
    total_w = w.sum() or 1.0

    def severity_of(values: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        weighted = np.column_stack([values[k] for k in DEPENDENCY_KINDS]) * w
        return weighted, weighted.sum(axis=1) / total_w

    weighted, severity = severity_of(factors)
    severity_low = severity_of(lows)[1]
    severity_high = severity_of(highs)[1]
    reach = frame["knockout_weight"].fillna(0.0).to_numpy()
    share = frame["share"].to_numpy()
    risk = share * severity * reach
    known = np.column_stack([np.ones(len(frame), bool), np.ones(len(frame), bool), sub_known, ttr_known])
    deciding = np.where(known, weighted, -np.inf)
    kind = np.asarray(DEPENDENCY_KINDS, dtype=object)[deciding.argmax(axis=1)] if len(frame) else []
    assumed = [
        ";".join(name for name, ok in (("substitutability", sk), ("time_to_recover", tk)) if not ok)
        for sk, tk in zip(sub_known, ttr_known, strict=True)
    ]
    out = pd.DataFrame(
        {
            "target_id": frame["node_id"] + "|" + frame["country"],
            "node_id": frame["node_id"],
            "supplier_country": frame["country"],
            "share": share,
            "reach": reach,
            **factors,
            "severity": severity,
            "severity_low": severity_low,
            "severity_high": severity_high,
            "risk": risk,
            "risk_low": share * severity_low * reach,
            "risk_high": share * severity_high * reach,
            "dependency_kind": kind,
            "assumed": assumed,
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
        notes.append("substitutability unknown: no substitute assumed (range 0-1; not used for the kind)")
    if not ttr_known:
        notes.append("time to recover unknown: factor 0.5 assumed (range 0-1; not used for the kind)")
    factor_text = ", ".join(f"{k} {f[k]:.3f} (w {w.get(k, 0.0):g})" for k in DEPENDENCY_KINDS)
    text = (
        f"{row['node_id']} from {row['supplier_country']}: risk = share "
        f"{float(row['share']):.3f} x severity {float(row['severity']):.3f} x reach "
        f"{float(row['reach']):.3f} = {float(row['risk']):.4f}; factors: {factor_text}; "
        f"dominant kind: {row['dependency_kind']}"
    )
    return text + ("; " + "; ".join(notes) if notes else "")
