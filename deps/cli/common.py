"""Pieces every ``deps`` command module shares: output formats, settings with logging, the CLI's actor."""

from __future__ import annotations

import logging
from enum import StrEnum

from deps.access.auth import Actor
from deps.config import Settings, load_settings
from deps.store.db import Database, open_database, require_schema

__all__ = ["OutputFormat", "TableFormat", "cli_actor", "close_handles", "configured", "opened", "ready"]


class OutputFormat(StrEnum):
    """Output formats of commands that print to the terminal."""

    text = "text"
    json = "json"


class TableFormat(StrEnum):
    """File formats of result tables."""

    csv = "csv"
    json = "json"


def configured() -> Settings:
    """The settings, with logging configured at ``DEPS_LOG_LEVEL``."""
    loaded = load_settings()
    logging.basicConfig(level=loaded.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    return loaded


#: Handles a command opened; :func:`close_handles` closes them when the command ends (see ``deps.cli.main``).
_OPENED: list[Database] = []


def opened(settings: Settings) -> Database:
    """A handle on the settings' database whose connections close when the running command ends (even on error)."""
    db = open_database(settings)
    _OPENED.append(db)
    return db


def close_handles() -> None:
    """Close the connections of every handle a command opened (the CLI group's close callback runs this)."""
    while _OPENED:
        _OPENED.pop().dispose()


def ready() -> tuple[Settings, Database]:
    """The settings and a handle on their database, after checking it is at the newest schema revision.

    The handle's connections are closed when the command ends, whether it succeeds or fails (the CLI group's close
    callback), so an in-process caller such as the test runner keeps no PostgreSQL connection open.
    """
    loaded = configured()
    db = opened(loaded)
    require_schema(db)  # on failure the handle is closed with the others when the command ends
    return loaded, db


def cli_actor(loaded: Settings) -> Actor:
    """Who acts on the command line: a local administrator named ``cli:`` plus DEPS_USER or the OS user.

    Whoever can run the CLI can open the database file (or holds its credentials) anyway; roles bind app users.
    """
    return Actor(f"cli:{loaded.effective_user}"[:80], "admin")
