"""The template importer: a hand-checked fixture loads exactly; every bad input is reported and nothing is written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlmodel import select

from deps.errors import DataValidationError
from deps.ingest.template import import_template
from deps.store.db import Database
from deps.store.models import Country, Dataset, Edge, Firm, Node, NodeMarket, Provision
from tests.helpers import row_counts

pytestmark = pytest.mark.integration  # a database, the CLI or the app end to end: make test, not make check

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "template_small"
MAX = 10_000_000


def _import(db: Database, path: Path, dataset: str = "t") -> object:
    with db.session() as session:
        return import_template(
            path, session=session, dataset=dataset, user="tester", max_bytes=MAX, share_tolerance=0.02
        )


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "tpl"
    shutil.copytree(FIXTURE, target)
    return target


def test_fixture_loads_exactly(db: Database) -> None:
    result = _import(db, FIXTURE)
    assert result.counts == {"markets": 1, "sources": 1, "nodes": 3, "edges": 2, "firms": 1, "provision": 5}
    with db.session() as session:
        ore = session.exec(select(Node).where(Node.code == "ore")).one()
        shares = {p.country_iso3: p.share for p in session.exec(select(Provision).where(Provision.node_id == ore.id))}
        # 60% and 30% as fractions; USA is a known supplier with an unknown share: None, never 0
        assert shares == {"CHN": 0.6, "AUS": 0.3, "USA": None}
        firm = session.exec(select(Firm)).one()
        assert firm.hq_iso3 == "NLD"
        firm_row = session.exec(select(Provision).where(Provision.firm_id == firm.id)).one()
        assert firm_row.country_iso3 == "NLD" and firm_row.share == 1.0
        assert session.get(Country, "CHN") is not None  # added from ISO 3166 when first referenced
        chip = session.exec(select(Node).where(Node.code == "chip")).one()
        assert session.exec(select(NodeMarket.market_id).where(NodeMarket.node_id == chip.id)).all() == [
            "semiconductors"
        ]
        assert len(session.exec(select(Edge)).all()) == 2


def test_same_files_twice_create_no_duplicates(db: Database, tmp_path: Path) -> None:
    first = _import(db, FIXTURE)
    before = row_counts(db)
    second = _import(db, FIXTURE)
    assert second.unchanged and second.version == first.version == 1
    assert row_counts(db) == before
    changed = _copy(tmp_path)
    (changed / "nodes.csv").write_text(
        (changed / "nodes.csv").read_text() + "extra,Extra,service,chemistry,,,,,fx,2024\n"
    )
    third = _import(db, changed)
    assert third.version == 2 and not third.unchanged
    with db.session() as session:
        assert [d.version for d in session.exec(select(Dataset).where(Dataset.name == "t"))] == [1, 2]


def _edit(path: Path, table: str, old: str, new: str) -> None:
    file = path / f"{table}.csv"
    text = file.read_text(encoding="utf-8")
    assert old in text, f"fixture no longer holds {old!r}"
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


BAD_CASES = {
    "share above 100": ("provision", "ore,country,CHN,60,", "ore,country,CHN,160,", "share_pct", "out of range"),
    "shares sum above 100": ("provision", "ore,country,AUS,30,", "ore,country,AUS,45,", "share_pct", "add up to 105"),
    "unknown country": ("provision", "ore,country,AUS,", "ore,country,XYZ,", "supplier_id", "'XYZ' does not exist"),
    "dangling node": ("provision", "tool,firm,acme", "tooling,firm,acme", "node_id", "'tooling' does not exist"),
    "dangling firm": ("provision", "tool,firm,acme", "tool,firm,acne", "supplier_id", "firm 'acne' does not exist"),
    "duplicate id": ("nodes", "tool,Tool,tool", "ore,Tool,tool", "node_id", "duplicate node_id"),
    "cycle": ("edges", "tool,chip,goes_into", "chip,ore,goes_into", "from_node, to_node", "cycle: "),
    "non-numeric": ("provision", "ore,country,CHN,60,", "ore,country,CHN,sixty,", "share_pct", "not a number"),
    "bad kind": ("nodes", "tool,Tool,tool", "tool,Tool,gadget", "kind", "'gadget' is not allowed"),
    "uncited": (
        "provision",
        "2024,fx,observed,low,share unknown",
        "2024,,observed,low,share unknown",
        "source_id",
        "missing",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_input_is_reported_and_nothing_written(db: Database, tmp_path: Path, case: str) -> None:
    table, old, new, column, words = BAD_CASES[case]
    path = _copy(tmp_path)
    _edit(path, table, old, new)
    before = row_counts(db)
    with pytest.raises(DataValidationError) as info:
        _import(db, path)
    problems = info.value.problems
    assert any(p.column == column and words in p.problem for p in problems), info.value.report()
    assert all(p.fix for p in problems)
    assert row_counts(db) == before


def test_cycle_is_named(db: Database, db_url: str, tmp_path: Path) -> None:
    path = _copy(tmp_path)
    (path / "edges.csv").write_text(
        (path / "edges.csv").read_text() + "chip,tool,goes_into,fx,2024,observed,high,\n", encoding="utf-8"
    )
    with pytest.raises(DataValidationError) as info:
        _import(db, path)
    assert any("tool -> chip -> tool" in p.problem or "chip -> tool -> chip" in p.problem for p in info.value.problems)


def test_every_problem_is_collected_at_once(db: Database, db_url: str, tmp_path: Path) -> None:
    path = _copy(tmp_path)
    _edit(path, "provision", "ore,country,CHN,60,", "ore,country,CHN,abc,")
    _edit(path, "nodes", "tool,Tool,tool", "tool,Tool,gadget")
    _edit(path, "firms", "acme,Acme Tools,NLD", "acme,Acme Tools,ZZZ")
    with pytest.raises(DataValidationError) as info:
        _import(db, path)
    files = {(p.file, p.row, p.column) for p in info.value.problems}
    assert ("provision.csv", 2, "share_pct") in files
    assert ("nodes.csv", 3, "kind") in files
    assert ("firms.csv", 2, "hq_iso3") in files


def test_wrong_encoding_names_the_row(db: Database, db_url: str, tmp_path: Path) -> None:
    path = _copy(tmp_path)
    text = (path / "nodes.csv").read_text(encoding="utf-8").replace("Tool,tool", "Tööl,tool")
    (path / "nodes.csv").write_bytes(text.encode("latin-1"))
    with pytest.raises(DataValidationError) as info:
        _import(db, path)
    (problem,) = info.value.problems
    assert problem.file == "nodes.csv" and problem.row == 3 and "UTF-8" in problem.problem


def test_missing_column_empty_and_huge_files(db: Database, tmp_path: Path) -> None:
    path = _copy(tmp_path)
    (path / "edges.csv").write_text("from_node,to_node\nore,chip\n", encoding="utf-8")
    (path / "firms.csv").write_bytes(b"")
    with pytest.raises(DataValidationError) as info:
        _import(db, path)
    report = info.value.report()
    assert "edges.csv, row 1, column 'relation': required column is missing" in report
    assert "firms.csv: the file is empty" in report
    with db.session() as session, pytest.raises(DataValidationError) as huge:
        import_template(FIXTURE, session=session, dataset="t", user="u", max_bytes=50, share_tolerance=0.02)
    assert "above the limit" in huge.value.report()


def test_binary_content_with_csv_name_is_refused(db: Database, db_url: str, tmp_path: Path) -> None:
    path = _copy(tmp_path)
    (path / "nodes.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(DataValidationError) as info:
        _import(db, path)
    assert "binary file" in info.value.report()


def test_xlsx_workbook_imports_like_the_folder(db: Database, db_url: str, tmp_path: Path) -> None:
    import pandas as pd

    workbook = tmp_path / "template.xlsx"
    with pd.ExcelWriter(workbook, engine="openpyxl") as writer:
        for csv in sorted(FIXTURE.glob("*.csv")):
            pd.read_csv(csv, dtype=str, keep_default_na=False).to_excel(writer, sheet_name=csv.stem, index=False)
    result = _import(db, workbook, dataset="xl")
    assert result.counts["provision"] == 5 and result.counts["nodes"] == 3


def test_encoding_error_row_counts_records_not_lines(db: Database, db_url: str, tmp_path: Path) -> None:
    path = _copy(tmp_path)
    text = (path / "nodes.csv").read_text(encoding="utf-8")
    text = text.replace(
        "ore,Ore,material,semiconductors,,261690,critical,,",
        'ore,Ore,material,semiconductors,,261690,critical,"two\nlines",',
    )
    text = text.replace("Tool,tool", "Tööl,tool")
    (path / "nodes.csv").write_bytes(text.encode("latin-1"))
    with pytest.raises(DataValidationError) as info:
        _import(db, path)
    (problem,) = info.value.problems
    assert problem.row == 3  # the tool record is row 3 although it starts on physical line 4


def _alternatives(path: Path, rows: str) -> None:
    """Rewrite edges.csv with the optional share_pct and factor columns and the given extra rows."""
    (path / "nodes.csv").write_text(
        (path / "nodes.csv").read_text() + "ore2,Ore two,material,semiconductors,,,,,fx,2024\n", encoding="utf-8"
    )
    (path / "edges.csv").write_text(
        "from_node,to_node,relation,share_pct,factor,source_id,year,evidence,confidence,note\n"
        "ore,chip,goes_into,,,fx,2024,observed,high,\n"
        "tool,chip,goes_into,,,fx,2024,observed,high,\n" + rows,
        encoding="utf-8",
    )


def test_type_shares_and_substitutes_load(db: Database, tmp_path: Path) -> None:
    path = _copy(tmp_path)
    _alternatives(
        path, "ore2,ore,substitutes,,0.6,fx,2024,expert,medium,\nore2,tool,is_type_of,40,,fx,2024,observed,high,\n"
    )
    _import(db, path)
    with db.session() as session:
        edges = {e.relation: (e.share, e.factor) for e in session.exec(select(Edge)).all() if e.relation != "goes_into"}
    assert edges == {"substitutes": (None, 0.6), "is_type_of": (0.4, None)}


@pytest.mark.parametrize(
    ("rows", "column", "words"),
    [
        ("ore2,ore,substitutes,,,fx,2024,expert,medium,\n", "factor", "without its factor"),
        ("ore2,ore,substitutes,,1.5,fx,2024,expert,medium,\n", "factor", "out of range"),
        ("ore2,ore,goes_into,50,,fx,2024,observed,high,\n", "share_pct", "not is_type_of"),
        (
            "ore2,tool,is_type_of,70,,fx,2024,observed,high,\nore,tool,is_type_of,60,,fx,2024,observed,high,\n",
            "share_pct",
            "130",
        ),
    ],
)
def test_bad_alternatives_are_reported(db: Database, tmp_path: Path, rows: str, column: str, words: str) -> None:
    path = _copy(tmp_path)
    _alternatives(path, rows)
    before = row_counts(db)
    with pytest.raises(DataValidationError) as info:
        _import(db, path)
    assert any(p.column == column and words in p.problem for p in info.value.problems), info.value.report()
    assert row_counts(db) == before
