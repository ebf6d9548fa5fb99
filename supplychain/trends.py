"""Concentration over time: HHI, top share and top supplier per node and reference year, and their change.

Observed data (USGS, IEA) give a node's supplier shares for several reference years. For each year this module
computes the same bounds as :mod:`supplychain.bounds` (so an unknown residual gives an interval, never a point),
then compares the first and the last year of each node:

- change_low  = HHI_low(last)  - HHI_high(first)   (the smallest rise any completion of the data allows),
- change_high = HHI_high(last) - HHI_low(first)    (the largest).

Rising concentration is three-valued like every flag of the analyser: ``yes`` when change_low >= delta, ``possible``
when only change_high >= delta, ``no`` otherwise. The default delta of 0.01 (100 points on the 0-10,000 scale) is
the change in HHI that the U.S. Department of Justice and Federal Trade Commission, Merger Guidelines (2023),
section 2.1, treat as a significant increase in a highly concentrated market; it is a setting
(``DEPS_RISING_HHI_DELTA``).

References
----------
U.S. Department of Justice and Federal Trade Commission (2023). *Merger Guidelines*, Guideline 1 and section 2.1.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from supplychain.bounds import tri_state
from supplychain.concentration import concentration
from supplychain.errors import ParameterError
from supplychain.thresholds import DEFAULT_THRESHOLDS, Thresholds

__all__ = ["TREND_COLUMNS", "YEAR_COLUMNS", "concentration_by_year", "concentration_trends"]

YEAR_COLUMNS = (
    "node_id",
    "year",
    "hhi_low",
    "hhi_high",
    "top_share_low",
    "top_share_high",
    "top_supplier",
    "coverage",
)
TREND_COLUMNS = (
    "node_id",
    "first_year",
    "last_year",
    "n_years",
    "hhi_first_low",
    "hhi_first_high",
    "hhi_last_low",
    "hhi_last_high",
    "hhi_change_low",
    "hhi_change_high",
    "top_supplier_first",
    "top_supplier_last",
    "top_share_last_low",
    "top_share_last_high",
    "rising",
    "explanation",
)


def concentration_by_year(
    provision: pd.DataFrame,
    countries: pd.DataFrame | None = None,
    *,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> pd.DataFrame:
    """HHI and top-share bounds and the top supplier of every node in every reference year it has.

    Parameters
    ----------
    provision
        Validated provision frame with a ``year`` column (rows without a year are left out).
    countries
        Countries frame for bloc membership, as in :func:`supplychain.concentration.concentration`.
    thresholds
        As in :func:`supplychain.concentration.concentration`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`YEAR_COLUMNS`, sorted by node then year. A year whose known shares cover less than
        ``thresholds.min_coverage`` still gets bounds (the top supplier is then empty).

    Examples
    --------
    >>> rows = pd.DataFrame({"node_id": ["ga"] * 4, "supplier_type": ["country"] * 4,
    ...     "supplier_id": ["CHN", "JPN", "CHN", "JPN"], "country": ["CHN", "JPN", "CHN", "JPN"],
    ...     "share": [0.6, 0.4, 0.9, 0.1], "year": [2015, 2015, 2022, 2022]})
    >>> from supplychain.schema import validate_provision
    >>> t = concentration_by_year(validate_provision(rows))
    >>> t[["year", "hhi_low", "top_supplier"]].round(3).to_dict("records")
    [{'year': 2015, 'hhi_low': 0.52, 'top_supplier': 'CHN'}, {'year': 2022, 'hhi_low': 0.82, 'top_supplier': 'CHN'}]
    """
    years = sorted(int(y) for y in pd.unique(provision["year"].dropna()))
    parts = []
    for year in years:
        conc = concentration(provision, countries, year=year, thresholds=thresholds)
        part = pd.DataFrame(
            {
                "node_id": conc["node_id"].to_numpy(),
                "year": year,
                "hhi_low": conc["hhi_low"].to_numpy(dtype=float),
                "hhi_high": conc["hhi_high"].to_numpy(dtype=float),
                "top_share_low": conc["top_share_low"].to_numpy(dtype=float),
                "top_share_high": conc["top_share_high"].to_numpy(dtype=float),
                "top_supplier": conc["top_supplier"].fillna("").astype(str).to_numpy(),
                "coverage": conc["coverage"].to_numpy(dtype=float),
            }
        )
        in_year = provision.loc[provision["year"] == year, "node_id"].unique()
        parts.append(part[part["node_id"].isin(in_year)])
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in YEAR_COLUMNS})
    out = pd.concat(parts, ignore_index=True)
    out["year"] = out["year"].astype(int)
    return out.sort_values(["node_id", "year"], kind="stable").reset_index(drop=True)[list(YEAR_COLUMNS)]


def concentration_trends(
    by_year: pd.DataFrame, *, rising_delta: float = DEFAULT_THRESHOLDS.rising_hhi_delta
) -> pd.DataFrame:
    """First-to-last change of concentration for every node with at least two reference years.

    Parameters
    ----------
    by_year
        Output of :func:`concentration_by_year`.
    rising_delta
        Rise of HHI (0-1 scale) that counts as rising concentration (module docstring).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`TREND_COLUMNS`, one row per node with two or more years, sorted by the largest possible
        rise first, then node id. ``hhi_change_low <= hhi_change_high``; a node whose shares are fully known in
        both years has equal ends.

    Examples
    --------
    >>> by_year = pd.DataFrame({"node_id": ["ga", "ga"], "year": [2015, 2022], "hhi_low": [0.52, 0.82],
    ...     "hhi_high": [0.52, 0.82], "top_share_low": [0.6, 0.9], "top_share_high": [0.6, 0.9],
    ...     "top_supplier": ["CHN", "CHN"], "coverage": [1.0, 1.0]})
    >>> concentration_trends(by_year)[["hhi_change_low", "rising"]].round(3).to_dict("records")
    [{'hhi_change_low': 0.3, 'rising': 'yes'}]
    """
    if rising_delta <= 0:
        raise ParameterError(f"rising_delta must be positive, got {rising_delta}")
    ordered = by_year.sort_values(["node_id", "year"], kind="stable")
    grouped = ordered.groupby("node_id", sort=True)
    first = grouped.head(1).set_index("node_id")
    last = grouped.tail(1).set_index("node_id")
    n_years = grouped["year"].nunique()
    keep = n_years[n_years >= 2].index
    first, last = first.loc[keep], last.loc[keep]
    change_low = last["hhi_low"].to_numpy() - first["hhi_high"].to_numpy()
    change_high = last["hhi_high"].to_numpy() - first["hhi_low"].to_numpy()
    rising = tri_state(change_low >= rising_delta - 1e-12, change_high >= rising_delta - 1e-12).to_numpy()
    out = pd.DataFrame(
        {
            "node_id": np.asarray(keep, dtype=object),
            "first_year": first["year"].to_numpy(dtype=int),
            "last_year": last["year"].to_numpy(dtype=int),
            "n_years": n_years.loc[keep].to_numpy(dtype=int),
            "hhi_first_low": first["hhi_low"].to_numpy(),
            "hhi_first_high": first["hhi_high"].to_numpy(),
            "hhi_last_low": last["hhi_low"].to_numpy(),
            "hhi_last_high": last["hhi_high"].to_numpy(),
            "hhi_change_low": change_low,
            "hhi_change_high": change_high,
            "top_supplier_first": first["top_supplier"].to_numpy(),
            "top_supplier_last": last["top_supplier"].to_numpy(),
            "top_share_last_low": last["top_share_low"].to_numpy(),
            "top_share_last_high": last["top_share_high"].to_numpy(),
            "rising": rising,
        }
    )
    out["explanation"] = [_explain(row, rising_delta) for row in out.to_dict("records")]
    out = out.sort_values(["hhi_change_high", "node_id"], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)[list(TREND_COLUMNS)]


def _span(low: float, high: float) -> str:
    return f"{low:.3f}" if abs(high - low) < 5e-4 else f"at least {low:.3f} and at most {high:.3f}"


def _explain(r: Mapping[Hashable, Any], delta: float) -> str:
    first, last = r["top_supplier_first"], r["top_supplier_last"]
    who = ""
    if first and last:
        who = f"; top supplier {first} -> {last}" if first != last else f"; top supplier {last} in both years"
    return (
        f"HHI {r['first_year']} {_span(r['hhi_first_low'], r['hhi_first_high'])} -> "
        f"{r['last_year']} {_span(r['hhi_last_low'], r['hhi_last_high'])}: change "
        f"{_span(r['hhi_change_low'], r['hhi_change_high'])} (rising when >= {delta:g}): {r['rising']}{who}"
    )
