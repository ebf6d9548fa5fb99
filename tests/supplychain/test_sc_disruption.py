"""Disruption propagation (docs/methods/disruption.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sc_fixtures import edges_frame, nodes_frame, provision_frame, random_alt_dag

from supplychain.concentration import supplier_shares
from supplychain.disruption import (
    Shock,
    country_sweep,
    knockout_suppliers,
    own_availability,
    simulate,
)
from supplychain.errors import UnknownItemError
from supplychain.graph import build_graph

# r1 -> m, r2 -> m, m -> f (market m1), r2 -> g (market m1)
NODES = nodes_frame(["r1", "r2", "m", "f", "g"], finals=["f", "g"], market_weight=[1, 1, 1, 3, 1])
EDGES = edges_frame([("r1", "m"), ("r2", "m"), ("m", "f"), ("r2", "g")])
PROV = provision_frame(
    [
        ("r1", "CHN", "country", "CHN", 0.98),
        ("r1", "USA", "country", "USA", 0.02),
        ("r2", "CHN", "country", "CHN", 0.3),
        ("r2", "DEU", "country", "DEU", 0.7),
        ("m", "NLD", "country", "NLD", 1.0),
        ("r2", "FirmX", "firm", "DEU", 0.5),
        ("r2", "FirmY", "firm", "CHN", float("nan")),
    ]
)
GRAPH = build_graph(NODES, EDGES)
SHARES = supplier_shares(PROV)
FIRMS = supplier_shares(PROV, level="firm")


def test_hand_checked_export_ban() -> None:
    # CHN bans 50%: o(r1) = 1 - 0.98 x 0.5 = 0.51; o(r2) = 1 - 0.3 x 0.5 = 0.85
    # a(m) = min(1, 0.51, 0.85) = 0.51 -> a(f) = 0.51; a(g) = 0.85
    res = simulate(GRAPH, [Shock("country", "CHN", 0.5)], country_shares=SHARES)
    nodes = res.nodes.set_index("node_id")
    assert nodes.loc["r1", "own_availability_low"] == pytest.approx(0.51)
    assert nodes.loc["m", "availability_low"] == pytest.approx(0.51)
    assert nodes.loc["m", "limiting_input"] == "r1"
    finals = res.finals.set_index("node_id")["loss_low"]
    assert finals["f"] == pytest.approx(0.49) and finals["g"] == pytest.approx(0.15)
    # market m1: weighted (3 x 0.49 + 1 x 0.15) / 4 = 0.405; max 0.49
    market = res.markets.set_index("market").loc["m1"]
    assert market["weighted_loss_low"] == pytest.approx(0.405)
    assert market["max_loss_low"] == pytest.approx(0.49)
    assert "limited by input r1" in nodes.loc["m", "explanation"]


def test_several_shocks_add_and_clip() -> None:
    # CHN 100% and DEU 100% at r2: o = 1 - 0.3 - 0.7 = 0; node shock on r1 f=0.1 -> 0.9
    shocks = [Shock("country", "CHN", 1.0), Shock("country", "DEU", 1.0), Shock("node", "m", 0.1)]
    res = simulate(GRAPH, shocks, country_shares=SHARES).nodes.set_index("node_id")
    assert res.loc["r2", "own_availability_low"] == pytest.approx(0.0)
    assert res.loc["m", "own_availability_low"] == pytest.approx(0.9)
    assert res.loc["g", "loss_low"] == pytest.approx(1.0)


def test_firm_shock_and_unknown_share_exposure() -> None:
    res = simulate(GRAPH, [Shock("firm", "FirmY", 1.0)], firm_shares=FIRMS).nodes.set_index("node_id")
    # FirmY's share is unknown: FirmX holds 0.5, so FirmY holds between 0 and the residual 0.5;
    # its failure costs r2 (and g) a loss in [0, 0.5], never a bare zero
    assert res.loc["r2", "own_availability_low"] == pytest.approx(0.5)
    assert res.loc["r2", "own_availability_high"] == 1.0
    assert res.loc["g", "loss_low"] == 0.0 and res.loc["g", "loss_high"] == pytest.approx(0.5)
    assert "at most 0.500" in res.loc["g", "explanation"]
    assert res.loc["r2", "unknown_share_exposure"] and res.loc["g", "unknown_share_exposure"]
    assert not res.loc["r1", "unknown_share_exposure"]
    own, _, _ = own_availability(GRAPH, [Shock("firm", "FirmX", 1.0)], firm_shares=FIRMS)
    assert own[GRAPH.index_of(["r2"])[0]] == pytest.approx(0.5)


def test_unknown_targets_raise() -> None:
    with pytest.raises(UnknownItemError, match="ZZZ"):
        simulate(GRAPH, [Shock("country", "ZZZ")], country_shares=SHARES)
    with pytest.raises(UnknownItemError, match="nope"):
        simulate(GRAPH, [Shock("node", "nope")])


def test_sweep_matches_single_simulations() -> None:
    sweep = country_sweep(GRAPH, SHARES, fraction=0.7)
    assert sweep.availability_low.dtype == np.float32
    for j, country in enumerate(sweep.countries):
        single = simulate(GRAPH, [Shock("country", country, 0.7)], country_shares=SHARES)
        assert np.allclose(sweep.availability_low[:, j], single.nodes["availability_low"], atol=1e-6)
        assert np.allclose(sweep.final_loss_low[country], single.finals["loss_low"], atol=1e-6)
        assert np.allclose(sweep.final_loss_high[country], single.finals["loss_high"], atol=1e-6)
    assert list(sweep.market_loss_low.columns) == ["market", "n_finals", *sweep.countries]


def test_knockout_suppliers() -> None:
    table = knockout_suppliers(GRAPH, SHARES).set_index("supplier_id")
    # NLD alone supplies m: its failure cuts m and f
    assert table.loc["NLD", "n_nodes_cut"] == 1 and table.loc["NLD", "finals_cut"] == "f"
    assert table.loc["CHN", "n_finals_cut"] == 0  # 98% is not all


@settings(max_examples=60, deadline=None)
@given(
    st.floats(min_value=0.0, max_value=1.0),
    st.floats(min_value=0.0, max_value=1.0),
    st.sampled_from(["CHN", "DEU", "USA", "NLD"]),
)
def test_loss_is_monotone_in_the_shock(f1: float, f2: float, country: str) -> None:
    lo, hi = sorted([f1, f2])
    a = simulate(GRAPH, [Shock("country", country, lo)], country_shares=SHARES).nodes["loss_high"]
    b = simulate(GRAPH, [Shock("country", country, hi)], country_shares=SHARES).nodes["loss_high"]
    assert (b.to_numpy() >= a.to_numpy() - 1e-12).all()
    assert ((a >= 0) & (a <= 1)).all()


def test_loss_monotone_in_random_graphs() -> None:
    rng = np.random.default_rng(11)
    ids = [f"n{i:02d}" for i in range(30)]
    pairs = sorted({(ids[i], ids[j]) for i in range(30) for j in range(i + 1, 30) if rng.random() < 0.1})
    rows = [(v, c, "country", c, s) for v in ids for c, s in zip(["A", "B"], rng.dirichlet([1, 1]), strict=True)]
    graph = build_graph(nodes_frame(ids), edges_frame(pairs))
    shares = supplier_shares(provision_frame(rows))
    prev = np.zeros(graph.n)
    for f in np.linspace(0, 1, 6):
        loss = simulate(graph, [Shock("country", "A", float(f))], country_shares=shares).nodes["loss_high"]
        assert (loss.to_numpy() >= prev - 1e-12).all()
        prev = loss.to_numpy()
    assert isinstance(prev, np.ndarray) and pd.notna(prev).all()


def test_stocks_bridge_part_of_the_shock() -> None:
    # CHN ban (f=1) for 6 months; r1 holds 3 months of stock:
    # o(r1) = 1 - 0.98 = 0.02 -> o' = 1 - 0.98 x (1 - 3/6) = 0.51; r2 no stock: 0.7
    stocks = pd.Series({"r1": 3.0})
    res = simulate(
        GRAPH, [Shock("country", "CHN", 1.0)], country_shares=SHARES, stock_months=stocks, duration_months=6.0
    )
    nodes = res.nodes.set_index("node_id")
    assert nodes.loc["r1", "own_availability_low"] == pytest.approx(0.51)
    assert nodes.loc["r2", "own_availability_low"] == pytest.approx(0.7)
    long_stock = simulate(
        GRAPH,
        [Shock("country", "CHN", 1.0)],
        country_shares=SHARES,
        stock_months=pd.Series({"r1": 12.0, "r2": 12.0}),
        duration_months=6.0,
    )
    assert (long_stock.nodes["loss_high"] == 0).all()  # time-to-survive beyond the shock: no loss


def test_sweep_chunks_and_dropping_availability_change_nothing() -> None:
    full = country_sweep(GRAPH, SHARES, fraction=0.6)
    lean = country_sweep(GRAPH, SHARES, fraction=0.6, keep_availability=False, chunk_columns=3)
    assert lean.availability_low is None and lean.availability_high is None
    pd.testing.assert_frame_equal(full.final_loss_high, lean.final_loss_high)
    pd.testing.assert_frame_equal(full.market_loss_low, lean.market_loss_low)


@pytest.mark.parametrize("seed", range(40))
def test_sweep_upstream_of_finals_only_is_exact(seed: int) -> None:
    """Without availability the sweep runs on the final products and their ancestors only
    (SupplyGraph.final_inputs): the same losses, bit for bit, as on the whole graph."""
    import networkx as nx

    rng = np.random.default_rng(seed)
    nodes, edges = random_alt_dag(seed)
    ids = nodes["node_id"].tolist()
    finals = [v for v in ids if rng.random() < 0.3] or ids[-1:]
    graph = build_graph(nodes_frame(ids, finals=finals), edges)
    dag = nx.DiGraph(list(zip(edges["src"], edges["dst"], strict=True)))
    dag.add_nodes_from(ids)
    upstream = set(finals).union(*(nx.ancestors(dag, f) for f in finals))
    assert sorted(graph.ids[graph.final_inputs.nodes]) == sorted(upstream)
    rows = [(v, c, "country", c, float(rng.choice([np.nan, 0.2, 0.5, 1.0]))) for v in ids for c in ("CHN", "USA")]
    shares = supplier_shares(provision_frame([r for r in rows if rng.random() < 0.6] or rows[:1]))
    for fraction in (1.0, 0.4):
        full = country_sweep(graph, shares, fraction=fraction)
        lean = country_sweep(graph, shares, fraction=fraction, keep_availability=False, chunk_columns=1)
        for name in ("final_loss_low", "final_loss_high", "market_loss_low", "market_loss_high"):
            pd.testing.assert_frame_equal(getattr(full, name), getattr(lean, name), check_exact=True)
