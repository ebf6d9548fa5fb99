"""Dataset versions: every import creates a new version of a named dataset unless its content is unchanged.

An import computes the content hash of its input files first.  When the newest version of the dataset already has
that hash, nothing is written (importing the same files twice creates no duplicates).  Otherwise a new
:class:`~deps.models.Dataset` row with ``version = newest + 1`` is added and the importer writes its rows under it,
all in the caller's single transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

from deps.ingest.countries import country_name
from deps.store.db import lock_table
from deps.store.models import Country, Dataset, Firm, Node, Source

__all__ = [
    "ImportResult",
    "RowWriter",
    "bulk_insert",
    "code_ids",
    "ensure_countries",
    "latest_dataset",
    "new_version",
    "records",
    "write_version",
]

_CHUNK = 5000


@dataclass(frozen=True)
class ImportResult:
    """What an import did: the dataset version it created (or found unchanged) and row counts."""

    dataset: str
    version: int
    dataset_id: int
    content_hash: str
    unchanged: bool
    counts: Mapping[str, int] = field(default_factory=dict)
    notes: Sequence[str] = ()

    def summary(self) -> str:
        """One line for the CLI."""
        counts = ", ".join(f"{v} {k}" for k, v in self.counts.items())
        if self.unchanged:
            return f"dataset {self.dataset!r} version {self.version} already holds these files; nothing written"
        return f"dataset {self.dataset!r} version {self.version} created: {counts}"


def latest_dataset(session: Session, name: str) -> Dataset | None:
    """The newest version of dataset ``name``, or ``None``."""
    statement = select(Dataset).where(Dataset.name == name).order_by(col(Dataset.version).desc()).limit(1)
    return session.exec(statement).first()


def new_version(
    session: Session,
    *,
    name: str,
    fmt: str,
    content_hash: str,
    user: str,
    description: str,
    files: Iterable[str],
) -> tuple[Dataset, bool]:
    """Return ``(dataset_row, created)``: the unchanged newest version, or a new version row (flushed, with id).

    The dataset table is locked first, so two imports of the same name at once get versions n and n+1 (or the
    second finds the first's identical content) instead of colliding.
    """
    lock_table(session, "dataset")
    latest = latest_dataset(session, name)
    if latest is not None and latest.content_hash == content_hash:
        return latest, False
    row = Dataset(
        name=name,
        version=(latest.version + 1) if latest is not None else 1,
        format=fmt,
        content_hash=content_hash,
        created_by=user,
        description=description,
        files=sorted(files),
    )
    session.add(row)
    session.flush()
    return row, True


#: Writes one import's rows under the new dataset version's id; returns the row counts and notes of its own.
RowWriter = Callable[[int], tuple[Mapping[str, int], Sequence[str]]]


def write_version(
    session: Session,
    *,
    name: str,
    fmt: str,
    content_hash: str,
    user: str,
    description: str,
    files: Iterable[str],
    notes: Sequence[str],
    write: RowWriter,
) -> ImportResult:
    """The step every importer ends with: a new version of ``name`` holding the rows ``write`` adds, or none.

    When the newest version already has ``content_hash``, nothing is written and the result says ``unchanged``;
    otherwise :func:`new_version` adds the version row, ``write(dataset_id)`` adds the rows, and the version row keeps
    their counts.  ``notes`` are the validation's notes; the writer's own notes follow them.
    """
    row, created = new_version(
        session, name=name, fmt=fmt, content_hash=content_hash, user=user, description=description, files=files
    )
    assert row.id is not None
    if not created:
        return ImportResult(name, row.version, row.id, row.content_hash, True, notes=tuple(notes))
    counts, more = write(row.id)
    row.counts = dict(sorted(counts.items()))
    session.add(row)
    return ImportResult(name, row.version, row.id, row.content_hash, False, dict(counts), (*notes, *more))


def bulk_insert(session: Session, table: type[SQLModel], rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert ``rows`` (already validated dicts) into ``table`` in chunks; returns the row count."""
    if not rows:
        return 0
    statement = sa.insert(sa.inspect(table).local_table)
    for start in range(0, len(rows), _CHUNK):
        session.execute(statement, list(rows[start : start + _CHUNK]))
    return len(rows)


def ensure_countries(session: Session, codes: Iterable[str]) -> int:
    """Add any accepted country codes missing from the country table, named from ISO 3166; returns how many."""
    wanted = {c for c in codes if c}
    if not wanted:
        return 0
    present = set(session.exec(select(Country.iso3).where(col(Country.iso3).in_(sorted(wanted)))).all())
    missing = sorted(wanted - present)
    bulk_insert(
        session,
        Country,
        [{"iso3": code, "name": country_name(code), "source": "ISO 3166-1 (pycountry)"} for code in missing],
    )
    return len(missing)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts with native Python scalars (NaN and pandas NA become ``None``), ready for :func:`bulk_insert`."""
    clean = frame.astype(object).where(frame.notna(), None)
    return [
        {str(k): (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
        for row in clean.to_dict(orient="records")
    ]


def code_ids(session: Session, model: type[Source] | type[Node] | type[Firm], dataset_id: int) -> dict[str, int]:
    """External code -> primary key of the sources, nodes or firms of one dataset version."""
    rows = session.exec(select(model.code, model.id).where(model.dataset_id == dataset_id)).all()
    return {str(code): int(pk) for code, pk in rows if pk is not None}
