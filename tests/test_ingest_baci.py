"""The CEPII BACI importer: every real flow loads fast; each kind of bad row is reported and nothing is written."""

from __future__ import annotations

import csv
import math
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import select

from deps.errors import DataValidationError
from deps.ingest import importer
from deps.ingest.baci import import_baci
from deps.ingest.countries import EXTRA_CODES
from deps.ingest.dataset import ImportResult
from deps.store.db import Database, upgrade
from deps.store.models import Country, Dataset, TradeFlow
from tests.helpers import row_counts

pytestmark = pytest.mark.integration  # a database, the CLI or the app end to end: make test, not make check

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
BACI = SHARED / "baci-rawmaterials-2022" / "baci_hs92_2022.csv"
MAX = 50_000_000
needs_real = pytest.mark.skipif(
    not BACI.is_file(), reason="../shared/data/baci-rawmaterials-2022 is not present beside the repo"
)

# Hand-made: three flows worth 100.5 + 3.25 + 1.5 = 105.25 thousand USD; S19 is BACI's "Other Asia, n.e.s.";
# 030110 keeps its leading zero; the S19 flow has no quantity (unknown, not 0).
SMALL = (
    "year,exporter_iso3,importer_iso3,hs92,value_kusd,qty_t\n"
    "2022,CHN,NLD,260800,100.5,20\n"
    "2022,S19,NLD,030110,3.25,\n"
    "2022,NLD,DEU,260800,1.5,0.5\n"
)


def _import(db: Database, path: Path, *, max_bytes: int = MAX) -> ImportResult:
    with db.session() as session:
        return import_baci(
            path, session=session, dataset="baci", user="tester", max_bytes=max_bytes, share_tolerance=0.02
        )


def _small(tmp_path: Path, text: str = SMALL) -> Path:
    path = tmp_path / "baci.csv"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, ImportResult, float]]:
    """A database holding one import of the real file, and how long the import took (seconds)."""
    if not BACI.is_file():
        pytest.skip("../shared/data/baci-rawmaterials-2022 is not present beside the repo")
    db = Database("sqlite:///" + str(tmp_path_factory.mktemp("baci") / "t.sqlite3"))
    upgrade(db)
    start = time.perf_counter()
    result = _import(db, BACI)
    yield db, result, time.perf_counter() - start


# ---------------------------------------------------------------------------------------------------- golden
@needs_real
def test_every_real_flow_loads(loaded: tuple[Database, ImportResult, float]) -> None:
    db, result, _seconds = loaded
    with BACI.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    codes = {r["exporter_iso3"] for r in rows} | {r["importer_iso3"] for r in rows}
    assert len(rows) == 53452
    assert result.counts == {"trade_flows": 53452, "countries_added": len(codes)}
    blank_qty = sum(r["qty_t"] == "" for r in rows)
    assert any(f"{blank_qty} flows have no quantity" in n for n in result.notes)
    with db.engine.connect() as conn:
        count, with_qty, total, products, short = conn.execute(
            sa.text(
                "select count(*), count(qty_t), sum(value_kusd), count(distinct product), "
                "sum(length(product) <> 6) from trade_flow"
            )
        ).one()
    assert (count, with_qty, products, short) == (53452, 53452 - blank_qty, len({r["hs92"] for r in rows}), 0)
    assert total == pytest.approx(math.fsum(float(r["value_kusd"]) for r in rows), rel=1e-12)
    with db.session() as session:
        s19 = session.get(Country, "S19")
        assert s19 is not None and s19.name == EXTRA_CODES["S19"].split(" (")[0]


@needs_real
def test_real_file_imports_in_seconds(loaded: tuple[Database, ImportResult, float]) -> None:
    _url, _result, seconds = loaded
    # about 1 s on the reference machine; generous for a noisy 2-core runner
    assert seconds < 15, f"53k flows took {seconds:.1f} s to validate and insert"


@needs_real
def test_importing_twice_creates_no_new_version(loaded: tuple[Database, ImportResult, float]) -> None:
    db, first, _seconds = loaded
    before = row_counts(db)
    again = _import(db, BACI)
    assert again.unchanged and again.version == first.version == 1
    assert row_counts(db) == before


@needs_real
def test_a_duplicate_deep_in_the_real_file_is_found(
    loaded: tuple[Database, ImportResult, float], tmp_path: Path
) -> None:
    db, _result, _seconds = loaded
    lines = BACI.read_text(encoding="utf-8").splitlines()
    path = _small(tmp_path, "\n".join([*lines, lines[1]]) + "\n")
    before = row_counts(db)
    with pytest.raises(DataValidationError) as info:
        _import(db, path)
    (problem,) = info.value.problems
    assert problem.row == len(lines) + 1 and "(first at row 2)" in problem.problem
    assert row_counts(db) == before


def test_small_file_loads_exactly(db: Database, tmp_path: Path) -> None:
    result = _import(db, _small(tmp_path))
    assert result.counts == {"trade_flows": 3, "countries_added": 4}  # CHN, DEU, NLD, S19
    with db.session() as session:
        flows = session.exec(select(TradeFlow).order_by(TradeFlow.id)).all()  # type: ignore[arg-type]
        assert [(f.exporter_iso3, f.importer_iso3, f.product, f.value_kusd, f.qty_t) for f in flows] == [
            ("CHN", "NLD", "260800", 100.5, 20.0),
            ("S19", "NLD", "030110", 3.25, None),
            ("NLD", "DEU", "260800", 1.5, 0.5),
        ]
        assert math.fsum(f.value_kusd for f in flows) == 105.25
        assert [d.format for d in session.exec(select(Dataset))] == ["baci"]


def test_registry_finds_the_importer() -> None:
    assert importer("baci") is import_baci


# ---------------------------------------------------------------------------------------------------- bad inputs
#: case -> (old text, new text, row, column, words in the problem)
BAD_CASES: dict[str, tuple[str, str, int | None, str | None, str]] = {
    "negative value": ("NLD,DEU,260800,1.5,", "NLD,DEU,260800,-1.5,", 4, "value_kusd", "-1.5 is out of range"),
    "non-numeric value": ("NLD,DEU,260800,1.5,", "NLD,DEU,260800,1.5k,", 4, "value_kusd", "'1.5k' is not a number"),
    "non-numeric quantity": ("260800,100.5,20", "260800,100.5,twenty", 2, "qty_t", "'twenty' is not a number"),
    "missing value": ("NLD,DEU,260800,1.5,", "NLD,DEU,260800,,", 4, "value_kusd", "value is missing"),
    "year out of range": ("2022,CHN", "1890,CHN", 2, "year", "1890 is out of range"),
    "fractional year": ("2022,CHN", "2022.5,CHN", 2, "year", "2022.5 is not a whole number"),
    "five-digit code": ("NLD,DEU,260800", "NLD,DEU,26080", 4, "hs92", "'26080' is not a 6-digit HS code"),
    "unknown country": ("2022,CHN,NLD", "2022,XXX,NLD", 2, "exporter_iso3", "unknown code 'XXX'"),
    "exporter is importer": ("NLD,DEU,", "NLD,NLD,", 4, "importer_iso3", "exporter and importer are both 'NLD'"),
    "duplicate flow": (
        "2022,NLD,DEU,260800,1.5,0.5",
        "2022,CHN,NLD,260800,7,1",
        4,
        "year, exporter_iso3, importer_iso3, hs92",
        "duplicate flow 2022/CHN/NLD/260800 (first at row 2)",
    ),
    "missing column": ("hs92,value_kusd", "hs,value_kusd", 1, "hs92", "required column is missing"),
    "short row": ("S19,NLD,030110,3.25,", "S19,NLD,030110,3.25", 3, None, "the row has 5 cells but the header has 6"),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_input_is_reported_and_nothing_written(db: Database, tmp_path: Path, case: str) -> None:
    old, new, row, column, words = BAD_CASES[case]
    assert old in SMALL
    keep = tmp_path / "keep.csv"
    keep.write_text(SMALL, encoding="utf-8")
    _import(db, keep)  # rows that must survive the failed import
    before = row_counts(db)
    with pytest.raises(DataValidationError) as info:
        _import(db, _small(tmp_path, SMALL.replace(old, new, 1)))
    problems = info.value.problems
    assert any(p.file == "baci.csv" and p.row == row and p.column == column and words in p.problem for p in problems), (
        info.value.report()
    )
    assert all(p.fix for p in problems)
    assert row_counts(db) == before


def test_every_problem_is_collected_at_once(db: Database, db_url: str, tmp_path: Path) -> None:
    text = SMALL.replace("2022,CHN", "1890,CHN").replace("S19,NLD,030110,3.25", "S19,NLD,030110,abc")
    with pytest.raises(DataValidationError) as info:
        _import(db, _small(tmp_path, text.replace("NLD,DEU", "NLD,ZZZ")))
    where = {(p.row, p.column) for p in info.value.problems}
    assert where == {(2, "year"), (3, "value_kusd"), (4, "importer_iso3")}


def test_encoding_empty_and_size_are_refused(db: Database, tmp_path: Path) -> None:
    before = row_counts(db)
    latin = tmp_path / "latin.csv"
    latin.write_bytes(SMALL.replace("2022,NLD,DEU", "2022,NLD,DEU\u00e9").encode("latin-1"))
    with pytest.raises(DataValidationError) as info:
        _import(db, latin)
    (problem,) = info.value.problems
    assert (problem.file, problem.row) == ("latin.csv", 4) and "not valid UTF-8" in problem.problem
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(DataValidationError, match="the file is empty"):
        _import(db, empty)
    with pytest.raises(DataValidationError, match="above the limit"):
        _import(db, _small(tmp_path), max_bytes=50)
    with pytest.raises(DataValidationError, match="file not found"):
        _import(db, tmp_path / "absent.csv")
    assert row_counts(db) == before
