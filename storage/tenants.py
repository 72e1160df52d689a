"""What every repository of :class:`storage.store.SqlStore` shares: the engine, transactions
and tenant rows (:class:`StoreBase`), and the per-tenant settings (:class:`TenantSettingsRepo`).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Self

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Connection

from storage.db import SQLITE_BEGIN, create_db_engine, index_dir_for, normalise_url, unavailable_as_error
from storage.tables import T_CLAIMS, T_TENANTS, utcnow
from storage.vector_index import VectorIndex

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TenantRef:
    id: int
    identity: str  # survives nothing but this database: names the index file


class StoreBase:
    """The connection pool, transactions and tenant lookup; the repositories add the queries."""

    def __init__(
        self,
        *,
        url: str,
        data_dir: Path,
        embedding_dim: int | None = None,
        persist_every: int = 5_000,
        digest_claim_ttl: timedelta = timedelta(minutes=15),
    ) -> None:
        self.url = normalise_url(url)
        self.engine = create_db_engine(self.url)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        # None for an in-memory SQLite database: its index lives and dies with it
        self.index_dir: Path | None = index_dir_for(self.url, Path(data_dir))
        self.embedding_dim = embedding_dim
        self.persist_every = persist_every
        self.digest_claim_ttl = digest_claim_ttl
        self._tenants: dict[str, TenantRef] = {}
        self._dims: dict[int, int] = {}
        # the vector-index cache of storage.vector_search (one index and one lock per tenant)
        self._indexes: dict[str, VectorIndex] = {}
        self._index_locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    def close(self) -> None:
        """Closes the connection pool."""
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with unavailable_as_error(self.url), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with unavailable_as_error(self.url), self.engine.connect() as conn:
            if self.is_sqlite:
                conn.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
            with conn.begin():
                yield conn

    def _insert(self, table: sa.Table) -> Any:
        """INSERT that supports ``on_conflict_do_nothing`` on both backends."""
        return (sqlite_dialect.insert if self.is_sqlite else pg_dialect.insert)(table)

    def _tenant(self, tenant: str, *, create: bool) -> TenantRef | None:
        """The tenant's row (created in its own committed transaction when asked)."""
        ref = self._tenants.get(tenant)
        if ref is not None:
            return ref
        query = sa.select(T_TENANTS.c.id, T_TENANTS.c.created_at).where(T_TENANTS.c.key == tenant)
        with self._read() as conn:
            row = conn.execute(query).first()
        if row is None:
            if not create:
                return None
            with self._write() as conn:
                conn.execute(
                    self._insert(T_TENANTS)
                    .values(key=tenant, settings_json="{}", created_at=utcnow())
                    .on_conflict_do_nothing(index_elements=["key"])
                )
                row = conn.execute(query).one()
        ref = TenantRef(id=row.id, identity=f"{tenant}|{row.id}|{row.created_at.isoformat()}")
        self._tenants[tenant] = ref
        return ref

    def _lock_tenant(self, conn: Connection, tenant_id: int) -> None:
        """Serialises claim writers of one tenant so claim ids commit in increasing order."""
        if not self.is_sqlite:  # SQLite: BEGIN IMMEDIATE already holds the database write lock
            conn.execute(sa.select(T_TENANTS.c.id).where(T_TENANTS.c.id == tenant_id).with_for_update())

    def _tenant_dim(self, conn: Connection, tenant_id: int, fallback: int) -> int:
        """Embedding width for this tenant: configured, else what is stored, else ``fallback``."""
        if self.embedding_dim:
            return self.embedding_dim
        if tenant_id not in self._dims:
            blob = conn.execute(
                sa.select(T_CLAIMS.c.embedding).where(T_CLAIMS.c.tenant_id == tenant_id).limit(1)
            ).scalar()
            if blob is None:
                return fallback
            self._dims[tenant_id] = len(blob) // 2
        return self._dims[tenant_id]


class TenantSettingsRepo(StoreBase):
    """Per-tenant overrides of settings, kept as JSON on the tenant row."""

    def tenant_settings(self, *, tenant: str) -> dict[str, Any]:
        """Per-tenant overrides (e.g. ``{"repeat_threshold": 0.75}``); empty when none."""
        ref = self._tenant(tenant, create=False)
        if ref is None:
            return {}
        with self._read() as conn:
            raw = conn.execute(
                sa.select(T_TENANTS.c.settings_json).where(T_TENANTS.c.id == ref.id)
            ).scalar_one()
        value = json.loads(raw or "{}")
        return value if isinstance(value, dict) else {}

    def update_tenant_settings(self, *, tenant: str, values: dict[str, Any]) -> dict[str, Any]:
        """Merges ``values`` into the overrides (a ``None`` value removes a key); returns the result."""
        ref = self._tenant(tenant, create=True)
        assert ref is not None
        with self._write() as conn:
            raw = conn.execute(
                sa.select(T_TENANTS.c.settings_json).where(T_TENANTS.c.id == ref.id)
            ).scalar_one()
            current = json.loads(raw or "{}")
            current = current if isinstance(current, dict) else {}
            for key, value in values.items():
                if value is None:
                    current.pop(key, None)
                else:
                    current[key] = value
            conn.execute(
                sa.update(T_TENANTS).where(T_TENANTS.c.id == ref.id).values(settings_json=json.dumps(current))
            )
        return current


__all__ = ["StoreBase", "TenantRef", "TenantSettingsRepo"]
