"""Importer for the CSET / ETO Advanced Semiconductor Supply Chain dataset (the "chip explorer" folder).

The folder holds five CSV files (``inputs``, ``stages``, ``sequence``, ``providers``, ``provision``).  They become
one dataset version: inputs and stages as nodes (sector ``semiconductors``), sequence rows as ``goes_into`` and
``is_type_of`` edges (with type shares from the market sizes where they allow it, :mod:`deps.ingest.cset_types`),
organisations as firms, and every provision row as a :class:`~deps.models.Provision` row with
its share as a fraction (blank = unknown, kept as ``None``) and its source text as a :class:`~deps.models.Source`.

Quirks handled (``shared/data/cset-chip-explorer/SOURCE.md``):

* provider ids repeat once per alias; rows are joined on ids, never names, and a repeated id must agree on name,
  type and country (otherwise it is a duplicate id and a problem);
* shares are by headquarters country, so firm rows get ``basis = headquarters`` and the firm's HQ country; stage
  rows whose chart caption speaks of capacity (fabrication, ATP) get ``basis = capacity``;
* "Various countries", "Various companies" and "EUR" are placeholders, not suppliers: their provision rows are kept
  out of the database, counted and reported in :attr:`ImportResult.notes`;
* country shares per node add up to 99-102 % through rounding, hence the share-sum tolerance; sums are checked per
  (node, supplier type) over every row of the file, placeholders included, so the check sees the file as published.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlmodel import Session

from deps.errors import DataValidationError, Problem
from deps.ingest.countries import known_codes
from deps.ingest.cset_types import edge_records, with_type_shares
from deps.ingest.dataset import ImportResult, bulk_insert, code_ids, ensure_countries, records, write_version
from deps.ingest.limits import ReadLimits
from deps.ingest.reader import hash_files, read_table
from deps.ingest.validation import TableCheck, share_sum_problems
from deps.store.models import Edge, Firm, Market, Node, NodeMarket, NodeSector, Provision, Source
from supplychain.topology import find_cycle

__all__ = ["FILES", "KIND_OF_TYPE", "NOT_SUPPLIERS", "ValidatedCset", "import_cset", "validate_cset"]

#: CSET ``type`` -> node kind.
KIND_OF_TYPE: dict[str, str] = {
    "process": "process",
    "design_resource": "product",
    "tool_resource": "tool",
    "material_resource": "material",
    "ultimate_output": "final_product",
}
#: Provider names that stand for "the rest" rather than a real country or firm (SOURCE.md).
NOT_SUPPLIERS = frozenset({"Various countries", "Various companies", "EUR"})
SECTOR = "semiconductors"
MARKET = "semiconductors"

#: file -> (required columns, optional columns)
FILES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "inputs": (
        ("input_id", "input_name", "type"),
        ("stage_id", "description", "year", "market_share_chart_global_market_size_info"),
    ),
    "stages": (("stage_id", "stage_name"), ("description", "market_share_chart_caption")),
    "sequence": (("input_id", "goes_into_id", "is_type_of_id"), ()),
    "providers": (("provider_id", "provider_name", "provider_type", "country"), ("alias",)),
    "provision": (("provider_id", "provided_id", "share_provided", "year"), ("source",)),
}
_PROVIDER_TYPES = ("country", "organization")


@dataclass(frozen=True)
class ValidatedCset:
    """Converted, validated tables (``nodes``, ``edges``, ``firms``, ``provision``, ``sources``) and notes."""

    tables: Mapping[str, pd.DataFrame]
    content_hash: str
    files: tuple[str, ...]
    notes: tuple[str, ...]


def validate_cset(
    path: Path, *, max_bytes: int, share_tolerance: float, limits: ReadLimits | None = None
) -> ValidatedCset:
    """Read and validate the CSET folder; raise :class:`DataValidationError` with every problem found.

    Parameters
    ----------
    path
        The folder holding ``inputs.csv``, ``stages.csv``, ``sequence.csv``, ``providers.csv``, ``provision.csv``.
    max_bytes
        Size limit per file.
    share_tolerance
        Allowed excess of a share sum over 100 %, as a fraction (0.02 = 2 percentage points; the data rounds
        shares below 1 % up to 1 %, so country sums reach 102 %).
    """
    problems: list[Problem] = []
    if not path.is_dir():
        problems.append(Problem(path.name, None, None, "the CSET dataset is a folder", _FOLDER_FIX))
        raise DataValidationError(problems, f"CSET folder {path.name}")
    raw: dict[str, pd.DataFrame] = {}
    paths = [path / f"{name}.csv" for name in FILES]
    for name, (required, optional) in FILES.items():
        read = read_table(
            path / f"{name}.csv",
            required=required,
            optional=optional,
            max_bytes=max_bytes,
            limits=limits,
            csv_only=True,
        )
        problems.extend(read.problems)
        if read.frame is not None and not read.problems:
            raw[name] = read.frame
    if problems:
        raise DataValidationError(problems, f"CSET folder {path.name}")
    out: dict[str, pd.DataFrame] = {}
    nodes = _nodes(raw["inputs"], raw["stages"], problems, out)
    _edges(raw["sequence"], problems, out, set(nodes))
    type_notes = with_type_shares(raw["inputs"], out)
    providers = _providers(raw["providers"], problems, out)
    notes = type_notes + _provision(raw["provision"], problems, out, nodes, providers, share_tolerance)
    if problems:
        raise DataValidationError(problems, f"CSET folder {path.name}")
    return ValidatedCset(out, hash_files(paths), tuple(sorted(p.name for p in paths)), tuple(notes))


def import_cset(
    path: Path,
    *,
    session: Session,
    dataset: str = "cset",
    user: str,
    max_bytes: int,
    share_tolerance: float,
    limits: ReadLimits | None = None,
) -> ImportResult:
    """Validate the CSET folder completely, then write it as a new version of ``dataset`` in the caller's transaction.

    Importing unchanged files again writes nothing and returns the existing version (``unchanged=True``).
    The final product is linked to the ``semiconductors`` market when that market exists (it does once the seed
    is loaded); otherwise the link is skipped and a note says so.
    """
    valid = validate_cset(path, max_bytes=max_bytes, share_tolerance=share_tolerance, limits=limits)
    return write_version(
        session,
        name=dataset,
        fmt="cset",
        content_hash=valid.content_hash,
        user=user,
        description=f"CSET/ETO chip explorer import of {path.name}",
        files=valid.files,
        notes=valid.notes,
        write=lambda dataset_id: _write(session, valid.tables, dataset_id),
    )


_FOLDER_FIX = "give the folder holding inputs.csv, stages.csv, sequence.csv, providers.csv and provision.csv"


# ---------------------------------------------------------------------------------------------------- validation
def _nodes(
    inputs: pd.DataFrame, stages: pd.DataFrame, problems: list[Problem], out: dict[str, pd.DataFrame]
) -> dict[str, str]:
    """Validate inputs and stages; return node code -> provision basis for country rows."""
    check = TableCheck("inputs.csv", inputs, problems)
    data = pd.DataFrame(
        {
            "code": check.text("input_id", max_len=80, what="a unique input id such as N20"),
            "name": check.text("input_name", what="the input's name"),
            "type": check.choice("type", KIND_OF_TYPE),
            "description": check.text("description", required=False, max_len=20000),
            "year": check.integer("year", required=False, low=1900, high=2100),
            "stage": check.text("stage_id", required=False),
        }
    )
    check.unique(["input_id"], what="input_id")
    stage_check = TableCheck("stages.csv", stages, problems)
    stage = pd.DataFrame(
        {
            "code": stage_check.text("stage_id", max_len=80, what="a unique stage id such as S1"),
            "name": stage_check.text("stage_name", what="the stage's name"),
            "description": stage_check.text("description", required=False, max_len=20000),
            "caption": stage_check.text("market_share_chart_caption", required=False),
        }
    )
    stage_check.unique(["stage_id"], what="stage_id")
    stage_codes = set(stage["code"]) - {""}
    check.references("stage_id", data["stage"], stage_codes, "stage", "use a stage_id from stages.csv")
    for index in [int(i) for i in stage.index[stage["code"].isin(set(data["code"]) - {""})]]:
        stage_check.add(
            index, "stage_id", f"id {stage['code'][index]!r} is also an input_id", "give stages their own ids"
        )
    data["kind"] = data["type"].map(KIND_OF_TYPE).fillna("")
    stage["kind"] = "process"
    stage["year"] = pd.Series([None] * len(stage), dtype="Int64")
    columns = ["code", "name", "kind", "description", "year"]
    out["nodes"] = pd.concat([data[columns], stage[columns]], ignore_index=True)
    basis = {str(c): "headquarters" for c in data["code"] if c}
    for code, caption in zip(stage["code"], stage["caption"], strict=True):
        if code:
            basis[str(code)] = "capacity" if "capacity" in caption.lower() else "headquarters"
    return basis


def _edges(frame: pd.DataFrame, problems: list[Problem], out: dict[str, pd.DataFrame], nodes: set[str]) -> None:
    check = TableCheck("sequence.csv", frame, problems)
    src = check.text("input_id", what="the id of the input")
    targets = {
        "goes_into": check.text("goes_into_id", required=False),
        "is_type_of": check.text("is_type_of_id", required=False),
    }
    fix = "use an input_id from inputs.csv (or a stage_id from stages.csv)"
    check.references("input_id", src, nodes, "node", fix)
    for index in [int(i) for i in frame.index[targets["goes_into"].eq("") & targets["is_type_of"].eq("")]]:
        check.add(index, "goes_into_id", "the row names no target", "fill in goes_into_id or is_type_of_id")
    parts = []
    for relation, dst in targets.items():
        column = f"{relation}_id"
        check.references(column, dst, nodes, "node", fix)
        mask = dst.ne("") & src.ne("")
        for index in [int(i) for i in frame.index[mask & dst.eq(src)]]:
            check.add(index, column, f"an edge from {src[index]!r} to itself", "remove the row")
        part = pd.DataFrame({"src": src[mask], "dst": dst[mask], "relation": relation, "position": frame.index[mask]})
        parts.append(part)
        cycle = find_cycle(part[["src", "dst"]].itertuples(index=False, name=None))
        if cycle is not None:
            check.add(
                None,
                f"input_id, {column}",
                f"the {relation} edges form a cycle: {' -> '.join(cycle)}",
                "a product cannot be an input (or a type) of itself: remove or reverse one edge of the cycle",
            )
    edges = pd.concat(parts, ignore_index=True)
    repeated = edges.duplicated(["src", "dst", "relation"])
    for position, r in zip(edges.loc[repeated, "position"], edges[repeated].itertuples(), strict=True):
        check.add(int(position), f"{r.relation}_id", f"duplicate edge {r.src} -> {r.dst}", "remove the repeated row")
    out["edges"] = edges.loc[~repeated, ["src", "dst", "relation"]].reset_index(drop=True)


def _providers(frame: pd.DataFrame, problems: list[Problem], out: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Validate providers; return one row per provider id (code, name, type, country, excluded)."""
    check = TableCheck("providers.csv", frame, problems)
    data = pd.DataFrame(
        {
            "code": check.text("provider_id", max_len=80, what="a provider id such as P1"),
            "name": check.text("provider_name", what="the provider's name"),
            "type": check.choice("provider_type", _PROVIDER_TYPES),
            "country": check.text("country", required=False).str.upper(),
            "alias": check.text("alias", required=False),
        }
    )
    # An id repeats once per alias (documented); any other repeat is a duplicate id.
    check.unique(["provider_id", "alias"], what="provider id and alias")
    first: dict[str, int] = {}
    keys = data[["code", "name", "type", "country"]].itertuples(index=False, name=None)
    for position, (code, name, kind, country) in enumerate(keys):
        if not code:
            continue
        if code not in first:
            first[str(code)] = position
            continue
        base = data.iloc[first[code]]
        if (name, kind, country) != (base["name"], base["type"], base["country"]):
            check.add(
                position,
                "provider_id",
                f"duplicate provider id {code!r} with a different name, type or country than row "
                f"{check.row_of(first[code])}",
                "give each provider its own id; alias rows must repeat the name, type and country exactly",
            )
    data["excluded"] = data["name"].isin(NOT_SUPPLIERS)
    codes = known_codes()
    real = ~data["excluded"]
    bad_country = real & data["type"].eq("country") & ~data["name"].str.upper().isin(list(codes))
    for index in [int(i) for i in data.index[bad_country]]:
        check.add(
            index, "provider_name", f"unknown country code {data['name'][index]!r}", "use an ISO 3166-1 alpha-3 code"
        )
    bad_hq = real & data["type"].eq("organization") & data["country"].ne("") & ~data["country"].isin(list(codes))
    for index in [int(i) for i in data.index[bad_hq]]:
        check.add(
            index, "country", f"unknown country code {data['country'][index]!r}", "use the ISO3 code of the HQ country"
        )
    unique = data[data["code"].ne("")].drop_duplicates("code").copy()
    aliases: dict[str, list[str]] = {}
    for code, alias in data.loc[data["alias"].ne(""), ["code", "alias"]].itertuples(index=False, name=None):
        if alias not in aliases.setdefault(str(code), []):
            aliases[str(code)].append(str(alias))
    unique["note"] = [f"aliases: {'; '.join(aliases[c])}" if c in aliases else "" for c in unique["code"]]
    firms = unique[unique["type"].eq("organization") & ~unique["excluded"]]
    out["firms"] = firms[["code", "name", "country", "note"]].reset_index(drop=True)
    return unique.set_index("code")


def _provision(
    frame: pd.DataFrame,
    problems: list[Problem],
    out: dict[str, pd.DataFrame],
    basis: dict[str, str],
    providers: pd.DataFrame,
    tolerance: float,
) -> list[str]:
    check = TableCheck("provision.csv", frame, problems)
    data = pd.DataFrame(
        {
            "provider": check.text("provider_id", what="a provider id from providers.csv"),
            "node": check.text("provided_id", what="an input or stage id"),
            "share_pct": check.number(
                "share_provided", required=False, low=0, high=100, what="a share in percent", fix_range="use 0-100 (%)"
            ),
            "year": check.integer("year", required=False, low=1900, high=2100),
            "source": check.text("source", required=False),
        }
    )
    check.references(
        "provider_id", data["provider"], set(providers.index), "provider", "add it to providers.csv or fix the id"
    )
    check.references(
        "provided_id", data["node"], set(basis), "input or stage", "use an id from inputs.csv or stages.csv"
    )
    check.unique(["provider_id", "provided_id", "year"], what="provision row")
    data["supplier_type"] = data["provider"].map(providers["type"]).fillna("")
    problems.extend(
        share_sum_problems(
            "provision.csv",
            data[data["supplier_type"].ne("")],
            group=["node", "supplier_type"],
            share="share_pct",
            limit=100.0,
            tolerance=tolerance * 100,
            column="share_provided",
        )
    )
    excluded = data["provider"].isin(set(providers.index[providers["excluded"]]))
    notes: list[str] = []
    if excluded.any():
        counts = Counter(data.loc[excluded, "provider"])
        listed = ", ".join(f"{providers['name'][p]} ({p}): {n}" for p, n in sorted(counts.items()))
        notes.append(
            f"{int(excluded.sum())} of {len(data)} provision rows name a placeholder, not a real supplier, and were "
            f"not loaded ({listed}); their shares stay in provision.csv"
        )
    unknown = int(data.loc[~excluded, "share_pct"].isna().sum())
    if unknown:
        notes.append(f"{unknown} provision rows have a known supplier but no share; loaded with share unknown")
    kept = data[~excluded].copy()
    kept["country"] = [
        providers["name"][p].upper() if t == "country" else providers["country"][p] if t else ""
        for p, t in zip(kept["provider"], kept["supplier_type"], strict=True)
    ]
    kept["basis"] = [
        "headquarters" if t == "organization" else basis.get(n, "headquarters")
        for n, t in zip(kept["node"], kept["supplier_type"], strict=True)
    ]
    out["provision"] = kept.reset_index(drop=True)
    texts = sorted(set(kept["source"]) - {""})
    out["sources"] = pd.DataFrame({"code": [_source_code(t) for t in texts], "title": texts})
    return notes


def _source_code(text: str) -> str:
    """A short stable code for a source text: ``cset-`` and the first 12 hex digits of its SHA-256."""
    return "cset-" + hashlib.sha256(text.encode()).hexdigest()[:12]


# ---------------------------------------------------------------------------------------------------- writing
def _write(session: Session, tables: Mapping[str, pd.DataFrame], dataset_id: int) -> tuple[dict[str, int], list[str]]:
    counts: dict[str, int] = {}
    notes: list[str] = []
    sources = tables["sources"]
    counts["sources"] = bulk_insert(
        session, Source, [{"dataset_id": dataset_id, **r, "publisher": "CSET / ETO"} for r in records(sources)]
    )
    source_ids = code_ids(session, Source, dataset_id)
    nodes = tables["nodes"]
    counts["nodes"] = bulk_insert(session, Node, [{"dataset_id": dataset_id, **r} for r in records(nodes)])
    node_ids = code_ids(session, Node, dataset_id)
    bulk_insert(session, NodeSector, [{"node_id": node_ids[c], "sector": SECTOR} for c in nodes["code"]])
    finals = [str(c) for c in nodes.loc[nodes["kind"].eq("final_product"), "code"]]
    if finals and session.get(Market, MARKET) is not None:
        bulk_insert(session, NodeMarket, [{"node_id": node_ids[c], "market_id": MARKET} for c in finals])
    elif finals:
        notes.append(f"market {MARKET!r} is not in the market table; {', '.join(finals)} not linked to it")
    edges = tables["edges"]
    counts["edges"] = bulk_insert(
        session,
        Edge,
        [
            {
                "dataset_id": dataset_id,
                "src_id": node_ids[s],
                "dst_id": node_ids[d],
                "relation": r,
                "share": share,
                "evidence": "observed",
                "note": note,
            }
            for s, d, r, share, note in edge_records(edges)
        ],
    )
    firms = tables["firms"]
    provision = tables["provision"]
    ensure_countries(session, sorted(set(firms["country"]) | set(provision["country"])))
    counts["firms"] = bulk_insert(
        session,
        Firm,
        [
            {
                "dataset_id": dataset_id,
                "code": r["code"],
                "name": r["name"],
                "hq_iso3": r["country"] or None,
                "note": r["note"],
            }
            for r in records(firms)
        ],
    )
    firm_ids = code_ids(session, Firm, dataset_id)
    rows = []
    for r in records(provision):
        is_firm = r["supplier_type"] == "organization"
        share = r["share_pct"]
        rows.append(
            {
                "dataset_id": dataset_id,
                "node_id": node_ids[r["node"]],
                "supplier_type": "firm" if is_firm else "country",
                "country_iso3": r["country"] or None,
                "firm_id": firm_ids[r["provider"]] if is_firm else None,
                "share": None if share is None else share / 100.0,
                "basis": r["basis"],
                "year": r["year"],
                "evidence": "observed",
                "source_id": source_ids.get(_source_code(r["source"])) if r["source"] else None,
                "note": "",
            }
        )
    counts["provision"] = bulk_insert(session, Provision, rows)
    return counts, notes
