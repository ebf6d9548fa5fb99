"""The networkx model of the supply graph.

networkx is the model analysts and tests reason about: :func:`to_networkx` gives one node per
``node_id`` with its attributes and one edge per supply pair, with its relations and the share
(``is_type_of``) or factor (``substitutes``). Cycles are named by the project's one cycle search,
:func:`supplychain.topology.find_cycle` (also used by the array form and the importers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from supplychain.errors import GraphError
from supplychain.graph import final_mask, structural_edges
from supplychain.schema import split_list, validate_edges, validate_nodes
from supplychain.topology import find_cycle

if TYPE_CHECKING:  # networkx is imported lazily: only the model form needs it
    import networkx as nx

__all__ = ["to_networkx"]


def to_networkx(nodes: pd.DataFrame, edges: pd.DataFrame) -> nx.DiGraph:
    """The networkx model: one node per ``node_id`` with its attributes, one edge per supply pair.

    Node attributes: ``name``, ``kind``, ``markets`` (list), ``market_weight``, ``final``
    (bool). Edge attributes: ``relations`` (the set of relations of the pair), ``share`` (the
    type share, NaN when unknown, on ``is_type_of`` pairs) and ``factor`` (on ``substitutes``
    pairs).

    Raises
    ------
    GraphError
        When an edge names an unknown node or the graph has a cycle.
    """
    import networkx as nx

    nodes = validate_nodes(nodes)
    edges = validate_edges(edges)
    graph: nx.DiGraph = nx.DiGraph()
    finals = final_mask(nodes, structural_edges(edges))
    for record, final in zip(nodes.to_dict("records"), finals, strict=True):
        graph.add_node(
            record["node_id"],
            name=record["name"],
            kind=record["kind"],
            markets=split_list(record["markets"]),
            market_weight=float(record["market_weight"]),
            final=bool(final),
        )
    for row in edges.itertuples(index=False):
        if row.src not in graph or row.dst not in graph:
            raise GraphError(f"edge {row.src!r} -> {row.dst!r} names an unknown node")
        if not graph.has_edge(row.src, row.dst):
            graph.add_edge(row.src, row.dst, relations=set())
        data = graph.edges[row.src, row.dst]
        data["relations"].add(row.relation)
        if row.relation == "is_type_of":
            data["share"] = float(row.share)  # type: ignore[arg-type]
        elif row.relation == "substitutes":
            data["factor"] = float(row.factor)  # type: ignore[arg-type]
    cycle = find_cycle(graph.edges)
    if cycle:
        raise GraphError(f"the supply graph has a cycle through {cycle}; remove one edge")
    return graph
