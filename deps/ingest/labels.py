"""Cleaning the labels and cells of published statistical tables (USGS, IEA): countries, markers, numbers.

The USGS Mineral Commodity Summaries data releases carry label noise from the source itself
(``../shared/data/usgs-mcs/SOURCE.md``): trailing and non-breaking spaces, footnote letters or digits glued to a
country name (``Japane``, ``Russiae``, ``Other countries4``, ``World total (rounded)10``), qualifiers in brackets
or after a comma (``Brazil (beneficiated)``, ``Kazakhstan, concentrate``) and flags in number cells (``W``
withheld, ``NA``, ``--``/``—``, ``XX``, ``Large``, ``>2,000,000``).  This module turns them into

* a *label class*: ``country`` (with its ISO 3166-1 alpha-3 code), ``residual`` ("Other countries", "Rest of
  world": an unnamed remainder), ``total`` ("World total", a reconciliation check, never a supplier), or
  ``unmapped`` (a label no rule recognises, e.g. the combined ``United States and Canada``; reported, never
  guessed);
* a number, or ``None`` for every marker (a withheld or unknown value is missing, never zero).

Country names are resolved by pycountry (ISO 3166-1, a kept library) by exact name, official name or common name,
then by a small alias table of the names USGS and IEA use that ISO spells differently (:data:`ALIASES`, each with
its reason).  pycountry's fuzzy search is deliberately not used: it maps ``Niger`` to Nigeria's neighbour list and
``Korea, North`` to the Republic of Korea, an error worse than an unmapped label.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import pycountry

__all__ = [
    "ALIASES",
    "MISSING_MARKERS",
    "Label",
    "classify_label",
    "clean_text",
    "country_code",
    "parse_quantity",
    "slug",
]

#: Names used by USGS MCS and the IEA workbook that ISO 3166-1 (pycountry) spells differently -> ISO3.
#: Each is the country the publisher means (USGS "Congo (Kinshasa)" is the DR Congo, "Burma" is Myanmar, ...).
ALIASES: dict[str, str] = {
    "burma": "MMR",  # USGS uses the US Board on Geographic Names form
    "congo (kinshasa)": "COD",  # USGS: the Democratic Republic of the Congo
    "congo (brazzaville)": "COG",  # USGS: the Republic of the Congo
    "democratic republic of the congo": "COD",
    "democratic republic of congo": "COD",  # IEA
    "drc": "COD",  # IEA
    "korea, north": "PRK",  # USGS
    "korea, republic of": "KOR",  # USGS
    "korea": "KOR",  # IEA tables name the Republic of Korea so
    "south korea": "KOR",
    "russia": "RUS",
    "iran": "IRN",
    "laos": "LAO",
    "syria": "SYR",
    "vietnam": "VNM",
    "taiwan": "TWN",
    "turkey": "TUR",  # ISO name since 2022: Türkiye
    "bolivia": "BOL",
    "venezuela": "VEN",
    "tanzania": "TZA",
    "czech republic": "CZE",
    "cote d'ivoire": "CIV",
    "ivory coast": "CIV",
    "united states": "USA",
    "united kingdom": "GBR",
    "moldova": "MDA",
    "macedonia": "MKD",
    "kosovo": "XKX",
    "brunei": "BRN",
    "cabo verde": "CPV",
    "eswatini": "SWZ",
    "swaziland": "SWZ",
}
#: Cell texts (compared case-insensitively, after trimming) that mean "no usable value" -> what the marker says.
MISSING_MARKERS: dict[str, str] = {
    "": "blank",
    "w": "withheld (company proprietary data)",
    "na": "not available",
    "n/a": "not available",
    "--": "zero or none reported",
    "-": "zero or none reported",
    "—": "zero or none reported",
    "–": "zero or none reported",
    "xx": "not applicable",
    "s": "suppressed",
    "?": "unknown",
    "large": "qualitative ('Large')",
    "moderate": "qualitative ('Moderate')",
    "moderate to large": "qualitative ('Moderate to large')",
    "small": "qualitative ('Small')",
    "very small": "qualitative ('Very small')",
}
_RESIDUAL = re.compile(r"^(other countries|other|rest of (the )?world|others)\b")
_TOTAL = re.compile(r"^(world total|world|total)\b")
_FOOTNOTE_DIGITS = re.compile(r"(?<=[a-z)])\d{1,2}$")
_QUALIFIER_BRACKETS = re.compile(r"\s*\([^)]*\)")
_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


@dataclass(frozen=True)
class Label:
    """A classified row label: ``kind`` in country / residual / total / unmapped; ``iso3`` for countries."""

    kind: str
    iso3: str | None
    cleaned: str
    qualified: bool = False  # the label carried a qualifier such as "(beneficiated)" or ", concentrate"


def clean_text(text: str) -> str:
    """Normalise a label: Unicode NFC, non-breaking and repeated spaces collapsed, trimmed.

    >>> clean_text("United\\xa0States  ")
    'United States'
    """
    text = unicodedata.normalize("NFKC", str(text)).replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(text.split())


def slug(text: str) -> str:
    """A lower-case id fragment: letters and digits, runs of anything else as one ``-``.

    >>> slug("Nitrogen (Fixed)\\u2014Ammonia")
    'nitrogen-fixed-ammonia'
    """
    ascii_text = unicodedata.normalize("NFKD", clean_text(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


@lru_cache(maxsize=4096)
def country_code(name: str) -> str | None:
    """ISO3 of a country name (exact ISO name, official or common name, or :data:`ALIASES`), else ``None``.

    >>> country_code("Congo (Kinshasa)"), country_code("Japan"), country_code("Atlantis")
    ('COD', 'JPN', None)
    """
    key = clean_text(name).lower()
    if not key:
        return None
    if key in ALIASES:
        return ALIASES[key]
    return _iso_names().get(key)


@lru_cache(maxsize=1)
def _iso_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                names.setdefault(clean_text(value).lower(), country.alpha_3)
    return names


def classify_label(raw: str) -> Label:
    """Classify a country-column label of a USGS or IEA table.

    Rules, in order: trim and collapse spaces; "Other countries..." / "Rest of world" -> residual; "World total..."
    / "Total..." -> total; otherwise try the label as it is, then without footnote digits, then without a
    bracketed or comma qualifier, then without one glued footnote letter ``e`` (USGS 2024 marks estimates so:
    ``Japane``), and finally both.  A label none of these map is ``unmapped`` (kept for the import notes).

    >>> classify_label("Russiae").iso3, classify_label("Other countries4").kind, classify_label("Ukraine").iso3
    ('RUS', 'residual', 'UKR')
    """
    cleaned = clean_text(raw)
    lower = cleaned.lower()
    if _RESIDUAL.match(lower):
        return Label("residual", None, cleaned)
    if _TOTAL.match(lower):
        return Label("total", None, cleaned)
    base = _FOOTNOTE_DIGITS.sub("", lower).strip()
    unqualified = _QUALIFIER_BRACKETS.sub("", base).split(",")[0].strip()
    candidates = [(lower, False), (base, False), (unqualified, unqualified != base)]
    if lower.endswith("e"):
        candidates.append((base[:-1], False))
        candidates.append((_QUALIFIER_BRACKETS.sub("", base[:-1]).split(",")[0].strip(), True))
    if "," in base:  # "Korea, Republic ofe": the letter sits before any qualifier test
        head = base[:-1] if base.endswith("e") else base
        candidates.append((head, False))
    for candidate, qualified in candidates:
        code = country_code(candidate)
        if code is not None:
            return Label("country", code, cleaned, qualified)
    return Label("unmapped", None, cleaned)


def parse_quantity(cell: str) -> tuple[float | None, str | None]:
    """``(value, None)`` for a number, ``(None, marker meaning)`` for a marker, ``(None, None)`` when unreadable.

    Thousands separators (``"45,500"``) and trailing spaces are accepted; ``e``-prefixed estimates (``e1,200``) are
    read as numbers.  Ranges (``330 - 390``) and bounds (``>2,000,000``) are not point values: they are markers.

    >>> parse_quantity(" 45,500 "), parse_quantity("W"), parse_quantity("abc")
    ((45500.0, None), (None, 'withheld (company proprietary data)'), (None, None))
    """
    text = clean_text(cell)
    lower = text.lower().rstrip(".")
    if lower in MISSING_MARKERS:
        return None, MISSING_MARKERS[lower]
    if lower.startswith("less than"):  # "Less than ½ unit."
        return None, f"a bound, not a value ({text})"
    if lower.startswith("included with"):
        return None, f"counted in another row ({text})"
    if lower.startswith("e") and _NUMBER.match(lower[1:].strip()):
        lower = lower[1:].strip()
    if _NUMBER.match(lower):
        return float(lower.replace(",", "")), None
    if lower.startswith((">", "<")):
        return None, f"a bound, not a value ({text})"
    if re.fullmatch(r"[\d,.]+\s*-\s*[\d,.]+", lower):
        return None, f"a range, not a value ({text})"
    return None, None
