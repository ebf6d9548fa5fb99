"""The supply graph in two forms: a networkx model and a compressed array form.

networkx is the model analysts and tests reason about (:func:`to_networkx`); the hot paths run on
:class:`SupplyGraph`, numpy arrays built once from the same edge list (CSR of in-edges and
out-edges, node ids in sorted order, topological levels by Kahn peeling). Tests prove that both
give the same answers (``supplychain.reference`` holds the plain networkx versions).

Edge semantics: ``goes_into`` (src is an input of dst). ``is_type_of`` (src is a type of dst) is
treated like ``goes_into`` by default: a category (e.g. "lithography tools") stands for the
capability as a whole and, in this method, needs each of its types (EUV, ArF immersion, ...) to
be fully available; this is the conservative reading and makes a type's failure visible in its
category's reach. With ``Thresholds(type_of_as_input=False)`` type edges are left out of the
structure (a category then counts only its own supply).

Final products: nodes of kind ``final_product``; when none is marked, the nodes with no outgoing
edge.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from supplychain.errors import GraphError
from supplychain.schema import run_starts, split_list, validate_edges, validate_nodes
from supplychain.thresholds import DEFAULT_THRESHOLDS, Thresholds

if TYPE_CHECKING:  # networkx is imported lazily: only the model form needs it
    import networkx as nx

_MIN_DIAGONAL = 512

__all__ = [
    "LevelBlock",
    "SupplyGraph",
    "build_graph",
    "gather_ranges",
    "structural_edges",
    "to_networkx",
]


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
    levels_in, levels_out
        Per-level gathered in- and out-neighbours for vectorised sweeps.
    id_series
        ``ids`` as a pandas string Series (fast lookups of ids).
    """

    ids: np.ndarray
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
    levels_out: tuple[LevelBlock, ...]
    id_series: pd.Series

    @property
    def n(self) -> int:
        """Number of nodes."""
        return len(self.ids)

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
        return _codes(self.id_series, values)[0]

    @property
    def finals(self) -> np.ndarray:
        """Indices of the final products, sorted."""
        return np.flatnonzero(self.is_final)


def structural_edges(edges: pd.DataFrame, *, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> pd.DataFrame:
    """The ``src, dst`` pairs that carry supply (goes_into, plus is_type_of by default)."""
    keep = edges["relation"] == "goes_into"
    if thresholds.type_of_as_input:
        keep |= edges["relation"] == "is_type_of"
    out = edges.loc[keep, ["src", "dst"]].drop_duplicates()
    return out.reset_index(drop=True)


def build_graph(
    nodes: pd.DataFrame,
    edges: pd.DataFrame,
    *,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    validate: bool = True,
) -> SupplyGraph:
    """Build the array form of the supply graph.

    Parameters
    ----------
    nodes, edges
        Frames as described in :mod:`supplychain.schema`.
    thresholds
        ``type_of_as_input`` decides whether ``is_type_of`` edges carry supply.
    validate
        Validate and normalise the frames first (skip only for frames already validated).

    Returns
    -------
    SupplyGraph

    Raises
    ------
    GraphError
        When an edge names an unknown node or the graph has a cycle (the message lists nodes
        on it).
    """
    if validate:
        nodes = validate_nodes(nodes)
        edges = validate_edges(edges)
    ids = nodes["node_id"].to_numpy(dtype=object)
    if len(ids) > 1 and not (ids[1:] > ids[:-1]).all():
        order_ids = np.argsort(ids, kind="stable")
        nodes = nodes.iloc[order_ids].reset_index(drop=True)
        ids = ids[order_ids]
    n = len(ids)
    keep = (edges["relation"] == "goes_into").to_numpy(dtype=bool, copy=True)
    if thresholds.type_of_as_input:
        keep = keep | (edges["relation"] == "is_type_of").to_numpy(dtype=bool)
    kept = edges[keep]
    src, dst = _codes(nodes["node_id"], kept["src"], kept["dst"])
    for col, arr in (("src", src), ("dst", dst)):
        if (arr < 0).any():
            bad = kept[col].to_numpy()[arr < 0][0]
            raise GraphError(f"edge {col} {bad!r} is not in the nodes frame; add the node")
    key = src * max(n, 1) + dst
    if len(key) > 1 and not bool((key[1:] > key[:-1]).all()):  # validated edges: sorted, unique
        key = np.sort(key)
        key = key[np.r_[True, key[1:] != key[:-1]]]
    src, dst = key // max(n, 1), key % max(n, 1)
    return _assemble(nodes, ids, src.astype(np.int64), dst.astype(np.int64), n)


def to_networkx(
    nodes: pd.DataFrame,
    edges: pd.DataFrame,
    *,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> nx.DiGraph:
    """The networkx model: one node per ``node_id`` with its attributes, structural edges.

    Node attributes: ``name``, ``kind``, ``markets`` (list), ``market_weight``, ``final`` (bool).
    Edge attribute ``relation`` keeps the original relation.
    """
    import networkx as nx

    nodes = validate_nodes(nodes)
    edges = validate_edges(edges)
    graph: nx.DiGraph = nx.DiGraph()
    finals = _final_mask(nodes, structural_edges(edges, thresholds=thresholds))
    for record, final in zip(nodes.to_dict("records"), finals, strict=True):
        graph.add_node(
            record["node_id"],
            name=record["name"],
            kind=record["kind"],
            markets=split_list(record["markets"]),
            market_weight=float(record["market_weight"]),
            final=bool(final),
        )
    keep = edges["relation"] == "goes_into"
    if thresholds.type_of_as_input:
        keep |= edges["relation"] == "is_type_of"
    for row in edges[keep].itertuples(index=False):
        if row.src not in graph or row.dst not in graph:
            raise GraphError(f"edge {row.src!r} -> {row.dst!r} names an unknown node")
        graph.add_edge(row.src, row.dst, relation=row.relation)
    if not nx.is_directed_acyclic_graph(graph):
        cycle = [u for u, _ in nx.find_cycle(graph)]
        raise GraphError(f"the supply graph has a cycle through {cycle}; remove one edge")
    return graph


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


def _codes(ids: pd.Series, *columns: pd.Series) -> list[np.ndarray]:
    """Positions of the values of each column in ``ids`` (-1 where absent), one hashing pass.

    Runs of equal consecutive values (a sorted ``src`` column) are hashed once per run.
    """
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


def _final_mask(nodes: pd.DataFrame, pairs: pd.DataFrame) -> np.ndarray:
    marked = (nodes["kind"] == "final_product").to_numpy()
    if marked.any():
        return marked
    has_out = nodes["node_id"].isin(pairs["src"]).to_numpy()
    return ~has_out


def _csr(keys: np.ndarray, vals: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys, minlength=n), out=ptr[1:])
    if len(keys) > 1 and not np.all((keys[1:] > keys[:-1]) | ((keys[1:] == keys[:-1]) & (vals[1:] >= vals[:-1]))):
        order = np.argsort(keys * max(n, 1) + vals, kind="stable")
        return ptr, vals[order].astype(np.int64)
    return ptr, vals.astype(np.int64)


def _transpose(ptr: np.ndarray, idx: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """CSR of the reversed edges from a CSR with sorted rows (a counting sort in C; rows sorted)."""
    import scipy.sparse as sp

    fwd = sp.csr_matrix((np.ones(len(idx), dtype=np.int8), idx, ptr), shape=(n, n))
    rev = fwd.tocsc()
    return rev.indptr.astype(np.int64), rev.indices.astype(np.int64)


def _kahn_levels(in_ptr: np.ndarray, out_ptr: np.ndarray, out_idx: np.ndarray) -> np.ndarray:
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


def _blocks(level: np.ndarray, order: np.ndarray, ptr: np.ndarray, idx: np.ndarray) -> tuple[LevelBlock, ...]:
    bounds = np.searchsorted(level[order], np.arange(int(level.max(initial=-1)) + 2))
    blocks = []
    for lv in range(len(bounds) - 1):
        members = order[bounds[lv] : bounds[lv + 1]]
        members = members[ptr[members + 1] > ptr[members]]
        deg = ptr[members + 1] - ptr[members]
        by_deg = np.argsort(-deg, kind="stable")
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


def _assemble(nodes: pd.DataFrame, ids: np.ndarray, src: np.ndarray, dst: np.ndarray, n: int) -> SupplyGraph:
    out_ptr, out_idx = _csr(src, dst, n)
    in_ptr, in_idx = _transpose(out_ptr, out_idx, n)
    level = _kahn_levels(in_ptr, out_ptr, out_idx)
    if (level < 0).any():
        stuck = ids[level < 0][:5].tolist()
        raise GraphError(f"the supply graph has a cycle involving {stuck}; remove one edge")
    order = np.lexsort((np.arange(n), level))
    has_out = np.diff(out_ptr) > 0
    marked = (nodes["kind"] == "final_product").to_numpy()
    is_final = marked if marked.any() else ~has_out
    with_markets = np.flatnonzero((nodes["markets"] != "").to_numpy(dtype=bool))
    cells = nodes["markets"].take(with_markets).to_numpy(dtype=object)
    market_lists = {int(v): split_list(cell) for v, cell in zip(with_markets, cells, strict=True)}
    markets = tuple(sorted({m for lst in market_lists.values() for m in lst}))
    words = max(1, (len(markets) + 63) // 64)
    market_bits = np.zeros((n, words), dtype=np.uint64)
    pos_of = {m: j for j, m in enumerate(markets)}
    for v, lst in market_lists.items():
        for m in lst:
            j = pos_of[m]
            market_bits[v, j // 64] |= np.uint64(1) << np.uint64(j % 64)
    reverse = order[::-1].copy()
    rev_level = level.max(initial=0) - level
    return SupplyGraph(
        ids=ids,
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
        levels_in=_blocks(level, order, in_ptr, in_idx),
        levels_out=_blocks_reverse(rev_level, reverse, out_ptr, out_idx),
        id_series=nodes["node_id"].astype("str").reset_index(drop=True),
    )


def _blocks_reverse(
    rev_level: np.ndarray, reverse: np.ndarray, ptr: np.ndarray, idx: np.ndarray
) -> tuple[LevelBlock, ...]:
    # out-neighbours of a node lie on higher levels; walk levels from the top down.
    order = reverse[np.argsort(rev_level[reverse], kind="stable")]
    return _blocks(rev_level, order, ptr, idx)
