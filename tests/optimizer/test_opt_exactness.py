"""Exactness: greedy oracle, scipy linprog, the matrix fast path against the PuLP model."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from opt_fixtures import LINES, lines_frame, lp_matrices, random_inputs
from scipy.optimize import linprog

from optimizer.fast import FastModel, greedy_pieces
from optimizer.inputs import ForcedOption, OptimiserInputs, Policy, build_inputs
from optimizer.solve import Status, solve


def test_greedy_pieces_hand_example() -> None:
    # One target, cap 12: pieces filled by falling f (0.5, 0.3, 0.1) with lengths 1, 2, 10.
    # Cap: 1 + 2 + 9 (cap 12 reached in the third piece). Risk floor sum f y <= 1:
    # 0.5*1 + 0.3*2 = 1.1 > 1 already, so the second piece stops at (1 - 0.5)/0.3 = 5/3
    # and the third gets nothing.
    frac = np.array([0.1, 0.5, 0.3])
    lengths = np.array([10.0, 1.0, 2.0])
    eff = greedy_pieces(frac, lengths, np.zeros(3, dtype=np.int64), np.array([12.0]))
    assert eff == pytest.approx([0.0, 1.0, 5.0 / 3.0])


@st.composite
def budget_only_instances(draw: st.DrawFn) -> tuple[OptimiserInputs, Policy]:
    """Instances drawn as structure: targets (risk, weight, kind, market), concave curves per (line, kind), a policy.

    Risks and weights may be 0, slopes may tie, a curve may be steep enough for the risk floor r_t to bind, and a
    kind may have no curve at all (its targets get no option).
    """
    kinds = ("concentration", "import-reliance", "substitutability")
    n_targets = draw(st.integers(1, 8))
    risk = st.one_of(st.just(0.0), st.floats(0.01, 1.0))
    targets = pd.DataFrame(
        {
            "target_id": [f"T{i}" for i in range(n_targets)],
            "market": draw(st.lists(st.sampled_from(["M0", "M1"]), min_size=n_targets, max_size=n_targets)),
            "baseline_risk": draw(st.lists(risk, min_size=n_targets, max_size=n_targets)),
            "weight": draw(st.lists(st.floats(0.0, 3.0), min_size=n_targets, max_size=n_targets)),
            "dependency_kind": draw(st.lists(st.sampled_from(kinds), min_size=n_targets, max_size=n_targets)),
        }
    )
    lines = LINES[: draw(st.integers(1, 4))]
    rows = []
    for line in lines:
        for kind in draw(st.sets(st.sampled_from(kinds), min_size=1)):
            slopes = sorted(draw(st.lists(st.sampled_from([0.002, 0.01, 0.05, 0.2]), min_size=1, max_size=4)))
            for k, slope in enumerate(reversed(slopes), start=1):
                length = draw(st.floats(0.5, 10.0))
                rows.append((line, kind, k, length, slope))
    effects = pd.DataFrame(
        rows, columns=["action_line_id", "dependency_kind", "segment", "length_meur", "reduction_per_meur"]
    )
    inputs = build_inputs(targets, lines_frame(lines), effects)
    cap = draw(st.one_of(st.none(), st.floats(0.5, 30.0)))
    policy = Policy(budget_meur=draw(st.floats(0.0, 200.0)), default_target_cap_meur=cap)
    return inputs, policy


@settings(max_examples=40, deadline=None)
@given(budget_only_instances())
def test_greedy_equals_lp_with_budget_and_caps(instance: tuple[OptimiserInputs, Policy]) -> None:
    inputs, policy = instance
    model = FastModel(inputs, policy)
    assert model.greedy_exact
    greedy = model.solve()
    assert greedy.method == "greedy"
    ref = lp_matrices(inputs, policy)
    optimum = 0.0
    if len(inputs.options):
        res = linprog(ref["c"], A_ub=ref["A_ub"], b_ub=ref["b_ub"], bounds=ref["bounds"], method="highs")
        assert res.status == 0
        optimum = res.fun
    assert greedy.objective == pytest.approx(ref["constant"] + optimum, abs=1e-8)
    assert greedy.total_spend_meur <= policy.budget_meur + 1e-9
    assert greedy.budget_shadow_price >= 0


def _policies(inputs_markets: list[str]) -> list[Policy]:
    m0 = inputs_markets[0]
    return [
        Policy(budget_meur=35.0),
        Policy(budget_meur=60.0, line_max_meur={"capacity": 6.0, "financing": 10.0}),
        Policy(budget_meur=50.0, line_min_meur={"regulation": 12.0}, default_target_cap_meur=9.0),
        Policy(budget_meur=45.0, market_min_share={m0: 0.4}, market_max_share={m0: 0.6}),
        Policy(
            budget_meur=40.0,
            forced=(ForcedOption("ecosystems", "T003", 4.0), ForcedOption("financing", None, 5.0)),
            forbidden=(("capacity", None), ("financing", "T001")),
        ),
    ]


@pytest.mark.parametrize("seed", range(8))
def test_random_instances_match_linprog(seed: int) -> None:
    inputs = random_inputs(seed, n_targets=10)
    for policy in _policies(inputs.markets):
        ref = lp_matrices(inputs, policy)
        res = linprog(ref["c"], A_ub=ref["A_ub"], b_ub=ref["b_ub"], bounds=ref["bounds"], method="highs")
        forbidden = policy.forbidden
        s = solve(inputs, policy)
        if forbidden:
            # linprog reference has no forbidden rows: give it zero upper bounds instead.
            o = inputs.options
            bounds = list(ref["bounds"])
            for i, (a, t) in enumerate(zip(o["action_line_id"], o["target_id"], strict=True)):
                if (a, None) in forbidden or (a, t) in forbidden:
                    bounds[i] = (0.0, 0.0)
            res = linprog(ref["c"], A_ub=ref["A_ub"], b_ub=ref["b_ub"], bounds=bounds, method="highs")
        assert res.status == 0
        assert s.status is Status.OPTIMAL
        assert s.objective == pytest.approx(ref["constant"] + res.fun, abs=1e-7)
        assert s.total_spend_meur <= policy.budget_meur + 1e-7
        assert s.budget_shadow_price >= 0
        assert (s.targets["residual_risk"] >= -1e-12).all()


@pytest.mark.parametrize("seed", range(6))
def test_fast_path_equals_pulp_model(seed: int) -> None:
    inputs = random_inputs(seed, n_targets=14)
    for policy in _policies(inputs.markets):
        ref = solve(inputs, policy)
        model = FastModel(inputs, policy)
        for greedy_start in (False, True):
            fast = model.solve(force_lp=True, greedy_start=greedy_start)
            assert fast.status is Status.OPTIMAL
            assert fast.objective == pytest.approx(ref.objective, abs=1e-8)
            assert fast.total_spend_meur <= policy.budget_meur + 1e-7


def test_fast_path_rescales_budget_weights_and_risks() -> None:
    inputs = random_inputs(11, n_targets=12)
    policy = Policy(budget_meur=30.0, line_max_meur={"capacity": 5.0})
    model = FastModel(inputs, policy)
    rng = np.random.default_rng(5)
    for _ in range(5):
        budget = float(rng.uniform(5, 80))
        w = rng.uniform(0.2, 3.0, 12)
        r = rng.uniform(0.0, 1.0, 12)
        r[0] = 0.0  # a target without risk: its floor row is relaxed, it earns nothing
        fast = model.solve(budget_meur=budget, weights=w, baseline_risk=r)
        t2 = inputs.targets.assign(weight=w, baseline_risk=r)
        from optimizer.inputs import build_inputs

        again = build_inputs(t2, inputs.lines, inputs.effects.drop(columns="source"))
        ref = solve(again, Policy(budget_meur=budget, line_max_meur={"capacity": 5.0}))
        assert fast.objective == pytest.approx(ref.objective, abs=1e-8)
        assert fast.budget_shadow_price == pytest.approx(ref.budget_shadow_price, abs=1e-7)


def test_fast_path_reports_infeasible_then_recovers() -> None:
    inputs = random_inputs(2)
    policy = Policy(budget_meur=30.0, line_min_meur={"capacity": 20.0})
    model = FastModel(inputs, policy)
    bad = model.solve(budget_meur=10.0)
    assert bad.status is Status.INFEASIBLE and bad.objective is None
    good = model.solve(budget_meur=30.0)
    assert good.status is Status.OPTIMAL
    assert good.objective == pytest.approx(solve(inputs, policy).objective, abs=1e-8)


def test_leverage_objective_shifts_spend_to_control_points() -> None:
    inputs = random_inputs(4, n_targets=8)
    lev = np.zeros(8)
    lev[7] = 1.0
    from optimizer.inputs import build_inputs

    with_lev = build_inputs(inputs.targets.assign(leverage=lev), inputs.lines, inputs.effects.drop(columns="source"))
    base = solve(with_lev, Policy(budget_meur=20.0))
    strong = solve(with_lev, Policy(budget_meur=20.0, leverage_weight=1.0))
    spent = strong.targets.set_index("target_id")["spend_meur"]
    assert strong.leverage_weight == 1.0
    # objective = weighted residual risk - lambda * sum leverage * spend (only T007 has leverage 1).
    assert strong.leverage_bonus == pytest.approx(spent["T007"])
    residual = float((strong.targets["weight"] * strong.targets["residual_risk"]).sum())
    assert strong.objective == pytest.approx(residual - strong.leverage_bonus)
    assert base.leverage_bonus == 0.0
    assert spent["T007"] > base.targets.set_index("target_id")["spend_meur"]["T007"]
    fast = FastModel(with_lev, Policy(budget_meur=20.0, leverage_weight=1.0)).solve()
    assert not FastModel(with_lev, Policy(budget_meur=20.0, leverage_weight=1.0)).greedy_exact
    assert fast.objective == pytest.approx(strong.objective, abs=1e-8)


def test_fast_path_with_year_budgets_equals_pulp() -> None:
    # Years sum to 25 < B = 40: the yearly split is feasible iff the total fits the years' sum.
    inputs = random_inputs(9)
    for policy in (
        Policy(budget_meur=40.0, year_budgets_meur={2026: 10.0, 2027: 15.0}),
        Policy(budget_meur=40.0, year_budgets_meur={2026: 30.0, 2027: 30.0}, line_max_meur={"capacity": 5.0}),
    ):
        ref = solve(inputs, policy)
        fast = FastModel(inputs, policy).solve()
        assert fast.objective == pytest.approx(ref.objective, abs=1e-8)
        assert fast.total_spend_meur <= min(40.0, sum(policy.year_budgets_meur.values())) + 1e-9


def test_no_applicable_curve_spends_nothing() -> None:
    from opt_fixtures import hand_inputs, lines_frame

    from optimizer.inputs import build_inputs

    h = hand_inputs()
    t = h.targets.assign(dependency_kind="other").drop(columns="leverage")
    inputs = build_inputs(t, lines_frame(("fin", "res")), h.effects.drop(columns="source"))
    assert inputs.options.empty
    for solver in ("highs", "cbc"):
        s = solve(inputs, Policy(budget_meur=10.0), solver=solver)
        assert s.status is Status.OPTIMAL and s.objective == pytest.approx(3.0) and s.total_spend_meur == 0.0
    assert FastModel(inputs, Policy(budget_meur=10.0, line_max_meur={"fin": 3.0})).solve().objective == 3.0
    bad = FastModel(inputs, Policy(budget_meur=10.0, line_min_meur={"fin": 3.0})).solve()
    assert bad.status is Status.INFEASIBLE
    assert solve(inputs, Policy(budget_meur=10.0, line_min_meur={"fin": 3.0})).status is Status.INFEASIBLE


@pytest.mark.parametrize("seed", range(6))
def test_greedy_answer_is_used_only_when_it_meets_every_row(seed: int) -> None:
    inputs = random_inputs(seed, n_targets=14)
    methods = set()
    for policy in _policies(inputs.markets):
        ref = solve(inputs, policy, second_stage=False, ranges=False)
        model = FastModel(inputs, policy)
        for budget in (5.0, policy.budget_meur, 3 * policy.budget_meur):
            fast = model.solve(budget_meur=budget)
            lp = solve(inputs, replace(policy, budget_meur=budget), second_stage=False, ranges=False)
            assert fast.status is lp.status
            if lp.status is Status.OPTIMAL:
                assert fast.objective == pytest.approx(lp.objective, abs=1e-8)
                assert fast.budget_shadow_price == pytest.approx(lp.budget_shadow_price, abs=1e-7)
            methods.add(fast.method)
        assert ref.status is Status.OPTIMAL
    assert {"greedy-feasible", "highs"} <= methods  # both paths are exercised
