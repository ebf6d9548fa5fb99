"""Supplier shares and concentration per node (METHODS.md section 1).

- HHI(v) = sum_s x_s^2 on the 0-1 scale; effective number of suppliers = 1 / HHI.
- Top share, CR3 (sum of the three largest shares), home share h_v (suppliers in the home
  country) and bloc share (suppliers in the home bloc).
- Unknown shares (NaN: supplier known, share unknown) are never read as 0: coverage = sum of
  the known shares, and below ``Thresholds.min_coverage`` the numbers are withheld and the
  status says "insufficient data".
- Country view: a node's country rows when it has any, else its firm rows summed per
  headquarters country; the ``basis`` column says which. Firm view: the firm rows.
- Shares are used as given (no rescaling): published country shares sum to 0.99-1.02 because of
  rounding, and check values (e.g. ArF immersion NLD 0.993) are reproduced exactly.
- CBS bands (Dutch statistics office): HHI >= 0.25 "concentrated", 0.15-0.25 "somewhat".
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from supplychain.errors import SchemaError
from supplychain.schema import bloc_members
from supplychain.thresholds import DEFAULT_THRESHOLDS, Thresholds

__all__ = [
    "BASIS_COUNTRY_ROWS",
    "BASIS_FIRM_ROWS",
    "BASIS_HEADQUARTERS",
    "CONCENTRATION_COLUMNS",
    "STATUS_INSUFFICIENT",
    "STATUS_OK",
    "cbs_band",
    "concentration",
    "supplier_shares",
]

Level = Literal["country", "firm"]

BASIS_COUNTRY_ROWS = "country rows"
BASIS_HEADQUARTERS = "firm rows summed by headquarters country"
BASIS_FIRM_ROWS = "firm rows"
STATUS_OK = "ok"
STATUS_INSUFFICIENT = "insufficient data"

SHARES_COLUMNS = ("node_id", "supplier_id", "country", "share", "year", "basis", "source")
CONCENTRATION_COLUMNS = (
    "node_id",
    "level",
    "basis",
    "year",
    "n_suppliers",
    "n_unknown_share",
    "coverage",
    "status",
    "hhi",
    "effective_suppliers",
    "top_supplier",
    "top_country",
    "top_share",
    "cr3",
    "home_share",
    "bloc_share",
    "foreign_top_supplier",
    "foreign_top_country",
    "foreign_top_share",
    "bloc_foreign_top_supplier",
    "bloc_foreign_top_country",
    "bloc_foreign_top_share",
    "cbs_band",
    "sources",
)


def supplier_shares(
    provision: pd.DataFrame, *, level: Level = "country", year: int | None = None
) -> pd.DataFrame:
    """One row per (node, supplier) in the chosen view.

    Parameters
    ----------
    provision
        Validated provision frame (:func:`supplychain.schema.validate_provision`).
    level
        ``"country"``: country rows, or firm rows summed per headquarters country for nodes
        without country rows; ``"firm"``: firm rows only.
    year
        Reference year; ``None`` takes, per node and supplier type, the latest year present.

    Returns
    -------
    pandas.DataFrame
        Columns ``node_id, supplier_id, country, share, year, basis, source``; ``share`` is NaN
        when unknown (for an aggregate: when no firm of that country has a known share).
    """
    if level not in ("country", "firm"):
        raise SchemaError(f"level must be 'country' or 'firm', not {level!r}")
    rows = _pick_year(provision, year)
    firms = rows[rows["supplier_type"] == "firm"]
    if level == "firm":
        out = firms.assign(basis=BASIS_FIRM_ROWS)
        return _tidy(out)
    countries = rows[rows["supplier_type"] == "country"]
    out_c = countries.assign(supplier_id=countries["country"], basis=BASIS_COUNTRY_ROWS)
    agg_from = firms[~firms["node_id"].isin(countries["node_id"])]
    if len(agg_from):
        grouped = agg_from.groupby(["node_id", "country"], sort=True)
        agg = grouped.agg(
            share=("share", lambda s: s.sum(min_count=1)),
            year=("year", "max"),
            source=("source", lambda s: "; ".join(sorted(set(s) - {""}))),
        ).reset_index()
        agg["supplier_id"] = agg["country"]
        agg["basis"] = BASIS_HEADQUARTERS
        out_c = pd.concat([out_c, agg], ignore_index=True)
    return _tidy(out_c)


def concentration(
    provision: pd.DataFrame,
    countries: pd.DataFrame | None = None,
    *,
    level: Level = "country",
    year: int | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> pd.DataFrame:
    """Concentration metrics per node.

    Parameters
    ----------
    provision
        Validated provision frame.
    countries
        Countries frame, for bloc membership (``thresholds.bloc``); without it the bloc holds
        only the home country.
    level, year
        See :func:`supplier_shares`.
    thresholds
        ``home``, ``bloc``, ``min_coverage`` and the CBS bands are used.

    Returns
    -------
    pandas.DataFrame
        One row per node with provision rows, columns :data:`CONCENTRATION_COLUMNS`. Shares are
        fractions. ``foreign_*`` = largest supplier outside the home country, ``bloc_foreign_*``
        = largest supplier outside the bloc. When ``status`` is "insufficient data" (coverage
        below ``min_coverage``) every share-based number is NaN.
    """
    shares = supplier_shares(provision, level=level, year=year)
    bloc = _bloc(countries, thresholds)
    home = thresholds.home
    known = shares["share"].notna()
    s = shares["share"].fillna(0.0).to_numpy()
    node = shares["node_id"]
    in_home = (shares["country"] == home).to_numpy()
    in_bloc = shares["country"].isin(bloc).to_numpy()
    frame = pd.DataFrame(
        {
            "node_id": node,
            "n": 1,
            "unknown": (~known).astype(int),
            "cov": s,
            "sq": s * s,
            "home": np.where(in_home, s, 0.0),
            "bloc": np.where(in_bloc, s, 0.0),
        }
    )
    g = frame.groupby("node_id", sort=True).sum()
    out = pd.DataFrame(index=g.index)
    out["level"] = level
    meta = shares.groupby("node_id", sort=True).agg(
        basis=("basis", "first"),
        year=("year", "max"),
        sources=("source", lambda x: "; ".join(sorted(set(x) - {""}))),
    )
    out = out.join(meta)
    out["n_suppliers"] = g["n"].astype(int)
    out["n_unknown_share"] = g["unknown"].astype(int)
    out["coverage"] = g["cov"]
    ok = g["cov"] >= thresholds.min_coverage
    out["status"] = np.where(ok, STATUS_OK, STATUS_INSUFFICIENT)
    out["hhi"] = g["sq"].where(ok)
    out["effective_suppliers"] = (1.0 / out["hhi"]).where(out["hhi"] > 0)
    ranked = shares.assign(_s=s).sort_values(
        ["node_id", "_s", "supplier_id"], ascending=[True, False, True], kind="stable"
    )
    top = ranked.drop_duplicates("node_id").set_index("node_id")
    out["top_supplier"] = top["supplier_id"]
    out["top_country"] = top["country"]
    out["top_share"] = top["_s"].where(ok)
    rank = ranked.groupby("node_id", sort=False).cumcount()
    out["cr3"] = ranked[rank < 3].groupby("node_id", sort=True)["_s"].sum().where(ok)
    out["home_share"] = g["home"].where(ok)
    out["bloc_share"] = g["bloc"].where(ok)
    for prefix, mask in (("foreign", ~in_home), ("bloc_foreign", ~in_bloc)):
        sub = ranked[mask[ranked.index.to_numpy()]].drop_duplicates("node_id")
        sub = sub.set_index("node_id")
        out[f"{prefix}_top_supplier"] = sub["supplier_id"]
        out[f"{prefix}_top_country"] = sub["country"]
        out[f"{prefix}_top_share"] = sub["_s"].reindex(out.index).fillna(0.0).where(ok)
    for col in ("top", "foreign_top", "bloc_foreign_top"):
        for part in ("supplier", "country"):
            name = f"{col}_{part}"
            out[name] = out[name].fillna("").where(ok, "")
    out["cbs_band"] = [cbs_band(h, thresholds=thresholds) for h in out["hhi"]]
    return out.reset_index()[list(CONCENTRATION_COLUMNS)]


def cbs_band(hhi: float, *, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> str:
    """CBS import-concentration band of an HHI (0-1 scale): concentrated / somewhat / low.

    Returns "insufficient data" for NaN.
    """
    if hhi != hhi:  # NaN
        return STATUS_INSUFFICIENT
    if hhi >= thresholds.cbs_concentrated:
        return "concentrated"
    if hhi >= thresholds.cbs_somewhat:
        return "somewhat concentrated"
    return "not concentrated"


def _bloc(countries: pd.DataFrame | None, thresholds: Thresholds) -> frozenset[str]:
    members = frozenset() if countries is None else bloc_members(countries, thresholds.bloc)
    return members | {thresholds.home}


def _pick_year(provision: pd.DataFrame, year: int | None) -> pd.DataFrame:
    if year is not None:
        return provision[provision["year"] == year]
    yr = provision["year"].astype("float64").fillna(-1.0)
    latest = yr.groupby([provision["node_id"], provision["supplier_type"]]).transform("max")
    return provision[yr == latest]


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame[list(SHARES_COLUMNS)].copy()
    out = out.sort_values(["node_id", "supplier_id"], kind="stable").reset_index(drop=True)
    return out
