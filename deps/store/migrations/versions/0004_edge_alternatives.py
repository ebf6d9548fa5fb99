"""edge alternatives: the "substitutes" relation, the type share of "is a type of" edges, the substitutes factor

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

Two nullable columns on ``edge``: ``share`` (a type's share of its category's supply, 0-1, empty = unknown) and
``factor`` (the substitutability of a "substitutes" edge, 0-1). Existing rows keep both empty, which the engine reads
as "share unknown" (loss intervals). The relation vocabulary gains "substitutes": its CHECK constraint is dropped and
recreated with the list frozen here (semantics: ``docs/methods/alternatives.md``).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_RELATIONS = ("goes_into", "is_type_of")
EDGE_RELATIONS = ("goes_into", "is_type_of", "substitutes")


def _in(values: Sequence[str]) -> str:
    return "relation IN ({})".format(", ".join(f"'{v}'" for v in values))


def upgrade() -> None:
    with op.batch_alter_table("edge") as batch:
        batch.add_column(sa.Column("share", sa.Float(), nullable=True))
        batch.add_column(sa.Column("factor", sa.Float(), nullable=True))
        batch.drop_constraint("ck_edge_relation", type_="check")
        batch.create_check_constraint("ck_edge_relation", _in(EDGE_RELATIONS))


def downgrade() -> None:
    op.execute("DELETE FROM edge WHERE relation = 'substitutes'")
    with op.batch_alter_table("edge") as batch:
        batch.drop_constraint("ck_edge_relation", type_="check")
        batch.create_check_constraint("ck_edge_relation", _in(OLD_RELATIONS))
        batch.drop_column("factor")
        batch.drop_column("share")
