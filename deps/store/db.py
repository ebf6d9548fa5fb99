"""Database engine, sessions and schema migrations.

SQLite is the embedded default (a file under ``var/``); ``DEPS_DATABASE_URL`` switches to PostgreSQL.  The schema
is created and upgraded only through Alembic migrations (``deps/store/migrations``), never with ``create_all``, so that
SQLite and PostgreSQL databases share one history.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from deps.config import Settings
from deps.errors import DatabaseError

__all__ = [
    "Database",
    "alembic_config",
    "current_revision",
    "head_revision",
    "lock_table",
    "open_database",
    "redact",
    "require_schema",
    "upgrade",
]

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class Database:
    """One database: its URL, its connection pool and its transactions.

    The handle is made once where a process starts (the CLI command, the app's resource cache, a batch worker) and
    passed explicitly to every store, access, ingest and service function, as datasette passes its database object.
    There is no module-level engine cache. For SQLite the parent folder is created, foreign keys are enforced and WAL
    journaling lets readers and one writer work at once. A handle pickles as its URL, so a worker process rebuilds its
    own pool instead of inheriting sockets.

    Parameters
    ----------
    url
        An SQLAlchemy URL (``sqlite:///var/deps.sqlite3``, ``postgresql+psycopg://...``).
    """

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            parsed = sa.engine.make_url(url)
        except sa.exc.ArgumentError as exc:
            raise DatabaseError(f"the database URL is not valid: {exc}. Check DEPS_DATABASE_URL.") from exc
        if parsed.get_backend_name() == "sqlite":
            path = parsed.database
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.engine: Engine = sa.create_engine(url, connect_args={"timeout": 30})
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            self.engine = sa.create_engine(url, pool_pre_ping=True)

    def __repr__(self) -> str:
        return f"Database({self.redacted!r})"

    def __reduce__(self) -> tuple[type[Database], tuple[str]]:
        return (Database, (self.url,))

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.dispose()

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return str(self.engine.dialect.name)

    @property
    def redacted(self) -> str:
        """The URL without its password, for messages."""
        return redact(self.url)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        """Close every pooled connection (before a process forks, and when the handle is no longer needed)."""
        self.engine.dispose()


def open_database(settings: Settings) -> Database:
    """The database the settings point at (``DEPS_DATABASE_URL``, or SQLite under ``DEPS_VAR_DIR``)."""
    return Database(settings.effective_database_url)


def lock_table(session: Session, table: str) -> None:
    """Hold ``table`` against concurrent writers until the transaction ends (read-then-insert without races).

    PostgreSQL: ``LOCK TABLE ... IN SHARE ROW EXCLUSIVE MODE`` (readers go on, a second writer waits).  SQLite has
    one writer at a time: a no-op ``UPDATE`` takes the database's write lock now instead of at the first insert.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(sa.text(f'LOCK TABLE "{table}" IN SHARE ROW EXCLUSIVE MODE'))
    elif dialect == "sqlite":
        session.execute(sa.text(f'UPDATE "{table}" SET id = id WHERE 0'))


def alembic_config(url: str) -> Any:
    """An Alembic ``Config`` pointing at the packaged migrations and ``url``."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(db: Database, revision: str = "head") -> None:
    """Create or upgrade the schema of ``db`` to ``revision``."""
    from alembic import command

    cfg = alembic_config(db.url)
    try:
        with db.engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:  # batch migrations recreate tables: foreign keys off meanwhile (only outside a transaction)
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                connection.commit()
            try:
                with connection.begin():
                    cfg.attributes["connection"] = connection
                    command.upgrade(cfg, revision)
            finally:
                if sqlite:
                    connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                    connection.commit()
    except sa.exc.OperationalError as exc:
        raise DatabaseError(
            f"cannot reach or upgrade the database {db.redacted}: {exc.orig}. "
            "Check DEPS_DATABASE_URL and that the server is running."
        ) from exc


def require_schema(db: Database) -> None:
    """Raise :class:`DatabaseError` unless ``db`` is at the newest schema revision."""
    revision = current_revision(db)
    if revision is None:
        raise DatabaseError(f"the database {db.redacted} has no schema yet: run `deps init` (or `make app`) first")
    head = head_revision()
    if revision != head:
        raise DatabaseError(
            f"the database {db.redacted} is at schema {revision}, the code needs {head}: run `deps init` to upgrade"
        )


def head_revision() -> str:
    """The newest migration revision shipped with the code."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    return head or ""


def current_revision(db: Database) -> str | None:
    """The revision ``db`` is at, or ``None`` when it has no schema yet."""
    from alembic.runtime.migration import MigrationContext

    try:
        with db.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except sa.exc.OperationalError as exc:
        raise DatabaseError(f"cannot open the database {db.redacted}: {exc.orig}. Check DEPS_DATABASE_URL.") from exc


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "<unparseable URL>"
