"""The Slack bot in HTTP mode, end to end: real slack-bolt, real sockets, a fake Slack.

The platform side signs every request like Slack does; assertions are on what reaches
the fake Web API and the ``response_url`` endpoints.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from adapters.bootstrap import App, bootstrap
from adapters.slack.runner import SlackRuntime
from bot.errors import BadInput, StorageUnavailable
from bot.models import ExtractedClaim
from bot.settings import Settings
from tests.e2e.fake_slack import (
    BOT_ID,
    FakeSlack,
    Harness,
    block_problems,
    bot_settings,
    fake_slack,
    message_event,
    running_bot,
)
from tests.fakes import HashingEncoder, InMemoryStore, PagesFetcher, SaidThatExtractor

pytestmark = pytest.mark.timeout(90)

ARTICLE = (
    "Budget row deepens in parliament\n\n"
    "Jane Smith said the deficit will fall to three percent of output next year.\n"
    "Tom Brown said that hospitals need forty new wards before the winter starts.\n"
    "Jane Smith said teachers will get a pay rise of five percent in April.\n"
    "The debate continued late into the night as members argued about the details of the plan, "
    "the costs of the programme and what voters had been promised during the campaign last spring, "
    "while ministers insisted that the figures had been checked twice by independent officials.\n"
)
LINKED_URL = "https://news.example/budget"


def make_core(settings: Settings, *, store: Any = None, extractor: Any = None) -> App:
    store = store if store is not None else InMemoryStore()
    return bootstrap(
        settings,
        store=store,
        config=store if isinstance(store, InMemoryStore) else InMemoryStore(),
        extractor=extractor or SaidThatExtractor(),
        encoder=HashingEncoder(),
        fetcher=PagesFetcher({LINKED_URL: ARTICLE}),
    )


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with fake_slack() as fake:
        fake.add_user("U1")
        fake.add_user("UADMIN", admin=True)
        fake.add_user("UOWNER", owner=True)
        fake.add_user("U7")
        yield fake


@pytest.fixture
async def bot(fake: FakeSlack, tmp_path: Path) -> AsyncIterator[Harness]:
    settings = bot_settings(fake, tmp_path)
    async with running_bot(fake, settings, core=make_core(settings)) as harness:
        yield harness


def store_of(harness: Harness) -> InMemoryStore:
    store = harness.runtime.core.service.store
    assert isinstance(store, InMemoryStore)
    return store


def section_texts(blocks: list[dict[str, Any]]) -> list[str]:
    out = []
    for block in blocks:
        if block.get("type") in {"section", "header"}:
            out.append(block["text"]["text"])
        for element in block.get("elements", []):
            out.append(element.get("text", ""))
    return out


async def command(bot: Harness, text: str, key: str, **kwargs: Any) -> dict[str, Any]:
    """Sends ``/claims text`` and returns what the bot posted to its response_url."""
    delivery = await bot.platform.command(text, response_url=bot.fake.response_url(key), **kwargs)
    assert delivery.status == 200
    await bot.settle()
    posted = bot.fake.responses(key)
    assert len(posted) == 1, f"expected one response for {text!r}, got {len(posted)}"
    return posted[0].args


async def watch(bot: Harness, channel: str = "C1", team_id: str = "T1") -> None:
    answer = await command(
        bot, "watch on", f"watch-{channel}-{team_id}", user_id="UADMIN", channel_id=channel, team_id=team_id
    )
    assert "Watching this channel" in answer["text"]


# ------------------------------------------------------------------------- slash commands
async def test_check_command_is_acked_then_answered_with_block_kit(bot: Harness) -> None:
    delivery = await bot.platform.command("check " + ARTICLE, response_url=bot.fake.response_url("r1"))
    assert delivery.status == 200
    assert "Checking that article" in delivery.body
    await bot.settle()
    [answer] = bot.fake.responses("r1")
    args = answer.args
    assert args["response_type"] == "in_channel"
    assert block_problems(args["blocks"]) == []
    assert args["text"].endswith(" — 3 statements: 3 new, 0 repeated, 0 changed · 2 speakers")
    texts = "\n".join(section_texts(args["blocks"]))
    assert "*Jane Smith*: the deficit will fall to three percent of output next year" in texts
    assert "*Tom Brown*" in texts

    second = "Jane Smith said the deficit will fall to three percent of output next year.\n"
    again = await command(bot, "check " + second, "r2")
    assert again["text"].endswith("1 statement: 0 new, 1 repeated, 0 changed · 1 speaker")
    assert any("repeats the same speaker" in t for t in section_texts(again["blocks"]))


async def test_check_of_a_link_fetches_the_page_and_a_refused_link_is_said_plainly(bot: Harness) -> None:
    linked = await command(bot, f"check <{LINKED_URL}>", "link")
    assert "3 statements" in linked["text"]
    assert LINKED_URL in "\n".join(section_texts(linked["blocks"]))

    refused = await command(bot, "check https://elsewhere.example/x", "refused")
    assert refused["text"] == "could not fetch https://elsewhere.example/x"
    assert "Traceback" not in str(refused)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "/claims check <pasted text or link>"),
        ("frobnicate now", "I don't know `frobnicate`."),
        ("compare only one side", "`compare` needs two statements separated by `|`."),
        ("watch sometimes", "`watch` takes `on` or `off`."),
    ],
)
async def test_unknown_or_incomplete_subcommands_get_help_in_the_ack(
    bot: Harness, text: str, expected: str
) -> None:
    delivery = await bot.platform.command(text, response_url=bot.fake.response_url("help"))
    assert delivery.status == 200
    assert expected in "\n".join(section_texts(delivery.json()["blocks"]))
    await bot.settle()
    assert bot.fake.responses("help") == []


async def test_search_speaker_and_compare(bot: Harness) -> None:
    await command(bot, "check " + ARTICLE, "seed")
    found = await command(bot, "search hospitals wards", "search")
    assert (
        "*Tom Brown*: hospitals need forty new wards before the winter starts"
        in section_texts(found["blocks"])[2]
    )
    assert block_problems(found["blocks"]) == []

    timeline = await command(bot, "speaker Jane Smith", "speaker")
    assert timeline["text"] == "Jane Smith: 2 statements"
    unknown = await command(bot, "speaker Nobody Known", "nobody")
    assert "No statements by _Nobody Known_" in unknown["blocks"][0]["text"]["text"]

    compared = await command(
        bot, "compare the deficit will fall to 3 percent | the deficit will rise to 5 percent", "cmp"
    )
    assert compared["text"].split(" — ")[0] in {
        "Same claim (a repeat)",
        "Same topic, changed claim",
        "Different claims",
    }
    assert "similarity" in compared["blocks"][0]["text"]["text"]


async def test_each_workspace_is_its_own_tenant(bot: Harness) -> None:
    await command(bot, "check " + ARTICLE, "t1", team_id="T1")
    other = await command(bot, "search deficit three percent", "t2", team_id="T2")
    assert other["text"].endswith("nothing found")
    own = await command(bot, "search deficit three percent", "t1-search", team_id="T1")
    assert "Jane Smith" in "\n".join(section_texts(own["blocks"]))
    assert {c.tenant for c in store_of(bot).claims.values()} == {"slack:T1"}


async def test_a_long_report_stays_within_slack_limits_and_says_how_many_more(bot: Harness) -> None:
    lines = [f"Speaker Number{i} said that item {i} costs {i * 7} pounds in total." for i in range(120)]
    answer = await command(bot, "check " + "\n".join(lines), "long")
    blocks = answer["blocks"]
    assert len(blocks) <= 50
    assert block_problems(blocks) == []
    shown = sum(1 for t in section_texts(blocks) if t.startswith("*Speaker Number"))
    assert blocks[-1]["elements"][0]["text"] == f"… and {120 - shown} more — `/claims search`"
    assert 0 < shown < 120


# ------------------------------------------------------------------------- request checks
async def test_url_verification_bad_signature_and_stale_timestamp(bot: Harness) -> None:
    token = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    challenge = json.dumps({"token": "t", "challenge": token, "type": "url_verification"}).encode()
    ok = await bot.platform.post(challenge, "application/json")
    assert ok.status == 200
    assert ok.json() == {"challenge": token}

    forged = await bot.platform.command(
        "check " + ARTICLE, response_url=bot.fake.response_url("forged"), secret="not-the-signing-secret"
    )
    assert forged.status == 401
    stale = await bot.platform.command(
        "check " + ARTICLE, response_url=bot.fake.response_url("stale"), timestamp=int(time.time()) - 6 * 60
    )
    assert stale.status == 401
    await bot.settle()
    assert bot.fake.responses("forged") == []
    assert bot.fake.responses("stale") == []
    assert store_of(bot).articles == {}


async def test_health_endpoint(bot: Harness) -> None:
    async with bot.session.get(bot.base_url + "/healthz") as response:
        assert response.status == 200
        state = await response.json()
    assert state["ok"] is True
    assert state["mode"] == "http"


# ------------------------------------------------------------------------- admin
@pytest.mark.parametrize(
    ("user", "allowed"), [("U1", False), ("UADMIN", True), ("UOWNER", True), ("UUNKNOWN", False)]
)
async def test_watch_is_for_admins_and_owners(bot: Harness, user: str, allowed: bool) -> None:
    answer = await command(bot, "watch on", "w", user_id=user, channel_id="C9")
    assert store_of(bot).is_watched(tenant="slack:T1", channel_id="C9") is allowed
    if not allowed:
        assert answer["text"].startswith("Sorry, only workspace admins and owners can change")
        assert answer["response_type"] == "ephemeral"


async def test_members_of_the_admin_group_may_configure(fake: FakeSlack, tmp_path: Path) -> None:
    fake.usergroups["S0ADMINS"] = ["U7"]
    settings = bot_settings(fake, tmp_path, slack_admin_group="S0ADMINS")
    async with running_bot(fake, settings, core=make_core(settings)) as bot:
        await command(bot, "watch on", "member", user_id="U7")
        refused = await command(bot, "watch off", "other", user_id="U1")
        assert "and members of the claimbot admin group" in refused["text"]
        assert store_of(bot).is_watched(tenant="slack:T1", channel_id="C1")
        assert [c.args["usergroup"] for c in fake.calls_to("usergroups.users.list")] == [
            "S0ADMINS",
            "S0ADMINS",
        ]


# ------------------------------------------------------------------------- channel watch
async def test_watched_article_gets_one_threaded_reply_despite_retries_and_replays(bot: Harness) -> None:
    await watch(bot)
    event = message_event(ARTICLE, ts="1700000100.000200")
    first = await bot.platform.event(event, event_id="Ev1")
    retry = await bot.platform.event(event, event_id="Ev1", retry_num=1)
    replay = await bot.platform.event(event, event_id="Ev2")  # same message, another delivery
    assert (first.status, retry.status, replay.status) == (200, 200, 200)
    await bot.settle()

    [reply] = bot.fake.calls_to("chat.postMessage")
    assert reply.args["channel"] == "C1"
    assert reply.args["thread_ts"] == "1700000100.000200"
    assert reply.args["text"].endswith(" — 3 statements: 3 new, 0 repeated, 0 changed · 2 speakers")
    assert block_problems(reply.args["blocks"]) == []
    assert len(store_of(bot).articles) == 1
    [article] = store_of(bot).articles.values()
    assert article.permalink == "https://fake.slack.test/archives/C1/p1700000100000200"
    assert len(bot.fake.calls_to("chat.getPermalink")) == 1


async def test_a_link_in_a_short_message_is_checked_and_a_thread_reply_stays_in_its_thread(
    bot: Harness,
) -> None:
    await watch(bot)
    event = message_event(
        f"worth a read <{LINKED_URL}|budget story>", ts="1700000200.000001", thread_ts="1700000150.000009"
    )
    await bot.platform.event(event)
    await bot.settle()
    [reply] = bot.fake.calls_to("chat.postMessage")
    assert reply.args["thread_ts"] == "1700000150.000009"
    assert "3 statements" in reply.args["text"]


@pytest.mark.parametrize(
    "event",
    [
        message_event("short chatter about lunch", ts="1.1"),
        message_event(ARTICLE, ts="1.2", bot_id=BOT_ID),
        message_event(ARTICLE, ts="1.3", subtype="bot_message", bot_id="BOTHER"),
        message_event(ARTICLE, ts="1.4", subtype="channel_join"),
        message_event(ARTICLE, ts="1.5", channel="CUNWATCHED"),
        {
            "type": "message",
            "subtype": "message_deleted",
            "channel": "C1",
            "ts": "1.6",
            "deleted_ts": "1.0",
            "previous_message": {"type": "message", "text": ARTICLE, "ts": "1.0"},
        },
        {
            "type": "message",
            "subtype": "message_changed",
            "channel": "C1",
            "ts": "1.7",
            "message": {"type": "message", "user": "U1", "text": ARTICLE, "ts": "1.0"},
            "previous_message": {"type": "message", "user": "U1", "text": ARTICLE, "ts": "1.0"},
        },
    ],
    ids=["chatter", "own-bot", "other-bot", "join", "unwatched", "deleted", "edit-same-text"],
)
async def test_messages_that_are_not_articles_are_ignored(bot: Harness, event: dict[str, Any]) -> None:
    await watch(bot)
    await bot.platform.event(event)
    await bot.settle()
    assert bot.fake.calls_to("chat.postMessage") == []
    assert store_of(bot).articles == {}


async def test_an_edit_that_changes_the_text_is_rechecked_without_counting_twice(bot: Harness) -> None:
    await watch(bot)
    original = message_event(ARTICLE, ts="1700000300.000001")
    await bot.platform.event(original)
    await bot.settle()
    mentions_before = {c.id: c.mentions for c in store_of(bot).claims.values()}

    edited_text = ARTICLE + "Tom Brown said that the new wards will open in March.\n"
    edit = {
        "type": "message",
        "subtype": "message_changed",
        "channel": "C1",
        "ts": "1700000301.000001",
        "message": {
            "type": "message",
            "user": "U1",
            "text": edited_text,
            "ts": "1700000300.000001",
            "edited": {"user": "U1", "ts": "1700000301.000000"},
        },
        "previous_message": {"type": "message", "user": "U1", "text": ARTICLE, "ts": "1700000300.000001"},
    }
    await bot.platform.event(edit, event_id="EvEdit")
    await bot.platform.event(edit, event_id="EvEdit", retry_num=1)
    await bot.settle()

    _first, second = bot.fake.calls_to("chat.postMessage")
    assert second.args["thread_ts"] == "1700000300.000001"
    texts = section_texts(second.args["blocks"])
    assert any("Re-checked after an edit (not counted again); 3 statements unchanged" in t for t in texts)
    assert any("the new wards will open in March" in t for t in texts)
    assert not any("deficit" in t for t in texts)
    # nothing was stored again
    assert {c.id: c.mentions for c in store_of(bot).claims.values()} == mentions_before
    assert len(store_of(bot).articles) == 1


# ------------------------------------------------------------------------- errors & load
class _Gate:
    """An extractor that takes its time: blocks until released (or ``hold_s`` passes)."""

    def __init__(self, hold_s: float) -> None:
        self.inner = SaidThatExtractor()
        self.hold_s = hold_s
        self.started = threading.Event()
        self.release = threading.Event()
        self.finished = threading.Event()

    def extract(self, text: str) -> list[ExtractedClaim]:
        self.started.set()
        self.release.wait(self.hold_s)
        try:
            return self.inner.extract(text)
        finally:
            self.finished.set()

    def extract_many(self, texts: list[str]) -> list[list[ExtractedClaim]]:
        return [self.extract(t) for t in texts]


async def test_a_slow_article_is_acked_before_its_work_finishes(fake: FakeSlack, tmp_path: Path) -> None:
    slow = _Gate(hold_s=5.0)  # several seconds of "NLP", not released early
    settings = bot_settings(fake, tmp_path)
    async with running_bot(fake, settings, core=make_core(settings, extractor=slow)) as bot:
        delivery = await bot.platform.command("check " + ARTICLE, response_url=fake.response_url("slow"))
        assert delivery.status == 200
        assert not slow.finished.is_set(), "the ack waited for the NLP"
        assert delivery.elapsed_s < 3.0
        await bot.settle()
        assert slow.finished.is_set()
        assert "3 statements" in fake.responses("slow")[0].args["text"]


async def test_a_full_queue_says_busy(fake: FakeSlack, tmp_path: Path) -> None:
    gate = _Gate(hold_s=30.0)
    settings = bot_settings(fake, tmp_path, queue_size=1, workers=1)
    async with running_bot(fake, settings, core=make_core(settings, extractor=gate)) as bot:
        await bot.platform.command("check " + ARTICLE, response_url=fake.response_url("first"))
        assert await _wait(gate.started)
        busy = await command_nowait(bot, "check " + ARTICLE, "second")
        assert busy["text"] == "I'm busy checking other articles right now; please try again in a minute."
        gate.release.set()
        await bot.settle()
        assert "3 statements" in fake.responses("first")[0].args["text"]


async def _wait(event: threading.Event) -> bool:
    import asyncio

    for _ in range(2000):
        if event.is_set():
            return True
        await asyncio.sleep(0.01)
    return False


async def command_nowait(bot: Harness, text: str, key: str) -> dict[str, Any]:
    """Like ``command`` but without waiting for every handler (one is deliberately stuck)."""
    await bot.platform.command(text, response_url=bot.fake.response_url(key))
    [posted] = await bot.fake.wait_for("response_url", key=key)
    return posted.args


class _BrokenStore(InMemoryStore):
    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    def find_duplicate_article(self, **kwargs: Any) -> Any:
        raise self.error


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (StorageUnavailable("connection refused"), "The database is unavailable, try again shortly."),
        (
            RuntimeError("boom in the store"),
            "Sorry, something went wrong on my side. It has been logged; please try again later.",
        ),
        (
            BadInput("text too long: 2,000,000 characters (limit 1,000,000)"),
            "text too long: 2,000,000 characters (limit 1,000,000)",
        ),
    ],
    ids=["storage-down", "internal", "bad-input"],
)
async def test_errors_are_said_plainly_or_apologised_for(
    fake: FakeSlack, tmp_path: Path, caplog: pytest.LogCaptureFixture, error: Exception, expected: str
) -> None:
    settings = bot_settings(fake, tmp_path)
    async with running_bot(fake, settings, core=make_core(settings, store=_BrokenStore(error))) as bot:
        answer = await command(bot, "check " + ARTICLE, "err")
        assert answer["text"] == expected
        assert "boom" not in str(answer["blocks"])
        assert "Traceback" not in str(answer["blocks"])
    if isinstance(error, RuntimeError):
        assert any(
            r.exc_info and "CheckCommand failed in team T1 channel C1" in r.getMessage()
            for r in caplog.records
        )


# ------------------------------------------------------------------------- start-up
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"slack_bot_token": None}, "SLACK_BOT_TOKEN is not set"),
        ({"slack_bot_token": "xoxb-your-token-here"}, "SLACK_BOT_TOKEN still holds a placeholder"),
        ({"slack_signing_secret": None}, "SLACK_SIGNING_SECRET is not set"),
        (
            {"slack_signing_secret": None, "slack_app_token": "changeme"},
            "SLACK_APP_TOKEN still holds a placeholder",
        ),
    ],
)
def test_missing_or_placeholder_tokens_stop_start_up_naming_the_setting(
    tmp_path: Path, overrides: dict[str, Any], message: str
) -> None:
    values: dict[str, Any] = {
        "_env_file": None,
        "data_dir": tmp_path,
        "slack_bot_token": "xoxb-1",
        "slack_signing_secret": "s3cret",
        "slack_app_token": None,
        **overrides,
    }
    settings = Settings(**values)
    with pytest.raises(BadInput, match=message):
        SlackRuntime(settings, core=make_core(settings))
