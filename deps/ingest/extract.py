"""The observed-share extract shipped in ``data/``: USGS and IEA shares mapped onto the seed's nodes.

``data/commodity_map.csv`` links each USGS commodity stage (``gallium:primary-production``) and each IEA mineral
stage (``cobalt:refining``) with a basis to a seed node, with a role (``primary``: the rows the seed loads;
``alternative``: other sources and vintages of the same node, kept for fusion and trends) and a note.
:func:`build_extract` takes the validated USGS and IEA tables and the map and returns, for every ``primary`` map
row, the country and residual rows of one reference year, chosen by a documented rule:

1. observed before estimated (USGS marks the last year of each vintage as estimated; IEA's projections are never
   used);
2. the newest reference year among those;
3. for that year, the newest vintage (a later release revises an earlier one).

The frame has the columns of the seed's ``provision.csv`` plus ``vintage``, ``quantity`` and ``unit``; rows are
sorted, and numbers are written with fixed rounding, so the same originals give a byte-identical file
(``scripts/build_observed_extract.py``).  Residual rows (``supplier_type = residual``, no supplier id) carry the
"Other countries" / "Rest of world" share.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path

import pandas as pd

from deps.errors import DataValidationError, Problem
from deps.ingest.observed import ValidatedObserved
from deps.ingest.validation import TableCheck, positions, share_sum_problems

__all__ = [
    "EXTRACT_COLUMNS",
    "EXTRACT_OPTIONAL",
    "EXTRACT_REQUIRED",
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
_SOURCES = ("usgs", "iea")
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
            problems.append(Problem(path.name, position, "source", f"{row['source']!r}", "use usgs or iea"))
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
    """Seed provision rows for every ``primary`` map row that has observed shares (see the module docstring)."""
    parts = []
    for row in commodity_map[commodity_map["role"].eq("primary")].to_dict(orient="records"):
        table = observed[str(row["source"])].provision
        rows = table[table["node"].eq(str(row["stage_code"])) & table["basis"].eq(str(row["basis"]))]
        rows = rows[rows["evidence"].isin(["observed", "estimated"])]
        known = rows[rows["share"].notna()]
        if known.empty:
            continue
        chosen = _choose(known)
        picked = rows[rows["year"].eq(chosen[0]) & rows["vintage"].eq(chosen[1])]
        parts.append(_seed_rows(picked, str(row["node_id"]), str(row["source_id"])))
    if not parts:
        return pd.DataFrame(columns=list(EXTRACT_COLUMNS))
    out = pd.concat(parts, ignore_index=True)
    out = out.sort_values(["node_id", "supplier_type", "supplier_id"], kind="stable").reset_index(drop=True)
    return out[list(EXTRACT_COLUMNS)]


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
    estimated (projections never enter the seed); shares add up to at most 100 % (+ ``tolerance``) per node.
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
            data,
            group=["node"],
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


def _choose(known: pd.DataFrame) -> tuple[int, str]:
    """(year, vintage): observed before estimated, then the newest year, then the newest vintage."""
    observed = known[known["evidence"].eq("observed")]
    pool = observed if not observed.empty else known
    year = int(pool["year"].max())
    vintages = sorted(pool.loc[pool["year"].eq(year), "vintage"].unique())
    return year, str(vintages[-1])


def _seed_rows(picked: pd.DataFrame, node_id: str, source_id: str) -> pd.DataFrame:
    share = picked["share"].astype(float)
    return pd.DataFrame(
        {
            "node_id": node_id,
            "supplier_type": picked["supplier_type"].to_numpy(),
            "supplier_id": picked["iso3"].fillna("").to_numpy(),
            "share_pct": [None if pd.isna(s) else round(float(s) * 100, 3) for s in share],
            "basis": picked["basis"].to_numpy(),
            "year": picked["year"].astype(int).to_numpy(),
            "source_id": source_id,
            "evidence": picked["evidence"].to_numpy(),
            "confidence": ["high" if e == "observed" else "medium" for e in picked["evidence"]],
            "vintage": picked["vintage"].to_numpy(),
            "quantity": [None if pd.isna(q) else round(float(q), 6) for q in picked["quantity"]],
            "unit": picked["unit"].to_numpy(),
            "note": picked["note"].fillna("").to_numpy(),
        }
    )
