"""FollowService: the "follow a speaker" use case, the one place every adapter calls.

* ``follow`` / ``unfollow`` / ``following``: a channel's follows, by any name of the speaker;
* ``record_alerts``: called by ``ClaimService.check`` once an article is stored; it stores the
  alerts the article owes (one per statement, article and channel) and never fails the check;
* ``take_alerts`` / ``alert_posted`` / ``alert_failed``: how a poster (a chat bot's dispatcher,
  the console) delivers them exactly once across processes and restarts.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.errors import BadInput
from bot.follows import Follow, FollowAlert, alert_candidates, select_alerts
from bot.known_speakers import find_speaker, unknown_speaker_reason
from bot.models import CheckReport, Speaker
from bot.ports import ClaimStore, FollowStore

log = logging.getLogger(__name__)

RETRY_AFTER = timedelta(minutes=5)  # a channel that refused the post is tried again after this
MAX_ATTEMPTS = 5  # then the alert is given up (logged): a deleted channel is not retried forever
TAKE_LIMIT = 20  # alerts taken per pass; the rest wait for the next one
# posted alerts are kept this long (then forgotten, so the table does not grow with every
# alert); one not posted by then is stale news and goes too
ALERT_RETENTION = timedelta(days=30)

NOT_AVAILABLE = "following speakers needs claimbot's database store, which this deployment does not use"


class FollowService:
    def __init__(self, *, claims: ClaimStore, store: FollowStore | None) -> None:
        self.claims = claims
        self.store = store
        self._listeners: list[Callable[[], None]] = []
        self._listeners_lock = threading.Lock()

    def _follow_store(self) -> FollowStore:
        if self.store is None:
            raise BadInput(NOT_AVAILABLE)
        return self.store

    # ------------------------------------------------------------------ follows
    def follow(self, *, tenant: str, platform: str, channel_id: str, name: str) -> Speaker:
        """Makes ``channel_id`` follow the speaker called ``name`` (any of its names).

        Raises ``BadInput`` for an empty or unknown name (naming the closest stored names)
        and when the channel already follows that speaker.
        """
        store = self._follow_store()
        name = _clean(name)
        if not name:
            raise BadInput("give the name of a speaker to follow")
        known = self.claims.speakers(tenant=tenant)
        speaker = find_speaker(name, known)
        if speaker is None:
            raise BadInput(unknown_speaker_reason(name, known))
        if not store.add_follow(
            tenant=tenant, speaker_id=speaker.id, platform=platform, channel_id=channel_id
        ):
            raise BadInput(f"this channel already follows {speaker.name}")
        log.info("%s channel %s now follows %s (%s)", tenant, channel_id, speaker.name, speaker.id)
        return speaker

    def unfollow(self, *, tenant: str, channel_id: str, name: str) -> Speaker:
        """Stops the channel following ``name``; ``BadInput`` when it did not follow them."""
        store = self._follow_store()
        name = _clean(name)
        if not name:
            raise BadInput("give the name of a speaker to unfollow")
        here = [f.speaker for f in store.follows(tenant=tenant) if f.channel_id == channel_id]
        speaker = find_speaker(name, here)
        if speaker is None:
            known = self.claims.speakers(tenant=tenant)
            stored = find_speaker(name, known)
            if stored is None:
                raise BadInput(unknown_speaker_reason(name, known))
            raise BadInput(f"this channel does not follow {stored.name}")
        if not store.remove_follow(tenant=tenant, speaker_id=speaker.id, channel_id=channel_id):
            raise BadInput(f"this channel does not follow {speaker.name}")  # removed meanwhile
        log.info("%s channel %s no longer follows %s", tenant, channel_id, speaker.name)
        return speaker

    def following(self, *, tenant: str) -> list[Follow]:
        """Every follow of the tenant (all channels)."""
        return self._follow_store().follows(tenant=tenant)

    # ------------------------------------------------------------------ alerts of a check
    def record_alerts(self, *, report: CheckReport) -> int:
        """Stores the alerts a stored check owes the tenant's follows; returns how many were new.

        Runs inside the check (already in the worker queue); it reads the follows only when a
        statement could raise an alert, and a failure here is logged, never the check's.
        """
        if self.store is None:
            return 0
        candidates = alert_candidates(report)
        if not candidates:
            return 0
        tenant = report.article.tenant
        try:
            alerts = select_alerts(report, self.store.follows(tenant=tenant))
            queued = self.store.queue_follow_alerts(tenant=tenant, alerts=alerts) if alerts else 0
        except Exception:
            log.exception("could not record the follow alerts of %s article %s", tenant, report.article.id)
            return 0
        if queued:
            log.info("%s: %d follow alert(s) queued for article %s", tenant, queued, report.article.id)
            self._notify()
        return queued

    def subscribe(self, listener: Callable[[], None]) -> None:
        """``listener`` is called (from the thread that ran the check) whenever alerts were queued."""
        with self._listeners_lock:
            self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[], None]) -> None:
        with self._listeners_lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def _notify(self) -> None:
        with self._listeners_lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener()
            except Exception:
                log.exception("a follow-alert listener failed")

    # ------------------------------------------------------------------ delivery
    def take_alerts(
        self, *, platform: str, owner: str, now: datetime, tenant: str | None = None, limit: int = TAKE_LIMIT
    ) -> list[FollowAlert]:
        """Pending alerts of ``platform`` that ``owner`` now has the sole right to post."""
        if self.store is None:
            return []
        return self.store.take_follow_alerts(
            platform=platform, owner=owner, now=now, limit=limit, max_attempts=MAX_ATTEMPTS, tenant=tenant
        )

    def alert_posted(self, *, alert: FollowAlert, owner: str, message_ref: str | None) -> None:
        assert alert.id is not None, "only a stored alert is posted"
        self._follow_store().mark_follow_alert_posted(alert_id=alert.id, owner=owner, message_ref=message_ref)

    def prune_alerts(self, *, now: datetime) -> int:
        """Forgets the alerts queued more than ``ALERT_RETENTION`` ago (posted, or stale)."""
        if self.store is None:
            return 0
        return self.store.prune_follow_alerts(before=now - ALERT_RETENTION)

    def alert_failed(self, *, alert: FollowAlert, owner: str, now: datetime) -> None:
        """The post failed and nothing went out: the alert is tried again after ``RETRY_AFTER``."""
        assert alert.id is not None, "only a stored alert is posted"
        self._follow_store().release_follow_alert(alert_id=alert.id, owner=owner, retry_at=now + RETRY_AFTER)


def _clean(name: str) -> str:
    return " ".join(name.split()).strip("\"'“”@#")
