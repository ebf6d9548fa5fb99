"""The World Bank WGI importer: every real estimate loads (wide to long); bad cells are reported, nothing written."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from deps.errors import DataValidationError
from deps.ingest import importer
from deps.ingest.dataset import ImportResult
from deps.ingest.wgi import ESTIMATE_BOUNDS, import_wgi
from deps.store.db import Database, upgrade
from deps.store.models import Country, GovernanceScore
from tests.helpers import row_counts

pytestmark = pytest.mark.integration  # a database, the CLI or the app end to end: make test, not make check

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
WGI = SHARED / "wgi-political-stability" / "wgi_pv_estimate.csv"
MAX = 50_000_000
needs_real = pytest.mark.skipif(
    not WGI.is_file(), reason="../shared/data/wgi-political-stability is not present beside the repo"
)

# Hand-made: NLD has 2021 only ("nan" in 2022), SOM both years (below -2.5, as in the real data), R20 (a World
# Bank grouping, not in ISO 3166-1) has 2021 only ("None" in 2022): 1 + 2 + 1 = 4 scores, 3 economies.
SMALL = (
    "Country/Territory,Code,2021,2022,country_code\n"
    "Netherlands,NLD,0.81,nan,528\n"
    "Somalia,SOM,-2.6,-2.75,706\n"
    '"Europe EFTA, nes",R20,1.1,None,697\n'
)


def _import(db: Database, path: Path, *, max_bytes: int = MAX) -> ImportResult:
    with db.session() as session:
        return import_wgi(
            path, session=session, dataset="wgi", user="tester", max_bytes=max_bytes, share_tolerance=0.02
        )


def _small(tmp_path: Path, text: str = SMALL, name: str = "wgi.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, ImportResult]]:
    """A database whose country table holds a seed value for NLD, then one import of the real file."""
    if not WGI.is_file():
        pytest.skip("../shared/data/wgi-political-stability is not present beside the repo")
    db = Database("sqlite:///" + str(tmp_path_factory.mktemp("wgi") / "t.sqlite3"))
    upgrade(db)
    with db.session() as session:
        session.add(Country(iso3="NLD", name="Netherlands", wgi_pv=0.5, wgi_year=2019, source="seed"))
    yield db, _import(db, WGI)


# ---------------------------------------------------------------------------------------------------- golden
@needs_real
def test_every_real_estimate_loads(loaded: tuple[Database, ImportResult]) -> None:
    db, result = loaded
    with WGI.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    years = [c for c in rows[0] if c.isdigit()]
    values: dict[tuple[str, int], set[float]] = defaultdict(set)
    for r in rows:
        for y in years:
            if r[y] not in ("nan", "None", ""):
                values[(r["Code"], int(y))].add(float(r[y]))
    # a code/year is loaded once when its rows agree; the two GUY rows disagree on 1996-2022 (24 years)
    agreed = {k: v.pop() for k, v in values.items() if len(v) == 1}
    assert len(rows) == 217 and len({r["Code"] for r in rows}) == 216
    assert len(agreed) == 5367 and len(values) - len(agreed) == 24
    assert result.counts == {"governance_scores": 5367, "economies": 216, "countries_added": 215}
    (note,) = result.notes
    assert "GUY appears on rows [81, 83]" in note and "24 year(s) (1996-2022)" in note
    with db.session() as session:
        scores = session.exec(select(GovernanceScore)).all()
        assert {(s.iso3, s.year): s.estimate for s in scores} == agreed
        assert {s.indicator for s in scores} == {"PV"}
        assert sorted(s.year for s in scores if s.iso3 == "GUY") == [2023, 2024]
        low = min(scores, key=lambda s: s.estimate)
        assert (low.iso3, low.year, round(low.estimate, 2)) == ("SOM", 2009, -3.31)  # below -2.5, inside the band
        assert ESTIMATE_BOUNDS[0] < low.estimate


@needs_real
def test_codes_outside_iso_get_the_files_names(loaded: tuple[Database, ImportResult]) -> None:
    db, _result = loaded
    with db.session() as session:
        names = {c.iso3: c.name for c in session.exec(select(Country))}
    assert names["ANT"] == "Netherlands Antilles (...2010)"
    assert names["PUS"] == "US Misc. Pacific Isds" and names["R20"] == "Europe EFTA, nes"
    assert names["TWN"] == "Taiwan"  # in ISO 3166-1: named from pycountry


@needs_real
def test_country_seed_values_are_left_alone(loaded: tuple[Database, ImportResult]) -> None:
    db, _result = loaded
    with db.session() as session:
        nld = session.get(Country, "NLD")
        assert nld is not None and (nld.wgi_pv, nld.wgi_year, nld.source) == (0.5, 2019, "seed")
        assert session.exec(select(Country).where(Country.wgi_pv.is_not(None))).all() == [nld]  # type: ignore[union-attr]


@needs_real
def test_importing_twice_creates_no_new_version(loaded: tuple[Database, ImportResult]) -> None:
    db, first = loaded
    before = row_counts(db)
    again = _import(db, WGI)
    assert again.unchanged and again.version == first.version == 1
    assert row_counts(db) == before


def test_small_file_loads_exactly(db: Database, tmp_path: Path) -> None:
    result = _import(db, _small(tmp_path))
    assert result.counts == {"governance_scores": 4, "economies": 3, "countries_added": 3}
    with db.session() as session:
        scores = {(s.iso3, s.year): s.estimate for s in session.exec(select(GovernanceScore))}
        r20 = session.get(Country, "R20")
    assert scores == {("NLD", 2021): 0.81, ("R20", 2021): 1.1, ("SOM", 2021): -2.6, ("SOM", 2022): -2.75}
    assert r20 is not None and r20.name == "Europe EFTA, nes"


def test_identical_duplicate_rows_load_once(db: Database, db_url: str, tmp_path: Path) -> None:
    result = _import(db, _small(tmp_path, SMALL + "Netherlands,NLD,0.81,nan,528\n"))
    assert result.counts["governance_scores"] == 4
    assert result.notes == ("code NLD appears on rows [2, 5] with identical estimates: loaded once",)


def test_economy_without_any_estimate_is_noted(db: Database, db_url: str, tmp_path: Path) -> None:
    result = _import(db, _small(tmp_path, SMALL + "Aruba,ABW,nan,nan,533\n"))
    assert result.counts["economies"] == 3
    assert result.notes == ("1 economies have no estimate in any year: ABW",)


def test_registry_finds_the_importer() -> None:
    assert importer("wgi") is import_wgi


# ---------------------------------------------------------------------------------------------------- bad inputs
#: case -> (old text, new text, row, column, words in the problem)
BAD_CASES: dict[str, tuple[str, str, int | None, str | None, str]] = {
    "estimate out of band": ("NLD,0.81", "NLD,4.2", 2, "2021", "4.2 is out of range"),
    "non-numeric estimate": ("NLD,0.81", "NLD,high", 2, "2021", "'high' is not a number"),
    "unknown code": ("Netherlands,NLD", "Netherlands,NLX", 2, "Code", "unknown code 'NLX'"),
    "blank code": ("Netherlands,NLD", "Netherlands,", 2, "Code", "value is missing"),
    "blank name": ("Somalia,SOM", ",SOM", 3, "Country/Territory", "value is missing"),
    "missing code column": ("Country/Territory,Code,", "Country/Territory,ISO,", 1, "Code", "required column"),
    "year column out of range": ("Code,2021,", "Code,1921,", None, "1921", "year column 1921 is outside"),
    "repeated year column": ("Code,2021,2022,", "Code,2021,2021,", 1, "2021", "column appears twice"),
    "no year columns": ("Code,2021,2022,", "Code,y2021,y2022,", None, None, "no year columns"),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_input_is_reported_and_nothing_written(db: Database, tmp_path: Path, case: str) -> None:
    old, new, row, column, words = BAD_CASES[case]
    assert old in SMALL
    _import(db, _small(tmp_path, name="keep.csv"))  # rows that must survive the failed import
    before = row_counts(db)
    with pytest.raises(DataValidationError) as info:
        _import(db, _small(tmp_path, SMALL.replace(old, new, 1)))
    problems = info.value.problems
    assert any(p.file == "wgi.csv" and p.row == row and p.column == column and words in p.problem for p in problems), (
        info.value.report()
    )
    assert all(p.fix for p in problems)
    assert row_counts(db) == before


def test_encoding_empty_and_size_are_refused(db: Database, tmp_path: Path) -> None:
    before = row_counts(db)
    latin = tmp_path / "latin.csv"
    latin.write_bytes(SMALL.replace("Somalia", "Somali\u00eb").encode("latin-1"))
    with pytest.raises(DataValidationError) as info:
        _import(db, latin)
    (problem,) = info.value.problems
    assert (problem.file, problem.row) == ("latin.csv", 3) and "not valid UTF-8" in problem.problem
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(DataValidationError, match="the file is empty"):
        _import(db, empty)
    with pytest.raises(DataValidationError, match="above the limit"):
        _import(db, _small(tmp_path), max_bytes=50)
    assert row_counts(db) == before
