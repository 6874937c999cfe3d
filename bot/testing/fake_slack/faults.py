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

    def key(self, params: dict[str, Any]) -> str:
        return str(params.get("channel", "")) if self.per_channel else ""

    def refill(self, key: str, now: float) -> float:
        tokens = min(
            self.burst, self.tokens.get(key, self.burst) + (now - self.updated.get(key, now)) * self.per_second
        )
        self.tokens[key], self.updated[key] = tokens, now
        return tokens

    def wait_for(self, tokens: float) -> int:
        """The whole seconds until a token is back (at least 1): Slack's Retry-After."""
        return max(1, math.ceil((1 - tokens) / self.per_second))


# Slack's published rate tiers, at their floors (docs.slack.dev/apis/web-api/rate-limits; facts, "Rate
# limits"): calls per minute per method per workspace. chat.postMessage is special: about one message a
# second per channel, plus an unpublished workspace-wide limit (`FakeSlack.use_rate_tiers`).
TIER_PER_MINUTE = {2: 20, 3: 50, 4: 100}
METHOD_TIERS = {
    "users.list": 2,
    "conversations.open": 3,
    "conversations.history": 3,
    "conversations.replies": 3,
    "users.lookupByEmail": 3,
    "chat.update": 3,
    "users.info": 4,
    "views.open": 4,
    "views.push": 4,
    "views.update": 4,
    "views.publish": 4,
    "files.getUploadURLExternal": 4,
}
# Slack lets a method burst briefly over its rate; the fake allows a tenth of a minute's calls at once.
BURST_FRACTION = 0.1


def _new_bucket(per_second: float, burst: int, per_channel: bool) -> _Bucket:
    if per_second <= 0 or burst < 1:
        raise ValueError("per_second must be > 0 and burst >= 1")
    return _Bucket(per_second, float(burst), per_channel)


class Faults:
    """The faults armed per Web API method, consulted by the transport around each call."""

    def __init__(self, lock: threading.RLock, latency_s: float = 0.0) -> None:
        self.latency_s = latency_s
        self._lock = lock
        self._buckets: dict[str, list[_Bucket]] = {}
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
                self._buckets[method] = [_new_bucket(per_second, burst, per_channel)]

    def rate_tiers(self, post_per_second: float | None, post_per_channel_per_second: float = 1.0) -> None:
        """Every method in METHOD_TIERS limited at its tier's floor; chat.postMessage at one a second per
        channel plus `post_per_second` workspace-wide (None: no workspace cap)."""
        with self._lock:
            for method, tier in METHOD_TIERS.items():
                per_minute = TIER_PER_MINUTE[tier]
                self._buckets[method] = [_new_bucket(per_minute / 60, max(1, int(per_minute * BURST_FRACTION)), False)]
            posts = [_new_bucket(post_per_channel_per_second, 1, True)]
            if post_per_second is not None:
                posts.append(_new_bucket(post_per_second, max(1, int(post_per_second)), False))
            self._buckets["chat.postMessage"] = posts

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
            buckets = self._buckets.get(method) or []
            # A call takes a token from every bucket of its method, or from none when one is empty.
            levels = [(bucket, bucket.key(params), bucket.refill(bucket.key(params), now)) for bucket in buckets]
            empty = [bucket.wait_for(tokens) for bucket, _, tokens in levels if tokens < 1]
            if empty:
                return Reply.json(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(max(empty))})
            for bucket, key, tokens in levels:
                bucket.tokens[key] = tokens - 1
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
