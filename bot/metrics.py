"""growthbot's Prometheus metrics: one registry, named here, recorded by small calls from where things happen.

    GET /metrics  (bot/server.py, and `growthbot run --http-port P` in Socket Mode)

Under gunicorn each worker is its own process: with PROMETHEUS_MULTIPROC_DIR set (an empty directory
the service may write, e.g. systemd's RuntimeDirectory), prometheus_client keeps every process's values
in files there and `/metrics` adds them up, whichever worker answers; gunicorn's `child_exit` hook
(`mark_process_dead`) drops a dead worker's live gauges. Without it each process reports only itself.
prometheus_client reads the variable when it is first imported, so it belongs in the environment of
the service, not in `.env`.

No label carries user text or a person's id: labels are Slack method names, Slack's error codes,
outcome names from the tick's reports and evidence sources, all small fixed sets.
This module is Slack-free (services record evidence captures through it).
"""

from __future__ import annotations

import glob
import os
import time
from collections.abc import Iterable, Mapping

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, multiprocess
from prometheus_client import generate_latest as _generate_latest

MULTIPROC_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
if os.environ.get(MULTIPROC_DIR_VARIABLE):
    # prometheus_client opens its files there as each metric is defined below: a directory that does not
    # exist yet (systemd's RuntimeDirectory holds only its parent) would stop every command at import.
    os.makedirs(os.environ[MULTIPROC_DIR_VARIABLE], exist_ok=True)

SLACK_CALLS = Counter(
    "growthbot_slack_api_calls_total",
    "Slack Web API answers, one per HTTP attempt (a retried 429 counts each time), by method and outcome: "
    "ok, 429, 5xx, connection_error, or Slack's error code.",
    ["method", "outcome"],
)
ACK_SECONDS = Histogram(
    "growthbot_slack_ack_seconds",
    "Time from receiving a Slack request to answering it (Slack gives up after 3 s), by kind of request.",
    ["kind"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0),
)
TICK_SECONDS = Histogram(
    "growthbot_tick_duration_seconds",
    "Duration of one scheduler tick (every task: ladders, prompts, digests, consent, check-ins, confirmations).",
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0),
)
TICK_LAST_RUN = Gauge(
    "growthbot_tick_last_run_timestamp_seconds",
    "When the last tick finished (Unix time); a tick stalled is time() minus this growing past a few minutes.",
    multiprocess_mode="max",
)
TICK_TASK_FAILURES = Counter(
    "growthbot_tick_task_failures_total",
    "Tick tasks that raised (logged with a traceback; retried next tick).",
    ["task"],
)
PROMPTS = Counter(
    "growthbot_prompts_total",
    "Weekly prompts by outcome: planned, sent, skipped, expired, away, retry, failed, inactive, retimed, "
    "already_posted, crashed, budget_spent.",
    ["outcome"],
)
REMINDERS = Counter(
    "growthbot_reminders_total", "Prompt reminders by outcome (sent, paused, away, failed, retry).", ["outcome"]
)
DIGESTS = Counter(
    "growthbot_digests_total", "Manager digests by outcome (sent, skipped, failed, retrying, busy).", ["outcome"]
)
TICK_SLACK_ERRORS = Counter(
    "growthbot_tick_slack_errors_total", "Slack errors the prompt tick recorded, by Slack's error code.", ["error"]
)
CLAIM_LAG = Histogram(
    "growthbot_prompt_claim_lag_seconds",
    "From a prompt's due time to its successful send.",
    buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 12 * 3600),
)
EVIDENCE = Counter("growthbot_evidence_captured_total", "Evidence stored, by source.", ["source"])
SOCKET_RECONNECTS = Counter(
    "growthbot_socket_mode_reconnects_total",
    "Socket Mode reconnections, by reason: stalled (no pong within the watchdog's limit) or closed (by Slack).",
    ["reason"],
)

_REMINDER_KEYS = {"reminded": "sent"}
_NOT_PROMPT_KEYS = frozenset({"rate_limited"})  # counted per HTTP attempt in SLACK_CALLS


def record_slack_answer(method: str, outcome: str) -> None:
    SLACK_CALLS.labels(method=method, outcome=outcome).inc()


def slack_outcome(status: int | None, error: str | None) -> str:
    """The outcome label of one HTTP answer: its status class, or Slack's error code on a 200."""
    if status is None:
        return "connection_error"
    if status == 429:
        return "429"
    if status >= 500:
        return "5xx"
    if status != 200:
        return str(status)
    return error or "ok"


def observe_ack(kind: str, seconds: float) -> None:
    ACK_SECONDS.labels(kind=kind).observe(seconds)


def record_tick(seconds: float, failed_tasks: Iterable[str]) -> None:
    TICK_SECONDS.observe(seconds)
    TICK_LAST_RUN.set(time.time())
    for task in failed_tasks:
        TICK_TASK_FAILURES.labels(task=task).inc()


def record_prompt_report(counts: Mapping[str, int], errors: Mapping[str, int], claim_lags: Iterable[float]) -> None:
    """One prompt tick's TickReport (bot.services.tick): counts by outcome, Slack errors, due → sent lags."""
    for key, value in counts.items():
        if key in _NOT_PROMPT_KEYS or not value:
            continue
        if key in _REMINDER_KEYS or key.startswith("reminder_"):
            REMINDERS.labels(outcome=_REMINDER_KEYS.get(key, key.removeprefix("reminder_"))).inc(value)
        else:
            PROMPTS.labels(outcome=key).inc(value)
    for error, value in errors.items():
        TICK_SLACK_ERRORS.labels(error=error).inc(value)
    for lag in claim_lags:
        CLAIM_LAG.observe(max(lag, 0.0))


def record_digest_report(outcomes: Mapping[str, int]) -> None:
    for outcome, value in outcomes.items():
        if value:
            DIGESTS.labels(outcome=outcome).inc(value)


def record_evidence(source: str) -> None:
    EVIDENCE.labels(source=source).inc()


def record_socket_reconnect(reason: str) -> None:
    SOCKET_RECONNECTS.labels(reason=reason).inc()


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_DIR_VARIABLE) or None


def exposition() -> tuple[bytes, str]:
    """The body and content type of `/metrics`: every process's values in multiprocess mode."""
    if multiprocess_dir() is None:
        return _generate_latest(REGISTRY), CONTENT_TYPE_LATEST
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return _generate_latest(registry), CONTENT_TYPE_LATEST


def clear_multiprocess_dir() -> None:
    """Remove the files an earlier run left (prometheus_client's advice: an empty directory at each start)."""
    directory = multiprocess_dir()
    if directory is None:
        return
    os.makedirs(directory, exist_ok=True)
    for path in glob.glob(os.path.join(directory, "*.db")):
        os.remove(path)


def worker_exited(pid: int) -> None:
    """gunicorn's child_exit hook: a dead worker's live gauges no longer count."""
    if multiprocess_dir() is not None:
        multiprocess.mark_process_dead(pid)
