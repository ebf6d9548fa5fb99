"""AppTest of the Effect assumptions page: analysts edit and save a new version; viewers do not get the page."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_pages.nav import pages_for
from deps.access.audit import list_events
from deps.access.auth import Actor, add_user
from deps.config import load_settings
from deps.ingest.seed import initialise
from deps.services.assumptions import list_sets, show_set
from deps.store.db import Database

pytestmark = pytest.mark.integration  # a database, the CLI or the app end to end: make test, not make check

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "correct horse battery staple"


@pytest.fixture
def seeded(db: Database, env: dict[str, str]) -> Database:
    initialise(db, load_settings())
    add_user(db, "ann", "analyst", PASSWORD, by=Actor("tests", "admin"))
    add_user(db, "vic", "viewer", PASSWORD, by=Actor("tests", "admin"))
    return db


def _login(name: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_streamlit.py"), default_timeout=90).run()
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    return at


def test_the_page_is_for_analysts_and_admins_only() -> None:
    paths = {role: [p.path for p in pages_for(Actor("x", role))] for role in ("viewer", "analyst", "admin")}
    assert "app_pages/assumptions.py" not in paths["viewer"]
    assert "app_pages/assumptions.py" in paths["analyst"] and "app_pages/assumptions.py" in paths["admin"]


def test_viewer_cannot_open_the_page(seeded: Database) -> None:
    at = _login("vic")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/assumptions.py")


def test_analyst_saves_a_new_set_and_then_a_new_version(db: Database, seeded: Database) -> None:
    at = _login("ann")
    at.switch_page("app_pages/assumptions.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Effect assumptions"
    at.text_input(key="as_name").input("central")
    at.text_input(key="as_note").input("the seed's curves")
    at.button(key="as_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("Saved central@1" in s.value for s in at.success)
    # open the stored set and save an edit as version 2
    at.run()  # the list of sets is drawn before the save: the next run offers the new set
    at.selectbox(key="as_set").select("central").run()
    editor_key = "as_editor_central"
    first = show_set(db, "central", actor=Actor("vic", "viewer")).effects
    at.session_state[editor_key] = {
        "edited_rows": {0: {"slope_high": float(first.loc[0, "slope_high"]) * 2}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.text_input(key="as_note").input("doubled the high bound of the first segment")
    at.button(key="as_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("Saved central@2" in s.value for s in at.success)
    second = show_set(db, "central@2", actor=Actor("vic", "viewer")).effects
    assert float(second.loc[0, "slope_high"]) == pytest.approx(2 * float(first.loc[0, "slope_high"]))
    assert [e["target"] for e in list_events(db, action="assumptions_saved", actor=Actor("tests", "admin"))] == [
        "central@2",
        "central@1",
    ]


def test_a_bad_edit_shows_the_problems_and_saves_nothing(db: Database, seeded: Database) -> None:
    at = _login("ann")
    at.switch_page("app_pages/assumptions.py").run()
    at.session_state["as_editor___new__"] = {
        "edited_rows": {0: {"slope_low": 0.9}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.text_input(key="as_name").input("broken")
    at.button(key="as_save").click().run()
    assert not at.exception, at.exception
    assert any("not saved" in e.value for e in at.error)
    assert list_sets(db, actor=Actor("vic", "viewer")).empty
