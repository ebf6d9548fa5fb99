"""Plain networkx implementations: the readable model the array form must agree with.

Used by the tests (both forms give identical results) and by ``benchmarks.graph`` as the naive
baseline. Each function mirrors one array function:

- :func:`nx_levels` <-> ``SupplyGraph.level``
- :func:`nx_knockout_reach` <-> ``Reach.knockout_bits``
- :func:`nx_immediate_dominators`, :func:`nx_dominated_finals` <-> ``Reach.idom``,
  ``Reach.dominated_bits``
- :func:`nx_availability` <-> :func:`supplychain.disruption.propagate_availability`
"""

from __future__ import annotations

from collections.abc import Mapping

import networkx as nx

__all__ = [
    "NX_SUPER_SOURCE",
    "nx_availability",
    "nx_dominated_finals",
    "nx_finals",
    "nx_immediate_dominators",
    "nx_knockout_reach",
    "nx_levels",
]

NX_SUPER_SOURCE = "__super_source__"


def nx_finals(graph: nx.DiGraph) -> list[str]:
    """Final products: nodes flagged ``final`` (else nodes without successors), sorted."""
    marked = sorted(v for v, d in graph.nodes(data=True) if d.get("final"))
    if marked:
        return marked
    return sorted(v for v in graph if graph.out_degree(v) == 0)


def nx_levels(graph: nx.DiGraph) -> dict[str, int]:
    """Topological level: 0 for nodes without inputs, else 1 + max level of the inputs."""
    level: dict[str, int] = {}
    for depth, generation in enumerate(nx.topological_generations(graph)):
        for v in generation:
            level[v] = depth
    return level


def nx_knockout_reach(graph: nx.DiGraph) -> dict[str, set[str]]:
    """Final products that lose all supply when a node's supply is removed (AND semantics)."""
    finals = set(nx_finals(graph))
    out: dict[str, set[str]] = {}
    for v in graph:
        reach = nx.descendants(graph, v) & finals
        if v in finals:
            reach.add(v)
        out[v] = reach
    return out


def nx_immediate_dominators(graph: nx.DiGraph) -> dict[str, str]:
    """Immediate dominators from a super-source joined to every node without inputs."""
    aug = nx.DiGraph(graph)
    aug.add_node(NX_SUPER_SOURCE)
    aug.add_edges_from((NX_SUPER_SOURCE, v) for v in graph if graph.in_degree(v) == 0)
    idom = nx.immediate_dominators(aug, NX_SUPER_SOURCE)
    return {v: idom[v] for v in graph}


def nx_dominated_finals(graph: nx.DiGraph) -> dict[str, set[str]]:
    """Final products each node dominates (every super-source path to them passes it)."""
    idom = nx_immediate_dominators(graph)
    out: dict[str, set[str]] = {v: set() for v in graph}
    for f in nx_finals(graph):
        cur = f
        while cur != NX_SUPER_SOURCE:
            out[cur].add(f)
            cur = idom[cur]
    return out


def nx_availability(graph: nx.DiGraph, own: Mapping[str, float]) -> dict[str, float]:
    """a(v) = min(o(v), min over inputs u of a(u)); ``own`` defaults to 1.0 per node."""
    avail: dict[str, float] = {}
    for v in nx.topological_sort(graph):
        value = float(own.get(v, 1.0))
        for u in graph.predecessors(v):
            value = min(value, avail[u])
        avail[v] = value
    return avail
