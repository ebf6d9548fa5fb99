"""Browser workflows in Debian's chromium: sessions that survive a refresh, a new tab and a typed page URL; logout
ends them everywhere and the download files with them; no request leaves for another host; a viewer has no way to
download; an invalid budget blocks the run; a one-time password must be changed; page timings.

Each test starts its own `streamlit run` server on the seed.  Timings (first page after login, warm page switches)
are kept in test-artifacts/timings.txt: the first page is asserted against its 3 s target.  A warm switch starts
from a page the browser has finished drawing, so that no page is charged the drawing of the page before it; per page
two figures are kept, the median over three warm rounds and every round: from the click to the end of the script
run, asserted against the 1 s target, and from the click to the page drawn (the browser idle), recorded against it.
The two timing tests carry the ``timing`` marker: `make test` runs them alone, after the parallel suite, and each
waits (up to two minutes) for the machine to fall quiet before it measures, so that a test on the other worker does
not share the two cores with the browser and the server; on a machine that stays busy they record the figure and do
not assert it.
"""

from __future__ import annotations

import os
import statistics
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from deps.access.audit import list_events
from deps.access.auth import Actor, add_user
from deps.config import load_settings
from deps.ingest.seed import initialise
from deps.services.analysis import run_analysis
from deps.store.db import Database
from tests.browser_support import ARTIFACTS, CHROMIUM_ARGS, chromium_path, streamlit_server

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a much better passphrase 2026"
FIRST_PAGE_S = 3.0
WARM_PAGE_S = 1.0
#: Warm rounds over every page; each page's median is held to WARM_PAGE_S (one switch in a round can be slowed by
#: the machine: a single 1.46 s switch to a page that draws one line of text was seen on an otherwise quiet run).
WARM_ROUNDS = 3
#: What the warm-page test asserts on the script-run figure: the target itself.  Before each switch started from a
#: drawn page, the explorer was charged the Overview's drawing and missed it (1.04 s and 1.28 s); since then its
#: median was 0.17-0.54 s in three quiet fresh-clone passes (drawn: 0.65-0.70 s, recorded).
WARM_PAGE_LIMIT_S = WARM_PAGE_S


def _record(line: str) -> None:
    """Keep a measured timing in test-artifacts/timings.txt (CI keeps the folder)."""
    ARTIFACTS.mkdir(exist_ok=True)
    with (ARTIFACTS / "timings.txt").open("a", encoding="utf-8") as out:
        out.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} load {os.getloadavg()[0]:.1f}: {line}\n")


def _quiet() -> bool:
    """Timings are asserted only on a machine that is not busy with other work (1-minute load below its cores)."""
    return os.getloadavg()[0] < (os.cpu_count() or 1)


def _wait_until_quiet(limit_s: float = 120.0) -> bool:
    """Wait up to ``limit_s`` for :func:`_quiet` (the 1-minute load decays over about a minute after other work
    ends); True when the machine was quiet before the measurement started."""
    deadline = time.monotonic() + limit_s
    while not _quiet():
        if time.monotonic() > deadline:
            return False
        time.sleep(2)
    return True


class Browser:
    """One chromium with the app's URL; records every request to a host other than the app's."""

    def __init__(self, pw: Any, executable: str, url: str) -> None:
        self.url = url
        self.browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        self.context = self.browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        self.outside: list[str] = []
        self.context.on("request", self._seen)

    def _seen(self, request: Any) -> None:
        host = urlparse(request.url).hostname
        if request.url.startswith(("data:", "blob:", "about:")):
            return
        if host != urlparse(self.url).hostname:
            self.outside.append(request.url)

    def tab(self) -> Any:
        page = self.context.new_page()
        page.set_default_timeout(45_000)
        return page


@pytest.fixture
def browser(db: Database, env: dict[str, str], tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Browser]:
    executable = chromium_path()
    if executable is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    initialise(db, load_settings())
    add_user(db, "ann", "analyst", PASSWORD, by=Actor("tests", "admin"))
    add_user(db, "vic", "viewer", PASSWORD, by=Actor("tests", "admin"))
    run_analysis(db, load_settings(), dataset="seed", actor=Actor("ann", "analyst"))  # stored, as after `deps analyse`
    with streamlit_server(env, tmp_path / "streamlit.log") as url, sync_playwright() as pw:
        session = Browser(pw, executable, url)
        yield session
        failed = getattr(request.node, "rep_call", None)
        if failed is not None and failed.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            for i, page in enumerate(session.context.pages):
                page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{i}.png"), full_page=True)
        session.context.close()
        session.browser.close()


def _no_exception(page: Any) -> None:
    assert page.locator("[data-testid='stException']").count() == 0


def _heading(page: Any, name: str) -> None:
    page.get_by_role("heading", name=name).first.wait_for()


def _login(page: Any, name: str, password: str = PASSWORD, *, lang: str = "en") -> float:
    """Log in and return the seconds until the first page's main chart is drawn."""
    labels = {"en": ("Log in", "User name", "Password"), "nl": ("Inloggen", "Gebruikersnaam", "Wachtwoord")}[lang]
    _heading(page, labels[0])
    page.get_by_label(labels[1]).fill(name)
    page.get_by_label(labels[2], exact=True).fill(password)
    start = time.monotonic()
    page.get_by_role("button", name=labels[0]).click()
    page.locator("[data-testid='stPlotlyChart']").first.wait_for()
    return time.monotonic() - start


def _dutch(page: Any) -> None:
    """Switch a signed-in tab to Dutch (remembered by the browser for later tabs and page loads)."""
    page.get_by_text("Nederlands").click()
    page.get_by_role("button", name="Uitloggen").wait_for()


def _settled(page: Any) -> None:
    """The script run has ended: the running indicator is gone (the browser may still be drawing charts: see
    :func:`_drawn`)."""
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000)


#: Resolves once the browser's main thread has had an idle moment after the next frame (``requestIdleCallback``, at
#: most 5 s), i.e. when the page in the tab has been drawn.
IDLE_JS = """() => new Promise(done => setTimeout(() => requestAnimationFrame(
    () => requestIdleCallback(() => setTimeout(done, 0), {timeout: 5000})), 50))"""


def _drawn(page: Any) -> None:
    """The browser has finished drawing the page (charts and tables included): its main thread has been idle."""
    page.evaluate(IDLE_JS)


def test_refresh_new_tab_and_typed_url_keep_the_session_logout_ends_it(
    db: Database, browser: Browser, env: dict[str, str]
) -> None:
    page = browser.tab()
    page.goto(browser.url)
    _login(page, "ann")
    # refresh
    page.reload()
    _heading(page, "Overview")
    assert page.get_by_role("heading", name="Log in").count() == 0
    # a typed page URL
    page.goto(f"{browser.url}/chokepoints")
    _heading(page, "Chokepoints & control points")
    # a new tab
    other = browser.tab()
    other.goto(f"{browser.url}/explorer")
    _heading(other, "Supply-chain explorer")
    _no_exception(other)
    # a download: built on click, marked, audited; its file is served only while the session lives
    page.goto(f"{browser.url}/chokepoints")
    _heading(page, "Chokepoints & control points")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download CSV").first.click()
    download = info.value
    media = download.url
    assert "/media/" in media
    assert Path(download.path()).read_text(encoding="utf-8").startswith("classification,")
    assert [e["user"] for e in list_events(db, actor=Actor("auditor", "admin"), action="export")] == ["ann"]
    # logout in one tab ends the session in the other and drops the download file
    page.get_by_role("button", name="Log out").click()
    _heading(page, "Log in")
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(media, timeout=5)
    other.reload()
    _heading(other, "Log in")
    fresh = browser.tab()
    fresh.goto(f"{browser.url}/chokepoints")
    _heading(fresh, "Log in")
    assert browser.outside == [], browser.outside


def test_viewer_has_no_download_path_in_either_language(browser: Browser) -> None:
    page = browser.tab()
    page.goto(browser.url)
    _login(page, "vic")
    for lang in ("en", "nl"):
        if lang == "nl":
            _dutch(page)
        for path in ("", "/explorer", "/chokepoints", "/screen", "/data"):
            page.goto(f"{browser.url}{path}")
            page.locator("[data-testid='stMain']").first.wait_for()
            _settled(page)
            _no_exception(page)
            assert page.locator("[data-testid='stDownloadButton']").count() == 0
            table = page.locator("[data-testid='stDataFrame']").first
            if table.count():
                table.hover()
                assert page.locator("[data-testid='stElementToolbar'] button[aria-label*='ownload']").count() == 0
    assert browser.outside == [], browser.outside


def test_invalid_budget_blocks_the_run_in_both_languages(browser: Browser) -> None:
    page = browser.tab()
    page.goto(browser.url)
    _login(page, "ann")
    for lang, label, run, why in (
        ("en", "Budget (EUR million)", "Run optimisation", "Fix the inputs above to run"),
        ("nl", "Budget (mln euro)", "Optimalisatie uitvoeren", "Herstel de invoer hierboven"),
    ):
        if lang == "nl":
            _dutch(page)
        page.goto(f"{browser.url}/optimiser")
        budget = page.get_by_label(label)
        for bad in ("-100", "1e12", "abc"):
            budget.fill(bad)
            budget.press("Enter")
            page.get_by_text(why).first.wait_for()
            assert page.get_by_role("button", name=run).is_disabled()
        budget.fill("25")
        budget.press("Enter")
        page.get_by_role("button", name=run).wait_for()
        page.wait_for_function(
            "(name) => [...document.querySelectorAll('button')].some(b => b.innerText.trim() === name && !b.disabled)",
            arg=run,
        )


def test_one_time_password_must_be_changed_then_works(browser: Browser, env: dict[str, str]) -> None:
    from deps.access.auth import add_user as add

    with Database(env["DEPS_DATABASE_URL"]) as handle:  # closed at once: no connection left for the GC to find
        secret = add(handle, "otto", "analyst", None, by=Actor("tests", "admin"))
    page = browser.tab()
    page.goto(browser.url)
    _heading(page, "Log in")
    page.get_by_label("User name").fill("otto")
    page.get_by_label("Password", exact=True).fill(secret)
    page.get_by_role("button", name="Log in").click()
    _heading(page, "Account")
    assert page.get_by_role("link", name="Optimiser").count() == 0  # nothing else until the password is changed
    page.get_by_label("Current password").fill(secret)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    page.get_by_text("Your password is changed.").wait_for()
    page.get_by_role("link", name="Optimiser").wait_for()
    page.reload()  # the new session survives a refresh
    _heading(page, "Account")
    page.get_by_role("button", name="Log out").click()
    _heading(page, "Log in")
    _login(page, "otto", NEW_PASSWORD)
    _heading(page, "Overview")


@pytest.mark.timing
def test_first_page_after_login_within_three_seconds(browser: Browser) -> None:
    """On a fresh server process (the fixture starts one per test): login to the Overview's first chart drawn."""
    page = browser.tab()
    page.goto(browser.url)
    _heading(page, "Log in")
    quiet = _wait_until_quiet()
    first = _login(page, "ann")
    _record(f"first page after login: {first:.2f} s (machine quiet before: {quiet})")
    _no_exception(page)
    assert first <= FIRST_PAGE_S or not quiet, first


@pytest.mark.timing
def test_warm_pages_within_a_second(browser: Browser) -> None:
    page = browser.tab()
    page.goto(browser.url)
    _login(page, "ann")
    quiet = _wait_until_quiet()
    pages = {
        "Supply-chain explorer": "Supply-chain explorer",
        "Chokepoints & control points": "Chokepoints & control points",
        "EU screen": "EU screen",
        "Disruption simulator": "Disruption simulator",
        "Optimiser": "Optimiser",
        "Batches": "Batches",
        "Reports": "Reports",
        "Data": "Data",
        "Overview": "Overview",
    }
    rounds: list[dict[str, float]] = []
    drawn: list[dict[str, float]] = []
    for _round in range(1 + WARM_ROUNDS):  # the first round warms the caches
        timings: dict[str, float] = {}
        painted: dict[str, float] = {}
        for link, heading in pages.items():
            _drawn(page)  # the page before has been drawn: its drawing is not counted to this one
            start = time.monotonic()
            page.get_by_role("link", name=link).click()
            _heading(page, heading)
            _settled(page)
            timings[link] = time.monotonic() - start
            _drawn(page)
            painted[link] = time.monotonic() - start
            _no_exception(page)
        rounds.append(timings)
        drawn.append(painted)
    typical = _medians("warm page timings (s), click to the end of the script run", rounds[1:], quiet)
    _medians("warm page timings (s), click to the page drawn (browser idle)", drawn[1:], quiet)
    assert max(typical.values()) <= WARM_PAGE_LIMIT_S or not quiet, typical


def _medians(what: str, rounds: list[dict[str, float]], quiet: bool) -> dict[str, float]:
    """Record each page's median over ``rounds`` and every round's figure; return the medians."""
    pages = list(rounds[0])
    typical = {link: statistics.median(r[link] for r in rounds) for link in pages}
    _record(
        f"{what}, median of {len(rounds)} rounds [each round]: "
        + ", ".join(f"{k} {typical[k]:.2f} [{' '.join(f'{r[k]:.2f}' for r in rounds)}]" for k in pages)
        + f" (machine quiet before: {quiet}; every median within {WARM_PAGE_S:g} s: "
        + f"{max(typical.values()) <= WARM_PAGE_S})"
    )
    return typical


def test_market_view_and_run_comparison_in_both_languages(db: Database, browser: Browser, env: dict[str, str]) -> None:
    from deps.services.analysis import parse_shock, run_simulation

    ann = Actor("ann", "analyst")
    for fraction in ("1.0", "0.5"):
        run_simulation(db, load_settings(), dataset="seed", actor=ann, shocks=[parse_shock(f"country:CHN={fraction}")])
    page = browser.tab()
    page.goto(browser.url)
    _login(page, "ann")
    for lang, focus, market, chain, runs, differ in (
        (
            "en",
            "Focus market (its whole upstream chain)",
            "Semiconductors",
            "Upstream chain of",
            "Runs",
            "Results that differ",
        ),
        (
            "nl",
            "Focusmarkt (de hele keten stroomopwaarts)",
            "Halfgeleiders",
            "Keten stroomopwaarts van",
            "Berekeningen",
            "Uitkomsten die verschillen",
        ),
    ):
        if lang == "nl":
            _dutch(page)
        page.goto(f"{browser.url}/explorer")
        page.get_by_label(focus).click()
        page.get_by_role("option", name=market, exact=True).click()
        page.get_by_text(f"{chain} {market}").first.wait_for()
        page.locator("[data-testid='stDataFrame']").first.wait_for()
        _settled(page)
        _no_exception(page)
        page.goto(f"{browser.url}/runs")
        _heading(page, runs)
        page.get_by_text(differ).first.wait_for()
        _no_exception(page)
    assert browser.outside == [], browser.outside
