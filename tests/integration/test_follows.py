"""Follow a speaker on real databases: every test runs on SQLite and on PostgreSQL (see conftest).

Each ``bootstrap`` below is one bot process's wiring (its own engine and connections) on the
shared database: what one process takes or posts, no other may take again.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from adapters.bootstrap import App, bootstrap
from adapters.follow_alerts import AlertOutcome, FollowAlertDispatcher
from bot.follow_service import MAX_ATTEMPTS, RETRY_AFTER
from bot.follows import AlertReason, FollowAlert
from bot.models import ArticleInput
from bot.settings import Settings
from tests.fakes import HashingEncoder, PagesFetcher, SaidThatExtractor

TENANT, OTHER = "slack:T1", "slack:T2"
BEFORE = "Anna Whitfield said that the harbour bridge repairs will cost 48 million pounds.\n"
NOW = "Anna Whitfield said that the harbour bridge repairs will cost 61 million pounds.\n"


def process(settings: Settings) -> App:
    return bootstrap(
        settings, extractor=SaidThatExtractor(), encoder=HashingEncoder(), fetcher=PagesFetcher()
    )


@pytest.fixture
def apps(store_settings: Settings) -> Iterator[list[App]]:
    opened: list[App] = []

    def more() -> App:
        opened.append(process(store_settings))
        return opened[-1]

    more(), more()
    try:
        yield opened
    finally:
        for app in opened:
            app.close()


def follow_and_change(app: App, *, tenant: str = TENANT, channel: str = "C9") -> None:
    app.service.check(tenant=tenant, article=ArticleInput(text=BEFORE))
    app.service.follows.follow(tenant=tenant, platform="slack", channel_id=channel, name="Whitfield")
    report = app.service.check(tenant=tenant, article=ArticleInput(text=NOW))
    assert report.summary.changed == 1


def test_follow_then_check_queues_one_alert_that_only_one_process_takes(
    apps: list[App], store_settings: Settings
) -> None:
    first, second = apps
    follow_and_change(first)
    now = datetime.now(UTC)
    [alert] = first.service.follows.take_alerts(platform="slack", owner="one", now=now)
    assert (alert.tenant, alert.channel_id, alert.speaker) == (TENANT, "C9", "Anna Whitfield")
    assert alert.reasons == (AlertReason.CHANGED,)
    assert alert.before.text == "the harbour bridge repairs will cost 48 million pounds"
    assert second.service.follows.take_alerts(platform="slack", owner="two", now=now) == []
    first.service.follows.alert_posted(alert=alert, owner="one", message_ref="C9:1")

    restarted = process(store_settings)  # a restart: the alert is not pending any more
    try:
        assert restarted.service.follows.take_alerts(platform="slack", owner="three", now=now) == []
        # the same statement checked again (a duplicate article) queues nothing
        restarted.service.check(tenant=TENANT, article=ArticleInput(text=NOW))
        assert restarted.service.follows.take_alerts(platform="slack", owner="three", now=now) == []
    finally:
        restarted.close()
    store = first.service.store
    assert store.follow_alert_state(alert_id=alert.id)["message_ref"] == "C9:1"  # type: ignore[attr-defined]


def test_processes_racing_for_the_same_alerts_take_each_exactly_once(apps: list[App]) -> None:
    first, second = apps
    first.service.check(tenant=TENANT, article=ArticleInput(text=BEFORE))
    for channel in ("C1", "C2", "C3", "C4"):
        first.service.follows.follow(
            tenant=TENANT, platform="slack", channel_id=channel, name="Anna Whitfield"
        )
    first.service.check(tenant=TENANT, article=ArticleInput(text=NOW))
    start = threading.Barrier(2)
    taken: dict[str, list[FollowAlert]] = {}

    def take(app: App, owner: str) -> None:
        start.wait()
        taken[owner] = app.service.follows.take_alerts(platform="slack", owner=owner, now=datetime.now(UTC))

    threads = [threading.Thread(target=take, args=(app, f"p{i}")) for i, app in enumerate((first, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    channels = sorted(a.channel_id for alerts in taken.values() for a in alerts)
    assert channels == ["C1", "C2", "C3", "C4"]


def test_a_failed_post_is_retried_later_and_given_up_after_the_last_attempt(apps: list[App]) -> None:
    first, second = apps
    follow_and_change(first)
    follows = first.service.follows
    now = datetime.now(UTC)
    for _ in range(MAX_ATTEMPTS):
        [alert] = follows.take_alerts(platform="slack", owner="one", now=now)
        follows.alert_failed(alert=alert, owner="one", now=now)
        assert second.service.follows.take_alerts(platform="slack", owner="two", now=now) == []  # not yet
        now += RETRY_AFTER + timedelta(seconds=1)
    assert follows.take_alerts(platform="slack", owner="one", now=now + timedelta(days=1)) == []


def test_follows_and_alerts_stay_in_their_tenant(apps: list[App]) -> None:
    first, _ = apps
    follow_and_change(first, tenant=TENANT)
    first.service.check(tenant=OTHER, article=ArticleInput(text=BEFORE))
    first.service.check(tenant=OTHER, article=ArticleInput(text=NOW))  # T2 follows nobody
    assert first.service.follows.following(tenant=OTHER) == []
    now = datetime.now(UTC)
    assert first.service.follows.take_alerts(platform="slack", owner="x", now=now, tenant=OTHER) == []
    [alert] = first.service.follows.take_alerts(platform="slack", owner="x", now=now)
    assert alert.tenant == TENANT
    assert first.service.follows.take_alerts(platform="discord", owner="x", now=now) == []
    [following] = first.service.follows.following(tenant=TENANT)
    assert (following.speaker.name, following.channel_id) == ("Anna Whitfield", "C9")


class _Poster:
    platform = "slack"

    def __init__(self, *, fail: bool = False) -> None:
        self.fail = fail
        self.posted: list[FollowAlert] = []

    async def post_alert(self, *, alert: FollowAlert) -> str:
        if self.fail:
            raise ConnectionError("slack is down")
        self.posted.append(alert)
        return f"{alert.channel_id}:{len(self.posted)}"


async def test_dispatchers_of_two_processes_post_the_alert_once(apps: list[App]) -> None:
    follow_and_change(apps[0])
    posters = [_Poster(), _Poster()]
    dispatchers = [
        FollowAlertDispatcher(follows=app.service.follows, queue=app.queue, poster=poster, owner=f"p{i}")
        for i, (app, poster) in enumerate(zip(apps, posters, strict=True))
    ]
    results = [await d.run_once() for d in dispatchers] + [await d.run_once() for d in dispatchers]
    assert [[r.outcome for r in result] for result in results] == [[AlertOutcome.POSTED], [], [], []]
    assert sum(len(p.posted) for p in posters) == 1


async def test_a_full_queue_leaves_the_alerts_waiting_and_a_failed_post_releases_them(
    apps: list[App],
) -> None:
    first, _ = apps
    follow_and_change(first)
    clock = [datetime.now(UTC)]
    failing = FollowAlertDispatcher(
        follows=first.service.follows, queue=first.queue, poster=_Poster(fail=True), clock=lambda: clock[0]
    )
    [delivery] = await failing.run_once()
    assert delivery.outcome is AlertOutcome.FAILED

    # the queue is full (one worker busy, no room): the pass is skipped, nothing taken
    from bot.queue import CheckQueue

    busy = CheckQueue(workers=1, capacity=1)
    release = threading.Event()
    busy.submit(release.wait, 30)
    clock[0] += RETRY_AFTER + timedelta(seconds=1)
    poster = _Poster()
    blocked = FollowAlertDispatcher(
        follows=first.service.follows, queue=busy, poster=poster, clock=lambda: clock[0]
    )
    try:
        assert await blocked.run_once() == []
    finally:
        release.set()
        busy.close()
    working = FollowAlertDispatcher(
        follows=first.service.follows, queue=first.queue, poster=poster, clock=lambda: clock[0]
    )
    [delivery] = await working.run_once()
    assert delivery.outcome is AlertOutcome.POSTED
    assert len(poster.posted) == 1


def test_alerts_are_forgotten_after_the_retention_posted_or_not(apps: list[App]) -> None:
    """The alerts table does not grow forever: a month after it was queued an alert is gone,
    posted (done) or not (stale news), and younger ones stay."""
    from bot.follow_service import ALERT_RETENTION

    first, _ = apps
    follow_and_change(first)
    now = datetime.now(UTC)
    [alert] = first.service.follows.take_alerts(platform="slack", owner="one", now=now)
    first.service.follows.alert_posted(alert=alert, owner="one", message_ref="C9:1")
    store = first.service.store
    assert first.service.follows.prune_alerts(now=now + ALERT_RETENTION - timedelta(hours=1)) == 0
    assert store.follow_alert_state(alert_id=alert.id) is not None  # type: ignore[attr-defined]
    assert first.service.follows.prune_alerts(now=now + ALERT_RETENTION + timedelta(hours=1)) == 1
    assert store.follow_alert_state(alert_id=alert.id) is None  # type: ignore[attr-defined]


async def test_the_dispatcher_prunes_at_most_once_a_day(apps: list[App]) -> None:
    first, _ = apps
    clock_now = [datetime.now(UTC)]
    pruned: list[datetime] = []

    class Poster:
        platform = "slack"

        async def post_alert(self, *, alert: FollowAlert) -> str:
            return "ref"

    follows = first.service.follows
    original = follows.prune_alerts

    def counting(*, now: datetime) -> int:
        pruned.append(now)
        return original(now=now)

    follows.prune_alerts = counting  # type: ignore[method-assign]
    dispatcher = FollowAlertDispatcher(
        follows=follows, queue=first.queue, poster=Poster(), owner="p", clock=lambda: clock_now[0]
    )
    assert await dispatcher.prune() == 0
    assert await dispatcher.prune() is None  # the same day
    clock_now[0] += timedelta(days=1, minutes=1)
    assert await dispatcher.prune() == 0
    assert len(pruned) == 2
