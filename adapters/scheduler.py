"""Posts each tenant's weekly digest from inside the running bot, exactly once per week.

Why a plain asyncio loop and not APScheduler: the schedules live in the database and are
changed by ``/claims digest here|off`` in any bot process, so every process must re-read
them anyway; and the exactly-once guarantee has to come from the database, because
APScheduler 3's job stores are documented as unsafe to share between processes (duplicate
or missed runs). What is left for a library to do is "wake up every minute", which
``asyncio.sleep`` does. The loop is driven by an injected clock, so tests move time with
``time-machine`` (or a plain function) and call ``run_once`` directly.

Exactly once, step by step (state in the ``digest_posts`` row of (tenant, ISO week)):

1. **claim** — insert the unique row (``claim_digest_period``). Of two processes racing,
   one insert wins; the other sees "taken" and does nothing.
2. **build and render** the digest and chart (in a worker thread). If this raises, the row
   is **released** and the next tick retries (after a back-off). If the process dies here,
   the row stays claimed with no ``sending_at``: after ``claim_ttl`` (15 min) any process may
   **reclaim** it (one conditional UPDATE, ``attempts`` + 1) and post: nothing had gone out.
3. **mark sending** (``mark_digest_sending``) — a fenced UPDATE that only the current owner
   can make; a slow owner whose claim was reclaimed gets False and does not post.
4. **post** through the platform's ``DigestPoster``. If the poster raises, it is saying the
   post failed: the row is released and retried later.
5. **mark posted** with the message reference.

A process that dies between 3 and 5 (the post may or may not have gone out) leaves a row
with ``sending_at`` set and no ``posted_at``. That row is never taken over: we prefer missing
one week's digest (logged, and ``/claims digest now`` sends one by hand) to posting it twice.
The window is one HTTP request long.

A slot missed while the bot was down is posted at start-up if still within the same local
ISO week (see ``bot.digest.due_period``); later than that it is skipped.

The same loop forgets chat delivery keys (``TenantConfigStore.first_delivery``) older than
``delivery_retention``, once a day: without it the deliveries table grows with every message
ever answered. Every process prunes; deleting the same old rows twice is harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from adapters.housekeeping import PRUNE_EVERY, OncePer
from bot.clock import Clock, utc_now
from bot.digest import RecentDigests, build_digest, due_period
from bot.digest_chart import render_chart
from bot.models import Digest
from bot.ports import ClaimStore, DigestPoster, DigestSchedule, TenantConfigStore

log = logging.getLogger(__name__)

DEFAULT_CLAIM_TTL = timedelta(minutes=15)
DEFAULT_POLL_INTERVAL = timedelta(minutes=1)
DEFAULT_RETRY_BACKOFF = timedelta(minutes=5)
MAX_RETRY_BACKOFF = timedelta(hours=6)  # a channel that keeps refusing is retried a few times a day
# Platforms stop retrying within hours; a month also covers edits of a message answered
# weeks ago (its original key tells an edit from a new message)
DEFAULT_DELIVERY_RETENTION = timedelta(days=30)


class Outcome(StrEnum):
    POSTED = "posted"  # this process posted it (an empty week's one line included)
    TAKEN = "taken"  # another owner holds or posted this period
    UNCERTAIN = "uncertain"  # a previous owner died while sending: never retried
    FAILED = "failed"  # build, render or post failed; released for a later retry
    BACKING_OFF = "backing-off"  # failed recently; waiting before the next attempt


@dataclass(frozen=True, slots=True)
class DigestOutcome:
    tenant: str
    period_key: str
    outcome: Outcome
    message_ref: str | None = None
    error: str | None = None


def default_owner() -> str:
    """Unique per process (and per scheduler): host, pid and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class DigestScheduler:
    def __init__(
        self,
        *,
        store: ClaimStore,
        config: TenantConfigStore,
        posters: Mapping[str, DigestPoster],
        owner: str | None = None,
        clock: Clock = utc_now,
        chart: Callable[[Digest], bytes] = render_chart,
        claim_ttl: timedelta = DEFAULT_CLAIM_TTL,
        poll_interval: timedelta = DEFAULT_POLL_INTERVAL,
        retry_backoff: timedelta = DEFAULT_RETRY_BACKOFF,
        delivery_retention: timedelta = DEFAULT_DELIVERY_RETENTION,
    ) -> None:
        self.store = store
        self.config = config
        self.posters = dict(posters)  # platform -> poster; other platforms' schedules are skipped
        self.owner = owner or default_owner()
        self.clock = clock
        self.chart = chart
        self.claim_ttl = claim_ttl
        self.poll_interval = poll_interval
        self.retry_backoff = retry_backoff
        self.delivery_retention = delivery_retention
        self._daily_prune = OncePer(PRUNE_EVERY)
        self._retry_after: dict[tuple[str, str], datetime] = {}
        self._failures: dict[tuple[str, str], int] = {}
        self._reported_uncertain: set[tuple[str, str]] = set()
        self._tick_lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()

    # ------------------------------------------------------------------ one pass
    async def run_once(self) -> list[DigestOutcome]:
        """Posts every due digest of this process's platforms; returns what happened to each."""
        async with self._tick_lock:
            now = self.clock()
            schedules = await asyncio.to_thread(self.config.digest_schedules)
            outcomes = []
            for schedule in schedules:
                if schedule.platform not in self.posters:
                    continue
                try:
                    period = due_period(now, schedule)
                except ValueError:
                    log.exception("skipping the invalid digest schedule of %s", schedule.tenant)
                    continue
                if period is None:
                    continue
                outcomes.append(await self._post_period(schedule, period.start, period.end, period.key, now))
            return outcomes

    async def _post_period(
        self, schedule: DigestSchedule, start: datetime, end: datetime, key: str, now: datetime
    ) -> DigestOutcome:
        tenant = schedule.tenant
        retry_after = self._retry_after.get((tenant, key))
        if retry_after is not None and now < retry_after:
            return DigestOutcome(tenant, key, Outcome.BACKING_OFF)
        if not await self._take(tenant, key, now):
            return await self._why_taken(tenant, key)

        try:
            digest = await asyncio.to_thread(build_digest, self.store, tenant=tenant, start=start, end=end)
            chart_png = None if digest.empty else await asyncio.to_thread(self.chart, digest)
        except Exception as exc:
            log.exception("building the %s digest of %s failed; will retry", key, tenant)
            return await self._give_back(tenant, key, now, exc)

        if not await asyncio.to_thread(
            self.config.mark_digest_sending, tenant=tenant, period_key=key, owner=self.owner
        ):
            log.warning("lost the %s digest claim of %s before posting; not posting", key, tenant)
            return DigestOutcome(tenant, key, Outcome.TAKEN)
        try:
            ref = await self.posters[schedule.platform].post_digest(
                schedule=schedule, digest=digest, chart_png=chart_png
            )
        except Exception as exc:
            log.exception(
                "posting the %s digest of %s to %s failed; will retry", key, tenant, schedule.platform
            )
            return await self._give_back(tenant, key, now, exc)
        await asyncio.to_thread(
            self.config.mark_digest_posted, tenant=tenant, period_key=key, message_ref=ref
        )
        self._retry_after.pop((tenant, key), None)
        self._failures.pop((tenant, key), None)
        log.info("posted the %s digest of %s (%s)", key, tenant, ref)
        return DigestOutcome(tenant, key, Outcome.POSTED, message_ref=ref)

    async def _take(self, tenant: str, key: str, now: datetime) -> bool:
        if await asyncio.to_thread(
            self.config.claim_digest_period, tenant=tenant, period_key=key, owner=self.owner
        ):
            return True
        # an owner that died before sending anything leaves a stale claim: take it over
        return await asyncio.to_thread(
            self.config.reclaim_stale_digest_period,
            tenant=tenant,
            period_key=key,
            owner=self.owner,
            claimed_before=now - self.claim_ttl,
        )

    async def _why_taken(self, tenant: str, key: str) -> DigestOutcome:
        state = await asyncio.to_thread(self.config.digest_post_state, tenant=tenant, period_key=key)
        if (
            state is not None
            and state.posted_at is None
            and state.sending_at is not None
            and state.owner != self.owner
            and self.clock() - state.sending_at > self.claim_ttl
        ):
            if (tenant, key) not in self._reported_uncertain:
                self._reported_uncertain.add((tenant, key))
                log.warning(
                    "the %s digest of %s may not have been posted: %s stopped while sending it at %s; "
                    "not retrying, to never post twice (use /claims digest now to send one)",
                    key,
                    tenant,
                    state.owner,
                    state.sending_at.isoformat(),
                )
            return DigestOutcome(tenant, key, Outcome.UNCERTAIN)
        return DigestOutcome(tenant, key, Outcome.TAKEN)

    async def _give_back(self, tenant: str, key: str, now: datetime, exc: Exception) -> DigestOutcome:
        failures = self._failures[(tenant, key)] = self._failures.get((tenant, key), 0) + 1
        # doubling back-off: a deleted channel or a revoked token is not hammered all week
        self._retry_after[(tenant, key)] = now + min(
            self.retry_backoff * 2 ** (failures - 1), MAX_RETRY_BACKOFF
        )
        try:
            await asyncio.to_thread(
                self.config.release_digest_period, tenant=tenant, period_key=key, owner=self.owner
            )
        except Exception:
            # the claim then goes stale and is reclaimed after claim_ttl (nothing was sent)
            log.exception("could not release the %s digest claim of %s", key, tenant)
        return DigestOutcome(tenant, key, Outcome.FAILED, error=f"{type(exc).__name__}: {exc}")

    # ------------------------------------------------------------------ on demand
    async def post_now(self, tenant: str) -> str:
        """``/claims digest now``: the last seven days, posted at once to the tenant's digest channel.

        Not a weekly post: it claims no period, so the scheduled digest still goes out.
        Raises ``LookupError`` when the tenant has no digest channel or this process cannot
        post to its platform.
        """
        schedule = await asyncio.to_thread(self.config.get_digest, tenant=tenant)
        if schedule is None:
            raise LookupError("no digest channel is set: use `/claims digest here` first")
        poster = self.posters.get(schedule.platform)
        if poster is None:
            raise LookupError(f"this bot cannot post to {schedule.platform}")
        # the schedule's time zone: post_now needs a schedule, which wins over any default
        recent = RecentDigests(
            store=self.store, config=self.config, default_timezone="UTC", clock=self.clock, chart=self.chart
        )
        digest, chart_png = await asyncio.to_thread(recent.with_chart, tenant)
        return await poster.post_digest(schedule=schedule, digest=digest, chart_png=chart_png)

    # ------------------------------------------------------------------ housekeeping
    async def prune_deliveries(self) -> int | None:
        """Forgets delivery keys older than ``delivery_retention``; at most once per ``PRUNE_EVERY``.

        Returns how many were forgotten, or None when the last prune is too recent.
        """
        now = self.clock()
        if not self._daily_prune.due(now):
            return None
        removed = await asyncio.to_thread(self.config.prune_deliveries, before=now - self.delivery_retention)
        if removed:
            log.info("forgot %d delivery keys older than %s", removed, now - self.delivery_retention)
        return removed

    # ------------------------------------------------------------------ the loop
    async def run(self) -> None:
        """Checks for due digests now (start-up catch-up) and then every ``poll_interval``;
        prunes old delivery keys at start-up and then daily."""
        log.info("digest scheduler %s started for %s", self.owner, ", ".join(sorted(self.posters)))
        while not self._stop.is_set():
            try:
                await self.run_once()
            except Exception:
                # a database outage must not stop the scheduler: the next tick retries
                log.exception("digest scheduler tick failed")
            try:
                await self.prune_deliveries()
            except Exception:
                log.exception("pruning old delivery keys failed; retrying tomorrow")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=self.poll_interval.total_seconds())

    def start(self) -> asyncio.Task[None]:
        """Runs the loop as a task of the running event loop (the bot's)."""
        if self._task is None or self._task.done():
            self._stop.clear()
            self._task = asyncio.create_task(self.run(), name="digest-scheduler")
        return self._task

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task
            self._task = None


__all__ = [
    "DEFAULT_CLAIM_TTL",
    "DEFAULT_DELIVERY_RETENTION",
    "DEFAULT_POLL_INTERVAL",
    "DEFAULT_RETRY_BACKOFF",
    "DigestOutcome",
    "DigestScheduler",
    "Outcome",
    "default_owner",
]
