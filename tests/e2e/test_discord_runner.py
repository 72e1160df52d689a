"""The real entry point in a subprocess, the real SQLite store, and start-up refusals."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import zlib
from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest
from pydantic import SecretStr

from adapters.bootstrap import bootstrap
from adapters.discord import runner, translate
from bot.errors import BadInput
from bot.settings import Settings
from storage import open_store
from tests.e2e.fake_discord import INTENT_MESSAGE_CONTENT, FakeDiscord, running_bot
from tests.e2e.test_discord_bot import (
    ARTICLE,
    ARTICLE_URL,
    GUILD_A,
    WATCHED,
    embed_text,
    first_callback,
    make_settings,
    watch_on,
)
from tests.fakes import HashingEncoder, PagesFetcher, SaidThatExtractor

pytestmark = pytest.mark.timeout(180)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord(guilds=(GUILD_A,))
    await server.start()
    yield server
    await server.stop()


# ---------------------------------------------------------------------------- start-up refusals
@pytest.mark.parametrize(
    ("token", "expected"),
    [
        (None, "DISCORD_TOKEN is not set"),
        ("   ", "DISCORD_TOKEN is not set"),
        ("your-bot-token", "DISCORD_TOKEN still holds a placeholder"),
        ("changeme", "DISCORD_TOKEN still holds a placeholder"),
    ],
)
def test_run_refuses_a_missing_or_placeholder_token(tmp_path: Path, token: str | None, expected: str) -> None:
    secret = SecretStr(token) if token is not None else None
    settings = Settings(_env_file=None, data_dir=tmp_path, discord_token=secret)  # type: ignore[call-arg]
    with pytest.raises(BadInput, match=expected):
        runner.run(settings)
    with pytest.raises(BadInput, match=expected):
        runner.sync(settings)


# ---------------------------------------------------------------------------- the real entry point
async def test_claimbot_run_discord_in_a_subprocess(fake: FakeDiscord, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DISCORD_TOKEN": "fake-token-for-the-local-fake",
        "DISCORD_API_BASE_URL": fake.api_base,
        "DISCORD_GUILD_IDS": f"[{GUILD_A.id}]",
        "CLAIMBOT_DATA_DIR": str(tmp_path),
        "HF_HUB_OFFLINE": "1",
    }
    env.pop("CLAIMBOT_DATABASE_URL", None)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "adapters.console.cli",
        "run",
        "discord",
        cwd=REPO,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        await fake.wait_for(lambda: fake.identifies, timeout=90)
        assert fake.identifies[0]["token"] == "fake-token-for-the-local-fake"
        assert fake.identifies[0]["intents"] & INTENT_MESSAGE_CONTENT
        assert fake.sent("PUT", f"/guilds/{GUILD_A.id}/commands")
        await watch_on(fake)  # stored in the real SQLite database under CLAIMBOT_DATA_DIR
        help_ = await fake.slash(guild_id=GUILD_A.id, channel_id=WATCHED, sub="help")
        assert "/claims check" in (await first_callback(fake, help_))["data"]["embeds"][0]["description"]
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, output.decode(errors="replace")[-3000:]
    store = open_store(make_settings(tmp_path))
    try:
        assert store.is_watched(tenant=translate.tenant_for_guild(GUILD_A.id), channel_id=str(WATCHED))
    finally:
        store.close()


# ---------------------------------------------------------------------------- real SQLite
async def test_replays_are_answered_once_across_restarts_with_sqlite(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path)
    pasted = fake.message(guild_id=GUILD_A.id, channel_id=WATCHED, content=ARTICLE)
    for attempt in range(2):  # the second run is a restarted bot that sees the message again
        store = open_store(settings, embedding_dim=HashingEncoder.dim)
        app = bootstrap(
            settings,
            store=store,
            config=store,
            extractor=SaidThatExtractor(),
            encoder=HashingEncoder(),
            fetcher=PagesFetcher({ARTICLE_URL: ARTICLE}),
        )
        try:
            async with running_bot(fake, app=app, settings=settings):
                if attempt == 0:
                    await watch_on(fake)
                await fake.dispatch("MESSAGE_CREATE", pasted)
                if attempt == 0:
                    await fake.wait_request("POST", "/threads")
                    posts = await fake.wait_for(
                        lambda: [r for r in fake.sent("POST", "/messages") if "threads" not in r.path]
                    )
                    assert "2 statements: 2 new" in embed_text(posts[0].json["embeds"])
                else:
                    # a marker after the replay proves the replay was processed (and ignored)
                    marker = fake.message(
                        guild_id=GUILD_A.id, channel_id=WATCHED, content=f"again {ARTICLE_URL}"
                    )
                    await fake.dispatch("MESSAGE_CREATE", marker)
                    threads = await fake.wait_request("POST", "/threads", count=2)
                    assert threads[1].path.split("/")[4] == marker["id"]
        finally:
            app.close()
    assert len(fake.sent("POST", "/threads")) == 2


# ---------------------------------------------------------------------------- zlib-stream
class ZlibStreamContext:
    """discord.py's zlib-stream reader (used when zstandard is absent), to exercise that path."""

    COMPRESSION_TYPE = "zlib-stream"

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.context = zlib.decompressobj()

    def decompress(self, data: bytes, /) -> str | None:
        self.buffer.extend(data)
        if len(data) < 4 or data[-4:] != b"\x00\x00\xff\xff":
            return None
        msg = self.context.decompress(self.buffer)
        self.buffer = bytearray()
        return msg.decode("utf-8")


async def test_zlib_stream_gateway(
    fake: FakeDiscord, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(discord.utils, "_ActiveDecompressionContext", ZlibStreamContext)
    settings = make_settings(tmp_path)
    store = open_store(settings, embedding_dim=HashingEncoder.dim)
    app = bootstrap(
        settings,
        store=store,
        config=store,
        extractor=SaidThatExtractor(),
        encoder=HashingEncoder(),
        fetcher=PagesFetcher({}),
    )
    try:
        async with running_bot(fake, app=app, settings=settings):
            assert fake.compressions == ["zlib-stream"]
            await watch_on(fake)
    finally:
        app.close()


@pytest.mark.parametrize(
    ("guild_ids", "path", "said"),
    [
        (
            f"[{GUILD_A.id}]",
            f"/applications/700000000000000001/guilds/{GUILD_A.id}/commands",
            f"synced 2 commands to guild {GUILD_A.id}",
        ),
        ("[]", "/applications/700000000000000001/commands", "synced 2 commands globally"),
    ],
)
async def test_claimbot_discord_sync(
    fake: FakeDiscord, tmp_path: Path, guild_ids: str, path: str, said: str
) -> None:
    env = {
        **os.environ,
        "DISCORD_TOKEN": "fake-token-for-the-local-fake",
        "DISCORD_API_BASE_URL": fake.api_base,
        "DISCORD_GUILD_IDS": guild_ids,
        "CLAIMBOT_DATA_DIR": str(tmp_path),
        "HF_HUB_OFFLINE": "1",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "adapters.console.cli",
        "discord",
        "sync",
        cwd=REPO,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 90)
    assert proc.returncode == 0, err.decode(errors="replace")[-3000:]
    assert said in out.decode()
    puts = [r for r in fake.requests if r.method == "PUT"]
    assert [r.path for r in puts] == [path]
    assert {c["name"] for c in puts[0].json} == {"claims", "Check claims"}
    assert fake.identifies == []  # sync is REST only: no gateway session
