"""Sensitivity (tornado data), robust plans over the effect box, and the parametric frontier."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from opt_fixtures import lines_frame, random_inputs

from optimizer.errors import InputError
from optimizer.fast import FastModel
from optimizer.inputs import OptimiserInputs, Policy, build_inputs
from optimizer.parametric import value_function
from optimizer.robust_box import residual, robust_box
from optimizer.sensitivity import effect_fractions, sensitivity, solve_plan
from optimizer.solve import solve


def hand_box() -> OptimiserInputs:
    """One target (r = 1, w = 1), one line with one segment of 10 M EUR: f low/central/high
    0.03/0.05/0.08."""
    targets = pd.DataFrame(
        {"target_id": ["A"], "market": ["X"], "baseline_risk": [1.0], "weight": [1.0], "dependency_kind": ["k"]}
    )
    effects = pd.DataFrame(
        {
            "action_line_id": ["fin"],
            "dependency_kind": ["k"],
            "segment": [1],
            "length_meur": [10.0],
            "reduction_per_meur": [0.05],
            "slope_low": [0.03],
            "slope_high": [0.08],
        }
    )
    return build_inputs(targets, lines_frame(("fin",)), effects)


def test_sensitivity_sign_on_a_hand_checked_case() -> None:
    # B = 4: residual = 1 - 4 f: low 0.88, central 0.80, high 0.68; budget 2 -> 0.9, 6 -> 0.7.
    s = sensitivity(hand_box(), Policy(budget_meur=4.0), budget_low=2.0, budget_high=6.0)
    t = s.tornado.set_index("parameter")
    row = t.loc["fin/k/1"]
    assert row["objective_low"] == pytest.approx(0.88)
    assert row["objective_central"] == pytest.approx(0.80)
    assert row["objective_high"] == pytest.approx(0.68)
    assert row["residual_swing"] == pytest.approx(0.20)  # a bigger effect leaves less risk
    assert row["allocation_shift_meur"] == pytest.approx(0.0)  # all 4 M EUR stay on the one option
    b = t.loc["budget"]
    assert b["objective_low"] == pytest.approx(0.90) and b["objective_high"] == pytest.approx(0.70)
    assert b["allocation_shift_meur"] == pytest.approx(4.0)
    assert list(s.tornado["parameter"]) == ["fin/k/1", "budget"]  # sorted by swing, largest first


def test_sensitivity_moves_money_between_lines() -> None:
    inputs = random_inputs(2, n_targets=8, n_lines=3)
    e = inputs.effects
    e = e.assign(slope_low=e["reduction_per_meur"] * 0.5, slope_high=e["reduction_per_meur"] * 1.5)
    again = build_inputs(inputs.targets, inputs.lines, e.drop(columns="source"))
    s = sensitivity(again, Policy(budget_meur=30.0))
    t = s.tornado
    assert len(t) == len(again.effects)
    assert (t["residual_swing"] >= -1e-9).all()  # never more risk with a larger effect
    assert (t["used_low"] <= t["value_central"] + 1e-12).all() and (t["used_high"] >= t["value_central"] - 1e-12).all()
    assert t["allocation_shift_meur"].max() > 0  # some parameter changes where the money goes


def test_effect_ranges_are_validated() -> None:
    inputs = hand_box()
    bad = inputs.effects.drop(columns="source").assign(slope_low=0.06)
    with pytest.raises(InputError, match="slope_low <= reduction_per_meur <= slope_high"):
        build_inputs(inputs.targets, inputs.lines, bad)
    # absent columns default to the central value; slope_central is a synonym
    plain = inputs.effects.drop(columns=["source", "slope_low", "slope_high"]).rename(
        columns={"reduction_per_meur": "slope_central"}
    )
    again = build_inputs(inputs.targets, inputs.lines, plain)
    assert (again.options["slope_low"] == 0.05).all() and (again.options["slope_high"] == 0.05).all()


def test_robust_plans_over_the_box() -> None:
    inputs = random_inputs(3, n_targets=8, n_lines=3)
    e = inputs.effects
    rng = np.random.default_rng(1)
    e = e.assign(
        slope_low=e["reduction_per_meur"] * rng.uniform(0.3, 0.9, len(e)),
        slope_high=e["reduction_per_meur"] * 1.2,
    )
    # keep the low curves concave: scale whole curves
    e["slope_low"] = e["reduction_per_meur"] * e.groupby(["action_line_id", "dependency_kind"])["slope_low"].transform(
        lambda s: (s / e.loc[s.index, "reduction_per_meur"]).min()
    )
    again = build_inputs(inputs.targets, inputs.lines, e.drop(columns="source"))
    policy = Policy(budget_meur=25.0, line_max_meur={again.line_ids[0]: 6.0})
    r = robust_box(again, policy)
    p = r.plans.set_index("plan")
    assert (p["status"] == "optimal").all()
    # worst case: the plan at low effects is best when the low effects come true
    low = solve_plan(again, policy, effect_fractions(again, "low"))
    assert p.loc["worst-case", "worst_case"] == pytest.approx(low.objective, abs=1e-7)
    assert p.loc["worst-case", "worst_case"] <= p.loc["central", "worst_case"] + 1e-9
    assert p.loc["min-regret", "max_regret"] <= p.loc["central", "max_regret"] + 1e-7
    assert p.loc["min-regret", "max_regret"] <= p.loc["worst-case", "max_regret"] + 1e-7
    assert p.loc["central", "cost_vs_central"] == pytest.approx(0.0, abs=1e-9)
    assert (p["cost_vs_central"] >= -1e-9).all()
    assert "central plan" in r.note
    n = len(again.options)
    assert residual(again, np.zeros(n), effect_fractions(again, "central")) == pytest.approx(again.weighted_baseline)
    assert p.loc["central", "objective_central"] == pytest.approx(solve(again, policy).objective, abs=1e-7)


@pytest.mark.parametrize("seed", range(3))
def test_parametric_breakpoints_match_per_budget_solves(seed: int) -> None:
    inputs = random_inputs(seed, n_targets=12)
    policy = Policy(
        budget_meur=10.0,
        line_max_meur={"capacity": 15.0, "financing": 25.0},
        market_max_share={"M0": 0.5},
    )
    model = FastModel(inputs, policy)
    vf = value_function(model, 20.0, 400.0)
    assert vf.method == "sandwich" and len(vf.budgets) >= 2
    rng = np.random.default_rng(seed)
    check = FastModel(inputs, policy)
    for b in rng.uniform(20.0, 400.0, 12):
        s = check.solve(budget_meur=float(b), force_lp=True)
        assert vf(np.array([b]))[0] == pytest.approx(s.objective, abs=1e-7)
    grid = np.linspace(20.0, 400.0, 1000)
    t0 = time.perf_counter()
    values = vf(grid)
    prices = vf.shadow_price(grid)
    elapsed = time.perf_counter() - t0
    assert elapsed <= 0.010
    assert (np.diff(values) <= 1e-9).all() and (prices >= -1e-12).all()


def test_budget_only_breakpoints_are_the_greedy_sort() -> None:
    inputs = random_inputs(1, n_targets=10)
    model = FastModel(inputs, Policy(budget_meur=1.0))
    vf = value_function(model, 0.0, 300.0)
    assert vf.method == "sort" and vf.solves == 0
    for b in (0.0, 13.7, 150.0, 300.0):
        assert vf(np.array([b]))[0] == pytest.approx(model.solve(budget_meur=b).objective, abs=1e-9)
