"""Reading the four layouts of the USGS Mineral Commodity Summaries world data releases into one long table.

Layouts (``../shared/data/usgs-mcs/SOURCE.md``):

* **MCS 2023, MCS 2024**: one UTF-8 (BOM) CSV per commodity, ``mcs202X-<code>_world.csv``, wide: ``Source,
  Country, Type`` then value columns named ``<Prod|Cap>[_<qualifier>]_<unit>[_est]_<year>`` (e.g. ``Prod_kg_2021``,
  ``Prod_kt_Est_2023``, ``Cap_Sponge_t_2023``) and note columns.  The commodity's name is read from the FGDC
  metadata file beside it (``<title>Mineral Commodity Summaries 2024 - GALLIUM Data Release</title>``).  One 2024
  file names its type column after its only type (``"Mine production, fluorspar"``); many 2024 files end in empty
  rows and empty header cells.
* **MCS 2025**: one UTF-8 (BOM) CSV, ``SOURCE, COMMODITY, COUNTRY, TYPE, UNIT_MEAS, PROD_2023, PROD_EST_ 2024,
  PROD_NOTES, CAP_2023, CAP_EST_ 2024, CAP_NOTES, RESERVES_2024, RESERVE_NOTES``.
* **MCS 2026**: one Windows-1252 CSV for the whole release, long: ``MCS chapter, Section, Commodity, Country,
  Statistics, Statistics_detail, Unit, Year, Value, Notes, ...``; the world tables are the sections whose name
  starts with "World"; in each vintage the last reference year is USGS's estimate.

Every layout becomes rows of :data:`LONG_COLUMNS`: the file and spreadsheet row a value came from, the vintage,
the commodity (key and name), the stage text (the table's "type"), the measure (``production`` or ``capacity``),
the unit, the reference year, whether the layout marks the figure as estimated (an ``est`` column, MCS 2026's last
year), the country label, the raw cell and the note that belongs to the figure (2023/2024: the row's
``Prod_notes``/``Prod_note`` or ``Cap_notes`` by measure; 2025: ``PROD_NOTES`` or ``CAP_NOTES``; 2026: the row's
``Notes``).  The other estimate markers (a glued ``e`` on the label, an ``e`` before the number, an "estimated"
note) are read from the label, cell and note by :mod:`deps.ingest.usgs`.  Reserves are not read (they are not
supply).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from deps.errors import Problem
from deps.ingest.labels import clean_text, slug
from deps.ingest.reader import FIRST_DATA_ROW, file_kind

__all__ = [
    "COMMODITY_ALIASES",
    "LONG_COLUMNS",
    "UNIT_CODES",
    "commodity_key",
    "read_release",
    "vintage_files",
]

LONG_COLUMNS = (
    "file",
    "row",
    "vintage",
    "commodity",
    "commodity_name",
    "stage",
    "measure",
    "unit",
    "year",
    "estimated",
    "label",
    "cell",
    "note",
)
#: Unit codes in the 2023/2024 column names -> unit text as the 2025/2026 files write it.
UNIT_CODES: dict[str, str] = {
    "t": "metric tons",
    "kt": "thousand metric tons",
    "kg": "kilograms",
    "mt": "million metric tons",
    "mmt": "million metric tons",
    "kct": "thousand carats",
    "mct": "million carats",
    "mcm": "million cubic meters",
}
#: Commodity names that differ between vintages (after :func:`~deps.ingest.labels.slug`) -> one key.
#: "Gemanium" is a typo in MCS 2025; the others are chapter names spelt differently across vintages.
COMMODITY_ALIASES: dict[str, str] = {
    "gemanium": "germanium",
    "graphite": "graphite-natural",
    "bauxite": "bauxite-and-alumina",
    "alumina": "bauxite-and-alumina",
    "feldspar": "feldspar-and-nepheline-syenite",
    "garnet-industrial": "garnet",
    "kyanite-and-related-minerals": "kyanite",
    "niobium": "niobium-columbium",
    "talc-crude": "talc-and-pyrophyllite",
    "titanium-titanium-dioxide": "titanium-and-titanium-dioxide",
    "tio2-pigment": "titanium-and-titanium-dioxide",
    "titanium-sponge-metal": "titanium-and-titanium-dioxide",
    "zirconium": "zirconium-and-hafnium",
    "palladium": "platinum-group-metals",
    "platinum": "platinum-group-metals",
    "abrasives": "abrasives-manufactured",
    "pumice-pumicite": "pumice-and-pumicite",
}
_VALUE_COLUMN = re.compile(r"^(Prod|Cap)(?:_([A-Za-z]+))??_(t|kt|kg|mt|Mt|mmt|kct|mct|mcm)(_[eE]st)?_(\d{4})$")
_NOTE_COLUMN = re.compile(r"^(Prod|Cap)_notes?$", re.IGNORECASE)
_WIDE_FILE = re.compile(r"^mcs(\d{4})-([a-z-]+)_world\.csv$", re.IGNORECASE)
_TITLE = re.compile(r"<title>Mineral Commodity Summaries \d{4} - (.+?) Data Release</title>")
_FIXES = {
    "wide": "give the folder mcs2023_world or mcs2024_world as published (one CSV per commodity)",
    "name": (
        "keep the name USGS gave the file: mcsYYYY-<commodity>_world.csv (2023, 2024),"
        " MCS2025_World_Data.csv or MCS2026_Commodities_Data.csv"
    ),
}


def commodity_key(name: str) -> str:
    """One key per commodity across vintages.

    >>> commodity_key("Gemanium"), commodity_key("GALLIUM"), commodity_key("Graphite (Natural)")
    ('germanium', 'gallium', 'graphite-natural')
    """
    key = slug(name)
    return COMMODITY_ALIASES.get(key, key)


def vintage_files(path: Path) -> list[Path]:
    """The data files of a release folder (or of a folder holding several release folders), sorted."""
    if path.is_file():
        return [path]
    found = sorted(p for p in path.rglob("*.csv") if _is_world_file(p))
    return found


def _is_world_file(path: Path) -> bool:
    name = path.name
    return bool(_WIDE_FILE.match(name)) or name in {"MCS2025_World_Data.csv", "MCS2026_Commodities_Data.csv"}


def read_release(paths: list[Path], *, max_bytes: int, problems: list[Problem]) -> pd.DataFrame:
    """Every world-production value of ``paths`` as one long frame (:data:`LONG_COLUMNS`); problems appended."""
    parts: list[pd.DataFrame] = []
    for path in paths:
        rows = _read_rows(path, max_bytes=max_bytes, problems=problems)
        if rows is None:
            continue
        if path.name == "MCS2025_World_Data.csv":
            parts.append(_layout_2025(path.name, rows, problems))
        elif path.name == "MCS2026_Commodities_Data.csv":
            parts.append(_layout_2026(path.name, rows, problems))
        elif (match := _WIDE_FILE.match(path.name)) is not None:
            parts.append(_layout_wide(path, match, rows, problems))
        else:
            problem = "the file name is not one of a USGS data release"
            problems.append(Problem(path.name, None, None, problem, _FIXES["name"]))
    if not parts:
        return pd.DataFrame(columns=list(LONG_COLUMNS))
    return pd.concat(parts, ignore_index=True)[list(LONG_COLUMNS)]


# ---------------------------------------------------------------------------------------------------- reading
def _read_rows(path: Path, *, max_bytes: int, problems: list[Problem]) -> list[list[str]] | None:
    """The CSV records of ``path`` (header first), decoded per vintage: UTF-8 (BOM) or, for 2026, Windows-1252."""
    name = path.name
    size = path.stat().st_size
    if size == 0:
        problems.append(Problem(name, None, None, "the file is empty", "use the file as USGS published it"))
        return None
    if size > max_bytes:
        problems.append(
            Problem(name, None, None, f"the file is {size / 1e6:.1f} MB, above the limit", "raise DEPS_MAX_IMPORT_MB")
        )
        return None
    raw = path.read_bytes()
    if file_kind(raw[:8192]) != "text":
        problems.append(Problem(name, None, None, "the content is not CSV text", "use the CSV file of the release"))
        return None
    encoding = "cp1252" if name.startswith("MCS2026") else "utf-8-sig"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(
            Problem(
                name,
                line,
                None,
                f"not valid {encoding} (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
                "use the file as USGS published it (2023-2025 are UTF-8, 2026 is Windows-1252)",
            )
        )
        return None
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        problems.append(Problem(name, None, None, f"not a readable CSV file: {exc}", "check quotes and separators"))
        return None
    if not rows or not any(c.strip() for c in rows[0]):
        problems.append(Problem(name, 1, None, "the header row is empty", "use the file as USGS published it"))
        return None
    return rows


def _body(rows: list[list[str]]) -> list[tuple[int, dict[str, str]]]:
    header = [clean_text(h) for h in rows[0]]
    out = []
    for offset, row in enumerate(rows[1:]):
        if not any(c.strip() for c in row):
            continue
        cells = dict(zip(header, (row + [""] * len(header))[: len(header)], strict=True))
        out.append((offset + FIRST_DATA_ROW, cells))
    return out


def _require(name: str, header: list[str], columns: tuple[str, ...], problems: list[Problem], fix: str) -> bool:
    missing = [c for c in columns if c not in header]
    for column in missing:
        problems.append(Problem(name, 1, column, "required column is missing", fix))
    return not missing


# ---------------------------------------------------------------------------------------------------- layouts
def _layout_wide(path: Path, match: re.Match[str], rows: list[list[str]], problems: list[Problem]) -> pd.DataFrame:
    name = path.name
    vintage, code = int(match.group(1)), match.group(2).lower()
    header = [clean_text(h) for h in rows[0]]
    if not _require(name, header, ("Country",), problems, _FIXES["wide"]):
        return pd.DataFrame(columns=list(LONG_COLUMNS))
    # one 2024 file names its type column after its only type ("Mine production, fluorspar")
    fixed_type = None if "Type" in header else (header[2] if len(header) > 2 else "")
    value_columns = [(h, _VALUE_COLUMN.match(h)) for h in header]
    values = [(h, m) for h, m in value_columns if m is not None]
    if not values:
        problems.append(Problem(name, 1, None, "no production or capacity column (e.g. Prod_kt_2022)", _FIXES["wide"]))
    commodity_name = _title(path) or code
    # "Prod_notes" (or "Prod_note") and "Cap_notes" hold the notes of the production and capacity columns
    notes = {m.group(1).lower(): h for h in header if (m := _NOTE_COLUMN.match(h))}
    records = []
    for row_number, cells in _body(rows):
        stage = cells.get("Type", "") if fixed_type is None else fixed_type
        for column, m in values:
            measure = "production" if m.group(1) == "Prod" else "capacity"
            note_column = notes.get(m.group(1).lower())
            qualifier = m.group(2)
            records.append(
                (
                    name,
                    row_number,
                    vintage,
                    commodity_key(commodity_name),
                    commodity_name.title(),
                    f"{stage} ({qualifier})" if qualifier else stage,
                    measure,
                    UNIT_CODES[m.group(3).lower()],
                    int(m.group(5)),
                    m.group(4) is not None,
                    cells.get("Country", ""),
                    cells.get(column, ""),
                    cells.get(note_column, "") if note_column else "",
                )
            )
    return pd.DataFrame(records, columns=list(LONG_COLUMNS))


def _title(path: Path) -> str | None:
    """The commodity name from the FGDC metadata file beside a wide CSV, if it is there."""
    meta = path.with_name(path.name.replace("_world.csv", "_meta.xml"))
    if not meta.is_file():
        candidates = [p for p in path.parent.glob("*_meta.xml") if p.name.lower() == meta.name.lower()]
        if not candidates:
            return None
        meta = candidates[0]
    found = _TITLE.search(meta.read_text(encoding="utf-8", errors="replace"))
    return clean_text(found.group(1)) if found else None


_COLUMNS_2025 = ("COMMODITY", "COUNTRY", "TYPE", "UNIT_MEAS")
_VALUES_2025 = re.compile(r"^(PROD|CAP)(_EST)?_\s*(\d{4})$")


def _layout_2025(name: str, rows: list[list[str]], problems: list[Problem]) -> pd.DataFrame:
    header = [clean_text(h) for h in rows[0]]
    fix = "use MCS2025_World_Data.csv as USGS published it"
    if not _require(name, header, _COLUMNS_2025, problems, fix):
        return pd.DataFrame(columns=list(LONG_COLUMNS))
    values = [(h, m) for h in header if (m := _VALUES_2025.match(h.replace(" ", "")))]
    records = []
    for row_number, cells in _body(rows):
        commodity = clean_text(cells["COMMODITY"])
        for column, m in values:
            records.append(
                (
                    name,
                    row_number,
                    2025,
                    commodity_key(commodity),
                    commodity,
                    cells["TYPE"],
                    "production" if m.group(1) == "PROD" else "capacity",
                    clean_text(cells["UNIT_MEAS"]),
                    int(m.group(3)),
                    m.group(2) is not None,
                    cells["COUNTRY"],
                    cells[column],
                    cells.get(f"{m.group(1)}_NOTES", ""),
                )
            )
    return pd.DataFrame(records, columns=list(LONG_COLUMNS))


_COLUMNS_2026 = ("MCS chapter", "Section", "Commodity", "Country", "Statistics", "Statistics_detail", "Unit")
_COLUMNS_2026_VALUES = ("Year", "Value")
_MEASURES_2026 = {"production": "production", "capacity": "capacity"}


def _layout_2026(name: str, rows: list[list[str]], problems: list[Problem]) -> pd.DataFrame:
    header = [clean_text(h) for h in rows[0]]
    fix = "use MCS2026_Commodities_Data.csv as USGS published it"
    if not _require(name, header, _COLUMNS_2026 + _COLUMNS_2026_VALUES, problems, fix):
        return pd.DataFrame(columns=list(LONG_COLUMNS))
    body = [(r, c) for r, c in _body(rows) if clean_text(c["Section"]).startswith("World")]
    years = [int(c["Year"]) for _r, c in body if c["Year"].strip().isdigit()]
    last = max(years) if years else 0
    records = []
    for row_number, cells in body:
        measure = _MEASURES_2026.get(clean_text(cells["Statistics"]).lower())
        if measure is None:  # reserves
            continue
        year_text = cells["Year"].strip()
        if not year_text.isdigit():
            problems.append(Problem(name, row_number, "Year", f"{year_text!r} is not a year", fix))
            continue
        commodity = clean_text(cells["Commodity"])
        chapter = clean_text(cells["MCS chapter"])
        # a chapter with several commodities (HELIUM AND RARE GASES: helium, neon, ...) keeps them apart
        key = commodity_key(commodity)
        stage = re.sub(r":\s*rounded\b", "", clean_text(cells["Statistics_detail"]), flags=re.IGNORECASE)
        records.append(
            (
                name,
                row_number,
                2026,
                key,
                commodity or chapter.title(),
                stage,
                measure,
                clean_text(cells["Unit"]),
                int(year_text),
                int(year_text) == last,
                cells["Country"],
                cells["Value"],
                cells.get("Notes", ""),
            )
        )
    return pd.DataFrame(records, columns=list(LONG_COLUMNS))
