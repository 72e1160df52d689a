"""Rich rendering of core results for the terminal (the console adapter's only output code)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from bot.follows import NO_FOLLOWS, Follow, FollowAlert, alert_text, follow_parts, sorted_follows
from bot.known_speakers import names_to_show
from bot.models import CheckReport, Comparison, SearchHit, Speaker, Status, StoredClaim, Verdict
from bot.search_score import close_hits, nothing_close_line
from bot.summary import attributed, build_report_view, fact_check_words, stance_prefix

STATUS_STYLE = {Status.NEW: "green", Status.REPEAT: "yellow", Status.CHANGED: "bold red"}
VERDICT_STYLE = {Verdict.REPEAT: "yellow", Verdict.CHANGED: "bold red", Verdict.DIFFERENT: "green"}


def print_report(console: Console, report: CheckReport, *, source: str) -> None:
    view = build_report_view(report)
    subtitle = escape(view.article_link or source)
    console.print(
        Panel(
            f"[bold]{escape(view.counts_line)}[/bold]",
            title=escape(view.title),
            subtitle=subtitle,
            expand=False,
        )
    )
    for note in view.notes:
        console.print(f"[dim]note:[/dim] {escape(note)}")
    if not view.items:
        return
    table = Table(show_lines=True, expand=True)
    table.add_column("status", no_wrap=True)
    table.add_column("speaker", ratio=1)
    table.add_column("statement", ratio=3)
    table.add_column("seen before", ratio=2)
    for item in view.items:
        before = escape(item.context_line() or "")
        if item.fact_check:
            before += f"\n[bold]{escape(fact_check_words(item.fact_check))}[/bold]"
        if item.link:
            before += f"\n[link={escape(item.link)}]{escape(item.link)}[/link]"
        mentions = f" [dim](×{item.mentions})[/dim]" if item.mentions > 1 else ""
        table.add_row(
            f"[{STATUS_STYLE[item.status]}]{item.status.value}[/]",
            escape(item.who),
            escape(item.quoted()) + mentions,
            before,
        )
    console.print(table)


def print_search(console: Console, query: str, hits: Sequence[SearchHit]) -> None:
    if not hits:
        console.print(f"No stored claim matches “{escape(query)}”.")
        return
    nothing = nothing_close_line(query, hits)
    if nothing:
        console.print(escape(nothing))
        return
    shown = close_hits(hits)
    hidden = len(hits) - len(shown)
    hits = shown
    table = Table(title=f"Claims like “{escape(query)}”", expand=True)
    table.add_column("similarity", justify="right", no_wrap=True)
    table.add_column("speaker", ratio=1)
    table.add_column("statement", ratio=4)
    table.add_column("first seen", no_wrap=True)
    table.add_column("source", ratio=2)
    for hit in hits:
        c = hit.claim
        table.add_row(
            f"{hit.score:.2f}",
            escape(attributed(c.speaker or "—", c.stance)),
            escape(c.text) + _verdict_below(c),
            f"{c.first_seen:%Y-%m-%d}",
            escape(c.source or c.external_id or ""),
        )
    console.print(table)
    if hidden:
        more = f"{hidden} further result{'s' if hidden != 1 else ''}"
        console.print(f"[dim]{more} not close enough to show[/dim]")


def _verdict_below(claim: StoredClaim) -> str:
    """A fact-checked claim's verdict on its own line under the statement (markup), or ""."""
    return f"\n[bold]{escape(fact_check_words(claim.fact_check))}[/bold]" if claim.fact_check else ""


def print_comparison(console: Console, comparison: Comparison) -> None:
    style = VERDICT_STYLE[comparison.verdict]
    judged = f", judge {comparison.judge:.2f}" if comparison.judge is not None else ""
    console.print(f"[{style}]{comparison.verdict.value}[/] (similarity {comparison.similarity:.2f}{judged})")
    for reason in comparison.reasons:
        console.print(f"  • {escape(reason)}")


def print_speakers(console: Console, speakers: Sequence[Speaker]) -> None:
    if not speakers:
        console.print("No speakers stored yet.")
        return
    table = Table(title="Speakers")
    table.add_column("name")
    table.add_column("kind")
    table.add_column("also called")
    for s in sorted(speakers, key=lambda s: s.name.casefold()):
        table.add_row(escape(s.name), s.kind.value, escape(", ".join(names_to_show(s))))
    console.print(table)


def print_timeline(console: Console, speaker: Speaker, claims: Sequence[StoredClaim]) -> None:
    table = Table(title=f"{escape(speaker.name)}: {len(claims)} statements", expand=True)
    table.add_column("first seen", no_wrap=True)
    table.add_column("statement", ratio=4)
    table.add_column("×", justify="right")
    table.add_column("source", ratio=2)
    for c in claims:
        table.add_row(
            f"{c.first_seen:%Y-%m-%d}",
            escape(stance_prefix(c.stance) + c.text) + _verdict_below(c),
            str(c.mentions),
            escape(c.source or ""),
        )
    console.print(table)


def print_alert(console: Console, alert: FollowAlert) -> None:
    """A follow alert: who, what they said now and before (with links), and why."""
    text = alert_text(alert)
    lines = [f"[bold]{escape(text.now)}[/bold]"]
    if text.now_link:
        lines.append(f"  [dim]{escape(text.now_link)}[/dim]")
    lines.append(escape(text.before))
    if text.before_link:
        lines.append(f"  [dim]{escape(text.before_link)}[/dim]")
    if text.why:
        lines.append("Why: " + escape(" · ".join(text.why)))
    if text.fact_check_link:
        lines.append(f"  [dim]{escape(text.fact_check_link)}[/dim]")
    console.print(Panel("\n".join(lines), title=f"🔔 {escape(text.title)}", title_align="left", expand=False))


def print_follows(console: Console, follows: Sequence[Follow], *, here: str) -> None:
    """The tenant's follows; ``here`` is the console's own channel (shown as "this console")."""
    if not follows:
        console.print(NO_FOLLOWS)
        return
    for follow in sorted_follows(follows):
        who, since = follow_parts(follow)
        where = (
            "this console" if follow.channel_id == here else f"{follow.platform} channel {follow.channel_id}"
        )
        console.print(f"{escape(who)} → {escape(where)}, {since}", highlight=False)
