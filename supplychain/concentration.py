"""Supplier shares and concentration per node (docs/methods/concentration.md).

- HHI(v) = sum_s x_s^2 on the 0-1 scale; effective number of suppliers = 1 / HHI.
- Top share, CR3 (sum of the three largest shares), home share h_v (suppliers in the home
  country) and bloc share (suppliers in the home bloc).
- Unknown shares (NaN: supplier known, share unknown) are never read as 0: coverage = sum of
  the known shares, and below ``Thresholds.min_coverage`` the numbers are withheld and the
  status says "insufficient data".
- Country view: a node's country rows when it has any, else its firm rows summed per
  headquarters country; the ``basis`` column says which. Firm view: the firm rows.
- Shares are used as given (no rescaling): published country shares sum to 0.99-1.02 because of
  rounding, and check values (e.g. ArF immersion NLD 0.993) are reproduced exactly.
- CBS bands (Dutch statistics office): HHI >= 0.25 "concentrated", 0.15-0.25 "somewhat".
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from supplychain.bounds import BOUND_COLUMNS, BOUNDS_COLUMNS, bound_arrays
from supplychain.schema import all_equal, bloc_members, frame_of_columns, labels_from_codes
from supplychain.shares import (
    BASIS_COUNTRY_ROWS,
    BASIS_FIRM_ROWS,
    BASIS_HEADQUARTERS,
    SHARES_COLUMNS,
    Level,
    supplier_shares,
)
from supplychain.supplier_rows import SupplierRows, supplier_rows
from supplychain.threads import run_parallel
from supplychain.thresholds import DEFAULT_THRESHOLDS, Thresholds

__all__ = [
    "BASIS_COUNTRY_ROWS",
    "BASIS_FIRM_ROWS",
    "BASIS_HEADQUARTERS",
    "BOUND_COLUMNS",
    "CONCENTRATION_COLUMNS",
    "SHARES_COLUMNS",
    "STATUS_INSUFFICIENT",
    "STATUS_OK",
    "cbs_band",
    "concentration",
    "concentration_bounds",
    "supplier_shares",
]

STATUS_OK = "ok"
STATUS_INSUFFICIENT = "insufficient data"

CONCENTRATION_COLUMNS = (
    "node_id",
    "level",
    "basis",
    "data_basis",
    "year",
    "n_suppliers",
    "n_unknown_share",
    "coverage",
    "status",
    "hhi",
    "effective_suppliers",
    "top_supplier",
    "top_country",
    "top_share",
    "cr3",
    "home_share",
    "bloc_share",
    "foreign_top_supplier",
    "foreign_top_country",
    "foreign_top_share",
    "bloc_foreign_top_supplier",
    "bloc_foreign_top_country",
    "bloc_foreign_top_share",
    "cbs_band",
    "sources",
)


def concentration(
    provision: pd.DataFrame,
    countries: pd.DataFrame | None = None,
    *,
    level: Level = "country",
    year: int | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    rows: SupplierRows | None = None,
) -> pd.DataFrame:
    """Concentration metrics per node.

    Parameters
    ----------
    provision
        Validated provision frame.
    countries
        Countries frame, for bloc membership (``thresholds.bloc``); without it the bloc holds
        only the home country.
    level, year
        See :func:`supplier_shares`.
    thresholds
        ``home``, ``bloc``, ``min_coverage`` and the CBS bands are used.
    rows
        The view's coded rows (:func:`supplychain.supplier_rows.supplier_rows` of the same
        ``provision``, ``level`` and ``year``) when the caller has them, to share them with
        :func:`supplychain.bounds.supplier_share_bounds` and
        :func:`supplychain.losses.share_matrix`; rows of another level or year are ignored.

    Returns
    -------
    pandas.DataFrame
        One row per node with provision rows, columns :data:`CONCENTRATION_COLUMNS` and then
        :data:`BOUND_COLUMNS` (lowest and highest values over every completion of the unknown
        shares, :mod:`supplychain.bounds`; ``thresholds.suppliers_complete`` is used). Shares are
        fractions. ``foreign_*`` = largest supplier outside the home country, ``bloc_foreign_*``
        = largest supplier outside the bloc (ties broken by supplier id). When ``status`` is
        "insufficient data" (coverage below ``min_coverage``) every share-based number is NaN
        and no top supplier is named.

    Examples
    --------
    Three nodes: gallium (China 0.98, Japan 0.02), a laser (Netherlands 0.6, Germany 0.4) and a
    radar whose one supplier has no known share.

    >>> import pandas as pd
    >>> from supplychain.schema import validate_provision
    >>> provision = validate_provision(pd.DataFrame({
    ...     "node_id": ["gallium", "gallium", "laser", "laser", "radar"],
    ...     "supplier_id": ["CHN", "JPN", "NLD", "DEU", "FRA"],
    ...     "supplier_type": "country",
    ...     "country": ["CHN", "JPN", "NLD", "DEU", "FRA"],
    ...     "share": [0.98, 0.02, 0.6, 0.4, None],
    ... }))
    >>> conc = concentration(provision).set_index("node_id")
    >>> for node, row in conc.iterrows():
    ...     print(node, row["status"], round(row["hhi"], 4), round(row["home_share"], 2), row["cbs_band"])
    gallium ok 0.9608 0.0 concentrated
    laser ok 0.52 0.6 concentrated
    radar insufficient data nan nan insufficient data
    """
    if rows is None or not rows.matches(level, year):
        rows = supplier_rows(provision, level=level, year=year)
    m, s = rows.m, rows.base
    bloc = _bloc(countries, thresholds)
    cty = rows.countries
    c_codes, c_uniq = (cty.codes, cty.labels) if cty.codes is not None else pd.factorize(rows.shares["country"])
    in_home = c_codes == (list(c_uniq).index(thresholds.home) if thresholds.home in c_uniq else -2)
    # a lookup per country code; the appended False is where code -1 (no country) lands
    in_bloc = np.asarray([c in bloc for c in c_uniq] + [False], dtype=bool)[c_codes]
    cov = np.bincount(rows.codes, weights=s, minlength=m)
    ok = cov >= thresholds.min_coverage
    # two independent parts at a time (on two threads where there are two cores): the ranking of
    # each node's suppliers beside the per-node sums and the columns read from the rows; then
    # the bounds beside the named suppliers and the text columns
    (ranks, cols), (plain, sums) = run_parallel(
        partial(_ranking, rows, ok, (in_home, in_bloc)),
        partial(_per_node, rows, level, ok, cov, (in_home, in_bloc)),
    )
    top, tops, firsts, outside_top = ranks
    bounds, named = run_parallel(
        partial(_bounds, rows, m, (in_home, in_bloc, bloc), thresholds, (tops, outside_top, sums)),
        partial(_named, rows, top, firsts, ok, plain["hhi"], thresholds),
    )
    cols |= plain | named
    out: dict[str, object] = {name: cols[name] for name in CONCENTRATION_COLUMNS}
    out |= bounds
    # columns in the order of CONCENTRATION_COLUMNS, then BOUND_COLUMNS; arrays uncopied (all fresh)
    return frame_of_columns(out)


def _ranking(
    rows: SupplierRows, ok: np.ndarray, membership: tuple[np.ndarray, np.ndarray]
) -> tuple[
    tuple[np.ndarray, np.ndarray, dict[str, tuple[np.ndarray, np.ndarray]], dict[str, np.ndarray]],
    dict[str, np.ndarray],
]:
    """What the ranking of each node's suppliers gives: each node's first row in the ranking, the
    three largest shares, per outside group (``foreign``: outside home, ``bloc_foreign``: outside
    the bloc) whether a row lies there and the first such row, the largest share outside home
    and bloc, and the columns of shares read from the ranking."""
    codes, s, starts, n_sup = rows.codes, rows.base, rows.starts, rows.counts
    nan = np.nan
    # a stable sort on (node, -share) ranks suppliers (rows are sorted by node then supplier);
    # node j's rows keep their block: its k-th largest share is at order[starts[j] + k]
    order = np.lexsort((-s, codes)) if len(s) < 200_000 else _rank_order(codes, s)
    top = order[starts]
    s_top = s[top]  # each node's largest share (every node has a row)
    cols: dict[str, np.ndarray] = {"top_share": np.where(ok, s_top, nan)}
    tops = _ranked(s, order, starts, n_sup, 3, first=s_top)
    cr3 = tops[0] + tops[1]
    cr3 += tops[2]
    cr3[~ok] = nan
    cols["cr3"] = cr3
    firsts: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    outside_top: dict[str, np.ndarray] = {}
    for prefix, inside in zip(("foreign", "bloc_foreign"), membership, strict=True):
        has, at = _first_where(~inside, order, starts, n_sup, codes, top=top)
        f_share = np.where(has, s[at], 0.0)
        outside_top["home" if prefix == "foreign" else "bloc"] = f_share
        firsts[prefix] = (has, at)
        cols[f"{prefix}_top_share"] = np.where(ok, f_share, nan)
    return (top, tops, firsts, outside_top), cols


def _per_node(
    rows: SupplierRows, level: Level, ok: np.ndarray, cov: np.ndarray, membership: tuple[np.ndarray, np.ndarray]
) -> tuple[dict[str, object], dict[str, np.ndarray]]:
    """The columns that need no ranking (counts, year, status, HHI, home and bloc share, the
    rows' basis), and the per-node sums of the shares (all, squared, home, bloc)."""
    shares, codes, m, s, starts, n_sup = rows.shares, rows.codes, rows.m, rows.base, rows.starts, rows.counts
    in_home, in_bloc = membership
    nan = np.nan

    def total(weights: np.ndarray) -> np.ndarray:
        return np.bincount(codes, weights=weights, minlength=m)

    out: dict[str, object] = {"node_id": rows.node_ids}
    out["level"] = labels_from_codes(np.zeros(m, dtype=np.int32), [level])
    out["basis"] = shares["basis"].take(starts).reset_index(drop=True)
    out["data_basis"] = shares["data_basis"].take(starts).reset_index(drop=True)
    yr = shares["year"].to_numpy(dtype=np.float64, na_value=-1.0)
    ymax = _node_max(yr, codes, starts, n_sup, m)
    out["year"] = pd.array(np.where(ymax < 0, np.nan, ymax), dtype="Float64").astype("Int64")
    out["n_suppliers"] = n_sup.copy()  # the rows' array: the frame gets its own
    out["n_unknown_share"] = np.bincount(codes[~rows.known], minlength=m).astype(np.int64, copy=False)
    out["coverage"] = cov
    out["status"] = labels_from_codes(ok.astype(np.int32), [STATUS_INSUFFICIENT, STATUS_OK])
    sums = {"base": cov, "square": total(s * s)}
    hhi = np.where(ok, sums["square"], nan)
    out["hhi"] = hhi
    with np.errstate(divide="ignore", invalid="ignore"):
        out["effective_suppliers"] = np.where(hhi > 0, 1.0 / hhi, nan)
    sums["home"] = total(np.where(in_home, s, 0.0))
    sums["bloc"] = total(np.where(in_bloc, s, 0.0))
    out["home_share"] = np.where(ok, sums["home"], nan)
    out["bloc_share"] = np.where(ok, sums["bloc"], nan)
    return out, sums


def _named(
    rows: SupplierRows,
    top: np.ndarray,
    firsts: dict[str, tuple[np.ndarray, np.ndarray]],
    ok: np.ndarray,
    hhi: np.ndarray,
    thresholds: Thresholds,
) -> dict[str, pd.Series]:
    """The text columns: the top supplier and country, the largest outside home and bloc
    (``firsts`` of :func:`_ranking`), the CBS band and the sources."""
    sup, cty = rows.suppliers, rows.countries
    out: dict[str, pd.Series] = {"top_supplier": sup.pick(top, ok)}
    # in the country view the supplier is the country (one coded column): pick once
    out["top_country"] = out["top_supplier"] if sup is cty else cty.pick(top, ok)
    for prefix, (has, at) in firsts.items():
        out[f"{prefix}_top_supplier"] = sup.pick(at, ok & has)
        out[f"{prefix}_top_country"] = out[f"{prefix}_top_supplier"] if sup is cty else cty.pick(at, ok & has)
    out["cbs_band"] = _bands(hhi, thresholds)
    out["sources"] = _sources(rows.shares, rows.codes, rows.m)
    return out


def _bounds(
    rows: SupplierRows,
    m: int,
    membership: tuple[np.ndarray, np.ndarray, frozenset[str]],
    thresholds: Thresholds,
    known: tuple[np.ndarray, dict[str, np.ndarray], dict[str, np.ndarray]],
) -> dict[str, np.ndarray]:
    """The :data:`BOUND_COLUMNS` per node (:func:`supplychain.bounds.bound_arrays`)."""
    in_home, in_bloc, bloc = membership
    codes = rows.codes
    complete = bool(thresholds.suppliers_complete)
    if rows.level == "firm":  # an unnamed firm may be headquartered anywhere
        home_free = bloc_free = np.ones(m, dtype=bool)
    else:  # an unnamed country is one not named for the node
        home_free = np.ones(m, dtype=bool)
        home_free[codes[in_home]] = False  # no home row
        bloc_free = np.bincount(codes[in_bloc], minlength=m) < len(bloc)
    groups = {"home": (in_home, home_free), "bloc": (in_bloc, bloc_free)}
    tops, outside_top, sums = known
    res = bound_arrays(
        codes,
        m,
        rows.base,
        rows.is_open(complete),
        np.full(m, not complete),
        groups,
        (tops[0], tops[1], tops[2]),
        rows=False,
        outside_top=outside_top,
        sums=sums,
    )
    rename = {"home_foreign_top": "foreign_top_share", "bloc_foreign_top": "bloc_foreign_top_share"}
    cols = {}
    for key, values in res.items():
        stem, _, end = key.rpartition("_")
        cols[f"{rename.get(stem, stem)}_{end}" if end in ("low", "high") else key] = values
    return {name: cols[name] for name in BOUND_COLUMNS}


def concentration_bounds(
    provision: pd.DataFrame,
    countries: pd.DataFrame | None = None,
    *,
    level: Level = "country",
    year: int | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> pd.DataFrame:
    """Lowest and highest top share, CR3, HHI, home and bloc share per node.

    Parameters
    ----------
    provision
        Validated provision frame.
    countries
        Countries frame for bloc membership (``thresholds.bloc``); without it the bloc holds only
        the home country.
    level, year
        As in :func:`supplychain.concentration.concentration`; rows come in the same node order.
    thresholds
        ``home``, ``bloc`` and ``suppliers_complete`` are used.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`BOUNDS_COLUMNS` (fractions); ``foreign_*`` is the largest supplier outside
        the home country, ``bloc_foreign_*`` outside the bloc. Every completion of the data lies
        inside each interval and both ends are attained (lows with unnamed suppliers are infima).
    """
    conc = concentration(provision, countries, level=level, year=year, thresholds=thresholds)
    return conc[list(BOUNDS_COLUMNS)]


def cbs_band(hhi: float, *, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> str:
    """CBS import-concentration band of an HHI (0-1 scale): concentrated / somewhat / not concentrated.

    Returns "insufficient data" for NaN.

    Examples
    --------
    >>> cbs_band(0.30), cbs_band(0.20), cbs_band(0.05), cbs_band(float("nan"))
    ('concentrated', 'somewhat concentrated', 'not concentrated', 'insufficient data')
    """
    if hhi != hhi:  # NaN
        return STATUS_INSUFFICIENT
    if hhi >= thresholds.cbs_concentrated:
        return "concentrated"
    if hhi >= thresholds.cbs_somewhat:
        return "somewhat concentrated"
    return "not concentrated"


def _bloc(countries: pd.DataFrame | None, thresholds: Thresholds) -> frozenset[str]:
    members = frozenset() if countries is None else bloc_members(countries, thresholds.bloc)
    return members | {thresholds.home}


def _bands(hhi: np.ndarray, t: Thresholds) -> pd.Series:
    codes = np.full(len(hhi), 3, dtype=np.int32)
    codes[hhi >= t.cbs_somewhat] = 2
    codes[hhi >= t.cbs_concentrated] = 1  # after "somewhat": as the nested choice, whatever the thresholds
    codes[np.isnan(hhi)] = 0  # NaN compares False above
    return labels_from_codes(codes, [STATUS_INSUFFICIENT, "concentrated", "somewhat concentrated", "not concentrated"])


def _sources(shares: pd.DataFrame, codes: np.ndarray, m: int) -> pd.Series:
    """'; '-joined distinct sources per node (codes and labels: no string per row)."""
    column = shares["source"]
    first = column.iloc[0] if len(column) else None
    if isinstance(first, str) and all_equal(column, first):  # one source: no hashing
        return labels_from_codes(np.zeros(m, dtype=np.int32), [str(column.iloc[0])])
    src_codes, src_uniq = pd.factorize(column)
    labels = [str(x) for x in src_uniq]
    if not labels:
        return labels_from_codes(np.zeros(m, dtype=np.int32), [""])
    if len(labels) == 1:
        return labels_from_codes(np.zeros(m, dtype=np.int32), labels)
    k = len(labels)
    pairs = np.sort(codes.astype(np.int64) * k + src_codes)
    pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]]
    node_of, src_of = pairs // k, pairs % k
    counts = np.bincount(node_of, minlength=m)
    out = np.zeros(m, dtype=np.int64)
    first = np.r_[True, node_of[1:] != node_of[:-1]]
    out[node_of[first]] = src_of[first]
    starts = np.flatnonzero(first)
    joined: dict[str, int] = {}
    for pos in starts[counts[node_of[starts]] > 1]:
        node = node_of[pos]
        names = "; ".join(sorted({labels[s] for s in src_of[pos : pos + counts[node]]} - {""}))
        out[node] = joined.setdefault(names, k + len(joined))
    return labels_from_codes(out, [*labels, *joined])


def _ranked(
    values: np.ndarray,
    order: np.ndarray,
    starts: np.ndarray,
    counts: np.ndarray,
    k: int,
    *,
    first: np.ndarray | None = None,
) -> np.ndarray:
    """(k, m): per node the values at ranks 0..k-1 of ``order`` (0 where a node has fewer rows).

    ``order`` lists the rows node by node (node j's from ``starts[j]``, ``counts[j]`` of them),
    each node's ranked: rank r of node j is row ``order[starts[j] + r]``. ``first``: the values
    at rank 0 when the caller has them and every node has a row.
    """
    out = np.zeros((k, len(starts)))
    for r in range(k):
        if r == 0 and first is not None:
            out[0] = first
            continue
        has = np.flatnonzero(counts > r)
        out[r, has] = values[order[starts[has] + r]]
    return out


def _first_where(
    mask: np.ndarray,
    order: np.ndarray,
    starts: np.ndarray,
    counts: np.ndarray,
    codes: np.ndarray,
    *,
    top: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per node, whether one of its rows is in ``mask``, and the first such row in ``order``
    (0 where none); ``order``, ``starts``, ``counts`` as in :func:`_ranked`, ``codes`` the node
    of each row (sorted: node j's rows are positions ``starts[j]:starts[j] + counts[j]``);
    ``top``: each node's first row in ``order`` (``order[starts]``) when every node has a row.

    When most nodes' first-ranked row is in ``mask``, rank by rank over the nodes not yet
    settled (the work is the sum over nodes of the rank of the row found); otherwise in one pass
    over the ranked rows: the first position of each node among those in ``mask``. Both give
    the same answer.
    """
    m = len(starts)
    if top is not None:  # rank 0 of every node at once
        pending = None
        first_hit = mask[top]
    else:
        pending = np.flatnonzero(counts > 0)
        first_hit = mask[order[starts[pending]]]
    if len(first_hit) and float(first_hit.mean()) < 0.75:
        has = np.zeros(m, dtype=bool)
        at = np.zeros(m, dtype=np.int64)
        hits = np.flatnonzero(mask[order])  # ranked positions whose row is in mask
        node = codes[hits]  # the ranked order keeps each node's block of positions
        first = np.flatnonzero(np.r_[True, node[1:] != node[:-1]]) if len(hits) else np.zeros(0, dtype=np.int64)
        node_first = node[first]
        has[node_first] = True
        at[node_first] = order[hits[first]]
        return has, at
    if pending is None:  # rank 0 settled from ``top``: the rest rank by rank
        assert top is not None
        rest = np.flatnonzero(~first_hit & (counts > 1))
        return _first_where_ranks(mask, order, starts, counts, first_hit, np.where(first_hit, top, 0), rest, 1)
    has = np.zeros(m, dtype=bool)
    at = np.zeros(m, dtype=np.int64)
    return _first_where_ranks(mask, order, starts, counts, has, at, pending, 0)


def _first_where_ranks(
    mask: np.ndarray,
    order: np.ndarray,
    starts: np.ndarray,
    counts: np.ndarray,
    has: np.ndarray,
    at: np.ndarray,
    pending: np.ndarray,
    r: int,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_first_where` rank by rank from rank ``r`` over the ``pending`` nodes (``has``,
    ``at`` settled for the others)."""
    while len(pending):
        row = order[starts[pending] + r]
        hit = mask[row]
        has[pending[hit]] = True
        at[pending[hit]] = row[hit]
        r += 1
        pending = pending[~hit & (counts[pending] > r)]
    return has, at


def _rank_order(codes: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Same as ``np.lexsort((-s, codes))`` for codes in sorted runs and shares in [0, 1].

    One float key (node code + (1 - share) / 2) sorted stably; shares closer than about 1e-9
    count as ties, which keep supplier order exactly as in the lexsort. The key is computed in
    one array (the same float operations, in place).
    """
    key = np.clip(s, 0.0, 1.0)
    np.subtract(1.0, key, out=key)
    np.multiply(key, 0.5, out=key)
    np.add(key, codes, out=key)  # codes as float64 (exact below 2**53), added as before
    return np.argsort(key, kind="stable")


def _node_max(values: np.ndarray, codes: np.ndarray, starts: np.ndarray, counts: np.ndarray, m: int) -> np.ndarray:
    """Per node the largest of its rows' ``values`` (-inf where a node has none); rows sorted by node."""
    if m and len(values) and int(counts.min()) > 0:  # every node a block of rows: one reduceat
        return np.maximum.reduceat(values, starts)
    out = np.full(m, -np.inf)
    np.maximum.at(out, codes, values)
    return out
