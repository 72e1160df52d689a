"""The one translation module: Discord objects → core calls, core results → embeds.

Everything here is a pure function (no network, no event loop): the cog and the digest
poster call these, the unit tests call them directly. Discord's embed limits are enforced
here and only here.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import discord

from bot import digest_text
from bot.errors import STORAGE_UNAVAILABLE_REPLY, BadInput, QueueFull, StorageUnavailable
from bot.follows import (
    NO_FOLLOWS,
    Follow,
    FollowAlert,
    alert_text,
    follow_parts,
    followed_line,
    sorted_follows,
    unfollowed_line,
)
from bot.known_speakers import names_to_show
from bot.links import article_source, find_urls
from bot.models import (
    CheckReport,
    Comparison,
    Digest,
    FactCheck,
    Origin,
    SearchHit,
    Speaker,
    Status,
    StoredClaim,
    Verdict,
)
from bot.search_score import close_hits, nothing_close_line
from bot.summary import (
    STATUS_HEADINGS,
    SummaryItem,
    attributed,
    build_report_view,
    fact_check_words,
    truncate,
)

log = logging.getLogger(__name__)

PLATFORM = "discord"

# Discord's documented embed limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits)
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELDS_LIMIT = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
TOTAL_LIMIT = 6000  # all embeds of one message together
EMBEDS_PER_MESSAGE = 10
MESSAGE_CONTENT_LIMIT = 2000
THREAD_NAME_LIMIT = 100

# Below the hard limits on purpose: a 1,024-character claim is unreadable on a phone.
CLAIM_TEXT_CHARS = 600
FIELDS_PER_EMBED = 10
OVERFLOW_RESERVE = 160  # room kept for the "…and N more" pointer

COLOUR_NEW = discord.Colour.green()
COLOUR_REPEAT = discord.Colour.gold()
COLOUR_CHANGED = discord.Colour.red()
COLOUR_NEUTRAL = discord.Colour.blurple()

APOLOGY = "Sorry, something went wrong on our side. It has been logged; please try again later."
DATABASE_DOWN = STORAGE_UNAVAILABLE_REPLY
WATCH_UNAVAILABLE = (
    "Channel watch is unavailable: this bot was started without the privileged Message Content "
    "intent, so it cannot read messages. Enable it in the Developer Portal (Bot → Privileged "
    "Gateway Intents → Message Content Intent) and restart the bot. `/claims check` and the "
    "“Check claims” message menu keep working."
)


# ---------------------------------------------------------------------------- core calls
def tenant_for_guild(guild_id: int) -> str:
    """Each guild is its own tenant; nothing crosses between them."""
    return f"{PLATFORM}:{guild_id}"


def delivery_key(message_id: int) -> str:
    """Durable dedupe key of a gateway message (RESUME replays carry the same id)."""
    return f"{PLATFORM}:message:{message_id}"


def message_origin(*, channel_id: int, message_id: int | None, jump_url: str | None) -> Origin:
    return Origin(
        platform=PLATFORM,
        channel_id=str(channel_id),
        message_id=str(message_id) if message_id is not None else None,
        permalink=jump_url,
    )


def check_source(*, text: str | None, link: str | None) -> str:
    """The ``/claims check`` options → the one source to read (exactly one must be given)."""
    text = (text or "").strip()
    link = (link or "").strip()
    if text and link:
        raise BadInput("give either `text` or `link`, not both")
    if not text and not link:
        raise BadInput("give the article text (`text`) or a link to it (`link`)")
    if link:
        urls = find_urls(link)
        if not urls:
            raise BadInput("that `link` is not an http(s) URL")
        return urls[0]
    return text


def message_source(content: str, *, min_chars: int) -> str:
    """The "Check claims" message menu: a short message with a link means the linked article."""
    text = content.strip()
    if not text:
        raise BadInput("that message has no text I can read (embeds and attachments are not checked)")
    return article_source(text, min_chars=min_chars) or text


# ---------------------------------------------------------------------------- errors
@dataclass(frozen=True, slots=True)
class ErrorReply:
    text: str
    internal: bool  # True: log with context; the user gets the apology


def error_reply(exc: BaseException) -> ErrorReply:
    """Maps an exception to what the user sees (always ephemeral)."""
    if isinstance(exc, BadInput):
        return ErrorReply(_sentence(exc.reason), internal=False)
    if isinstance(exc, QueueFull):
        return ErrorReply(
            "I'm busy checking other articles right now and my queue is full. "
            "Nothing was stored; please try again in a minute.",
            internal=False,
        )
    if isinstance(exc, StorageUnavailable):
        return ErrorReply(DATABASE_DOWN, internal=False)
    return ErrorReply(APOLOGY, internal=True)


def _sentence(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        return "I can't check that."
    reason = reason[0].upper() + reason[1:]
    return truncate(reason if reason.endswith((".", "!", "?")) else reason + ".", MESSAGE_CONTENT_LIMIT)


# ---------------------------------------------------------------------------- embeds
def embeds_size(embeds: Sequence[discord.Embed]) -> int:
    """Characters Discord counts towards the 6,000 limit (titles, descriptions, fields, footers)."""
    return sum(len(e) for e in embeds)


def within_limits(embeds: Sequence[discord.Embed]) -> bool:
    if not 1 <= len(embeds) <= EMBEDS_PER_MESSAGE or embeds_size(embeds) > TOTAL_LIMIT:
        return False
    for e in embeds:
        if len(e.title or "") > TITLE_LIMIT or len(e.description or "") > DESCRIPTION_LIMIT:
            return False
        if len(e.fields) > FIELDS_LIMIT or len(e.footer.text or "") > FOOTER_LIMIT:
            return False
        for f in e.fields:
            if len(f.name or "") > FIELD_NAME_LIMIT or len(f.value or "") > FIELD_VALUE_LIMIT:
                return False
    return True


def _link(url: str | None) -> str | None:
    # Only web links become Markdown links; anything else could break the embed.
    if url and url.startswith(("https://", "http://")) and ")" not in url and " " not in url:
        return url
    return None


def _escape(text: str) -> str:
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


def _day(when: datetime | None) -> str:
    return f"{when:%Y-%m-%d}" if when else "earlier"


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    value: str


class _Packer:
    """Fills embeds with fields within every limit; what does not fit is counted as overflow."""

    def __init__(self, head: discord.Embed, *, colour: discord.Colour) -> None:
        self.embeds = [head]
        self.colour = colour
        self.overflow = 0

    def add(self, field: _Field) -> None:
        name = truncate(field.name, FIELD_NAME_LIMIT)
        value = truncate(field.value, FIELD_VALUE_LIMIT)
        if self.overflow:
            self.overflow += 1
            return
        current = self.embeds[-1]
        needs_new = len(current.fields) >= FIELDS_PER_EMBED
        cost = len(name) + len(value)
        if embeds_size(self.embeds) + cost > TOTAL_LIMIT - OVERFLOW_RESERVE or (
            needs_new and len(self.embeds) >= EMBEDS_PER_MESSAGE
        ):
            self.overflow += 1
            return
        if needs_new:
            current = discord.Embed(colour=self.colour)
            self.embeds.append(current)
        current.add_field(name=name, value=value, inline=False)

    def finish(self, pointer: str) -> list[discord.Embed]:
        if self.overflow:
            self.embeds[-1].set_footer(text=truncate(pointer.format(n=self.overflow), FOOTER_LIMIT))
        return self.embeds


def _item_field(item: SummaryItem) -> _Field:
    heading = STATUS_HEADINGS[item.status]
    name = f"{heading} · {item.who}"
    if item.mentions > 1:
        name += f" (×{item.mentions})"
    lines = [_escape(truncate(item.quoted(), CLAIM_TEXT_CHARS))]
    context = item.context_line()
    if context:
        lines.append(f"↳ {_escape(truncate(context, CLAIM_TEXT_CHARS))}")
    if item.fact_check:
        lines.append(_fact_check_text(item.fact_check))
    link = _link(item.link)
    if item.status is not Status.NEW:
        when = f"first seen {_day(item.first_seen)}"
        lines.append(f"[{when}]({link})" if link else when)
    return _Field(name=name, value="\n".join(lines))


def _fact_check_text(fact_check: FactCheck) -> str:
    """ "🔎 **Fact-checked by PolitiFact: False** — [read the fact-check](url)" """
    line = f"\N{RIGHT-POINTING MAGNIFYING GLASS} **{_escape(fact_check_words(fact_check))}**"
    link = _link(fact_check.url)
    return line + (f" — [read the fact-check]({link})" if link else "")


def report_embeds(report: CheckReport) -> list[discord.Embed]:
    """A check result as embeds: counts first, then changed, repeated and new statements."""
    view = build_report_view(report)
    colour = COLOUR_NEW
    if view.by_status(Status.CHANGED):
        colour = COLOUR_CHANGED
    elif view.by_status(Status.REPEAT):
        colour = COLOUR_REPEAT
    description = [view.counts_line, *(f"• {_escape(n)}" for n in view.notes)]
    head = discord.Embed(
        title=truncate(view.title, TITLE_LIMIT),
        url=_link(view.article_link),
        description=truncate("\n".join(description), DESCRIPTION_LIMIT),
        colour=colour,
    )
    packer = _Packer(head, colour=colour)
    for item in view.items:
        packer.add(_item_field(item))
    return packer.finish("…and {n} more statements (stored): look them up with /claims search.")


def search_embeds(query: str, hits: Sequence[SearchHit]) -> list[discord.Embed]:
    nothing = nothing_close_line(query, hits)
    hits = close_hits(hits)
    head = discord.Embed(
        title=truncate(f"Search: {query}", TITLE_LIMIT),
        description=truncate(
            _escape(nothing)
            if nothing
            else f"{len(hits)} matching statement{'s' if len(hits) != 1 else ''}"
            if hits
            else "No stored statement matches that search in this server.",
            DESCRIPTION_LIMIT,
        ),
        colour=COLOUR_NEUTRAL,
    )
    packer = _Packer(head, colour=COLOUR_NEUTRAL)
    for hit in hits:
        packer.add(_stored_field(hit.claim, extra=f"similarity {hit.score:.2f}"))
    return packer.finish("…and {n} more: narrow the search or lower `top`.")


def _stored_field(claim: StoredClaim, *, extra: str | None = None) -> _Field:
    who = attributed(claim.speaker or "(unattributed)", claim.stance)
    name = f"{who} · {_day(claim.first_seen)}" + (f" · {extra}" if extra else "")
    if claim.mentions > 1:
        name += f" · seen {claim.mentions}×"
    value = _escape(truncate(claim.text, CLAIM_TEXT_CHARS))
    link = _link(claim.source)
    if link:
        value += f"\n[first seen here]({link})"
    elif claim.source:  # not a web link: a file check's "file:budget.txt"
        value += f"\nfirst seen in {_escape(claim.source)}"
    if claim.fact_check:
        value += "\n" + _fact_check_text(claim.fact_check)
    return _Field(name=name, value=value)


def timeline_embeds(speaker: Speaker, claims: Sequence[StoredClaim]) -> list[discord.Embed]:
    also = names_to_show(speaker)
    aliases = f"Also called: {', '.join(also)}\n" if also else ""
    head = discord.Embed(
        title=truncate(f"Statements by {speaker.name}", TITLE_LIMIT),
        description=truncate(
            aliases + (f"{len(claims)} stored statements, oldest first" if claims else "No statements yet."),
            DESCRIPTION_LIMIT,
        ),
        colour=COLOUR_NEUTRAL,
    )
    packer = _Packer(head, colour=COLOUR_NEUTRAL)
    for claim in sorted(claims, key=lambda c: c.first_seen):
        packer.add(_stored_field(claim))
    return packer.finish("…and {n} more: use /claims search with speaker to narrow them down.")


def unknown_speaker_embed(name: str, known: Sequence[Speaker]) -> discord.Embed:
    names = ", ".join(s.name for s in known[:40])
    return discord.Embed(
        title=truncate(f"No speaker called {name}", TITLE_LIMIT),
        description=truncate(
            f"Known speakers in this server: {names}"
            if names
            else "No speakers are stored in this server yet.",
            DESCRIPTION_LIMIT,
        ),
        colour=COLOUR_NEUTRAL,
    )


VERDICT_WORDS = {
    Verdict.REPEAT: "Same statement (a repeat)",
    Verdict.CHANGED: "Changed statement",
    Verdict.DIFFERENT: "Different statements",
}


def compare_embed(first: str, second: str, comparison: Comparison) -> discord.Embed:
    colour = {Verdict.REPEAT: COLOUR_REPEAT, Verdict.CHANGED: COLOUR_CHANGED}.get(
        comparison.verdict, COLOUR_NEUTRAL
    )
    embed = discord.Embed(
        title=VERDICT_WORDS[comparison.verdict],
        description=f"Similarity {comparison.similarity:.2f}",
        colour=colour,
    )
    embed.add_field(name="First", value=_escape(truncate(first, CLAIM_TEXT_CHARS)), inline=False)
    embed.add_field(name="Second", value=_escape(truncate(second, CLAIM_TEXT_CHARS)), inline=False)
    if comparison.reasons:
        embed.add_field(
            name="Why",
            value=truncate("\n".join(f"• {r}" for r in comparison.reasons), FIELD_VALUE_LIMIT),
            inline=False,
        )
    return embed


HELP_TEXT = (
    "I track who said what in news articles and tell you which statements are **new**, "
    "**repeated** (also when reworded) or **changed**.\n\n"
    "`/claims check text|link` — check an article (paste it or give a link)\n"
    "`/claims search query [speaker] [top]` — find stored statements\n"
    "`/claims speaker name` — a speaker's statements over time\n"
    "`/claims compare first second` — is the second a repeat or a change of the first?\n"
    "`/claims watch on|off [channel]` — check every article or link pasted in a channel "
    "(Manage Server)\n"
    "`/claims digest here|off|now` — weekly digest in this channel (Manage Server)\n"
    "`/claims follow speaker` — an alert here when they change a statement or repeat a "
    "fact-checked claim; `/claims unfollow speaker`, `/claims following`\n"
    "Message menu **Apps → Check claims** — check any message.\n\n"
    "Each server has its own store: nothing is shared between servers."
)


def help_embed(*, watch_available: bool) -> discord.Embed:
    text = HELP_TEXT if watch_available else HELP_TEXT + "\n\n⚠️ " + WATCH_UNAVAILABLE
    return discord.Embed(title="Claim tracker", description=text, colour=COLOUR_NEUTRAL)


def thread_name(report: CheckReport) -> str:
    view = build_report_view(report)
    return truncate(f"Claims: {view.title}", THREAD_NAME_LIMIT)


# ---------------------------------------------------------------------------- follows
COLOUR_ALERT = discord.Colour.orange()


def alert_embed(alert: FollowAlert) -> discord.Embed:
    """A follow alert: who (title), what they said now and before (with links), and why."""
    text = alert_text(alert)
    embed = discord.Embed(
        title=truncate(f"\N{BELL} {text.title}", TITLE_LIMIT), url=_link(text.now_link), colour=COLOUR_ALERT
    )
    for name, line, url in (("Now", text.now, text.now_link), ("Before", text.before, text.before_link)):
        value = _escape(truncate(line, CLAIM_TEXT_CHARS))
        link = _link(url)
        if link:
            value += f"\n[source]({link})"
        elif url:  # not a web link: a file check's "file:budget.txt"
            value += f"\n{_escape(url)}"
        embed.add_field(name=name, value=truncate(value, FIELD_VALUE_LIMIT), inline=False)
    if text.why:
        why = _escape(" · ".join(text.why))
        link = _link(text.fact_check_link)
        if link:
            why += f" — [read the fact-check]({link})"
        embed.add_field(name="Why", value=truncate(why, FIELD_VALUE_LIMIT), inline=False)
    return embed


def followed_text(speaker: Speaker) -> str:
    return truncate(_escape(followed_line(speaker)), MESSAGE_CONTENT_LIMIT)


def unfollowed_text(speaker: Speaker) -> str:
    return truncate(_escape(unfollowed_line(speaker)), MESSAGE_CONTENT_LIMIT)


def following_embed(follows: Sequence[Follow]) -> discord.Embed:
    """``/claims following``: the server's follows and the channel each posts to."""
    if not follows:
        return discord.Embed(description=NO_FOLLOWS, colour=COLOUR_NEUTRAL)
    lines = []
    for follow in sorted_follows(follows):
        who, since = follow_parts(follow)
        where = f"<#{follow.channel_id}>" if follow.channel_id.isdigit() else _escape(follow.channel_id)
        lines.append(f"• {_escape(who)} → {where}, {since}")
    return discord.Embed(
        title=f"Following {len(follows)} speaker{'s' if len(follows) != 1 else ''}",
        description=_lines_within(lines, DESCRIPTION_LIMIT),
        colour=COLOUR_NEUTRAL,
    )


# ---------------------------------------------------------------------------- digests
def digest_embeds(digest: Digest, *, image_name: str | None = None) -> list[discord.Embed]:
    """A weekly digest as embeds (wording from ``bot.digest_text``); ``image_name``: the attached chart."""
    if digest.empty:  # an empty week says so in one line
        return [discord.Embed(description=digest_text.empty_line(digest), colour=COLOUR_NEUTRAL)]
    zone = digest.start.tzinfo
    fact_checked = digest_text.fact_checked_line(digest)
    head = discord.Embed(
        title=truncate(digest_text.title(digest), TITLE_LIMIT),
        description=digest_text.counts_line(digest) + (f"\n{fact_checked}" if fact_checked else ""),
        colour=COLOUR_NEUTRAL,
    )
    if image_name:
        head.set_image(url=f"attachment://{image_name}")
    packer = _Packer(head, colour=COLOUR_NEUTRAL)
    if digest.by_speaker:
        lines = [_escape(digest_text.speaker_line(a)) for a in digest.by_speaker]
        packer.add(_Field(name="New claims by speaker", value=_lines_within(lines, FIELD_VALUE_LIMIT)))
    for rep in digest.repeated:
        link = _link(rep.link)
        value = _escape(digest_text.repeat_line(rep, zone)) + (f"\n[first seen]({link})" if link else "")
        packer.add(_Field(name=f"Repeated · {rep.claim.speaker or 'Unattributed'}", value=value))
    for ch in digest.changed:
        packer.add(
            _Field(
                name=f"Changed · {ch.speaker or 'Unattributed'}",
                value=_escape(digest_text.changed_line(ch, zone)),
            )
        )
    return packer.finish("…and {n} more: use /claims search to explore them.")


def _lines_within(lines: Sequence[str], limit: int) -> str:
    out: list[str] = []
    used = 0
    for i, line in enumerate(lines):
        left_after = len(lines) - i - 1
        reserve = len(f"…and {left_after + 1} more") + 1 if left_after else 0
        if used + len(line) + 1 + reserve > limit:
            out.append(f"…and {len(lines) - i} more")
            break
        out.append(line)
        used += len(line) + 1
    return truncate("\n".join(out), limit)
