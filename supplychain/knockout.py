"""Knockouts given the alternatives: what losing a node, or its top supplier, does to final products.

For a node v and a final product f other than v, the knockout loss is the loss of f when v's
own supply is lost entirely, o(v) = 0, all else intact, propagated with
:func:`supplychain.alternatives.propagate` (required inputs by min, types share-weighted,
substitutes). Where type shares are unknown the loss is an interval [low, high] (lowest and
highest completion). With theta = ``Thresholds.knockout_loss`` (default 0.5):

- knockout chokepoint: ``yes`` when loss_low >= theta for some other final product,
  ``possible`` when only loss_high is, ``no`` otherwise;
- single-supplier knockout: the same with o(v) = 1 - x_top, x_top the share of v's top supplier
  (country or firm) in [x_top_low, x_top_high];
- reach: the other final products with loss_low >= theta (``n_finals``, bitsets) and with
  loss_high >= theta (``n_finals_possible``); the market-weighted share of all final products'
  supply that is lost (``weight``, ``weight_high``; with required inputs only this is the
  weighted share of the final products downstream, as before).

A final product's own loss is never counted: its reach is the other final products it feeds.

Exact evaluation propagates one column per node (64 at a time): cost n x edges. When more
than ``Thresholds.knockout_exact_nodes`` nodes have another final product downstream, the
graph is too large for that and one backward sweep gives bounds instead:
with c_w = 1 - min(1, sum of w's substitution factors),

    P_low(v)  = max([v final], max over goes_into children w of c_w P_low(w),
                    max over categories c of v of s_low(v, c) c_c P_low(c))
    P_high(v) = min(1, max([v final], sum over goes_into children P_high(w)
                    + sum over categories s_high(v, c) P_high(c)))

and knockout loss_low >= c_v max over children (as in P_low), loss_high <= the sum in P_high
(max <= sum; every step is monotone and positively homogeneous, substitutes count at most fully
lost). A partial own loss x scales both. The flags then come from these bounds (``possible``
where they straddle the threshold); per-final counts are not computed (NaN) except where the
upper bound already rules every final product out; the explanation says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from supplychain.alternatives import AltBlock, propagate
from supplychain.graph import SupplyGraph
from supplychain.levels import LevelBlock
from supplychain.losses import ShareMatrices, share_matrix
from supplychain.reach import Reach
from supplychain.thresholds import DEFAULT_THRESHOLDS, Thresholds

if TYPE_CHECKING:  # scipy.sparse is imported lazily (about 0.3 s)
    import scipy.sparse as sp

__all__ = ["Knockouts", "knockout_bounds", "knockouts", "top_share_bounds", "total_all"]

_CHUNK = 64


@dataclass(frozen=True)
class Knockouts:
    """Knockout losses of every node (arrays indexed like ``SupplyGraph.ids``).

    Attributes
    ----------
    loss_low, loss_high
        Bounds of the largest loss of another final product when the node is lost.
    exact
        True where the node was evaluated exactly (else the bounds of the module docstring).
    n_finals, n_finals_possible
        Other final products with loss_low >= theta (resp. loss_high >= theta); NaN where not
        evaluated exactly.
    weight, weight_high
        Reach: the market-weighted share of all final products' supply lost when the node is
        lost, sum over other final products f of w_f loss_f / sum over all final products of
        w_f, with the low (resp. high) losses (0-1). Not evaluated exactly: ``weight`` NaN and
        ``weight_high`` the weighted share of the other final products downstream.
    bits
        (n, words) uint64 in the bit order of ``Reach.finals``: the final products counted in
        ``n_finals`` (``None`` when the reach keeps no bitsets).
    top_loss_low, top_loss_high
        The same bounds when only the node's top supplier is lost (NaN where no share given).
    """

    loss_low: np.ndarray
    loss_high: np.ndarray
    exact: np.ndarray
    n_finals: np.ndarray
    n_finals_possible: np.ndarray
    weight: np.ndarray
    weight_high: np.ndarray
    bits: np.ndarray | None
    top_loss_low: np.ndarray
    top_loss_high: np.ndarray


def top_share_bounds(graph: SupplyGraph, bounds: pd.DataFrame | ShareMatrices) -> tuple[np.ndarray, np.ndarray]:
    """Bounds of each node's top supplier share (NaN where no supplier is given).

    The top share lies between the largest lower bound and the largest upper bound of the
    node's suppliers (an interval frame ``node_id, supplier, share_low, share_high``, a point
    frame, or the matrices of :func:`supplychain.losses.share_matrix`).
    """
    low_m, _, high_m = share_matrix(graph, bounds)
    if high_m.shape[1] == 0:
        return np.full(graph.n, np.nan), np.full(graph.n, np.nan)
    listed = np.diff(high_m.indptr) > 0
    return np.where(listed, _row_max(low_m), np.nan), np.where(listed, _row_max(high_m), np.nan)


def _row_max(matrix: sp.csr_matrix) -> np.ndarray:
    """Per row the largest entry, implicit zeros included (as ``matrix.max(axis=1)``): the
    stored entries folded in by row index (no per-row reduction calls)."""
    n_rows, n_cols = matrix.shape
    stored = np.diff(matrix.indptr)
    out = np.where(stored < n_cols, 0.0, -np.inf)
    rows = np.repeat(np.arange(n_rows, dtype=np.int64), stored)
    np.maximum.at(out, rows, np.asarray(matrix.data, dtype=np.float64))
    return out


def knockout_bounds(graph: SupplyGraph) -> tuple[np.ndarray, np.ndarray]:
    """Cheap bounds (lower, upper) of every node's knockout loss (module docstring formulas).

    Computed on the final products and their ancestors U (:attr:`SupplyGraph.final_inputs`,
    built once per graph): outside U, P_low = P_high = 0 for every child, so the bounds are 0;
    inside U, the edges dropped (into nodes outside U) carry terms that are exactly 0, and the
    kept edges come in the same order, so the sums are bit-identical.
    """
    part = graph.final_inputs
    is_final = np.zeros(part.n, dtype=bool)
    is_final[part.finals] = True
    c = _cover_gap(part.n, part.substitute_blocks)
    transfers = _transfers(part.levels_and, part.type_blocks, c)
    low_u, high_u = _sweep_bounds(graph.level[part.nodes], is_final, c, transfers)
    low, high = np.zeros(graph.n), np.zeros(graph.n)
    low[part.nodes], high[part.nodes] = low_u, high_u
    return low, high


def _sweep_bounds(
    level: np.ndarray, is_final: np.ndarray, c: np.ndarray, transfers: tuple[np.ndarray, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """The bounds of :func:`knockout_bounds` over nodes 0..n-1 (their levels, final products,
    cover gaps c_v and edges with transfers, :func:`_transfers`): one backward sweep by level."""
    n = len(level)
    p_low = is_final.astype(np.float64)
    p_high = p_low.copy()
    k_low = np.zeros(n)
    k_high = np.zeros(n)
    src, dst, t_low, t_high = transfers
    top = int(level.max(initial=0))
    key = (top - level[src]) * max(n, 1) + src
    m = len(key)
    if m and (top + 1) * max(n, 1) < 2**62 // m:
        # unique keys (edge position as the last digit): the fast unstable sort gives the
        # stable order
        order = np.argsort(key * m + np.arange(m, dtype=np.int64))
    else:
        order = np.argsort(key, kind="stable")
    src, dst, t_low, t_high = src[order], dst[order], t_low[order], t_high[order]
    lv = level[src]
    cuts = np.flatnonzero(np.r_[True, lv[1:] != lv[:-1]]) if len(src) else np.zeros(0, dtype=np.int64)
    ends = np.append(cuts[1:], len(src))[: len(cuts)]
    for lo, hi in zip(cuts, ends, strict=True):
        s, d = src[lo:hi], dst[lo:hi]
        starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
        nodes = s[starts]
        k_low[nodes] = np.maximum.reduceat(t_low[lo:hi] * p_low[d], starts)
        k_high[nodes] = np.minimum(np.add.reduceat(t_high[lo:hi] * p_high[d], starts), 1.0)
        p_low[nodes] = np.maximum(p_low[nodes], k_low[nodes])
        p_high[nodes] = np.maximum(p_high[nodes], k_high[nodes])
    return c * k_low, k_high


def knockouts(
    graph: SupplyGraph,
    reach: Reach,
    *,
    top_shares: tuple[np.ndarray, np.ndarray] | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> Knockouts:
    """Knockout and single-supplier knockout losses of every node, with reach counts.

    Parameters
    ----------
    graph, reach
        The graph and its :func:`supplychain.reach.compute_reach` (bit order, downstream sets).
    top_shares
        (low, high) top-supplier share per node (:func:`top_share_bounds`); ``None`` = no
        single-supplier test.
    thresholds
        ``knockout_loss`` (theta) and ``knockout_exact_nodes``.
    """
    theta, limit = thresholds.knockout_loss, thresholds.knockout_exact_nodes
    n = graph.n
    self_final = graph.is_final.astype(np.int64)
    feeds = np.flatnonzero(reach.downstream_count - self_final > 0)  # nodes with another final downstream
    b_low, b_high = knockout_bounds(graph)
    loss_low, loss_high = np.zeros(n), np.zeros(n)
    loss_low[feeds], loss_high[feeds] = b_low[feeds], b_high[feeds]
    evaluate = feeds if len(feeds) <= limit else feeds[:0]
    exact = np.ones(n, dtype=bool)
    exact[feeds] = False
    exact[evaluate] = True
    # not evaluated: counts known only where the bounds say no final reaches theta
    decided_no = ~exact & (loss_high < theta)
    n_fin = np.where(exact | decided_no, 0.0, np.nan)
    n_pos = n_fin.copy()
    weight = n_fin.copy()
    own_w = np.where(graph.is_final, graph.weight, 0.0)
    weight_high = np.where(exact, 0.0, np.clip(reach.downstream_weight - own_w / total_all(graph, reach), 0.0, 1.0))
    keep_bits = reach.downstream_bits is not None
    bits = np.zeros_like(reach.downstream_bits) if keep_bits else None
    fw = graph.weight[reach.finals]
    total = float(fw.sum()) or 1.0
    for lo in range(0, len(evaluate), _CHUNK):
        cols = evaluate[lo : lo + _CHUNK]
        f_low, f_high = _final_losses(graph, reach, cols, np.ones(len(cols)), np.ones(len(cols)))
        loss_low[cols], loss_high[cols] = f_low.max(axis=0, initial=0.0), f_high.max(axis=0, initial=0.0)
        hit, maybe = f_low >= theta - 1e-9, f_high >= theta - 1e-9
        n_fin[cols], n_pos[cols] = hit.sum(axis=0), maybe.sum(axis=0)
        weight[cols] = (fw[:, None] * f_low).sum(axis=0) / total
        weight_high[cols] = (fw[:, None] * f_high).sum(axis=0) / total
        if bits is not None:
            packed = np.packbits(hit.T, axis=1, bitorder="little")
            width = bits.shape[1] * 8
            padded = np.zeros((len(cols), width), dtype=np.uint8)
            padded[:, : packed.shape[1]] = packed
            bits[cols] = padded.view(np.uint64)
    top_low, top_high = _top_losses(graph, reach, feeds, b_low, b_high, top_shares, theta, limit)
    return Knockouts(
        loss_low=loss_low,
        loss_high=loss_high,
        exact=exact,
        n_finals=n_fin,
        n_finals_possible=n_pos,
        weight=weight,
        weight_high=weight_high,
        bits=bits,
        top_loss_low=top_low,
        top_loss_high=top_high,
    )


def total_all(graph: SupplyGraph, reach: Reach) -> float:
    """Total market weight of the final products (1.0 when it is 0)."""
    return float(graph.weight[reach.finals].sum()) or 1.0


def _top_losses(
    graph: SupplyGraph,
    reach: Reach,
    feeds: np.ndarray,
    b_low: np.ndarray,
    b_high: np.ndarray,
    top_shares: tuple[np.ndarray, np.ndarray] | None,
    theta: float,
    limit: int,
) -> tuple[np.ndarray, np.ndarray]:
    n = graph.n
    top_low, top_high = np.full(n, np.nan), np.full(n, np.nan)
    if top_shares is None:
        return top_low, top_high
    s_low, s_high = (np.nan_to_num(x, nan=0.0) for x in top_shares)
    known = ~np.isnan(top_shares[1])
    top_low[known], top_high[known] = 0.0, 0.0
    cand = feeds[known[feeds]]
    top_low[cand] = s_low[cand] * b_low[cand]
    top_high[cand] = np.minimum(s_high[cand] * b_high[cand], 1.0)
    evaluate = cand if len(cand) <= limit else cand[:0]
    for lo in range(0, len(evaluate), _CHUNK):
        cols = evaluate[lo : lo + _CHUNK]
        f_low, f_high = _final_losses(graph, reach, cols, s_low[cols], s_high[cols])
        top_low[cols], top_high[cols] = f_low.max(axis=0, initial=0.0), f_high.max(axis=0, initial=0.0)
    return top_low, top_high


def _final_losses(
    graph: SupplyGraph, reach: Reach, cols: np.ndarray, drop_low: np.ndarray, drop_high: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(n_finals, k) loss bounds of the final products (``Reach.finals`` order) when node
    ``cols[j]`` loses between ``drop_low[j]`` and ``drop_high[j]`` of its own supply; a node's
    own row is set to 0 (its own loss is not counted)."""
    k = len(cols)
    j = np.arange(k)
    out = []
    for drop, high in ((drop_low, True), (drop_high, False)):
        own = np.ones((graph.n, k), dtype=np.float64)
        own[cols, j] = 1.0 - drop
        avail = propagate(graph, own, high=high, in_place=True)
        loss = 1.0 - avail[reach.finals]
        out.append(loss)
    loss_low, loss_high = out
    pos = np.searchsorted(reach.finals, cols, sorter=np.argsort(reach.finals))
    order = np.argsort(reach.finals)
    is_f = graph.is_final[cols]
    rows = order[np.minimum(pos, len(order) - 1)] if len(order) else pos
    loss_low[rows[is_f], j[is_f]] = 0.0
    loss_high[rows[is_f], j[is_f]] = 0.0
    return np.clip(loss_low, 0.0, 1.0), np.clip(loss_high, 0.0, 1.0)


def _cover_gap(n: int, substitute_blocks: tuple[AltBlock | None, ...]) -> np.ndarray:
    """c_v = 1 - min(1, sum of v's substitution factors) (1 without substitutes), nodes 0..n-1."""
    c = np.ones(n)
    for block in substitute_blocks:
        if block is not None:
            c[block.nodes] = 1.0 - np.minimum(np.add.reduceat(block.weight, block.starts), 1.0)
    return c


def _transfers(
    levels_and: tuple[LevelBlock, ...], type_blocks: tuple[AltBlock | None, ...], c: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Edges (src -> dst) with the share of a unit loss at src passed to dst's availability:
    lower bound (substitutes intact) and upper bound (substitutes lost too)."""
    parts_src, parts_dst, parts_lo, parts_hi = [], [], [], []
    for block in levels_and:
        if len(block.nodes):
            d = np.repeat(block.nodes, np.diff(np.append(block.starts, len(block.neighbours))))
            parts_src.append(block.neighbours)
            parts_dst.append(d)
            parts_lo.append(c[d])
            parts_hi.append(np.ones(len(d)))
    for alt in type_blocks:
        if alt is None:
            continue
        sizes = np.diff(np.append(alt.starts, len(alt.src)))
        d = np.repeat(alt.nodes, sizes)
        r = np.repeat(alt.residual, sizes)
        n_cand = np.repeat(np.add.reduceat(alt.candidate.astype(np.int64), alt.starts), sizes)
        only = alt.candidate & (n_cand == 1)
        parts_src.append(alt.src)
        parts_dst.append(d)
        parts_lo.append((alt.weight + np.where(only, r, 0.0)) * c[d])
        parts_hi.append(alt.weight + np.where(alt.candidate, r, 0.0))
    if not parts_src:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0), np.zeros(0)
    return (np.concatenate(parts_src), np.concatenate(parts_dst), np.concatenate(parts_lo), np.concatenate(parts_hi))
