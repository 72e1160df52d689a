"""``claimbot check``, ``compare``, ``search``, ``speakers`` and ``timeline``: reading articles
and statements against the store, and looking up what it holds.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from adapters.bootstrap import App
from adapters.console import render
from adapters.console.common import (
    EXIT_BAD_INPUT,
    DbOption,
    JsonOption,
    TenantOption,
    err,
    handles_errors,
    opened_app,
    out,
    parse_date,
)
from adapters.console.files import lines_of, read_jsonl
from adapters.console.follow_cmd import print_follow_alerts
from bot.errors import BadInput
from bot.models import ArticleInput, Origin
from bot.settings import load_settings
from bot.summary import comparison_to_dict, report_to_dict, search_hits_to_dict, stored_claim_to_dict

if TYPE_CHECKING:
    from bot.matching.compare import PairScorer
    from bot.ports import Encoder

# Reading a file far larger than the text limit only to refuse it wastes memory.
MAX_FILE_BYTES = 8 * 1024 * 1024


def _read_source(app: App, source: str, *, title: str | None, published: date | None) -> ArticleInput:
    from bot.links import is_url

    if is_url(source):
        return app.service.read_source(source, title=title, published=published)
    if source == "-":
        raw = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        where = "standard input"
        file_source = None
    else:
        path = Path(source)
        if not path.is_file():
            raise BadInput(
                f"{source}: no such file (give a text or HTML file, an http(s) URL, or - for stdin)"
            )
        if path.stat().st_size > MAX_FILE_BYTES:
            raise BadInput(
                f"{source} is {path.stat().st_size:,} bytes; the limit is about "
                f"{app.settings.max_text_chars:,} characters of text — split it"
            )
        raw = path.read_bytes()
        where = source
        # its statements' source, shown by search and timeline and exported: the file's name
        file_source = f"file:{path.name}"
    if len(raw) > MAX_FILE_BYTES:
        raise BadInput(f"{where} is larger than {MAX_FILE_BYTES:,} bytes — split it")
    # decoded only: the check prepares the text once, and its notes ("the text was HTML") are shown
    return app.service.read_file(
        raw, title=title, published=published, origin=Origin(platform="console", permalink=file_source)
    )


@handles_errors
def check(
    sources: Annotated[list[str], typer.Argument(help="text or HTML files, http(s) URLs, or - for stdin")],
    json_out: JsonOption = False,
    db: DbOption = None,
    tenant: TenantOption = "local",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="compare only; store nothing")] = False,
    title: Annotated[str | None, typer.Option("--title", help="article title")] = None,
    published: Annotated[str | None, typer.Option("--published", help="YYYY-MM-DD")] = None,
) -> None:
    """Find who said what in each SOURCE and say what is new, repeated or changed."""
    published_on = parse_date(published, "--published")
    failed = 0
    with opened_app(db) as app:
        for source in sources:
            try:
                article = _read_source(app, source, title=title, published=published_on)
                report = app.service.check(tenant=tenant, article=article, dry_run=dry_run)
            except BadInput as exc:
                failed += 1
                # name the source once, whether or not the reason starts with it already
                named = exc.reason.startswith((f"{source}:", f"{source} "))
                reason = exc.reason if named else f"{source}: {exc.reason}"
                err.print(f"claimbot: {reason}", markup=False, highlight=False)
                continue
            if json_out:
                print(json.dumps(report_to_dict(report), ensure_ascii=False), flush=True)
            else:
                render.print_report(out, report, source=source)
        if not dry_run:
            print_follow_alerts(app, tenant=tenant, json_out=json_out)
    if failed:
        raise typer.Exit(EXIT_BAD_INPUT)


@handles_errors
def search(
    query: Annotated[str | None, typer.Argument(help="what to look for")] = None,
    top: Annotated[int, typer.Option("--top", help="how many results")] = 5,
    speaker: Annotated[str | None, typer.Option("--speaker", help="only this speaker's claims")] = None,
    queries: Annotated[Path | None, typer.Option("--queries", help="a file with one query per line")] = None,
    json_out: JsonOption = False,
    db: DbOption = None,
    tenant: TenantOption = "local",
) -> None:
    """Search stored claims by meaning and wording, best first."""
    if (query is None) == (queries is None):
        raise BadInput("give either a QUERY or --queries FILE")
    texts = [query] if query is not None else [q for q in lines_of(queries) if q.strip()]  # type: ignore[arg-type]
    if not texts:
        raise BadInput(f"{queries}: no queries in the file")
    with opened_app(db) as app:
        results = app.service.search_many(tenant=tenant, queries=texts, top_k=top, speaker=speaker)
    for text, hits in zip(texts, results, strict=True):
        if json_out:
            print(json.dumps(search_hits_to_dict(hits), ensure_ascii=False), flush=True)
        else:
            render.print_search(out, text, hits)


# Neither a vector nor a judge's score depends on the other texts read with it, so a pair's
# verdict is the one `claimbot compare A B` gives. Pairs are read a large window at a time: the
# judge sorts it by length, so its batches hold pairs of nearly one length and little padding.
_PAIRS_AT_ONCE = 512


def _non_empty(items: list[tuple[str, str]], start: int, count: int) -> list[tuple[str, str]]:
    return [(x, y) for x, y in items[start : start + count] if x.strip() and y.strip()]


def _prepare_pairs(
    items: list[tuple[str, str]], index: int, *, encoder: Encoder, judge: PairScorer | None
) -> None:
    """At the start of each block, encodes (and judges) the block's pairs at once into the caches."""
    if index % _PAIRS_AT_ONCE:
        return
    block = _non_empty(items, index, _PAIRS_AT_ONCE)
    encoder.encode([t for pair in block for t in pair])
    if judge is not None:
        judge.score(block)


@handles_errors
def compare(
    text_a: Annotated[str | None, typer.Argument(help="first statement")] = None,
    text_b: Annotated[str | None, typer.Argument(help="second statement")] = None,
    pairs: Annotated[Path | None, typer.Option("--pairs", help='JSON lines {"a": ..., "b": ...}')] = None,
    json_out: JsonOption = False,
    db: Annotated[
        str | None,
        typer.Option("--db", help="use the thresholds stored in this database (with --tenant)"),
    ] = None,
    tenant: Annotated[
        str | None,
        typer.Option("--tenant", help="use this tenant's thresholds (default: those of the settings)"),
    ] = None,
) -> None:
    """Say whether two statements are a repeat, a change (number, negation, stance) or different.

    With --db or --tenant the tenant's thresholds apply (see `claimbot thresholds`); with
    neither, no database is opened and the thresholds come from the settings.
    With --pairs --json each line carries the pair's index (0 for the first pair of the file).
    """
    if pairs is not None:
        if text_a is not None or text_b is not None:
            raise BadInput("give either TEXT_A TEXT_B or --pairs FILE, not both")
        items = [(r["a"], r["b"]) for r in read_jsonl(pairs, ("a", "b"))]
    elif text_a is not None and text_b is not None:
        items = [(text_a, text_b)]
    else:
        raise BadInput("give two statements, or --pairs FILE")
    from adapters.bootstrap import LazyEncoder, _default_encoder, _default_judge
    from bot.matching.compare import MatchThresholds, compare_statements

    if db is not None or tenant is not None:
        with opened_app(db) as app:
            thresholds = app.service.thresholds_for(tenant=tenant or "local")
        settings = app.settings
    else:  # only the encoder is needed: no database is opened
        settings = load_settings()
        thresholds = MatchThresholds.from_settings(settings)
    encoder = LazyEncoder(lambda: _default_encoder(settings))
    judge = _default_judge(settings)
    for index, (a, b) in enumerate(items):
        for label, text in (("first", a), ("second", b)):
            if not text.strip():
                where = f"pair {index}: " if pairs is not None else ""
                raise BadInput(f"{where}the {label} statement is empty")
        if len(items) > 1:  # encode and judge many pairs at once (both cache what they computed)
            _prepare_pairs(items, index, encoder=encoder, judge=judge)
        result = compare_statements(a, b, encoder=encoder, thresholds=thresholds, judge=judge)
        if json_out:
            line = comparison_to_dict(result)
            if pairs is not None:  # which pair this answers, whatever order lines are read in
                line = {"index": index, **line}
            print(json.dumps(line, ensure_ascii=False), flush=True)
        else:
            render.print_comparison(out, result)


@handles_errors
def speakers(db: DbOption = None, tenant: TenantOption = "local", json_out: JsonOption = False) -> None:
    """List the speakers stored for a tenant, with the other names they go by."""
    with opened_app(db) as app:
        found = app.service.speakers(tenant=tenant)
    if json_out:
        payload = [
            {"id": s.id, "name": s.name, "kind": s.kind.value, "aliases": list(s.aliases)} for s in found
        ]
        print(json.dumps({"speakers": payload}, ensure_ascii=False))
    else:
        render.print_speakers(out, found)


@handles_errors
def timeline(
    name: Annotated[str, typer.Argument(help="speaker name or alias")],
    db: DbOption = None,
    tenant: TenantOption = "local",
    json_out: JsonOption = False,
) -> None:
    """A speaker's statements in the order they were first seen."""
    with opened_app(db) as app:
        found = app.service.speaker_timeline(tenant=tenant, name=name)
    if found is None:
        raise BadInput(f"no speaker called {name!r} in this store (see `claimbot speakers`)")
    speaker, claims = found
    if json_out:
        print(json.dumps({"speaker": speaker.name, "claims": [stored_claim_to_dict(c) for c in claims]}))
    else:
        render.print_timeline(out, speaker, claims)
