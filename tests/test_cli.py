"""The deps command as a user runs it: a real process, exit codes, clear errors and never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration  # a database, the CLI or the app end to end: make test, not make check

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "template_small"
DEPS = [sys.executable, "-m", "deps.cli.main"]


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*DEPS, *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=120)


@pytest.mark.slow
@pytest.mark.parametrize("command", [[], ["init"], ["status"], ["import"]])
def test_every_command_has_help(command: list[str], tmp_path: Path) -> None:
    done = _run([*command, "--help"], {"DEPS_VAR_DIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert "Usage" in done.stdout


@pytest.mark.slow
def test_init_status_import_round_trip(env: dict[str, str]) -> None:
    seeded = {**env, "DEPS_SEED_DIR": str(FIXTURE)}
    done = _run(["init"], seeded)
    assert done.returncode == 0, done.stderr
    assert "dataset 'seed' version 1 created" in done.stdout
    again = _run(["init"], seeded)
    assert "nothing written" in again.stdout
    state = json.loads(_run(["status", "--format", "json"], seeded).stdout)
    assert state["up_to_date"] is True
    assert [(d["name"], d["version"]) for d in state["datasets"]] == [("seed", 1)]
    assert state["row_counts"]["provision"] == 5
    imported = _run(["import", "template", str(FIXTURE), "--dataset", "mine"], seeded)
    assert imported.returncode == 0, imported.stderr
    assert "dataset 'mine' version 1 created" in imported.stdout


@pytest.mark.slow
def test_failed_import_exits_non_zero_with_report(env: dict[str, str], tmp_path: Path) -> None:
    _run(["init", "--empty"], env)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "nodes.csv").write_text("node_id,name,kind\nx,X,gizmo\nx,Y,tool\n", encoding="utf-8")
    report = tmp_path / "report.json"
    done = _run(["import", "template", str(bad), "--report", str(report)], env)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "nodes.csv, row 2, column 'kind'" in done.stderr
    assert "duplicate node_id" in done.stderr
    problems = json.loads(report.read_text())
    assert {p["row"] for p in problems} == {2, 3}
    state = json.loads(_run(["status", "--format", "json"], env).stdout)
    assert state["datasets"] == [] and state["row_counts"]["node"] == 0


@pytest.mark.slow
def test_errors_without_a_database_are_one_line(tmp_path: Path) -> None:
    env = {"DEPS_DATABASE_URL": f"sqlite:///{tmp_path / 'none.sqlite3'}"}
    done = _run(["import", "template", str(FIXTURE)], env)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "deps init" in done.stderr
    unknown = _run(["import", "nosuch", str(FIXTURE)], {**env})
    assert unknown.returncode == 1 and "unknown import format" in unknown.stderr


def test_simulate_writes_loss_intervals(env: dict[str, str], tmp_path: Path) -> None:
    # in the fixture USA supplies ore without a share (CHN 60%, AUS 30%): a US export ban costs ore
    # between 0 and the residual 10%, and the chip as much; the CSV says so instead of a zero
    seeded = {**env, "DEPS_SEED_DIR": str(FIXTURE)}
    assert _run(["init"], seeded).returncode == 0
    out = tmp_path / "sim.csv"
    done = _run(["simulate", "--shock", "USA=1.0", "--out", str(out)], seeded)
    assert done.returncode == 0, done.stderr
    import pandas as pd

    nodes = pd.read_csv(out).set_index("node_id")
    assert nodes.loc["chip", "loss_low"] == 0.0 and nodes.loc["chip", "loss_high"] == pytest.approx(0.1)
    assert "at most 0.100" in nodes.loc["chip", "explanation"]
