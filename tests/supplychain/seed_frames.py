"""Test helper: the project's seed (data/*.csv) as the engine's input frames, without a database.

The mapping follows the template importer: shares in % divided by 100 (blank = known supplier,
unknown share), a firm's country from firms.csv, the EU27 bloc from countries.csv's ``eu27``
column, governance g = (2.5 - w) x 2 from the WGI estimate w. Market weights are 1 (the seed
has none).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

DATA = Path(__file__).resolve().parents[2] / "data"


@cache
def _frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    raw = pd.read_csv(DATA / "nodes.csv", dtype=str, keep_default_na=False)
    nodes = raw[["node_id", "name", "kind", "sectors", "markets"]].assign(market_weight=1.0)
    e = pd.read_csv(DATA / "edges.csv", dtype=str, keep_default_na=False)
    edges = pd.DataFrame({"src": e["from_node"], "dst": e["to_node"], "relation": e["relation"]})
    p = pd.read_csv(DATA / "provision.csv", dtype=str, keep_default_na=False)
    firms = pd.read_csv(DATA / "firms.csv", dtype=str, keep_default_na=False).set_index("firm_id")["hq_iso3"]
    is_firm = p["supplier_type"] == "firm"
    provision = pd.DataFrame(
        {
            "node_id": p["node_id"],
            "supplier_id": p["supplier_id"],
            "supplier_type": p["supplier_type"],
            "country": p["supplier_id"].where(~is_firm, p["supplier_id"].map(firms)),
            "share": pd.to_numeric(p["share_pct"].replace("", None)) / 100.0,
            "year": pd.to_numeric(p["year"]).astype("Int64"),
            "source": p["source_id"],
            "evidence": p["evidence"],
            "confidence": p["confidence"],
            "basis": p["basis"],
        }
    )
    c = pd.read_csv(DATA / "countries.csv", dtype=str, keep_default_na=False)
    wgi = pd.to_numeric(c["wgi_pv"].replace("", None))
    countries = pd.DataFrame(
        {
            "iso3": c["iso3"],
            "name": c["name"],
            "blocs": c["eu27"].map({"1": "EU27"}).fillna(""),
            "governance": (2.5 - wgi) * 2.0,
        }
    )
    return nodes, edges, provision, countries


def seed_frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(nodes, edges, provision, countries) of the seed (copies)."""
    return tuple(frame.copy() for frame in _frames())  # type: ignore[return-value]
