"""Assumption sets: versions, audit, role checks, CLI and the run that records which set it used."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from deps.access.audit import list_events
from deps.access.auth import Actor
from deps.cli.main import app
from deps.config import load_settings
from deps.errors import DataValidationError, NotFoundError, PermissionDeniedError
from deps.ingest.seed import initialise
from deps.services.assumptions import (
    dataset_effects,
    export_set,
    history,
    import_set,
    list_sets,
    parse_reference,
    save_set,
    show_set,
)
from deps.store.db import Database

pytestmark = pytest.mark.integration  # a database, the CLI or the app end to end: make test, not make check

DATA = Path(__file__).resolve().parents[1] / "data"
ANALYST = Actor("ann", "analyst")
VIEWER = Actor("vic", "viewer")
ADMIN = Actor("ada", "admin")


@pytest.fixture
def seeded(db: Database, env: dict[str, str]) -> Database:
    initialise(db, load_settings())
    return db


def test_references() -> None:
    assert parse_reference("central") == ("central", None)
    assert parse_reference(" central@12 ") == ("central", 12)
    for bad in ("", "a b", "x@0", "x@-1", "@3", "x@y"):
        with pytest.raises(DataValidationError):
            parse_reference(bad)


def test_versions_are_numbered_immutable_and_audited(db: Database, seeded: Database) -> None:
    effects = dataset_effects(db, "seed", actor=ANALYST)
    first = save_set(db, "central", effects, actor=ANALYST, note="seed curves")
    assert (first.name, first.version) == ("central", 1)
    assert save_set(db, "central", effects, actor=ANALYST).version == 1  # same content: no new version
    changed = effects.copy()
    changed.loc[0, "slope_high"] = float(changed.loc[0, "slope_high"]) * 1.5
    second = save_set(db, "central", changed, actor=ANALYST, note="wider high bound")
    assert second.version == 2 and second.sha256 != first.sha256
    assert show_set(db, "central@1", actor=VIEWER).effects.equals(first.effects)
    assert float(show_set(db, "central", actor=VIEWER).effects.loc[0, "slope_high"]) == pytest.approx(
        float(changed.loc[0, "slope_high"])
    )
    assert list(history(db, "central", actor=VIEWER)["version"]) == [2, 1]
    assert list_sets(db, actor=VIEWER).to_dict("records")[0]["version"] == 2
    saved = list_events(db, action="assumptions_saved", actor=ADMIN)
    assert [e["target"] for e in saved] == ["central@2", "central@1"]  # newest first
    assert all(e["user"] == "ann" for e in saved)
    with pytest.raises(NotFoundError):
        show_set(db, "central@3", actor=VIEWER)


def test_a_bad_edit_is_refused_whole_with_row_column_and_fix(db: Database, seeded: Database) -> None:
    effects = dataset_effects(db, "seed", actor=ANALYST)
    effects.loc[2, "slope_low"] = 0.5  # above its central value
    effects.loc[3, "evidence"] = "rumour"
    with pytest.raises(DataValidationError) as caught:
        save_set(db, "bad", effects, actor=ANALYST)
    where = {(p.row, p.column) for p in caught.value.problems}
    assert (4, "slope_low") in where and (5, "evidence") in where
    assert all(p.fix for p in caught.value.problems)
    assert list_sets(db, actor=VIEWER).empty


def test_roles(db: Database, seeded: Database, tmp_path: Path) -> None:
    effects = dataset_effects(db, "seed", actor=ANALYST)
    with pytest.raises(PermissionDeniedError):
        save_set(db, "central", effects, actor=VIEWER)
    with pytest.raises(PermissionDeniedError):
        import_set(db, DATA / "effects.csv", name="central", actor=VIEWER, max_bytes=10**7)
    save_set(db, "central", effects, actor=ADMIN)
    assert len(list_sets(db, actor=VIEWER)) == 1  # viewers read
    show_set(db, "central", actor=VIEWER)
    with pytest.raises(PermissionDeniedError):
        export_set(db, "central", tmp_path / "x.csv", actor=VIEWER)


def test_export_import_round_trip_and_cli(db: Database, seeded: Database, tmp_path: Path) -> None:
    imported = import_set(db, DATA / "effects.csv", name="published", actor=ANALYST, max_bytes=10**7)
    assert imported.version == 1 and len(imported.effects) == len(pd.read_csv(DATA / "effects.csv"))
    out = tmp_path / "published.csv"
    export_set(db, "published@1", out, actor=ANALYST)
    again = import_set(db, out, name="published", actor=ANALYST, max_bytes=10**7)
    assert again.version == 1 and again.sha256 == imported.sha256  # the export reads back to the same content
    assert list_events(db, action="assumptions_exported", actor=ADMIN)[0]["details"]["sha256"]
    runner = CliRunner()
    listed = runner.invoke(app, ["assumptions", "list"])
    assert listed.exit_code == 0 and "published" in listed.output
    shown = runner.invoke(app, ["assumptions", "show", "published@1"])
    assert shown.exit_code == 0 and "evidence: evaluation" in shown.output
    cli_out = tmp_path / "cli.csv"
    exported = runner.invoke(app, ["assumptions", "export", "published", "--out", str(cli_out)])
    assert exported.exit_code == 0 and cli_out.read_bytes() == out.read_bytes()
    bad = tmp_path / "bad.csv"
    bad.write_text(out.read_text(encoding="utf-8").replace("publication", "gossip", 1), encoding="utf-8")
    refused = runner.invoke(app, ["assumptions", "import", str(bad), "--name", "published"])
    assert refused.exit_code != 0 and isinstance(refused.exception, DataValidationError)
    problem = refused.exception.problems[0]
    assert (problem.file, problem.row, problem.column) == ("bad.csv", 12, "evidence") and "gossip" in problem.problem
    assert show_set(db, "published", actor=VIEWER).version == 1


def test_a_run_records_the_set_and_version_it_used(db: Database, seeded: Database) -> None:
    from sqlmodel import select

    from deps.services.optimisation import run_optimisation
    from deps.services.scenario import ScenarioConfig
    from deps.store.models import Run

    effects = dataset_effects(db, "seed", actor=ANALYST)
    first = save_set(db, "central", effects, actor=ANALYST)
    halved = effects.assign(**{s: effects[s] / 2 for s in ("slope_low", "slope_central", "slope_high")})
    save_set(db, "central", halved, actor=ANALYST, note="half the effect")
    run = run_optimisation(
        db, load_settings(), dataset="seed", actor=ANALYST, config=ScenarioConfig(), budget=100, assumptions="central@1"
    )
    assert run.summary["assumptions"] == "central@1"
    with db.session() as session:
        stored = session.exec(select(Run).where(Run.id == run.run_id)).one()
        assert stored.assumption_version_id == first.id and stored.parameters["assumptions"] == "central@1"
    used = run.tables["assumptions"].sort_values(["action_line_id", "dependency_kind", "segment"])
    assert used["reduction_per_meur"].to_numpy() == pytest.approx(effects["slope_central"].to_numpy())
    with pytest.raises(NotFoundError):
        run_optimisation(
            db,
            load_settings(),
            dataset="seed",
            actor=ANALYST,
            config=ScenarioConfig(),
            budget=100,
            assumptions="nothing@1",
        )
