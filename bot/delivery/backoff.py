"""The back-off DMs the tick sends: the one question after three unanswered prompts, and the one line
when the cadence slowed by itself. bot.services.backoff decides and claims each (so it goes at most
once); a failure is logged and not retried (a second question would be the nagging it is there to end)."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.backoff import ask_blocks, ask_text, notice_blocks, notice_text
from bot.deps import Deps
from bot.services import backoff
from bot.services.tick import TickReport

log = logging.getLogger(__name__)


def send_backoff_messages(deps: Deps, client: WebClient, report: TickReport, limit: int = 100) -> int:
    """Claim and send the waiting back-off DMs; returns how many went out."""
    with deps.uow() as uow:
        messages = backoff.claim_messages(uow, limit)
    sent = 0
    for message in messages:
        if message.kind == "ask":
            blocks, text = ask_blocks(message.before), ask_text(message.before)
        else:
            blocks, text = notice_blocks(message.cadence, message.before), notice_text(message.cadence)
        try:
            channel = message.channel_id or client.conversations_open(users=message.slack_user_id)["channel"]["id"]
            client.chat_postMessage(channel=channel, text=text, blocks=[block.to_dict() for block in blocks])
        except SlackApiError as error:
            code = str(error.response.get("error", "")) if error.response is not None else ""
            log.warning("back-off %s for person %s not sent (%s)", message.kind, message.person_id, code or error)
            report.add("backoff_failed")
            continue
        report.add(f"backoff_{message.kind}")
        sent += 1
    return sent
