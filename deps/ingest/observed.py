"""Observed supply tables (USGS, IEA, FDA) as dataset rows: shares per stage node, with provenance on every row.

The three observed-data importers produce the same three frames, validated, before anything is written:

``nodes``
    ``code``, ``name``, ``kind``, ``description``: one node per commodity (or mineral) and stage, e.g.
    ``gallium:primary-production``.
``provision``
    ``node``, ``supplier_type`` (``country``, or ``residual`` for an unnamed remainder such as USGS "Other
    countries" or IEA "Rest of world"), ``iso3``, ``share`` (0-1, ``None`` = unknown, never zero), ``quantity``
    and ``unit`` (the published volume), ``basis`` (``mine``, ``refinery``, ``smelter``, ``plant``,
    ``production``, ``capacity`` or ``sites``), ``year`` (reference year), ``evidence`` (``observed``,
    ``estimated`` or ``projected``), ``vintage`` (e.g. ``USGS MCS 2025``), ``source`` (a source code) and ``note``.
``sources``
    ``code``, ``title``, ``publisher``, ``year``, ``url``, ``note``.

A residual row is stored with ``supplier_type = 'residual'`` and no country: its share is known to sit with
suppliers the table does not name, so the bounds on unknown shares treat it as unnamed supply, never as a country.
World totals are not stored as suppliers; they are the denominator of the shares and a reconciliation check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlmodel import Session

from deps.ingest.dataset import ImportResult, bulk_insert, code_ids, ensure_countries, records, write_version
from deps.store.models import Node, NodeSector, Provision, Source

__all__ = [
    "NODE_COLUMNS",
    "PROVISION_COLUMNS",
    "SOURCE_COLUMNS",
    "ValidatedObserved",
    "stage_basis",
    "write_observed",
]

NODE_COLUMNS = ("code", "name", "kind", "description")
PROVISION_COLUMNS = (
    "node",
    "supplier_type",
    "iso3",
    "share",
    "quantity",
    "unit",
    "basis",
    "year",
    "evidence",
    "vintage",
    "source",
    "note",
)
SOURCE_COLUMNS = ("code", "title", "publisher", "year", "url", "note")


@dataclass(frozen=True)
class ValidatedObserved:
    """Validated frames of an observed-data import, its content hash, file names, notes and checks."""

    nodes: pd.DataFrame
    provision: pd.DataFrame
    sources: pd.DataFrame
    content_hash: str
    files: tuple[str, ...]
    notes: tuple[str, ...]
    checks: pd.DataFrame | None = None


def stage_basis(stage: str, measure: str = "production") -> str:
    """The production basis of a stage text: ``capacity``, ``refinery``, ``smelter``, ``mine``, ``plant`` or
    ``production``.

    >>> stage_basis("Refinery production"), stage_basis("Mne production, chromite"), stage_basis("x", "capacity")
    ('refinery', 'mine', 'capacity')
    """
    text = stage.lower()
    if measure == "capacity" or ("capacity" in text and "production" not in text):
        return "capacity"
    for word, basis in (("refiner", "refinery"), ("smelter", "smelter"), ("plant", "plant")):
        if word in text:
            return basis
    if "mine" in text or text.startswith("mne "):  # "Mne production" is a typo in MCS 2024
        return "mine"
    return "production"


def write_observed(
    session: Session,
    valid: ValidatedObserved,
    *,
    dataset: str,
    fmt: str,
    user: str,
    description: str,
    path: Path,
) -> ImportResult:
    """Write ``valid`` as a new version of ``dataset`` in the caller's transaction (nothing when unchanged)."""
    return write_version(
        session,
        name=dataset,
        fmt=fmt,
        content_hash=valid.content_hash,
        user=user,
        description=f"{description} from {path.name}",
        files=valid.files,
        notes=valid.notes,
        write=lambda dataset_id: (_write(session, valid, dataset_id), ()),
    )


def _write(session: Session, valid: ValidatedObserved, dataset_id: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    counts["sources"] = bulk_insert(
        session, Source, [{"dataset_id": dataset_id, **r} for r in records(valid.sources[list(SOURCE_COLUMNS)])]
    )
    source_ids = code_ids(session, Source, dataset_id)
    nodes = valid.nodes
    counts["nodes"] = bulk_insert(
        session,
        Node,
        [{"dataset_id": dataset_id, **r} for r in records(nodes[list(NODE_COLUMNS)])],
    )
    node_ids = code_ids(session, Node, dataset_id)
    if "sector" in nodes.columns:
        bulk_insert(
            session,
            NodeSector,
            [{"node_id": node_ids[c], "sector": s} for c, s in zip(nodes["code"], nodes["sector"], strict=True) if s],
        )
    provision = valid.provision
    counts["countries_added"] = ensure_countries(session, sorted(set(provision["iso3"].dropna()) - {""}))
    counts["provision"] = bulk_insert(session, Provision, _provision_rows(provision, dataset_id, node_ids, source_ids))
    counts["residual_rows"] = int(provision["supplier_type"].eq("residual").sum())
    return counts


def _provision_rows(
    provision: pd.DataFrame, dataset_id: int, node_ids: Mapping[str, int], source_ids: Mapping[str, int]
) -> Sequence[dict[str, object]]:
    rows = []
    for r in records(provision[list(PROVISION_COLUMNS)]):
        rows.append(
            {
                "dataset_id": dataset_id,
                "node_id": node_ids[r["node"]],
                "supplier_type": r["supplier_type"],
                "country_iso3": r["iso3"] or None,
                "firm_id": None,
                "share": r["share"],
                "quantity": r["quantity"],
                "unit": r["unit"] or "",
                "basis": r["basis"],
                "year": r["year"],
                "evidence": r["evidence"],
                "confidence": "high" if r["evidence"] == "observed" else "medium",
                "vintage": r["vintage"],
                "source_id": source_ids.get(r["source"]),
                "note": r["note"] or "",
            }
        )
    return rows
