"""Control points and the mutual-dependency view (docs/methods/control-points.md).

TNO (2024), "Grip op control points": a unique or leading activity on which others depend
heavily. No official threshold exists; these defaults are parameters and are shown:

- control point: holder share h_v >= ``control_home_share`` (0.65), or the holder is the top
  supplier with HHI > ``chokepoint_hhi`` (0.4); and the node reaches at least one final product
  (downstream, or itself), i.e. other countries' final products depend on it;
- leverage = h_v x (1 - substitutability_v) x reach_v, with reach_v the market-weighted share of
  final products cut by the node's knockout (0-1) and substitutability from the nodes frame
  (unknown substitutability is taken as 0 = no substitute, and the explanation says so).

Where shares are unknown, h_v lies in [h_low, h_high] (:mod:`supplychain.bounds`), so
leverage lies in [h_low (1 - sub) reach, h_high (1 - sub) reach], and the flag is three-valued:
``yes`` when h_low >= 0.65, or the holder is surely the top supplier (h_low above the largest
outside supplier's highest share) with HHI_low > 0.4, and h_low > 0; ``possible`` when the same
holds with the highest values (holder possibly top: h_high above the largest outside supplier's
lowest share); ``no`` otherwise. A node also needs reach > 0.

The holder is the home country (``Thresholds.home``) or its bloc (``Thresholds.bloc``).

Mutual dependency of home H with partner C, summed over nodes with sufficient data:
    risk(C) = sum_v x_C(v) (1 - h_v) reach_v   (what H needs from C beyond its own supply)
    leverage(C) = sum_v h_v (1 - x_C(v)) reach_v   (what C needs from H beyond its own supply)
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from supplychain.bounds import FLAG_VALUES
from supplychain.concentration import STATUS_OK
from supplychain.schema import all_equal, constant_labels, frame_of_columns, labels_from_codes
from supplychain.thresholds import DEFAULT_THRESHOLDS, Thresholds

__all__ = ["CONTROL_POINT_COLUMNS", "MUTUAL_COLUMNS", "control_points", "mutual_dependency"]

Holder = Literal["home", "bloc"]

CONTROL_POINT_COLUMNS = (
    "node_id",
    "holder",
    "holder_share",
    "holder_share_low",
    "holder_share_high",
    "holder_is_top",
    "hhi",
    "reach",
    "n_finals_reached",
    "substitutability",
    "leverage",
    "leverage_low",
    "leverage_high",
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
    out_col = "foreign_top_share" if holder == "home" else "bloc_foreign_top_share"
    bound_cols = [f"{share_col}_low", f"{share_col}_high", f"{out_col}_low", f"{out_col}_high", "hhi_low", "hhi_high"]
    needed = ["node_id", "status", share_col, "top_country", "top_supplier", "bloc_foreign_top_supplier", "hhi"]
    # the columns one by one (a multi-column selection would consolidate all of conc's blocks)
    frame = {name: conc[name].reset_index(drop=True) for name in needed + bound_cols}
    frame |= _attach(frame["node_id"], structural, ["knockout_weight", "n_finals_knockout"])
    frame |= _attach(frame["node_id"], nodes, ["substitutability"])
    ok = (frame["status"] == STATUS_OK).to_numpy(dtype=bool)
    share = np.where(ok, frame[share_col].fillna(0.0).to_numpy(), np.nan)
    lo, hi = frame[f"{share_col}_low"].to_numpy(dtype=float), frame[f"{share_col}_high"].to_numpy(dtype=float)
    out_lo, out_hi = frame[f"{out_col}_low"].to_numpy(dtype=float), frame[f"{out_col}_high"].to_numpy(dtype=float)
    if holder == "home":
        is_top = ok & (frame["top_country"] == name).to_numpy()
    else:
        is_top = ok & (frame["bloc_foreign_top_supplier"] != frame["top_supplier"]).to_numpy()
    hhi = frame["hhi"].to_numpy(dtype=float)
    reach = frame["knockout_weight"].fillna(0.0).to_numpy()
    sub_known = frame["substitutability"].notna().to_numpy()
    sub = frame["substitutability"].fillna(0.0).to_numpy()
    t_share, t_hhi = thresholds.control_home_share, thresholds.chokepoint_hhi
    top_sure = (lo > out_hi) | (is_top & (lo >= hi))
    top_maybe = hi >= out_lo
    hhi_lo, hhi_hi = frame["hhi_low"].to_numpy(dtype=float), frame["hhi_high"].to_numpy(dtype=float)
    sure = ((lo >= t_share) | (top_sure & (hhi_lo > t_hhi))) & (lo > 0)
    maybe = ((hi >= t_share) | (top_maybe & (hhi_hi > t_hhi))) & (hi > 0)
    flag = np.where(sure & (reach > 0), 2, np.where(maybe & (reach > 0), 1, 0))  # codes into FLAG_VALUES
    factor = (1.0 - sub) * reach
    leverage, lev_lo, lev_hi = share * factor, lo * factor, hi * factor
    texts = []
    for i, node in enumerate(frame["node_id"] if explain else []):
        held = f"{lo[i]:.3f}" if hi[i] - lo[i] < 5e-4 else f"at least {lo[i]:.3f} and at most {hi[i]:.3f}"
        point = hi[i] - lo[i] < 5e-4
        lev = f"{lo[i]:.3f} x (1 - {sub[i]:.2f}) x {reach[i]:.3f} = {lev_lo[i]:.3f}"
        if not point:
            lev = f"share x (1 - {sub[i]:.2f}) x {reach[i]:.3f}: at least {lev_lo[i]:.3f} and at most {lev_hi[i]:.3f}"
        why = (
            f"{name} share {held} (threshold {t_share}), "
            f"{'top supplier' if top_sure[i] else 'possibly top supplier' if top_maybe[i] else 'not top supplier'}, "
            f"HHI {_hhi_words(hhi[i], hhi_lo[i], hhi_hi[i])} (threshold {t_hhi}); "
            f"reach {reach[i]:.3f} of final products; "
            f"substitutability {sub[i]:.2f}{'' if sub_known[i] else ' (unknown, taken as 0)'}; "
            f"leverage = {lev}"
        )
        verdict = {"yes": "control point", "possible": "possibly a control point", "no": "not a control point"}
        texts.append(f"{node}: {verdict[FLAG_VALUES[flag[i]]]}: {why}")
    # order: leverage descending, ties by node id (a stable sort on -leverage of id-sorted rows)
    ids = frame["node_id"].reset_index(drop=True).astype("str")
    key = np.where(np.isnan(leverage), lev_lo, leverage)
    if len(ids) > 1 and not bool((ids.iloc[1:].reset_index(drop=True) >= ids.iloc[:-1].reset_index(drop=True)).all()):
        by_id = np.asarray(ids.argsort(kind="stable"), dtype=np.int64)
        perm = by_id[np.argsort(-key[by_id], kind="stable")]
    else:  # rows already in id order
        perm = np.argsort(-key, kind="stable")
    out = frame_of_columns(  # fresh arrays: kept as they are, not copied into one block
        {
            "node_id": ids.take(perm).reset_index(drop=True),
            "holder": constant_labels(name, len(perm)),
            "holder_share": share[perm],
            "holder_share_low": lo[perm],
            "holder_share_high": hi[perm],
            "holder_is_top": is_top[perm],
            "hhi": hhi[perm],
            "reach": reach[perm],
            "n_finals_reached": frame["n_finals_knockout"].fillna(0).astype(int).to_numpy()[perm],
            "substitutability": frame["substitutability"].to_numpy()[perm],
            "leverage": leverage[perm],
            "leverage_low": lev_lo[perm],
            "leverage_high": lev_hi[perm],
            "control_point": labels_from_codes(flag[perm], FLAG_VALUES),
            "explanation": [texts[i] for i in perm] if explain else constant_labels("", len(perm)),
        }
    )
    return out if tuple(out.columns) == CONTROL_POINT_COLUMNS else out[list(CONTROL_POINT_COLUMNS)]


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
        Country-level :func:`supplychain.shares.supplier_shares` frame.
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


def _hhi_words(point: float, low: float, high: float) -> str:
    if high - low < 5e-4:
        return f"{low:.3f}"
    return f"at least {low:.3f} and at most {high:.3f}" + ("" if point != point else f" (known shares {point:.3f})")


def _attach(ids: pd.Series, other: pd.DataFrame, columns: list[str]) -> dict[str, pd.Series]:
    """``columns`` of ``other`` for the node ids ``ids`` (a left join on ``node_id``; positional
    when the ids line up, by binary search when ``other``'s ids are sorted, else a merge)."""
    left_ids, right_ids = ids.reset_index(drop=True), other["node_id"].reset_index(drop=True)
    if all_equal(left_ids, right_ids):
        return {col: pd.Series(other[col].to_numpy()) for col in columns}
    left = left_ids.to_numpy(dtype=object)
    right = right_ids.to_numpy(dtype=object)
    if len(right) and len(left) and np.all(right[1:] > right[:-1]):
        pos = np.searchsorted(right, left)
        pos = np.minimum(pos, len(right) - 1)
        found = right[pos] == left
        return {col: pd.Series(np.where(found, other[col].to_numpy(dtype=np.float64)[pos], np.nan)) for col in columns}
    merged = pd.DataFrame({"node_id": left_ids}).merge(other[["node_id", *columns]], on="node_id", how="left")
    return {col: merged[col] for col in columns}
