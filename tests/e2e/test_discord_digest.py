"""Digests on Discord: ``/claims digest now`` and ``DiscordDigestPoster`` against the local fake."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from adapters.discord import translate
from adapters.discord.digest import CHART_NAME, DiscordDigestPoster
from bot.digest import build_digest
from bot.digest_chart import CHART_HEIGHT_PX, CHART_WIDTH_PX, render_chart
from bot.errors import BadInput
from bot.ports import DigestSchedule
from tests.e2e.fake_discord import BotRun, FakeDiscord, running_bot
from tests.e2e.test_discord_bot import (
    ARTICLE,
    FOLLOW_UP,
    GUILD_A,
    GUILD_B,
    WATCHED,
    check,
    embed_text,
    first_callback,
    followup,
    make_app,
    make_settings,
)

pytestmark = [pytest.mark.timeout(120), pytest.mark.any_hour]


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord(guilds=(GUILD_A, GUILD_B))
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def run(fake: FakeDiscord, tmp_path: Path) -> AsyncIterator[BotRun]:
    settings = make_settings(tmp_path)
    app = make_app(settings)
    try:
        async with running_bot(fake, app=app, settings=settings, digest_builder=app.digests.with_chart) as r:
            yield r
    finally:
        app.close()


def assert_chart(data: bytes) -> None:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    assert image.size == (CHART_WIDTH_PX, CHART_HEIGHT_PX)


async def test_digest_now_posts_this_weeks_digest_with_the_chart(fake: FakeDiscord, run: BotRun) -> None:
    await check(fake, guild=GUILD_A, text=ARTICLE)
    await check(fake, guild=GUILD_A, text=FOLLOW_UP)
    now = await fake.slash(guild_id=GUILD_A.id, channel_id=WATCHED, sub="digest", options={"action": "now"})
    assert (await first_callback(fake, now))["type"] == 5
    post = await followup(fake, now)
    embeds = post.json["embeds"]
    text = embed_text(embeds)
    assert "2 articles checked" in text
    assert "Maria Lopez" in text
    assert "Changed · Ben Wallace" in text
    assert embeds[0]["image"]["url"] == f"attachment://{CHART_NAME}"
    (filename, data), *_ = post.files.values()
    assert filename == CHART_NAME
    assert_chart(data)


async def test_digest_now_on_a_quiet_week_says_so_in_one_line(fake: FakeDiscord, run: BotRun) -> None:
    now = await fake.slash(guild_id=GUILD_B.id, channel_id=2221, sub="digest", options={"action": "now"})
    post = await followup(fake, now)
    assert len(post.json["embeds"]) == 1
    assert post.json["embeds"][0]["description"].startswith("An empty week")
    assert post.files == {}


async def test_poster_posts_to_the_scheduled_channel_of_its_own_guild_only(
    fake: FakeDiscord, run: BotRun
) -> None:
    await check(fake, guild=GUILD_A, text=ARTICLE)
    tenant = translate.tenant_for_guild(GUILD_A.id)
    end = datetime.now(UTC) + timedelta(minutes=1)
    digest = build_digest(run.bot.app.service.store, tenant=tenant, start=end - timedelta(days=7), end=end)
    chart = render_chart(digest)
    poster = DiscordDigestPoster(run.bot)
    schedule = DigestSchedule(
        tenant=tenant, platform="discord", channel_id=str(WATCHED), weekday=0, hour=9, timezone="UTC"
    )
    ref = await poster.post_digest(schedule=schedule, digest=digest, chart_png=chart)
    posts = fake.sent("POST", f"/channels/{WATCHED}/messages")
    assert len(posts) == 1
    assert ref.startswith(f"https://discord.com/channels/{GUILD_A.id}/{WATCHED}/")
    assert "1 article checked" in embed_text(posts[0].json["embeds"])
    assert_chart(next(iter(posts[0].files.values()))[1])

    # guild B's digest schedule cannot point at a channel of guild A
    foreign = DigestSchedule(
        tenant=translate.tenant_for_guild(GUILD_B.id),
        platform="discord",
        channel_id=str(WATCHED),
        weekday=0,
        hour=9,
        timezone="UTC",
    )
    with pytest.raises(BadInput):
        await poster.post_digest(schedule=foreign, digest=digest, chart_png=chart)
    assert len(fake.sent("POST", f"/channels/{WATCHED}/messages")) == 1


def first_monday_0930_after(now: datetime) -> datetime:
    """The first Monday 09:30 UTC after ``now``: today's when ``now`` is a Monday before 09:30.

    The digest then covers the seven days up to that Monday's 09:00 slot, which ``now`` lies in.
    """
    this_week = (now - timedelta(days=now.weekday())).replace(hour=9, minute=30, second=0, microsecond=0)
    return this_week if this_week > now else this_week + timedelta(days=7)


async def test_the_running_bot_posts_the_weekly_digest_once_across_restarts(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path)
    app = make_app(settings)
    tenant = translate.tenant_for_guild(GUILD_A.id)
    slot_passed = first_monday_0930_after(datetime.now(UTC))  # the week's slot (Monday 09:00 UTC) is due
    options = {"clock": lambda: slot_passed}
    try:
        async with running_bot(fake, app=app, settings=settings):
            await check(fake, guild=GUILD_A, text=ARTICLE)
            here = await fake.slash(
                guild_id=GUILD_A.id, channel_id=WATCHED, sub="digest", options={"action": "here"}
            )
            await first_callback(fake, here)
        assert fake.sent("POST", f"/channels/{WATCHED}/messages") == []  # no scheduler in that run

        async with running_bot(
            fake, app=app, settings=settings, run_scheduler=True, scheduler_options=options
        ) as first_run:
            posts = await fake.wait_request("POST", f"/channels/{WATCHED}/messages")
            assert "1 article checked" in embed_text(posts[0].json["embeds"])
            assert_chart(next(iter(posts[0].files.values()))[1])
            assert first_run.bot.scheduler is not None
            await first_run.bot.scheduler.run_once()  # the next tick: already posted

        async with running_bot(
            fake, app=app, settings=settings, run_scheduler=True, scheduler_options=options
        ) as restarted:
            assert restarted.bot.scheduler is not None
            await restarted.bot.scheduler.run_once()
        assert len(fake.sent("POST", f"/channels/{WATCHED}/messages")) == 1
        assert app.config.get_digest(tenant=tenant) is not None
    finally:
        app.close()
