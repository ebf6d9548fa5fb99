"""AppTest of the Reports page: analysts build classified reports of stored runs, viewers never see the page.

One simulation of the real seed (CHN loses all supply) is stored before the app starts; the analyst reports it as
XLSX (fast matplotlib charts) and Markdown, each build is audited with the file's SHA-256, and a passphrase typed
differently twice builds nothing and leaves no passphrase in the session.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_pages.nav import pages_for
from deps.access.audit import list_events
from deps.access.auth import Actor, add_user
from deps.config import load_settings
from deps.ingest.seed import initialise
from deps.services.analysis import parse_shock, run_simulation
from deps.store.db import Database

pytestmark = pytest.mark.integration  # a database, the CLI or the app end to end: make test, not make check

AUDITOR = Actor("auditor", "admin")

ROOT = Path(__file__).resolve().parents[1]
PAGE = "app_pages/reports.py"
PASSWORD = "correct horse battery staple"
MARK = "Departementaal Vertrouwelijk"
SECRET = "twelve chars and more"


@pytest.fixture
def simulated(db: Database, env: dict[str, str]) -> tuple[Database, str]:
    """The real seed, a viewer and an analyst, and one stored simulation run: (database, run id)."""
    settings = load_settings()
    Path(settings.var_dir).mkdir(parents=True, exist_ok=True)
    initialise(db, settings)
    add_user(db, "vic", "viewer", PASSWORD, by=Actor("tests", "admin"))
    add_user(db, "ann", "analyst", PASSWORD, by=Actor("tests", "admin"))
    run = run_simulation(db, settings, dataset="seed", actor=Actor("ann", "analyst"), shocks=[parse_shock("CHN=1")])
    return db, run.run_id


def _login(name: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_streamlit.py"), default_timeout=60).run()
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    return at


def _reports_page(run_id: str) -> AppTest:
    at = _login("ann")
    at.switch_page(PAGE).run()
    _ok(at)
    assert at.title[0].value == "Reports"
    at.selectbox(key="rp_kind").set_value("simulation").run()
    at.selectbox(key="rp_run").set_value(run_id).run()
    _ok(at)
    return at


def _var_dir() -> Path:
    """The application's var directory (the page builds reports in a private folder below it when it exists)."""
    folder = Path(load_settings().var_dir)
    assert folder.is_dir(), folder
    return folder


def _passphrases(at: AppTest) -> dict[str, str]:
    return {key: at.session_state[key] for key in ("rp_pass1", "rp_pass2")}


def _ok(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


@pytest.mark.slow
def test_analyst_builds_xlsx_and_markdown_reports(simulated: tuple[Database, str]) -> None:
    db, run_id = simulated
    at = _reports_page(run_id)
    assert not at.download_button  # nothing built yet
    assert at.text_input(key="rp_class").value == MARK
    at.radio(key="rp_fmt").set_value("xlsx")
    at.checkbox(key="rp_fast").check()
    at.button(key="rp_build").click().run()
    _ok(at)
    assert [b.label for b in at.download_button] == ["Download XLSX"]
    assert any(f"deps-report-simulation-{run_id}.xlsx" in s.value for s in at.success)
    events = list_events(db, actor=AUDITOR, action="report")
    assert len(events) == 1
    event = events[0]
    assert event["user"] == "ann" and event["target"] == run_id
    details = event["details"]
    assert details["format"] == "xlsx" and details["classification"] == MARK and not details["encrypted"]
    assert details["file"] == f"deps-report-simulation-{run_id}.xlsx"
    shown = " ".join(m.value for m in at.markdown)
    assert details["sha256"] in shown and details["report_id"] in shown  # the page shows the audited hash and id
    built = at.session_state["rp_result"]  # what the download button serves
    assert hashlib.sha256(built["data"]).hexdigest() == details["sha256"] and built["data"][:2] == b"PK"
    assert built["mime"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert at.download_button[0].proto.deferred_file_id and not at.download_button[0].proto.url  # built on click
    assert not list(_var_dir().glob("deps-report-*"))  # the private temporary folder is gone

    at.radio(key="rp_fmt").set_value("md").run()
    assert at.checkbox(key="rp_encrypt").disabled  # a Markdown report cannot be encrypted
    at.text_input(key="rp_class").input("Departementaal Vertrouwelijk — test")
    at.button(key="rp_build").click().run()
    _ok(at)
    assert [b.label for b in at.download_button] == ["Download Markdown"]
    events = list_events(db, actor=AUDITOR, action="report")
    assert len(events) == 2
    newest = max(events, key=lambda e: int(e["id"]))["details"]
    assert newest["format"] == "md" and newest["classification"] == "Departementaal Vertrouwelijk — test"
    assert newest["file"] == f"deps-report-simulation-{run_id}.md"
    built = at.session_state["rp_result"]
    assert hashlib.sha256(built["data"]).hexdigest() == newest["sha256"] != details["sha256"]
    assert built["mime"] == "text/markdown" and built["file_name"].endswith(f"{run_id}.md")
    assert built["data"].decode("utf-8").count("**DEPARTEMENTAAL VERTROUWELIJK — TEST**") == 2  # top and bottom

    at.radio(key="lang").set_value("nl").run()
    _ok(at)
    assert at.title[0].value == "Rapporten" and at.button(key="rp_build").label == "Rapport maken"
    at.selectbox(key="rp_kind").set_value("analysis").run()  # the chosen simulation leaves the filtered list
    _ok(at)
    assert at.selectbox(key="rp_run").value != run_id


def test_passphrase_mismatch_builds_nothing_and_forgets_the_passphrases(simulated: tuple[Database, str]) -> None:
    db, run_id = simulated
    at = _reports_page(run_id)
    at.radio(key="rp_fmt").set_value("xlsx")
    at.checkbox(key="rp_fast").check()
    at.checkbox(key="rp_encrypt").check().run()
    at.text_input(key="rp_pass1").input("a long passphrase one")
    at.text_input(key="rp_pass2").input("a long passphrase two")
    at.button(key="rp_build").click().run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == ["The two passphrases differ: type the same passphrase twice."]
    assert not at.download_button
    assert list_events(db, actor=AUDITOR, action="report") == []
    assert _passphrases(at) == {"rp_pass1": "", "rp_pass2": ""}  # blanked, also in the widgets
    assert "rp_request" not in at.session_state and "rp_result" not in at.session_state

    at.text_input(key="rp_pass1").input("short")
    at.text_input(key="rp_pass2").input("short")
    at.button(key="rp_build").click().run()
    assert any("too short" in e.value for e in at.error)
    assert list_events(db, actor=AUDITOR, action="report") == []

    at.text_input(key="rp_pass1").input(SECRET)
    at.text_input(key="rp_pass2").input(SECRET)
    at.button(key="rp_build").click().run()
    _ok(at)
    assert [b.label for b in at.download_button] == ["Download XLSX"]
    (event,) = list_events(db, actor=AUDITOR, action="report")
    assert event["details"]["encrypted"] is True
    assert at.session_state["rp_result"]["data"][:2] != b"PK"  # an encrypted (OLE) container, not a plain zip
    assert _passphrases(at) == {"rp_pass1": "", "rp_pass2": ""}
    kept = list(at.session_state.to_dict().values())
    assert not any(SECRET in repr(value) for value in kept)  # the passphrase is nowhere in the session


def test_viewer_has_no_reports_page(simulated: tuple[Database, str]) -> None:
    assert PAGE not in [p.path for p in pages_for(Actor("vic", "viewer"))]
    assert PAGE in [p.path for p in pages_for(Actor("ann", "analyst"))]
    at = _login("vic")
    assert not at.exception, at.exception
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # not registered for a viewer
        at.switch_page(PAGE)
