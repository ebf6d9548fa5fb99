"""app sessions: one row per signed-in browser session (token hash, user, last use, revocation)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01

The browser keeps a random token; the database keeps only its SHA-256, so a copy of the database does not let
anyone sign in. Logout and a password change set ``revoked_at``; an unused session expires after
``DEPS_SESSION_MINUTES``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``app_session``."""
    op.create_table(
        "app_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index(op.f("ix_app_session_user_name"), "app_session", ["user_name"], unique=False)


def downgrade() -> None:
    """Drop ``app_session``."""
    op.drop_index(op.f("ix_app_session_user_name"), table_name="app_session")
    op.drop_table("app_session")
