"""Weekly digest: which period a schedule covers, whether it is due, and what it says.

Pure apart from reading the store: no chat library, no clock (``now`` is always passed in),
so the scheduler, the CLI and the tests drive it with whatever time they like.

Periods. A schedule names a weekday, an hour and an IANA timezone. Its *slot* in an ISO
week is that weekday at that hour, local time. The digest posted at a slot covers the
seven local days before it, ``[previous slot, slot)`` (167 or 169 hours across a DST
change), and is keyed by the ISO week of the slot's local date ("2026-W48"): one digest
per tenant per key. A slot missed while the bot was down is still *due* until the end of
that same local ISO week (Sunday 24:00), then it is skipped rather than posted late.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.clock import Clock, utc_now
from bot.matching.compare import pair_evidence
from bot.models import (
    ChangedStatement,
    DailyCount,
    Digest,
    RepeatedStatement,
    SpeakerActivity,
    StoredClaim,
)
from bot.ports import ClaimStore, DigestSchedule, TenantConfigStore
from bot.settings import Settings

log = logging.getLogger(__name__)

UNATTRIBUTED = "(unattributed)"
DEFAULT_TOP = 10

# tenant → (the digest of the last seven days up to now, its chart PNG or None). Blocking:
# adapters run it in a worker thread (the check queue).
DigestBuilder = Callable[[str], tuple[Digest, bytes | None]]


class DigestPeriod(NamedTuple):
    start: datetime  # inclusive, aware, in the schedule's timezone
    end: datetime  # exclusive
    key: str  # ISO week of the slot's local date, "2026-W48"


# ---------------------------------------------------------------------------- periods
def _zone_or_utc(name: str, *, tenant: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("unknown timezone %r for tenant %s; using UTC", name, tenant)
        return ZoneInfo("UTC")


def schedule_zone(schedule: DigestSchedule) -> ZoneInfo:
    """The schedule's timezone; an unknown name falls back to UTC (logged, never fatal)."""
    return _zone_or_utc(schedule.timezone, tenant=schedule.tenant)


def schedule_for_channel(
    *,
    tenant: str,
    platform: str,
    channel_id: str,
    current: DigestSchedule | None,
    defaults: Settings,
    enabled: bool = True,
) -> DigestSchedule:
    """The schedule for posting in ``channel_id``: an existing schedule keeps its timing,
    a new one takes the defaults from settings (weekday, hour, timezone)."""
    return DigestSchedule(
        tenant=tenant,
        platform=platform,
        channel_id=channel_id,
        weekday=current.weekday if current else defaults.digest_weekday,
        hour=current.hour if current else defaults.digest_hour,
        timezone=current.timezone if current else defaults.digest_timezone,
        enabled=enabled,
    )


def iso_week_key(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _local_slot(day: date, hour: int, zone: tzinfo) -> datetime:
    """``hour`` o'clock on ``day`` in ``zone``; a time skipped by DST lands on the real instant after."""
    naive = datetime.combine(day, time(hour=hour))
    return naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)


def _slot_in_week_of(day: date, schedule: DigestSchedule, zone: tzinfo) -> datetime:
    monday = day - timedelta(days=day.weekday())
    return _local_slot(monday + timedelta(days=schedule.weekday), schedule.hour, zone)


def _check(now: datetime, schedule: DigestSchedule) -> None:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if not 0 <= schedule.weekday <= 6 or not 0 <= schedule.hour <= 23:
        raise ValueError(f"bad digest schedule: weekday {schedule.weekday}, hour {schedule.hour}")


def digest_period(now: datetime, schedule: DigestSchedule) -> DigestPeriod:
    """The period of the latest slot at or before ``now``: ``[slot - 1 week, slot)`` and its key."""
    _check(now, schedule)
    zone = schedule_zone(schedule)
    local_now = now.astimezone(zone)
    end = _slot_in_week_of(local_now.date(), schedule, zone)
    if end > local_now:
        end = _slot_in_week_of(local_now.date() - timedelta(days=7), schedule, zone)
    start = _local_slot(end.date() - timedelta(days=7), schedule.hour, zone)
    return DigestPeriod(start=start, end=end, key=iso_week_key(end.date()))


def due_period(now: datetime, schedule: DigestSchedule) -> DigestPeriod | None:
    """The period to post now, or None: disabled, or the latest slot's ISO week is over."""
    if not schedule.enabled:
        return None
    period = digest_period(now, schedule)
    local_now = now.astimezone(schedule_zone(schedule))
    if iso_week_key(local_now.date()) != period.key:
        return None  # missed for longer than its own week: skipped, the next slot will come
    return period


def next_slot(now: datetime, schedule: DigestSchedule) -> datetime:
    """The first slot strictly after ``now`` (aware, in the schedule's timezone)."""
    _check(now, schedule)
    zone = schedule_zone(schedule)
    local_now = now.astimezone(zone)
    slot = _slot_in_week_of(local_now.date(), schedule, zone)
    if slot <= local_now:
        slot = _slot_in_week_of(local_now.date() + timedelta(days=7), schedule, zone)
    return slot


def rolling_period(now: datetime, zone: tzinfo, *, since: date | None = None, days: int = 7) -> DigestPeriod:
    """An ad-hoc period ending now (``/claims digest now``, ``claimbot digest [--since]``).

    "The last 7 days" are today and the six local days before it, from midnight: seven whole
    calendar days in the chart, the last one up to now.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    local_now = now.astimezone(zone)
    if since is not None:
        start = _local_slot(since, 0, zone)
    else:
        start = _local_slot(local_now.date() - timedelta(days=days - 1), 0, zone)
    if start >= local_now:
        raise ValueError(f"the period starts {start:%Y-%m-%d %H:%M}, which is not before now")
    return DigestPeriod(start=start, end=local_now, key=f"adhoc-{local_now:%Y%m%dT%H%M%S}")


# ---------------------------------------------------------------------------- content
def change_reasons(before: str, after: str) -> tuple[str, ...]:
    """Why ``after`` changes ``before`` (numbers, negation, stance, names), recomputed cheaply.

    The cosine is not stored; 1.0 is passed because only the explicit differences are read.
    """
    evidence = pair_evidence(before, after, 1.0)
    return evidence.differences + evidence.notes


def _speaker(claim: StoredClaim) -> str:
    return claim.speaker or UNATTRIBUTED


def _column_start(start: datetime, n: int) -> datetime:
    """The start of the period's ``n``-th day: ``start``'s local wall time ``n`` days later."""
    zone = start.tzinfo
    naive = datetime.combine(start.date() + timedelta(days=n), start.time())
    return naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)


def column_day(moment: datetime, start: datetime) -> date:
    """The day of the period ``moment`` is counted in: days run from ``start``'s local time of day.

    A period that starts at midnight (``claimbot digest``, ``--since``) has calendar days; a
    weekly digest posted on Monday at 09:00 has seven days of 24 local hours, each from 09:00,
    labelled by the date it starts on (so a 7-day period is 7 days, never 8 calendar dates).
    """
    local = moment.astimezone(start.tzinfo)
    n = (local.date() - start.date()).days
    if local.replace(tzinfo=None).time() < start.time():
        n -= 1
    return start.date() + timedelta(days=n)


def build_digest(
    store: ClaimStore,
    *,
    tenant: str,
    start: datetime,
    end: datetime,
    now: datetime | None = None,
    top: int = DEFAULT_TOP,
) -> Digest:
    """The digest of ``tenant`` for ``[start, end)``; a period not over yet stops at ``now``.

    Days in ``daily`` are the period's days in ``start``'s timezone (pass the tenant's), each
    from ``start``'s time of day (``column_day``).
    """
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("digest periods are timezone-aware")
    if now is not None and now < end:
        end = now.astimezone(end.tzinfo)
    if end <= start:
        raise ValueError("a digest period must end after it starts")
    mentions = store.mentions_between(tenant=tenant, start=start, end=end)
    articles = store.count_articles_between(tenant=tenant, start=start, end=end)
    changed_pairs = store.changed_between(tenant=tenant, start=start, end=end)

    claims: dict[str, StoredClaim] = {}
    times: Counter[str] = Counter()
    repeated_ids: set[str] = set()
    daily_claims: Counter[tuple[date, str]] = Counter()
    daily_repeats: Counter[tuple[date, str]] = Counter()
    speaker_mentions: Counter[str] = Counter()
    for mention in mentions:
        claim = mention.claim
        claims[claim.id] = claim
        times[claim.id] += 1
        who = _speaker(claim)
        speaker_mentions[who] += 1
        day = column_day(mention.at, start)
        daily_claims[(day, who)] += 1
        if mention.is_repeat:
            repeated_ids.add(claim.id)
            daily_repeats[(day, who)] += 1

    # statements of the period that matched a published fact-check: a repeat is a mention of
    # the fact-checked claim (restatements inside one article are one statement), a change
    # is a new claim that changed one
    fact_checked = sum(1 for m in mentions if m.claim.fact_check and not m.restatement) + sum(
        1 for before, _ in changed_pairs if before.fact_check
    )
    new_ids = {cid for cid, c in claims.items() if start <= c.first_seen < end}
    changed_ids = {after.id for _, after in changed_pairs if after.id in new_ids}
    daily_changes: Counter[tuple[date, str]] = Counter(
        (column_day(claims[cid].first_seen, start), _speaker(claims[cid])) for cid in changed_ids
    )
    new_by_speaker: Counter[str] = Counter(_speaker(claims[cid]) for cid in new_ids)
    by_speaker = sorted(
        (
            SpeakerActivity(speaker=who, new_claims=new_by_speaker[who], mentions=count)
            for who, count in speaker_mentions.items()
        ),
        key=lambda a: (-a.new_claims, -a.mentions, a.speaker == UNATTRIBUTED, a.speaker.casefold()),
    )
    repeated = sorted(
        (
            RepeatedStatement(
                claim=claims[cid],
                times=times[cid],
                first_seen=claims[cid].first_seen,
                link=claims[cid].source,
            )
            for cid in repeated_ids
        ),
        key=lambda r: (-r.times, r.first_seen, r.claim.id),
    )
    changed = [
        ChangedStatement(
            speaker=after.speaker or before.speaker,
            before=before,
            after=after,
            reasons=change_reasons(before.text, after.text),
        )
        for before, after in changed_pairs
    ]
    daily = sorted(
        (
            DailyCount(
                day=day,
                speaker=who,
                claims=count,
                repeats=daily_repeats[(day, who)],
                changes=daily_changes[(day, who)],
            )
            for (day, who), count in daily_claims.items()
        ),
        key=lambda d: (d.day, d.speaker.casefold()),
    )
    return Digest(
        tenant=tenant,
        start=start,
        end=end,
        articles=articles,
        claims=len(claims),
        new_claims=len(new_ids),
        by_speaker=tuple(by_speaker),
        repeated=tuple(repeated[:top]),
        changed=tuple(changed[:top]),
        daily=tuple(daily),
        fact_checked=fact_checked,
        changed_claims=len(changed_ids),
        repeated_claims=len(repeated_ids),
    )


class RecentDigests:
    """The "last seven days" digest of a tenant, up to now: ``/claims digest now`` on every
    platform and ``claimbot digest``, one home for all of them.

    Its time zone, one rule: the tenant's digest schedule's, else ``default_timezone``
    (``CLAIMBOT_DIGEST_TIMEZONE``); a name zoneinfo does not know means UTC (logged).
    """

    def __init__(
        self,
        *,
        store: ClaimStore,
        config: TenantConfigStore,
        default_timezone: str,
        clock: Clock = utc_now,
        chart: Callable[[Digest], bytes] | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self.default_timezone = default_timezone
        self.clock = clock
        self.chart = chart  # None: bot.digest_chart's, when matplotlib is installed

    def zone(self, tenant: str) -> ZoneInfo:
        schedule = self.config.get_digest(tenant=tenant)
        return _zone_or_utc(schedule.timezone if schedule else self.default_timezone, tenant=tenant)

    def build(self, tenant: str, *, since: date | None = None, now: datetime | None = None) -> Digest:
        """Today and the six days before it (or from ``since``, a local date), up to now.

        Raises ``ValueError`` when ``since`` is not before now.
        """
        now = now or self.clock()
        period = rolling_period(now, self.zone(tenant), since=since)
        return build_digest(self.store, tenant=tenant, start=period.start, end=period.end, now=now)

    def with_chart(self, tenant: str) -> tuple[Digest, bytes | None]:
        """``build`` and its chart (None for an empty period, or without matplotlib): a ``DigestBuilder``."""
        digest = self.build(tenant)
        if digest.empty:
            return digest, None
        chart = self.chart or _installed_chart()
        return digest, chart(digest) if chart else None


def _installed_chart() -> Callable[[Digest], bytes] | None:
    try:
        # imported here: matplotlib is only paid for when a digest is actually asked for
        from bot.digest_chart import render_chart
    except ImportError:  # matplotlib is in the "digest" extra
        log.warning("matplotlib is not installed: digests are posted without a chart")
        return None
    return render_chart


def period_days(digest: Digest) -> list[date]:
    """The period's days in order (the chart's x axis), as ``column_day`` counts them: a
    7-day period has exactly 7, the last one possibly cut short by ``end``."""
    days: list[date] = []
    while _column_start(digest.start, len(days)) < digest.end:
        days.append(digest.start.date() + timedelta(days=len(days)))
    return days


def top_speakers(digest: Digest, limit: int) -> list[str]:
    """Speakers with the most mentions in the period (ties: more new claims, then by name)."""
    totals: defaultdict[str, int] = defaultdict(int)
    for row in digest.daily:
        totals[row.speaker] += row.claims
    return sorted(totals, key=lambda s: (-totals[s], s == UNATTRIBUTED, s.casefold()))[:limit]


__all__ = [
    "DEFAULT_TOP",
    "UNATTRIBUTED",
    "DigestBuilder",
    "DigestPeriod",
    "RecentDigests",
    "build_digest",
    "change_reasons",
    "column_day",
    "digest_period",
    "due_period",
    "iso_week_key",
    "next_slot",
    "period_days",
    "rolling_period",
    "schedule_zone",
    "top_speakers",
]
