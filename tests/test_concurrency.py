"""Eight processes importing, analysing, optimising and exporting at once lose no data and corrupt no run."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest

from deps.access.audit import verify
from deps.access.auth import Actor
from deps.config import load_settings
from deps.ingest.seed import initialise
from deps.services.runs import list_runs
from deps.store.db import Database
from tests.helpers import READER

pytestmark = pytest.mark.integration  # a database, the CLI or the app end to end: make test, not make check

AUDITOR = Actor("auditor", "admin")

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "template_small"
WORKERS = 8


def _work(args: tuple[str, int, str]) -> str:
    """One session's work in its own process and handle: import (half of them into the same dataset name),
    analyse, optimise, export."""
    url, index, out = args
    os.environ["DEPS_DATABASE_URL"] = url
    db = Database(url)
    from deps.access.auth import Actor
    from deps.ingest import import_file
    from deps.services.analysis import run_analysis
    from deps.services.exports import export_run
    from deps.services.optimisation import run_optimisation
    from deps.services.scenario import ScenarioConfig

    settings = load_settings()
    admin = Actor(f"worker{index}", "admin")
    import_file(db, settings, admin, "template", FIXTURE, dataset="shared" if index % 2 else f"own{index}")
    analysis = run_analysis(db, settings, dataset="seed", actor=admin)
    export_run(db, settings, admin, analysis.run_id, Path(out) / f"a{index}.csv", "csv", analysis.tables["nodes"])
    run_optimisation(db, settings, dataset="seed", actor=admin, config=ScenarioConfig(), budget=50.0 + index)
    return analysis.run_id


def _run_all(db: Database, tmp_path: Path) -> None:
    initialise(db, load_settings())
    context = multiprocessing.get_context("spawn")
    with context.Pool(WORKERS) as pool:
        run_ids = pool.map(_work, [(db.url, i, str(tmp_path)) for i in range(WORKERS)])
    assert len(set(run_ids)) == WORKERS
    runs = list_runs(db, actor=READER)
    assert sum(r.kind == "analysis" for r in runs) == WORKERS
    assert sum(r.kind == "optimisation" for r in runs) == WORKERS
    assert all(r.status in {"ok", "optimal"} for r in runs)
    from deps.store.catalogue import list_datasets

    versions = [(d.name, d.version) for d in list_datasets(db)]
    # identical content under one name: the first import creates version 1, the others find it unchanged
    assert versions.count(("shared", 1)) == 1 and not any(n == "shared" and v > 1 for n, v in versions)
    assert {n for n, _v in versions} >= {f"own{i}" for i in range(0, WORKERS, 2)}
    report = verify(db, actor=AUDITOR)
    assert report.ok, report.problems
    assert len(list(tmp_path.glob("a*.csv"))) == WORKERS


@pytest.mark.slow
def test_eight_processes_on_the_test_database(db: Database, env: dict[str, str], tmp_path: Path) -> None:
    _run_all(db, tmp_path)


@pytest.mark.slow
def test_eight_processes_on_postgresql(pg_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from deps.store.db import upgrade

    monkeypatch.setenv("DEPS_DATABASE_URL", pg_url)
    with Database(pg_url) as db:
        upgrade(db)
        _run_all(db, tmp_path)
