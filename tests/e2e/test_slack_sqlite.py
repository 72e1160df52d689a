"""The Slack bot wired to the real SQLite storage (``storage.open_store``).

Two bot processes' worth of wiring share one database file: the durable delivery record
is what makes Slack's retries and replays answer once, also across a restart.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.bootstrap import App, bootstrap
from bot.settings import Settings
from tests.e2e.fake_slack import FakeSlack, bot_settings, fake_slack, message_event, running_bot
from tests.e2e.test_slack_http import ARTICLE, LINKED_URL, command, section_texts
from tests.fakes import HashingEncoder, PagesFetcher, SaidThatExtractor

pytestmark = pytest.mark.timeout(120)


def sqlite_core(settings: Settings) -> App:
    """Real storage and config from ``settings``; model-free NLP fakes for speed."""
    return bootstrap(
        settings,
        extractor=SaidThatExtractor(),
        encoder=HashingEncoder(),
        fetcher=PagesFetcher({LINKED_URL: ARTICLE}),
    )


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with fake_slack() as fake:
        fake.add_user("U1")
        fake.add_user("UADMIN", admin=True)
        yield fake


async def test_check_search_and_watch_on_sqlite_answer_once_across_processes_and_restarts(
    fake: FakeSlack, tmp_path: Path
) -> None:
    settings = bot_settings(fake, tmp_path)
    assert settings.resolved_database_url.startswith("sqlite:///")
    event = message_event(ARTICLE, ts="1700000900.000001")

    async with running_bot(fake, settings, core=sqlite_core(settings)) as first:
        checked = await command(first, "check " + ARTICLE, "check")
        assert checked["text"].endswith("3 statements: 3 new, 0 repeated, 0 changed · 2 speakers")
        found = await command(first, "search forty new wards", "search")
        assert any("Tom Brown" in t for t in section_texts(found["blocks"]))
        await command(first, "watch on", "watch", user_id="UADMIN")

        async with running_bot(fake, settings, core=sqlite_core(settings)) as second:
            # Slack delivers to one process, then retries to the other
            await first.platform.event(event, event_id="EvDb1")
            await second.platform.event(event, event_id="EvDb1", retry_num=1)
            await first.settle()
            await second.settle()

    # a restarted bot gets a late retry of the same event
    async with running_bot(fake, settings, core=sqlite_core(settings)) as restarted:
        assert restarted.runtime.core.config.is_watched(tenant="slack:T1", channel_id="C1")
        await restarted.platform.event(event, event_id="EvDb1", retry_num=2)
        await restarted.platform.event(event, event_id="EvDb2")  # a replay under a new id
        await restarted.settle()
        hits = restarted.runtime.core.service.search(tenant="slack:T1", query="forty new wards", top_k=5)
        assert hits
        assert hits[0].claim.mentions == 1  # the re-posted article was not counted again

    [reply] = fake.calls_to("chat.postMessage")
    assert reply.args["thread_ts"] == "1700000900.000001"
    # the watched copy of an article already checked by slash command is recognised as a re-post
    assert any("already checked" in t for t in section_texts(reply.args["blocks"]))
