"""The run pickers in Dutch and the simulator's error text as plain text (issue 13).

* The pickers of the Reports, Runs and Batches pages name a run's kind and status through the string table
  (``optimalisatie``, ``klaar``), never the stored codes (``optimisation``, ``done``).
* A failed simulator scenario shows the service layer's message escaped: a name that holds a Markdown link stays the
  characters it is.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_pages.plain import md
from app_pages.texts import NL
from app_pages.texts_labels import VALUES
from deps.access.auth import Actor
from deps.config import load_settings
from deps.errors import NotFoundError
from deps.services.analysis import parse_shock, run_simulation
from deps.services.batch import run_batch_file
from deps.services.runs import RUN_KINDS
from deps.store.db import Database
from tests.test_app_pages import _login, seeded

pytestmark = pytest.mark.integration  # a database, the CLI or the app end to end: make test, not make check

ADA = Actor("ada", "admin")
GRID = "base: {solver: highs}\nbudgets: [10, 20]\n"
LINK = "[click me](http://evil.invalid/)"
__all__ = ["seeded"]  # the fixture of the page tests, used here


def test_every_run_kind_has_words_in_both_languages() -> None:
    assert set(VALUES["run_kind"]) == set(RUN_KINDS)
    for english in VALUES["run_kind"].values():
        assert english in NL, english


def _options(at: AppTest, key: str) -> list[str]:
    """The texts a picker shows (its options through its format function)."""
    widget = at.selectbox(key=key) if key != "ru_kinds" else at.multiselect(key=key)
    return [str(option) for option in widget.options]


def test_run_pickers_show_kind_and_status_in_dutch(seeded: Database, tmp_path: Path) -> None:
    db = seeded
    run_simulation(db, load_settings(), dataset="seed", actor=ADA, shocks=[parse_shock("CHN=1")])
    grid = tmp_path / "grid.yaml"
    grid.write_text(GRID)
    run_batch_file(db, load_settings(), grid, dataset="seed", actor=ADA, executor="serial")
    at = _login("ada")
    at.radio(key="lang").set_value("nl").run()
    at.switch_page("app_pages/reports.py").run()
    assert not at.exception, at.exception
    kinds = _options(at, "rp_kind")
    assert "simulatie" in kinds and "batch" in kinds and "simulation" not in kinds
    runs = "\n".join(_options(at, "rp_run"))
    assert "simulatie · seed" in runs and "simulation ·" not in runs
    assert "· klaar ·" in runs and "· done ·" not in runs
    at.switch_page("app_pages/runs.py").run()
    assert not at.exception, at.exception
    assert "batchscenario" in _options(at, "ru_kinds") and "member" not in _options(at, "ru_kinds")
    picked = "\n".join(_options(at, "ru_a"))
    assert "optimalisatie" in picked or "batchscenario" in picked
    assert not [word for word in ("optimisation ·", "member ·", "· optimal ·", "· done ·") if word in picked]
    assert "simulation" not in set(at.dataframe[0].value["kind"])
    at.switch_page("app_pages/batches.py").run()
    assert not at.exception, at.exception
    assert any("· klaar ·" in option for option in _options(at, "batch_pick"))


def test_a_failed_simulator_scenario_is_shown_as_plain_text(seeded: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    message = f"no firm '{LINK}' in dataset 'seed'"

    def failing(*args: object, **kwargs: object) -> None:
        raise NotFoundError(message)

    monkeypatch.setattr("deps.services.analysis.run_simulation", failing)
    at = _login("ada")
    at.radio(key="lang").set_value("nl").run()
    at.switch_page("app_pages/simulator.py").run()
    at.button(key="sim_run").click().run()
    assert not at.exception, at.exception
    errors = [str(e.value) for e in at.error]
    assert errors and not any(LINK in text for text in errors)
    assert any(md(f"geen bedrijf '{LINK}' in dataset 'seed'") in text for text in errors), errors
