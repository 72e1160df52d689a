"""Storage: SQLModel tables, Alembic migrations, ``SqlStore`` and the on-disk vector index.

The app calls :func:`open_store` (which migrates the schema first); :func:`migrate` is
also available on its own.
"""

from __future__ import annotations

import logging
from pathlib import Path

from bot.settings import Settings
from storage.schema import migrate
from storage.store import SqlStore

log = logging.getLogger(__name__)


def open_store(
    settings: Settings, *, run_migrations: bool = True, embedding_dim: int | None = None
) -> SqlStore:
    """The store for ``settings.resolved_database_url``, index files under ``{data_dir}/index``.

    Raises ``StorageUnavailable`` when the database cannot be reached.
    """
    url = settings.resolved_database_url
    settings.ensure_data_dir()  # only the default one: a database URL's directory must exist
    if run_migrations:
        migrate(url)
    return SqlStore(url=url, data_dir=Path(settings.data_dir), embedding_dim=embedding_dim)


__all__ = ["SqlStore", "migrate", "open_store"]
