"""Attribution by reach: a target counts in every market its node reaches (optimizer.reach)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from opt_fixtures import hand_inputs, lines_frame, random_inputs

from optimizer.batch import ScenarioSpec, solve_chunk
from optimizer.errors import InputError
from optimizer.inputs import Policy, build_inputs
from optimizer.reach import UNASSIGNED, market_risk
from optimizer.solve import solve

EFFECTS = pd.DataFrame(
    {
        "action_line_id": ["fin", "fin", "res"],
        "dependency_kind": ["k", "k", "k"],
        "segment": [1, 2, 1],
        "length_meur": [10.0, 10.0, 5.0],
        "reduction_per_meur": [0.05, 0.02, 0.04],
    }
)
TARGETS = pd.DataFrame(
    {"target_id": ["A", "B"], "baseline_risk": [1.0, 1.0], "weight": [2.0, 1.0], "dependency_kind": ["k", "k"]}
)
# A's node reaches all of market X's final products and half of Y's; B reaches a quarter of Y's.
REACH = pd.DataFrame({"target_id": ["A", "A", "B"], "market_id": ["X", "Y", "Y"], "reach_share": [1.0, 0.5, 0.25]})


def _inputs() -> object:
    return build_inputs(TARGETS, lines_frame(("fin", "res")), EFFECTS, target_markets=REACH)


def test_a_target_reaching_two_markets_counts_in_both() -> None:
    s = solve(_inputs(), Policy(budget_meur=20.0, line_max_meur={"fin": 12.0}))
    # Same LP as the hand-solved case: A gets 15, B gets 5 (the objective does not depend on markets).
    spend = s.targets.set_index("target_id")["spend_meur"]
    assert spend.to_dict() == pytest.approx({"A": 15.0, "B": 5.0})
    residual = s.targets.set_index("target_id")["residual_risk"]
    assert residual.to_dict() == pytest.approx({"A": 0.3, "B": 0.78})
    m = s.markets.set_index("market")
    # spend split by reach: A 1/(1+0.5) to X and 0.5/1.5 to Y; B all to Y.
    assert m.loc["X", "spend_meur"] == pytest.approx(15.0 * 2 / 3)
    assert m.loc["Y", "spend_meur"] == pytest.approx(15.0 / 3 + 5.0)
    assert m["spend_meur"].sum() == pytest.approx(20.0)
    # risk counts in every market reached, weighted by rho: X = 2*1*0.3; Y = 2*0.5*0.3 + 1*0.25*0.78.
    assert m.loc["X", "weighted_residual_risk"] == pytest.approx(0.6)
    assert m.loc["Y", "weighted_residual_risk"] == pytest.approx(0.3 + 0.195)
    assert m.loc["Y", "weighted_baseline_risk"] == pytest.approx(2 * 0.5 + 0.25)
    assert s.targets.set_index("target_id").loc["A", "market"] == "X;Y"


def test_market_shares_constrain_the_split_spend() -> None:
    policy = Policy(budget_meur=20.0, market_max_share={"X": 0.25})
    s = solve(_inputs(), policy)
    assert s.markets.set_index("market").loc["X", "spend_meur"] <= 5.0 + 1e-7
    assert s.duals.set_index("constraint").loc["market-max-share[X]", "binding"]
    # A's spend is capped at 5 / (2/3) = 7.5 by the share of X.
    assert s.targets.set_index("target_id").loc["A", "spend_meur"] == pytest.approx(7.5)


def test_single_market_column_is_reach_one() -> None:
    old = hand_inputs()
    reach = pd.DataFrame({"target_id": ["A", "B"], "market_id": ["X", "Y"], "reach_share": [1.0, 1.0]})
    new = build_inputs(old.targets.drop(columns="market"), old.lines, old.effects, target_markets=reach)
    policy = Policy(budget_meur=20.0, line_max_meur={"fin": 12.0}, market_min_share={"Y": 0.3})
    a, b = solve(old, policy), solve(new, policy)
    assert a.objective == pytest.approx(b.objective, abs=1e-12)
    pd.testing.assert_frame_equal(a.markets, b.markets)


def test_names_do_not_decide_anything() -> None:
    # Renaming the markets so that their alphabetical order flips changes no number.
    s1 = solve(_inputs(), Policy(budget_meur=20.0, market_max_share={"X": 0.25}))
    flipped = REACH.assign(market_id=REACH["market_id"].map({"X": "b-second", "Y": "a-first"}))
    inputs = build_inputs(TARGETS, lines_frame(("fin", "res")), EFFECTS, target_markets=flipped)
    s2 = solve(inputs, Policy(budget_meur=20.0, market_max_share={"b-second": 0.25}))
    m1, m2 = s1.markets.set_index("market"), s2.markets.set_index("market")
    assert m1.loc["X", "spend_meur"] == pytest.approx(m2.loc["b-second", "spend_meur"])
    assert m1.loc["Y", "weighted_residual_risk"] == pytest.approx(m2.loc["a-first", "weighted_residual_risk"])


def test_unreached_target_is_booked_to_unassigned_and_bad_reach_is_reported() -> None:
    reach = REACH[REACH["target_id"] == "A"]
    inputs = build_inputs(TARGETS, lines_frame(("fin", "res")), EFFECTS, target_markets=reach)
    assert UNASSIGNED in inputs.markets
    with pytest.raises(InputError) as info:
        build_inputs(
            TARGETS,
            lines_frame(("fin", "res")),
            EFFECTS,
            target_markets=pd.concat(
                [REACH, pd.DataFrame({"target_id": ["Z"], "market_id": ["X"], "reach_share": [1.5]})]
            ),
        )
    assert "unknown target_id ['Z']" in str(info.value) and "reach_share must lie in [0, 1]" in str(info.value)


def test_market_risk_at_zero_spend_is_the_overview_definition() -> None:
    inputs = _inputs()
    t = inputs.targets.assign(residual_risk=inputs.targets["baseline_risk"], spend_meur=0.0)
    m = market_risk(t, inputs.reach).set_index("market")
    # Overview: risk_m = sum_t w_t rho_tm r_t
    assert m.loc["X", "weighted_residual_risk"] == pytest.approx(2.0)
    assert m.loc["Y", "weighted_residual_risk"] == pytest.approx(2 * 0.5 + 0.25)


def test_batch_market_weights_and_views_follow_reach() -> None:
    inputs = _inputs()
    policy = Policy(budget_meur=20.0)
    (r,) = solve_chunk(inputs, policy, [ScenarioSpec("w", 20.0, weights=(("X", 3.0),))])
    # A's weight multiplier is its spend-share average 2/3*3 + 1/3*1; B keeps 1.
    w = np.array([2.0 * (2 / 3 * 3 + 1 / 3), 1.0])
    t2 = TARGETS.assign(weight=w)
    ref = solve(build_inputs(t2, lines_frame(("fin", "res")), EFFECTS, target_markets=REACH), policy)
    assert r.objective == pytest.approx(ref.objective, abs=1e-9)
    assert r.markets["spend_meur"].sum() == pytest.approx(r.total_spend_meur)


def test_random_reach_spend_sums_to_total() -> None:
    inputs = random_inputs(4, n_targets=12)
    rng = np.random.default_rng(0)
    rows = [
        (t, m, float(rng.uniform(0.1, 1))) for t in inputs.target_ids for m in ("M0", "M1", "M2") if rng.random() < 0.6
    ]
    reach = pd.DataFrame(rows, columns=["target_id", "market_id", "reach_share"])
    again = build_inputs(inputs.targets.drop(columns="market"), inputs.lines, inputs.effects, target_markets=reach)
    s = solve(again, Policy(budget_meur=60.0, market_min_share={"M1": 0.3}))
    assert s.markets["spend_meur"].sum() == pytest.approx(s.total_spend_meur, abs=1e-7)
    assert s.markets.set_index("market").loc["M1", "spend_meur"] >= 18.0 - 1e-6
