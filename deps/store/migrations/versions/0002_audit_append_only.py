"""audit log append-only guard: the database itself refuses to change or delete audit entries

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28

An entry is inserted with the placeholder hash ``pending`` and completed once in the same transaction
(deps.audit.append); after that, UPDATE and DELETE raise. Someone with rights to drop the trigger can still
tamper, which ``deps audit verify`` then detects through the hash chain. A future SQLite batch migration that
recreates ``audit_event`` must recreate these triggers too.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE = (
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event WHEN OLD.hash <> 'pending' "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: entries cannot be changed'); END",
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: entries cannot be deleted'); END",
)
_POSTGRES = (
    """
    CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' OR OLD.hash <> 'pending' THEN
            RAISE EXCEPTION 'audit_event is append-only: entries cannot be changed or deleted';
        END IF;
        RETURN NEW;
    END $$
    """,
    "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in _SQLITE if dialect == "sqlite" else _POSTGRES if dialect == "postgresql" else ():
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
