"""Alembic environment: the app passes its own connection; the command line builds one.

``storage.migrate(url)`` opens the connection (with our SQLite pragmas, inside a write
transaction and, on PostgreSQL, an advisory lock so two bots starting at once do not race)
and hands it over in ``config.attributes["connection"]``.
"""

from __future__ import annotations

from typing import Any

from alembic import context

from storage.schema import include_name
from storage.tables import metadata

config = context.config


def run_migrations(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_name=include_name,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    # command line: same URL resolution and connection settings as the app
    from bot.settings import load_settings
    from storage.db import create_db_engine

    url = config.get_main_option("sqlalchemy.url") or load_settings().resolved_database_url
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn, conn.begin():
            run_migrations(conn)
    finally:
        engine.dispose()


main()
