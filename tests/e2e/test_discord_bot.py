"""The real discord.py bot against a local fake Discord (real sockets, gateway v10 + REST)."""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import discord
import pytest

from adapters.bootstrap import App, bootstrap
from adapters.discord import translate
from bot.errors import StorageUnavailable
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
        total += (
            len(e.get("title", "")) + len(e.get("description", "")) + len(e.get("footer", {}).get("text", ""))
        )
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
    assert subcommands == {
        "check",
        "search",
        "speaker",
        "compare",
        "watch",
        "digest",
        "follow",
        "unfollow",
        "following",
        "help",
    }


# ---------------------------------------------------------------------------- commands
async def test_check_defers_then_follows_up_and_a_follow_up_shows_changes_and_repeats(
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
        guild_id=GUILD_A.id,
        channel_id=UNWATCHED,
        sub="check",
        options={"link": "https://elsewhere.example/x"},
    )
    assert (await first_callback(fake, interaction))["type"] == 5
    reply = await followup(fake, interaction)
    assert reply.json["flags"] & EPHEMERAL
    assert "could not fetch" in reply.json["content"].lower()
    deleted = fake.sent("DELETE", f"/webhooks/{APPLICATION_ID}/{interaction['token']}/messages/@original")
    assert len(deleted) == 1


async def test_search_speaker_compare_and_help(fake: FakeDiscord, run: BotRun) -> None:
    await check(fake, guild=GUILD_A, text=ARTICLE)

    search = await fake.slash(
        guild_id=GUILD_A.id, channel_id=UNWATCHED, sub="search", options={"query": "bridge open traffic"}
    )
    text = embed_text((await followup(fake, search)).json["embeds"])
    assert "the new bridge will open to traffic in the spring" in text
    assert "Maria Lopez" in text

    speaker = await fake.slash(
        guild_id=GUILD_A.id, channel_id=UNWATCHED, sub="speaker", options={"name": "Ben Wallace"}
    )
    text = embed_text((await followup(fake, speaker)).json["embeds"])
    assert "Statements by Ben Wallace" in text
    assert "70,000 troops" in text

    unknown = await fake.slash(
        guild_id=GUILD_A.id, channel_id=UNWATCHED, sub="speaker", options={"name": "Nobody Atall"}
    )
    text = embed_text((await followup(fake, unknown)).json["embeds"])
    assert "No speaker called Nobody Atall" in text
    assert "Ben Wallace" in text  # lists the known ones

    compare = await fake.slash(
        guild_id=GUILD_A.id,
        channel_id=UNWATCHED,
        sub="compare",
        options={
            "first": "Russia has about 70,000 troops near the border",
            "second": "Russia has about 100,000 troops near the border",
        },
    )
    text = embed_text((await followup(fake, compare)).json["embeds"])
    assert "Changed statement" in text
    assert "70,000" in text
    assert "100,000" in text

    help_ = await fake.slash(guild_id=GUILD_A.id, channel_id=UNWATCHED, sub="help")
    body = await first_callback(fake, help_)
    assert body["type"] == 4
    assert body["data"]["flags"] & EPHEMERAL
    assert "/claims check" in body["data"]["embeds"][0]["description"]


async def test_each_guild_is_its_own_tenant(fake: FakeDiscord, run: BotRun) -> None:
    await check(fake, guild=GUILD_A, text=ARTICLE)
    search = await fake.slash(
        guild_id=GUILD_B.id,
        channel_id=GUILD_B.channels[0].id,
        sub="search",
        options={"query": "bridge traffic"},
    )
    text = embed_text((await followup(fake, search)).json["embeds"])
    assert "No stored statement matches" in text
    assert "bridge will open" not in text
    # and the same article in guild B is new there, not a repeat of guild A's
    reply = await check(fake, guild=GUILD_B, text=ARTICLE)
    assert "2 new, 0 repeated" in embed_text(reply.json["embeds"])


async def test_check_claims_message_menu(fake: FakeDiscord, run: BotRun) -> None:
    pasted = fake.message(guild_id=GUILD_A.id, channel_id=UNWATCHED, content=ARTICLE)
    interaction = await fake.message_menu(guild_id=GUILD_A.id, channel_id=UNWATCHED, message=pasted)
    assert (await first_callback(fake, interaction))["type"] == 5
    text = embed_text((await followup(fake, interaction)).json["embeds"])
    assert "2 statements: 2 new" in text

    # a short message with a link checks the linked article
    link_only = fake.message(guild_id=GUILD_A.id, channel_id=UNWATCHED, content=f"look: {ARTICLE_URL}")
    interaction = await fake.message_menu(guild_id=GUILD_A.id, channel_id=UNWATCHED, message=link_only)
    text = embed_text((await followup(fake, interaction)).json["embeds"])
    assert "already checked" in text


async def test_search_with_an_unknown_speaker_says_so(fake: FakeDiscord, run: BotRun) -> None:
    await check(fake, guild=GUILD_A, text=ARTICLE)
    search = await fake.slash(
        guild_id=GUILD_A.id,
        channel_id=UNWATCHED,
        sub="search",
        options={"query": "troops", "speaker": "Ben Walace"},
    )
    reply = await followup(fake, search)
    # before: "No stored statement matches that search", as if Ben Wallace had said nothing on it
    assert reply.json["flags"] & EPHEMERAL
    assert "No speaker called 'Ben Walace' has been seen here; closest: Ben Wallace." in reply.json["content"]


async def test_a_long_article_stays_within_embed_limits_and_points_to_search(
    fake: FakeDiscord, run: BotRun
) -> None:
    long_article = "".join(
        f"Speaker Number{i} said that the municipal budget line {i} grows by {i} percent "
        f"because {'of rising costs and ' * 12}inflation.\n"
        for i in range(80)
    )
    reply = await check(fake, guild=GUILD_A, text=long_article)
    embeds = reply.json["embeds"]
    assert_within_discord_limits(embeds)
    assert "80 statements: 80 new" in embeds[0]["description"]
    footer = embeds[-1]["footer"]["text"]
    assert "more statements" in footer
    assert "/claims search" in footer


# ---------------------------------------------------------------------------- configuration
async def test_configuration_needs_manage_server(fake: FakeDiscord, run: BotRun) -> None:
    tenant = translate.tenant_for_guild(GUILD_A.id)
    for sub, options in (("watch", {"state": "on"}), ("digest", {"action": "here"})):
        interaction = await fake.slash(
            guild_id=GUILD_A.id, channel_id=WATCHED, sub=sub, options=options, permissions=0
        )
        body = await first_callback(fake, interaction)
        assert body["data"]["flags"] & EPHEMERAL
        assert "Manage Server" in body["data"]["content"]
    assert not run.bot.app.config.is_watched(tenant=tenant, channel_id=str(WATCHED))
    assert run.bot.app.config.get_digest(tenant=tenant) is None


async def test_digest_here_off_and_now_without_a_builder(fake: FakeDiscord, run: BotRun) -> None:
    tenant = translate.tenant_for_guild(GUILD_A.id)
    here = await fake.slash(guild_id=GUILD_A.id, channel_id=WATCHED, sub="digest", options={"action": "here"})
    body = await first_callback(fake, here)
    assert "Monday at 09:00 (UTC)" in body["data"]["content"]
    schedule = run.bot.app.config.get_digest(tenant=tenant)
    assert schedule is not None
    assert (schedule.channel_id, schedule.weekday, schedule.hour, schedule.enabled) == (
        str(WATCHED),
        0,
        9,
        True,
    )

    off = await fake.slash(guild_id=GUILD_A.id, channel_id=UNWATCHED, sub="digest", options={"action": "off"})
    assert "off" in (await first_callback(fake, off))["data"]["content"]
    schedule = run.bot.app.config.get_digest(tenant=tenant)
    assert schedule is not None
    assert not schedule.enabled
    assert schedule.channel_id == str(WATCHED)  # turning it off keeps the chosen channel

    now = await fake.slash(guild_id=GUILD_A.id, channel_id=WATCHED, sub="digest", options={"action": "now"})
    body = await first_callback(fake, now)
    assert body["data"]["flags"] & EPHEMERAL
    assert "not available" in body["data"]["content"]


# ---------------------------------------------------------------------------- channel watch
async def watch_on(fake: FakeDiscord, channel_id: int = WATCHED) -> None:
    interaction = await fake.slash(
        guild_id=GUILD_A.id, channel_id=channel_id, sub="watch", options={"state": "on"}
    )
    body = await first_callback(fake, interaction)
    assert f"Watching <#{channel_id}>" in body["data"]["content"]


async def test_watched_channel_gets_a_thread_and_other_messages_are_ignored(
    fake: FakeDiscord, run: BotRun
) -> None:
    await watch_on(fake)
    # ignored: an unwatched channel, chatter, another bot, the bot itself
    for channel_id, content, author in (
        (UNWATCHED, ARTICLE, None),
        (WATCHED, "nice weather today", None),
        (WATCHED, "a long chat message without any attributed statement in it " * 5, None),
        (WATCHED, ARTICLE, user(5, "otherbot", bot=True)),
        (WATCHED, ARTICLE, user(700_000_000_000_000_001, "claimbot", bot=True)),
    ):
        await fake.dispatch(
            "MESSAGE_CREATE",
            fake.message(guild_id=GUILD_A.id, channel_id=channel_id, content=content, author=author),
        )
    pasted = fake.message(guild_id=GUILD_A.id, channel_id=WATCHED, content=ARTICLE)
    await fake.dispatch("MESSAGE_CREATE", pasted)

    threads = await fake.wait_request("POST", "/threads")
    assert threads[0].path == f"/channels/{WATCHED}/messages/{pasted['id']}/threads"
    assert threads[0].json["name"].startswith("Claims: ")
    assert len(threads[0].json["name"]) <= 100
    posts = await fake.wait_for(
        lambda: [r for r in fake.sent("POST", "/messages") if "threads" not in r.path]
    )
    assert len(posts) == 1
    assert posts[0].path != f"/channels/{WATCHED}/messages"  # posted inside the new thread
    assert "2 statements: 2 new" in embed_text(posts[0].json["embeds"])

    # a link pasted later: the linked article, already seen
    await fake.dispatch(
        "MESSAGE_CREATE", fake.message(guild_id=GUILD_A.id, channel_id=WATCHED, content=f"see {ARTICLE_URL}")
    )
    await fake.wait_request("POST", "/threads", count=2)
    posts = await fake.wait_for(
        lambda: (
            (p := [r for r in fake.sent("POST", "/messages") if "threads" not in r.path])
            and len(p) >= 2
            and p
        )
    )
    assert "already checked" in embed_text(posts[1].json["embeds"])
    assert len(fake.sent("POST", "/threads")) == 2  # nothing for the five ignored messages


async def test_where_threads_are_not_allowed_the_bot_replies(fake: FakeDiscord, run: BotRun) -> None:
    await watch_on(fake)
    fake.forbid_threads_in.add(WATCHED)
    pasted = fake.message(guild_id=GUILD_A.id, channel_id=WATCHED, content=ARTICLE)
    await fake.dispatch("MESSAGE_CREATE", pasted)
    replies = await fake.wait_for(
        lambda: [r for r in fake.requests if r.method == "POST" and r.path == f"/channels/{WATCHED}/messages"]
    )
    reply = replies[0]
    assert len(fake.sent("POST", "/threads")) == 1  # it tried a thread first
    assert str(reply.json["message_reference"]["message_id"]) == pasted["id"]
    assert "2 statements: 2 new" in embed_text(reply.json["embeds"])


async def test_a_message_replayed_after_resume_is_answered_once(fake: FakeDiscord, run: BotRun) -> None:
    await watch_on(fake)
    pasted = fake.message(guild_id=GUILD_A.id, channel_id=WATCHED, content=ARTICLE)
    await fake.dispatch("MESSAGE_CREATE", pasted)
    await fake.wait_request("POST", "/threads")

    await fake.reconnect_and_replay("MESSAGE_CREATE", pasted)
    await fake.wait_for(lambda: fake.resumes)
    assert fake.resumes[0]["session_id"] == fake.session_id
    # a marker message after the replay: once it is answered, the replay has been handled too
    marker = fake.message(guild_id=GUILD_A.id, channel_id=WATCHED, content=FOLLOW_UP)
    await fake.dispatch("MESSAGE_CREATE", marker)
    threads = await fake.wait_request("POST", "/threads", count=2)
    assert [t.path.split("/")[4] for t in threads] == [pasted["id"], marker["id"]]
    await asyncio.sleep(0)  # let any stray task run before counting
    assert len(fake.sent("POST", "/threads")) == 2
    assert len(fake.identifies) == 1  # resumed, not re-identified


async def test_queue_full_tells_the_user_to_retry(fake: FakeDiscord, tmp_path: Path) -> None:
    release = threading.Event()
    started = threading.Event()

    class BlockingExtractor(SaidThatExtractor):
        def extract(self, text: str) -> list[ExtractedClaim]:
            started.set()
            release.wait(60)
            return super().extract(text)

    settings = make_settings(tmp_path, queue_size=1, workers=1)
    app = make_app(settings, extractor=BlockingExtractor())
    try:
        async with running_bot(fake, app=app, settings=settings):
            busy = await fake.slash(
                guild_id=GUILD_A.id, channel_id=UNWATCHED, sub="check", options={"text": ARTICLE}
            )
            await fake.wait_for(lambda: callbacks_for(fake, busy))
            await asyncio.to_thread(started.wait, 30)
            rejected = await fake.slash(
                guild_id=GUILD_A.id, channel_id=UNWATCHED, sub="check", options={"text": FOLLOW_UP}
            )
            reply = await followup(fake, rejected)
            assert reply.json["flags"] & EPHEMERAL
            assert "queue is full" in reply.json["content"]
            assert "try again" in reply.json["content"]
            release.set()
            done = await followup(fake, busy)
            assert "2 statements: 2 new" in embed_text(done.json["embeds"])
    finally:
        release.set()
        app.close()


async def test_heartbeats_keep_flowing_during_a_five_second_check(tmp_path: Path) -> None:
    interval_ms = 500
    server = FakeDiscord(guilds=(GUILD_A,), heartbeat_interval_ms=interval_ms)
    await server.start()

    class SlowExtractor(SaidThatExtractor):
        def extract(self, text: str) -> list[ExtractedClaim]:
            import time

            time.sleep(5)  # a long article through the real pipeline; holds the GIL-free wait
            return super().extract(text)

    settings = make_settings(tmp_path)
    app = make_app(settings, extractor=SlowExtractor())
    try:
        async with running_bot(server, app=app, settings=settings):
            interaction = await server.slash(
                guild_id=GUILD_A.id, channel_id=UNWATCHED, sub="check", options={"text": ARTICLE}
            )
            await server.wait_for(lambda: callbacks_for(server, interaction))
            beats_before = len(server.heartbeats)
            await followup(server, interaction)
            during = server.heartbeats[beats_before - 1 :]
    finally:
        app.close()
        await server.stop()
    # the job ran ~5 s: with the event loop free, heartbeats kept their 0.5 s rhythm
    assert len(during) >= 5
    gaps = [b - a for a, b in itertools.pairwise(during)]
    assert max(gaps) < interval_ms / 1000 + 1.0, gaps


async def test_without_the_message_content_intent_watch_is_reported_unavailable(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server = FakeDiscord(guilds=(GUILD_A,), application_flags=0)
    await server.start()
    settings = make_settings(tmp_path)
    app = make_app(settings)
    tenant = translate.tenant_for_guild(GUILD_A.id)
    app.config.set_watch(tenant=tenant, channel_id=str(WATCHED), enabled=True)  # from an earlier run
    caplog.set_level(logging.ERROR, logger="adapters.discord.client")
    try:
        async with running_bot(server, app=app, settings=settings) as bot_run:
            assert not bot_run.bot.watch_available
            assert not server.identifies[0]["intents"] & INTENT_MESSAGE_CONTENT
            assert any("Message Content intent" in r.getMessage() for r in caplog.records)

            watch = await server.slash(
                guild_id=GUILD_A.id, channel_id=WATCHED, sub="watch", options={"state": "on"}
            )
            body = await first_callback(server, watch)
            assert body["data"]["flags"] & EPHEMERAL
            assert "Channel watch is unavailable" in body["data"]["content"]

            help_ = await server.slash(guild_id=GUILD_A.id, channel_id=WATCHED, sub="help")
            assert "unavailable" in (await first_callback(server, help_))["data"]["embeds"][0]["description"]

            # Discord would send empty content now; the bot must not treat that as chatter silently
            await server.dispatch(
                "MESSAGE_CREATE", server.message(guild_id=GUILD_A.id, channel_id=WATCHED, content=ARTICLE)
            )
            # slash commands still work
            await check(server, guild=GUILD_A, text=ARTICLE)
            assert server.sent("POST", "/threads") == []
    finally:
        app.close()
        await server.stop()


@pytest.mark.parametrize(
    ("failure", "expected", "logged"),
    [
        (StorageUnavailable("connection refused"), "The database is unavailable, try again shortly.", False),
        (RuntimeError("index corrupted"), "Sorry, something went wrong", True),
    ],
)
async def test_failures_are_ephemeral_and_internal_ones_logged_with_context(
    fake: FakeDiscord,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    failure: Exception,
    expected: str,
    logged: bool,
) -> None:
    class FailingStore(InMemoryStore):
        def speakers(self, *, tenant: str) -> list[Any]:
            raise failure

    settings = make_settings(tmp_path)
    store = FailingStore()
    app = bootstrap(
        settings,
        store=store,
        config=store,
        extractor=SaidThatExtractor(),
        encoder=HashingEncoder(),
        fetcher=PagesFetcher(),
    )
    caplog.set_level(logging.INFO, logger="adapters.discord")
    try:
        async with running_bot(fake, app=app, settings=settings):
            interaction = await fake.slash(
                guild_id=GUILD_A.id, channel_id=UNWATCHED, sub="speaker", options={"name": "Ben Wallace"}
            )
            reply = await followup(fake, interaction)
    finally:
        app.close()
    assert reply.json["flags"] & EPHEMERAL
    assert expected in reply.json["content"]
    assert "index corrupted" not in reply.json["content"]
    errors = [
        r for r in caplog.records if r.levelno >= logging.ERROR and r.name.startswith("adapters.discord")
    ]
    assert bool(errors) is logged
    if logged:
        assert f"guild {GUILD_A.id}" in errors[0].getMessage()
        assert errors[0].exc_info is not None


async def test_commands_are_synced_to_a_guild_the_bot_joins(fake: FakeDiscord, run: BotRun) -> None:
    joined = FakeGuild(333, "New server", (FakeChannel(3331, "general"),))
    assert fake.sent("PUT", f"/guilds/{joined.id}/commands") == []
    await fake.dispatch("GUILD_CREATE", fake.guild_payload(joined, joined=True))
    puts = await fake.wait_request("PUT", f"/applications/{APPLICATION_ID}/guilds/{joined.id}/commands")
    assert {c["name"] for c in puts[0].json} == {"claims", "Check claims"}
    # a guild that was already there when the bot connected is not re-synced on reconnect
    assert fake.sent("PUT", f"/guilds/{GUILD_B.id}/commands") == []


async def test_a_repeat_in_a_watched_channel_links_to_the_message_where_it_was_first_seen(
    fake: FakeDiscord, run: BotRun
) -> None:
    await watch_on(fake)
    first = fake.message(guild_id=GUILD_A.id, channel_id=WATCHED, content=ARTICLE)
    await fake.dispatch("MESSAGE_CREATE", first)
    await fake.wait_request("POST", "/threads")
    await fake.dispatch(
        "MESSAGE_CREATE", fake.message(guild_id=GUILD_A.id, channel_id=WATCHED, content=FOLLOW_UP)
    )
    posts = await fake.wait_for(
        lambda: (
            (p := [r for r in fake.sent("POST", "/messages") if "threads" not in r.path])
            and len(p) >= 2
            and p
        )
    )
    repeat = next(f for f in posts[1].json["embeds"][0]["fields"] if f["name"].startswith("Repeated"))
    jump_url = f"https://discord.com/channels/{GUILD_A.id}/{WATCHED}/{first['id']}"
    assert f"]({jump_url})" in repeat["value"]
