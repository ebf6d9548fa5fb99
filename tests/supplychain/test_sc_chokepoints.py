"""Concentration and structural chokepoints (docs/methods/chokepoints.md)."""

from __future__ import annotations

import numpy as np
import pytest
from sc_fixtures import countries_frame, edges_frame, nodes_frame, provision_frame, random_dag

from supplychain.chokepoints import concentration_chokepoints, structural_chokepoints
from supplychain.concentration import concentration
from supplychain.disruption import Shock, simulate
from supplychain.graph import build_graph
from supplychain.reach import compute_reach
from supplychain.thresholds import Thresholds


def _flags(rows: list[tuple[str, str, str, str, float]], **kw: object) -> dict[str, dict[str, object]]:
    conc = concentration(provision_frame(rows), countries_frame(), **kw)  # type: ignore[arg-type]
    out = concentration_chokepoints(conc, **kw)  # type: ignore[arg-type]
    return out.set_index("node_id").to_dict("index")


def test_concentration_views() -> None:
    flags = _flags(
        [
            ("deu", "DEU", "country", "DEU", 1.0),  # foreign for NLD, not for the EU
            ("usa", "USA", "country", "USA", 0.96),
            ("usa", "NLD", "country", "NLD", 0.04),
            ("nld", "NLD", "country", "NLD", 1.0),  # global only
            ("mix", "USA", "country", "USA", 0.4),
            ("mix", "CHN", "country", "CHN", 0.3),
            ("mix", "JPN", "country", "JPN", 0.3),  # top 0.4 < 0.65, HHI 0.34 <= 0.4
            ("hhi", "USA", "country", "USA", 0.6),
            ("hhi", "CHN", "country", "CHN", 0.2),
            ("hhi", "JPN", "country", "JPN", 0.2),  # HHI .36+.04+.04 = 0.44 > 0.4
        ]
    )
    yes = {k: {f for f, v in row.items() if str(v) == "yes"} for k, row in flags.items()}
    assert yes["deu"] == {"global_chokepoint", "foreign_home_chokepoint"}  # not foreign for the EU
    assert {"foreign_home_chokepoint", "foreign_bloc_chokepoint"} <= yes["usa"]
    assert "largest supplier outside NLD (USA) 96.0%" in str(flags["usa"]["explanation"])
    assert yes["nld"] == {"global_chokepoint"}
    assert yes["mix"] == set() and flags["mix"]["global_chokepoint"] == "no"
    assert "not a chokepoint" in str(flags["mix"]["explanation"])
    assert {"global_chokepoint", "foreign_home_chokepoint"} <= yes["hhi"]


def test_threshold_is_a_parameter() -> None:
    rows = [("a", "USA", "country", "USA", 0.6), ("a", "CHN", "country", "CHN", 0.4)]
    # HHI = .36 + .16 = 0.52 > 0.4 -> flagged; with top 0.7 and HHI 0.6 cut-offs: not
    assert _flags(rows)["a"]["global_chokepoint"] == "yes"
    strict = Thresholds(chokepoint_top_share=0.7, chokepoint_hhi=0.6)
    assert _flags(rows, thresholds=strict)["a"]["global_chokepoint"] == "no"


def test_unknown_share_is_possible_never_zero() -> None:
    # one named supplier without a share: anything from 0 (unnamed suppliers hold the rest) to 100%
    flags = _flags([("p", "JPN", "country", "JPN", float("nan"))])
    assert flags["p"]["global_chokepoint"] == "possible"
    assert "insufficient data for a point value" in str(flags["p"]["explanation"])
    assert "top share at least 0.0% and at most 100.0%" in str(flags["p"]["explanation"])
    complete = _flags([("p", "JPN", "country", "JPN", float("nan"))], thresholds=Thresholds(suppliers_complete=True))
    assert complete["p"]["global_chokepoint"] == "yes"  # the list is complete: JPN holds it all


def test_partial_coverage_yes_possible_no() -> None:
    rows = [
        ("a", "USA", "country", "USA", 0.7),  # 0.7 known: yes whatever the rest is
        ("a", "CHN", "country", "CHN", float("nan")),
        ("b", "USA", "country", "USA", 0.5),  # 0.5 known, 0.5 open: possible
        ("b", "CHN", "country", "CHN", float("nan")),
        ("c", "USA", "country", "USA", 0.3),  # 0.3 each, R = 0.1: at most top 0.4, HHI .19 + .02 = 0.25
        ("c", "CHN", "country", "CHN", 0.3),
        ("c", "JPN", "country", "JPN", 0.3),
    ]
    flags = _flags(rows)
    assert [flags[n]["global_chokepoint"] for n in "abc"] == ["yes", "possible", "no"]
    assert "only at the upper bound" in str(flags["b"]["explanation"])


def test_dominators_and_knockout_differ() -> None:
    # s1 -> m -> f, s2 -> m, s3 -> f : m dominates f? no (s3 -> f bypasses m);
    # knockout of m still cuts f (f needs all inputs). t -> u -> f2 only: u dominates f2.
    nodes = nodes_frame(["s1", "s2", "s3", "m", "f", "t", "u", "f2"], finals=["f", "f2"])
    edges = edges_frame([("s1", "m"), ("s2", "m"), ("m", "f"), ("s3", "f"), ("t", "u"), ("u", "f2")])
    g = build_graph(nodes, edges)
    table = structural_chokepoints(g, compute_reach(g)).set_index("node_id")
    assert not table.loc["m", "dominator_chokepoint"] and table.loc["m", "knockout_chokepoint"] == "yes"
    assert table.loc["m", "finals_knockout"] == "f"
    assert table.loc["u", "dominator_chokepoint"] and table.loc["u", "finals_dominated"] == "f2"
    assert table.loc["t", "dominator_chokepoint"]  # t is the only way into u
    # a final product's own loss is not counted: every reach field says so consistently
    assert table.loc["f", "knockout_chokepoint"] == "no"
    assert table.loc["f", "n_finals_knockout"] == 0 and table.loc["f", "knockout_weight"] == 0.0
    assert table.loc["f", "dominated_weight"] == 0.0 and table.loc["f", "n_finals_dominated"] == 0
    assert table.loc["u", "knockout_weight"] == pytest.approx(0.5)
    assert "every supply path" in table.loc["u", "explanation"]


@pytest.mark.parametrize("seed", range(15))
def test_removing_a_structural_chokepoint_cuts_its_finals(seed: int) -> None:
    nodes, edges = random_dag(seed)
    g = build_graph(nodes, edges)
    table = structural_chokepoints(g, compute_reach(g))
    assert set(table["knockout_chokepoint"]) <= {"yes", "no"}  # AND only: no unknown shares
    for row in table[table["knockout_chokepoint"] == "yes"].itertuples():
        result = simulate(g, [Shock("node", row.node_id, 1.0)])
        lost = result.finals.set_index("node_id")["loss_low"]
        for f in row.finals_knockout.split(";"):
            assert lost[f] == pytest.approx(1.0)
        for f in set(lost.index) - set(row.finals_knockout.split(";")) - {row.node_id}:
            assert lost[f] == 0.0
    dominated = table[table["dominator_chokepoint"]]
    assert (dominated["knockout_chokepoint"] == "yes").all()  # dominators are a subset of knockouts
    assert np.all(table["n_finals_dominated"] <= table["n_finals_knockout"])
