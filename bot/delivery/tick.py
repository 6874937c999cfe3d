"""The prompt tick: plan the prompts that fell due, send them (concurrently, paced), and send the one reminder.

Everything the tick knows lives in growthbot's tables, so a restart loses nothing:

1. Plan (bot.services.planning): one Prompt row per person and slot, never twice; a slot older than
   the late window is recorded as EXPIRED, a quiet day or a person without a ladder as SKIPPED.
2. Deliver (bot.delivery.prompts): due prompts are claimed a few at a time with an expiring claim
   (bot.services.prompt_records; FOR UPDATE SKIP LOCKED on PostgreSQL; on SQLite run the scheduler in
   one instance only) and sent by a thread pool, each worker with its own unit of work: the stored
   Slack profile (time zone refresh, away status, deactivated account; kept fresh by user_change
   events and the users.list sweep that runs first, bot.delivery.directory_sweep; users.info only
   when it is unknown or stale), then chat.postMessage (to the known DM channel, else the user id).
   Calls are paced per method (bot.delivery.fanout), Retry-After is honoured, transient failures
   are retried with back-off a bounded number of times, and a deactivated or
   unknown user is marked inactive instead of retried.
   Before sending, the back-off DMs planning decided go out (bot.delivery.backoff: the one question
   after three unanswered prompts, the one line when the cadence slowed by itself).
3. Remind (bot.delivery.reminders): a prompt still unanswered `reminder_after_days` after it was sent
   (or when a snooze ends) gets one threaded nudge, claimed before sending so it is never sent twice.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor

from slack_sdk import WebClient

from bot.delivery.backoff import send_backoff_messages
from bot.delivery.directory_sweep import sweep_directory
from bot.delivery.fanout import SlackCaller, fanout_client, pipeline
from bot.delivery.prompts import send_logged
from bot.delivery.reminders import send_reminder
from bot.deps import Deps
from bot.services.planning import plan_due
from bot.services.prompt_records import claim_jobs
from bot.services.reminders import claim_reminders
from bot.services.tick import TickConfig, TickReport, instance_name

log = logging.getLogger(__name__)


def deliver_due(
    deps: Deps,
    config: TickConfig,
    report: TickReport,
    *,
    instance_id: str,
    client: WebClient,
    slack: SlackCaller | None = None,
) -> None:
    slack = slack or SlackCaller(client, lambda: report.add("rate_limited"), config.rate_limit_wait_max_s)
    stop_at = time.monotonic() + config.fanout_budget_s

    def keep_claiming() -> bool:
        if slack.token_error is not None:
            return False
        if time.monotonic() >= stop_at:
            report.add("budget_spent")  # the rest is claimed by the next tick
            return False
        return True

    with ThreadPoolExecutor(config.concurrency, thread_name_prefix="fanout") as pool:
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
    """One tick at `deps.now()`: plan, deliver, remind. Safe to run in several instances at once on PostgreSQL."""
    config = config or TickConfig.from_settings(deps.settings)
    instance_id = instance_id or instance_name()
    report = TickReport()
    started = time.monotonic()
    plan_due(deps.uow, deps.library, config, deps.now(), report)
    client = client or fanout_client(deps)
    slack = SlackCaller(client, lambda: report.add("rate_limited"), config.rate_limit_wait_max_s)
    sweep_directory(deps, slack, report)  # stored profiles, so the fan-out needs no users.info per prompt
    send_backoff_messages(deps, client, report)
    deliver_due(deps, config, report, instance_id=instance_id, client=client, slack=slack)
    if report.counts:
        log.info("tick %s in %.1fs: %s", instance_id, time.monotonic() - started, report.summary())
    return report
