"""Messages in the bot's DMs: a reply in a prompt's thread becomes evidence for that prompt's behaviour.

The bot confirms with a reaction and a short threaded note offering to change the tag. Bot messages,
edits and deletions are ignored (a reply with a file, or also sent to the DM, counts); a plain DM, or a
reply in a thread that is not a prompt's, gets a one-line hint.
Idempotent under Slack's redelivery (X-Slack-Retry-Num): the message's `source_key` is stored once, and
a retried delivery neither stores nor confirms again.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltRequest
from slack_sdk import WebClient

from bot.blocks.common import unescape
from bot.blocks.prompt import too_long_blocks
from bot.delivery.confirmations import deliver_thread_reply
from bot.deps import Deps
from bot.ids import LADDER_COMMAND
from bot.services.actor import Actor
from bot.services.capturing import reply_in_thread
from storage.models import FieldTooLong

log = logging.getLogger(__name__)

HINT = (
    "To save something as evidence, reply in the thread of one of my prompts, use "
    f"`{LADDER_COMMAND} log what you did`, or the *Log evidence* button on my Home tab."
)
# What a person sends: a plain message, one with a file, or a thread reply also sent to the DM.
ANSWER_SUBTYPES = (None, "file_share", "thread_broadcast")
FILE_ONLY = (
    "I keep words, not files: reply again in this thread with a sentence about what happened "
    "(a link to the file is welcome)."
)


def is_retry(request: BoltRequest) -> bool:
    value = request.headers.get("x-slack-retry-num")
    return bool(value and value[0] not in ("", "0"))


def message(event: dict[str, Any], client: WebClient, request: BoltRequest, deps: Deps, actor: Actor | None) -> None:
    if event.get("channel_type") != "im" or event.get("subtype") not in ANSWER_SUBTYPES or event.get("bot_id"):
        return  # edits, deletions, joins and bot posts (ours included) are not evidence
    # Slack escapes &, < and > in message text; store what the person typed (shown escaped again).
    text = unescape(event.get("text") or "")
    channel, ts, thread_ts = event.get("channel"), event.get("ts"), event.get("thread_ts")
    if actor is None or not channel or not ts:
        return
    user_id = actor.slack_user_id
    if not thread_ts or thread_ts == ts:
        if not is_retry(request):
            client.chat_postEphemeral(channel=channel, user=user_id, text=HINT)
        return
    if not text.strip():  # a file with no words
        if not is_retry(request):
            client.chat_postEphemeral(channel=channel, user=user_id, thread_ts=thread_ts, text=FILE_ONLY)
        return
    if not _thread_reply(client, deps, actor, channel, ts, thread_ts, text) and not is_retry(request):
        # A reply in a thread that is not one of their prompts (a confirmation, their own message):
        # say how to save it rather than drop it without a word.
        client.chat_postEphemeral(channel=channel, user=user_id, thread_ts=thread_ts, text=HINT)


def _thread_reply(
    client: WebClient, deps: Deps, actor: Actor, channel: str, ts: str, thread_ts: str, text: str
) -> bool:
    """Record a reply in a prompt's thread; False when the thread is not one of the person's prompts."""
    try:
        reply = reply_in_thread(
            deps.uow, deps.library, actor, channel_id=channel, ts=ts, thread_ts=thread_ts, text=text, now=deps.now()
        )
    except FieldTooLong as error:
        blocks = too_long_blocks(str(error), text)
        client.chat_postMessage(
            channel=channel, thread_ts=thread_ts, text=str(error), blocks=[b.to_dict() for b in blocks[:50]]
        )
        return True
    if reply is None:
        return False
    if reply.captured.created:  # else an earlier delivery confirms it (or the tick does, if it stopped)
        deliver_thread_reply(client, deps, actor, reply, channel=channel, ts=ts, thread_ts=thread_ts)
    return True


def register(app: App, deps: Deps) -> None:
    app.event("message")(message)
