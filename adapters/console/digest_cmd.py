"""``claimbot digest``: renders a tenant's digest locally (JSON, PNG or Markdown); never posts.

The period is the last seven days (today and the six days before it, from midnight: seven
columns in the chart) up to now, or from ``--since`` (a local date, midnight)
up to now, in the tenant's digest timezone (``bot.digest.RecentDigests``: its schedule's,
else ``CLAIMBOT_DIGEST_TIMEZONE``).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Literal, TextIO

from adapters.bootstrap import App
from bot.digest_chart import CHART_HEIGHT_PX, CHART_WIDTH_PX, render_chart
from bot.digest_text import digest_to_dict, render_markdown

log = logging.getLogger(__name__)

DigestFormat = Literal["json", "png", "markdown"]

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def digest_command(
    app: App,
    *,
    tenant: str,
    since: date | None = None,
    fmt: DigestFormat = "markdown",
    png_path: Path | None = None,
    now: datetime | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Prints (or writes, for ``png``) the digest; returns the process exit status."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    if fmt == "png" and png_path is None:
        print("claimbot: --png needs a file name", file=err)
        return EXIT_BAD_INPUT
    try:
        digest = app.digests.build(tenant, since=since, now=now)
    except ValueError as exc:
        print(f"claimbot: --since: {exc}", file=err)
        return EXIT_BAD_INPUT

    if fmt == "json":
        print(json.dumps(digest_to_dict(digest), ensure_ascii=False), file=out, flush=True)
    elif fmt == "png":
        assert png_path is not None
        try:
            png_path.write_bytes(render_chart(digest))
        except OSError as exc:
            print(f"claimbot: cannot write {png_path}: {exc.strerror}", file=err)
            return EXIT_BAD_INPUT
        print(f"wrote {png_path} ({CHART_WIDTH_PX}×{CHART_HEIGHT_PX} PNG)", file=err)
    else:
        print(render_markdown(digest), end="", file=out, flush=True)
    return EXIT_OK


__all__ = ["DigestFormat", "digest_command"]
