"""Control points, leverage and the mutual-dependency view (docs/methods/control-points.md)."""

from __future__ import annotations

import pytest
from sc_fixtures import countries_frame, edges_frame, nodes_frame, provision_frame

from supplychain.chokepoints import structural_chokepoints
from supplychain.concentration import concentration, supplier_shares
from supplychain.control_points import control_points, mutual_dependency
from supplychain.graph import build_graph
from supplychain.reach import compute_reach
from supplychain.thresholds import Thresholds

# a, b -> f1 ; c -> f2 ; final weights 1 and 1
NODES = nodes_frame(["a", "b", "c", "f1", "f2"], finals=["f1", "f2"], substitutability=[0.2, None, None, None, None])
EDGES = edges_frame([("a", "f1"), ("b", "f1"), ("c", "f2")])
PROV = provision_frame(
    [
        ("a", "NLD", "country", "NLD", 0.8),
        ("a", "USA", "country", "USA", 0.2),
        ("b", "USA", "country", "USA", 0.9),
        ("b", "NLD", "country", "NLD", 0.1),
        ("c", "DEU", "country", "DEU", 0.7),
        ("c", "CHN", "country", "CHN", 0.3),
    ]
)


def _setup() -> tuple:
    g = build_graph(NODES, EDGES)
    structural = structural_chokepoints(g, compute_reach(g))
    conc = concentration(PROV, countries_frame())
    return conc, structural


def test_leverage_arithmetic() -> None:
    conc, structural = _setup()
    cps = control_points(conc, structural, NODES).set_index("node_id")
    # a: NLD 0.8 >= 0.65, reach 1/2 (f1 of f1+f2), substitutability 0.2:
    # leverage = 0.8 x (1 - 0.2) x 0.5 = 0.32
    assert cps.loc["a", "control_point"] == "yes"
    assert cps.loc["a", "leverage"] == pytest.approx(0.32)
    assert (cps.loc["a", "leverage_low"], cps.loc["a", "leverage_high"]) == pytest.approx((0.32, 0.32))
    assert "0.800 x (1 - 0.20) x 0.500 = 0.320" in cps.loc["a", "explanation"]
    # b: NLD 0.1 -> not a control point; leverage 0.1 x 1 x 0.5 = 0.05 (unknown subst. = 0)
    assert cps.loc["b", "control_point"] == "no"
    assert cps.loc["b", "leverage"] == pytest.approx(0.05)
    assert "unknown, taken as 0" in cps.loc["b", "explanation"]


def test_bloc_holder() -> None:
    conc, structural = _setup()
    bloc = control_points(conc, structural, NODES, holder="bloc").set_index("node_id")
    # c: DEU 0.7 is inside the EU27 -> bloc control point, not a NLD one
    assert bloc.loc["c", "control_point"] == "yes" and bloc.loc["c", "holder"] == "EU27"
    home = control_points(conc, structural, NODES).set_index("node_id")
    assert home.loc["c", "control_point"] == "no"


def test_unknown_home_share_gives_possible_with_leverage_range() -> None:
    # d: NLD named without a share, USA 0.4 known: NLD holds anything from 0 to 0.6
    prov = provision_frame([("d", "NLD", "country", "NLD", float("nan")), ("d", "USA", "country", "USA", 0.4)])
    nodes = nodes_frame(["d", "f1"], finals=["f1"])
    g = build_graph(nodes, edges_frame([("d", "f1")]))
    structural = structural_chokepoints(g, compute_reach(g))
    cps = control_points(concentration(prov, countries_frame()), structural, nodes).set_index("node_id")
    row = cps.loc["d"]
    # NLD may hold 0.6 (top supplier, HHI .36 + .16 = 0.52 > 0.4) or nothing (unnamed suppliers)
    assert row["control_point"] == "possible"
    assert (row["holder_share_low"], row["holder_share_high"]) == pytest.approx((0.0, 0.6))
    assert (row["leverage_low"], row["leverage_high"]) == pytest.approx((0.0, 0.6))
    strict = Thresholds(suppliers_complete=True)  # NLD then holds exactly 0.6
    cps = control_points(
        concentration(prov, countries_frame(), thresholds=strict), structural, nodes, thresholds=strict
    )
    assert cps.set_index("node_id").loc["d", "control_point"] == "yes"
    high = Thresholds(control_home_share=0.7, chokepoint_hhi=0.6)
    cps = control_points(concentration(prov, countries_frame()), structural, nodes, thresholds=high)
    assert cps.set_index("node_id").loc["d", "control_point"] == "no"
    assert "at least 0.000 and at most 0.600" in row["explanation"]


def test_mutual_dependency_arithmetic() -> None:
    conc, structural = _setup()
    mutual = mutual_dependency(supplier_shares(PROV), conc, structural).set_index("partner")
    # USA: risk = a: 0.2 x (1-0.8) x 0.5 + b: 0.9 x (1-0.1) x 0.5 = 0.02 + 0.405 = 0.425
    #      leverage = a: 0.8 x (1-0.2) x 0.5 + b: 0.1 x (1-0.9) x 0.5 = 0.32 + 0.005 = 0.325
    assert mutual.loc["USA", "risk"] == pytest.approx(0.425)
    assert mutual.loc["USA", "leverage"] == pytest.approx(0.325)
    assert mutual.loc["USA", "verdict"] == "mutual"
    assert mutual.loc["USA", "n_nodes_partner_top"] == 1  # b (0.9 >= 0.65)
    # DEU: risk 0.7 x 1 x 0.5 = 0.35; leverage over DEU: a 0.8 x 1 x .5 + b 0.1 x 1 x .5 = 0.45
    assert mutual.loc["DEU", "risk"] == pytest.approx(0.35)
    assert mutual.loc["DEU", "leverage"] == pytest.approx(0.45)
