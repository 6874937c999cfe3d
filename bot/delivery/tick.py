"""The prompt tick: plan the prompts that fell due, send them (concurrently, paced), and send the one reminder.

Everything the tick knows lives in growthbot's tables, so a restart loses nothing:

1. Plan (bot.services.planning): one Prompt row per person and slot, never twice; a slot older than
   the late window is recorded as EXPIRED, a quiet day or a person without a ladder as SKIPPED.
2. Deliver (bot.delivery.prompts): due prompts are claimed a few at a time with an expiring claim
   (bot.services.prompt_records; FOR UPDATE SKIP LOCKED on PostgreSQL; on SQLite run the scheduler in
   one instance only) and sent by a thread pool, each worker with its own unit of work: the stored
   Slack profile (time zone refresh, away status, deactivated account; kept fresh by user_change
   events and the users.list sweep that runs first, bot.delivery.directory_sweep; users.info only
   when it is unknown or stale), then chat.postMessage (to the known DM channel, else the user id);
   the sends are recorded in batches (bot.delivery.send_recorder). Calls are paced per method by the
   process's pacers (bot.delivery.fanout), Retry-After is honoured, transient failures are retried with
   back-off a bounded number of times, and a deactivated or unknown user is marked inactive instead of
   retried. After the posts, a bounded batch of replaced prompts lose their buttons
   (bot.services.prompt_closes: the rest in the next ticks).
   Before sending, the back-off DMs planning decided go out (bot.delivery.backoff: the one question
   after three unanswered prompts, the one line when the cadence slowed by itself).
3. Remind (bot.delivery.reminders): a prompt still unanswered `reminder_after_days` after it was sent
   (or when a snooze ends) gets one threaded nudge, claimed before sending so it is never sent twice.
4. On SQLite, every few hours, refresh the planner's statistics (storage.statistics, bounded).
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import Executor

from slack_sdk import WebClient

from bot import metrics
from bot.delivery.backoff import send_backoff_messages
from bot.delivery.break_glass import send_break_glass_notices
from bot.delivery.directory_sweep import sweep_directory
from bot.delivery.fanout import SlackCaller, fanout_client, pipeline
from bot.delivery.prompts import close_prompt, send_logged
from bot.delivery.reminders import send_reminder
from bot.delivery.send_recorder import SendRecorder
from bot.deps import Deps
from bot.logs import ContextThreadPoolExecutor
from bot.services.audit_retention import prune_expired
from bot.services.planning import plan_due
from bot.services.prompt_closes import take_closes
from bot.services.prompt_records import OpenPrompt, claim_jobs
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
    plan_sends(deps, slack, report)
    started = time.monotonic()
    stop_at = started + config.fanout_budget_s
    replanned = [slack.pacer("chat.postMessage").rate is not None]

    def keep_claiming() -> bool:
        if not replanned[0] and slack.pacer("chat.postMessage").rate is not None:
            replanned[0] = True  # Slack's first 429 taught the pace: plan the rest of the window with it
            replan_sends(slack, report, time.monotonic() - started)
        if slack.token_error is not None:
            return False
        if time.monotonic() >= stop_at:
            report.add("budget_spent")  # the rest is claimed by the next tick
            return False
        return True

    with ContextThreadPoolExecutor(config.concurrency, thread_name_prefix="fanout") as pool:
        with SendRecorder(deps, config, report) as recorder:
            pipeline(
                pool,
                config.concurrency,
                lambda limit: claim_jobs(deps, config, instance_id, limit, report),
                lambda job: send_logged(deps, slack, config, job, report, recorder.add),
                keep_claiming,
            )
        if report.planned_sends:
            report.sends_took_s = time.monotonic() - started
            log.info(
                "tick's prompts done in %.0f s (expected %.0f s), at %.1f posts/s",
                report.sends_took_s,
                report.expected_finish_s or 0.0,
                slack.expected_rate("chat.postMessage"),
            )
        if slack.token_error is not None:
            return  # reminders would fail the same way
        close_replaced_prompts(deps, pool, config, slack, stop_at, report)
        pipeline(
            pool,
            config.concurrency,
            lambda limit: claim_reminders(deps, limit, report),
            lambda job: send_reminder(deps, slack, job, report),
        )


def replan_sends(slack: SlackCaller, report: TickReport, elapsed_s: float) -> None:
    if not report.planned_sends:
        return
    rate = slack.expected_rate("chat.postMessage")
    left = max(report.planned_sends - report["sent"], 0)
    report.expected_finish_s = elapsed_s + left / rate
    log.info("Slack allows about %.1f posts/s: the last of %d prompts expected in %.0f s", rate, left, left / rate)


def close_replaced_prompts(
    deps: Deps, pool: Executor, config: TickConfig, slack: SlackCaller, stop_at: float, report: TickReport
) -> None:
    """Take the buttons off up to `config.closes_per_tick` prompts replaced by newer ones, oldest first,
    within what is left of the budget; the rest are taken by the next ticks (bot.services.prompt_closes)."""
    left = [config.closes_per_tick]

    def claim(limit: int) -> tuple[list[OpenPrompt], bool]:
        batch = take_closes(deps, min(limit, left[0])) if left[0] > 0 else []
        left[0] -= len(batch)
        return batch, bool(batch)

    pipeline(
        pool,
        config.concurrency,
        claim,
        lambda previous: close_prompt(deps, slack, previous, report),
        lambda: time.monotonic() < stop_at and slack.token_error is None,
    )


def plan_sends(deps: Deps, slack: SlackCaller, report: TickReport) -> None:
    """The window's sends against the chat.postMessage allowance known so far: when the last should go."""
    with deps.uow() as uow:
        due = uow.prompts.count_due(deps.now())
    if not due:
        return
    rate = slack.expected_rate("chat.postMessage")
    report.planned_sends = due
    report.expected_finish_s = due / rate
    log.info("tick plans %d prompts at about %.1f/s: the last expected in %.0f s", due, rate, due / rate)


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
    _send(deps, config, report, instance_id, client or fanout_client(deps))
    _tidy(deps, report, instance_id)
    return _reported(report, instance_id, started)


def plan_tick(deps: Deps, *, instance_id: str | None = None, config: TickConfig | None = None) -> TickReport:
    """The OAuth install's tick, once for all workspaces: plan every due prompt, prune the audit log.
    The sends are `send_tick`'s, once per installed workspace (bot.delivery.workspaces)."""
    config = config or TickConfig.from_settings(deps.settings)
    instance_id = instance_id or instance_name()
    report = TickReport()
    started = time.monotonic()
    plan_due(deps.uow, deps.library, config, deps.now(), report)
    _tidy(deps, report, instance_id)
    return _reported(report, instance_id, started)


def send_tick(deps: Deps, *, instance_id: str | None = None, config: TickConfig | None = None) -> TickReport:
    """One workspace's sends of an OAuth install's tick (`deps` scoped to it, with its token): the
    users.list sweep, back-off DMs, prompts, reminders and break-glass DMs."""
    config = config or TickConfig.from_settings(deps.settings)
    instance_id = instance_id or instance_name()
    report = TickReport()
    started = time.monotonic()
    _send(deps, config, report, instance_id, fanout_client(deps))
    return _reported(report, instance_id, started)


def _send(deps: Deps, config: TickConfig, report: TickReport, instance_id: str, client: WebClient) -> None:
    slack = SlackCaller(client, lambda: report.add("rate_limited"), config.rate_limit_wait_max_s)
    sweep_directory(deps, slack, report)  # stored profiles, so the fan-out needs no users.info per prompt
    send_backoff_messages(deps, client, report)
    deliver_due(deps, config, report, instance_id=instance_id, client=client, slack=slack)
    send_break_glass_notices(deps, client, report)


def _tidy(deps: Deps, report: TickReport, instance_id: str) -> None:
    if pruned := prune_expired(deps.uow, deps.settings.audit_retention_days, deps.now()):
        report.add("audit_pruned", pruned)
    if deps.uow.refresh_statistics_if_due():  # SQLite only, every few hours, bounded
        log.info("tick %s: refreshed the SQLite planner's statistics", instance_id)


def _reported(report: TickReport, instance_id: str, started: float) -> TickReport:
    metrics.record_prompt_report(report.counts, report.errors, report.claim_lags)
    if report.counts:
        log.info("tick %s in %.1fs: %s", instance_id, time.monotonic() - started, report.summary())
    return report
