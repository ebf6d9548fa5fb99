"""Database tables (SQLModel).

The schema has three groups:

* reference data shared by all datasets: countries and their bloc memberships, focus markets, action lines;
* dataset-scoped data: every import creates a new *version* of a named dataset (one :class:`Dataset` row per
  version); sources, firms, nodes, edges, provision rows, trade flows, governance scores and effect assumptions
  belong to one version, so old versions stay comparable;
* the application's own records: runs and their result tables, users, and the audit log.

Table classes do not validate on construction: build rows from already validated data (see ``deps.ingest.validation``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Field, SQLModel

from supplychain.risk import DEPENDENCY_KINDS
from supplychain.schema import EDGE_RELATIONS, NODE_KINDS, SUPPLIER_TYPES

__all__ = [
    "BASES",
    "CONFIDENCE_LEVELS",
    "DEPENDENCY_KINDS",
    "EDGE_RELATIONS",
    "EFFECT_EVIDENCE",
    "EVIDENCE_KINDS",
    "NODE_KINDS",
    "PROVISION_EVIDENCE_KINDS",
    "PROVISION_SUPPLIER_TYPES",
    "ROLES",
    "SOURCE_KINDS",
    "SUPPLIER_TYPES",
    "ActionLine",
    "AppSession",
    "AssumptionSet",
    "AssumptionSetVersion",
    "AuditEvent",
    "Country",
    "CountryMembership",
    "Dataset",
    "Edge",
    "EffectAssumption",
    "Firm",
    "GovernanceScore",
    "Market",
    "Node",
    "NodeMarket",
    "NodeResilience",
    "NodeSector",
    "Provision",
    "Run",
    "RunTable",
    "Source",
    "TradeFlow",
    "User",
    "one_of",
    "utcnow",
]

# One definition per vocabulary: the engine's own (node kinds, relations, supplier types, dependency kinds) come from
# the engine; the provenance and access vocabularies live here. Each is a CHECK constraint in the database too
# (migration 0003), written by :func:`one_of`.
EVIDENCE_KINDS = ("observed", "estimated", "expert")
#: Provision rows may also be ``residual``: an unnamed remainder with a known share (USGS "Other countries",
#: IEA "Rest of world"), stored without a country so that bounds on unknown shares treat it as unnamed supply;
#: the engine's frames never carry them (migration 0004).
PROVISION_SUPPLIER_TYPES = (*SUPPLIER_TYPES, "residual")
#: Provision evidence may also be ``projected`` (IEA 2030-2040 base case), never read as observed data.
PROVISION_EVIDENCE_KINDS = (*EVIDENCE_KINDS, "projected")
CONFIDENCE_LEVELS = ("high", "medium", "low")
#: production bases: where the share is measured (mine, refinery, smelter, plant output, generic production,
#: capacity), by headquarters, by exports, or a count of registered sites (FDA DECRS; not a capacity share).
BASES = ("production", "headquarters", "exports", "capacity", "mine", "refinery", "smelter", "plant", "sites")
ROLES = ("viewer", "analyst", "admin")
#: Kinds of publication a source is (``Source.evidence``).
SOURCE_KINDS = ("official", "evaluation", "study", "statistics", "company", "press")
#: Where an effect figure comes from (``EffectAssumption.evidence``, see :mod:`deps.ingest.effects`).
EFFECT_EVIDENCE = ("publication", "evaluation", "expert")
#: JSON documents: JSONB on PostgreSQL, JSON (text) on SQLite.
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def utcnow() -> datetime:
    """Current time in UTC, timezone-aware."""
    return datetime.now(UTC)


def one_of(column: str, values: Sequence[str], *, name: str, nullable: bool = False) -> sa.CheckConstraint:
    """A named CHECK constraint: ``column`` holds one of ``values`` (or NULL when ``nullable``)."""
    listed = ", ".join(f"'{v}'" for v in values)
    condition = f"{column} IN ({listed})"
    return sa.CheckConstraint(f"{column} IS NULL OR {condition}" if nullable else condition, name=name)


def _json(empty: str) -> sa.Column[Any]:
    return sa.Column(sa.JSON, nullable=False, server_default=sa.text(f"'{empty}'"))


def _ts(nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(sa.DateTime(timezone=True), nullable=nullable)


# --------------------------------------------------------------------------------------------- reference data
class Country(SQLModel, table=True):
    """A country or economy, keyed by ISO 3166-1 alpha-3 code (or a documented statistical code)."""

    iso3: str = Field(primary_key=True, max_length=3)
    name: str
    wgi_pv: float | None = Field(default=None, description="WGI political-stability estimate, -2.5..2.5")
    wgi_year: int | None = None
    source: str | None = None


class CountryMembership(SQLModel, table=True):
    """Membership of a country in a bloc (EU27, NATO, OECD, ...)."""

    __tablename__ = "country_membership"
    iso3: str = Field(foreign_key="country.iso3", primary_key=True, max_length=3)
    bloc: str = Field(primary_key=True, max_length=16)


class Market(SQLModel, table=True):
    """A focus market of the industrial-policy letter."""

    market_id: str = Field(primary_key=True, max_length=40)
    name_nl: str
    name_en: str
    description: str = ""
    source: str | None = None


class ActionLine(SQLModel, table=True):
    """One of the nine action lines of the industrial-policy letter."""

    __tablename__ = "action_line"
    action_line_id: str = Field(primary_key=True, max_length=40)
    number: int
    name_nl: str
    name_en: str
    description: str = ""
    source: str | None = None


# --------------------------------------------------------------------------------------------- datasets
class Dataset(SQLModel, table=True):
    """One version of a named dataset; ``(name, version)`` is unique."""

    __table_args__ = (sa.UniqueConstraint("name", "version", name="uq_dataset_name_version"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, max_length=80)
    version: int
    format: str = Field(max_length=20)
    content_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    created_by: str = ""
    description: str = ""
    files: list[str] = Field(default_factory=list, sa_column=_json("[]"))
    counts: dict[str, Any] = Field(default_factory=dict, sa_column=_json("{}"))


class Source(SQLModel, table=True):
    """A citation that data rows refer to."""

    __table_args__ = (
        sa.UniqueConstraint("dataset_id", "code", name="uq_source_dataset_code"),
        one_of("evidence", SOURCE_KINDS, name="ck_source_evidence", nullable=True),
        one_of("confidence", CONFIDENCE_LEVELS, name="ck_source_confidence", nullable=True),
    )
    id: int | None = Field(default=None, primary_key=True)
    dataset_id: int = Field(foreign_key="dataset.id", index=True)
    code: str = Field(max_length=200)
    title: str
    publisher: str = ""
    year: int | None = None
    url: str = ""
    note: str = ""
    evidence: str | None = Field(default=None, max_length=12, description="kind of publication (SOURCE_KINDS)")
    confidence: str | None = Field(default=None, max_length=8)


class Firm(SQLModel, table=True):
    """A firm with its headquarters country."""

    __table_args__ = (sa.UniqueConstraint("dataset_id", "code", name="uq_firm_dataset_code"),)
    id: int | None = Field(default=None, primary_key=True)
    dataset_id: int = Field(foreign_key="dataset.id", index=True)
    code: str = Field(max_length=80)
    name: str
    hq_iso3: str | None = Field(default=None, foreign_key="country.iso3", max_length=3)
    source_id: int | None = Field(default=None, foreign_key="source.id")
    note: str = ""


class Node(SQLModel, table=True):
    """A product, material, tool, process, service or final product."""

    __table_args__ = (
        sa.UniqueConstraint("dataset_id", "code", name="uq_node_dataset_code"),
        one_of("kind", NODE_KINDS, name="ck_node_kind"),
    )
    id: int | None = Field(default=None, primary_key=True)
    dataset_id: int = Field(foreign_key="dataset.id", index=True)
    code: str = Field(max_length=80)
    name: str
    kind: str = Field(max_length=20)
    description: str = ""
    hs_code: str | None = Field(default=None, max_length=12)
    crm: str | None = Field(default=None, max_length=12, description="strategic / critical raw material")
    year: int | None = None
    source_id: int | None = Field(default=None, foreign_key="source.id")


class NodeSector(SQLModel, table=True):
    """A node's sector (a node may belong to several)."""

    __tablename__ = "node_sector"
    node_id: int = Field(foreign_key="node.id", primary_key=True)
    sector: str = Field(primary_key=True, max_length=40)


class NodeMarket(SQLModel, table=True):
    """A focus market a node (usually a final product) serves."""

    __tablename__ = "node_market"
    node_id: int = Field(foreign_key="node.id", primary_key=True)
    market_id: str = Field(foreign_key="market.market_id", primary_key=True, max_length=40)


class Edge(SQLModel, table=True):
    """An edge between two nodes of one dataset: "goes into" (required input), "is a type of" (one of a category's
    alternative types, with its ``share`` of the category's supply when known) or "substitutes" (src can replace dst,
    with the substitutability ``factor``); semantics in ``docs/methods/alternatives.md``."""

    __table_args__ = (
        sa.UniqueConstraint("dataset_id", "src_id", "dst_id", "relation", name="uq_edge"),
        one_of("relation", EDGE_RELATIONS, name="ck_edge_relation"),
        one_of("evidence", EVIDENCE_KINDS, name="ck_edge_evidence", nullable=True),
        one_of("confidence", CONFIDENCE_LEVELS, name="ck_edge_confidence", nullable=True),
    )
    id: int | None = Field(default=None, primary_key=True)
    dataset_id: int = Field(foreign_key="dataset.id", index=True)
    src_id: int = Field(foreign_key="node.id")
    dst_id: int = Field(foreign_key="node.id")
    relation: str = Field(max_length=12)
    share: float | None = Field(default=None, ge=0, le=1)
    factor: float | None = Field(default=None, ge=0, le=1)
    year: int | None = None
    evidence: str | None = Field(default=None, max_length=12)
    confidence: str | None = Field(default=None, max_length=8)
    source_id: int | None = Field(default=None, foreign_key="source.id")
    note: str = ""


class Provision(SQLModel, table=True):
    """A supplier (country, firm, or an unnamed residual) of a node with its share (0-1) or ``None`` if unknown.

    Observed-data imports (USGS, IEA, FDA) also keep the published ``quantity`` and its ``unit`` and the release
    (``vintage``, e.g. "USGS MCS 2025") beside the reference ``year``.
    """

    __table_args__ = (
        one_of("supplier_type", PROVISION_SUPPLIER_TYPES, name="ck_provision_supplier_type"),
        one_of("evidence", PROVISION_EVIDENCE_KINDS, name="ck_provision_evidence", nullable=True),
        one_of("confidence", CONFIDENCE_LEVELS, name="ck_provision_confidence", nullable=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    dataset_id: int = Field(foreign_key="dataset.id", index=True)
    node_id: int = Field(foreign_key="node.id", index=True)
    supplier_type: str = Field(max_length=8)
    country_iso3: str | None = Field(
        default=None,
        foreign_key="country.iso3",
        max_length=3,
        description="the supplying country, or a firm's headquarters country",
    )
    firm_id: int | None = Field(default=None, foreign_key="firm.id")
    share: float | None = None
    basis: str | None = Field(default=None, max_length=12)
    year: int | None = None
    evidence: str | None = Field(default=None, max_length=12)
    confidence: str | None = Field(default=None, max_length=8)
    source_id: int | None = Field(default=None, foreign_key="source.id")
    note: str = ""
    vintage: str | None = Field(default=None, max_length=40, description="release, e.g. 'USGS MCS 2025'")
    quantity: float | None = Field(default=None, description="the published volume behind the share")
    unit: str = Field(default="", max_length=40, sa_column_kwargs={"server_default": ""})


class TradeFlow(SQLModel, table=True):
    """A bilateral trade flow of one product (HS6) in one year."""

    __tablename__ = "trade_flow"
    __table_args__ = (sa.Index("ix_trade_flow_lookup", "dataset_id", "product", "year"),)
    id: int | None = Field(default=None, primary_key=True)
    dataset_id: int = Field(foreign_key="dataset.id")
    year: int
    exporter_iso3: str = Field(foreign_key="country.iso3", max_length=3)
    importer_iso3: str = Field(foreign_key="country.iso3", max_length=3)
    product: str = Field(max_length=12)
    value_kusd: float
    qty_t: float | None = None


class GovernanceScore(SQLModel, table=True):
    """A governance indicator estimate (e.g. WGI political stability) of a country in a year."""

    __tablename__ = "governance_score"
    __table_args__ = (sa.UniqueConstraint("dataset_id", "iso3", "indicator", "year", name="uq_governance"),)
    id: int | None = Field(default=None, primary_key=True)
    dataset_id: int = Field(foreign_key="dataset.id", index=True)
    iso3: str = Field(foreign_key="country.iso3", max_length=3)
    indicator: str = Field(max_length=20)
    year: int
    estimate: float


class EffectAssumption(SQLModel, table=True):
    """One segment of an action line's effect curve on one kind of dependency, with the range of its slope.

    ``reduction_per_meur`` is the central slope; ``slope_low`` and ``slope_high`` bound it. ``evidence`` is
    publication, evaluation or expert (``judged_by`` names the role of who judged); ``reasoning`` says how the
    figure was derived (see :mod:`deps.ingest.effects`).
    """

    __tablename__ = "effect_assumption"
    __table_args__ = (
        sa.UniqueConstraint("dataset_id", "action_line_id", "dependency_kind", "segment", name="uq_effect"),
        one_of("dependency_kind", DEPENDENCY_KINDS, name="ck_effect_dependency_kind"),
        one_of("evidence", EFFECT_EVIDENCE, name="ck_effect_evidence", nullable=True),
        one_of("confidence", CONFIDENCE_LEVELS, name="ck_effect_confidence", nullable=True),
    )
    id: int | None = Field(default=None, primary_key=True)
    dataset_id: int = Field(foreign_key="dataset.id", index=True)
    action_line_id: str = Field(foreign_key="action_line.action_line_id", max_length=40)
    dependency_kind: str = Field(max_length=24)
    segment: int
    length_meur: float
    reduction_per_meur: float
    slope_low: float
    slope_high: float
    evidence: str | None = Field(default=None, max_length=12)
    confidence: str | None = Field(default=None, max_length=8)
    source_id: int | None = Field(default=None, foreign_key="source.id")
    judged_by: str = Field(default="", max_length=200)
    reasoning: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))


class NodeResilience(SQLModel, table=True):
    """Published substitutability and time to recover of a node, with their ranges and sources."""

    __tablename__ = "node_resilience"
    __table_args__ = (
        sa.UniqueConstraint("dataset_id", "node_id", name="uq_node_resilience"),
        one_of("evidence", EVIDENCE_KINDS, name="ck_node_resilience_evidence", nullable=True),
        one_of("confidence", CONFIDENCE_LEVELS, name="ck_node_resilience_confidence", nullable=True),
    )
    id: int | None = Field(default=None, primary_key=True)
    dataset_id: int = Field(foreign_key="dataset.id", index=True)
    node_id: int = Field(foreign_key="node.id")
    substitutability: float | None = None
    substitutability_low: float | None = None
    substitutability_high: float | None = None
    substitutability_source_id: int | None = Field(default=None, foreign_key="source.id")
    recovery_months: float | None = None
    recovery_months_low: float | None = None
    recovery_months_high: float | None = None
    recovery_source_id: int | None = Field(default=None, foreign_key="source.id")
    evidence: str | None = Field(default=None, max_length=12)
    confidence: str | None = Field(default=None, max_length=8)
    note: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))


class AssumptionSet(SQLModel, table=True):
    """A named set of effect assumptions; its content lives in numbered, immutable versions."""

    __tablename__ = "assumption_set"
    __table_args__ = (sa.UniqueConstraint("name", name="uq_assumption_set_name"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    created_by: str = Field(max_length=80)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class AssumptionSetVersion(SQLModel, table=True):
    """One saved version of an assumption set: the whole effects table as JSON records, with its hash."""

    __tablename__ = "assumption_set_version"
    __table_args__ = (sa.UniqueConstraint("set_id", "version", name="uq_assumption_set_version"),)
    id: int | None = Field(default=None, primary_key=True)
    set_id: int = Field(foreign_key="assumption_set.id", index=True)
    version: int
    effects: list[dict[str, Any]] = Field(sa_column=sa.Column(JSON_DOCUMENT, nullable=False))
    note: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    sha256: str = Field(max_length=64)
    created_by: str = Field(max_length=80)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


# --------------------------------------------------------------------------------------------- application
class Run(SQLModel, table=True):
    """A recorded analysis, simulation, optimisation, batch or batch member."""

    id: str = Field(primary_key=True, max_length=32)
    kind: str = Field(max_length=20, index=True)
    status: str = Field(max_length=12)
    dataset_id: int | None = Field(default=None, foreign_key="dataset.id")
    batch_id: str | None = Field(default=None, foreign_key="run.id", index=True)
    scenario_key: str | None = Field(default=None, max_length=200)
    parameters: dict[str, Any] = Field(default_factory=dict, sa_column=_json("{}"))
    inputs_hash: str = Field(default="", max_length=64)
    code_version: str = Field(default="", max_length=80)
    solver: str | None = Field(default=None, max_length=40)
    seed: int | None = None
    user: str = ""
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    finished_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    summary: dict[str, Any] = Field(default_factory=dict, sa_column=_json("{}"))
    error: str = ""
    assumption_version_id: int | None = Field(default=None, foreign_key="assumption_set_version.id")


class RunTable(SQLModel, table=True):
    """A result table of a run, stored as JSON records with its hash."""

    __tablename__ = "run_table"
    __table_args__ = (sa.UniqueConstraint("run_id", "name", name="uq_run_table"),)
    id: int | None = Field(default=None, primary_key=True)
    run_id: str = Field(foreign_key="run.id", index=True, max_length=32)
    name: str = Field(max_length=80)
    content: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    sha256: str = Field(max_length=64)


class User(SQLModel, table=True):
    """A local user with an argon2 password hash and a role."""

    __tablename__ = "app_user"
    __table_args__ = (one_of("role", ROLES, name="ck_app_user_role"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=80)
    password_hash: str
    role: str = Field(max_length=12)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    failed_attempts: int = 0
    locked_until: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    last_login: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class AppSession(SQLModel, table=True):
    """A signed-in browser session: the SHA-256 of its random token (the token itself lives only in the browser),
    the user, and when it was opened, last used and ended (``revoked_at``: logout, password change)."""

    __tablename__ = "app_session"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_name: str = Field(max_length=80, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    last_seen: datetime = Field(default_factory=utcnow, sa_column=_ts())
    revoked_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class AuditEvent(SQLModel, table=True):
    """An append-only, hash-chained audit log entry."""

    __tablename__ = "audit_event"
    id: int | None = Field(default=None, primary_key=True)
    ts: datetime = Field(default_factory=utcnow, sa_column=_ts())
    user: str = Field(max_length=80)
    action: str = Field(max_length=40, index=True)
    target: str = ""
    details_json: str = "{}"
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
