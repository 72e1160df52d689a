"""Slack, end to end on real SQLite: an imported ClaimReview's verdict in the bot's replies."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.bootstrap import App, bootstrap
from bot.claimreview import parse_claimreviews
from bot.settings import Settings
from tests.e2e.fake_slack import FakeSlack, block_problems, bot_settings, fake_slack, running_bot
from tests.e2e.test_slack_http import command, section_texts
from tests.fakes import HashingEncoder, PagesFetcher, SaidThatExtractor

pytestmark = pytest.mark.timeout(120)

REVIEWS = Path(__file__).resolve().parents[1] / "fixtures" / "claimreview" / "single.json"
FACT_CHECK_URL = "https://factdesk.example/checks/bridge-cost"
STATEMENT = "Anna Whitfield said that the new harbour bridge cost 40 million pounds.\n"


def sqlite_core(settings: Settings) -> App:
    return bootstrap(
        settings, extractor=SaidThatExtractor(), encoder=HashingEncoder(), fetcher=PagesFetcher()
    )


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with fake_slack() as fake:
        fake.add_user("U1")
        yield fake


async def test_a_statement_matching_a_fact_check_is_answered_with_the_verdict(
    fake: FakeSlack, tmp_path: Path
) -> None:
    settings = bot_settings(fake, tmp_path)
    assert settings.resolved_database_url.startswith("sqlite:///")
    async with running_bot(fake, settings, core=sqlite_core(settings)) as bot:
        claims = parse_claimreviews(REVIEWS.read_text(encoding="utf-8")).claims
        bot.runtime.core.service.import_claims(tenant="slack:T1", claims=claims)

        answer = await command(bot, "check " + STATEMENT, "fc")
        assert block_problems(answer["blocks"]) == []
        texts = "\n".join(section_texts(answer["blocks"]))
        assert (
            f":mag: *Fact-checked by Fact Desk: Mostly false* — <{FACT_CHECK_URL}|read the fact-check>"
        ) in texts

        found = await command(bot, "search harbour bridge cost", "fc-search")
        assert "Fact-checked by Fact Desk: Mostly false" in "\n".join(section_texts(found["blocks"]))

        # a statement no fact-checker reviewed gets no verdict line
        plain = await command(
            bot, "check Tom Reed said that the ferry timetable changes in winter.\n", "plain"
        )
        assert "Fact-checked" not in "\n".join(section_texts(plain["blocks"]))
