"""Slack payloads → core inputs and core results → Block Kit (``adapters.slack.translate``)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import translate as t
from bot.errors import BadInput, LinkRefused, QueueFull, StorageUnavailable
from bot.links import article_source
from bot.models import (
    ArticleRecord,
    ChangedStatement,
    CheckedClaim,
    CheckReport,
    ClaimKind,
    Digest,
    ExtractedClaim,
    Match,
    RepeatedStatement,
    SearchHit,
    Span,
    SpeakerActivity,
    Status,
    StoredClaim,
)
from bot.service import summarise

SLACK_DIR = Path(t.__file__).parent
NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


# ------------------------------------------------------------------------------- input
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", t.HelpCommand()),
        ("   ", t.HelpCommand()),
        ("help", t.HelpCommand()),
        ("check https://x.test/a", t.CheckCommand("https://x.test/a")),
        ("check <https://x.test/a?b=1&amp;c=2|x.test/a>", t.CheckCommand("https://x.test/a?b=1&c=2")),
        ("CHECK\nPara one.\n\nPara two.", t.CheckCommand("Para one.\n\nPara two.")),
        ("check", t.HelpCommand("`check` needs a pasted article or a link.")),
        ("search  deficit  targets ", t.SearchCommand("deficit  targets")),
        ("search", t.HelpCommand("`search` needs some words to look for.")),
        ("speaker Jane Smith", t.SpeakerCommand("Jane Smith")),
        ("compare a b c | d e", t.CompareCommand("a b c", "d e")),
        ("compare a b c |", t.HelpCommand("`compare` needs two statements separated by `|`.")),
        ("watch on", t.WatchCommand(True)),
        ("watch OFF", t.WatchCommand(False)),
        ("watch maybe", t.HelpCommand("`watch` takes `on` or `off`.")),
        ("digest here", t.DigestCommand("here")),
        ("digest off", t.DigestCommand("off")),
        ("digest now", t.DigestCommand("now")),
        ("digest weekly", t.HelpCommand("`digest` takes `here`, `off` or `now`.")),
        ("frobnicate", t.HelpCommand("I don't know `frobnicate`.")),
        ("<b>", t.HelpCommand("I don't know `&lt;b&gt;`.")),
    ],
)
def test_parse_command(text: str, expected: t.Command) -> None:
    assert t.parse_command(text) == expected


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("see <https://a.test/x|a.test>", "see https://a.test/x"),
        ("see <https://a.test/x>", "see https://a.test/x"),
        ("<@U123> and <@U9|bob> in <#C1|news>", "@U123 and @bob in #news"),
        ("<!here> <!subteam^S1|@admins>", "@here @@admins"),
        ("fish &amp; chips &lt;3 &gt;", "fish & chips <3 >"),
        ("mail <mailto:a@b.test|a@b.test>", "mail mailto:a@b.test"),
    ],
)
def test_slack_to_plain(text: str, plain: str) -> None:
    assert t.slack_to_plain(text) == plain


LONG = "Jane Smith said the deficit will fall. " * 20


@pytest.mark.parametrize(
    ("text", "source"),
    [
        (LONG, LONG.strip()),
        (LONG + " https://a.test/x", (LONG + " https://a.test/x").strip()),
        ("look: https://a.test/x and https://b.test/y", "https://a.test/x"),
        ("lunch?", None),
        ("", None),
    ],
)
def test_article_source(text: str, source: str | None) -> None:
    assert article_source(text, min_chars=400) == source


def _event(**fields: Any) -> dict[str, Any]:
    return {"type": "message", "channel": "C1", "user": "U1", "text": "hello", "ts": "10.1", **fields}


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (_event(), t.WatchedMessage("C1", "10.1", "10.1", "hello", user="U1")),
        (_event(thread_ts="9.0"), t.WatchedMessage("C1", "10.1", "9.0", "hello", user="U1")),
        (_event(subtype="file_share"), t.WatchedMessage("C1", "10.1", "10.1", "hello", user="U1")),
        (_event(bot_id="B1"), None),
        (_event(subtype="bot_message"), None),
        (_event(subtype="channel_join"), None),
        (_event(subtype="message_deleted"), None),
        (_event(channel=None), None),
        (
            _event(
                subtype="message_changed",
                message={"text": "new", "ts": "10.1", "user": "U1"},
                previous_message={"text": "old", "ts": "10.1"},
            ),
            t.WatchedMessage("C1", "10.1", "10.1", "new", edited=True, user="U1"),
        ),
        (
            _event(
                subtype="message_changed",
                message={"text": "same <https://a.test>", "ts": "10.1"},
                previous_message={"text": "same https://a.test", "ts": "10.1"},
            ),
            None,
        ),
        (
            _event(
                subtype="message_changed",
                message={"text": "new", "ts": "10.1", "bot_id": "B1"},
                previous_message={"text": "old", "ts": "10.1"},
            ),
            None,
        ),
    ],
    ids=[
        "plain",
        "in-thread",
        "file-share",
        "bot",
        "bot-subtype",
        "join",
        "deleted",
        "no-channel",
        "edit",
        "unfurl-edit",
        "bot-edit",
    ],
)
def test_watched_message(event: dict[str, Any], expected: t.WatchedMessage | None) -> None:
    assert t.watched_message(event) == expected


def test_delivery_keys_tell_messages_and_edits_apart() -> None:
    original = t.WatchedMessage("C1", "10.1", "10.1", "a")
    edit_a = t.WatchedMessage("C1", "10.1", "10.1", "a2", edited=True)
    edit_b = t.WatchedMessage("C1", "10.1", "10.1", "a3", edited=True)
    assert original.delivery_key == "message:C1:10.1" == edit_a.original_key
    assert len({original.delivery_key, edit_a.delivery_key, edit_b.delivery_key}) == 3


def test_tenant_per_workspace() -> None:
    assert t.tenant_for("T123") == "slack:T123"
    with pytest.raises(ValueError, match="team id"):
        t.tenant_for("")


# ------------------------------------------------------------------------------ output
def _stored(i: int, text: str, speaker: str | None = "Jane Smith", source: str | None = None) -> StoredClaim:
    return StoredClaim(
        id=f"c{i}",
        tenant="slack:T1",
        text=text,
        speaker=speaker,
        speaker_id="s1",
        kind=ClaimKind.INDIRECT,
        first_seen=NOW - timedelta(days=3),
        source=source,
    )


def _checked(
    i: int,
    text: str,
    status: Status,
    *,
    speaker: str = "Jane Smith",
    source: str | None = "https://news.test/first",
) -> CheckedClaim:
    claim = ExtractedClaim(
        text=text, kind=ClaimKind.INDIRECT, content=Span(0, len(text), text), speaker=speaker
    )
    match = None
    if status is not Status.NEW:
        match = Match(
            claim=_stored(i, "earlier " + text, source=source),
            similarity=0.9,
            same_speaker=True,
            reasons=("numbers differ: 3 vs 4",) if status is Status.CHANGED else (),
        )
    return CheckedClaim(claim=claim, status=status, id=f"c{i}", match=match)


def _report(claims: list[CheckedClaim], title: str | None = "Budget row") -> CheckReport:
    article = ArticleRecord(
        id="a1",
        tenant="slack:T1",
        title=title,
        url=None,
        published=date(2026, 11, 24),
        content_hash="h",
        created_at=NOW,
    )
    return CheckReport(article=article, claims=tuple(claims), summary=summarise(claims))


def _texts(blocks: list[dict[str, Any]]) -> list[str]:
    out = []
    for block in blocks:
        if "text" in block:
            out.append(block["text"]["text"])
        out += [e["text"] for e in block.get("elements", [])]
    return out


def _assert_within_limits(message: t.SlackMessage) -> None:
    assert 1 <= len(message.blocks) <= 50
    for block in message.blocks:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        elif block["type"] == "section":
            assert 1 <= len(block["text"]["text"]) <= 3000
        for element in block.get("elements", []):
            assert len(element["text"]) <= 3000
    assert 1 <= len(message.text) <= 3000


def test_report_sections_in_order_with_link_for_repeats() -> None:
    report = _report(
        [
            _checked(1, "teachers get a rise", Status.NEW),
            _checked(2, "the deficit will fall", Status.REPEAT),
            _checked(3, "wards cost 4 billion", Status.CHANGED),
        ]
    )
    message = t.report_message(report)
    _assert_within_limits(message)
    texts = _texts(message.blocks)
    assert texts[0] == "Budget row"
    assert texts[1] == "3 statements: 1 new, 1 repeated, 1 changed · 1 speaker"
    headings = [x for x in texts if x.startswith(":")]
    assert headings == [":warning: *Changed* (1)", ":repeat: *Repeated* (1)", ":new: *New* (1)"]
    repeat = next(x for x in texts if "the deficit will fall" in x and x.startswith("*"))
    assert "<https://news.test/first|first seen 2026-11-21>" in repeat
    assert message.text == "Budget row — 3 statements: 1 new, 1 repeated, 1 changed · 1 speaker"
    assert message.response_type == "in_channel"


@pytest.mark.parametrize("count", [1, 46, 47, 48, 200])
def test_report_overflow_keeps_limits_and_counts_what_is_hidden(count: int) -> None:
    report = _report(
        [_checked(i, f"statement number {i} " + "x" * 4000, Status.NEW) for i in range(count)],
        title="T" * 400,
    )
    message = t.report_message(report)
    _assert_within_limits(message)
    shown = sum(1 for x in _texts(message.blocks) if x.startswith("*Jane Smith*"))
    last = _texts(message.blocks)[-1]
    if shown < count:
        assert last == f"… and {count - shown} more — `/claims search`"
        assert len(message.blocks) == 50
    else:
        assert "more —" not in last


def test_user_text_is_escaped_and_odd_links_are_not_broken() -> None:
    report = _report([_checked(1, "a <b> & c", Status.REPEAT, speaker="<@U1>", source="https://x.test/a|b")])
    texts = _texts(t.report_message(report).blocks)
    item = next(x for x in texts if x.startswith("*&lt;@U1&gt;*"))
    assert "a &lt;b&gt; &amp; c" in item
    assert "first seen 2026-11-21: https://x.test/a|b" in item
    assert "<https://x.test/a|b" not in item


def test_self_matches_of_an_edited_message_are_dropped() -> None:
    own = "https://fake.slack.test/archives/C1/p1"
    report = _report(
        [
            _checked(1, "unchanged", Status.REPEAT, source=own),
            _checked(2, "from elsewhere", Status.REPEAT, source="https://other.test"),
            _checked(3, "brand new", Status.NEW),
        ]
    )
    kept, dropped = t.without_self_matches(report, own)
    assert dropped == 1
    assert [c.claim.text for c in kept.claims] == ["from elsewhere", "brand new"]
    assert (kept.summary.repeat, kept.summary.new) == (1, 1)
    assert t.without_self_matches(report, None) == (report, 0)


@pytest.mark.parametrize(
    ("error", "text"),
    [
        (BadInput("text too long"), "text too long"),
        (LinkRefused("private address"), "private address"),
        (QueueFull("busy"), "I'm busy checking other articles right now; please try again in a minute."),
        (StorageUnavailable("down"), "The database is unavailable, try again shortly."),
        (
            SlackApiError("no", {"ok": False, "error": "not_in_channel"}),
            "I can't post in this channel: invite me with `/invite @claimbot` and try again.",
        ),
        (SlackApiError("no", {"ok": False, "error": "ratelimited"}), None),
        (RuntimeError("bug"), None),
    ],
)
def test_error_text(error: Exception, text: str | None) -> None:
    assert t.error_text(error) == text


def test_help_lists_every_subcommand() -> None:
    message = t.help_message("I don't know `x`.")
    body = "\n".join(_texts(message.blocks))
    for sub in ("check", "search", "speaker", "compare", "watch", "digest", "help"):
        assert f"`/claims {sub}" in body
    assert _texts(message.blocks)[0] == "I don't know `x`."


# ------------------------------------------------------------------------------ digest
def _digest(repeats: int, changes: int, *, speakers: int = 3) -> Digest:
    start = datetime(2026, 11, 16, 9, tzinfo=UTC)
    return Digest(
        tenant="slack:T1",
        start=start,
        end=start + timedelta(days=7),
        articles=4,
        claims=20,
        new_claims=12,
        by_speaker=tuple(SpeakerActivity(f"Speaker {i}", new_claims=3, mentions=5) for i in range(speakers)),
        repeated=tuple(
            RepeatedStatement(
                claim=_stored(i, f"repeat {i}", source="https://n.test/r"),
                times=3,
                first_seen=start,
                link="https://n.test/r",
            )
            for i in range(repeats)
        ),
        changed=tuple(
            ChangedStatement(
                speaker="Jane Smith",
                before=_stored(i, f"cost {i}"),
                after=_stored(i, f"cost {i + 1}"),
                reasons=("numbers differ",),
            )
            for i in range(changes)
        ),
    )


def test_digest_message_sections() -> None:
    message = t.digest_message(_digest(repeats=2, changes=1, speakers=12))
    _assert_within_limits(message)
    texts = _texts(message.blocks)
    assert texts[0] == "Claims digest, 16 Nov 2026 – 23 Nov 2026"
    assert texts[2].startswith("*New claims by speaker*\n• Speaker 0: 3 new claims, 5 mentions")
    assert texts[2].endswith("… and 2 more speakers")
    assert "*Most repeated*" in texts
    assert "*Changed*" in texts
    assert any(x.endswith("· <https://n.test/r|first seen>") for x in texts)
    assert any(x.startswith("Jane Smith said “cost 0” on") and "now says “cost 1”" in x for x in texts)


def test_a_big_digest_overflows_within_limits() -> None:
    message = t.digest_message(_digest(repeats=10, changes=60))
    _assert_within_limits(message)
    shown = sum(1 for x in _texts(message.blocks) if x.startswith("Jane Smith said"))
    assert _texts(message.blocks)[-1] == f"… and {60 - shown} more — `/claims search`"


def test_an_empty_digest_is_one_line() -> None:
    start = datetime(2026, 11, 16, 9, tzinfo=UTC)
    empty = Digest(
        tenant="slack:T1",
        start=start,
        end=start + timedelta(days=7),
        articles=0,
        claims=0,
        new_claims=0,
        by_speaker=(),
        repeated=(),
        changed=(),
    )
    message = t.digest_message(empty)
    assert len(message.blocks) == 1
    assert message.text == "An empty week: no claims were checked between 16 Nov 2026 and 23 Nov 2026."


# ------------------------------------------------------------------------------ manifest
# Web API methods the adapter calls → the bot scope each needs (None: no scope needed)
SCOPE_OF = {
    "chat_postMessage": "chat:write",
    "chat_getPermalink": None,
    "users_info": "users:read",
    "usergroups_users_list": "usergroups:read",
    "files_upload_v2": "files:write",
    # Socket Mode's connection call uses the app-level token (xapp-…), whose scope
    # connections:write is granted on the app's Basic Information page, not to the bot
    "apps_connections_open": None,
}


def test_manifest_grants_what_the_code_uses() -> None:
    manifest = yaml.safe_load((SLACK_DIR / "manifest.yml").read_text())
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    source = "\n".join(p.read_text() for p in SLACK_DIR.glob("*.py"))
    called = {m for m in re.findall(r"client\.(\w+)\(", source) if hasattr(AsyncWebClient, m)}
    assert called, "the scan found no Web API calls"
    assert called <= set(SCOPE_OF), f"add the scope of {called - set(SCOPE_OF)} to SCOPE_OF and the manifest"
    assert {SCOPE_OF[m] for m in called} - {None} <= scopes
    assert "commands" in scopes
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == "/claims"
    assert {"message.channels", "message.groups"} <= set(
        manifest["settings"]["event_subscriptions"]["bot_events"]
    )
    assert manifest["settings"]["socket_mode_enabled"] is True


def test_a_file_source_is_shown_as_text_not_as_a_link() -> None:
    hit = SearchHit(claim=_stored(1, "taxes will fall", source="file:budget.txt"), score=0.7)
    lines = _texts(t.search_message("taxes", [hit]).blocks)
    # before: "<file:budget.txt|source>", a link Slack cannot open
    assert any("source: file:budget.txt" in line for line in lines), lines
    assert not any("<file:" in line for line in lines)


def test_search_says_when_nothing_close_was_found() -> None:
    far = [SearchHit(claim=_stored(i, f"statement {i}"), score=0.21, close=False) for i in range(2)]
    message = t.search_message("banana cake", far)
    lines = _texts(message.blocks)
    # before: the two results were listed, the first scored as if it were a match
    assert any("Nothing close to “banana cake” was found" in line and "0.21" in line for line in lines), lines
    assert not any("statement 0" in line for line in lines)
    mixed = [SearchHit(claim=_stored(1, "close one"), score=0.7), far[0]]
    lines = _texts(t.search_message("x", mixed).blocks)
    assert any("similarity 0.70" in line for line in lines)
    assert not any("statement 0" in line for line in lines)


# ------------------------------------------------------------------------------ follows
def test_a_follow_alert_with_long_quotes_and_odd_links_stays_within_slack_limits() -> None:
    from bot.follows import AlertReason, FollowAlert, Statement
    from bot.models import FactCheck, Stance
    from tests.e2e.fake_slack import block_problems

    long = "The council <said> & promised " + "very " * 800 + "much"
    alert = FollowAlert(
        tenant="slack:T1",
        platform="slack",
        channel_id="C9",
        speaker="Anna Whitfield",
        claim_id="c2",
        article_id="a2",
        reasons=(AlertReason.CHANGED, AlertReason.FACT_CHECKED),
        now=Statement(
            long, "Anna Whitfield", Stance.ASSERTS, date(2026, 12, 8), "file:budget.txt", "T" * 400
        ),
        before=Statement(long, "Anna Whitfield", Stance.DENIES, date(2026, 11, 2), "https://x.example/a|b"),
        why=("numbers differ: 61 vs 48",),
        fact_check=FactCheck(verdict="False", by="Fact Desk", url="https://factdesk.example/1"),
    )
    message = t.alert_message(alert)
    assert block_problems(message.blocks) == []
    assert len(message.text) <= t.MAX_FALLBACK_CHARS
    texts = [b["text"]["text"] for b in message.blocks]
    assert texts[0] == ":bell: *Anna Whitfield changed a fact-checked claim*"
    assert "&lt;said&gt; &amp; promised" in texts[1]
    assert "file:budget.txt" in texts[1]  # not a web link: shown, not linked
    assert "<https://x.example/a|b" not in texts[2]  # a link that would break mrkdwn is shown plain
    assert texts[3].endswith("<https://factdesk.example/1|read the fact-check>")
    assert t.parse_command("follow  Vladimir Putin ") == t.FollowCommand("Vladimir Putin")
    assert t.parse_command("unfollow Putin") == t.UnfollowCommand("Putin")
    assert t.parse_command("following") == t.FollowingCommand()
    assert t.parse_command("follow") == t.FollowCommand("")  # the service refuses it in one line
