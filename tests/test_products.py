"""The HS92 product table shipped in data/: complete, regenerable, and validated when read."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deps.errors import DataValidationError
from deps.ingest.products import hs92_names, read_hs92_names
from tests.conftest import REPO_ROOT, SHARED_DATA


def test_the_shipped_table_names_every_code_of_the_bundled_trade_flows() -> None:
    names = hs92_names()
    assert len(names) == 5022  # CEPII BACI HS92 V202401b: 5,022 product codes
    assert names["811230"] == "Germanium: including waste and scrap"
    assert names["260300"] == "Copper ores and concentrates"
    flows = SHARED_DATA / "baci-rawmaterials-2022" / "baci_hs92_2022.csv"
    if not flows.is_file():
        pytest.skip("../shared/data is not present")
    with flows.open(encoding="utf-8") as handle:
        codes = {row["hs92"] for row in csv.DictReader(handle)}
    assert len(codes) == 71 and codes <= set(names)


def _write(path: Path, rows: list[tuple[str, ...]], header: str = "hs92,description,source") -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(header + "\n")
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return path


def test_a_damaged_table_is_refused_with_every_problem(tmp_path: Path) -> None:
    rows = [("260300", "Copper ores", "x"), ("2603", "Short code", "x"), ("260300", "Again", "x"), ("811230", "", "")]
    with pytest.raises(DataValidationError) as refused:
        read_hs92_names(_write(tmp_path / "p.csv", rows))
    found = {(p.row, p.column) for p in refused.value.problems}
    assert found == {(2, "hs92"), (3, "hs92"), (4, "description"), (4, "source")}
    with pytest.raises(DataValidationError, match="column missing"):
        read_hs92_names(_write(tmp_path / "q.csv", [("260300", "Copper ores")], header="hs92,description"))


@given(st.lists(st.tuples(st.text(max_size=8), st.text(max_size=20), st.sampled_from(["", "CEPII"])), max_size=12))
def test_any_table_is_either_read_whole_or_refused(rows: list[tuple[str, str, str]]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = _write(Path(folder) / "p.csv", rows)
        try:
            names = read_hs92_names(path)
        except DataValidationError as refused:
            assert refused.problems and all(p.file == "p.csv" for p in refused.problems)
        else:
            assert all(len(code) == 6 and code.isalnum() and text for code, text in names.items())


def test_the_build_script_reads_the_baci_product_table(tmp_path: Path) -> None:
    import importlib.util
    import sqlite3

    spec = importlib.util.spec_from_file_location("build_hs92", REPO_ROOT / "scripts" / "build_hs92_products.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    SOURCE, TABLE, build = script.SOURCE, script.TABLE, script.build

    database = tmp_path / "baci.db"
    with sqlite3.connect(database) as conn:
        conn.execute(f'CREATE TABLE "{TABLE}" (code TEXT, description TEXT)')
        conn.executemany(
            f'INSERT INTO "{TABLE}" VALUES (?, ?)',
            [("811230", "Germanium:  including waste and scrap"), ("9999AA", "Not specified"), ("10111", "Horses")],
        )
    text = build(database)
    assert text.splitlines() == [
        "hs92,description,source",
        f"010111,Horses,{SOURCE}",  # a code stored as a number loses its leading zero; the script restores it
        f"811230,Germanium: including waste and scrap,{SOURCE}",
        f"9999AA,Not specified,{SOURCE}",
    ]
    assert read_hs92_names(_write(tmp_path / "p.csv", [])) == {}
