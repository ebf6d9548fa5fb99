"""Alternatives in the supply graph: type groups, substitutes, and availability propagation.

Three relations carry supply (``docs/methods/alternatives.md`` has the worked example):

- ``goes_into`` (u -> v): u is a required input of v. v is available only as far as its
  scarcest input allows: a(v) <= a(u).
- ``is_type_of`` (t -> c): t is one of the alternative types of the category c, with a share
  w_t of the category's supply (NaN = unknown). The types supply the category together:

      A_types(c) = sum over known t of w_t a(t) + R_c x (min | max) over the residual types of a(t)

  R_c = max(0, 1 - sum of known w_t) belongs to the types whose share is unknown (to any of
  the category's types when every share is given): the lowest completion puts all of R_c on
  the least available of them, the highest on the most available one, so a point value for
  any allocation lies between the two. With every share known both are sum_t w_t a(t).
- ``substitutes`` (b -> v, factor phi in [0, 1]): b can replace v; of the part of v's supply
  that is lost, b makes up phi x a(b) (capped at all of it):

      a(v) = base(v) + (1 - base(v)) x min(1, sum over substitutes b of phi_b a(b)).

Per node, in topological order:

    base(v) = min(o(v), min over goes_into inputs u of a(u), A_types(v) if v has types)

with o(v) the own availability (1 without a shock). Every step is non-decreasing in o and in
the inputs' availability, so propagating the lowest own availability with the lowest type
completion gives a lower bound of a(v) over all completions, and the highest an upper bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from supplychain.levels import LevelBlock, gather_ranges

__all__ = ["AltBlock", "PropagationBlocks", "alt_blocks", "propagate", "propagate_blocks", "restrict_alt_blocks"]


class PropagationBlocks(Protocol):
    """What :func:`propagate_blocks` walks: per level, the AND inputs, the types and the substitutes.

    A :class:`supplychain.graph.SupplyGraph`, or its part upstream of the final products
    (:attr:`supplychain.graph.SupplyGraph.final_inputs`, re-indexed).
    """

    @property
    def levels_and(self) -> tuple[LevelBlock, ...]: ...

    @property
    def type_blocks(self) -> tuple[AltBlock | None, ...]: ...

    @property
    def substitute_blocks(self) -> tuple[AltBlock | None, ...]: ...


@dataclass(frozen=True)
class AltBlock:
    """The ``is_type_of`` or ``substitutes`` in-edges of the nodes of one topological level.

    ``src[starts[i]:starts[i+1]]`` are the types (or substitutes) of ``nodes[i]``; ``weight``
    holds the known type shares (0 where unknown) or the substitutability factors;
    ``residual`` (types only) is R per node and ``candidate`` marks the edges that may hold it.
    """

    nodes: np.ndarray
    src: np.ndarray
    starts: np.ndarray
    weight: np.ndarray
    residual: np.ndarray
    candidate: np.ndarray


def alt_blocks(
    level: np.ndarray, src: np.ndarray, dst: np.ndarray, weight: np.ndarray, *, types: bool
) -> tuple[AltBlock | None, ...]:
    """One :class:`AltBlock` per level (``None`` where the level has no such edges).

    Parameters
    ----------
    level
        Topological level of every node.
    src, dst, weight
        The edges (node indices) and their share (types; NaN = unknown) or factor.
    types
        True for ``is_type_of`` edges (computes the residual and its candidates).
    """
    n_levels = int(level.max(initial=-1)) + 1
    out: list[AltBlock | None] = [None] * n_levels
    if len(src) == 0:
        return tuple(out)
    order = np.lexsort((src, dst, level[dst]))
    src, dst, weight = src[order], dst[order], weight[order]
    starts_all = np.flatnonzero(np.r_[True, dst[1:] != dst[:-1]])
    nodes_all = dst[starts_all]
    lv_of = level[nodes_all]
    for lv in np.unique(lv_of):
        sel = np.flatnonzero(lv_of == lv)
        ptr = np.append(starts_all, len(src))
        pos, starts = gather_ranges(ptr, sel)
        w = weight[pos]
        unknown = np.isnan(w)
        nodes = nodes_all[sel]
        if types:
            known_sum = np.add.reduceat(np.where(unknown, 0.0, w), starts) if len(pos) else np.zeros(0)
            residual = np.clip(1.0 - known_sum, 0.0, 1.0)
            any_unknown = np.maximum.reduceat(unknown.astype(np.int8), starts) > 0
            candidate = unknown | ~np.repeat(any_unknown, np.diff(np.append(starts, len(pos))))
        else:
            residual = np.zeros(len(nodes))
            candidate = np.zeros(len(pos), dtype=bool)
        out[int(lv)] = AltBlock(
            nodes=nodes,
            src=src[pos],
            starts=starts,
            weight=np.where(unknown, 0.0, w),
            residual=residual,
            candidate=candidate,
        )
    return tuple(out)


def propagate(graph: PropagationBlocks, own: np.ndarray, *, high: bool = False, in_place: bool = False) -> np.ndarray:
    """a(v) for every node from own availability ``own`` (one scenario (n,) or many (n, k)).

    Parameters
    ----------
    graph
        Array form of the graph (a :class:`supplychain.graph.SupplyGraph` or its part upstream of the finals).
    own
        o(v), in [0, 1]; float32 or float64.
    high
        Where a category's type shares are unknown, put the residual R_c on its most available
        residual type (upper bound) instead of the least available one (lower bound).
    in_place
        Overwrite ``own`` (saves a copy of a large scenario matrix).

    Returns
    -------
    numpy.ndarray
        a(v), same shape and dtype as ``own``.
    """
    avail = own if in_place else np.array(own, copy=True)
    return propagate_blocks(graph, avail, high=high)


def propagate_blocks(graph: PropagationBlocks, avail: np.ndarray, *, high: bool = False) -> np.ndarray:
    """:func:`propagate` in place on ``avail`` over the blocks of ``graph`` (rows = its nodes).

    The same steps in the same order as :func:`propagate`, so that a part of the graph closed
    under inputs (every input, type and substitute of a node in it is in it) gives its nodes
    exactly the values the whole graph gives them.
    """
    two_d = avail.ndim == 2
    for lv, block in enumerate(graph.levels_and):
        if len(block.nodes):
            low = block.reduce(avail, np.minimum)
            avail[block.nodes] = np.minimum(low, np.take(avail, block.nodes, axis=0), out=low)
        types = graph.type_blocks[lv] if graph.type_blocks else None
        if types is not None:
            combo = _combine_types(avail, types, high=high, two_d=two_d)
            avail[types.nodes] = np.minimum(avail[types.nodes], combo.astype(avail.dtype))
        subs = graph.substitute_blocks[lv] if graph.substitute_blocks else None
        if subs is not None:
            vals = np.take(avail, subs.src, axis=0)
            w = subs.weight[:, None] if two_d else subs.weight
            cover = np.minimum(np.add.reduceat(vals * w, subs.starts, axis=0), 1.0)
            base = avail[subs.nodes]
            avail[subs.nodes] = (base + (1.0 - base) * cover).astype(avail.dtype)
    return avail


def _combine_types(avail: np.ndarray, block: AltBlock, *, high: bool, two_d: bool) -> np.ndarray:
    """A_types(c) of the categories in ``block`` (lowest or highest completion)."""
    vals = np.take(avail, block.src, axis=0).astype(np.float64)
    w = block.weight[:, None] if two_d else block.weight
    known = np.add.reduceat(vals * w, block.starts, axis=0)
    cand = block.candidate[:, None] if two_d else block.candidate
    if high:
        extreme = np.maximum.reduceat(np.where(cand, vals, -np.inf), block.starts, axis=0)
    else:
        extreme = np.minimum.reduceat(np.where(cand, vals, np.inf), block.starts, axis=0)
    extreme = np.where(np.isfinite(extreme), extreme, 0.0)
    r = block.residual[:, None] if two_d else block.residual
    return np.clip(known + r * extreme, 0.0, 1.0)


def restrict_alt_blocks(
    blocks: tuple[AltBlock | None, ...], keep: np.ndarray, new_index: np.ndarray, n_levels: int
) -> tuple[AltBlock | None, ...]:
    """The blocks of the nodes in ``keep`` (with all their edges), re-indexed by ``new_index``.

    Parameters
    ----------
    blocks
        One :class:`AltBlock` (or ``None``) per level, as :func:`alt_blocks` returns them.
    keep
        Mask of the nodes kept; every source of a kept node's edges must be kept too.
    new_index
        Position of each kept node in the restricted graph.
    n_levels
        Number of levels of the restricted graph (levels above hold no kept node).

    Returns
    -------
    tuple
        ``n_levels`` entries (``()`` when ``blocks`` is empty); edges keep their order, so sums
        over a node's edges are bit-identical.
    """
    if not blocks:
        return ()
    out: list[AltBlock | None] = [None] * n_levels
    for lv, block in enumerate(blocks[:n_levels]):
        if block is None:
            continue
        sel = np.flatnonzero(keep[block.nodes])
        if len(sel) == 0:
            continue
        pos, starts = gather_ranges(np.append(block.starts, len(block.src)), sel)
        out[lv] = AltBlock(
            nodes=new_index[block.nodes[sel]],
            src=new_index[block.src[pos]],
            starts=starts,
            weight=block.weight[pos],
            residual=block.residual[sel],
            candidate=block.candidate[pos],
        )
    return tuple(out)
