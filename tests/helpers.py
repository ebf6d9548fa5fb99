"""Small helpers shared by test modules."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import SQLModel

from deps.access.auth import Actor
from deps.store.db import Database


def row_counts(db: Database) -> dict[str, int]:
    """Rows per table of ``db`` (to prove that a failed import wrote nothing)."""
    with db.engine.connect() as conn:
        return {
            name: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
            for name, t in SQLModel.metadata.tables.items()
        }


def tamper(db: Database, statement: str, **params: object) -> None:
    """Run ``statement`` against the audit log as an attacker with DDL rights would: drop the append-only guard
    (migration 0002) first, then edit. ``deps audit verify`` must still catch the change."""
    engine = db.engine
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(sa.text("DROP TRIGGER IF EXISTS audit_event_no_update"))
            conn.execute(sa.text("DROP TRIGGER IF EXISTS audit_event_no_delete"))
        else:
            conn.execute(sa.text("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event"))
        conn.execute(sa.text(statement), params)


#: A signed-in reader for the read services (any role may read; the lowest is enough).
READER = Actor("tests-reader", "viewer")
