"""Regenerate data/export_controls.csv from the USGS MCS 2026 table of export controls in force (public domain).

Each row of the source names a country, the kind of control and a list "Commodity (year), ..., and commodity (year)."
This script splits the list into one row per commodity and year, and links a commodity to a seed node where the
seed has the node the control bears on (the link and its caveat are in the ``note`` column). Run from the repo root:

    python scripts/build_export_controls.py [--check]

``--check`` compares with the committed file instead of writing it (a test runs it when ../shared/data is present).
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from pathlib import Path

import pycountry

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT.parent / "shared" / "data" / "usgs-mcs" / "mcs2026_release" / "MCS2026_T4_Country_Export_Control.csv"
TARGET = ROOT / "data" / "export_controls.csv"
SOURCE_ID = "usgs_mcs_2026_t4"
COLUMNS = ("country_iso3", "control_type", "commodity", "year_in_force", "node_id", "source_id", "note")

#: commodity as USGS writes it (lower case) -> (seed node, what the link means)
NODES: dict[str, tuple[str, str]] = {
    "gallium": ("mat_gallium", "the control covers gallium metal and compounds; the node is primary gallium"),
    "germanium": ("mat_germanium", "the control covers germanium metal and compounds; the node is refined germanium"),
    "graphite": (
        "mat_graphite_natural",
        "the control covers natural and synthetic graphite; linked to the natural-graphite node only",
    ),
    "antimony": ("mat_antimony", "the control covers antimony ores, metal and oxides; the node is mine production"),
    "indium": ("mat_indium", "the node is refinery production"),
    "tungsten": ("mat_tungsten", "the node is mine production"),
    "rare earths": ("mat_rare_earth_ore", "the 2025 control covers medium and heavy rare earths; the node is mining"),
    "magnesium materials": ("mat_magnesium", "the node is magnesium metal"),
    "bauxite": ("mat_bauxite_alumina", "the node is bauxite and alumina"),
    "nickel ore": ("mat_nickel", "the node is nickel mine production"),
    "lithium ore": ("mat_lithium_ore", "the node is lithium mine production"),
    "cobalt": ("mat_cobalt_mine", "an export quota, not a ban; the node is cobalt mine production"),
}
ALIASES = {"Congo (Kinshasa)": "COD", "Laos": "LAO", "Russia": "RUS", "Vietnam": "VNM", "Venezuela": "VEN"}
ITEM = re.compile(r"(?P<items>[^()]+?)\s*\((?P<year>\d{4})\)")


def _iso3(country: str) -> str:
    name = country.strip()
    if name in ALIASES:
        return ALIASES[name]
    found = pycountry.countries.get(name=name) or pycountry.countries.get(common_name=name)
    if found is None:
        raise SystemExit(f"{SOURCE.name}: country {name!r} has no ISO3 code; add it to ALIASES")
    return str(found.alpha_3)


def _items(text: str) -> list[tuple[str, int]]:
    """``"Antimony (2024), bismuth (2025), and items ... (2025)."`` -> [("antimony", 2024), ...]."""
    out = []
    for match in ITEM.finditer(text):
        phrase = re.sub(r"^(?:,?\s*and\s+|,\s*)", "", match["items"].strip()).strip(" ,.")
        out.append((phrase.lower(), int(match["year"])))
    return out


def build() -> str:
    raw = SOURCE.read_bytes().decode("cp1252").lstrip("\ufeff").lstrip("ï»¿")
    rows = []
    for record in csv.DictReader(io.StringIO(raw)):
        iso3 = _iso3(record["Country"])
        for phrase, year in _items(record["Commodity_Year"]):
            several = "," in phrase or " and " in phrase
            missing = "several commodities in one entry: not linked" if several else "no seed node for this commodity"
            node, note = NODES.get(phrase, ("", missing))
            rows.append((iso3, record["Control_Type"].strip(), phrase, str(year), node, SOURCE_ID, note))
    rows.sort()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with data/export_controls.csv, write nothing")
    args = parser.parse_args(argv)
    text = build()
    if args.check:
        same = TARGET.read_text(encoding="utf-8") == text
        sys.stdout.write(("up to date" if same else "differs from the source") + ": data/export_controls.csv\n")
        return 0 if same else 1
    TARGET.write_text(text, encoding="utf-8")
    sys.stdout.write(f"wrote data/export_controls.csv ({text.count(chr(10)) - 1} rows)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
