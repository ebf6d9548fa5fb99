"""Control points and the mutual-dependency view (docs/methods/control-points.md).

TNO (2024), "Grip op control points": a unique or leading activity on which others depend
heavily. No official threshold exists; these defaults are parameters and are shown:

- control point: holder share h_v >= ``control_home_share`` (0.65), or the holder is the top
  supplier with HHI > ``chokepoint_hhi`` (0.4); and the node reaches at least one final product
  (downstream, or itself), i.e. other countries' final products depend on it;
- leverage = h_v x (1 - substitutability_v) x reach_v, with reach_v the market-weighted share of
  final products cut by the node's knockout (0-1) and substitutability from the nodes frame
  (unknown substitutability is taken as 0 = no substitute, and the explanation says so).

The holder is the home country (``Thresholds.home``) or its bloc (``Thresholds.bloc``).

Mutual dependency of home H with partner C, summed over nodes with sufficient data:
    risk(C) = sum_v x_C(v) (1 - h_v) reach_v   (what H needs from C beyond its own supply)
    leverage(C) = sum_v h_v (1 - x_C(v)) reach_v   (what C needs from H beyond its own supply)
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from supplychain.concentration import STATUS_OK
from supplychain.thresholds import DEFAULT_THRESHOLDS, Thresholds

__all__ = ["CONTROL_POINT_COLUMNS", "MUTUAL_COLUMNS", "control_points", "mutual_dependency"]

Holder = Literal["home", "bloc"]

CONTROL_POINT_COLUMNS = (
    "node_id",
    "holder",
    "holder_share",
    "holder_is_top",
    "hhi",
    "reach",
    "n_finals_reached",
    "substitutability",
    "leverage",
    "control_point",
    "explanation",
)
MUTUAL_COLUMNS = (
    "partner",
    "risk",
    "leverage",
    "balance",
    "n_nodes_partner_top",
    "n_nodes_home_top",
    "verdict",
)


def control_points(
    conc: pd.DataFrame,
    structural: pd.DataFrame,
    nodes: pd.DataFrame,
    *,
    holder: Holder = "home",
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    explain: bool = True,
) -> pd.DataFrame:
    """Control points of the home country (or bloc) with their leverage.

    Parameters
    ----------
    conc
        Country-level concentration frame (:func:`supplychain.concentration.concentration`).
    structural
        :func:`supplychain.chokepoints.structural_chokepoints` frame (for reach).
    nodes
        Validated nodes frame (for ``substitutability``).
    holder
        ``"home"``: ``thresholds.home``; ``"bloc"``: ``thresholds.bloc``.
    thresholds
        ``control_home_share``, ``chokepoint_hhi``.
    explain
        Build the explanation text (False: empty strings, for large graphs).

    Returns
    -------
    pandas.DataFrame
        One row per node with concentration data, columns :data:`CONTROL_POINT_COLUMNS`,
        sorted by leverage (descending) then ``node_id``.
    """
    name = thresholds.home if holder == "home" else thresholds.bloc
    share_col = "home_share" if holder == "home" else "bloc_share"
    needed = ["node_id", "status", share_col, "top_country", "top_supplier", "bloc_foreign_top_supplier", "hhi"]
    frame = _attach(conc[needed].reset_index(drop=True), structural, ["knockout_weight", "n_finals_knockout"])
    frame = _attach(frame, nodes, ["substitutability"])
    frame = frame[(frame["status"] == STATUS_OK).to_numpy(dtype=bool)].reset_index(drop=True)
    share = frame[share_col].fillna(0.0).to_numpy()
    if holder == "home":
        is_top = (frame["top_country"] == name).to_numpy()
    else:
        is_top = (frame["bloc_foreign_top_supplier"] != frame["top_supplier"]).to_numpy()
    hhi = frame["hhi"].to_numpy()
    reach = frame["knockout_weight"].fillna(0.0).to_numpy()
    sub_known = frame["substitutability"].notna().to_numpy()
    sub = frame["substitutability"].fillna(0.0).to_numpy()
    leading = (share >= thresholds.control_home_share) | (is_top & (hhi > thresholds.chokepoint_hhi))
    flag = leading & (reach > 0) & (share > 0)
    leverage = share * (1.0 - sub) * reach
    texts = []
    for i, node in enumerate(frame["node_id"] if explain else []):
        why = (
            f"{name} share {share[i]:.3f} (threshold {thresholds.control_home_share}), "
            f"{'top supplier' if is_top[i] else 'not top supplier'}, HHI {hhi[i]:.3f} "
            f"(threshold {thresholds.chokepoint_hhi}); reach {reach[i]:.3f} of final products; "
            f"substitutability {sub[i]:.2f}{'' if sub_known[i] else ' (unknown, taken as 0)'}; "
            f"leverage = {share[i]:.3f} x (1 - {sub[i]:.2f}) x {reach[i]:.3f} = {leverage[i]:.3f}"
        )
        verdict = "control point" if flag[i] else "not a control point"
        texts.append(f"{node}: {verdict}: {why}")
    # order: leverage descending, ties by node id (a stable sort on -leverage of id-sorted rows)
    ids = frame["node_id"].reset_index(drop=True).astype("str")
    if len(ids) > 1 and not bool((ids.iloc[1:].reset_index(drop=True) >= ids.iloc[:-1].reset_index(drop=True)).all()):
        by_id = np.asarray(ids.argsort(kind="stable"), dtype=np.int64)
    else:
        by_id = np.arange(len(ids), dtype=np.int64)
    perm = by_id[np.argsort(-leverage[by_id], kind="stable")]
    out = pd.DataFrame(
        {
            "node_id": ids.take(perm).reset_index(drop=True),
            "holder": name,
            "holder_share": share[perm],
            "holder_is_top": is_top[perm],
            "hhi": hhi[perm],
            "reach": reach[perm],
            "n_finals_reached": frame["n_finals_knockout"].fillna(0).astype(int).to_numpy()[perm],
            "substitutability": frame["substitutability"].to_numpy()[perm],
            "leverage": leverage[perm],
            "control_point": flag[perm],
            "explanation": [texts[i] for i in perm] if explain else "",
        }
    )
    return out.reset_index(drop=True)[list(CONTROL_POINT_COLUMNS)]


def mutual_dependency(
    shares: pd.DataFrame,
    conc: pd.DataFrame,
    structural: pd.DataFrame,
    *,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> pd.DataFrame:
    """What home needs from each partner country beside what the partner needs from home.

    Parameters
    ----------
    shares
        Country-level :func:`supplychain.concentration.supplier_shares` frame.
    conc
        Country-level concentration frame (status and home share).
    structural
        Structural frame (``knockout_weight`` = reach).
    thresholds
        ``home`` and ``chokepoint_top_share``.

    Returns
    -------
    pandas.DataFrame
        One row per partner country, columns :data:`MUTUAL_COLUMNS`; ``verdict`` is
        "mutual" (both > 0), "one-sided: home depends" (risk only), "one-sided: partner
        depends" (leverage only) or "none"; sorted by risk descending.
    """
    home = thresholds.home
    ok = conc.loc[conc["status"] == STATUS_OK, ["node_id", "home_share", "top_country"]]
    ok = ok.merge(structural[["node_id", "knockout_weight"]], on="node_id", how="left")
    ok["reach"] = ok["knockout_weight"].fillna(0.0)
    partners = sorted(set(shares["country"]) - {home, ""})
    x = shares[shares["node_id"].isin(ok["node_id"])].pivot_table(
        index="node_id", columns="country", values="share", aggfunc="sum", fill_value=0.0
    )
    x = x.reindex(index=ok["node_id"], columns=partners, fill_value=0.0).fillna(0.0)
    h = ok["home_share"].fillna(0.0).to_numpy()[:, None]
    r = ok["reach"].to_numpy()[:, None]
    xv = x.to_numpy(dtype=np.float64)
    risk = (xv * (1.0 - h) * r).sum(axis=0)
    lev = (h * (1.0 - xv) * r * (h > 0)).sum(axis=0)
    top_t = thresholds.chokepoint_top_share
    partner_top = (xv >= top_t).sum(axis=0)
    home_top = ((h >= top_t) & (xv < top_t)).sum(axis=0)
    verdict = np.where(
        (risk > 0) & (lev > 0),
        "mutual",
        np.where(risk > 0, "one-sided: home depends", np.where(lev > 0, "one-sided: partner depends", "none")),
    )
    out = pd.DataFrame(
        {
            "partner": partners,
            "risk": risk,
            "leverage": lev,
            "balance": lev - risk,
            "n_nodes_partner_top": partner_top.astype(int),
            "n_nodes_home_top": home_top.astype(int),
            "verdict": verdict,
        }
    )
    out = out.sort_values(["risk", "partner"], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)[list(MUTUAL_COLUMNS)]


def _attach(frame: pd.DataFrame, other: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Left-join ``columns`` of ``other`` on ``node_id`` (positional when the ids line up)."""
    out = frame.copy()
    left_ids, right_ids = frame["node_id"].reset_index(drop=True), other["node_id"].reset_index(drop=True)
    if len(left_ids) == len(right_ids) and bool((left_ids == right_ids).all()):
        for col in columns:
            out[col] = other[col].to_numpy()
        return out
    left = left_ids.to_numpy(dtype=object)
    right = right_ids.to_numpy(dtype=object)
    if len(right) and len(left) and np.all(right[1:] > right[:-1]):
        pos = np.searchsorted(right, left)
        pos = np.minimum(pos, len(right) - 1)
        found = right[pos] == left
        for col in columns:
            values = other[col].to_numpy(dtype=np.float64)[pos]
            out[col] = np.where(found, values, np.nan)
        return out
    return frame.merge(other[["node_id", *columns]], on="node_id", how="left")
