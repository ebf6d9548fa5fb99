"""Importer for FDA registered drug establishments (DECRS) by country (``deps import fda-sites PATH``).

The file (``../shared/data/fda-decrs-sites/fda_decrs_sites.csv``) has one row per registered site with
``country_iso3`` and ``;``-separated ``operations``.  Counting the sites that register ``API MANUFACTURE`` by
country gives an observed distribution of active-pharmaceutical-ingredient *sites* serving the US market.

It is a count of registered sites, not a production or capacity share: every row is stored with basis ``sites``,
evidence ``estimated`` (as the dataset's SOURCE.md asks) and a note saying so; the "share" is the country's fraction
of the registered API sites.  Sites with no country are counted as an unnamed residual (``supplier_type =
'residual'``), never dropped silently.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlmodel import Session

from deps.errors import DataValidationError
from deps.ingest.countries import known_codes
from deps.ingest.dataset import ImportResult
from deps.ingest.limits import ReadLimits
from deps.ingest.observed import ValidatedObserved, write_observed
from deps.ingest.reader import hash_files, read_table
from deps.ingest.validation import TableCheck

__all__ = ["API_OPERATION", "BASIS_NOTE", "NODE", "import_fda_sites", "validate_fda_sites"]

API_OPERATION = "API MANUFACTURE"
NODE = "fda:api-manufacture-sites"
BASIS_NOTE = "count of FDA-registered API manufacturing sites, not a production or capacity share"
_REQUIRED = ("fei_number", "country_iso3", "operations")
_OPTIONAL = ("duns_number", "firm_name", "registrant_name", "expiration_date")
_SOURCE = {
    "code": "fda-decrs-fy2025",
    "title": "FDA Drug Establishments Current Registration Site (DECRS), registration cycle FY2025",
    "publisher": "U.S. Food and Drug Administration, CDER",
    "year": 2025,
    "url": "https://www.accessdata.fda.gov/scripts/cder/drls/",
    "note": "US public domain; file as of August 2025; basis 'sites' (a site count, not a capacity share)",
}


def validate_fda_sites(path: Path, *, max_bytes: int, limits: ReadLimits | None = None) -> ValidatedObserved:
    """Read and check the DECRS extract; count API sites by country; raise with every problem found."""
    name = path.name
    read = read_table(path, required=_REQUIRED, optional=_OPTIONAL, max_bytes=max_bytes, limits=limits, csv_only=True)
    problems = list(read.problems)
    if read.frame is None or problems:
        raise DataValidationError(problems, f"FDA DECRS file {name}")
    check = TableCheck(name, read.frame, problems)
    fei = check.text("fei_number", required=False)  # some registered sites have no FEI number yet
    countries = check.codes("country_iso3", known_codes(), required=False)
    operations = check.text("operations", what="the registered operations, ';'-separated")
    if problems:
        raise DataValidationError(problems, f"FDA DECRS file {name}")
    is_api = operations.str.upper().str.split(";").map(lambda ops: API_OPERATION in [o.strip() for o in ops])
    api = countries[is_api]
    total = int(is_api.sum())
    counts = api[api.ne("")].value_counts().sort_index()
    rows = [
        {
            "node": NODE,
            "supplier_type": "country",
            "iso3": str(code),
            "share": int(n) / total,
            "quantity": float(n),
            "unit": "sites",
            "basis": "sites",
            "year": 2025,
            "evidence": "estimated",
            "vintage": "FDA DECRS FY2025",
            "source": _SOURCE["code"],
            "note": BASIS_NOTE,
        }
        for code, n in counts.items()
    ]
    blank = int(api.eq("").sum())
    notes = [f"{total} API manufacturing sites in {len(counts)} countries; basis 'sites': {BASIS_NOTE}"]
    api_fei = fei[is_api & fei.ne("")]
    repeated = int(api_fei.duplicated().sum())
    if repeated:
        notes.append(
            f"{repeated} API rows repeat an FEI number already counted (one registration per firm name); rows are "
            "counted as the FDA list gives them"
        )
    if blank:
        rows.append({**rows[0], "supplier_type": "residual", "iso3": "", "share": blank / total, "quantity": blank})
        notes.append(f"{blank} API site(s) without a parsable country, stored as an unnamed residual")
    nodes = pd.DataFrame(
        [
            {
                "code": NODE,
                "name": "Active pharmaceutical ingredients - FDA-registered manufacturing sites",
                "kind": "material",
                "description": f"FDA DECRS: {BASIS_NOTE}",
                "sector": "biotech",
            }
        ]
    )
    return ValidatedObserved(
        nodes=nodes,
        provision=pd.DataFrame(rows),
        sources=pd.DataFrame([_SOURCE]),
        content_hash=hash_files([path]),
        files=(name,),
        notes=tuple(notes),
    )


def import_fda_sites(
    path: Path,
    *,
    session: Session,
    dataset: str = "fda-sites",
    user: str,
    max_bytes: int,
    share_tolerance: float = 0.0,
    limits: ReadLimits | None = None,
) -> ImportResult:
    """Validate the DECRS extract completely, then write one dataset version in the caller's transaction."""
    del share_tolerance
    valid = validate_fda_sites(path, max_bytes=max_bytes, limits=limits)
    return write_observed(
        session, valid, dataset=dataset, fmt="fda-sites", user=user, description="FDA DECRS", path=path
    )
