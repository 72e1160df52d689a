"""The one translation module between Slack and the core.

Slack payloads (slash-command text, message events) become core inputs here, and core
results (check reports, search hits, timelines, comparisons, digests) become Block Kit
messages here. Everything is a pure function: no network, no Bolt objects, so the whole
mapping is unit-tested with plain dicts.

Slack's limits that shape the rendering: at most 50 blocks per message, at most 3,000
characters in a section's text, 150 in a header; every message also carries a plain
``text`` fallback that notifications and screen readers use.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from slack_sdk.errors import SlackApiError

from bot import digest_text as words
from bot.errors import BadInput, QueueFull, StorageUnavailable
from bot.follows import (
    NO_FOLLOWS,
    Follow,
    FollowAlert,
    alert_plain,
    alert_text,
    follow_parts,
    sorted_follows,
)
from bot.models import (
    CheckReport,
    Comparison,
    Digest,
    FactCheck,
    SearchHit,
    Speaker,
    Status,
    StoredClaim,
    Verdict,
)
from bot.search_score import close_hits, nothing_close_line
from bot.service import summarise
from bot.summary import (
    STATUS_HEADINGS,
    STATUS_ORDER,
    SummaryItem,
    attributed,
    build_report_view,
    fact_check_words,
    truncate,
)
from bot.words import plural

PLATFORM = "slack"
MAX_BLOCKS = 50
MAX_SECTION_CHARS = 3000
MAX_HEADER_CHARS = 150
MAX_CONTEXT_CHARS = 2000  # a context element's text has the same 3,000 cap; stay well inside it
MAX_FALLBACK_CHARS = 3000
SEARCH_HINT = "`/claims search`"

Block = dict[str, Any]


def tenant_for(team_id: str) -> str:
    """Each Slack workspace is its own tenant."""
    if not team_id:
        raise ValueError("a Slack payload without a team id cannot be attributed to a workspace")
    return f"{PLATFORM}:{team_id}"


# =============================================================================== input
_SLACK_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
_SLACK_MENTION = re.compile(r"<([@#!])([^|>]+)(?:\|([^>]*))?>")


def slack_to_plain(text: str) -> str:
    """Slack mrkdwn as sent in payloads → the plain text a reader sees.

    Links arrive as ``<https://x|label>``; for an article the URL is what matters, so the
    URL is kept and the label dropped. Mentions keep their visible name. ``&amp;``,
    ``&lt;`` and ``&gt;`` are the only entities Slack escapes.
    """
    plain = _SLACK_LINK.sub(lambda m: m.group(1), text)

    def mention(m: re.Match[str]) -> str:
        sigil, ident, label = m.group(1), m.group(2), m.group(3)
        if sigil == "!":
            return "@" + (label or ident.split("^", 1)[0])
        return sigil + (label or ident)

    plain = _SLACK_MENTION.sub(mention, plain)
    return plain.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def escape_mrkdwn(text: str) -> str:
    """User text placed inside mrkdwn: the three control characters Slack asks us to escape."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _link(url: str, label: str) -> str:
    # "|" and ">" would end the link early; a URL with them is shown plain instead, and so is
    # a source that is no web link (a file check's "file:budget.txt")
    if any(ch in url for ch in "|<> ") or not url.startswith(("https://", "http://")):
        return escape_mrkdwn(f"{label}: {url}")
    return f"<{url}|{escape_mrkdwn(label)}>"


# -------------------------------------------------------------------------- commands
@dataclass(frozen=True, slots=True)
class CheckCommand:
    source: str  # pasted text or a link, as plain text


@dataclass(frozen=True, slots=True)
class SearchCommand:
    query: str


@dataclass(frozen=True, slots=True)
class SpeakerCommand:
    name: str


@dataclass(frozen=True, slots=True)
class CompareCommand:
    first: str
    second: str


@dataclass(frozen=True, slots=True)
class WatchCommand:
    enabled: bool


@dataclass(frozen=True, slots=True)
class DigestCommand:
    action: Literal["here", "off", "now"]


@dataclass(frozen=True, slots=True)
class FollowCommand:
    name: str  # may be empty: the service refuses it in one line


@dataclass(frozen=True, slots=True)
class UnfollowCommand:
    name: str


@dataclass(frozen=True, slots=True)
class FollowingCommand:
    pass


@dataclass(frozen=True, slots=True)
class HelpCommand:
    problem: str | None = None  # why help is shown instead of what was asked ("unknown subcommand")


Command = (
    CheckCommand
    | SearchCommand
    | SpeakerCommand
    | CompareCommand
    | WatchCommand
    | DigestCommand
    | FollowCommand
    | UnfollowCommand
    | FollowingCommand
    | HelpCommand
)
CONFIG_COMMANDS = (WatchCommand, DigestCommand)

USAGE = (
    ("check <pasted text or link>", "find who said what and whether it is new, repeated or changed"),
    ("search <words>", "find statements seen before in this workspace"),
    ("speaker <name>", "a speaker's statements over time"),
    ("compare <statement> | <statement>", "are two statements the same claim?"),
    ("watch on|off", "summarise articles posted in this channel (admins)"),
    ("digest here|off|now", "weekly digest in this channel (admins)"),
    ("follow <speaker>", "alert this channel when they change a statement or repeat a fact-checked claim"),
    ("unfollow <speaker>", "stop those alerts"),
    ("following", "who is followed, and in which channel"),
    ("help", "this message"),
)


_HEAD = re.compile(r"(\S+)\s*(.*)", re.S)


def _split_head(text: str) -> tuple[str, str]:
    # keep the argument's own line breaks: a pasted article needs its paragraphs
    match = _HEAD.match(text)
    if match is None:
        return "", ""
    return match.group(1), match.group(2).strip()


def parse_command(text: str) -> Command:
    """``/claims`` text → a command; anything unusable becomes help with the reason."""
    plain = slack_to_plain(text).strip()
    if not plain:
        return HelpCommand()
    head, arg = _split_head(plain)
    name = head.lower()
    if name in {"help", "?"}:
        return HelpCommand()
    if name == "check":
        return CheckCommand(arg) if arg else HelpCommand("`check` needs a pasted article or a link.")
    if name == "search":
        return SearchCommand(arg) if arg else HelpCommand("`search` needs some words to look for.")
    if name == "speaker":
        return SpeakerCommand(arg) if arg else HelpCommand("`speaker` needs a name.")
    if name == "compare":
        first, bar, second = arg.partition("|")
        if not bar or not first.strip() or not second.strip():
            return HelpCommand("`compare` needs two statements separated by `|`.")
        return CompareCommand(first.strip(), second.strip())
    if name == "watch":
        if arg.lower() in {"on", "off"}:
            return WatchCommand(arg.lower() == "on")
        return HelpCommand("`watch` takes `on` or `off`.")
    if name in {"follow", "unfollow", "following"}:
        return _follow_command(name, arg)
    if name == "digest":
        match arg.lower():
            case "here":
                return DigestCommand("here")
            case "off":
                return DigestCommand("off")
            case "now":
                return DigestCommand("now")
        return HelpCommand("`digest` takes `here`, `off` or `now`.")
    return HelpCommand(f"I don't know `{escape_mrkdwn(truncate(head, 40))}`.")


def _follow_command(name: str, arg: str) -> FollowCommand | UnfollowCommand | FollowingCommand:
    """``follow <speaker>``, ``unfollow <speaker>``, ``following``: an empty name is the service's
    to refuse, in one line."""
    if name == "follow":
        return FollowCommand(arg)
    if name == "unfollow":
        return UnfollowCommand(arg)
    return FollowingCommand()


# -------------------------------------------------------------------- message events
@dataclass(frozen=True, slots=True)
class WatchedMessage:
    """A channel message that may carry an article, reduced to what the watch needs."""

    channel: str
    ts: str  # the message's own timestamp (its id)
    reply_thread_ts: str  # where our reply goes: the message's thread, or a new one under it
    text: str  # plain text
    edited: bool = False
    user: str | None = None

    @property
    def delivery_key(self) -> str:
        """Durable dedupe key: one reply per message, and one per distinct edited text."""
        base = f"message:{self.channel}:{self.ts}"
        if not self.edited:
            return base
        digest = hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:16]
        return f"{base}:edit:{digest}"

    @property
    def original_key(self) -> str:
        return f"message:{self.channel}:{self.ts}"


_PLAIN_SUBTYPES = frozenset({None, "file_share", "thread_broadcast", "me_message"})


def watched_message(event: Mapping[str, Any]) -> WatchedMessage | None:
    """A ``message`` event → the message to consider, or None for everything we ignore.

    Ignored: bot messages (ours included), joins and other system subtypes, deletions
    (stored statements stay: see README), and edits that did not change the text (link
    unfurls arrive as edits too).
    """
    subtype = event.get("subtype")
    channel = event.get("channel")
    if not channel:
        return None
    if subtype == "message_changed":
        new = event.get("message") or {}
        old = event.get("previous_message") or {}
        if _from_bot(new) or not new.get("ts"):
            return None
        new_text, old_text = slack_to_plain(new.get("text") or ""), slack_to_plain(old.get("text") or "")
        if new_text.strip() == old_text.strip():
            return None
        return WatchedMessage(
            channel=channel,
            ts=new["ts"],
            reply_thread_ts=new.get("thread_ts") or new["ts"],
            text=new_text,
            edited=True,
            user=new.get("user"),
        )
    if subtype not in _PLAIN_SUBTYPES or _from_bot(event) or not event.get("ts"):
        return None
    return WatchedMessage(
        channel=channel,
        ts=event["ts"],
        reply_thread_ts=event.get("thread_ts") or event["ts"],
        text=slack_to_plain(event.get("text") or ""),
        user=event.get("user"),
    )


def _from_bot(message: Mapping[str, Any]) -> bool:
    return (
        bool(message.get("bot_id") or message.get("bot_profile")) or message.get("subtype") == "bot_message"
    )


# ============================================================================ output
@dataclass(frozen=True, slots=True)
class SlackMessage:
    blocks: list[Block]
    text: str  # plain fallback for notifications
    response_type: Literal["in_channel", "ephemeral"] = "ephemeral"
    extra: dict[str, Any] = field(default_factory=dict)

    def as_kwargs(self) -> dict[str, Any]:
        return {"blocks": self.blocks, "text": self.text, **self.extra}


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": truncate(text, MAX_SECTION_CHARS)}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": truncate(text, MAX_CONTEXT_CHARS)}]}


def _header(text: str) -> Block:
    return {
        "type": "header",
        "text": {"type": "plain_text", "text": truncate(text, MAX_HEADER_CHARS) or "claimbot", "emoji": True},
    }


def _divider() -> Block:
    return {"type": "divider"}


def _overflow(hidden: int) -> Block:
    return _context(f"… and {hidden} more — {SEARCH_HINT}")


def _fallback(*parts: str) -> str:
    return truncate(" — ".join(p for p in parts if p), MAX_FALLBACK_CHARS)


class _BlockBudget:
    """Adds blocks while keeping one slot free for the overflow line."""

    def __init__(self, blocks: list[Block], limit: int = MAX_BLOCKS) -> None:
        self.blocks = blocks
        self.limit = limit

    def fits(self, n: int) -> bool:
        return len(self.blocks) + n <= self.limit - 1

    def close(self, hidden: int) -> list[Block]:
        if hidden:
            self.blocks.append(_overflow(hidden))
        return self.blocks


def message_text(
    text: str, *, response_type: Literal["in_channel", "ephemeral"] = "ephemeral"
) -> SlackMessage:
    return SlackMessage(
        blocks=[_section(escape_mrkdwn(text))],
        text=truncate(text, MAX_FALLBACK_CHARS),
        response_type=response_type,
    )


def error_text(exc: BaseException) -> str | None:
    """What to tell the user about a failure, or None for our own bugs (log, then apologise)."""
    if isinstance(exc, BadInput):
        return exc.reason
    if isinstance(exc, QueueFull):
        return "I'm busy checking other articles right now; please try again in a minute."
    if isinstance(exc, StorageUnavailable):
        return "The database is unavailable, try again shortly."
    if isinstance(exc, SlackApiError) and exc.response.get("error") in _NOT_MEMBER_ERRORS:
        return "I can't post in this channel: invite me with `/invite @claimbot` and try again."
    return None


_NOT_MEMBER_ERRORS = frozenset({"not_in_channel", "channel_not_found"})


# ------------------------------------------------------------------------ check report
_STATUS_EMOJI = {Status.NEW: ":new:", Status.REPEAT: ":repeat:", Status.CHANGED: ":warning:"}


def _item_text(item: SummaryItem) -> str:
    lines = [f"*{escape_mrkdwn(item.who)}*: {escape_mrkdwn(item.quoted())}"]
    context = item.context_line()
    if context:
        lines.append(f"_{escape_mrkdwn(context)}_")
    if item.fact_check:
        lines.append(_fact_check_text(item.fact_check))
    if item.link and item.status is not Status.NEW:
        when = f"{item.first_seen:%Y-%m-%d}" if item.first_seen else "before"
        lines.append(_link(item.link, f"first seen {when}"))
    return "\n".join(lines)


def _fact_check_text(fact_check: FactCheck) -> str:
    """ ":mag: *Fact-checked by PolitiFact: False* — <url|read the fact-check>" """
    line = f":mag: *{escape_mrkdwn(fact_check_words(fact_check))}*"
    return line + (f" — {_link(fact_check.url, 'read the fact-check')}" if fact_check.url else "")


def report_message(report: CheckReport, *, intro: str | None = None) -> SlackMessage:
    """A check report → header, counts, then changed / repeated / new sections."""
    view = build_report_view(report)
    counts = view.counts_line
    context_bits = [escape_mrkdwn(counts)]
    if view.article_link:
        context_bits.append(_link(view.article_link, "source"))
    blocks: list[Block] = [_header(view.title), _context(" · ".join(context_bits))]
    if intro:
        blocks.append(_context(escape_mrkdwn(intro)))
    for note in view.notes:
        blocks.append(_context(f":information_source: {escape_mrkdwn(note)}"))
    budget = _BlockBudget(blocks)
    shown = 0
    for status in STATUS_ORDER:
        items = view.by_status(status)
        if not items:
            continue
        # a heading is only worth its slot if at least one item fits under it
        if not budget.fits(2):
            break
        blocks.append(_section(f"{_STATUS_EMOJI[status]} *{STATUS_HEADINGS[status]}* ({len(items)})"))
        for item in items:
            if not budget.fits(1):
                break
            blocks.append(_section(_item_text(item)))
            shown += 1
    budget.close(len(view.items) - shown)
    title = view.title
    return SlackMessage(blocks=blocks, text=_fallback(title, counts), response_type="in_channel")


def without_self_matches(report: CheckReport, permalink: str | None) -> tuple[CheckReport, int]:
    """Drops statements whose only news is that this same message said them before.

    Used for edited messages: comparing the edit with its own earlier version would
    report every unchanged statement as "repeated"; only what the edit changed is news.
    """
    if not permalink:
        return report, 0
    kept = tuple(c for c in report.claims if not (c.match is not None and c.match.claim.source == permalink))
    dropped = len(report.claims) - len(kept)
    return replace(report, claims=kept, summary=summarise(kept)), dropped


# ------------------------------------------------------------------- search & timeline
def _claim_line(claim: StoredClaim, extra: str | None = None) -> str:
    who = escape_mrkdwn(attributed(claim.speaker or "(unattributed)", claim.stance))
    bits = [f"first seen {claim.first_seen:%Y-%m-%d}"]
    if claim.mentions > 1:
        bits.append(f"{claim.mentions} mentions")
    if extra:
        bits.append(extra)
    tail = " · ".join(bits)
    if claim.source:
        tail += " · " + _link(claim.source, "source")
    if claim.fact_check:
        tail += "\n" + _fact_check_text(claim.fact_check)
    return f"*{who}*: {escape_mrkdwn(claim.text)}\n{tail}"


def search_message(query: str, hits: Sequence[SearchHit]) -> SlackMessage:
    title = f"Search: {query}"
    if not hits:
        return SlackMessage(
            blocks=[_header(title), _section(f"Nothing found for _{escape_mrkdwn(truncate(query, 200))}_.")],
            text=_fallback(title, "nothing found"),
        )
    nothing = nothing_close_line(query, hits)
    if nothing:
        return SlackMessage(
            blocks=[_header(title), _section(escape_mrkdwn(nothing))],
            text=_fallback(title, "nothing close found"),
        )
    hits = close_hits(hits)
    blocks: list[Block] = [_header(title), _context(f"{len(hits)} result{'s' if len(hits) != 1 else ''}")]
    budget = _BlockBudget(blocks)
    shown = 0
    for hit in hits:
        if not budget.fits(1):
            break
        blocks.append(_section(_claim_line(hit.claim, f"similarity {hit.score:.2f}")))
        shown += 1
    budget.close(len(hits) - shown)
    return SlackMessage(blocks=blocks, text=_fallback(title, f"{len(hits)} results"))


def timeline_message(name: str, found: tuple[Speaker, Sequence[StoredClaim]] | None) -> SlackMessage:
    if found is None:
        return SlackMessage(
            blocks=[
                _section(f"No statements by _{escape_mrkdwn(truncate(name, 200))}_ have been seen here yet.")
            ],
            text=f"No statements by {truncate(name, 200)} yet",
        )
    speaker, claims = found
    title = f"{speaker.name}: {len(claims)} statement{'s' if len(claims) != 1 else ''}"
    blocks: list[Block] = [_header(title)]
    if speaker.aliases:
        blocks.append(_context("Also called: " + escape_mrkdwn(", ".join(speaker.aliases[:10]))))
    budget = _BlockBudget(blocks)
    shown = 0
    for claim in claims:
        if not budget.fits(1):
            break
        blocks.append(_section(_claim_line(claim)))
        shown += 1
    budget.close(len(claims) - shown)
    return SlackMessage(blocks=blocks, text=_fallback(title))


_VERDICT_WORDS = {
    Verdict.REPEAT: ":repeat: Same claim (a repeat)",
    Verdict.CHANGED: ":warning: Same topic, changed claim",
    Verdict.DIFFERENT: ":heavy_minus_sign: Different claims",
}


def comparison_message(first: str, second: str, comparison: Comparison) -> SlackMessage:
    verdict = _VERDICT_WORDS[comparison.verdict]
    lines = [
        f"*{verdict}* · similarity {comparison.similarity:.2f}",
        f"1. {escape_mrkdwn(truncate(first, 1000))}",
        f"2. {escape_mrkdwn(truncate(second, 1000))}",
    ]
    blocks = [_section("\n".join(lines))]
    if comparison.reasons:
        blocks.append(_context(escape_mrkdwn("; ".join(comparison.reasons))))
    return SlackMessage(
        blocks=blocks, text=_fallback(verdict.split(" ", 1)[1], f"{comparison.similarity:.2f}")
    )


def help_message(problem: str | None = None) -> SlackMessage:
    lines = [f"`/claims {usage}` — {what}" for usage, what in USAGE]
    blocks: list[Block] = []
    if problem:
        blocks.append(_section(problem))
    blocks.append(
        _section("*claimbot* tracks who said what in the articles shared here.\n" + "\n".join(lines))
    )
    return SlackMessage(
        blocks=blocks,
        text=_fallback(
            problem or "",
            "claimbot help: /claims check, search, speaker, compare, watch, digest, follow, following",
        ),
    )


# ============================================================================ follows
def alert_message(alert: FollowAlert) -> SlackMessage:
    """A follow alert → Block Kit: who, what they said now, what before, and why (``bot.follows``)."""
    text = alert_text(alert)
    now = escape_mrkdwn(text.now) + (f"\n{_link(text.now_link, 'source')}" if text.now_link else "")
    before = escape_mrkdwn(text.before) + (
        f"\n{_link(text.before_link, 'source')}" if text.before_link else ""
    )
    blocks: list[Block] = [_section(f":bell: *{escape_mrkdwn(text.title)}*"), _section(now), _section(before)]
    if text.why:
        why = "*Why:* " + escape_mrkdwn(" · ".join(text.why))
        if text.fact_check_link:
            why += f" — {_link(text.fact_check_link, 'read the fact-check')}"
        blocks.append(_section(why))
    return SlackMessage(
        blocks=blocks, text=truncate(alert_plain(alert), MAX_FALLBACK_CHARS), response_type="in_channel"
    )


def following_message(follows: Sequence[Follow]) -> SlackMessage:
    """``/claims following``: every follow of the workspace, with the channel its alerts go to."""
    if not follows:
        return message_text(NO_FOLLOWS)
    lines = []
    for follow in sorted_follows(follows):
        who, since = follow_parts(follow)
        where = f"<#{follow.channel_id}>" if _CHANNEL_ID.fullmatch(follow.channel_id) else follow.channel_id
        lines.append(f"• {escape_mrkdwn(who)} → {where}, {since}")
    title = f"Following {plural(len(follows), 'speaker')}"
    return SlackMessage(blocks=[_section(f"*{title}*\n" + "\n".join(lines))], text=_fallback(title))


_CHANNEL_ID = re.compile(r"[A-Z0-9]+")


# ============================================================================ digest
def digest_message(digest: Digest, *, top_speakers: int = 10) -> SlackMessage:
    """A weekly digest → Block Kit, using the shared wording of ``bot.digest_text``.

    An empty week is one line, not silence.
    """
    zone = digest.start.tzinfo
    if digest.empty:
        line = words.empty_line(digest)
        return SlackMessage(blocks=[_section(escape_mrkdwn(line))], text=line, response_type="in_channel")
    blocks: list[Block] = [_header(words.title(digest)), _context(escape_mrkdwn(words.counts_line(digest)))]
    fact_checked = words.fact_checked_line(digest)
    if fact_checked:
        blocks.append(_context(":mag: " + escape_mrkdwn(fact_checked)))
    budget = _BlockBudget(blocks)
    hidden = 0
    if digest.by_speaker:
        lines = [f"• {escape_mrkdwn(words.speaker_line(a))}" for a in digest.by_speaker[:top_speakers]]
        more = len(digest.by_speaker) - top_speakers
        if more > 0:
            lines.append(f"… and {more} more speakers")
        blocks.append(_section("*New claims by speaker*\n" + "\n".join(lines)))
    sections: list[tuple[str, list[str]]] = [
        (
            "*Most repeated*",
            [
                escape_mrkdwn(words.repeat_line(item, zone))
                + (f" · {_link(item.link, 'first seen')}" if item.link else "")
                for item in digest.repeated
            ],
        ),
        ("*Changed*", [escape_mrkdwn(words.changed_line(item, zone)) for item in digest.changed]),
    ]
    for heading, lines in sections:
        if not lines:
            continue
        if not budget.fits(3):
            hidden += len(lines)
            continue
        blocks += [_divider(), _section(heading)]
        for i, line in enumerate(lines):
            if not budget.fits(1):
                hidden += len(lines) - i
                break
            blocks.append(_section(line))
    budget.close(hidden)
    return SlackMessage(
        blocks=blocks,
        text=truncate(words.render_plain(digest), MAX_FALLBACK_CHARS),
        response_type="in_channel",
    )
