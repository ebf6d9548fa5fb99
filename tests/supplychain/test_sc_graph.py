"""Graph building, and agreement of the array form with the networkx model."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sc_fixtures import edges_frame, nodes_frame, random_dag

from supplychain import reference as ref
from supplychain.disruption import propagate_availability
from supplychain.errors import GraphError
from supplychain.graph import build_graph, to_networkx
from supplychain.reach import SUPER_SOURCE, bits_to_lists, compute_reach
from supplychain.thresholds import Thresholds


def test_levels_finals_and_type_edges() -> None:
    # a -> c, b -> c (goes_into); t is a type of c
    nodes = nodes_frame(["a", "b", "c", "t"])
    edges = edges_frame([("a", "c"), ("b", "c")])
    types = edges_frame([("t", "c")], relation="is_type_of")
    import pandas as pd

    both = pd.concat([edges, types], ignore_index=True)
    g = build_graph(nodes, both)
    assert dict(zip(g.ids, g.level.tolist(), strict=True)) == {"a": 0, "b": 0, "c": 1, "t": 0}
    assert g.ids[g.finals].tolist() == ["c"]  # no node marked final: the sinks
    assert g.n_edges == 3
    g2 = build_graph(nodes, both, thresholds=Thresholds(type_of_as_input=False))
    assert g2.n_edges == 2
    assert set(g2.ids[g2.finals].tolist()) == {"c", "t"}


def test_marked_finals_win_over_sinks() -> None:
    g = build_graph(nodes_frame(["a", "b", "c"], finals=["b"]), edges_frame([("a", "b"), ("b", "c")]))
    assert g.ids[g.finals].tolist() == ["b"]
    assert g.markets == ("m1",)


def test_cycle_and_unknown_node_raise() -> None:
    with pytest.raises(GraphError, match="cycle"):
        build_graph(nodes_frame(["a", "b"]), edges_frame([("a", "b"), ("b", "a")]))
    with pytest.raises(GraphError, match="cycle"):
        to_networkx(nodes_frame(["a", "b"]), edges_frame([("a", "b"), ("b", "a")]))
    with pytest.raises(GraphError, match="not in the nodes"):
        build_graph(nodes_frame(["a"]), edges_frame([("a", "zz")]))


def _check_agreement(seed: int) -> None:
    nodes, edges = random_dag(seed)
    g = build_graph(nodes, edges)
    model = to_networkx(nodes, edges)
    reach = compute_reach(g)
    labels = g.ids[reach.finals]
    levels = ref.nx_levels(model)
    knock = ref.nx_knockout_reach(model)
    dominated = ref.nx_dominated_finals(model)
    idom = ref.nx_immediate_dominators(model)
    rng = np.random.default_rng(seed)
    own = rng.random(g.n)
    avail = propagate_availability(g, own)
    expected = ref.nx_availability(model, dict(zip(g.ids, own, strict=True)))
    many = propagate_availability(g, np.column_stack([own, own**2]).astype(np.float32))
    for v, node in enumerate(g.ids):
        assert g.level[v] == levels[node]
        assert set(bits_to_lists(reach.knockout_bits[v], labels)) == knock[node]
        assert set(bits_to_lists(reach.dominated_bits[v], labels)) == dominated[node]
        assert reach.knockout_count[v] == len(knock[node])
        assert reach.dominated_count[v] == len(dominated[node])
        got = reach.idom[v]
        want = idom[node]
        assert (got == SUPER_SOURCE and want == ref.NX_SUPER_SOURCE) or g.ids[got] == want
        assert avail[v] == pytest.approx(expected[node])
        assert many[v, 0] == pytest.approx(expected[node], abs=1e-6)


@pytest.mark.parametrize("seed", range(40))
def test_arrays_agree_with_networkx_seeded(seed: int) -> None:
    _check_agreement(seed)


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1000, max_value=10**6))
def test_arrays_agree_with_networkx_hypothesis(seed: int) -> None:
    _check_agreement(seed)


def test_wide_hub_uses_reduceat_tail() -> None:
    # one node with 1,500 inputs (beyond the jagged diagonals) and 600 nodes with 2 inputs
    ids = [f"s{i:04d}" for i in range(1500)] + ["hub"] + [f"t{i:03d}" for i in range(600)]
    pairs = [(f"s{i:04d}", "hub") for i in range(1500)]
    pairs += [(f"s{i:04d}", f"t{i:03d}") for i in range(600)]
    pairs += [(f"s{i + 1:04d}", f"t{i:03d}") for i in range(600)]
    nodes, edges = nodes_frame(ids), edges_frame(pairs)
    g = build_graph(nodes, edges)
    own = np.ones(g.n)
    own[g.index_of(["s0700"])[0]] = 0.25
    avail = propagate_availability(g, own)
    expected = ref.nx_availability(to_networkx(nodes, edges), dict(zip(g.ids, own, strict=True)))
    assert np.allclose(avail, [expected[v] for v in g.ids])
    assert avail[g.index_of(["hub"])[0]] == 0.25


def test_weighted_reach_and_markets() -> None:
    # a -> f1, a -> f2, b -> f2; weights f1 = 3, f2 = 1 -> a reaches 4/4, b 1/4
    nodes = nodes_frame(["a", "b", "f1", "f2"], finals=["f1", "f2"], market_weight=[1, 1, 3, 1])
    g = build_graph(nodes, edges_frame([("a", "f1"), ("a", "f2"), ("b", "f2")]))
    reach = compute_reach(g)
    ia, ib = g.index_of(["a", "b"])
    assert reach.knockout_weight[ia] == pytest.approx(1.0)
    assert reach.knockout_weight[ib] == pytest.approx(0.25)
    assert reach.dominated_count[ia] == 1  # a dominates f1 only (f2 also reachable via b)
    assert reach.market_bits[ia, 0] == 1


def test_chunked_reach_equals_single_pass() -> None:
    # 150 final products so that 64-product chunks take three passes
    rng = np.random.default_rng(5)
    ids = [f"a{i:02d}" for i in range(12)] + [f"f{i:03d}" for i in range(150)]
    pairs = [(f"a{i:02d}", f"a{j:02d}") for i in range(12) for j in range(i + 1, 12) if rng.random() < 0.3]
    pairs += [(f"a{int(rng.integers(12)):02d}", f"f{k:03d}") for k in range(150)]
    pairs += [(f"a{int(rng.integers(12)):02d}", f"f{k:03d}") for k in range(0, 150, 3)]
    nodes = nodes_frame(ids, market_weight=rng.uniform(0.5, 2, len(ids)).round(2))
    edges = edges_frame(sorted(set(pairs)))
    g = build_graph(nodes, edges)
    assert len(g.finals) == 150
    full = compute_reach(g)
    chunked = compute_reach(g, max_bits_finals=0, chunk_finals=64)
    assert chunked.knockout_bits is None
    assert np.array_equal(full.knockout_count, chunked.knockout_count)
    assert np.allclose(full.knockout_weight, chunked.knockout_weight)
    assert np.array_equal(full.dominated_count, chunked.dominated_count)
