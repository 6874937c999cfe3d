"""Sending the one reminder of a claimed prompt: the stored Slack profile, users.info only when it is
unknown or stale (someone away or gone since the prompt is not nudged), then a reply in the prompt's
thread. What to do after a failure depends on whether it surely left nothing in Slack
(bot.services.reminders hands the reminder back)."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.blocks.prompt import reminder_text
from bot.delivery.fanout import RateLimited, SlackCaller
from bot.deps import Deps
from bot.services.prompt_records import read_profile, record_fetched_user
from bot.services.reminders import ReminderJob, release_reminder
from bot.services.tick import TickReport

log = logging.getLogger(__name__)

TRANSIENT_ERRORS = frozenset({"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"})


def send_reminder(deps: Deps, slack: SlackCaller, job: ReminderJob, report: TickReport) -> None:
    try:
        # Same check as the prompt itself: someone away (or gone) since the prompt is not nudged.
        user = job.stored_user
        if user is None:  # unknown or stale: ask Slack once and keep the answer
            user = slack.call("users.info", user=job.slack_user_id)["user"]
            record_fetched_user(deps, user)
        profile = read_profile(user, None, deps.now())
        if profile.gone or profile.away is not None:
            report.add("reminder_away")
            return
        slack.call(
            "chat.postMessage", channel=job.channel_id, thread_ts=job.message_ts, text=reminder_text(job.content)
        )
    except (SlackApiError, RateLimited, OSError) as error:
        posting = slack.last_method == "chat.postMessage"
        if _reminder_surely_not_sent(error, posting) and release_reminder(deps, job):
            log.info("reminder for prompt %s not sent (%s); trying again next time", job.prompt_id, error)
            report.add("reminder_retry")
            return
        # At most once: a reminder that may have reached Slack is not retried (better silent than twice).
        log.warning("reminder for prompt %s not sent: %s", job.prompt_id, error)
        report.add("reminder_failed")
        return
    report.add("reminded")


def _reminder_surely_not_sent(error: Exception, posting: bool) -> bool:
    """A passing failure that certainly left no reminder in Slack: anything before the post, or a post
    refused outright (429). A post that timed out or got a 5xx may have gone through."""
    if isinstance(error, RateLimited):
        return True
    if isinstance(error, SlackApiError):
        refused = error.response.status_code == 429 or error.response.get("error") == "ratelimited"
        return refused or (
            not posting and (error.response.status_code >= 500 or error.response.get("error") in TRANSIENT_ERRORS)
        )
    return not posting  # OSError: a connection that failed before the post started
