"""Runs: recorded with inputs hash, parameters and code version; tables come back identical."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from deps.access.auth import Actor
from deps.errors import NotFoundError, RunError
from deps.services.runs import frames_hash, get_run, list_runs, record_run, run_tables, table_from_json, table_to_json
from deps.store.db import Database
from tests.helpers import READER

pytestmark = pytest.mark.integration  # a database, the CLI or the app end to end: make test, not make check


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"node": ["a", "b"], "share": [0.1 + 0.2, np.nan], "n": [1, 2], "flag": [True, False]})


def test_table_json_round_trip_is_exact() -> None:
    frame = _frame()
    text = table_to_json(frame)
    back = table_from_json(text)
    pd.testing.assert_frame_equal(back, frame)
    assert back["share"][0] == 0.1 + 0.2  # full double precision survives (0.30000000000000004)
    assert table_to_json(back) == text  # byte-identical second export


def test_frames_hash_is_order_independent_and_content_sensitive() -> None:
    a, b = _frame(), _frame().assign(n=[1, 3])
    assert frames_hash({"x": a, "y": b}) == frames_hash({"y": b, "x": a})
    assert frames_hash({"x": a}) != frames_hash({"x": b})
    assert frames_hash({"x": a}, extra={"home": "NLD"}) != frames_hash({"x": a}, extra={"home": "DEU"})


def test_record_list_show(db: Database) -> None:
    rid = record_run(
        db,
        kind="analysis",
        parameters={"home": "NLD"},
        inputs_hash="abc",
        actor=Actor("tester", "admin"),
        tables={"nodes": _frame()},
        summary={"nodes": 2},
    )
    other = record_run(db, kind="simulation", parameters={}, inputs_hash="def", actor=Actor("u", "admin"), tables={})
    runs = list_runs(db, actor=READER)
    assert {r.id for r in runs} == {rid, other}
    record = get_run(db, rid, actor=READER)
    assert record.parameters == {"home": "NLD"} and record.tables == ["nodes"] and record.user == "tester"
    assert record.code_version
    assert [r.id for r in list_runs(db, kind="simulation", actor=READER)] == [other]
    pd.testing.assert_frame_equal(run_tables(db, rid, actor=READER)["nodes"], _frame())
    with pytest.raises(NotFoundError, match="deps runs list"):
        get_run(db, "nope", actor=READER)
    with pytest.raises(RunError, match="unknown run kind"):
        record_run(db, kind="magic", parameters={}, inputs_hash="", actor=Actor("u", "admin"), tables={})
