"""What the database holds: schema version, datasets and their versions, and row counts (``deps status``)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel, select

from deps.db import current_revision, engine_for, head_revision, redact, session_scope
from deps.models import Dataset

__all__ = ["DatasetInfo", "Status", "list_datasets", "status"]


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


def list_datasets(url: str, *, latest_only: bool = False) -> list[DatasetInfo]:
    """Every dataset version (or only the newest per name), sorted by name and version."""
    with session_scope(url) as session:
        rows = session.exec(select(Dataset).order_by(Dataset.name, Dataset.version)).all()  # type: ignore[arg-type]
        infos = [
            DatasetInfo(
                name=r.name,
                version=r.version,
                format=r.format,
                content_hash=r.content_hash,
                created_at=r.created_at.isoformat(timespec="seconds"),
                created_by=r.created_by,
                counts=json.loads(r.counts_json or "{}"),
            )
            for r in rows
        ]
    if latest_only:
        newest: dict[str, DatasetInfo] = {}
        for info in infos:
            newest[info.name] = info
        infos = list(newest.values())
    return infos


def status(url: str) -> Status:
    """The schema revision, datasets and row counts of every table (an empty list before ``deps init``)."""
    revision = current_revision(url)
    head = head_revision()
    if revision is None:
        return Status(redact(url), None, head, False, [], {})
    counts: dict[str, int] = {}
    with engine_for(url).connect() as conn:
        for name, table in sorted(SQLModel.metadata.tables.items()):
            counts[name] = int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
    return Status(redact(url), revision, head, revision == head, list_datasets(url), counts)
