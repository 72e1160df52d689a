from __future__ import annotations

import threading

import pytest

from bot.errors import QueueFull
from bot.queue import CheckQueue


def test_results_come_back_in_futures() -> None:
    queue = CheckQueue(workers=2, capacity=4)
    futures = [queue.submit(pow, 2, n) for n in range(4)]
    assert [f.result(timeout=5) for f in futures] == [1, 2, 4, 8]
    queue.close()


def test_full_queue_refuses_at_once_and_recovers() -> None:
    gate = threading.Event()
    queue = CheckQueue(workers=1, capacity=2)
    blocked = [queue.submit(gate.wait, 5) for _ in range(2)]
    with pytest.raises(QueueFull, match="busy"):
        queue.submit(gate.wait, 5)
    assert queue.stats().rejected == 1
    gate.set()
    for f in blocked:
        f.result(timeout=5)
    # capacity is released once jobs finish
    assert queue.submit(lambda: "ok").result(timeout=5) == "ok"
    assert queue.stats().pending == 0
    queue.close()


def test_a_failing_job_releases_its_slot() -> None:
    queue = CheckQueue(workers=1, capacity=1)

    def boom() -> None:
        raise ValueError("bad article")

    with pytest.raises(ValueError, match="bad article"):
        queue.submit(boom).result(timeout=5)
    assert queue.submit(lambda: 3).result(timeout=5) == 3
    queue.close()


async def test_run_awaits_without_blocking_the_loop() -> None:
    queue = CheckQueue(workers=1, capacity=2)
    assert await queue.run(sum, [1, 2, 3]) == 6
    queue.close()
