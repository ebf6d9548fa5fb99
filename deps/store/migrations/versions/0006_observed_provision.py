"""observed provision: release, published quantity and unit; residual supplier rows; projected evidence

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

USGS, IEA and FDA imports keep the release (``vintage``), the published ``quantity`` and its ``unit`` beside the
share.  Provision rows may be ``residual`` (an unnamed remainder such as USGS "Other countries", stored without a
country) and carry evidence ``projected`` (IEA 2030-2040): the two provision CHECK constraints (revision 0003) are
dropped and recreated with those values.  The bases mine/refinery/smelter/plant/sites need no change (``basis`` is
not a checked vocabulary).  SQLite alters the table in batch mode; ``unit`` has a server default so that existing
rows are valid on PostgreSQL.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from alembic.operations import BatchOperations

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SUPPLIER_TYPES_0003 = ("country", "firm")
EVIDENCE_KINDS_0003 = ("observed", "estimated", "expert")
SUPPLIER_TYPES = (*SUPPLIER_TYPES_0003, "residual")
EVIDENCE_KINDS = (*EVIDENCE_KINDS_0003, "projected")


def _in(column: str, values: Sequence[str], *, nullable: bool = False) -> str:
    listed = ", ".join(f"'{v}'" for v in values)
    check = f"{column} IN ({listed})"
    return f"{column} IS NULL OR {check}" if nullable else check


def _checks(batch: BatchOperations, supplier_types: Sequence[str], evidence: Sequence[str]) -> None:
    batch.drop_constraint("ck_provision_supplier_type", type_="check")
    batch.drop_constraint("ck_provision_evidence", type_="check")
    batch.create_check_constraint("ck_provision_supplier_type", _in("supplier_type", supplier_types))
    batch.create_check_constraint("ck_provision_evidence", _in("evidence", evidence, nullable=True))


def upgrade() -> None:
    with op.batch_alter_table("provision") as batch:
        batch.add_column(sa.Column("vintage", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
        batch.add_column(sa.Column("quantity", sa.Float(), nullable=True))
        batch.add_column(
            sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False, server_default="")
        )
        _checks(batch, SUPPLIER_TYPES, EVIDENCE_KINDS)


def downgrade() -> None:
    with op.batch_alter_table("provision") as batch:
        _checks(batch, SUPPLIER_TYPES_0003, EVIDENCE_KINDS_0003)
        batch.drop_column("unit")
        batch.drop_column("quantity")
        batch.drop_column("vintage")
