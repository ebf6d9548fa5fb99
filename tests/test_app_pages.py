"""Every page, as an admin, on data with hostile names and in Dutch.

* Plain text for data (issue 14): names, descriptions, notes and sources that hold Markdown links and images, HTML
  tags, Streamlit colour directives and LaTeX are shown as the characters they are, never as a live link, an image
  (a tracking beacon), markup or a formula: no Markdown-rendered element and no chart holds them unescaped.
* Dutch everywhere (issue 13): in Dutch mode no visible text, widget label or table header of any page is an
  English text that has a Dutch wording in the string table, and no message, explanation, reason, validation problem
  or status word is an English sentence of the service layer or the engines (app_pages.sentences has the Dutch); the
  error paths too: a bad import file, an infeasible plan, a failed batch scenario.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from app_pages.nav import ACCOUNT, PAGES
from app_pages.plain import md
from app_pages.sentences import TEXT_COLUMNS, dutch
from app_pages.texts import NL
from app_pages.texts_labels import VALUES
from deps.access.auth import Actor, add_user
from deps.config import load_settings
from deps.ingest.seed import initialise
from deps.store.db import Database

pytestmark = pytest.mark.integration  # a database, the CLI or the app end to end: make test, not make check

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "template_small"
PASSWORD = "correct horse battery staple"
HOSTILE = {
    "beacon": "![x](http://tracker.invalid/beacon.png)",
    "link": "[click me](http://evil.invalid/)",
    "html": "<img src=http://tracker.invalid/i.png>",
    "anchor": "<a href='http://evil.invalid'>a</a>",
    "colour": ":red[alarm]",
    "latex": "$x^2$",
}
#: Pages that label their tables themselves (the Effect assumptions page keeps its own texts and headers).
OWN_HEADERS = {"app_pages/assumptions.py"}
MARKDOWN_KINDS = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success")
WIDGET_KINDS = ("button", "text_input", "selectbox", "multiselect", "radio", "checkbox", "number_input", "slider")


def _hostile_fixture(folder: Path) -> Path:
    shutil.copytree(FIXTURE, folder)
    nodes = pd.read_csv(folder / "nodes.csv", dtype=str, keep_default_na=False)
    nodes.loc[nodes["node_id"] == "ore", "name"] = f"Ore {HOSTILE['beacon']} {HOSTILE['colour']}"
    nodes.loc[nodes["node_id"] == "ore", "description"] = f"{HOSTILE['link']} {HOSTILE['latex']}"
    nodes.loc[nodes["node_id"] == "tool", "name"] = f"Tool {HOSTILE['html']}"
    nodes.loc[nodes["node_id"] == "chip", "name"] = f"Chip {HOSTILE['anchor']}"
    nodes.to_csv(folder / "nodes.csv", index=False)
    provision = pd.read_csv(folder / "provision.csv", dtype=str, keep_default_na=False)
    provision["note"] = HOSTILE["beacon"]
    provision.to_csv(folder / "provision.csv", index=False)
    sources = pd.read_csv(folder / "sources.csv", dtype=str, keep_default_na=False)
    sources["title"] = f"Source {HOSTILE['link']}"
    sources.to_csv(folder / "sources.csv", index=False)
    return folder


@pytest.fixture
def hostile(db: Database, env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DEPS_SEED_DIR", str(_hostile_fixture(tmp_path / "hostile")))
    initialise(db, load_settings())
    add_user(db, "ada", "admin", PASSWORD, by=Actor("tests", "admin"))
    return env["DEPS_DATABASE_URL"]


@pytest.fixture
def seeded(db: Database, env: dict[str, str]) -> Database:
    initialise(db, load_settings())
    add_user(db, "ada", "admin", PASSWORD, by=Actor("tests", "admin"))
    return db


def _login(name: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_streamlit.py"), default_timeout=90).run()
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


#: The pages whose tabs are lazy (only the open tab's content runs) and the key of their tabs.
LAZY_TABS = {"app_pages/chokepoints.py": "ck_tabs", "app_pages/optimiser.py": "opt_tabs"}


def _every_page(at: AppTest) -> Iterator[str]:
    """Switch to every page and yield its path; on a page with lazy tabs, once more with each other tab open."""
    for page in (*PAGES, ACCOUNT):
        at.switch_page(page.path).run()
        assert not at.exception, (page.path, at.exception)
        yield page.path
        key = LAZY_TABS.get(page.path)
        for label in [tab.label for tab in at.tabs][1:] if key else []:
            at.session_state[key] = label
            at.run()
            assert not at.exception, (page.path, label, at.exception)
            yield page.path


def _markdown_texts(at: AppTest) -> list[str]:
    texts = [str(e.value) for kind in MARKDOWN_KINDS for e in getattr(at, kind)]
    return texts + [str(e.value) for kind in MARKDOWN_KINDS for e in getattr(at.sidebar, kind)]


def _charts(at: AppTest) -> list[str]:
    return [str(chart.proto.spec) for chart in at.get("plotly_chart")]


def test_hostile_names_are_plain_text_on_every_page(hostile: str) -> None:
    at = _login("ada")
    # the explorer's detail shows the hostile node's heading and caption
    at.session_state["ex_node"] = "ore"
    seen_heading = False
    for path in _every_page(at):
        for text in _markdown_texts(at):
            for name, raw in HOSTILE.items():
                assert raw not in text, (path, name, text)
            seen_heading |= "Ore" in text and "tracker" in text
        for spec in _charts(at):
            for raw in (HOSTILE["html"], HOSTILE["anchor"], "<img", "<a "):
                assert raw not in spec, (path, raw)
    assert seen_heading  # the explorer did show the hostile name, escaped


def _unlabelled(at: AppTest) -> set[str]:
    """Table columns shown under their field name (no header in the label table)."""
    found: set[str] = set()
    for frame in at.dataframe:
        columns = json.loads(frame.proto.columns or "{}")
        found |= {str(n) for n in frame.value.columns if not (columns.get(str(n)) or {}).get("label")}
    return found


def _labels(at: AppTest) -> list[str]:
    labels = [str(w.label) for kind in WIDGET_KINDS for w in getattr(at, kind) if getattr(w, "label", None)]
    labels += [str(tab.label) for tab in at.tabs] + [str(e.label) for e in at.expander]
    for frame in at.dataframe:
        columns = json.loads(frame.proto.columns or "{}")
        for name in frame.value.columns:
            config = columns.get(str(name)) or {}
            labels.append(str(config.get("label") or name))
    return labels


#: Words of an English sentence that Dutch does not use (the check of error texts no template knows).
ENGLISH_MARKERS = {"the", "must", "failed", "unknown", "missing", "should", "cannot", "does", "exists", "with", "and"}
#: Status words of runs, batch scenarios and solves, in English.
STATUS_WORDS = {english for code, english in VALUES["status"].items() if NL.get(english, english) != english}


def _shown_sentences(at: AppTest) -> tuple[list[str], list[str]]:
    """(every text line shown, the lines of errors, warnings and of the problem/reason columns) of the page."""
    shown = _markdown_texts(at) + [str(e.value) for e in at.text]
    errors = [str(e.value) for kind in ("error", "warning") for e in (*getattr(at, kind), *getattr(at.sidebar, kind))]
    for frame in at.dataframe:
        for column in TEXT_COLUMNS:
            if column in frame.value.columns:
                values = [str(v) for v in frame.value[column].dropna()]
                shown += values
                errors += values if column != "explanation" else []
    lines = [line.strip().removeprefix("- ") for text in shown for line in text.splitlines()]
    error_lines = [line.strip().removeprefix("- ") for text in errors for line in text.splitlines()]
    return [line for line in lines if line], [line for line in error_lines if line]


def _english_sentences(at: AppTest) -> list[str]:
    """Texts of the page that are English: a sentence of the engines or the service layer that has a Dutch wording
    (shown untranslated), an English status word in a table, or an error with English words no template knows."""
    lines, errors = _shown_sentences(at)
    found = [line for line in lines if (translated := dutch(line)) is not None and translated != line]
    for frame in at.dataframe:
        if "status" in frame.value.columns:
            found += sorted({str(v) for v in frame.value["status"].dropna()} & STATUS_WORDS)
    for line in errors:
        words = set(re.findall(r"[A-Za-z]+", re.sub(r"'[^']*'|`[^`]*`", " ", line)))
        if words & ENGLISH_MARKERS:
            found.append(line)
    return found


def test_every_page_in_dutch_shows_no_english_text_of_the_string_table(seeded: Database) -> None:
    at = _login("ada")
    at.radio(key="lang").set_value("nl").run()
    english = {key for key, dutch in NL.items() if dutch != key}
    pages: list[str] = []
    for path in _every_page(at):
        pages.append(path)
        shown = _markdown_texts(at) + _labels(at)
        untranslated = sorted({text for text in shown if text in english})
        assert untranslated == [], (path, untranslated)
        assert _english_sentences(at) == [], path
        if path not in OWN_HEADERS:
            assert _unlabelled(at) == set(), path
        for spec in _charts(at):
            titles = [key for key in english if f'"text": "{key}"' in spec or f'"text":"{key}"' in spec]
            assert titles == [], (path, titles)
    assert len(set(pages)) == len(PAGES) + 1
    assert pages.count("app_pages/chokepoints.py") == 4  # each of its four lazy tabs was open once


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_market_view_chain_flags_click_through_and_search(seeded: Database, lang: str) -> None:
    at = _login("ada")
    if lang == "nl":
        at.radio(key="lang").set_value("nl").run()
    at.switch_page("app_pages/explorer.py").run()
    whole = len(at.selectbox(key="ex_node").options)
    at.selectbox(key="ex_focus").set_value("semiconductors").run()
    assert not at.exception, at.exception
    chain = at.selectbox(key="ex_node").options
    assert 1 < len(chain) < whole  # the market's chain, not the whole network and not its final products only
    names = "\n".join(chain)
    assert "EUV" in names  # an upstream tool of the chips, not a final product
    spec = _charts(at)[0]
    assert '"mode": "lines"' in spec or '"mode":"lines"' in spec  # edges drawn
    flags = next(frame for frame in at.dataframe if "status" in frame.value.columns)
    assert len(flags.value) > 0
    # click-through: the node of a chosen row opens below
    chosen = str(flags.value.iloc[-1]["node_id"])
    at.session_state["ex_node"] = chosen
    at.run()
    assert any(md(chosen) in str(s.value) for s in at.subheader)  # shown escaped, as plain text
    # search by firm and by country name
    at.selectbox(key="ex_focus").set_value(None).run()
    at.text_input(key="ex_search").input("asml").run()
    found = at.selectbox(key="ex_node").options
    assert any("EUV" in option for option in found)
    at.text_input(key="ex_search").input("netherlands" if lang == "en" else "nederland").run()
    assert len(at.selectbox(key="ex_node").options) > 0


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_runs_browser_and_comparison(db: Database, seeded: Database, lang: str) -> None:
    from deps.access.auth import Actor
    from deps.services.analysis import parse_shock, run_simulation

    ada = Actor("ada", "admin")
    full = run_simulation(db, load_settings(), dataset="seed", actor=ada, shocks=[parse_shock("country:CHN=1.0")])
    half = run_simulation(db, load_settings(), dataset="seed", actor=ada, shocks=[parse_shock("country:CHN=0.5")])
    at = _login("ada")
    if lang == "nl":
        at.radio(key="lang").set_value("nl").run()
    at.switch_page("app_pages/runs.py").run()
    assert not at.exception, at.exception
    listing = at.dataframe[0].value
    sims = listing[listing["id"].isin({full.run_id, half.run_id})]
    assert len(sims) == 2 and sims["parameters"].str.contains("CHN").all()  # each run with its parameters
    at.selectbox(key="ru_a").set_value(full.run_id)
    at.selectbox(key="ru_b").set_value(half.run_id).run()
    assert not at.exception, at.exception
    params, changes = at.dataframe[1].value, at.dataframe[2].value
    assert list(params["parameter"]) == ["shocks"]
    markets = changes[(changes["table"] == "markets") & (changes["market"] == "semiconductors")]
    assert len(markets) and (markets["change"].dropna() < 0).any()  # half the shock, smaller losses
    if lang == "nl":
        assert "Grootheid" in json.loads(at.dataframe[2].proto.columns)["measure"]["label"]


def test_chokepoints_filter_by_focus_market_and_graph_datasets_only(
    db: Database, seeded: Database, tmp_path: Path
) -> None:
    at = _login("ada")
    at.switch_page("app_pages/chokepoints.py").run()
    at.multiselect(key="ck_flags").set_value([]).run()
    every = len(at.dataframe[0].value)
    at.selectbox(key="ck_market").set_value("semiconductors").run()
    assert not at.exception, at.exception
    chain = at.dataframe[0].value
    assert 0 < len(chain) < every
    assert chain["node_id"].isin(["semi_euv_scanner"]).any()
    # a trade-flow dataset is not offered in the graph pages' picker (it has no nodes)
    from deps.access.auth import Actor
    from deps.ingest import import_file

    flows = tmp_path / "baci.csv"
    flows.write_text("year,exporter_iso3,importer_iso3,hs92,value_kusd,qty_t\n2022,CHN,NLD,260800,100.5,20\n")
    import_file(db, load_settings(), Actor("ada", "admin"), "baci", flows, dataset="flows")
    at.run()
    assert "flows" not in at.sidebar.selectbox(key="dataset_select").options


def test_the_selected_node_is_ringed_and_named_in_the_network() -> None:
    """The network drawing marks the chosen node once (a ring with its name), and nothing for a node not drawn."""
    import pandas as pd

    from app_pages.figures import network

    positions = pd.DataFrame(
        {
            "node_id": ["a", "b"],
            "name": ["Ore", "Metal <b>"],
            "kind": ["material", "product"],
            "level": [0, 1],
            "y": [0.0, 0.0],
        }
    )
    segments = pd.DataFrame({"x0": [0.0], "y0": [0.0], "x1": [1.0], "y1": [0.0]})
    fig = network(positions, segments, source="test", selected="b")
    rings = [t for t in fig.data if t.name == "selected"]
    assert len(rings) == 1 and rings[0].marker.size == 18
    assert list(rings[0].x) == [1] and "<b>" not in rings[0].text[0]  # the name is shown as plain text
    assert not [t for t in network(positions, segments, source="test", selected="zz").data if t.name == "selected"]


def test_error_paths_in_dutch_show_no_english_sentence(db: Database, seeded: Database, tmp_path: Path) -> None:
    """A bad import file, an infeasible plan and a failed batch scenario, in Dutch: the service layer's messages, the
    validation problems and fixes, the solver's status and the scenario's exception text are Dutch."""
    from deps.services.batch import run_batch_file
    from deps.services.optimisation import run_optimisation
    from deps.services.scenario import scenario

    ann = Actor("ann", "analyst")
    grid = tmp_path / "grid.yaml"
    grid.write_text("base: {solver: highs}\nbudgets: [10]\nweights: {base: {}, odd: {no-such-market: 2}}\n")
    run_batch_file(db, load_settings(), grid, dataset="seed", actor=ann, executor="serial")
    at = _login("ada")
    at.radio(key="lang").set_value("nl").run()
    # a bad import file: the summary, every problem and fix in Dutch
    at.switch_page("app_pages/data.py").run()
    at.selectbox(key="im_fmt").set_value("baci").run()
    bad = "year,exporter_iso3,importer_iso3,hs92,value_kusd,qty_t\n2022,CHN,NLD,260800,abc,1\n20x2,ZZZ,NLD,26,-5,1\n"
    at.file_uploader(key="im_file").set_value(("baci.csv", bad.encode(), "text/csv")).run()
    at.button(key="im_run").click().run()
    assert not at.exception, at.exception
    assert at.error[0].value.replace("\\", "").startswith("BACI-bestand baci.csv: ")  # shown escaped (plain text)
    report = at.dataframe[-1].value
    assert "'abc' is geen getal" in set(report["problem"]) and len(report) >= 4
    assert _english_sentences(at) == []
    # an infeasible plan: the status word and the reason
    at.switch_page("app_pages/optimiser.py").run()
    at.session_state["opt_result"] = run_optimisation(
        db,
        load_settings(),
        dataset="seed",
        actor=ann,
        config=scenario(line_min_meur={"financing": 50.0}),
        budget=20.0,
    )
    at.run()
    assert not at.exception, at.exception
    assert "onuitvoerbaar" in at.error[0].value and "infeasible" not in at.error[0].value
    assert _english_sentences(at) == []
    # a failed batch scenario: its status and exception text
    at.switch_page("app_pages/batches.py").run()
    assert not at.exception, at.exception
    summary = next(frame.value for frame in at.dataframe if "reason" in frame.value.columns)
    assert set(summary["status"]) == {"optimaal", "fout"}
    assert "ScenarioError: gewicht: sleutel 'no-such-market' past bij geen target_id of focusmarkt" in set(
        summary["reason"]
    )
    assert _english_sentences(at) == []


def test_lazy_tabs_draw_one_tab_and_keep_a_closed_tabs_choice(seeded: Database) -> None:
    at = _login("ada")
    at.switch_page("app_pages/chokepoints.py").run()
    labels = [tab.label for tab in at.tabs]
    assert len(labels) == 4 and not at.get("checkbox")  # the control-point tab's checkbox is not drawn yet
    at.session_state["ck_tabs"] = labels[1]
    at.run()
    assert at.checkbox(key="ck_only").value is True  # its default
    at.checkbox(key="ck_only").uncheck().run()
    at.radio(key="ck_level").set_value("bloc").run()
    at.session_state["ck_tabs"] = labels[3]
    at.run()
    assert not at.get("checkbox") and not at.exception
    at.session_state["ck_tabs"] = labels[1]
    at.run()
    assert at.checkbox(key="ck_only").value is False and at.radio(key="ck_level").value == "bloc"
    assert not at.warning and not at.exception
