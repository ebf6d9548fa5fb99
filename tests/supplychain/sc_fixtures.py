"""Small hand-checkable frames and random-graph generators for the supplychain tests."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from supplychain.schema import (
    validate_countries,
    validate_edges,
    validate_nodes,
    validate_provision,
)


def nodes_frame(ids: Sequence[str], finals: Sequence[str] = (), **extra: object) -> pd.DataFrame:
    """Nodes with kind 'final_product' for ``finals`` (market 'm1'), else 'product'."""
    frame = pd.DataFrame(
        {
            "node_id": list(ids),
            "name": [f"name {i}" for i in ids],
            "kind": ["final_product" if i in finals else "product" for i in ids],
            "sectors": "s",
            "markets": ["m1" if i in finals else "" for i in ids],
        }
    )
    for key, value in extra.items():
        frame[key] = value
    return validate_nodes(frame)


def edges_frame(pairs: Sequence[tuple[str, str]], relation: str = "goes_into") -> pd.DataFrame:
    frame = (
        pd.DataFrame(list(pairs), columns=["src", "dst"])
        if pairs
        else pd.DataFrame({"src": pd.Series(dtype=str), "dst": pd.Series(dtype=str)})
    )
    frame["relation"] = relation
    return validate_edges(frame)


def provision_frame(rows: Sequence[tuple[str, str, str, str, float]], year: int = 2024) -> pd.DataFrame:
    """rows: (node_id, supplier_id, supplier_type, country, share)."""
    frame = pd.DataFrame(list(rows), columns=["node_id", "supplier_id", "supplier_type", "country", "share"])
    frame["year"] = year
    frame["source"] = "fixture"
    return validate_provision(frame)


def countries_frame(
    eu: Sequence[str] = ("NLD", "DEU", "FRA"), others: Sequence[str] = ("USA", "CHN", "JPN")
) -> pd.DataFrame:
    isos = list(eu) + list(others)
    return validate_countries(
        pd.DataFrame(
            {
                "iso3": isos,
                "name": isos,
                "blocs": ["EU27" if c in eu else "" for c in isos],
                "governance": [2.0 + i for i in range(len(isos))],
            }
        )
    )


def random_dag(seed: int, n_max: int = 25) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A random DAG (edges only from lower to higher index); finals = sinks."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, n_max))
    p = float(rng.random() * 0.4)
    ids = [f"n{i:02d}" for i in range(n)]
    pairs = [(ids[i], ids[j]) for i in range(n) for j in range(i + 1, n) if rng.random() < p]
    nodes = validate_nodes(pd.DataFrame({"node_id": ids}))
    return nodes, edges_frame(pairs)


def random_alt_dag(seed: int, n_max: int = 25) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A random DAG with every relation: goes_into, is_type_of (shares known, unknown, or
    partly known, summing to at most 1 per category) and substitutes (random factors)."""
    rng = np.random.default_rng(seed)
    nodes, edges = random_dag(seed, n_max)
    kind = rng.choice(3, size=len(edges), p=[0.5, 0.35, 0.15])
    rel = np.array(["goes_into", "is_type_of", "substitutes"], dtype=object)[kind]
    out = edges.assign(relation=rel, share=np.nan, factor=np.nan)
    out.loc[out["relation"] == "substitutes", "factor"] = rng.random(int((kind == 2).sum())).round(3)
    for _, idx in out[out["relation"] == "is_type_of"].groupby("dst").groups.items():
        raw = rng.random(len(idx))
        known = rng.random(len(idx)) < 0.6
        scale = rng.uniform(0.3, 1.0) / raw.sum()
        out.loc[idx, "share"] = np.where(known, (raw * scale).round(4), np.nan)
    return nodes, out.reset_index(drop=True)
