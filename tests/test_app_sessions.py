"""Server-side sessions and own-password changes: the service (deps.access.sessions) and the app's Account page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from deps.access.audit import list_events
from deps.access.auth import Actor, add_user, authenticate, reset_password, set_active
from deps.access.sessions import (
    change_password,
    end_session,
    open_session,
    password_change_required,
    resume_session,
    token_digest,
)
from deps.config import load_settings
from deps.errors import AuthenticationError, DepsError
from deps.ingest.seed import initialise
from deps.store.db import Database

pytestmark = pytest.mark.integration  # a database, the CLI or the app end to end: make test, not make check

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "template_small"
PASSWORD = "correct horse battery staple"
NEW = "seven quiet lanterns over harbour"


@pytest.fixture
def seeded(db: Database, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Database:
    """The test database (also the app's, through DEPS_DATABASE_URL) with the small template and analyst ann."""
    monkeypatch.setenv("DEPS_SEED_DIR", str(FIXTURE))
    initialise(db, load_settings())
    add_user(db, "ann", "analyst", PASSWORD, by=Actor("tests", "admin"))
    return db


def test_session_resumes_until_logout_expiry_or_deactivation(db: Database, seeded: Database) -> None:
    ann = Actor("ann", "analyst")
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    token = open_session(db, ann, now=now)
    assert len(token) == 43 and token_digest(token) != token
    assert resume_session(db, token, minutes=60, now=now + timedelta(minutes=59)) == ann
    # the clock restarts at each use: 59 minutes after the last use is still live
    assert resume_session(db, token, minutes=60, now=now + timedelta(minutes=117)) == ann
    with pytest.raises(AuthenticationError, match="expired"):
        resume_session(db, token, minutes=60, now=now + timedelta(minutes=178))
    with pytest.raises(AuthenticationError, match="expired"):  # an expired session stays expired
        resume_session(db, token, minutes=60, now=now + timedelta(minutes=300))
    second = open_session(db, ann)
    end_session(db, second)
    with pytest.raises(AuthenticationError, match="ended"):
        resume_session(db, second, minutes=60)
    assert [e["action"] for e in list_events(db, actor=Actor("auditor", "admin"), action="logout")] == ["logout"]
    third = open_session(db, ann)
    set_active(db, "ann", False, by=Actor("tests", "admin"))
    with pytest.raises(AuthenticationError, match="inactive"):
        resume_session(db, third, minutes=60)
    with pytest.raises(AuthenticationError):
        resume_session(db, "x" * 43, minutes=60)


def test_one_time_passwords_must_be_changed(db: Database, seeded: Database) -> None:
    assert not password_change_required(db, Actor("ann", "analyst"))  # a password the tests chose
    secret = add_user(db, "otto", "viewer", None, by=Actor("tests", "admin"))
    assert password_change_required(db, Actor("otto", "analyst"))
    otto = authenticate(db, "otto", secret, settings=load_settings())
    change_password(db, otto, secret, NEW)
    assert not password_change_required(db, Actor("otto", "analyst"))
    reset_password(db, "otto", by=Actor("tests", "admin"))
    assert password_change_required(db, Actor("otto", "analyst"))


def test_change_password_checks_the_current_one_and_ends_other_sessions(db: Database, seeded: Database) -> None:
    ann = Actor("ann", "analyst")
    elsewhere = open_session(db, ann)
    with pytest.raises(AuthenticationError):
        change_password(db, ann, "wrong password!!", NEW)
    with pytest.raises(DepsError, match="differ"):
        change_password(db, ann, PASSWORD, PASSWORD)
    with pytest.raises(DepsError, match="too short"):
        change_password(db, ann, PASSWORD, "short")
    change_password(db, ann, PASSWORD, NEW)
    with pytest.raises(AuthenticationError):
        resume_session(db, elsewhere, minutes=60)
    assert authenticate(db, "ann", NEW, settings=load_settings()) == ann
    with pytest.raises(AuthenticationError):
        authenticate(db, "ann", PASSWORD, settings=load_settings())
    changed = list_events(db, actor=Actor("auditor", "admin"), action="password_changed")
    assert len(changed) == 1 and changed[0]["details"]["sessions_ended"] == 1
    assert NEW not in str(list_events(db, actor=Actor("auditor", "admin"))) and PASSWORD not in str(
        list_events(db, actor=Actor("auditor", "admin"))
    )


def _login(name: str, password: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_streamlit.py"), default_timeout=60).run()
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(password)
    at.button[0].click().run()
    return at


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_account_page_forces_and_takes_the_change(db: Database, seeded: Database, lang: str) -> None:
    secret = add_user(db, "otto", "analyst", None, by=Actor("tests", "admin"))
    at = _login("otto", secret)
    assert not at.exception
    titles = {"en": ("Account", "Overview"), "nl": ("Account", "Overzicht")}[lang]
    if lang == "nl":
        at.radio(key="lang").set_value("nl").run()
    assert [t.value for t in at.title] == [titles[0]]
    assert len(at.warning) == 1
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/optimiser.py")
    at.text_input(key="pw_current").input(secret)
    at.text_input(key="pw_new").input(NEW)
    at.text_input(key="pw_again").input(NEW + "x")
    at.button[0].click().run()
    assert len(at.error) == 1 and password_change_required(db, Actor("otto", "analyst"))
    at.text_input(key="pw_current").input(secret)
    at.text_input(key="pw_new").input(NEW)
    at.text_input(key="pw_again").input(NEW)
    at.button[0].click().run()
    assert not at.exception and not at.error
    assert len(at.success) == 1 and not password_change_required(db, Actor("otto", "analyst"))
    at.switch_page("app_pages/optimiser.py").run()  # every page is there now
    assert not at.exception
    at.switch_page("app_pages/overview.py").run()
    assert at.title[0].value == titles[1]
