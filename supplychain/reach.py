"""Downstream reach and dominators on the array form of the supply graph.

Reach of a node = the final products (and focus markets) downstream of it. With "goes into"
semantics a product needs ALL its inputs, so removing a node's supply (the knockout test) cuts
exactly the final products downstream of it: knockout reach = descendant final products.

Dominators: a super-source S is joined to every node without inputs; node d dominates final
product f when every path S -> f passes through d. On a DAG no Lengauer-Tarjan is needed:
visiting nodes in topological order, idom(v) = the nearest common ancestor, in the dominator
tree built so far, of v's inputs (Cooper, Harvey & Kennedy 2001, "A simple, fast dominance
algorithm"; one pass suffices on a DAG). The pass here is vectorised per topological level.

Sets of final products are bitsets: one bit per final product, ``uint64`` words per node.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from supplychain.graph import SupplyGraph

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
        Indices of the final products; bit j of a bitset stands for ``finals[j]``.
    knockout_bits
        (n, words) uint64: the final products downstream of (or equal to) each node.
    dominated_bits
        (n, words) uint64: the final products each node dominates (with a super-source).
    idom
        Immediate dominator of each node (``SUPER_SOURCE`` = -1 for the super-source).
    knockout_count, dominated_count
        Number of final products in each set.
    knockout_weight, dominated_weight
        Market-weighted share of all final products in each set (0-1).
    market_bits
        (n, words) uint64: focus markets served by the final products downstream.
    """

    finals: np.ndarray
    knockout_bits: np.ndarray
    dominated_bits: np.ndarray
    idom: np.ndarray
    knockout_count: np.ndarray
    dominated_count: np.ndarray
    knockout_weight: np.ndarray
    dominated_weight: np.ndarray
    market_bits: np.ndarray


def compute_reach(graph: SupplyGraph) -> Reach:
    """Knockout reach, dominators and market reach of every node.

    Returns
    -------
    Reach
        Weighted shares divide by the total ``market_weight`` of the final products (a node
        reaching every final product has weight share 1.0).
    """
    finals = graph.finals
    words = max(1, (len(finals) + 63) // 64)
    own = np.zeros((graph.n, words), dtype=np.uint64)
    j = np.arange(len(finals))
    own[finals, j // 64] = np.left_shift(np.uint64(1), (j % 64).astype(np.uint64))
    knockout = or_downstream(graph, own)
    idom = immediate_dominators(graph)
    dominated = _or_up_dominator_tree(graph, idom, own)
    fw = graph.weight[finals]
    total = float(fw.sum()) or 1.0
    market_own = np.where(graph.is_final[:, None], graph.market_bits, np.uint64(0))
    return Reach(
        finals=finals,
        knockout_bits=knockout,
        dominated_bits=dominated,
        idom=idom,
        knockout_count=_popcount(knockout),
        dominated_count=_popcount(dominated),
        knockout_weight=weighted_bit_sum(knockout, fw) / total,
        dominated_weight=weighted_bit_sum(dominated, fw) / total,
        market_bits=or_downstream(graph, market_own.astype(np.uint64)),
    )


def or_downstream(graph: SupplyGraph, bits: np.ndarray) -> np.ndarray:
    """OR of ``bits`` over each node and all its descendants (reverse topological sweep)."""
    out = bits.copy()
    for block in graph.levels_out:
        if len(block.nodes) == 0:
            continue
        vals = out[block.neighbours]
        out[block.nodes] |= np.bitwise_or.reduceat(vals, block.starts, axis=0)
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
        while True:
            up = d > target
            if not up.any():
                break
            cur[up] = parent[cur[up]]
            d[up] -= 1
        while True:
            lo = np.minimum.reduceat(cur, starts)
            hi = np.maximum.reduceat(cur, starts)
            diff = lo != hi
            if not diff.any():
                break
            move = np.repeat(diff, sizes)
            cur[move] = parent[cur[move]]
        res = cur[starts]
        res = np.where(res == n, SUPER_SOURCE, res)
        res = np.where(res < 0, SUPER_SOURCE, res)
        parent[block.nodes] = res
        dep[block.nodes] = np.where(res < 0, 0, dep[np.where(res < 0, n, res)]) + 1
    idom = parent[:n].copy()
    return idom


def weighted_bit_sum(bits: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Sum of ``weights[j]`` over the set bits j of each row (byte lookup tables)."""
    n = bits.shape[0]
    as_bytes = np.ascontiguousarray(bits).view(np.uint8).reshape(n, -1)
    padded = np.zeros(as_bytes.shape[1] * 8, dtype=np.float64)
    padded[: len(weights)] = weights
    table = np.arange(256, dtype=np.uint16)
    unpacked = ((table[:, None] >> np.arange(8, dtype=np.uint16)) & 1).astype(np.float64)
    out = np.zeros(n, dtype=np.float64)
    for k in range(as_bytes.shape[1]):
        lut = unpacked @ padded[8 * k : 8 * k + 8]
        out += lut[as_bytes[:, k]]
    return out


def bits_to_lists(bits_row: np.ndarray, labels: np.ndarray) -> list[str]:
    """Labels of the set bits of one bitset row (little-endian bit order within words)."""
    flags = np.unpackbits(bits_row.view(np.uint8), bitorder="little")[: len(labels)]
    return [str(x) for x in labels[flags.astype(bool)]]


def _popcount(bits: np.ndarray) -> np.ndarray:
    return np.bitwise_count(bits).sum(axis=1).astype(np.int64)


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
