"""Browser tests: the real app served by `streamlit run`, driven in Debian's headless chromium by Playwright.

One session walks what an analyst does: log in, explore a node, run an optimisation, download a table (the bytes
are checked), log out.  Screenshots of failures go to test-artifacts/ (kept by CI).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from deps.access.audit import list_events
from deps.access.auth import Actor, add_user
from deps.config import load_settings
from deps.ingest.iea import import_iea
from deps.ingest.seed import initialise
from deps.store.db import Database
from tests.browser_support import ARTIFACTS, CHROMIUM_ARGS, chromium_path, streamlit_server
from tests.conftest import SHARED_DATA

IEA_FILE = Path("iea-critical-minerals-2024") / "CM_Data_Explorer May 2024 (2).xlsx"

AUDITOR = Actor("auditor", "admin")

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery staple"


@pytest.fixture
def app_page(db: Database, env: dict[str, str], tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    executable = chromium_path()
    if executable is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    initialise(db, load_settings())
    add_user(db, "ann", "analyst", PASSWORD, by=Actor("tests", "admin"))
    add_user(db, "vic", "viewer", PASSWORD, by=Actor("tests", "admin"))
    with streamlit_server(env, tmp_path / "streamlit.log") as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        tab = context.new_page()
        tab.set_default_timeout(45_000)
        tab.goto(url)
        yield tab
        failed = getattr(request.node, "rep_call", None)
        if failed is not None and failed.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
        context.close()
        browser.close()


def _no_exception(page: Any) -> None:
    assert page.locator("[data-testid='stException']").count() == 0


def _login(page: Any, name: str) -> None:
    page.get_by_role("heading", name="Log in").wait_for()
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Overview").wait_for()


def test_analyst_session_end_to_end(db: Database, app_page: Any, env: dict[str, str]) -> None:
    page = app_page
    shared_data = SHARED_DATA if SHARED_DATA.is_dir() else None
    # nothing but the login form before logging in
    assert page.get_by_text("Nodes with known shares").count() == 0
    _login(page, "ann")
    page.get_by_text("Dependency risk by focus market and sector").first.wait_for()
    _no_exception(page)

    # explore a node
    page.get_by_role("link", name="Supply-chain explorer").click()
    page.get_by_role("heading", name="Supply-chain explorer").wait_for()
    page.get_by_text("Supply network (inputs left, final products right)").first.wait_for()
    search = page.get_by_role("textbox", name="Search")
    search.fill("euv")
    search.press("Enter")
    page.get_by_text("Supplier shares of").first.wait_for()
    page.get_by_role("heading", name="Upstream chain").wait_for()
    _no_exception(page)

    # a fused composition (issue 12): with IEA imported the sidebar offers seed + IEA; lithium mining's detail then
    # lists its sources (the seed's and IEA's, one chosen) and conflicts
    if shared_data is not None:
        with db.session() as session:
            import_iea(shared_data / IEA_FILE, session=session, user="ann", max_bytes=50_000_000)
        page.reload()
        page.get_by_role("heading", name="Supply-chain explorer").wait_for()
        page.get_by_label("Dataset").click()
        page.get_by_role("option", name="seed + IEA (fused)", exact=True).click()
        search = page.get_by_role("textbox", name="Search")
        search.fill("mat_lithium_ore")
        search.press("Enter")
        page.get_by_role("heading", name="Sources of the fused graph").wait_for(timeout=90_000)
        page.get_by_role("heading", name="Conflicts between the sources").wait_for()
        _no_exception(page)

    # run an optimisation with a small budget
    page.get_by_role("link", name="Optimiser").click()
    page.get_by_role("heading", name="Optimiser").wait_for()
    budget = page.get_by_label("Budget (EUR million)")
    budget.fill("25")
    budget.press("Enter")
    page.get_by_role("button", name="Run optimisation").click()
    page.get_by_text("Allocation by action line and focus market").first.wait_for(timeout=90_000)
    _no_exception(page)

    # download the allocation table and check the bytes
    with page.expect_download() as info:
        page.get_by_role("button", name="Download CSV").first.click()
    data = Path(info.value.path()).read_bytes()
    lines = data.decode("utf-8").split("\n")
    assert lines[0] == f"classification,{load_settings().export_classification}" and lines[2] == ""
    rows = list(csv.DictReader(io.StringIO("\n".join(lines[3:]))))
    assert rows and {"action_line_id", "target_id", "market", "spend_meur"} <= set(rows[0])
    assert 0 < sum(float(r["spend_meur"]) for r in rows) <= 25.0 + 1e-6
    page.wait_for_timeout(500)
    assert [e["user"] for e in list_events(db, actor=AUDITOR, action="export")] == ["ann"]

    # log out: back to the login form, no data
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("heading", name="Log in").wait_for()
    assert page.get_by_role("link", name="Optimiser").count() == 0


def test_viewer_sees_read_pages_only(app_page: Any) -> None:
    page = app_page
    _login(page, "vic")
    _no_exception(page)
    assert page.get_by_role("link", name="Supply-chain explorer").count() == 1
    for name in ("Disruption simulator", "Optimiser", "Batches", "Admin"):
        assert page.get_by_role("link", name=name).count() == 0
    assert page.get_by_role("button", name="Download CSV").count() == 0
