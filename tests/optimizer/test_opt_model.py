"""The PuLP model: hand-solved duals, names, solvers agree, CBC's private temporary directory."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd
import pulp
import pytest
from opt_fixtures import hand_inputs, random_inputs

from optimizer.errors import SolverError
from optimizer.inputs import ForcedOption, Policy
from optimizer.model import build_model
from optimizer.solve import Status, run_solver, solve

# Hand solution of hand_inputs() with budget 20 and line-max[fin] = 12.
# Values per EUR million v = w * r * f:
#   A.fin1 = 2*1*0.05 = 0.10 (10), A.res1 = 2*0.04 = 0.08 (5), B.fin1 = 0.05 (10),
#   A.fin2 = 2*0.02 = 0.04 (10), B.res1 = 0.04 (5), B.fin2 = 0.02 (10).
# Fill: A.fin1 10 (fin 10), A.res1 5 (total 15), B.fin1 2 (fin reaches its max 12, total 17),
#       B.res1 3 (total 20 = budget).
# Duals from the two partially funded options: B.res1: 0.04 = lambda (budget);
#   B.fin1: 0.05 = lambda + mu (line-max[fin]) => mu = 0.01.
# Check: A.fin2 has 0.04 < lambda + mu = 0.05, unfunded with reduced cost 0.01; B.fin2 0.03.
# Risk floors slack: R_A = 10*0.05 + 5*0.04 = 0.7 < 1; R_B = 2*0.05 + 3*0.04 = 0.22 < 1.
# Objective = (2*1 + 1*1) - (1.0 + 0.4 + 0.1 + 0.12) = 3 - 1.62 = 1.38.
# Minimisation duals: pi(budget) = -0.04, pi(line-max[fin]) = -0.01; shadow price 0.04.
HAND_POLICY = Policy(budget_meur=20.0, line_max_meur={"fin": 12.0})


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_hand_solved_duals(solver: str) -> None:
    s = solve(hand_inputs(), HAND_POLICY, solver=solver)
    assert s.status is Status.OPTIMAL
    assert s.objective == pytest.approx(1.38, abs=1e-9)
    assert s.budget_shadow_price == pytest.approx(0.04, abs=1e-9)
    assert s.total_spend_meur == pytest.approx(20.0)
    duals = s.duals.set_index("constraint")
    assert duals.loc["budget", "dual"] == pytest.approx(-0.04, abs=1e-9)
    assert duals.loc["line-max[fin]", "dual"] == pytest.approx(-0.01, abs=1e-9)
    assert duals.loc["risk-floor[A]", "dual"] == pytest.approx(0.0, abs=1e-9)
    assert bool(duals.loc["budget", "binding"]) and bool(duals.loc["line-max[fin]", "binding"])
    assert not bool(duals.loc["risk-floor[A]", "binding"])
    alloc = s.allocation.set_index(["action_line_id", "target_id"])["spend_meur"]
    assert alloc.to_dict() == pytest.approx(
        {("fin", "A"): 10.0, ("res", "A"): 5.0, ("fin", "B"): 2.0, ("res", "B"): 3.0}
    )
    rc = s.reduced_costs.set_index(["action_line_id", "target_id", "segment"])["reduced_cost"]
    assert rc[("fin", "A", 2)] == pytest.approx(0.01, abs=1e-9)
    assert rc[("fin", "B", 2)] == pytest.approx(0.03, abs=1e-9)
    targets = s.targets.set_index("target_id")
    assert targets.loc["A", "residual_risk"] == pytest.approx(0.3)
    assert targets.loc["B", "residual_risk"] == pytest.approx(0.78)
    markets = s.markets.set_index("market")
    assert markets.loc["X", "spend_meur"] == pytest.approx(15.0)
    assert markets.loc["Y", "share_of_budget"] == pytest.approx(0.25)


def test_constraint_names_are_readable() -> None:
    policy = Policy(
        budget_meur=20.0,
        line_min_meur={"res": 1.0},
        line_max_meur={"fin": 12.0},
        market_min_share={"X": 0.1},
        market_max_share={"Y": 0.9},
        target_cap_meur={"A": 15.0},
        forced=(ForcedOption("fin", "B", 1.0), ForcedOption("res", None, 2.0)),
        forbidden=(("res", "B"),),
        year_budgets_meur={2026: 10.0, 2027: 15.0},
    )
    model = build_model(hand_inputs(), policy)
    assert set(model.constraints) == {
        "budget",
        "line-min[res]",
        "line-max[fin]",
        "market-min-share[X]",
        "market-max-share[Y]",
        "target-cap[A]",
        "risk-floor[A]",
        "risk-floor[B]",
        "forced[fin|B]",
        "forced[res]",
        "forbidden[res|B]",
        "year-link[fin]",
        "year-link[res]",
        "year-budget[2026]",
        "year-budget[2027]",
    }
    s = solve(hand_inputs(), policy)
    assert s.status is Status.OPTIMAL
    years = s.years.groupby("year")["spend_meur"].sum()
    assert years[2026] <= 10.0 + 1e-9 and years[2027] <= 15.0 + 1e-9
    assert years.sum() == pytest.approx(s.total_spend_meur)
    assert "forbidden" in set(s.reduced_costs.loc[s.reduced_costs["target_id"] == "B", "reason"].str.split().str[0])


def test_year_budgets_tighter_than_budget_bind() -> None:
    # Years sum to 8 < B = 20: spend is 8 and the year budget rows carry the shadow price.
    s = solve(hand_inputs(), Policy(budget_meur=20.0, year_budgets_meur={2026: 5.0, 2027: 3.0}))
    assert s.total_spend_meur == pytest.approx(8.0)
    # 8 EUR million on A.fin1 (value 0.10): objective 3 - 0.8.
    assert s.objective == pytest.approx(2.2)


@pytest.mark.parametrize("seed", range(6))
def test_highs_and_cbc_agree(seed: int) -> None:
    inputs = random_inputs(seed)
    policy = Policy(
        budget_meur=40.0 + 10 * seed,
        line_max_meur={"capacity": 8.0},
        market_max_share={"M0": 0.5},
        default_target_cap_meur=12.0,
    )
    a = solve(inputs, policy, solver="highs")
    b = solve(inputs, policy, solver="cbc")
    assert a.status is b.status is Status.OPTIMAL
    assert a.objective == pytest.approx(b.objective, abs=1e-7)
    assert a.budget_shadow_price == pytest.approx(b.budget_shadow_price, abs=1e-7)


def test_unknown_solver_is_an_error() -> None:
    with pytest.raises(SolverError, match="unknown solver"):
        run_solver(build_model(hand_inputs(), HAND_POLICY), solver="gurobi")


@pytest.fixture
def private_systmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the system temp dir (tempfile and PuLP's TMPDIR) at an empty folder."""
    systmp = tmp_path / "systmp"
    systmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(systmp))
    monkeypatch.setenv("TMPDIR", str(systmp))
    return systmp


def test_cbc_runs_in_a_private_directory_removed_afterwards(
    private_systmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, object] = {}
    real_solve = pulp.COIN_CMD.actualSolve

    def spy(self: pulp.COIN_CMD, lp: pulp.LpProblem, **kw: object) -> int:
        seen["dir"] = self.tmpDir
        seen["mode"] = os.stat(self.tmpDir).st_mode & 0o777
        result = real_solve(self, lp, **kw)
        seen["left_inside"] = os.listdir(self.tmpDir)
        return int(result)

    monkeypatch.setattr(pulp.COIN_CMD, "actualSolve", spy)
    s = solve(hand_inputs(), HAND_POLICY, solver="cbc")
    assert s.status is Status.OPTIMAL
    assert seen["mode"] == 0o700
    assert Path(str(seen["dir"])).parent == private_systmp
    assert seen["left_inside"] == []  # PuLP removed its files; then the folder goes too
    assert not Path(str(seen["dir"])).exists()
    assert list(private_systmp.iterdir()) == []


def test_cbc_directory_removed_on_error(private_systmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(self: pulp.COIN_CMD, lp: pulp.LpProblem, **kw: object) -> int:
        lp.writeMPS(os.path.join(self.tmpDir, "model-pulp.mps"))
        raise RuntimeError("solver died")

    monkeypatch.setattr(pulp.COIN_CMD, "actualSolve", boom)
    with pytest.raises(RuntimeError, match="solver died"):
        run_solver(build_model(hand_inputs(), HAND_POLICY), solver="cbc")
    assert list(private_systmp.iterdir()) == []


def test_solution_scalars_are_native_and_frames_sorted() -> None:
    s = solve(random_inputs(3), Policy(budget_meur=30.0))
    for value in (s.objective, s.budget_shadow_price, s.total_spend_meur):
        assert type(value) is float
    key = ["action_line_id", "target_id"]
    assert s.allocation[key].equals(s.allocation.sort_values(key)[key])
    again = solve(random_inputs(3), Policy(budget_meur=30.0))
    pd.testing.assert_frame_equal(s.allocation, again.allocation)
    assert s.assumptions["source"].eq("default").all()


def test_docstring_examples() -> None:
    import doctest

    import optimizer.solve

    result = doctest.testmod(optimizer.solve)
    assert result.attempted >= 1 and result.failed == 0
