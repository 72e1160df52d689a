"""The wall clock, in one place: everything else takes a ``Clock`` (tests pass their own).

ruff's banned-api rule refuses ``datetime.now`` and ``time.time`` elsewhere in ``bot/``,
``storage/`` and ``adapters/``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]  # returns an aware UTC datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


__all__ = ["Clock", "utc_now"]
