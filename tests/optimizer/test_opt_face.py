"""The batch's second stage on the optimal face: its shortcuts change no answer (issue 15).

:func:`optimizer.selection.select_scenario` solves the face LP with two shortcuts (step 1's
optimum read off the first-stage answer when the fullest line's total is fixed on the face, and
a warm start from the first stage's basis); ``warm=False`` solves both stages cold. Random
instances, with tied curves (many optimal splits) and with binding line maximums (the case the
shortcut covers), give the same allocation both ways, and the same as a single solve.
"""

from __future__ import annotations

from dataclasses import replace

import highspy
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opt_fixtures import random_inputs
from test_opt_selection import tied_inputs

from benchmarks.optimizer import make_inputs, make_policy
from optimizer.batch import ScenarioSpec, run_batch, scenario_inputs
from optimizer.fast import FastModel
from optimizer.inputs import OptimiserInputs, Policy
from optimizer.selection import select_fast, select_scenario
from optimizer.solve import solve
from optimizer.status import Status

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def instances(draw: st.DrawFn) -> tuple[OptimiserInputs, Policy, list[tuple[float, np.ndarray]]]:
    """An instance, a policy and a few (budget, weight multipliers) scenarios."""
    seed = draw(st.integers(0, 10_000))
    kind = draw(st.sampled_from(["tied", "random", "bench"]))
    if kind == "tied":  # every line has the same curve per kind: many optimal splits
        inputs = tied_inputs(seed)
    elif kind == "random":
        inputs = random_inputs(seed, n_targets=draw(st.integers(3, 14)), n_lines=draw(st.integers(2, 5)))
    else:
        inputs = make_inputs(draw(st.integers(8, 30)), seed=seed)
    lines = inputs.line_ids
    cap = draw(st.sampled_from([None, 4.0, 10.0, 25.0]))
    every = draw(st.booleans())  # every line capped: the fullest line's total is often fixed
    capped = (list(lines) if every else draw(st.lists(st.sampled_from(lines), unique=True))) if cap else []
    market = sorted(set(inputs.targets["market"]))[0]
    share = draw(st.sampled_from([None, 0.3, 0.6]))
    policy = Policy(
        budget_meur=50.0,
        line_max_meur={a: cap for a in capped} if cap else {},
        market_max_share={market: share} if share else {},
    )
    rng = np.random.default_rng(seed)
    n_t = len(inputs.target_ids)
    scenarios = []
    for budget in draw(st.lists(st.floats(1.0, 300.0), min_size=1, max_size=4)):
        tie = draw(st.booleans())  # equal multipliers keep the instance's ties
        scenarios.append((round(budget, 2), np.ones(n_t) if tie else rng.uniform(0.5, 2.0, n_t).round(2)))
    return inputs, policy, scenarios


@SETTINGS
@given(instances())
def test_face_shortcuts_give_the_cold_two_stage_answer(
    case: tuple[OptimiserInputs, Policy, list[tuple[float, np.ndarray]]],
) -> None:
    inputs, policy, scenarios = case
    model = FastModel(inputs, policy)
    for budget, mult in sorted(scenarios, key=lambda s: s[0]):
        w = model.weight * mult
        first = model.solve(budget_meur=budget, weights=w, priced=True)
        if first.status is not Status.OPTIMAL:
            continue
        kw = {"budget_meur": budget, "weights": w, "baseline_risk": model.risk}
        warm, how_warm = select_scenario(model, first, **kw)
        first = model.solve(budget_meur=budget, weights=w, priced=True)
        cold, how_cold = select_scenario(model, first, warm=False, **kw)
        assert how_warm == how_cold
        np.testing.assert_allclose(warm, cold, atol=1e-7)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_members_equal_single_solves_on_random_ties(
    case: tuple[OptimiserInputs, Policy, list[tuple[float, np.ndarray]]],
) -> None:
    inputs, policy, scenarios = case
    specs = [
        ScenarioSpec(
            f"s{i}", budget, weights=tuple((t, float(m)) for t, m in zip(inputs.target_ids, mult, strict=True))
        )
        for i, (budget, mult) in enumerate(scenarios)
    ]
    members = {r.key: r for r in run_batch(inputs, policy, specs, executor="serial")}
    for spec in specs:
        single = solve(
            scenario_inputs(inputs, policy, spec), replace(policy, budget_meur=spec.budget_meur), ranges=False
        )
        member = members[spec.key]
        assert member.status is single.status
        if single.status is not Status.OPTIMAL:
            continue
        a = member.allocation.set_index(["action_line_id", "target_id"])["spend_meur"]
        b = single.allocation.set_index(["action_line_id", "target_id"])["spend_meur"]
        assert float(a.sub(b, fill_value=0.0).abs().max()) <= 1e-6, spec.key


def test_the_shortcut_skips_step_one_on_binding_line_maximums(monkeypatch: pytest.MonkeyPatch) -> None:
    """Line maximums that bind (as in the benchmark): step 1's optimum is read off, one HiGHS run per face."""
    inputs = make_inputs(40, seed=3)
    model = FastModel(inputs, make_policy(120.0, line_max=25.0))
    runs: list[int] = []
    run = highspy.Highs.run

    def counted(self: highspy.Highs) -> object:
        runs.append(1)
        return run(self)

    monkeypatch.setattr(highspy.Highs, "run", counted)
    found = {"warm": 0, "cold": 0}
    for budget in (60.0, 120.0, 180.0):
        first = model.solve(budget_meur=budget, priced=True)
        for mode in ("warm", "cold"):
            runs.clear()
            _, how = select_scenario(
                model, first, budget_meur=budget, weights=model.weight, baseline_risk=model.risk, warm=mode == "warm"
            )
            found[mode] += len(runs) if how == "second-stage" else 0
    assert 0 < found["warm"] < found["cold"]


def test_select_fast_keeps_a_face_fixed_level(monkeypatch: pytest.MonkeyPatch) -> None:
    """At budget 0 the face of step 1 fixes M at 0 (reduced cost 1): step 2 must not widen it to [0, eps_M]."""
    model = FastModel(random_inputs(1), Policy(budget_meur=0.0))
    first = model.solve(force_lp=True)
    level = len(first.spend)  # the column _two_stages adds
    widened: list[tuple[float, float]] = []
    change = highspy.Highs.changeColBounds

    def spy(self: highspy.Highs, col: int, lo: float, hi: float) -> object:
        if col == level and hi > lo:
            widened.append((lo, hi))
        return change(self, col, lo, hi)

    monkeypatch.setattr(highspy.Highs, "changeColBounds", spy)
    chosen = select_fast(model, first.spend)
    assert chosen is not None and not chosen.any()
    assert widened == []


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.0, 1.0))
def test_columns_times_is_the_sparse_product_to_the_last_bit(seed: int, density: float) -> None:
    """The face LP substitutes its fixed columns by ``A[:, cols] @ x`` summed in SciPy's order."""
    from scipy import sparse

    from optimizer.selection import _columns_times

    rng = np.random.default_rng(seed)
    a = sparse.random(30, 80, density=max(density, 0.01), random_state=seed, format="csc")
    cols = np.flatnonzero(rng.random(80) < 0.4)
    x = rng.uniform(0.0, 5.0, len(cols))
    y = np.zeros(80)
    y[cols] = x
    assert np.array_equal(_columns_times(a, cols, x), a @ y)
    assert np.array_equal(_columns_times(a, cols[:0], x[:0]), np.zeros(30))


def test_cost_vector_is_kept_per_case_and_read_only() -> None:
    """FastModel._cost returns the same read-only vector while weights and risks are equal."""
    model = FastModel(make_inputs(12, seed=1), make_policy(60.0))
    w, r = model.weight.copy(), model.risk.copy()
    first = model._cost(w, r)
    assert model._cost(w.copy(), r.copy()) is first
    assert not first.flags.writeable
    w2 = w * 2.0
    second = model._cost(w2, r)
    assert second is not first
    np.testing.assert_array_equal(second, -(w2 * r)[model.target] * model.frac - model.leverage[model.target])
    w2[0] = 99.0  # the caller's array may change afterwards: the cache kept its own copy
    assert model._cost(w * 2.0, r) is second


def test_greedy_known_over_a_line_maximum_is_skipped_with_the_same_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ascending budgets of one case: once the greedy fill exceeds a line maximum, larger budgets skip it."""
    inputs = make_inputs(30, seed=5)
    policy = make_policy(100.0, line_max=15.0)
    model = FastModel(inputs, policy)
    fills: list[float] = []
    greedy = FastModel._greedy

    def counted(self: FastModel, cost: np.ndarray, cap: float) -> tuple[np.ndarray, float]:
        if self is model:
            fills.append(cap)
        return greedy(self, cost, cap)

    monkeypatch.setattr(FastModel, "_greedy", counted)
    budgets = [5.0, 20.0, 40.0, 80.0, 120.0]
    for budget in budgets:
        kw = {"budget_meur": budget, "weights": model.weight, "baseline_risk": model.risk}
        kept = model.solve(budget_meur=budget, priced=True)
        other = FastModel(inputs, policy)  # no history
        fresh = other.solve(budget_meur=budget, priced=True)
        assert (kept.method, kept.status) == (fresh.method, fresh.status)
        assert kept.objective == pytest.approx(fresh.objective, abs=1e-9)
        # the first stage may stop at another optimal vertex; the defined answer is the same
        np.testing.assert_allclose(
            select_scenario(model, kept, **kw)[0], select_scenario(other, fresh, **kw)[0], atol=1e-7
        )
    assert model._over_at is not None
    over = model._over_at[1]
    assert over < budgets[-1]
    # one fill per budget up to the first that exceeded a line maximum, one more for the priced
    # LP's seed, none after it
    assert all(cap <= over for cap in fills[1:])
