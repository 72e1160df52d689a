"""What every ``claimbot`` command shares: exit codes, the two consoles, option types, the
mapping of our exceptions to exit codes, and opening the app for one command.

Kept apart from ``cli`` so the command modules (``check_cmd``, ``store_cmd``, ``follow_cmd``)
can use it without importing the Typer app that registers them.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from adapters.bootstrap import App, bootstrap
from bot.errors import BadInput, StorageUnavailable
from bot.settings import Settings, load_settings

log = logging.getLogger("adapters.console.cli")  # the name the -v tracebacks have always had

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2
# the console is one channel of its tenant: follows set here print their alerts after a check
CONSOLE_PLATFORM = CONSOLE_CHANNEL = "console"

out = Console(soft_wrap=False)
err = Console(stderr=True, soft_wrap=True)  # one-line messages stay one line

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="database URL (default: CLAIMBOT_DATABASE_URL or the SQLite file)"),
]
TenantOption = Annotated[str, typer.Option("--tenant", help="whose store: a server, a workspace, or local")]
JsonOption = Annotated[bool, typer.Option("--json", help="machine-readable output, one JSON object per line")]

F = TypeVar("F", bound=Callable[..., Any])


def handles_errors(fn: F) -> F:
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


def settings_for(db: str | None) -> Settings:
    return load_settings(**({"database_url": db} if db else {}))


def open_app(db: str | None) -> App:
    return bootstrap(settings_for(db))


@contextmanager
def opened_app(db: str | None) -> Iterator[App]:
    """The app for one command, closed when the command is done with it (even on failure)."""
    app = open_app(db)
    try:
        yield app
    finally:
        app.close()


def parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadInput(f"{option} must be a date like 2026-11-24, not {value!r}") from None
