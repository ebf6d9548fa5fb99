"""effect curves with provenance, node resilience, assumption sets

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

* ``effect_assumption`` gains the range of its slope (``slope_low``, ``slope_high``; ``reduction_per_meur`` stays the
  central slope) and its provenance (``judged_by``, ``reasoning``; the earlier ``note`` becomes the reasoning).
  Existing rows get a zero-width range (low = central = high), which is what they claimed. Its ``evidence``
  vocabulary becomes publication / evaluation / expert: earlier ``observed`` and ``estimated`` rows cited a source
  and become ``publication``.
* ``source`` gains ``evidence`` (kind of publication) and ``confidence``, each with a CHECK.
* ``node_resilience``: published substitutability and time to recover of a dataset's nodes, with their ranges.
* ``assumption_set`` and ``assumption_set_version``: named, versioned effect tables (JSON) that runs can use;
  ``run.assumption_version_id`` records the version a run used.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
SOURCE_KINDS = ("official", "evaluation", "study", "statistics", "company", "press")
EFFECT_EVIDENCE = ("publication", "evaluation", "expert")
OLD_EVIDENCE = ("observed", "estimated", "expert")
CONFIDENCE_LEVELS = ("high", "medium", "low")


def _in(column: str, values: Sequence[str]) -> str:
    listed = ", ".join(f"'{v}'" for v in values)
    return f"{column} IS NULL OR {column} IN ({listed})"


def upgrade() -> None:
    with op.batch_alter_table("source") as batch:
        batch.add_column(sa.Column("evidence", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True))
        batch.add_column(sa.Column("confidence", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True))
        batch.create_check_constraint("ck_source_evidence", _in("evidence", SOURCE_KINDS))
        batch.create_check_constraint("ck_source_confidence", _in("confidence", CONFIDENCE_LEVELS))
    with op.batch_alter_table("effect_assumption") as batch:
        batch.drop_constraint("ck_effect_evidence", type_="check")
    op.execute("UPDATE effect_assumption SET evidence = 'publication' WHERE evidence IN ('observed', 'estimated')")
    with op.batch_alter_table("effect_assumption") as batch:
        batch.create_check_constraint("ck_effect_evidence", _in("evidence", EFFECT_EVIDENCE))
        batch.add_column(sa.Column("slope_low", sa.Float(), nullable=True))
        batch.add_column(sa.Column("slope_high", sa.Float(), nullable=True))
        batch.add_column(sa.Column("judged_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
        batch.add_column(sa.Column("reasoning", sa.Text(), nullable=True))
    op.execute(
        "UPDATE effect_assumption SET slope_low = reduction_per_meur, slope_high = reduction_per_meur, "
        "judged_by = '', reasoning = note"
    )
    with op.batch_alter_table("effect_assumption") as batch:
        batch.alter_column("slope_low", existing_type=sa.Float(), nullable=False)
        batch.alter_column("slope_high", existing_type=sa.Float(), nullable=False)
        batch.alter_column("judged_by", existing_type=sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False)
        batch.alter_column("reasoning", existing_type=sa.Text(), nullable=False)
        batch.drop_column("note")
    op.create_table(
        "node_resilience",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("node_id", sa.Integer(), nullable=False),
        sa.Column("substitutability", sa.Float(), nullable=True),
        sa.Column("substitutability_low", sa.Float(), nullable=True),
        sa.Column("substitutability_high", sa.Float(), nullable=True),
        sa.Column("substitutability_source_id", sa.Integer(), nullable=True),
        sa.Column("recovery_months", sa.Float(), nullable=True),
        sa.Column("recovery_months_low", sa.Float(), nullable=True),
        sa.Column("recovery_months_high", sa.Float(), nullable=True),
        sa.Column("recovery_source_id", sa.Integer(), nullable=True),
        sa.Column("evidence", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
        sa.Column("confidence", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"]),
        sa.ForeignKeyConstraint(["node_id"], ["node.id"]),
        sa.ForeignKeyConstraint(["substitutability_source_id"], ["source.id"]),
        sa.ForeignKeyConstraint(["recovery_source_id"], ["source.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dataset_id", "node_id", name="uq_node_resilience"),
        sa.CheckConstraint(_in("evidence", OLD_EVIDENCE), name="ck_node_resilience_evidence"),
        sa.CheckConstraint(_in("confidence", CONFIDENCE_LEVELS), name="ck_node_resilience_confidence"),
    )
    with op.batch_alter_table("node_resilience") as batch:
        batch.create_index(batch.f("ix_node_resilience_dataset_id"), ["dataset_id"], unique=False)
    op.create_table(
        "assumption_set",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", name="uq_assumption_set_name"),
    )
    op.create_table(
        "assumption_set_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("set_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("effects", _JSON, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["set_id"], ["assumption_set.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("set_id", "version", name="uq_assumption_set_version"),
    )
    with op.batch_alter_table("assumption_set_version") as batch:
        batch.create_index(batch.f("ix_assumption_set_version_set_id"), ["set_id"], unique=False)
    with op.batch_alter_table("run") as batch:
        batch.add_column(sa.Column("assumption_version_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_run_assumption_version", "assumption_set_version", ["assumption_version_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("run") as batch:
        batch.drop_constraint("fk_run_assumption_version", type_="foreignkey")
        batch.drop_column("assumption_version_id")
    with op.batch_alter_table("assumption_set_version") as batch:
        batch.drop_index(batch.f("ix_assumption_set_version_set_id"))
    op.drop_table("assumption_set_version")
    op.drop_table("assumption_set")
    with op.batch_alter_table("node_resilience") as batch:
        batch.drop_index(batch.f("ix_node_resilience_dataset_id"))
    op.drop_table("node_resilience")
    with op.batch_alter_table("effect_assumption") as batch:
        batch.add_column(sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""))
    op.execute("UPDATE effect_assumption SET note = reasoning")
    with op.batch_alter_table("effect_assumption") as batch:
        batch.drop_column("reasoning")
        batch.drop_column("judged_by")
        batch.drop_column("slope_high")
        batch.drop_column("slope_low")
        batch.drop_constraint("ck_effect_evidence", type_="check")
    op.execute("UPDATE effect_assumption SET evidence = 'estimated' WHERE evidence IN ('publication', 'evaluation')")
    with op.batch_alter_table("effect_assumption") as batch:
        batch.create_check_constraint("ck_effect_evidence", _in("evidence", OLD_EVIDENCE))
    with op.batch_alter_table("source") as batch:
        batch.drop_constraint("ck_source_confidence", type_="check")
        batch.drop_constraint("ck_source_evidence", type_="check")
        batch.drop_column("confidence")
        batch.drop_column("evidence")
