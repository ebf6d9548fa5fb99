"""The benchmark's generator and both implementations agree on a small synthetic graph."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.graph import generate, main, run_arrays, run_floor, run_networkx
from supplychain import reference as ref
from supplychain.concentration import supplier_shares
from supplychain.disruption import country_sweep
from supplychain.graph import build_graph
from supplychain.losses import as_share_bounds
from supplychain.reach import SUPER_SOURCE, compute_reach
from supplychain.reference import to_networkx


@pytest.fixture(scope="module")
def data():  # type: ignore[no-untyped-def]
    return generate(3000, seed=3)


def test_generator_is_deterministic_and_shaped(data) -> None:  # type: ignore[no-untyped-def]
    again = generate(3000, seed=3)
    assert data.edges.equals(again.edges) and data.provision.equals(again.provision)
    assert 2000 < len(data.edges) < 4000
    single = data.provision.groupby("node_id").size().eq(1).mean()
    assert 0.12 < single < 0.25  # about 17% single-supplier stages
    assert data.provision["country"].nunique() <= 60
    complete = data.provision.groupby("node_id")["share"].apply(lambda s: s.notna().all())
    sums = data.provision.groupby("node_id")["share"].sum()[complete]
    assert np.allclose(sums, 1.0, atol=5e-3)
    assert data.provision["share"].isna().any()  # unknown shares: the bounds are exercised
    assert set(data.edges["relation"]) == {"goes_into", "is_type_of", "substitutes"}


def test_arrays_equal_networkx_on_synthetic_graph(data) -> None:  # type: ignore[no-untyped-def]
    g = build_graph(data.nodes, data.edges, validate=False)
    model = to_networkx(data.nodes, data.edges)
    reach = compute_reach(g)
    knock = ref.nx_downstream_finals(model)
    idom = ref.nx_immediate_dominators(model)
    counts = {v: len(s) for v, s in knock.items()}
    assert [counts[v] for v in g.ids] == reach.downstream_count.tolist()
    for v, node in enumerate(g.ids):
        want = idom[node]
        got = reach.idom[v]
        assert (got == SUPER_SOURCE and want == ref.NX_SUPER_SOURCE) or g.ids[got] == want
    bounds = as_share_bounds(supplier_shares(data.provision))
    sweep = country_sweep(g, bounds, countries=["C00", "C05"])
    rows = bounds[bounds["supplier"] == "C05"].set_index("node_id")
    for col, high, got in (("share_high", False, sweep.availability_low), ("share_low", True, sweep.availability_high)):
        own = {v: 1.0 - float(rows[col].get(v, 0.0)) for v in g.ids}
        expected = ref.nx_availability(model, own, high=high)
        assert got is not None
        assert np.allclose(got[:, 1], [expected[v] for v in g.ids], atol=1e-5)


def test_runners_and_main(data, capsys) -> None:  # type: ignore[no-untyped-def]
    arrays = run_arrays(data)
    baseline = run_networkx(data)
    assert arrays["total"] > 0 and baseline["total"] > 0
    assert set(baseline) <= set(arrays) and "cpu (process time)" in arrays
    assert run_floor(data) >= 0
    main(["--sizes", "2000"])
    out = capsys.readouterr().out
    assert "arrays   total" in out and "networkx total" in out and "peak RSS" in out


def test_counts_only_reach_on_the_final_inputs_equals_bitsets(data) -> None:  # type: ignore[no-untyped-def]
    """The counts-only reach runs on the final products and their ancestors only
    (SupplyGraph.final_inputs); the counts equal those of the full bitsets on the whole graph."""
    g = build_graph(data.nodes, data.edges, validate=False)
    assert 0 < g.final_inputs.n < g.n  # nodes outside: the restriction is exercised
    full = compute_reach(g)
    lean = compute_reach(g, max_bits_finals=0)
    assert full.downstream_bits is not None and lean.downstream_bits is None
    assert np.array_equal(full.downstream_count, lean.downstream_count)
    assert np.allclose(full.downstream_weight, lean.downstream_weight, rtol=0, atol=1e-12)
    assert np.array_equal(full.market_bits, lean.market_bits)
    outside = np.setdiff1d(np.arange(g.n), g.final_inputs.nodes)
    assert (lean.downstream_count[outside] == 0).all() and (lean.market_bits[outside] == 0).all()
