"""The `deps users` and `deps audit` command groups, in-process (CliRunner) and as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer
from argon2 import PasswordHasher
from typer.testing import CliRunner, Result

from deps.access import auth
from deps.cli.admin import audit_app, users_app
from deps.errors import DatabaseError, DepsError, NotFoundError
from deps.store.db import Database
from tests.helpers import tamper

pytestmark = pytest.mark.integration  # a database, the CLI or the app end to end: make test, not make check

REPO_ROOT = Path(__file__).resolve().parents[1]

app = typer.Typer()
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")


@dataclass(frozen=True)
class Policy:
    login_max_failures: int = 5
    login_lock_seconds: int = 300


@pytest.fixture(autouse=True)
def cheap_hasher(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(auth, "PASSWORD_HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    yield


def _run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(app, list(args), input=stdin)


def _password(output: str) -> str:
    lines = [line for line in output.splitlines() if line.startswith("one-time password")]
    assert len(lines) == 1, output
    return lines[0].rsplit(" ", 1)[1]


@pytest.mark.parametrize(
    "command",
    [
        ["users"],
        ["users", "add"],
        ["users", "list"],
        ["users", "set-role"],
        ["users", "deactivate"],
        ["users", "activate"],
        ["users", "reset-password"],
        ["users", "ensure-admin"],
        ["audit"],
        ["audit", "verify"],
        ["audit", "list"],
    ],
)
def test_every_command_has_help(command: list[str]) -> None:
    done = _run(*command, "--help")
    assert done.exit_code == 0, done.output
    assert "Usage" in done.output


def test_ensure_admin_prints_the_password_once(db: Database, env: dict[str, str]) -> None:
    first = _run("users", "ensure-admin")
    assert first.exit_code == 0, first.output
    password = _password(first.output)
    assert auth.authenticate(db, "admin", password, settings=Policy()) == auth.Actor("admin", "admin")
    again = _run("users", "ensure-admin")
    assert again.exit_code == 0 and "no admin created" in again.output
    assert "one-time password" not in again.output


def test_add_list_set_role_deactivate_reset(db: Database, env: dict[str, str], tmp_path: Path) -> None:
    added = _run("users", "add", "ann", "--role", "analyst")
    assert added.exit_code == 0, added.output
    ann_password = _password(added.output)
    secret = tmp_path / "bob.txt"
    secret.write_text("bob's long passphrase\n", encoding="utf-8")
    bob = _run("users", "add", "bob", "--role", "viewer", "--password-file", str(secret))
    assert bob.exit_code == 0 and "one-time password" not in bob.output
    assert auth.authenticate(db, "bob", "bob's long passphrase", settings=Policy()).role == "viewer"
    carol = _run("users", "add", "carol", "--role", "admin", "--password-file", "-", stdin="carol's passphrase\n")
    assert carol.exit_code == 0, carol.output
    assert auth.authenticate(db, "carol", "carol's passphrase", settings=Policy()).role == "admin"

    listed = json.loads(_run("users", "list", "--format", "json").output)
    assert [(u["name"], u["role"], u["active"]) for u in listed] == [
        ("ann", "analyst", True),
        ("bob", "viewer", True),
        ("carol", "admin", True),
    ]
    assert "$argon2" not in _run("users", "list", "--format", "json").output
    text = _run("users", "list").output
    assert "ann" in text and "analyst" in text and "$argon2" not in text

    assert _run("users", "set-role", "ann", "viewer").exit_code == 0
    assert _run("users", "deactivate", "bob").exit_code == 0
    reset = _run("users", "reset-password", "ann")
    assert reset.exit_code == 0
    new = _password(reset.output)
    assert new != ann_password
    assert auth.authenticate(db, "ann", new, settings=Policy()) == auth.Actor("ann", "viewer")
    assert {u["name"]: u["active"] for u in auth.list_users(db, actor=auth.Actor("root", "admin"))}["bob"] is False
    assert _run("users", "activate", "bob").exit_code == 0

    events = json.loads(_run("audit", "list", "--format", "json", "--limit", "100").output)
    # one naming scheme for the command line: cli: plus DEPS_USER (from the env fixture), user changes included
    assert all(e["user"] == "cli:tester" for e in events if e["action"] != "login")
    assert [e["action"] for e in reversed(events) if e["action"] != "login"] == [
        "user_added",
        "user_added",
        "user_added",
        "role_changed",
        "user_deactivated",
        "password_reset",
        "user_activated",
    ]
    only = json.loads(_run("audit", "list", "--format", "json", "--action", "role_changed").output)
    assert [(e["target"], e["details"]) for e in only] == [("ann", {"from": "analyst", "to": "viewer"})]


def test_passwords_never_come_from_the_command_line(db: Database, env: dict[str, str]) -> None:
    done = _run("users", "add", "ann", "--role", "viewer", "--password", "a long enough password")
    assert done.exit_code == 2
    assert auth.list_users(db, actor=auth.Actor("root", "admin")) == []


def test_errors_name_the_problem(env: dict[str, str], tmp_path: Path) -> None:
    short = tmp_path / "short.txt"
    short.write_text("tiny\n", encoding="utf-8")
    done = _run("users", "add", "ann", "--role", "viewer", "--password-file", str(short))
    assert isinstance(done.exception, DepsError) and "too short" in str(done.exception)
    done = _run("users", "add", "ann", "--role", "viewer", "--password-file", str(tmp_path / "missing.txt"))
    assert isinstance(done.exception, DepsError) and "cannot read the password file" in str(done.exception)
    assert _run("users", "add", "ann", "--role", "boss").exit_code == 2
    done = _run("users", "deactivate", "ghost")
    assert isinstance(done.exception, NotFoundError)


def test_audit_verify_and_tampering(db: Database, env: dict[str, str]) -> None:
    for name in ("ann", "bob", "cid"):
        assert _run("users", "add", name, "--role", "viewer").exit_code == 0
    ok = _run("audit", "verify")
    assert ok.exit_code == 0 and ok.output.splitlines()[0] == "ok, 3 entries"
    head = ok.output.splitlines()[1].split()[3]
    assert ok.output.splitlines()[1].startswith("newest entry 3: ") and len(head) == 64
    assert _run("audit", "verify", "--anchor", head).exit_code == 0
    tamper(db, "UPDATE audit_event SET target='mallory' WHERE id=2")
    broken = _run("audit", "verify")
    assert broken.exit_code == 1 and isinstance(broken.exception, DepsError)
    assert "1 problem(s) in 3 entries" in str(broken.exception)
    assert "entry 2: content edited" in str(broken.exception)
    tamper(db, "UPDATE audit_event SET target='bob' WHERE id=2")  # undo the edit
    tamper(db, "DELETE FROM audit_event WHERE id=3")
    assert _run("audit", "verify").exit_code == 0
    lost = _run("audit", "verify", "--anchor", head)
    assert lost.exit_code == 1 and "no entry has this hash any more" in str(lost.exception)
    text = _run("audit", "list", "--limit", "2").output.splitlines()
    assert len(text) == 2 and "user_added" in text[0] and "bob" in text[0] and "ann" in text[1]


def test_commands_refuse_a_database_without_schema(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DEPS_DATABASE_URL", f"sqlite:///{tmp_path / 'none.sqlite3'}")
    done = _run("users", "list")
    assert isinstance(done.exception, DatabaseError) and "deps init" in str(done.exception)


_MAIN = """
from deps.cli.main import main
main()
"""


@pytest.mark.slow
def test_real_process_exit_codes_and_no_traceback(db: Database, env: dict[str, str]) -> None:
    # Through deps.cli.main as the lead registers the groups: errors are one line and exit 1.
    full = {**os.environ, **env, "PYTHONPATH": str(REPO_ROOT)}

    def deps(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", _MAIN, *args], env=full, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
        )

    first = deps("users", "add", "ann", "--role", "analyst")
    assert first.returncode == 0, first.stderr
    assert len(_password(first.stdout)) == 24
    again = deps("users", "add", "ann", "--role", "analyst")
    assert again.returncode == 1
    assert "error: user 'ann' exists already" in again.stderr and "Traceback" not in again.stderr
    assert deps("users", "add", "bob", "--role", "viewer").returncode == 0
    tamper(db, "DELETE FROM audit_event WHERE id=1")
    verify = deps("audit", "verify")
    assert verify.returncode == 1 and "Traceback" not in verify.stderr
    assert "entry 2: it is the first entry left" in verify.stderr
