"""``claimbot import``, ``export`` and ``thresholds``: filling a tenant's store from a
fact-check archive, writing it out, and tuning how it matches.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from adapters.console.common import (
    DbOption,
    TenantOption,
    err,
    handles_errors,
    open_app,
    opened_app,
    out,
    parse_date,
)
from adapters.console.files import read_jsonl, read_text
from bot import claimreview
from bot.errors import BadInput
from bot.models import ImportReport, KnownClaim
from bot.summary import export_row, fact_check_line


@handles_errors
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
        text = read_text(file)
        if (fmt if fmt == "claimreview" else claimreview.detect_format(text)) == "claimreview":
            _import_claimreviews(file, text, db=db, tenant=tenant)
            return
    rows = read_jsonl(file, ("id", "text"), ("speaker", "date", "source", "title"))
    claims = []
    for number, row in enumerate(rows, start=1):
        when = row.get("date")
        claims.append(
            KnownClaim(
                external_id=str(row["id"]),
                text=row["text"].strip(),
                speaker=(row.get("speaker") or None),
                date=parse_date(when, f"line {number} date") if when else None,
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
    with (
        opened_app(db) as app,
        Progress(
            TextColumn("importing"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err,
            transient=True,
        ) as progress,
    ):
        task = progress.add_task("import", total=len(claims))
        return app.service.import_claims(
            tenant=tenant,
            claims=claims,
            total=len(claims),
            progress=lambda done, total: progress.update(task, completed=done),
        )


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


EXPORT_FIELDS = (
    "claim_id", "external_id", "text", "stance", "speaker", "kind", "first_seen", "source", "mentions",
    "title", "fact_check", "article_id", "article_title", "article_source", "article_date",
)  # fmt: skip


@handles_errors
def export(
    fmt: Annotated[str, typer.Option("--format", help="csv or json")] = "json",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="file (default: stdout)")] = None,
    db: DbOption = None,
    tenant: TenantOption = "local",
) -> None:
    """Export every stored claim (CSV, or JSON lines)."""
    if fmt not in ("csv", "json"):
        raise BadInput(f"--format must be csv or json, not {fmt!r}")
    app = open_app(db)
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


@handles_errors
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
    with opened_app(db) as app:
        current = app.service.set_thresholds(tenant=tenant, repeat=repeat, changed=changed, reset=reset)
    out.print(f"{tenant}: repeat ≥ {current.repeat:.2f}, changed ≥ {current.changed:.2f}", highlight=False)
