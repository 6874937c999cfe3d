"""Showing someone their evidence was saved: a reaction and a note in the prompt's thread, or a DM.

Listeners confirm right after a capture; the tick's sweep (`confirm_unconfirmed`) confirms what a
stopped process left unconfirmed (bot.services.confirmations decides which).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.prompt import evidence_saved_blocks, evidence_saved_text
from bot.delivery.home import refresh_home
from bot.delivery.prompt_redraw import redraw_prompt
from bot.deps import Deps
from bot.ids import MetadataEvent
from bot.services import confirmations
from bot.services.actor import Actor
from bot.services.capturing import ThreadReply
from bot.services.confirmations import Pending
from bot.services.tag_suggestions import Suggestion, WeakMatch
from bot.slack_client import posting_once

log = logging.getLogger(__name__)

SAVED_REACTION = "white_check_mark"
# How far back the sweep looks in a DM for a confirmation Slack posted although its answer failed.
DM_LOOKBACK = 20


def _saved_metadata(evidence_id: int) -> dict[str, Any]:
    return {"event_type": MetadataEvent.EVIDENCE_SAVED.value, "event_payload": {"evidence_id": evidence_id}}


def shown_or_left_to_sweep(deps: Deps, evidence_id: int, show: Callable[[], bool | None]) -> bool:
    """Show a capture that has committed; on success record it confirmed. When Slack fails (5xx after
    the client's retries, a dropped connection, or `show` returns False) it stays unconfirmed and the
    tick's sweep confirms it once: nothing may reach the error handler, whose apology would say the
    request was not completed."""
    try:
        shown = show()
    except (SlackApiError, OSError) as error:
        log.warning("evidence %s saved, confirmation left to the sweep: %r", evidence_id, error)
        return False
    if shown is False:
        log.warning("evidence %s saved, confirmation left to the sweep: Slack refused it", evidence_id)
        return False
    confirmations.mark_confirmed(deps, evidence_id, deps.now())
    return True


def confirm_by_dm(
    client: WebClient,
    user_id: str,
    evidence_id: int,
    labels: Sequence[str],
    suggestion: Suggestion | WeakMatch | None = None,
) -> None:
    """Posted once, never retried blindly: after a 5xx Slack may have posted it, and the sweep looks
    for it (by its metadata) before posting again."""
    posting_once(client).chat_postMessage(
        channel=user_id,
        text=evidence_saved_text(list(labels)),
        blocks=[b.to_dict() for b in evidence_saved_blocks(evidence_id, list(labels), suggestion=suggestion)],
        metadata=_saved_metadata(evidence_id),
    )


def confirm_thread_reply(
    client: WebClient,
    channel: str,
    ts: str,
    thread_ts: str,
    evidence_id: int,
    labels: Sequence[str],
    suggestion: Suggestion | WeakMatch | None = None,
) -> None:
    """A reaction on the reply and a short note in the prompt's thread offering to change the tags."""
    try:
        client.reactions_add(channel=channel, timestamp=ts, name=SAVED_REACTION)
    except SlackApiError as error:
        if error.response.get("error") != "already_reacted":
            raise
    posting_once(client).chat_postMessage(
        channel=channel,
        thread_ts=thread_ts,
        text=evidence_saved_text(list(labels)),
        blocks=[b.to_dict() for b in evidence_saved_blocks(evidence_id, list(labels), suggestion=suggestion)],
        metadata=_saved_metadata(evidence_id),
    )


def deliver_thread_reply(
    client: WebClient, deps: Deps, actor: Actor, reply: ThreadReply, *, channel: str, ts: str, thread_ts: str
) -> None:
    """Everything Slack shows after a reply in a prompt's thread was stored just now: the reaction and
    note, then (recorded as confirmed) the prompt redrawn as answered and their Home republished."""
    captured = reply.captured
    labels = [tag.label for tag in captured.tags]
    shown_or_left_to_sweep(
        deps,
        captured.evidence_id,
        lambda: confirm_thread_reply(client, channel, ts, thread_ts, captured.evidence_id, labels, reply.suggestion),
    )
    if captured.prompt_id is not None:
        redraw_prompt(client, deps, captured.prompt_id)
    refresh_home(client, deps, actor.team_id, actor.slack_user_id, reply.home)


def _already_shown(client: WebClient, item: Pending) -> bool:
    """Whether Slack posted this confirmation although the answer to that call failed (a 5xx or a
    dropped connection after Slack had acted): found by the evidence id in the message's metadata, in
    the prompt's thread (conversations.replies) or the DM (conversations.history), both Tier 3 and
    im:history (docs.slack.dev/reference/methods/conversations.replies)."""
    reply = item.thread_reply
    try:
        if reply is not None:
            found = client.conversations_replies(channel=reply.channel, ts=reply.thread_ts, include_all_metadata=True)
        else:
            channel = client.conversations_open(users=item.user_id)["channel"]["id"]
            found = client.conversations_history(channel=channel, limit=DM_LOOKBACK, include_all_metadata=True)
    except SlackApiError as error:
        # Not knowing is no reason to leave someone unsure their evidence was kept: confirm, at worst twice.
        log.warning("could not look for an earlier confirmation of evidence %s: %s", item.evidence_id, error)
        return False
    for message in found.get("messages") or []:
        metadata = message.get("metadata") or {}
        payload = metadata.get("event_payload") or {}
        saved = metadata.get("event_type") == MetadataEvent.EVIDENCE_SAVED
        if saved and payload.get("evidence_id") == item.evidence_id:
            return True
    return False


def _confirm(client: WebClient, deps: Deps, item: Pending) -> str:
    """Post the confirmation unless Slack already has it; when the post's answer fails, look again
    before the one more try, so the person gets it exactly once."""
    outcome = "confirmed"
    for attempt in (1, 2):
        if _already_shown(client, item):
            log.info("evidence %s: Slack had posted its confirmation although the answer failed", item.evidence_id)
            outcome = "found_posted"
            break
        try:
            _post_confirmation(client, item)
            break
        except (SlackApiError, OSError) as error:
            answered = isinstance(error, SlackApiError) and error.response.status_code < 500
            if answered or attempt == 2:  # Slack said no, or failed twice: the caller reports it
                raise
    if item.prompt_id is not None:
        redraw_prompt(client, deps, item.prompt_id)
    return outcome


def _post_confirmation(client: WebClient, item: Pending) -> None:
    reply = item.thread_reply
    if reply is not None:
        confirm_thread_reply(
            client, reply.channel, reply.ts, reply.thread_ts, item.evidence_id, item.labels, item.suggestion
        )
    else:
        confirm_by_dm(client, item.user_id, item.evidence_id, item.labels, item.suggestion)


def confirm_unconfirmed(deps: Deps, now: datetime, client: WebClient | None = None) -> Counter[str]:
    """Confirm evidence saved between a day and a couple of minutes ago and never confirmed."""
    client = client or deps.client
    report: Counter[str] = Counter()
    for item in confirmations.pending_confirmations(deps, now):
        if not confirmations.mark_confirmed(deps, item.evidence_id, now):
            continue  # another instance took it
        try:
            report[_confirm(client, deps, item)] += 1
        except SlackApiError as error:
            # Not retried: a confirmation that keeps failing is not worth a message every minute.
            log.warning("could not confirm evidence %s: %s", item.evidence_id, error.response.get("error"))
            report["failed"] += 1
        except OSError as error:  # a dropped connection or a timeout: the rest of the batch still goes
            log.warning("could not confirm evidence %s: %r", item.evidence_id, error)
            report["failed"] += 1
    return report
