"""The bounded queue of answers computed after an ack (`Deps.followups`).

Read-only `/ladder` answers (help, me, next, show, search) run after the ack on a few threads. Unbounded,
a burst queued behind them made people wait many seconds for an answer while every ack stayed fast
(bench/ack measured 7-16 s). So the queue holds at most `capacity` answers, running or waiting; a
request that finds it full is told at once to try again (bot.listeners.commands.ladder), which is
better than an answer that arrives after the person gave up, and keeps the wait of everyone queued
within the budget. The capacity is `GROWTHBOT_ANSWER_QUEUE` per worker process; an answer that still
waited longer than `GROWTHBOT_ANSWER_WAIT_SECONDS` is shed the same way when a thread takes it (see
docs/deploying.md).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Any

# Two threads per worker: answers are mostly CPU in Python, so more threads only add contenders for the
# GIL that acks need. They keep the normal OS priority: a lower one let the OS park a follow-up thread
# while it held the GIL, stalling every ack in its worker (bench/ack: p99 1.4-3x a bare app at nice +5
# with 4 threads).
FOLLOWUP_THREADS = 2


class QueueFull(Exception):
    """Every slot of the answer queue is taken; nothing was queued."""


class BoundedExecutor(Executor):
    """An executor that refuses work (`QueueFull`) once `capacity` submitted tasks are unfinished."""

    def __init__(self, executor: Executor, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.executor = executor
        self.capacity = capacity
        self._slots = threading.BoundedSemaphore(capacity)

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        if not self._slots.acquire(blocking=False):
            raise QueueFull(f"{self.capacity} answers already queued")
        try:
            future = self.executor.submit(fn, *args, **kwargs)
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(lambda _done: self._slots.release())
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.executor.shutdown(wait=wait, cancel_futures=cancel_futures)


def answer_queue(capacity: int, threads: int = FOLLOWUP_THREADS) -> BoundedExecutor:
    return BoundedExecutor(ThreadPoolExecutor(threads, thread_name_prefix="followup"), capacity)
