"""Producer shares of the EU critical-raw-materials study 2023 as an observed table (second source of the extract).

The file is ``crm-producer-shares.csv`` of ``../shared/data/eu-crm-assessment`` (see its ``SOURCE.md``): a long table
of producing countries and their shares of global supply, per material and stage (``E`` extraction, ``P``
processing), transcribed from Appendix 7 (p. 78) of the European Commission's *Study on the critical raw materials
for the EU 2023* (doi:10.2873/725585) by a CC BY 4.0 repository, plus EU sourcing shares and the 2017 study's main
supplier per material.  :func:`validate_eucrm` reads only the **2023 global-supply rows** (the EU sourcing shares
describe where the EU buys, not where the world produces; the 2017 rows name one supplier each) and returns them in
the frames of :class:`~deps.ingest.observed.ValidatedObserved`, so that :func:`deps.ingest.extract.build_extract`
can map them onto seed nodes like the USGS and IEA stages.

* Node code: ``<material>:extraction`` (basis ``mine``) or ``<material>:processing`` (basis ``production``: the
  study's processing stage covers refining, separation and smelting, so no narrower basis is claimed).
* Share: the printed percentage / 100.  A share printed ``<0.1%`` names the country with an unknown share (never
  zero).  The shares are figures stated in the study, so the evidence is ``observed``; the confidence is
  ``medium`` because the values are a secondary transcription (validated by ``SOURCE.md`` against the primary 2017
  table, not line by line against the 2023 PDF) and because their reference period is not exactly known.
* Year: :data:`REFERENCE_YEAR` (2022), the latest year the figures can describe: the study was published in 2023,
  so its production data predate it, and the transcription does not state the averaging period.  It is an upper
  bound (the same year the seed's hand-typed rows from this study carried), so the extract never presents the
  study as newer than it is; where USGS or IEA cover a node, their rows are used instead (the map has no EU row).
* Country names go through :func:`deps.ingest.labels.classify_label`, after the transcription's own spellings in
  :data:`ALIASES`; a name neither maps is a problem (file, row, column, fix), as is a repeated country, a share
  outside 0-100, or shares of one material and stage adding up to more than 100 % plus :data:`SUM_TOLERANCE_PP`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from deps.errors import DataValidationError, Problem
from deps.ingest.labels import classify_label, slug
from deps.ingest.observed import ValidatedObserved
from deps.ingest.reader import hash_files

__all__ = [
    "ALIASES",
    "ASSESSMENT_YEAR",
    "COLUMNS",
    "REFERENCE_YEAR",
    "SCOPE",
    "STAGES",
    "SUM_TOLERANCE_PP",
    "VINTAGE",
    "validate_eucrm",
]

COLUMNS = ("material", "stage", "scope", "country", "share_pct", "share_as_printed", "assessment_year")
SCOPE = "global supply"
ASSESSMENT_YEAR = 2023
#: the ``year`` of every row: an upper bound on the reference period of the study's data (see the module docstring)
REFERENCE_YEAR = 2022
VINTAGE = "EU CRM 2023"
#: stage letter -> (stage name in the node code, basis)
STAGES = {"E": ("extraction", "mine"), "P": ("processing", "production")}
#: percentage points above 100 that a material's printed shares may add up to (rounding of one-decimal figures)
SUM_TOLERANCE_PP = 1.0
#: spellings of the transcription that the label library does not know (typos and abbreviations)
ALIASES = {
    "Brasil": "BRA",
    "Brasilia": "BRA",
    "Cape Verde": "CPV",
    "Congo, D.R.": "COD",  # the label library would strip ", D.R." and read the Republic of the Congo
    "Libanon": "LBN",
    "S. Africa": "ZAF",
    "Surinam": "SUR",
    "Turkyie": "TUR",
    "USA": "USA",
}
_SOURCE = {
    "code": "eu-crm-2023-app7",
    "title": "Study on the critical raw materials for the EU 2023 - Final Report, Appendix 7 (global supply shares)",
    "publisher": "European Commission, DG GROW (Grohol & Veeh)",
    "year": 2023,
    "url": "https://data.europa.eu/doi/10.2873/725585",
    "note": "transcribed by erikemilsson/EU-Critical-Raw-Materials-CRM-Reports-Datasets (CC BY 4.0)",
}
_FIX = "use crm-producer-shares.csv as published in eu-crm-assessment (see its SOURCE.md)"


def validate_eucrm(path: Path, *, max_bytes: int) -> ValidatedObserved:
    """Read and check the 2023 global-supply rows of ``crm-producer-shares.csv``.

    Parameters
    ----------
    path
        The CSV file.
    max_bytes
        Largest file size read.

    Returns
    -------
    ValidatedObserved
        One node per material and stage, one provision row per named country (share 0-1 or unknown), the source.

    Raises
    ------
    DataValidationError
        With every problem found (file, row, column, problem, fix); nothing is returned unless the whole scope is
        valid.
    """
    name = path.name
    problems: list[Problem] = []
    if not path.is_file():
        raise DataValidationError([Problem(name, None, None, "file not found", _FIX)], f"EU CRM shares {name}")
    if path.stat().st_size > max_bytes:
        problem = Problem(name, None, None, f"file is larger than {max_bytes} bytes", "raise the limit or split it")
        raise DataValidationError([problem], f"EU CRM shares {name}")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        problems += [Problem(name, 1, c, "required column is missing", _FIX) for c in missing]
        raise DataValidationError(problems, f"EU CRM shares {name}")
    frame["row"] = frame.index + 2  # header is row 1
    scope = frame[frame["scope"].eq(SCOPE) & frame["assessment_year"].eq(str(ASSESSMENT_YEAR))]
    rows = [{str(k): str(v) for k, v in r.items()} for r in scope.to_dict(orient="records")]
    records = [_record(r, name, problems) for r in rows]
    provision = pd.DataFrame([r for r in records if r is not None])
    if provision.empty and not problems:
        problems.append(Problem(name, None, "scope", f"no {SCOPE!r} rows of {ASSESSMENT_YEAR}", _FIX))
    if not provision.empty:
        _check_groups(provision, name, problems)
    if problems:
        raise DataValidationError(problems, f"EU CRM shares {name}")
    nodes = provision.drop_duplicates("node")[["node", "material", "stage_name"]]
    node_frame = pd.DataFrame(
        {
            "code": nodes["node"].to_numpy(),
            "name": (nodes["material"] + " (" + nodes["stage_name"] + ")").to_numpy(),
            "kind": "material",
            "description": "EU CRM study 2023, Appendix 7: share of global supply by country",
        }
    )
    unknown = int(provision["share"].isna().sum())
    notes = (
        f"{len(provision)} country rows of {len(node_frame)} material stages; {unknown} printed '<0.1%' "
        "(country named, share unknown)",
    )
    return ValidatedObserved(
        nodes=node_frame.sort_values("code").reset_index(drop=True),
        provision=provision.drop(columns=["material", "stage_name", "row"]).reset_index(drop=True),
        sources=pd.DataFrame([_SOURCE]),
        content_hash=hash_files([path]),
        files=(name,),
        notes=notes,
    )


def _record(r: dict[str, str], name: str, problems: list[Problem]) -> dict[str, object] | None:
    """One provision record of a scope row, or ``None`` (with a problem) when the row is not valid."""
    row = int(r["row"])
    stage = STAGES.get(r["stage"])
    if stage is None:
        problems.append(Problem(name, row, "stage", f"{r['stage']!r}", "use E (extraction) or P (processing)"))
        return None
    material = r["material"].strip()
    if not material:
        problems.append(Problem(name, row, "material", "value is missing", _FIX))
        return None
    iso3 = ALIASES.get(r["country"].strip()) or classify_label(r["country"]).iso3
    if not iso3:
        fix = "add the spelling to deps.ingest.eucrm.ALIASES with its ISO3 code"
        problems.append(Problem(name, row, "country", f"{r['country']!r} is not a country name", fix))
        return None
    printed = r["share_as_printed"].strip()
    share: float | None = None
    if r["share_pct"].strip():
        try:
            share = float(r["share_pct"])
        except ValueError:
            problems.append(Problem(name, row, "share_pct", f"{r['share_pct']!r} is not a number", _FIX))
            return None
        if not 0 <= share <= 100:
            problems.append(Problem(name, row, "share_pct", f"{share:g} is outside 0-100", _FIX))
            return None
    elif not printed.startswith("<"):
        problems.append(Problem(name, row, "share_pct", f"no share, printed {printed!r}", _FIX))
        return None
    stage_name, basis = stage
    return {
        "node": f"{slug(material)}:{stage_name}",
        "material": material,
        "stage_name": stage_name,
        "row": row,
        "supplier_type": "country",
        "iso3": iso3,
        "share": None if share is None else share / 100,
        "quantity": None,
        "unit": "",
        "basis": basis,
        "year": REFERENCE_YEAR,
        "evidence": "observed",
        "confidence": "medium",
        "vintage": VINTAGE,
        "source": _SOURCE["code"],
        "note": f"(file {name}, row {row}; printed {printed!r}; Appendix 7, p. 78, stage {r['stage']})",
    }


def _check_groups(provision: pd.DataFrame, name: str, problems: list[Problem]) -> None:
    """Repeated countries and share sums above 100 % (+ tolerance) per material stage."""
    repeated = provision.duplicated(["node", "iso3"], keep="first")
    for _, r in provision[repeated].iterrows():
        problems.append(Problem(name, int(r["row"]), "country", f"{r['node']}: {r['iso3']} appears twice", _FIX))
    sums = provision.groupby("node")["share"].sum().to_dict()
    first_row = provision.groupby("node")["row"].min().to_dict()
    for node, total in sums.items():
        if total <= 1 + SUM_TOLERANCE_PP / 100:
            continue
        row = int(first_row[node])
        problems.append(Problem(name, row, "share_pct", f"{node}: shares add up to {total:.1%}", _FIX))
