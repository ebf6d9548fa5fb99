"""Infeasible policies are results with a diagnosis that names the constraints."""

from __future__ import annotations

import pytest
from opt_fixtures import hand_inputs, random_inputs

from optimizer.diagnosis import elastic_conflicts, precheck
from optimizer.inputs import ForcedOption, Policy
from optimizer.solve import Status, solve


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_line_minimums_above_budget(solver: str) -> None:
    # line-min[fin] 15 + line-min[res] 5 = 20 > budget 12: short by 8.
    policy = Policy(budget_meur=12.0, line_min_meur={"fin": 15.0, "res": 5.0})
    s = solve(hand_inputs(), policy, solver=solver)
    assert s.status is Status.INFEASIBLE
    assert s.objective is None and s.allocation.empty
    first = s.conflicts[0]
    assert first.method == "precheck"
    assert first.message == "line minimums sum to 20 > budget 12"
    assert set(first.constraints) == {"budget", "line-min[fin]", "line-min[res]"}
    assert first.amount == pytest.approx(8.0)
    assert "line minimums sum to 20 > budget 12" in s.reason


def test_elastic_lp_finds_the_same_conflict() -> None:
    policy = Policy(budget_meur=12.0, line_min_meur={"fin": 15.0, "res": 5.0})
    found = elastic_conflicts(hand_inputs(), policy)
    # The phase-1 LP must relax by 8 in total (any split between the three rows).
    assert sum(c.amount for c in found) == pytest.approx(8.0)
    named = {n for c in found for n in c.constraints}
    assert named <= {"budget", "line-min[fin]", "line-min[res]"}
    assert len(named) >= 2
    assert all(c.method == "elastic" for c in found)


def test_market_min_shares_above_one() -> None:
    policy = Policy(budget_meur=10.0, market_min_share={"X": 0.7, "Y": 0.5})
    s = solve(hand_inputs(), policy)
    assert s.status is Status.INFEASIBLE
    msgs = [c.message for c in s.conflicts]
    assert "market minimum shares sum to 1.2 > 1" in msgs
    conflict = next(c for c in s.conflicts if c.message.startswith("market minimum"))
    assert conflict.constraints == ("market-min-share[X]", "market-min-share[Y]")
    assert conflict.amount == pytest.approx(0.2)


def test_forced_above_target_cap() -> None:
    policy = Policy(budget_meur=30.0, target_cap_meur={"A": 4.0}, forced=(ForcedOption("fin", "A", 6.0),))
    s = solve(hand_inputs(), policy)
    assert s.status is Status.INFEASIBLE
    c = s.conflicts[0]
    assert c.message == "forced[fin|A] 6 > target-cap[A] 4"
    assert c.constraints == ("forced[fin|A]", "target-cap[A]")
    assert c.amount == pytest.approx(2.0)


def test_forced_on_forbidden_and_beyond_curve() -> None:
    policy = Policy(
        budget_meur=100.0,
        forced=(ForcedOption("res", "B", 1.0), ForcedOption("fin", "A", 25.0)),
        forbidden=(("res", None),),
    )
    found = {c.message for c in precheck(hand_inputs(), policy)}
    assert "forced[res|B] requires 1 on a forbidden option" in found
    # fin's curve for A is 10 + 10 = 20 EUR million long.
    assert "forced[fin|A] 25 > 20, the length of its effect curves" in found


def test_elastic_only_conflict_is_named() -> None:
    # No pre-check pattern: a market-min share needs more spend on X than target A's cap allows.
    # Market X holds only target A (cap 3); 0.5 * budget 10 = 5 > 3: relax by 2.
    policy = Policy(budget_meur=10.0, market_min_share={"X": 0.5}, target_cap_meur={"A": 3.0})
    assert precheck(hand_inputs(), policy) == ()
    s = solve(hand_inputs(), policy)
    assert s.status is Status.INFEASIBLE
    assert s.conflicts and all(c.method == "elastic" for c in s.conflicts)
    assert sum(c.amount for c in s.conflicts) == pytest.approx(2.0)
    names = {n for c in s.conflicts for n in c.constraints}
    assert names & {"market-min-share[X]", "target-cap[A]"}


def test_feasible_policy_has_no_precheck_findings() -> None:
    inputs = random_inputs(1)
    policy = Policy(budget_meur=40.0, line_min_meur={"capacity": 5.0}, market_min_share={"M0": 0.2})
    assert precheck(inputs, policy) == ()
    assert elastic_conflicts(inputs, policy) == ()
    assert solve(inputs, policy).status is Status.OPTIMAL
