"""The append-only, hash-chained audit log.

Every entry stores the SHA-256 hash of its own content and the hash of the entry before it, so that editing,
deleting or re-ordering entries through plain SQL breaks the chain and :func:`verify` names the entry:

.. math::

    h_i = \\mathrm{SHA256}\\big(\\mathrm{json}[\\,id_i,\\ ts_i,\\ user_i,\\ action_i,\\ target_i,\\
    details_i,\\ h_{i-1}\\,]\\big), \\qquad h_0 = \\texttt{"0"} \\times 64

where ``json`` is the canonical JSON array (no spaces, UTF-8) and ``ts`` the UTC timestamp in ISO 8601 with
microseconds and without an offset (SQLite does not keep offsets, so the canonical form drops it everywhere).

Appending happens inside the caller's transaction, so an audited change and its entry commit or roll back
together.  Two writers must never chain onto the same previous entry:

* PostgreSQL: :func:`append` takes ``LOCK TABLE audit_event IN SHARE ROW EXCLUSIVE MODE`` (it conflicts with
  itself and with plain inserts) before it inserts its row and reads the previous entry; the lock is held until the
  caller's transaction ends, so ids are handed out in commit order.  Rolled-back appends leave gaps in the id
  sequence; that is harmless because entries are linked by ``prev_hash``, not by consecutive ids.
* SQLite: the row is inserted first, which takes the database's single write lock; only then is the entry with
  the largest id below it read and the row's hashes filled in.

What the chain alone cannot show: the removal of the newest entries (the tail) leaves a valid shorter chain
(SQLite may even hand the freed ids out again), and someone who can write the table can rebuild the whole chain.
Keep the newest hash outside the database (``deps audit verify`` prints it) and pass it back as ``anchor``
(``--anchor``) to catch both; keep database backups.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

from deps.access.roles import Actor, require
from deps.store.db import Database
from deps.store.models import AuditEvent, utcnow

__all__ = ["GENESIS_HASH", "AuditReport", "append", "entry_hash", "list_events", "verify"]

log = logging.getLogger(__name__)

#: ``prev_hash`` of the first entry.
GENESIS_HASH = "0" * 64

_PENDING = "pending"
_MAX_USER = 80
_MAX_ACTION = 40
_BATCH = 2000


@dataclass(frozen=True)
class AuditReport:
    """Result of :func:`verify`.

    Parameters
    ----------
    ok
        ``True`` when every entry's hash matches its content and links to the entry before it.
    checked
        Number of entries read.
    problems
        One line per problem, each naming the entry id and what is wrong.
    head_id, head_hash
        Id and hash of the newest entry (``None`` and ``""`` for an empty log); keep the hash outside the
        database and pass it as ``anchor`` later to detect deleted newest entries.
    """

    ok: bool
    checked: int
    problems: list[str] = field(default_factory=list)
    head_id: int | None = None
    head_hash: str = ""

    def as_dict(self) -> dict[str, object]:
        """Return the report as a plain dict (for JSON output)."""
        return asdict(self)


def _canonical_ts(ts: datetime) -> str:
    """UTC ISO 8601 with microseconds and no offset; naive values are taken as UTC (SQLite returns them)."""
    if ts.tzinfo is not None:
        ts = ts.astimezone(UTC).replace(tzinfo=None)
    return ts.isoformat(timespec="microseconds")


def entry_hash(*, id: int, ts: datetime, user: str, action: str, target: str, details_json: str, prev_hash: str) -> str:
    """SHA-256 (hex) of an entry's canonical JSON form; see the module docstring for the formula.

    Examples
    --------
    >>> from datetime import datetime
    >>> h = entry_hash(id=1, ts=datetime(2026, 1, 1), user="u", action="a", target="", details_json="{}",
    ...                prev_hash=GENESIS_HASH)
    >>> len(h)
    64
    """
    payload = [id, _canonical_ts(ts), user, action, target, details_json, prev_hash]
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _details_json(details: Mapping[str, Any] | None) -> str:
    try:
        return json.dumps(dict(details or {}), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"audit details must be JSON-serialisable (str, int, float, bool, None, lists, dicts): {exc}"
        ) from exc


def append(
    session: Session,
    *,
    user: str,
    action: str,
    target: str = "",
    details: Mapping[str, Any] | None = None,
    ts: datetime | None = None,
) -> AuditEvent:
    """Append one entry to the audit log inside the caller's transaction.

    Parameters
    ----------
    session
        An open session; the entry commits or rolls back with the caller's other changes.
    user
        Who did it (an application user, or the OS user for the CLI); at most 80 characters.
    action
        What was done, e.g. ``login``, ``user_added``; at most 40 characters.
    target
        What it was done to (a user name, dataset, run id); may be empty.
    details
        JSON-serialisable extra facts; stored as canonical JSON (sorted keys).
    ts
        Time of the event (default: now, UTC).

    Returns
    -------
    AuditEvent
        The stored entry with its ``id``, ``prev_hash`` and ``hash``.

    Raises
    ------
    ValueError
        When ``user`` or ``action`` is empty or too long.
    """
    if not action or len(action) > _MAX_ACTION:
        raise ValueError(f"audit action {action!r} must have 1 to {_MAX_ACTION} characters")
    if not user or len(user) > _MAX_USER:
        raise ValueError(f"audit user {user!r} must have 1 to {_MAX_USER} characters")
    details_text = _details_json(details)
    when = ts if ts is not None else utcnow()
    when = when.astimezone(UTC) if when.tzinfo is not None else when.replace(tzinfo=UTC)
    if session.get_bind().dialect.name == "postgresql":
        session.connection().execute(sa.text("LOCK TABLE audit_event IN SHARE ROW EXCLUSIVE MODE"))
    event = AuditEvent(
        ts=when,
        user=user,
        action=action,
        target=target,
        details_json=details_text,
        prev_hash=_PENDING,
        hash=_PENDING,
    )
    session.add(event)
    session.flush()  # takes SQLite's write lock and hands out the id
    assert event.id is not None
    previous = session.exec(
        select(AuditEvent.hash).where(col(AuditEvent.id) < event.id).order_by(col(AuditEvent.id).desc()).limit(1)
    ).first()
    event.prev_hash = previous if previous is not None else GENESIS_HASH
    event.hash = entry_hash(
        id=event.id,
        ts=when,
        user=user,
        action=action,
        target=target,
        details_json=details_text,
        prev_hash=event.prev_hash,
    )
    session.add(event)
    session.flush()
    log.debug("audit %s %s %s by %s", event.id, action, target, user)
    return event


def _rows(db: Database) -> Any:
    """Yield every entry as a row mapping, in id order, in batches (keyset pagination)."""
    table = SQLModel.metadata.tables["audit_event"]
    last = -1
    with db.engine.connect() as conn:
        while True:
            batch = conn.execute(
                sa.select(table).where(table.c.id > last).order_by(table.c.id).limit(_BATCH)
            ).mappings()
            rows = list(batch)
            if not rows:
                return
            yield from rows
            last = rows[-1]["id"]


def _require_audit(actor: Actor) -> None:
    require(actor, "audit")  # anything but an Actor is refused as well


def verify(db: Database, *, actor: Actor, anchor: str | None = None) -> AuditReport:
    """Check every entry of the audit log at ``db``.

    Each entry's hash is recomputed from its content (a mismatch means the entry was edited) and its
    ``prev_hash`` is compared with the hash of the entry before it (a mismatch means entries between them were
    deleted, or the chain was re-linked).  The first entry must link to :data:`GENESIS_HASH`.

    Parameters
    ----------
    db
        Database URL.
    actor
        Who asks; must hold ``audit`` (admins).
    anchor
        Optional hash of an entry recorded earlier (e.g. a previous report's ``head_hash``); it must still be
        in the log, which catches the deletion of the newest entries that the chain alone cannot show.

    Returns
    -------
    AuditReport
        ``ok`` is ``True`` when no problem was found; ``problems`` names each entry id and what is wrong.
    """
    _require_audit(actor)
    problems: list[str] = []
    seen: dict[str, int] = {}
    previous: Mapping[str, Any] | None = None
    checked = 0
    for row in _rows(db):
        checked += 1
        entry_id = int(row["id"])
        expected = entry_hash(
            id=entry_id,
            ts=row["ts"],
            user=row["user"],
            action=row["action"],
            target=row["target"],
            details_json=row["details_json"],
            prev_hash=row["prev_hash"],
        )
        if expected != row["hash"]:
            problems.append(
                f"entry {entry_id}: content edited (stored hash {str(row['hash'])[:12]} does not match its "
                f"content, which hashes to {expected[:12]})"
            )
        prev_hash = row["prev_hash"]
        if previous is None:
            if prev_hash != GENESIS_HASH:
                problems.append(
                    f"entry {entry_id}: it is the first entry left but links to an earlier entry "
                    f"(prev_hash {str(prev_hash)[:12]}); the entries before it were deleted"
                )
        elif prev_hash != previous["hash"]:
            prev_id = int(previous["id"])
            if prev_hash in seen:
                problems.append(
                    f"entry {entry_id}: chain re-linked: it links to entry {seen[prev_hash]}, "
                    f"not to entry {prev_id} before it"
                )
            elif entry_id - prev_id > 1:
                missing = f"id {prev_id + 1}" if entry_id - prev_id == 2 else f"ids {prev_id + 1}-{entry_id - 1}"
                problems.append(
                    f"entry {entry_id}: entry deleted: gap after entry {prev_id} ({missing} missing) and entry "
                    f"{entry_id}'s prev_hash does not match entry {prev_id}'s hash"
                )
            else:
                problems.append(
                    f"entry {entry_id}: prev_hash does not match the hash of entry {prev_id} before it "
                    f"(chain re-linked, or entry {prev_id}'s stored hash was edited)"
                )
        seen[str(row["hash"])] = entry_id
        previous = row
    if anchor is not None and anchor not in seen:
        problems.append(
            f"anchor {anchor[:12]}: no entry has this hash any more; entries after it were deleted, "
            "or the log was rebuilt"
        )
    if problems:
        log.warning("audit log verification found %d problem(s)", len(problems))
    head_id = None if previous is None else int(previous["id"])
    head_hash = "" if previous is None else str(previous["hash"])
    return AuditReport(ok=not problems, checked=checked, problems=problems, head_id=head_id, head_hash=head_hash)


def _as_dict(event: AuditEvent) -> dict[str, Any]:
    try:
        details: Any = json.loads(event.details_json)
    except ValueError:
        details = event.details_json
    return {
        "id": event.id,
        "ts": _canonical_ts(event.ts) + "Z",
        "user": event.user,
        "action": event.action,
        "target": event.target,
        "details": details,
        "hash": event.hash,
    }


def list_events(
    db: Database, *, actor: Actor, limit: int = 200, action: str | None = None, user: str | None = None
) -> list[dict[str, Any]]:
    """The newest audit entries first, optionally filtered by action and user.

    Parameters
    ----------
    db
        Database URL.
    actor
        Who asks; must hold ``audit`` (admins).
    limit
        Largest number of entries returned (at least 1).
    action, user
        Keep only entries with exactly this action / user.

    Returns
    -------
    list of dict
        ``id``, ``ts`` (UTC ISO 8601 ending in ``Z``), ``user``, ``action``, ``target``, ``details`` (parsed JSON)
        and ``hash`` of each entry.
    """
    _require_audit(actor)
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    query = select(AuditEvent)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    if user is not None:
        query = query.where(AuditEvent.user == user)
    query = query.order_by(col(AuditEvent.id).desc()).limit(limit)
    with db.session() as session:
        return [_as_dict(event) for event in session.exec(query).all()]
