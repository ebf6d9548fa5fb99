"""AppTest per page: each renders on a seeded database without an exception and shows its data."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from deps.config import load_settings
from deps.seed import initialise

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "template_small"


@pytest.fixture
def seeded(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("DEPS_SEED_DIR", str(FIXTURE))
    initialise(load_settings())
    return env


def _app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app_streamlit.py"), default_timeout=30)


def test_overview_renders_counts(seeded: dict[str, str]) -> None:
    at = _app().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Overview"
    metrics = {m.label: m.value for m in at.metric}
    # the fixture has 3 nodes, 1 final product; ore (90% known) and tool (100%) have shares, chip none
    assert metrics["Nodes"] == "3"
    assert metrics["Final products"] == "1"
    assert metrics["Nodes with known shares"] == "2"
    assert metrics["Nodes below 50% coverage"] == "1"
    charts = at.get("plotly_chart")
    assert len(charts) == 2
    assert "Nodes per sector and kind" in charts[0].proto.spec


def test_data_page_lists_versions(seeded: dict[str, str]) -> None:
    at = _app().run()
    at.switch_page("app_pages/data.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Data"
    frame = at.dataframe[0].value
    assert list(frame["dataset"]) == ["seed"] and list(frame["version"]) == [1]


def test_empty_database_explains_what_to_do(env: dict[str, str]) -> None:
    at = _app().run()
    assert not at.exception, at.exception
    assert any("deps init" in w.value for w in at.warning)
