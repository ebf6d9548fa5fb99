"""JSON columns for dataset and run metadata; CHECK constraints for every controlled vocabulary

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

``dataset.files_json``/``counts_json`` and ``run.parameters_json``/``summary_json`` were JSON kept in text columns;
they become real JSON columns (``files``, ``counts``, ``parameters``, ``summary``), converted in place, so the
database itself says what they hold. The audit log keeps ``details_json`` as text on purpose: its hash chain is
defined over those exact bytes.

Each controlled vocabulary (node kinds, edge relations, supplier types, evidence kinds, confidence levels,
dependency kinds, roles) gets a named CHECK constraint, so a row written outside the importers cannot carry a value
the analysis does not know. The value lists are frozen here as they stand at this revision; a later revision that
changes a vocabulary drops and recreates its constraint.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NODE_KINDS = ("product", "material", "tool", "process", "service", "final_product")
EDGE_RELATIONS = ("goes_into", "is_type_of")
SUPPLIER_TYPES = ("country", "firm")
EVIDENCE_KINDS = ("observed", "estimated", "expert")
CONFIDENCE_LEVELS = ("high", "medium", "low")
DEPENDENCY_KINDS = ("concentration", "import_reliance", "substitutability", "time_to_recover")
ROLES = ("viewer", "analyst", "admin")


def _in(column: str, values: Sequence[str], *, nullable: bool = False) -> str:
    listed = ", ".join(f"'{v}'" for v in values)
    check = f"{column} IN ({listed})"
    return f"{column} IS NULL OR {check}" if nullable else check


CHECKS: dict[str, list[tuple[str, str]]] = {
    "node": [("ck_node_kind", _in("kind", NODE_KINDS))],
    "edge": [
        ("ck_edge_relation", _in("relation", EDGE_RELATIONS)),
        ("ck_edge_evidence", _in("evidence", EVIDENCE_KINDS, nullable=True)),
        ("ck_edge_confidence", _in("confidence", CONFIDENCE_LEVELS, nullable=True)),
    ],
    "provision": [
        ("ck_provision_supplier_type", _in("supplier_type", SUPPLIER_TYPES)),
        ("ck_provision_evidence", _in("evidence", EVIDENCE_KINDS, nullable=True)),
        ("ck_provision_confidence", _in("confidence", CONFIDENCE_LEVELS, nullable=True)),
    ],
    "effect_assumption": [
        ("ck_effect_dependency_kind", _in("dependency_kind", DEPENDENCY_KINDS)),
        ("ck_effect_evidence", _in("evidence", EVIDENCE_KINDS, nullable=True)),
        ("ck_effect_confidence", _in("confidence", CONFIDENCE_LEVELS, nullable=True)),
    ],
    "app_user": [("ck_app_user_role", _in("role", ROLES))],
}

JSON_COLUMNS: dict[str, list[tuple[str, str, str]]] = {
    "dataset": [("files_json", "files", "[]"), ("counts_json", "counts", "{}")],
    "run": [("parameters_json", "parameters", "{}"), ("summary_json", "summary", "{}")],
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table, columns in JSON_COLUMNS.items():
        if dialect == "postgresql":
            for old, new, empty in columns:
                op.execute(f'ALTER TABLE "{table}" ALTER COLUMN {old} TYPE JSON USING {old}::json')
                op.execute(f"ALTER TABLE \"{table}\" ALTER COLUMN {old} SET DEFAULT '{empty}'::json")
                op.alter_column(table, old, new_column_name=new)
            continue
        with op.batch_alter_table(table) as batch:
            for old, new, empty in columns:
                batch.alter_column(
                    old,
                    new_column_name=new,
                    type_=sa.JSON(),
                    existing_nullable=False,
                    server_default=sa.text(f"'{empty}'"),
                )
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table) as batch:
            for name, condition in checks:
                batch.create_check_constraint(name, condition)


def downgrade() -> None:
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table) as batch:
            for name, _condition in checks:
                batch.drop_constraint(name, type_="check")
    for table, columns in JSON_COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for old, new, _empty in columns:
                batch.alter_column(new, new_column_name=old, type_=sa.Text(), existing_nullable=False)
