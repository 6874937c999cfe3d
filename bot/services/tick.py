"""What the prompt tick is configured with and what it reports: plain values shared by planning, the
prompt records and the delivery layer that runs the tick (bot.delivery.tick)."""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from bot.services import away
from bot.settings import Settings

CLAIM_TTL = timedelta(minutes=5)
MAX_ATTEMPTS = 8  # claims per prompt before it is given up as FAILED
RATE_LIMIT_WAIT_MAX_S = 60.0  # in-process waiting for Retry-After before handing back to the database
# A tick stops claiming prompts after this long (what is left goes on next minute), so a fan-out held
# back by rate limits never delays reminders, digests and confirmations for long.
FANOUT_BUDGET_S = 600.0
# Replaced prompts whose buttons a tick takes off, after its posts: about a minute of chat.update at its
# Tier 3 floor (50 a minute), so the next minute's prompts are not kept waiting; the rest wait their turn.
CLOSES_PER_TICK = 50


def instance_name() -> str:
    """Who holds a claim: host, process and a random suffix (two ticks in one process differ)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True, slots=True)
class TickConfig:
    late_window: timedelta
    reminder_after: timedelta
    concurrency: int
    quiet_days: frozenset[date] = frozenset()
    claim_ttl: timedelta = CLAIM_TTL
    max_attempts: int = MAX_ATTEMPTS
    rate_limit_wait_max_s: float = RATE_LIMIT_WAIT_MAX_S
    fanout_budget_s: float = FANOUT_BUDGET_S
    closes_per_tick: int = CLOSES_PER_TICK

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> TickConfig:
        values: dict[str, Any] = {
            "late_window": timedelta(hours=settings.late_prompt_window_hours),
            "reminder_after": timedelta(days=settings.reminder_after_days),
            "concurrency": settings.fanout_concurrency,
            "quiet_days": away.load_quiet_days(settings.quiet_days_file),
        }
        values.update(overrides)
        return cls(**values)


@dataclass
class TickReport:
    """What one tick did. `counts` keys: planned, expired, skipped, sent, away, retry, failed, inactive,
    retimed (the person moved zone: sent later at their new local time), reminded, reminder_paused and
    reminder_away (claimed, not sent), reminder_failed, reminder_retry (a passing failure before anything reached
    Slack: the reminder is due again in ten minutes), rate_limited (429 answers seen), already_posted
    (sent, found in the DM after an earlier attempt's crash instead of posted again), budget_spent (the
    tick stopped claiming prompts after its time budget; the next tick goes on), closed (replaced prompts'
    buttons taken off), close_retry (a close that failed: taken again after its lease)."""

    counts: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    claim_lags: list[float] = field(default_factory=list)  # seconds from a prompt's due time to its send
    # The plan made before the fan-out: prompts due now, and the seconds their sends should take at the
    # chat.postMessage rate known so far (None: nothing due).
    planned_sends: int = 0
    expected_finish_s: float | None = None
    sends_took_s: float | None = None  # from the plan to the last prompt handled (closing old ones after)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, key: str, n: int = 1) -> None:
        with self._lock:
            self.counts[key] += n

    def error(self, name: str) -> None:
        with self._lock:
            self.errors[name] += 1

    def sent_late(self, seconds: float) -> None:
        with self._lock:
            self.claim_lags.append(seconds)

    def __getitem__(self, key: str) -> int:
        return self.counts[key]

    def summary(self) -> str:
        parts = [f"{key}={value}" for key, value in sorted(self.counts.items()) if value]
        return " ".join(parts) or "nothing to do"
