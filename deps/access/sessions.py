"""Signed-in sessions that survive a browser refresh, and users changing their own password.

A session is a random token (``secrets.token_urlsafe(32)``, 256 bits) that the browser keeps in a cookie; the
database keeps only its SHA-256 in ``app_session``, so the token cannot be forged or recovered from the database.
Every request resumes the session by that hash: it must exist, not be revoked, have been used within
``session_minutes`` and belong to an active user, whose role is read afresh.  Logout revokes the token, so every
tab holding it is signed out; a password change revokes all of the user's sessions.

A generated one-time password (``users add`` without a password, ``users reset-password``, the first admin) must be
changed at the next login: :func:`password_change_required` reads the newest password event
of the user from the audit log.

Examples
--------
>>> token_digest("abc")[:16]
'ba7816bf8f01cfea'
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from deps.access import audit
from deps.access.auth import MIN_PASSWORD_LENGTH, PASSWORD_HASHER, Actor, _check_password, _utc, _verify, require
from deps.access.passwords import check_password_policy
from deps.errors import AuthenticationError, DepsError
from deps.store.db import Database
from deps.store.models import AppSession, AuditEvent, User, utcnow

__all__ = [
    "PASSWORD_EVENTS",
    "change_password",
    "end_session",
    "open_session",
    "password_change_required",
    "resume_session",
    "token_digest",
]

#: Audit actions that set a user's password; the newest decides whether the user must change it.
PASSWORD_EVENTS = ("user_added", "password_reset", "password_changed")
#: A session's ``last_seen`` is written at most this often (one write per minute, not one per click).
TOUCH_SECONDS = 60
WRONG_CURRENT = "the current password is wrong"


def token_digest(token: str) -> str:
    """The SHA-256 (hex) under which a session token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(db: Database, actor: Actor, *, now: datetime | None = None) -> str:
    """Open a session for a user who has just authenticated; return the token for the browser (shown nowhere)."""
    require(actor, "read")
    token = secrets.token_urlsafe(32)
    moment = _utc(now or utcnow())
    with db.session() as session:
        session.add(
            AppSession(token_hash=token_digest(token), user_name=actor.name, created_at=moment, last_seen=moment)
        )
    return token


def resume_session(db: Database, token: str, *, minutes: int, now: datetime | None = None) -> Actor:
    """The user of a live session, with the role the database holds now; touches ``last_seen``.

    Raises
    ------
    AuthenticationError
        When the token is unknown, revoked, unused for ``minutes`` or longer, or its user is gone or inactive.
    """
    moment = _utc(now or utcnow())
    with db.session() as session:
        row = session.exec(select(AppSession).where(AppSession.token_hash == token_digest(token))).first()
        if row is None or row.revoked_at is not None:
            raise AuthenticationError("the session has ended: log in again")
        if moment - _utc(row.last_seen) >= timedelta(minutes=minutes):
            raise AuthenticationError("the session expired after inactivity: log in again")
        user = session.exec(select(User).where(User.name == row.user_name)).first()
        if user is None or not user.active:
            raise AuthenticationError("the account is unknown or inactive: log in again")
        if (moment - _utc(row.last_seen)).total_seconds() >= TOUCH_SECONDS:
            row.last_seen = moment
            session.add(row)
        return Actor(user.name, user.role)


def _revoke(session: Session, condition: ColumnElement[bool], *, moment: datetime) -> int:
    rows = session.exec(select(AppSession).where(col(AppSession.revoked_at).is_(None), condition)).all()
    for row in rows:
        row.revoked_at = moment
        session.add(row)
    return len(rows)


def end_session(db: Database, token: str, *, now: datetime | None = None) -> None:
    """Revoke one session (logout): every tab holding this token is signed out at its next click."""
    moment = _utc(now or utcnow())
    with db.session() as session:
        ended = _revoke(session, col(AppSession.token_hash) == token_digest(token), moment=moment)
        row = session.exec(select(AppSession.user_name).where(AppSession.token_hash == token_digest(token))).first()
        if ended and row:
            audit.append(session, user=row, action="logout", target=row)


def password_change_required(db: Database, actor: Actor) -> bool:
    """Whether the signed-in ``actor`` still holds a one-time password: the newest password event of the user in
    the audit log is a generated password (``user_added`` with a generated password, or ``password_reset``)."""
    require(actor, "read")
    name = actor.name
    with db.session() as session:
        newest = session.exec(
            select(AuditEvent.action, AuditEvent.details_json)
            .where(AuditEvent.target == name, col(AuditEvent.action).in_(PASSWORD_EVENTS))
            .order_by(col(AuditEvent.id).desc())
            .limit(1)
        ).first()
    if newest is None:
        return False
    action, details = newest
    if action == "user_added":
        return json.loads(details or "{}").get("password") == "generated"
    return action == "password_reset"


def change_password(
    db: Database,
    actor: Actor,
    current: str,
    new: str,
    *,
    min_length: int = MIN_PASSWORD_LENGTH,
    min_score: int = 3,
    now: datetime | None = None,
) -> None:
    """Set the acting user's own password after checking the current one and the password rules.

    Every other session of the user ends (a stolen session does not survive the change); the change is audited as
    ``password_changed``.

    Raises
    ------
    AuthenticationError
        When ``current`` is wrong or the account is gone or inactive.
    DepsError
        When ``new`` breaks the password rules (:func:`deps.access.passwords.check_password_policy`: length and
        the zxcvbn score, settings ``DEPS_PASSWORD_MIN_LENGTH`` and ``DEPS_PASSWORD_MIN_SCORE``) or equals the
        current password.
    """
    require(actor, "read")
    moment = _utc(now or utcnow())
    with db.session() as session:
        digest = session.exec(
            select(User.password_hash).where(User.name == actor.name, col(User.active).is_(True))
        ).first()
    if not _verify(digest, current):
        raise AuthenticationError(WRONG_CURRENT)
    if new == current:
        raise DepsError("the new password must differ from the current one")
    _check_password(actor.name, new)
    check_password_policy(new, (actor.name, actor.role, "deps"), min_length=min_length, min_score=min_score)
    fresh = PASSWORD_HASHER.hash(new)
    with db.session() as session:
        user = session.exec(select(User).where(User.name == actor.name)).first()
        if user is None or not user.active:
            raise AuthenticationError("the account is unknown or inactive: log in again")
        user.password_hash = fresh
        session.add(user)
        ended = _revoke(session, col(AppSession.user_name) == actor.name, moment=moment)
        audit.append(
            session, user=actor.name, action="password_changed", target=actor.name, details={"sessions_ended": ended}
        )
