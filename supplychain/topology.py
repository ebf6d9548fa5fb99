"""Small-graph walks on the networkx model: cycle search, levels, layered positions, upstream/downstream chains.

These are the graph algorithms the importers and the app need (refuse a cyclic dataset and name the cycle; draw a
supply chain in levels from raw inputs to final products; list the chains above and below one node). They live
here, beside the rest of the graph algorithms, so that the application layer only calls them.

Edges are ``src -> dst`` ("src goes into dst" or "src is a type of dst"), as in :mod:`supplychain.schema`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import networkx as nx
import pandas as pd

from supplychain.errors import SchemaError

__all__ = ["chains", "find_cycle", "layered_layout", "node_levels"]

Direction = Literal["upstream", "downstream"]


def _digraph(node_ids: list[str], edges: pd.DataFrame) -> nx.DiGraph:
    graph: nx.DiGraph = nx.DiGraph()
    graph.add_nodes_from(node_ids)
    known = set(node_ids)
    graph.add_edges_from(
        (str(s), str(d)) for s, d in zip(edges["src"], edges["dst"], strict=True) if s in known and d in known
    )
    return graph


def find_cycle(edges: Iterable[tuple[str, str]]) -> list[str] | None:
    """A directed cycle among ``edges`` as a node list with the first node repeated at the end, or ``None``.

    Examples
    --------
    >>> find_cycle([("a", "b"), ("b", "c"), ("c", "a")])
    ['a', 'b', 'c', 'a']
    >>> find_cycle([("a", "b")]) is None
    True
    """
    graph: nx.DiGraph = nx.DiGraph()
    graph.add_edges_from(edges)
    try:
        cycle = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        return None
    nodes = [str(u) for u, _v in cycle]
    return [*nodes, nodes[0]]


def node_levels(node_ids: list[str], edges: pd.DataFrame) -> dict[str, int]:
    """Longest-path depth of every node from the raw inputs.

    level(v) = 0 when nothing goes into v, else max over inputs u of level(u) + 1. Nodes on a cycle (which a
    validated dataset never has) share the level of their strongly connected component, so a drawing still works.

    Examples
    --------
    >>> edges = pd.DataFrame({"src": ["a", "b", "a"], "dst": ["b", "c", "c"]})
    >>> node_levels(["a", "b", "c"], edges)
    {'a': 0, 'b': 1, 'c': 2}
    """
    graph = _digraph(node_ids, edges)
    condensed = nx.condensation(graph)
    level: dict[str, int] = {}
    for depth, generation in enumerate(nx.topological_generations(condensed)):
        for component in generation:
            for node in condensed.nodes[component]["members"]:
                level[node] = depth
    return {node: level[node] for node in node_ids}


def layered_layout(nodes: pd.DataFrame, edges: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Positions for a layered drawing of the supply graph: inputs on the left, final products on the right.

    Parameters
    ----------
    nodes
        At least ``node_id`` (other columns are kept).
    edges
        ``src``, ``dst`` (src goes into dst).

    Returns
    -------
    (positions, segments)
        ``positions``: the node columns plus ``level`` (longest path from a raw input, = x) and ``y`` (rank within
        the level, centred on 0, ordered by node id). ``segments``: ``src``, ``dst``, ``x0``, ``y0``, ``x1``,
        ``y1`` for the edges between kept nodes, sorted by ``src`` then ``dst``.
    """
    ids = sorted(str(n) for n in nodes["node_id"])
    level = node_levels(ids, edges)
    positions = nodes.copy()
    positions["level"] = positions["node_id"].astype(str).map(level).astype(int)
    positions = positions.sort_values(["level", "node_id"], kind="stable").reset_index(drop=True)
    rank = positions.groupby("level").cumcount()
    size = positions.groupby("level")["node_id"].transform("count")
    positions["y"] = (rank - (size - 1) / 2.0).astype(float)
    where = positions.set_index("node_id")[["level", "y"]]
    kept = edges[edges["src"].isin(where.index) & edges["dst"].isin(where.index)]
    segments = pd.DataFrame(
        {
            "src": kept["src"].to_numpy(),
            "dst": kept["dst"].to_numpy(),
            "x0": kept["src"].map(where["level"]).astype(float).to_numpy(),
            "y0": kept["src"].map(where["y"]).astype(float).to_numpy(),
            "x1": kept["dst"].map(where["level"]).astype(float).to_numpy(),
            "y1": kept["dst"].map(where["y"]).astype(float).to_numpy(),
        }
    )
    return positions, segments.sort_values(["src", "dst"], kind="stable").reset_index(drop=True)


def chains(edges: pd.DataFrame, node_id: str, *, direction: Direction) -> pd.DataFrame:
    """Every node upstream (what goes into ``node_id``, recursively) or downstream (what it goes into).

    Returns ``node_id``, ``depth`` (fewest steps from the chosen node, 1 = direct) and ``via`` (the neighbour on a
    shortest path back to the chosen node; among equals the smallest id), sorted by depth then id.

    Examples
    --------
    >>> edges = pd.DataFrame({"src": ["ore", "metal"], "dst": ["metal", "chip"]})
    >>> chains(edges, "chip", direction="upstream").to_dict("records")
    [{'node_id': 'metal', 'depth': 1, 'via': 'chip'}, {'node_id': 'ore', 'depth': 2, 'via': 'metal'}]
    """
    if direction not in ("upstream", "downstream"):
        raise SchemaError(f"direction must be 'upstream' or 'downstream', got {direction!r}")
    ids = sorted({str(n) for n in edges["src"]} | {str(n) for n in edges["dst"]} | {node_id})
    graph = _digraph(ids, edges)
    if direction == "upstream":
        graph = graph.reverse(copy=False)
    rows = [
        {"node_id": child, "depth": depth, "via": parent} for depth, (parent, child) in _bfs_with_depth(graph, node_id)
    ]
    frame = pd.DataFrame(rows, columns=["node_id", "depth", "via"])
    return frame.sort_values(["depth", "node_id"], kind="stable").reset_index(drop=True)


def _bfs_with_depth(graph: nx.DiGraph, source: str) -> list[tuple[int, tuple[str, str]]]:
    depth = {source: 0}
    found: list[tuple[int, tuple[str, str]]] = []
    for parent, child in nx.bfs_edges(graph, source, sort_neighbors=sorted):
        depth[child] = depth[parent] + 1
        found.append((depth[child], (str(parent), str(child))))
    return found
