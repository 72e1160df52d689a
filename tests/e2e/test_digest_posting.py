"""The weekly digest end to end: DigestScheduler + the real Slack and Discord posters + local fakes.

Real sockets, real slack-sdk and discord.py clients, the real SQLite store; only the chat
platforms are local fakes (``fake_slack``, ``fake_discord``). Each test asserts on what the
platform received: one message per tenant and week, the chart PNG attached at its size.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from slack_sdk.web.async_client import AsyncWebClient

from adapters.bootstrap import bootstrap
from adapters.discord.digest import CHART_NAME, DiscordDigestPoster
from adapters.scheduler import DigestScheduler, Outcome
from adapters.slack.digest import CHART_FILENAME, SlackDigestPoster
from bot.digest_chart import CHART_HEIGHT_PX, CHART_WIDTH_PX
from bot.ports import DigestSchedule
from bot.settings import Settings
from storage import SqlStore, open_store
from tests.digest_data import Said, save_at
from tests.e2e.fake_discord import FakeChannel, FakeDiscord, FakeGuild, running_bot
from tests.e2e.fake_slack import BOT_TOKEN, PNG_SIGNATURE, FakeSlack, block_problems, fake_slack
from tests.fakes import HashingEncoder, PagesFetcher, SaidThatExtractor

pytestmark = [pytest.mark.timeout(120), pytest.mark.any_hour]

MONDAY_SLOT = datetime(2026, 11, 23, 9, tzinfo=UTC)
SLACK_TENANT = "slack:T1"
GUILD = FakeGuild(111, "Newsroom A", (FakeChannel(1111, "general"), FakeChannel(1112, "digest")))
DISCORD_TENANT = f"discord:{GUILD.id}"


def seed(store: SqlStore, tenant: str) -> None:
    old = save_at(
        store,
        tenant=tenant,
        at=datetime(2026, 11, 10, 12, tzinfo=UTC),
        said=[Said("Ben Wallace", "we will send 20 tanks")],
        url=f"https://news.example/{tenant}/old",
    )
    save_at(
        store,
        tenant=tenant,
        at=datetime(2026, 11, 18, 12, tzinfo=UTC),
        said=[
            Said("Ben Wallace", "we will send 20 tanks", repeats=old.claim_ids[0]),
            Said("Ben Wallace", "we will send 30 tanks", changes=old.claim_ids[0]),
            Said("Rishi Sunak", "inflation is halved"),
        ],
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    opened = open_store(Settings(_env_file=None, data_dir=tmp_path / "data"))  # type: ignore[call-arg]
    yield opened
    opened.close()


def scheduler(store: SqlStore, posters: dict[str, Any]) -> DigestScheduler:
    # the clock is injected (not frozen): the HTTP clients keep real time
    return DigestScheduler(store=store, config=store, posters=posters, clock=lambda: MONDAY_SLOT)


def png_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        return image.size


# ---------------------------------------------------------------------------- Slack
@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with fake_slack() as fake:
        yield fake


async def test_slack_weekly_digest_with_the_chart_in_its_thread(slack: FakeSlack, store: SqlStore) -> None:
    seed(store, SLACK_TENANT)
    store.set_digest(
        schedule=DigestSchedule(
            tenant=SLACK_TENANT,
            platform="slack",
            channel_id="C5",
            weekday=0,
            hour=9,
            timezone="Europe/London",
        )
    )
    poster = SlackDigestPoster(AsyncWebClient(token=BOT_TOKEN, base_url=slack.api_url))
    bot = scheduler(store, {"slack": poster})

    [posted] = await bot.run_once()
    assert (posted.outcome, posted.period_key) == (Outcome.POSTED, "2026-W48")
    [again] = await bot.run_once()
    assert again.outcome is Outcome.TAKEN

    [message] = slack.calls_to("chat.postMessage")
    assert message.args["channel"] == "C5"
    assert block_problems(message.args["blocks"]) == []
    assert message.args["text"].startswith("Claims digest, 16 Nov 2026 – 23 Nov 2026")
    blocks = repr(message.args["blocks"])
    assert (
        "Ben Wallace said “we will send 20 tanks” on 10 Nov 2026, now says “we will send 30 tanks”" in blocks
    )
    assert "https://news.example/slack:T1/old" in blocks  # the repeat links to where it was first seen

    [upload] = slack.calls_to("file_upload")
    assert upload.raw.startswith(PNG_SIGNATURE)
    assert png_size(upload.raw) == (CHART_WIDTH_PX, CHART_HEIGHT_PX)
    [url_call] = slack.calls_to("files.getUploadURLExternal")
    assert url_call.args["filename"] == CHART_FILENAME
    [complete] = slack.calls_to("files.completeUploadExternal")
    assert complete.args["channel_id"] == "C5"
    ts = posted.message_ref.split(":", 1)[1] if posted.message_ref else None
    assert complete.args["thread_ts"] == ts

    state = store.digest_post_state(tenant=SLACK_TENANT, period_key="2026-W48")
    assert state is not None
    assert (state.message_ref, state.posted_at is not None) == (posted.message_ref, True)


async def test_slack_empty_week_is_one_line_without_a_chart(slack: FakeSlack, store: SqlStore) -> None:
    store.set_digest(
        schedule=DigestSchedule(
            tenant=SLACK_TENANT, platform="slack", channel_id="C5", weekday=0, hour=9, timezone="UTC"
        )
    )
    poster = SlackDigestPoster(AsyncWebClient(token=BOT_TOKEN, base_url=slack.api_url))
    [posted] = await scheduler(store, {"slack": poster}).run_once()
    assert posted.outcome is Outcome.POSTED
    [message] = slack.calls_to("chat.postMessage")
    assert (
        message.args["text"] == "An empty week: no claims were checked between 16 Nov 2026 and 23 Nov 2026."
    )
    assert slack.calls_to("file_upload") == []


# ---------------------------------------------------------------------------- Discord
@pytest.fixture
async def discord_fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord(guilds=(GUILD,))
    await server.start()
    yield server
    await server.stop()


async def test_discord_weekly_digest_with_the_chart_attached(
    discord_fake: FakeDiscord, store: SqlStore, tmp_path: Path
) -> None:
    seed(store, DISCORD_TENANT)
    store.set_digest(
        schedule=DigestSchedule(
            tenant=DISCORD_TENANT, platform="discord", channel_id="1112", weekday=0, hour=9, timezone="UTC"
        )
    )
    settings = Settings(_env_file=None, data_dir=tmp_path, discord_guild_ids=[GUILD.id])  # type: ignore[call-arg]
    app = bootstrap(
        settings,
        store=store,
        config=store,
        extractor=SaidThatExtractor(),
        encoder=HashingEncoder(),
        fetcher=PagesFetcher(),
    )
    async with running_bot(discord_fake, app=app, settings=settings) as run:
        bot = scheduler(store, {"discord": DiscordDigestPoster(run.bot)})
        [posted] = await bot.run_once()
        assert (posted.outcome, posted.period_key) == (Outcome.POSTED, "2026-W48")
        assert [o.outcome for o in await bot.run_once()] == [Outcome.TAKEN]

    [message] = discord_fake.sent("POST", "/channels/1112/messages")
    assert message.files, "the chart must be attached"
    [(filename, data)] = message.files.values()
    assert filename == CHART_NAME
    assert png_size(data) == (CHART_WIDTH_PX, CHART_HEIGHT_PX)
    embeds = message.json["embeds"]
    assert embeds[0]["image"]["url"] == f"attachment://{CHART_NAME}"
    text = repr(embeds)
    assert "Ben Wallace said “we will send 20 tanks” on 10 Nov 2026, now says “we will send 30 tanks”" in text
    assert posted.message_ref is not None
    assert "/channels/111/1112/" in posted.message_ref  # the jump URL of the digest message
    assert discord_fake.sent("POST", "/channels/1111/messages") == []
