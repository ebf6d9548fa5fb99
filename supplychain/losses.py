"""Exposure and loss tables shared by the disruption functions.

- :func:`share_matrix`: sparse (node x supplier) matrices of known shares and unknown-share
  markers, in the graph's node order;
- :func:`market_loss`: market-weighted mean loss of the final products of each focus market,
  weighted_loss(m) = sum_f w_f loss_f / sum_f w_f;
- :func:`final_loss_frame`: one row per final product with its markets, weight and losses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from supplychain.graph import SupplyGraph

if TYPE_CHECKING:  # scipy.sparse is imported lazily (about 0.3 s)
    import scipy.sparse as sp

__all__ = ["final_loss_frame", "market_loss", "share_matrix"]


def share_matrix(graph: SupplyGraph, shares: pd.DataFrame) -> tuple[sp.csr_matrix, tuple[str, ...], sp.csr_matrix]:
    """Sparse (node x supplier) matrices of known shares and of unknown-share markers.

    Parameters
    ----------
    graph
        Array form of the graph (row order).
    shares
        Frame with ``node_id, supplier_id, share`` (e.g. from
        :func:`supplychain.concentration.supplier_shares`); rows of unknown nodes are ignored.

    Returns
    -------
    (known, suppliers, unknown)
        ``known[v, j]`` = share of supplier j at node v (0 where unknown); ``unknown[v, j]`` = 1
        where the supplier is known and its share is not; ``suppliers`` sorted ids.
    """
    import scipy.sparse as sp

    rows = graph.index_of(shares["node_id"].astype("str").reset_index(drop=True))
    keep = rows >= 0
    sup_ids = shares["supplier_id"].astype("str").reset_index(drop=True)
    sup_codes, suppliers = pd.factorize(sup_ids if keep.all() else sup_ids[keep], sort=True)
    vals = shares["share"].to_numpy(dtype=np.float64)[keep]
    r = rows[keep]
    shape = (graph.n, len(suppliers))
    known_mask = ~np.isnan(vals)
    known = sp.csr_matrix((vals[known_mask], (r[known_mask], sup_codes[known_mask])), shape=shape)
    unknown = sp.csr_matrix((np.ones(int((~known_mask).sum())), (r[~known_mask], sup_codes[~known_mask])), shape=shape)
    return known, tuple(str(s) for s in suppliers), unknown


def market_loss(
    graph: SupplyGraph, loss: np.ndarray, columns: list[str], *, finals_aligned: bool = False
) -> pd.DataFrame:
    """Market-weighted mean loss of the final products serving each focus market.

    weighted_loss(m) = sum_f w_f loss_f / sum_f w_f over final products f in market m.
    ``loss`` has one row per node, or one row per final product (``graph.finals`` order) when
    ``finals_aligned``.
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
        weighted = (w[:, None] * lf).sum(axis=0) / total if total > 0 else lf.mean(axis=0)
        rows.append([market, len(member), *weighted.tolist()])
    out = pd.DataFrame(rows, columns=["market", "n_finals", *columns])
    if len(columns) == 1:
        out["max_loss"] = [
            float(loss[np.isin(finals, _members(graph, j))].max(initial=0.0)) for j in range(len(graph.markets))
        ]
    return out


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
    out = pd.DataFrame({"node_id": graph.ids[finals].astype(str), "markets": markets})
    out["market_weight"] = graph.weight[finals]
    values = pd.DataFrame((loss if finals_aligned else loss[finals]).astype(np.float64), columns=columns)
    return pd.concat([out, values], axis=1)


def _members(graph: SupplyGraph, j: int) -> np.ndarray:
    finals = graph.finals
    word, bit = divmod(j, 64)
    return finals[(graph.market_bits[finals, word] >> np.uint64(bit)) & np.uint64(1) > 0]
