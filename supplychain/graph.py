"""The supply graph in its array form (:class:`SupplyGraph`), built once from the edge list.

The hot paths run on numpy arrays built from the frames: CSR of in-edges and out-edges over
every supply relation, node ids in sorted order, topological levels by Kahn peeling
(:mod:`supplychain.levels`), and per level the ``goes_into`` in-edges and the alternatives
(:mod:`supplychain.alternatives`). The networkx model of the same frames is
:func:`supplychain.reference.to_networkx`; tests prove both give the same answers
(``supplychain.reference`` holds the plain networkx versions).

Edge semantics (``docs/methods/alternatives.md``): ``goes_into`` = required input (AND);
``is_type_of`` = one of the alternative types of a category (share-weighted, bounded where the
shares are unknown); ``substitutes`` = src can replace dst up to a factor. All three order the
graph (levels, dominators, downstream reach); availability combines them as
:func:`supplychain.alternatives.propagate` says.

Final products: nodes of kind ``final_product``; when none is marked, the nodes with no outgoing
edge.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from supplychain.alternatives import AltBlock, alt_blocks, restrict_alt_blocks
from supplychain.errors import GraphError
from supplychain.keys import lookup_keys
from supplychain.levels import (
    LevelBlock,
    csr_from_pairs,
    gather_ranges,
    kahn_levels,
    level_blocks,
    reverse_level_blocks,
    transpose,
)
from supplychain.schema import all_equal, run_starts, split_list, validate_edges, validate_nodes

__all__ = ["FinalInputs", "SupplyGraph", "build_graph", "final_mask", "structural_edges"]


@dataclass(frozen=True)
class FinalInputs:
    """The final products and every node upstream of one, re-indexed (built by
    :attr:`SupplyGraph.final_inputs`).

    U = {f final} united with the ancestors of the final products over every supply relation.
    U is closed under inputs, so availability (:func:`supplychain.alternatives.propagate_blocks`)
    and downstream reach restricted to U give the nodes of U exactly the values of the whole
    graph; outside U, a node reaches no final product. Position i here is node ``nodes[i]``.

    Attributes
    ----------
    nodes
        Indices of the nodes of U in the whole graph (sorted).
    finals
        Positions of the final products (``SupplyGraph.finals``, same order) in ``nodes``.
    levels_and, type_blocks, substitute_blocks
        As in :class:`SupplyGraph`, over U (same levels).
    levels_out
        Out-neighbours inside U per level, from the top level down (edges leaving U dropped:
        their targets reach no final product).
    """

    nodes: np.ndarray
    finals: np.ndarray
    levels_and: tuple[LevelBlock, ...]
    type_blocks: tuple[AltBlock | None, ...]
    substitute_blocks: tuple[AltBlock | None, ...]
    levels_out: tuple[LevelBlock, ...]

    @property
    def n(self) -> int:
        """Number of nodes of U."""
        return len(self.nodes)


@dataclass(frozen=True)
class SupplyGraph:
    """Array form of the supply graph (read-only; build with :func:`build_graph`).

    Attributes
    ----------
    ids
        Node ids (object array, sorted); position = node index.
    in_ptr, in_idx
        CSR of in-edges: the inputs of node v are ``in_idx[in_ptr[v]:in_ptr[v+1]]``.
    out_ptr, out_idx
        CSR of out-edges: the nodes that node v goes into.
    level
        Topological level (0 = no inputs; else 1 + max level of the inputs), by Kahn peeling.
    order
        Node indices sorted by (level, index): a deterministic topological order.
    is_final
        Final-product mask.
    weight
        ``market_weight`` per node (used for final products).
    markets
        Sorted focus-market ids; ``market_bits[v]`` has bit j set when node v serves markets[j].
    levels_in
        Per-level gathered in-neighbours over every supply relation (dominators); the
        out-neighbours (downstream reach), :attr:`levels_out`, are gathered on first use.
    levels_and
        Per-level gathered ``goes_into`` in-neighbours (the AND step of availability; the same
        object as ``levels_in`` when the graph has no alternatives).
    type_blocks, substitute_blocks
        Per level, the ``is_type_of`` and ``substitutes`` in-edges (``None`` where a level has
        none; empty tuples when the graph has none at all).
    id_series
        ``ids`` as a pandas string Series (fast lookups of ids).
    id_column
        The nodes frame's ``node_id`` column in node order (``ids``, the object array of the
        same values, is made from it on first use).
    """

    in_ptr: np.ndarray
    in_idx: np.ndarray
    out_ptr: np.ndarray
    out_idx: np.ndarray
    level: np.ndarray
    order: np.ndarray
    is_final: np.ndarray
    weight: np.ndarray
    markets: tuple[str, ...]
    market_bits: np.ndarray
    levels_in: tuple[LevelBlock, ...]
    levels_and: tuple[LevelBlock, ...]
    type_blocks: tuple[AltBlock | None, ...]
    substitute_blocks: tuple[AltBlock | None, ...]
    id_series: pd.Series
    id_column: pd.Series

    @cached_property
    def ids(self) -> np.ndarray:
        """Node ids (object array, sorted); position = node index (built on first use)."""
        return self.id_column.to_numpy(dtype=object)

    def ids_at(self, positions: np.ndarray) -> np.ndarray:
        """``ids[positions]`` (object array) without building :attr:`ids` for every node."""
        if "ids" in self.__dict__:
            return self.ids[positions]
        return self.id_column.take(np.asarray(positions, dtype=np.int64)).to_numpy(dtype=object)

    @cached_property
    def levels_out(self) -> tuple[LevelBlock, ...]:
        """Per-level gathered out-neighbours over every supply relation, from the top level down
        (built on first use)."""
        return reverse_level_blocks(self.level, self.order, self.out_ptr, self.out_idx)

    @property
    def n(self) -> int:
        """Number of nodes."""
        return len(self.id_column)

    @property
    def n_edges(self) -> int:
        """Number of structural edges."""
        return len(self.in_idx)

    def index_of(self, node_ids: object) -> np.ndarray:
        """Node indices of ``node_ids`` (-1 where unknown)."""
        if isinstance(node_ids, pd.Series):
            values = node_ids
        else:
            values = pd.Series(np.atleast_1d(np.asarray(node_ids, dtype=object)), dtype="str")
        if len(values) == self.n and all_equal(values, self.id_series):  # the ids themselves, in order
            return np.arange(self.n, dtype=np.int64)
        return _codes(self.id_series, values)[0]

    @property
    def finals(self) -> np.ndarray:
        """Indices of the final products, sorted."""
        return np.flatnonzero(self.is_final)

    @property
    def has_alternatives(self) -> bool:
        """True when the graph has ``is_type_of`` or ``substitutes`` edges."""
        return any(b is not None for b in self.type_blocks + self.substitute_blocks)

    @cached_property
    def final_inputs(self) -> FinalInputs:
        """The part of the graph upstream of the final products (:class:`FinalInputs`).

        Built on first use (one backward sweep and the blocks of U) and kept with the graph:
        sweeps that report final products only run on it.
        """
        return _final_inputs(self)


def structural_edges(edges: pd.DataFrame) -> pd.DataFrame:
    """The distinct ``src, dst`` pairs of every supply relation (the graph's structure)."""
    return edges[["src", "dst"]].drop_duplicates().reset_index(drop=True)


def build_graph(nodes: pd.DataFrame, edges: pd.DataFrame, *, validate: bool = True) -> SupplyGraph:
    """Build the array form of the supply graph.

    Parameters
    ----------
    nodes, edges
        Frames as described in :mod:`supplychain.schema`.
    validate
        Validate and normalise the frames first (skip only for frames already validated).

    Returns
    -------
    SupplyGraph

    Raises
    ------
    GraphError
        When an edge names an unknown node or the graph has a cycle (the message lists the
        nodes on one cycle).
    """
    if validate:
        nodes = validate_nodes(nodes)
        edges = validate_edges(edges)
    if not _strictly_increasing(nodes["node_id"]):
        order_ids = np.argsort(nodes["node_id"].to_numpy(dtype=object), kind="stable")
        nodes = nodes.iloc[order_ids].reset_index(drop=True)
    n = len(nodes)
    src, dst = _codes(nodes["node_id"], edges["src"], edges["dst"])
    for col, arr in (("src", src), ("dst", dst)):
        if (arr < 0).any():
            bad = edges[col].to_numpy()[arr < 0][0]
            raise GraphError(f"edge {col} {bad!r} is not in the nodes frame; add the node")
    alt = (edges["relation"] != "goes_into").to_numpy(dtype=bool)
    alternatives = None
    if alt.any():
        picked = np.flatnonzero(alt)  # the few alternative rows: no copy of the whole frame
        is_type = (edges["relation"].iloc[picked] == "is_type_of").to_numpy(dtype=bool)
        value = np.where(
            is_type,
            edges["share"].to_numpy(dtype=np.float64)[picked],
            edges["factor"].to_numpy(dtype=np.float64)[picked],
        )
        alternatives = (src[alt], dst[alt], is_type, value, src[~alt], dst[~alt])
    src, dst = _unique_pairs(src, dst, n)
    return _assemble(nodes, src, dst, n, alternatives)


def final_mask(nodes: pd.DataFrame, pairs: pd.DataFrame) -> np.ndarray:
    """Final products: nodes of kind ``final_product``, else those without an outgoing pair."""
    marked = (nodes["kind"] == "final_product").to_numpy()
    if marked.any():
        return marked
    has_out = nodes["node_id"].isin(pairs["src"]).to_numpy()
    return ~has_out


def _strictly_increasing(column: pd.Series) -> bool:
    """True when each value of ``column`` is greater than the one before (sorted, no duplicates).

    A string column is compared in pyarrow (no Python string per row); others as objects.
    """
    if len(column) < 2:
        return True
    try:
        import pyarrow as pa
        import pyarrow.compute as pc

        arr = pa.array(column.array) if column.dtype == "str" else None
    except (ImportError, TypeError, ValueError):  # pragma: no cover - pyarrow ships with pandas 3 here
        arr = None
    if arr is not None and arr.null_count == 0:
        return bool(pc.all(pc.less(arr[:-1], arr[1:])).as_py())
    values = column.to_numpy(dtype=object)
    return bool((values[1:] > values[:-1]).all())


def _unique_pairs(src: np.ndarray, dst: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (src, dst) pairs sorted by src then dst, as int64 arrays.

    Validated edges come sorted and unique (sorted ids: codes in the same order): then the
    pairs are returned as they are, without a sort.
    """
    key = src.astype(np.int64) * max(n, 1) + dst
    if len(key) > 1 and not bool((key[1:] > key[:-1]).all()):
        key = np.sort(key)
        key = key[np.r_[True, key[1:] != key[:-1]]]
        return key // max(n, 1), key % max(n, 1)
    return src.astype(np.int64, copy=False), dst.astype(np.int64, copy=False)


def _codes(ids: pd.Series, *columns: pd.Series) -> list[np.ndarray]:
    """Positions of the values of each column in ``ids`` (-1 where absent), one hashing pass.

    Unique ids without missing values go by fixed-width byte keys (:func:`supplychain.keys.lookup_keys`);
    otherwise runs of equal consecutive values (a sorted ``src`` column) are hashed once per
    run.
    """
    fast = lookup_keys(ids, columns)
    if fast is not None:
        return fast
    runs = [_runs(c.reset_index(drop=True).astype("str")) for c in columns]
    ids = ids.reset_index(drop=True).astype("str")
    if all(len(values) == len(ids) and bool((values == ids).all()) for values, _ in runs):
        # every column lists the ids in order (e.g. one block of rows per node, all nodes)
        at = np.arange(len(ids), dtype=np.int64)
        return [at if lengths is None else np.repeat(at, lengths) for _, lengths in runs]
    parts = [ids] + [values for values, _ in runs]
    codes, _ = pd.factorize(pd.concat(parts, ignore_index=True))
    n = len(ids)
    out = []
    lo = n
    for values, lengths in runs:
        part = codes[lo : lo + len(values)].astype(np.int64)
        part = np.where(part < n, part, -1)
        out.append(part if lengths is None else np.repeat(part, lengths))
        lo += len(values)
    return out


def _runs(column: pd.Series) -> tuple[pd.Series, np.ndarray | None]:
    """The first value of each run of equal consecutive values and the run lengths.

    Returns ``(column, None)`` when runs would save little (most runs of length 1).
    """
    m = len(column)
    if m < 2:
        return column, None
    starts = run_starts(column)
    if len(starts) > 0.75 * m:
        return column, None
    lengths = np.diff(np.append(starts, m))
    return column.take(starts).reset_index(drop=True), lengths


def _assemble(
    nodes: pd.DataFrame,
    src: np.ndarray,
    dst: np.ndarray,
    n: int,
    alternatives: tuple[np.ndarray, ...] | None,
) -> SupplyGraph:
    out_ptr, out_idx = csr_from_pairs(src, dst, n)
    in_ptr, in_idx = transpose(out_ptr, out_idx, n)
    level = kahn_levels(in_ptr, out_ptr, out_idx)
    if (level < 0).any():
        from supplychain.topology import find_cycle  # the project's one cycle search

        stuck = level < 0
        keep = stuck[src] & stuck[dst]
        ids = nodes["node_id"].to_numpy(dtype=object)
        cycle = find_cycle(zip(ids[src[keep]].tolist(), ids[dst[keep]].tolist(), strict=True)) or []
        raise GraphError(f"the supply graph has a cycle through {cycle}; remove one edge")
    order = np.lexsort((np.arange(n), level))
    has_out = np.diff(out_ptr) > 0
    marked = (nodes["kind"] == "final_product").to_numpy()
    is_final = marked if marked.any() else ~has_out
    markets, market_bits = _market_bits(nodes, n)
    levels_in = level_blocks(level, order, in_ptr, in_idx)
    levels_and = levels_in
    type_blocks: tuple[AltBlock | None, ...] = ()
    sub_blocks: tuple[AltBlock | None, ...] = ()
    if alternatives is not None:
        a_src, a_dst, is_type, value, g_src, g_dst = alternatives
        # goes_into pairs as out-edges (validated edges come sorted by src, dst: no sort), then
        # the in-edges by a counting-sort transpose
        g_out_ptr, g_out_idx = csr_from_pairs(*_unique_pairs(g_src, g_dst, n), n)
        g_in_ptr, g_in_idx = transpose(g_out_ptr, g_out_idx, n)
        levels_and = level_blocks(level, order, g_in_ptr, g_in_idx)
        type_blocks = alt_blocks(level, a_src[is_type], a_dst[is_type], value[is_type], types=True)
        sub_blocks = alt_blocks(level, a_src[~is_type], a_dst[~is_type], value[~is_type], types=False)
    return SupplyGraph(
        in_ptr=in_ptr,
        in_idx=in_idx,
        out_ptr=out_ptr,
        out_idx=out_idx,
        level=level,
        order=order,
        is_final=np.asarray(is_final, dtype=bool),
        weight=nodes["market_weight"].to_numpy(dtype=np.float64),
        markets=markets,
        market_bits=market_bits,
        levels_in=levels_in,
        levels_and=levels_and,
        type_blocks=type_blocks,
        substitute_blocks=sub_blocks,
        id_series=nodes["node_id"].astype("str").reset_index(drop=True),
        id_column=nodes["node_id"].reset_index(drop=True),
    )


def _market_bits(nodes: pd.DataFrame, n: int) -> tuple[tuple[str, ...], np.ndarray]:
    """Sorted focus markets and, per node, a bitset of the markets it serves.

    Each distinct ``markets`` cell is split once; nodes take their cell's bitset.
    """
    with_markets = np.flatnonzero((nodes["markets"] != "").to_numpy(dtype=bool))
    cell_codes, cells = pd.factorize(nodes["markets"].take(with_markets))
    cell_lists = [split_list(cell) for cell in cells]
    markets = tuple(sorted({m for lst in cell_lists for m in lst}))
    words = max(1, (len(markets) + 63) // 64)
    pos_of = {m: j for j, m in enumerate(markets)}
    cell_bits = np.zeros((len(cell_lists), words), dtype=np.uint64)
    for c, lst in enumerate(cell_lists):
        for m in lst:
            j = pos_of[m]
            cell_bits[c, j // 64] |= np.uint64(1) << np.uint64(j % 64)
    market_bits = np.zeros((n, words), dtype=np.uint64)
    market_bits[with_markets] = cell_bits[cell_codes]
    return markets, market_bits


def _final_inputs(graph: SupplyGraph) -> FinalInputs:
    """U = final products and their ancestors, by one sweep over the in-edges (top level down)."""
    n = graph.n
    keep = graph.is_final.copy()
    for block in reversed(graph.levels_in):  # a node's inputs lie on lower levels
        sel = np.flatnonzero(keep[block.nodes])  # only the kept nodes' inputs are read
        if len(sel):
            pos, _ = gather_ranges(np.append(block.starts, len(block.neighbours)), sel)
            keep[block.neighbours[pos]] = True
    nodes = np.flatnonzero(keep)
    m = len(nodes)
    new_index = np.full(n, -1, dtype=np.int64)
    new_index[nodes] = np.arange(m, dtype=np.int64)
    level = graph.level[nodes]
    order = new_index[graph.order[keep[graph.order]]]  # (level, index) order, as graph.order
    # required inputs (AND) of the kept nodes: all kept (U is closed under inputs)
    dst_parts, src_parts = [], []
    for block in graph.levels_and:
        sel = np.flatnonzero(keep[block.nodes])
        if len(sel) == 0:
            continue
        pos, starts = gather_ranges(np.append(block.starts, len(block.neighbours)), sel)
        sizes = np.diff(np.append(starts, len(pos)))
        dst_parts.append(np.repeat(new_index[block.nodes[sel]], sizes))
        src_parts.append(new_index[block.neighbours[pos]])
    a_dst = np.concatenate(dst_parts) if dst_parts else np.zeros(0, dtype=np.int64)
    a_src = np.concatenate(src_parts) if src_parts else np.zeros(0, dtype=np.int64)
    and_ptr, and_idx = csr_from_pairs(a_dst, a_src, m)
    levels_and = level_blocks(level, order, and_ptr, and_idx)
    # out-edges between kept nodes
    pos, starts = gather_ranges(graph.out_ptr, nodes)
    o_src = np.repeat(np.arange(m, dtype=np.int64), np.diff(np.append(starts, len(pos))))
    o_dst = new_index[graph.out_idx[pos]]
    inside = o_dst >= 0
    out_ptr, out_idx = csr_from_pairs(o_src[inside], o_dst[inside], m)
    n_levels = len(levels_and)
    return FinalInputs(
        nodes=nodes,
        finals=new_index[graph.finals],
        levels_and=levels_and,
        type_blocks=restrict_alt_blocks(graph.type_blocks, keep, new_index, n_levels),
        substitute_blocks=restrict_alt_blocks(graph.substitute_blocks, keep, new_index, n_levels),
        levels_out=reverse_level_blocks(level, order, out_ptr, out_idx),
    )
