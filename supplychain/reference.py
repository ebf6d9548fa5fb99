"""The networkx model of the supply graph and plain networkx algorithms the array form must agree with.

:func:`to_networkx` is the model analysts and tests reason about: one node per ``node_id`` with its
attributes and one edge per supply pair, with its relations and the share (``is_type_of``) or
factor (``substitutes``); cycles are named by :func:`supplychain.topology.find_cycle`, the
project's one cycle search (also used by the array form and the importers).

Used by the tests (both forms give identical results) and by ``benchmarks.graph`` as the naive
baseline. Each function mirrors one array function:

- :func:`nx_levels` <-> ``SupplyGraph.level``
- :func:`nx_downstream_finals` <-> ``Reach.downstream_bits``
- :func:`nx_knockout_losses` <-> :func:`supplychain.knockout.knockouts` (one failure at a time)
- :func:`nx_immediate_dominators`, :func:`nx_dominated_finals` <-> ``Reach.idom``,
  ``Reach.dominated_bits``
- :func:`nx_availability` <-> :func:`supplychain.alternatives.propagate` (required inputs by
  min, types share-weighted with the residual on the least or most available residual type,
  substitutes making up their factor of the lost part)
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import networkx as nx
import pandas as pd

from supplychain.errors import GraphError
from supplychain.graph import final_mask, structural_edges
from supplychain.schema import split_list, validate_edges, validate_nodes
from supplychain.topology import find_cycle

__all__ = [
    "NX_SUPER_SOURCE",
    "nx_availability",
    "nx_dominated_finals",
    "nx_downstream_finals",
    "nx_finals",
    "nx_immediate_dominators",
    "nx_knockout_losses",
    "nx_levels",
    "to_networkx",
]

NX_SUPER_SOURCE = "__super_source__"


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


def nx_downstream_finals(graph: nx.DiGraph) -> dict[str, set[str]]:
    """Final products downstream of (or equal to) each node, along any supply relation."""
    finals = set(nx_finals(graph))
    out: dict[str, set[str]] = {}
    for v in graph:
        reach = nx.descendants(graph, v) & finals
        if v in finals:
            reach.add(v)
        out[v] = reach
    return out


def nx_knockout_losses(
    graph: nx.DiGraph, *, drop: Mapping[str, float] | None = None
) -> dict[str, dict[str, tuple[float, float]]]:
    """Per node v, per other final product f: (low, high) loss of f when v loses ``drop[v]``
    (default 1.0, all) of its own supply, one node at a time."""
    finals = nx_finals(graph)
    out: dict[str, dict[str, tuple[float, float]]] = {}
    for v in graph:
        d = 1.0 if drop is None else float(drop.get(v, 0.0))
        low = nx_availability(graph, {v: 1.0 - d}, high=True)
        high = nx_availability(graph, {v: 1.0 - d}, high=False)
        out[v] = {f: (1.0 - low[f], 1.0 - high[f]) for f in finals if f != v}
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


def nx_availability(graph: nx.DiGraph, own: Mapping[str, float], *, high: bool = False) -> dict[str, float]:
    """a(v) per node, from own availability ``own`` (default 1.0), edge by edge in Python.

    base(v) = min(o(v), a(u) over goes_into inputs u, A_types(v) when v has types);
    A_types(v) = sum of w_t a(t) over known shares + R x (min | max) over the residual types;
    a(v) = base + (1 - base) x min(1, sum of phi_b a(b) over substitutes b).
    """
    avail: dict[str, float] = {}
    for v in nx.topological_sort(graph):
        value = float(own.get(v, 1.0))
        types: list[tuple[float, float]] = []
        subs = 0.0
        for u in graph.predecessors(v):
            data = graph.edges[u, v]
            relations = data.get("relations", {"goes_into"})
            if "goes_into" in relations:
                value = min(value, avail[u])
            if "is_type_of" in relations:
                types.append((float(data.get("share", math.nan)), avail[u]))
            if "substitutes" in relations:
                subs += float(data["factor"]) * avail[u]
        if types:
            known = sum(w * a for w, a in types if not math.isnan(w))
            residual = max(0.0, 1.0 - sum(w for w, _ in types if not math.isnan(w)))
            pool = [a for w, a in types if math.isnan(w)] or [a for _, a in types]
            combo = known + residual * (max(pool) if high else min(pool))
            value = min(value, min(1.0, max(0.0, combo)))
        value = value + (1.0 - value) * min(1.0, subs)
        avail[v] = value
    return avail
