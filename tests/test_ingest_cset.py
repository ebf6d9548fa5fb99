"""The CSET / ETO chip-explorer importer on the real folder (golden counts) and on broken copies of it.

Every broken copy must raise one DataValidationError naming file, row, column and fix, and leave the database
exactly as it was (row counts of every table compared, import inside ``db.session()`` so the rollback is real).
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from deps.errors import DataValidationError
from deps.ingest import importer
from deps.ingest.cset import NOT_SUPPLIERS, import_cset
from deps.ingest.dataset import ImportResult
from deps.store.db import Database, upgrade
from deps.store.models import Dataset, Edge, Firm, Market, Node, NodeMarket, NodeSector, Provision, Source
from tests.helpers import row_counts

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
CSET = SHARED / "cset-chip-explorer"
MAX = 50_000_000
TOLERANCE = 0.02  # the default share tolerance (2 percentage points)

pytestmark = [
    pytest.mark.integration,  # a database end to end: make test, not make check
    pytest.mark.skipif(
        not (CSET / "provision.csv").is_file(),
        reason="../shared/data/cset-chip-explorer is not present beside the repo",
    ),
]


def _import(db: Database, path: Path, *, tolerance: float = TOLERANCE, max_bytes: int = MAX) -> ImportResult:
    with db.session() as session:
        return import_cset(
            path, session=session, dataset="cset", user="tester", max_bytes=max_bytes, share_tolerance=tolerance
        )


def _rows(name: str) -> list[dict[str, str]]:
    with (CSET / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, ImportResult]]:
    """A database holding one import of the real folder."""
    db = Database("sqlite:///" + str(tmp_path_factory.mktemp("cset") / "t.sqlite3"))
    upgrade(db)
    yield db, _import(db, CSET)


# ---------------------------------------------------------------------------------------------------- golden
def test_real_folder_loads_everything(loaded: tuple[Database, ImportResult]) -> None:
    db, result = loaded
    providers = _rows("providers.csv")
    provision = _rows("provision.csv")
    placeholder_ids = {r["provider_id"] for r in providers if r["provider_name"] in NOT_SUPPLIERS}
    skipped = sum(r["provider_id"] in placeholder_ids for r in provision)
    organisations = {r["provider_id"] for r in providers if r["provider_type"] == "organization"}
    # 1,300 rows, of which 70 "Various companies", 64 "Various countries" and 5 "EUR" (as counted from the files)
    assert len(provision) == 1300 and skipped == 139
    assert result.counts == {
        "sources": len({r["source"] for r in provision if r["source"] and r["provider_id"] not in placeholder_ids}),
        "nodes": 126 + 3,
        "edges": 139,
        "firms": len(organisations - placeholder_ids),
        "provision": 1300 - skipped,
    }
    assert any("139 of 1300 provision rows" in note and "Various companies (P370): 70" in note for note in result.notes)
    with db.session() as session:
        nodes = session.exec(select(Node)).all()
        assert len([n for n in nodes if n.code.startswith("N")]) == 126
        kinds = {n.code: n.kind for n in nodes}
        assert kinds["N99"] == "final_product" and kinds["N20"] == "tool" and kinds["S2"] == "process"
        assert kinds["N31"] == "material" and kinds["N6"] == "product"
        assert len(session.exec(select(NodeSector).where(NodeSector.sector == "semiconductors")).all()) == 129
        relations = [e.relation for e in session.exec(select(Edge))]
        assert relations.count("goes_into") == 53 and relations.count("is_type_of") == 86
        assert len(session.exec(select(Provision).where(Provision.share.is_(None))).all()) == sum(  # type: ignore[union-attr]
            r["share_provided"] == "" for r in provision if r["provider_id"] not in placeholder_ids
        )


def test_euv_tools_are_dutch_and_asml(loaded: tuple[Database, ImportResult]) -> None:
    db, _result = loaded
    with db.session() as session:
        n20 = session.exec(select(Node).where(Node.code == "N20")).one()
        rows = session.exec(select(Provision).where(Provision.node_id == n20.id)).all()
        country = [(r.country_iso3, r.share, r.basis) for r in rows if r.supplier_type == "country"]
        assert country == [("NLD", 1.0, "headquarters")]
        (firm_row,) = [r for r in rows if r.supplier_type == "firm"]
        firm = session.get(Firm, firm_row.firm_id)
        assert firm is not None and firm.name == "ASML" and firm.hq_iso3 == "NLD"
        assert (firm_row.share, firm_row.country_iso3, firm_row.evidence, firm_row.year) == (
            1.0,
            "NLD",
            "observed",
            2025,
        )
        source = session.get(Source, firm_row.source_id)
        assert source is not None and source.title.startswith("CSET analysis of TechInsights data (2025)")


def test_photoresist_shares_are_unknown_not_zero(loaded: tuple[Database, ImportResult]) -> None:
    db, _result = loaded
    expected = sum(r["provided_id"] == "N31" for r in _rows("provision.csv"))  # 17 suppliers, no share given
    with db.session() as session:
        n31 = session.exec(select(Node).where(Node.code == "N31")).one()
        shares = [r.share for r in session.exec(select(Provision).where(Provision.node_id == n31.id))]
    assert len(shares) == expected == 17 and all(s is None for s in shares)


def test_aliases_collapse_to_one_firm(loaded: tuple[Database, ImportResult]) -> None:
    db, _result = loaded
    with db.session() as session:
        canon = session.exec(select(Firm).where(Firm.code == "P159")).one()
        assert canon.name == "Canon" and canon.hq_iso3 == "JPN"
        assert "Canon ANELVA" in canon.note and "Canon Machinery" in canon.note
        names = [f.name for f in session.exec(select(Firm))]
        assert "Various companies" not in names


def test_stage_shares_carry_their_basis(loaded: tuple[Database, ImportResult]) -> None:
    db, _result = loaded
    with db.session() as session:
        stages = {n.id: n.code for n in session.exec(select(Node).where(Node.code.in_(["S1", "S2", "S3"])))}  # type: ignore[attr-defined]
        rows = session.exec(select(Provision).where(Provision.node_id.in_(list(stages)))).all()  # type: ignore[attr-defined]
    # 21 stage rows minus 3 "EUR" and 3 "Various countries"; S1 is design sales (HQ), S2/S3 site capacity
    assert len(rows) == 15
    basis = {(stages[r.node_id], r.country_iso3): (r.share, r.basis) for r in rows}
    assert basis[("S1", "USA")] == (0.51, "headquarters")
    assert basis[("S2", "TWN")] == (0.18, "capacity")


def test_importing_twice_creates_no_new_version(loaded: tuple[Database, ImportResult]) -> None:
    db, first = loaded
    before = row_counts(db)
    again = _import(db, CSET)
    assert again.unchanged and again.version == first.version == 1
    assert row_counts(db) == before


def test_final_product_links_to_market_only_when_it_exists(
    tmp_path: Path, loaded: tuple[Database, ImportResult]
) -> None:
    _url, first = loaded
    assert any("market 'semiconductors' is not in the market table" in n for n in first.notes)
    db = Database("sqlite:///" + str(tmp_path / "m.sqlite3"))
    upgrade(db)
    with db.session() as session:
        session.add(Market(market_id="semiconductors", name_nl="Halfgeleiders", name_en="Semiconductors"))
    result = _import(db, CSET)
    assert not any("market" in n for n in result.notes)
    with db.session() as session:
        n99 = session.exec(select(Node).where(Node.code == "N99")).one()
        assert session.exec(select(NodeMarket.market_id).where(NodeMarket.node_id == n99.id)).all() == [
            "semiconductors"
        ]


def test_registry_finds_the_importer() -> None:
    assert importer("cset") is import_cset


# ---------------------------------------------------------------------------------------------------- share sums
def test_rounded_country_sums_need_the_tolerance(loaded: tuple[Database, ImportResult], tmp_path: Path) -> None:
    """N84's country shares add up to 102 % (rounding, SOURCE.md): the default 2-point tolerance admits them."""
    db, _result = loaded
    before = row_counts(db)
    with pytest.raises(DataValidationError) as info:
        _import(db, CSET, tolerance=0.019)
    (problem,) = info.value.problems
    assert problem.file == "provision.csv" and problem.column == "share_provided"
    assert "node=N84, supplier_type=country add up to 102%" in problem.problem
    assert row_counts(db) == before


# ---------------------------------------------------------------------------------------------------- bad inputs
def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "cset"
    target.mkdir()
    for name in ("inputs", "stages", "sequence", "providers", "provision"):
        shutil.copy(CSET / f"{name}.csv", target / f"{name}.csv")
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"the real file no longer holds {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _append(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")


#: case -> (file, old text, new text or None to append, problem file, row, column, words in the problem)
BAD_CASES: dict[str, tuple[str, str, str | None, str, int | None, str | None, str]] = {
    "share above 100": (
        "provision", "ASML,P88,EUV lithography tools,N20,100.0,", "ASML,P88,EUV lithography tools,N20,150.0,",
        "provision.csv", 45, "share_provided", "150.0 is out of range",
    ),
    "shares sum above 100 + tolerance": (
        "provision", "USA,P1,EUV lithography tools,N20,5.0,2025,extra", None,
        "provision.csv", 565, "share_provided", "node=N20, supplier_type=country add up to 105%",
    ),
    "unknown country supplier": (
        "providers", "NLD,Netherlands,P45,country,", "NLX,Netherlands,P45,country,",
        "providers.csv", 43, "provider_name", "unknown country code 'NLX'",
    ),
    "unknown headquarters": (
        "providers", "ASML,,P88,organization,NLD", "ASML,,P88,organization,XXX",
        "providers.csv", 85, "country", "unknown country code 'XXX'",
    ),
    "dangling provider id": (
        "provision", "ASML,P88,EUV lithography tools", "ASML,P8888,EUV lithography tools",
        "provision.csv", 45, "provider_id", "provider 'P8888' does not exist",
    ),
    "dangling input id in provision": (
        "provision", "ASML,P88,EUV lithography tools,N20,", "ASML,P88,EUV lithography tools,N2000,",
        "provision.csv", 45, "provided_id", "'N2000' does not exist",
    ),
    "dangling input id in sequence": (
        "sequence", "Crystal growing furnaces,N8,Wafer,N26,,", "Crystal growing furnaces,N8,Wafer,N2600,,",
        "sequence.csv", 2, "goes_into_id", "node 'N2600' does not exist",
    ),
    "duplicate input id": (
        "inputs", "N31,Photoresists,", "N20,Photoresists,",
        "inputs.csv", 31, "input_id", "duplicate input_id 'N20' (first at row 20)",
    ),
    "provider id reused for another provider": (
        "providers", "NLD,Netherlands,P45,country,", "NLD,Netherlands,P88,country,",
        "providers.csv", 85, "provider_id", "duplicate provider id 'P88'",
    ),
    "alias row repeated": (
        "providers", "Canon,Canon Machinery,P159,", "Canon,Canon ANELVA,P159,",
        "providers.csv", 302, "provider_id, alias", "duplicate provider id and alias 'P159/Canon ANELVA'",
    ),
    "cycle": (
        "sequence", "Finished logic chip,N99,Crystal growing furnaces,N8,,", None,
        "sequence.csv", None, "input_id, goes_into_id", "the goes_into edges form a cycle: ",
    ),
    "non-numeric share": (
        "provision", "ASML,P88,EUV lithography tools,N20,100.0,", "ASML,P88,EUV lithography tools,N20,all,",
        "provision.csv", 45, "share_provided", "'all' is not a number",
    ),
    "unknown type": (
        "inputs", "N20,EUV lithography tools,tool_resource,", "N20,EUV lithography tools,gadget,",
        "inputs.csv", 20, "type", "'gadget' is not allowed",
    ),
    "missing column": (
        "provision", "provider_name,provider_id,provided_name,provided_id,share_provided,",
        "provider_name,provider_id,provided_name,provided_id,share,",
        "provision.csv", 1, "share_provided", "required column is missing",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_input_is_reported_and_nothing_written(
    loaded: tuple[Database, ImportResult], tmp_path: Path, case: str
) -> None:
    db, _result = loaded
    table, old, new, file, row, column, words = BAD_CASES[case]
    path = _copy(tmp_path)
    if new is None:
        _append(path / f"{table}.csv", old)
    else:
        _edit(path / f"{table}.csv", old, new)
    before = row_counts(db)
    with pytest.raises(DataValidationError) as info:
        _import(db, path)
    problems = info.value.problems
    assert any(p.file == file and p.row == row and p.column == column and words in p.problem for p in problems), (
        info.value.report()
    )
    assert all(p.fix for p in problems)
    assert row_counts(db) == before


def test_cycle_names_its_nodes(loaded: tuple[Database, ImportResult], tmp_path: Path) -> None:
    db, _result = loaded
    path = _copy(tmp_path)
    _append(path / "sequence.csv", "Finished logic chip,N99,Crystal growing furnaces,N8,,")
    with pytest.raises(DataValidationError) as info:
        _import(db, path)
    (cycle,) = [p.problem for p in info.value.problems if "cycle" in p.problem]
    # N8 (furnaces) -> N26 (wafer) -> ... -> N99 (chip) -> N8: both ends of the added edge are named
    assert "N99 -> N8" in cycle and "N8 -> N26" in cycle


def test_latin1_bytes_are_refused_with_their_row(loaded: tuple[Database, ImportResult], tmp_path: Path) -> None:
    db, _result = loaded
    path = _copy(tmp_path)
    raw = (path / "inputs.csv").read_bytes().replace(b"N20,EUV lithography", b"N20,EUV lithographi\xe9", 1)
    (path / "inputs.csv").write_bytes(raw)
    before = row_counts(db)
    with pytest.raises(DataValidationError) as info:
        _import(db, path)
    (problem,) = info.value.problems
    # N20 is spreadsheet row 20 (header = row 1), although descriptions with line breaks put it on physical line 24
    assert (problem.file, problem.row) == ("inputs.csv", 20) and "not valid UTF-8" in problem.problem
    assert "Latin-1" in problem.fix
    assert row_counts(db) == before


def test_empty_file_missing_folder_and_size_limit(loaded: tuple[Database, ImportResult], tmp_path: Path) -> None:
    db, _result = loaded
    before = row_counts(db)
    path = _copy(tmp_path)
    (path / "stages.csv").write_bytes(b"")
    with pytest.raises(DataValidationError) as empty:
        _import(db, path)
    assert "stages.csv: the file is empty" in empty.value.report()
    with pytest.raises(DataValidationError) as not_folder:
        _import(db, CSET / "inputs.csv")
    assert "is a folder" in not_folder.value.report()
    with pytest.raises(DataValidationError) as huge:
        _import(db, CSET, max_bytes=1000)
    assert {p.file for p in huge.value.problems} == {
        "inputs.csv", "stages.csv", "sequence.csv", "providers.csv", "provision.csv"
    }  # fmt: skip
    assert all("above the limit" in p.problem for p in huge.value.problems)
    assert row_counts(db) == before
    with db.session() as session:
        assert len(session.exec(select(Dataset)).all()) == 1


def test_providers_without_alias_column(tmp_path: Path) -> None:
    """The alias column is optional: keep one row per id, drop the column, and the import still works."""
    path = _copy(tmp_path)
    rows = _rows("providers.csv")
    first: dict[str, dict[str, str]] = {}
    for r in rows:
        first.setdefault(r["provider_id"], r)
    kept = list(first.values())
    with (path / "providers.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[c for c in rows[0] if c != "alias"], extrasaction="ignore")
        writer.writeheader()
        writer.writerows(kept)
    db = Database("sqlite:///" + str(tmp_path / "a.sqlite3"))
    upgrade(db)
    result = _import(db, path)
    assert result.counts["firms"] == len({r["provider_id"] for r in kept if r["provider_type"] == "organization"}) - 1
    with db.session() as session:
        assert session.exec(select(Firm).where(Firm.code == "P159")).one().note == ""
