"""The project's own template: a folder of CSV files, or one XLSX workbook with a sheet per table.

The seed in ``data/`` uses this format, and analysts use it for data of their own.  Tables (file ``NAME.csv`` or
sheet ``NAME``); only ``nodes`` is required, the others are read when present:

========== ================================================================ =========================================
table      required columns                                                 optional columns
========== ================================================================ =========================================
sources    source_id, title                                                 publisher, year, url, note
countries  iso3, name                                                       eu27, nato, oecd, wgi_pv, wgi_year,
                                                                            source_id
markets    market_id, name_nl, name_en                                      description, source_id
action_    action_line_id, number, name_nl, name_en                         description, source_id, note
lines
nodes      node_id, name, kind                                              sectors, markets, hs_code, crm,
                                                                            description, source_id, year
edges      from_node, to_node, relation                                     share_pct, factor, source_id, year,
                                                                            evidence, confidence, note
firms      firm_id, name                                                    hq_iso3, source_id, note
provision  node_id, supplier_type, supplier_id, source_id, evidence         share_pct, basis, year, confidence, note
observed_  node_id, supplier_type, source_id, evidence                      supplier_id, share_pct, basis, year,
provision                                                                   confidence, vintage, quantity, unit, note
effects    action_line_id, dependency_kind, segment, length_meur,           source_id (required for publication and
           slope_low, slope_central, slope_high, evidence, reasoning        evaluation rows), confidence, judged_by
                                                                            (required for expert rows)
node_      node_id, evidence                                                substitutability(_low/_high), its
resilience                                                                  source_id, recovery_months(_low/_high),
                                                                            recovery_source_id, confidence, note
========== ================================================================ =========================================

Edge relations: ``goes_into`` (a required input), ``is_type_of`` (one of a category's alternative types;
``share_pct`` = its share of the category's supply in %, blank = unknown) and ``substitutes`` (from_node can
replace to_node; ``factor`` = the substitutability 0-1, required, with a ``source_id``); see
``docs/methods/alternatives.md``.

Sources may also say what kind of publication they are (``evidence``: official, evaluation, study, statistics,
company, press) and how far they can be trusted (``confidence``). The effects and node-resilience tables are checked
by :mod:`deps.ingest.effects` and :mod:`deps.ingest.resilience`.

Countries, markets and action lines are reference data shared by all datasets: a template that carries them adds
or updates them.  Everything else belongs to the new dataset version.

``observed_provision`` is the observed-share extract (USGS/IEA, see :mod:`deps.ingest.extract`): its rows replace
the hand-typed country rows of the nodes it covers (observed before estimated), and it may carry ``residual`` rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
from sqlmodel import Session, select

from deps.errors import DataValidationError, Problem
from deps.ingest.countries import known_codes
from deps.ingest.dataset import ImportResult, write_version
from deps.ingest.effects import EFFECT_OPTIONAL, EFFECT_REQUIRED, check_effects
from deps.ingest.extract import EXTRACT_OPTIONAL, EXTRACT_REQUIRED, merge_observed, validate_observed_rows
from deps.ingest.limits import ReadLimits
from deps.ingest.reader import DEFAULT_LIMITS, RawTable, file_kind, hash_files, read_table
from deps.ingest.resilience import RESILIENCE_OPTIONAL, RESILIENCE_REQUIRED, check_node_resilience
from deps.ingest.store import MEMBERSHIP_COLUMNS, write_template_tables
from deps.ingest.validation import TableCheck, share_sum_problems
from deps.ingest.workbook import sheet_names
from deps.store.models import (
    BASES,
    CONFIDENCE_LEVELS,
    DEPENDENCY_KINDS,
    EDGE_RELATIONS,
    EVIDENCE_KINDS,
    NODE_KINDS,
    SOURCE_KINDS,
    SUPPLIER_TYPES,
    ActionLine,
    Country,
    Market,
)
from supplychain.topology import find_cycle

__all__ = ["DEPENDENCY_KINDS", "SECTORS", "TABLES", "import_template", "validate_template"]

SECTORS = ("semiconductors", "biotech", "chemistry", "machine_building")
CRM_CLASSES = ("strategic", "critical")

#: table -> (required columns, optional columns)
TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "sources": (("source_id", "title"), ("publisher", "year", "url", "note", "evidence", "confidence")),
    "countries": (("iso3", "name"), ("eu27", "nato", "oecd", "wgi_pv", "wgi_year", "source_id")),
    "markets": (("market_id", "name_nl", "name_en"), ("description", "source_id")),
    "action_lines": (("action_line_id", "number", "name_nl", "name_en"), ("description", "source_id", "note")),
    "nodes": (
        ("node_id", "name", "kind"),
        ("sectors", "markets", "hs_code", "crm", "description", "source_id", "year"),
    ),
    "edges": (
        ("from_node", "to_node", "relation"),
        ("share_pct", "factor", "source_id", "year", "evidence", "confidence", "note"),
    ),
    "firms": (("firm_id", "name"), ("hq_iso3", "source_id", "note")),
    "provision": (
        ("node_id", "supplier_type", "supplier_id", "source_id", "evidence"),
        ("share_pct", "basis", "year", "confidence", "note"),
    ),
    "observed_provision": (EXTRACT_REQUIRED, EXTRACT_OPTIONAL),
    "effects": (EFFECT_REQUIRED, EFFECT_OPTIONAL),
    "node_resilience": (RESILIENCE_REQUIRED, RESILIENCE_OPTIONAL),
}


@dataclass(frozen=True)
class ValidatedTemplate:
    """Converted, validated tables of one template (frames keyed by table name) and its content hash."""

    tables: Mapping[str, pd.DataFrame]
    content_hash: str
    files: tuple[str, ...]
    notes: tuple[str, ...] = ()


def validate_template(
    path: Path,
    *,
    session: Session,
    max_bytes: int,
    share_tolerance: float,
    limits: ReadLimits | None = None,
) -> ValidatedTemplate:
    """Read and validate a template folder or workbook; raise :class:`DataValidationError` with every problem.

    ``session`` is used read-only, to accept references to countries, markets and action lines already in the
    database.
    """
    problems: list[Problem] = []
    raw, files = _read_all(path, max_bytes=max_bytes, problems=problems, limits=limits)
    if problems:
        raise DataValidationError(problems, f"template {path.name}")
    if "nodes" not in raw:
        raise DataValidationError(
            [Problem(path.name, None, None, "no nodes table", "add nodes.csv (or a 'nodes' sheet)")],
            f"template {path.name}",
        )
    db_countries = set(session.exec(select(Country.iso3)).all())
    db_markets = set(session.exec(select(Market.market_id)).all())
    db_lines = set(session.exec(select(ActionLine.action_line_id)).all())
    out: dict[str, pd.DataFrame] = {}

    sources = _sources(raw.get("sources"), problems, out)
    countries = _countries(raw.get("countries"), problems, out) | db_countries
    accepted_codes = set(known_codes())
    markets = _markets(raw.get("markets"), problems, out) | db_markets
    lines = _action_lines(raw.get("action_lines"), problems, out) | db_lines
    cite = _Citations(sources)
    nodes = _nodes(raw["nodes"], problems, out, markets, cite)
    if "edges" in raw:
        _edges(raw["edges"], problems, out, nodes, cite, share_tolerance)
    firms = _firms(raw.get("firms"), problems, out, countries | accepted_codes, cite)
    if "provision" in raw:
        _provision(raw["provision"], problems, out, nodes, firms, accepted_codes, cite, share_tolerance)
    notes: list[str] = []
    if "observed_provision" in raw:
        observed = validate_observed_rows(
            TableCheck(_name("observed_provision"), raw["observed_provision"], problems),
            nodes=nodes,
            countries=accepted_codes,
            sources=cite.sources,
            bases=BASES,
            tolerance=share_tolerance,
        )
        if not problems:
            merged, notes = merge_observed(out.get("provision", observed.iloc[0:0]), observed)
            out["provision"] = merged
    if "effects" in raw:
        check = TableCheck(_name("effects"), raw["effects"], problems)
        out["effects"] = check_effects(check, lines=lines, sources=cite.sources | {""}).rename(
            columns={"source_id": "source"}
        )
    if "node_resilience" in raw:
        check = TableCheck(_name("node_resilience"), raw["node_resilience"], problems)
        out["node_resilience"] = check_node_resilience(check, nodes=nodes, sources=cite.sources)
    if problems:
        if path.is_file():  # name the workbook and sheet, not the CSV file the table would have in a folder
            sheets = {_name(table): f"{path.name}:{table}" for table in TABLES}
            problems = [replace(p, file=sheets.get(p.file, p.file)) for p in problems]
        raise DataValidationError(problems, f"template {path.name}")
    return ValidatedTemplate(out, hash_files(files), tuple(sorted(f.name for f in files)), tuple(notes))


def import_template(
    path: Path,
    *,
    session: Session,
    dataset: str,
    user: str,
    max_bytes: int,
    share_tolerance: float,
    fmt: str = "template",
    limits: ReadLimits | None = None,
) -> ImportResult:
    """Validate ``path`` completely, then write it as a new version of ``dataset`` in the caller's transaction."""
    valid = validate_template(
        path, session=session, max_bytes=max_bytes, share_tolerance=share_tolerance, limits=limits
    )
    return write_version(
        session,
        name=dataset,
        fmt=fmt,
        content_hash=valid.content_hash,
        user=user,
        description=f"{fmt} import of {path.name}",
        files=valid.files,
        notes=valid.notes,
        write=lambda dataset_id: (write_template_tables(session, valid.tables, dataset_id), ()),
    )


# ---------------------------------------------------------------------------------------------------- reading
def _read_all(
    path: Path, *, max_bytes: int, problems: list[Problem], limits: ReadLimits | None
) -> tuple[dict[str, pd.DataFrame], list[Path]]:
    raw: dict[str, pd.DataFrame] = {}
    files: list[Path] = []
    if path.is_dir():
        for table, (required, optional) in TABLES.items():
            candidate = path / f"{table}.csv"
            if not candidate.exists():
                continue
            files.append(candidate)
            read = read_table(candidate, required=required, optional=optional, max_bytes=max_bytes, limits=limits)
            _collect(read, table, raw, problems)
        if not files:
            problems.append(
                Problem(path.name, None, None, "the folder holds none of the template's CSV files", _TABLE_FIX)
            )
        return raw, files
    if not path.is_file():
        problems.append(Problem(path.name, None, None, "no such file or folder", "check the path"))
        return raw, files
    with path.open("rb") as handle:
        kind = file_kind(handle.read(8))
    if kind != "xlsx":
        problems.append(
            Problem(path.name, None, None, "a template is a folder of CSV files or an XLSX workbook", _TABLE_FIX)
        )
        return raw, files
    files.append(path)
    sheets, refused = sheet_names(path, path.name, limits or DEFAULT_LIMITS)
    if refused:
        problems.extend(refused)
        return raw, files
    for table, (required, optional) in TABLES.items():
        if table in sheets:
            read = read_table(
                path,
                required=required,
                optional=optional,
                max_bytes=max_bytes,
                limits=limits,
                sheet=table,
                label=f"{path.name}:{table}",
            )
            _collect(read, table, raw, problems)
    return raw, files


_TABLE_FIX = f"provide tables named {', '.join(TABLES)} (nodes is required); see the README's template section"


def _collect(read: RawTable, table: str, raw: dict[str, pd.DataFrame], problems: list[Problem]) -> None:
    problems.extend(read.problems)
    if read.frame is not None and not read.problems:
        raw[table] = read.frame


class _Citations:
    """Checks a source_id column against the template's sources table."""

    def __init__(self, sources: set[str]) -> None:
        self.sources = sources

    def check(self, check: TableCheck, *, required: bool) -> pd.Series:
        values = check.text("source_id", required=required, what="the source_id of a row in sources")
        check.references(
            "source_id", values, self.sources, "source", "add the source to sources.csv or correct the source_id"
        )
        return values


# ---------------------------------------------------------------------------------------------------- tables
def _name(table: str) -> str:
    return f"{table}.csv"


def _sources(frame: pd.DataFrame | None, problems: list[Problem], out: dict[str, pd.DataFrame]) -> set[str]:
    if frame is None:
        return set()
    check = TableCheck(_name("sources"), frame, problems)
    data = pd.DataFrame(
        {
            "code": check.text("source_id", max_len=200, what="a short unique id"),
            "title": check.text("title", what="the title of the publication"),
            "publisher": check.text("publisher", required=False),
            "year": check.integer("year", required=False, low=1900, high=2100),
            "url": check.text("url", required=False),
            "note": check.text("note", required=False),
            "evidence": check.choice("evidence", SOURCE_KINDS, required=False),
            "confidence": check.choice("confidence", CONFIDENCE_LEVELS, required=False),
        }
    )
    check.unique(["source_id"], what="source_id")
    out["sources"] = data
    return set(data["code"]) - {""}


def _countries(frame: pd.DataFrame | None, problems: list[Problem], out: dict[str, pd.DataFrame]) -> set[str]:
    if frame is None:
        return set()
    check = TableCheck(_name("countries"), frame, problems)
    data = pd.DataFrame(
        {
            "iso3": check.codes("iso3", known_codes()),
            "name": check.text("name", what="the country's name"),
            "wgi_pv": check.number("wgi_pv", required=False, low=-2.5, high=2.5, what="a WGI estimate"),
            "wgi_year": check.integer("wgi_year", required=False, low=1996, high=2100),
            "source": check.text("source_id", required=False),
        }
    )
    for column in MEMBERSHIP_COLUMNS:
        data[column] = check.flag(column, required=False)
    check.unique(["iso3"], what="country code")
    out["countries"] = data
    return set(data["iso3"]) - {""}


def _markets(frame: pd.DataFrame | None, problems: list[Problem], out: dict[str, pd.DataFrame]) -> set[str]:
    if frame is None:
        return set()
    check = TableCheck(_name("markets"), frame, problems)
    data = pd.DataFrame(
        {
            "market_id": check.text("market_id", max_len=40),
            "name_nl": check.text("name_nl"),
            "name_en": check.text("name_en"),
            "description": check.text("description", required=False),
            "source": check.text("source_id", required=False),
        }
    )
    check.unique(["market_id"], what="market_id")
    out["markets"] = data
    return set(data["market_id"]) - {""}


def _action_lines(frame: pd.DataFrame | None, problems: list[Problem], out: dict[str, pd.DataFrame]) -> set[str]:
    if frame is None:
        return set()
    check = TableCheck(_name("action_lines"), frame, problems)
    data = pd.DataFrame(
        {
            "action_line_id": check.text("action_line_id", max_len=40),
            "number": check.integer("number", low=1, high=99),
            "name_nl": check.text("name_nl"),
            "name_en": check.text("name_en"),
            "description": check.text("description", required=False),
            "source": check.text("source_id", required=False),
        }
    )
    check.unique(["action_line_id"], what="action_line_id")
    out["action_lines"] = data
    return set(data["action_line_id"]) - {""}


def _nodes(
    frame: pd.DataFrame, problems: list[Problem], out: dict[str, pd.DataFrame], markets: set[str], cite: _Citations
) -> set[str]:
    check = TableCheck(_name("nodes"), frame, problems)
    data = pd.DataFrame(
        {
            "code": check.text("node_id", max_len=80, what="a unique node id"),
            "name": check.text("name", what="the node's name"),
            "kind": check.choice("kind", NODE_KINDS),
            "sectors": check.split_list("sectors", SECTORS),
            "markets": check.split_list("markets", markets),
            "hs_code": check.text("hs_code", required=False, max_len=12),
            "crm": check.choice("crm", CRM_CLASSES, required=False),
            "description": check.text("description", required=False, max_len=5000),
            "source": cite.check(check, required=False),
            "year": check.integer("year", required=False, low=1900, high=2100),
        }
    )
    finals = data["kind"].eq("final_product")
    for index in [int(i) for i in data.index[finals & data["markets"].map(len).eq(0)]]:
        check.add(
            index, "markets", "a final product must name its focus market(s)", "fill in market ids, ';'-separated"
        )
    bad_hs = data["hs_code"].ne("") & ~data["hs_code"].str.fullmatch(r"\d{6}")
    for index in [int(i) for i in data.index[bad_hs]]:
        check.add(index, "hs_code", f"{data['hs_code'][index]!r} is not a 6-digit HS code", "write six digits")
    check.unique(["node_id"], what="node_id")
    out["nodes"] = data
    return set(data["code"]) - {""}


def _edges(
    frame: pd.DataFrame,
    problems: list[Problem],
    out: dict[str, pd.DataFrame],
    nodes: set[str],
    cite: _Citations,
    tolerance: float,
) -> None:
    check = TableCheck(_name("edges"), frame, problems)
    data = pd.DataFrame(
        {
            "src": check.text("from_node"),
            "dst": check.text("to_node"),
            "relation": check.choice("relation", EDGE_RELATIONS),
            "share_pct": check.number(
                "share_pct", required=False, low=0, high=100, what="a type share in percent", fix_range="use 0-100 (%)"
            ),
            "factor": check.number(
                "factor", required=False, low=0, high=1, what="a substitutability factor", fix_range="use 0-1"
            ),
            "source": cite.check(check, required=False),
            "year": check.integer("year", required=False, low=1900, high=2100),
            "evidence": check.choice("evidence", EVIDENCE_KINDS, required=False),
            "confidence": check.choice("confidence", CONFIDENCE_LEVELS, required=False),
            "note": check.text("note", required=False),
        }
    )
    fix = "add the node to nodes.csv or correct the id"
    check.references("from_node", data["src"], nodes, "node", fix)
    check.references("to_node", data["dst"], nodes, "node", fix)
    for index in [int(i) for i in data.index[data["src"].ne("") & data["src"].eq(data["dst"])]]:
        check.add(index, "to_node", "an edge from a node to itself", "remove the row")
    check.unique(["from_node", "to_node", "relation"], what="edge")
    _alternative_problems(
        check, data, tolerance, blank_factor=frame.get("factor", pd.Series("", index=frame.index)).eq("")
    )
    data["share"] = data.pop("share_pct") / 100.0
    cycle = find_cycle(data.loc[data["relation"].ne(""), ["src", "dst"]].itertuples(index=False, name=None))
    if cycle is not None:
        check.add(
            None,
            "from_node, to_node",
            f"the edges form a cycle: {' -> '.join(cycle)}",
            "a product cannot be an input of itself: remove or reverse one edge of the cycle",
        )
    out["edges"] = data


def _alternative_problems(check: TableCheck, data: pd.DataFrame, tolerance: float, *, blank_factor: pd.Series) -> None:
    """share_pct only on is_type_of edges (summing to at most 100 per category), factor required on substitutes."""
    rel = data["relation"]
    for index in [int(i) for i in data.index[data["share_pct"].notna() & rel.ne("is_type_of") & rel.ne("")]]:
        check.add(index, "share_pct", "a share on an edge that is not is_type_of", "leave share_pct empty on this edge")
    for index in [int(i) for i in data.index[blank_factor & rel.eq("substitutes")]]:
        check.add(index, "factor", "a substitutes edge without its factor", "give the substitutability 0-1")
    for index in [int(i) for i in data.index[data["factor"].notna() & rel.ne("substitutes") & rel.ne("")]]:
        check.add(index, "factor", "a factor on an edge that is not substitutes", "leave factor empty on this edge")
    types = data[rel.eq("is_type_of")]
    check.problems.extend(
        share_sum_problems(
            _name("edges"),
            types,
            group=["dst"],
            share="share_pct",
            limit=100.0,
            tolerance=tolerance * 100,
            column="share_pct",
        )
    )


def _firms(
    frame: pd.DataFrame | None,
    problems: list[Problem],
    out: dict[str, pd.DataFrame],
    countries: set[str],
    cite: _Citations,
) -> set[str]:
    if frame is None:
        return set()
    check = TableCheck(_name("firms"), frame, problems)
    data = pd.DataFrame(
        {
            "code": check.text("firm_id", max_len=80, what="a unique firm id"),
            "name": check.text("name", what="the firm's name"),
            "hq_iso3": check.codes("hq_iso3", countries, required=False),
            "source": cite.check(check, required=False),
            "note": check.text("note", required=False),
        }
    )
    check.unique(["firm_id"], what="firm_id")
    out["firms"] = data
    return set(data["code"]) - {""}


def _provision(
    frame: pd.DataFrame,
    problems: list[Problem],
    out: dict[str, pd.DataFrame],
    nodes: set[str],
    firms: set[str],
    countries: set[str],
    cite: _Citations,
    tolerance: float,
) -> None:
    check = TableCheck(_name("provision"), frame, problems)
    data = pd.DataFrame(
        {
            "node": check.text("node_id"),
            "supplier_type": check.choice("supplier_type", SUPPLIER_TYPES),
            "supplier": check.text("supplier_id", what="an ISO3 code or a firm_id"),
            "share_pct": check.number(
                "share_pct", required=False, low=0, high=100, what="a share in percent", fix_range="use 0-100 (%)"
            ),
            "basis": check.choice("basis", BASES, required=False),
            "year": check.integer("year", required=False, low=1900, high=2100),
            "source": cite.check(check, required=True),
            "evidence": check.choice("evidence", EVIDENCE_KINDS),
            "confidence": check.choice("confidence", CONFIDENCE_LEVELS, required=False),
            "note": check.text("note", required=False),
        }
    )
    check.references("node_id", data["node"], nodes, "node", "add the node to nodes.csv or correct the id")
    is_country = data["supplier_type"].eq("country")
    data.loc[is_country, "supplier"] = data.loc[is_country, "supplier"].str.upper()
    check.references(
        "supplier_id",
        data["supplier"].where(is_country, ""),
        countries,
        "country code",
        "use an ISO 3166-1 alpha-3 code",
    )
    check.references(
        "supplier_id",
        data["supplier"].where(data["supplier_type"].eq("firm"), ""),
        firms,
        "firm",
        "add the firm to firms.csv or correct the firm_id",
    )
    check.unique(["node_id", "supplier_type", "supplier_id", "basis", "year"], what="provision row")
    problems.extend(
        share_sum_problems(
            _name("provision"),
            data,
            group=["node", "supplier_type"],
            share="share_pct",
            limit=100.0,
            tolerance=tolerance * 100,
            column="share_pct",
        )
    )
    out["provision"] = data
