"""``claimbot``: the console adapter. Check articles, search, compare, import and export.

Exit codes: 0 ok, 2 bad input (one-line reason on stderr), 1 internal error, or 1 without a
word when the reader of the output went away (``claimbot export | head``).
"""

from __future__ import annotations

import csv
import functools
import json
import logging
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from adapters.bootstrap import App, bootstrap
from adapters.console import render
from bot import claimreview
from bot.errors import BadInput, ClaimbotError, StorageUnavailable
from bot.follows import alert_to_dict, followed_line, unfollowed_line
from bot.models import ArticleInput, ImportReport, KnownClaim, Origin
from bot.settings import Settings, load_settings
from bot.summary import (
    comparison_to_dict,
    export_row,
    fact_check_line,
    report_to_dict,
    search_hits_to_dict,
    stored_claim_to_dict,
)

log = logging.getLogger(__name__)

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2
# the console is one channel of its tenant: follows set here print their alerts after a check
CONSOLE_PLATFORM = CONSOLE_CHANNEL = "console"
VERBOSE_FLAGS = ("-v", "--verbose")
# Reading a file far larger than the text limit only to refuse it wastes memory.
MAX_FILE_BYTES = 8 * 1024 * 1024

cli = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Track who said what: check articles against every statement stored before.",
)
nlp_cli = typer.Typer(no_args_is_help=True, help="Train and evaluate the NLP pipeline.")
discord_cli = typer.Typer(no_args_is_help=True, help="Discord maintenance commands.")
cli.add_typer(discord_cli, name="discord")

out = Console(soft_wrap=False)
err = Console(stderr=True, soft_wrap=True)  # one-line messages stay one line

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="database URL (default: CLAIMBOT_DATABASE_URL or the SQLite file)"),
]
TenantOption = Annotated[str, typer.Option("--tenant", help="whose store: a server, a workspace, or local")]
JsonOption = Annotated[bool, typer.Option("--json", help="machine-readable output, one JSON object per line")]

F = TypeVar("F", bound=Callable[..., Any])


def _handles_errors(fn: F) -> F:
    """Turns our exceptions into the documented exit codes and one-line messages."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except BadInput as exc:
            err.print(f"claimbot: {exc.reason}", markup=False, highlight=False)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except StorageUnavailable as exc:
            # the store's own messages already begin "database unavailable (URL): ..."
            shown = str(exc)
            if not shown.startswith("database unavailable"):
                shown = f"database unavailable: {shown}"
            err.print(f"claimbot: {shown}", markup=False, highlight=False)
            raise typer.Exit(EXIT_INTERNAL) from None
        except (typer.Exit, typer.Abort, BrokenPipeError):
            raise  # Click ends a closed pipe quietly (exit 1, no message, no flush error)
        except KeyboardInterrupt:
            raise typer.Exit(130) from None
        except Exception as exc:
            # the traceback is for -v; users get the one-line summary below
            log.info("internal error in %s", fn.__name__, exc_info=True)
            err.print(
                f"claimbot: internal error ({type(exc).__name__}: {exc}); run with -v for details",
                markup=False,
                highlight=False,
            )
            raise typer.Exit(EXIT_INTERNAL) from None

    return wrapper  # type: ignore[return-value]


def _settings(db: str | None) -> Settings:
    return load_settings(**({"database_url": db} if db else {}))


def _app(db: str | None) -> App:
    return bootstrap(_settings(db))


def _show_version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("claimbot")
        except PackageNotFoundError:  # pragma: no cover - run from a checkout that is not installed
            number = "unknown (not installed)"
        print(f"claimbot {number}")
        raise typer.Exit(EXIT_OK)


@cli.callback()
def _main(
    verbose: Annotated[
        bool, typer.Option(*VERBOSE_FLAGS, help="log progress and tracebacks (before or after the command)")
    ] = False,
    _version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="print the version and exit"),
    ] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def _parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadInput(f"{option} must be a date like 2026-11-24, not {value!r}") from None


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


@cli.command()
@_handles_errors
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
    published_on = _parse_date(published, "--published")
    app = _app(db)
    failed = 0
    try:
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
            _print_follow_alerts(app, tenant=tenant, json_out=json_out)
    finally:
        app.close()
    if failed:
        raise typer.Exit(EXIT_BAD_INPUT)


def _print_follow_alerts(app: App, *, tenant: str, json_out: bool) -> None:
    """Prints the alerts owed to this console's follows, each once (stdout keeps one JSON object
    per source with --json: the alerts then go to stderr, one JSON object per line)."""
    import uuid

    follows = app.service.follows
    owner = f"console:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    for alert in follows.take_alerts(
        platform=CONSOLE_PLATFORM, owner=owner, now=app.service.clock(), tenant=tenant
    ):
        if json_out:
            print(json.dumps({"follow_alert": alert_to_dict(alert)}, ensure_ascii=False), file=sys.stderr)
        else:
            render.print_alert(out, alert)
        follows.alert_posted(alert=alert, owner=owner, message_ref="stderr" if json_out else "stdout")


def _read_jsonl(
    path: Path, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """Reads every line first: one bad line refuses the whole file, so nothing half-imports."""
    if not path.is_file():
        raise BadInput(f"{path}: no such file")
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                line = raw.decode("utf-8").strip()
            except UnicodeDecodeError:
                problems.append(f"line {number}: not UTF-8")
                continue
            if not line:
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"line {number}: not JSON ({exc.msg})")
                continue
            if not isinstance(row, dict):
                problems.append(f"line {number}: expected a JSON object")
                continue
            missing = [k for k in required if not isinstance(row.get(k), str) or not row[k].strip()]
            if missing:
                problems.append(f"line {number}: missing or empty {', '.join(missing)}")
                continue
            wrong = [k for k in optional if row.get(k) is not None and not isinstance(row[k], str)]
            if wrong:
                problems.append(f"line {number}: {', '.join(wrong)} must be text")
                continue
            rows.append(row)
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise BadInput(f"{path}: {len(problems)} bad line(s), nothing imported — {shown}")
    if not rows:
        raise BadInput(f"{path}: no lines to read")
    return rows


@cli.command("import")
@_handles_errors
def import_(
    file: Annotated[
        Path,
        typer.Argument(
            help='JSON lines {"id", "text", "speaker"?, "date"?, "source"?, "title"?}, '
            "or schema.org ClaimReview JSON-LD (one, many, @graph, an array, or JSON lines)"
        ),
    ],
    db: DbOption = None,
    tenant: TenantOption = "local",
    fmt: Annotated[
        str, typer.Option("--format", help="auto (read from the content), jsonl or claimreview")
    ] = "auto",
) -> None:
    """Load known claims (a fact-check archive) so later checks and searches find them."""
    if fmt not in claimreview.FORMATS:
        raise BadInput(f"--format must be one of {', '.join(claimreview.FORMATS)}, not {fmt!r}")
    if fmt != "jsonl":
        text = _read_text(file)
        if (fmt if fmt == "claimreview" else claimreview.detect_format(text)) == "claimreview":
            _import_claimreviews(file, text, db=db, tenant=tenant)
            return
    rows = _read_jsonl(file, ("id", "text"), ("speaker", "date", "source", "title"))
    claims = []
    for number, row in enumerate(rows, start=1):
        when = row.get("date")
        claims.append(
            KnownClaim(
                external_id=str(row["id"]),
                text=row["text"].strip(),
                speaker=(row.get("speaker") or None),
                date=_parse_date(when, f"line {number} date") if when else None,
                source=(row.get("source") or None),
                title=(row.get("title") or None),
            )
        )
    report = _import_with_progress(claims, db=db, tenant=tenant)
    err.print(
        f"imported {report.imported:,} claims"
        + (f", skipped {report.skipped_duplicates:,} already imported" if report.skipped_duplicates else ""),
        highlight=False,
    )


def _import_with_progress(claims: list[KnownClaim], *, db: str | None, tenant: str) -> ImportReport:
    app = _app(db)
    try:
        with Progress(
            TextColumn("importing"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err,
            transient=True,
        ) as progress:
            task = progress.add_task("import", total=len(claims))
            return app.service.import_claims(
                tenant=tenant,
                claims=claims,
                total=len(claims),
                progress=lambda done, total: progress.update(task, completed=done),
            )
    finally:
        app.close()


def _read_text(path: Path) -> str:
    if not path.is_file():
        raise BadInput(f"{path}: no such file")
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInput(f"{path}: not UTF-8 (byte {exc.start})") from None


def _import_claimreviews(path: Path, text: str, *, db: str | None, tenant: str) -> None:
    """schema.org ClaimReview: bad reviews are skipped and counted; only a file that is not
    JSON at all is refused (``BadInput`` before anything is stored)."""
    try:
        parsed = claimreview.parse_claimreviews(text)
    except BadInput as exc:
        raise BadInput(f"{path}: {exc.reason}") from None
    report = _import_with_progress(list(parsed.claims), db=db, tenant=tenant) if parsed.claims else None
    skipped = Counter(parsed.skipped)
    if report and report.skipped_duplicates:
        skipped["already imported"] += report.skipped_duplicates
    imported, updated = (report.imported, report.updated) if report else (0, 0)
    err.print(claimreview.import_line(imported=imported, updated=updated, skipped=skipped), highlight=False)


def _lines(path: Path) -> Iterator[str]:
    if not path.is_file():
        raise BadInput(f"{path}: no such file")
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            yield line.rstrip("\n")


@cli.command()
@_handles_errors
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
    texts = [query] if query is not None else [q for q in _lines(queries) if q.strip()]  # type: ignore[arg-type]
    if not texts:
        raise BadInput(f"{queries}: no queries in the file")
    app = _app(db)
    try:
        results = app.service.search_many(tenant=tenant, queries=texts, top_k=top, speaker=speaker)
    finally:
        app.close()
    for text, hits in zip(texts, results, strict=True):
        if json_out:
            print(json.dumps(search_hits_to_dict(hits), ensure_ascii=False), flush=True)
        else:
            render.print_search(out, text, hits)


@cli.command()
@_handles_errors
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
        items = [(r["a"], r["b"]) for r in _read_jsonl(pairs, ("a", "b"))]
    elif text_a is not None and text_b is not None:
        items = [(text_a, text_b)]
    else:
        raise BadInput("give two statements, or --pairs FILE")
    from adapters.bootstrap import LazyEncoder, _default_encoder, _default_judge
    from bot.matching.compare import MatchThresholds, compare_statements

    if db is not None or tenant is not None:
        app = _app(db)
        try:
            thresholds = app.service.thresholds_for(tenant=tenant or "local")
        finally:
            app.close()
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
        if index % 64 == 0 and len(items) > 1:  # encode and judge 64 pairs at once (both cache)
            chunk = [(x, y) for x, y in items[index : index + 64] if x.strip() and y.strip()]
            encoder.encode([t for pair in chunk for t in pair])
            if judge is not None:
                judge.score(chunk)
        result = compare_statements(a, b, encoder=encoder, thresholds=thresholds, judge=judge)
        if json_out:
            line = comparison_to_dict(result)
            if pairs is not None:  # which pair this answers, whatever order lines are read in
                line = {"index": index, **line}
            print(json.dumps(line, ensure_ascii=False), flush=True)
        else:
            render.print_comparison(out, result)


@cli.command()
@_handles_errors
def speakers(db: DbOption = None, tenant: TenantOption = "local", json_out: JsonOption = False) -> None:
    """List the speakers stored for a tenant, with the other names they go by."""
    app = _app(db)
    try:
        found = app.service.speakers(tenant=tenant)
    finally:
        app.close()
    if json_out:
        payload = [
            {"id": s.id, "name": s.name, "kind": s.kind.value, "aliases": list(s.aliases)} for s in found
        ]
        print(json.dumps({"speakers": payload}, ensure_ascii=False))
    else:
        render.print_speakers(out, found)


@cli.command()
@_handles_errors
def timeline(
    name: Annotated[str, typer.Argument(help="speaker name or alias")],
    db: DbOption = None,
    tenant: TenantOption = "local",
    json_out: JsonOption = False,
) -> None:
    """A speaker's statements in the order they were first seen."""
    app = _app(db)
    try:
        found = app.service.speaker_timeline(tenant=tenant, name=name)
    finally:
        app.close()
    if found is None:
        raise BadInput(f"no speaker called {name!r} in this store (see `claimbot speakers`)")
    speaker, claims = found
    if json_out:
        print(json.dumps({"speaker": speaker.name, "claims": [stored_claim_to_dict(c) for c in claims]}))
    else:
        render.print_timeline(out, speaker, claims)


@cli.command()
@_handles_errors
def follow(
    name: Annotated[str, typer.Argument(help="speaker name or alias")],
    db: DbOption = None,
    tenant: TenantOption = "local",
) -> None:
    """Follow a speaker: `claimbot check` prints an alert when they change a statement or repeat
    a fact-checked claim."""
    app = _app(db)
    try:
        speaker = app.service.follows.follow(
            tenant=tenant, platform=CONSOLE_PLATFORM, channel_id=CONSOLE_CHANNEL, name=name
        )
    finally:
        app.close()
    out.print(followed_line(speaker, alerts="`claimbot check` prints an alert"), highlight=False)


@cli.command()
@_handles_errors
def unfollow(
    name: Annotated[str, typer.Argument(help="speaker name or alias")],
    db: DbOption = None,
    tenant: TenantOption = "local",
) -> None:
    """Stop following a speaker."""
    app = _app(db)
    try:
        speaker = app.service.follows.unfollow(tenant=tenant, channel_id=CONSOLE_CHANNEL, name=name)
    finally:
        app.close()
    out.print(unfollowed_line(speaker), highlight=False)


@cli.command()
@_handles_errors
def following(db: DbOption = None, tenant: TenantOption = "local", json_out: JsonOption = False) -> None:
    """The speakers followed in a tenant, and where their alerts go."""
    app = _app(db)
    try:
        found = app.service.follows.following(tenant=tenant)
    finally:
        app.close()
    if json_out:
        payload = [
            {
                "speaker": f.speaker.name,
                "aliases": list(f.speaker.aliases),
                "platform": f.platform,
                "channel_id": f.channel_id,
                "since": f.created_at.isoformat(),
            }
            for f in found
        ]
        print(json.dumps({"follows": payload}, ensure_ascii=False))
    else:
        render.print_follows(out, found, here=CONSOLE_CHANNEL)


EXPORT_FIELDS = (
    "claim_id", "external_id", "text", "stance", "speaker", "kind", "first_seen", "source", "mentions",
    "title", "fact_check", "article_id", "article_title", "article_source", "article_date",
)  # fmt: skip


@cli.command()
@_handles_errors
def export(
    fmt: Annotated[str, typer.Option("--format", help="csv or json")] = "json",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="file (default: stdout)")] = None,
    db: DbOption = None,
    tenant: TenantOption = "local",
) -> None:
    """Export every stored claim (CSV, or JSON lines)."""
    if fmt not in ("csv", "json"):
        raise BadInput(f"--format must be csv or json, not {fmt!r}")
    app = _app(db)
    fh = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        if fmt == "csv":
            writer = csv.DictWriter(fh, fieldnames=EXPORT_FIELDS)
            writer.writeheader()
            for claim, article in app.service.export_with_articles(tenant=tenant):
                # CSV cells are flat: the verdict as every surface words it, with its link
                verdict = fact_check_line(claim.fact_check) if claim.fact_check else None
                writer.writerow({**export_row(claim, article), "fact_check": verdict})
        else:
            for claim, article in app.service.export_with_articles(tenant=tenant):
                fh.write(json.dumps(export_row(claim, article), ensure_ascii=False) + "\n")
    finally:
        if output:
            fh.close()
        app.close()


@cli.command()
@_handles_errors
def digest(
    since: Annotated[
        str | None, typer.Option("--since", help="YYYY-MM-DD (default: the last 7 days)")
    ] = None,
    json_out: JsonOption = False,
    png: Annotated[Path | None, typer.Option("--png", help="write the chart to this PNG file")] = None,
    markdown: Annotated[bool, typer.Option("--markdown", help="Markdown (the default)")] = False,
    db: DbOption = None,
    tenant: TenantOption = "local",
) -> None:
    """Render a tenant's weekly digest locally (nothing is posted)."""
    from adapters.console.digest_cmd import DigestFormat, digest_command

    chosen = [
        name
        for name, on in (("--json", json_out), ("--png", png is not None), ("--markdown", markdown))
        if on
    ]
    if len(chosen) > 1:
        raise BadInput(f"choose one output: {' or '.join(chosen)}")
    fmt: DigestFormat = "json" if json_out else "png" if png is not None else "markdown"
    since_day = _parse_date(since, "--since")
    app = _app(db)
    try:
        status = digest_command(app, tenant=tenant, since=since_day, fmt=fmt, png_path=png)
    finally:
        app.close()
    if status:
        raise typer.Exit(status)


@cli.command()
@_handles_errors
def thresholds(
    repeat: Annotated[float | None, typer.Option("--repeat", help="repeat threshold for this tenant")] = None,
    changed: Annotated[
        float | None, typer.Option("--changed", help="changed threshold for this tenant")
    ] = None,
    reset: Annotated[bool, typer.Option("--reset", help="back to the defaults from settings")] = False,
    db: DbOption = None,
    tenant: TenantOption = "local",
) -> None:
    """Show or set the matching thresholds of one tenant (defaults come from settings)."""
    app = _app(db)
    try:
        current = app.service.set_thresholds(tenant=tenant, repeat=repeat, changed=changed, reset=reset)
    finally:
        app.close()
    out.print(f"{tenant}: repeat ≥ {current.repeat:.2f}, changed ≥ {current.changed:.2f}", highlight=False)


@cli.command()
@_handles_errors
def run(
    platform: Annotated[str, typer.Argument(help="slack or discord")],
    db: DbOption = None,
) -> None:
    """Run the chat bot (tokens from the environment or .env); SIGTERM or Ctrl-C stop it."""
    settings = _settings(db)
    if platform == "slack":
        from adapters.slack.runner import run as run_slack

        run_slack(settings)
    elif platform == "discord":
        from adapters.discord.runner import run as run_discord

        run_discord(settings)
    else:
        raise BadInput(f"unknown platform {platform!r}: use slack or discord")
    _leave_now()


def _leave_now() -> NoReturn:
    """Ends a stopped bot's process at once.

    The bot has closed its connections and its database already; what is left is the
    interpreter's own teardown of the loaded models (3 s measured with spaCy loaded, on
    a busy CPU more), which would spend most of a service manager's patience after SIGTERM.
    """
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(EXIT_OK)


@discord_cli.command("sync")
@_handles_errors
def discord_sync(db: DbOption = None) -> None:
    """Register the /claims commands with Discord (per guild in DISCORD_GUILD_IDS, else globally)."""
    from adapters.discord.runner import sync

    sync(_settings(db))


def _verbose_first(args: list[str]) -> list[str]:
    """``claimbot check a.txt -v`` means ``claimbot -v check a.txt``: -v goes before the command.

    Only up to ``--``: what follows it is an argument, even if it reads -v.
    """
    end = args.index("--") if "--" in args else len(args)
    flags = [a for a in args[:end] if a in VERBOSE_FLAGS]
    if not flags:
        return args
    return flags[:1] + [a for a in args[:end] if a not in VERBOSE_FLAGS] + args[end:]


def main() -> None:
    try:
        cli(args=_verbose_first(sys.argv[1:]), prog_name="claimbot")
    except ClaimbotError as exc:  # pragma: no cover - commands handle their own
        err.print(f"claimbot: {exc}", markup=False)
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    main()
