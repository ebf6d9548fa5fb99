"""Optimisation and batches through the application layer: on the seed, with scenarios, resume, Dask and crashes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from deps.access.auth import Actor
from deps.config import load_settings
from deps.errors import DataValidationError, RunError
from deps.ingest.seed import initialise
from deps.services.batch import run_batch_file
from deps.services.optimisation import run_optimisation
from deps.services.runs import finished_members, get_run, list_runs
from deps.services.scenario import ScenarioConfig, parse_batch, parse_scenario, scenario
from deps.store.db import Database
from tests.helpers import READER

pytestmark = pytest.mark.integration  # a database, the CLI or the app end to end: make test, not make check

GRID = """
base:
  line_max_meur: {regulation: 50}
budgets: [100, 400]
weights: {base: {}, semis: {semiconductors: 3}}
shocks: {none: {}, china: {CHN: 2.0}}
"""

ANALYST = Actor("ana", "analyst")


@pytest.fixture
def seeded(db: Database, env: dict[str, str]) -> dict[str, str]:
    initialise(db, load_settings())
    return env


@pytest.mark.slow
def test_optimal_allocation_respects_the_budget(db: Database, seeded: dict[str, str]) -> None:
    settings = load_settings()
    run = run_optimisation(
        db, settings, dataset="seed", actor=ANALYST, config=ScenarioConfig(), budget=300, frontier=[0, 300, 600]
    )
    assert run.status == "optimal"
    spend = float(run.tables["allocation"]["spend_meur"].sum())
    assert spend <= 300 + 1e-6 and spend == pytest.approx(run.summary["total_spend_meur"])
    assert run.summary["budget_shadow_price"] >= 0
    assert run.summary["objective"] < run.summary["baseline_objective"]
    frontier = run.tables["frontier"]["weighted_residual_risk"].to_numpy()
    assert (frontier[1:] <= frontier[:-1] + 1e-12).all()  # more budget never raises residual risk
    record = get_run(db, run.run_id, actor=READER)
    assert record.kind == "optimisation" and record.solver and record.solver.startswith("highs (highspy")
    assert set(run.tables["assumptions"]["action_line_id"]) <= set(run.tables["allocation"]["action_line_id"]) | set(
        run.tables["assumptions"]["action_line_id"]
    )


def test_cbc_and_highs_return_the_same_allocation(db: Database, seeded: dict[str, str]) -> None:
    # The second stage (optimizer.selection) picks one allocation among the optimal ones, so the
    # two solvers agree on every line x target spend, not only on the objective.
    settings = load_settings()
    for budget in (50, 500, 5000):
        runs = {
            solver: run_optimisation(
                db, settings, dataset="seed", actor=ANALYST, config=ScenarioConfig(solver=solver), budget=budget
            )
            for solver in ("highs", "cbc")
        }
        highs, cbc = runs["highs"], runs["cbc"]
        assert cbc.summary["objective"] == pytest.approx(highs.summary["objective"], rel=1e-9)
        assert highs.summary["selection"] == cbc.summary["selection"] == "second-stage"
        key = ["action_line_id", "target_id"]
        a = highs.tables["allocation"].set_index(key)["spend_meur"]
        b = cbc.tables["allocation"].set_index(key)["spend_meur"]
        assert float(a.sub(b, fill_value=0.0).abs().max()) <= 1e-6, budget
        ranges = highs.tables["line_ranges"]
        assert ranges.columns.tolist() == ["action_line_id", "spend_meur", "line_min_meur", "line_max_meur"]
        assert (ranges["line_min_meur"] <= ranges["spend_meur"] + 1e-6).all()
        assert (ranges["spend_meur"] <= ranges["line_max_meur"] + 1e-6).all()
        assert highs.summary["split_note"]


def test_infeasible_scenario_names_the_conflict(db: Database, seeded: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("budget_meur: 500\nline_min_meur: {financing: 320, ecosystems: 300}\n", encoding="utf-8")
    config, _dataset = parse_scenario(path)
    run = run_optimisation(db, load_settings(), dataset="seed", actor=ANALYST, config=config)
    assert run.status == "infeasible"
    assert "line minimums sum to 620 > budget 500" in run.reason
    assert get_run(db, run.run_id, actor=READER).status == "infeasible"


def test_scenario_errors_are_reported_together(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("budgte_meur: 5\nsolver: gurobi\nline_max_meur: {financing: -3}\nforced: [{min_meur: 4}]\n")
    with pytest.raises(DataValidationError) as info:
        parse_scenario(path)
    report = info.value.report()
    assert "did you mean 'budget_meur'" in report
    assert "unknown solver 'gurobi'" in report
    assert "line_max_meur.financing" in report and "below 0" in report
    assert "forced[0]" in report


def test_unknown_references_are_reported(db: Database, seeded: dict[str, str]) -> None:
    config = scenario(line_min_meur={"lobbying": 5.0}, market_max_share={"space": 0.5})
    with pytest.raises(DataValidationError, match="unknown action line 'lobbying'"):
        run_optimisation(db, load_settings(), dataset="seed", actor=ANALYST, config=config, budget=100)
    with pytest.raises(RunError, match="no budget"):
        run_optimisation(db, load_settings(), dataset="seed", actor=ANALYST, config=ScenarioConfig())


def test_batch_stores_each_scenario_and_resumes(db: Database, seeded: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "grid.yaml"
    path.write_text(GRID, encoding="utf-8")
    settings = load_settings()
    first = run_batch_file(db, settings, path, dataset="seed", actor=ANALYST, executor="serial")
    assert first.total == 8 and first.solved_now == 8 and first.failed == 0
    assert set(first.summary["status"]) == {"optimal"}
    again = run_batch_file(db, settings, path, dataset="seed", actor=ANALYST, executor="serial")
    assert again.solved_now == 0 and again.skipped == 8
    members = list_runs(db, batch_id=first.batch_id, actor=READER)
    assert len(members) == 8 and {m.kind for m in members} == {"member"}
    assert get_run(db, first.batch_id, actor=READER).status == "done"
    by_key = first.summary.set_index("scenario_key")
    # a larger budget never leaves more weighted residual risk (same weights, shocks, effects)
    assert (
        by_key.loc["B=400|w=base|s=none|e=base", "objective"] <= by_key.loc["B=100|w=base|s=none|e=base", "objective"]
    )


SEED_GRID = """
budgets: [50, 500, 5000]
weights: {base: {}, semis: {semiconductors: 3}, biochem: {biotech: 2, chemistry: 1.5, semiconductors: 0.5}}
"""


def test_batch_members_store_the_single_run_answer(db: Database, seeded: dict[str, str], tmp_path: Path) -> None:
    """Issue 15: each stored member allocation is the defined answer a single solve of its scenario gives (1e-6)."""
    from deps.services.batch import scenario_specs
    from deps.services.optimisation import build_context, optimiser_inputs, policy_from
    from optimizer.batch import scenario_inputs
    from optimizer.solve import solve

    path = tmp_path / "seed-grid.yaml"
    path.write_text(SEED_GRID, encoding="utf-8")
    settings = load_settings()
    outcome = run_batch_file(db, settings, path, dataset="seed", actor=ANALYST, executor="serial")
    assert outcome.total == 9 and set(outcome.summary["status"]) == {"optimal"}
    spec = parse_batch(path)
    context = build_context(db, settings, dataset="seed", actor=ANALYST, market_weights=dict(spec.base.market_weights))
    inputs = optimiser_inputs(context, spec.base)
    key = ["action_line_id", "target_id"]
    for member in scenario_specs(spec):
        policy = policy_from(spec.base, member.budget_meur)
        single = solve(scenario_inputs(inputs, policy, member), policy, ranges=False)
        stored = outcome.allocations[outcome.allocations["scenario_key"] == member.key].set_index(key)["spend_meur"]
        diff = stored.sub(single.allocation.set_index(key)["spend_meur"], fill_value=0.0).abs()
        assert float(diff.max()) <= 1e-6, member.key
        row = outcome.summary.set_index("scenario_key").loc[member.key]
        assert row["objective"] == pytest.approx(single.objective, abs=1e-8)


def test_failing_scenario_does_not_stop_the_others(db: Database, seeded: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "grid.csv"
    path.write_text("key,budget_meur,weights,shock,effects\nok,100,,,\nbad,100,,NOWHERE=2,\nok2,200,,CHN=2,\n")
    outcome = run_batch_file(db, load_settings(), path, dataset="seed", actor=ANALYST, executor="serial")
    status = outcome.summary.set_index("scenario_key")["status"]
    assert status.to_dict() == {"bad": "error", "ok": "optimal", "ok2": "optimal"}
    assert "NOWHERE" in outcome.summary.set_index("scenario_key").loc["bad", "reason"]


def test_batch_file_errors(tmp_path: Path) -> None:
    path = tmp_path / "grid.csv"
    path.write_text("key,budget_meur,weights\na,100,semis=x\na,-5,\n")
    with pytest.raises(DataValidationError) as info:
        parse_batch(path)
    rows = {(p.row, p.column) for p in info.value.problems}
    assert (2, "weights") in rows and (3, "key") in rows and (3, "budget_meur") in rows


@pytest.mark.dask
def test_batch_on_a_real_dask_cluster(
    db: Database, seeded: dict[str, str], tmp_path: Path, dask_scheduler: str
) -> None:
    path = tmp_path / "grid.yaml"
    path.write_text(GRID, encoding="utf-8")
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "deps.cli.main", "batch", str(path), "--out", str(out), "--scheduler", dask_scheduler],
        env={**os.environ, **seeded},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    summary = pd.read_csv(out / "summary.csv")
    assert len(summary) == 8 and set(summary["status"]) == {"optimal"}
    serial = run_batch_file(db, load_settings(), path, dataset="seed", actor=ANALYST, executor="serial")
    assert serial.solved_now == 0  # the Dask run stored every scenario already


@pytest.mark.slow
def test_killed_batch_resumes_without_redoing(db: Database, seeded: dict[str, str], tmp_path: Path) -> None:
    """Kill a batch mid-way: finished scenarios are kept, the rerun solves only the rest."""
    path = tmp_path / "grid.csv"
    rows = "\n".join(f"s{i:03d},{50 + i},,," for i in range(400))
    path.write_text(f"key,budget_meur,weights,shock,effects\n{rows}\n")
    command = [
        sys.executable,
        "-m",
        "deps.cli.main",
        "batch",
        str(path),
        "--out",
        str(tmp_path / "o"),
        "--workers",
        "1",
    ]
    env = {**os.environ, **seeded}
    proc = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 120
    batch_id = None
    while time.monotonic() < deadline:
        batches = [r for r in list_runs(db, kind="batch", actor=READER)]
        if batches:
            batch_id = batches[0].id
            if len(finished_members(db, batch_id, actor=READER)) >= 20:
                break
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert batch_id is not None
    kept = finished_members(db, batch_id, actor=READER)
    assert 0 < len(kept) < 400, "the batch finished before it could be killed; enlarge the grid"
    assert get_run(db, batch_id, actor=READER).status == "running"
    outcome = run_batch_file(db, load_settings(), path, dataset="seed", actor=ANALYST, executor="serial")
    assert outcome.skipped == len(kept) and outcome.solved_now == 400 - len(kept)
    assert len(finished_members(db, batch_id, actor=READER)) == 400
    assert get_run(db, batch_id, actor=READER).status == "done"


def test_sensitivity_run_stores_a_tornado_and_the_box_plans(db: Database, seeded: dict[str, str]) -> None:
    """--sensitivity: every effect segment and the budget get a row; a larger budget never raises residual risk."""
    run = run_optimisation(
        db,
        load_settings(),
        dataset="seed",
        actor=ANALYST,
        config=ScenarioConfig(),
        budget=500,
        sensitivity_analysis=True,
    )
    tornado = run.tables["tornado"]
    effects = run.tables["assumptions"]
    assert (tornado["kind"] == "effect").sum() >= len(effects.drop_duplicates(["action_line_id", "segment"])) // 2
    budget = tornado[tornado["parameter"] == "budget"].iloc[0]
    assert budget["value_low"] == 250 and budget["value_high"] == 750
    assert budget["objective_high"] <= budget["objective_central"] <= budget["objective_low"]
    plans = run.tables["robust_plans"]
    assert set(plans["plan"]) == {"central", "worst-case", "min-regret"}
    assert run.summary["robust_box"]


def _live() -> dict[int, tuple[int, int]]:
    """Live (non-zombie) processes from /proc: pid -> (parent pid, process group)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] != "Z":
            found[int(entry.name)] = (int(fields[1]), int(fields[2]))
    return found


def _family(root: int) -> list[int]:
    """Live processes of ``root``'s process group and every live descendant of ``root`` (the pool's workers run in
    sessions of their own, optimizer.pool.own_session, so they leave the group)."""
    live = _live()
    family = {pid for pid, (_parent, group) in live.items() if group == root or pid == root}
    grown = True
    while grown:
        more = {pid for pid, (parent, _group) in live.items() if parent in family} - family
        family |= more
        grown = bool(more)
    return sorted(family)


def _alive(pids: list[int]) -> list[int]:
    live = _live()
    return [pid for pid in pids if pid in live]


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_kill_9_of_the_batch_leaves_no_process(db: Database, seeded: dict[str, str], tmp_path: Path) -> None:
    """SIGKILL to the `deps batch` process alone: its fork server, workers and resource tracker end too."""
    path = tmp_path / "grid.csv"
    rows = "\n".join(f"s{i:03d},{50 + i},,," for i in range(400))
    path.write_text(f"key,budget_meur,weights,shock,effects\n{rows}\n")
    command = [
        sys.executable,
        "-m",
        "deps.cli.main",
        "batch",
        str(path),
        "--out",
        str(tmp_path / "o"),
        "--workers",
        "2",
    ]
    proc = subprocess.Popen(
        command,
        env={**os.environ, **seeded},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, so that everything it starts can be found
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        batches = list_runs(db, kind="batch", actor=READER)
        if (
            batches
            and len(finished_members(db, batches[0].id, actor=READER)) >= 5
            and len(_family(proc.pid)) >= 5  # the main process, fork server, resource tracker, two workers
        ):
            break
        time.sleep(0.2)
    helpers = [p for p in _family(proc.pid) if p != proc.pid]
    assert len(helpers) >= 4, f"the batch started too few helper processes: {helpers}"
    os.kill(proc.pid, signal.SIGKILL)  # the main process only, as `kill -9 PID` does
    proc.wait()
    deadline = time.monotonic() + 30
    while _alive(helpers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _alive(helpers) == [], f"left behind: {_alive(helpers)} (were {helpers})"
