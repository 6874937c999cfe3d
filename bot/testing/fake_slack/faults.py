"""Fault injection: latency, rate limits, outages, 5xx answers and Slack errors a test asks for."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from bot.testing.fake_slack.protocol import Reply


@dataclass
class _Bucket:
    per_second: float
    burst: float
    per_channel: bool
    tokens: dict[str, float] = field(default_factory=dict)
    updated: dict[str, float] = field(default_factory=dict)

    def take(self, key: str, now: float) -> int | None:
        """Consume one token; when none is left, the whole seconds to wait (at least 1)."""
        tokens = min(
            self.burst, self.tokens.get(key, self.burst) + (now - self.updated.get(key, now)) * self.per_second
        )
        self.updated[key] = now
        if tokens >= 1:
            self.tokens[key] = tokens - 1
            return None
        self.tokens[key] = tokens
        return max(1, math.ceil((1 - tokens) / self.per_second))


class Faults:
    """The faults armed per Web API method, consulted by the transport around each call."""

    def __init__(self, lock: threading.RLock, latency_s: float = 0.0) -> None:
        self.latency_s = latency_s
        self._lock = lock
        self._buckets: dict[str, _Bucket] = {}
        self._fail_next: dict[str, list[int]] = {}
        self._fail_after: dict[str, list[int]] = {}  # processed, then answered with this 5xx
        self._fail_until: dict[str, tuple[float, int]] = {}
        self._errors: dict[str, list[str]] = {}

    # ------------------------------------------------------------------ arming (FakeSlack's API)

    def rate_limit(self, method: str, per_second: float | None, burst: int = 1, *, per_channel: bool = False) -> None:
        with self._lock:
            if per_second is None:
                self._buckets.pop(method, None)
            else:
                if per_second <= 0 or burst < 1:
                    raise ValueError("per_second must be > 0 and burst >= 1")
                self._buckets[method] = _Bucket(per_second, float(burst), per_channel)

    def fail_next(self, method: str, status: int, times: int, *, after_processing: bool) -> None:
        with self._lock:
            queue = self._fail_after if after_processing else self._fail_next
            queue.setdefault(method, []).extend([status] * times)

    def fail_for(self, method: str, seconds: float, status: int) -> None:
        with self._lock:
            self._fail_until[method] = (time.monotonic() + seconds, status)

    def set_error(self, method: str, error: str, *, times: int) -> None:
        with self._lock:
            self._errors.setdefault(method, []).extend([error] * times)

    def clear(self) -> None:
        with self._lock:
            self._buckets.clear()
            self._fail_next.clear()
            self._fail_after.clear()
            self._fail_until.clear()
            self._errors.clear()
            self.latency_s = 0.0

    # ------------------------------------------------------------------ consulted by the transport

    def on_arrival(self, method: str, params: dict[str, Any]) -> Reply | None:
        """The answer an outage, a queued 5xx or a rate limit gives this call before it is handled."""
        now = time.monotonic()
        with self._lock:
            until = self._fail_until.get(method)
            if until is not None:
                if now < until[0]:
                    return Reply.server_error(until[1])
                del self._fail_until[method]
            queued = self._fail_next.get(method)
            if queued:
                return Reply.server_error(queued.pop(0))
            bucket = self._buckets.get(method)
            if bucket is not None:
                key = str(params.get("channel", "")) if bucket.per_channel else ""
                retry_after = bucket.take(key, now)
                if retry_after is not None:
                    return Reply.json(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)})
        return None

    def injected_error(self, method: str) -> str | None:
        """The next Slack error ``set_error`` queued for this method, taken off the queue."""
        with self._lock:
            queued = self._errors.get(method)
            return queued.pop(0) if queued else None

    def late_failure(self, method: str) -> Reply | None:
        """The 5xx that replaces the answer of a call that took effect (``after_processing``)."""
        with self._lock:
            late = self._fail_after.get(method)
            late_status = late.pop(0) if late else None
        return Reply.server_error(late_status) if late_status is not None else None
