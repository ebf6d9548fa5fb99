"""The Dutch string table: every key has a Dutch wording with the same fields, and every text the app routes through
``t``/``translate`` (found by reading the source, not by running it) is a key of the table."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pandas as pd
import pytest

from app_pages import figures, figures_runs
from app_pages.nav import ACCOUNT, PAGES
from app_pages.texts import NL, PAGE_NL, translate
from app_pages.texts_charts import CHART_NL
from app_pages.texts_labels import COLUMNS, LABELS_NL, VALUES
from app_pages.texts_work import WORK_NL
from deps.ingest import FORMATS

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [*sorted((ROOT / "app_pages").glob("*.py")), ROOT / "app_streamlit.py"]
TRANSLATORS = {"t", "translate"}
# The call sites whose text is not a literal, and where their texts come from (checked below).
DYNAMIC = {
    "app_streamlit.py": {"t(spec.title)"},
    "chokepoints.py": {"t(FLAG_LABELS[flag])"},
    "data.py": {"t(help_text)"},
    "labels.py": {"translate(english, lang)"},
}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _module_strings(tree: ast.Module) -> dict[str, object]:
    """Module-level ``NAME = <literal>`` assignments (strings and dicts of strings)."""
    found: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            if isinstance(target, ast.Name) and node.value is not None:
                try:
                    found[target.id] = ast.literal_eval(node.value)
                except ValueError:
                    continue
    return found


def _used_texts() -> tuple[set[str], dict[str, set[str]]]:
    """Every text passed to ``t``/``translate`` in the app's source, and the call sites whose text is computed
    (page titles from :data:`PAGES`, flag labels from the chokepoint page's ``FLAG_LABELS``, the import formats' help
    from :data:`deps.ingest.FORMATS`)."""
    texts: set[str] = set()
    dynamic: dict[str, set[str]] = {}
    for path in SOURCES:
        if path.name in {"texts.py", "i18n.py"}:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = _module_strings(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            if isinstance(node.func, ast.Name) and node.func.id in TRANSLATORS and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    texts.add(first.value)
                elif isinstance(first, ast.Name) and isinstance(constants.get(first.id), str):
                    texts.add(str(constants[first.id]))
                else:
                    dynamic.setdefault(path.name, set()).add(ast.unparse(node))
        if path.name == "chokepoints.py":
            flag_labels = constants["FLAG_LABELS"]
            assert isinstance(flag_labels, dict)
            texts.update(flag_labels.values())
    texts.update(page.title for page in PAGES)
    texts.update(help_text for _module, _function, help_text in FORMATS.values())  # the import formats
    texts.add(ACCOUNT.title)
    texts.update(COLUMNS.values())  # headers and coded values: labels.py translates them
    texts.update(word for vocabulary in VALUES.values() for word in vocabulary.values())
    return texts, dynamic


def test_every_key_has_a_dutch_wording_with_the_same_fields() -> None:
    assert len(NL) > 250
    for english, dutch in NL.items():
        assert english.strip() and dutch.strip(), english
        assert _fields(english) == _fields(dutch), english
        assert "%{" not in english or re.findall(r"%\{[^}]*\}", english) == re.findall(r"%\{[^}]*\}", dutch), english


def test_page_and_chart_tables_agree_where_they_share_a_key() -> None:
    shared = set(PAGE_NL) & set(CHART_NL)
    assert {"Budget (EUR million)", "Action line"} <= shared  # shared on purpose: same wording in page and chart
    assert all(PAGE_NL[key] == CHART_NL[key] for key in shared)
    assert NL == {**LABELS_NL, **CHART_NL, **PAGE_NL, **WORK_NL}


def test_every_text_the_app_translates_is_in_the_table() -> None:
    texts, dynamic = _used_texts()
    assert len(texts) > 250  # the collector sees the call sites (a broken regex would find none)
    assert {"Overview", "Source: {source}", "home country", "one firm dominates"} <= texts
    assert dynamic == DYNAMIC
    missing = sorted(texts - set(NL))
    assert missing == [], missing
    unused = sorted(set(NL) - texts)
    assert unused == [], unused  # no dead wording: every key is shown somewhere


def test_translate_fills_fields_and_falls_back_to_english() -> None:
    assert translate("{n} nodes", "nl", n=3) == "3 knopen"
    assert translate("{n} nodes", "en", n=3) == "3 nodes"
    assert translate("Chokepoints", "nl") == "Knelpunten"
    assert translate("Chokepoints", "fr") == "Chokepoints"  # unknown language: English
    assert translate("not a key {x}", "nl", x=1) == "not a key 1"  # missing key: English
    assert translate("{x} stays {x}", "nl") == "{x} stays {x}"  # no values: no formatting
    # the Dutch thousands use the same format spec as the English text
    assert translate("The grid is {size:,} bytes; at most {limit:,} are accepted.", "nl", size=1500, limit=2000) == (
        "Het raster is 1,500 bytes; hoogstens 2,000 worden geaccepteerd."
    )


@pytest.mark.parametrize(
    ("lang", "title", "source"),
    [("en", "Nodes per sector and kind", "Source: x"), ("nl", "Knopen per sector en soort", "Bron: x")],
)
def test_figures_speak_the_chosen_language(lang: str, title: str, source: str) -> None:
    frame = pd.DataFrame({"sector": ["chips", "chips"], "kind": ["input", "final_product"], "nodes": [2, 1]})
    fig = figures.nodes_by_sector(frame, source="x", lang=lang)
    assert fig.layout.title.text == title
    assert fig.layout.title.subtitle.text == source  # the source line sits under the title, clear of tick labels
    assert [bar.x[0] for bar in fig.data] == ["chips", "chips"]  # data values stay as they are
    years = pd.DataFrame({"year": [2022], "dependent": [True], "persistent": [False]})
    names = [trace.name for trace in figures_runs.screen_years(years, source="x", lang=lang).data]
    assert names == (["dependent", "persistent"] if lang == "en" else ["afhankelijk", "aanhoudend"])
