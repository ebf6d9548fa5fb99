"""Local users, roles and logins.

Roles are ordered ``viewer < analyst < admin``; each role may do everything the roles below it may do.
:data:`ACTIONS` maps every action to the lowest role that may perform it:

================  ========  ==================================================================
action            lowest    what it covers
================  ========  ==================================================================
read              viewer    view datasets, analysis results, runs, reports and assumption sets
analyse           analyst   run analyses (concentration, chokepoints, control points)
simulate          analyst   run disruption simulations
optimise          analyst   run budget optimisations
batch             analyst   start batches of scenarios
export            analyst   download reports and result tables
edit_assumptions  analyst   save new versions of effect-assumption sets (and import them)
import            admin     import datasets
manage_users      admin     add users, change roles, deactivate, reset passwords
audit             admin     read and verify the audit log
================  ========  ==================================================================

Passwords are hashed with argon2id (argon2-cffi's :class:`~argon2.PasswordHasher`, RFC 9106 low-memory profile)
and never stored or logged in clear.  There are no default passwords: :func:`add_user`, :func:`reset_password`
and :func:`ensure_admin` generate a random one (``secrets.token_urlsafe(18)``, 144 bits) and return it once.

Login throttling (:func:`authenticate`): every failed attempt increments the account's ``failed_attempts``; the
``login_max_failures``-th failure in a row locks the account for ``login_lock_seconds`` (the counter restarts
then); a locked account is refused even with the right password until the lock ends.  Unknown names cost the
same argon2 verification (against a dummy hash) and get the same message, so a caller cannot tell which part
was wrong.  Every attempt is appended to the audit log (``login``, ``login_failed``, ``login_locked``) in the
same transaction as the counter update; user and role changes are audited with who made them.
"""

from __future__ import annotations

import logging
import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, func, select

from deps.access import audit
from deps.access.names import pseudonym
from deps.access.passwords import check_password_policy
from deps.access.roles import ACTIONS, Actor, allowed, require
from deps.errors import AuthenticationError, DepsError, NotFoundError, PermissionDeniedError
from deps.store.db import Database
from deps.store.models import ROLES, User, utcnow

__all__ = [
    "ACTIONS",
    "LOGIN_FAILED_MESSAGE",
    "MIN_PASSWORD_LENGTH",
    "ROLES",
    "Actor",
    "LoginPolicy",
    "actor_for",
    "add_user",
    "allowed",
    "authenticate",
    "ensure_admin",
    "list_users",
    "new_password",
    "require",
    "reset_password",
    "session_expired",
    "set_active",
    "set_role",
]

log = logging.getLogger(__name__)


MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
LOGIN_FAILED_MESSAGE = "login failed: wrong user name or password, or the account is locked or inactive"

_NAME = re.compile(r"[A-Za-z0-9._@-]{1,80}")

#: The hasher in use; tests may swap in cheaper parameters (hashes made with other parameters are upgraded on
#: the next successful login).
PASSWORD_HASHER = PasswordHasher()
_DUMMY: dict[int, str] = {}


class LoginPolicy(Protocol):
    """The settings :func:`authenticate` needs (``deps.config.Settings`` has them)."""

    @property
    def login_max_failures(self) -> int:
        """Failed logins in a row before the account is locked."""
        ...

    @property
    def login_lock_seconds(self) -> int:
        """How long such a lock lasts, in seconds."""
        ...

    @property
    def var_dir(self) -> str:
        """The instance folder, which keeps the key of the pseudonyms of unknown user names."""
        ...


def _operator(by: Actor) -> str:
    """The name recorded for a user-management change; ``by`` must be an :class:`Actor` holding ``manage_users``.

    A plain string is refused: a name alone proves no role.
    """
    if not isinstance(by, Actor):
        raise PermissionDeniedError(f"user changes need an authenticated actor, not {type(by).__name__} {by!r}")
    require(by, "manage_users")
    return by.name


# --------------------------------------------------------------------------------------------- validation
def new_password() -> str:
    """A random one-time password: ``secrets.token_urlsafe(18)`` (24 characters, 144 bits)."""
    return secrets.token_urlsafe(18)


def _check_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise DepsError(
            f"user name {name!r} is not allowed: use 1 to 80 characters from letters A-Z a-z, digits and . _ - @"
        )


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise DepsError(f"role {role!r} is unknown: use one of {', '.join(ROLES)}")


def _check_password(name: str, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DepsError(
            f"the password for {name!r} is too short ({len(password)} characters): use at least "
            f"{MIN_PASSWORD_LENGTH}, or leave it out to get a generated one"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise DepsError(f"the password for {name!r} is longer than {MAX_PASSWORD_LENGTH} characters")
    if password.strip().lower() == name.lower():
        raise DepsError(f"the password for {name!r} must not be the user name")


def _utc(value: datetime) -> datetime:
    """Aware UTC datetime; naive values (SQLite returns them) are taken as UTC."""
    return value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else _utc(value).isoformat(timespec="seconds").replace("+00:00", "Z")


# --------------------------------------------------------------------------------------------- user management
def _get(session: Session, name: str) -> User:
    user = session.exec(select(User).where(User.name == name)).first()
    if user is None:
        raise NotFoundError(f"user {name!r} does not exist; see `deps users list`")
    return user


def _active_admins(session: Session) -> list[str]:
    query = select(User).where(User.role == "admin", col(User.active).is_(True)).order_by(col(User.id))
    query = query.with_for_update()
    return sorted(user.name for user in session.exec(query).all())


def _insert(session: Session, name: str, role: str, digest: str) -> None:
    clash = session.exec(select(User.name).where(func.lower(User.name) == name.lower())).first()
    if clash is not None:
        raise DepsError(f"user {clash!r} exists already; pick another name or change that user's role")
    session.add(User(name=name, password_hash=digest, role=role))
    session.flush()


def add_user(
    db: Database,
    name: str,
    role: str,
    password: str | None = None,
    *,
    by: Actor,
    min_length: int = MIN_PASSWORD_LENGTH,
    min_score: int = 3,
) -> str:
    """Create a user.

    Parameters
    ----------
    db
        Database URL.
    name
        1 to 80 characters from ``A-Z a-z 0-9 . _ - @``; unique regardless of case.
    role
        One of :data:`ROLES`.
    password
        ``None`` generates one; a chosen one must pass :func:`deps.access.passwords.check_password_policy`
        (``min_length`` and ``min_score``: the settings ``DEPS_PASSWORD_MIN_LENGTH``/``DEPS_PASSWORD_MIN_SCORE``).
    by
        Who adds the user: an :class:`Actor` that holds ``manage_users`` (the CLI's is ``cli:NAME``).

    Returns
    -------
    str
        The generated one-time password (show it once), or ``""`` when ``password`` was given.
    """
    operator = _operator(by)
    _check_name(name)
    _check_role(role)
    generated = password is None
    secret = new_password() if password is None else password
    _check_password(name, secret)
    if not generated:
        check_password_policy(secret, (name, role, "deps"), min_length=min_length, min_score=min_score)
    digest = PASSWORD_HASHER.hash(secret)
    try:
        with db.session() as session:
            _insert(session, name, role, digest)
            details = {"role": role, "password": "generated" if generated else "given"}
            audit.append(session, user=operator, action="user_added", target=name, details=details)
    except sa.exc.IntegrityError as exc:
        raise DepsError(f"user {name!r} exists already; pick another name") from exc
    log.info("user %s added with role %s by %s", name, role, operator)
    return secret if generated else ""


def set_role(db: Database, name: str, role: str, *, by: Actor) -> None:
    """Change a user's role (audited as ``role_changed``); the last active admin cannot be demoted."""
    operator = _operator(by)
    _check_role(role)
    with db.session() as session:
        user = _get(session, name)
        old = user.role
        if old == role:
            return
        if old == "admin" and user.active and _active_admins(session) == [name]:
            raise DepsError(f"{name!r} is the last active admin: make another user admin first")
        user.role = role
        session.add(user)
        session.flush()  # lock order everywhere: user rows first, then the audit table (no deadlocks)
        audit.append(session, user=operator, action="role_changed", target=name, details={"from": old, "to": role})


def set_active(db: Database, name: str, active: bool, *, by: Actor) -> None:
    """Deactivate (``user_deactivated``) or re-activate (``user_activated``, clears any lock) a user.

    An inactive user cannot log in; the last active admin cannot be deactivated.
    """
    operator = _operator(by)
    with db.session() as session:
        user = _get(session, name)
        if user.active == active:
            return
        if not active and user.role == "admin" and _active_admins(session) == [name]:
            raise DepsError(f"{name!r} is the last active admin: make another user admin first")
        user.active = active
        if active:
            user.failed_attempts = 0
            user.locked_until = None
        session.add(user)
        session.flush()
        action = "user_activated" if active else "user_deactivated"
        audit.append(session, user=operator, action=action, target=name)


def reset_password(db: Database, name: str, *, by: Actor) -> str:
    """Give a user a new generated password (audited as ``password_reset``); clears failures and any lock.

    Returns
    -------
    str
        The new one-time password (show it once).
    """
    operator = _operator(by)
    secret = new_password()
    digest = PASSWORD_HASHER.hash(secret)
    with db.session() as session:
        user = _get(session, name)
        user.password_hash = digest
        user.failed_attempts = 0
        user.locked_until = None
        session.add(user)
        session.flush()
        audit.append(session, user=operator, action="password_reset", target=name)
    return secret


def list_users(db: Database, *, actor: Actor) -> list[dict[str, Any]]:
    """Every user by name: role, active, created_at, last_login, failed_attempts, locked_until (never hashes).

    Times are UTC ISO 8601 strings ending in ``Z`` (or ``None``).  ``actor`` must hold ``manage_users``.
    """
    _operator(actor)
    with db.session() as session:
        users = session.exec(select(User).order_by(col(User.name))).all()
        return [
            {
                "name": user.name,
                "role": user.role,
                "active": bool(user.active),
                "created_at": _iso(user.created_at),
                "last_login": _iso(user.last_login),
                "failed_attempts": int(user.failed_attempts),
                "locked_until": _iso(user.locked_until),
            }
            for user in users
        ]


def actor_for(db: Database, name: str) -> Actor:
    """The current role of an active user (call it on every request so role changes apply at once).

    Raises
    ------
    AuthenticationError
        When the user no longer exists or is inactive.
    """
    with db.session() as session:
        user = session.exec(select(User).where(User.name == name)).first()
        if user is None or not user.active:
            raise AuthenticationError(f"the account {name!r} is unknown or inactive: log in again")
        return Actor(user.name, user.role)


def ensure_admin(db: Database, *, by: Actor) -> tuple[str, str] | None:
    """Create the user ``admin`` with a generated password when the database has no user at all.

    ``by`` is the operator (the CLI's actor, ``cli:NAME``); it must hold ``manage_users``.

    Returns
    -------
    tuple of (str, str) or None
        ``("admin", one_time_password)`` when it was created (print it once), otherwise ``None``.
    """
    operator = _operator(by)
    with db.session() as session:
        if session.exec(select(User.id).limit(1)).first() is not None:
            return None
    secret = new_password()
    digest = PASSWORD_HASHER.hash(secret)
    try:
        with db.session() as session:
            _insert(session, "admin", "admin", digest)
            details = {"role": "admin", "password": "generated", "reason": "no user existed"}
            audit.append(session, user=operator, action="user_added", target="admin", details=details)
    except (DepsError, sa.exc.IntegrityError):
        log.info("another process created the first admin at the same time")
        return None
    return ("admin", secret)


# --------------------------------------------------------------------------------------------- login
def _dummy_hash() -> str:
    key = id(PASSWORD_HASHER)
    if key not in _DUMMY:
        _DUMMY.clear()
        _DUMMY[key] = PASSWORD_HASHER.hash(secrets.token_urlsafe(18))
    return _DUMMY[key]


def _verify(digest: str | None, password: str) -> bool:
    try:
        return PASSWORD_HASHER.verify(digest or _dummy_hash(), password) and digest is not None
    except (VerificationError, InvalidHashError):
        return False


def authenticate(
    db: Database, name: str, password: str, *, settings: LoginPolicy, now: datetime | None = None
) -> Actor:
    """Check a user name and password and return the :class:`Actor`; see the module docstring for throttling.

    The argon2 verification runs outside the write transaction; the counter update and the audit entry then
    commit together, with the user's row locked (PostgreSQL) or the database's write lock held (SQLite).

    Parameters
    ----------
    db
        Database URL.
    name, password
        What the user typed.
    settings
        ``login_max_failures`` (failures in a row before a lock), ``login_lock_seconds`` (lock length, s) and
        ``var_dir`` (the key of the pseudonyms: an unknown name is recorded as :func:`deps.access.names.pseudonym`,
        never as typed, since it may be a password typed into the wrong field).
    now
        The current time (default: now, UTC); tests pass it to step through a lock.

    Raises
    ------
    AuthenticationError
        With :data:`LOGIN_FAILED_MESSAGE` for every kind of failure (unknown name, wrong password, inactive or
        locked account).
    """
    moment = _utc(now if now is not None else utcnow())
    with db.session() as session:
        seen = session.exec(select(User.password_hash).where(User.name == name)).first()
    ok = _verify(seen, password)
    who = (name or "(empty)")[:80]
    with db.session() as session:
        # A no-op update first: takes SQLite's write lock (and the row lock on PostgreSQL) before reading.
        session.exec(sa.update(User).where(col(User.name) == name).values(failed_attempts=col(User.failed_attempts)))
        user = session.exec(select(User).where(User.name == name)).first()
        same = user is None or user.password_hash == seen
        actor = _settle(session, user, who, password, ok if same else None, settings=settings, moment=moment)
    if actor is None:
        raise AuthenticationError(LOGIN_FAILED_MESSAGE)
    return actor


def _settle(
    session: Session,
    user: User | None,
    who: str,
    password: str,
    ok: bool | None,
    *,
    settings: LoginPolicy,
    moment: datetime,
) -> Actor | None:
    """Apply one attempt's outcome to the user's row and the audit log; ``ok=None`` means verify again."""
    if user is None:
        hidden = pseudonym(who, settings.var_dir)
        audit.append(session, user=hidden, action="login_failed", target=hidden, details={"reason": "unknown user"})
        return None
    if ok is None:  # the hash changed between the read and the lock (a reset): verify against the new one
        ok = _verify(user.password_hash, password)
    if not user.active:
        audit.append(session, user=who, action="login_failed", target=who, details={"reason": "inactive"})
        return None
    if user.locked_until is not None and _utc(user.locked_until) > moment:
        until = _iso(user.locked_until)
        audit.append(session, user=who, action="login_locked", target=who, details={"reason": "locked", "until": until})
        return None
    user.locked_until = None
    if not ok:
        user.failed_attempts = int(user.failed_attempts) + 1
        if user.failed_attempts >= settings.login_max_failures:
            failures = user.failed_attempts
            user.failed_attempts = 0
            user.locked_until = moment + timedelta(seconds=settings.login_lock_seconds)
            lock = {"reason": "too many failures", "failures": failures, "until": _iso(user.locked_until)}
            audit.append(session, user=who, action="login_locked", target=who, details=lock)
            log.warning("account %s locked after %d failed logins", user.name, failures)
        else:
            wrong = {"reason": "wrong password", "failures": user.failed_attempts}
            audit.append(session, user=who, action="login_failed", target=who, details=wrong)
        session.add(user)
        return None
    facts: dict[str, Any] = {}
    if PASSWORD_HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = PASSWORD_HASHER.hash(password)
        facts["rehashed"] = True
    user.failed_attempts = 0
    user.last_login = moment
    session.add(user)
    audit.append(session, user=user.name, action="login", target=user.name, details=facts)
    return Actor(user.name, user.role)


def session_expired(last_seen: datetime, now: datetime, minutes: int) -> bool:
    """Whether an app session last active at ``last_seen`` has expired at ``now``.

    Expired when ``now - last_seen >= minutes`` minutes; naive datetimes are taken as UTC.

    Examples
    --------
    >>> from datetime import datetime
    >>> session_expired(datetime(2026, 1, 1, 9, 0), datetime(2026, 1, 1, 9, 59), 60)
    False
    >>> session_expired(datetime(2026, 1, 1, 9, 0), datetime(2026, 1, 1, 10, 0), 60)
    True
    """
    if minutes <= 0:
        raise ValueError(f"session minutes must be positive, got {minutes}")
    return _utc(now) - _utc(last_seen) >= timedelta(minutes=minutes)
