"""Weekly digests on Slack: ``/claims digest here|off|now`` and the poster the scheduler uses."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from matplotlib.image import imread
from slack_sdk.web.async_client import AsyncWebClient

from adapters.scheduler import Outcome
from adapters.slack.digest import CHART_FILENAME, SlackDigestPoster
from bot.models import Digest, SpeakerActivity
from bot.ports import DigestSchedule
from tests.e2e.fake_slack import (
    BOT_TOKEN,
    PNG_SIGNATURE,
    FakeSlack,
    Harness,
    block_problems,
    bot_settings,
    fake_slack,
    running_bot,
)
from tests.e2e.test_slack_http import ARTICLE, command, make_core, section_texts, store_of
from tests.fakes import InMemoryStore

pytestmark = [pytest.mark.timeout(90), pytest.mark.any_hour]


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with fake_slack() as fake:
        fake.add_user("U1")
        fake.add_user("UADMIN", admin=True)
        yield fake


@pytest.fixture
async def bot(fake: FakeSlack, tmp_path: Path) -> AsyncIterator[Harness]:
    settings = bot_settings(fake, tmp_path, digest_timezone="Europe/London")
    async with running_bot(fake, settings, core=make_core(settings)) as harness:
        yield harness


async def test_digest_here_and_off_store_the_schedule(bot: Harness) -> None:
    here = await command(bot, "digest here", "here", user_id="UADMIN", channel_id="C5")
    assert (
        here["text"]
        == "The weekly digest will be posted in this channel every Monday at 09:00 (Europe/London)."
    )
    assert store_of(bot).get_digest(tenant="slack:T1") == DigestSchedule(
        tenant="slack:T1", platform="slack", channel_id="C5", weekday=0, hour=9, timezone="Europe/London"
    )
    off = await command(bot, "digest off", "off", user_id="UADMIN", channel_id="C5")
    assert off["text"] == "The weekly digest is turned off."
    schedule = store_of(bot).get_digest(tenant="slack:T1")
    assert schedule is not None
    assert schedule.enabled is False
    again = await command(bot, "digest off", "off-again", user_id="UADMIN")
    assert again["text"] == "No weekly digest is set up for this workspace."


async def test_digest_settings_are_for_admins(bot: Harness) -> None:
    refused = await command(bot, "digest here", "refused", user_id="U1")
    assert refused["text"].startswith("Sorry, only workspace admins and owners")
    assert store_of(bot).get_digest(tenant="slack:T1") is None


async def test_digest_now_posts_the_week_so_far_with_the_chart_in_its_thread(bot: Harness) -> None:
    await command(bot, "check " + ARTICLE, "seed")
    repeat = "Jane Smith said the deficit will fall to three percent of output next year.\n"
    await command(bot, "check " + repeat, "seed-2")
    answer = await command(bot, "digest now", "now", user_id="UADMIN", channel_id="C5")
    assert answer["text"] == "Posted this week's digest so far."

    [post] = bot.fake.calls_to("chat.postMessage")
    assert post.args["channel"] == "C5"
    assert block_problems(post.args["blocks"]) == []
    texts = section_texts(post.args["blocks"])
    assert texts[0].startswith("Claims digest, ")
    assert "2 articles checked, 3 statements: 3 new, 0 changed, 0 seen before; 1 of them repeated" in texts[1]
    assert any("Jane Smith: 2 new claims, 3 mentions" in t for t in texts)
    assert any(t.startswith("Jane Smith: “the deficit will fall") and "2 times this week" in t for t in texts)
    assert post.args["text"].startswith("Claims digest, ")

    [upload] = bot.fake.calls_to("file_upload")
    assert upload.raw.startswith(PNG_SIGNATURE)
    assert imread(io.BytesIO(upload.raw)).shape[:2] == (800, 1200)
    [url_call] = bot.fake.calls_to("files.getUploadURLExternal")
    assert url_call.args["filename"] == CHART_FILENAME
    assert int(url_call.args["length"]) == len(upload.raw)
    [complete] = bot.fake.calls_to("files.completeUploadExternal")
    assert complete.args["channel_id"] == "C5"
    assert complete.args["thread_ts"] == "1700000000.000001"  # the digest message's ts


async def test_an_empty_week_is_one_line_and_no_chart(bot: Harness) -> None:
    await command(bot, "digest now", "empty", user_id="UADMIN", channel_id="C5")
    [post] = bot.fake.calls_to("chat.postMessage")
    assert len(post.args["blocks"]) == 1
    assert post.args["text"].startswith("An empty week: no claims were checked between ")
    assert bot.fake.calls_to("file_upload") == []


async def test_digest_now_in_a_channel_the_bot_is_not_in_says_how_to_fix_it(bot: Harness) -> None:
    bot.fake.channels_without_bot.add("C404")
    answer = await command(bot, "digest now", "not-member", user_id="UADMIN", channel_id="C404")
    assert answer["text"] == "I can't post in this channel: invite me with `/invite @claimbot` and try again."


async def test_the_poster_used_by_the_scheduler(fake: FakeSlack) -> None:
    """``SlackDigestPoster`` posts a ``Digest`` it is given (here an empty one) and returns its reference."""
    poster = SlackDigestPoster(AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url))
    end = datetime(2026, 11, 23, 9, tzinfo=UTC)
    digest = Digest(
        tenant="slack:T1",
        start=end - timedelta(days=7),
        end=end,
        articles=0,
        claims=0,
        new_claims=0,
        by_speaker=(),
        repeated=(),
        changed=(),
    )
    schedule = DigestSchedule(
        tenant="slack:T1", platform="slack", channel_id="C8", weekday=0, hour=9, timezone="UTC"
    )
    ref = await poster.post_digest(schedule=schedule, digest=digest, chart_png=PNG_SIGNATURE + b"ignored")
    assert ref == "C8:1700000000.000001"
    [post] = fake.calls_to("chat.postMessage")
    assert post.args["text"] == "An empty week: no claims were checked between 16 Nov 2026 and 23 Nov 2026."
    assert fake.calls_to("file_upload") == []
    assert poster.platform == "slack"


async def test_a_failed_chart_upload_still_returns_the_posted_message(fake: FakeSlack) -> None:
    """The text is already in the channel: raising would make the scheduler post it again."""
    fake.refuse_file_uploads = True
    poster = SlackDigestPoster(AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url))
    end = datetime(2026, 11, 23, 9, tzinfo=UTC)
    digest = Digest(
        tenant="slack:T1",
        start=end - timedelta(days=7),
        end=end,
        articles=1,
        claims=1,
        new_claims=1,
        by_speaker=(SpeakerActivity(speaker="Anna Whitfield", new_claims=1, mentions=1),),
        repeated=(),
        changed=(),
    )
    schedule = DigestSchedule(
        tenant="slack:T1", platform="slack", channel_id="C8", weekday=0, hour=9, timezone="UTC"
    )
    ref = await poster.post_digest(schedule=schedule, digest=digest, chart_png=PNG_SIGNATURE + b"x")
    assert ref.startswith("C8:")
    assert len(fake.calls_to("chat.postMessage")) == 1
    assert fake.calls_to("file_upload") == []


async def test_the_running_bot_posts_a_due_weekly_digest_once_across_a_restart(
    fake: FakeSlack, tmp_path: Path
) -> None:
    settings = bot_settings(fake, tmp_path)
    store = InMemoryStore()
    today = datetime.now(UTC)
    # today 00:00 UTC has passed and is in this ISO week: the digest is due at start-up
    store.set_digest(
        schedule=DigestSchedule(
            tenant="slack:T1",
            platform="slack",
            channel_id="C5",
            weekday=today.weekday(),
            hour=0,
            timezone="UTC",
        )
    )
    async with running_bot(fake, settings, core=make_core(settings, store=store), run_scheduler=True) as bot:
        [post] = await fake.wait_for("chat.postMessage")
        assert post.args["channel"] == "C5"
        assert post.args["text"].startswith("An empty week: no claims were checked between ")
        assert bot.runtime.scheduler is not None
        assert [o.outcome for o in await bot.runtime.scheduler.run_once()] == [Outcome.TAKEN]
    async with running_bot(fake, settings, core=make_core(settings, store=store), run_scheduler=True) as bot:
        assert bot.runtime.scheduler is not None
        assert [o.outcome for o in await bot.runtime.scheduler.run_once()] == [Outcome.TAKEN]
    assert len(fake.calls_to("chat.postMessage")) == 1
