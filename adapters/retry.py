"""The back-off of a chat adapter that cannot reach its platform yet (Discord's API, Slack's
Socket Mode): attempts numbered from 1, and after each failure a wait that starts at
``CONNECT_RETRY_FIRST_S`` and doubles up to ``CONNECT_RETRY_MAX_S``.

One schedule for both, so a bot waiting on either platform behaves (and logs) alike; what
counts as a failure, and how it is worded, stays with each adapter.
"""

from __future__ import annotations

from collections.abc import Iterator

CONNECT_RETRY_FIRST_S = 1.0
CONNECT_RETRY_MAX_S = 60.0


def connect_attempts(
    first_s: float = CONNECT_RETRY_FIRST_S, most_s: float = CONNECT_RETRY_MAX_S
) -> Iterator[tuple[int, float]]:
    """Endless ``(attempt, delay)``: the attempt's number, and how long to wait should it fail.

    The caller sleeps (so a signal can cancel the wait) and logs the failure with both numbers.
    """
    delay = first_s
    attempt = 0
    while True:
        attempt += 1
        yield attempt, delay
        delay = min(delay * 2, most_s)
