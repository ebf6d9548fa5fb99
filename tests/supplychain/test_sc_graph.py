"""Graph building, and agreement of the array form with the networkx model."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sc_fixtures import edges_frame, nodes_frame, random_alt_dag, random_dag

from supplychain import reference as ref
from supplychain.disruption import propagate_availability
from supplychain.errors import GraphError
from supplychain.graph import build_graph
from supplychain.knockout import knockouts
from supplychain.reach import SUPER_SOURCE, bits_to_lists, compute_reach
from supplychain.reference import to_networkx
from supplychain.thresholds import Thresholds
from supplychain.topology import find_cycle


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
    assert g.n_edges == 3  # every relation orders the graph
    assert g.has_alternatives and not build_graph(nodes, edges).has_alternatives


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
    # a cycle closed by a substitutes edge is a cycle too, and the message names its nodes
    import pandas as pd

    subs = pd.DataFrame({"src": ["b"], "dst": ["a"], "relation": ["substitutes"], "factor": [0.5]})

    with pytest.raises(GraphError, match=r"cycle through \['(a|b)', '(a|b)', '(a|b)'\]"):
        build_graph(nodes_frame(["a", "b"]), pd.concat([edges_frame([("a", "b")]), subs]))
    assert find_cycle([("a", "b"), ("b", "c")]) is None


def _check_agreement(seed: int) -> None:
    nodes, edges = random_dag(seed)
    g = build_graph(nodes, edges)
    model = to_networkx(nodes, edges)
    reach = compute_reach(g)
    labels = g.ids[reach.finals]
    levels = ref.nx_levels(model)
    knock = ref.nx_downstream_finals(model)
    dominated = ref.nx_dominated_finals(model)
    idom = ref.nx_immediate_dominators(model)
    rng = np.random.default_rng(seed)
    own = rng.random(g.n)
    avail = propagate_availability(g, own)
    expected = ref.nx_availability(model, dict(zip(g.ids, own, strict=True)))
    many = propagate_availability(g, np.column_stack([own, own**2]).astype(np.float32))
    for v, node in enumerate(g.ids):
        assert g.level[v] == levels[node]
        assert set(bits_to_lists(reach.downstream_bits[v], labels)) == knock[node]
        assert set(bits_to_lists(reach.dominated_bits[v], labels)) == dominated[node]
        assert reach.downstream_count[v] == len(knock[node])
        assert reach.dominated_count[v] == len(dominated[node])
        got = reach.idom[v]
        want = idom[node]
        assert (got == SUPER_SOURCE and want == ref.NX_SUPER_SOURCE) or g.ids[got] == want
        assert avail[v] == pytest.approx(expected[node])
        assert many[v, 0] == pytest.approx(expected[node], abs=1e-6)


@pytest.mark.parametrize("seed", range(40))
def test_arrays_agree_with_networkx_seeded(seed: int) -> None:
    _check_agreement(seed)


def _check_alternatives(seed: int, exact_nodes: int) -> None:
    """Availability (both completions) and knockout losses agree with the networkx model."""
    nodes, edges = random_alt_dag(seed)
    g = build_graph(nodes, edges)
    model = to_networkx(nodes, edges)
    rng = np.random.default_rng(seed)
    own = rng.random(g.n)
    own_map = dict(zip(g.ids, own, strict=True))
    for high in (False, True):
        avail = propagate_availability(g, own, high=high)
        expected = ref.nx_availability(model, own_map, high=high)
        assert np.allclose(avail, [expected[v] for v in g.ids], atol=1e-9)
    reach = compute_reach(g)
    knock = knockouts(g, reach, thresholds=Thresholds(knockout_exact_nodes=exact_nodes))
    want = ref.nx_knockout_losses(model)
    for v, node in enumerate(g.ids):
        lows = [lo for lo, _ in want[node].values()]
        highs = [hi for _, hi in want[node].values()]
        exact_low, exact_high = max(lows, default=0.0), max(highs, default=0.0)
        if knock.exact[v]:
            assert knock.loss_low[v] == pytest.approx(exact_low, abs=1e-9)
            assert knock.loss_high[v] == pytest.approx(exact_high, abs=1e-9)
            assert knock.n_finals[v] == sum(lo >= 0.5 - 1e-9 for lo in lows)
        else:  # the cheap bounds bracket the exact values
            assert knock.loss_low[v] <= exact_low + 1e-9
            assert knock.loss_high[v] >= exact_high - 1e-9


@pytest.mark.parametrize("seed", range(30))
def test_alternatives_agree_with_networkx(seed: int) -> None:
    _check_alternatives(seed, exact_nodes=20_000)
    _check_alternatives(seed, exact_nodes=0)  # bounds only


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
    assert reach.downstream_weight[ia] == pytest.approx(1.0)
    assert reach.downstream_weight[ib] == pytest.approx(0.25)
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
    assert chunked.downstream_bits is None
    assert np.array_equal(full.downstream_count, chunked.downstream_count)
    assert np.allclose(full.downstream_weight, chunked.downstream_weight)
    assert np.array_equal(full.dominated_count, chunked.dominated_count)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(alphabet="abXY09-_ é中\x00", max_size=20), max_size=30, unique=True),
    st.lists(st.text(alphabet="abXY09-_ é中", max_size=20), max_size=30),
    st.booleans(),
)
def test_id_lookup_by_byte_keys_matches_hashing(ids: list[str], extra: list[str], as_object: bool) -> None:
    """Node codes from fixed-width byte keys (keys.lookup_keys) equal those from hashing the
    strings, for any lengths (one or several 64-bit words), unicode, unknown values and NUL
    bytes (which fall back to hashing)."""
    from supplychain import graph as graph_module
    from supplychain.keys import lookup_keys

    ids_s = pd.Series(ids, dtype="str")
    values = pd.Series([*ids[::2], *extra], dtype=object if as_object else "str")
    fast = graph_module._codes(ids_s, values)[0]
    by_keys = lookup_keys(ids_s, (values,))
    assert (by_keys is None) == (not ids or any("\x00" in v for v in ids))
    positions = {v: i for i, v in enumerate(ids)}
    assert fast.tolist() == [positions.get(v, -1) for v in values]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="abXY09-_ é中\x00", max_size=9), max_size=40))
def test_short_keys_compare_as_the_strings(values: list[str]) -> None:
    """keys.short_keys: for strings of at most 8 UTF-8 bytes without NUL, equal keys are equal
    strings and keys sort as the strings do; otherwise no keys."""
    from supplychain.keys import short_keys

    keys = short_keys(pd.Series(values, dtype="str"))
    fits = all(len(v.encode()) <= 8 and "\x00" not in v for v in values)
    assert (keys is not None) == fits
    if keys is not None:
        for i, j in itertools.product(range(len(values)), repeat=2):
            assert (keys[i] < keys[j]) == (values[i] < values[j])
            assert (keys[i] == keys[j]) == (values[i] == values[j])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 6), max_size=60), st.lists(st.integers(65_530, 70_000), max_size=5))
def test_level_block_degree_order_is_a_stable_descending_sort(small: list[int], large: list[int]) -> None:
    """levels._by_degree (16-bit radix sort with the capped degrees re-sorted) equals
    ``np.argsort(-deg, kind="stable")``, also past 2^16 - 1."""
    from supplychain.levels import _by_degree

    deg = np.array(small + large, dtype=np.int64)
    np.random.default_rng(len(deg)).shuffle(deg)
    assert _by_degree(deg).tolist() == np.argsort(-deg, kind="stable").tolist()


def test_frame_of_columns_keeps_arrays_and_never_aliases_two_columns() -> None:
    from supplychain.schema import frame_of_columns

    a = np.arange(4.0)
    frame = frame_of_columns({"a": a, "view": a[:], "s": pd.Series(list("wxyz"), dtype="str"), "k": "c"})
    assert np.shares_memory(frame["a"].to_numpy(), a)
    assert not np.shares_memory(frame["view"].to_numpy(), a)
    expected = pd.DataFrame({"a": a, "view": a, "s": pd.Series(list("wxyz"), dtype="str"), "k": "c"})
    pd.testing.assert_frame_equal(frame, expected)
