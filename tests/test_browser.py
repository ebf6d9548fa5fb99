"""Browser tests: the real app served by `streamlit run`, driven in Debian's headless chromium by Playwright."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from deps.config import load_settings
from deps.seed import initialise
from tests.browser_support import ARTIFACTS, CHROMIUM_ARGS, chromium_path, streamlit_server

pytestmark = pytest.mark.browser
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "template_small"


@pytest.fixture
def app_page(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Any]:
    executable = chromium_path()
    if executable is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DEPS_SEED_DIR", str(FIXTURE))
    initialise(load_settings())
    server_env = {**env, "DEPS_SEED_DIR": str(FIXTURE)}
    with streamlit_server(server_env, tmp_path / "streamlit.log") as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        tab = context.new_page()
        tab.set_default_timeout(30_000)
        tab.goto(url)
        tab.base_url = url  # type: ignore[attr-defined]
        yield tab
        failed = getattr(request.node, "rep_call", None)
        if failed is not None and failed.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
        context.close()
        browser.close()


def test_overview_renders_in_a_real_browser(app_page: Any) -> None:
    page = app_page
    page.get_by_role("heading", name="Overview").wait_for()
    page.get_by_text("Nodes with known shares").wait_for()
    page.get_by_text("Nodes per sector and kind").first.wait_for()
    assert page.locator("[data-testid='stException']").count() == 0
    page.get_by_role("link", name="Data").click()
    page.get_by_role("heading", name="Data").wait_for()
    assert page.locator("[data-testid='stException']").count() == 0
