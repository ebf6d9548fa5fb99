"""Every role x every service action: the services check the role themselves (not only the app's pages).

One seeded database serves the whole matrix; each cell calls the real service function as that role and expects
either a result or PermissionDeniedError, by the ACTIONS table (viewer < analyst < admin).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from deps.access.auth import ACTIONS, ROLES, Actor, allowed
from deps.config import load_settings
from deps.errors import PermissionDeniedError
from deps.store.db import Database

pytestmark = pytest.mark.integration  # a database, the CLI or the app end to end: make test, not make check

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "template_small"
GRID = "budgets: [20]\n"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A seeded SQLite database with one stored simulation run (module-wide: the matrix only reads and adds)."""
    import os

    from deps.ingest.seed import initialise
    from deps.services.analysis import parse_shock, run_simulation

    base = tmp_path_factory.mktemp("perm")
    old = os.environ.get("DEPS_DATABASE_URL")
    os.environ["DEPS_DATABASE_URL"] = f"sqlite:///{base / 'p.sqlite3'}"
    db = Database(os.environ["DEPS_DATABASE_URL"])
    try:
        settings = load_settings()
        initialise(db, settings)
        run = run_simulation(db, settings, dataset="seed", actor=Actor("setup", "admin"), shocks=[parse_shock("CHN=1")])
        grid = base / "grid.yaml"
        grid.write_text(GRID, encoding="utf-8")
        yield {"db": db, "settings": settings, "run_id": run.run_id, "tables": run.tables, "dir": base, "grid": grid}
    finally:
        if old is None:
            os.environ.pop("DEPS_DATABASE_URL", None)
        else:
            os.environ["DEPS_DATABASE_URL"] = old
        db.dispose()


def _calls() -> dict[str, tuple[str, Callable[[dict[str, Any], Actor], object]]]:
    from deps.access.auth import add_user
    from deps.ingest import import_file
    from deps.reports import build_report
    from deps.services.analysis import parse_shock, run_analysis, run_screen, run_simulation
    from deps.services.assumptions import dataset_effects, save_set
    from deps.services.batch import run_batch_file
    from deps.services.criticality import run_supply_risk
    from deps.services.exports import export_run
    from deps.services.optimisation import run_optimisation
    from deps.services.scenario import ScenarioConfig

    def out(w: dict[str, Any], a: Actor, name: str) -> Path:
        return Path(w["dir"]) / f"{a.role}-{name}"

    return {
        "analyse": ("analyse", lambda w, a: run_analysis(w["db"], w["settings"], dataset="seed", actor=a)),
        "supply_risk": ("analyse", lambda w, a: run_supply_risk(w["db"], w["settings"], dataset="seed", actor=a)),
        "screen": ("analyse", lambda w, a: run_screen(w["db"], w["settings"], dataset="nope", actor=a)),
        "simulate": (
            "simulate",
            lambda w, a: run_simulation(w["db"], w["settings"], dataset="seed", actor=a, shocks=[parse_shock("RUS=1")]),
        ),
        "optimise": (
            "optimise",
            lambda w, a: run_optimisation(
                w["db"], w["settings"], dataset="seed", actor=a, config=ScenarioConfig(), budget=10
            ),
        ),
        "batch": (
            "batch",
            lambda w, a: run_batch_file(w["db"], w["settings"], w["grid"], dataset="seed", actor=a, executor="serial"),
        ),
        "export": (
            "export",
            lambda w, a: export_run(
                w["db"], w["settings"], a, w["run_id"], out(w, a, "x.csv"), "csv", w["tables"]["markets"]
            ),
        ),
        "report": (
            "export",
            lambda w, a: build_report(w["db"], w["settings"], a, w["run_id"], "md", "Intern", out(w, a, "r.md")),
        ),
        "import": (
            "import",
            lambda w, a: import_file(w["db"], w["settings"], a, "template", FIXTURE, dataset=f"p-{a.role}"),
        ),
        "manage_users": (
            "manage_users",
            lambda w, a: add_user(w["db"], f"u-{a.role}", "viewer", by=a),
        ),
        "save_assumptions": (
            "edit_assumptions",
            lambda w, a: save_set(
                w["db"],
                f"set-{a.role}",
                dataset_effects(w["db"], "seed", actor=a),
                actor=a,
            ),
        ),
    }


CALLS = _calls()


def test_matrix_covers_every_action_but_read_and_audit() -> None:
    assert {action for action, _call in CALLS.values()} == set(ACTIONS) - {"read", "audit"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(CALLS))
def test_role_x_action(world: dict[str, Any], role: str, name: str) -> None:
    action, call = CALLS[name]
    actor = Actor(f"{role}-user", role)
    if allowed(actor, action):
        try:
            call(world, actor)
        except PermissionDeniedError as exc:  # pragma: no cover - the point of the test
            raise AssertionError(f"{role} may {action} but was refused: {exc}") from exc
        except LookupError:
            assert name == "screen"  # allowed, then fails on the missing trade dataset: the role check came first
    else:
        with pytest.raises(PermissionDeniedError, match=f"role {role!r}"):
            call(world, actor)
