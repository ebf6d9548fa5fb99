"""Importer for the IEA Critical Minerals Data Explorer workbook (``deps import iea PATH``).

Sheet ``2 Total supply for key minerals`` holds, for six minerals, two side-by-side tables (mining in columns A-E,
refining or chemicals in G-K): a header cell ``"<Mineral> - <Stage>"``, one row per named country, ``Rest of
world``, ``Total`` (``Total clean technologies`` for cobalt refining) and ``Top 3 share``; the year header (2023,
2030, 2035, 2040) is row 4.  Quantities are kt (``../shared/data/iea-critical-minerals-2024/SOURCE.md``).

* 2023 is the observed base year: evidence ``observed``.  2030, 2035 and 2040 are base-case projections: evidence
  ``projected``; they are stored, clearly marked, and never read as observed data.
* ``Rest of world`` is an unnamed residual (``supplier_type = 'residual'``); ``Total`` is the denominator and a
  check (named + rest must reconcile within 0.5 %); ``Top 3 share`` is IEA's own figure and is compared with the
  top three computed shares.
* Country names go through :func:`deps.ingest.labels.classify_label`; a name it cannot map is a problem.
* Basis: ``mine`` for mining, ``refinery`` for refining, chemicals and battery-grade graphite.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pandas as pd
from sqlmodel import Session

from deps.errors import DataValidationError, Problem
from deps.ingest.dataset import ImportResult
from deps.ingest.labels import classify_label, slug
from deps.ingest.limits import ReadLimits
from deps.ingest.observed import ValidatedObserved, write_observed
from deps.ingest.reader import file_kind, hash_files

__all__ = ["OBSERVED_YEAR", "SHEET", "import_iea", "validate_iea"]

SHEET = "2 Total supply for key minerals"
OBSERVED_YEAR = 2023
_TOTAL_TOLERANCE = 0.005
_MAX_ROWS = 20
_HEADER = re.compile(r"^(?P<mineral>.+?)\s+-\s+(?P<stage>.+)$")
_SOURCE = {
    "code": "iea-cmde-2024",
    "title": "IEA (2024), Critical Minerals Data Explorer (May 2024), sheet '2 Total supply for key minerals'",
    "publisher": "International Energy Agency",
    "year": 2024,
    "url": "https://www.iea.org/data-and-statistics/data-tools/critical-minerals-data-explorer",
    "note": "CC BY 4.0; base year 2023 observed, 2030-2040 base-case projections",
}
_FIX = "use the IEA workbook as published (sheet '2 Total supply for key minerals')"


def validate_iea(path: Path, *, max_bytes: int) -> ValidatedObserved:
    """Read and check the supply sheet of the IEA workbook; raise :class:`DataValidationError` with every problem."""
    name = path.name
    problems: list[Problem] = []
    rows = _sheet_rows(path, max_bytes, problems)
    if rows is None or problems:
        raise DataValidationError(problems, f"IEA workbook {name}")
    years = _years(rows, name, problems)
    records: list[dict[str, object]] = []
    nodes: dict[str, str] = {}
    notes: list[str] = []
    for column in (0, 6):
        _tables(rows, column, years, name, problems, records, nodes, notes)
    if not records and not problems:
        problems.append(Problem(name, None, None, "no '<Mineral> - <Stage>' table found", _FIX))
    if problems:
        raise DataValidationError(problems, f"IEA workbook {name}")
    provision = pd.DataFrame(records)
    node_frame = pd.DataFrame(
        {
            "code": list(nodes),
            "name": list(nodes.values()),
            "kind": "material",
            "description": "IEA Critical Minerals Data Explorer supply by country (kt), base case",
        }
    )
    notes += [
        f"{int(provision['evidence'].eq('projected').sum())} rows are base-case projections (2030-2040), stored "
        "with evidence 'projected' and kept apart from the observed 2023 rows"
    ]
    return ValidatedObserved(
        nodes=node_frame.sort_values("code").reset_index(drop=True),
        provision=provision,
        sources=pd.DataFrame([_SOURCE]),
        content_hash=hash_files([path]),
        files=(name,),
        notes=tuple(notes),
    )


def import_iea(
    path: Path,
    *,
    session: Session,
    dataset: str = "iea",
    user: str,
    max_bytes: int,
    share_tolerance: float = 0.0,
    limits: ReadLimits | None = None,
) -> ImportResult:
    """Validate the IEA workbook completely, then write one dataset version in the caller's transaction."""
    del share_tolerance
    valid = validate_iea(path, max_bytes=limits.max_bytes if limits is not None else max_bytes)
    return write_observed(
        session,
        valid,
        dataset=dataset,
        fmt="iea",
        user=user,
        description="IEA Critical Minerals Data Explorer",
        path=path,
    )


# ---------------------------------------------------------------------------------------------------- steps
def _sheet_rows(path: Path, max_bytes: int, problems: list[Problem]) -> list[list[object]] | None:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    name = path.name
    if not path.is_file():
        problems.append(Problem(name, None, None, "file not found", "check the path"))
        return None
    if path.stat().st_size > max_bytes:
        problems.append(Problem(name, None, None, "the file is above the size limit", "raise DEPS_MAX_IMPORT_MB"))
        return None
    with path.open("rb") as handle:
        if file_kind(handle.read(8)) != "xlsx":
            problems.append(Problem(name, None, None, "the content is not an XLSX workbook", _FIX))
            return None
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        problems.append(Problem(name, None, None, f"not a readable XLSX workbook ({exc})", _FIX))
        return None
    try:
        if SHEET not in workbook.sheetnames:
            problems.append(Problem(name, None, None, f"sheet {SHEET!r} is missing", _FIX))
            return None
        rows = [list(r) for r in workbook[SHEET].iter_rows(max_col=12, max_row=500, values_only=True)]
    finally:
        workbook.close()
    return rows


def _years(rows: list[list[object]], name: str, problems: list[Problem]) -> list[int]:
    for row in rows[:10]:
        found = [c for c in row[1:5] if isinstance(c, int | float) and 2000 <= float(c) <= 2100]
        if len(found) == 4:
            return [int(float(c)) for c in found]
    problems.append(Problem(name, None, "B:E", "no year header row (2023, 2030, 2035, 2040)", _FIX))
    return []


def _tables(
    rows: list[list[object]],
    column: int,
    years: list[int],
    name: str,
    problems: list[Problem],
    records: list[dict[str, object]],
    nodes: dict[str, str],
    notes: list[str],
) -> None:
    letter = "A" if column == 0 else "G"
    index = 0
    while index < len(rows):
        cell = rows[index][column] if column < len(rows[index]) else None
        header = _HEADER.match(str(cell).strip()) if isinstance(cell, str) else None
        if header is None or not years:
            index += 1
            continue
        mineral, stage = header.group("mineral").strip(), header.group("stage").strip()
        code = f"{slug(mineral)}:{slug(stage)}"
        nodes[code] = f"{mineral} - {stage} (IEA)"
        basis = "mine" if stage.lower().startswith("mining") else "refinery"
        block: list[tuple[int, str, list[float | None]]] = []
        index += 1
        # the block ends with its "Top 3 share" row; a shorter neighbouring table leaves blank label cells
        while index < len(rows) and len(block) < _MAX_ROWS:
            label = rows[index][column]
            index += 1
            if not isinstance(label, str):
                continue
            values = [_number(v) for v in rows[index - 1][column + 1 : column + 5]]
            block.append((index, label.strip(), values))
            if label.strip().lower().startswith("top 3"):
                break
        _block(block, code, basis, years, name, letter, problems, records, notes)


def _block(
    block: list[tuple[int, str, list[float | None]]],
    code: str,
    basis: str,
    years: list[int],
    name: str,
    letter: str,
    problems: list[Problem],
    records: list[dict[str, object]],
    notes: list[str],
) -> None:
    suppliers = [(r, lab, vals) for r, lab, vals in block if not lab.lower().startswith(("total", "top 3"))]
    totals = [vals for _r, lab, vals in block if lab.lower().startswith("total")]
    if not totals:
        problems.append(Problem(name, block[0][0] if block else None, letter, f"{code}: no Total row", _FIX))
        return
    for position, year in enumerate(years):
        total = totals[0][position]
        listed = sum(v[position] or 0.0 for _r, _l, v in suppliers)
        if total is None or total <= 0:
            problems.append(Problem(name, None, letter, f"{code} {year}: Total is missing or not positive", _FIX))
            continue
        if abs(total - listed) > _TOTAL_TOLERANCE * total:
            notes.append(
                f"{code} {year}: the rows add up to {listed:g} kt but IEA's Total says {total:g} kt "
                f"({(listed - total) / total:+.1%}); shares use the larger of the two so they never exceed 100%"
            )
        for row, label, values in suppliers:
            value = values[position]
            classified = classify_label(label)
            if classified.kind not in ("country", "residual"):
                problems.append(Problem(name, row, letter, f"{label!r} is not a country IEA names", _FIX))
                continue
            records.append(
                {
                    "node": code,
                    "supplier_type": "country" if classified.kind == "country" else "residual",
                    "iso3": classified.iso3 or "",
                    "share": None if value is None else value / max(total, listed),
                    "quantity": value,
                    "unit": "thousand metric tons",
                    "basis": basis,
                    "year": year,
                    "evidence": "observed" if year == OBSERVED_YEAR else "projected",
                    "vintage": "IEA CMDE 2024",
                    "source": _SOURCE["code"],
                    "note": f"sheet '{SHEET}', cell {letter}{row}" + ("" if value is not None else "; value missing"),
                }
            )


def _number(value: object) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    return None
