"""Topological levels and per-level gathered neighbours: the array form's sweep machinery.

- :func:`csr_from_pairs`, :func:`transpose`: CSR of out-edges and of in-edges;
- :func:`kahn_levels`: topological level of every node by Kahn peeling (0 = no inputs, else 1 +
  the highest level of its inputs; -1 on a cycle);
- :func:`level_blocks`: per level, the nodes with neighbours and those neighbours gathered in
  jagged-diagonal form (:class:`LevelBlock`), so that a sweep over the graph is one segmented
  reduction per level.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "LevelBlock",
    "csr_from_pairs",
    "gather_ranges",
    "kahn_levels",
    "level_blocks",
    "reverse_level_blocks",
    "transpose",
]

_MIN_DIAGONAL = 512


@dataclass(frozen=True)
class LevelBlock:
    """Nodes of one topological level that have neighbours, with their neighbours gathered.

    ``neighbours[starts[i]:starts[i+1]]`` are the neighbours of ``nodes[i]`` (in-neighbours in
    :attr:`SupplyGraph.levels_in`, out-neighbours in :attr:`SupplyGraph.levels_out`). Nodes are
    sorted by degree (descending), and the neighbours are also stored in jagged-diagonal form:
    ``jd_idx[jd_ptr[d]:jd_ptr[d+1]]`` holds the d-th neighbour of the first
    ``jd_ptr[d+1] - jd_ptr[d]`` nodes, so a segmented reduction is a few contiguous gathers.
    """

    nodes: np.ndarray
    neighbours: np.ndarray
    starts: np.ndarray
    jd_idx: np.ndarray
    jd_ptr: np.ndarray
    tail_idx: np.ndarray
    tail_starts: np.ndarray

    def reduce(self, values: np.ndarray, ufunc: np.ufunc) -> np.ndarray:
        """``ufunc``-reduction of ``values`` over each node's neighbours (rows = ``nodes``).

        Jagged diagonals while many nodes share a rank; the few high-degree nodes left
        (``tail_*``: their neighbours beyond the last diagonal) by one ``ufunc.reduceat``.
        """
        acc = np.take(values, self.jd_idx[: self.jd_ptr[1]], axis=0)
        for d in range(1, len(self.jd_ptr) - 1):
            lo, hi = int(self.jd_ptr[d]), int(self.jd_ptr[d + 1])
            head = acc[: hi - lo]
            ufunc(head, np.take(values, self.jd_idx[lo:hi], axis=0), out=head)
        if len(self.tail_starts):
            k = len(self.tail_starts)
            low = ufunc.reduceat(np.take(values, self.tail_idx, axis=0), self.tail_starts, axis=0)
            ufunc(acc[:k], low, out=acc[:k])
        return acc


def gather_ranges(ptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the CSR entries of ``rows`` and the per-row start offsets.

    Returns ``(positions, starts)`` with ``positions`` concatenating ``ptr[r]:ptr[r+1]`` for
    each row in order and ``starts[i]`` the offset of row i inside ``positions``.
    """
    lo = ptr[rows]
    lengths = ptr[rows + 1] - lo
    starts = np.zeros(len(rows), dtype=np.int64)
    if len(rows) > 1:
        np.cumsum(lengths[:-1], out=starts[1:])
    total = int(lengths.sum())
    positions = np.arange(total, dtype=np.int64) + np.repeat(lo - starts, lengths)
    return positions, starts


def csr_from_pairs(keys: np.ndarray, vals: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys, minlength=n), out=ptr[1:])
    if len(keys) > 1 and not np.all((keys[1:] > keys[:-1]) | ((keys[1:] == keys[:-1]) & (vals[1:] >= vals[:-1]))):
        order = np.argsort(keys * max(n, 1) + vals, kind="stable")
        return ptr, vals[order].astype(np.int64)
    return ptr, vals.astype(np.int64)


def transpose(ptr: np.ndarray, idx: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """CSR of the reversed edges from a CSR with sorted rows (a counting sort in C; rows sorted)."""
    import scipy.sparse as sp

    fwd = sp.csr_matrix((np.ones(len(idx), dtype=np.int8), idx, ptr), shape=(n, n))
    rev = fwd.tocsc()
    return rev.indptr.astype(np.int64), rev.indices.astype(np.int64)


def kahn_levels(in_ptr: np.ndarray, out_ptr: np.ndarray, out_idx: np.ndarray) -> np.ndarray:
    n = len(in_ptr) - 1
    indeg = np.diff(in_ptr).astype(np.int64)
    level = np.full(n, -1, dtype=np.int64)
    frontier = np.flatnonzero(indeg == 0)
    depth = 0
    while len(frontier):
        level[frontier] = depth
        pos, _ = gather_ranges(out_ptr, frontier)
        targets = out_idx[pos]
        if len(targets) == 0:
            break
        hits = np.bincount(targets, minlength=n)
        touched = np.flatnonzero(hits)
        indeg[touched] -= hits[touched]
        frontier = touched[indeg[touched] == 0]
        depth += 1
    return level


def level_blocks(level: np.ndarray, order: np.ndarray, ptr: np.ndarray, idx: np.ndarray) -> tuple[LevelBlock, ...]:
    """One :class:`LevelBlock` per topological level (0 .. max level) of the CSR ``ptr, idx``.

    ``order`` lists the nodes sorted by level; each block holds the nodes of its level that
    have at least one neighbour in ``ptr, idx``, sorted by degree (descending).
    """
    bounds = np.searchsorted(level[order], np.arange(int(level.max(initial=-1)) + 2))
    blocks = []
    for lv in range(len(bounds) - 1):
        members = order[bounds[lv] : bounds[lv + 1]]
        members = members[ptr[members + 1] > ptr[members]]
        deg = ptr[members + 1] - ptr[members]
        by_deg = _by_degree(deg)
        members, deg = members[by_deg], deg[by_deg]
        pos, starts = gather_ranges(ptr, members)
        rank = np.arange(len(pos)) - np.repeat(starts, deg)
        # diagonals while at least _MIN_DIAGONAL nodes have that rank, then a reduceat tail
        n_rank = np.bincount(rank, minlength=int(deg.max(initial=0)))
        cut = max(1, int(np.searchsorted(-n_rank, -_MIN_DIAGONAL, side="right")))
        cut = min(cut, len(n_rank))
        in_jd = rank < cut
        jd_ptr = np.zeros(cut + 1, dtype=np.int64)
        np.cumsum(n_rank[:cut], out=jd_ptr[1:])
        # nodes are sorted by degree (descending): rank d is held by the first n_rank[d] nodes,
        # so diagonal d is starts[:n_rank[d]] + d (no sort)
        diag = np.repeat(np.arange(cut, dtype=np.int64), n_rank[:cut])
        jds = starts[np.arange(len(diag), dtype=np.int64) - jd_ptr[diag]] + diag
        nbr = idx[pos]
        tail_nodes = int((deg > cut).sum())
        tail_pos = np.flatnonzero(~in_jd)
        tail_starts = np.zeros(tail_nodes, dtype=np.int64)
        if tail_nodes > 1:
            np.cumsum(deg[: tail_nodes - 1] - cut, out=tail_starts[1:])
        blocks.append(
            LevelBlock(
                nodes=members,
                neighbours=nbr,
                starts=starts,
                jd_idx=nbr[jds],
                jd_ptr=jd_ptr,
                tail_idx=nbr[tail_pos],
                tail_starts=tail_starts,
            )
        )
    return tuple(blocks)


def reverse_level_blocks(
    level: np.ndarray, order: np.ndarray, ptr: np.ndarray, idx: np.ndarray
) -> tuple[LevelBlock, ...]:
    """Blocks of out-neighbours, from the top level down (for sweeps against the edges)."""
    reverse = order[::-1].copy()
    return _blocks_reverse(level.max(initial=0) - level, reverse, ptr, idx)


def _blocks_reverse(
    rev_level: np.ndarray, reverse: np.ndarray, ptr: np.ndarray, idx: np.ndarray
) -> tuple[LevelBlock, ...]:
    # out-neighbours of a node lie on higher levels; walk levels from the top down.
    order = reverse[np.argsort(rev_level[reverse], kind="stable")]
    return level_blocks(rev_level, order, ptr, idx)


def _by_degree(deg: np.ndarray) -> np.ndarray:
    """``np.argsort(-deg, kind="stable")`` (degree descending, ties by position) for degrees >= 0.

    A stable sort of 16-bit keys is a radix sort: degrees are capped at 2^16 - 1 for the key, and
    the few nodes at the cap (first in the order, by position) are then sorted among themselves.
    """
    cap = np.iinfo(np.uint16).max
    order = np.argsort((cap - np.minimum(deg, cap)).astype(np.uint16), kind="stable")
    n_cap = int(np.count_nonzero(deg >= cap))
    if n_cap > 1:
        head = order[:n_cap]
        order[:n_cap] = head[np.argsort(-deg[head], kind="stable")]
    return order
