"""Downstream reach and dominators on the array form of the supply graph.

Downstream reach of a node = the final products (and focus markets) downstream of it along any
supply relation. It bounds what a node's loss can touch; how much each final product actually
loses, given the alternatives, is :mod:`supplychain.knockout`.

Dominators: a super-source S is joined to every node without inputs; node d dominates final
product f when every path S -> f passes through d. On a DAG no Lengauer-Tarjan is needed:
visiting nodes in topological order, idom(v) = the nearest common ancestor, in the dominator
tree built so far, of v's inputs (Cooper, Harvey & Kennedy 2001, "A simple, fast dominance
algorithm"; one pass suffices on a DAG). The pass here is vectorised per topological level.

Sets of final products are bitsets: one bit per final product, ``uint64`` words per node.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from supplychain.graph import FinalInputs, SupplyGraph
from supplychain.threads import run_parallel

__all__ = [
    "SUPER_SOURCE",
    "Reach",
    "bits_to_lists",
    "compute_reach",
    "immediate_dominators",
    "or_downstream",
    "weighted_bit_sum",
]

#: index used for the virtual super-source in :func:`immediate_dominators`.
SUPER_SOURCE = -1


@dataclass(frozen=True)
class Reach:
    """Reach of every node (arrays indexed like ``SupplyGraph.ids``).

    Attributes
    ----------
    finals
        Indices of the final products in bit order (grouped by market weight, then index);
        bit j of a bitset stands for ``finals[j]``.
    downstream_bits
        (n, words) uint64: the final products downstream of (or equal to) each node; ``None``
        when there are more final products than ``max_bits_finals`` (counts stay exact).
    dominated_bits
        (n, words) uint64: the final products each node dominates; ``None`` likewise.
    idom
        Immediate dominator of each node (``SUPER_SOURCE`` = -1 for the super-source).
    downstream_count, dominated_count
        Number of final products in each set (including the node itself when final).
    downstream_weight, dominated_weight
        Market-weighted share of all final products in each set (0-1).
    market_bits
        (n, words) uint64: focus markets served by the final products downstream.
    """

    finals: np.ndarray
    downstream_bits: np.ndarray | None
    dominated_bits: np.ndarray | None
    idom: np.ndarray
    downstream_count: np.ndarray
    dominated_count: np.ndarray
    downstream_weight: np.ndarray
    dominated_weight: np.ndarray
    market_bits: np.ndarray


def compute_reach(
    graph: SupplyGraph, *, max_bits_finals: int = 4096, max_bits_words: int = 8_000_000, chunk_finals: int = 4096
) -> Reach:
    """Downstream reach, dominators and market reach of every node.

    Parameters
    ----------
    graph
        Array form of the graph.
    max_bits_finals, max_bits_words
        Keep the per-node sets of final products (bitsets, used to list them in explanations)
        only up to this many final products and this many 64-bit words (n x words; 8M words
        = 64 MB); above either, only the exact counts and weights are kept.
    chunk_finals
        Final products per bitset pass (memory: n x chunk_finals / 8 bytes). When the bitsets
        are not kept and the final products carry at most 16 distinct weights, each pass
        takes one 64-bit word (64 final products) instead: 1-D gathers are the fastest and
        the per-weight counts stay exact integers.

    Returns
    -------
    Reach
        Weighted shares divide by the total ``market_weight`` of the final products (a node
        reaching every final product has weight share 1.0).
    """
    finals = graph.finals
    # bit order: final products grouped by weight (then index), so that each weight's bits are
    # one contiguous run and weighted sums need one pass over the words
    finals = finals[np.argsort(graph.weight[finals], kind="stable")]
    n_f = len(finals)
    fw = graph.weight[finals]
    total = float(fw.sum()) or 1.0
    words = (n_f + 63) // 64
    keep = n_f <= max_bits_finals and graph.n * words <= max_bits_words
    chunk = max(64, max(chunk_finals, n_f if keep else 0))
    # the downstream passes and the dominator tree are independent: on two threads where there are two cores
    (ko_count, ko_weight, ko_bits, market_bits), (idom, dom_count, dom_weight) = run_parallel(
        partial(_downstream, graph, finals, fw, keep=keep, chunk=chunk),
        partial(_dominators, graph),
    )
    dom_bits = _or_up_dominator_tree(graph, idom, _own_bits(graph.n, finals)) if keep else None
    return Reach(
        finals=finals,
        downstream_bits=ko_bits,
        dominated_bits=dom_bits,
        idom=idom,
        downstream_count=ko_count,
        dominated_count=np.rint(dom_count).astype(np.int64),
        downstream_weight=ko_weight / total,
        dominated_weight=dom_weight / total,
        market_bits=market_bits,
    )


def _downstream(
    graph: SupplyGraph, finals: np.ndarray, fw: np.ndarray, *, keep: bool, chunk: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]:
    """Per node the number and summed weight of the final products downstream (``finals`` in bit
    order, weights ``fw``), their bitsets when ``keep``, and the market bits (:func:`compute_reach`)."""
    n_f = len(finals)
    values = np.unique(fw)
    ko_bits = None
    if not keep and len(values) <= 16:
        # counts only: one 64-bit word of final products per pass (1-D gathers are the
        # fastest), exact per-weight counts summed over the passes, weighted once at the end;
        # the passes run on the final products and their ancestors (SupplyGraph.final_inputs):
        # every other node reaches no final product (count 0)
        part = graph.final_inputs
        pos = np.empty(graph.n, dtype=np.int64)
        pos[part.nodes] = np.arange(part.n, dtype=np.int64)
        sub_counts = np.zeros((len(values), part.n), dtype=np.int64)
        for lo in range(0, n_f, 64):
            word = or_downstream(part, _own_bits(part.n, pos[finals[lo : lo + 64]])[:, 0], in_place=True)
            group = np.searchsorted(values, fw[lo : lo + 64])
            for g in np.unique(group):
                sel = np.flatnonzero(group == g)
                if len(sel) < 64:  # a word shared by weights, or the last word: mask it
                    mask = np.bitwise_or.reduce(np.left_shift(np.uint64(1), sel.astype(np.uint64)))
                    sub_counts[g] += np.bitwise_count(word & mask)
                else:
                    sub_counts[g] += np.bitwise_count(word)
        counts = np.zeros((len(values), graph.n), dtype=np.int64)
        counts[:, part.nodes] = sub_counts
        ko_count = counts.sum(axis=0)
        ko_weight = _weighted(counts.T, values)
    else:
        ko_count = np.zeros(graph.n, dtype=np.int64)
        ko_weight = np.zeros(graph.n, dtype=np.float64)
        for lo in range(0, max(n_f, 1), chunk):
            own = _own_bits(graph.n, finals[lo : lo + chunk])
            bits = or_downstream(graph, own, in_place=True)
            ko_count += _popcount(bits)
            ko_weight += weighted_bit_sum(bits, fw[lo : lo + chunk])
            if keep:
                ko_bits = bits
    market_own = np.where(graph.is_final[:, None], graph.market_bits, np.uint64(0))
    return ko_count, ko_weight, ko_bits, _market_reach(graph, market_own.astype(np.uint64))


def _dominators(graph: SupplyGraph) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Immediate dominators, and per node the number and weight of the final products it dominates."""
    idom = immediate_dominators(graph)
    own_count = graph.is_final.astype(np.float64)
    own_weight = np.where(graph.is_final, graph.weight, 0.0)
    dom_count, dom_weight = _sum_up_dominator_tree(graph, idom, own_count, own_weight)
    return idom, dom_count, dom_weight


def or_downstream(graph: SupplyGraph | FinalInputs, bits: np.ndarray, *, in_place: bool = False) -> np.ndarray:
    """OR of ``bits`` over each node and all its descendants (reverse topological sweep).

    ``graph`` may be the part upstream of the final products (:class:`FinalInputs`, rows =
    its nodes). ``in_place=True`` overwrites ``bits`` (saves a copy of a large bitset matrix).
    """
    out = bits if in_place else bits.copy()
    for block in graph.levels_out:
        if len(block.nodes) == 0:
            continue
        low = block.reduce(out, np.bitwise_or)
        out[block.nodes] = np.bitwise_or(low, np.take(out, block.nodes, axis=0), out=low)
    return out


def _market_reach(graph: SupplyGraph, market_own: np.ndarray) -> np.ndarray:
    """:func:`or_downstream` of bits set on final products only: run on the final products and
    their ancestors (the other rows stay 0)."""
    part = graph.final_inputs
    out = np.zeros_like(market_own)
    out[part.nodes] = or_downstream(part, market_own[part.nodes], in_place=True)
    return out


def immediate_dominators(graph: SupplyGraph) -> np.ndarray:
    """Immediate dominator of every node, with a super-source over the nodes without inputs.

    Returns an int64 array; ``-1`` (:data:`SUPER_SOURCE`) where the super-source is the
    immediate dominator. Formula: idom(v) = NCA over inputs u of v (u itself, not idom(u)) in
    the dominator tree, processed in topological order.
    """
    n = graph.n
    idom = np.full(n, SUPER_SOURCE, dtype=np.int64)
    depth = np.ones(n, dtype=np.int64)
    # parent lookup with the super-source stored at position n
    parent = np.append(idom, SUPER_SOURCE)
    dep = np.append(depth, 0)
    for block in graph.levels_in:
        if len(block.nodes) == 0:
            continue
        cur = block.neighbours.copy()
        starts = block.starts
        sizes = np.diff(np.append(starts, len(cur)))
        d = dep[cur]
        target = np.repeat(np.minimum.reduceat(d, starts), sizes)
        # lift every input to the depth of the shallowest one (only the edges still too deep)
        up = np.flatnonzero(d > target)
        while len(up):
            cur[up] = parent[cur[up]]
            d[up] -= 1
            up = up[d[up] > target[up]]
        # then climb each node's inputs together until they meet; settled nodes leave the arrays
        res = np.empty(len(block.nodes), dtype=np.int64)
        pending = np.arange(len(block.nodes))
        while True:
            lo = np.minimum.reduceat(cur, starts)
            diff = lo != np.maximum.reduceat(cur, starts)
            res[pending[~diff]] = lo[~diff]
            if not diff.any():
                break
            cur = parent[cur[np.repeat(diff, sizes)]]
            pending, sizes = pending[diff], sizes[diff]
            starts = np.zeros(len(sizes), dtype=np.int64)
            np.cumsum(sizes[:-1], out=starts[1:])
        res = np.where(res == n, SUPER_SOURCE, res)
        res = np.where(res < 0, SUPER_SOURCE, res)
        parent[block.nodes] = res
        dep[block.nodes] = np.where(res < 0, 0, dep[np.where(res < 0, n, res)]) + 1
    idom = parent[:n].copy()
    return idom


def weighted_bit_sum(bits: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Sum of ``weights[j]`` over the set bits j of each row.

    With few distinct weights (market weights usually are): sum over weight values w of
    w x popcount(bits & mask_w); otherwise byte lookup tables.
    """
    n = bits.shape[0]
    values = np.unique(weights)
    if len(values) <= 16:
        return _weighted(_group_counts(bits, weights, values), values)
    as_bytes = np.ascontiguousarray(bits).view(np.uint8).reshape(n, -1)
    padded = np.zeros(as_bytes.shape[1] * 8, dtype=np.float64)
    padded[: len(weights)] = weights
    table = np.arange(256, dtype=np.uint16)
    unpacked = ((table[:, None] >> np.arange(8, dtype=np.uint16)) & 1).astype(np.float64)
    out = np.zeros(n, dtype=np.float64)
    for k in range(as_bytes.shape[1]):
        w = padded[8 * k : 8 * k + 8]
        if w.any():
            out += (unpacked @ w)[as_bytes[:, k]]
    return out


def bits_to_lists(bits_row: np.ndarray, labels: np.ndarray) -> list[str]:
    """Labels of the set bits of one bitset row (little-endian bit order within words)."""
    flags = np.unpackbits(bits_row.view(np.uint8), bitorder="little")[: len(labels)]
    return [str(x) for x in labels[flags.astype(bool)]]


def _weighted(counts: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Sum over g of ``values[g] x counts[:, g]`` (in the order of ``values``, zeros skipped)."""
    out = np.zeros(counts.shape[0], dtype=np.float64)
    for g, w in enumerate(values):
        if w != 0:
            out += float(w) * counts[:, g]
    return out


def _group_counts(bits: np.ndarray, weights: np.ndarray, values: np.ndarray) -> np.ndarray:
    """(n, len(values)) int64: per row, the number of set bits j with ``weights[j] == values[g]``.

    Words whose 64 bits all carry one weight are counted by one popcount of the word matrix,
    summed per value over contiguous word rows (transposed: no reduction along the short
    axis); the few words shared by several values (or partly beyond ``weights``) are gathered,
    masked per (word, value) piece and counted the same way.
    """
    n, n_words = bits.shape
    n_values = len(values)
    group = np.searchsorted(values, weights)
    counts = np.zeros((n_values, n), dtype=np.int64)
    if n == 0 or len(weights) == 0:
        return counts.T
    pos = np.arange(len(weights))
    word = pos // 64
    first, last = np.full(n_words, n_values), np.full(n_words, -1)
    np.minimum.at(first, word, group)
    np.maximum.at(last, word, group)
    whole = np.zeros(n_words, dtype=bool)
    whole[: len(weights) // 64] = True
    whole &= first == last
    if whole.any():
        per_word = np.ascontiguousarray(np.bitwise_count(bits).T)
        for g in np.unique(first[whole]):
            counts[g] += per_word[whole & (first == g)].sum(axis=0, dtype=np.int64)
    partial = ~whole[word]
    if partial.any():
        keys, inverse = np.unique(word[partial] * n_values + group[partial], return_inverse=True)
        masks = np.zeros(len(keys), dtype=np.uint64)
        np.bitwise_or.at(masks, inverse, np.left_shift(np.uint64(1), (pos[partial] % 64).astype(np.uint64)))
        per_piece = np.ascontiguousarray(np.bitwise_count(np.take(bits, keys // n_values, axis=1) & masks).T)
        for g in np.unique(keys % n_values):
            counts[g] += per_piece[keys % n_values == g].sum(axis=0, dtype=np.int64)
    return counts.T


def _popcount(bits: np.ndarray) -> np.ndarray:
    return np.bitwise_count(bits).sum(axis=1).astype(np.int64)


def _own_bits(n: int, members: np.ndarray) -> np.ndarray:
    words = max(1, (len(members) + 63) // 64)
    own = np.zeros((n, words), dtype=np.uint64)
    j = np.arange(len(members))
    own[members, j // 64] = np.left_shift(np.uint64(1), (j % 64).astype(np.uint64))
    return own


def _sum_up_dominator_tree(
    graph: SupplyGraph, idom: np.ndarray, count: np.ndarray, weight: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    count, weight = count.copy(), weight.copy()
    for block in reversed(graph.levels_in):
        par = idom[block.nodes]
        keep = par >= 0
        if not keep.any():
            continue
        nodes, par = block.nodes[keep], par[keep]
        count += np.bincount(par, weights=count[nodes], minlength=graph.n)
        weight += np.bincount(par, weights=weight[nodes], minlength=graph.n)
    return count, weight


def _or_up_dominator_tree(graph: SupplyGraph, idom: np.ndarray, own: np.ndarray) -> np.ndarray:
    out = own.copy()
    # children come later in topological order than their dominators: sweep levels downward.
    for block in reversed(graph.levels_in):
        nodes = block.nodes
        par = idom[nodes]
        keep = par >= 0
        if not keep.any():
            continue
        nodes, par = nodes[keep], par[keep]
        srt = np.argsort(par, kind="stable")
        nodes, par = nodes[srt], par[srt]
        starts = np.flatnonzero(np.r_[True, par[1:] != par[:-1]])
        out[par[starts]] |= np.bitwise_or.reduceat(out[nodes], starts, axis=0)
    return out
