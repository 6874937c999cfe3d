"""Sending one claimed prompt: the stored Slack profile (time zone, away status, deactivation; users.info
only when it is unknown or stale), then the DM (to the known DM channel, else to the user id), and,
after an attempt that may have posted, looking for the post in the DM first; and closing a replaced
prompt (`close_prompt`). Every outcome is recorded by bot.services.prompt_records (a send in a batch, through
bot.delivery.send_recorder)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.blocks.prompt import prompt_closed_blocks, prompt_text, rendered_prompt
from bot.delivery.fanout import RateLimited, SlackCaller
from bot.deps import Deps
from bot.ids import MetadataEvent
from bot.services import prompt_closes
from bot.services import prompt_records as records
from bot.services.prompt_records import RETRY_MAX, OpenPrompt, PromptJob, SentPrompt
from bot.services.send_errors import TOKEN_ERRORS
from bot.services.tick import TickConfig, TickReport

log = logging.getLogger(__name__)

# A prompt re-claimed after an attempt that may have reached Slack is first looked for among the DM's
# newest messages (conversations.history, Tier 3 for internal apps: docs.slack.dev/apis/web-api/rate-limits).
# Its post went out minutes before the claim expired, so the newest messages are enough.
POSTED_LOOKBACK = 50
# A remembered DM channel that no longer works: post to the user id again.
STALE_CHANNEL_ERRORS = frozenset({"channel_not_found", "is_archived", "not_in_channel"})
SUPERSEDED_NOTE = "A newer prompt arrived, so this one is closed. You can still reply in its thread."


def send_prompt(
    deps: Deps,
    slack: SlackCaller,
    config: TickConfig,
    job: PromptJob,
    report: TickReport,
    record_sent: Callable[[SentPrompt], None],
) -> str:
    """Deliver one claimed prompt; returns the outcome. A send is handed to `record_sent` (the tick's
    `SendRecorder`, which records it in a batch with others); every other outcome is recorded here in
    its own unit of work."""
    if slack.token_error is not None:  # claimed before Slack refused the token: hand it back untried
        return records.record_retry(deps, job, report, slack.token_error, RETRY_MAX, config)
    try:
        user = job.stored_user
        if user is None:  # unknown or stale: ask Slack once and keep the answer
            user = slack.call("users.info", user=job.slack_user_id)["user"]
            records.record_fetched_user(deps, user)
        profile = records.read_profile(user, job.tz, deps.now())
        if profile.gone:
            return records.record_gone(deps, job, "user_deleted", report)
        new_tz = profile.new_tz
        if profile.away is not None:
            return records.record_skipped(deps, job, report, "away", skip_reason=profile.away, new_tz=new_tz)
        if new_tz and not records.due_in_new_zone(deps, config, job, report, new_tz):
            return "moved"
        posted = _find_posted(slack, job) if job.may_have_posted else None
        if posted is not None:
            report.add("already_posted")
        else:
            posted = _post_prompt(slack, job)
        record_sent(SentPrompt(job, posted["channel"], posted["ts"], new_tz))
        return "sent"
    except RateLimited as limited:
        return records.record_retry(deps, job, report, "ratelimited", timedelta(seconds=limited.retry_after), config)
    except SlackApiError as error:
        name = str(error.response.get("error") or f"http_{error.response.status_code}")
        posting = slack.last_method == "chat.postMessage" and error.response.status_code >= 500
        report.error(name)
        if name in TOKEN_ERRORS:
            if slack.token_error is None:
                log.error("Slack refuses the bot token (%s): prompts wait until the install is fixed", name)
            slack.token_error = name
            return records.record_retry(deps, job, report, name, RETRY_MAX, config)
        return records.record_slack_error(
            deps, config, job, report, name, error.response.get("errors"), posting=posting
        )
    except (OSError, TimeoutError) as error:  # connection refused / reset / timed out after the client's retries
        report.error(type(error).__name__)
        posting = slack.last_method == "chat.postMessage"
        message = f"{type(error).__name__}: {error}"[:200]
        return records.record_retry(deps, job, report, message, records.backoff(job.attempts), config, posting=posting)


def send_logged(
    deps: Deps,
    slack: SlackCaller,
    config: TickConfig,
    job: PromptJob,
    report: TickReport,
    record_sent: Callable[[SentPrompt], None],
) -> None:
    try:
        send_prompt(deps, slack, config, job, report, record_sent)
    except Exception:
        log.exception("sending prompt %s failed unexpectedly; it will be retried when its claim expires", job.prompt_id)
        report.add("crashed")


def close_prompt(deps: Deps, slack: SlackCaller, previous: OpenPrompt, report: TickReport) -> None:
    """A prompt replaced by a newer one while unanswered loses its buttons (chat.update): only the
    newest prompt is live. A close that fails is taken again later (bot.services.prompt_closes)."""
    try:
        slack.call(
            "chat.update",
            channel=previous.channel_id,
            ts=previous.message_ts,
            text=prompt_text(previous.content),
            blocks=[block.to_dict() for block in prompt_closed_blocks(previous.content, SUPERSEDED_NOTE)],
        )
    except (SlackApiError, RateLimited, OSError) as error:
        name = str(error.response.get("error") or "") if isinstance(error, SlackApiError) else ""
        if not prompt_closes.is_done_despite(name):
            # Cosmetic meanwhile: the new prompt is delivered; the old buttons still answer the right prompt.
            log.warning("could not close prompt %s (tried again later): %s", previous.prompt_id, error)
            report.add("close_retry")
            return
    prompt_closes.record_closed(deps, previous.prompt_id)
    report.add("closed")


def _find_posted(slack: SlackCaller, job: PromptJob) -> dict[str, str] | None:
    """The prompt's message if an earlier attempt already posted it (found by the prompt id in its
    metadata), so a restart after a crash mid-send does not DM the person twice."""
    try:
        channel = job.channel_id or slack.call("conversations.open", users=job.slack_user_id)["channel"]["id"]
        history = slack.call("conversations.history", channel=channel, limit=POSTED_LOOKBACK, include_all_metadata=True)
    except SlackApiError as error:
        # Not knowing is no reason to miss the week's prompt: post, at worst a second time.
        log.warning("could not look for an earlier post of prompt %s: %s", job.prompt_id, error)
        return None
    for message in history.get("messages") or []:
        metadata = message.get("metadata") or {}
        payload = metadata.get("event_payload") or {}
        if metadata.get("event_type") == MetadataEvent.PROMPT and payload.get("prompt_id") == job.prompt_id:
            log.info("prompt %s was already posted by an earlier attempt (ts %s)", job.prompt_id, message["ts"])
            return {"channel": channel, "ts": message["ts"]}
    return None


def _post_prompt(slack: SlackCaller, job: PromptJob) -> Any:
    """chat.postMessage to the DM channel known from an earlier prompt, else to the user id: Slack posts
    that in the app's DM with them and names the channel in its answer, recorded with the send, so no
    conversations.open is needed (docs.slack.dev/reference/methods/chat.postMessage, `channel`: "an
    encoded ID ... or IM channel"; api.slack.com/scopes/conversations.app_home:create: "passing the
    user's ID as the channel parameter ... no need for a separate call to conversations.open")."""
    message = {
        "text": prompt_text(job.content),
        "blocks": rendered_prompt(job.content),
        "metadata": {"event_type": MetadataEvent.PROMPT, "event_payload": {"prompt_id": job.prompt_id}},
        "unfurl_links": False,
    }
    if job.channel_id:
        try:
            return slack.call("chat.postMessage", channel=job.channel_id, **message)
        except SlackApiError as error:
            if error.response.get("error") not in STALE_CHANNEL_ERRORS:
                raise
    return slack.call("chat.postMessage", channel=job.slack_user_id, **message)
