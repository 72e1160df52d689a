"""adapters.discord.translate: pure mapping of Discord inputs to core calls and results to embeds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import discord
import pytest

from adapters.discord import translate
from bot.errors import BadInput, LinkRefused, NotEnglish, QueueFull, StorageUnavailable
from bot.links import article_source
from bot.models import (
    ArticleRecord,
    ChangedStatement,
    CheckedClaim,
    CheckReport,
    ClaimKind,
    Comparison,
    Digest,
    ExtractedClaim,
    Match,
    RepeatedStatement,
    SearchHit,
    Span,
    Speaker,
    SpeakerActivity,
    SpeakerKind,
    Status,
    StoredClaim,
    Verdict,
)
from bot.service import summarise

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
URL = "https://news.example/a"


def stored(i: int, text: str = "taxes will rise", *, source: str | None = URL) -> StoredClaim:
    return StoredClaim(
        id=f"c{i}",
        tenant="discord:1",
        text=text,
        speaker=f"Speaker {i}",
        speaker_id=f"s{i}",
        kind=ClaimKind.INDIRECT,
        first_seen=NOW - timedelta(days=3),
        source=source,
    )


def checked(i: int, status: Status, text: str, *, source: str | None = URL) -> CheckedClaim:
    claim = ExtractedClaim(
        text=text, kind=ClaimKind.DIRECT, content=Span(0, len(text), text), speaker=f"Speaker {i}"
    )
    match = None
    if status is not Status.NEW:
        match = Match(claim=stored(i, text, source=source), similarity=0.9, same_speaker=True, reasons=("x",))
    return CheckedClaim(claim=claim, status=status, id=f"c{i}", match=match)


def report(claims: list[CheckedClaim], *, title: str | None = "An article") -> CheckReport:
    article = ArticleRecord(
        id="a1", tenant="discord:1", title=title, url=URL, published=None, content_hash="h", created_at=NOW
    )
    return CheckReport(article=article, claims=tuple(claims), summary=summarise(claims))


def everything(embeds: list[discord.Embed]) -> str:
    parts = []
    for e in embeds:
        parts += [e.title or "", e.description or "", e.footer.text or ""]
        parts += [f"{f.name}\n{f.value}" for f in e.fields]
    return "\n".join(parts)


# ---------------------------------------------------------------------------- inputs
def test_each_guild_is_its_own_tenant() -> None:
    assert translate.tenant_for_guild(42) == "discord:42"
    assert translate.tenant_for_guild(42) != translate.tenant_for_guild(43)
    assert translate.delivery_key(7) == "discord:message:7"


LONG = "Ben Wallace said that the budget grows. " * 20


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (LONG, LONG.strip()),  # a long paste is the article itself
        ("read this https://news.example/a please", "https://news.example/a"),
        ("two: https://a.example/1 and https://b.example/2", "https://a.example/1"),
        ("lol same", None),  # chatter
        ("", None),
        ("   ", None),
    ],
)
def test_watch_source(content: str, expected: str | None) -> None:
    assert article_source(content, min_chars=200) == expected


@pytest.mark.parametrize(
    ("text", "link", "expected"),
    [
        ("Some article text", None, "Some article text"),
        (None, "https://news.example/a", "https://news.example/a"),
        (None, " <https://news.example/a> ", "https://news.example/a"),
    ],
)
def test_check_source(text: str | None, link: str | None, expected: str) -> None:
    assert translate.check_source(text=text, link=link) == expected


@pytest.mark.parametrize(
    ("text", "link", "reason"),
    [
        (None, None, "give the article text"),
        ("  ", "", "give the article text"),
        ("text", "https://news.example/a", "either"),
        (None, "not a link", "not an http"),
    ],
)
def test_check_source_refusals(text: str | None, link: str | None, reason: str) -> None:
    with pytest.raises(BadInput, match=reason):
        translate.check_source(text=text, link=link)


def test_message_source_needs_text() -> None:
    with pytest.raises(BadInput, match="no text"):
        translate.message_source("   ", min_chars=200)
    assert translate.message_source("short claim text", min_chars=200) == "short claim text"
    assert translate.message_source("see https://news.example/a", min_chars=200) == "https://news.example/a"


def test_origin_keeps_the_jump_url() -> None:
    origin = translate.message_origin(
        channel_id=1, message_id=2, jump_url="https://discord.com/channels/9/1/2"
    )
    assert (origin.platform, origin.channel_id, origin.message_id) == ("discord", "1", "2")
    assert origin.permalink == "https://discord.com/channels/9/1/2"


# ---------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("exc", "expected", "internal"),
    [
        (BadInput("give either `text` or `link`"), "Give either `text` or `link`.", False),
        (LinkRefused("the address is private"), "The address is private.", False),
        (NotEnglish("this text is not English."), "This text is not English.", False),
        (QueueFull("busy"), "queue is full", False),
        (StorageUnavailable("db down"), "The database is unavailable, try again shortly.", False),
        (RuntimeError("boom"), "Sorry, something went wrong", True),
        (KeyError("x"), "Sorry, something went wrong", True),
    ],
)
def test_error_reply(exc: Exception, expected: str, internal: bool) -> None:
    reply = translate.error_reply(exc)
    assert expected in reply.text
    assert reply.internal is internal
    assert "boom" not in reply.text  # internals never reach the user


# ---------------------------------------------------------------------------- report embeds
def test_report_orders_changed_repeated_new_and_links_repeats_to_their_source() -> None:
    embeds = translate.report_embeds(
        report(
            [
                checked(1, Status.NEW, "new thing"),
                checked(2, Status.REPEAT, "old thing", source="https://discord.com/channels/1/2/3"),
                checked(3, Status.CHANGED, "changed thing"),
            ]
        )
    )
    names = [f.name for e in embeds for f in e.fields]
    assert names == ["Changed · Speaker 3", "Repeated · Speaker 2", "New · Speaker 1"]
    repeat = embeds[0].fields[1].value or ""
    assert "[first seen 2026-11-21](https://discord.com/channels/1/2/3)" in repeat
    assert embeds[0].url == URL
    assert embeds[0].colour == translate.COLOUR_CHANGED
    assert "3 statements: 1 new, 1 repeated, 1 changed" in (embeds[0].description or "")


def test_a_repeat_without_a_web_link_says_when_but_links_nothing() -> None:
    embeds = translate.report_embeds(report([checked(1, Status.REPEAT, "x", source="import:row-7")]))
    value = embeds[0].fields[0].value or ""
    assert "first seen 2026-11-21" in value
    assert "](" not in value


def test_user_text_cannot_ping_or_break_markdown() -> None:
    embeds = translate.report_embeds(report([checked(1, Status.NEW, "@everyone look at **this**")]))
    value = embeds[0].fields[0].value or ""
    assert "@everyone" not in value
    assert "**this**" not in value


@pytest.mark.parametrize("count", [0, 1, 24, 26, 60, 400])
@pytest.mark.parametrize("length", [10, 900, 5000])
def test_report_embeds_always_within_discord_limits(count: int, length: int) -> None:
    statuses = [Status.NEW, Status.REPEAT, Status.CHANGED]
    claims = [checked(i, statuses[i % 3], f"claim {i} " + "w" * length) for i in range(count)]
    embeds = translate.report_embeds(report(claims, title="T" * 400))
    assert translate.within_limits(embeds)
    shown = sum(len(e.fields) for e in embeds)
    if shown < count:
        footer = embeds[-1].footer.text or ""
        assert f"…and {count - shown} more statements" in footer
        assert "/claims search" in footer
    else:
        assert embeds[-1].footer.text is None


def test_within_limits_rejects_what_discord_would() -> None:
    too_many = [discord.Embed(description="x") for _ in range(11)]
    assert not translate.within_limits(too_many)
    big = discord.Embed(description="x" * 4097)
    assert not translate.within_limits([big])
    total = [discord.Embed(description="x" * 4000), discord.Embed(description="x" * 2001)]
    assert not translate.within_limits(total)
    fields = discord.Embed()
    for _ in range(26):
        fields.add_field(name="n", value="v")
    assert not translate.within_limits([fields])


# ---------------------------------------------------------------------------- other results
def test_search_embeds() -> None:
    hits = [SearchHit(claim=stored(i, f"statement {i}"), score=0.5) for i in range(3)]
    text = everything(translate.search_embeds("taxes", hits))
    assert "Search: taxes" in text
    assert "3 matching statements" in text
    assert "statement 2" in text
    empty = everything(translate.search_embeds("taxes", []))
    assert "No stored statement matches" in empty


def test_compare_embed() -> None:
    embed = translate.compare_embed(
        "70,000 troops",
        "100,000 troops",
        Comparison(0.8, Verdict.CHANGED, ("numbers differ: 70,000 vs 100,000",)),
    )
    assert embed.title == "Changed statement"
    assert "numbers differ" in (embed.fields[2].value or "")


def test_thread_names_fit_discord() -> None:
    name = translate.thread_name(report([checked(1, Status.NEW, "x")], title="word " * 100))
    assert name.startswith("Claims: ")
    assert len(name) <= 100


# ---------------------------------------------------------------------------- digests
def digest(**kwargs: object) -> Digest:
    values: dict[str, object] = {
        "tenant": "discord:1",
        "start": NOW - timedelta(days=7),
        "end": NOW,
        "articles": 0,
        "claims": 0,
        "new_claims": 0,
        "by_speaker": (),
        "repeated": (),
        "changed": (),
    }
    values.update(kwargs)
    return Digest(**values)  # type: ignore[arg-type]


def test_an_empty_week_is_one_line() -> None:
    embeds = translate.digest_embeds(digest())
    assert len(embeds) == 1
    assert (embeds[0].description or "").startswith("An empty week")
    assert not embeds[0].fields


def test_a_busy_digest_stays_within_limits() -> None:
    busy = digest(
        articles=40,
        claims=500,
        new_claims=300,
        by_speaker=tuple(SpeakerActivity(f"Speaker {i}", 10, 20) for i in range(200)),
        repeated=tuple(
            RepeatedStatement(claim=stored(i, "r" * 900), times=3, first_seen=NOW, link=URL)
            for i in range(40)
        ),
        changed=tuple(
            ChangedStatement(
                speaker="S", before=stored(i, "b" * 900), after=stored(i, "a" * 900), reasons=("n",)
            )
            for i in range(40)
        ),
    )
    embeds = translate.digest_embeds(busy, image_name="chart.png")
    assert translate.within_limits(embeds)
    assert embeds[0].image.url == "attachment://chart.png"
    speakers = embeds[0].fields[0].value or ""
    assert speakers.startswith("Speaker 0: 10 new claims, 20 mentions")
    assert speakers.endswith(" more")  # the speakers that did not fit are counted
    assert "/claims search" in (embeds[-1].footer.text or "")


def test_a_file_source_is_named_in_search_and_timeline() -> None:
    claim = stored(1, "taxes will fall", source="file:budget.txt")
    # before: only web links were shown, so a file check's statement had no source at all
    assert "first seen in file:budget.txt" in everything(
        translate.search_embeds("taxes", [SearchHit(claim, 0.7)])
    )
    speaker = Speaker(id="s1", tenant="discord:1", name="Speaker 1", kind=SpeakerKind.PERSON)
    assert "first seen in file:budget.txt" in everything(translate.timeline_embeds(speaker, [claim]))


def test_search_embeds_say_when_nothing_close_was_found() -> None:
    far = [SearchHit(claim=stored(i, f"statement {i}"), score=0.21, close=False) for i in range(2)]
    text = everything(translate.search_embeds("banana cake", far))
    # before: "2 matching statements", listed with their scores
    assert "Nothing close to “banana cake” was found" in text
    assert "0.21" in text
    assert "statement 0" not in text


def test_a_follow_alert_with_long_quotes_stays_within_discord_limits() -> None:
    from datetime import date

    from bot.follows import AlertReason, FollowAlert, Statement
    from bot.models import FactCheck, Stance

    long = "@everyone the council **promised** " + "very " * 800 + "much"
    alert = FollowAlert(
        tenant="discord:1",
        platform="discord",
        channel_id="42",
        speaker="Anna Whitfield",
        claim_id="c2",
        article_id="a2",
        reasons=(AlertReason.FACT_CHECKED,),
        now=Statement(
            long, "Anna Whitfield", Stance.ASSERTS, date(2026, 12, 8), "https://news.example/a", "T" * 400
        ),
        before=Statement(long, None, Stance.ASSERTS, date(2026, 11, 2), "https://factdesk.example/1"),
        fact_check=FactCheck(verdict="False", by="Fact Desk", url="https://factdesk.example/1"),
    )
    embed = translate.alert_embed(alert)
    assert translate.within_limits([embed])
    assert embed.title == "\N{BELL} Anna Whitfield repeated a fact-checked claim"
    assert [f.name for f in embed.fields] == ["Now", "Before", "Why"]
    assert "@everyone" not in (embed.fields[0].value or "")  # mentions are escaped
    assert embed.fields[0].value.endswith("[source](https://news.example/a)")  # type: ignore[union-attr]
    assert embed.fields[2].value == (
        "Fact-checked by Fact Desk: False — [read the fact-check](https://factdesk.example/1)"
    )
