"""Readable labels for what the tables and charts show: column headers, coded values (kind, sector, evidence,
confidence, flags, import tables) and names beside ids (nodes, markets, action lines, countries).

Pure functions over plain data, no Streamlit: the pages pass the name maps they read (cached) and the language.  The
English labels are keys of the string table (:mod:`app_pages.texts_labels`), so Dutch mode shows Dutch headers and
values; ids and numbers stay as the data has them.  Country names in Dutch come from the ISO 3166 translations that
pycountry ships (its ``locales`` folder), the English ones from :func:`deps.countries.country_name`.
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from functools import cache

import pandas as pd
import pycountry

from app_pages.texts import translate
from app_pages.texts_labels import COLUMNS, VALUES
from deps.ingest.countries import country_name as english_country_name

__all__ = ["column_label", "country_label", "headers", "named_frame", "value_label"]


def column_label(column: str, lang: str = "en") -> str:
    """The header of a table column (its field name when the table has no label for it)."""
    english = COLUMNS.get(column)
    return translate(english, lang) if english else column


def headers(frame: pd.DataFrame, lang: str = "en") -> dict[str, str]:
    """``column_config`` for ``st.dataframe``: every column's header in ``lang`` (the field names stay in downloads)."""
    return {str(c): column_label(str(c), lang) for c in frame.columns if str(c) in COLUMNS}


def value_label(vocabulary: str, value: str, lang: str = "en") -> str:
    """A coded value (``kind``, ``sector``, ``evidence``, ``confidence``, ``flag``, ``table``, ...) in words."""
    english = VALUES.get(vocabulary, {}).get(value)
    return translate(english, lang) if english else value


@cache
def _dutch_countries() -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["nl"], fallback=True)


def country_label(code: str, lang: str = "en") -> str:
    """A country's name in ``lang`` (ISO 3166-1 alpha-3 or a documented statistical code; the code when unknown)."""
    if not code or not isinstance(code, str):
        return "" if code is None or (isinstance(code, float) and pd.isna(code)) else str(code)
    try:
        english = english_country_name(code)
    except Exception:
        return code
    if lang != "nl":
        return english
    found = pycountry.countries.get(alpha_3=code.upper())
    return _dutch_countries().gettext(found.name) if found is not None else english


NAME_COLUMNS = {
    "node_id": "node_name",
    "market": "market_name",
    "action_line_id": "action_line_name",
    "supplier_country": "supplier_country_name",
    "country": "country_name",
    "holder": "holder_name",
    "partner": "partner_name",
}
COUNTRY_COLUMNS = ("supplier_country", "country", "holder", "partner")


def named_frame(
    frame: pd.DataFrame,
    *,
    nodes: Mapping[str, str],
    markets: Mapping[str, str],
    lines: Mapping[str, str],
    lang: str = "en",
) -> pd.DataFrame:
    """``frame`` with a name column right after every id column it has (node, market, action line, country, and
    ``target_id`` = ``node|country`` as node and country names); unknown shares stay empty, never "None"."""
    out = frame.copy()

    def after(column: str) -> int:
        return int(list(out.columns).index(column)) + 1

    maps: dict[str, Mapping[str, str]] = {"node_id": nodes, "market": markets, "action_line_id": lines}
    for column in list(out.columns):
        name_column = NAME_COLUMNS.get(str(column))
        if name_column is None or name_column in out.columns or (column == "node_id" and "name" in out.columns):
            continue
        if column in COUNTRY_COLUMNS:
            values = out[column].map(lambda c: country_label(c, lang) if isinstance(c, str) else "")
        else:
            mapping = maps[str(column)]
            values = out[column].map(lambda v, m=mapping: m.get(str(v), "") if isinstance(v, str) else "")
        out.insert(after(str(column)), name_column, values)
    if "target_id" in out.columns and "target_name" not in out.columns:

        def target(value: object) -> str:
            node, _, country = str(value).partition("|")
            return f"{nodes.get(node, node)} ({country_label(country, lang)})" if country else nodes.get(node, node)

        out.insert(after("target_id"), "target_name", out["target_id"].map(target))
    return out
