"""The one-call node table (supplychain.analysis.analyse)."""

from __future__ import annotations

import pandas as pd
from sc_fixtures import countries_frame, edges_frame, nodes_frame, provision_frame

from supplychain.analysis import FLAG_COLUMNS, NODE_TABLE_COLUMNS, TRI_STATE_COLUMNS, analyse

NODES = nodes_frame(["raw", "tool", "chip"], finals=["chip"])
EDGES = edges_frame([("raw", "chip"), ("tool", "chip")])
PROV = provision_frame(
    [
        ("raw", "CHN", "country", "CHN", 0.98),
        ("raw", "USA", "country", "USA", 0.02),
        ("tool", "NLD", "country", "NLD", 0.9),
        ("tool", "JPN", "country", "JPN", 0.1),
        ("tool", "FirmA", "firm", "NLD", 0.9),
    ]
)


def test_node_table_flags_and_explanations() -> None:
    result = analyse(NODES, EDGES, PROV, countries_frame())
    table = result.table.set_index("node_id")
    assert list(result.table.columns) == list(NODE_TABLE_COLUMNS)
    raw, tool = table.loc["raw"], table.loc["tool"]
    assert raw["foreign_home_chokepoint"] == "yes" and raw["knockout_chokepoint"]
    assert raw["chokepoint"] == "yes" and raw["control_point"] == "no"
    assert raw["main_risk_supplier"] == "CHN"
    assert "CHN share 0.980" in raw["explanation"] or "top CHN share 0.980" in raw["explanation"]
    assert tool["control_point"] == "yes" and tool["top_firm"] == "FirmA"
    # FirmA 0.9 known, the other 0.1 may sit with unnamed firms: the firm view is a point here
    assert tool["firm_global_chokepoint"] == "yes"
    assert (tool["top_firm_share_low"], tool["top_firm_share_high"]) == (0.9, 0.9)
    assert table.loc["chip", "status"] == "no supplier data"
    flagged = set(result.evidence["node_id"])
    assert flagged == {"raw", "tool"}
    assert (result.evidence["source"] == "fixture").all()
    for col in FLAG_COLUMNS:
        if col in TRI_STATE_COLUMNS:
            assert set(table[col]) <= {"yes", "possible", "no"}, col
        else:
            assert pd.api.types.is_bool_dtype(table[col]), col


def test_inputs_not_modified_and_deterministic() -> None:
    before = PROV.copy()
    one = analyse(NODES, EDGES, PROV, countries_frame()).table
    two = analyse(NODES, EDGES, PROV.sample(frac=1.0, random_state=3), countries_frame()).table
    pd.testing.assert_frame_equal(PROV, before)
    pd.testing.assert_frame_equal(one, two)


def test_edge_cases_empty_provision_and_no_edges() -> None:
    empty = PROV.iloc[0:0]
    result = analyse(NODES, EDGES.iloc[0:0], empty, countries_frame())
    table = result.table.set_index("node_id")
    assert (table["status"] == "no supplier data").all()
    assert (table[list(TRI_STATE_COLUMNS)] == "no").all().all()
    assert not table[[c for c in FLAG_COLUMNS if c not in TRI_STATE_COLUMNS]].to_numpy().any()
    assert len(result.risk) == 0 and len(result.evidence) == 0
    # without edges every node is its own final product (no node is marked final here)
    assert table.loc["chip", "is_final"]
