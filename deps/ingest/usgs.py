"""Importer for the USGS Mineral Commodity Summaries world data releases (``deps import usgs PATH``).

``PATH`` is one release folder or file (``mcs2023_world/``, ``mcs2024_world/``, ``MCS2025_World_Data.csv``,
``MCS2026_Commodities_Data.csv``) or a folder holding several (``../shared/data/usgs-mcs``): every vintage found
becomes part of one dataset version.  The four layouts are read by :mod:`deps.ingest.usgs_layouts`; labels and
cells are cleaned by :mod:`deps.ingest.labels`.

For each table (vintage, commodity, stage, measure, unit, reference year):

* country rows become ``country`` provision rows with share = value / D, where D is the world total when USGS gives
  one and otherwise the sum of the listed values (countries and "Other countries"); D is never below that sum, so
  shares of a table never add up to more than 1;
* "Other countries" becomes one ``residual`` row (unnamed suppliers) with its share; labels that name no single
  country (``United States and Canada``) become residual rows too, and are listed in the notes;
* "World total" is the denominator and a check: the sum of the listed values must reconcile with it within
  ``DEPS_USGS_RECONCILE_TOLERANCE`` when no country is withheld; tables that do not are listed in the notes and in
  :attr:`ValidatedObserved.checks`;
* withheld and missing markers (``W``, ``NA``, ``--``, ``XX``, ``Large``, bounds such as ``>2,000,000``) give a
  supplier with an unknown share (``None``), never zero; the marker's meaning is kept in the row's note;
* evidence is set per row: ``estimated`` wherever USGS marks the figure as an estimate, ``observed`` otherwise.
  USGS marks estimates in five ways: the last reference year of each vintage (an ``est`` column, e.g.
  ``Prod_kg_est_2023``, ``PROD_EST_ 2024``; MCS 2026's last year); a footnote letter ``e`` glued to the country label
  (MCS 2024: ``Japane``, ``Korea, Republic ofe``, ``Other countriese``; only when the label without the letter is a
  country and the label as written is not, so ``France`` or ``Ukraine`` never are); an ``e`` before the number
  (``e3,900``); and a note that calls the figure estimated ("Also estimated in 2022", "Production in 2021 is also
  estimated.", "Estimated capacity", MCS 2026's "Estimated."; a note that names years marks those years only; see
  :func:`deps.ingest.labels.estimate_note`).  A row estimated by a marker other than the ``est`` column says which
  in its note;
* a cell that is neither a number nor a known marker is a problem (file, row, column, fix), and nothing is written.
"""

from __future__ import annotations

import hashlib
import math
import numbers
from pathlib import Path

import pandas as pd
from sqlmodel import Session

from deps.errors import DataValidationError, Problem
from deps.ingest.dataset import ImportResult
from deps.ingest.labels import Label, classify_label, clean_text, estimate_note, estimate_prefix, parse_quantity, slug
from deps.ingest.limits import ReadLimits
from deps.ingest.observed import ValidatedObserved, stage_basis, write_observed
from deps.ingest.reader import hash_files
from deps.ingest.usgs_layouts import read_release, vintage_files

__all__ = [
    "MAX_CODE",
    "RECONCILE_TOLERANCE",
    "SOURCES",
    "import_usgs",
    "node_code",
    "reconciliation",
    "stage_key",
    "validate_usgs",
]

#: Default relative tolerance between the world total and the sum of the listed values (USGS rounds world totals
#: to two or three significant figures; the setting DEPS_USGS_RECONCILE_TOLERANCE overrides it).
RECONCILE_TOLERANCE = 0.05
#: vintage -> (title, url) of the data release (``../shared/data/usgs-mcs/SOURCE.md``).
SOURCES: dict[int, tuple[str, str]] = {
    2023: ("U.S. Geological Survey Mineral Commodity Summaries 2023 Data Release", "https://doi.org/10.5066/P9WCYUI6"),
    2024: (
        "U.S. Geological Survey Mineral Commodity Summaries 2024 Data Release (ver. 2.0, March 2024)",
        "https://doi.org/10.5066/P144BA54",
    ),
    2025: ("U.S. Geological Survey Mineral Commodity Summaries 2025 Data Release", "https://doi.org/10.5066/P13XCP3R"),
    2026: ("U.S. Geological Survey Mineral Commodity Summaries 2026 Data Release", "https://doi.org/10.5066/P1WKQ63T"),
}
_GROUP = ["vintage", "commodity", "stage_key", "measure", "unit", "year"]
#: Longest node code the database stores (``node.code``).
MAX_CODE = 80
_FIX_CELL = "write a number (thousands separators allowed) or a USGS marker such as W, NA, --, XX"


def stage_key(stage: str) -> str:
    """The stage of a table row without world-total words and rounding notes, as an id fragment.

    >>> stage_key(" World mine production: Platinum"), stage_key("World total mine production: rutile (rounded)")
    ('mine-production-platinum', 'mine-production-rutile')
    """
    text = clean_text(stage).lower()
    for word in ("world total", "world", "(rounded)", ": rounded", "rounded"):
        text = text.replace(word, " ")
    return slug(text) or "production"


def node_code(commodity: str, stage: str) -> str:
    """``commodity:stage``, shortened to :data:`MAX_CODE` characters with a stable hash suffix when longer.

    >>> node_code("gallium", "primary-production")
    'gallium:primary-production'
    >>> len(node_code("zirconium-and-hafnium", "x" * 100))
    80
    """
    code = f"{commodity}:{stage}"
    if len(code) <= MAX_CODE:
        return code
    digest = hashlib.sha256(code.encode()).hexdigest()[:8]
    return f"{code[: MAX_CODE - 9].rstrip('-')}-{digest}"


def validate_usgs(path: Path, *, max_bytes: int, tolerance: float = RECONCILE_TOLERANCE) -> ValidatedObserved:
    """Read every USGS release under ``path``, check every cell, and compute shares; raise on any problem.

    Parameters
    ----------
    path
        A release folder or file, or a folder holding several releases.
    max_bytes
        Size limit per file.
    tolerance
        Relative tolerance of the world-total reconciliation (a note, not an error: USGS rounds its totals).
    """
    problems: list[Problem] = []
    files = vintage_files(path) if path.exists() else []
    if not files:
        problems.append(
            Problem(
                path.name,
                None,
                None,
                "no USGS world data file found",
                "give a folder such as mcs2023_world, MCS2025_World_Data.csv, MCS2026_Commodities_Data.csv, or "
                "the usgs-mcs folder holding them",
            )
        )
        raise DataValidationError(problems, f"USGS release {path.name}")
    long = read_release(files, max_bytes=max_bytes, problems=problems)
    if problems:
        raise DataValidationError(problems, f"USGS release {path.name}")
    long = _parse(long, problems)
    if problems:
        raise DataValidationError(problems, f"USGS release {path.name}")
    provision, checks, notes = _shares(long, tolerance)
    nodes = (
        long.drop_duplicates("node")[["node", "commodity_name", "stage"]]
        .rename(columns={"node": "code"})
        .assign(
            name=lambda f: f["commodity_name"] + " - " + f["stage"].map(clean_text),
            kind="material",
            description="USGS Mineral Commodity Summaries world table (country shares of world supply)",
        )
    )
    nodes = nodes[nodes["code"].isin(set(provision["node"]))].sort_values("code").reset_index(drop=True)
    vintages = sorted(int(v) for v in long["vintage"].unique())
    sources = pd.DataFrame(
        [
            {
                "code": f"usgs-mcs-{v}",
                "title": SOURCES[v][0],
                "publisher": "U.S. Geological Survey, National Minerals Information Center",
                "year": v,
                "url": SOURCES[v][1],
                "note": "US public domain (17 U.S.C. 105); cite USGS",
            }
            for v in vintages
            if v in SOURCES
        ]
    )
    return ValidatedObserved(
        nodes=nodes[["code", "name", "kind", "description"]],
        provision=provision,
        sources=sources,
        content_hash=hash_files(files),
        files=tuple(sorted(p.name for p in files)),
        notes=tuple(notes),
        checks=checks,
    )


def import_usgs(
    path: Path,
    *,
    session: Session,
    dataset: str = "usgs",
    user: str,
    max_bytes: int,
    share_tolerance: float = 0.0,
    limits: ReadLimits | None = None,
    reconcile_tolerance: float = RECONCILE_TOLERANCE,
) -> ImportResult:
    """Validate the USGS release(s) under ``path`` completely, then write one dataset version (caller's transaction).

    ``share_tolerance`` is accepted for the common importer signature; USGS shares are computed, not typed.
    Importing unchanged files again writes nothing and returns the existing version.
    """
    del share_tolerance
    size = limits.max_bytes if limits is not None else max_bytes
    valid = validate_usgs(path, max_bytes=size, tolerance=reconcile_tolerance)
    return write_observed(
        session, valid, dataset=dataset, fmt="usgs", user=user, description="USGS MCS world data", path=path
    )


def reconciliation(checks: pd.DataFrame, *, commodity: str, vintage: int | None = None) -> pd.DataFrame:
    """The reconciliation rows (world total against the listed sum) of one commodity, optionally one vintage."""
    mask = checks["commodity"].eq(commodity)
    if vintage is not None:
        mask &= checks["vintage"].eq(vintage)
    return checks[mask].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------------- steps
def _parse(long: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    """Classify labels and parse cells; every unreadable cell is a problem."""
    long = long.copy()
    labels = [classify_label(text) for text in long["label"]]
    long["kind"] = [label.kind for label in labels]
    long["iso3"] = [label.iso3 or "" for label in labels]
    long["qualified"] = [label.qualified for label in labels]
    long["clean_label"] = [label.cleaned for label in labels]
    parsed = [parse_quantity(cell) for cell in long["cell"]]
    long["value"] = [v for v, _m in parsed]
    long["marker"] = [m or "" for _v, m in parsed]
    long["estimate"] = [
        _estimate_reason(label, str(cell), str(note), int(year))
        for label, cell, note, year in zip(labels, long["cell"], long["note"], long["year"], strict=True)
    ]
    long["estimated"] = long["estimated"].astype(bool) | long["estimate"].ne("")
    bad = long["value"].isna() & long["marker"].eq("")
    for r in long[bad].to_dict(orient="records"):
        problems.append(
            Problem(
                str(r["file"]),
                int(str(r["row"])),
                f"{r['measure']} {r['year']}",
                f"{r['cell']!r} is not a number",
                _FIX_CELL,
            )
        )
    long["stage_key"] = long["stage"].map(stage_key)
    # a row with a blank unit belongs to its table (MCS 2025 leaves Sierra Leone's rutile unit blank)
    table = ["vintage", "commodity", "stage_key", "measure"]
    usual = long[long["unit"].ne("")].groupby(table)["unit"].agg(lambda s: s.mode().iloc[0])
    blank = long["unit"].eq("")
    if blank.any():
        keys = pd.MultiIndex.from_frame(long.loc[blank, table])
        long.loc[blank, "unit"] = usual.reindex(keys).fillna("").to_numpy()
    long["node"] = [node_code(c, k) for c, k in zip(long["commodity"], long["stage_key"], strict=True)]
    long = long[long["kind"].ne("country") | long["value"].notna() | long["marker"].ne("blank")]
    return long.reset_index(drop=True)


def _shares(long: pd.DataFrame, tolerance: float) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Provision rows (countries and residuals), reconciliation checks, and notes (plain Python: 700 tables)."""
    groups: dict[tuple[object, ...], list[dict[str, object]]] = {}
    for record in long.to_dict(orient="records"):
        row = {str(k): v for k, v in record.items()}
        groups.setdefault(tuple(row[c] for c in _GROUP), []).append(row)
    rows: list[dict[str, object]] = []
    checks: list[dict[str, object]] = []
    unmapped: dict[str, int] = {}
    repeated: list[str] = []
    totals_missing = 0
    for key in sorted(groups, key=lambda k: tuple(str(x) for x in k)):
        group = groups[key]
        vintage, commodity, stage, measure, unit, year = key
        node = node_code(str(commodity), str(stage))
        countries: dict[str, dict[str, object]] = {}
        for r in sorted((r for r in group if r["kind"] == "country"), key=lambda r: bool(r["qualified"])):
            if r["iso3"] in countries:
                if f"{node} {year} (MCS {vintage})" not in repeated:
                    repeated.append(f"{node} {year} (MCS {vintage})")
                continue
            countries[str(r["iso3"])] = r
        residual = [r for r in group if r["kind"] in ("residual", "unmapped")]
        for r in residual:
            if r["kind"] == "unmapped":
                unmapped[str(r["clean_label"])] = unmapped.get(str(r["clean_label"]), 0) + 1
        if not countries and not residual:
            continue
        members = [*countries.values(), *residual]
        known = [v for r in members if (v := _number(r["value"])) is not None]
        listed = sum(known)
        totals = [v for r in group if r["kind"] == "total" and (v := _number(r["value"])) is not None]
        world = max(totals) if totals else None
        totals_missing += world is None
        denominator = max(world or 0.0, listed)
        if world:
            checks.append(
                {
                    "vintage": _whole(vintage),
                    "commodity": commodity,
                    "stage": stage,
                    "measure": measure,
                    "year": _whole(year),
                    "world_total": world,
                    "listed_sum": listed,
                    "missing_values": len(members) - len(known),
                    "relative_gap": (world - listed) / world,
                    "reconciles": bool(abs(world - listed) <= tolerance * world),
                }
            )
        common = {
            "node": node,
            "unit": unit,
            "basis": stage_basis(str(group[0]["stage"]), str(measure)),
            "year": _whole(year),
            "vintage": f"USGS MCS {vintage}",
            "source": f"usgs-mcs-{vintage}",
        }
        for member in members:
            fields = _row(member, denominator)
            if fields is not None:
                rows.append({**common, **fields})
    provision = pd.DataFrame(rows)
    check_frame = pd.DataFrame(checks)
    notes = _notes(provision, check_frame, unmapped, repeated, totals_missing)
    return provision, check_frame, notes


def _estimate_reason(label: Label, cell: str, note: str, year: int) -> str:
    """Why USGS marks one figure as an estimate apart from the vintage's ``est`` column ("" when it does not).

    Parameters
    ----------
    label
        The classified row label (:attr:`~deps.ingest.labels.Label.estimated`: the glued footnote letter ``e``).
    cell
        The raw cell (an ``e`` before the number).
    note
        The note that belongs to the figure (:func:`~deps.ingest.labels.estimate_note`).
    year
        The figure's reference year.
    """
    reasons = []
    if label.estimated:
        reasons.append(f"footnote e on the label {label.cleaned!r}")
    if estimate_prefix(cell):
        reasons.append(f"value {clean_text(cell)!r}")
    statement = estimate_note(note, year)
    if statement is not None:
        reasons.append(f"note {statement!r}")
    return "; ".join(reasons)


def _number(value: object) -> float | None:
    """A known figure as a float; ``None`` for a missing one (``None`` or NaN)."""
    if not isinstance(value, numbers.Real):
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _whole(value: object) -> int:
    """A year or vintage of a group key as an int (the keys hold ints or their text)."""
    return int(str(value))


def _row(r: dict[str, object], denominator: float) -> dict[str, object] | None:
    """The supplier fields of one table row (``None`` for a residual row with a blank cell)."""
    value = _number(r["value"])
    is_country = r["kind"] == "country"
    if value is None and not is_country and r["marker"] == "blank":
        return None
    note = str(r["marker"]) if value is None else ""
    label = str(r["label"]).strip()
    if r["estimate"]:
        note = f"{note}; USGS estimate: {r['estimate']}".strip("; ")
    if (r["clean_label"] != clean_text(label) or (is_country and r["qualified"])) and "on the label" not in note:
        note = f"{note}; label {label!r}".strip("; ")
    if r["kind"] == "unmapped":
        note = f"{note}; names no single country: {r['clean_label']!r}".strip("; ")
    return {
        "supplier_type": "country" if is_country else "residual",
        "evidence": "estimated" if bool(r["estimated"]) else "observed",
        "iso3": r["iso3"] if is_country else "",
        "share": None if value is None or denominator <= 0 else value / denominator,
        "quantity": value,
        "note": f"{note} (file {r['file']}, row {r['row']})".strip(),
    }


def _notes(
    provision: pd.DataFrame,
    checks: pd.DataFrame,
    unmapped: dict[str, int],
    repeated: list[str],
    totals_missing: int,
) -> list[str]:
    notes = []
    if unmapped:
        listed = ", ".join(f"{label!r} ({n})" for label, n in sorted(unmapped.items()))
        notes.append(f"labels that name no single country, stored as unnamed residual rows: {listed}")
    unknown = int(provision["share"].isna().sum())
    if unknown:
        notes.append(f"{unknown} supplier rows carry a marker (W, NA, --, ...) or no world total: share unknown, not 0")
    if not checks.empty:
        bad = checks[~checks["reconciles"] & checks["missing_values"].eq(0)]
        if len(bad):
            shown = "; ".join(
                f"{r.commodity}:{r.stage} {r.year} (MCS {r.vintage}) world {r.world_total:g} vs listed {r.listed_sum:g}"
                for r in bad.head(15).itertuples()
            )
            notes.append(f"{len(bad)} of {len(checks)} tables do not reconcile with the world total: {shown}")
    if repeated:
        notes.append(
            f"{len(repeated)} tables list one country on several rows (qualified labels such as 'Brazil "
            f"(beneficiated)'); the unqualified row is kept: {'; '.join(repeated[:10])}"
        )
    if totals_missing:
        notes.append(f"{totals_missing} tables have no world total; shares use the sum of the listed values")
    return notes
