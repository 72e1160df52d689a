"""Slack, end to end on real SQLite: /claims follow, a check, and the alert posted once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.bootstrap import App, bootstrap
from adapters.follow_alerts import FollowAlertDispatcher
from adapters.slack.alerts import SlackAlertPoster
from bot.claimreview import parse_claimreviews
from bot.settings import Settings
from tests.e2e.fake_slack import FakeSlack, Harness, block_problems, bot_settings, fake_slack, running_bot
from tests.e2e.test_slack_http import command, section_texts
from tests.fakes import HashingEncoder, PagesFetcher, SaidThatExtractor

pytestmark = pytest.mark.timeout(120)

REVIEWS = Path(__file__).resolve().parents[1] / "fixtures" / "claimreview" / "single.json"
BEFORE = "Anna Whitfield said that the harbour bridge repairs will cost 48 million pounds.\n"
NOW = "Anna Whitfield said that the harbour bridge repairs will cost 61 million pounds.\n"
FACT_CHECKED = "Anna Whitfield said that the new harbour bridge cost 40 million pounds.\n"
FOLLOWING_CHANNEL = "CFOLLOW"


def sqlite_core(settings: Settings) -> App:
    return bootstrap(
        settings, extractor=SaidThatExtractor(), encoder=HashingEncoder(), fetcher=PagesFetcher()
    )


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with fake_slack() as fake:
        fake.add_user("U1")
        yield fake


def alerts_in(fake: FakeSlack, channel: str) -> list[dict]:
    return [
        c.args
        for c in fake.calls_to("chat.postMessage")
        if c.args.get("channel") == channel and ":bell:" in str(c.args.get("blocks"))
    ]


async def wait_for_alerts(bot: Harness, channel: str, count: int) -> list[dict]:
    await bot.fake.wait_for("chat.postMessage", count=count, timeout=20)
    return alerts_in(bot.fake, channel)


async def test_a_followed_speaker_who_changes_a_statement_is_posted_once_where_the_follow_was_set(
    fake: FakeSlack, tmp_path: Path
) -> None:
    settings = bot_settings(fake, tmp_path)
    async with running_bot(fake, settings, core=sqlite_core(settings), run_scheduler=True) as bot:
        await command(bot, "check " + BEFORE, "before")

        refused = await command(bot, "follow Anna Whitfeld", "typo", channel_id=FOLLOWING_CHANNEL)
        assert (
            refused["text"] == "no speaker called 'Anna Whitfeld' has been seen here; closest: Anna Whitfield"
        )
        followed = await command(bot, "follow Whitfield", "follow", channel_id=FOLLOWING_CHANNEL)
        assert followed["response_type"] == "in_channel"
        assert followed["text"].startswith("Following Anna Whitfield here:")
        again = await command(bot, "follow anna whitfield", "again", channel_id=FOLLOWING_CHANNEL)
        assert again["text"] == "this channel already follows Anna Whitfield"
        listed = await command(bot, "following", "list")
        assert f"Anna Whitfield → <#{FOLLOWING_CHANNEL}>" in "\n".join(section_texts(listed["blocks"]))

        now = await command(bot, "check " + NOW, "now")  # checked in another channel (C1)
        assert "1 changed" in now["text"]
        [alert] = await wait_for_alerts(bot, FOLLOWING_CHANNEL, 1)
        assert block_problems(alert["blocks"]) == []
        texts = "\n".join(section_texts(alert["blocks"]))
        assert ":bell: *Anna Whitfield changed a statement*" in texts
        assert "“the harbour bridge repairs will cost 61 million pounds”" in texts
        assert "Before (4 Nov 2026): “the harbour bridge repairs will cost 48 million pounds”" in texts
        assert "*Why:* numbers differ" in texts
        assert "Anna Whitfield changed a statement" in alert["text"]  # the notification fallback

        # the bot's own loop passes again, and a second process on the same database passes too
        assert await bot.runtime.alerts.run_once() == []  # type: ignore[union-attr]
        other_core = sqlite_core(settings)
        try:
            other = FollowAlertDispatcher(
                follows=other_core.service.follows,
                queue=other_core.queue,
                poster=SlackAlertPoster(bot.runtime.bot.poster.client),
                owner="another-process",
            )
            assert await other.run_once() == []
        finally:
            other_core.close()
        assert len(alerts_in(fake, FOLLOWING_CHANNEL)) == 1

        # checking the same article again posts nothing new (it is a duplicate)
        await command(bot, "check " + NOW, "now-again")
        assert await bot.runtime.alerts.run_once() == []  # type: ignore[union-attr]

        stopped = await command(bot, "unfollow Anna Whitfield", "unfollow", channel_id=FOLLOWING_CHANNEL)
        assert stopped["text"] == "No longer following Anna Whitfield here."
        not_followed = await command(
            bot, "unfollow Whitfield", "unfollow-again", channel_id=FOLLOWING_CHANNEL
        )
        assert not_followed["text"] == "this channel does not follow Anna Whitfield"
        empty = await command(bot, "follow", "empty", channel_id=FOLLOWING_CHANNEL)
        assert empty["text"] == "give the name of a speaker to follow"
    assert len(alerts_in(fake, FOLLOWING_CHANNEL)) == 1


async def test_a_followed_speaker_repeating_a_fact_checked_claim_gets_the_verdict_in_the_alert(
    fake: FakeSlack, tmp_path: Path
) -> None:
    settings = bot_settings(fake, tmp_path)
    async with running_bot(fake, settings, core=sqlite_core(settings), run_scheduler=True) as bot:
        claims = parse_claimreviews(REVIEWS.read_text(encoding="utf-8")).claims
        for team in ("T1", "T2"):
            bot.runtime.core.service.import_claims(tenant=f"slack:{team}", claims=claims)
        await command(bot, "follow Anna Whitfield", "follow", channel_id=FOLLOWING_CHANNEL)
        # the same statement in another workspace, which follows nobody: no alert for T1's channel
        other = await command(bot, "check " + FACT_CHECKED, "other-team", team_id="T2")
        assert "1 repeated" in other["text"]
        await command(bot, "check " + FACT_CHECKED, "check")

        [alert] = await wait_for_alerts(bot, FOLLOWING_CHANNEL, 1)
        texts = "\n".join(section_texts(alert["blocks"]))
        assert ":bell: *Anna Whitfield repeated a fact-checked claim*" in texts
        assert "Fact-checked claim (2 Nov 2026): “The new harbour bridge cost 40 million pounds”" in texts
        assert (
            "Fact-checked by Fact Desk: Mostly false — "
            "<https://factdesk.example/checks/bridge-cost|read the fact-check>"
        ) in texts
    assert len(alerts_in(fake, FOLLOWING_CHANNEL)) == 1
