"""Control points, leverage and the mutual-dependency view (docs/methods/control-points.md)."""

from __future__ import annotations

import pytest
from sc_fixtures import countries_frame, edges_frame, nodes_frame, provision_frame

from supplychain.chokepoints import structural_chokepoints
from supplychain.concentration import concentration, supplier_shares
from supplychain.control_points import control_points, mutual_dependency
from supplychain.graph import build_graph
from supplychain.reach import compute_reach

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
    assert cps.loc["a", "control_point"]
    assert cps.loc["a", "leverage"] == pytest.approx(0.32)
    assert "0.800 x (1 - 0.20) x 0.500 = 0.320" in cps.loc["a", "explanation"]
    # b: NLD 0.1 -> not a control point; leverage 0.1 x 1 x 0.5 = 0.05 (unknown subst. = 0)
    assert not cps.loc["b", "control_point"]
    assert cps.loc["b", "leverage"] == pytest.approx(0.05)
    assert "unknown, taken as 0" in cps.loc["b", "explanation"]


def test_bloc_holder() -> None:
    conc, structural = _setup()
    bloc = control_points(conc, structural, NODES, holder="bloc").set_index("node_id")
    # c: DEU 0.7 is inside the EU27 -> bloc control point, not a NLD one
    assert bloc.loc["c", "control_point"] and bloc.loc["c", "holder"] == "EU27"
    home = control_points(conc, structural, NODES).set_index("node_id")
    assert not home.loc["c", "control_point"]


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
