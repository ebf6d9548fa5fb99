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

import getpass
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from deps.errors import ConfigError
from supplychain.thresholds import Thresholds

__all__ = ["PROJECT_ROOT", "SETTINGS", "THRESHOLD_SETTINGS", "Setting", "Settings", "load_settings"]

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


def _marking(text: str) -> str:
    value = text.strip()
    if not value or len(value) > 80 or any(ord(c) < 32 for c in value):
        raise ValueError("must be one line of 1-80 characters")
    return value


def _choice(*allowed: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = text.strip().lower()
        if value not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}")
        return value

    return parse


def _score(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 4:
        raise ValueError("must be a zxcvbn score from 0 to 4")
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
        "DEPS_MAX_FRONTIER_POINTS",
        "max_frontier_points",
        "1000",
        "Most budgets of one efficient frontier (--frontier, the optimiser page); each is a point of the sweep.",
        _positive_int,
    ),
    Setting(
        "DEPS_MAX_COLUMNS",
        "max_columns",
        "300",
        "Most columns an input table (CSV file or sheet) may have; wider files are refused before they are read.",
        _positive_int,
    ),
    Setting(
        "DEPS_MAX_ROWS",
        "max_rows",
        "1000000",
        "Most data rows an input table may have (and the last sheet row a workbook may declare or use).",
        _positive_int,
    ),
    Setting(
        "DEPS_MAX_CELL_CHARS",
        "max_cell_chars",
        "32767",
        "Longest text one input cell may hold (Excel's own limit is 32,767 characters).",
        _positive_int,
    ),
    Setting(
        "DEPS_MAX_UNPACKED_MB",
        "max_unpacked_mb",
        "500",
        "Largest total uncompressed size (MB) of the parts of an XLSX workbook, checked before unpacking.",
        _positive_int,
    ),
    Setting(
        "DEPS_MAX_ZIP_RATIO",
        "max_zip_ratio",
        "100",
        "Largest compression ratio of one XLSX part above 1 MB (spreadsheet XML packs 5-30x; zip bombs 1000x).",
        _positive_int,
    ),
    Setting(
        "DEPS_MAX_ARCHIVE_MEMBERS",
        "max_archive_members",
        "1000",
        "Most parts an XLSX workbook archive may hold.",
        _positive_int,
    ),
    Setting(
        "DEPS_MAX_XML_DEPTH",
        "max_xml_depth",
        "64",
        "Deepest element nesting accepted in the XML parts of an XLSX workbook (a sheet nests about 7 deep).",
        _positive_int,
    ),
    Setting(
        "DEPS_PASSWORD_MIN_LENGTH",
        "password_min_length",
        "12",
        "Fewest characters of a chosen password.",
        _positive_int,
    ),
    Setting(
        "DEPS_PASSWORD_MIN_SCORE",
        "password_min_score",
        "3",
        "Lowest zxcvbn strength score (0-4) of a chosen password; 3 resists an offline attack of about 1e10 guesses.",
        _score,
    ),
    Setting(
        "DEPS_SHARE_TOLERANCE",
        "share_tolerance",
        "0.02",
        "Rounding tolerance when the shares of one node and supplier type add up to more than 100%.",
        _fraction,
    ),
    Setting(
        "DEPS_USGS_RECONCILE_TOLERANCE",
        "usgs_reconcile_tolerance",
        "0.05",
        "Relative gap between a USGS world total and the sum of its listed countries above which the import notes "
        "the table as not reconciling (USGS rounds world totals to two or three significant figures).",
        _fraction,
    ),
    Setting(
        "DEPS_CONFLICT_PP",
        "conflict_pp",
        "10",
        "Difference in percentage points between two sources' shares of one node, supplier and year above which a "
        "fused analysis lists it in its conflicts table.",
        float,
    ),
    Setting(
        "DEPS_LOGIN_MAX_FAILURES",
        "login_max_failures",
        "5",
        "Failed logins in a row after which an account is locked for DEPS_LOGIN_LOCK_SECONDS.",
        _positive_int,
    ),
    Setting(
        "DEPS_LOGIN_LOCK_SECONDS",
        "login_lock_seconds",
        "300",
        "How long an account stays locked after too many failed logins.",
        _positive_int,
    ),
    Setting(
        "DEPS_SESSION_MINUTES",
        "session_minutes",
        "60",
        "Minutes of inactivity after which an app session expires and the user must log in again.",
        _positive_int,
    ),
    Setting(
        "DEPS_EXPORT_CLASSIFICATION",
        "export_classification",
        "Departementaal Vertrouwelijk",
        "Classification marking written into every table download of the app (CSV header rows; XLSX cell A1, "
        "page header and footer, document properties).",
        _marking,
    ),
    Setting(
        "DEPS_USER",
        "user",
        "",
        "User name recorded on CLI runs and audit events. Empty: the OS user.",
    ),
    Setting(
        "DEPS_REPORT_CHARTS",
        "report_charts",
        "auto",
        "Chart engine of reports: auto (kaleido when a browser is installed, else matplotlib), kaleido or matplotlib.",
        _choice("auto", "kaleido", "matplotlib"),
    ),
    Setting("DEPS_LOG_LEVEL", "log_level", "WARNING", "Logging level: DEBUG, INFO, WARNING or ERROR."),
)


def _risk_weights(text: str) -> tuple[tuple[str, float], ...]:
    pairs = []
    for item in text.split(","):
        name, _, weight = item.partition("=")
        value = float(weight)
        if value < 0:
            raise ValueError("weights must be >= 0")
        pairs.append((name.strip(), value))
    known = {name for name, _w in Thresholds().risk_weights}
    if {name for name, _w in pairs} != known:
        raise ValueError(f"give a weight for each of {sorted(known)} as name=weight, comma-separated")
    return tuple(sorted(pairs))


def _bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in {"1", "true", "yes"}:
        return True
    if lowered in {"0", "false", "no"}:
        return False
    raise ValueError("must be true or false")


_THRESHOLD_HELP = {
    "chokepoint_top_share": "Top-supplier share that makes a concentration chokepoint (BCG/SIA 2021: 0.65).",
    "chokepoint_hhi": "HHI (0-1 scale) above which a node is a concentration chokepoint.",
    "cbs_concentrated": "CBS band: HHI at or above this is 'concentrated'.",
    "cbs_somewhat": "CBS band: HHI at or above this (and below concentrated) is 'somewhat concentrated'.",
    "eu_hhi": "EU screen criterion 1: HHI of extra-bloc imports above this.",
    "eu_importance": "EU screen criterion 2: extra-bloc share of imports above this.",
    "eu_substitutability": "EU screen criterion 3: extra-bloc imports / bloc exports above this.",
    "eu_exports_base": "EU screen criterion 3 denominator: total bloc exports (SWD(2021) 352) or extra-bloc only.",
    "world_hhi": "World-export HHI above which a dependent product is 'more vulnerable' (GeoDep).",
    "persistence_years": "Years flagged within the window for a persistent dependency (GeoDep: 2).",
    "persistence_window": "Window of consecutive years for persistence (GeoDep: 3).",
    "reexport_ratio": "Transit rule: imports >= this x exports marks a country's exports as re-exports.",
    "supply_risk": "CRM method: supply risk SR at or above this (with EI) is critical.",
    "economic_importance": "CRM method: economic importance EI at or above this (with SR) is critical.",
    "control_home_share": "Home (or bloc) share at or above which a node is a control point.",
    "min_coverage": "Minimum sum of known shares for a point value; below it bounds only ('insufficient data').",
    "suppliers_complete": "Supplier lists are complete: unknown shares sit only with named suppliers, no unnamed ones.",
    "knockout_loss": "Knockout: losing a node (or its top supplier) removes at least this share of a final product.",
    "knockout_exact_nodes": "Evaluate knockouts exactly up to this many nodes with a final product downstream.",
    "recovery_months_cap": "Months to recover at which the time-to-recover factor reaches 1.",
    "rising_hhi_delta": "Rise of HHI between a node's first and last year that counts as rising (DOJ/FTC 2023: 0.01).",
    "risk_weights": "Weights of the four risk factors, e.g. concentration=1,import_reliance=1,...",
}


_THRESHOLD_CHOICES = {"eu_exports_base": ("total", "extra")}


def _threshold_settings() -> tuple[Setting, ...]:
    defaults = Thresholds()
    out = []
    for name, text in _THRESHOLD_HELP.items():
        default = getattr(defaults, name)
        if name == "risk_weights":
            parse: Callable[[str], object] = _risk_weights
            shown = ",".join(f"{k}={v:g}" for k, v in default)
        elif isinstance(default, bool):
            parse, shown = _bool, str(default).lower()
        elif name in _THRESHOLD_CHOICES:
            parse, shown = _choice(*_THRESHOLD_CHOICES[name]), str(default)
        elif isinstance(default, int):
            parse, shown = _positive_int, str(default)
        else:
            parse, shown = float, f"{default:g}"
        out.append(Setting(f"DEPS_{name.upper()}", name, shown, text, parse))
    return tuple(out)


#: Every analysis threshold (defaults and sources: docs/methods/index.md) as a setting ``DEPS_<NAME>``.
THRESHOLD_SETTINGS: tuple[Setting, ...] = _threshold_settings()


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
    max_frontier_points: int
    max_columns: int
    max_rows: int
    max_cell_chars: int
    max_unpacked_mb: int
    max_zip_ratio: int
    max_archive_members: int
    max_xml_depth: int
    password_min_length: int
    password_min_score: int
    share_tolerance: float
    usgs_reconcile_tolerance: float
    conflict_pp: float
    login_max_failures: int
    login_lock_seconds: int
    session_minutes: int
    export_classification: str
    user: str
    report_charts: str
    log_level: str
    thresholds: Thresholds

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
    values: dict[str, Any] = {}  # each setting's parser gives the type of its field
    for setting in SETTINGS:
        raw = env.get(setting.env, setting.default)
        try:
            values[setting.attr] = setting.parse(raw)
        except ValueError as exc:
            raise ConfigError(f"{setting.env}={raw!r}: {exc}. {setting.help}") from exc
    overrides: dict[str, Any] = {}
    for setting in THRESHOLD_SETTINGS:
        given = env.get(setting.env)
        if not given:
            continue
        try:
            overrides[setting.attr] = setting.parse(given)
        except ValueError as exc:
            raise ConfigError(f"{setting.env}={given!r}: {exc}. {setting.help}") from exc
    base = Thresholds(home=str(values["home_country"]), bloc=str(values["bloc"]))
    values["thresholds"] = replace(base, **overrides)
    names = {f.name for f in fields(Settings)}
    assert names == set(values), "SETTINGS and Settings disagree"
    return Settings(**values)
