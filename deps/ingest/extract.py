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

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from deps.errors import DataValidationError, Problem
from deps.ingest.observed import ValidatedObserved

__all__ = ["EXTRACT_COLUMNS", "MAP_COLUMNS", "build_extract", "read_map", "write_extract"]

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
    for row in commodity_map[commodity_map["role"].eq("primary")].itertuples(index=False):
        table = observed[row.source].provision
        rows = table[table["node"].eq(row.stage_code) & table["basis"].eq(row.basis)]
        rows = rows[rows["evidence"].isin(["observed", "estimated"])]
        known = rows[rows["share"].notna()]
        if known.empty:
            continue
        chosen = _choose(known)
        picked = rows[rows["year"].eq(chosen[0]) & rows["vintage"].eq(chosen[1])]
        parts.append(_seed_rows(picked, row.node_id, row.source_id))
    if not parts:
        return pd.DataFrame(columns=list(EXTRACT_COLUMNS))
    out = pd.concat(parts, ignore_index=True)
    out = out.sort_values(["node_id", "supplier_type", "supplier_id"], kind="stable").reset_index(drop=True)
    return out[list(EXTRACT_COLUMNS)]


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
