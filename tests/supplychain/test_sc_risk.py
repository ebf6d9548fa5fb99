"""Composite dependency-risk targets with visible factors (supplychain.risk)."""

from __future__ import annotations

import pytest
from sc_fixtures import countries_frame, edges_frame, nodes_frame, provision_frame

from supplychain.chokepoints import structural_chokepoints
from supplychain.concentration import concentration, supplier_shares
from supplychain.graph import build_graph
from supplychain.reach import compute_reach
from supplychain.risk import DEPENDENCY_KINDS, dependency_risk
from supplychain.thresholds import Thresholds

NODES = nodes_frame(
    ["a", "b", "f"], finals=["f"], substitutability=[0.5, 0.9, None], recovery_months=[24.0, None, None]
)
EDGES = edges_frame([("a", "f"), ("b", "f")])
PROV = provision_frame(
    [
        ("a", "USA", "country", "USA", 0.8),
        ("a", "NLD", "country", "NLD", 0.2),
        ("b", "CHN", "country", "CHN", 0.5),
        ("b", "DEU", "country", "DEU", 0.5),
    ]
)


def _risk(**kw: object):  # type: ignore[no-untyped-def]
    g = build_graph(NODES, EDGES)
    structural = structural_chokepoints(g, compute_reach(g))
    countries = countries_frame()
    conc = concentration(PROV, countries)
    return dependency_risk(supplier_shares(PROV), conc, structural, NODES, countries, **kw)  # type: ignore[arg-type]


def test_hand_checked_factors() -> None:
    out = _risk().set_index("target_id")
    a = out.loc["a|USA"]
    # concentration = HHI .64 + .04 = 0.68; import reliance 1 - 0.2 = 0.8;
    # substitutability 1 - 0.5 = 0.5; time to recover 24 / 24 = 1.0
    # severity = (0.68 + 0.8 + 0.5 + 1.0) / 4 = 0.745; reach 1.0 -> risk 0.8 x 0.745 = 0.596
    assert a["concentration"] == pytest.approx(0.68)
    assert a["import_reliance"] == pytest.approx(0.8)
    assert a["severity"] == pytest.approx(0.745)
    assert a["risk"] == pytest.approx(0.596)
    assert a["dependency_kind"] == "time_to_recover"
    assert "a|NLD" not in out.index  # the home country is not a foreign dependency
    b = out.loc["b|CHN"]
    # HHI 0.5, reliance 1.0, subst. 0.1, ttr unknown 0.5 -> severity 2.1 / 4 = 0.525
    assert b["severity"] == pytest.approx(0.525) and b["dependency_kind"] == "import_reliance"
    assert "time to recover unknown" in b["explanation"]
    assert set(out["dependency_kind"]) <= set(DEPENDENCY_KINDS)
    assert out["risk"].is_monotonic_decreasing


def test_bloc_view_and_weights() -> None:
    out = _risk(foreign="bloc").set_index("target_id")
    assert "b|DEU" not in out.index and "b|CHN" in out.index
    only_conc = Thresholds(risk_weights=(("concentration", 1.0),))
    weighted = _risk(thresholds=only_conc).set_index("target_id")
    assert weighted.loc["a|USA", "severity"] == pytest.approx(0.68)
    assert (weighted["dependency_kind"] == "concentration").all()


def _risk_for(nodes):  # type: ignore[no-untyped-def]
    g = build_graph(nodes, EDGES)
    structural = structural_chokepoints(g, compute_reach(g))
    countries = countries_frame()
    conc = concentration(PROV, countries)
    return dependency_risk(supplier_shares(PROV), conc, structural, nodes, countries).set_index("target_id")


def test_an_assumed_value_never_decides_the_kind() -> None:
    # a: HHI 0.68, reliance 0.8; with substitutability unknown the assumed factor (1.0) is the largest,
    # yet the kind comes from the known factors only
    unknown = _risk_for(nodes_frame(["a", "b", "f"], finals=["f"]))
    a = unknown.loc["a|USA"]
    assert a["substitutability"] == pytest.approx(1.0) and a["dependency_kind"] == "import_reliance"
    assert a["assumed"] == "substitutability;time_to_recover"
    # the same node with a published substitutability of 0 (factor 1.0) is a substitutability target
    known = _risk_for(nodes_frame(["a", "b", "f"], finals=["f"], substitutability=[0.0, None, None]))
    assert known.loc["a|USA", "dependency_kind"] == "substitutability"
    assert known.loc["a|USA", "assumed"] == "time_to_recover"


def test_risk_ranges_from_data_and_from_unknowns() -> None:
    out = _risk_for(
        nodes_frame(
            ["a", "b", "f"],
            finals=["f"],
            substitutability=[0.5, None, None],
            substitutability_low=[0.45, None, None],
            substitutability_high=[0.55, None, None],
            recovery_months=[12.0, None, None],
            recovery_months_low=[6.0, None, None],
            recovery_months_high=[48.0, None, None],
        )
    )
    a = out.loc["a|USA"]
    # severity = (0.68 + 0.8 + f_sub + f_ttr) / 4: low f_sub 0.45, f_ttr 0.25; high 0.55, 1.0 (capped at 24 months)
    assert a["severity"] == pytest.approx((0.68 + 0.8 + 0.5 + 0.5) / 4)
    assert a["severity_low"] == pytest.approx((0.68 + 0.8 + 0.45 + 0.25) / 4)
    assert a["severity_high"] == pytest.approx((0.68 + 0.8 + 0.55 + 1.0) / 4)
    assert a["risk_low"] == pytest.approx(0.8 * a["severity_low"]) and a["assumed"] == ""
    b = out.loc["b|CHN"]
    # unknown: the whole domain [0, 1] for both factors, central at the documented assumption
    assert b["severity_low"] == pytest.approx((0.5 + 1.0 + 0.0 + 0.0) / 4)
    assert b["severity_high"] == pytest.approx((0.5 + 1.0 + 1.0 + 1.0) / 4)
    assert (out["risk_low"] <= out["risk"] + 1e-12).all() and (out["risk"] <= out["risk_high"] + 1e-12).all()


def test_unordered_node_ranges_are_refused() -> None:
    from supplychain.errors import SchemaError

    with pytest.raises(SchemaError, match="substitutability range of 'a'"):
        nodes_frame(["a"], substitutability=[0.5], substitutability_low=[0.6])
