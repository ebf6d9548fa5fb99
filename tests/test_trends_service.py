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
from tests.helpers import READER

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
