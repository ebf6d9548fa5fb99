"""Effect curves with provenance: the seed's table passes, and bad tables are reported by file, row, column and fix."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from deps.errors import Problem
from deps.ingest.effects import EFFECT_OPTIONAL, EFFECT_REQUIRED, SLOPES, check_effects
from deps.ingest.validation import TableCheck

pytestmark = pytest.mark.integration  # a database, the CLI or the app end to end: make test, not make check

DATA = Path(__file__).resolve().parents[1] / "data"
LINES = {"financing", "regulation"}
GOOD = {
    "action_line_id": "financing",
    "dependency_kind": "concentration",
    "segment": "1",
    "length_meur": "20",
    "slope_low": "0.001",
    "slope_central": "0.002",
    "slope_high": "0.005",
    "source_id": "pub",
    "evidence": "publication",
    "confidence": "low",
    "judged_by": "",
    "reasoning": "a published figure divided by its budget",
    "reduction_per_meur": "",
}


def _check(rows: list[dict[str, str]], sources: set[str] | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    columns = [*EFFECT_REQUIRED, *EFFECT_OPTIONAL]
    frame = pd.DataFrame([{c: row.get(c, "") for c in columns} for row in rows], columns=columns)
    problems: list[Problem] = []
    data = check_effects(TableCheck("effects.csv", frame, problems), lines=LINES, sources=sources or {"pub", ""})
    return data, problems


def _row(**changes: str) -> dict[str, str]:
    return {**GOOD, **changes}


def test_the_seed_effects_table_is_valid_and_cites_publications() -> None:
    raw = pd.read_csv(DATA / "effects.csv", dtype=str, keep_default_na=False)
    for column in EFFECT_OPTIONAL:
        raw[column] = raw.get(column, "")
    sources = set(pd.read_csv(DATA / "sources.csv", dtype=str)["source_id"]) | {""}
    lines = set(pd.read_csv(DATA / "action_lines.csv", dtype=str)["action_line_id"])
    problems: list[Problem] = []
    data = check_effects(TableCheck("effects.csv", raw, problems), lines=lines, sources=sources)
    assert problems == []
    assert (data["slope_low"] <= data["slope_central"]).all() and (data["slope_central"] <= data["slope_high"]).all()
    assert (data["slope_low"] < data["slope_high"]).all(), "every segment states a range"
    assert set(data["evidence"]) == {"publication", "evaluation", "expert"}
    assert (data["source_id"] != "").all() and "methods_s7" not in set(data["source_id"])
    assert (data.loc[data["evidence"] == "expert", "judged_by"] != "").all()


def test_a_good_row_passes() -> None:
    data, problems = _check([GOOD])
    assert problems == [] and data.loc[0, "slope_central"] == pytest.approx(0.002)


@pytest.mark.parametrize(
    ("changes", "column", "words"),
    [
        ({"slope_low": "0.003"}, "slope_low", "above slope_central"),
        ({"slope_high": "0.0015"}, "slope_high", "below slope_central"),
        ({"slope_central": "abc"}, "slope_central", "not a number"),
        ({"slope_high": "1.5"}, "slope_high", "out of range"),
        ({"slope_low": ""}, "slope_low", "missing"),
        ({"evidence": "hearsay"}, "evidence", "not allowed"),
        ({"source_id": ""}, "source_id", "without a source"),
        ({"source_id": "nowhere"}, "source_id", "nowhere"),
        ({"evidence": "expert", "judged_by": ""}, "judged_by", "who judged"),
        ({"reasoning": ""}, "reasoning", "missing"),
        ({"action_line_id": "lobbying"}, "action_line_id", "lobbying"),
        ({"length_meur": "0"}, "length_meur", "length 0"),
    ],
)
def test_bad_cells_name_file_row_column_and_fix(changes: dict[str, str], column: str, words: str) -> None:
    _data, problems = _check([GOOD, _row(segment="2", **changes)])
    assert problems, "the bad row must be reported"
    hits = [p for p in problems if p.column == column and words in p.problem]
    assert hits, [p.as_dict() for p in problems]
    assert hits[0].file == "effects.csv" and hits[0].row == 3 and hits[0].fix


def test_each_slope_series_must_be_concave_and_bounded() -> None:
    steeper = _row(segment="2", slope_low="0.001", slope_central="0.003", slope_high="0.005")
    _data, problems = _check([GOOD, steeper])
    assert any(p.column == "slope_central" and "not concave" in p.problem for p in problems)
    too_much = _row(length_meur="300")
    _data, problems = _check([too_much])
    assert any(p.column == "length_meur" and "at slope_high" in p.problem for p in problems)


def test_the_old_single_slope_column_is_reported_with_its_fix() -> None:
    old = {**{c: "" for c in SLOPES}, "reduction_per_meur": "0.002"}
    _data, problems = _check([_row(**old)])
    table = [p for p in problems if p.row is None]
    assert table and table[0].column == "reduction_per_meur" and "slope_central" in table[0].fix


def _resilience(rows: list[dict[str, str]]) -> tuple[pd.DataFrame, list[Problem]]:
    from deps.ingest.resilience import RESILIENCE_OPTIONAL, RESILIENCE_REQUIRED, check_node_resilience

    columns = [*RESILIENCE_REQUIRED, *RESILIENCE_OPTIONAL]
    frame = pd.DataFrame([{c: row.get(c, "") for c in columns} for row in rows], columns=columns)
    problems: list[Problem] = []
    data = check_node_resilience(TableCheck("node_resilience.csv", frame, problems), nodes={"n"}, sources={"pub"})
    return data, problems


def test_the_seed_node_resilience_table_is_valid() -> None:
    from deps.ingest.resilience import RESILIENCE_OPTIONAL, check_node_resilience

    raw = pd.read_csv(DATA / "node_resilience.csv", dtype=str, keep_default_na=False)
    for column in RESILIENCE_OPTIONAL:
        raw[column] = raw.get(column, "")
    nodes = set(pd.read_csv(DATA / "nodes.csv", dtype=str)["node_id"])
    sources = set(pd.read_csv(DATA / "sources.csv", dtype=str)["source_id"])
    problems: list[Problem] = []
    data = check_node_resilience(TableCheck("node_resilience.csv", raw, problems), nodes=nodes, sources=sources)
    assert problems == []
    assert data["substitutability"].notna().sum() >= 25 and data["recovery_months"].notna().sum() >= 10


@pytest.mark.parametrize(
    ("changes", "column", "words"),
    [
        ({"substitutability": "1.2"}, "substitutability", "out of range"),
        ({"substitutability_low": "0.6"}, "substitutability", "not ordered"),
        ({"substitutability_source_id": ""}, "substitutability_source_id", "without a source"),
        ({"substitutability": "", "substitutability_low": "0.1"}, "substitutability", "without its value"),
        ({"node_id": "ghost"}, "node_id", "ghost"),
        ({"recovery_months": "-3", "recovery_source_id": "pub"}, "recovery_months", "out of range"),
    ],
)
def test_bad_resilience_rows_are_reported(changes: dict[str, str], column: str, words: str) -> None:
    good = {
        "node_id": "n",
        "substitutability_low": "0.05",
        "substitutability": "0.1",
        "substitutability_high": "0.15",
        "substitutability_source_id": "pub",
        "evidence": "observed",
    }
    _data, problems = _resilience([{**good, **changes}])
    hits = [p for p in problems if p.column == column and words in p.problem]
    assert hits and hits[0].row == 2 and hits[0].fix, [p.as_dict() for p in problems]
