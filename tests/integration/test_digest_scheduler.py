"""DigestScheduler: exactly one digest per tenant per week, across restarts, crashes and races.

Every test runs on the in-memory fake of our ports AND on the real SQL store (a SQLite file
and a PostgreSQL database, see conftest): the unique ``digest_posts`` row is what makes
"exactly once" true, so it has to be tested where it lives. Time is frozen and moved with
time-machine; the poster is a recording fake of our own ``DigestPoster`` port.
"""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from PIL import Image

from adapters.scheduler import DigestScheduler, Outcome
from bot.digest_chart import CHART_HEIGHT_PX, CHART_WIDTH_PX, render_chart
from bot.digest_text import empty_line
from bot.models import Digest
from bot.ports import DigestSchedule
from bot.settings import Settings
from tests.digest_data import Said, save_at
from tests.fakes import InMemoryStore

TENANT = "slack:T1"
SCHEDULE = DigestSchedule(
    tenant=TENANT, platform="slack", channel_id="C-digest", weekday=0, hour=9, timezone="Europe/London"
)
MONDAY_SLOT = datetime(2026, 11, 23, 9, tzinfo=UTC)  # London is on UTC in November
TTL = timedelta(minutes=15)


class ProcessDied(BaseException):
    """Stands for the process being killed: no except-clause runs, no cleanup happens."""


@dataclass
class Post:
    schedule: DigestSchedule
    digest: Digest
    chart_png: bytes | None


class RecordingPoster:
    """A fake of our DigestPoster port: records posts; can fail or 'die' on demand."""

    platform = "slack"

    def __init__(self) -> None:
        self.posts: list[Post] = []
        self.fail_next = 0  # raise an ordinary error (the platform refused) this many times
        self.die_after_posting = False  # record the post, then the process dies before returning
        self.delay_s = 0.0
        self.posted = asyncio.Event()

    async def post_digest(self, *, schedule: DigestSchedule, digest: Digest, chart_png: bytes | None) -> str:
        if self.delay_s:
            await asyncio.sleep(self.delay_s)  # widens the window two racing schedulers could share
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("platform unavailable")
        self.posts.append(Post(schedule, digest, chart_png))
        self.posted.set()
        if self.die_after_posting:
            raise ProcessDied
        return f"{schedule.channel_id}:{len(self.posts)}"


# ---------------------------------------------------------------------------- stores
@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """Makes stores on ONE database; each call is a separate handle (as two processes would have)."""
    if request.param == "memory":
        shared = InMemoryStore()
        yield lambda: shared
        return
    from storage import open_store

    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")
    opened: list[Any] = []

    def make() -> Any:
        store = open_store(Settings(_env_file=None, database_url=url, data_dir=tmp_path / "data"))  # type: ignore[call-arg]
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


@pytest.fixture
def store(store_factory: Any) -> Any:
    store = store_factory()
    store.set_digest(schedule=SCHEDULE)
    return store


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(MONDAY_SLOT - timedelta(days=3), tick=False) as traveller:
        yield traveller


def seed_week(store: Any) -> None:
    """A claim before the week, then a repeat and a change of it during the week."""
    old = save_at(
        store,
        tenant=TENANT,
        at=datetime(2026, 11, 10, 12, tzinfo=UTC),
        said=[Said("Ben Wallace", "we will send 20 tanks")],
    )
    save_at(
        store,
        tenant=TENANT,
        at=datetime(2026, 11, 18, 12, tzinfo=UTC),
        said=[
            Said("Ben Wallace", "we will send 20 tanks", repeats=old.claim_ids[0]),
            Said("Ben Wallace", "we will send 30 tanks", changes=old.claim_ids[0]),
            Said("Rishi Sunak", "inflation is halved"),
        ],
    )


def scheduler(store: Any, poster: RecordingPoster, **kwargs: Any) -> DigestScheduler:
    return DigestScheduler(store=store, config=store, posters={"slack": poster}, claim_ttl=TTL, **kwargs)


# ---------------------------------------------------------------------------- one week, one post
async def test_one_digest_per_week_with_the_chart_attached(store: Any, clock: time_machine.Traveller) -> None:
    seed_week(store)
    poster = RecordingPoster()
    bot = scheduler(store, poster)

    clock.move_to(MONDAY_SLOT - timedelta(minutes=1))
    assert await bot.run_once() == []  # not yet: this week's slot has not come

    clock.move_to(MONDAY_SLOT)
    [outcome] = await bot.run_once()
    assert (outcome.outcome, outcome.period_key, outcome.message_ref) == (
        Outcome.POSTED,
        "2026-W48",
        "C-digest:1",
    )
    clock.shift(timedelta(hours=30))
    [again] = await bot.run_once()
    assert again.outcome is Outcome.TAKEN

    [post] = poster.posts
    assert post.schedule.channel_id == "C-digest"
    assert (post.digest.start, post.digest.end) == (MONDAY_SLOT - timedelta(days=7), MONDAY_SLOT)
    assert (
        post.digest.claims,
        post.digest.new_claims,
        len(post.digest.repeated),
        len(post.digest.changed),
    ) == (
        3,
        2,
        1,
        1,
    )
    assert post.chart_png is not None
    image = Image.open(io.BytesIO(post.chart_png))
    assert (image.format, image.size) == ("PNG", (CHART_WIDTH_PX, CHART_HEIGHT_PX))

    state = store.digest_post_state(tenant=TENANT, period_key="2026-W48")
    assert (state.message_ref, state.posted_at is not None, state.owner) == ("C-digest:1", True, bot.owner)

    clock.move_to(MONDAY_SLOT + timedelta(days=7))
    [next_week] = await bot.run_once()
    assert (next_week.outcome, next_week.period_key) == (Outcome.POSTED, "2026-W49")
    assert len(poster.posts) == 2


async def test_a_week_with_no_claims_posts_its_one_line(store: Any, clock: time_machine.Traveller) -> None:
    poster = RecordingPoster()
    clock.move_to(MONDAY_SLOT + timedelta(minutes=1))
    [outcome] = await scheduler(store, poster).run_once()
    assert outcome.outcome is Outcome.POSTED
    [post] = poster.posts
    assert post.digest.empty
    assert post.chart_png is None
    assert (
        empty_line(post.digest)
        == "An empty week: no claims were checked between 16 Nov 2026 and 23 Nov 2026."
    )


async def test_the_week_london_springs_forward_is_posted_once_at_its_local_slot(
    store: Any, clock: time_machine.Traveller
) -> None:
    # Sunday 29 March 2026 01:00 UTC London moves to BST: Monday 30 March 09:00 is 08:00 UTC,
    # and that week's period runs from 23 March 09:00 GMT, an hour shorter than a week.
    slot = datetime(2026, 3, 30, 8, tzinfo=UTC)
    save_at(store, tenant=TENANT, at=datetime(2026, 3, 29, 1, 30, tzinfo=UTC), said=[Said("Night Owl", "x")])
    poster = RecordingPoster()
    bot = scheduler(store, poster)
    clock.move_to(slot - timedelta(minutes=1))
    assert await bot.run_once() == []
    clock.move_to(slot)
    [outcome] = await bot.run_once()
    assert (outcome.outcome, outcome.period_key) == (Outcome.POSTED, "2026-W14")
    [post] = poster.posts
    assert (post.digest.start, post.digest.end) == (datetime(2026, 3, 23, 9, tzinfo=UTC), slot)
    assert post.digest.claims == 1
    clock.move_to(slot + timedelta(days=1))
    assert [o.outcome for o in await bot.run_once()] == [Outcome.TAKEN]
    assert len(poster.posts) == 1


# ---------------------------------------------------------------------------- restarts
async def test_a_restart_in_the_middle_of_the_week_does_not_post_again(
    store_factory: Any, store: Any, clock: time_machine.Traveller
) -> None:
    seed_week(store)
    poster = RecordingPoster()
    clock.move_to(MONDAY_SLOT + timedelta(seconds=20))
    [first] = await scheduler(store, poster).run_once()
    assert first.outcome is Outcome.POSTED

    # Wednesday: the bot restarts (new process: a new owner and a new database handle)
    clock.move_to(MONDAY_SLOT + timedelta(days=2))
    restarted = scheduler(store_factory(), poster)
    [after] = await restarted.run_once()
    assert after.outcome is Outcome.TAKEN
    assert len(poster.posts) == 1


async def test_a_digest_missed_while_down_is_sent_at_start_up_within_the_week(
    store: Any, clock: time_machine.Traveller
) -> None:
    seed_week(store)
    poster = RecordingPoster()
    clock.move_to(MONDAY_SLOT + timedelta(days=4, hours=3))  # down from Monday to Friday
    [outcome] = await scheduler(store, poster).run_once()
    assert (outcome.outcome, outcome.period_key) == (Outcome.POSTED, "2026-W48")
    # it covers the week that ended at the missed slot, not the days since
    assert poster.posts[0].digest.end == MONDAY_SLOT


async def test_a_digest_missed_for_a_whole_week_is_skipped(store: Any, clock: time_machine.Traveller) -> None:
    poster = RecordingPoster()
    clock.move_to(MONDAY_SLOT + timedelta(days=7, hours=-2))  # next Monday 07:00: W48 is over
    assert await scheduler(store, poster).run_once() == []
    assert poster.posts == []


# ---------------------------------------------------------------------------- races
async def test_two_schedulers_racing_for_the_same_week_post_once(
    store_factory: Any, store: Any, clock: time_machine.Traveller
) -> None:
    seed_week(store)
    poster = RecordingPoster()
    poster.delay_s = 0.05
    clock.move_to(MONDAY_SLOT)
    # two bot processes: separate handles on the same database, different owners
    bots = [scheduler(store_factory(), poster) for _ in range(4)]
    results = await asyncio.gather(*(bot.run_once() for bot in bots))
    outcomes = sorted(outcome.outcome for [outcome] in results)
    assert outcomes == [Outcome.POSTED, Outcome.TAKEN, Outcome.TAKEN, Outcome.TAKEN]
    assert len(poster.posts) == 1


def test_two_schedulers_in_two_threads_post_once(
    store_factory: Any, store: Any, clock: time_machine.Traveller
) -> None:
    """Each scheduler in its own thread with its own event loop, as two processes would run."""
    seed_week(store)
    clock.move_to(MONDAY_SLOT)
    posters = [RecordingPoster() for _ in range(2)]
    bots = [scheduler(store_factory(), p) for p in posters]
    barrier = threading.Barrier(2)
    outcomes: list[Outcome] = []

    def run(bot: DigestScheduler) -> None:
        barrier.wait()
        outcomes.extend(o.outcome for o in asyncio.run(bot.run_once()))

    threads = [threading.Thread(target=run, args=(bot,)) for bot in bots]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == [Outcome.POSTED, Outcome.TAKEN]
    assert sum(len(p.posts) for p in posters) == 1


# ---------------------------------------------------------------------------- failures and crashes
async def test_a_failure_between_rendering_and_posting_is_retried_once(
    store: Any, clock: time_machine.Traveller
) -> None:
    seed_week(store)
    poster = RecordingPoster()
    renders = 0

    def flaky_chart(digest: Digest) -> bytes:
        nonlocal renders
        renders += 1
        if renders == 1:
            raise MemoryError("renderer ran out of memory")
        return render_chart(digest)

    bot = scheduler(store, poster, chart=flaky_chart, retry_backoff=timedelta(minutes=5))
    clock.move_to(MONDAY_SLOT)
    [failed] = await bot.run_once()
    assert failed.outcome is Outcome.FAILED
    assert "MemoryError" in (failed.error or "")
    assert store.digest_post_state(tenant=TENANT, period_key="2026-W48") is None  # released

    clock.shift(timedelta(minutes=1))
    [waiting] = await bot.run_once()
    assert waiting.outcome is Outcome.BACKING_OFF

    clock.shift(timedelta(minutes=5))
    [posted] = await bot.run_once()
    assert posted.outcome is Outcome.POSTED
    assert len(poster.posts) == 1


async def test_a_refused_post_is_released_and_retried(store: Any, clock: time_machine.Traveller) -> None:
    poster = RecordingPoster()
    poster.fail_next = 1
    bot = scheduler(store, poster, retry_backoff=timedelta(0))
    clock.move_to(MONDAY_SLOT)
    assert [o.outcome for o in await bot.run_once()] == [Outcome.FAILED]
    assert [o.outcome for o in await bot.run_once()] == [Outcome.POSTED]
    assert len(poster.posts) == 1


async def test_repeated_failures_back_off_doubling(store: Any, clock: time_machine.Traveller) -> None:
    poster = RecordingPoster()
    poster.fail_next = 3
    bot = scheduler(store, poster, retry_backoff=timedelta(minutes=5))
    clock.move_to(MONDAY_SLOT)
    seen = []
    for minutes in (0, 4, 5, 14, 15, 34, 35):  # failures at 0, 5 and 15; then waits 5, 10, 20 minutes
        clock.move_to(MONDAY_SLOT + timedelta(minutes=minutes))
        [outcome] = await bot.run_once()
        seen.append(outcome.outcome)
    assert seen == [
        Outcome.FAILED,
        Outcome.BACKING_OFF,
        Outcome.FAILED,
        Outcome.BACKING_OFF,
        Outcome.FAILED,
        Outcome.BACKING_OFF,
        Outcome.POSTED,
    ]
    assert len(poster.posts) == 1


async def test_a_process_dying_between_rendering_and_posting_is_taken_over_after_the_ttl(
    store_factory: Any, store: Any, clock: time_machine.Traveller
) -> None:
    seed_week(store)
    poster = RecordingPoster()

    def dying_chart(digest: Digest) -> bytes:
        raise ProcessDied

    clock.move_to(MONDAY_SLOT)
    with pytest.raises(ProcessDied):
        await scheduler(store, poster, chart=dying_chart).run_once()
    state = store.digest_post_state(tenant=TENANT, period_key="2026-W48")
    assert (state.sending_at, state.posted_at) == (None, None)  # claimed, nothing sent

    restarted = scheduler(store_factory(), poster)
    clock.shift(timedelta(minutes=1))
    assert [o.outcome for o in await restarted.run_once()] == [Outcome.TAKEN]  # the claim is fresh
    clock.shift(TTL)
    assert [o.outcome for o in await restarted.run_once()] == [Outcome.POSTED]
    assert len(poster.posts) == 1
    state = store.digest_post_state(tenant=TENANT, period_key="2026-W48")
    assert (state.owner, state.attempts) == (restarted.owner, 2)


async def test_a_process_dying_after_posting_never_posts_twice(
    store_factory: Any, store: Any, clock: time_machine.Traveller
) -> None:
    seed_week(store)
    poster = RecordingPoster()
    poster.die_after_posting = True
    clock.move_to(MONDAY_SLOT)
    with pytest.raises(ProcessDied):
        await scheduler(store, poster).run_once()
    assert len(poster.posts) == 1

    poster.die_after_posting = False
    restarted = scheduler(store_factory(), poster)
    for shift in (timedelta(minutes=1), TTL, timedelta(days=2)):
        clock.shift(shift)
        [outcome] = await restarted.run_once()
        assert outcome.outcome in (Outcome.TAKEN, Outcome.UNCERTAIN)
    assert outcome.outcome is Outcome.UNCERTAIN
    assert len(poster.posts) == 1


async def test_a_slow_owner_whose_claim_was_taken_over_does_not_post(
    store_factory: Any, store: Any, clock: time_machine.Traveller
) -> None:
    poster = RecordingPoster()
    rendering = threading.Event()
    resume = threading.Event()

    def slow_chart(digest: Digest) -> bytes:
        rendering.set()
        resume.wait(30)
        return render_chart(digest)

    seed_week(store)
    clock.move_to(MONDAY_SLOT)
    slow = asyncio.create_task(scheduler(store, poster, chart=slow_chart).run_once())
    await asyncio.to_thread(rendering.wait, 30)
    clock.shift(TTL + timedelta(minutes=1))  # the slow owner looks dead
    [taken_over] = await scheduler(store_factory(), poster).run_once()
    assert taken_over.outcome is Outcome.POSTED
    resume.set()
    [fenced] = await slow
    assert fenced.outcome is Outcome.TAKEN
    assert len(poster.posts) == 1


# ---------------------------------------------------------------------------- scope
async def test_only_due_enabled_schedules_of_this_processs_platforms(
    store: Any, clock: time_machine.Traveller
) -> None:
    store.set_digest(
        schedule=DigestSchedule(
            tenant="discord:7", platform="discord", channel_id="D1", weekday=0, hour=9, timezone="UTC"
        )
    )
    store.set_digest(
        schedule=DigestSchedule(
            tenant="slack:T3",
            platform="slack",
            channel_id="C3",
            weekday=0,
            hour=9,
            timezone="UTC",
            enabled=False,
        )
    )
    store.set_digest(
        schedule=DigestSchedule(
            tenant="slack:T4", platform="slack", channel_id="C4", weekday=2, hour=9, timezone="UTC"
        )
    )
    poster = RecordingPoster()
    clock.move_to(MONDAY_SLOT)
    outcomes = await scheduler(store, poster).run_once()
    assert [(o.tenant, o.outcome) for o in outcomes] == [(TENANT, Outcome.POSTED)]
    assert [p.schedule.tenant for p in poster.posts] == [TENANT]


async def test_each_tenant_gets_its_own_content(store: Any, clock: time_machine.Traveller) -> None:
    other = DigestSchedule(
        tenant="slack:T2", platform="slack", channel_id="C2", weekday=0, hour=9, timezone="UTC"
    )
    store.set_digest(schedule=other)
    seed_week(store)
    save_at(
        store,
        tenant="slack:T2",
        at=datetime(2026, 11, 19, tzinfo=UTC),
        said=[Said("Other Person", "secret plan")],
    )
    poster = RecordingPoster()
    clock.move_to(MONDAY_SLOT)
    await scheduler(store, poster).run_once()
    by_tenant = {p.schedule.tenant: p.digest for p in poster.posts}
    assert {a.speaker for a in by_tenant["slack:T2"].by_speaker} == {"Other Person"}
    assert "Other Person" not in {a.speaker for a in by_tenant[TENANT].by_speaker}


# ---------------------------------------------------------------------------- on demand and the loop
async def test_digest_now_posts_the_last_seven_days_and_keeps_the_weekly_one(
    store: Any, clock: time_machine.Traveller
) -> None:
    seed_week(store)
    poster = RecordingPoster()
    bot = scheduler(store, poster)
    clock.move_to(datetime(2026, 11, 20, 12, tzinfo=UTC))
    ref = await bot.post_now(TENANT)
    assert ref == "C-digest:1"
    assert poster.posts[0].digest.end == datetime(2026, 11, 20, 12, tzinfo=UTC)
    assert poster.posts[0].digest.claims == 3
    clock.move_to(MONDAY_SLOT)
    assert [o.outcome for o in await bot.run_once()] == [Outcome.POSTED]
    with pytest.raises(LookupError, match="digest here"):
        await bot.post_now("slack:unknown")


async def test_the_loop_catches_up_at_start_and_stops(store: Any, clock: time_machine.Traveller) -> None:
    poster = RecordingPoster()
    clock.move_to(MONDAY_SLOT + timedelta(hours=5))
    bot = scheduler(store, poster, poll_interval=timedelta(seconds=0.05))
    task = bot.start()
    await asyncio.wait_for(poster.posted.wait(), timeout=30)
    await bot.stop()
    assert task.done()
    assert len(poster.posts) == 1


# ---------------------------------------------------------------------------- the SQL queries
def digest_projection(digest: Digest) -> tuple[Any, ...]:
    """Everything a digest says, without store-specific ids."""
    return (
        digest.articles,
        digest.claims,
        digest.new_claims,
        tuple((a.speaker, a.new_claims, a.mentions) for a in digest.by_speaker),
        tuple((r.claim.text, r.claim.speaker, r.times, r.first_seen, r.link) for r in digest.repeated),
        tuple((c.speaker, c.before.text, c.after.text, c.reasons) for c in digest.changed),
        digest.daily,
    )


def seed_edges(store: Any) -> None:
    """Boundaries ([start, end)), restatements, unattributed claims and another tenant."""
    start = MONDAY_SLOT - timedelta(days=7)
    old = save_at(store, tenant=TENANT, at=start - timedelta(seconds=1), said=[Said("A Person", "x is 5")])
    save_at(
        store,
        tenant=TENANT,
        at=start,  # included
        said=[
            Said("A Person", "x is 5", repeats=old.claim_ids[0], restatements=2),
            Said(None, "nobody said y"),
        ],
        url="https://news.example/start",
    )
    save_at(store, tenant=TENANT, at=MONDAY_SLOT, said=[Said("Late Person", "too late")])  # excluded
    save_at(
        store,
        tenant=TENANT,
        at=start + timedelta(days=3),
        said=[Said("A Person", "x is not 5", changes=old.claim_ids[0])],
    )
    save_at(store, tenant="slack:other", at=start + timedelta(days=1), said=[Said("Other", "elsewhere")])


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_the_sql_store_and_the_fake_give_the_same_digest(
    db: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    from bot.digest import build_digest
    from storage import open_store

    url = request.getfixturevalue(f"{db}_url")
    sql = open_store(Settings(_env_file=None, database_url=url, data_dir=tmp_path / "data"))  # type: ignore[call-arg]
    fake = InMemoryStore()
    try:
        seed_edges(sql)
        seed_edges(fake)
        start = MONDAY_SLOT - timedelta(days=7)
        from_sql = build_digest(sql, tenant=TENANT, start=start, end=MONDAY_SLOT)
        from_fake = build_digest(fake, tenant=TENANT, start=start, end=MONDAY_SLOT)
    finally:
        sql.close()
    assert digest_projection(from_sql) == digest_projection(from_fake)
    assert from_sql.articles == 2
    assert from_sql.claims == 3  # x is 5 (3 mentions), nobody said y, x is not 5
    assert [(r.claim.text, r.times) for r in from_sql.repeated] == [("x is 5", 3)]
    assert [c.after.text for c in from_sql.changed] == ["x is not 5"]
    assert "Late Person" not in {a.speaker for a in from_sql.by_speaker}
    assert "Other" not in {a.speaker for a in from_sql.by_speaker}


async def test_delivery_keys_are_forgotten_after_the_retention_at_most_once_a_day(
    store: Any, clock: time_machine.Traveller
) -> None:
    clock.move_to(MONDAY_SLOT)
    assert store.first_delivery(tenant=TENANT, key="event:old")
    bot = scheduler(store, RecordingPoster(), delivery_retention=timedelta(days=30))
    assert await bot.prune_deliveries() == 0
    clock.shift(timedelta(days=31))
    assert store.first_delivery(tenant=TENANT, key="event:new")
    assert await bot.prune_deliveries() == 1
    assert await bot.prune_deliveries() is None  # pruned today already
    assert not store.first_delivery(tenant=TENANT, key="event:new")
    assert store.first_delivery(tenant=TENANT, key="event:old")  # forgotten: seen for the first time
