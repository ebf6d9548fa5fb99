"""Writing validated template tables: reference data upserted, dataset rows bulk-inserted in one transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlmodel import Session, col, delete

from deps.ingest.dataset import bulk_insert, code_ids, ensure_countries, records
from deps.store.models import (
    ActionLine,
    Country,
    CountryMembership,
    Edge,
    EffectAssumption,
    Firm,
    Market,
    Node,
    NodeMarket,
    NodeResilience,
    NodeSector,
    Provision,
    Source,
)

__all__ = ["MEMBERSHIP_COLUMNS", "write_template_tables"]

MEMBERSHIP_COLUMNS = {"eu27": "EU27", "nato": "NATO", "oecd": "OECD"}


@dataclass
class _Ids:
    """Database ids of the rows written so far, by their codes in the template (sources, nodes, firms)."""

    dataset_id: int
    sources: dict[str, int] = field(default_factory=dict)
    nodes: dict[str, int] = field(default_factory=dict)
    firms: dict[str, int] = field(default_factory=dict)
    firm_hq: dict[str, str | None] = field(default_factory=dict)

    def cited(self, row: Mapping[str, Any], source_key: str = "source") -> dict[str, Any]:
        """The evidence, confidence and source id of a row (empty text stored as NULL)."""
        return {
            "evidence": row["evidence"] or None,
            "confidence": row["confidence"] or None,
            "source_id": self.sources.get(row[source_key]),
        }


def write_template_tables(session: Session, tables: Mapping[str, pd.DataFrame], dataset_id: int) -> dict[str, int]:
    """Write validated template tables (see :func:`deps.ingest.template.validate_template`) under ``dataset_id``.

    Countries, markets and action lines are reference data: they are added or updated.  Everything else is
    inserted for the new dataset version, in dependency order (sources, nodes, edges, firms, provision, effects,
    node resilience), each table by its own writer.  Returns row counts per table.
    """
    counts = _write_reference(session, tables)
    ids = _Ids(dataset_id)
    if "sources" in tables:
        counts["sources"] = _write_sources(session, tables["sources"], ids)
    counts["nodes"] = _write_nodes(session, tables["nodes"], ids)
    writers = (
        ("edges", _write_edges),
        ("firms", _write_firms),
        ("provision", _write_provision),
        ("effects", _write_effects),
        ("node_resilience", _write_resilience),
    )
    for name, writer in writers:
        if name in tables:
            counts[name] = writer(session, tables[name], ids)
    if "provision" in tables:
        observed = sum(1 for r in records(tables["provision"]) if r.get("vintage"))
        if observed:
            counts["observed_provision"] = observed
    return counts


def _write_reference(session: Session, tables: Mapping[str, pd.DataFrame]) -> dict[str, int]:
    """Countries, markets and action lines: added, or updated in place."""
    counts: dict[str, int] = {}
    if "countries" in tables:
        counts["countries"] = _upsert_countries(session, tables["countries"])
    for name, model, key in (("markets", Market, "market_id"), ("action_lines", ActionLine, "action_line_id")):
        if name in tables:
            for record in records(tables[name]):
                existing = session.get(model, record[key])
                if existing is None:
                    session.add(model.model_validate(record))
                else:
                    for attr, value in record.items():
                        setattr(existing, attr, value)
            counts[name] = len(tables[name])
    session.flush()
    return counts


def _write_sources(session: Session, sources: pd.DataFrame, ids: _Ids) -> int:
    rows = [
        {**r, "dataset_id": ids.dataset_id, "evidence": r["evidence"] or None, "confidence": r["confidence"] or None}
        for r in records(sources)
    ]
    count = bulk_insert(session, Source, rows)
    ids.sources = code_ids(session, Source, ids.dataset_id)
    return count


def _write_nodes(session: Session, nodes: pd.DataFrame, ids: _Ids) -> int:
    """Nodes with their sectors and markets."""
    rows = [
        {
            "dataset_id": ids.dataset_id,
            "code": r["code"],
            "name": r["name"],
            "kind": r["kind"],
            "description": r["description"],
            "hs_code": r["hs_code"] or None,
            "crm": r["crm"] or None,
            "year": r["year"],
            "source_id": ids.sources.get(r["source"]),
        }
        for r in records(nodes)
    ]
    count = bulk_insert(session, Node, rows)
    ids.nodes = code_ids(session, Node, ids.dataset_id)
    pairs = zip(nodes["code"], nodes["sectors"], nodes["markets"], strict=True)
    sectors: list[dict[str, Any]] = []
    markets: list[dict[str, Any]] = []
    for code, node_sectors, node_markets in pairs:
        sectors.extend({"node_id": ids.nodes[code], "sector": sector} for sector in node_sectors)
        markets.extend({"node_id": ids.nodes[code], "market_id": market} for market in node_markets)
    bulk_insert(session, NodeSector, sectors)
    bulk_insert(session, NodeMarket, markets)
    return count


def _write_edges(session: Session, edges: pd.DataFrame, ids: _Ids) -> int:
    rows = [
        {
            "dataset_id": ids.dataset_id,
            "src_id": ids.nodes[r["src"]],
            "dst_id": ids.nodes[r["dst"]],
            "relation": r["relation"],
            "share": r.get("share"),
            "factor": r.get("factor"),
            "year": r["year"],
            **ids.cited(r),
            "note": r["note"],
        }
        for r in records(edges)
    ]
    return bulk_insert(session, Edge, rows)


def _write_firms(session: Session, firms: pd.DataFrame, ids: _Ids) -> int:
    """Firms (their headquarters countries added when new); remembers each firm's id and headquarters."""
    ensure_countries(session, firms["hq_iso3"])
    rows = [
        {
            "dataset_id": ids.dataset_id,
            "code": r["code"],
            "name": r["name"],
            "hq_iso3": r["hq_iso3"] or None,
            "source_id": ids.sources.get(r["source"]),
            "note": r["note"],
        }
        for r in records(firms)
    ]
    count = bulk_insert(session, Firm, rows)
    ids.firms = code_ids(session, Firm, ids.dataset_id)
    ids.firm_hq = {r["code"]: (r["hq_iso3"] or None) for r in records(firms)}
    return count


def _write_provision(session: Session, provision: pd.DataFrame, ids: _Ids) -> int:
    """Who supplies each node: a firm row takes its headquarters as country; shares in percent become fractions."""
    ensure_countries(session, provision.loc[provision["supplier_type"].eq("country"), "supplier"])
    rows = []
    for r in records(provision):
        is_firm = r["supplier_type"] == "firm"
        share = r["share_pct"]
        rows.append(
            {
                "dataset_id": ids.dataset_id,
                "node_id": ids.nodes[r["node"]],
                "supplier_type": r["supplier_type"],
                "country_iso3": ids.firm_hq.get(r["supplier"]) if is_firm else (r["supplier"] or None),
                "firm_id": ids.firms.get(r["supplier"]) if is_firm else None,
                "share": None if share is None else share / 100.0,
                "basis": r["basis"] or None,
                "year": r["year"],
                **ids.cited(r),
                "note": r["note"],
                "vintage": r.get("vintage") or None,
                "quantity": r.get("quantity"),
                "unit": r.get("unit") or "",
            }
        )
    return bulk_insert(session, Provision, rows)


def _write_effects(session: Session, effects: pd.DataFrame, ids: _Ids) -> int:
    """Effect segments with their low, central and high reductions per EUR million."""
    rows = [
        {
            "dataset_id": ids.dataset_id,
            "action_line_id": r["action_line_id"],
            "dependency_kind": r["dependency_kind"],
            "segment": r["segment"],
            "length_meur": r["length_meur"],
            "reduction_per_meur": r["slope_central"],
            "slope_low": r["slope_low"],
            "slope_high": r["slope_high"],
            **ids.cited(r),
            "judged_by": r["judged_by"],
            "reasoning": r["reasoning"],
        }
        for r in records(effects)
    ]
    return bulk_insert(session, EffectAssumption, rows)


def _write_resilience(session: Session, resilience: pd.DataFrame, ids: _Ids) -> int:
    """Substitutability and time to recover per node, each with its own source."""
    rows = [
        {
            **{k: v for k, v in r.items() if k.startswith(("substitutability", "recovery_months"))},
            "dataset_id": ids.dataset_id,
            "node_id": ids.nodes[r["code"]],
            "substitutability_source_id": ids.sources.get(r["substitutability_source_id"]),
            "recovery_source_id": ids.sources.get(r["recovery_source_id"]),
            "evidence": r["evidence"] or None,
            "confidence": r["confidence"] or None,
            "note": r["note"],
        }
        for r in records(resilience)
    ]
    return bulk_insert(session, NodeResilience, rows)


def _upsert_countries(session: Session, frame: pd.DataFrame) -> int:
    for r in records(frame):
        row = session.get(Country, r["iso3"])
        values = {"name": r["name"], "wgi_pv": r["wgi_pv"], "wgi_year": r["wgi_year"], "source": r["source"] or None}
        if row is None:
            session.add(Country.model_validate({"iso3": r["iso3"], **values}))
        else:
            for attr, value in values.items():
                setattr(row, attr, value)
    session.flush()
    codes = sorted(frame["iso3"])
    session.exec(delete(CountryMembership).where(col(CountryMembership.iso3).in_(codes)))
    memberships = [
        {"iso3": r["iso3"], "bloc": bloc}
        for r in records(frame)
        for column, bloc in MEMBERSHIP_COLUMNS.items()
        if r[column]
    ]
    bulk_insert(session, CountryMembership, memberships)
    return len(frame)
