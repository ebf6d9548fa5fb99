"""One definition of market risk (attribution by reach), used by the Overview and the optimiser's market view."""

from __future__ import annotations

import pandas as pd
import pytest

from deps.access.auth import Actor
from deps.config import load_settings
from deps.ingest.seed import initialise
from deps.services.analysis import run_analysis
from deps.services.markets import market_risk, reach_shares, target_markets
from deps.services.optimisation import run_optimisation
from deps.services.scenario import ScenarioConfig
from deps.services.views import heatmap_frame, overview_market_risk
from deps.store.db import Database
from deps.store.queries import nodes_frame, resolve_dataset

pytestmark = pytest.mark.integration  # a database, the CLI or the app end to end: make test, not make check

ANALYST = Actor("ann", "analyst")
# f1 is a final product of markets a and b, f2 of a only, f3 of b only; n reaches f1 and f2, m reaches f3
GRAPH = pd.DataFrame(
    {
        "node_id": ["f1", "f2", "f3", "m", "n"],
        "kind": ["final_product", "final_product", "final_product", "product", "product"],
        "markets": ["a;b", "a", "b", "", ""],
        "sectors": ["s", "s", "s", "s", "s;t"],
    }
)
ANALYSIS = pd.DataFrame(
    {
        "node_id": ["f1", "f2", "f3", "m", "n"],
        "finals_knockout": ["", "", "", "f3", "f1;f2"],
        "total_risk": [0.0, 0.0, 0.1, 0.2, 0.6],
        "global_chokepoint": [False, False, False, True, False],
    }
)


def test_a_node_reaching_two_markets_counts_in_both_by_its_share() -> None:
    reach = reach_shares(ANALYSIS, GRAPH).set_index(["node_id", "market_id"])["reach_share"]
    # market a = {f1, f2}: n reaches both -> 1; market b = {f1, f3}: n reaches f1 -> 1/2, m reaches f3 -> 1/2
    assert reach[("n", "a")] == pytest.approx(1.0) and reach[("n", "b")] == pytest.approx(0.5)
    assert reach[("m", "b")] == pytest.approx(0.5) and ("m", "a") not in reach.index
    assert reach[("f1", "a")] == pytest.approx(0.5)  # a final product reaches itself
    risk = market_risk(ANALYSIS.rename(columns={"total_risk": "risk"}), reach_shares(ANALYSIS, GRAPH))
    got = dict(zip(risk["market_id"], risk["risk"], strict=True))
    # a: n 0.6 x 1; b: n 0.6 x 0.5 + m 0.2 x 0.5 + f3 0.1 x 0.5 = 0.45
    assert got == pytest.approx({"a": 0.6, "b": 0.45})


def test_names_do_not_decide() -> None:
    # renaming the markets so that their alphabetical order flips changes nothing but the labels
    graph = GRAPH.assign(markets=GRAPH["markets"].map({"a;b": "z;y", "a": "z", "b": "y", "": ""}))
    risk = market_risk(ANALYSIS.rename(columns={"total_risk": "risk"}), reach_shares(ANALYSIS, graph))
    assert dict(zip(risk["market_id"], risk["risk"], strict=True)) == pytest.approx({"z": 0.6, "y": 0.45})


def test_target_markets_and_the_heatmap_use_the_same_shares() -> None:
    targets = pd.DataFrame({"target_id": ["n|CHN", "n|USA", "m|CHN"], "node_id": ["n", "n", "m"]})
    frame = target_markets(targets, reach_shares(ANALYSIS, GRAPH))
    assert list(frame.columns) == ["target_id", "market_id", "reach_share"]
    assert len(frame) == 5  # n|CHN and n|USA in a and b, m|CHN in b
    heat = heatmap_frame(ANALYSIS, GRAPH).set_index(["market", "sector"])
    assert heat.loc[("b", "s"), "risk"] == pytest.approx(0.45)
    assert heat.loc[("b", "t"), "risk"] == pytest.approx(0.3)  # only n is in sector t
    assert heat.loc[("b", "s"), "chokepoints"] == 1


def test_overview_and_optimiser_agree_on_the_seed(db: Database, env: dict[str, str]) -> None:
    settings = load_settings()
    initialise(db, settings)
    analysis = run_analysis(db, settings, dataset="seed", actor=ANALYST)
    graph = nodes_frame(db, resolve_dataset(db, "seed").id)
    overview = overview_market_risk(analysis.tables["nodes"], graph).set_index("market_id")["risk"]
    run = run_optimisation(db, settings, dataset="seed", actor=ANALYST, config=ScenarioConfig(), budget=500)
    markets = run.tables["markets"].set_index("market")
    assert set(overview.index) == set(markets.index) - {"unassigned"}
    for market, value in overview.items():
        assert markets.loc[market, "baseline_risk"] == pytest.approx(value, rel=1e-9, abs=1e-12)
    # the optimiser's residual view uses the same weights: no market loses more than its own baseline
    assert (markets["residual_risk"] <= markets["baseline_risk"] + 1e-9).all()
    targets = run.tables["targets"]
    assert run.summary["targets_on_assumption"] == int(targets["assumed"].ne("").sum()) > 0
    assert targets["assumed"].eq("").any()  # the seed's published substitutability and recovery times reach the targets
    assert run.summary["targets_assumed_substitutability"] < run.summary["targets"]
    for kind in ("substitutability", "time_to_recover"):  # an assumed value never decides the kind
        assert not (targets["dependency_kind"].eq(kind) & targets["assumed"].str.contains(kind)).any()
    assert (targets["baseline_risk_low"] <= targets["baseline_risk"] + 1e-12).all()
    assert (targets["baseline_risk"] <= targets["baseline_risk_high"] + 1e-12).all()
    ranking = overview.sort_values(ascending=False)
    assert ranking.index[0] == markets["baseline_risk"].drop("unassigned", errors="ignore").idxmax()
