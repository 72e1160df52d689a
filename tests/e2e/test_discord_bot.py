"""The real discord.py bot against a local fake Discord (real sockets, gateway v10 + REST)."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import discord
import pytest

from adapters.bootstrap import App, bootstrap
from adapters.discord import translate
from bot.models import ExtractedClaim
from bot.settings import Settings
from tests.e2e.fake_discord import (
    APPLICATION_ID,
    EPHEMERAL,
    INTENT_MESSAGE_CONTENT,
    BotRun,
    FakeChannel,
    FakeDiscord,
    FakeGuild,
    Recorded,
    running_bot,
    user,
)
from tests.fakes import HashingEncoder, InMemoryStore, PagesFetcher, SaidThatExtractor

pytestmark = pytest.mark.timeout(120)

GUILD_A = FakeGuild(111, "Newsroom A", (FakeChannel(1111, "general"), FakeChannel(1112, "news")))
GUILD_B = FakeGuild(222, "Newsroom B", (FakeChannel(2221, "general"),))
WATCHED = 1112
UNWATCHED = 1111

ARTICLE = (
    "Ben Wallace said that Russia has about 70,000 troops stationed near the Ukrainian border.\n"
    "Maria Lopez said that the new bridge will open to traffic in the spring.\n"
)
FOLLOW_UP = (
    "Ben Wallace said that Russia has about 100,000 troops stationed near the Ukrainian border.\n"
    "Maria Lopez said that the new bridge will open to traffic in the spring.\n"
)
ARTICLE_URL = "https://news.example/bridge"


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp_path,
        "discord_guild_ids": [GUILD_A.id],
        "watch_min_chars": 120,
        "workers": 1,
        "queue_size": 8,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def make_app(settings: Settings, *, extractor: Any = None) -> App:
    store = InMemoryStore()
    return bootstrap(
        settings,
        store=store,
        config=store,
        extractor=extractor or SaidThatExtractor(),
        encoder=HashingEncoder(),
        fetcher=PagesFetcher({ARTICLE_URL: ARTICLE}),
    )


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord(guilds=(GUILD_A, GUILD_B))
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
async def run(fake: FakeDiscord, settings: Settings) -> AsyncIterator[BotRun]:
    app = make_app(settings)
    try:
        async with running_bot(fake, app=app, settings=settings) as bot_run:
            yield bot_run
    finally:
        app.close()


# ---------------------------------------------------------------------------- helpers
def callbacks_for(fake: FakeDiscord, interaction: dict[str, Any]) -> list[Recorded]:
    return fake.sent("POST", f"/interactions/{interaction['id']}/")


def followups_for(fake: FakeDiscord, interaction: dict[str, Any]) -> list[Recorded]:
    return fake.sent("POST", f"/webhooks/{APPLICATION_ID}/{interaction['token']}")


async def first_callback(fake: FakeDiscord, interaction: dict[str, Any]) -> dict[str, Any]:
    found = await fake.wait_for(lambda: callbacks_for(fake, interaction))
    body: dict[str, Any] = found[0].json
    return body


async def followup(fake: FakeDiscord, interaction: dict[str, Any]) -> Recorded:
    found = await fake.wait_for(lambda: followups_for(fake, interaction))
    return found[0]


def embed_text(embeds: Sequence[dict[str, Any]]) -> str:
    parts: list[str] = []
    for e in embeds:
        parts += [e.get("title", ""), e.get("description", ""), e.get("footer", {}).get("text", "")]
        for f in e.get("fields", []):
            parts += [f["name"], f["value"]]
    return "\n".join(parts)


def assert_within_discord_limits(embeds: Sequence[dict[str, Any]]) -> None:
    assert 1 <= len(embeds) <= 10
    total = 0
    for e in embeds:
        assert len(e.get("title", "")) <= 256
        assert len(e.get("description", "")) <= 4096
        assert len(e.get("fields", [])) <= 25
        assert len(e.get("footer", {}).get("text", "")) <= 2048
        total += len(e.get("title", "")) + len(e.get("description", "")) + len(e.get("footer", {}).get("text", ""))
        for f in e.get("fields", []):
            assert len(f["name"]) <= 256
            assert len(f["value"]) <= 1024
            total += len(f["name"]) + len(f["value"])
    assert total <= 6000


async def check(fake: FakeDiscord, *, guild: FakeGuild, text: str) -> Recorded:
    interaction = await fake.slash(
        guild_id=guild.id, channel_id=guild.channels[0].id, sub="check", options={"text": text}
    )
    assert (await first_callback(fake, interaction))["type"] == 5  # deferred at once
    return await followup(fake, interaction)


# ---------------------------------------------------------------------------- start-up
async def test_identifies_with_message_content_and_syncs_commands_per_guild(
    fake: FakeDiscord, run: BotRun
) -> None:
    assert len(fake.identifies) == 1
    assert fake.identifies[0]["intents"] & INTENT_MESSAGE_CONTENT
    assert run.bot.watch_available
    # zstd-stream when zstandard is importable (it is a dependency of the discord extra)
    assert fake.compressions == [discord.utils._ActiveDecompressionContext.COMPRESSION_TYPE]
    puts = fake.sent("PUT", f"/applications/{APPLICATION_ID}/guilds/{GUILD_A.id}/commands")
    assert len(puts) == 1
    by_name = {c["name"]: c for c in puts[0].json}
    assert set(by_name) == {"claims", "Check claims"}
    assert by_name["Check claims"]["type"] == 3
    subcommands = {o["name"] for o in by_name["claims"]["options"]}
    assert subcommands == {"check", "search", "speaker", "compare", "watch", "digest", "help"}


# ---------------------------------------------------------------------------- commands
async def test_check_defers_then_follows_up_and_a_reworded_repeat_links_to_its_source(
    fake: FakeDiscord, run: BotRun
) -> None:
    first = await check(fake, guild=GUILD_A, text=ARTICLE)
    assert "2 statements: 2 new" in embed_text(first.json["embeds"])
    assert_within_discord_limits(first.json["embeds"])

    link = await fake.slash(
        guild_id=GUILD_A.id, channel_id=UNWATCHED, sub="check", options={"link": ARTICLE_URL}
    )
    await first_callback(fake, link)
    reply = await followup(fake, link)
    text = embed_text(reply.json["embeds"])
    # the same article by link: already checked, nothing counted again
    assert "already checked" in text

    follow = await check(fake, guild=GUILD_A, text=FOLLOW_UP)
    text = embed_text(follow.json["embeds"])
    assert "1 new" not in text
    assert "Changed · Ben Wallace" in text
    assert "Repeated · Maria Lopez" in text
    assert "70,000" in text  # the changed statement shows what it changed from


async def test_bad_input_is_answered_ephemerally_without_deferring(fake: FakeDiscord, run: BotRun) -> None:
    interaction = await fake.slash(
        guild_id=GUILD_A.id, channel_id=UNWATCHED, sub="check", options={"text": "x", "link": ARTICLE_URL}
    )
    body = await first_callback(fake, interaction)
    assert body["type"] == 4
    assert body["data"]["flags"] & EPHEMERAL
    assert "either" in body["data"]["content"]


async def test_a_refused_link_replaces_the_thinking_message_with_an_ephemeral_reason(
    fake: FakeDiscord, run: BotRun
) -> None:
    interaction = await fake.slash(
        guild_id=GUILD_A.id, channel_id=UNWATCHED, sub="check", options={"link": "https://elsewhere.example/x"}
    )
    assert (await first_callback(fake, interaction))["type"] == 5
    reply = await followup(fake, interaction)
    assert reply.json["flags"] & EPHEMERAL
    assert "could not fetch" in reply.json["content"].lower()
    deleted = fake.sent("DELETE", f"/webhooks/{APPLICATION_ID}/{interaction['token']}/messages/@original")
    assert len(deleted) == 1
