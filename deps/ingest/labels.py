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
* a number, or ``None`` for every marker (a withheld or unknown value is missing, never zero);
* whether USGS marks the figure as an estimate: a footnote letter ``e`` glued to the label (MCS 2024: ``Japane``,
  ``Korea, Republic ofe``, ``Other countriese``; :attr:`Label.estimated`), an ``e`` before the number (``e3,900``;
  :func:`estimate_prefix`), or a note that calls the figure estimated (:func:`estimate_note`).

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
    "estimate_note",
    "estimate_prefix",
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
_TRAILING_BRACKETS = re.compile(r"\s*\([^)]*\)$")
_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")
#: A residual label with the glued estimate letter (MCS 2024 ``Other countriese``).
_RESIDUAL_ESTIMATE = re.compile(r"^(other countries|others|rest of (the )?world)e$")
#: Where a note is cut into statements: sentence ends, and the `` -- `` that joins the notes of MCS 2026.
_NOTE_SPLIT = re.compile(r"\s*-{2,}\s*|(?<=[a-z0-9)]\.)\s+|\s*;\s*")  # "U.S. Geological" stays whole
#: Statements that say the row's own figure is an estimate (tested at the start of a statement, lower case).  Text
#: that only mentions estimates ("Other countries estimated to still have ... capacity", "China is estimated to
#: produce ...", "inadequate to make reliable estimates", "the estimated sulfur content of ...") is not a marker.
_ESTIMATE_STATEMENT = re.compile(
    r"^(estimated\b"  # "Estimated.", "Estimated capacity", "Estimated from ...", "estimated 2023"
    r"|estimates were derived\b"  # indium, MCS 2023
    r"|also estimated\b"  # "Also estimated in 2022"
    r"|includes (u\.s\. geological survey|usgs) estimates\b"  # clays, MCS 2026
    r"|(production|production data|data) (in|for) (19|20)\d\d (is|was|were) also estimated\b)"  # "Data in 2021 ..."
)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


@dataclass(frozen=True)
class Label:
    """A classified row label: ``kind`` in country / residual / total / unmapped; ``iso3`` for countries."""

    kind: str
    iso3: str | None
    cleaned: str
    qualified: bool = False  # the label carried a qualifier such as "(beneficiated)" or ", concentrate"
    estimated: bool = False  # the label carried USGS's glued footnote letter "e" (an estimate): "Japane"


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
    / "Total..." -> total; otherwise try the label as it is and without footnote digits, then without one glued
    footnote letter ``e`` (MCS 2024 marks estimates so: ``Japane``, ``Korea, Republic ofe``), then without a
    qualifier: without comma parts from the last and without brackets (``Korea, North, concentrate`` is tried as
    ``Korea, North`` before ``Korea``, ``Congo (Kinshasa), concentrate`` as ``Congo (Kinshasa)`` before ``Congo``),
    each also without the letter (``Chinae, concentrate``).  A label none of these map is
    ``unmapped`` (kept for the import notes).

    The letter is a marker only when the label as written maps to no country and the label without the letter does:
    ``France``, ``Ukraine``, ``Côte d'Ivoire`` or ``Ukraine, concentrate`` are names that end in "e", never
    estimates.  A residual label with the letter (``Other countriese``) is an estimated residual.

    >>> classify_label("Russiae").iso3, classify_label("Other countries4").kind, classify_label("Ukraine").iso3
    ('RUS', 'residual', 'UKR')
    >>> classify_label("Japane").estimated, classify_label("France").estimated
    (True, False)
    """
    cleaned = clean_text(raw)
    lower = cleaned.lower()
    base = _FOOTNOTE_DIGITS.sub("", lower).strip()
    if _RESIDUAL.match(lower):
        return Label("residual", None, cleaned, estimated=bool(_RESIDUAL_ESTIMATE.match(base)))
    if _TOTAL.match(lower):
        return Label("total", None, cleaned)
    # (candidate, qualified, estimated): the label as written first, so a real name ending in "e" is never a marker;
    # the letter before a qualifier test, so "Korea, Republic ofe" is the Republic of Korea, not a qualified "Korea"
    candidates = [(lower, False, False), (base, False, False)]
    if base.endswith("e"):
        candidates.append((base[:-1], False, True))
    for head in _heads(base):
        candidates.append((head, True, False))
        if head.endswith("e"):  # the letter sits before the qualifier: "Chinae, concentrate"
            candidates.append((head[:-1], True, True))
    for candidate, qualified, estimated in candidates:
        code = country_code(candidate)
        if code is not None:
            return Label("country", code, cleaned, qualified, estimated)
    return Label("unmapped", None, cleaned)


def _heads(text: str) -> list[str]:
    """Shorter forms of ``text``: without comma parts from the last (longest first), each as written and then
    without bracketed qualifiers; never ``text`` itself.

    >>> _heads("korea, north, concentrate")
    ['korea, north', 'korea']
    >>> _heads("congo (kinshasa), concentrate"), _heads("congo (kinshasa) (beneficiated)")
    (['congo, concentrate', 'congo (kinshasa)', 'congo'], ['congo (kinshasa)', 'congo'])
    """
    parts = [part.strip() for part in text.split(",")]
    heads = []
    for prefix in (", ".join(parts[:n]) for n in range(len(parts), 0, -1)):
        form = prefix
        heads.append(form)
        while (shorter := _TRAILING_BRACKETS.sub("", form).strip()) != form:  # the last bracket group first
            heads.append(form := shorter)
        heads.append(_QUALIFIER_BRACKETS.sub("", prefix).strip())
    return [head for head in dict.fromkeys(heads) if head and head != text]


def estimate_prefix(cell: str) -> bool:
    """Whether a number cell carries USGS's ``e`` (estimated) prefix, as MCS 2024 writes ``e3,900``.

    >>> estimate_prefix(" e24,000"), estimate_prefix("24,000"), estimate_prefix("e")
    (True, False, False)
    """
    text = clean_text(cell).lower()
    return text.startswith("e") and bool(_NUMBER.match(text[1:].strip()))


def estimate_note(note: str, year: int) -> str | None:
    """The statement of a USGS note that marks the figure of ``year`` as an estimate, or ``None``.

    A note is cut into statements (sentences, and the parts MCS 2026 joins with `` -- ``).  A statement marks an
    estimate when it starts so (:data:`_ESTIMATE_STATEMENT`: "Estimated.", "Estimated capacity", "Estimated from
    Asian Metal Ltd.", "Also estimated in 2022", "Production in 2021 is also estimated.", "estimated 2023", ...).
    When it names years it marks those years only ("both years" marks every year), otherwise every year of the row.

    Parameters
    ----------
    note
        The note text that belongs to the figure (the production or capacity notes of its row; MCS 2026: the row's
        ``Notes``).
    year
        The reference year of the figure.

    Returns
    -------
    str or None
        The marking statement as written (for the row's note), or ``None`` when the note does not call the figure
        an estimate.

    >>> estimate_note("Also estimated in 2022", 2022), estimate_note("Also estimated in 2022", 2023)
    ('Also estimated in 2022', None)
    >>> estimate_note("Estimated. -- Feldspar only.", 2024)
    'Estimated.'
    >>> estimate_note("Other countries estimated to still have primary low-purity gallium capacity", 2023) is None
    True
    """
    for statement in _NOTE_SPLIT.split(clean_text(note)):
        text = statement.strip(" .;")
        lower = text.lower()
        if not _ESTIMATE_STATEMENT.match(lower):
            continue
        years = {int(y) for y in _YEAR.findall(lower)}
        if not years or "both years" in lower or year in years:
            return statement.strip()
    return None


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
    if estimate_prefix(lower):  # the estimate itself is read by estimate_prefix
        lower = lower[1:].strip()
    if _NUMBER.match(lower):
        return float(lower.replace(",", "")), None
    if lower.startswith((">", "<")):
        return None, f"a bound, not a value ({text})"
    if re.fullmatch(r"[\d,.]+\s*-\s*[\d,.]+", lower):
        return None, f"a range, not a value ({text})"
    return None, None
