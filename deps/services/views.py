"""Read services for the app: node detail, network layout, heat-map frames, dataset diffs, stored analyses.

Everything here only reads (plain functions over :mod:`deps.store.queries` and :mod:`deps.services.runs` frames,
no Streamlit); downloads are audited in :mod:`deps.services.exports`.
Frames come back sorted so the app renders deterministically.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from deps.access.auth import Actor, require
from deps.services.fusion import split_fused_name
from deps.services.markets import market_risk, reach_shares
from deps.services.runs import list_runs, run_tables
from deps.store.catalogue import coverage_table
from deps.store.db import Database
from deps.store.queries import DatasetRef, edges_frame, nodes_frame, provision_frame, resolve_dataset
from supplychain.topology import chains, layered_layout

__all__ = [
    "NodeDetail",
    "chains",
    "coverage_table",
    "dataset_diff",
    "heatmap_frame",
    "latest_analysis",
    "layered_layout",
    "markets_frame",
    "node_detail",
    "overview_market_risk",
]


def markets_frame(db: Database, *, actor: Actor) -> pd.DataFrame:
    """The focus markets: market_id, name_nl, name_en, description (sorted by id)."""
    require(actor, "read")
    table = SQLModel.metadata.tables["market"]
    with Session(db.engine) as session:
        result = session.execute(sa.select(table.c.market_id, table.c.name_nl, table.c.name_en, table.c.description))
        frame = pd.DataFrame(result.fetchall(), columns=["market_id", "name_nl", "name_en", "description"])
    return frame.sort_values("market_id", kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class NodeDetail:
    """One node: its row, suppliers (with share, source, evidence, confidence) and its chains."""

    node: dict[str, object]
    suppliers: pd.DataFrame
    upstream: pd.DataFrame
    downstream: pd.DataFrame
    coverage: float


def node_detail(
    db: Database, ref: DatasetRef, node_id: str, *, actor: Actor, provision: pd.DataFrame | None = None
) -> NodeDetail:
    """Everything the explorer shows for ``node_id`` in dataset version ``ref``.

    ``provision`` is the supplier rows to show, when the caller holds them (a fused composition's, from
    :func:`deps.services.composition.composition_frames`; ``ref`` then carries the base's id); by default the
    dataset's own.  ``coverage`` is the sum of the known country shares of the newest year (0-1; firms are a second
    view and not counted).  Raises ``KeyError`` when the node is not in the dataset.
    """
    require(actor, "read")
    nodes = nodes_frame(db, ref.id)
    match = nodes[nodes["node_id"] == node_id]
    if match.empty:
        raise KeyError(f"node {node_id!r} is not in dataset {ref.name!r} v{ref.version}")
    edges = edges_frame(db, ref.id)
    if provision is None:
        provision = provision_frame(db, ref.id)
    suppliers = provision[provision["node_id"] == node_id].drop(columns="node_id").reset_index(drop=True)
    countries = suppliers[suppliers["supplier_type"] == "country"]
    if len(countries) and countries["year"].notna().any():
        countries = countries[countries["year"] == countries["year"].max()]
    coverage = float(countries["share"].fillna(0.0).sum()) if len(countries) else 0.0
    names = nodes.set_index("node_id")["name"]
    up = chains(edges, node_id, direction="upstream")
    down = chains(edges, node_id, direction="downstream")
    for frame in (up, down):
        frame.insert(1, "name", frame["node_id"].map(names).fillna("").astype(str))
    row = {str(k): (None if pd.isna(v) else v) for k, v in match.iloc[0].to_dict().items()}
    return NodeDetail(row, suppliers, up, down, min(coverage, 1.0))


def _node_risk(analysis_nodes: pd.DataFrame) -> pd.DataFrame:
    """``node_id`` and ``risk`` (the sum of the node's dependency-risk rows) of an analysis node table."""
    return pd.DataFrame(
        {"node_id": analysis_nodes["node_id"].astype(str), "risk": analysis_nodes["total_risk"].fillna(0.0)}
    )


def overview_market_risk(analysis_nodes: pd.DataFrame, graph_nodes: pd.DataFrame) -> pd.DataFrame:
    """The Overview's risk per focus market: :func:`deps.services.markets.market_risk` over the analysis' nodes.

    risk_m = sum_v rho_vm x total_risk_v, the same definition as the optimiser's market view (baseline). Returns
    ``market_id`` and ``risk``, listed by market id (a listing order, not a ranking: rank by ``risk``).
    """
    reach = reach_shares(analysis_nodes[["node_id", "finals_knockout"]], graph_nodes)
    return market_risk(_node_risk(analysis_nodes), reach)


def heatmap_frame(analysis_nodes: pd.DataFrame, graph_nodes: pd.DataFrame) -> pd.DataFrame:
    """Risk per focus market x sector by reach: for the nodes of each sector, sum_v rho_vm x total_risk_v.

    The market definition is :func:`deps.services.markets.market_risk` (a node counts in every market it reaches,
    weighted by the share of the market's final products it reaches); ``sectors`` is a ';'-joined list and a node
    counts in each of its sectors. Returns ``market``, ``sector``, ``risk`` (unitless), ``nodes`` (nodes with any
    reach into the market) and ``chokepoints`` (of those, nodes with any chokepoint flag 'yes' or true), sorted by
    market, sector.
    """
    columns = ["market", "sector", "risk", "nodes", "chokepoints"]
    flags = [c for c in analysis_nodes.columns if c.endswith("chokepoint")]
    reach = reach_shares(analysis_nodes[["node_id", "finals_knockout"]], graph_nodes)
    nodes = _node_risk(analysis_nodes)
    # a flag counts when it is 'yes' (three-valued concentration flags) or True (structural flags)
    nodes["chokepoint"] = analysis_nodes[flags].astype(str).isin(["yes", "True"]).any(axis=1) if flags else False
    nodes = nodes.merge(graph_nodes[["node_id", "sectors"]], on="node_id", how="left")
    nodes["sector"] = nodes["sectors"].fillna("").astype(str).str.split(";")
    long = nodes.explode("sector")
    long = long[long["sector"] != ""].merge(reach, on="node_id", how="inner")
    if long.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for sector, group in long.groupby("sector", sort=True):
        risk = market_risk(group[["node_id", "risk"]].drop_duplicates("node_id"), reach)
        counts = group.groupby("market_id").agg(nodes=("node_id", "nunique"), chokepoints=("chokepoint", "sum"))
        for market_id, value in zip(risk["market_id"], risk["risk"], strict=True):
            rows.append(
                (
                    market_id,
                    sector,
                    float(value),
                    int(counts.loc[market_id, "nodes"]),
                    int(counts.loc[market_id, "chokepoints"]),
                )
            )
    return pd.DataFrame(rows, columns=columns).sort_values(["market", "sector"], kind="stable").reset_index(drop=True)


def _keyed(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return frame.assign(_key=frame[keys].astype(str).agg("|".join, axis=1)).set_index("_key")


def dataset_diff(db: Database, name: str, old: int, new: int, *, actor: Actor) -> pd.DataFrame:
    """What changed between two versions of a dataset, one row per changed item.

    Compares nodes (by id), edges (src, dst, relation) and supplier rows (node, type, supplier, year).  Returns
    ``table``, ``key``, ``change`` (added, removed, changed) and ``what`` (the changed fields, old -> new).
    """
    require(actor, "read")
    refs = resolve_dataset(db, name, old), resolve_dataset(db, name, new)
    specs = [
        ("nodes", nodes_frame, ["node_id"]),
        ("edges", edges_frame, ["src", "dst", "relation"]),
        ("provision", provision_frame, ["node_id", "supplier_type", "supplier_id", "year"]),
    ]
    rows: list[dict[str, str]] = []
    for table, read, keys in specs:
        before, after = (_keyed(read(db, ref.id), keys) for ref in refs)
        for key in sorted(set(after.index) - set(before.index)):
            rows.append({"table": table, "key": key, "change": "added", "what": ""})
        for key in sorted(set(before.index) - set(after.index)):
            rows.append({"table": table, "key": key, "change": "removed", "what": ""})
        fields = [c for c in after.columns if c in before.columns and c not in keys]
        for key in sorted(set(before.index) & set(after.index)):
            a, b = before.loc[key], after.loc[key]
            if isinstance(a, pd.DataFrame) or isinstance(b, pd.DataFrame):
                continue  # duplicate keys: not comparable row by row
            changed = [f"{f}: {a[f]!s} -> {b[f]!s}" for f in fields if not _same(a[f], b[f])]
            if changed:
                rows.append({"table": table, "key": key, "change": "changed", "what": "; ".join(changed)})
    return pd.DataFrame(rows, columns=["table", "key", "change", "what"])


def _same(a: object, b: object) -> bool:
    if _missing(a) and _missing(b):
        return True
    return bool(a == b)


def _missing(value: object) -> bool:
    """A cell without a value: ``None``, ``pd.NA``, ``NaT`` or a NaN float."""
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


def latest_analysis(
    db: Database, ref: DatasetRef, *, actor: Actor, members: dict[str, int] | None = None
) -> tuple[str, dict[str, pd.DataFrame]] | None:
    """The newest stored analysis run of exactly this dataset version, as (run id, tables), or None.

    ``ref`` may be a fused composition's (:attr:`deps.services.composition.Composition.ref`: its name, the base's
    version) with ``members`` its added datasets' versions: a run matches when it analysed that name on that base
    version with the same member versions (a fused run records them in its ``members`` parameter), so a new version
    of any member needs a new run.  A plain dataset's run never matches a fused run of it as base.
    Viewers read this (they may not run analyses); runs with a non-default year are skipped.
    """
    require(actor, "read")
    base = split_fused_name(ref.name)[0]
    wanted = dict(members or {})
    for run in list_runs(db, actor=actor, kind="analysis", limit=200):
        if (
            run.dataset == base
            and run.dataset_version == ref.version
            and run.status == "ok"
            and run.parameters.get("year") is None
            and str(run.parameters.get("dataset", base)) == ref.name
            and dict(run.parameters.get("members") or {}) == wanted
        ):
            tables = run_tables(db, run.id, actor=actor)
            if "total_risk" not in tables.get("nodes", pd.DataFrame()).columns:
                continue  # stored before attribution by reach: its node table cannot give the market risk
            return run.id, tables
    return None
