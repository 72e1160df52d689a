"""Digest schedules and the exactly-once bookkeeping of weekly posts: one ``digest_posts``
row per tenant and period, claimed, marked sending, then marked posted (see
:mod:`adapters.scheduler` for the protocol). What a digest says is read by
:mod:`storage.claims_repo` (``mentions_between``, ``changed_between``).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row

from bot.ports import DigestPostState, DigestSchedule
from storage.tables import T_POSTS, T_SCHEDULES, T_TENANTS, utcnow
from storage.tenants import StoreBase

log = logging.getLogger(__name__)


class DigestRepo(StoreBase):
    """The ``TenantConfigStore`` part about digests."""

    def set_digest(self, *, schedule: DigestSchedule) -> None:
        ref = self._tenant(schedule.tenant, create=True)
        assert ref is not None
        values = {
            "platform": schedule.platform,
            "channel_id": schedule.channel_id,
            "weekday": schedule.weekday,
            "hour": schedule.hour,
            "timezone": schedule.timezone,
            "enabled": schedule.enabled,
            "updated_at": utcnow(),
        }
        with self._write() as conn:
            stmt = self._insert(T_SCHEDULES).values(tenant_id=ref.id, **values)
            conn.execute(stmt.on_conflict_do_update(index_elements=["tenant_id"], set_=values))

    def _schedule_query(self) -> sa.Select[Any]:
        s = T_SCHEDULES.c
        return sa.select(
            T_TENANTS.c.key, s.platform, s.channel_id, s.weekday, s.hour, s.timezone, s.enabled
        ).select_from(T_SCHEDULES.join(T_TENANTS, T_TENANTS.c.id == s.tenant_id))

    @staticmethod
    def _schedule(row: Row[Any]) -> DigestSchedule:
        return DigestSchedule(
            tenant=row.key,
            platform=row.platform,
            channel_id=row.channel_id,
            weekday=row.weekday,
            hour=row.hour,
            timezone=row.timezone,
            enabled=bool(row.enabled),
        )

    def get_digest(self, *, tenant: str) -> DigestSchedule | None:
        with self._read() as conn:
            row = conn.execute(self._schedule_query().where(T_TENANTS.c.key == tenant)).first()
        return self._schedule(row) if row else None

    def digest_schedules(self) -> list[DigestSchedule]:
        """Every enabled schedule (all tenants)."""
        with self._read() as conn:
            rows = conn.execute(
                self._schedule_query().where(T_SCHEDULES.c.enabled.is_(True)).order_by(T_TENANTS.c.key)
            ).all()
        return [self._schedule(row) for row in rows]

    def claim_digest_period(self, *, tenant: str, period_key: str, owner: str) -> bool:
        """Takes the right to post ``period_key``; False when posted or claimed by a live owner.

        A claim that was never posted nor released (its owner crashed) is taken over once it
        is older than ``digest_claim_ttl``.
        """
        ref = self._tenant(tenant, create=True)
        assert ref is not None
        now = utcnow()
        p = T_POSTS.c
        with self._write() as conn:
            inserted = conn.execute(
                self._insert(T_POSTS)
                .values(tenant_id=ref.id, period_key=period_key, owner=owner, claimed_at=now)
                .on_conflict_do_nothing(index_elements=["tenant_id", "period_key"])
                .returning(p.id)
            ).first()
            if inserted is not None:
                return True
            taken_over = conn.execute(
                sa.update(T_POSTS)
                .where(
                    p.tenant_id == ref.id,
                    p.period_key == period_key,
                    p.posted_at.is_(None),
                    p.sending_at.is_(None),  # the post may have gone out: never taken over
                    p.claimed_at < now - self.digest_claim_ttl,
                )
                .values(owner=owner, claimed_at=now, attempts=p.attempts + 1)
                .returning(p.id)
            ).first()
            if taken_over is not None:
                log.warning("took over the stale digest claim of %s %s", tenant, period_key)
                return True
        return False

    def mark_digest_posted(self, *, tenant: str, period_key: str, message_ref: str | None) -> None:
        ref = self._tenant(tenant, create=True)
        assert ref is not None
        p = T_POSTS.c
        with self._write() as conn:
            stmt = self._insert(T_POSTS).values(
                tenant_id=ref.id,
                period_key=period_key,
                owner="",
                claimed_at=utcnow(),
                posted_at=utcnow(),
                message_ref=message_ref,
            )
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["tenant_id", "period_key"],
                    set_={"posted_at": stmt.excluded.posted_at, "message_ref": stmt.excluded.message_ref},
                    where=p.posted_at.is_(None),
                )
            )

    def release_digest_period(self, *, tenant: str, period_key: str, owner: str) -> None:
        ref = self._tenant(tenant, create=False)
        if ref is None:
            return
        p = T_POSTS.c
        with self._write() as conn:
            conn.execute(
                sa.delete(T_POSTS).where(
                    p.tenant_id == ref.id,
                    p.period_key == period_key,
                    p.owner == owner,
                    p.posted_at.is_(None),
                )
            )

    def mark_digest_sending(self, *, tenant: str, period_key: str, owner: str) -> bool:
        ref = self._tenant(tenant, create=False)
        if ref is None:
            return False
        p = T_POSTS.c
        with self._write() as conn:
            marked = conn.execute(
                sa.update(T_POSTS)
                .where(
                    p.tenant_id == ref.id,
                    p.period_key == period_key,
                    p.owner == owner,
                    p.posted_at.is_(None),
                    p.sending_at.is_(None),
                )
                .values(sending_at=utcnow())
                .returning(p.id)
            ).first()
        return marked is not None

    def reclaim_stale_digest_period(
        self, *, tenant: str, period_key: str, owner: str, claimed_before: datetime
    ) -> bool:
        ref = self._tenant(tenant, create=False)
        if ref is None:
            return False
        p = T_POSTS.c
        with self._write() as conn:
            taken = conn.execute(
                sa.update(T_POSTS)
                .where(
                    p.tenant_id == ref.id,
                    p.period_key == period_key,
                    p.posted_at.is_(None),
                    p.sending_at.is_(None),
                    p.claimed_at < claimed_before,
                )
                .values(owner=owner, claimed_at=utcnow(), attempts=p.attempts + 1)
                .returning(p.id)
            ).first()
        if taken is not None:
            log.warning("took over the stale digest claim of %s %s", tenant, period_key)
        return taken is not None

    def digest_post_state(self, *, tenant: str, period_key: str) -> DigestPostState | None:
        ref = self._tenant(tenant, create=False)
        if ref is None:
            return None
        p = T_POSTS.c
        with self._read() as conn:
            row = conn.execute(
                sa.select(p.owner, p.claimed_at, p.sending_at, p.posted_at, p.message_ref, p.attempts).where(
                    p.tenant_id == ref.id, p.period_key == period_key
                )
            ).first()
        if row is None:
            return None
        return DigestPostState(
            tenant=tenant,
            period_key=period_key,
            owner=row.owner,
            claimed_at=row.claimed_at,
            sending_at=row.sending_at,
            posted_at=row.posted_at,
            message_ref=row.message_ref,
            attempts=int(row.attempts),
        )


__all__ = ["DigestRepo"]
