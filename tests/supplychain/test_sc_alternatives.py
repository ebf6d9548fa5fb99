"""Hand-checked semantics of the three relations, loss bounds and knockouts (alternatives.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sc_fixtures import nodes_frame

from supplychain import reference as ref
from supplychain.chokepoints import structural_chokepoints
from supplychain.disruption import Shock, simulate
from supplychain.errors import SchemaError
from supplychain.graph import build_graph
from supplychain.knockout import knockouts, top_share_bounds
from supplychain.losses import as_share_bounds
from supplychain.reach import compute_reach
from supplychain.reference import to_networkx
from supplychain.schema import validate_edges


def _edges(rows: list[tuple[str, str, str, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["src", "dst", "relation", "share", "factor"])


NAN = float("nan")
# the worked example of docs/methods/alternatives.md: chip needs litho and resist (AND);
# litho's types EUV (share 0.5), DUV (0.3) and imprint (unknown; the residual 0.2 is its);
# resist B can replace resist A with factor 0.6 (A goes into the chip).
NODES = nodes_frame(["euv", "duv", "imprint", "litho", "resist_a", "resist_b", "chip"], finals=["chip"])
EDGES = _edges(
    [
        ("euv", "litho", "is_type_of", 0.5, NAN),
        ("duv", "litho", "is_type_of", 0.3, NAN),
        ("imprint", "litho", "is_type_of", NAN, NAN),
        ("litho", "chip", "goes_into", NAN, NAN),
        ("resist_a", "chip", "goes_into", NAN, NAN),
        ("resist_b", "resist_a", "substitutes", NAN, 0.6),
    ]
)
GRAPH = build_graph(NODES, EDGES)


def _node_loss(shock: str) -> pd.DataFrame:
    return simulate(GRAPH, [Shock("node", shock, 1.0)]).nodes.set_index("node_id")


def test_and_types_and_substitutes_by_hand() -> None:
    # losing EUV: litho = 0.5 x 0 + 0.3 + 0.2 x (min|max of imprint = 1) = 0.5; chip loses 0.5
    euv = _node_loss("euv")
    assert euv.loc["litho", "loss_low"] == pytest.approx(0.5) and euv.loc["litho", "loss_high"] == pytest.approx(0.5)
    assert euv.loc["chip", "loss_low"] == pytest.approx(0.5)
    # losing imprint (share unknown): it holds all of the residual 0.2 -> loss 0.2 exactly
    imprint = _node_loss("imprint")
    assert imprint.loc["chip", "loss_low"] == pytest.approx(0.2) and imprint.loc["chip", "loss_high"] == pytest.approx(
        0.2
    )
    # losing resist A: B makes up 0.6 of it -> a(A) = 0 + 1 x 0.6 = 0.6, chip loses 0.4
    resist = _node_loss("resist_a")
    assert resist.loc["resist_a", "availability_low"] == pytest.approx(0.6)
    assert resist.loc["chip", "loss_low"] == pytest.approx(0.4)
    # losing resist B alone costs nothing (A is intact)
    assert _node_loss("resist_b").loc["chip", "loss_high"] == 0.0
    # a required input lost: the chip is lost
    assert _node_loss("litho").loc["chip", "loss_low"] == 1.0


def test_unknown_type_shares_give_bounds() -> None:
    # two types, both shares unknown: losing one costs the category between 0 and 1
    nodes = nodes_frame(["a", "b", "cat", "f"], finals=["f"])
    edges = _edges(
        [
            ("a", "cat", "is_type_of", NAN, NAN),
            ("b", "cat", "is_type_of", NAN, NAN),
            ("cat", "f", "goes_into", NAN, NAN),
        ]
    )
    g = build_graph(nodes, edges)
    res = simulate(g, [Shock("node", "a", 1.0)]).nodes.set_index("node_id")
    assert res.loc["f", "loss_low"] == 0.0 and res.loc["f", "loss_high"] == 1.0
    assert "at least 0.000 and at most 1.000" in res.loc["f", "explanation"]
    table = structural_chokepoints(g, compute_reach(g)).set_index("node_id")
    assert table.loc["a", "knockout_chokepoint"] == "possible"
    assert table.loc["cat", "knockout_chokepoint"] == "yes"


def test_knockout_threshold_discriminates() -> None:
    table = structural_chokepoints(GRAPH, compute_reach(GRAPH)).set_index("node_id")
    # EUV's loss of 0.5 reaches the threshold 0.5; DUV's 0.3, imprint's 0.2, resist A's 0.4 do not
    assert table.loc["euv", "knockout_chokepoint"] == "yes"
    assert table.loc["euv", "finals_knockout"] == "chip"
    assert table.loc["euv", "knockout_weight"] == pytest.approx(0.5)  # reach: the chip's supply lost
    assert table.loc["duv", "knockout_weight"] == pytest.approx(0.3)
    for node in ("duv", "imprint", "resist_a", "resist_b"):
        assert table.loc[node, "knockout_chokepoint"] == "no", node
        assert table.loc[node, "n_finals_knockout"] == 0
    assert table.loc["litho", "knockout_chokepoint"] == "yes"
    assert table.loc["chip", "knockout_chokepoint"] == "no"  # its own loss is not counted


def test_single_supplier_knockout_three_valued() -> None:
    shares = pd.DataFrame(
        {
            "node_id": ["litho", "litho", "euv", "duv"],
            "supplier": ["NLD", "JPN", "NLD", "JPN"],
            "share_low": [0.8, 0.1, 1.0, 0.2],
            "share_high": [0.8, 0.2, 1.0, 0.9],
        }
    )
    reach = compute_reach(GRAPH)
    knock = knockouts(GRAPH, reach, top_shares=top_share_bounds(GRAPH, shares))
    table = structural_chokepoints(GRAPH, reach, knock).set_index("node_id")
    # litho's top supplier holds 0.8 -> the chip loses 0.8: yes
    assert table.loc["litho", "single_supplier_knockout"] == "yes"
    assert table.loc["litho", "top_supplier_loss_low"] == pytest.approx(0.8)
    # EUV's top supplier holds all of EUV -> chip loses 0.5: yes
    assert table.loc["euv", "single_supplier_knockout"] == "yes"
    # DUV's top supplier holds 0.2-0.9 of DUV (share 0.3 of litho): loss 0.06-0.27: no
    assert table.loc["duv", "top_supplier_loss_high"] == pytest.approx(0.27)
    assert table.loc["duv", "single_supplier_knockout"] == "no"
    assert table.loc["resist_a", "single_supplier_knockout"] == "no"  # no share data: not tested


def test_point_shares_adapter() -> None:
    point = pd.DataFrame({"node_id": ["n", "n", "n"], "supplier_id": ["TWN", "KOR", "USA"], "share": [0.6, NAN, NAN]})
    bounds = as_share_bounds(point).set_index("supplier")
    assert bounds.loc["TWN", "share_low"] == bounds.loc["TWN", "share_high"] == 0.6
    assert bounds.loc["KOR", "share_low"] == 0.0 and bounds.loc["KOR", "share_high"] == pytest.approx(0.4)


def test_edge_validation() -> None:
    with pytest.raises(SchemaError, match="factor"):
        validate_edges(_edges([("a", "b", "substitutes", NAN, NAN)]))
    with pytest.raises(SchemaError, match="share"):
        validate_edges(_edges([("a", "b", "goes_into", 0.5, NAN)]))
    with pytest.raises(SchemaError, match=r"sum to 1\.200"):
        validate_edges(_edges([("a", "c", "is_type_of", 0.6, NAN), ("b", "c", "is_type_of", 0.6, NAN)]))
    with pytest.raises(SchemaError, match="factor"):
        validate_edges(_edges([("a", "b", "substitutes", NAN, 1.5)]))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=3, max_size=3),
    st.floats(min_value=0.0, max_value=1.0),
    st.floats(min_value=0.0, max_value=1.0),
)
def test_any_completion_lies_inside_the_bounds(own: list[float], split: float, shock_share: float) -> None:
    # types a, b with unknown shares (any split of the category between them) and a supplier X
    # of a with unknown share (anything up to the residual 0.4): every completion's loss lies
    # in [loss_low, loss_high]
    nodes = nodes_frame(["a", "b", "cat", "f"], finals=["f"])
    edges = _edges(
        [
            ("a", "cat", "is_type_of", NAN, NAN),
            ("b", "cat", "is_type_of", NAN, NAN),
            ("cat", "f", "goes_into", NAN, NAN),
        ]
    )
    g = build_graph(nodes, edges)
    point = pd.DataFrame({"node_id": ["a", "a"], "supplier_id": ["X", "Y"], "share": [NAN, 0.6]})
    res = simulate(g, [Shock("country", "X", 1.0)], country_shares=point).nodes.set_index("node_id")
    x = 0.4 * shock_share  # one completion of X's share
    completed = _edges(
        [
            ("a", "cat", "is_type_of", split, NAN),
            ("b", "cat", "is_type_of", 1.0 - split, NAN),
            ("cat", "f", "goes_into", NAN, NAN),
        ]
    )
    a = ref.nx_availability(to_networkx(nodes, completed), {"a": 1.0 - x})
    for node in ("a", "cat", "f"):
        loss = 1.0 - a[node]
        assert res.loc[node, "loss_low"] - 1e-9 <= loss <= res.loc[node, "loss_high"] + 1e-9
    assert np.isfinite(own).all()
