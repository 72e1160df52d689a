"""Discord, end to end on real SQLite: /claims follow, a check, and the alert posted once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from adapters.bootstrap import App, bootstrap
from adapters.discord import translate
from adapters.discord.alerts import DiscordAlertPoster
from adapters.follow_alerts import FollowAlertDispatcher
from bot.claimreview import parse_claimreviews
from bot.settings import Settings
from tests.e2e.fake_discord import BotRun, FakeChannel, FakeDiscord, FakeGuild, running_bot
from tests.e2e.test_discord_bot import assert_within_discord_limits, check, embed_text, followup
from tests.fakes import HashingEncoder, PagesFetcher, SaidThatExtractor

pytestmark = pytest.mark.timeout(120)

NEWS, ALERTS = FakeChannel(4441, "news"), FakeChannel(4442, "alerts")
GUILD = FakeGuild(444, "Follow desk", (NEWS, ALERTS))
OTHER = FakeGuild(555, "Elsewhere", (FakeChannel(5551, "general"),))
REVIEWS = Path(__file__).resolve().parents[1] / "fixtures" / "claimreview" / "single.json"
BEFORE = "Anna Whitfield said that the harbour bridge repairs will cost 48 million pounds.\n"
NOW = "Anna Whitfield said that the harbour bridge repairs will cost 61 million pounds.\n"
FACT_CHECKED = "Anna Whitfield said that the new harbour bridge cost 40 million pounds.\n"


def core(settings: Settings) -> App:
    return bootstrap(
        settings, extractor=SaidThatExtractor(), encoder=HashingEncoder(), fetcher=PagesFetcher()
    )


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord(guilds=(GUILD, OTHER))
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None, data_dir=tmp_path, discord_guild_ids=[GUILD.id, OTHER.id], workers=1
    )


@pytest.fixture
async def run(fake: FakeDiscord, settings: Settings) -> AsyncIterator[BotRun]:
    app = core(settings)
    claims = parse_claimreviews(REVIEWS.read_text(encoding="utf-8")).claims
    for guild in (GUILD, OTHER):
        app.service.import_claims(tenant=translate.tenant_for_guild(guild.id), claims=claims)
    try:
        async with running_bot(fake, app=app, settings=settings, run_scheduler=True) as bot_run:
            yield bot_run
    finally:
        app.close()


async def slash(
    fake: FakeDiscord, sub: str, *, channel: FakeChannel = ALERTS, **options: Any
) -> dict[str, Any]:
    interaction = await fake.slash(guild_id=GUILD.id, channel_id=channel.id, sub=sub, options=options)
    answer: dict[str, Any] = (await followup(fake, interaction)).json
    return answer


def alerts_posted(fake: FakeDiscord) -> list[dict[str, Any]]:
    return [r.json for r in fake.sent("POST", f"/channels/{ALERTS.id}/messages")]


async def test_a_followed_speaker_who_changes_a_statement_is_posted_once_where_the_follow_was_set(
    fake: FakeDiscord, run: BotRun, settings: Settings
) -> None:
    await check(fake, guild=GUILD, text=BEFORE)
    unknown = await slash(fake, "follow", speaker="Anna Whitfeld")
    assert unknown["content"] == (
        "No speaker called 'Anna Whitfeld' has been seen here; closest: Anna Whitfield."
    )
    followed = await slash(fake, "follow", speaker="Whitfield")
    assert followed["content"].startswith("Following Anna Whitfield here:")
    assert (await slash(fake, "follow", speaker="Anna Whitfield"))["content"] == (
        "This channel already follows Anna Whitfield."
    )
    listed = await slash(fake, "following", channel=NEWS)
    assert f"Anna Whitfield → <#{ALERTS.id}>" in embed_text(listed["embeds"])

    await check(fake, guild=GUILD, text=NOW)  # in #news
    [posted] = await fake.wait_for(lambda: alerts_posted(fake))
    assert_within_discord_limits(posted["embeds"])
    text = embed_text(posted["embeds"])
    assert "🔔 Anna Whitfield changed a statement" in text
    assert "Before (4 Nov 2026): “the harbour bridge repairs will cost 48 million pounds”" in text
    assert "numbers differ" in text

    # the bot's own loop again, and another process on the same database: nothing more
    assert await run.bot.alerts.run_once() == []
    other_core = core(settings)
    try:
        other = FollowAlertDispatcher(
            follows=other_core.service.follows,
            queue=other_core.queue,
            poster=DiscordAlertPoster(run.bot),
            owner="another-process",
        )
        assert await other.run_once() == []
    finally:
        other_core.close()
    assert len(alerts_posted(fake)) == 1

    assert (await slash(fake, "unfollow", speaker="anna whitfield"))["content"] == (
        "No longer following Anna Whitfield here."
    )
    assert (await slash(fake, "unfollow", speaker="Anna Whitfield"))["content"] == (
        "This channel does not follow Anna Whitfield."
    )


async def test_a_fact_checked_repeat_alerts_only_the_guild_that_follows_the_speaker(
    fake: FakeDiscord, run: BotRun
) -> None:
    await slash(fake, "follow", speaker="Anna Whitfield")
    await check(fake, guild=OTHER, text=FACT_CHECKED)  # another server, which follows nobody
    await check(fake, guild=GUILD, text=FACT_CHECKED)
    [posted] = await fake.wait_for(lambda: alerts_posted(fake))
    text = embed_text(posted["embeds"])
    assert "🔔 Anna Whitfield repeated a fact-checked claim" in text
    assert (
        "Fact-checked by Fact Desk: Mostly false — "
        "[read the fact-check](https://factdesk.example/checks/bridge-cost)"
    ) in text
    assert await run.bot.alerts.run_once() == []
    assert len(alerts_posted(fake)) == 1
    assert fake.sent("POST", f"/channels/{OTHER.channels[0].id}/messages") == []
