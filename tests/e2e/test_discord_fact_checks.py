"""Discord, end to end on real SQLite: an imported ClaimReview's verdict in the bot's replies."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.bootstrap import bootstrap
from adapters.discord import translate
from bot.claimreview import parse_claimreviews
from bot.settings import Settings
from tests.e2e.fake_discord import BotRun, FakeChannel, FakeDiscord, FakeGuild, running_bot
from tests.e2e.test_discord_bot import assert_within_discord_limits, check, embed_text, followup
from tests.fakes import HashingEncoder, PagesFetcher, SaidThatExtractor

pytestmark = pytest.mark.timeout(120)

GUILD = FakeGuild(333, "Fact desk", (FakeChannel(3331, "general"),))
REVIEWS = Path(__file__).resolve().parents[1] / "fixtures" / "claimreview" / "single.json"
FACT_CHECK_URL = "https://factdesk.example/checks/bridge-cost"
STATEMENT = "Anna Whitfield said that the new harbour bridge cost 40 million pounds.\n"


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord(guilds=(GUILD,))
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def run(fake: FakeDiscord, tmp_path: Path) -> AsyncIterator[BotRun]:
    settings = Settings(_env_file=None, data_dir=tmp_path, discord_guild_ids=[GUILD.id], workers=1)  # type: ignore[call-arg]
    assert settings.resolved_database_url.startswith("sqlite:///")
    app = bootstrap(settings, extractor=SaidThatExtractor(), encoder=HashingEncoder(), fetcher=PagesFetcher())
    claims = parse_claimreviews(REVIEWS.read_text(encoding="utf-8")).claims
    app.service.import_claims(tenant=translate.tenant_for_guild(GUILD.id), claims=claims)
    try:
        async with running_bot(fake, app=app, settings=settings) as bot_run:
            yield bot_run
    finally:
        app.close()


async def test_a_statement_matching_a_fact_check_is_answered_with_the_verdict(
    fake: FakeDiscord, run: BotRun
) -> None:
    reply = await check(fake, guild=GUILD, text=STATEMENT)
    assert_within_discord_limits(reply.json["embeds"])
    text = embed_text(reply.json["embeds"])
    assert f"**Fact-checked by Fact Desk: Mostly false** — [read the fact-check]({FACT_CHECK_URL})" in text

    search = await fake.slash(
        guild_id=GUILD.id,
        channel_id=GUILD.channels[0].id,
        sub="search",
        options={"query": "harbour bridge cost"},
    )
    assert "Fact-checked by Fact Desk: Mostly false" in embed_text(
        (await followup(fake, search)).json["embeds"]
    )

    plain = await check(fake, guild=GUILD, text="Tom Reed said that the ferry timetable changes in winter.\n")
    assert "Fact-checked" not in embed_text(plain.json["embeds"])
