"""Users, roles and logins: permissions, password rules, throttling and lockout, audit entries, first admin."""

from __future__ import annotations

import json
import tempfile
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from deps.access import audit, auth
from deps.access.auth import Actor
from deps.access.names import KEY_FILE, pseudonym
from deps.access.passwords import WeakPasswordError, check_password_policy
from deps.errors import AuthenticationError, DepsError, NotFoundError, PermissionDeniedError
from deps.store.db import Database, upgrade
from deps.store.models import User

pytestmark = pytest.mark.integration  # a database, the CLI or the app end to end: make test, not make check

AUDITOR = Actor("auditor", "admin")

CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class Policy:
    login_max_failures: int = 3
    login_lock_seconds: int = 60
    var_dir: str = field(default_factory=lambda: tempfile.mkdtemp(prefix="deps-test-var-"))


class CountingHasher(PasswordHasher):
    """A cheap hasher that counts verifications (to check unknown names cost the same work)."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.verifications = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.verifications += 1
        return super().verify(hash, password)


@pytest.fixture(autouse=True)
def cheap_hasher(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(auth, "PASSWORD_HASHER", CHEAP)
    yield


@pytest.fixture(params=["default", "postgres"])
def db(request: pytest.FixtureRequest) -> Iterator[Database]:
    """A migrated database: the default test database and PostgreSQL (skipped without a server)."""
    if request.param == "default":
        handle: Database = request.getfixturevalue("empty_db")
        upgrade(handle)
        yield handle
        return
    with Database(str(request.getfixturevalue("pg_url"))) as handle:
        upgrade(handle)
        yield handle


T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def _actions(db: Database) -> list[str]:
    return [e["action"] for e in reversed(audit.list_events(db, actor=AUDITOR, limit=1000))]


def _user(db: Database, name: str) -> User:
    with db.session() as session:
        user = session.exec(select(User).where(User.name == name)).one()
        session.expunge(user)
        return user


# --------------------------------------------------------------------------------------------- permissions
EXPECTED = {
    # action: (viewer, analyst, admin)
    "read": (True, True, True),
    "analyse": (False, True, True),
    "simulate": (False, True, True),
    "optimise": (False, True, True),
    "batch": (False, True, True),
    "export": (False, True, True),
    "edit_assumptions": (False, True, True),
    "import": (False, False, True),
    "manage_users": (False, False, True),
    "audit": (False, False, True),
}


def test_permission_matrix() -> None:
    assert set(auth.ACTIONS) == set(EXPECTED)
    for action, row in EXPECTED.items():
        got = tuple(auth.allowed(Actor("u", role), action) for role in auth.ROLES)
        assert got == row, action


def test_require_names_user_role_action_and_the_roles_that_would_do() -> None:
    auth.require(Actor("ann", "analyst"), "export")
    with pytest.raises(PermissionDeniedError) as info:
        auth.require(Actor("ann", "viewer"), "export")
    message = str(info.value)
    assert "'ann'" in message and "'viewer'" in message and "'export'" in message
    assert "analyst or admin" in message
    with pytest.raises(PermissionDeniedError, match="needs role admin"):
        auth.require(Actor("ann", "analyst"), "import")


def test_unknown_action_and_role_are_programming_errors() -> None:
    with pytest.raises(ValueError, match="unknown action 'fly'"):
        auth.allowed(Actor("ann", "admin"), "fly")
    with pytest.raises(ValueError, match="superuser"):
        Actor("ann", "superuser")


# --------------------------------------------------------------------------------------------- user management
def test_add_user_generates_a_strong_one_time_password(db: Database) -> None:
    generated = auth.add_user(db, "ann", "analyst", by=Actor("root", "admin"))
    assert len(generated) == 24  # token_urlsafe(18): 18 bytes -> 24 base64url characters
    assert auth.add_user(db, "bob", "viewer", PASSWORD, by=Actor("root", "admin")) == ""
    stored = _user(db, "ann").password_hash
    assert stored.startswith("$argon2id$") and generated not in stored
    assert auth.authenticate(db, "ann", generated, settings=Policy()) == Actor("ann", "analyst")
    assert auth.authenticate(db, "bob", PASSWORD, settings=Policy()) == Actor("bob", "viewer")
    added = [e for e in audit.list_events(db, actor=AUDITOR) if e["action"] == "user_added"]
    assert {(e["user"], e["target"], e["details"]["password"]) for e in added} == {
        ("root", "ann", "generated"),
        ("root", "bob", "given"),
    }


@pytest.mark.parametrize("name", ["", "a b", "x" * 81, "naïve", "bob;drop", "tab\t"])
def test_bad_names_are_refused(db: Database, name: str) -> None:
    with pytest.raises(DepsError, match="is not allowed"):
        auth.add_user(db, name, "viewer", by=Actor("root", "admin"))


def test_password_rules_role_and_duplicates(db: Database) -> None:
    with pytest.raises(DepsError, match=r"too short \(11 characters\): use at least 12"):
        auth.add_user(db, "ann", "viewer", "x" * 11, by=Actor("root", "admin"))
    with pytest.raises(DepsError, match="must not be the user name"):
        auth.add_user(db, "anna.de.vries", "viewer", "Anna.de.Vries", by=Actor("root", "admin"))
    with pytest.raises(DepsError, match="role 'boss' is unknown"):
        auth.add_user(db, "ann", "boss", by=Actor("root", "admin"))
    auth.add_user(db, "ann", "viewer", by=Actor("root", "admin"))
    with pytest.raises(DepsError, match="user 'ann' exists already"):
        auth.add_user(db, "ann", "admin", by=Actor("root", "admin"))
    with pytest.raises(DepsError, match="user 'ann' exists already"):
        auth.add_user(db, "ANN", "admin", by=Actor("root", "admin"))
    assert [u["name"] for u in auth.list_users(db, actor=Actor("root", "admin"))] == ["ann"]


def test_list_users_never_shows_hashes(db: Database) -> None:
    auth.add_user(db, "bob", "viewer", by=Actor("root", "admin"))
    auth.add_user(db, "ann", "admin", by=Actor("root", "admin"))
    users = auth.list_users(db, actor=Actor("root", "admin"))
    assert [(u["name"], u["role"], u["active"]) for u in users] == [("ann", "admin", True), ("bob", "viewer", True)]
    for user in users:
        assert not any("hash" in key or "password" in key for key in user)
        assert not any(isinstance(v, str) and v.startswith("$argon2") for v in user.values())
        assert user["created_at"].endswith("Z") and user["last_login"] is None


def test_role_changes_are_audited_with_who_did_it(db: Database) -> None:
    auth.add_user(db, "boss", "admin", by=Actor("root", "admin"))
    auth.add_user(db, "ann", "viewer", by=Actor("root", "admin"))
    boss = Actor("boss", "admin")
    auth.set_role(db, "ann", "analyst", by=boss)
    auth.set_role(db, "ann", "analyst", by=boss)  # no change, no entry
    auth.set_active(db, "ann", False, by=boss)
    new = auth.reset_password(db, "ann", by=Actor("root", "admin"))
    events = [(e["user"], e["action"], e["target"]) for e in reversed(audit.list_events(db, actor=AUDITOR))]
    assert events == [
        ("root", "user_added", "boss"),
        ("root", "user_added", "ann"),
        ("boss", "role_changed", "ann"),
        ("boss", "user_deactivated", "ann"),
        ("root", "password_reset", "ann"),
    ]
    assert audit.list_events(db, actor=AUDITOR, action="role_changed")[0]["details"] == {
        "from": "viewer",
        "to": "analyst",
    }
    assert len(new) == 24
    assert audit.verify(db, actor=AUDITOR).ok


def test_only_admins_manage_users(db: Database) -> None:
    with pytest.raises(PermissionDeniedError, match="'manage_users'"):
        auth.add_user(db, "ann", "admin", by=Actor("eve", "analyst"))
    assert auth.list_users(db, actor=Actor("root", "admin")) == []
    assert audit.list_events(db, actor=AUDITOR) == []


def test_the_last_active_admin_stays(db: Database) -> None:
    auth.add_user(db, "root", "admin", by=Actor("op", "admin"))
    with pytest.raises(DepsError, match="last active admin"):
        auth.set_role(db, "root", "viewer", by=Actor("op", "admin"))
    with pytest.raises(DepsError, match="last active admin"):
        auth.set_active(db, "root", False, by=Actor("op", "admin"))
    auth.add_user(db, "second", "admin", by=Actor("op", "admin"))
    auth.set_role(db, "root", "viewer", by=Actor("op", "admin"))
    assert {u["name"]: u["role"] for u in auth.list_users(db, actor=Actor("root", "admin"))} == {
        "root": "viewer",
        "second": "admin",
    }


def test_unknown_user_is_not_found(db: Database) -> None:
    for change in (
        lambda: auth.set_role(db, "ghost", "viewer", by=Actor("op", "admin")),
        lambda: auth.set_active(db, "ghost", False, by=Actor("op", "admin")),
        lambda: auth.reset_password(db, "ghost", by=Actor("op", "admin")),
    ):
        with pytest.raises(NotFoundError, match="'ghost' does not exist"):
            change()


def test_ensure_admin_only_on_an_empty_user_table(db: Database) -> None:
    created = auth.ensure_admin(db, by=Actor("make", "admin"))
    assert created is not None
    name, password = created
    assert name == "admin" and len(password) == 24
    assert auth.authenticate(db, name, password, settings=Policy()) == Actor("admin", "admin")
    assert auth.ensure_admin(db, by=Actor("make", "admin")) is None
    assert [u["name"] for u in auth.list_users(db, actor=Actor("root", "admin"))] == ["admin"]


def test_ensure_admin_leaves_existing_users_alone(db: Database) -> None:
    auth.add_user(db, "ann", "viewer", by=Actor("root", "admin"))
    assert auth.ensure_admin(db, by=Actor("make", "admin")) is None
    assert [u["name"] for u in auth.list_users(db, actor=Actor("root", "admin"))] == ["ann"]


# --------------------------------------------------------------------------------------------- login
def test_login_success_records_last_login_and_audit(db: Database) -> None:
    auth.add_user(db, "ann", "analyst", PASSWORD, by=Actor("root", "admin"))
    assert auth.authenticate(db, "ann", PASSWORD, settings=Policy(), now=T0) == Actor("ann", "analyst")
    assert auth.list_users(db, actor=Actor("root", "admin"))[0]["last_login"] == "2026-05-01T09:00:00Z"
    event = audit.list_events(db, actor=AUDITOR, limit=1)[0]
    assert (event["user"], event["action"], event["target"]) == ("ann", "login", "ann")


def test_every_failure_has_the_same_message(db: Database) -> None:
    auth.add_user(db, "ann", "analyst", PASSWORD, by=Actor("root", "admin"))
    auth.add_user(db, "old", "analyst", PASSWORD, by=Actor("root", "admin"))
    auth.set_active(db, "old", False, by=Actor("root", "admin"))
    for name, password in (("ann", "wrong password!"), ("ghost", PASSWORD), ("old", PASSWORD), ("", "")):
        with pytest.raises(AuthenticationError) as info:
            auth.authenticate(db, name, password, settings=Policy())
        assert str(info.value) == auth.LOGIN_FAILED_MESSAGE
    reasons = [e["details"]["reason"] for e in reversed(audit.list_events(db, actor=AUDITOR, action="login_failed"))]
    assert reasons == ["wrong password", "unknown user", "inactive", "unknown user"]
    assert audit.list_events(db, actor=AUDITOR, action="login_failed")[0]["user"].startswith("unknown:")


def test_unknown_names_are_logged_as_keyed_pseudonyms(db: Database, tmp_path: Path) -> None:
    """A password typed into the name field never reaches the append-only log; the same name maps alike."""
    policy = Policy(var_dir=str(tmp_path / "var"))
    typed = "Tr0ub4dor&3-secret"
    for _ in range(2):
        with pytest.raises(AuthenticationError):
            auth.authenticate(db, typed, "x", settings=policy)
    events = audit.list_events(db, actor=AUDITOR, action="login_failed")
    assert len(events) == 2 and events[0]["user"] == events[1]["user"] == events[0]["target"]
    assert events[0]["user"] == pseudonym(typed, policy.var_dir) != pseudonym(typed, str(tmp_path / "other"))
    assert typed not in json.dumps(events)
    assert (tmp_path / "var" / KEY_FILE).stat().st_mode & 0o077 == 0


def test_a_plain_string_is_no_actor(db: Database) -> None:
    auth.add_user(db, "ann", "analyst", PASSWORD, by=Actor("root", "admin"))
    with pytest.raises(PermissionDeniedError, match="authenticated actor"):
        auth.set_role(db, "ann", "admin", by="root")  # type: ignore[arg-type]
    with pytest.raises(PermissionDeniedError):
        auth.set_role(db, "ann", "admin", by=Actor("ann", "analyst"))
    with pytest.raises(PermissionDeniedError):
        auth.list_users(db, actor=Actor("ann", "analyst"))
    with pytest.raises(PermissionDeniedError):
        audit.list_events(db, actor=Actor("ann", "analyst"))
    with pytest.raises(PermissionDeniedError):
        audit.verify(db, actor="root")  # type: ignore[arg-type]
    assert [u["role"] for u in auth.list_users(db, actor=Actor("root", "admin"))] == ["analyst"]


@pytest.mark.parametrize("weak", ["aaaaaaaaaaaa", "password1234", "ann-ann-ann-ann", "qwertyuiop12"])
def test_weak_chosen_passwords_are_refused(db: Database, weak: str) -> None:
    with pytest.raises(WeakPasswordError, match="too easy to guess"):
        auth.add_user(db, "ann", "analyst", weak, by=Actor("root", "admin"))
    with pytest.raises(WeakPasswordError, match="too short"):
        check_password_policy("short", ())
    assert auth.list_users(db, actor=Actor("root", "admin")) == []


def test_unknown_names_cost_one_verification_like_known_names(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    counting = CountingHasher()
    monkeypatch.setattr(auth, "PASSWORD_HASHER", counting)
    auth.add_user(db, "ann", "analyst", PASSWORD, by=Actor("root", "admin"))
    auth._dummy_hash()  # built once per hasher, like at the first login of a process
    for name in ("ann", "ghost"):
        before = counting.verifications
        with pytest.raises(AuthenticationError):
            auth.authenticate(db, name, "wrong password!", settings=Policy())
        assert counting.verifications - before == 1, name


def test_lockout_after_max_failures_in_a_row(db: Database) -> None:
    # Policy: 3 failures in a row lock the account for 60 s.
    auth.add_user(db, "ann", "analyst", PASSWORD, by=Actor("root", "admin"))
    policy = Policy()
    for i in range(2):
        with pytest.raises(AuthenticationError):
            auth.authenticate(db, "ann", "wrong password!", settings=policy, now=T0 + timedelta(seconds=i))
    assert _user(db, "ann").failed_attempts == 2
    with pytest.raises(AuthenticationError):
        auth.authenticate(db, "ann", "wrong password!", settings=policy, now=T0 + timedelta(seconds=2))
    locked = auth.list_users(db, actor=Actor("root", "admin"))[0]
    assert locked["locked_until"] == "2026-05-01T09:01:02Z"  # 09:00:02 + 60 s
    # The right password is refused while the lock lasts ...
    with pytest.raises(AuthenticationError):
        auth.authenticate(db, "ann", PASSWORD, settings=policy, now=T0 + timedelta(seconds=61))
    # ... and accepted once it has ended.
    actor = auth.authenticate(db, "ann", PASSWORD, settings=policy, now=T0 + timedelta(seconds=62))
    assert actor == Actor("ann", "analyst")
    after = auth.list_users(db, actor=Actor("root", "admin"))[0]
    assert after["failed_attempts"] == 0 and after["locked_until"] is None
    assert _actions(db) == [
        "user_added",
        "login_failed",
        "login_failed",
        "login_locked",
        "login_locked",
        "login",
    ]
    lock = audit.list_events(db, actor=AUDITOR, action="login_locked", limit=2)
    assert lock[1]["details"] == {"failures": 3, "reason": "too many failures", "until": "2026-05-01T09:01:02Z"}
    assert lock[0]["details"]["reason"] == "locked"
    assert audit.verify(db, actor=AUDITOR).ok


def test_success_resets_the_failure_count(db: Database) -> None:
    auth.add_user(db, "ann", "analyst", PASSWORD, by=Actor("root", "admin"))
    for _round in range(3):
        for _ in range(2):  # 2 failures, then a success: never 3 in a row
            with pytest.raises(AuthenticationError):
                auth.authenticate(db, "ann", "wrong password!", settings=Policy())
        auth.authenticate(db, "ann", PASSWORD, settings=Policy())
    assert "login_locked" not in _actions(db)


def test_reset_password_and_activation_clear_the_lock(db: Database) -> None:
    auth.add_user(db, "ann", "analyst", PASSWORD, by=Actor("root", "admin"))
    for _ in range(3):
        with pytest.raises(AuthenticationError):
            auth.authenticate(db, "ann", "wrong password!", settings=Policy(), now=T0)
    new = auth.reset_password(db, "ann", by=Actor("root", "admin"))
    with pytest.raises(AuthenticationError):
        auth.authenticate(db, "ann", PASSWORD, settings=Policy(), now=T0)
    assert auth.authenticate(db, "ann", new, settings=Policy(), now=T0).name == "ann"
    for _ in range(3):
        with pytest.raises(AuthenticationError):
            auth.authenticate(db, "ann", "wrong password!", settings=Policy(), now=T0)
    auth.set_active(db, "ann", False, by=Actor("root", "admin"))
    auth.set_active(db, "ann", True, by=Actor("root", "admin"))
    assert auth.authenticate(db, "ann", new, settings=Policy(), now=T0).name == "ann"
    assert "user_activated" in _actions(db)


def test_failed_logins_in_parallel_are_all_counted(db: Database) -> None:
    # 6 threads each fail once at the same time: no lost update of failed_attempts (row/write lock held).
    auth.add_user(db, "ann", "analyst", PASSWORD, by=Actor("root", "admin"))
    policy = Policy(login_max_failures=100)
    failures: list[BaseException] = []

    def attempt() -> None:
        try:
            auth.authenticate(db, "ann", "wrong password!", settings=policy)
        except AuthenticationError:
            return
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert _user(db, "ann").failed_attempts == 6
    assert sorted(e["details"]["failures"] for e in audit.list_events(db, actor=AUDITOR, action="login_failed")) == [
        1,
        2,
        3,
        4,
        5,
        6,
    ]
    assert audit.verify(db, actor=AUDITOR).ok


def test_hashes_are_upgraded_when_parameters_change(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    auth.add_user(db, "ann", "analyst", PASSWORD, by=Actor("root", "admin"))
    assert "m=8," in _user(db, "ann").password_hash
    monkeypatch.setattr(auth, "PASSWORD_HASHER", PasswordHasher(time_cost=1, memory_cost=16, parallelism=1))
    auth.authenticate(db, "ann", PASSWORD, settings=Policy())
    assert "m=16," in _user(db, "ann").password_hash
    assert audit.list_events(db, actor=AUDITOR, limit=1)[0]["details"] == {"rehashed": True}
    auth.authenticate(db, "ann", PASSWORD, settings=Policy())
    assert audit.list_events(db, actor=AUDITOR, limit=1)[0]["details"] == {}


def test_actor_for_follows_role_changes(db: Database) -> None:
    auth.add_user(db, "ann", "viewer", PASSWORD, by=Actor("root", "admin"))
    assert auth.actor_for(db, "ann") == Actor("ann", "viewer")
    auth.set_role(db, "ann", "analyst", by=Actor("root", "admin"))
    assert auth.actor_for(db, "ann").role == "analyst"
    auth.set_active(db, "ann", False, by=Actor("root", "admin"))
    with pytest.raises(AuthenticationError):
        auth.actor_for(db, "ann")


# --------------------------------------------------------------------------------------------- sessions
def test_session_expiry() -> None:
    seen = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    assert not auth.session_expired(seen, seen + timedelta(minutes=59, seconds=59), 60)
    assert auth.session_expired(seen, seen + timedelta(minutes=60), 60)
    assert not auth.session_expired(seen, seen - timedelta(minutes=5), 60)  # clock skew: not expired
    naive_now = datetime(2026, 1, 1, 9, 30)  # naive = UTC
    assert auth.session_expired(seen, naive_now, 30) and not auth.session_expired(seen, naive_now, 31)
    with pytest.raises(ValueError, match="positive"):
        auth.session_expired(seen, seen, 0)


def test_logins_and_role_changes_at_once_do_not_deadlock(db: Database) -> None:
    # Both take the user's row before the audit table; the opposite order deadlocks on PostgreSQL.
    auth.add_user(db, "ann", "viewer", PASSWORD, by=Actor("root", "admin"))
    errors: list[BaseException] = []

    def logins() -> None:
        try:
            for _ in range(15):
                auth.authenticate(db, "ann", PASSWORD, settings=Policy())
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def role_changes() -> None:
        try:
            for i in range(15):
                auth.set_role(db, "ann", ("analyst", "viewer")[i % 2], by=Actor("root", "admin"))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=logins), threading.Thread(target=role_changes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _actions(db).count("login") == 15 and _actions(db).count("role_changed") == 15
    assert audit.verify(db, actor=AUDITOR).ok


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.booleans(), st.integers(min_value=0, max_value=90)), min_size=1, max_size=10))
def test_login_outcomes_follow_the_lock_model(db: Database, steps: list[tuple[bool, int]]) -> None:
    # Model of the policy (3 failures in a row lock for 60 s; a lock restarts the count; a locked account is
    # refused whatever the password).  One fresh user per example.
    name = f"u{uuid.uuid4().hex[:10]}"
    auth.add_user(db, name, "viewer", PASSWORD, by=Actor("root", "admin"))
    policy = Policy(login_max_failures=3, login_lock_seconds=60)
    now, failures, locked_until = T0, 0, None
    for correct, advance in steps:
        now += timedelta(seconds=advance)
        if locked_until is not None and now < locked_until:
            expect_ok = False
        elif correct:
            expect_ok, failures, locked_until = True, 0, None
        else:
            expect_ok, failures = False, failures + 1
            if failures >= 3:
                failures, locked_until = 0, now + timedelta(seconds=60)
        try:
            auth.authenticate(db, name, PASSWORD if correct else "wrong password!", settings=policy, now=now)
            ok = True
        except AuthenticationError:
            ok = False
        assert ok == expect_ok
    assert _user(db, name).failed_attempts == failures
