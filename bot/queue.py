"""CheckQueue: a bounded worker pool that runs CPU-heavy checks off the chat event loop.

Chat platforms want an acknowledgement within 3 seconds and heartbeats must keep
flowing, so adapters ack first and hand the work here. The queue is bounded: when it is
full, ``submit`` raises ``QueueFull`` at once, and the adapter tells the user to retry in
a minute instead of letting latency grow without limit.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from bot.errors import QueueFull

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class QueueStats:
    pending: int  # queued or running
    capacity: int
    completed: int
    rejected: int
    max_wait_s: float  # the longest any job waited before a worker picked it up


class CheckQueue:
    def __init__(self, *, workers: int = 1, capacity: int = 100, name: str = "claimbot-check") -> None:
        if workers < 1 or capacity < 1:
            raise ValueError("workers and capacity must be at least 1")
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        self._slots = threading.BoundedSemaphore(capacity)
        self._capacity = capacity
        self._lock = threading.Lock()
        self._pending = 0
        self._completed = 0
        self._rejected = 0
        self._max_wait = 0.0

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Queues ``fn``; raises ``QueueFull`` immediately when ``capacity`` jobs are waiting."""
        if not self._slots.acquire(blocking=False):
            with self._lock:
                self._rejected += 1
            raise QueueFull(
                f"busy: {self._capacity} articles are already waiting to be checked; try again shortly"
            )
        queued_at = time.monotonic()
        with self._lock:
            self._pending += 1

        def run() -> T:
            waited = time.monotonic() - queued_at
            with self._lock:
                self._max_wait = max(self._max_wait, waited)
            try:
                return fn(*args, **kwargs)
            finally:
                with self._lock:
                    self._pending -= 1
                    self._completed += 1
                self._slots.release()

        try:
            return self._executor.submit(run)
        except RuntimeError:
            self._slots.release()
            with self._lock:
                self._pending -= 1
            raise

    async def run(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Awaitable ``submit`` for asyncio adapters; the event loop never blocks on the work."""
        return await asyncio.wrap_future(self.submit(fn, *args, **kwargs))

    def stats(self) -> QueueStats:
        with self._lock:
            return QueueStats(
                pending=self._pending,
                capacity=self._capacity,
                completed=self._completed,
                rejected=self._rejected,
                max_wait_s=self._max_wait,
            )

    def close(self, *, wait: bool = True) -> None:
        self._executor.shutdown(wait=wait, cancel_futures=not wait)
