"""Alembic environment: migrations of the deps schema, for SQLite (batch mode) and PostgreSQL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool
from sqlmodel import SQLModel

import deps.store.models  # noqa: F401  (registers the tables)
from deps.config import load_settings

config = context.config
target_metadata = SQLModel.metadata

url = config.get_main_option("sqlalchemy.url") or load_settings().effective_database_url


def run_migrations_offline() -> None:
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    section = config.get_section(config.config_ini_section) or {}
    section["sqlalchemy.url"] = url
    connectable = config.attributes.get("connection")
    if connectable is None:
        connectable = engine_from_config(section, prefix="sqlalchemy.", poolclass=pool.NullPool)
        with connectable.connect() as connection:
            if connection.dialect.name == "sqlite":
                # A batch migration recreates a table; with foreign keys enforced, dropping a referenced table
                # would fail. The PRAGMA works only outside a transaction: commit the one it opened.
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                connection.commit()
            _run(connection)
    else:
        _run(connectable)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
