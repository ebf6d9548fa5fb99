"""Queries that turn the database into the engines' input frames (see ``supplychain.schema``).

Each function takes a database URL and a dataset *name* (the newest version is used unless a version is given)
and returns plain pandas DataFrames with native column types.  Nothing here computes analysis results.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

from deps.errors import NotFoundError
from deps.store.db import Database
from deps.store.models import Dataset
from supplychain.evidence import EVIDENCE_RANK, block_evidence_ranks

__all__ = [
    "RESILIENCE_NUMBERS",
    "DatasetRef",
    "action_lines_frame",
    "countries_frame",
    "edges_frame",
    "effects_frame",
    "governance_frame",
    "node_resilience_frame",
    "nodes_frame",
    "provision_frame",
    "resolve_dataset",
    "trade_frame",
]


@dataclass(frozen=True)
class DatasetRef:
    """A resolved dataset version."""

    id: int
    name: str
    version: int
    content_hash: str
    format: str


def resolve_dataset(db: Database, name: str, version: int | None = None) -> DatasetRef:
    """The dataset version ``name``/``version`` (newest when ``version`` is None).

    Raises
    ------
    NotFoundError
        When no such dataset exists; the message lists the datasets that do.
    """
    with db.session() as session:
        statement = select(Dataset).where(Dataset.name == name)
        if version is not None:
            statement = statement.where(Dataset.version == version)
        row = session.exec(statement.order_by(col(Dataset.version).desc()).limit(1)).first()
        if row is None or row.id is None:
            names = sorted(set(session.exec(select(Dataset.name)).all()))
            wanted = name if version is None else f"{name} version {version}"
            raise NotFoundError(f"no dataset {wanted!r}; available: {', '.join(names) or 'none (run `deps init`)'}")
        return DatasetRef(row.id, row.name, row.version, row.content_hash, row.format)


def _frame(session: Session, statement: sa.Select[Any]) -> pd.DataFrame:
    result = session.execute(statement)
    # plain tuples: pandas probes every SQLAlchemy Row for named-tuple attributes, a slow miss per row
    return pd.DataFrame([tuple(row) for row in result.fetchall()], columns=list(result.keys()))


_TABLES = SQLModel.metadata.tables
NODE = _TABLES["node"]
EDGE = _TABLES["edge"]
SOURCE = _TABLES["source"]
SECTOR = _TABLES["node_sector"]
MARKET = _TABLES["node_market"]
PROVISION = _TABLES["provision"]
FIRM = _TABLES["firm"]
COUNTRY = _TABLES["country"]
MEMBERSHIP = _TABLES["country_membership"]
TRADE = _TABLES["trade_flow"]


def nodes_frame(db: Database, dataset_id: int) -> pd.DataFrame:
    """Nodes: node_id, name, kind, sectors and markets (';'-joined, sorted), description, hs_code, crm, source."""
    with Session(db.engine) as session:
        nodes = _frame(
            session,
            sa.select(
                NODE.c.id.label("pk"),
                NODE.c.code.label("node_id"),
                NODE.c.name,
                NODE.c.kind,
                NODE.c.description,
                NODE.c.hs_code,
                NODE.c.crm,
                NODE.c.year,
                SOURCE.c.title.label("source"),
            )
            .select_from(NODE.outerjoin(SOURCE, SOURCE.c.id == NODE.c.source_id))
            .where(NODE.c.dataset_id == dataset_id),
        )
        sectors = _frame(
            session,
            sa.select(SECTOR.c.node_id, SECTOR.c.sector)
            .select_from(SECTOR.join(NODE, NODE.c.id == SECTOR.c.node_id))
            .where(NODE.c.dataset_id == dataset_id),
        )
        markets = _frame(
            session,
            sa.select(MARKET.c.node_id, MARKET.c.market_id)
            .select_from(MARKET.join(NODE, NODE.c.id == MARKET.c.node_id))
            .where(NODE.c.dataset_id == dataset_id),
        )
    nodes["sectors"] = nodes["pk"].map(_joined(sectors, "sector")).fillna("")
    nodes["markets"] = nodes["pk"].map(_joined(markets, "market_id")).fillna("")
    nodes = nodes.drop(columns="pk").sort_values("node_id", kind="stable").reset_index(drop=True)
    for column in ("description", "hs_code", "crm", "source"):
        nodes[column] = nodes[column].fillna("").astype(str)
    nodes["year"] = nodes["year"].astype("Int64")
    return nodes


def _joined(frame: pd.DataFrame, column: str) -> pd.Series:
    if frame.empty:
        return pd.Series(dtype=str)
    return frame.sort_values(column).groupby("node_id")[column].agg(";".join)


def edges_frame(db: Database, dataset_id: int) -> pd.DataFrame:
    """Edges: src, dst (node ids), relation, share (type share, NaN = unknown), factor (substitutes), source."""
    src = NODE.alias("src_node")
    dst = NODE.alias("dst_node")
    with Session(db.engine) as session:
        frame = _frame(
            session,
            sa.select(
                src.c.code.label("src"),
                dst.c.code.label("dst"),
                EDGE.c.relation,
                EDGE.c.share,
                EDGE.c.factor,
                SOURCE.c.title.label("source"),
            )
            .select_from(
                EDGE.join(src, src.c.id == EDGE.c.src_id)
                .join(dst, dst.c.id == EDGE.c.dst_id)
                .outerjoin(SOURCE, SOURCE.c.id == EDGE.c.source_id)
            )
            .where(EDGE.c.dataset_id == dataset_id),
        )
    frame["source"] = frame["source"].fillna("").astype(str)
    for column in ("share", "factor"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return frame.sort_values(["src", "dst", "relation"], kind="stable").reset_index(drop=True)


def provision_frame(
    db: Database,
    dataset_id: int,
    *,
    observed_all: bool = False,
    by_year: bool = False,
    nodes: Collection[str] | None = None,
) -> pd.DataFrame:
    """Provision rows of a dataset.

    Columns: node_id, supplier_id (ISO3 or firm id), supplier_type, supplier_name, country (a firm's headquarters),
    share (NaN = supplier known, share unknown), year, source, source_url, evidence, confidence, basis, note,
    vintage, quantity, unit.

    By default the frame is what the engines take: country and firm rows only (``residual`` rows, the unnamed
    remainder, and ``projected`` rows are left out), and for rows from observed-data releases (those with a
    ``vintage``) one release per node and supplier type: a production basis before capacity and site counts,
    observed before estimated, the newest reference year, the newest release.  ``observed_all=True`` returns every
    row (all years, releases, residuals and projections), for evidence tables; with ``by_year=True`` as well, every
    reference year of a node stays but each year once (named country and firm rows of the best basis and the newest
    release that has the year), for trends and back-tests.  ``nodes`` (node codes) reads only those nodes' rows,
    the same rows in the same order as the full frame holds them (a fused graph reads only the mapped stages).
    """
    statement = (
        sa.select(
            NODE.c.code.label("node_id"),
            PROVISION.c.supplier_type,
            FIRM.c.code.label("firm_code"),
            FIRM.c.name.label("firm_name"),
            PROVISION.c.country_iso3.label("country"),
            COUNTRY.c.name.label("country_name"),
            PROVISION.c.share,
            PROVISION.c.year,
            SOURCE.c.title.label("source"),
            SOURCE.c.url.label("source_url"),
            PROVISION.c.evidence,
            PROVISION.c.confidence,
            PROVISION.c.basis,
            PROVISION.c.note,
            PROVISION.c.vintage,
            PROVISION.c.quantity,
            PROVISION.c.unit,
        )
        .select_from(
            PROVISION.join(NODE, NODE.c.id == PROVISION.c.node_id)
            .outerjoin(FIRM, FIRM.c.id == PROVISION.c.firm_id)
            .outerjoin(COUNTRY, COUNTRY.c.iso3 == PROVISION.c.country_iso3)
            .outerjoin(SOURCE, SOURCE.c.id == PROVISION.c.source_id)
        )
        .where(PROVISION.c.dataset_id == dataset_id)
    )
    if nodes is not None:
        # a node filter may make SQLite read by node: order by row id, the order of the full read (the sort's tie-break)
        statement = statement.where(NODE.c.code.in_(sorted(nodes))).order_by(PROVISION.c.id)
    with Session(db.engine) as session:
        frame = _frame(session, statement)
    is_firm = frame["supplier_type"].eq("firm")
    frame["supplier_id"] = frame["firm_code"].where(is_firm, frame["country"])
    frame["supplier_name"] = frame["firm_name"].where(is_firm, frame["country_name"])
    frame = frame.drop(columns=["firm_code", "firm_name", "country_name"])
    frame["share"] = frame["share"].astype(float)
    frame["year"] = frame["year"].astype("Int64")
    frame["quantity"] = frame["quantity"].astype(float)
    text = ("source", "source_url", "evidence", "confidence", "basis", "note", "country", "supplier_name", "vintage")
    for column in (*text, "unit"):
        frame[column] = frame[column].fillna("").astype(str)
    if not observed_all:
        frame = _one_release_per_node(frame[frame["supplier_type"].ne("residual") & frame["evidence"].ne("projected")])
    elif by_year:
        named = frame[frame["supplier_type"].ne("residual") & frame["evidence"].ne("projected")]
        frame = _one_release_per_node(named, per_year=True)
    keys = ["node_id", "supplier_type", "supplier_id", "year"]
    return frame.sort_values(keys, kind="stable", na_position="first").reset_index(drop=True)


_BASIS_RANK = {"capacity": 1, "sites": 2}


def _one_release_per_node(frame: pd.DataFrame, *, per_year: bool = False) -> pd.DataFrame:
    """Rows without a vintage as they are; of rows with one, the best (basis, evidence, year, release) per node
    (``per_year``: per node and reference year).

    Evidence is set per row (USGS marks single figures as estimates), so a table (node, supplier type, year,
    release, basis) counts as observed when its observed rows carry more than half of its known share total
    (:mod:`supplychain.evidence`, the rule of :func:`deps.ingest.extract.build_extract` and of the fusion).  A
    withheld, zero or small observed row therefore does not make a table of estimates observed.
    """
    released = frame["vintage"].ne("")
    if not released.any():
        return frame
    rows = frame[released]
    table = [rows["node_id"], rows["supplier_type"], rows["year"].fillna(0), rows["vintage"], rows["basis"]]
    codes = rows.groupby(table, sort=False, dropna=False).ngroup().to_numpy()
    ranks = block_evidence_ranks(
        codes, rows["share"].to_numpy(dtype=float, na_value=np.nan), rows["evidence"].to_numpy()
    )
    observed = ranks[codes] == EVIDENCE_RANK["observed"]
    rank = pd.DataFrame(
        {
            "node_id": rows["node_id"],
            "supplier_type": rows["supplier_type"],
            "basis_rank": -rows["basis"].map(_BASIS_RANK).fillna(0),
            "observed": observed.astype(int),
            "year": rows["year"].fillna(0).astype(int),
            "vintage": rows["vintage"],
            "basis": rows["basis"],
        }
    )
    key = ["node_id", "supplier_type", "year"] if per_year else ["node_id", "supplier_type"]
    order = (
        ["basis_rank", "observed", "vintage", "basis"]
        if per_year
        else ["basis_rank", "observed", "year", "vintage", "basis"]
    )
    best = rank.sort_values([*key, *order], kind="stable").groupby(key, sort=False).tail(1)
    if per_year:
        rows = rows.assign(year_key=rank["year"].to_numpy())
        picked = best.rename(columns={"year": "year_key"})[["node_id", "supplier_type", "year_key", "vintage", "basis"]]
        chosen = rows.merge(picked, on=["node_id", "supplier_type", "year_key", "vintage", "basis"]).drop(
            columns="year_key"
        )
        return pd.concat([frame[~released], chosen], ignore_index=True)
    chosen = rows.merge(best[[*key, "year", "vintage", "basis"]], on=[*key, "vintage", "basis"], suffixes=("", "_b"))
    chosen = chosen[chosen["year"].fillna(0).astype(int).eq(chosen["year_b"])].drop(columns="year_b")
    return pd.concat([frame[~released], chosen], ignore_index=True)


def countries_frame(db: Database) -> pd.DataFrame:
    """Countries: iso3, name, blocs (';'-joined), wgi_pv, wgi_year, governance (0-10, 10 worst: g = (2.5 - w) * 2)."""
    with Session(db.engine) as session:
        countries = _frame(session, sa.select(COUNTRY.c.iso3, COUNTRY.c.name, COUNTRY.c.wgi_pv, COUNTRY.c.wgi_year))
        members = _frame(session, sa.select(MEMBERSHIP.c.iso3, MEMBERSHIP.c.bloc))
    if members.empty:
        countries["blocs"] = ""
    else:
        blocs = members.sort_values("bloc").groupby("iso3")["bloc"].agg(";".join)
        countries["blocs"] = countries["iso3"].map(blocs).fillna("").astype(str)
    countries["wgi_pv"] = countries["wgi_pv"].astype(float)
    countries["wgi_year"] = countries["wgi_year"].astype("Int64")
    countries["governance"] = (2.5 - countries["wgi_pv"]) * 2.0
    return countries.sort_values("iso3", kind="stable").reset_index(drop=True)


def trade_frame(db: Database, dataset_id: int, year: int | None = None) -> pd.DataFrame:
    """Trade flows: year, exporter, importer, product, value (thousand USD)."""
    with Session(db.engine) as session:
        statement = sa.select(
            TRADE.c.year,
            TRADE.c.exporter_iso3.label("exporter"),
            TRADE.c.importer_iso3.label("importer"),
            TRADE.c.product,
            TRADE.c.value_kusd.label("value"),
        ).where(TRADE.c.dataset_id == dataset_id)
        if year is not None:
            statement = statement.where(TRADE.c.year == year)
        frame = _frame(session, statement)
    frame["year"] = frame["year"].astype("int64")
    frame["value"] = frame["value"].astype(float)
    return frame.sort_values(["year", "product", "exporter", "importer"], kind="stable").reset_index(drop=True)


def action_lines_frame(db: Database) -> pd.DataFrame:
    """The action lines: action_line_id, number, name_nl, name_en, description (by number)."""
    table = _TABLES["action_line"]
    with Session(db.engine) as session:
        frame = _frame(
            session,
            sa.select(table.c.action_line_id, table.c.number, table.c.name_nl, table.c.name_en, table.c.description),
        )
    return frame.sort_values(["number", "action_line_id"], kind="stable").reset_index(drop=True)


def effects_frame(db: Database, dataset_id: int) -> pd.DataFrame:
    """Effect assumptions of a dataset: action_line_id, dependency_kind, segment, length_meur, slope_low,
    slope_central, slope_high, source_id (the cited source's code), evidence, confidence, judged_by, reasoning, and
    ``reduction_per_meur`` (= slope_central, the optimiser's name for it) and ``source`` (the source's title)."""
    table = _TABLES["effect_assumption"]
    with Session(db.engine) as session:
        frame = _frame(
            session,
            sa.select(
                table.c.action_line_id,
                table.c.dependency_kind,
                table.c.segment,
                table.c.length_meur,
                table.c.slope_low,
                table.c.reduction_per_meur.label("slope_central"),
                table.c.slope_high,
                SOURCE.c.code.label("source_id"),
                table.c.evidence,
                table.c.confidence,
                table.c.judged_by,
                table.c.reasoning,
                SOURCE.c.title.label("source"),
            )
            .select_from(table.outerjoin(SOURCE, SOURCE.c.id == table.c.source_id))
            .where(table.c.dataset_id == dataset_id),
        )
    for column in ("source_id", "evidence", "confidence", "judged_by", "reasoning", "source"):
        frame[column] = frame[column].fillna("").astype(str)
    frame["reduction_per_meur"] = frame["slope_central"].astype(float)
    keys = ["action_line_id", "dependency_kind", "segment"]
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


#: The numeric columns of a node's resilience (see :mod:`deps.ingest.resilience`).
RESILIENCE_NUMBERS = tuple(f"{b}{e}" for b in ("substitutability", "recovery_months") for e in ("", "_low", "_high"))


def node_resilience_frame(db: Database, dataset_id: int) -> pd.DataFrame:
    """Published substitutability and time to recover of a dataset's nodes: node_id, the six numbers
    (:data:`RESILIENCE_NUMBERS`, NaN = not given), substitutability_source, recovery_source (titles), note."""
    table = _TABLES["node_resilience"]
    sub, rec = SOURCE.alias("sub"), SOURCE.alias("rec")
    with Session(db.engine) as session:
        frame = _frame(
            session,
            sa.select(
                NODE.c.code.label("node_id"),
                *(table.c[c] for c in RESILIENCE_NUMBERS),
                sub.c.title.label("substitutability_source"),
                rec.c.title.label("recovery_source"),
                table.c.note,
            )
            .select_from(
                table.join(NODE, NODE.c.id == table.c.node_id)
                .outerjoin(sub, sub.c.id == table.c.substitutability_source_id)
                .outerjoin(rec, rec.c.id == table.c.recovery_source_id)
            )
            .where(table.c.dataset_id == dataset_id),
        )
    for column in RESILIENCE_NUMBERS:
        frame[column] = frame[column].astype(float)
    for column in ("substitutability_source", "recovery_source", "note"):
        frame[column] = frame[column].fillna("").astype(str)
    return frame.sort_values("node_id", kind="stable").reset_index(drop=True)


def governance_frame(db: Database, dataset_id: int, *, indicator: str = "PV") -> pd.DataFrame:
    """Governance estimates of a dataset (e.g. an imported WGI): iso3, year, estimate."""
    table = _TABLES["governance_score"]
    with Session(db.engine) as session:
        frame = _frame(
            session,
            sa.select(table.c.iso3, table.c.year, table.c.estimate).where(
                table.c.dataset_id == dataset_id, table.c.indicator == indicator
            ),
        )
    return frame.sort_values(["iso3", "year"], kind="stable").reset_index(drop=True)
