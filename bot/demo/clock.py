"""The demo's simulated clock and a listener executor that can say when the app has gone quiet."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any, ParamSpec, TypeVar

from storage.clock import as_naive_utc

P = ParamSpec("P")
T = TypeVar("T")


class SimClock:
    """Naive-UTC "now" that only moves when told; `now` is what `Deps.now` is replaced with."""

    def __init__(self, start: datetime) -> None:
        self._now = as_naive_utc(start)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, moment: datetime) -> None:
        moment = as_naive_utc(moment)
        with self._lock:
            if moment < self._now:
                raise ValueError(f"the simulated clock never goes back ({moment} < {self._now})")
            self._now = moment

    def advance(self, delta: timedelta) -> datetime:
        self.set(self.now() + delta)
        return self.now()


class TrackingExecutor(ThreadPoolExecutor):
    """A thread pool that can wait until every submitted task, including ones they submit, has finished.

    Bolt acknowledges a request before its listener has finished (and runs lazy listeners later); the
    demo hands the app this executor so each step's Slack calls are all recorded before the next step,
    without changing how the app acknowledges anything.
    """

    def __init__(self, max_workers: int = 16) -> None:
        super().__init__(max_workers, thread_name_prefix="demo-bolt")
        self._pending = 0
        self._idle = threading.Condition()

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        with self._idle:
            self._pending += 1
        try:
            future = super().submit(fn, *args, **kwargs)
        except BaseException:
            self._done()
            raise
        future.add_done_callback(self._on_done)
        return future

    def _on_done(self, _future: Future[Any]) -> None:
        self._done()

    def _done(self) -> None:
        with self._idle:
            self._pending -= 1
            if self._pending == 0:
                self._idle.notify_all()

    @property
    def idle(self) -> bool:
        with self._idle:
            return self._pending == 0

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Block until no task is pending; False if `timeout` seconds passed first."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout=timeout)
