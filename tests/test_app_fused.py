"""A fused graph in the app (issue 12): the sidebar offers the compositions the stored datasets allow, and the pages
work on the chosen one.

On the seed with the real USGS and IEA imports: the picker offers seed + USGS, seed + IEA and seed + USGS + IEA
(labelled in the chosen language); on seed + USGS + IEA the explorer's node detail shows the node's candidate
sources (the chosen one marked) and its conflicts, with Dutch headers and texts in Dutch; the stored analysis of the
composition records its members' versions and is found again only for those versions; a plain dataset's analysis
never picks up a fused run of it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from app_pages.texts import NL
from deps.access.auth import Actor
from deps.config import load_settings
from deps.ingest.iea import import_iea
from deps.ingest.usgs import import_usgs
from deps.services.composition import offered_compositions, resolve_composition
from deps.services.views import latest_analysis
from deps.store.db import Database
from tests.test_app_pages import (
    _charts,
    _english_sentences,
    _every_page,
    _labels,
    _login,
    _markdown_texts,
    _unlabelled,
    seeded,
)

pytestmark = pytest.mark.integration  # a database, the CLI or the app end to end: make test, not make check

__all__ = ["seeded"]  # the fixture of the page tests, used here
ADA = Actor("ada", "admin")
IEA_FILE = Path("iea-critical-minerals-2024") / "CM_Data_Explorer May 2024 (2).xlsx"
FUSED = "seed+usgs+iea"


@pytest.fixture
def observed(seeded: Database, shared_data: Path) -> Database:
    """The seed with the real USGS and IEA imports (datasets ``usgs`` and ``iea``)."""
    for function, path in ((import_usgs, shared_data / "usgs-mcs"), (import_iea, shared_data / IEA_FILE)):
        with seeded.session() as session:
            function(path, session=session, user="test", max_bytes=50_000_000)
    return seeded


def _frame(at: AppTest, column: str) -> Any:
    """The table on the page that has ``column``."""
    return next(frame for frame in at.dataframe if column in frame.value.columns)


def _texts(at: AppTest) -> str:
    return "\n".join(_markdown_texts(at))


def test_the_picker_offers_each_addition_and_all_of_them(observed: Database) -> None:
    assert offered_compositions(observed, load_settings(), actor=ADA) == ["seed+usgs", "seed+iea", FUSED]
    at = _login("ada")
    picker = at.sidebar.selectbox(key="dataset_select")
    assert "seed" in picker.options and "seed + USGS + IEA (fused)" in picker.options
    at.radio(key="lang").set_value("nl").run()
    assert "seed + USGS + IEA (gecombineerd)" in at.sidebar.selectbox(key="dataset_select").options


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_explorer_shows_a_nodes_fused_sources_and_conflicts(observed: Database, lang: str) -> None:
    at = _login("ada")
    at.sidebar.selectbox(key="dataset_select").set_value(FUSED).run()
    assert not at.exception, at.exception
    if lang == "nl":
        at.radio(key="lang").set_value("nl").run()
    at.switch_page("app_pages/explorer.py").run()
    at.session_state["ex_node"] = "mat_antimony"
    at.run()
    assert not at.exception, at.exception
    texts = _texts(at)
    heading, conflicts_heading = "Sources of the fused graph", "Conflicts between the sources"
    if lang == "nl":
        heading, conflicts_heading = NL[heading], NL[conflicts_heading]
        english = {key for key, dutch in NL.items() if dutch != key}
        assert not [text for text in _markdown_texts(at) if text in english]
        assert _unlabelled(at) == set()
    assert heading in texts and conflicts_heading in texts
    sources = _frame(at, "chosen").value
    assert len(sources) >= 2 and int(sources["chosen"].sum()) == 1  # several candidates, one chosen (listed first)
    assert bool(sources["chosen"].iloc[0]) and {"seed", "usgs"} <= set(sources["source"])
    # USGS revised China's 2024 antimony mine production between MCS 2025 (estimate) and MCS 2026
    conflicts = _frame(at, "source_a").value
    assert 2024 in set(conflicts.loc[conflicts["supplier_id"].eq("CHN"), "year"])
    # the charts' source line names the composition and its members' versions
    specs = "\n".join(str(chart.proto.spec) for chart in at.get("plotly_chart"))
    fused_line = "fused graph" if lang == "en" else "gecombineerde graaf"
    assert f"{fused_line} seed v1 + usgs v1 + iea v1" in specs
    if lang == "nl":
        headers = json.loads(_frame(at, "source_a").proto.columns)
        assert headers["difference_pp"]["label"] == "Verschil (procentpunten)"


def test_the_stored_analysis_of_a_composition_is_found_for_its_member_versions(observed: Database) -> None:
    from deps.services.analysis import run_analysis

    run = run_analysis(observed, load_settings(), dataset=FUSED, actor=ADA)
    composition = resolve_composition(observed, FUSED, actor=ADA)
    assert composition.members == {"usgs": 1, "iea": 1} and composition.ref.name == FUSED
    found = latest_analysis(observed, composition.ref, actor=ADA, members=composition.members)
    assert found is not None and found[0] == run.run_id and "conflicts" in found[1]
    # a new version of a member (here: asked for one) needs a new run; the seed alone never picks up the fused run
    assert latest_analysis(observed, composition.ref, actor=ADA, members={"usgs": 2, "iea": 1}) is None
    assert latest_analysis(observed, composition.base, actor=ADA) is None
    # the composition's hash changes with any member's
    assert composition.content_hash != composition.base.content_hash
    # the Reports page names the run's dataset with every member's version
    at = _login("ada")
    at.switch_page("app_pages/reports.py").run()
    assert not at.exception, at.exception
    assert any("seed v1 + usgs v1 + iea v1" in option for option in at.selectbox(key="rp_run").options)
    # so do the Runs page's table and its comparison pickers (the same name for the run everywhere)
    at.switch_page("app_pages/runs.py").run()
    assert not at.exception, at.exception
    runs = _frame(at, "parameters").value.set_index("id")
    assert runs.loc[run.run_id, "dataset"] == "seed v1 + usgs v1 + iea v1"
    picked = [label for label in at.selectbox(key="ru_a").options if run.run_id[:8] in label]
    assert len(picked) == 1 and " · seed v1 + usgs v1 + iea v1 · " in picked[0]
    # the run's sources: one chosen block per node (the precedence itself: tests/test_fusion_evidence.py and the
    # fusion tests; which block wins on the real files depends on the seed's extract)
    sources = found[1]["sources"]
    assert sources.groupby("node_id")["chosen"].sum().eq(1).all()


def test_every_page_works_on_a_fused_choice_in_dutch(observed: Database) -> None:
    at = _login("ada")
    at.sidebar.selectbox(key="dataset_select").set_value(FUSED).run()
    at.radio(key="lang").set_value("nl").run()
    english = {key for key, dutch in NL.items() if dutch != key}
    charts = 0
    for path in _every_page(at):
        assert at.session_state["dataset"] == FUSED, path
        shown = _markdown_texts(at) + _labels(at)
        assert sorted({text for text in shown if text in english}) == [], path
        assert _english_sentences(at) == [], path
        for spec in _charts(at):
            charts += 1
            assert "gecombineerde graaf seed v1 + usgs v1 + iea v1" in spec, path
    assert charts >= 3  # the Overview's, the explorer's and the chokepoint page's at least


def test_the_overviews_coverage_of_a_composition_is_the_fused_rows(observed: Database) -> None:
    from deps.services.composition import composition_frames
    from deps.services.views import coverage_table
    from deps.store.catalogue import dataset_overview

    seed = composition_frames(observed, "seed", actor=ADA)
    plain = coverage_table(seed["nodes"], seed["provision"]).reset_index(drop=True)
    assert plain.equals(dataset_overview(observed, "seed").coverage.reset_index(drop=True))  # the catalogue's rule
    fused = composition_frames(observed, FUSED, actor=ADA, settings=load_settings())
    coverage = coverage_table(fused["nodes"], fused["provision"]).set_index("node_id")["coverage"]
    at = _login("ada")
    at.sidebar.selectbox(key="dataset_select").set_value(FUSED).run()
    assert not at.exception, at.exception
    shown = next(frame.value for frame in at.dataframe if "coverage" in frame.value.columns)
    # the Overview shows the fused rows' coverage of every node (the fused rows' supplier counts too)
    shown = shown.set_index("node_id")["coverage"].astype(float)
    assert shown.sort_index().round(4).equals(coverage.sort_index().round(4))


def test_a_compositions_hash_changes_with_any_members_version() -> None:
    from deps.services.composition import Composition
    from deps.store.queries import DatasetRef

    seed, usgs, iea = (
        DatasetRef(i, n, 1, f"h{i}", f) for i, n, f in ((1, "seed", "seed"), (2, "usgs", "usgs"), (3, "iea", "iea"))
    )
    newer = DatasetRef(4, "usgs", 2, "h4", "usgs")
    first, second = Composition(FUSED, seed, (usgs, iea)), Composition(FUSED, seed, (newer, iea))
    assert first.content_hash != second.content_hash and first.members != second.members
    assert first.ref == DatasetRef(1, FUSED, 1, first.content_hash, "seed")  # the base's id and version
    assert Composition("seed", seed).ref == seed  # a plain dataset is a composition of one


def test_a_batch_and_an_optimisation_run_on_the_fused_graph_and_say_so(
    observed: Database, env: dict[str, str], tmp_path: Path
) -> None:
    """`deps batch --with` and the Batches page on a fused choice run the grid on the fused graph: the batch, its
    scenarios and an optimisation record the composition and its members' versions, and the pages name them."""
    import os
    import subprocess
    import sys

    from deps.services.optimisation import run_optimisation
    from deps.services.runs import list_runs
    from deps.services.scenario import scenario

    grid = tmp_path / "grid.yaml"
    grid.write_text("base: {solver: highs}\nbudgets: [10, 20]\n")
    command = [sys.executable, "-m", "deps.cli.main", "batch", str(grid), "--out", str(tmp_path / "out")]
    done = subprocess.run(
        [*command, "--workers", "1", "--dataset", "seed", "--with", "usgs", "--with", "iea"],
        env={**os.environ, **env, "DEPS_USER": "ada"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    (batch,) = list_runs(observed, actor=ADA, kind="batch")
    assert batch.parameters["dataset"] == FUSED and batch.parameters["members"] == {"usgs": 1, "iea": 1}
    members = list_runs(observed, actor=ADA, batch_id=batch.id)
    assert len(members) == 2 and all(m.parameters["dataset"] == FUSED for m in members)
    assert all(m.parameters["members"] == {"usgs": 1, "iea": 1} for m in members)
    # an optimisation on the composition records it too; the seed's alone records no members
    base = run_optimisation(observed, load_settings(), dataset="seed", actor=ADA, config=scenario(budget_meur=10))
    fused = run_optimisation(observed, load_settings(), dataset=FUSED, actor=ADA, config=scenario(budget_meur=10))
    runs = {r.id: r for r in list_runs(observed, actor=ADA, kind="optimisation")}
    assert runs[fused.run_id].parameters["dataset"] == FUSED
    assert runs[fused.run_id].parameters["members"] == {"usgs": 1, "iea": 1}
    assert "members" not in runs[base.run_id].parameters
    # the Batches page names the batch's graph in its table and its chart's source line, whatever the page's choice
    at = _login("ada")
    at.switch_page("app_pages/batches.py").run()
    assert not at.exception, at.exception
    assert _frame(at, "scenarios").value.set_index("batch_id").loc[batch.id, "dataset"] == "seed v1 + usgs v1 + iea v1"
    assert f"deps, batch {batch.id[:8]} on seed v1 + usgs v1 + iea v1" in str(at.get("plotly_chart")[0].proto.spec)
