"""AppTest per page and role tests: every page renders for its role, key widgets act, nobody sees data logged out.

The tiny fixture (tests/fixtures/template_small: ore and tool go into chip) is enough for the read pages; the
simulator, optimiser, batches and EU screen use the real seed (about 1 s to load).
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from app_pages.nav import PAGES, pages_for
from app_pages.state import _deferred
from app_pages.texts import NL
from deps.access.audit import list_events
from deps.access.auth import Actor, add_user, set_active
from deps.config import load_settings
from deps.errors import AuthenticationError, PermissionDeniedError
from deps.ingest import import_file
from deps.ingest.seed import initialise
from deps.services.analysis import parse_shock, run_simulation
from deps.services.optimisation import run_optimisation
from deps.services.runs import list_runs, run_tables
from deps.services.scenario import scenario
from deps.store.db import Database
from tests.helpers import READER

pytestmark = pytest.mark.integration  # a database, the CLI or the app end to end: make test, not make check

AUDITOR = Actor("auditor", "admin")

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "template_small"
PASSWORD = "correct horse battery staple"
USERS = {"vic": "viewer", "ann": "analyst", "ada": "admin"}
LOGIN_FAILED = "Login failed: wrong user name or password, or the account is locked or inactive."

# Hand-made BACI flows: the EU27 imports product 260800 only from CHN (100.5) -> extra-bloc HHI 1.0.
BACI = (
    "year,exporter_iso3,importer_iso3,hs92,value_kusd,qty_t\n"
    "2022,CHN,NLD,260800,100.5,20\n"
    "2022,USA,DEU,030110,3.25,\n"
    "2022,NLD,DEU,260800,1.5,0.5\n"
)


def _users(db: Database) -> None:
    for name, role in USERS.items():
        add_user(db, name, role, PASSWORD, by=Actor("tests", "admin"))


@pytest.fixture
def small(db: Database, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Database:
    """The tiny fixture as the seed, plus a viewer, an analyst and an admin."""
    monkeypatch.setenv("DEPS_SEED_DIR", str(FIXTURE))
    initialise(db, load_settings())
    _users(db)
    return db


@pytest.fixture
def seeded(db: Database, env: dict[str, str]) -> Database:
    """The real seed plus the three users."""
    initialise(db, load_settings())
    _users(db)
    return db


def _app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app_streamlit.py"), default_timeout=60)


def _login(name: str, password: str = PASSWORD) -> AppTest:
    at = _app().run()
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(password)
    at.button[0].click().run()
    return at


def _ok(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def _spec(at: AppTest, index: int = 0) -> str:
    return str(at.get("plotly_chart")[index].proto.spec)


def _every_tab(at: AppTest, key: str) -> Iterator[str]:
    """Open each tab of the page's lazy tabs (``key``: only the open tab's content runs) and yield its label."""
    for label in [tab.label for tab in at.tabs]:
        at.session_state[key] = label
        at.run()
        _ok(at)
        yield label


def _charts_of_every_tab(at: AppTest, key: str) -> list[str]:
    return [_spec(at, i) for _label in _every_tab(at, key) for i in range(len(at.get("plotly_chart")))]


# ---------------------------------------------------------------------------------------------- login and roles
def test_logged_out_session_sees_only_the_login_page(small: Database) -> None:
    at = _app().run()
    _ok(at)
    assert [t.value for t in at.title] == ["Log in"]
    assert not at.metric and not at.dataframe and not at.get("plotly_chart")
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # only the login page exists
        at.switch_page("app_pages/overview.py")


def test_wrong_password_and_unknown_user_get_the_same_generic_error(db: Database, small: Database) -> None:
    for name, password in (("ann", "wrong password!!"), ("nobody", PASSWORD)):
        at = _login(name, password)
        assert [e.value for e in at.error] == [LOGIN_FAILED]
        assert [t.value for t in at.title] == ["Log in"]
        assert "user" not in at.session_state
    failed = list_events(db, actor=AUDITOR, action="login_failed")
    assert len(failed) == 2


def test_pages_per_role() -> None:
    titles = {role: [p.title for p in pages_for(Actor("x", role))] for role in ("viewer", "analyst", "admin")}
    assert "Disruption simulator" not in titles["viewer"] and "Admin" not in titles["viewer"]
    assert {"Disruption simulator", "Optimiser", "Batches"} <= set(titles["analyst"]) - set(titles["viewer"])
    assert "Admin" not in titles["analyst"]
    assert titles["admin"] == [p.title for p in PAGES]


def test_viewer_cannot_reach_analyst_pages_or_functions(db: Database, small: Database) -> None:
    at = _login("vic")
    _ok(at)
    assert at.title[0].value == "Overview"
    for page in ("app_pages/simulator.py", "app_pages/optimiser.py", "app_pages/batches.py", "app_pages/admin.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):  # not registered for a viewer
            at.switch_page(page)
    at.switch_page("app_pages/explorer.py").run()
    _ok(at)
    assert not at.download_button  # viewers may not export
    with pytest.raises(PermissionDeniedError):
        run_simulation(db, load_settings(), dataset="seed", actor=Actor("vic", "viewer"), shocks=[parse_shock("CHN=1")])


def test_viewer_reads_the_stored_analysis_only(db: Database, small: Database) -> None:
    at = _login("vic")
    assert any("No analysis of this dataset version is stored yet" in i.value for i in at.info)
    assert list_runs(db, kind="analysis", actor=READER) == []
    analyst = _login("ann")  # an analyst's first visit runs and stores one
    _ok(analyst)
    assert len(list_runs(db, kind="analysis", actor=READER)) == 1
    at.run()
    _ok(at)
    assert len(at.get("plotly_chart")) == 4  # heat map, top chokepoints, sectors, coverage


def test_logout_clears_the_session(small: Database) -> None:
    at = _login("ann")
    at.session_state["ex_node"] = "ore"
    at.button(key="logout").click().run()
    _ok(at)
    assert [t.value for t in at.title] == ["Log in"]
    assert "user" not in at.session_state and "ex_node" not in at.session_state


def test_session_expires_after_inactivity(small: Database) -> None:
    at = _login("ann")
    minutes = load_settings().session_minutes
    at.session_state["last_seen"] = datetime.now(UTC) - timedelta(minutes=minutes, seconds=1)
    at.run()
    assert [t.value for t in at.title] == ["Log in"]
    assert any("expired" in i.value for i in at.info)


def test_deactivated_user_is_logged_out_at_once(db: Database, small: Database) -> None:
    at = _login("ann")
    assert at.title[0].value == "Overview"
    set_active(db, "ann", False, by=Actor("tests", "admin"))
    at.run()
    assert [t.value for t in at.title] == ["Log in"]
    assert any("no longer active" in i.value for i in at.info)


def test_dutch_interface(small: Database) -> None:
    at = _login("ann")
    at.radio(key="lang").set_value("nl").run()
    _ok(at)
    assert at.title[0].value == "Overzicht"
    assert "Knopen" in [m.label for m in at.metric]
    heatmap = _spec(at, 0)
    assert "Halfgeleiders" in heatmap  # the market's official Dutch name (name_nl) in Dutch mode
    at.radio(key="lang").set_value("en").run()
    assert "Semiconductors" in _spec(at, 0) and "Halfgeleiders" not in _spec(at, 0)


# ---------------------------------------------------------------------------------------------- read pages
def test_overview_counts_and_charts(small: Database) -> None:
    at = _login("ann")
    _ok(at)
    metrics = {m.label: m.value for m in at.metric}
    # 3 nodes, 1 final product; ore (90% known) and tool (100%) have shares, chip none
    assert metrics["Nodes"] == "3" and metrics["Final products"] == "1"
    assert metrics["Nodes with known shares"] == "2" and metrics["Nodes below 50% coverage"] == "1"
    specs = [_spec(at, i) for i in range(len(at.get("plotly_chart")))]
    assert any("Dependency risk by focus market and sector" in s for s in specs)
    assert all("Source: deps, dataset seed v1" in s for s in specs)


def test_downloads_are_deferred_marked_and_audited(db: Database, small: Database) -> None:
    at = _login("ann")
    assert at.download_button
    _ok(at)
    assert list_events(db, actor=AUDITOR, action="export") == []  # nothing is built or logged before a click
    frame = pd.DataFrame({"node_id": ["ore"], "name": ["=HYPERLINK(1)"]})
    marking = load_settings().export_classification
    build = _deferred(db, Actor("ann", "analyst"), frame, "t", "csv", "seed", marking)
    text = build().decode()
    assert text.startswith(f"classification,{marking}\nsource,deps; dataset seed; exported by ann")
    assert "'=HYPERLINK(1)" in text  # formula neutralised
    book = openpyxl.load_workbook(
        io.BytesIO(_deferred(db, Actor("ann", "analyst"), frame, "t", "xlsx", "seed", marking)())
    )
    assert book.active["A1"].value == marking.upper() and book.active["A4"].value == "node_id"
    assert marking in book.active.oddHeader.center.text
    events = list_events(db, actor=AUDITOR, action="export")
    assert sorted(e["details"]["format"] for e in events) == ["csv", "xlsx"] and events[0]["user"] == "ann"
    set_active(db, "ann", False, by=Actor("tests", "admin"))  # the role is read again at the click
    with pytest.raises(AuthenticationError):
        build()


def test_explorer_node_detail(small: Database) -> None:
    at = _login("ann")
    at.switch_page("app_pages/explorer.py").run()
    _ok(at)
    at.selectbox(key="ex_node").set_value("chip").run()
    _ok(at)
    upstream, downstream = at.dataframe[-2].value, at.dataframe[-1].value
    assert sorted(upstream["node_id"]) == ["ore", "tool"] and downstream.empty
    at.selectbox(key="ex_node").set_value("ore").run()
    assert "Supplier shares of Ore" in _spec(at, 1)
    suppliers = at.dataframe[0].value
    # ore: CHN 60%, AUS 30%, USA share unknown
    assert sorted(suppliers["supplier_id"]) == ["AUS", "CHN", "USA"]
    at.text_input(key="ex_search").input("tool").run()
    _ok(at)
    assert at.selectbox(key="ex_node").options == ["Tool (tool)"]


def test_chokepoints_tables_filter(small: Database) -> None:
    at = _login("ann")
    at.switch_page("app_pages/chokepoints.py").run()
    _ok(at)
    before = len(at.dataframe[0].value)
    at.text_input(key="ck_search").input("zzz-no-such-node").run()
    assert len(at.dataframe[0].value) == 0 <= before
    assert at.download_button


def test_eu_screen_without_trade_data_explains_the_import(small: Database) -> None:
    at = _login("ann")
    at.switch_page("app_pages/screen.py").run()
    _ok(at)
    assert any("deps import baci" in i.value for i in at.info)


def test_eu_screen_sliders_rerun_the_screen(db: Database, seeded: Database, tmp_path: Path) -> None:
    path = tmp_path / "baci.csv"
    path.write_text(BACI)
    import_file(db, load_settings(), Actor("ada", "admin"), "baci", path)
    at = _login("ann")
    at.switch_page("app_pages/screen.py").run()
    _ok(at)
    assert len(list_runs(db, kind="screen", actor=READER)) == 1
    assert "EU screen: concentration and importance" in _spec(at, 0)
    at.slider(key="sc_hhi").set_value(0.9).run()
    _ok(at)
    runs = list_runs(db, kind="screen", actor=READER)
    assert len(runs) == 2 and runs[0].parameters["eu_hhi"] == 0.9


# ---------------------------------------------------------------------------------------------- analyst pages
def test_simulator_runs_two_scenarios(db: Database, small: Database) -> None:
    at = _login("ann")
    at.switch_page("app_pages/simulator.py").run()
    _ok(at)
    at.button(key="sim_run").click().run()
    _ok(at)
    assert len(list_runs(db, kind="simulation", actor=READER)) == 2
    assert "Supply loss per focus market" in _spec(at, 0)
    markets = at.dataframe[-4].value  # scenario A's markets table
    # CHN holds 60% of ore; losing all of it leaves chip (the only final product) 60% short
    assert markets["weighted_loss_low"].round(6).tolist() == [0.6]  # at least 60%; the unknown 10% may add more


@pytest.mark.slow
def test_optimiser_runs_with_a_small_budget(db: Database, seeded: Database) -> None:
    at = _login("ann")
    at.switch_page("app_pages/optimiser.py").run()
    _ok(at)
    at.text_input(key="opt_budget").input("20")
    at.text_input(key="opt_frontier").input("10, 20, 40")
    at.number_input(key="opt_draws").set_value(5)
    at.button(key="opt_run").click().run()
    _ok(at)
    runs = list_runs(db, kind="optimisation", actor=READER)
    assert len(runs) == 1 and runs[0].status == "optimal" and runs[0].parameters["budget_meur"] == 20.0
    assert len(at.get("plotly_chart")) == 1  # only the open tab's content is drawn (the allocation)
    specs = _charts_of_every_tab(at, "opt_tabs")
    assert any("Allocation by action line and focus market" in s for s in specs)
    assert any("Efficient frontier" in s for s in specs)
    assert any("Monte Carlo" in s for s in specs)
    spend = float(at.metric[0].value)
    assert 0 < spend <= 20.0


@pytest.mark.slow
def test_optimiser_sensitivity_tornado_and_robust_plans_in_dutch(db: Database, seeded: Database) -> None:
    at = _login("ann")
    at.radio(key="lang").set_value("nl").run()
    at.switch_page("app_pages/optimiser.py").run()
    _ok(at)
    at.text_input(key="opt_budget").input("50")
    at.checkbox(key="opt_sensitivity").check()
    at.button(key="opt_run").click().run()
    _ok(at)
    runs = list_runs(db, kind="optimisation", actor=READER)
    assert len(runs) == 1 and runs[0].parameters["sensitivity"] is True
    stored = run_tables(db, runs[0].id, actor=READER)
    at.session_state["opt_tabs"] = NL["Sensitivity"]
    at.run()
    _ok(at)
    specs = [_spec(at, i) for i in range(len(at.get("plotly_chart")))]
    tornado = next(s for s in specs if "Gevoeligheid: restrisico" in s)
    assert "Budget (-50% tot +50%)" in tornado  # the budget's bar, in Dutch
    swings = stored["tornado"].dropna(subset=["residual_swing"])
    assert len(swings) and (swings["residual_swing"] >= -1e-9).all()  # a larger effect never leaves more risk
    sentences = [m.value for m in at.markdown if "centrale plan als de centrale effecten uitkomen" in m.value]
    assert len(sentences) == 2, [m.value for m in at.markdown]  # worst case and minimum regret, with their costs
    assert "worst-case" not in " ".join(sentences) and "central plan" not in " ".join(sentences)


def test_optimiser_explains_infeasibility_in_words(db: Database, seeded: Database) -> None:
    at = _login("ann")
    at.switch_page("app_pages/optimiser.py").run()
    # a stored infeasible run (the line minimum 50 exceeds the budget 20), as the page keeps it in the session
    run = run_optimisation(
        db,
        load_settings(),
        dataset="seed",
        actor=Actor("ann", "analyst"),
        config=scenario(line_min_meur={"financing": 50.0}),
        budget=20.0,
    )
    at.session_state["opt_result"] = run
    at.run()
    assert not at.exception, at.exception
    assert "infeasible" in at.error[0].value
    assert "line minimums sum to 50 > budget 20" in at.text[0].value
    assert "line-min[financing]" in at.text[0].value


@pytest.mark.slow
def test_batch_runs_in_the_background_and_is_browsable(db: Database, seeded: Database) -> None:
    at = _login("ann")
    at.switch_page("app_pages/batches.py").run()
    at.text_area(key="batch_text").input("base: {solver: highs}\nbudgets: [10, 20]\n")
    at.button(key="batch_start").click().run()
    _ok(at)
    assert any("Batch started in the background" in s.value for s in at.success)
    deadline = time.monotonic() + 90
    while "batch_job" in at.session_state and time.monotonic() < deadline:
        time.sleep(0.5)
        at.run()
    _ok(at)
    assert "batch_job" not in at.session_state
    batches = list_runs(db, kind="batch", actor=READER)
    assert len(batches) == 1 and batches[0].parameters["scenarios"] == 2
    assert "Weighted residual risk per scenario" in _spec(at, 0)


# ---------------------------------------------------------------------------------------------- admin pages
def test_data_page_versions_and_import_report(small: Database, tmp_path: Path) -> None:
    at = _login("ada")
    at.switch_page("app_pages/data.py").run()
    _ok(at)
    frame = at.dataframe[0].value
    assert list(frame["dataset"]) == ["seed"] and list(frame["version"]) == [1]
    at.selectbox(key="im_fmt").set_value("baci").run()
    bad = BACI + "2022,CHN,NLD,260800,not-a-number,1\n"
    at.file_uploader(key="im_file").set_value(("baci.csv", bad.encode(), "text/csv")).run()
    at.button(key="im_run").click().run()
    assert at.error and "nothing was written" in at.error[0].value
    report = at.dataframe[-1].value
    assert {"file", "row", "column", "problem", "fix"} <= set(report.columns) and len(report) >= 1
    assert [d["dataset"] for d in at.dataframe[0].value.to_dict("records")] == ["seed"]  # nothing was written
    at.file_uploader(key="im_file").set_value(("baci.csv", BACI.encode(), "text/csv")).run()
    at.button(key="im_run").click().run()
    _ok(at)
    assert any("Imported baci version 1" in s.value for s in at.success)
    at.run()
    assert sorted(at.dataframe[0].value["dataset"]) == ["baci", "seed"]


def test_admin_page_users_and_audit(small: Database) -> None:
    at = _login("ada")
    at.switch_page("app_pages/admin.py").run()
    _ok(at)
    assert sorted(at.dataframe[0].value["name"]) == ["ada", "ann", "vic"]
    at.button(key="au_verify").click().run()
    _ok(at)
    assert any("The audit chain is intact" in s.value for s in at.success)
    at.selectbox(key="ad_who").set_value("vic")
    at.selectbox(key="ad_new_role").set_value("analyst")
    at.button(key="ad_set_role").click().run()
    _ok(at)
    assert any("vic is now analyst" in s.value for s in at.success)
    roles = dict(zip(at.dataframe[0].value["name"], at.dataframe[0].value["role"], strict=True))
    assert roles["vic"] == "analyst"  # the list is fresh right after the change
    at.text_input(key="ad_name").input("newbie")
    submit = next(b for b in at.button if "FormSubmitter:add_user" in str(b.key))
    submit.click().run()
    _ok(at)
    assert "newbie" in list(at.dataframe[0].value["name"]) and len(at.code) == 1  # listed at once, password shown


def test_every_page_renders_in_dutch(seeded: Database) -> None:
    """Dutch mode: every page of an admin renders without an exception or error, with Dutch titles and texts."""
    at = _login("ada")
    at.radio(key="lang").set_value("nl").run()
    _ok(at)
    expected = {  # page -> a Dutch caption, info, subheader, tab or button of that page
        "app_pages/overview.py": "Gebruikte dataset: **seed** versie 1",
        "app_pages/explorer.py": "Keten stroomopwaarts",
        "app_pages/chokepoints.py": "Risicoregels",
        "app_pages/screen.py": "Er is geen dataset met handelsstromen geladen",
        "app_pages/simulator.py": "Een schok neemt een deel van het aanbod van een leverancier weg",
        "app_pages/optimiser.py": "doelen (knoop x leverancierland) in 6 focusmarkten",
        "app_pages/batches.py": "Nieuwe reeks",
        "app_pages/assumptions.py": "Opslaan als nieuwe versie",
        "app_pages/runs.py": "Twee berekeningen vergelijken",
        "app_pages/reports.py": "Een gerubriceerd rapport van een opgeslagen berekening",
        "app_pages/data.py": "Datasetversies",
        "app_pages/admin.py": "Auditketen controleren",
    }
    assert set(expected) == {page.path for page in PAGES}
    for page in PAGES:
        at.switch_page(page.path).run()
        _ok(at)
        assert [t.value for t in at.title] == [NL[page.title]] != [page.title]  # e.g. Overview -> Overzicht
        shown = [e.value for kind in ("caption", "info", "subheader") for e in getattr(at, kind)]
        shown += [tab.label for tab in at.tabs] + [button.label for button in at.button]
        assert any(expected[page.path] in text for text in shown), (page.path, shown)
    assert "Ingelogd als **ada** (admin)" in [c.value for c in at.sidebar.caption]
    at.switch_page("app_pages/simulator.py").run()
    at.button(key="sim_run").click().run()
    _ok(at)
    spec = _spec(at, 0)
    assert "Aanbodverlies per focusmarkt" in spec and "Bron: deps, dataset seed v1" in spec
    assert "simulatieberekeningen" in spec and "Halfgeleiders" in spec  # official Dutch market name (name_nl)
