"""The supplier rows of a view: one row per (node, supplier), country or firm (docs/methods/concentration.md).

Country view: a node's country rows when it has any, else its firm rows summed per headquarters country; the
``basis`` column says which.  Firm view: the firm rows.  Per node and supplier type the latest reference year is
taken unless a year is given.  Concentration, bounds, disruption and risk all start from these rows.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from supplychain.errors import SchemaError
from supplychain.schema import all_equal, constant_labels

__all__ = [
    "BASIS_COUNTRY_ROWS",
    "BASIS_FIRM_ROWS",
    "BASIS_HEADQUARTERS",
    "SHARES_COLUMNS",
    "Level",
    "supplier_shares",
]

Level = Literal["country", "firm"]

BASIS_COUNTRY_ROWS = "country rows"
BASIS_HEADQUARTERS = "firm rows summed by headquarters country"
BASIS_FIRM_ROWS = "firm rows"
SHARES_COLUMNS = ("node_id", "supplier_id", "country", "share", "year", "basis", "data_basis", "source")


def supplier_shares(provision: pd.DataFrame, *, level: Level = "country", year: int | None = None) -> pd.DataFrame:
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
        Columns ``node_id, supplier_id, country, share, year, basis, data_basis, source``;
        ``basis`` names the view (country rows / firm rows summed by headquarters / firm rows),
        ``data_basis`` the provision rows' own basis (e.g. headquarters or production site);
        ``share`` is NaN when unknown (for an aggregate: when no firm of that country has a
        known share).
    """
    if level not in ("country", "firm"):
        raise SchemaError(f"level must be 'country' or 'firm', not {level!r}")
    rows = _pick_year(provision, year)
    is_firm = (rows["supplier_type"] == "firm").to_numpy(dtype=bool)
    if level == "firm":
        firm_rows = rows[is_firm]
        return _tidy(firm_rows.assign(data_basis=firm_rows["basis"], basis=BASIS_FIRM_ROWS))
    countries = rows[~is_firm]
    out_c = countries.assign(
        supplier_id=countries["country"],
        data_basis=countries["basis"],
        basis=constant_labels(BASIS_COUNTRY_ROWS, len(countries), countries.index),
    )
    presorted = all_equal(countries["supplier_id"], countries["country"])
    firms = rows[is_firm]
    if len(firms):
        has_country_rows = pd.Index(countries["node_id"].unique())
        agg_from = firms[has_country_rows.get_indexer(firms["node_id"]) < 0]
        if len(agg_from):
            grouped = agg_from.groupby(["node_id", "country"], sort=True)
            agg = grouped["share"].sum(min_count=1).to_frame()
            agg["year"] = grouped["year"].max()
            agg["source"] = grouped["source"].agg(lambda x: "; ".join(sorted(set(x) - {""})))
            agg["data_basis"] = grouped["basis"].agg(lambda x: "; ".join(sorted(set(x) - {""})))
            agg = agg.reset_index()
            agg["supplier_id"] = agg["country"]
            agg["basis"] = BASIS_HEADQUARTERS
            out_c = pd.concat([out_c, agg], ignore_index=True)
            presorted = False
    return _tidy(out_c, presorted=presorted)


def _pick_year(provision: pd.DataFrame, year: int | None) -> pd.DataFrame:
    if year is not None:
        return provision[(provision["year"] == year).fillna(False).to_numpy(dtype=bool)]
    yr = provision["year"].astype("float64").fillna(-1.0).to_numpy()
    if len(yr) == 0 or (yr == yr[0]).all():
        return provision
    key = pd.factorize(provision["node_id"])[0] * 2 + (provision["supplier_type"] == "firm")
    latest = pd.Series(yr).groupby(np.asarray(key)).transform("max").to_numpy()
    return provision[yr == latest]


def _tidy(frame: pd.DataFrame, *, presorted: bool = False) -> pd.DataFrame:
    out = frame[list(SHARES_COLUMNS)]
    if not presorted:
        out = out.sort_values(["node_id", "supplier_id"], kind="stable")
    return out.reset_index(drop=True)
