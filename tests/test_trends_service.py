"""deps trends: the service reads every reference year of a dataset, names the nodes and records the run."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from deps.access.auth import Actor
from deps.cli.main import app
from deps.config import load_settings
from deps.errors import PermissionDeniedError
from deps.ingest.seed import initialise
from deps.services.runs import get_run
from deps.services.trends import run_trends
from deps.store.db import Database
from tests.conftest import REPO_ROOT
from tests.helpers import READER

pytestmark = pytest.mark.integration  # a database, the CLI or the app end to end: make test, not make check

ANALYST = Actor("ana", "analyst")


@pytest.fixture
def seeded(db: Database, env: dict[str, str]) -> dict[str, str]:
    initialise(db, load_settings())
    return env


def test_trends_on_the_seed(db: Database, seeded: dict[str, str]) -> None:
    settings = load_settings()
    result = run_trends(db, settings, dataset="seed", actor=ANALYST)
    trends, by_year = result.trends, result.by_year
    assert len(by_year) and set(trends["node_id"]) <= set(by_year["node_id"])
    assert (trends["n_years"] >= 2).all()
    assert (trends["hhi_change_low"] <= trends["hhi_change_high"] + 1e-12).all()
    assert set(trends["rising"]) <= {"yes", "possible", "no"}
    assert (trends["name"] != "").all()
    # every trend row agrees with the per-year table it came from
    for row in trends.itertuples(index=False):
        years = by_year[by_year["node_id"] == row.node_id]
        assert years["year"].min() == row.first_year and years["year"].max() == row.last_year
    record = get_run(db, result.run_id, actor=READER)
    assert record.kind == "trends" and record.summary["nodes_with_trend"] == len(trends)
    # the shipped extract holds every reference year: each of its nodes with several years has a trend
    extract = pd.read_csv(REPO_ROOT / "data" / "observed_provision.csv", keep_default_na=False)
    several = extract.groupby("node_id")["year"].nunique()
    assert set(several[several >= 2].index) <= set(trends["node_id"])
    gallium = trends.set_index("node_id").loc["mat_gallium"]
    assert (gallium["first_year"], gallium["last_year"], gallium["n_years"]) == (2021, 2025, 5)
    # MCS 2023: China 423,000 of the countries' 434,000 kg in 2021 (Japan 3,000, Korea 2,000, Russia 5,000, Ukraine
    # 1,000): HHI 0.9501; MCS 2026's 2025 estimate: China 99.0 %, HHI 0.9804
    assert gallium["hhi_first_low"] == pytest.approx(0.95015, abs=1e-5)
    assert gallium["hhi_last_low"] == pytest.approx(0.98035, abs=1e-5)
    assert gallium["rising"] == "yes" and gallium["top_supplier_first"] == gallium["top_supplier_last"] == "CHN"


def test_viewers_may_not_run_trends(db: Database, seeded: dict[str, str]) -> None:
    with pytest.raises(PermissionDeniedError):
        run_trends(db, load_settings(), dataset="seed", actor=Actor("vic", "viewer"))


def test_cli_writes_both_tables(seeded: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "trends.csv"
    result = CliRunner().invoke(app, ["trends", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "nodes with several reference years" in result.output
    assert list(pd.read_csv(out).columns[:2]) == ["node_id", "name"]
    assert "year" in pd.read_csv(tmp_path / "trends.by_year.csv").columns
