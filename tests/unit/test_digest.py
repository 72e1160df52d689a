"""Digest periods (timezones, DST, ISO weeks, catch-up window) and digest content."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.digest import (
    UNATTRIBUTED,
    RecentDigests,
    build_digest,
    digest_period,
    due_period,
    iso_week_key,
    next_slot,
    period_days,
    rolling_period,
)
from bot.ports import DigestSchedule
from tests.digest_data import Said, save_at
from tests.fakes import InMemoryStore


def sched(weekday: int = 0, hour: int = 9, tz: str = "UTC", enabled: bool = True) -> DigestSchedule:
    return DigestSchedule(
        tenant="slack:T1",
        platform="slack",
        channel_id="C1",
        weekday=weekday,
        hour=hour,
        timezone=tz,
        enabled=enabled,
    )


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# ---------------------------------------------------------------------------- periods
@pytest.mark.parametrize(
    ("now", "schedule", "start", "end", "key"),
    [
        # Wednesday after a Monday 09:00 UTC slot
        (utc(2026, 11, 25, 12), sched(), utc(2026, 11, 16, 9), utc(2026, 11, 23, 9), "2026-W48"),
        # exactly at the slot: that slot's period
        (utc(2026, 11, 23, 9), sched(), utc(2026, 11, 16, 9), utc(2026, 11, 23, 9), "2026-W48"),
        # one minute before the slot: the previous week's
        (utc(2026, 11, 23, 8, 59), sched(), utc(2026, 11, 9, 9), utc(2026, 11, 16, 9), "2026-W47"),
        # Europe/London leaves summer time on 25 Oct 2026: the period is 169 hours long
        (
            utc(2026, 10, 26, 10),
            sched(tz="Europe/London"),
            utc(2026, 10, 19, 8),
            utc(2026, 10, 26, 9),
            "2026-W44",
        ),
        # Auckland is UTC+13 in November: Monday 09:00 there is Sunday 20:00 UTC
        (
            utc(2026, 11, 22, 21),
            sched(tz="Pacific/Auckland"),
            utc(2026, 11, 15, 20),
            utc(2026, 11, 22, 20),
            "2026-W48",
        ),
        # 2026 has 53 ISO weeks; the first slot of 2027 is in 2027-W01
        (utc(2026, 12, 30), sched(), utc(2026, 12, 21, 9), utc(2026, 12, 28, 9), "2026-W53"),
        (utc(2027, 1, 5), sched(), utc(2026, 12, 28, 9), utc(2027, 1, 4, 9), "2027-W01"),
        # Friday 17:00 New York
        (
            utc(2026, 11, 28, 3),
            sched(weekday=4, hour=17, tz="America/New_York"),
            utc(2026, 11, 20, 22),
            utc(2026, 11, 27, 22),
            "2026-W48",
        ),
    ],
)
def test_digest_period(
    now: datetime, schedule: DigestSchedule, start: datetime, end: datetime, key: str
) -> None:
    period = digest_period(now, schedule)
    assert (period.start, period.end, period.key) == (start, end, key)
    assert period.start.tzinfo == ZoneInfo(schedule.timezone)  # shown in the tenant's own time


@pytest.mark.parametrize(
    ("now", "schedule", "due_key"),
    [
        (utc(2026, 11, 23, 9), sched(), "2026-W48"),
        (utc(2026, 11, 29, 23, 59), sched(), "2026-W48"),  # missed all week: still due on Sunday night
        (utc(2026, 11, 30, 8), sched(), None),  # the next ISO week began: skipped, not sent late
        (utc(2026, 11, 23, 8), sched(), None),  # W47's slot was last week
        (utc(2026, 11, 29, 21), sched(weekday=6, hour=20), "2026-W48"),
        (utc(2026, 11, 30, 0, 30), sched(weekday=6, hour=20), None),
        (utc(2026, 11, 25), sched(enabled=False), None),
        # the week is the tenant's: 23:30 UTC on Sunday is already Monday in Berlin
        (utc(2026, 11, 29, 23, 30), sched(weekday=6, hour=9, tz="Europe/Berlin"), None),
        (utc(2026, 11, 29, 22, 30), sched(weekday=6, hour=9, tz="Europe/Berlin"), "2026-W48"),
    ],
)
def test_due_period(now: datetime, schedule: DigestSchedule, due_key: str | None) -> None:
    period = due_period(now, schedule)
    assert (period.key if period else None) == due_key


@pytest.mark.parametrize(
    ("now", "schedule", "expected"),
    [
        (utc(2026, 11, 23, 9), sched(), utc(2026, 11, 30, 9)),
        (utc(2026, 11, 23, 8), sched(), utc(2026, 11, 23, 9)),
        # 02:00 does not exist in Berlin on 29 Mar 2026: the slot is the instant after the gap
        (utc(2026, 3, 28), sched(weekday=6, hour=2, tz="Europe/Berlin"), utc(2026, 3, 29, 1)),
    ],
)
def test_next_slot(now: datetime, schedule: DigestSchedule, expected: datetime) -> None:
    assert next_slot(now, schedule) == expected


def test_unknown_timezone_falls_back_to_utc() -> None:
    assert digest_period(utc(2026, 11, 25), sched(tz="Mars/Olympus")).end == utc(2026, 11, 23, 9)


@pytest.mark.parametrize("bad", [sched(weekday=7), sched(hour=24)])
def test_bad_schedule_is_refused(bad: DigestSchedule) -> None:
    with pytest.raises(ValueError, match="bad digest schedule"):
        digest_period(utc(2026, 11, 25), bad)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        digest_period(datetime(2026, 11, 25), sched())


def test_rolling_period() -> None:
    zone = ZoneInfo("Europe/Paris")
    last_week = rolling_period(utc(2026, 11, 25, 12, 30), zone)
    # before: 18 Nov 12:30, which made "the last 7 days" touch 8 dates; now today and the 6 before
    assert last_week.start == datetime(2026, 11, 19, tzinfo=zone)
    assert last_week.end == utc(2026, 11, 25, 12, 30)
    since = rolling_period(utc(2026, 11, 25, 12, 30), zone, since=date(2026, 11, 1))
    assert since.start == datetime(2026, 11, 1, tzinfo=zone)
    with pytest.raises(ValueError, match="not before now"):
        rolling_period(utc(2026, 11, 25, 12), zone, since=date(2026, 12, 1))


def test_iso_week_key() -> None:
    assert iso_week_key(date(2027, 1, 1)) == "2026-W53"


# ---------------------------------------------------------------------------- content
TENANT = "slack:T1"
WEEK_START = utc(2026, 11, 16, 9)
WEEK_END = utc(2026, 11, 23, 9)


@pytest.fixture
def store() -> InMemoryStore:
    """Before the week: one old claim. During it: new claims, a repeat of the old one and a change."""
    s = InMemoryStore()
    old = save_at(
        s,
        tenant=TENANT,
        at=utc(2026, 11, 2, 10),
        said=[Said("Ben Wallace", "we will send 20 tanks")],
        url="https://news.example/old",
    )
    old_id = old.claim_ids[0]
    monday = save_at(
        s,
        tenant=TENANT,
        at=utc(2026, 11, 16, 12),
        said=[
            Said("Ben Wallace", "we will send 30 tanks", changes=old_id),
            Said("Rishi Sunak", "inflation is halved"),
        ],
    )
    save_at(
        s,
        tenant=TENANT,
        at=utc(2026, 11, 18, 6),
        said=[Said("Rishi Sunak", "inflation is halved", repeats=monday.claim_ids[1])],
    )
    save_at(
        s,
        tenant=TENANT,
        at=utc(2026, 11, 20, 15),
        said=[
            Said("Ben Wallace", "we will send 20 tanks", repeats=old_id, restatements=1),
            Said(None, "prices rose by 3 percent"),
        ],
    )
    # after the week, and another tenant during it: neither may appear
    save_at(s, tenant=TENANT, at=utc(2026, 11, 23, 10), said=[Said("Keir Starmer", "later statement")])
    save_at(s, tenant="discord:99", at=utc(2026, 11, 17), said=[Said("Other Tenant", "secret statement")])
    return s


def test_digest_counts_and_speakers(store: InMemoryStore) -> None:
    digest = build_digest(store, tenant=TENANT, start=WEEK_START, end=WEEK_END)
    assert digest.articles == 3
    assert digest.claims == 4  # 30 tanks, inflation, 20 tanks (old, repeated), prices
    assert digest.new_claims == 3
    assert [(a.speaker, a.new_claims, a.mentions) for a in digest.by_speaker] == [
        ("Ben Wallace", 1, 3),
        ("Rishi Sunak", 1, 2),
        (UNATTRIBUTED, 1, 1),
    ]
    texts = {c.text for r in digest.repeated for c in [r.claim]} | {c.after.text for c in digest.changed}
    assert "secret statement" not in texts
    assert "later statement" not in texts


def test_digest_repeats_are_ranked_with_first_seen_and_link(store: InMemoryStore) -> None:
    digest = build_digest(store, tenant=TENANT, start=WEEK_START, end=WEEK_END)
    # equal counts: the statement repeated for longer comes first
    assert [(r.claim.text, r.times) for r in digest.repeated] == [
        ("we will send 20 tanks", 2),  # once plus a restatement in the same article
        ("inflation is halved", 2),
    ]
    old = digest.repeated[0]
    assert old.first_seen == utc(2026, 11, 2, 10)
    assert old.link == "https://news.example/old"


def test_digest_changed_pairs_carry_reasons(store: InMemoryStore) -> None:
    digest = build_digest(store, tenant=TENANT, start=WEEK_START, end=WEEK_END)
    assert len(digest.changed) == 1
    change = digest.changed[0]
    assert (change.speaker, change.before.text, change.after.text) == (
        "Ben Wallace",
        "we will send 20 tanks",
        "we will send 30 tanks",
    )
    assert any("20" in r and "30" in r for r in change.reasons), change.reasons


def test_digest_daily_counts_are_local_days(store: InMemoryStore) -> None:
    zone = ZoneInfo("America/Los_Angeles")
    digest = build_digest(
        store, tenant=TENANT, start=WEEK_START.astimezone(zone), end=WEEK_END.astimezone(zone)
    )
    rows = {(d.day, d.speaker): (d.claims, d.repeats) for d in digest.daily}
    # 18 Nov 06:00 UTC is still 17 Nov in Los Angeles
    assert rows[(date(2026, 11, 17), "Rishi Sunak")] == (1, 1)
    assert rows[(date(2026, 11, 16), "Ben Wallace")] == (1, 0)
    assert rows[(date(2026, 11, 20), "Ben Wallace")] == (2, 2)
    assert sum(c for c, _ in rows.values()) == 6


def test_digest_stops_at_now(store: InMemoryStore) -> None:
    digest = build_digest(store, tenant=TENANT, start=WEEK_START, end=WEEK_END, now=utc(2026, 11, 17))
    assert digest.end == utc(2026, 11, 17)
    assert (digest.articles, digest.claims, digest.repeated, digest.changed[0].after.text) == (
        1,
        2,
        (),
        "we will send 30 tanks",
    )


def test_empty_week() -> None:
    digest = build_digest(InMemoryStore(), tenant=TENANT, start=WEEK_START, end=WEEK_END)
    assert digest.empty
    assert (digest.by_speaker, digest.repeated, digest.changed, digest.daily) == ((), (), (), ())


def test_top_limits_long_lists() -> None:
    s = InMemoryStore()
    first = save_at(
        s,
        tenant=TENANT,
        at=utc(2026, 11, 1),
        said=[Said(f"Speaker {n}", f"claim number {n}") for n in range(15)],
    )
    save_at(
        s,
        tenant=TENANT,
        at=utc(2026, 11, 17),
        said=[
            Said(f"Speaker {n}", f"claim number {n}", repeats=cid) for n, cid in enumerate(first.claim_ids)
        ],
    )
    digest = build_digest(s, tenant=TENANT, start=WEEK_START, end=WEEK_END, top=5)
    assert len(digest.repeated) == 5
    assert len(digest.by_speaker) == 15  # every speaker is counted; renderers trim


def test_bad_periods_are_refused(store: InMemoryStore) -> None:
    with pytest.raises(ValueError, match="aware"):
        build_digest(store, tenant=TENANT, start=datetime(2026, 11, 16), end=WEEK_END)
    with pytest.raises(ValueError, match="end after"):
        build_digest(store, tenant=TENANT, start=WEEK_END, end=WEEK_START)


def test_period_days_cover_the_whole_period(store: InMemoryStore) -> None:
    digest = build_digest(store, tenant=TENANT, start=WEEK_START, end=WEEK_END)
    days = period_days(digest)
    # before: 8 dates (16..23 Nov) for a Monday 09:00 to Monday 09:00 week; now 7 days from 09:00
    assert (days[0], days[-1], len(days)) == (date(2026, 11, 16), date(2026, 11, 22), 7)
    assert {d.day for d in digest.daily} <= set(days)
    exact = build_digest(store, tenant=TENANT, start=utc(2026, 11, 16), end=utc(2026, 11, 23))
    assert len(period_days(exact)) == 7


@pytest.mark.parametrize(
    "now",
    [
        utc(2026, 11, 25, 12, 30),
        utc(2026, 11, 25, 0, 0),
        utc(2026, 11, 24, 23, 59),
        utc(2026, 3, 31, 12),  # the week of a DST change in Paris
        utc(2026, 10, 27, 12),
    ],
)
def test_the_last_7_days_have_7_columns(now: datetime) -> None:
    zone = ZoneInfo("Europe/Paris")
    period = rolling_period(now, zone)
    digest = build_digest(InMemoryStore(), tenant=TENANT, start=period.start, end=period.end)
    days = period_days(digest)
    assert len(days) == 7
    assert days[-1] == now.astimezone(zone).date()


def test_a_dst_week_of_a_schedule_has_7_days() -> None:
    # Paris leaves summer time on Sunday 25 Oct 2026: the week is 169 hours, still 7 days
    schedule = sched(weekday=0, hour=9, tz="Europe/Paris")
    period = digest_period(utc(2026, 10, 27, 12), schedule)
    digest = build_digest(InMemoryStore(), tenant=TENANT, start=period.start, end=period.end)
    assert len(period_days(digest)) == 7


def test_the_counts_add_up(store: InMemoryStore) -> None:
    digest = build_digest(store, tenant=TENANT, start=WEEK_START, end=WEEK_END)
    fresh = digest.new_claims - digest.changed_claims
    earlier = digest.claims - digest.new_claims
    # before: changed_claims and repeated_claims did not exist (renderers counted the top lists)
    assert (fresh, digest.changed_claims, earlier, digest.repeated_claims) == (2, 1, 1, 2)
    assert fresh + digest.changed_claims + earlier == digest.claims


def test_counts_are_not_cut_by_top() -> None:
    s = InMemoryStore()
    first = save_at(
        s, tenant=TENANT, at=utc(2026, 11, 1), said=[Said(f"S{n}", f"claim {n}") for n in range(8)]
    )
    save_at(
        s,
        tenant=TENANT,
        at=utc(2026, 11, 17),
        said=[Said(f"S{n}", f"claim {n}", repeats=cid) for n, cid in enumerate(first.claim_ids)],
    )
    digest = build_digest(s, tenant=TENANT, start=WEEK_START, end=WEEK_END, top=3)
    assert (len(digest.repeated), digest.repeated_claims) == (3, 8)


def test_changes_are_counted_on_their_day(store: InMemoryStore) -> None:
    digest = build_digest(store, tenant=TENANT, start=WEEK_START, end=WEEK_END)
    changes = {(d.day, d.speaker): d.changes for d in digest.daily if d.changes}
    assert changes == {(date(2026, 11, 16), "Ben Wallace"): 1}


def test_schedule_for_channel_keeps_existing_timing_or_takes_the_defaults() -> None:
    from bot.digest import schedule_for_channel
    from bot.settings import Settings

    defaults = Settings(digest_weekday=4, digest_hour=17, digest_timezone="Europe/Paris")
    fresh = schedule_for_channel(
        tenant="t", platform="slack", channel_id="C1", current=None, defaults=defaults
    )
    assert (fresh.weekday, fresh.hour, fresh.timezone, fresh.enabled) == (4, 17, "Europe/Paris", True)
    moved = schedule_for_channel(
        tenant="t",
        platform="slack",
        channel_id="C2",
        current=DigestSchedule(
            tenant="t", platform="slack", channel_id="C1", weekday=1, hour=8, timezone="UTC"
        ),
        defaults=defaults,
        enabled=False,
    )
    assert (moved.channel_id, moved.weekday, moved.hour, moved.timezone, moved.enabled) == (
        "C2",
        1,
        8,
        "UTC",
        False,
    )


def test_recent_digests_use_the_schedules_zone_else_the_default_and_utc_for_unknown_names() -> None:
    store = InMemoryStore()
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    recent = RecentDigests(store=store, config=store, default_timezone="Europe/Paris", clock=lambda: now)
    assert recent.zone("t1") == ZoneInfo("Europe/Paris")
    store.set_digest(
        schedule=DigestSchedule(
            tenant="t1", platform="slack", channel_id="C1", weekday=0, hour=9, timezone="Asia/Tokyo"
        )
    )
    assert recent.zone("t1") == ZoneInfo("Asia/Tokyo")
    digest = recent.build("t1")
    assert (digest.start, digest.end) == (
        datetime(2026, 11, 19, tzinfo=ZoneInfo("Asia/Tokyo")),
        now,
    )
    unknown = RecentDigests(store=store, config=store, default_timezone="Mars/Olympus_Mons")
    assert unknown.zone("t2") == ZoneInfo("UTC")
