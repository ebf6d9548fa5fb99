"""deps.services.views: hand-checked on the tiny fixture (ore and tool go into chip) and on small made-up frames."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest

from deps.access.audit import list_events
from deps.access.auth import Actor
from deps.config import load_settings
from deps.errors import PermissionDeniedError
from deps.ingest import import_file
from deps.ingest.seed import initialise
from deps.services.analysis import run_analysis
from deps.services.exports import log_export
from deps.services.views import (
    chains,
    dataset_diff,
    heatmap_frame,
    latest_analysis,
    layered_layout,
    markets_frame,
    node_detail,
)
from deps.store.db import Database
from deps.store.queries import resolve_dataset
from tests.helpers import READER

pytestmark = pytest.mark.integration  # a database, the CLI or the app end to end: make test, not make check

AUDITOR = Actor("auditor", "admin")

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "template_small"
ANALYST = Actor("ann", "analyst")


@pytest.fixture
def small(db: Database, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Database:
    monkeypatch.setenv("DEPS_SEED_DIR", str(FIXTURE))
    initialise(db, load_settings())
    return db


def _edges(pairs: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame({"src": [a for a, _ in pairs], "dst": [b for _, b in pairs], "relation": "goes_into"})


def test_layout_levels_are_longest_paths_and_ranks_are_centred() -> None:
    # a -> b -> c and a -> c: c sits at level 2 (the longer path), d alone at level 0
    nodes = pd.DataFrame({"node_id": ["c", "a", "d", "b"], "name": ["C", "A", "D", "B"]})
    positions, segments = layered_layout(nodes, _edges([("a", "b"), ("b", "c"), ("a", "c")]))
    got = {r.node_id: (r.level, r.y) for r in positions.itertuples()}
    # level 0 holds a and d: ranks 0, 1 centred -> -0.5, 0.5; b and c are alone in their levels -> 0
    assert got == {"a": (0, -0.5), "d": (0, 0.5), "b": (1, 0.0), "c": (2, 0.0)}
    assert list(zip(segments["src"], segments["dst"], strict=True)) == [("a", "b"), ("a", "c"), ("b", "c")]
    assert segments.loc[segments["dst"] == "c", "x1"].tolist() == [2.0, 2.0]


def test_layout_survives_a_cycle() -> None:
    nodes = pd.DataFrame({"node_id": ["x", "y"], "name": ["X", "Y"]})
    positions, _ = layered_layout(nodes, _edges([("x", "y"), ("y", "x")]))
    assert sorted(positions["level"]) == [0, 0]


def test_chains_breadth_first_with_depth_and_via() -> None:
    edges = _edges([("a", "b"), ("b", "c"), ("a", "c"), ("c", "d")])
    down = chains(edges, "a", direction="downstream")
    # a goes straight into b and c (depth 1); d is reached through c (depth 2)
    assert down.to_dict("records") == [
        {"node_id": "b", "depth": 1, "via": "a"},
        {"node_id": "c", "depth": 1, "via": "a"},
        {"node_id": "d", "depth": 2, "via": "c"},
    ]
    up = chains(edges, "d", direction="upstream")
    assert up[["node_id", "depth"]].values.tolist() == [["c", 1], ["a", 2], ["b", 2]]
    assert chains(edges, "a", direction="upstream").empty
    with pytest.raises(ValueError, match="direction"):
        chains(edges, "a", direction="sideways")


def test_heatmap_weighs_node_risk_by_reach_per_market_and_sector() -> None:
    analysis = pd.DataFrame(
        {
            "node_id": ["n1", "n2", "n3", "f1", "f2"],
            "finals_knockout": ["f1;f2", "f1", "", "", ""],
            "total_risk": [0.5, 0.25, 0.9, 0.0, 0.0],
            "global_chokepoint": [True, False, True, False, False],
            "knockout_chokepoint": [False, False, False, False, False],
        }
    )
    graph = pd.DataFrame(
        {
            "node_id": ["n1", "n2", "n3", "f1", "f2"],
            "kind": ["product", "product", "product", "final_product", "final_product"],
            "markets": ["", "", "", "m1", "m1;m2"],
            "sectors": ["s1", "s1;s2", "s1", "", ""],
        }
    )
    frame = heatmap_frame(analysis, graph)
    # m1 = {f1, f2}: n1 reaches both (rho 1), n2 reaches f1 (rho 1/2); m2 = {f2}: n1 (rho 1)
    # (m1, s1): 0.5 + 0.125; (m1, s2): n2 0.125; (m2, s1): n1 0.5; n3 reaches nothing and is left out
    assert frame.to_dict("records") == [
        {"market": "m1", "sector": "s1", "risk": 0.625, "nodes": 2, "chokepoints": 1},
        {"market": "m1", "sector": "s2", "risk": 0.125, "nodes": 1, "chokepoints": 0},
        {"market": "m2", "sector": "s1", "risk": 0.5, "nodes": 1, "chokepoints": 1},
    ]


def test_node_detail_on_the_fixture(db: Database, small: Database) -> None:
    ref = resolve_dataset(db, "seed")
    ore = node_detail(db, ref, "ore", actor=READER)
    # ore: CHN 60% + AUS 30% known, USA share unknown -> coverage 0.9
    assert ore.coverage == pytest.approx(0.9)
    assert sorted(ore.suppliers["supplier_id"]) == ["AUS", "CHN", "USA"]
    assert ore.upstream.empty and ore.downstream["node_id"].tolist() == ["chip"]
    assert ore.node["name"] == "Ore" and ore.node["hs_code"] == "261690"
    chip = node_detail(db, ref, "chip", actor=READER)
    assert chip.upstream[["node_id", "name", "depth"]].values.tolist() == [["ore", "Ore", 1], ["tool", "Tool", 1]]
    assert chip.suppliers.empty and chip.coverage == 0.0
    with pytest.raises(KeyError, match="nowhere"):
        node_detail(db, ref, "nowhere", actor=READER)


def test_markets_carry_their_dutch_names(db: Database, small: Database) -> None:
    frame = markets_frame(db, actor=READER)
    assert frame[["market_id", "name_nl", "name_en"]].values.tolist() == [
        ["semiconductors", "Halfgeleiders", "Semiconductors"]
    ]


def test_dataset_diff_between_two_versions(db: Database, small: Database, tmp_path: Path) -> None:
    folder = tmp_path / "v2"
    shutil.copytree(FIXTURE, folder)
    provision = (folder / "provision.csv").read_text().replace("ore,country,CHN,60,", "ore,country,CHN,70,")
    (folder / "provision.csv").write_text(provision)
    nodes = (folder / "nodes.csv").read_text() + "wafer,Wafer,material,semiconductors,,,,,fx,2024\n"
    (folder / "nodes.csv").write_text(nodes)
    edges = (folder / "edges.csv").read_text().replace("tool,chip,goes_into,fx,2024,observed,high,\n", "")
    (folder / "edges.csv").write_text(edges)
    import_file(db, load_settings(), Actor("ada", "admin"), "template", folder, dataset="seed")
    diff = dataset_diff(db, "seed", 1, 2, actor=READER)
    got = {(r.table, r.key, r.change) for r in diff.itertuples()}
    assert got == {
        ("nodes", "wafer", "added"),
        ("edges", "tool|chip|goes_into", "removed"),
        ("provision", "ore|country|CHN|2024", "changed"),
    }
    changed = diff[diff["change"] == "changed"]["what"].iloc[0]
    assert "share: 0.6 -> 0.7" in changed
    assert dataset_diff(db, "seed", 1, 1, actor=READER).empty


def test_latest_analysis_matches_the_dataset_version(db: Database, small: Database) -> None:
    settings = load_settings()
    ref = resolve_dataset(db, "seed")
    assert latest_analysis(db, ref, actor=READER) is None
    first = run_analysis(db, settings, dataset="seed", actor=ANALYST)
    second = run_analysis(db, settings, dataset="seed", actor=ANALYST)
    found = latest_analysis(db, ref, actor=READER)
    assert found is not None and found[0] in {first.run_id, second.run_id}
    assert sorted(found[1]["nodes"]["node_id"]) == ["chip", "ore", "tool"]


def test_log_export_needs_the_export_permission(db: Database, small: Database) -> None:
    data = b"a,b\n1,2\n"
    with pytest.raises(PermissionDeniedError):
        log_export(db, Actor("vic", "viewer"), table="t", fmt="csv", data=data)
    digest = log_export(db, ANALYST, table="risk", fmt="csv", data=data, dataset="seed")
    assert digest == hashlib.sha256(data).hexdigest()
    (event,) = list_events(db, actor=AUDITOR, action="export")
    assert event["user"] == "ann" and event["target"] == "risk"
    assert event["details"] == {"format": "csv", "bytes": 8, "sha256": digest, "dataset": "seed", "via": "app"}
