"""Batches: grid, executors (serial, local processes, a real Dask scheduler), failures, resume."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest
from opt_fixtures import lines_frame, random_inputs

from optimizer.batch import ScenarioSpec, run_batch, scenario_grid, scenario_inputs, solve_chunk
from optimizer.fast import FastModel
from optimizer.inputs import OptimiserInputs, Policy, build_inputs
from optimizer.solve import Status, solve

POLICY = Policy(budget_meur=30.0, line_max_meur={"capacity": 8.0})


def _grid() -> list[ScenarioSpec]:
    return scenario_grid(
        budgets=[10.0, 30.0, 60.0],
        weights={"base": {}, "focus": {"M0": 3.0}},
        shocks={"none": {}, "ban": {"T001": 2.0}},
        effects={"base": {}, "pessimist": {"financing": 0.5}},
    )


def test_grid_is_the_full_product_with_unique_keys() -> None:
    specs = _grid()
    assert len(specs) == 3 * 2 * 2 * 2
    assert len({s.key for s in specs}) == len(specs)
    assert "B=30|w=focus|s=ban|e=pessimist" in {s.key for s in specs}


def test_serial_batch_matches_single_solves() -> None:
    inputs = random_inputs(3)
    results = {r.key: r for r in run_batch(inputs, POLICY, _grid(), executor="serial", chunk_size=5)}
    assert len(results) == 24 and all(r.status is Status.OPTIMAL for r in results.values())
    # B=60, weights x3 on market M0, baseline risk of T001 doubled: rebuild and solve with PuLP.
    r = results["B=60|w=focus|s=ban|e=base"]
    t = inputs.targets.copy()
    t.loc[t["market"] == "M0", "weight"] *= 3.0
    t.loc[t["target_id"] == "T001", "baseline_risk"] *= 2.0
    from optimizer.inputs import build_inputs

    shocked = build_inputs(t, inputs.lines, inputs.effects.drop(columns="source"))
    ref = solve(shocked, Policy(budget_meur=60.0, line_max_meur={"capacity": 8.0}))
    assert r.objective == pytest.approx(ref.objective, abs=1e-8)
    assert r.allocation["spend_meur"].sum() == pytest.approx(r.total_spend_meur)
    assert r.markets["weighted_residual_risk"].sum() == pytest.approx(r.objective, abs=1e-8)
    # A pessimistic effect assumption can only leave more risk.
    assert results["B=60|w=base|s=none|e=pessimist"].objective >= results["B=60|w=base|s=none|e=base"].objective


def test_failing_scenario_is_reported_and_others_complete() -> None:
    inputs = random_inputs(1)
    specs = [
        ScenarioSpec("ok-1", 20.0),
        ScenarioSpec("bad", 20.0, weights=(("no-such-market", 2.0),)),
        ScenarioSpec("ok-2", 40.0),
        ScenarioSpec("neg", -5.0),
    ]
    seen: list[tuple[int, int]] = []
    results = {
        r.key: r for r in run_batch(inputs, POLICY, specs, executor="serial", progress=lambda d, n: seen.append((d, n)))
    }
    assert results["ok-1"].status is Status.OPTIMAL and results["ok-2"].status is Status.OPTIMAL
    assert results["bad"].status is Status.ERROR
    assert "no-such-market" in results["bad"].reason and "ScenarioError" in results["bad"].error
    assert results["neg"].status is Status.ERROR
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_skip_keys_resume() -> None:
    inputs = random_inputs(2)
    specs = _grid()
    done = {s.key for s in specs[:10]}
    keys = [r.key for r in run_batch(inputs, POLICY, specs, executor="serial", skip_keys=done)]
    assert sorted(keys) == sorted(s.key for s in specs[10:])


def test_chunk_results_are_deterministic() -> None:
    inputs = random_inputs(4)
    specs = _grid()
    a = solve_chunk(inputs, POLICY, specs)
    b = solve_chunk(inputs, POLICY, list(reversed(specs)))
    by_key = {r.key: r for r in b}
    for r in a:
        assert r.objective == pytest.approx(by_key[r.key].objective, abs=1e-9)


def test_process_executor_small_grid() -> None:
    inputs = random_inputs(5)
    specs = _grid()
    serial = {r.key: r.objective for r in run_batch(inputs, POLICY, specs, executor="serial")}
    procs = {r.key: r for r in run_batch(inputs, POLICY, specs, max_workers=2, chunk_size=4)}
    assert set(procs) == set(serial)
    for key, r in procs.items():
        assert r.status is Status.OPTIMAL
        assert r.objective == pytest.approx(serial[key], abs=1e-9)


def test_pool_workers_run_in_sessions_of_their_own() -> None:
    """Each worker leads its own session (its own share of the CPU on a busy machine, optimizer.pool.own_session)."""
    import os

    from optimizer.pool import get_pool

    pool = get_pool(2)
    sessions = {pool.submit(os.getsid, 0).result(timeout=60) for _ in range(8)}
    # the pool's worker processes by pid (ProcessPoolExecutor keeps them in ``_processes``); the tasks above may all
    # have run on one worker, so the pids are read from the pool, not from more tasks
    workers = set(pool._processes)
    assert os.getsid(0) not in sessions
    assert sessions and sessions <= workers  # a session leader's session id is its own pid


def test_greedy_exact_batch_uses_no_solver() -> None:
    inputs = random_inputs(6)
    results = list(run_batch(inputs, Policy(budget_meur=10.0), _grid(), executor="serial"))
    assert {r.method for r in results} == {"greedy"}
    model = FastModel(inputs, Policy(budget_meur=10.0))
    r = next(r for r in results if r.key == "B=30|w=base|s=none|e=base")
    assert r.objective == pytest.approx(model.solve(budget_meur=30.0, force_lp=True).objective, abs=1e-9)


@pytest.mark.dask
def test_dask_executor(dask_scheduler: str) -> None:
    inputs = random_inputs(7)
    specs = [*_grid()[:8], ScenarioSpec("bad", 10.0, shock=(("nowhere", 2.0),))]
    serial = {r.key: r.objective for r in run_batch(inputs, POLICY, specs, executor="serial")}
    results = {r.key: r for r in run_batch(inputs, POLICY, specs, scheduler_address=dask_scheduler, chunk_size=3)}
    assert set(results) == set(serial)
    assert results["bad"].status is Status.ERROR
    for key, r in results.items():
        if key != "bad":
            assert r.objective == pytest.approx(serial[key], abs=1e-9)


def test_infeasible_scenario_carries_a_diagnosis() -> None:
    inputs = random_inputs(8)
    policy = Policy(budget_meur=30.0, line_min_meur={"capacity": 12.0, "financing": 12.0})
    specs = [ScenarioSpec("tight", 20.0), ScenarioSpec("fine", 30.0)]
    results = {r.key: r for r in run_batch(inputs, policy, specs, executor="serial")}
    assert results["tight"].status is Status.INFEASIBLE
    assert results["tight"].reason == "infeasible: line minimums sum to 24 > budget 20"
    assert results["fine"].status is Status.OPTIMAL


@pytest.mark.parametrize("seed", [3, 9, 11])
def test_priced_solve_equals_the_whole_model(seed: int) -> None:
    """Column generation (the batch's path) gives the whole model's optimum, duals and a feasible allocation."""
    import numpy as np

    from benchmarks.optimizer import make_inputs, make_policy

    inputs = make_inputs(40, seed=seed)
    policy = make_policy(120.0, line_max=25.0)
    priced, whole = FastModel(inputs, policy), FastModel(inputs, policy)
    rng = np.random.default_rng(seed)
    for budget in [5.0, 40.0, 90.0, 150.0, 260.0, 400.0]:
        for _ in range(3):
            w = priced.weight * rng.uniform(0.5, 2.0, len(priced.weight))
            a = priced.solve(budget_meur=budget, weights=w, priced=True)
            b = whole.solve(budget_meur=budget, weights=w, force_lp=True)
            assert a.status is b.status is Status.OPTIMAL
            assert a.objective == pytest.approx(b.objective, abs=1e-9)
            assert a.budget_shadow_price == pytest.approx(b.budget_shadow_price, abs=1e-9)
            # the priced allocation is feasible for every row of the whole LP and reaches its optimum
            lo, hi = priced._row_bounds(budget, budget, priced.risk)
            act = priced._a_csc @ a.spend
            assert (act >= lo - 1e-7).all() and (act <= hi + 1e-7).all()
            assert (a.spend >= 0).all() and (a.spend <= priced.upper + 1e-9).all()
            constant = float((w * priced.risk).sum())
            assert constant + float(priced._cost(w, priced.risk) @ a.spend) == pytest.approx(b.objective, abs=1e-9)
    assert priced._priced is not None
    assert 0 < len(priced._priced.cols) < len(priced.upper)  # a working set, smaller than the whole


def test_reduced_costs_follow_highs_sign_convention() -> None:
    """``d = c - A^T pi`` (the pricing rule) is HiGHS's column dual on the whole model."""
    import numpy as np

    from benchmarks.optimizer import make_inputs, make_policy

    model = FastModel(make_inputs(30, seed=1), make_policy(80.0, line_max=15.0))
    model.solve(force_lp=True)
    sol = model.highs.getSolution()
    cost = np.asarray(model.highs.getLp().col_cost_)
    reduced = cost - model._a_t @ np.asarray(sol.row_dual)
    assert np.allclose(reduced, np.asarray(sol.col_dual), atol=1e-9)


def _spend(result: object) -> pd.Series:
    return result.allocation.set_index(["action_line_id", "target_id"])["spend_meur"]  # type: ignore[attr-defined]


def _assert_members_equal_single_solves(inputs: OptimiserInputs, policy: Policy, specs: list[ScenarioSpec]) -> None:
    results = {r.key: r for r in run_batch(inputs, policy, specs, executor="serial", chunk_size=7)}
    for spec in specs:
        member = results[spec.key]
        single = solve(
            scenario_inputs(inputs, policy, spec), replace(policy, budget_meur=spec.budget_meur), ranges=False
        )
        assert member.status is single.status is Status.OPTIMAL
        assert member.objective == pytest.approx(single.objective, abs=1e-8)
        assert member.selection in ("unique", "second-stage"), spec.key
        assert float(_spend(member).sub(_spend(single), fill_value=0.0).abs().max()) <= 1e-6, spec.key
        assert member.total_spend_meur == pytest.approx(single.total_spend_meur, abs=1e-6)


@pytest.mark.parametrize("seed", [1, 4])
def test_batch_members_hold_the_single_solve_answer(seed: int) -> None:
    """Every member's allocation is the defined answer a single solve of its scenario gives (issue 15):
    greedy, greedy-feasible and HiGHS (working set) members, slack and binding budgets, shocks and effects."""
    specs = scenario_grid(
        budgets=[5.0, 60.0, 200.0],
        weights={"base": {}, "focus": {"M0": 3.0}},
        shocks={"none": {}, "ban": {"T001": 2.0}},
        effects={"base": {}, "pessimist": {"financing": 0.5}},
    )
    inputs = random_inputs(seed)
    for policy in (POLICY, Policy(budget_meur=30.0)):
        _assert_members_equal_single_solves(inputs, policy, specs)


def test_batch_members_on_tied_curves_take_the_second_stage() -> None:
    """Every line with the same curve: many optimal splits; the members are the least concentrated one."""
    from test_opt_selection import tied_inputs

    inputs = tied_inputs(2)
    specs = scenario_grid(budgets=[10.0, 40.0, 90.0, 400.0], weights={"base": {}, "m1": {"M1": 2.0}})
    for policy in (Policy(budget_meur=40.0), Policy(budget_meur=40.0, line_max_meur={inputs.line_ids[0]: 10.0})):
        _assert_members_equal_single_solves(inputs, policy, specs)
        results = list(run_batch(inputs, policy, specs, executor="serial"))
        assert {r.selection for r in results} == {"second-stage"}


def test_hand_made_tie_is_split_evenly() -> None:
    """One target, two lines with the same slope: every split of the budget is optimal. The greedy
    (and HiGHS) put it all on one line; the stored answer is the least concentrated, 3 + 3."""
    targets = pd.DataFrame(
        {"target_id": ["A"], "market": ["X"], "baseline_risk": [1.0], "weight": [1.0], "dependency_kind": ["k"]}
    )
    effects = pd.DataFrame(
        {
            "action_line_id": ["fin", "res"],
            "dependency_kind": ["k", "k"],
            "segment": [1, 1],
            "length_meur": [10.0, 10.0],
            "reduction_per_meur": [0.05, 0.05],
        }
    )
    inputs = build_inputs(targets, lines_frame(("fin", "res")), effects)
    model = FastModel(inputs, Policy(budget_meur=6.0))
    first = model.solve()
    assert first.method == "greedy" and sorted(first.spend.tolist()) == [0.0, 6.0]  # one arbitrary vertex
    for policy in (Policy(budget_meur=6.0), Policy(budget_meur=6.0, line_max_meur={"fin": 100.0})):
        (r,) = run_batch(inputs, policy, [ScenarioSpec("tie", 6.0)], executor="serial")
        assert r.selection == "second-stage" and r.objective == pytest.approx(0.7)
        assert _spend(r).to_dict() == pytest.approx({("fin", "A"): 3.0, ("res", "A"): 3.0}, abs=1e-9)
    # a unique optimum needs no second stage: res is worse than fin
    inputs = build_inputs(targets, lines_frame(("fin", "res")), effects.assign(reduction_per_meur=[0.05, 0.04]))
    (r,) = run_batch(inputs, Policy(budget_meur=6.0), [ScenarioSpec("one", 6.0)], executor="serial")
    assert r.selection == "unique" and _spend(r).to_dict() == pytest.approx({("fin", "A"): 6.0})
