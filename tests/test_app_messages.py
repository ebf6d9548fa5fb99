"""The service layer's English messages in Dutch (app_pages.messages, issue 13): the explanations of the supply-risk
and trends services, the errors the app shows (a bad import, an unknown dataset, run or user, a bad shock, a weak
password, an impossible policy), the exception text of a failed batch scenario and the solver's status words.

Every message below is produced by the real code on the seed, then translated as the app does; no English word of a
template may be left once the values passing through (names, ids, numbers) are masked.  The CLI keeps English.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app_pages.labels import value_label
from app_pages.sentences import dutch, localise_error
from deps.access.auth import Actor
from deps.access.passwords import check_password_policy
from deps.config import load_settings
from deps.errors import DataValidationError, DepsError
from deps.ingest import import_file
from deps.ingest.seed import initialise
from deps.services.analysis import parse_shock, run_simulation
from deps.services.batch import collect, run_batch_file
from deps.services.criticality import run_supply_risk
from deps.services.runs import run_tables
from deps.services.trends import run_trends
from deps.store.db import Database, upgrade
from deps.store.queries import resolve_dataset
from tests.test_dutch_explanations import DATA, _left_english

pytestmark = pytest.mark.integration  # a database, the CLI or the app end to end: make test, not make check

ANALYST = Actor("ann", "analyst")
ADMIN = Actor("ada", "admin")
#: A BACI file with a bad number, an unknown country, a short HS code, a negative value, a repeated flow, and one
#: without three of its columns.
BAD_BACI = (
    "year,exporter_iso3,importer_iso3,hs92,value_kusd,qty_t\n"
    "2022,CHN,NLD,260800,abc,1\n20x2,ZZZ,NLD,26,1,1\n2022,CHN,NLD,260800,1,1\n2022,CHN,NLD,260800,-5,\n"
)
NO_COLUMNS = "year,exporter,hs92\n2022,CHN,1\n"
#: A grid whose second scenario names a market that does not exist: stored with status error and its exception.
FAILING_GRID = "base: {solver: highs}\nbudgets: [10]\nweights: {base: {}, odd: {no-such-market: 2}}\n"


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, Path]]:
    folder = tmp_path_factory.mktemp("messages")
    monkey = pytest.MonkeyPatch()
    monkey.setenv("DEPS_DATABASE_URL", f"sqlite:///{folder / 'seed.db'}")
    monkey.setenv("DEPS_VAR_DIR", str(folder / "var"))
    try:
        with Database(f"sqlite:///{folder / 'seed.db'}") as db:
            upgrade(db)
            initialise(db, load_settings())
            yield db, folder
    finally:
        monkey.undo()


def _in_dutch(text: str) -> str:
    """``text`` in Dutch with its values masked; fails when no template matches or an English word is left."""
    masked = dutch(text, mark=lambda value: DATA)
    assert masked is not None, text
    assert not _left_english(masked), (text, masked)
    translated = dutch(text)
    assert translated is not None and translated != text, text
    return translated


def test_supply_risk_and_trends_explanations(seed: tuple[Database, Path]) -> None:
    db, _folder = seed
    risk = run_supply_risk(db, load_settings(), dataset="seed", actor=ANALYST)
    trends = run_trends(db, load_settings(), dataset="seed", actor=ANALYST)
    texts = {*map(str, risk.screen["explanation"]), *map(str, trends.trends["explanation"])}
    assert any("SR = [" in s for s in texts) and any("known shares cover" in s for s in texts)
    assert any("rising when" in s for s in texts) and any("top supplier" in s for s in texts)
    for text in sorted(texts):
        _in_dutch(text)
    assert dutch(
        "m: SR at least 0.000 and at most 9.876 (known shares cover 0.00) (threshold 1.0; EI threshold 2.8): "
        "possibly critical; share without governance score 0.000"
    ) == (
        "m: SR minstens 0.000 en hoogstens 9.876 (bekende aandelen dekken 0.00) (drempel 1.0; EI-drempel 2.8): "
        "mogelijk kritiek; aandeel zonder bestuursscore 0.000"
    )
    assert value_label("status", "insufficient data", "nl") == "onvoldoende gegevens"


def _errors(db: Database, folder: Path) -> list[BaseException]:
    """Errors the app's pages show, raised by the real service layer."""
    found: list[BaseException] = []
    for call in (
        lambda: resolve_dataset(db, "nope"),
        lambda: parse_shock("CHN=abc"),
        lambda: parse_shock("planet:mars=1"),
        lambda: run_simulation(db, load_settings(), dataset="seed", actor=ANALYST, shocks=[parse_shock("ZZZ=1")]),
        lambda: run_tables(db, "no-such-run", actor=ANALYST),
        lambda: check_password_policy("short"),
    ):
        with pytest.raises(DepsError) as caught:
            call()
        found.append(caught.value)
    for name, text in (("bad.csv", BAD_BACI), ("columns.csv", NO_COLUMNS), ("empty.csv", "")):
        path = folder / name
        path.write_text(text)
        with pytest.raises(DataValidationError) as invalid:
            import_file(db, load_settings(), ADMIN, "baci", path)
        found.append(invalid.value)
    return found


def test_service_errors_and_import_problems(seed: tuple[Database, Path]) -> None:
    db, folder = seed
    errors = _errors(db, folder)
    problems = 0
    for error in errors:
        shown = localise_error(error, "nl")
        assert shown != localise_error(error, "en"), error
        _in_dutch(localise_error(error, "en"))
        for problem in getattr(error, "problems", ()):
            _in_dutch(problem.problem)
            _in_dutch(problem.fix)
            problems += 1
    assert problems >= 9
    assert localise_error(errors[0], "en").startswith("no dataset 'nope'")  # English stays English
    assert localise_error(errors[-3], "nl") == "BACI-bestand bad.csv"


def test_failed_batch_scenario_and_status_words(seed: tuple[Database, Path]) -> None:
    db, folder = seed
    grid = folder / "grid.yaml"
    grid.write_text(FAILING_GRID)
    outcome = run_batch_file(db, load_settings(), grid, dataset="seed", actor=ANALYST, executor="serial")
    summary, _allocations = collect(db, outcome.batch_id, actor=ANALYST)
    failed = summary[summary["status"] == "error"]
    assert len(failed) == 1
    reason = str(failed["reason"].iloc[0])
    assert reason.startswith("ScenarioError: weight key 'no-such-market'")
    assert _in_dutch(reason) == "ScenarioError: gewicht: sleutel 'no-such-market' past bij geen target_id of focusmarkt"
    assert _in_dutch("PolicyError: budget -5.0 must be a finite number >= 0 (EUR million)") == (
        "PolicyError: budget -5.0 moet een eindig getal >= 0 zijn (mln euro)"
    )
    assert dutch("ValueError: a message no template knows") is None  # shown as it is; the page tests catch it
    words = {code: value_label("status", code, "nl") for code in ("optimal", "infeasible", "unbounded", "error")}
    assert words == {"optimal": "optimaal", "infeasible": "onuitvoerbaar", "unbounded": "onbegrensd", "error": "fout"}
