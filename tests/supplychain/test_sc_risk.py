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
