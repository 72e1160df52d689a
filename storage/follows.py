"""Follows and their alerts in the database: the ``FollowStore`` port, one repository of ``SqlStore``.

Two tables (migration 0008, models in :mod:`storage.tables`):

* ``follows`` — a channel follows a stored speaker: one row per (tenant, speaker, channel);
* ``follow_alerts`` — one row per alert owed, unique per (tenant, channel, article, claim).
  The unique row is what makes an alert exactly-once: a check queues it with
  ``INSERT ... ON CONFLICT DO NOTHING``, and a poster takes it with one conditional UPDATE
  (``owner`` and ``sending_at`` set where ``owner`` is null), so of several bot processes
  exactly one posts it. A taken alert is never taken again: a process that dies while
  posting may lose that alert, but it is never posted twice. A poster that fails before
  anything went out releases it for a later retry (``retry_at``, ``attempts``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from bot.follows import Follow, FollowAlert, alert_from_dict, alert_to_dict
from bot.known_speakers import normalise_name
from bot.models import Speaker, SpeakerKind
from storage import ids
from storage.tables import T_ALIASES, T_FOLLOW_ALERTS, T_FOLLOWS, T_SPEAKERS, T_TENANTS, utcnow
from storage.tenants import StoreBase

log = logging.getLogger(__name__)


class FollowRepo(StoreBase):
    """``bot.ports.FollowStore``: follows per channel and the delivery bookkeeping of their alerts."""

    # ------------------------------------------------------------------ follows
    def add_follow(self, *, tenant: str, speaker_id: str, platform: str, channel_id: str) -> bool:
        ref = self._tenant(tenant, create=True)
        assert ref is not None
        pk = ids.parse_id(ids.SPEAKER, speaker_id)
        if pk is None:
            raise ValueError(f"not a speaker id: {speaker_id!r}")
        f = T_FOLLOWS.c
        with self._write() as conn:
            # the speaker must be this tenant's: an id from another tenant follows nothing
            owned = conn.execute(
                sa.select(T_SPEAKERS.c.id).where(T_SPEAKERS.c.id == pk, T_SPEAKERS.c.tenant_id == ref.id)
            ).first()
            if owned is None:
                raise ValueError(f"speaker {speaker_id} is not one of {tenant}'s")
            added = conn.execute(
                self._insert(T_FOLLOWS)
                .values(
                    tenant_id=ref.id,
                    speaker_id=pk,
                    platform=platform,
                    channel_id=channel_id,
                    created_at=utcnow(),
                )
                .on_conflict_do_nothing(index_elements=["tenant_id", "speaker_id", "channel_id"])
                .returning(f.id)
            ).first()
        return added is not None

    def remove_follow(self, *, tenant: str, speaker_id: str, channel_id: str) -> bool:
        ref = self._tenant(tenant, create=False)
        pk = ids.parse_id(ids.SPEAKER, speaker_id)
        if ref is None or pk is None:
            return False
        f = T_FOLLOWS.c
        with self._write() as conn:
            result = conn.execute(
                sa.delete(T_FOLLOWS).where(
                    f.tenant_id == ref.id, f.speaker_id == pk, f.channel_id == channel_id
                )
            )
        return bool(result.rowcount)

    def follows(self, *, tenant: str) -> list[Follow]:
        ref = self._tenant(tenant, create=False)
        if ref is None:
            return []
        f, s = T_FOLLOWS.c, T_SPEAKERS.c
        with self._read() as conn:
            rows = conn.execute(
                sa.select(f.speaker_id, f.platform, f.channel_id, f.created_at, s.name, s.kind)
                .select_from(T_FOLLOWS.join(T_SPEAKERS, T_SPEAKERS.c.id == f.speaker_id))
                .where(f.tenant_id == ref.id)
                .order_by(f.id)
            ).all()
            speaker_ids = sorted({row.speaker_id for row in rows})
            alias_rows = (
                conn.execute(
                    sa.select(T_ALIASES.c.speaker_id, T_ALIASES.c.alias)
                    .where(T_ALIASES.c.tenant_id == ref.id, T_ALIASES.c.speaker_id.in_(speaker_ids))
                    .order_by(T_ALIASES.c.id)
                ).all()
                if speaker_ids
                else []
            )
        aliases: dict[int, list[str]] = {}
        for speaker_pk, alias in alias_rows:
            aliases.setdefault(speaker_pk, []).append(alias)
        return [
            Follow(
                tenant=tenant,
                speaker=Speaker(
                    id=ids.public_id(ids.SPEAKER, row.speaker_id),
                    tenant=tenant,
                    name=row.name,
                    kind=SpeakerKind(row.kind),
                    aliases=tuple(
                        a
                        for a in aliases.get(row.speaker_id, ())
                        if normalise_name(a) != normalise_name(row.name)
                    ),
                ),
                platform=row.platform,
                channel_id=row.channel_id,
                created_at=row.created_at,
            )
            for row in rows
        ]

    # ------------------------------------------------------------------ alerts
    def queue_follow_alerts(self, *, tenant: str, alerts: Sequence[FollowAlert]) -> int:
        ref = self._tenant(tenant, create=False)
        if ref is None or not alerts:
            return 0
        a = T_FOLLOW_ALERTS.c
        queued = 0
        now = utcnow()
        with self._write() as conn:
            for alert in alerts:
                if alert.tenant != tenant:
                    raise ValueError(f"an alert of {alert.tenant} cannot be queued for {tenant}")
                article_pk = ids.parse_id(ids.ARTICLE, alert.article_id)
                claim_pk = ids.parse_id(ids.CLAIM, alert.claim_id)
                if article_pk is None or claim_pk is None:
                    raise ValueError(
                        f"an alert needs stored ids, not {alert.article_id!r}/{alert.claim_id!r}"
                    )
                inserted = conn.execute(
                    self._insert(T_FOLLOW_ALERTS)
                    .values(
                        tenant_id=ref.id,
                        platform=alert.platform,
                        channel_id=alert.channel_id,
                        article_id=article_pk,
                        claim_id=claim_pk,
                        payload_json=json.dumps(alert_to_dict(alert), ensure_ascii=False),
                        created_at=now,
                        attempts=0,
                    )
                    .on_conflict_do_nothing(
                        index_elements=["tenant_id", "channel_id", "article_id", "claim_id"]
                    )
                    .returning(a.id)
                ).first()
                queued += inserted is not None
        return queued

    def take_follow_alerts(
        self,
        *,
        platform: str,
        owner: str,
        now: datetime,
        limit: int,
        max_attempts: int,
        tenant: str | None = None,
    ) -> list[FollowAlert]:
        a = T_FOLLOW_ALERTS.c
        pending = sa.and_(
            a.platform == platform,
            a.posted_at.is_(None),
            a.owner.is_(None),
            a.attempts < max_attempts,
            sa.or_(a.retry_at.is_(None), a.retry_at <= now),
        )
        query = (
            sa.select(a.id, T_TENANTS.c.key, a.payload_json)
            .select_from(T_FOLLOW_ALERTS.join(T_TENANTS, T_TENANTS.c.id == a.tenant_id))
            .where(pending)
            .order_by(a.id)
            .limit(limit)
        )
        if tenant is not None:
            query = query.where(T_TENANTS.c.key == tenant)
        with self._read() as conn:
            candidates = conn.execute(query).all()
        taken: list[FollowAlert] = []
        for row in candidates:
            with self._write() as conn:
                # the fence: of all processes that saw this row pending, one UPDATE matches it
                won = conn.execute(
                    sa.update(T_FOLLOW_ALERTS)
                    .where(a.id == row.id, pending)
                    .values(owner=owner, sending_at=now)
                    .returning(a.id)
                ).first()
            if won is None:
                continue
            try:
                data = json.loads(row.payload_json)
                alert_id = ids.public_id(ids.FOLLOW_ALERT, row.id)
                taken.append(alert_from_dict(data, tenant=row.key, platform=platform, alert_id=alert_id))
            except (ValueError, KeyError, TypeError):
                log.exception("follow alert %s cannot be read; it is skipped", row.id)
        return taken

    def mark_follow_alert_posted(self, *, alert_id: str, owner: str, message_ref: str | None) -> None:
        pk = ids.parse_id(ids.FOLLOW_ALERT, alert_id)
        if pk is None:
            raise ValueError(f"not a follow alert id: {alert_id!r}")
        a = T_FOLLOW_ALERTS.c
        with self._write() as conn:
            conn.execute(
                sa.update(T_FOLLOW_ALERTS)
                .where(a.id == pk, a.owner == owner, a.posted_at.is_(None))
                .values(posted_at=utcnow(), message_ref=message_ref)
            )

    def release_follow_alert(self, *, alert_id: str, owner: str, retry_at: datetime) -> None:
        pk = ids.parse_id(ids.FOLLOW_ALERT, alert_id)
        if pk is None:
            raise ValueError(f"not a follow alert id: {alert_id!r}")
        a = T_FOLLOW_ALERTS.c
        with self._write() as conn:
            conn.execute(
                sa.update(T_FOLLOW_ALERTS)
                .where(a.id == pk, a.owner == owner, a.posted_at.is_(None))
                .values(owner=None, sending_at=None, attempts=a.attempts + 1, retry_at=retry_at)
            )

    def prune_follow_alerts(self, *, before: datetime) -> int:
        """Forgets the alerts queued before ``before``. A posted one is done; one still unposted
        by then is stale news. Exactly-once is not at stake: an alert is queued only by the
        check that stored its statement, and a re-posted article is a duplicate that queues none."""
        with self._write() as conn:
            result = conn.execute(sa.delete(T_FOLLOW_ALERTS).where(T_FOLLOW_ALERTS.c.created_at < before))
        return int(result.rowcount or 0)

    def follow_alert_state(self, *, alert_id: str) -> dict[str, Any] | None:
        """The delivery row of an alert (for tests and operators)."""
        pk = ids.parse_id(ids.FOLLOW_ALERT, alert_id)
        if pk is None:
            return None
        a = T_FOLLOW_ALERTS.c
        with self._read() as conn:
            row = conn.execute(
                sa.select(a.owner, a.sending_at, a.posted_at, a.message_ref, a.attempts, a.retry_at).where(
                    a.id == pk
                )
            ).first()
        return dict(row._mapping) if row else None


__all__ = ["FollowRepo"]
