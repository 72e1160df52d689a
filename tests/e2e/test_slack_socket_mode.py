"""The Slack bot in Socket Mode: a fake websocket server sends envelopes, acks are recorded.

The same handlers as in HTTP mode answer; only the transport differs.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.fake_slack import (
    APP_TOKEN,
    FakeSlack,
    Harness,
    block_problems,
    bot_settings,
    command_payload,
    event_payload,
    fake_slack,
    message_event,
    running_bot,
)
from tests.e2e.test_slack_http import ARTICLE, _Gate, make_core, section_texts

pytestmark = pytest.mark.timeout(90)


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with fake_slack() as fake:
        fake.add_user("U1")
        fake.add_user("UADMIN", admin=True)
        yield fake


async def connected(fake: FakeSlack, tmp_path: Path, **core_kwargs: object) -> AsyncIterator[Harness]:
    settings = bot_settings(fake, tmp_path, socket_mode=True)
    async with running_bot(fake, settings, core=make_core(settings, **core_kwargs)) as bot:
        await asyncio.wait_for(fake.socket_connected.wait(), timeout=20)
        yield bot


@pytest.fixture
async def bot(fake: FakeSlack, tmp_path: Path) -> AsyncIterator[Harness]:
    async for harness in connected(fake, tmp_path):
        yield harness


def command_envelope(fake: FakeSlack, text: str, key: str, user_id: str = "U1") -> dict[str, str]:
    return command_payload(
        text, team_id="T1", channel_id="C1", user_id=user_id, response_url=fake.response_url(key)
    )


async def test_it_opens_the_connection_with_the_app_token(bot: Harness) -> None:
    [opened] = bot.fake.calls_to("apps.connections.open")
    assert opened.token == APP_TOKEN
    async with bot.session.get(bot.base_url + "/healthz") as response:
        state = await response.json()
    assert state == {
        "ok": True,
        "mode": "socket",
        "queue": {"pending": 0, "capacity": 100},
        "socket_connected": True,
    }


async def test_slash_command_envelope_is_acked_and_answered(bot: Harness) -> None:
    envelope_id = await bot.fake.send_envelope(
        "slash_commands", command_envelope(bot.fake, "check " + ARTICLE, "s1")
    )
    ack = await bot.fake.wait_ack(envelope_id)
    assert ack is not None
    assert ack.payload is not None
    assert "Checking that article" in ack.payload["text"]
    await bot.settle()
    [answer] = await bot.fake.wait_for("response_url", key="s1")
    assert answer.args["text"].endswith("3 statements: 3 new, 0 repeated, 0 changed · 2 speakers")
    assert block_problems(answer.args["blocks"]) == []


async def test_help_comes_back_in_the_ack_payload(bot: Harness) -> None:
    envelope_id = await bot.fake.send_envelope("slash_commands", command_envelope(bot.fake, "what", "h"))
    ack = await bot.fake.wait_ack(envelope_id)
    assert ack is not None
    assert ack.payload is not None
    assert "I don't know `what`." in section_texts(ack.payload["blocks"])


async def test_events_envelopes_reply_once_in_the_thread(bot: Harness) -> None:
    watch = await bot.fake.send_envelope(
        "slash_commands", command_envelope(bot.fake, "watch on", "w", "UADMIN")
    )
    assert await bot.fake.wait_ack(watch) is not None
    await bot.settle()
    event = event_payload(message_event(ARTICLE, ts="1700000500.000001"), team_id="T1", event_id="EvS1")
    first = await bot.fake.send_envelope("events_api", event)
    retried = await bot.fake.send_envelope("events_api", event, retry_attempt=1)
    for envelope_id in (first, retried):
        ack = await bot.fake.wait_ack(envelope_id)
        assert ack is not None
        assert ack.payload is None
    await bot.settle()
    [reply] = bot.fake.calls_to("chat.postMessage")
    assert reply.args["thread_ts"] == "1700000500.000001"
    assert reply.args["channel"] == "C1"


async def test_a_slow_article_is_acked_before_its_work_finishes(fake: FakeSlack, tmp_path: Path) -> None:
    slow = _Gate(hold_s=5.0)
    async for bot in connected(fake, tmp_path, extractor=slow):
        sent_at = time.monotonic()
        envelope_id = await fake.send_envelope(
            "slash_commands", command_envelope(fake, "check " + ARTICLE, "slow")
        )
        ack = await fake.wait_ack(envelope_id)
        assert ack is not None
        assert not slow.finished.is_set(), "the ack waited for the NLP"
        assert ack.at - sent_at < 3.0
        await bot.settle()
        [answer] = await fake.wait_for("response_url", key="slow")
        assert "3 statements" in answer.args["text"]
