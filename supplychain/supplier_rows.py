"""Supplier rows of one view, coded once and shared by concentration, bounds and share matrices.

:func:`supplychain.concentration.concentration`, :func:`supplychain.bounds.supplier_share_bounds`
and :func:`supplychain.losses.share_matrix` all start from the same rows: one per (node,
supplier) of a view (:func:`supplychain.shares.supplier_shares`), with per row

- the node's code ``c(r)`` in 0..m-1 (rows of one node contiguous, nodes in id order),
- the known part ``b_r`` (the share, 0 when unknown) and whether it is known,
- whether the supplier is *open* (may hold part of the residual ``R = max(0, 1 - sum_r b_r)``;
  :func:`open_flags`), for both readings of ``Thresholds.suppliers_complete``,
- the supplier's and the country's codes (first-appearance order) with their labels.

:func:`supplier_rows` computes these once; each consumer takes them instead of recomputing them
(at one million edges the string work behind them is most of the time of those steps).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from supplychain.keys import short_keys
from supplychain.schema import labels_from_codes, run_starts
from supplychain.shares import BASIS_HEADQUARTERS, Level, supplier_shares

__all__ = ["CodedColumn", "SupplierRows", "open_flags", "supplier_rows"]


@dataclass(frozen=True)
class CodedColumn:
    """A string column with its factorised codes (``codes is None``: a value is missing).

    ``labels[codes[r]] == column[r]``; codes in order of first appearance.
    """

    column: pd.Series
    codes: np.ndarray | None
    labels: list[str]

    @classmethod
    def of(cls, column: pd.Series) -> CodedColumn:
        """Factorise ``column`` (index dropped)."""
        column = column.reset_index(drop=True)
        codes, uniques = pd.factorize(column)
        if len(codes) and int(codes.min()) < 0:
            return cls(column, None, [])
        return cls(column, codes, [str(x) for x in uniques])

    def sorted_codes(self) -> tuple[np.ndarray, list[str]]:
        """Codes into the sorted labels (as ``pandas.factorize(column, sort=True)``), and those labels."""
        if self.codes is None:
            codes, uniques = pd.factorize(self.column.astype("str"), sort=True)
            return codes, [str(x) for x in uniques]
        rank = np.argsort(np.asarray(self.labels, dtype=object), kind="stable")
        new_code = np.empty(len(rank), dtype=np.int64)
        new_code[rank] = np.arange(len(rank), dtype=np.int64)
        return new_code[self.codes], [self.labels[i] for i in rank]

    def pick(self, rows: np.ndarray, keep: np.ndarray) -> pd.Series:
        """``column[rows]`` where ``keep``, else '' (labels from codes: no string per row)."""
        if self.codes is None:
            return self.column.take(rows).reset_index(drop=True).where(pd.Series(keep), "")
        picked = np.where(keep, self.codes[rows], len(self.labels))
        return labels_from_codes(picked, [*self.labels, ""])


@dataclass(frozen=True)
class SupplierRows:
    """The rows of a :func:`supplychain.shares.supplier_shares` frame, coded (see the module).

    Attributes
    ----------
    shares
        The supplier shares frame (``node_id, supplier_id, country, share, year, basis,
        data_basis, source``), one row per (node, supplier), sorted by node then supplier.
    level, year
        The view and reference year it was built for.
    codes
        Node code per row; ``m`` nodes, ``counts[j]`` rows of node j, ``node_ids[j]`` its id
        (nodes in order of first appearance); ``starts[j] = sum_{i<j} counts[i]``, where node j's
        rows begin once the rows are ordered by code (they are: the rows are sorted by node).
    base, known
        Known share per row (0 where unknown) and whether it is known.
    open_loose
        Open flag per row when the supplier lists may be incomplete (:func:`open_flags`); the
        flags for complete lists, :attr:`open_complete`, are computed on first use (in the country
        view from firm rows they need the firm view).
    provision
        The provision frame the rows come from (for :attr:`open_complete`).
    suppliers, countries
        ``supplier_id`` and ``country`` coded (:class:`CodedColumn`).
    """

    shares: pd.DataFrame
    level: Level
    year: int | None
    codes: np.ndarray
    m: int
    starts: np.ndarray
    counts: np.ndarray
    node_ids: pd.Series
    base: np.ndarray
    known: np.ndarray
    open_loose: np.ndarray
    suppliers: CodedColumn
    countries: CodedColumn
    provision: pd.DataFrame = field(repr=False, compare=False)

    @cached_property
    def open_complete(self) -> np.ndarray:
        """Open flag per row when every supplier list is known complete (:func:`open_flags`)."""
        return open_flags(self.shares, self.provision, level=self.level, year=self.year, complete=True)

    def is_open(self, complete: bool) -> np.ndarray:
        """Open flag per row for ``Thresholds.suppliers_complete = complete``."""
        return self.open_complete if complete else self.open_loose

    def matches(self, level: str, year: int | None) -> bool:
        """True when these rows are the ``level`` view for ``year``."""
        return self.level == level and self.year == year


def supplier_rows(provision: pd.DataFrame, *, level: Level = "country", year: int | None = None) -> SupplierRows:
    """Code the supplier rows of one view once (:class:`SupplierRows`).

    Parameters
    ----------
    provision
        Validated provision frame (:func:`supplychain.schema.validate_provision`).
    level, year
        As in :func:`supplychain.shares.supplier_shares`.

    Returns
    -------
    SupplierRows
        ``base_r = share_r`` where known, else 0; ``codes`` from the runs of equal node ids when
        each id is one run (no hashing), else ``pandas.factorize``.
    """
    shares = supplier_shares(provision, level=level, year=year)
    codes, m = _node_codes(shares["node_id"])
    counts = np.bincount(codes, minlength=m).astype(np.int64)
    starts = np.zeros(m, dtype=np.int64)
    np.cumsum(counts[:-1], out=starts[1:])
    raw = shares["share"].to_numpy(dtype=np.float64)
    known = ~np.isnan(raw)
    countries = CodedColumn.of(shares["country"])
    # in the country view the supplier is its country by construction (supplier_shares)
    same = level == "country"
    loose = open_flags(shares, provision, level=level, year=year, complete=False)
    return SupplierRows(
        shares=shares,
        level=level,
        year=year,
        codes=codes,
        m=m,
        starts=starts,
        counts=counts,
        node_ids=shares["node_id"].take(starts).reset_index(drop=True),
        base=np.where(known, raw, 0.0),
        known=known,
        open_loose=loose,
        suppliers=countries if same else CodedColumn.of(shares["supplier_id"]),
        countries=countries,
        provision=provision,
    )


def open_flags(
    shares: pd.DataFrame, provision: pd.DataFrame, *, level: Level, year: int | None, complete: bool
) -> np.ndarray:
    """Per row of a :func:`supplychain.shares.supplier_shares` frame: may the supplier hold part of the residual.

    A row without a share is open. In the country view from firm rows, a country is open when one
    of its firms has no share, and every country is open when the firm list may be incomplete
    (an unnamed firm may be headquartered there).
    """
    is_open = shares["share"].isna().to_numpy(dtype=bool)
    aggregated = (shares["basis"] == BASIS_HEADQUARTERS).to_numpy(dtype=bool)
    if level != "country" or not aggregated.any():
        return is_open
    if not complete:
        return is_open | aggregated
    firms = supplier_shares(provision, level="firm", year=year)
    unknown = firms.assign(u=firms["share"].isna()).groupby(["node_id", "country"])["u"].any()
    keys = pd.MultiIndex.from_arrays([shares["node_id"], shares["country"]])
    hit = unknown.reindex(keys).fillna(False).to_numpy(dtype=bool)
    return is_open | (aggregated & hit)


def _node_codes(node_ids: pd.Series) -> tuple[np.ndarray, int]:
    """Codes 0..m-1 of the node ids in order of first appearance, and m.

    Rows sorted by node (as :func:`supplychain.shares.supplier_shares` returns them):
    codes from the runs of equal ids, no hashing; otherwise ``pandas.factorize``.
    """
    keys = short_keys(node_ids)  # ids of at most 8 bytes: compared as integers, same order
    if keys is not None:
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else np.zeros(0, dtype=np.int64)
        one_run = bool((keys[starts[1:]] > keys[starts[:-1]]).all())
    else:
        starts = run_starts(node_ids)
        firsts = node_ids.reset_index(drop=True).take(starts).reset_index(drop=True)
        later, earlier = firsts.iloc[1:].reset_index(drop=True), firsts.iloc[:-1].reset_index(drop=True)
        one_run = bool((later > earlier).all())
    if one_run:  # each id in one run
        lengths = np.diff(np.append(starts, len(node_ids)))
        return np.repeat(np.arange(len(starts), dtype=np.int64), lengths), len(starts)
    codes, uniques = pd.factorize(node_ids)
    return codes.astype(np.int64), len(uniques)
