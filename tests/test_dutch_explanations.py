"""The engines' English sentences in Dutch (app_pages.sentences): every explanation, reason and conflict that the
real analysis, simulator and optimiser write on the seed matches a template, and no English word of a template is
left in the Dutch text; plus hand-checked examples and the tables' Dutch mode."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from app_pages import tables
from app_pages.sentences import PREFIXES, TEMPLATES, WORDS, dutch, localise_sentence
from deps.access.auth import Actor, add_user
from deps.config import load_settings
from deps.ingest import import_file
from deps.ingest.seed import initialise
from deps.services.analysis import parse_shock, run_analysis, run_screen, run_simulation
from deps.services.optimisation import run_optimisation
from deps.services.scenario import ScenarioConfig, scenario
from deps.store.db import Database

pytestmark = pytest.mark.integration  # a database, the CLI or the app end to end: make test, not make check

ANALYST = Actor("ann", "analyst")
ROOT = Path(__file__).resolve().parents[1]
# Hand-made BACI flows over three years: 260800 from CHN (dependent, more vulnerable, persistent), 854231 mostly
# through SGP (a transit hub: its imports from CHN cover its exports), 030110 mostly exported by DEU (not dependent).
FLOWS = (
    "CHN,NLD,260800,100",
    "CHN,DEU,260800,50",
    "NLD,DEU,260800,1.5",
    "CHN,USA,260800,300",
    "AUS,USA,260800,20",
    "SGP,NLD,854231,200",
    "CHN,SGP,854231,220",
    "KOR,NLD,854231,10",
    "NLD,USA,854231,5",
    "USA,DEU,030110,3.25",
    "DEU,FRA,030110,30",
)
TARGET = "chem_heavy_ree|CHN"
#: Policies the seed cannot meet at a budget of 20, one per kind of conflict the diagnosis names.
CONFLICTS = (
    scenario(market_min_share={"semiconductors": 0.7, "biotech": 0.6}),
    scenario(market_min_share={"dsii": 0.5}, market_max_share={"dsii": 0.3}),
    scenario(forced=(("financing", None, 30.0),), line_max_meur={"financing": 10.0}),
    scenario(forced=(("financing", None, 5.0),), forbidden=(("financing", None),)),
    scenario(forced=(("financing", TARGET, 10.0),), target_cap_meur={TARGET: 5.0}),
    scenario(forced=(("financing", None, 15.0), ("ecosystems", None, 15.0))),
    scenario(line_min_meur={"financing": 15.0}, year_budgets_meur={2026: 5.0, 2027: 5.0}),
)
BACI = "year,exporter_iso3,importer_iso3,hs92,value_kusd,qty_t\n" + "".join(
    f"{year},{flow},1\n" for year in (2020, 2021, 2022) for flow in FLOWS
)
DATA = "\x00"  # what a value passing through as data (a name, an id, a source) is replaced by in the word check
_FIELD = re.compile(r"\{\w+(?::\w+)?\}")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
#: Words both languages write (HHI and the like, and Dutch words spelt as English ones: "of" = or, "over" = over).
SHARED = {"HHI", "budget", "effect", "factor", "in", "input", "interval", "is", "maximum", "minimum", "o", "of"}
SHARED |= {"optimum", "over", "solver", "x", "w", "HiGHS", "USD", "export", "partner"}
# the service layer's messages (app_pages.messages): abbreviations, file formats and Dutch words spelt as English ones
# ("log in", "per", "code"); "n" and "be" are what the word pattern leaves of "één" and "beëindigd"
SHARED |= {"SR", "IR", "EI", "BACI", "ISO", "account", "code", "database", "dataset", "id", "log", "nodes", "per"}
SHARED |= {"product", "scenario", "spelling", "n", "be"}
# the errors of app_pages.messages_service: "map" (= folder), "rest" (= remainder) and "plan" are Dutch words too;
# LP and CBC are names
SHARED |= {"map", "rest", "plan", "LP", "CBC"}
#: What a user types or a program reads, kept in any language: `commands`, snake_case names, KEY=VALUE syntax and
#: the name of the country-code standard.
_LITERAL = re.compile(r"`[^`]*`|\S*_\S*|\S*=\S*|ISO 3166-1 alpha-3")


def _english_words() -> set[str]:
    words: set[str] = set()
    texts = [_FIELD.sub(" ", t.english) for t in TEMPLATES] + list(PREFIXES)
    texts += [key for vocabulary in WORDS.values() for key in vocabulary]
    for text in texts:
        words |= set(_WORD.findall(text))
    return words - SHARED


ENGLISH = _english_words()


def _left_english(text: str) -> set[str]:
    """English template words in ``text`` (a Dutch text with its data values masked)."""
    return {w for w in _WORD.findall(_LITERAL.sub(" ", text)) if w in ENGLISH}


@pytest.fixture(scope="module")
def sentences(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Every engine sentence the seed gives (analysis tables, a simulation, an optimal and an infeasible plan) and an
    EU screen of hand-made trade flows."""
    path = tmp_path_factory.mktemp("dutch") / "seed.db"
    monkey = pytest.MonkeyPatch()
    monkey.setenv("DEPS_DATABASE_URL", f"sqlite:///{path}")
    monkey.setenv("DEPS_VAR_DIR", str(path.parent / "var"))
    try:
        from deps.store.db import upgrade

        with Database(f"sqlite:///{path}") as db:
            upgrade(db)
            settings = load_settings()
            initialise(db, settings)
            found: dict[str, list[str]] = {}
            analysis = run_analysis(db, settings, dataset="seed", actor=ANALYST)
            for name, table in analysis.tables.items():
                if "explanation" in table.columns:
                    found[f"analysis {name}"] = sorted(set(map(str, table["explanation"])))
            simulation = run_simulation(db, settings, dataset="seed", actor=ANALYST, shocks=[parse_shock("CHN=1")])
            found["simulation"] = sorted(set(map(str, simulation.tables["nodes"]["explanation"])))
            plan = run_optimisation(db, settings, dataset="seed", actor=ANALYST, config=ScenarioConfig(), budget=20.0)
            found["reasons"] = sorted({plan.reason, *map(str, plan.tables["reduced_costs"]["reason"])})
            stuck = run_optimisation(
                db,
                settings,
                dataset="seed",
                actor=ANALYST,
                config=scenario(line_min_meur={"financing": 50.0}),
                budget=20.0,
            )
            found["infeasible"] = [stuck.reason, *map(str, stuck.tables["conflicts"]["message"])]
            for config in CONFLICTS:
                stuck = run_optimisation(db, settings, dataset="seed", actor=ANALYST, config=config, budget=20.0)
                assert stuck.status == "infeasible", config
                found["infeasible"] += [stuck.reason, *map(str, stuck.tables["conflicts"]["message"])]
            flows = path.parent / "baci.csv"
            flows.write_text(BACI)
            import_file(db, settings, Actor("ada", "admin"), "baci", flows)
            screen = run_screen(db, settings, dataset="baci", actor=ANALYST)
            found["screen"] = sorted(set(map(str, screen.screen["explanation"])))
    finally:
        monkey.undo()
    return found


def test_every_engine_sentence_has_a_dutch_template(sentences: dict[str, list[str]]) -> None:
    kinds = {"analysis nodes", "analysis risk", "analysis control_points", "simulation", "reasons", "infeasible"}
    assert kinds | {"screen"} <= set(sentences)
    conflicts = " ".join(sentences["infeasible"])
    for words in (
        "market minimum shares",
        "maximum share",
        "requires",
        "target-cap[",
        "must be",
        "year budgets",
        "conflicts with",
    ):
        assert words in conflicts, words
    assert any("transit hub" in s for s in sentences["screen"]) and any(
        "not dependent" in s for s in sentences["screen"]
    )
    assert len(sentences["reasons"]) > 10 and len(sentences["analysis nodes"]) > 100
    unmatched = {kind: [s for s in texts if dutch(s) is None] for kind, texts in sentences.items()}
    assert not any(unmatched.values()), {kind: texts[:3] for kind, texts in unmatched.items() if texts}


def test_no_english_template_word_is_left(sentences: dict[str, list[str]]) -> None:
    left = {}
    for texts in sentences.values():
        for text in texts:
            masked = dutch(text, mark=lambda value: DATA)
            assert masked is not None
            words = _left_english(masked)
            if words:
                left[text[:200]] = sorted(words)
    assert not left, list(left.items())[:5]


def test_the_word_check_finds_english() -> None:
    # a clause translated wrongly (an English word kept) or a new engine clause would fail the tests above
    assert _left_english("grootste aandeel minstens 0.1 en at most 0.2") == {"at", "most"}
    assert dutch("a new clause no template knows; optimal") is None
    assert dutch("optimal; a new clause no template knows") is None


def test_dutch_templates_are_dutch() -> None:
    for template in TEMPLATES:
        words = _left_english(_FIELD.sub(" ", template.dutch))
        assert not words, (template.dutch, words)
        assert set(re.findall(r"\{(\w+)\}", template.dutch)) == set(template.fields()), template.english


def test_hand_checked_examples() -> None:
    assert dutch(
        "semi_krf_scanner: control point: NLD share 0.660 (threshold 0.65), top supplier, HHI 0.551 (threshold 0.4); "
        "reach 0.458 of final products; substitutability 0.00 (unknown, taken as 0); "
        "leverage = 0.660 x (1 - 0.00) x 0.458 = 0.302"
    ) == (
        "semi_krf_scanner: controlepunt: aandeel van NLD 0.660 (drempel 0.65), grootste leverancier, HHI 0.551 "
        "(drempel 0.4); bereik 0.458 van de eindproducten; vervangbaarheid 0.00 (onbekend, als 0 genomen); "
        "hefboom = 0.660 x (1 - 0.00) x 0.458 = 0.302"
    )
    assert dutch(
        "country view (country rows; data basis: production): top CHN share 0.900, HHI 0.810, coverage 1.000 over "
        "2 suppliers; global chokepoint: yes (top share >= 0.65 or HHI > 0.4); foreign chokepoint for EU27: possible: "
        "largest supplier outside EU27 at least 0.0% and at most 100.0%; sources: USGS; Where from? (a study)"
    ) == (
        "landenniveau (landregels; gegevensbasis: productie): grootste leverancier CHN met aandeel 0.900, HHI 0.810, "
        "dekking 1.000 over 2 leveranciers; mondiaal knelpunt: ja (grootste aandeel >= 0.65 of HHI > 0.4); "
        "buitenlands knelpunt voor EU27: mogelijk: grootste leverancier buiten EU27 minstens 0.0% en hoogstens "
        "100.0%; bronnen: USGS; Where from? (a study)"
    )
    assert dutch(
        "infeasible: line minimums sum to 50 > budget 20; x (limit 5) must be raised by 2; it conflicts with y"
    ) == (
        "onuitvoerbaar: de minima van de actielijnen tellen op tot 50 > budget 20; x (grens 5) moet met 2 worden "
        "verhoogd; dit botst met y"
    )
    assert dutch(
        "gallium: no supplier data | top risk: gallium from CHN: risk = share 0.980 x severity 0.500 x "
        "reach 1.000 = 0.4900; dominant kind: import_reliance"
    ) == (
        "gallium: geen leveranciersgegevens | grootste risico: gallium uit CHN: risico = aandeel 0.980 x ernst 0.500 "
        "x bereik 1.000 = 0.4900; overheersende soort: importafhankelijkheid"
    )


def test_hand_checked_conflicts() -> None:
    assert dutch("forced spends sum to 30 > budget 20") == "de vaste uitgaven tellen op tot 30 > budget 20"
    assert dutch("forced[financing|a|CHN] 40 > 12.5, the length of its effect curves") == (
        "forced[financing|a|CHN] 40 > 12.5, de lengte van de effectcurves"
    )
    assert dutch("line financing: minimum 1e+04 > 900, the length of its effect curves") == (
        "actielijn financing: minimum 1e+04 > 900, de lengte van haar effectcurves"
    )
    assert dutch("minimum spends but no options") == "minimumuitgaven maar geen opties"


def test_english_mode_and_other_values_stay() -> None:
    text = "forbidden by the policy"
    assert localise_sentence(text, "en") == text
    assert localise_sentence(text, "nl") == "verboden door het beleid"
    assert localise_sentence("ValueError: could not solve", "nl") == "ValueError: could not solve"
    assert localise_sentence(3.5, "nl") == 3.5


def test_localised_translates_the_sentence_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("node_names", "market_names", "line_names"):
        monkeypatch.setattr(tables, name, dict)
    frame = pd.DataFrame(
        {
            "node_id": ["a", "b"],
            "explanation": ["a: no loss", "an analyst's note"],
            "reason": ["no effect on this target (slope 0)", None],
        }
    )
    shown = tables.localised(frame, "nl")
    assert shown["explanation"].tolist() == ["a: geen verlies", "an analyst's note"]
    assert shown["reason"].iloc[0] == "geen effect op dit doel (helling 0)"
    assert tables.localised(frame, "en")["explanation"].tolist() == frame["explanation"].tolist()


# ---------------------------------------------------------------------------------------------- the pages in Dutch
PASSWORD = "correct horse battery staple"


@pytest.fixture
def seeded(db: Database, env: dict[str, str]) -> Database:
    """The real seed and an analyst."""
    initialise(db, load_settings())
    add_user(db, "ann", "analyst", PASSWORD, by=Actor("tests", "admin"))
    return db


def _dutch_session() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_streamlit.py"), default_timeout=90).run()
    at.text_input(key="login_name").input("ann")
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    at.radio(key="lang").set_value("nl").run()
    return at


def test_dutch_pages_show_dutch_explanations_and_reasons(db: Database, seeded: Database) -> None:
    at = _dutch_session()
    at.switch_page("app_pages/chokepoints.py").run()
    assert not at.exception, at.exception
    explanations = [str(e) for e in at.dataframe[0].value["explanation"]]
    assert explanations and all(" view (" not in e and "chokepoint" not in e for e in explanations)
    assert any("landenniveau (" in e and "knelpunt" in e for e in explanations)
    at.switch_page("app_pages/optimiser.py").run()
    at.session_state["opt_result"] = run_optimisation(
        db,
        load_settings(),
        dataset="seed",
        actor=ANALYST,
        config=scenario(line_min_meur={"financing": 50.0}),
        budget=20.0,
    )
    at.run()
    assert not at.exception, at.exception
    assert "onuitvoerbaar" in at.error[0].value
    assert "de minima van de actielijnen tellen op tot 50 > budget 20" in at.text[0].value
    assert "line-min[financing]" in at.text[0].value  # constraint names are ids: they stay


def test_coded_values_in_text_columns_are_words(monkeypatch: pytest.MonkeyPatch) -> None:
    # pandas' str dtype as well as object columns; the mutual-dependency verdict and the dependency kind too
    for name in ("node_names", "market_names", "line_names"):
        monkeypatch.setattr(tables, name, dict)
    frame = pd.DataFrame(
        {
            "kind": pd.Series(["final_product", "tool"], dtype="str"),
            "verdict": ["one-sided: home depends", "mutual"],
            "dependency_kind": ["import_reliance", "concentration"],
            "dominator_chokepoint": [True, False],
            "table": ["markets", "nodes"],
        }
    )
    shown = tables.localised(frame, "nl")
    assert shown["kind"].tolist() == ["eindproduct", "gereedschap"]
    assert shown["verdict"].tolist() == ["eenzijdig: wij zijn afhankelijk", "wederzijds"]
    assert shown["dependency_kind"].tolist() == ["importafhankelijkheid", "concentratie"]
    assert shown["dominator_chokepoint"].tolist() == [True, False]
    assert tables.localised(frame, "nl", raw=("table",))["table"].tolist() == ["markets", "nodes"]
    assert tables.localised(frame, "en")["kind"].tolist() == ["final product", "tool"]


def test_the_module_examples() -> None:
    import doctest

    from app_pages import sentences

    assert doctest.testmod(sentences).failed == 0


def test_mutual_dependency_legend_in_dutch() -> None:
    from app_pages import figures

    frame = pd.DataFrame(
        {
            "partner": ["CHN", "USA"],
            "risk": [0.4, 0.1],
            "leverage": [0.0, 0.2],
            "verdict": ["one-sided: home depends", "mutual"],
        }
    )
    names = {trace.name for trace in figures.mutual_dependency(frame, source="x", lang="nl").data}
    assert names == {"eenzijdig: wij zijn afhankelijk", "wederzijds"}
