"""The hash-chained audit log: appending, tamper detection (edit, delete, re-link) and concurrent writers."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from deps.access import audit
from deps.access.auth import Actor
from deps.store.db import Database, upgrade
from deps.store.models import AuditEvent
from tests.helpers import tamper

pytestmark = pytest.mark.integration  # a database, the CLI or the app end to end: make test, not make check

REPO_ROOT = Path(__file__).resolve().parents[1]
AUDITOR = Actor("auditor", "admin")


@pytest.fixture(params=["default", "postgres"])
def db(request: pytest.FixtureRequest) -> Iterator[Database]:
    """A migrated database: the default test database (SQLite, or PostgreSQL with DEPS_TEST_DB) and PostgreSQL."""
    if request.param == "default":
        handle: Database = request.getfixturevalue("empty_db")
        upgrade(handle)
        yield handle
        return
    with Database(str(request.getfixturevalue("pg_url"))) as handle:
        upgrade(handle)
        yield handle


def _fill(db: Database, n: int) -> None:
    for i in range(1, n + 1):
        with db.session() as session:
            audit.append(session, user=f"user{i % 2}", action="test", target=f"t{i}", details={"i": i, "ü": "é"})


def _sql(db: Database, statement: str, **params: object) -> None:
    tamper(db, statement, **params)


def test_entry_hash_is_sha256_of_canonical_json() -> None:
    # The canonical form is a compact JSON array; the timestamp is UTC with microseconds and no offset.
    ts = datetime(2026, 1, 2, 4, 5, 6, 7, tzinfo=timezone(timedelta(hours=2)))
    text = '[7,"2026-01-02T02:05:06.000007","ann","login","ann","{}","' + "0" * 64 + '"]'
    expected = hashlib.sha256(text.encode("utf-8")).hexdigest()
    got = audit.entry_hash(
        id=7, ts=ts, user="ann", action="login", target="ann", details_json="{}", prev_hash=audit.GENESIS_HASH
    )
    assert got == expected
    # A naive timestamp is taken as UTC, so SQLite's naive values hash the same as aware ones.
    naive = datetime(2026, 1, 2, 2, 5, 6, 7)
    assert (
        audit.entry_hash(
            id=7, ts=naive, user="ann", action="login", target="ann", details_json="{}", prev_hash=audit.GENESIS_HASH
        )
        == expected
    )


fields = st.text(max_size=12)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(a=st.tuples(fields, fields, fields), b=st.tuples(fields, fields, fields))
def test_field_boundaries_are_part_of_the_hash(a: tuple[str, str, str], b: tuple[str, str, str]) -> None:
    # ("ab", "c") and ("a", "bc") must not collide: the JSON array keeps the boundaries.
    ts = datetime(2026, 1, 1, tzinfo=UTC)

    def digest(t: tuple[str, str, str]) -> str:
        return audit.entry_hash(
            id=1, ts=ts, user=t[0], action=t[1], target=t[2], details_json="{}", prev_hash=audit.GENESIS_HASH
        )

    assert (digest(a) == digest(b)) == (a == b)


def test_untouched_log_verifies_and_lists(db: Database) -> None:
    _fill(db, 8)
    report = audit.verify(db, actor=AUDITOR)
    assert report.ok and report.checked == 8 and report.problems == []
    events = audit.list_events(db, actor=AUDITOR, limit=3)
    assert [e["id"] for e in events] == [8, 7, 6]
    assert events[0]["details"] == {"i": 8, "ü": "é"}
    assert events[0]["ts"].endswith("Z")
    assert [e["target"] for e in audit.list_events(db, actor=AUDITOR, user="user1")] == ["t7", "t5", "t3", "t1"]
    assert audit.list_events(db, actor=AUDITOR, action="nothing") == []
    with db.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, prev_hash, hash FROM audit_event ORDER BY id")).all()
    assert rows[0].prev_hash == audit.GENESIS_HASH
    assert all(rows[i].prev_hash == rows[i - 1].hash for i in range(1, len(rows)))
    assert len({row.hash for row in rows}) == 8


def test_empty_log_verifies(db: Database) -> None:
    assert audit.verify(db, actor=AUDITOR) == audit.AuditReport(
        ok=True, checked=0, problems=[], head_id=None, head_hash=""
    )


def test_anchor_catches_deleted_newest_entries(db: Database) -> None:
    # Deleting the newest entries leaves a valid shorter chain; only a hash kept elsewhere shows the loss.
    _fill(db, 5)
    head = audit.verify(db, actor=AUDITOR)
    assert head.head_id == 5 and len(head.head_hash) == 64
    assert audit.verify(db, actor=AUDITOR, anchor=head.head_hash).ok
    _sql(db, "DELETE FROM audit_event WHERE id >= 4")
    _fill(db, 1)  # SQLite reuses id 4; the chain is valid again
    assert audit.verify(db, actor=AUDITOR).ok
    report = audit.verify(db, actor=AUDITOR, anchor=head.head_hash)
    assert not report.ok
    assert report.problems == [
        f"anchor {head.head_hash[:12]}: no entry has this hash any more; entries after it were deleted, "
        "or the log was rebuilt"
    ]


def test_edited_entry_is_named(db: Database) -> None:
    _fill(db, 8)
    _sql(db, "UPDATE audit_event SET target='x' WHERE id=3")
    report = audit.verify(db, actor=AUDITOR)
    assert not report.ok and report.checked == 8
    assert len(report.problems) == 1
    assert report.problems[0].startswith("entry 3: content edited")


def test_deleted_entry_is_named(db: Database) -> None:
    _fill(db, 8)
    _sql(db, "DELETE FROM audit_event WHERE id=5")
    report = audit.verify(db, actor=AUDITOR)
    assert not report.ok and report.checked == 7
    assert len(report.problems) == 1
    assert "entry 6" in report.problems[0]
    assert "gap after entry 4" in report.problems[0] and "id 5 missing" in report.problems[0]


def test_deleted_first_entries_are_noticed(db: Database) -> None:
    _fill(db, 4)
    _sql(db, "DELETE FROM audit_event WHERE id IN (1, 2)")
    report = audit.verify(db, actor=AUDITOR)
    assert not report.ok
    assert report.problems == [report.problems[0]] and report.problems[0].startswith("entry 3: it is the first")


def test_relinked_entry_is_named(db: Database) -> None:
    # Remove entry 5 and re-link entry 6 to entry 4, recomputing entry 6's own hash as a careful forger would:
    # entry 6 now verifies on its own, but entry 7 still links to the old hash of entry 6.
    _fill(db, 8)
    with db.engine.connect() as conn:
        table = AuditEvent.__table__  # type: ignore[attr-defined]  # typed columns: SQLite's timestamps come back as datetimes
        rows = {r.id: r for r in conn.execute(sa.select(table)).mappings().all()}
    six = rows[6]
    forged = audit.entry_hash(
        id=6,
        ts=six["ts"],
        user=six["user"],
        action=six["action"],
        target=six["target"],
        details_json=six["details_json"],
        prev_hash=rows[4]["hash"],
    )
    _sql(db, "DELETE FROM audit_event WHERE id=5")
    _sql(db, "UPDATE audit_event SET prev_hash=:p, hash=:h WHERE id=6", p=rows[4]["hash"], h=forged)
    report = audit.verify(db, actor=AUDITOR)
    assert not report.ok
    assert len(report.problems) == 1
    assert report.problems[0].startswith("entry 7: prev_hash does not match the hash of entry 6")
    # Pointing entry 8 back at entry 3 is reported as a re-link.
    _sql(db, "UPDATE audit_event SET prev_hash=:p WHERE id=8", p=rows[3]["hash"])
    problems = audit.verify(db, actor=AUDITOR).problems
    assert any(p.startswith("entry 8: content edited") for p in problems)
    assert any(p.startswith("entry 8: chain re-linked: it links to entry 3") for p in problems)


def test_append_rolls_back_with_the_caller(db: Database) -> None:
    _fill(db, 2)
    with pytest.raises(RuntimeError, match="boom"), db.session() as session:
        audit.append(session, user="ann", action="test", target="rolled back")
        raise RuntimeError("boom")
    _fill(db, 1)
    report = audit.verify(db, actor=AUDITOR)
    assert report.ok and report.checked == 3
    assert "rolled back" not in {e["target"] for e in audit.list_events(db, actor=AUDITOR)}


def test_timestamps_in_other_zones_are_stored_as_utc(db: Database) -> None:
    ts = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=timezone(timedelta(hours=-5)))
    with db.session() as session:
        audit.append(session, user="ann", action="test", ts=ts)
    assert audit.verify(db, actor=AUDITOR).ok
    assert audit.list_events(db, actor=AUDITOR)[0]["ts"] == "2026-03-01T17:00:00.123456Z"


def test_bad_arguments_are_refused(db: Database) -> None:
    with db.session() as session:
        with pytest.raises(ValueError, match="action"):
            audit.append(session, user="ann", action="")
        with pytest.raises(ValueError, match="user"):
            audit.append(session, user="x" * 81, action="test")
        with pytest.raises(TypeError, match="JSON-serialisable"):
            audit.append(session, user="ann", action="test", details={"when": datetime(2026, 1, 1)})
    with pytest.raises(ValueError, match="limit"):
        audit.list_events(db, actor=AUDITOR, limit=0)


def test_threads_appending_at_once_keep_one_chain(db: Database) -> None:
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            for i in range(10):
                with db.session() as session:
                    audit.append(session, user=f"thread{k}", action="test", target=str(i))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = audit.verify(db, actor=AUDITOR)
    assert report.ok, report.problems
    assert report.checked == 40


_WRITER = """
import sys
from deps.access import audit
from deps.store.db import Database

db, k = Database(sys.argv[1]), sys.argv[2]
for i in range(25):
    with db.session() as session:
        audit.append(session, user="proc" + k, action="test", target=str(i))
"""


@pytest.mark.slow
def test_processes_appending_at_once_keep_one_chain(db: Database) -> None:
    # 4 processes x 25 events, each event in its own transaction, all racing for the end of the chain.
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, db.url, str(k)], env=env, cwd=REPO_ROOT, stderr=subprocess.PIPE, text=True
        )
        for k in range(4)
    ]
    for proc in procs:
        _out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    report = audit.verify(db, actor=AUDITOR)
    assert report.ok, report.problems
    assert report.checked == 100
    with db.engine.connect() as conn:
        per_user: dict[str, int] = dict(
            conn.execute(sa.text('SELECT "user", COUNT(*) FROM audit_event GROUP BY "user"')).all()
        )
    assert per_user == {f"proc{k}": 25 for k in range(4)}


def test_the_database_refuses_to_change_or_delete_entries(db: Database) -> None:
    """Migration 0002: without dropping the guard, UPDATE and DELETE of an audit entry fail; appends still work."""
    with db.session() as session:
        audit.append(session, user="ann", action="login")
        audit.append(session, user="ann", action="logout")
    for statement in ("UPDATE audit_event SET target='x' WHERE id=1", "DELETE FROM audit_event WHERE id=2"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), db.engine.begin() as conn:
            conn.execute(sa.text(statement))
    assert audit.verify(db, actor=AUDITOR).ok and audit.verify(db, actor=AUDITOR).checked == 2
