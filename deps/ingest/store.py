"""Writing validated template tables: reference data upserted, dataset rows bulk-inserted in one transaction."""

from __future__ import annotations

from collections.abc import Mapping

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


def write_template_tables(session: Session, tables: Mapping[str, pd.DataFrame], dataset_id: int) -> dict[str, int]:
    """Write validated template tables (see :func:`deps.ingest.template.validate_template`) under ``dataset_id``.

    Countries, markets and action lines are reference data: they are added or updated.  Everything else is
    inserted for the new dataset version.  Returns row counts per table.
    """
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
    source_ids: dict[str, int] = {}
    if "sources" in tables:
        counts["sources"] = bulk_insert(
            session,
            Source,
            [
                {
                    **r,
                    "dataset_id": dataset_id,
                    "evidence": r["evidence"] or None,
                    "confidence": r["confidence"] or None,
                }
                for r in records(tables["sources"])
            ],
        )
        source_ids = code_ids(session, Source, dataset_id)
    nodes = tables["nodes"]
    node_rows = [
        {
            "dataset_id": dataset_id,
            "code": r["code"],
            "name": r["name"],
            "kind": r["kind"],
            "description": r["description"],
            "hs_code": r["hs_code"] or None,
            "crm": r["crm"] or None,
            "year": r["year"],
            "source_id": source_ids.get(r["source"]),
        }
        for r in records(nodes)
    ]
    counts["nodes"] = bulk_insert(session, Node, node_rows)
    node_ids = code_ids(session, Node, dataset_id)
    bulk_insert(
        session,
        NodeSector,
        [
            {"node_id": node_ids[c], "sector": s}
            for c, ss in zip(nodes["code"], nodes["sectors"], strict=True)
            for s in ss
        ],
    )
    bulk_insert(
        session,
        NodeMarket,
        [
            {"node_id": node_ids[c], "market_id": m}
            for c, ms in zip(nodes["code"], nodes["markets"], strict=True)
            for m in ms
        ],
    )
    if "edges" in tables:
        counts["edges"] = bulk_insert(
            session,
            Edge,
            [
                {
                    "dataset_id": dataset_id,
                    "src_id": node_ids[r["src"]],
                    "dst_id": node_ids[r["dst"]],
                    "relation": r["relation"],
                    "share": r.get("share"),
                    "factor": r.get("factor"),
                    "year": r["year"],
                    "evidence": r["evidence"] or None,
                    "confidence": r["confidence"] or None,
                    "source_id": source_ids.get(r["source"]),
                    "note": r["note"],
                }
                for r in records(tables["edges"])
            ],
        )
    firm_ids: dict[str, int] = {}
    firm_hq: dict[str, str | None] = {}
    if "firms" in tables:
        firms = tables["firms"]
        ensure_countries(session, firms["hq_iso3"])
        counts["firms"] = bulk_insert(
            session,
            Firm,
            [
                {
                    "dataset_id": dataset_id,
                    "code": r["code"],
                    "name": r["name"],
                    "hq_iso3": r["hq_iso3"] or None,
                    "source_id": source_ids.get(r["source"]),
                    "note": r["note"],
                }
                for r in records(firms)
            ],
        )
        firm_ids = code_ids(session, Firm, dataset_id)
        firm_hq = {r["code"]: (r["hq_iso3"] or None) for r in records(firms)}
    if "provision" in tables:
        provision = tables["provision"]
        ensure_countries(session, provision.loc[provision["supplier_type"].eq("country"), "supplier"])
        rows = []
        for r in records(provision):
            is_firm = r["supplier_type"] == "firm"
            share = r["share_pct"]
            rows.append(
                {
                    "dataset_id": dataset_id,
                    "node_id": node_ids[r["node"]],
                    "supplier_type": r["supplier_type"],
                    "country_iso3": firm_hq.get(r["supplier"]) if is_firm else (r["supplier"] or None),
                    "firm_id": firm_ids.get(r["supplier"]) if is_firm else None,
                    "share": None if share is None else share / 100.0,
                    "basis": r["basis"] or None,
                    "year": r["year"],
                    "evidence": r["evidence"] or None,
                    "confidence": r["confidence"] or None,
                    "source_id": source_ids.get(r["source"]),
                    "note": r["note"],
                    "vintage": r.get("vintage") or None,
                    "quantity": r.get("quantity"),
                    "unit": r.get("unit") or "",
                }
            )
        counts["provision"] = bulk_insert(session, Provision, rows)
        observed = [r for r in rows if r["vintage"]]
        if observed:
            counts["observed_provision"] = len(observed)
    if "effects" in tables:
        counts["effects"] = bulk_insert(
            session,
            EffectAssumption,
            [
                {
                    "dataset_id": dataset_id,
                    "action_line_id": r["action_line_id"],
                    "dependency_kind": r["dependency_kind"],
                    "segment": r["segment"],
                    "length_meur": r["length_meur"],
                    "reduction_per_meur": r["slope_central"],
                    "slope_low": r["slope_low"],
                    "slope_high": r["slope_high"],
                    "evidence": r["evidence"] or None,
                    "confidence": r["confidence"] or None,
                    "source_id": source_ids.get(r["source"]),
                    "judged_by": r["judged_by"],
                    "reasoning": r["reasoning"],
                }
                for r in records(tables["effects"])
            ],
        )
    if "node_resilience" in tables:
        counts["node_resilience"] = bulk_insert(
            session,
            NodeResilience,
            [
                {
                    **{k: v for k, v in r.items() if k.startswith(("substitutability", "recovery_months"))},
                    "dataset_id": dataset_id,
                    "node_id": node_ids[r["code"]],
                    "substitutability_source_id": source_ids.get(r["substitutability_source_id"]),
                    "recovery_source_id": source_ids.get(r["recovery_source_id"]),
                    "evidence": r["evidence"] or None,
                    "confidence": r["confidence"] or None,
                    "note": r["note"],
                }
                for r in records(tables["node_resilience"])
            ],
        )
    return counts


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
