"""The fact-check verdict in each adapter's own format: Slack, Discord, the terminal, digests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from io import StringIO

from rich.console import Console

from adapters.console import render
from adapters.discord import translate as discord_translate
from adapters.slack import translate as slack_translate
from bot.models import (
    ArticleRecord,
    CheckedClaim,
    CheckReport,
    ClaimKind,
    Digest,
    ExtractedClaim,
    FactCheck,
    Match,
    RepeatedStatement,
    SearchHit,
    Span,
    Speaker,
    SpeakerKind,
    Status,
    StoredClaim,
)
from bot.service import summarise

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
REVIEW_URL = "https://factdesk.example/checks/bridge-cost"
FACT_CHECK = FactCheck(verdict="False", by="PolitiFact", url=REVIEW_URL, date=date(2026, 11, 5))
TEXT = "the bridge cost 40 million pounds"


def fact_checked_claim(fact_check: FactCheck | None = FACT_CHECK) -> StoredClaim:
    return StoredClaim(
        id="c1",
        tenant="t",
        text=TEXT,
        speaker="Anna Whitfield",
        speaker_id="s1",
        kind=ClaimKind.UNATTRIBUTED,
        first_seen=NOW - timedelta(days=20),
        source=REVIEW_URL,
        external_id=REVIEW_URL,
        fact_check=fact_check,
    )


def report_with(fact_check: FactCheck | None = FACT_CHECK) -> CheckReport:
    claim = ExtractedClaim(
        text=TEXT, kind=ClaimKind.INDIRECT, content=Span(0, len(TEXT), TEXT), speaker="Anna Whitfield"
    )
    match = Match(claim=fact_checked_claim(fact_check), similarity=0.97, same_speaker=True, reasons=("same",))
    checked = (CheckedClaim(claim=claim, status=Status.REPEAT, id="c1", match=match),)
    article = ArticleRecord(
        id="a1", tenant="t", title="Bridge", url=None, published=None, content_hash="h", created_at=NOW
    )
    return CheckReport(article=article, claims=checked, summary=summarise(checked))


def slack_texts(blocks: list[dict]) -> str:  # type: ignore[type-arg]
    out = []
    for block in blocks:
        if "text" in block:
            out.append(block["text"]["text"])
        out += [e.get("text", "") for e in block.get("elements", [])]
    return "\n".join(out)


def discord_texts(embeds: list) -> str:  # type: ignore[type-arg]
    out = []
    for e in embeds:
        out += [e.title or "", e.description or "", e.footer.text or ""]
        out += [f"{f.name}\n{f.value}" for f in e.fields]
    return "\n".join(out)


def test_slack_reply_search_and_timeline_say_the_verdict_with_its_link() -> None:
    line = f":mag: *Fact-checked by PolitiFact: False* — <{REVIEW_URL}|read the fact-check>"
    assert line in slack_texts(slack_translate.report_message(report_with()).blocks)
    assert "Fact-checked" not in slack_texts(slack_translate.report_message(report_with(None)).blocks)
    hits = [SearchHit(claim=fact_checked_claim(), score=0.9)]
    assert line in slack_texts(slack_translate.search_message("bridge", hits).blocks)
    speaker = Speaker(id="s1", tenant="t", name="Anna Whitfield", kind=SpeakerKind.PERSON)
    timeline = slack_translate.timeline_message("Anna Whitfield", (speaker, [fact_checked_claim()]))
    assert line in slack_texts(timeline.blocks)


def test_discord_reply_search_and_timeline_say_the_verdict_with_its_link() -> None:
    line = f"**Fact-checked by PolitiFact: False** — [read the fact-check]({REVIEW_URL})"
    assert line in discord_texts(discord_translate.report_embeds(report_with()))
    assert "Fact-checked" not in discord_texts(discord_translate.report_embeds(report_with(None)))
    hits = [SearchHit(claim=fact_checked_claim(), score=0.9)]
    assert line in discord_texts(discord_translate.search_embeds("bridge", hits))
    speaker = Speaker(id="s1", tenant="t", name="Anna Whitfield", kind=SpeakerKind.PERSON)
    assert line in discord_texts(discord_translate.timeline_embeds(speaker, [fact_checked_claim()]))
    # a fact-check without a web link still says the verdict, linking nothing
    unlinked = replace(FACT_CHECK, url="javascript:alert(1)")
    text = discord_texts(discord_translate.report_embeds(report_with(unlinked)))
    assert "**Fact-checked by PolitiFact: False**" in text
    assert "javascript" not in text


def test_terminal_table_search_and_timeline_show_the_verdict() -> None:
    for show in (
        lambda c: render.print_report(c, report_with(), source="a.txt"),
        lambda c: render.print_search(c, "bridge", [SearchHit(claim=fact_checked_claim(), score=0.9)]),
        lambda c: render.print_timeline(
            c,
            Speaker(id="s1", tenant="t", name="Anna Whitfield", kind=SpeakerKind.PERSON),
            [fact_checked_claim()],
        ),
    ):
        console = Console(file=StringIO(), width=200, color_system=None)
        show(console)
        assert "Fact-checked by PolitiFact: False" in console.file.getvalue()  # type: ignore[attr-defined]


def test_digests_in_chat_count_and_label_fact_checked_statements() -> None:
    start = NOW - timedelta(days=7)
    digest = Digest(
        tenant="t",
        start=start,
        end=NOW,
        articles=2,
        claims=3,
        new_claims=1,
        by_speaker=(),
        repeated=(RepeatedStatement(claim=fact_checked_claim(), times=3, first_seen=start, link=REVIEW_URL),),
        changed=(),
        fact_checked=3,
    )
    slack = slack_texts(slack_translate.digest_message(digest).blocks)
    assert ":mag: 3 statements this week matched published fact-checks" in slack
    assert "(Fact-checked by PolitiFact: False)" in slack
    discord = discord_texts(discord_translate.digest_embeds(digest))
    assert "3 statements this week matched published fact-checks" in discord
    assert "(Fact-checked by PolitiFact: False)" in discord
    quiet = replace(digest, fact_checked=0, repeated=())
    assert "fact-check" not in slack_texts(slack_translate.digest_message(quiet).blocks)
