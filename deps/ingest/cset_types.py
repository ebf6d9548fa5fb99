"""Type shares of CSET categories, derived from the market sizes in ``inputs.csv``.

CSET's chip explorer states for many inputs the size of the global market
(``market_share_chart_global_market_size_info``, e.g. ``$13 billion (2025)``). A type's share of
its category's supply (``is_type_of`` edge ``share``, see ``docs/methods/alternatives.md``) is
taken as

- size(type) / size(category) when both are stated for the same year; the types without a stated
  size then share the residual (their shares stay unknown), or
- size(type) / sum of the sizes of all the category's types when the category has no size for
  that year and every type states one for the same year;
- unknown (empty) otherwise: a missing year, a different year, a size that does not parse.

Each derived share carries its provenance in ``source``. CSET has no relation that says one input
can replace another, so no ``substitutes`` edge is derived from it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

import pandas as pd

__all__ = ["edge_records", "parse_market_size", "type_shares", "with_type_shares"]

_SIZE = re.compile(r"^\s*\$\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*(thousand|million|billion|trillion)\b", re.IGNORECASE)
_YEAR = re.compile(r"\((\d{4})\)\s*$")
_UNIT = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
#: Tolerance on the sum of derived shares of one category (CSET rounds sizes to 3-4 digits).
SUM_TOLERANCE = 0.01


def parse_market_size(text: str) -> tuple[float, int] | None:
    """``(US dollars, year)`` from a CSET size cell, or ``None`` when it has no amount or year.

    >>> parse_market_size("$13 billion (2025)")
    (13000000000.0, 2025)
    >>> parse_market_size("$2.5 billion (slurries and pads)") is None
    True
    """
    amount, year = _SIZE.match(text or ""), _YEAR.search(text or "")
    if amount is None or year is None:
        return None
    value = float(amount.group(1).replace(",", "")) * _UNIT[amount.group(2).lower()]
    return value, int(year.group(1))


def type_shares(
    types_of: Mapping[str, Sequence[str]], size_text: Mapping[str, str]
) -> dict[tuple[str, str], tuple[float, str]]:
    """Derived share and provenance per ``(type, category)``; pairs left unknown are omitted.

    Parameters
    ----------
    types_of
        Category id -> its type ids (from ``sequence.csv``'s ``is_type_of`` rows).
    size_text
        Input id -> its market-size cell from ``inputs.csv``.
    """
    out: dict[tuple[str, str], tuple[float, str]] = {}
    for cat, types in types_of.items():
        sizes = {t: parse_market_size(size_text.get(t, "")) for t in types}
        own = parse_market_size(size_text.get(cat, ""))
        derived: dict[str, float] = {}
        if own is not None and own[0] > 0:
            note = f"CSET inputs.csv market sizes, {own[1]}: size(type) / size({cat})"
            derived = {t: s[0] / own[0] for t, s in sizes.items() if s is not None and s[1] == own[1]}
        elif all(s is not None for s in sizes.values()) and len({s[1] for s in sizes.values() if s}) == 1:
            total = sum(s[0] for s in sizes.values() if s)
            year = next(s[1] for s in sizes.values() if s)
            note = f"CSET inputs.csv market sizes, {year}: size(type) / sum of the sizes of {cat}'s types"
            derived = {t: s[0] / total for t, s in sizes.items() if s} if total > 0 else {}
        total_share = sum(derived.values())
        if not derived or total_share > 1.0 + SUM_TOLERANCE or not all(math.isfinite(v) for v in derived.values()):
            continue
        scale = 1.0 / total_share if total_share > 1.0 else 1.0
        for t, share in derived.items():
            out[(t, cat)] = (round(min(share * scale, 1.0), 6), note)
    return out


def with_type_shares(inputs: pd.DataFrame, out: dict[str, pd.DataFrame]) -> list[str]:
    """Add ``share`` and ``note`` (provenance) to ``out["edges"]`` from the market sizes; return the import notes."""
    edges = out.get("edges")
    if edges is None:
        return []
    column = "market_share_chart_global_market_size_info"
    sizes = dict(zip(inputs["input_id"], inputs.get(column, pd.Series("", index=inputs.index)), strict=True))
    typed = edges[edges["relation"].eq("is_type_of")]
    types_of = {str(k): [str(x) for x in v] for k, v in typed.groupby("dst")["src"].apply(list).items()}
    derived = type_shares(types_of, {str(k): str(v) for k, v in sizes.items()})
    pairs = list(zip(edges["src"], edges["dst"], strict=True))
    is_type = edges["relation"].eq("is_type_of").tolist()
    edges["share"] = [derived[p][0] if t and p in derived else None for p, t in zip(pairs, is_type, strict=True)]
    edges["note"] = [derived[p][1] if t and p in derived else "" for p, t in zip(pairs, is_type, strict=True)]
    return [
        f"{len(derived)} of {len(typed)} is_type_of edges carry a type share derived from the size figures in "
        "inputs.csv (the others: share unknown, shown as intervals); CSET names no substitutes"
    ]


def edge_records(edges: pd.DataFrame) -> list[tuple[str, str, str, float | None, str]]:
    """``(src, dst, relation, share, note)`` per edge, with ``None`` for an unknown share."""
    shares = edges["share"] if "share" in edges else pd.Series(None, index=edges.index, dtype=object)
    notes = edges["note"] if "note" in edges else pd.Series("", index=edges.index)
    return [
        (str(s), str(d), str(r), None if v is None or pd.isna(v) else float(v), str(n))
        for s, d, r, v, n in zip(edges["src"], edges["dst"], edges["relation"], shares, notes, strict=True)
    ]
