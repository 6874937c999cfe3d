"""The prompt tick: plan the prompts that fell due, send them (concurrently, paced), and send the one reminder.

Everything the tick knows lives in growthbot's tables, so a restart loses nothing:

1. Plan (bot.services.planning): one Prompt row per person and slot, never twice; a slot older than
   the late window is recorded as EXPIRED, a quiet day or a person without a ladder as SKIPPED.
2. Deliver (bot.delivery.prompts): due prompts are claimed a few at a time with an expiring claim
   (bot.services.prompt_records; FOR UPDATE SKIP LOCKED on PostgreSQL; on SQLite run the scheduler in
   one instance only) and sent by a thread pool, each worker with its own unit of work: users.info
   (time zone refresh, away status, deactivated account), then conversations.open and
   chat.postMessage. Calls are paced per method (bot.delivery.fanout), Retry-After is honoured,
   transient failures are retried with back-off a bounded number of times, and a deactivated or
   unknown user is marked inactive instead of retried.
   Before sending, the back-off DMs planning decided go out (bot.delivery.backoff: the one question
   after three unanswered prompts, the one line when the cadence slowed by itself).
3. Remind (bot.delivery.reminders): a prompt still unanswered `reminder_after_days` after it was sent
   (or when a snooze ends) gets one threaded nudge, claimed before sending so it is never sent twice.
4. On SQLite, every few hours, refresh the planner's statistics (storage.statistics, bounded).
"""

from __future__ import annotations

import logging
import time

from slack_sdk import WebClient

from bot import metrics
from bot.delivery.backoff import send_backoff_messages
from bot.delivery.break_glass import send_break_glass_notices
from bot.delivery.fanout import SlackCaller, fanout_client, pipeline
from bot.delivery.prompts import send_logged
from bot.delivery.reminders import send_reminder
from bot.deps import Deps
from bot.logs import ContextThreadPoolExecutor
from bot.services.audit_retention import prune_expired
from bot.services.planning import plan_due
from bot.services.prompt_records import claim_jobs
from bot.services.reminders import claim_reminders
from bot.services.tick import TickConfig, TickReport, instance_name

log = logging.getLogger(__name__)


def deliver_due(deps: Deps, config: TickConfig, report: TickReport, *, instance_id: str, client: WebClient) -> None:
    slack = SlackCaller(client, lambda: report.add("rate_limited"), config.rate_limit_wait_max_s)
    stop_at = time.monotonic() + config.fanout_budget_s

    def keep_claiming() -> bool:
        if slack.token_error is not None:
            return False
        if time.monotonic() >= stop_at:
            report.add("budget_spent")  # the rest is claimed by the next tick
            return False
        return True

    with ContextThreadPoolExecutor(config.concurrency, thread_name_prefix="fanout") as pool:
        pipeline(
            pool,
            config.concurrency,
            lambda limit: claim_jobs(deps, config, instance_id, limit, report),
            lambda job: send_logged(deps, slack, config, job, report),
            keep_claiming,
        )
        if slack.token_error is not None:
            return  # reminders would fail the same way
        pipeline(
            pool,
            config.concurrency,
            lambda limit: claim_reminders(deps, limit, report),
            lambda job: send_reminder(deps, slack, job, report),
        )


def run_tick(
    deps: Deps,
    *,
    instance_id: str | None = None,
    config: TickConfig | None = None,
    client: WebClient | None = None,
) -> TickReport:
    """One tick at `deps.now()`: plan, deliver, remind; then the break-glass DMs and the audit log's
    retention pruning. Safe to run in several instances at once on PostgreSQL."""
    config = config or TickConfig.from_settings(deps.settings)
    instance_id = instance_id or instance_name()
    report = TickReport()
    started = time.monotonic()
    plan_due(deps.uow, deps.library, config, deps.now(), report)
    client = client or fanout_client(deps)
    send_backoff_messages(deps, client, report)
    deliver_due(deps, config, report, instance_id=instance_id, client=client)
    send_break_glass_notices(deps, client, report)
    if pruned := prune_expired(deps.uow, deps.settings.audit_retention_days, deps.now()):
        report.add("audit_pruned", pruned)
    if deps.uow.refresh_statistics_if_due():  # SQLite only, every few hours, bounded
        log.info("tick %s: refreshed the SQLite planner's statistics", instance_id)
    metrics.record_prompt_report(report.counts, report.errors, report.claim_lags)
    if report.counts:
        log.info("tick %s in %.1fs: %s", instance_id, time.monotonic() - started, report.summary())
    return report
