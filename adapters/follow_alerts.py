"""Posts the follow alerts of one platform from inside the running bot, each exactly once.

A check stores the alerts it owes (``FollowService.record_alerts``, in the check's worker);
this loop posts them. It wakes when a check of this process queued alerts and once a minute
otherwise (for alerts queued by another process's check, and for retries), so posting never
delays a check's own reply.

Exactly once, across processes and restarts, comes from the database: ``take_alerts`` gives
each pending alert to one owner by a conditional UPDATE that also marks it as being sent.
The poster then posts; on success the alert is marked posted, on a failure before anything
went out it is released for a retry. A process that dies between taking and marking may lose
that alert; no process ever posts it a second time (as with digests, see docs/digests.md).

Back-pressure: taking alerts is a job in the check queue like any other. When the queue is
full the pass is skipped and the alerts wait, stored, for the next one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from adapters.housekeeping import PRUNE_EVERY, OncePer
from adapters.scheduler import default_owner
from bot.clock import Clock, utc_now
from bot.errors import QueueFull
from bot.follow_service import ALERT_RETENTION, FollowService
from bot.follows import FollowAlert
from bot.ports import AlertPoster
from bot.queue import CheckQueue

log = logging.getLogger(__name__)

DEFAULT_POLL_INTERVAL = timedelta(minutes=1)


class AlertOutcome(StrEnum):
    POSTED = "posted"
    FAILED = "failed"  # nothing was posted; released for a retry


@dataclass(frozen=True, slots=True)
class AlertDelivery:
    alert: FollowAlert
    outcome: AlertOutcome
    message_ref: str | None = None
    error: str | None = None


class FollowAlertDispatcher:
    def __init__(
        self,
        *,
        follows: FollowService,
        queue: CheckQueue,
        poster: AlertPoster,
        owner: str | None = None,
        clock: Clock = utc_now,
        poll_interval: timedelta = DEFAULT_POLL_INTERVAL,
    ) -> None:
        self.follows = follows
        self.queue = queue
        self.poster = poster
        self.owner = owner or default_owner()
        self.clock = clock
        self.poll_interval = poll_interval
        self._pass_lock = asyncio.Lock()
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._daily_prune = OncePer(PRUNE_EVERY)

    # ------------------------------------------------------------------ housekeeping
    async def prune(self) -> int | None:
        """Forgets old alerts (``FollowService.prune_alerts``), at most once per ``PRUNE_EVERY``;
        None when the last prune is too recent."""
        now = self.clock()
        if not self._daily_prune.due(now):
            return None
        removed = await asyncio.to_thread(self.follows.prune_alerts, now=now)
        if removed:
            log.info("forgot %d follow alerts queued before %s", removed, now - ALERT_RETENTION)
        return removed

    # ------------------------------------------------------------------ one pass
    async def run_once(self, *, tenant: str | None = None) -> list[AlertDelivery]:
        """Posts the pending alerts of this platform (of ``tenant`` only, when given)."""
        async with self._pass_lock:
            try:
                alerts = await self.queue.run(
                    self.follows.take_alerts,
                    platform=self.poster.platform,
                    owner=self.owner,
                    now=self.clock(),
                    tenant=tenant,
                )
            except QueueFull:
                log.info("the check queue is full: follow alerts wait for the next pass")
                return []
            except Exception:
                log.exception("could not read the pending follow alerts; trying again later")
                return []
            return [await self._deliver(alert) for alert in alerts]

    async def _deliver(self, alert: FollowAlert) -> AlertDelivery:
        try:
            ref = await self.poster.post_alert(alert=alert)
        except Exception as exc:
            log.warning(
                "could not post the follow alert %s to %s/%s (%s); retrying later",
                alert.id,
                alert.tenant,
                alert.channel_id,
                exc,
            )
            try:
                await asyncio.to_thread(
                    self.follows.alert_failed, alert=alert, owner=self.owner, now=self.clock()
                )
            except Exception:
                log.exception("could not release follow alert %s: it will not be posted", alert.id)
            return AlertDelivery(alert, AlertOutcome.FAILED, error=str(exc))
        try:
            await asyncio.to_thread(self.follows.alert_posted, alert=alert, owner=self.owner, message_ref=ref)
        except Exception:
            # it stays taken, so no process posts it again; only the bookkeeping is missing
            log.exception("follow alert %s was posted (%s) but not marked so", alert.id, ref)
        log.info(
            "posted follow alert %s about %s to %s/%s",
            alert.id,
            alert.speaker,
            alert.tenant,
            alert.channel_id,
        )
        return AlertDelivery(alert, AlertOutcome.POSTED, message_ref=ref)

    # ------------------------------------------------------------------ the loop
    def start(self) -> None:
        """Starts the loop (idempotent); a check that queues alerts wakes it at once."""
        if self._task is not None and not self._task.done():
            return
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self.follows.subscribe(self.wake)
        self._task = asyncio.create_task(self._run(), name=f"follow-alerts-{self.poster.platform}")

    def wake(self) -> None:
        """Asks for a pass now; safe to call from any thread (checks run in worker threads)."""
        loop, event = self._loop, self._wake
        if loop is None or event is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop is closing: the next start polls anyway
            loop.call_soon_threadsafe(event.set)

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            self._wake.clear()
            try:
                await self.run_once()
            except Exception:
                log.exception("follow alert pass failed")
            try:
                await self.prune()
            except Exception:
                log.exception("forgetting old follow alerts failed; retrying tomorrow")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_interval.total_seconds())

    async def stop(self) -> None:
        self.follows.unsubscribe(self.wake)
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


__all__ = ["AlertDelivery", "AlertOutcome", "FollowAlertDispatcher"]
