"""Channel watches and chat deliveries: which channels are read, and which events and
messages were already answered (a unique row per key, so retries and replays are answered once).
"""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa

from storage.tables import T_DELIVERIES, T_WATCH, utcnow
from storage.tenants import StoreBase

log = logging.getLogger(__name__)


class DeliveryRepo(StoreBase):
    """The ``TenantConfigStore`` part about channels and deliveries."""

    def set_watch(self, *, tenant: str, channel_id: str, enabled: bool) -> None:
        ref = self._tenant(tenant, create=True)
        assert ref is not None
        with self._write() as conn:
            stmt = self._insert(T_WATCH).values(tenant_id=ref.id, channel_id=channel_id, enabled=enabled)
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["tenant_id", "channel_id"], set_={"enabled": stmt.excluded.enabled}
                )
            )

    def is_watched(self, *, tenant: str, channel_id: str) -> bool:
        ref = self._tenant(tenant, create=False)
        if ref is None:
            return False
        with self._read() as conn:
            enabled = conn.execute(
                sa.select(T_WATCH.c.enabled).where(
                    T_WATCH.c.tenant_id == ref.id, T_WATCH.c.channel_id == channel_id
                )
            ).scalar()
        return bool(enabled)

    def first_delivery(self, *, tenant: str, key: str) -> bool:
        """True the first time ``key`` is seen for the tenant (a unique row: atomic across processes)."""
        ref = self._tenant(tenant, create=True)
        assert ref is not None
        with self._write() as conn:
            # RETURNING rather than rowcount: psycopg reports -1 for an INSERT with RETURNING
            inserted = conn.execute(
                self._insert(T_DELIVERIES)
                .values(tenant_id=ref.id, key=key, created_at=utcnow())
                .on_conflict_do_nothing(index_elements=["tenant_id", "key"])
                .returning(T_DELIVERIES.c.id)
            ).first()
        return inserted is not None

    def prune_deliveries(self, *, before: datetime) -> int:
        """Forgets delivery keys recorded before ``before`` (platforms stop retrying within hours)."""
        with self._write() as conn:
            result = conn.execute(sa.delete(T_DELIVERIES).where(T_DELIVERIES.c.created_at < before))
        return int(result.rowcount or 0)


__all__ = ["DeliveryRepo"]
