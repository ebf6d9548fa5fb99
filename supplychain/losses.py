"""Exposure and loss tables shared by the disruption functions.

- :func:`as_share_bounds`: the share-interval contract ``node_id, supplier, share_low,
  share_high`` (what ``supplychain.bounds.supplier_share_bounds`` produces) from either that
  frame or a point frame ``node_id, supplier_id, share`` (NaN = supplier known, share unknown);
- :func:`share_matrix`: sparse (node x supplier) matrices of the low and high shares, in the
  graph's node order;
- :func:`market_loss`: market-weighted mean loss of the final products of each focus market,
  weighted_loss(m) = sum_f w_f loss_f / sum_f w_f;
- :func:`final_loss_frame`: one row per final product with its markets, weight and losses.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from supplychain.graph import SupplyGraph
from supplychain.schema import run_starts

if TYPE_CHECKING:  # scipy.sparse is imported lazily (about 0.3 s)
    import scipy.sparse as sp

    from supplychain.supplier_rows import SupplierRows

__all__ = ["BOUNDS_COLUMNS", "ShareMatrices", "as_share_bounds", "final_loss_frame", "market_loss", "share_matrix"]

#: (low, suppliers, high) as :func:`share_matrix` returns it.
ShareMatrices = tuple["sp.csr_matrix", tuple[str, ...], "sp.csr_matrix"]
#: the share-interval contract (low == high where the share is known).
BOUNDS_COLUMNS = ("node_id", "supplier", "share_low", "share_high")


def as_share_bounds(shares: pd.DataFrame) -> pd.DataFrame:
    """Share intervals per (node, supplier): the frame itself, or built from point shares.

    An interval frame (columns :data:`BOUNDS_COLUMNS`) is returned as it is. A point frame
    (``node_id, supplier_id, share``) becomes one: a known share s gives [s, s]; a supplier
    named without a share gives [0, R] with R = max(0, 1 - sum of the node's known shares), the
    most it can hold. (Tighter bounds, e.g. with a complete supplier list, come from
    ``supplychain.bounds``.)
    """
    if {"share_low", "share_high"} <= set(shares.columns):
        return shares
    share = shares["share"].to_numpy(dtype=np.float64)
    node = shares["node_id"]
    starts = run_starts(node)  # rows of one node are consecutive in validated frames
    if len(starts) and len(pd.unique(node.take(starts))) != len(starts):
        order = np.argsort(node.to_numpy(dtype=object), kind="stable")
        return as_share_bounds(shares.take(order).reset_index(drop=True))
    known = np.add.reduceat(np.nan_to_num(share, nan=0.0), starts) if len(starts) else np.zeros(0)
    sizes = np.diff(np.append(starts, len(share)))
    residual = np.repeat(np.clip(1.0 - known, 0.0, None), sizes)
    unknown = np.isnan(share)
    return pd.DataFrame(
        {
            "node_id": node.reset_index(drop=True),
            "supplier": shares["supplier_id"].reset_index(drop=True),
            "share_low": np.where(unknown, 0.0, share),
            "share_high": np.where(unknown, residual, share),
        }
    )


def share_matrix(
    graph: SupplyGraph, bounds: pd.DataFrame | ShareMatrices, *, rows: SupplierRows | None = None
) -> tuple[sp.csr_matrix, tuple[str, ...], sp.csr_matrix]:
    """Sparse (node x supplier) matrices of the low and the high share.

    Parameters
    ----------
    graph
        Array form of the graph (row order).
    bounds
        Interval frame (:data:`BOUNDS_COLUMNS`) or point frame (see :func:`as_share_bounds`);
        rows of unknown nodes are ignored. A triple this function returned is passed through
        (build it once, use it for several sweeps).
    rows
        The coded rows ``bounds`` was built from, row for row
        (``supplychain.bounds.supplier_share_bounds(..., rows=rows)``): node and supplier codes
        are read from them instead of from the frame's strings (ignored when the lengths differ).

    Returns
    -------
    (low, suppliers, high)
        ``low[v, j]``, ``high[v, j]`` = bounds of supplier j's share at node v (equal where the
        share is known); ``suppliers`` sorted ids.
    """

    if isinstance(bounds, tuple):  # already a (low, suppliers, high) triple
        return bounds
    bounds = as_share_bounds(bounds)
    if rows is not None and len(rows.codes) == len(bounds):
        node_rows = graph.index_of(rows.node_ids.astype("str"))[rows.codes]
        keep = node_rows >= 0
        sup_all, labels = rows.suppliers.sorted_codes()
        suppliers: Sequence[str] = labels
        if keep.all():
            sup_codes = sup_all
        else:  # as factorize over the kept rows: drop suppliers of unknown nodes only
            used = np.unique(sup_all[keep])
            sup_codes = np.searchsorted(used, sup_all[keep])
            suppliers = [labels[i] for i in used]
    else:
        node_rows = graph.index_of(bounds["node_id"].astype("str").reset_index(drop=True))
        keep = node_rows >= 0
        sup_ids = bounds["supplier"].astype("str").reset_index(drop=True)
        sup_codes, uniques = pd.factorize(sup_ids if keep.all() else sup_ids[keep], sort=True)
        suppliers = [str(x) for x in uniques]
    every = bool(keep.all())
    r = node_rows if every else node_rows[keep]
    shape = (graph.n, len(suppliers))
    out = []
    for col in ("share_low", "share_high"):
        vals = bounds[col].to_numpy(dtype=np.float64)
        vals = vals if every else vals[keep]
        nz = np.flatnonzero(vals > 0)
        out.append(_csr(vals[nz], r[nz], sup_codes[nz], shape))
    return out[0], tuple(suppliers), out[1]


def _csr(values: np.ndarray, rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> sp.csr_matrix:
    """``csr_matrix((values, (rows, cols)), shape)``; entries already in row-major order with no
    repeated (row, col) (sorted share rows) go straight into the CSR arrays, no COO sort."""
    import scipy.sparse as sp

    key = rows * max(shape[1], 1) + cols
    if len(key) > 1 and not bool((key[1:] > key[:-1]).all()):
        return sp.csr_matrix((values, (rows, cols)), shape=shape)
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=shape[0]), out=indptr[1:])
    return sp.csr_matrix((values, cols, indptr), shape=shape)


def market_loss(
    graph: SupplyGraph, loss: np.ndarray, columns: list[str], *, finals_aligned: bool = False, how: str = "mean"
) -> pd.DataFrame:
    """Market-weighted mean (or maximum) loss of the final products serving each focus market.

    weighted_loss(m) = sum_f w_f loss_f / sum_f w_f over final products f in market m (the
    plain mean when the weights sum to 0); ``how="max"``: max_f loss_f. ``loss`` has one row
    per node, or one row per final product (``graph.finals`` order) when ``finals_aligned``,
    and one column per name in ``columns``. Both are monotone, so bounds stay bounds.
    """
    finals = graph.finals
    if not finals_aligned:
        loss = loss[finals]
    rows = []
    for j, market in enumerate(graph.markets):
        word, bit = divmod(j, 64)
        inside = (graph.market_bits[finals, word] >> np.uint64(bit)) & np.uint64(1) > 0
        member = finals[inside]
        w = graph.weight[member]
        total = float(w.sum())
        lf = loss[inside].astype(np.float64)
        if how == "max":
            value = lf.max(axis=0, initial=0.0)
        else:
            value = (w[:, None] * lf).sum(axis=0) / total if total > 0 else lf.mean(axis=0)
        rows.append([market, len(member), *value.tolist()])
    return pd.DataFrame(rows, columns=["market", "n_finals", *columns])


def final_loss_frame(
    graph: SupplyGraph, loss: np.ndarray, columns: list[str], *, finals_aligned: bool = False
) -> pd.DataFrame:
    """``node_id, markets, market_weight`` and one loss column per scenario, per final product."""
    finals = graph.finals
    labels = np.asarray(graph.markets, dtype=object)
    patterns, inverse = np.unique(graph.market_bits[finals], axis=0, return_inverse=True)
    names = []
    for bits in patterns:
        flags = np.unpackbits(np.ascontiguousarray(bits).view(np.uint8), bitorder="little")[: len(labels)]
        names.append(";".join(labels[flags.astype(bool)]))
    markets: np.ndarray | list[str] = np.asarray(names, dtype=object)[inverse.ravel()] if len(finals) else []
    out = pd.DataFrame({"node_id": graph.ids_at(finals).astype(str), "markets": markets})
    out["market_weight"] = graph.weight[finals]
    values = pd.DataFrame((loss if finals_aligned else loss[finals]).astype(np.float64), columns=columns)
    return pd.concat([out, values], axis=1)
