"""A bot stops when told (issue 23, item 3), connecting included.

The real ``claimbot run slack`` / ``claimbot run discord`` in a subprocess, pointed at a local
port where nothing listens (Slack's Web API, Discord's API) or at the local fake Discord
whose gateway URL leads nowhere. Each failed attempt is one log line with a growing wait,
the start-up line says which mode runs, and SIGTERM or SIGINT ends the process within 5 s.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.fake_discord import FakeDiscord, FakeGuild

pytestmark = pytest.mark.timeout(240)

REPO = Path(__file__).resolve().parents[2]
STOP_WITHIN_S = 5.0
START_WITHIN_S = 150.0  # imports and migrations on a busy CI machine
GUILD = FakeGuild(id=900000000000000001, name="Newsroom", channels=())


def closed_port() -> int:
    """A local port where nothing listens (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Bot:
    """``claimbot run PLATFORM`` in a subprocess, its log lines read as they come."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.lines: list[str] = []
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.proc.stdout is not None
        while line := await self.proc.stdout.readline():
            self.lines.append(line.decode(errors="replace").rstrip())

    async def wait_for_lines(self, needle: str, count: int = 1, timeout: float = START_WITHIN_S) -> list[str]:
        for _ in range(int(timeout * 10)):
            found = [line for line in self.lines if needle in line]
            if len(found) >= count:
                return found
            if self.proc.returncode is not None:
                break
            await asyncio.sleep(0.1)
        raise AssertionError(f"no {count} x {needle!r} in the log:\n" + "\n".join(self.lines[-40:]))

    async def stop(self, sig: signal.Signals) -> tuple[int, float]:
        """Sends ``sig``; returns the exit status and the seconds it took to exit."""
        started = time.monotonic()
        self.proc.send_signal(sig)
        try:
            code = await asyncio.wait_for(self.proc.wait(), 30)
        finally:
            if self.proc.returncode is None:
                self.proc.kill()
                await self.proc.wait()
        await self._reader
        return code, time.monotonic() - started


@pytest.fixture
async def start_bot(tmp_path: Path) -> AsyncIterator[object]:
    bots: list[Bot] = []

    async def start(platform: str, **env: str) -> Bot:
        outside = {
            k: v for k, v in os.environ.items() if not k.startswith(("CLAIMBOT_", "DISCORD_", "SLACK_"))
        }
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "adapters.console.cli",
            "run",
            platform,
            cwd=REPO,
            env={**outside, "CLAIMBOT_DATA_DIR": str(tmp_path / "data"), "HF_HUB_OFFLINE": "1", **env},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        bots.append(Bot(proc))
        return bots[-1]

    yield start
    for bot in bots:
        if bot.proc.returncode is None:
            bot.proc.kill()
            await bot.proc.wait()


def assert_one_line_per_attempt(bot: Bot, needle: str) -> None:
    attempts = [line for line in bot.lines if needle in line]
    assert "retrying in 1 s" in attempts[0]
    assert "retrying in 2 s" in attempts[1]  # it waits longer after each failure
    assert not any("Traceback" in line for line in bot.lines), "\n".join(bot.lines)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_slack_socket_mode_with_slack_unreachable_stops_when_told(
    start_bot: object, sig: signal.Signals
) -> None:
    bot = await start_bot(  # type: ignore[operator]
        "slack",
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_APP_TOKEN="xapp-test",
        SLACK_API_BASE_URL=f"http://127.0.0.1:{closed_port()}/api/",
        CLAIMBOT_HTTP_PORT="0",
    )
    [started] = await bot.wait_for_lines("claimbot for Slack starting in Socket Mode")
    await bot.wait_for_lines("could not connect to Slack in Socket Mode", count=2)
    code, took = await bot.stop(sig)
    assert took < STOP_WITHIN_S, f"{took:.1f} s to stop"
    assert code == 0, "\n".join(bot.lines[-20:])
    assert_one_line_per_attempt(bot, "could not connect to Slack in Socket Mode")
    assert "health at http://127.0.0.1:" in started


async def test_slack_http_mode_says_so_and_stops_when_told(start_bot: object) -> None:
    bot = await start_bot(  # type: ignore[operator]
        "slack", SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET="a1b2c3", CLAIMBOT_HTTP_PORT="0"
    )
    [started] = await bot.wait_for_lines("claimbot for Slack running in HTTP mode")
    assert "/slack/events" in started
    code, took = await bot.stop(signal.SIGTERM)
    assert took < STOP_WITHIN_S, f"{took:.1f} s to stop"
    assert code == 0


async def test_discord_with_discord_unreachable_stops_when_told(start_bot: object) -> None:
    bot = await start_bot(  # type: ignore[operator]
        "discord",
        DISCORD_TOKEN="fake-token-for-a-closed-port",
        DISCORD_API_BASE_URL=f"http://127.0.0.1:{closed_port()}/api/v10",
    )
    await bot.wait_for_lines("claimbot for Discord starting")
    await bot.wait_for_lines("could not reach the Discord API", count=2)
    code, took = await bot.stop(signal.SIGTERM)
    assert took < STOP_WITHIN_S, f"{took:.1f} s to stop"
    assert code == 0
    assert_one_line_per_attempt(bot, "could not reach the Discord API")


class GatewayNowhere(FakeDiscord):
    """Discord's REST API answers, but the gateway URL it hands out leads to a closed port."""

    def __init__(self) -> None:
        super().__init__(guilds=(GUILD,))
        self.nowhere = closed_port()

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.nowhere}/gateway-ws"


async def test_discord_with_the_gateway_unreachable_stops_when_told(start_bot: object) -> None:
    fake = GatewayNowhere()
    await fake.start()
    try:
        bot = await start_bot(  # type: ignore[operator]
            "discord", DISCORD_TOKEN="fake-token-for-the-local-fake", DISCORD_API_BASE_URL=fake.api_base
        )
        await bot.wait_for_lines("could not reach the Discord gateway", count=2)
        code, took = await bot.stop(signal.SIGTERM)
    finally:
        await fake.stop()
    assert took < STOP_WITHIN_S, f"{took:.1f} s to stop"
    assert code == 0
    assert_one_line_per_attempt(bot, "could not reach the Discord gateway")
    assert fake.sent("GET", "/users/@me")  # it did log in: only the gateway was missing
