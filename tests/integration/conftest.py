"""Database fixtures: every ``db_url`` test runs on a real SQLite file AND a real PostgreSQL.

PostgreSQL comes from ``CLAIMBOT_TEST_POSTGRES_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``); each test gets its own throwaway
database, dropped afterwards. When the server is unreachable the PostgreSQL cases are
skipped with a loud warning in the summary, or fail when ``CI`` is set (CI must run them).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.settings import Settings
from storage import SqlStore, open_store
from storage.db import redact_url

DEFAULT_TEST_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
_postgres_unreachable: list[str] = []


def postgres_admin_url() -> str:
    url = os.environ.get("CLAIMBOT_TEST_POSTGRES_URL") or DEFAULT_TEST_POSTGRES_URL
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[sa.Engine | None]:
    """An AUTOCOMMIT engine on the test server (to create and drop databases), or None."""
    url = postgres_admin_url()
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as exc:
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        _postgres_unreachable.append(f"{redact_url(url)}: {reason}")
        yield None
        return
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_url(postgres_admin: sa.Engine | None) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test (dropped afterwards)."""
    if postgres_admin is None:
        message = f"PostgreSQL unreachable ({_postgres_unreachable[-1]})"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI must run the PostgreSQL tests")
        pytest.skip(message)
    name = f"claimbot_test_{uuid.uuid4().hex[:12]}"
    with postgres_admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield postgres_admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with postgres_admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    (tmp_path / "db").mkdir(exist_ok=True)  # a database URL's directory must exist
    return f"sqlite:///{tmp_path / 'db' / 'claimbot.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """An empty database (not migrated): a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def store_settings(db_url: str, tmp_path: Path) -> Settings:
    """Settings pointing at ``db_url`` with a private data directory (no .env read)."""
    return Settings(_env_file=None, database_url=db_url, data_dir=tmp_path / "data")  # type: ignore[call-arg]


@pytest.fixture
def store(store_settings: Settings) -> Iterator[SqlStore]:
    """A migrated ``SqlStore`` on ``db_url``."""
    opened = open_store(store_settings)
    try:
        yield opened
    finally:
        opened.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _postgres_unreachable:
        return
    terminalreporter.write_sep("!", "POSTGRESQL WAS NOT TESTED", red=True, bold=True)
    terminalreporter.write_line(
        f"The PostgreSQL storage tests did NOT run: server unreachable at {_postgres_unreachable[0]}",
        red=True,
        bold=True,
    )
    terminalreporter.write_line(
        "Start it or set CLAIMBOT_TEST_POSTGRES_URL; with CI=1 these tests fail instead.", red=True
    )
