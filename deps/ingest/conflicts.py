"""Where sources disagree: the seed's hand-typed shares against USGS, IEA (and the EU CRM study) for the same node,
supplier and year.

For every country row of the seed with a share whose node ``data/commodity_map.csv`` maps to a stage of a source in
``observed`` (any role; map rows of other sources are skipped), :func:`share_conflicts` looks up the observed share
of the same supplier in the same reference year (observed before estimated, then the newest release) and reports the
difference in percentage points.  Rows whose difference exceeds the threshold (``DEPS_CONFLICT_PP``, default 10) are
conflicts; the rest agree within it.  A seed row with no observed counterpart for that year is reported as
``no observed value`` (not a conflict).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from deps.ingest.observed import ValidatedObserved

__all__ = ["COMPARISON_COLUMNS", "CONFLICT_PP", "share_conflicts"]

#: Default threshold in percentage points (the issue's "differences of more than 10 percentage points").
CONFLICT_PP = 10.0
COMPARISON_COLUMNS = (
    "node_id",
    "supplier_id",
    "year",
    "seed_pct",
    "seed_source",
    "observed_pct",
    "observed_source",
    "stage_code",
    "difference_pp",
    "status",
)


def share_conflicts(
    seed: pd.DataFrame,
    commodity_map: pd.DataFrame,
    observed: Mapping[str, ValidatedObserved],
    *,
    threshold_pp: float = CONFLICT_PP,
) -> pd.DataFrame:
    """Compare seed country shares (``provision.csv`` columns) with the observed shares of the mapped stages.

    Returns one row per compared seed row with :data:`COMPARISON_COLUMNS`; ``status`` is ``agrees``,
    ``conflict`` (|difference| > ``threshold_pp``) or ``no observed value``.  When several mapped stages give a
    value: an observed figure before an estimated one, then the ``primary`` mapping, then the newest release.
    """
    mapped = set(commodity_map["node_id"])
    shares = seed[
        seed["supplier_type"].eq("country")
        & seed["share_pct"].astype(str).str.strip().ne("")
        & seed["node_id"].isin(mapped)
    ]
    order = commodity_map.assign(rank=commodity_map["role"].map({"primary": 0, "alternative": 1}))
    order = order.sort_values("rank", kind="stable")
    rows: list[tuple[object, ...]] = []
    for r in shares.to_dict(orient="records"):
        node, supplier, source = str(r["node_id"]), str(r["supplier_id"]), str(r["source_id"])
        seed_pct = float(str(r["share_pct"]))
        year = int(str(r["year"])) if str(r["year"]).strip() else None
        candidates: list[tuple[bool, int, str, float, str]] = []
        for m in order[order["node_id"].eq(node)].to_dict(orient="records"):
            if str(m["source"]) not in observed:  # a source not given (e.g. the EU CRM study) is not compared
                continue
            stage = str(m["stage_code"])
            hit = _lookup(observed[str(m["source"])].provision, stage, str(m["basis"]), supplier, year)
            if hit is not None:
                candidates.append((hit[0], -int(str(m["rank"])), hit[2], hit[1], stage))
        if not candidates:
            rows.append((node, supplier, year, seed_pct, source, None, "", "", None, "no observed value"))
            continue
        # observed before estimated, then the primary mapping, then the newest release
        _first, _rank, vintage, pct, stage = max(candidates)
        diff = pct - seed_pct
        status = "conflict" if abs(diff) > threshold_pp else "agrees"
        rows.append((node, supplier, year, seed_pct, source, pct, vintage, stage, diff, status))
    return pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))


def _lookup(table: pd.DataFrame, stage: str, basis: str, iso3: str, year: int | None) -> tuple[bool, float, str] | None:
    rows = table[
        table["node"].eq(stage)
        & table["basis"].eq(basis)
        & table["iso3"].eq(iso3)
        & table["share"].notna()
        & table["evidence"].isin(["observed", "estimated"])
    ]
    if year is not None:
        rows = rows[rows["year"].eq(year)]
    if rows.empty:
        return None
    rows = rows.assign(first=rows["evidence"].eq("observed")).sort_values(["first", "vintage"], kind="stable")
    best = rows.iloc[-1]
    return bool(best["first"]), round(float(best["share"]) * 100, 3), str(best["vintage"])
