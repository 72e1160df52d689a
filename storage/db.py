"""Engines for SQLite and PostgreSQL, and the translation of driver errors into ours.

SQLite: WAL (readers never block the writer), foreign keys on, a busy timeout, and write
transactions opened with ``BEGIN IMMEDIATE`` so two processes queue for the write lock
instead of failing with "database is locked" when a read transaction tries to upgrade.
PostgreSQL: psycopg 3, a connect timeout and pre-ping so a restarted server is survived.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, InterfaceError, OperationalError
from sqlalchemy.pool import StaticPool

from bot.errors import StorageUnavailable

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 15_000
PG_CONNECT_TIMEOUT_S = 5

# execution option read by the SQLite "begin" hook: "IMMEDIATE" for write transactions
SQLITE_BEGIN = "claimbot_sqlite_begin"


def redact_url(url: str) -> str:
    """The URL without its password, safe for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)


def normalise_url(url: str) -> str:
    """Accepts the short ``postgresql://`` / ``postgres://`` forms and selects psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL, or None for an in-memory database (or another backend)."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file::memory:") or "mode=memory" in database:
        return None
    return Path(database).expanduser()


def index_dir_for(url: str, data_dir: Path) -> Path | None:
    """Where the vector index (a rebuildable cache) of the database at ``url`` lives.

    SQLite: ``index/`` beside the database file, so a store in a temporary directory keeps its
    index there too and an operator who moves or deletes the file moves or deletes its cache
    (the default ``{data_dir}/claimbot.db`` keeps its ``{data_dir}/index``). An in-memory
    database: None, nothing on disk. PostgreSQL (on another machine): ``{data_dir}/index``,
    the bot's own data directory. Files carry the tenant's identity, so databases sharing a
    directory never read each other's.
    """
    if is_sqlite(normalise_url(url)):
        database = _sqlite_file(url)
        return None if database is None else database.parent / "index"
    return Path(data_dir).expanduser() / "index"


def create_db_engine(url: str) -> Engine:
    """An engine with our connection settings; raises ``StorageUnavailable`` for a bad URL."""
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StorageUnavailable(f"CLAIMBOT_DATABASE_URL is not a valid database URL: {exc}") from exc
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    if parsed.get_backend_name() == "postgresql":
        return sa.create_engine(
            url,
            pool_pre_ping=True,
            pool_size=5,
            max_overflow=10,
            connect_args={
                "connect_timeout": PG_CONNECT_TIMEOUT_S,
                "application_name": "claimbot",
                # psycopg prepares a statement after 5 runs and PostgreSQL may then keep a
                # generic plan made while a table was small: a bulk import's external-id lookup
                # stayed a sequential scan and slowed with every batch (8,253 -> 1,321 claims/s
                # over 60k rows). Planning each run with its own parameters costs ~0.1 ms.
                "options": "-c plan_cache_mode=force_custom_plan",
            },
        )
    raise StorageUnavailable(
        f"unsupported database {parsed.get_backend_name()!r} in {redact_url(url)}; "
        "use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB"
    )


def _sqlite_engine(url: str) -> Engine:
    parsed = make_url(url)
    database = parsed.database or ""
    in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 15}}
    if in_memory:
        # one shared connection, or every new connection would see an empty database
        kwargs["poolclass"] = StaticPool
    else:
        # no directory is created here: a mistyped path must not start a new empty database
        # (Settings.ensure_data_dir creates the default data directory)
        directory = Path(database).expanduser().parent
        if not directory.is_dir():
            raise StorageUnavailable(
                f"no such directory {directory} for the SQLite database {database}; "
                "create it or correct the database URL"
            )
        if not os.access(directory, os.W_OK | os.X_OK):
            raise StorageUnavailable(
                f"permission denied: cannot write in {directory}, where the SQLite database "
                f"{Path(database).name} and its journal live"
            )
    engine = sa.create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # take transaction control away from pysqlite so "begin" below decides the mode
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            if not in_memory:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def describe(exc: BaseException) -> str:
    """A one-line reason from a driver error (the first line of the DBAPI message)."""
    original = getattr(exc, "orig", None) or exc
    text = str(original).strip().splitlines()
    return text[0] if text else type(original).__name__


@contextmanager
def unavailable_as_error(url: str) -> Iterator[None]:
    """Turns connection-level failures into ``StorageUnavailable`` with a readable message."""
    try:
        yield
    except (OperationalError, InterfaceError) as exc:
        reason = describe(exc)
        if "no such table" in reason or "no such column" in reason:
            reason += " (the database schema is out of date; claimbot migrates it at start)"
        raise StorageUnavailable(f"database unavailable ({redact_url(url)}): {reason}") from exc
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise StorageUnavailable(
                f"lost the connection to the database ({redact_url(url)}): {describe(exc)}"
            ) from exc
        raise


__all__ = [
    "SQLITE_BEGIN",
    "create_db_engine",
    "describe",
    "index_dir_for",
    "is_sqlite",
    "normalise_url",
    "redact_url",
    "unavailable_as_error",
]
