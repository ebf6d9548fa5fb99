"""One call producing the per-node table: metrics, flags, reach, risk and explanation.

:func:`analyse` validates the frames, builds the graph, and runs concentration (country and firm
views), chokepoints (concentration and structural), control points (home and bloc), mutual
dependency and the dependency-risk targets. Every flag in the node table is explained in its
``explanation`` column, and ``evidence`` lists the data rows (with sources) behind each flagged
node. ``finals_knockout`` (';'-joined final products the node's knockout cuts) and ``total_risk``
(the sum of the node's dependency-risk rows; ``max_risk`` is the largest) let the application
weigh a node's risk by the share of each market's final products it reaches.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from supplychain.bounds import supplier_share_bounds
from supplychain.chokepoints import concentration_chokepoints, structural_chokepoints
from supplychain.concentration import concentration
from supplychain.control_points import control_points, mutual_dependency
from supplychain.graph import SupplyGraph, build_graph
from supplychain.knockout import Knockouts, knockouts, top_share_bounds
from supplychain.losses import share_matrix
from supplychain.reach import Reach, compute_reach
from supplychain.risk import dependency_risk
from supplychain.schema import (
    validate_countries,
    validate_edges,
    validate_nodes,
    validate_provision,
)
from supplychain.supplier_rows import SupplierRows, supplier_rows
from supplychain.thresholds import DEFAULT_THRESHOLDS, Thresholds

__all__ = ["BOUND_TABLE_COLUMNS", "FLAG_COLUMNS", "NODE_TABLE_COLUMNS", "TRI_STATE_COLUMNS", "Analysis", "analyse"]

TRI_STATE_COLUMNS = (
    "chokepoint",
    "global_chokepoint",
    "foreign_home_chokepoint",
    "foreign_bloc_chokepoint",
    "firm_global_chokepoint",
    "knockout_chokepoint",
    "single_supplier_knockout",
    "control_point",
    "bloc_control_point",
)
BOUND_TABLE_COLUMNS = (
    "top_share_low",
    "top_share_high",
    "cr3_low",
    "cr3_high",
    "hhi_low",
    "hhi_high",
    "home_share_low",
    "home_share_high",
    "bloc_share_low",
    "bloc_share_high",
)
FLAG_COLUMNS = (
    "chokepoint",
    "global_chokepoint",
    "foreign_home_chokepoint",
    "foreign_bloc_chokepoint",
    "firm_global_chokepoint",
    "dominator_chokepoint",
    "knockout_chokepoint",
    "single_supplier_knockout",
    "control_point",
    "bloc_control_point",
)
NODE_TABLE_COLUMNS = (
    "node_id",
    "name",
    "kind",
    "is_final",
    "level",
    "markets",
    "status",
    "basis",
    "data_basis",
    "coverage",
    "n_suppliers",
    "hhi",
    "top_supplier",
    "top_share",
    "cr3",
    "home_share",
    "bloc_share",
    "cbs_band",
    *BOUND_TABLE_COLUMNS,
    "top_firm",
    "top_firm_share",
    "top_firm_share_low",
    "top_firm_share_high",
    *FLAG_COLUMNS,
    "knockout_loss_low",
    "knockout_loss_high",
    "n_finals_knockout",
    "knockout_weight",
    "n_finals_dominated",
    "finals_knockout",
    "markets_reached",
    "leverage",
    "leverage_low",
    "leverage_high",
    "max_risk",
    "total_risk",
    "main_risk_supplier",
    "dependency_kind",
    "explanation",
)


@dataclass(frozen=True)
class Analysis:
    """All results of :func:`analyse` (frames are new objects; inputs are not modified)."""

    table: pd.DataFrame
    evidence: pd.DataFrame
    concentration_country: pd.DataFrame
    concentration_firm: pd.DataFrame
    chokepoints_country: pd.DataFrame
    chokepoints_firm: pd.DataFrame
    structural: pd.DataFrame
    control_points: pd.DataFrame
    bloc_control_points: pd.DataFrame
    mutual: pd.DataFrame
    risk: pd.DataFrame
    shares_country: pd.DataFrame
    shares_firm: pd.DataFrame
    graph: SupplyGraph
    reach: Reach
    knockouts: Knockouts
    thresholds: Thresholds


def analyse(
    nodes: pd.DataFrame,
    edges: pd.DataFrame,
    provision: pd.DataFrame,
    countries: pd.DataFrame,
    *,
    year: int | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> Analysis:
    """Run concentration, chokepoints and control points (docs/methods/) and the risk targets on one dataset.

    Parameters
    ----------
    nodes, edges, provision, countries
        Input frames (:mod:`supplychain.schema`).
    year
        Provision reference year (``None`` = latest per node).
    thresholds
        All cut-offs.

    Returns
    -------
    Analysis
        ``table`` has one row per node with columns :data:`NODE_TABLE_COLUMNS`.
    """
    nodes = validate_nodes(nodes)
    edges = validate_edges(edges)
    provision = validate_provision(provision)
    countries = validate_countries(countries)
    graph = build_graph(nodes, edges, validate=False)
    reach = compute_reach(graph)
    # each view's supplier rows coded once, for concentration, the share bounds and the shares tables
    rows_c = supplier_rows(provision, level="country", year=year)
    rows_f = supplier_rows(provision, level="firm", year=year)
    conc_c = concentration(provision, countries, level="country", year=year, thresholds=thresholds, rows=rows_c)
    conc_f = concentration(provision, countries, level="firm", year=year, thresholds=thresholds, rows=rows_f)
    choke_c = concentration_chokepoints(conc_c, thresholds=thresholds)
    choke_f = concentration_chokepoints(conc_f, thresholds=thresholds)
    shares_c, shares_f = rows_c.shares, rows_f.shares
    top_shares = _top_shares(graph, provision, (rows_c, rows_f), thresholds)
    knock = knockouts(graph, reach, top_shares=top_shares, thresholds=thresholds)
    structural = structural_chokepoints(graph, reach, knock, thresholds=thresholds)
    cps = control_points(conc_c, structural, nodes, holder="home", thresholds=thresholds)
    bloc_cps = control_points(conc_c, structural, nodes, holder="bloc", thresholds=thresholds)
    mutual = mutual_dependency(shares_c, conc_c, structural, thresholds=thresholds)
    risk = dependency_risk(shares_c, conc_c, structural, nodes, countries, thresholds=thresholds)
    table = _node_table(nodes, graph, conc_c, conc_f, choke_c, choke_f, structural, cps, bloc_cps, risk)
    evidence = _evidence(table, provision)
    return Analysis(
        table=table,
        evidence=evidence,
        concentration_country=conc_c,
        concentration_firm=conc_f,
        chokepoints_country=choke_c,
        chokepoints_firm=choke_f,
        structural=structural,
        control_points=cps,
        bloc_control_points=bloc_cps,
        mutual=mutual,
        risk=risk,
        shares_country=shares_c,
        shares_firm=shares_f,
        graph=graph,
        reach=reach,
        knockouts=knock,
        thresholds=thresholds,
    )


def _top_shares(
    graph: SupplyGraph, provision: pd.DataFrame, views: tuple[SupplierRows, SupplierRows], thresholds: Thresholds
) -> tuple[np.ndarray, np.ndarray]:
    """Bounds of the share of each node's largest single supplier, country or firm (``views``: the
    coded country and firm rows)."""
    (c_low, c_high), (f_low, f_high) = (
        top_share_bounds(
            graph,
            share_matrix(
                graph,
                supplier_share_bounds(provision, level=rows.level, year=rows.year, thresholds=thresholds, rows=rows),
                rows=rows,
            ),
        )
        for rows in views
    )
    return np.fmax(c_low, f_low), np.fmax(c_high, f_high)


def _node_table(
    nodes: pd.DataFrame,
    graph: SupplyGraph,
    conc_c: pd.DataFrame,
    conc_f: pd.DataFrame,
    choke_c: pd.DataFrame,
    choke_f: pd.DataFrame,
    structural: pd.DataFrame,
    cps: pd.DataFrame,
    bloc_cps: pd.DataFrame,
    risk: pd.DataFrame,
) -> pd.DataFrame:
    base = nodes[["node_id", "name", "kind", "markets"]].copy()
    pos = graph.index_of(base["node_id"].to_numpy())
    base["is_final"] = graph.is_final[pos]
    base["level"] = graph.level[pos]
    conc_cols = [
        "node_id",
        "status",
        "basis",
        "data_basis",
        "coverage",
        "n_suppliers",
        "hhi",
        "top_supplier",
        "top_share",
        "cr3",
        "home_share",
        "bloc_share",
        "cbs_band",
        *BOUND_TABLE_COLUMNS,
    ]
    t = base.merge(conc_c[conc_cols], on="node_id", how="left")
    t["status"] = t["status"].fillna("no supplier data")
    firm = conc_f[["node_id", "top_supplier", "top_share", "top_share_low", "top_share_high"]].rename(
        columns={
            "top_supplier": "top_firm",
            "top_share": "top_firm_share",
            "top_share_low": "top_firm_share_low",
            "top_share_high": "top_firm_share_high",
        }
    )
    t = t.merge(firm, on="node_id", how="left")
    flags_c = choke_c[["node_id", "global_chokepoint", "foreign_home_chokepoint", "foreign_bloc_chokepoint"]]
    t = t.merge(flags_c, on="node_id", how="left")
    flags_f = choke_f[["node_id", "global_chokepoint"]].rename(columns={"global_chokepoint": "firm_global_chokepoint"})
    t = t.merge(flags_f, on="node_id", how="left")
    s_cols = [
        "node_id",
        "dominator_chokepoint",
        "knockout_chokepoint",
        "single_supplier_knockout",
        "knockout_loss_low",
        "knockout_loss_high",
        "n_finals_knockout",
        "knockout_weight",
        "n_finals_dominated",
        "finals_knockout",
        "markets_reached",
    ]
    t = t.merge(structural[s_cols], on="node_id", how="left")
    t = t.merge(
        cps[["node_id", "control_point", "leverage", "leverage_low", "leverage_high"]], on="node_id", how="left"
    )
    bloc = bloc_cps[["node_id", "control_point"]].rename(columns={"control_point": "bloc_control_point"})
    t = t.merge(bloc, on="node_id", how="left")
    top_risk = risk.drop_duplicates("node_id")[["node_id", "risk", "supplier_country", "dependency_kind"]].rename(
        columns={"risk": "max_risk", "supplier_country": "main_risk_supplier"}
    )
    t = t.merge(top_risk, on="node_id", how="left")
    total = risk.groupby("node_id", sort=True)["risk"].sum().rename("total_risk")
    t = t.merge(total, left_on="node_id", right_index=True, how="left")
    t["n_suppliers"] = t["n_suppliers"].astype("Int64")
    kinds = ["global_chokepoint", "foreign_home_chokepoint", "foreign_bloc_chokepoint", "firm_global_chokepoint"]
    rank = {"no": 0, "possible": 1, "yes": 2}
    best = np.max([t[k].map(rank).fillna(0).to_numpy(dtype=int) for k in kinds], axis=0)
    t["chokepoint"] = np.asarray(["no", "possible", "yes"], dtype=object)[best]
    for col in FLAG_COLUMNS:
        if col in TRI_STATE_COLUMNS:
            t[col] = t[col].astype(object).where(t[col].notna(), "no").astype("str")
        else:
            t[col] = t[col].astype("boolean").fillna(False).astype(bool)
    text_cols = ("top_supplier", "top_firm", "main_risk_supplier", "dependency_kind", "basis", "data_basis", "cbs_band")
    for col in (*text_cols, "finals_knockout"):
        t[col] = t[col].astype(object).where(t[col].notna(), "").astype("str")
    t["explanation"] = _explanations(t, choke_c, choke_f, structural, cps, bloc_cps, risk)
    return t[list(NODE_TABLE_COLUMNS)].reset_index(drop=True)


def _explanations(
    t: pd.DataFrame,
    choke_c: pd.DataFrame,
    choke_f: pd.DataFrame,
    structural: pd.DataFrame,
    cps: pd.DataFrame,
    bloc_cps: pd.DataFrame,
    risk: pd.DataFrame,
) -> list[str]:
    maps = {
        "country": choke_c.set_index("node_id")["explanation"],
        "firm": choke_f.set_index("node_id")["explanation"],
        "structural": structural.set_index("node_id")["explanation"],
        "control": cps.set_index("node_id")["explanation"],
        "bloc": bloc_cps.set_index("node_id")["explanation"],
        "risk": risk.drop_duplicates("node_id").set_index("node_id")["explanation"],
    }
    texts = []
    for row in t.to_dict("records"):
        node = row["node_id"]
        parts = [maps["country"].get(node, f"{node}: no supplier data")]
        if row["firm_global_chokepoint"] != "no" or node in maps["firm"].index:
            parts.append(maps["firm"].get(node, ""))
        if row["dominator_chokepoint"] or row["knockout_chokepoint"] != "no" or row["single_supplier_knockout"] != "no":
            parts.append(maps["structural"].get(node, ""))
        if row["control_point"] != "no":
            parts.append(maps["control"].get(node, ""))
        if row["bloc_control_point"] != "no" and row["control_point"] == "no":
            parts.append(maps["bloc"].get(node, ""))
        if node in maps["risk"].index:
            parts.append("top risk: " + str(maps["risk"][node]))
        texts.append(" | ".join(p for p in parts if p))
    return texts


def _evidence(table: pd.DataFrame, provision: pd.DataFrame) -> pd.DataFrame:
    labels = []
    for col in FLAG_COLUMNS:
        values = table[col].astype(str).to_numpy()
        labels.append(
            np.where(np.isin(values, ["yes", "True"]), col, np.where(values == "possible", f"{col} (possible)", ""))
        )
    joined = [";".join(x for x in row if x) for row in zip(*labels, strict=True)] if len(table) else []
    flags = pd.Series(joined, index=table["node_id"], name="flags", dtype=object)
    flags = flags[flags != ""]
    rows = provision[provision["node_id"].isin(flags.index)].copy()
    rows["flags"] = rows["node_id"].map(flags)
    cols = [
        "node_id",
        "flags",
        "supplier_id",
        "supplier_type",
        "country",
        "share",
        "year",
        "source",
        "evidence",
        "confidence",
        "basis",
    ]
    return rows[cols].reset_index(drop=True)
