"""Importer for CEPII BACI bilateral trade flows (one CSV, one row per exporter, importer, HS6 product and year).

Columns: ``year``, ``exporter_iso3``, ``importer_iso3``, ``hs92`` (6-digit HS 1992 code), ``value_kusd`` (thousand
USD), ``qty_t`` (metric tonnes, blank = unknown).  Every row becomes one :class:`~deps.models.TradeFlow` of a new
dataset version.  Country codes are ISO 3166-1 alpha-3 or one of the statistical codes in
:data:`deps.countries.EXTRA_CODES` (BACI's ``S19`` "Other Asia, n.e.s."); codes missing from the country table are
added.  Checks are vectorised, so the 53,452 flows of the raw-materials extract validate and insert in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlmodel import Session

from deps.errors import DataValidationError
from deps.ingest.countries import known_codes
from deps.ingest.dataset import ImportResult, bulk_insert, ensure_countries, write_version
from deps.ingest.limits import ReadLimits
from deps.ingest.reader import hash_files, read_table
from deps.ingest.validation import TableCheck, positions
from deps.store.models import TradeFlow

__all__ = ["COLUMNS", "FIRST_YEAR", "LAST_YEAR", "ValidatedBaci", "import_baci", "validate_baci"]

COLUMNS = ("year", "exporter_iso3", "importer_iso3", "hs92", "value_kusd")
OPTIONAL = ("qty_t",)
#: BACI's HS92 edition starts in 1995; the upper bound only catches typing errors.
FIRST_YEAR = 1995
LAST_YEAR = 2100
_KEY = ["year", "exporter_iso3", "importer_iso3", "hs92"]


@dataclass(frozen=True)
class ValidatedBaci:
    """The validated flows (columns of :class:`~deps.models.TradeFlow` except ids) and the file's content hash."""

    flows: pd.DataFrame
    content_hash: str
    file: str


def validate_baci(
    path: Path,
    *,
    max_bytes: int,
    first_year: int = FIRST_YEAR,
    last_year: int = LAST_YEAR,
    limits: ReadLimits | None = None,
) -> ValidatedBaci:
    """Read and validate a BACI CSV; raise :class:`DataValidationError` with every problem found.

    Parameters
    ----------
    path
        The CSV file.
    max_bytes
        Size limit of the file.
    first_year, last_year
        Accepted range of ``year`` (inclusive).

    Checks: required columns; years in range; known country codes; exporter differs from importer; ``hs92`` of
    exactly six digits (leading zeros kept); ``value_kusd`` a non-negative number; ``qty_t`` blank or a
    non-negative number; one row per (year, exporter, importer, product).
    """
    name = path.name
    read = read_table(path, required=COLUMNS, optional=OPTIONAL, max_bytes=max_bytes, limits=limits, csv_only=True)
    problems = list(read.problems)
    if read.frame is None or problems:
        raise DataValidationError(problems, f"BACI file {name}")
    check = TableCheck(name, read.frame, problems)
    codes = known_codes()
    code_what = "an ISO 3166-1 alpha-3 code (or S19 for BACI's Other Asia, n.e.s.)"
    flows = pd.DataFrame(
        {
            "year": check.integer("year", low=first_year, high=last_year, what="a year"),
            "exporter_iso3": check.codes("exporter_iso3", codes, what=code_what),
            "importer_iso3": check.codes("importer_iso3", codes, what=code_what),
            "product": check.text("hs92", max_len=12, what="a 6-digit HS 1992 code"),
            "value_kusd": check.number("value_kusd", low=0, what="a value in thousand USD"),
            "qty_t": check.number("qty_t", required=False, low=0, what="a quantity in tonnes"),
        }
    )
    product = flows["product"]
    bad = product.ne("") & ~product.str.fullmatch(r"\d{6}")
    for index in positions(bad):
        check.add(index, "hs92", f"{product[index]!r} is not a 6-digit HS code", "write six digits, keeping leading 0s")
    same = flows["exporter_iso3"].ne("") & flows["exporter_iso3"].eq(flows["importer_iso3"])
    for index in positions(same):
        check.add(
            index,
            "importer_iso3",
            f"exporter and importer are both {flows['exporter_iso3'][index]!r}",
            "a country cannot trade with itself: correct one code or remove the row",
        )
    _duplicates(check, read.frame)
    if problems:
        raise DataValidationError(problems, f"BACI file {name}")
    return ValidatedBaci(flows, hash_files([path]), name)


def import_baci(
    path: Path,
    *,
    session: Session,
    dataset: str = "baci",
    user: str,
    max_bytes: int,
    share_tolerance: float = 0.0,
    limits: ReadLimits | None = None,
) -> ImportResult:
    """Validate a BACI CSV completely, then write its flows as a new version of ``dataset`` in the caller's transaction.

    ``share_tolerance`` is accepted for the common importer signature and not used (BACI holds values, not shares).
    Importing an unchanged file again writes nothing and returns the existing version (``unchanged=True``).
    """
    del share_tolerance
    valid = validate_baci(path, max_bytes=max_bytes, limits=limits)
    return write_version(
        session,
        name=dataset,
        fmt="baci",
        content_hash=valid.content_hash,
        user=user,
        description=f"CEPII BACI trade flows from {valid.file}",
        files=[valid.file],
        notes=(),
        write=lambda dataset_id: _write(session, valid.flows, dataset_id),
    )


def _write(session: Session, flows: pd.DataFrame, dataset_id: int) -> tuple[dict[str, int], list[str]]:
    """Add the flows (and any country they name that the table lacks) under ``dataset_id``; counts and notes."""
    added = ensure_countries(session, sorted(set(flows["exporter_iso3"]) | set(flows["importer_iso3"])))
    counts = {"trade_flows": bulk_insert(session, TradeFlow, _records(flows, dataset_id)), "countries_added": added}
    notes = []
    unknown_qty = int(flows["qty_t"].isna().sum())
    if unknown_qty:
        notes.append(f"{unknown_qty} flows have no quantity (qty_t blank); loaded with quantity unknown")
    return counts, notes


def _duplicates(check: TableCheck, raw: pd.DataFrame) -> None:
    """One problem per repeated (year, exporter, importer, product) row, naming the first occurrence (vectorised)."""
    key = raw[_KEY].apply(lambda s: s.str.upper())
    repeated = key.duplicated(keep="first")
    if not repeated.any():
        return
    first = key.reset_index().groupby(_KEY, sort=False)["index"].transform("min")
    for index in positions(repeated):
        check.add(
            index,
            ", ".join(_KEY),
            f"duplicate flow {'/'.join(key.iloc[index])} (first at row {check.row_of(int(first.iloc[index]))})",
            "BACI has one row per year, exporter, importer and product: remove or merge the repeated row",
        )


def _records(flows: pd.DataFrame, dataset_id: int) -> list[dict[str, object]]:
    """Rows for :class:`~deps.models.TradeFlow` with native Python scalars (unknown quantity = ``None``)."""
    qty = flows["qty_t"].astype(object).where(flows["qty_t"].notna(), None)
    return [
        {
            "dataset_id": dataset_id,
            "year": int(year),
            "exporter_iso3": exporter,
            "importer_iso3": importer,
            "product": product,
            "value_kusd": float(value),
            "qty_t": None if q is None else float(q),
        }
        for year, exporter, importer, product, value, q in zip(
            flows["year"].astype(int).tolist(),
            flows["exporter_iso3"].tolist(),
            flows["importer_iso3"].tolist(),
            flows["product"].tolist(),
            flows["value_kusd"].tolist(),
            qty.tolist(),
            strict=True,
        )
    ]
