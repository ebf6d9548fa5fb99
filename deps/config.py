"""Settings: one table of every setting, with its default and its help.

Every setting is read from an environment variable (``DEPS_*``).  The README documents each one; a test fails when
a setting is missing there.  Nothing here reads files or opens connections: :func:`load_settings` only parses.

Examples
--------
>>> s = load_settings({"DEPS_HOME_COUNTRY": "DEU"})
>>> s.home_country
'DEU'
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from deps.errors import ConfigError

__all__ = ["PROJECT_ROOT", "SETTINGS", "Setting", "Settings", "load_settings"]

#: The folder that holds ``pyproject.toml`` and the seed ``data/`` (the repository root in a checkout).
PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    """One configurable setting: environment variable, attribute name, default and help text."""

    env: str
    attr: str
    default: str
    help: str
    parse: Callable[[str], object] = str


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise ValueError("must be a positive integer")
    return value


def _fraction(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise ValueError("must lie between 0 and 1")
    return value


def _iso3(text: str) -> str:
    code = text.strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise ValueError("must be a three-letter ISO 3166-1 alpha-3 code such as NLD")
    return code


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "DEPS_DATABASE_URL",
        "database_url",
        "",
        "SQLAlchemy URL of the database. Empty: a SQLite file var/deps.sqlite3 under DEPS_VAR_DIR. "
        "PostgreSQL: postgresql+psycopg://USER:PASSWORD@HOST:PORT/DBNAME.",
    ),
    Setting(
        "DEPS_VAR_DIR",
        "var_dir",
        "var",
        "Folder for the default SQLite database and other local state (git-ignored). Relative paths are "
        "taken from the current directory.",
    ),
    Setting(
        "DEPS_SEED_DIR",
        "seed_dir",
        "",
        "Folder of the seed dataset that `deps init` loads. Empty: the project's own data/ folder.",
    ),
    Setting(
        "DEPS_SEED_DATASET",
        "seed_dataset",
        "seed",
        "Name of the dataset the seed is loaded into, and the default --dataset of analysis commands.",
    ),
    Setting("DEPS_HOME_COUNTRY", "home_country", "NLD", "Home country (ISO3) for control points.", _iso3),
    Setting("DEPS_BLOC", "bloc", "EU27", "Home bloc for foreign/bloc views (a membership code)."),
    Setting(
        "DEPS_MAX_IMPORT_MB",
        "max_import_mb",
        "200",
        "Largest input file (MB) an importer accepts before it refuses it as too large.",
        _positive_int,
    ),
    Setting(
        "DEPS_SHARE_TOLERANCE",
        "share_tolerance",
        "0.02",
        "Rounding tolerance when the shares of one node and supplier type add up to more than 100%.",
        _fraction,
    ),
    Setting(
        "DEPS_USER",
        "user",
        "",
        "User name recorded on CLI runs and audit events. Empty: the OS user.",
    ),
    Setting("DEPS_LOG_LEVEL", "log_level", "WARNING", "Logging level: DEBUG, INFO, WARNING or ERROR."),
)


@dataclass(frozen=True)
class Settings:
    """Parsed settings; build with :func:`load_settings`."""

    database_url: str
    var_dir: str
    seed_dir: str
    seed_dataset: str
    home_country: str
    bloc: str
    max_import_mb: int
    share_tolerance: float
    login_max_failures: int
    login_lock_seconds: int
    session_minutes: int
    user: str
    log_level: str

    @property
    def effective_database_url(self) -> str:
        """The database URL in force: the setting, or a SQLite file under ``var_dir``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{Path(self.var_dir) / 'deps.sqlite3'}"

    @property
    def effective_seed_dir(self) -> Path:
        """The seed folder in force."""
        return Path(self.seed_dir) if self.seed_dir else PROJECT_ROOT / "data"

    @property
    def effective_user(self) -> str:
        """The user name recorded on CLI runs."""
        if self.user:
            return self.user
        import getpass

        try:
            return getpass.getuser()
        except (KeyError, OSError):
            return "unknown"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Parse every setting from ``environ`` (default: ``os.environ``).

    Raises
    ------
    ConfigError
        When a value cannot be parsed; the message names the variable and what it accepts.
    """
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for setting in SETTINGS:
        raw = env.get(setting.env, setting.default)
        try:
            values[setting.attr] = setting.parse(raw)
        except ValueError as exc:
            raise ConfigError(f"{setting.env}={raw!r}: {exc}. {setting.help}") from exc
    names = {f.name for f in fields(Settings)}
    assert names == set(values), "SETTINGS and Settings disagree"
    return Settings(**values)  # type: ignore[arg-type]
