"""The ``deps users`` and ``deps audit`` command groups (registered on the main app in ``deps.cli.main``).

Every command works on ``DEPS_DATABASE_URL`` (or the default SQLite file), refuses a database that is not at the
newest schema, and records the operator (``DEPS_USER`` or the OS user) as who made a change in the audit log.
Passwords are never read from the command line: ``users add`` generates one (printed once) or reads it from
``--password-file`` (``-`` for standard input).
"""

from __future__ import annotations

import json
import logging
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from deps.cli.common import OutputFormat as Format
from deps.cli.common import cli_actor, ready
from deps.errors import DepsError

__all__ = ["audit_app", "users_app"]

log = logging.getLogger(__name__)

users_app = typer.Typer(
    name="users",
    help="Manage the app's local users: add, list, change role, deactivate, reset password.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
audit_app = typer.Typer(
    name="audit",
    help="Check and read the tamper-evident audit log.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class Role(StrEnum):
    """The roles a user may have (lowest first)."""

    viewer = "viewer"
    analyst = "analyst"
    admin = "admin"


def _read_password(path: Path) -> str:
    """The first line of ``path`` (``-``: standard input) without its line ending."""
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DepsError(f"cannot read the password file {path}: {exc.strerror}") from exc
    lines = text.splitlines()
    if not lines or not lines[0]:
        raise DepsError(f"the password file {path} is empty: put the password on its first line")
    return lines[0]


def _show_password(name: str, password: str) -> None:
    typer.echo(f"one-time password for {name!r} (shown only once; hand it over safely): {password}")


# --------------------------------------------------------------------------------------------- users
@users_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="User name: 1-80 letters, digits and . _ - @.")],
    role: Annotated[Role, typer.Option("--role", help="Role of the new user.", case_sensitive=False)],
    password_file: Annotated[
        Path | None,
        typer.Option(
            "--password-file",
            help="Read the password (at least 12 characters) from the first line of this file; - reads stdin. "
            "Without it a strong password is generated and printed once.",
        ),
    ] = None,
) -> None:
    """Add a user with a role; prints a generated one-time password unless --password-file is given."""
    from deps.access.auth import add_user

    settings, db = ready()
    password = _read_password(password_file) if password_file is not None else None
    generated = add_user(
        db,
        name,
        role.value,
        password,
        by=cli_actor(settings),
        min_length=settings.password_min_length,
        min_score=settings.password_min_score,
    )
    typer.echo(f"user {name!r} added with role {role.value}")
    if generated:
        _show_password(name, generated)


@users_app.command("list")
def list_(
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.text,
) -> None:
    """List users with role, state, last login and failed attempts (never password hashes)."""
    from deps.access.auth import list_users

    settings, db = ready()
    users = list_users(db, actor=cli_actor(settings))
    if fmt is Format.json:
        typer.echo(json.dumps(users, indent=2, sort_keys=True))
        return
    if not users:
        typer.echo("no users yet: run `deps users ensure-admin` or `deps users add NAME --role admin`")
        return
    typer.echo(f"{'name':<24} {'role':<8} {'active':<6} {'last login':<20} {'failed':>6}  locked until")
    for user in users:
        typer.echo(
            f"{user['name']:<24} {user['role']:<8} {'yes' if user['active'] else 'no':<6} "
            f"{user['last_login'] or '-':<20} {user['failed_attempts']:>6}  {user['locked_until'] or '-'}"
        )


@users_app.command("set-role")
def set_role(
    name: Annotated[str, typer.Argument(help="Existing user name.")],
    role: Annotated[Role, typer.Argument(help="New role.", case_sensitive=False)],
) -> None:
    """Change a user's role (the last active admin cannot be demoted)."""
    from deps.access import auth

    settings, db = ready()
    auth.set_role(db, name, role.value, by=cli_actor(settings))
    typer.echo(f"user {name!r} now has role {role.value}")


@users_app.command("deactivate")
def deactivate(name: Annotated[str, typer.Argument(help="Existing user name.")]) -> None:
    """Deactivate a user: they can no longer log in (the last active admin cannot be deactivated)."""
    from deps.access import auth

    settings, db = ready()
    auth.set_active(db, name, False, by=cli_actor(settings))
    typer.echo(f"user {name!r} deactivated")


@users_app.command("activate")
def activate(name: Annotated[str, typer.Argument(help="Existing user name.")]) -> None:
    """Re-activate a deactivated user and clear any login lock."""
    from deps.access import auth

    settings, db = ready()
    auth.set_active(db, name, True, by=cli_actor(settings))
    typer.echo(f"user {name!r} active")


@users_app.command("reset-password")
def reset_password(name: Annotated[str, typer.Argument(help="Existing user name.")]) -> None:
    """Give a user a new generated password (printed once) and clear any login lock."""
    from deps.access import auth

    settings, db = ready()
    password = auth.reset_password(db, name, by=cli_actor(settings))
    typer.echo(f"password of {name!r} reset")
    _show_password(name, password)


@users_app.command("ensure-admin")
def ensure_admin() -> None:
    """Create the user 'admin' with a one-time password when no user exists yet (used by `make app`)."""
    from deps.access import auth

    settings, db = ready()
    created = auth.ensure_admin(db, by=cli_actor(settings))
    if created is None:
        typer.echo("users exist already: no admin created (`deps users list` shows them)")
        return
    name, password = created
    typer.echo(f"created the first user {name!r} with role admin")
    _show_password(name, password)


# --------------------------------------------------------------------------------------------- audit
@audit_app.command("verify")
def verify(
    anchor: Annotated[
        str | None,
        typer.Option(
            "--anchor",
            help="Hash of the newest entry from an earlier check (kept outside the database); it must still be "
            "in the log, which catches deleted newest entries.",
        ),
    ] = None,
) -> None:
    """Check the audit log's hash chain; exit 1 and name the entries when it was edited or entries deleted."""
    from deps.access.audit import verify as verify_log

    settings, db = ready()
    report = verify_log(db, actor=cli_actor(settings), anchor=anchor)
    if report.ok:
        typer.echo(f"ok, {report.checked} entries")
        if report.head_id is not None:
            typer.echo(f"newest entry {report.head_id}: {report.head_hash} (keep it; check later with --anchor)")
        return
    lines = [f"audit log broken: {len(report.problems)} problem(s) in {report.checked} entries"]
    lines += [f"  - {problem}" for problem in report.problems]
    raise DepsError("\n".join(lines))  # deps.cli.main prints it and exits with status 1


@audit_app.command("list")
def list_audit(
    limit: Annotated[int, typer.Option("--limit", min=1, help="Largest number of entries (newest first).")] = 50,
    action: Annotated[str | None, typer.Option("--action", help="Only this action, e.g. login_failed.")] = None,
    user: Annotated[str | None, typer.Option("--user", help="Only entries by this user.")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.text,
) -> None:
    """Show the newest audit entries: time, user, action, target and details."""
    from deps.access.audit import list_events

    settings, db = ready()
    events = list_events(db, actor=cli_actor(settings), limit=limit, action=action, user=user)
    if fmt is Format.json:
        typer.echo(json.dumps(events, indent=2, sort_keys=True))
        return
    if not events:
        typer.echo("no audit entries match")
        return
    for event in events:
        details = json.dumps(event["details"], sort_keys=True) if event["details"] else ""
        line = f"{event['id']:>6} {event['ts']} {event['user']:<16} {event['action']:<18} {event['target']} {details}"
        typer.echo(line.rstrip())
