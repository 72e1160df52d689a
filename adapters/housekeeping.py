"""When a bot process does its housekeeping: the daily prunes of old delivery keys (the digest
scheduler) and of old follow alerts (the alert loop) run at most once a day each, the first at
start-up, whatever the loop's own tick."""

from __future__ import annotations

from datetime import datetime, timedelta

PRUNE_EVERY = timedelta(days=1)


class OncePer:
    """Says a job is due at most once per ``interval`` (of the clock the caller passes in)."""

    def __init__(self, interval: timedelta = PRUNE_EVERY) -> None:
        self.interval = interval
        self._next: datetime | None = None

    def due(self, now: datetime) -> bool:
        if self._next is not None and now < self._next:
            return False
        self._next = now + self.interval
        return True
