"""``claimbot``: the console adapter. Check articles, search, compare, import and export.

Exit codes: 0 ok, 2 bad input (one-line reason on stderr), 1 internal error, or 1 without a
word when the reader of the output went away (``claimbot export | head``).

This module builds the command line (the Typer app, its global options, the order commands
are listed in) and holds the commands that start or serve something rather than read the
store; the commands themselves live by use case in ``check_cmd``, ``store_cmd`` and
``follow_cmd``.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from adapters.console.check_cmd import check, compare, search, speakers, timeline
from adapters.console.common import (
    EXIT_INTERNAL,
    EXIT_OK,
    DbOption,
    JsonOption,
    TenantOption,
    err,
    handles_errors,
    opened_app,
    parse_date,
    settings_for,
)
from adapters.console.follow_cmd import follow, following, unfollow
from adapters.console.store_cmd import export, import_, thresholds
from bot.errors import BadInput, ClaimbotError

VERBOSE_FLAGS = ("-v", "--verbose")

cli = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Track who said what: check articles against every statement stored before.",
)
nlp_cli = typer.Typer(no_args_is_help=True, help="Train and evaluate the NLP pipeline.")
discord_cli = typer.Typer(no_args_is_help=True, help="Discord maintenance commands.")
cli.add_typer(discord_cli, name="discord")


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


@handles_errors
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
    since_day = parse_date(since, "--since")
    with opened_app(db) as app:
        status = digest_command(app, tenant=tenant, since=since_day, fmt=fmt, png_path=png)
    if status:
        raise typer.Exit(status)


@handles_errors
def run(
    platform: Annotated[str, typer.Argument(help="slack or discord")],
    db: DbOption = None,
) -> None:
    """Run the chat bot (tokens from the environment or .env); SIGTERM or Ctrl-C stop it."""
    settings = settings_for(db)
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
@handles_errors
def discord_sync(db: DbOption = None) -> None:
    """Register the /claims commands with Discord (per guild in DISCORD_GUILD_IDS, else globally)."""
    from adapters.discord.runner import sync

    sync(settings_for(db))


# `claimbot --help` lists the commands in this order
cli.command()(check)
cli.command("import")(import_)
cli.command()(search)
cli.command()(compare)
cli.command()(speakers)
cli.command()(timeline)
cli.command()(follow)
cli.command()(unfollow)
cli.command()(following)
cli.command()(export)
cli.command()(digest)
cli.command()(thresholds)
cli.command()(run)


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
