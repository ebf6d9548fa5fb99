"""What the database holds: schema version, datasets and their versions, and row counts (``deps status``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlmodel import SQLModel, col, select

from deps.store.db import Database, current_revision, head_revision
from deps.store.models import Dataset
from deps.store.queries import nodes_frame, provision_frame, resolve_dataset

__all__ = ["DatasetInfo", "DatasetOverview", "Status", "coverage_table", "dataset_overview", "list_datasets", "status"]


@dataclass(frozen=True)
class DatasetInfo:
    """One dataset version."""

    name: str
    version: int
    format: str
    content_hash: str
    created_at: str
    created_by: str
    counts: dict[str, int]


@dataclass(frozen=True)
class Status:
    """The database's state."""

    database: str
    revision: str | None
    head: str
    up_to_date: bool
    datasets: list[DatasetInfo]
    row_counts: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for JSON output."""
        return asdict(self)


def list_datasets(db: Database, *, latest_only: bool = False) -> list[DatasetInfo]:
    """Every dataset version (or only the newest per name), sorted by name and version."""
    with db.session() as session:
        rows = session.exec(select(Dataset).order_by(col(Dataset.name), col(Dataset.version))).all()
        infos = [
            DatasetInfo(
                name=r.name,
                version=r.version,
                format=r.format,
                content_hash=r.content_hash,
                created_at=r.created_at.isoformat(timespec="seconds"),
                created_by=r.created_by,
                counts=dict(r.counts or {}),
            )
            for r in rows
        ]
    if latest_only:
        newest: dict[str, DatasetInfo] = {}
        for info in infos:
            newest[info.name] = info
        infos = list(newest.values())
    return infos


def status(db: Database) -> Status:
    """The schema revision, datasets and row counts of every table (an empty list before ``deps init``)."""
    revision = current_revision(db)
    head = head_revision()
    if revision is None:
        return Status(db.redacted, None, head, False, [], {})
    counts: dict[str, int] = {}
    with db.engine.connect() as conn:
        for name, table in sorted(SQLModel.metadata.tables.items()):
            counts[name] = int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
    return Status(db.redacted, revision, head, revision == head, list_datasets(db), counts)


@dataclass(frozen=True)
class DatasetOverview:
    """Counts and data coverage of one dataset version, for the app's overview."""

    dataset: str
    version: int
    content_hash: str
    by_sector: pd.DataFrame
    by_market: pd.DataFrame
    coverage: pd.DataFrame


def dataset_overview(db: Database, name: str) -> DatasetOverview:
    """Nodes per sector and kind, final products per focus market, and share coverage per node.

    Coverage of a node is the sum of its known shares (capped at 1), taken from the country view when the node has
    country rows and from the firm view otherwise; a supplier known without a share adds nothing
    (docs/methods/concentration.md).
    """
    ref = resolve_dataset(db, name)
    nodes = nodes_frame(db, ref.id)
    provision = provision_frame(db, ref.id)
    exploded = nodes.assign(sector=nodes["sectors"].str.split(";")).explode("sector")
    by_sector = exploded.groupby(["sector", "kind"], as_index=False).size().rename(columns={"size": "nodes"})
    finals = nodes[nodes["kind"].eq("final_product")]
    markets = finals.assign(market=finals["markets"].str.split(";")).explode("market")
    by_market = markets.groupby("market", as_index=False).size().rename(columns={"size": "final_products"})
    return DatasetOverview(
        dataset=ref.name,
        version=ref.version,
        content_hash=ref.content_hash,
        by_sector=by_sector,
        by_market=by_market,
        coverage=coverage_table(nodes, provision),
    )


def coverage_table(nodes: pd.DataFrame, provision: pd.DataFrame) -> pd.DataFrame:
    """Coverage per node of a graph given as frames: node_id, name, kind, sectors, suppliers (rows) and coverage.

    Coverage is the sum of a node's known shares (capped at 1) in the country view when the node has country rows,
    otherwise in the firm view; a supplier known without a share adds nothing (docs/methods/concentration.md).
    """
    known = provision.dropna(subset=["share"])
    by_view = {
        kind: known[known["supplier_type"].eq(kind)].groupby("node_id")["share"].sum() for kind in ("country", "firm")
    }
    has_country = set(provision.loc[provision["supplier_type"].eq("country"), "node_id"])
    coverage = pd.Series(
        [float(by_view["country" if n in has_country else "firm"].get(n, 0.0)) for n in nodes["node_id"]],
        index=nodes["node_id"],
    ).clip(upper=1.0)
    table = nodes[["node_id", "name", "kind", "sectors"]].copy()
    table["suppliers"] = table["node_id"].map(provision.groupby("node_id").size()).fillna(0).astype(int)
    table["coverage"] = table["node_id"].map(coverage).astype(float).round(4)
    return table
