"""Test helper: map the CSET / ETO chip-explorer CSV files to the engine's input frames.

Quirks handled (see ../shared/data/cset-chip-explorer/SOURCE.md): provider ids repeat once per
alias (dedupe on id; join on ids, never names); blank shares stay NaN (known supplier, unknown
share); "Various countries", "Various companies" and "EUR" are not real suppliers; shares are in
% (divided by 100); firm shares are by headquarters country; stage rows (S1-S3) are not nodes.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

from deps.ingest.cset_types import type_shares

REPO = Path(__file__).resolve().parents[2]
CSET_DIR = REPO.parent / "shared" / "data" / "cset-chip-explorer"
WGI_FILE = REPO.parent / "shared" / "data" / "wgi-political-stability" / "wgi_pv_estimate.csv"

#: The 27 EU member states (ISO3), a fact used to build the test's countries frame.
EU27 = [
    "AUT",
    "BEL",
    "BGR",
    "HRV",
    "CYP",
    "CZE",
    "DNK",
    "EST",
    "FIN",
    "FRA",
    "DEU",
    "GRC",
    "HUN",
    "IRL",
    "ITA",
    "LVA",
    "LTU",
    "LUX",
    "MLT",
    "NLD",
    "POL",
    "PRT",
    "ROU",
    "SVK",
    "SVN",
    "ESP",
    "SWE",
]

NOT_SUPPLIERS = frozenset({"Various countries", "Various companies", "EUR"})
KIND = {
    "process": "process",
    "design_resource": "product",
    "tool_resource": "tool",
    "material_resource": "material",
    "ultimate_output": "final_product",
}


def available() -> bool:
    """True when the shared CSET data folder is present."""
    return (CSET_DIR / "provision.csv").exists()


@cache
def _frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    inputs = pd.read_csv(CSET_DIR / "inputs.csv", dtype=str)
    nodes = pd.DataFrame(
        {
            "node_id": inputs["input_id"],
            "name": inputs["input_name"],
            "kind": inputs["type"].map(KIND),
            "sectors": "semiconductors",
            "markets": inputs["type"].map(lambda t: "semiconductors" if t == "ultimate_output" else ""),
            "market_weight": 1.0,
        }
    )
    seq = pd.read_csv(CSET_DIR / "sequence.csv", dtype=str)
    goes = seq.dropna(subset=["goes_into_id"])
    types = seq.dropna(subset=["is_type_of_id"])
    edges = pd.concat(
        [
            pd.DataFrame({"src": goes["input_id"], "dst": goes["goes_into_id"], "relation": "goes_into"}),
            pd.DataFrame({"src": types["input_id"], "dst": types["is_type_of_id"], "relation": "is_type_of"}),
        ],
        ignore_index=True,
    )
    # type shares from CSET's market sizes (the importer's rule, deps.ingest.cset_types)
    types_of = types.groupby("is_type_of_id")["input_id"].apply(list).to_dict()
    sizes = dict(zip(inputs["input_id"], inputs["market_share_chart_global_market_size_info"].fillna(""), strict=True))
    derived = type_shares(types_of, sizes)
    pairs = list(zip(edges["src"], edges["dst"], strict=True))
    is_type = (edges["relation"] == "is_type_of").to_numpy()
    edges["share"] = [
        derived.get(pair, (float("nan"), ""))[0] if t else float("nan") for pair, t in zip(pairs, is_type, strict=True)
    ]
    providers = pd.read_csv(CSET_DIR / "providers.csv", dtype=str).drop_duplicates("provider_id")
    prov = pd.read_csv(CSET_DIR / "provision.csv", dtype={"share_provided": float, "year": "Int64"})
    prov = prov.merge(providers, on="provider_id", how="left", suffixes=("", "_p"))
    prov = prov[~prov["provider_name_p"].isin(NOT_SUPPLIERS) & ~prov["provider_name"].isin(NOT_SUPPLIERS)]
    prov = prov[prov["provided_id"].isin(set(nodes["node_id"]))]
    is_country = prov["provider_type"] == "country"
    provision = pd.DataFrame(
        {
            "node_id": prov["provided_id"],
            "supplier_id": prov["provider_name_p"],
            "supplier_type": is_country.map({True: "country", False: "firm"}),
            "country": prov["provider_name_p"].where(is_country, prov["country"]).fillna(""),
            "share": prov["share_provided"] / 100.0,
            "year": prov["year"],
            "source": "CSET chip explorer: " + prov["source"].fillna(""),
            "evidence": "provision.csv " + prov["provider_id"] + " -> " + prov["provided_id"],
            "confidence": "",
            "basis": "headquarters",
        }
    )
    provision = provision.drop_duplicates(["node_id", "supplier_id", "year"]).reset_index(drop=True)
    isos = sorted(set(provision["country"]) - {""} | set(EU27))
    wgi = pd.read_csv(WGI_FILE)
    w = wgi.set_index("Code")["2023"]
    countries = pd.DataFrame(
        {
            "iso3": isos,
            "name": isos,
            "blocs": ["EU27" if c in EU27 else "" for c in isos],
            "governance": [(2.5 - float(w[c])) * 2 if c in w.index and pd.notna(w[c]) else float("nan") for c in isos],
        }
    )
    return nodes, edges, provision, countries


def cset_frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(nodes, edges, provision, countries) built from the CSET files (copies)."""
    return tuple(f.copy() for f in _frames())  # type: ignore[return-value]
