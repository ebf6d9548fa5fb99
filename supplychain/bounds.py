"""Exact bounds of concentration where supplier shares are unknown (docs/methods/bounds.md).

A node's suppliers in a view (countries, or firms) carry a known part ``b_i >= 0`` of the
node's supply and are *open* when part of their share is unknown (a named supplier without a
share; in the country view built from firm rows, a country with a firm whose share is unknown).
The residual ``R = max(0, 1 - sum_i b_i)`` is the supply nobody's known share covers. A
*completion* is any allocation ``x_i = b_i + u_i`` with ``u_i >= 0``, ``u_i = 0`` for closed
suppliers, and ``sum_i u_i + sum_k w_k = R``, where ``w_k >= 0`` are shares of *unnamed*
suppliers: allowed (any number of them, any country) unless the supplier list is known complete
(``Thresholds.suppliers_complete``; default False, the data do not say it). In the country view
from firm rows, an incomplete firm list also leaves every named country open (an unnamed firm
may be headquartered there). With a complete list and no open supplier, ``R`` is unallocated
(the shares as given, as the point values use them).

Bounds (proof sketch in ``docs/methods/bounds.md``): top share, CR3 and HHI are Schur-convex, so
their minimum is at the completion that every other completion majorises and their maximum at
one that majorises every other.

- Lowest: with unnamed suppliers allowed, ``x = b`` and ``R`` split into ever smaller unnamed
  shares (an infimum: HHI_low = sum_i b_i^2, top_low = max_i b_i). Otherwise water-filling over
  the open suppliers: level ``lam`` with ``sum_open max(0, lam - b_i) = R``,
  ``x_i = max(b_i, lam)`` (all ``b_i = 0``: ``lam = R / k``, HHI_low = sum s_i^2 + R^2 / k).
- Highest: all of ``R`` on the open supplier with the largest ``b`` (or on one new unnamed
  supplier when none is open): HHI_high = sum_i b_i^2 + R^2 + 2 R b_max_open,
  top_high = max(max_i b_i, b_max_open + R), CR3_high = CR3(b) + R when that supplier is among
  the three largest, else max(CR3(b), b_(1) + b_(2) + b_max_open + R).
- Home (or bloc) share ``h = sum_{i in H} x_i``: h_low = B_H + R only when ``R`` cannot go
  outside H (no open supplier outside H, no unnamed supplier), else B_H; h_high = B_H + R when
  ``R`` can reach H (an open supplier in H, or an unnamed supplier that may lie in H), else B_H.
- One supplier: x_i in [b_i + R [i the only place R can go], b_i + R [i open]].
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from supplychain.schema import frame_of_columns, labels_from_codes
from supplychain.shares import Level
from supplychain.supplier_rows import SupplierRows, open_flags, supplier_rows
from supplychain.thresholds import DEFAULT_THRESHOLDS, Thresholds

__all__ = [
    "BOUNDS_COLUMNS",
    "BOUND_COLUMNS",
    "FLAG_VALUES",
    "SHARE_BOUNDS_COLUMNS",
    "bound_arrays",
    "open_flags",
    "supplier_share_bounds",
    "supplier_units",
    "tri_state",
]

BOUND_COLUMNS = (
    "top_share_low",
    "top_share_high",
    "cr3_low",
    "cr3_high",
    "hhi_low",
    "hhi_high",
    "home_share_low",
    "home_share_high",
    "bloc_share_low",
    "bloc_share_high",
    "foreign_top_share_low",
    "foreign_top_share_high",
    "bloc_foreign_top_share_low",
    "bloc_foreign_top_share_high",
    "residual",
    "n_open",
)
BOUNDS_COLUMNS = ("node_id", *BOUND_COLUMNS)
SHARE_BOUNDS_COLUMNS = ("node_id", "supplier", "share_low", "share_high")
FLAG_VALUES = ("no", "possible", "yes")


def tri_state(sure: np.ndarray, maybe: np.ndarray) -> pd.Series:
    """``yes`` where ``sure`` (every completion crosses), ``possible`` where only ``maybe``, else ``no``."""
    codes = np.where(np.asarray(sure, dtype=bool), 2, np.where(np.asarray(maybe, dtype=bool), 1, 0))
    return labels_from_codes(codes, FLAG_VALUES)


def supplier_units(
    provision: pd.DataFrame, *, level: Level = "country", year: int | None = None, complete: bool = False
) -> pd.DataFrame:
    """One row per (node, supplier) with its known part and whether it may hold more.

    Parameters
    ----------
    provision
        Validated provision frame.
    level, year
        As in :func:`supplychain.shares.supplier_shares` (same rows, same order).
    complete
        True: every node's supplier list is complete (no unnamed supplier).

    Returns
    -------
    pandas.DataFrame
        Columns ``node_id, supplier_id, country, base, open``: ``base`` = known share (0 when
        unknown), ``open`` = the supplier may hold part of the residual.
    """
    rows = supplier_rows(provision, level=level, year=year)
    shares = rows.shares
    return pd.DataFrame(
        {
            "node_id": shares["node_id"],
            "supplier_id": shares["supplier_id"],
            "country": shares["country"],
            "base": rows.base,
            "open": rows.is_open(complete),
        }
    )


def bound_arrays(
    codes: np.ndarray,
    m: int,
    base: np.ndarray,
    is_open: np.ndarray,
    unnamed: np.ndarray,
    groups: dict[str, tuple[np.ndarray, np.ndarray]] | None = None,
    tops: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    *,
    rows: bool = True,
    outside_top: dict[str, np.ndarray] | None = None,
    sums: dict[str, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """Bounds per node from per-supplier arrays (the formulas of the module docstring).

    Parameters
    ----------
    codes
        Node index (0..m-1) of each supplier row, rows of one node contiguous.
    m
        Number of nodes.
    base, is_open
        Known part and open flag per row.
    unnamed
        Per node: unnamed suppliers may hold part of the residual.
    groups
        Name -> (row in group H, per node: an unnamed supplier may lie in H), e.g. home, bloc.
    tops
        The three largest ``base`` per node when the caller has them (saves a sort).
    rows
        Also return ``share_low/share_high`` per row.
    outside_top
        Per group name, the largest ``base`` outside H per node (0 where none) when the caller has it.
    sums
        Per-node sums the caller has already computed (``np.bincount(codes, weights=...)``, so
        the very same numbers): ``"base"`` = sum of ``base``, ``"square"`` = sum of ``base**2``,
        and per group name the sum of ``base`` over the rows in H; missing keys are computed.

    Returns
    -------
    dict of numpy.ndarray
        ``residual, n_open, top_share_low/high, cr3_low/high, hhi_low/high``, per group
        ``{name}_share_low/high`` and ``{name}_foreign_top_low/high`` (largest supplier outside
        H), and ``share_low/share_high`` per row.
    """
    base = np.asarray(base, dtype=np.float64)
    is_open = np.asarray(is_open, dtype=bool)
    unnamed = np.asarray(unnamed, dtype=bool)

    def total(w: np.ndarray) -> np.ndarray:
        return np.bincount(codes, weights=w, minlength=m)

    def total_where(mask: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
        """Per node: number of rows in ``mask`` (or the sum of ``w`` over them).

        Rows outside ``mask`` weigh 0 (no copy of the selected rows; adding 0.0 changes no sum).
        """
        if not mask.any():
            return np.zeros(m)
        return np.bincount(codes, weights=mask if w is None else np.where(mask, w, 0.0), minlength=m)

    def gmax(values: np.ndarray, rows: np.ndarray | None = None, at: np.ndarray = codes) -> np.ndarray:
        """Per node the largest value over its rows (in ``rows``), -inf where none (``at``: node per value)."""
        out = np.full(m, -np.inf)
        np.maximum.at(out, at, values if rows is None else np.where(rows, values, -np.inf))
        return out

    # the open rows once: the per-node counts and maxima over open rows only touch those
    open_rows = np.flatnonzero(is_open)
    open_codes, open_base = codes[open_rows], base[open_rows]
    known_sums = sums or {}
    resid = np.maximum(0.0, 1.0 - (known_sums["base"] if "base" in known_sums else total(base)))
    any_open = bool(len(open_rows))
    n_open = np.bincount(open_codes, minlength=m).astype(np.int64)
    r = np.where((n_open > 0) | unnamed, resid, 0.0)  # allocatable residual
    out: dict[str, np.ndarray] = {"residual": resid, "n_open": n_open}
    # lowest: water-filling over open rows where no unnamed supplier may take R
    fill = is_open & ~unnamed[codes] if any_open else np.zeros(len(base), dtype=bool)
    if fill.any():
        lam = _water_level(codes, m, base, fill, r)
        x_low = np.where(fill, np.maximum(base, lam[codes]), base)
        moved = fill & (x_low != base)
    else:
        x_low, moved = base, fill
    m_open = np.maximum(gmax(open_base, at=open_codes), 0.0) if any_open else np.zeros(m)  # 0: a new unnamed one
    top1, top2, top3 = tops if tops is not None else _top3(codes, m, base)
    any_moved = bool(moved.any())
    out["top_share_low"] = np.maximum(gmax(x_low), 0.0) if any_moved else top1
    out["top_share_high"] = np.maximum(top1, m_open + r)
    sq = known_sums["square"] if "square" in known_sums else total(base * base)
    out["hhi_low"] = total(x_low * x_low) if any_moved else sq
    out["hhi_high"] = sq + r * r + 2.0 * r * m_open
    low3 = _top3_where(codes, m, x_low, moved, (top1, top2, top3))
    out["cr3_low"] = low3[0] + low3[1] + low3[2]
    cr3 = top1 + top2 + top3
    out["cr3_high"] = np.where(m_open >= top3, cr3 + r, np.maximum(cr3, top1 + top2 + m_open + r))
    for name, (inside, unnamed_inside) in (groups or {}).items():
        inside = np.asarray(inside, dtype=bool)
        b_in = known_sums[name] if name in known_sums else total_where(inside, base)
        inside_open = inside[open_rows]
        open_in = np.bincount(open_codes[inside_open], minlength=m) > 0
        open_out = np.bincount(open_codes[~inside_open], minlength=m) > 0
        can_in = open_in | (unnamed & unnamed_inside)
        must_in = (r > 0) & ~open_out & ~unnamed
        out[f"{name}_share_low"] = b_in + np.where(must_in, r, 0.0)
        out[f"{name}_share_high"] = b_in + np.where(can_in, r, 0.0)
        # largest supplier outside H: lowest when R can go into H (or to tiny unnamed shares)
        given = (outside_top or {}).get(name)
        top_out = given if given is not None else np.maximum(gmax(base, ~inside), 0.0)
        spare = can_in | unnamed
        moved_out = moved & ~spare[codes] & ~inside if any_moved else moved
        if moved_out.any():
            x_out = np.where(spare[codes], base, x_low)
            out[f"{name}_foreign_top_low"] = np.maximum(gmax(x_out, ~inside), 0.0)
        else:
            out[f"{name}_foreign_top_low"] = top_out
        b_out_open = gmax(open_base, ~inside_open, at=open_codes)
        best = np.where(np.isfinite(b_out_open), b_out_open + r, np.where(unnamed, r, 0.0))
        out[f"{name}_foreign_top_high"] = np.maximum(top_out, best)
    if not rows:
        return out
    sole = is_open & (n_open[codes] == 1) & ~unnamed[codes]
    out["share_low"] = base + np.where(sole, r[codes], 0.0)
    out["share_high"] = base + np.where(is_open, r[codes], 0.0)
    return out


def supplier_share_bounds(
    provision: pd.DataFrame,
    *,
    level: Level = "country",
    year: int | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    rows: SupplierRows | None = None,
) -> pd.DataFrame:
    """The exact interval of each named supplier's share of each node.

    ``share_low = b_i + R`` only when supplier i is the one place the residual can go, else
    ``b_i``; ``share_high = b_i + R`` when i is open, else ``b_i`` (notation of the module).

    Parameters
    ----------
    provision
        Validated provision frame.
    level, year
        As in :func:`supplychain.shares.supplier_shares`.
    thresholds
        ``suppliers_complete`` is used.
    rows
        The view's coded rows (:func:`supplychain.supplier_rows.supplier_rows` of the same
        ``provision``, ``level`` and ``year``) when the caller has them; rows of another level
        or year are ignored.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SHARE_BOUNDS_COLUMNS`, one row per (node, supplier) of the view, in the
        order of ``rows`` (give both to :func:`supplychain.losses.share_matrix`).
    """
    complete = bool(thresholds.suppliers_complete)
    if rows is None or not rows.matches(level, year):
        rows = supplier_rows(provision, level=level, year=year)
    codes, m, base = rows.codes, rows.m, rows.base
    is_open = rows.is_open(complete)
    resid = np.maximum(0.0, 1.0 - np.bincount(codes, weights=base, minlength=m))
    n_open = np.bincount(codes, weights=is_open, minlength=m)
    r = np.where((n_open > 0) | (not complete), resid, 0.0)[codes]
    sole = is_open & (n_open[codes] == 1) & complete
    return frame_of_columns(  # the share columns are fresh arrays: not copied again
        {
            "node_id": rows.shares["node_id"],
            "supplier": rows.shares["supplier_id"],
            "share_low": base + np.where(sole, r, 0.0),
            "share_high": base + np.where(is_open, r, 0.0),
        }
    )


def _water_level(codes: np.ndarray, m: int, base: np.ndarray, fill: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Per node the level lam with sum over ``fill`` rows of max(0, lam - base) = r (NaN: none).

    Sorted ascending b_(1..k): J = #{j : j b_(j) - sum_{t<=j} b_(t) <= r} (a prefix), then
    lam = (r + sum_{t<=J} b_(t)) / J.
    """
    lam = np.full(m, np.nan)
    rows = np.flatnonzero(fill)
    if not len(rows):
        return lam
    c, b = codes[rows], base[rows]
    order = np.lexsort((b, c))
    c, b = c[order], b[order]
    starts = np.flatnonzero(np.r_[True, c[1:] != c[:-1]])
    counts = np.diff(np.r_[starts, len(c)])
    j = np.arange(len(c)) - np.repeat(starts, counts) + 1
    csum = np.cumsum(b)
    before = np.repeat(np.r_[0.0, csum[starts[1:] - 1]], counts)
    cum = csum - before
    ok = j * b - cum <= r[c] + 1e-15
    big_j = np.bincount(c, weights=ok, minlength=m)
    cum_at = np.zeros(m)
    last = np.flatnonzero(ok & (j == big_j[c]))
    cum_at[c[last]] = cum[last]
    nodes = c[starts]
    lam[nodes] = (r[nodes] + cum_at[nodes]) / big_j[nodes]
    return lam


def _top3_where(
    codes: np.ndarray, m: int, values: np.ndarray, moved: np.ndarray, tops: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``tops`` with the three largest ``values`` recomputed for nodes that have a moved row."""
    if not moved.any():
        return tops
    nodes = np.bincount(codes[moved], minlength=m) > 0
    rows = nodes[codes]
    sub = _top3(codes[rows], m, values[rows])
    return tuple(np.where(nodes, new, old) for new, old in zip(sub, tops, strict=True))  # type: ignore[return-value]


def _top3(codes: np.ndarray, m: int, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The three largest values per node (0 where fewer than three)."""
    tops = np.zeros((3, m))
    if not len(values):
        return tops[0], tops[1], tops[2]
    order = np.lexsort((-values, codes))
    c = codes[order]
    starts = np.flatnonzero(np.r_[True, c[1:] != c[:-1]])
    rank = np.arange(len(c)) - np.repeat(starts, np.diff(np.r_[starts, len(c)]))
    for k in range(3):
        sel = rank == k
        tops[k, c[sel]] = values[order][sel]
    return tops[0], tops[1], tops[2]
