"""Small helpers shared by test modules."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import SQLModel

from deps.db import engine_for


def row_counts(url: str) -> dict[str, int]:
    """Rows per table of the database at ``url`` (to prove that a failed import wrote nothing)."""
    with engine_for(url).connect() as conn:
        return {
            name: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
            for name, t in SQLModel.metadata.tables.items()
        }
