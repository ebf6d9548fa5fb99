"""The observed-share extract shipped in ``data/``: USGS, IEA and EU CRM study shares mapped onto the seed's nodes.

``data/commodity_map.csv`` links each USGS commodity stage (``gallium:primary-production``), each IEA mineral
stage (``cobalt:refining``) and, for nodes that USGS and IEA do not cover, each material stage of the EU CRM study
2023 (``germanium:processing``, source ``eucrm``, :mod:`deps.ingest.eucrm`) with a basis to a seed node, with a role
(``primary``: the rows the seed loads; ``alternative``: other sources and vintages of the same node, kept for fusion
and trends) and a note.  It also maps CSET/ETO chip-explorer inputs (``N20``) and stages (``S2``) to the seed's
semiconductor nodes (source ``cset``), for fusion only: CSET's data are CC BY-NC 4.0, so no CSET row enters the
shipped extract (:data:`EXTRACT_SOURCES`).  :func:`build_extract` takes the validated observed tables and the map
and returns, for every ``primary`` map row of a shipped source, the country and residual rows of every reference
year the releases give (USGS: 2021-2025 across the 2023-2026 releases; IEA: the 2023 observed column; EU CRM: 2022,
an upper bound on the study's data period), each year once, chosen by a documented rule:

1. for each reference year, observed before estimated (evidence is per row: USGS marks the last year of each vintage
   as estimated, and single figures by a footnote letter ``e``, an ``e`` prefix or a note; a release counts as
   observed for a year when its observed rows carry more than half of its known shares, :mod:`supplychain.evidence`;
   IEA's projections are never used);
2. then the newest vintage that has the year (a later release revises an earlier one).

The current analysis still takes one year per node: :func:`deps.store.queries.provision_frame` picks, of these rows,
observed before estimated and then the newest year; trends and the back-test read every year
(``observed_all=True, by_year=True``).

The frame has the columns of the seed's ``provision.csv`` plus ``vintage``, ``quantity`` and ``unit``; rows are
sorted, and numbers are written with fixed rounding, so the same originals give a byte-identical file
(``scripts/build_observed_extract.py``).  Residual rows (``supplier_type = residual``, no supplier id) carry the
"Other countries" / "Rest of world" share.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from pathlib import Path

import pandas as pd

from deps.errors import DataValidationError, Problem
from deps.ingest import FUSABLE
from deps.ingest.observed import ValidatedObserved
from deps.ingest.validation import TableCheck, positions, share_sum_problems
from supplychain.evidence import EVIDENCE_RANK, block_evidence_ranks

__all__ = [
    "EXTRACT_COLUMNS",
    "EXTRACT_OPTIONAL",
    "EXTRACT_REQUIRED",
    "EXTRACT_SOURCES",
    "MAP_COLUMNS",
    "build_extract",
    "merge_observed",
    "read_map",
    "validate_observed_rows",
    "write_extract",
]

MAP_COLUMNS = ("source", "stage_code", "basis", "node_id", "role", "source_id", "note")
EXTRACT_COLUMNS = (
    "node_id",
    "supplier_type",
    "supplier_id",
    "share_pct",
    "basis",
    "year",
    "source_id",
    "evidence",
    "confidence",
    "vintage",
    "quantity",
    "unit",
    "note",
)
EXTRACT_REQUIRED = ("node_id", "supplier_type", "source_id", "evidence")
EXTRACT_OPTIONAL = ("supplier_id", "share_pct", "basis", "year", "confidence", "vintage", "quantity", "unit", "note")
OBSERVED_SUPPLIER_TYPES = ("country", "residual")
OBSERVED_EVIDENCE = ("observed", "estimated")
#: the map links the stages of these import formats, and of the EU CRM study's producer shares (extract only: the
#: study is not an import format, so ``--with`` never adds it; see :mod:`deps.ingest.eucrm`)
_SOURCES = (*FUSABLE, "eucrm")
#: the sources whose ``primary`` rows go into the shipped extract.  CSET's rows do not: its data are CC BY-NC 4.0
#: (non-commercial), so they are mapped for fusion only (``--with cset`` on a user's own import)
EXTRACT_SOURCES = ("usgs", "iea", "eucrm")
_ROLES = ("primary", "alternative")


def read_map(path: Path) -> pd.DataFrame:
    """Read and check ``commodity_map.csv`` (every column present, known source and role, no repeated key)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    problems: list[Problem] = []
    for column in MAP_COLUMNS:
        if column not in frame.columns:
            problems.append(Problem(path.name, 1, column, "required column is missing", "add the column"))
    if problems:
        raise DataValidationError(problems, path.name)
    for index, row in frame.iterrows():
        position = int(str(index)) + 2
        if row["source"] not in _SOURCES:
            fix = f"use one of {', '.join(_SOURCES)}"
            problems.append(Problem(path.name, position, "source", f"{row['source']!r}", fix))
        if row["role"] not in _ROLES:
            problems.append(Problem(path.name, position, "role", f"{row['role']!r}", "use primary or alternative"))
        if not row["note"].strip():
            problems.append(Problem(path.name, position, "note", "value is missing", "say why the row maps so"))
    repeated = frame.duplicated(["source", "stage_code", "basis", "node_id"])
    for index in frame.index[repeated]:
        problems.append(Problem(path.name, int(index) + 2, "stage_code", "repeated mapping", "remove the row"))
    if problems:
        raise DataValidationError(problems, path.name)
    return frame


def build_extract(commodity_map: pd.DataFrame, observed: Mapping[str, ValidatedObserved]) -> pd.DataFrame:
    """Seed provision rows for every ``primary`` map row that has observed shares (see the module docstring).

    Parameters
    ----------
    commodity_map
        The map (:func:`read_map`).  Besides the ``primary`` row's own stage, the ``alternative`` rows of the same
        source and node whose basis is not ``capacity`` or ``sites`` count as the same table under an earlier
        release's label (e.g. ``graphite-natural:mine-production-graphite`` in MCS 2023 and 2024); capacity and
        site counts stay apart.  Rows of a source outside :data:`EXTRACT_SOURCES` (``cset``: CC BY-NC) are
        skipped: they are for fusion only and never enter the shipped file.
    observed
        Validated observed tables by source (``usgs``, ``iea``, ``eucrm``).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`EXTRACT_COLUMNS`, one block of rows per node and reference year, sorted by node, year,
        supplier type and supplier.  ``basis`` is the primary row's; a row read under another stage label says so
        in its ``note``; ``source_id`` names the release the row comes from (``usgs_mcs_<year>_data``).
    """
    parts = []
    shipped = commodity_map["role"].eq("primary") & commodity_map["source"].isin(EXTRACT_SOURCES)
    for record in commodity_map[shipped].to_dict(orient="records"):
        row = {str(key): str(value) for key, value in record.items()}
        source = row["source"]
        table = observed[source].provision
        pieces = []
        for rank, (stage, basis) in enumerate(_same_measure(commodity_map, row)):
            chosen = table["node"].eq(stage) & table["basis"].eq(basis)
            pieces.append(table[chosen].assign(stage_rank=rank, stage=stage))
        rows = pd.concat(pieces, ignore_index=True)
        rows = rows[rows["evidence"].isin(["observed", "estimated"])]
        known = rows[rows["share"].notna()]
        for year, vintage, rank in _choose_per_year(known):
            picked = rows[rows["year"].eq(year) & rows["vintage"].eq(vintage) & rows["stage_rank"].eq(rank)]
            parts.append(
                _seed_rows(
                    picked,
                    row,
                    source_id=_release_source(source, vintage, default=str(row["source_id"])),
                )
            )
    if not parts:
        return pd.DataFrame(columns=list(EXTRACT_COLUMNS))
    out = pd.concat(parts, ignore_index=True)
    keys = ["node_id", "year", "supplier_type", "supplier_id"]
    out = out.sort_values(keys, kind="stable").reset_index(drop=True)
    return out[list(EXTRACT_COLUMNS)]


_APART_BASES = ("capacity", "sites")


def _same_measure(commodity_map: pd.DataFrame, primary: Mapping[str, str]) -> list[tuple[str, str]]:
    """(stage, basis) of the primary row, then of the same-source alternatives of its node that are not apart."""
    stages = [(str(primary["stage_code"]), str(primary["basis"]))]
    others = commodity_map[
        commodity_map["role"].eq("alternative")
        & commodity_map["source"].eq(primary["source"])
        & commodity_map["node_id"].eq(primary["node_id"])
        & ~commodity_map["basis"].isin(_APART_BASES)
    ]
    stages.extend((str(s), str(b)) for s, b in zip(others["stage_code"], others["basis"], strict=True))
    return stages


def _release_source(source: str, vintage: str, *, default: str) -> str:
    """The seed source id of a release: ``USGS MCS 2024`` -> ``usgs_mcs_2024_data``; other sources: ``default``."""
    match = re.fullmatch(r"USGS MCS (\d{4})", vintage)
    return f"usgs_mcs_{match.group(1)}_data" if source == "usgs" and match else default


def validate_observed_rows(
    check: TableCheck,
    *,
    nodes: Collection[str],
    countries: Collection[str],
    sources: Collection[str],
    bases: Collection[str],
    tolerance: float,
) -> pd.DataFrame:
    """Check the rows of an ``observed_provision`` table (the extract) and return them converted.

    Country rows name an ISO3 code; residual rows name none (an unnamed remainder); evidence is observed or
    estimated (projections never enter the seed); shares add up to at most 100 % (+ ``tolerance``) per node, basis
    and reference year (the extract holds every year the releases give, each from one release).
    """
    data = pd.DataFrame(
        {
            "node": check.text("node_id"),
            "supplier_type": check.choice("supplier_type", OBSERVED_SUPPLIER_TYPES),
            "supplier": check.text("supplier_id", required=False).str.upper(),
            "share_pct": check.number("share_pct", required=False, low=0, high=100, what="a share in percent"),
            "basis": check.choice("basis", bases, required=False),
            "year": check.integer("year", required=False, low=1900, high=2100),
            "source": check.text("source_id"),
            "evidence": check.choice("evidence", OBSERVED_EVIDENCE),
            "confidence": check.choice("confidence", ("high", "medium", "low"), required=False),
            "vintage": check.text("vintage", required=False, max_len=40),
            "quantity": check.number("quantity", required=False, low=0, what="the published quantity"),
            "unit": check.text("unit", required=False, max_len=40),
            "note": check.text("note", required=False),
        }
    )
    fix = "regenerate the file with scripts/build_observed_extract.py"
    check.references("node_id", data["node"], nodes, "node", f"add the node to nodes.csv, or {fix}")
    check.references("source_id", data["source"], sources, "source", f"add the source to sources.csv, or {fix}")
    is_country = data["supplier_type"].eq("country")
    check.references("supplier_id", data["supplier"].where(is_country, ""), countries, "country code", fix)
    for index in positions(is_country & data["supplier"].eq("")):
        check.add(index, "supplier_id", "a country row names no country", "write its ISO3 code")
    for index in positions(~is_country & data["supplier"].ne("")):
        check.add(index, "supplier_id", "a residual row names a supplier", "leave supplier_id blank on residual rows")
    check.unique(["node_id", "supplier_type", "supplier_id", "basis", "year"], what="observed row")
    check.problems.extend(
        share_sum_problems(
            check.name,
            # blank basis or year form their own group (groupby would drop them, and their rows with them)
            data.assign(basis=data["basis"].fillna(""), year=data["year"].astype("string").fillna("blank")),
            group=["node", "basis", "year"],
            share="share_pct",
            limit=100.0,
            tolerance=tolerance * 100,
            column="share_pct",
        )
    )
    return data


def merge_observed(provision: pd.DataFrame, observed: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Provision rows with the observed rows in place of the hand-typed country rows of the same nodes.

    Precedence (documented in ``data/README.md``): for a node with observed country shares, the observed rows
    replace the seed's own country rows (which stay in ``provision.csv`` and are compared in a test); firm rows stay.
    Returns the merged rows and a note naming how many rows were replaced.
    """
    covered = set(observed["node"])
    replaced = provision["node"].isin(covered) & provision["supplier_type"].eq("country")
    merged = pd.concat([provision[~replaced], observed], ignore_index=True)
    for column in ("vintage", "unit"):
        merged[column] = merged[column].fillna("") if column in merged else ""
    if "quantity" not in merged:
        merged["quantity"] = float("nan")
    notes = [
        f"{len(observed)} observed rows (USGS/IEA extract) for {len(covered)} nodes replace "
        f"{int(replaced.sum())} hand-typed country rows of those nodes"
    ]
    return merged.reset_index(drop=True), notes


def write_extract(frame: pd.DataFrame, path: Path) -> None:
    """Write the extract as UTF-8 CSV with ``\\n`` line ends (byte-identical for identical inputs)."""
    frame.to_csv(path, index=False, lineterminator="\n")


def _choose_per_year(known: pd.DataFrame) -> list[tuple[int, str, int]]:
    """(year, vintage, stage rank) for every reference year with a known share, oldest year first.

    Parameters
    ----------
    known
        Observed-table rows of one node's stages whose share is known, with a ``stage_rank`` column (0 = the
        primary stage).

    Returns
    -------
    list of tuple of (int, str, int)
        For each year, the newest vintage among the releases whose table of that year (one stage) is observed by
        :mod:`supplychain.evidence` (its observed rows carry more than half of its known shares), or the newest
        among all when none is (the last year of the newest release is an estimate); of that vintage, the primary
        stage if it has the year (observed, when one is), else the first alternative in map order.
    """
    chosen: list[tuple[int, str, int]] = []
    for year in sorted(int(y) for y in known["year"].dropna().unique()):
        of_year = known[known["year"].eq(year)]
        blocks = of_year.groupby(["vintage", "stage_rank"], sort=False, dropna=False)
        codes = blocks.ngroup().to_numpy()
        ranks = block_evidence_ranks(codes, of_year["share"].to_numpy(dtype=float), of_year["evidence"].to_numpy())
        observed = ranks[codes] == EVIDENCE_RANK["observed"]
        pool = of_year[observed] if observed.any() else of_year
        vintage = str(sorted(pool["vintage"].unique())[-1])
        rank = int(pool.loc[pool["vintage"].eq(vintage), "stage_rank"].min())
        chosen.append((year, vintage, rank))
    return chosen


def _seed_rows(picked: pd.DataFrame, primary: Mapping[str, str], *, source_id: str) -> pd.DataFrame:
    """The seed rows of one node and year; rows read under another stage label than the primary's say so."""
    share = picked["share"].astype(float)
    notes = picked["note"].fillna("").astype(str)
    relabelled = picked["stage"].ne(primary["stage_code"]) | picked["basis"].ne(primary["basis"])
    stage_note = " (stage " + picked["stage"] + ", basis " + picked["basis"] + " in this release)"
    notes = notes.where(~relabelled, notes + stage_note)
    return pd.DataFrame(
        {
            "node_id": str(primary["node_id"]),
            "supplier_type": picked["supplier_type"].to_numpy(),
            "supplier_id": picked["iso3"].fillna("").to_numpy(),
            "share_pct": [None if pd.isna(s) else round(float(s) * 100, 3) for s in share],
            "basis": str(primary["basis"]),
            "year": picked["year"].astype(int).to_numpy(),
            "source_id": source_id,
            "evidence": picked["evidence"].to_numpy(),
            "confidence": _confidence(picked),
            "vintage": picked["vintage"].to_numpy(),
            "quantity": [None if pd.isna(q) else round(float(q), 6) for q in picked["quantity"]],
            "unit": picked["unit"].to_numpy(),
            "note": notes.to_numpy(),
        }
    )


def _confidence(picked: pd.DataFrame) -> list[str]:
    """The table's own confidence where it gives one (EU CRM: ``medium``), else high for observed, medium otherwise."""
    given = picked["confidence"].fillna("") if "confidence" in picked else pd.Series("", index=picked.index)
    rule = ["high" if e == "observed" else "medium" for e in picked["evidence"]]
    return [g if g else r for g, r in zip(given, rule, strict=True)]
