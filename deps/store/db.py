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

from deps.errors import DatabaseError

__all__ = [
    "alembic_config",
    "current_revision",
    "dispose_engines",
    "engine_for",
    "head_revision",
    "lock_table",
    "redact",
    "require_schema",
    "session_scope",
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


_ENGINES: dict[str, Engine] = {}


def engine_for(url: str) -> Engine:
    """Return the (cached) engine for ``url``.

    For SQLite the parent folder is created, foreign keys are enforced and WAL journaling lets readers and one
    writer work at once.
    """
    engine = _ENGINES.get(url)
    if engine is not None:
        return engine
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": 30})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = sa.create_engine(url, pool_pre_ping=True)
    _ENGINES[url] = engine
    return engine


def dispose_engines() -> None:
    """Close every pooled connection and forget the cached engines (tests, and before a process forks)."""
    while _ENGINES:
        _url, engine = _ENGINES.popitem()
        engine.dispose()


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on any error."""
    with Session(engine_for(url), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


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


def upgrade(url: str, revision: str = "head") -> None:
    """Create or upgrade the schema of ``url`` to ``revision``."""
    from alembic import command

    cfg = alembic_config(url)
    try:
        with engine_for(url).connect() as connection:
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
            f"cannot reach or upgrade the database {redact(url)}: {exc.orig}. "
            "Check DEPS_DATABASE_URL and that the server is running."
        ) from exc


def require_schema(url: str) -> None:
    """Raise :class:`DatabaseError` unless the database at ``url`` is at the newest schema revision."""
    revision = current_revision(url)
    if revision is None:
        raise DatabaseError(f"the database {redact(url)} has no schema yet: run `deps init` (or `make app`) first")
    head = head_revision()
    if revision != head:
        raise DatabaseError(
            f"the database {redact(url)} is at schema {revision}, the code needs {head}: run `deps init` to upgrade"
        )


def head_revision() -> str:
    """The newest migration revision shipped with the code."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    return head or ""


def current_revision(url: str) -> str | None:
    """The revision the database at ``url`` is at, or ``None`` when it has no schema yet."""
    from alembic.runtime.migration import MigrationContext

    try:
        with engine_for(url).connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except sa.exc.OperationalError as exc:
        raise DatabaseError(f"cannot open the database {redact(url)}: {exc.orig}. Check DEPS_DATABASE_URL.") from exc


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "<unparseable URL>"
