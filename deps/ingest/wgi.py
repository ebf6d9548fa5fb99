"""Importer for World Bank Worldwide Governance Indicators estimates in wide format (one column per year).

Columns: ``Country/Territory`` (name), ``Code`` (ISO3 or a World Bank code), one column per year (``1996`` ...
``2024``), optionally ``country_code`` (UN M49, not used).  Missing estimates are written ``nan`` (or ``None``,
``NA`` or blank).  Every (economy, year) with an estimate becomes one :class:`~deps.models.GovernanceScore` of a new
dataset version, indicator ``PV`` (political stability and absence of violence/terrorism).  The country table's own
``wgi_pv`` seed values are left alone: governance scores live per dataset version.

Range: the WGI estimate is in units of a standard normal distribution, so "-2.5 to 2.5" is its usual span, not a
hard limit.  The real 1996-2024 file reaches -3.31 (Somalia, 2009), so the accepted band is -3.5..3.5 by default
(:data:`ESTIMATE_BOUNDS`); values beyond it are typing errors.

A code that appears on two rows is accepted when the rows agree; where they disagree (the real file carries two
different "Guyana" / ``GUY`` rows for 1996-2022) the conflicting years are not loaded for that code, and the notes
of the :class:`~deps.ingest.dataset.ImportResult` say which, so nothing is dropped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pycountry
from sqlmodel import Session, col, select

from deps.errors import DataValidationError
from deps.ingest.countries import country_name, known_codes
from deps.ingest.dataset import ImportResult, bulk_insert, write_version
from deps.ingest.limits import ReadLimits
from deps.ingest.reader import hash_files, read_table
from deps.ingest.validation import TableCheck
from deps.store.models import Country, GovernanceScore

__all__ = ["ESTIMATE_BOUNDS", "INDICATOR", "MISSING", "ValidatedWgi", "import_wgi", "validate_wgi"]

INDICATOR = "PV"
#: Accepted (low, high) estimate; see the module docstring for why it is wider than -2.5..2.5.
ESTIMATE_BOUNDS = (-3.5, 3.5)
#: Cell texts that mean "no estimate" (compared in lower case).
MISSING = frozenset({"", "nan", "none", "na", "n/a", "#n/a", ".."})
NAME, CODE = "Country/Territory", "Code"
_YEAR = re.compile(r"\d{4}")


@dataclass(frozen=True)
class ValidatedWgi:
    """Scores in long format (iso3, year, estimate), file names per code, notes and the content hash."""

    scores: pd.DataFrame
    names: dict[str, str]
    notes: tuple[str, ...]
    content_hash: str
    file: str


def validate_wgi(
    path: Path,
    *,
    max_bytes: int,
    bounds: tuple[float, float] = ESTIMATE_BOUNDS,
    first_year: int = 1996,
    limits: ReadLimits | None = None,
) -> ValidatedWgi:
    """Read and validate a wide WGI estimate file; raise :class:`DataValidationError` with every problem found.

    Parameters
    ----------
    path
        The CSV file.
    max_bytes
        Size limit of the file.
    bounds
        Accepted (low, high) estimate, inclusive.
    first_year
        Earliest accepted year column (the WGI start in 1996).
    """
    name = path.name
    read = read_table(
        path, required=(NAME, CODE), optional=("country_code",), max_bytes=max_bytes, limits=limits, csv_only=True
    )
    problems = list(read.problems)
    if read.frame is None or problems:
        raise DataValidationError(problems, f"WGI file {name}")
    frame = read.frame
    years = [c for c in frame.columns if _YEAR.fullmatch(c)]
    check = TableCheck(name, frame, problems)
    for column in years:
        if not first_year <= int(column) <= 2100:
            check.add(None, column, f"year column {column} is outside {first_year}-2100", "rename or remove it")
    if not years:
        check.add(None, None, "no year columns (four-digit headers such as 2022)", "add one column per year")
    codes = check.codes(CODE, known_codes(), what="an ISO 3166-1 alpha-3 code or a World Bank economy code")
    names = check.text(NAME, what="the economy's name")
    cleaned = frame[years].where(~frame[years].apply(lambda s: s.str.lower()).isin(list(MISSING)), "")
    values = TableCheck(name, cleaned, problems)
    low, high = bounds
    wide = pd.DataFrame(
        {
            y: values.number(y, required=False, low=low, high=high, what="a WGI estimate")
            for y in years
            if first_year <= int(y) <= 2100
        },
        index=frame.index,
    )
    if problems:
        raise DataValidationError(problems, f"WGI file {name}")
    wide.insert(0, "iso3", codes)
    wide.insert(1, "position", range(len(wide)))
    long = wide.melt(id_vars=["iso3", "position"], var_name="year", value_name="estimate").dropna(subset=["estimate"])
    long["year"] = long["year"].astype(int)
    scores, notes = _resolve_duplicates(long, check)
    file_names = {str(c): str(n) for c, n in zip(codes, names, strict=True)}
    empty = sorted(set(codes) - set(scores["iso3"]))
    if empty:
        notes.append(f"{len(empty)} economies have no estimate in any year: {', '.join(empty)}")
    return ValidatedWgi(scores, file_names, tuple(notes), hash_files([path]), name)


def import_wgi(
    path: Path,
    *,
    session: Session,
    dataset: str = "wgi",
    user: str,
    max_bytes: int,
    share_tolerance: float = 0.0,
    limits: ReadLimits | None = None,
) -> ImportResult:
    """Validate a WGI file completely, then write its estimates as a new version of ``dataset`` (caller's transaction).

    ``share_tolerance`` is accepted for the common importer signature and not used.  Economies missing from the
    country table are added, named from ISO 3166-1 when it knows the code and from the file otherwise.
    """
    del share_tolerance
    valid = validate_wgi(path, max_bytes=max_bytes, limits=limits)
    return write_version(
        session,
        name=dataset,
        fmt="wgi",
        content_hash=valid.content_hash,
        user=user,
        description=f"World Bank WGI political-stability estimates from {valid.file}",
        files=[valid.file],
        notes=valid.notes,
        write=lambda dataset_id: (_write(session, valid, dataset_id), ()),
    )


def _write(session: Session, valid: ValidatedWgi, dataset_id: int) -> dict[str, int]:
    """Add the estimates (and any economy the country table lacks) under ``dataset_id``; returns the counts."""
    scores = valid.scores
    added = _ensure_named_countries(session, {c: valid.names[c] for c in sorted(set(valid.names))})
    records = [
        {"dataset_id": dataset_id, "iso3": iso3, "indicator": INDICATOR, "year": year, "estimate": estimate}
        for iso3, year, estimate in zip(
            scores["iso3"].tolist(), scores["year"].tolist(), scores["estimate"].tolist(), strict=True
        )
    ]
    counts = {
        "governance_scores": bulk_insert(session, GovernanceScore, records),
        "economies": int(scores["iso3"].nunique()),
        "countries_added": added,
    }
    return counts


def _resolve_duplicates(long: pd.DataFrame, check: TableCheck) -> tuple[pd.DataFrame, list[str]]:
    """Keep one estimate per (code, year); drop and report years where rows of the same code disagree."""
    notes: list[str] = []
    spread = long.groupby(["iso3", "year"])["estimate"].agg(["min", "max", "count"])
    conflict = spread[(spread["count"] > 1) & (spread["max"] - spread["min"] > 1e-6)]
    repeated = long.groupby("iso3")["position"].nunique()
    for code in sorted(repeated[repeated > 1].index):
        rows = sorted(check.row_of(int(p)) for p in long.loc[long["iso3"].eq(code), "position"].unique())
        bad = sorted(int(y) for y in conflict.loc[code].index) if code in conflict.index.get_level_values(0) else []
        if bad:
            notes.append(
                f"code {code} appears on rows {rows} with different estimates for {len(bad)} year(s) "
                f"({bad[0]}-{bad[-1]}): those years are not loaded for {code}; "
                "the years where the rows agree are loaded"
            )
        else:
            notes.append(f"code {code} appears on rows {rows} with identical estimates: loaded once")
    key = pd.MultiIndex.from_frame(long[["iso3", "year"]])
    keep = ~key.isin(conflict.index)
    out = long[keep].drop_duplicates(["iso3", "year"]).sort_values(["iso3", "year"], kind="stable")
    out = out[["iso3", "year", "estimate"]].reset_index(drop=True)
    return out, notes


def _ensure_named_countries(session: Session, names: dict[str, str]) -> int:
    """Add codes missing from the country table; ISO names when pycountry knows the code, the file's otherwise."""
    wanted = sorted(c for c in names if c)
    if not wanted:
        return 0
    present = set(session.exec(select(Country.iso3).where(col(Country.iso3).in_(wanted))).all())
    rows = []
    for code in wanted:
        if code in present:
            continue
        if pycountry.countries.get(alpha_3=code) is not None:
            rows.append({"iso3": code, "name": country_name(code), "source": "ISO 3166-1 (pycountry)"})
        else:
            rows.append({"iso3": code, "name": names[code], "source": "World Bank WGI (name as in the file)"})
    return bulk_insert(session, Country, rows)
