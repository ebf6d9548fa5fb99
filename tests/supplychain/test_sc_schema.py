"""Validation of the input frames (supplychain.schema)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from supplychain.errors import SchemaError
from supplychain.schema import (
    bloc_members,
    split_list,
    validate_countries,
    validate_edges,
    validate_nodes,
    validate_provision,
    validate_trade,
)


def test_nodes_defaults_filled_and_sorted() -> None:
    out = validate_nodes(pd.DataFrame({"node_id": ["b", "a"]}))
    assert out["node_id"].tolist() == ["a", "b"]
    assert out["market_weight"].tolist() == [1.0, 1.0]
    assert out["kind"].tolist() == ["product", "product"]
    assert math.isnan(out["substitutability"].iloc[0])


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"name": ["x"]}), "missing column"),
        (pd.DataFrame({"node_id": ["a", "a"]}), "duplicate"),
        (pd.DataFrame({"node_id": ["a"], "kind": ["gadget"]}), "kind"),
        (pd.DataFrame({"node_id": ["a"], "substitutability": [1.5]}), "substitutability"),
    ],
)
def test_nodes_errors(frame: pd.DataFrame, message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        validate_nodes(frame)


def test_edges_reject_unknown_relation_and_self_loop() -> None:
    with pytest.raises(SchemaError, match="relation"):
        validate_edges(pd.DataFrame({"src": ["a"], "dst": ["b"], "relation": ["feeds"]}))
    with pytest.raises(SchemaError, match="self-loop"):
        validate_edges(pd.DataFrame({"src": ["a"], "dst": ["a"], "relation": ["goes_into"]}))


def test_provision_keeps_unknown_share_and_hints_percentages() -> None:
    base = {"node_id": ["a", "a"], "supplier_id": ["NLD", "USA"], "supplier_type": "country", "country": ["NLD", "USA"]}
    ok = validate_provision(pd.DataFrame({**base, "share": [0.5, None]}))
    assert math.isnan(ok["share"].iloc[1])  # unknown stays unknown, never 0
    with pytest.raises(SchemaError, match="percentage"):
        validate_provision(pd.DataFrame({**base, "share": [50.0, 50.0]}))
    with pytest.raises(SchemaError, match="supplier_type"):
        validate_provision(pd.DataFrame({**base, "share": [0.5, 0.5], "supplier_type": "region"}))


def test_countries_and_blocs() -> None:
    frame = validate_countries(
        pd.DataFrame({"iso3": ["NLD", "USA"], "blocs": ["EU27;NATO", "NATO"], "governance": [1.0, 2.0]})
    )
    assert bloc_members(frame, "EU27") == {"NLD"}
    assert bloc_members(frame, "NATO") == {"NLD", "USA"}
    with pytest.raises(SchemaError, match="governance"):
        validate_countries(pd.DataFrame({"iso3": ["X"], "governance": [11.0]}))


def test_trade_drops_zero_flows() -> None:
    frame = pd.DataFrame(
        {
            "year": [2022, 2022],
            "exporter": ["A", "B"],
            "importer": ["C", "C"],
            "product": ["1", "1"],
            "value": [0.0, 2.0],
        }
    )
    assert validate_trade(frame)["exporter"].tolist() == ["B"]


def test_split_list() -> None:
    assert split_list(" a; b;;") == ["a", "b"]
    assert split_list(float("nan")) == []
