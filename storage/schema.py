"""Schema migrations, run programmatically: ``migrate(url)`` is what the app calls at start."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from storage.db import SQLITE_BEGIN, create_db_engine, normalise_url, unavailable_as_error

log = logging.getLogger(__name__)

ALEMBIC_INI = Path(__file__).with_name("alembic.ini")
# full-text structures the migrations create by hand; the models do not describe them
HAND_MADE = frozenset(
    {
        "claims_fts",
        "claims_fts_data",
        "claims_fts_idx",
        "claims_fts_docsize",
        "claims_fts_config",
        "claims_fts_content",
        "ix_claims_text_fts",
        "text_tsv",  # PostgreSQL: generated tsvector column (migration 0004)
    }
)
# any constant: serialises concurrent migrations of one PostgreSQL database
_PG_MIGRATION_LOCK = 7_245_001


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic filter: leaves the hand-made full-text objects out of model comparisons."""
    return name not in HAND_MADE


def alembic_config() -> Config:
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(ALEMBIC_INI.parent / "migrations"))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(url: str) -> str | None:
    engine = create_db_engine(url)
    try:
        with unavailable_as_error(url), engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def migrate(url: str, revision: str = "head") -> None:
    """Brings the database at ``url`` to ``revision`` (``upgrade head``); safe to run concurrently.

    Raises ``StorageUnavailable`` when the database cannot be reached.
    """
    url = normalise_url(url)
    engine = create_db_engine(url)
    config = alembic_config()
    try:
        with unavailable_as_error(url), engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                conn.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
            with conn.begin():
                if engine.dialect.name == "postgresql":
                    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})")
                config.attributes["connection"] = conn
                command.upgrade(config, revision)
    finally:
        engine.dispose()


def downgrade(url: str, revision: str = "base") -> None:
    """Reverts migrations (tests check that every revision also goes down)."""
    url = normalise_url(url)
    engine = create_db_engine(url)
    config = alembic_config()
    try:
        with unavailable_as_error(url), engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                conn.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
            with conn.begin():
                config.attributes["connection"] = conn
                command.downgrade(config, revision)
    finally:
        engine.dispose()


__all__ = [
    "HAND_MADE",
    "alembic_config",
    "current_revision",
    "downgrade",
    "head_revision",
    "include_name",
    "migrate",
]
