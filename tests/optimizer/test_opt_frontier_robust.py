"""Frontier, robust allocation and Monte Carlo."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from opt_fixtures import hand_inputs, random_inputs

from optimizer.frontier import efficient_frontier
from optimizer.inputs import Policy
from optimizer.robust import monte_carlo, robust_allocation
from optimizer.solve import Status, solve


def test_frontier_hand_example() -> None:
    # Budget only, hand_inputs: sorted values 0.10 (10), 0.08 (5), 0.05 (10), 0.04 (10 + 5), 0.02 (10).
    # B = 12: 3 - (10*0.10 + 2*0.08) = 1.84, shadow 0.08. B = 100: all 50 spent, risk
    # 3 - (1.0 + 0.4 + 0.5 + 0.4 + 0.2 + 0.2) = 0.3; shadow 0.
    f = efficient_frontier(hand_inputs(), Policy(budget_meur=0.0), budgets=[100.0, 12.0, 0.0])
    t = f.table.set_index("budget_meur")
    assert f.method == "sort"
    assert t.loc[12.0, "weighted_residual_risk"] == pytest.approx(1.84)
    assert t.loc[12.0, "shadow_price"] == pytest.approx(0.08)
    assert t.loc[100.0, "weighted_residual_risk"] == pytest.approx(0.3)
    assert t.loc[100.0, "total_spend_meur"] == pytest.approx(50.0)
    assert t.loc[100.0, "shadow_price"] == 0.0
    assert t.loc[0.0, "weighted_residual_risk"] == pytest.approx(3.0)


@pytest.mark.parametrize("seed", range(4))
def test_frontier_monotone_and_sort_equals_lp(seed: int) -> None:
    inputs = random_inputs(seed)
    budgets = np.linspace(0.0, 400.0, 41)
    policy = Policy(budget_meur=0.0, default_target_cap_meur=15.0)
    fast = efficient_frontier(inputs, policy, budgets=budgets)
    lp = efficient_frontier(inputs, policy, budgets=budgets, force_lp=True)
    risk = fast.table["weighted_residual_risk"].to_numpy()
    assert (np.diff(risk) <= 1e-12).all()
    assert (fast.table["shadow_price"] >= 0).all()
    assert (np.diff(fast.table["shadow_price"].to_numpy()) <= 1e-12).all()  # diminishing returns
    np.testing.assert_allclose(risk, lp.table["weighted_residual_risk"], atol=1e-8)
    # Shadow price = slope of the frontier: compare with a finite difference between points.
    mid = 20
    slope = (risk[mid] - risk[mid + 1]) / (budgets[mid + 1] - budgets[mid])
    assert fast.table["shadow_price"][mid + 1] <= slope + 1e-12 <= fast.table["shadow_price"][mid] + 2e-12


def test_frontier_with_line_limits_is_monotone() -> None:
    inputs = random_inputs(7)
    policy = Policy(budget_meur=0.0, line_max_meur={"capacity": 10.0, "financing": 20.0})
    f = efficient_frontier(inputs, policy, budgets=np.linspace(0, 300, 31))
    assert f.method == "sandwich" and f.breakpoints is not None
    per_budget = efficient_frontier(inputs, policy, budgets=np.linspace(0, 300, 31), force_lp=True)
    assert per_budget.method == "highs"
    np.testing.assert_allclose(
        f.table["weighted_residual_risk"], per_budget.table["weighted_residual_risk"], rtol=0, atol=1e-8
    )
    assert (f.table["status"] == "optimal").all()
    assert (np.diff(f.table["weighted_residual_risk"].to_numpy()) <= 1e-9).all()
    ref = solve(inputs, Policy(budget_meur=150.0, line_max_meur={"capacity": 10.0, "financing": 20.0}))
    row = f.table.set_index("budget_meur").loc[150.0]
    assert row["weighted_residual_risk"] == pytest.approx(ref.objective, abs=1e-8)


def _scenarios() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "scenario_id": ["calm", "calm", "ban", "ban"],
            "target_id": ["A", "B", "A", "B"],
            "baseline_risk": [0.2, 0.2, 0.2, 1.0],
        }
    )


def test_robust_hand_example() -> None:
    # Scenario "calm": r = (0.2, 0.2); "ban": r = (0.2, 1.0). Weights (2, 1). Budget 10.
    # phi_t = fraction of risk removed. Per EUR million, with f = 0.05 (fin segment 1):
    #   expected value of A: 2 * 0.2 * 0.05 = 0.02; of B: 1 * 0.6 * 0.05 = 0.03 -> B first.
    # Expected: all 10 on fin|B segment 1: phi_B = 0.5. Z_calm = 0.4 + 0.2*0.5 = 0.5,
    #   Z_ban = 0.4 + 1.0*0.5 = 0.9, expected 0.7.
    # Worst case: "ban" dominates, it also prefers B (0.05 > 0.02), so the same allocation: 0.9.
    inputs = hand_inputs()
    policy = Policy(budget_meur=10.0)
    exp = robust_allocation(inputs, policy, _scenarios(), mode="expected")
    worst = robust_allocation(inputs, policy, _scenarios(), mode="worst_case", solver="cbc")
    assert exp.status is Status.OPTIMAL and worst.status is Status.OPTIMAL
    assert exp.objective == pytest.approx(0.7)
    assert exp.scenarios.set_index("scenario_id")["weighted_residual_risk"].to_dict() == pytest.approx(
        {"ban": 0.9, "calm": 0.5}
    )
    assert worst.objective == pytest.approx(0.9)
    assert worst.worst_case >= exp.expected - 1e-12


@pytest.mark.parametrize("seed", range(3))
def test_worst_case_at_least_expected(seed: int) -> None:
    inputs = random_inputs(seed)
    rng = np.random.default_rng(seed)
    rows = [
        {"scenario_id": f"s{k}", "target_id": t, "baseline_risk": float(rng.uniform(0, 1))}
        for k in range(4)
        for t in inputs.target_ids
    ]
    sc = pd.DataFrame(rows)
    policy = Policy(budget_meur=40.0, line_max_meur={"capacity": 10.0})
    exp = robust_allocation(inputs, policy, sc, mode="expected")
    worst = robust_allocation(inputs, policy, sc, mode="worst_case")
    assert worst.objective >= exp.objective - 1e-9
    assert worst.objective <= exp.worst_case + 1e-9  # minimising the max beats the expected plan's max
    assert exp.objective <= worst.expected + 1e-9


def test_monte_carlo_is_reproducible_and_sane() -> None:
    inputs = random_inputs(5)
    policy = Policy(budget_meur=30.0)
    a = monte_carlo(inputs, policy, n_draws=30, seed=42)
    b = monte_carlo(inputs, policy, n_draws=30, seed=42)
    c = monte_carlo(inputs, policy, n_draws=30, seed=43)
    pd.testing.assert_frame_equal(a.funding, b.funding)
    pd.testing.assert_frame_equal(a.bands, b.bands)
    assert not a.draws["weighted_residual_risk"].equals(c.draws["weighted_residual_risk"])
    assert a.funding["frequency"].between(0, 1).all()
    assert a.funding["frequency"].sum() >= 1.0  # every draw funds at least one option
    bands = a.bands.set_index("target_id")
    assert (bands["p5"] <= bands["p50"] + 1e-12).all() and (bands["p50"] <= bands["p95"] + 1e-12).all()
    total = a.draws["weighted_residual_risk"]
    assert bands.loc["TOTAL", "p50"] == pytest.approx(float(np.percentile(total, 50)))
    # Spend never exceeds the budget on average.
    assert a.funding["mean_spend_meur"].sum() <= 30.0 + 1e-9


def test_monte_carlo_zero_spread_equals_deterministic() -> None:
    inputs = random_inputs(6)
    policy = Policy(budget_meur=25.0)
    mc = monte_carlo(inputs, policy, n_draws=3, seed=0, spread=0.0)
    det = solve(inputs, policy)
    assert mc.draws["weighted_residual_risk"].tolist() == pytest.approx([det.objective] * 3)


def test_robust_rejects_bad_scenarios() -> None:
    sc = _scenarios()
    with pytest.raises(ValueError, match="unknown targets"):
        robust_allocation(hand_inputs(), Policy(budget_meur=1.0), sc.assign(target_id="Z"))
    with pytest.raises(ValueError, match="sum to 1"):
        robust_allocation(hand_inputs(), Policy(budget_meur=1.0), sc.assign(probability=0.4))
    weighted = robust_allocation(
        hand_inputs(), Policy(budget_meur=10.0), sc.assign(probability=[0.75, 0.75, 0.25, 0.25])
    )
    # 0.75 * Z_calm + 0.25 * Z_ban with the allocation of the hand example (B still first:
    # A earns 2 * 0.2 * 0.05 = 0.02, B earns 1 * (0.75 * 0.2 + 0.25 * 1.0) * 0.05 = 0.02: a tie,
    # so the expected value is 0.75 * 0.6 + 0.25 * 1.4 - 10 * 0.02 = 0.6 whichever is chosen).
    assert weighted.objective == pytest.approx(0.6)
